// A light (domain/lights.ts) as a database condition on the cycle index, so the dashboard counts and
// the cycle list's light filter ask the database one and the same question, and nothing loads every
// cycle to colour it. Green is "neither red nor yellow", so the three partition every row.
import type { Prisma } from '../../db/client';
import { OPEN_STATE, RED_STATES, reminderRules, windowPeriodsInReminder, type Light } from '../../domain/lights';
import type { Catalog } from '../../runtime/catalog';

/** What colouring needs besides the row: the catalog's ladders and the instant. */
export interface LightClock {
  catalog: Catalog;
  now: Date;
}

const NOTHING: Prisma.CycleWhereInput = { workflowId: { in: [] } };

function redWhere(now: Date): Prisma.CycleWhereInput {
  return { OR: [{ state: { in: [...RED_STATES] } }, { state: OPEN_STATE, dueAt: { lte: now } }] };
}

function yellowWhere({ catalog, now }: LightClock): Prisma.CycleWhereInput {
  const windows: Prisma.CycleWhereInput[] = reminderRules(catalog.duties).map((rule) => {
    if ('leadMs' in rule) return { dutyCode: rule.dutyCode, dueAt: { lte: new Date(now.getTime() + rule.leadMs) } };
    const periods = windowPeriodsInReminder(catalog.byCode.get(rule.dutyCode)!, now);
    return periods.length ? { dutyCode: rule.dutyCode, period: { in: periods } } : NOTHING;
  });
  const open = windows.filter((w) => w !== NOTHING);
  if (open.length === 0) return NOTHING;
  return { state: OPEN_STATE, dueAt: { gt: now }, OR: open };
}

/** The rows of the cycle index that show `light` at `clock.now`. */
export function lightWhere(light: Light, clock: LightClock): Prisma.CycleWhereInput {
  switch (light) {
    case 'red':
      return redWhere(clock.now);
    case 'yellow':
      return yellowWhere(clock);
    case 'green':
      return { NOT: [redWhere(clock.now), yellowWhere(clock)] };
  }
}
