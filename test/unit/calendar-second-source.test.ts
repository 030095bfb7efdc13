// Every day of every shipped year (calendar/*.json, extracted from chinese-days) against a second, independently
// maintained source: the Python `holidays` package's China calendar (test/fixtures/holidays-py-china.json, written
// by scripts/calendar-second-source.py). Where the two disagree, the data file must carry a settlement for the day
// (decided from the notice's text, or else by the source that cites it); a disagreement nobody settled fails here.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { yearArrangementSchema, type Settlement } from '../../domain/calendar';
import { loadCalendar, readArrangement, shippedCalendarDir } from '../../runtime/calendar-store';

interface Fixture {
  version: string;
  range: [string, string];
  holidays: { date: string; name: string }[];
  workdays: { date: string }[];
}

const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'holidays-py-china.json'), 'utf8')) as Fixture;
const cal = loadCalendar([shippedCalendarDir()]);
const years = cal.coveredYears();
const settlements = new Map<string, Settlement & { year: number }>();
for (const y of years) {
  for (const s of readArrangement(path.join(shippedCalendarDir(), `${y}.json`)).settlements ?? []) settlements.set(s.date, { ...s, year: y });
}
const off = new Map(fixture.holidays.map((h) => [h.date, h.name]));
const on = new Set(fixture.workdays.map((w) => w.date));

function secondSource(date: string): boolean {
  if (on.has(date)) return true;
  if (off.has(date)) return false;
  const w = new Date(`${date}T00:00:00Z`).getUTCDay();
  return w !== 0 && w !== 6;
}

/** Every date the shipped years settle: 1 January of the first through 27 December of the last (28–31 wait for the next notice). */
function shippedDates(): string[] {
  const out: string[] = [];
  for (let t = Date.UTC(years[0]!, 0, 1); t <= Date.UTC(years.at(-1)!, 11, 27); t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

describe('calendar/*.json against python holidays (second source)', () => {
  const dates = shippedDates();
  const disagreements = dates.filter((d) => cal.isWorkday(d).workday !== secondSource(d));

  it('the fixture covers every shipped year and names the package version', () => {
    expect(fixture.version).toMatch(/^\d+\.\d+/);
    expect(fixture.range[0] <= `${years[0]}-01-01` && fixture.range[1] >= `${years.at(-1)}-12-27`).toBe(true);
    expect(dates.length).toBeGreaterThan(8000);
  });

  it('every disagreement left is settled in the data file', () => {
    expect(disagreements.filter((d) => !settlements.has(d))).toEqual([]);
  });

  it('every settlement is about a day one of the sources got wrong, and gives its reason', () => {
    expect(settlements.size).toBeGreaterThan(0);
    for (const s of settlements.values()) {
      expect(s.reason).toMatch(/国办发|通知/);
      expect(s.other).toContain('python holidays');
    }
  });

  it('2005-12-31: chinese-days left out the Saturday the 2006 notice made a working day; settled from the notice', () => {
    expect(settlements.get('2005-12-31')).toMatchObject({ year: 2006, decision: 'workday', name: '元旦调休' });
    expect(cal.isWorkday('2005-12-31')).toEqual({ workday: true, name: '元旦调休' });
    expect(secondSource('2005-12-31')).toBe(true);
  });
});

describe('settlements in the file format', () => {
  const base = { year: 2006, source: 's', holidays: [{ date: '2006-01-02', name: '元旦' }], workdays: [{ date: '2005-12-31', name: '元旦调休' }] };
  const st = { date: '2005-12-31', decision: 'workday', name: '元旦调休', other: 'python holidays 0.109', reason: '国办发明电〔2005〕35号' };

  it('accepts a settlement that agrees with the lists', () => {
    expect(yearArrangementSchema.safeParse({ ...base, settlements: [st] }).success).toBe(true);
  });

  it('rejects one that contradicts them, or lacks a reason or a name, naming the field', () => {
    const wrong = yearArrangementSchema.safeParse({ ...base, settlements: [{ ...st, decision: 'ordinary' }] });
    expect(wrong.success).toBe(false);
    expect(wrong.error!.issues[0]).toMatchObject({ path: ['settlements', 0, 'decision'] });
    expect(wrong.error!.issues[0]!.message).toMatch(/settled as ordinary but the file lists it as workday/);
    const noReason = yearArrangementSchema.safeParse({ ...base, settlements: [{ ...st, reason: ' ' }] });
    expect(noReason.error!.issues[0]).toMatchObject({ path: ['settlements', 0, 'reason'] });
    const noName = yearArrangementSchema.safeParse({ ...base, settlements: [{ ...st, name: undefined }] });
    expect(noName.error!.issues[0]).toMatchObject({ path: ['settlements', 0, 'name'] });
  });
});
