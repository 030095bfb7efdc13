// Event windows at exact CST instants: hours across midnight, same day, calendar and working days, years.
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../runtime/catalog';
import { planWindow, type WorkdayCalendar } from '../../domain/event-plan';
import { toCstIso } from '../../domain/time';
import type { EventDuty, IncidentDuty } from '../../domain/catalog/schema';

const catalog = loadCatalog();
const incident = catalog.triggeredByCode.get('incident-disclosure') as IncidentDuty;
const event = (code: string) => catalog.triggeredByCode.get(code) as EventDuty;
const cst = (steps: { id: string; at: string }[]) => steps.map((s) => `${s.id} ${toCstIso(s.at).slice(0, 16)}`);

/** 2026's arrangement around 国庆 (10/1–10/7 off, 10/10 Saturday worked) — enough for these cases. */
const october2026: WorkdayCalendar = {
  addWorkdays(from, n) {
    const off = new Set(['2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04', '2026-10-05', '2026-10-06', '2026-10-07']);
    const on = new Set(['2026-09-20', '2026-10-10']);
    let d = new Date(`${from}T00:00:00Z`);
    let left = n;
    while (left > 0) {
      d = new Date(d.getTime() + 86400_000);
      const iso = d.toISOString().slice(0, 10);
      const weekend = d.getUTCDay() === 0 || d.getUTCDay() === 6;
      if (on.has(iso) || (!weekend && !off.has(iso))) left -= 1;
    }
    return d.toISOString().slice(0, 10);
  },
};

describe('incident windows run on the wall clock from the occurrence', () => {
  it('an incident at 22:30 CST: the 5-hour window closes at 03:30 the next day, the 24-hour one at 22:30', () => {
    const release = planWindow(incident.windows[0]!, '2026-05-01T22:30:00+08:00', undefined, 'release:');
    expect(toCstIso(release.dueAt)).toBe('2026-05-02T03:30:00+08:00');
    expect(release.lastDay).toBe('2026-05-02');
    expect(cst(release.steps)).toEqual([
      'release:reminder-1 2026-05-01T23:30',
      'release:reminder-2 2026-05-02T01:30',
      'release:reminder-3 2026-05-02T03:00',
      'release:escalation-1 2026-05-02T03:30',
      'release:escalation-2 2026-05-02T05:30',
    ]);
    const press = planWindow(incident.windows[1]!, '2026-05-01T22:30:00+08:00', undefined, 'press:');
    expect(toCstIso(press.dueAt)).toBe('2026-05-02T22:30:00+08:00');
  });
});

describe('other event windows', () => {
  it('same day: a document received at 16:00 is due by midnight, reminded at 21:00, escalated next morning', () => {
    const plan = planWindow(event('superior-document-review').window, '2026-03-10T16:00:00+08:00');
    expect(toCstIso(plan.dueAt)).toBe('2026-03-11T00:00:00+08:00');
    expect(cst(plan.steps)).toEqual(['reminder-1 2026-03-10T21:00', 'escalation-1 2026-03-11T09:00']);
  });

  it('same day: received at 23:00, the reminder before midnight would precede the receipt and is left out', () => {
    const plan = planWindow(event('superior-document-review').window, '2026-03-10T23:00:00+08:00');
    expect(cst(plan.steps)).toEqual(['escalation-1 2026-03-11T09:00']);
  });

  it('10 working days across 国庆 2026: data produced on 2026-09-28 is due by the end of 2026-10-16', () => {
    const plan = planWindow(event('regulatory-data-aggregation').window, '2026-09-28T10:00:00+08:00', october2026);
    // 9/29, 9/30, 10/8, 10/9, 10/10 (Saturday, 调休), 10/12, 10/13, 10/14, 10/15, 10/16
    expect(plan.lastDay).toBe('2026-10-16');
    expect(toCstIso(plan.dueAt)).toBe('2026-10-17T00:00:00+08:00');
  });

  it('a working-day window without the calendar is an error, not an ordinary week', () => {
    expect(() => planWindow(event('regulatory-data-aggregation').window, '2026-09-28T10:00:00+08:00')).toThrow(/calendar/);
  });

  it('30 calendar days for filing, one year for a decision evaluation (leap day → Feb 28)', () => {
    expect(planWindow(event('normative-document-filing').window, '2026-01-31T15:00:00+08:00').lastDay).toBe('2026-03-02');
    expect(planWindow(event('major-decision-evaluation').window, '2028-02-29T10:00:00+08:00').lastDay).toBe('2029-02-28');
  });

  it('counts the CST day of an instant given in another offset', () => {
    // 2026-03-10T20:30Z is already 2026-03-11 04:30 in China.
    const plan = planWindow(event('superior-document-review').window, '2026-03-10T20:30:00Z');
    expect(toCstIso(plan.dueAt)).toBe('2026-03-12T00:00:00+08:00');
  });
});
