// The deadline calculus of annual duties, checked at exact CST instants and as properties.
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../runtime/catalog';
import {
  dueDate,
  openingInstant,
  parseAnnualPeriod,
  parseDutyPeriod,
  periodOpenedAt,
  periodSpecOf,
  planCycle,
  planForDueDate,
} from '../../domain/plan';
import { periodContaining } from '../../domain/periods';
import { CST, toCstIso } from '../../domain/time';

const catalog = loadCatalog();
const duty = (code: string) => catalog.byCode.get(code)!;
const cst = (steps: { id: string; at: string }[]) => steps.map((s) => `${s.id} ${toCstIso(s.at)}`);

describe('annual plans at exact CST instants', () => {
  it('cycle 2025 of enforcement-statistics: due by the end of 2026-01-31, reminders in January, escalations after', () => {
    const plan = planCycle(duty('enforcement-statistics'), '2025');
    expect(toCstIso(plan.dueAt)).toBe('2026-02-01T00:00:00+08:00');
    expect(plan.dueAt).toBe('2026-01-31T16:00:00Z');
    expect(cst(plan.steps)).toEqual([
      'reminder-1 2026-01-17T09:00:00+08:00',
      'reminder-2 2026-01-24T09:00:00+08:00',
      'reminder-3 2026-01-28T09:00:00+08:00',
      'reminder-4 2026-01-30T09:00:00+08:00',
      'escalation-1 2026-02-01T09:00:00+08:00',
      'escalation-2 2026-02-07T09:00:00+08:00',
      'escalation-3 2026-03-02T09:00:00+08:00',
    ]);
  });

  it('rule-of-law-report across a leap February: cycle 2027 is due by the end of 2028-03-01', () => {
    const plan = planCycle(duty('rule-of-law-report'), '2027');
    expect(toCstIso(plan.dueAt)).toBe('2028-03-02T00:00:00+08:00');
    expect(cst(plan.steps).slice(0, 4)).toEqual([
      'reminder-1 2028-01-31T09:00:00+08:00',
      'reminder-2 2028-02-16T09:00:00+08:00',
      'reminder-3 2028-02-23T09:00:00+08:00',
      'reminder-4 2028-02-29T09:00:00+08:00',
    ]);
  });

  it('an extension keeps the ladder offsets relative to the new last day', () => {
    const plan = planForDueDate(duty('enforcement-statistics'), DateTime.fromISO('2026-02-28', { zone: CST }));
    expect(toCstIso(plan.dueAt)).toBe('2026-03-01T00:00:00+08:00');
    expect(toCstIso(plan.steps[0]!.at)).toBe('2026-02-14T09:00:00+08:00');
    expect(toCstIso(plan.steps.at(-1)!.at)).toBe('2026-03-30T09:00:00+08:00');
  });

  it('opens cycle N in year N+1 and derives the period from a scheduled instant in CST', () => {
    expect(openingInstant(duty('enforcement-statistics'), '2025').toISO()).toBe('2026-01-02T09:00:00.000+08:00');
    // 2026-01-01T16:30Z is already Jan 2 in China; a UTC reading would still say 2026 as well — pick an edge:
    const d = duty('enforcement-statistics');
    expect(periodOpenedAt(d, DateTime.fromISO('2025-12-31T16:30:00Z'))).toBe('2025'); // 2026-01-01 00:30 CST opens cycle 2025
    expect(periodOpenedAt(d, DateTime.fromISO('2025-12-31T15:30:00Z'))).toBe('2024'); // still 2025-12-31 in CST
  });

  it('rejects periods that are not a year', () => {
    for (const bad of ['25', '2025-Q1', 'abcd', '1999', '2025 ']) expect(() => parseAnnualPeriod(bad)).toThrow(/period/);
  });
});

describe('properties of every recurring duty in the catalog', () => {
  it('reminders precede the due instant, escalations follow it, all at their CST time of day', () => {
    const day = fc.integer({ min: Date.UTC(2021, 0, 10), max: Date.UTC(2095, 0, 1) });
    fc.assert(
      fc.property(fc.constantFrom(...catalog.duties), day, (d, ms) => {
        const period =
          d.kind === 'milestone' ? d.due.slice(0, 4) : periodContaining(periodSpecOf(d), DateTime.fromMillis(ms, { zone: CST })).label;
        const plan = planCycle(d, period);
        const due = Date.parse(plan.dueAt);
        const lastDay = dueDate(d, period);
        expect(DateTime.fromISO(plan.dueAt).setZone(CST).toISODate()).toBe(lastDay.plus({ days: 1 }).toISODate());
        expect(DateTime.fromISO(plan.dueAt).setZone(CST).toFormat('HH:mm:ss')).toBe('00:00:00');
        // The due instant never precedes the end of the period it reports on (windows end inside it).
        if (d.kind !== 'window') expect(due).toBeGreaterThanOrEqual(parseDutyPeriod(d, period).lastDay.plus({ days: 1 }).toMillis());
        const times = plan.steps.map((s) => Date.parse(s.at));
        for (const [i, step] of plan.steps.entries()) {
          expect(step.kind === 'reminder' ? times[i]! < due : times[i]! > due).toBe(true);
          const hhmm = DateTime.fromISO(step.at).setZone(CST).toFormat('HH:mm');
          const ladder = step.kind === 'reminder' ? d.reminders : d.escalations;
          expect(ladder.map((r) => r.at)).toContain(hhmm);
        }
        expect([...times].sort((a, b) => a - b)).toEqual(times);
      }),
    );
  });
});
