// Loading and installing arrangement files: validation errors name the file and the field; installing is atomic
// and lands in the given data folder (never the real data/ in tests).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CalendarFileError, installArrangement, loadCalendar, presentYears, readArrangement, shippedCalendarDir } from '../../runtime/calendar-store';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'duty-ledger-calendar-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A made-up 2027 arrangement for tests only (not the real notice). */
const fixture2027 = {
  year: 2027,
  source: 'test fixture — not the 2027 notice',
  holidays: [
    { date: '2027-01-01', name: '元旦' },
    { date: '2027-02-08', name: '春节' },
  ],
  workdays: [{ date: '2027-02-06', name: '春节调休' }],
};

function write(name: string, value: unknown): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
  return file;
}

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CalendarFileError);
    return (e as CalendarFileError).problems;
  }
  throw new Error('expected a CalendarFileError');
}

describe('readArrangement', () => {
  it('every shipped file validates and is named by its year', () => {
    const names = fs.readdirSync(shippedCalendarDir()).filter((n) => n.endsWith('.json'));
    expect(names.length).toBe(23);
    for (const n of names) expect(readArrangement(path.join(shippedCalendarDir(), n)).year).toBe(Number(n.slice(0, 4)));
  });

  it.each([
    ['a date outside the year', { ...fixture2027, holidays: [{ date: '2028-01-01', name: '元旦' }] }, 'field "holidays.0.date": 2028-01-01 is outside the 2027 arrangement'],
    ['a date both off and worked', { ...fixture2027, workdays: [{ date: '2027-02-08', name: 'x' }] }, 'both a holiday and a make-up working day'],
    ['a weekday as a make-up day', { ...fixture2027, workdays: [{ date: '2027-02-09', name: '春节调休' }] }, '2027-02-09 is a weekday'],
    ['a missing name', { ...fixture2027, holidays: [{ date: '2027-01-01', name: ' ' }] }, 'field "holidays.0.name": a name is required'],
    ['a malformed date', { ...fixture2027, holidays: [{ date: '2027-1-1', name: '元旦' }] }, 'field "holidays.0.date": must be a date written YYYY-MM-DD'],
    ['an impossible date', { ...fixture2027, holidays: [{ date: '2027-02-29', name: '春节' }] }, '"2027-02-29" is not a calendar date'],
    ['no source', { ...fixture2027, source: '' }, 'field "source"'],
    ['no year', { ...fixture2027, year: undefined }, 'field "year"'],
    ['an unknown field', { ...fixture2027, inLieu: [] }, 'inLieu'],
  ])('rejects %s, naming the file and field', (_what, doc, expected) => {
    const found = problems(() => readArrangement(write('2027.json', doc)));
    expect(found.join('\n')).toContain('2027.json, field');
    expect(found.join('\n')).toContain(expected);
  });

  it('rejects a file that is not JSON', () => {
    expect(problems(() => readArrangement(write('2027.json', '{ nope')))[0]).toMatch(/^2027\.json: not valid JSON/);
  });
});

describe('loadCalendar', () => {
  it('adds a data folder to the shipped years; a file must be named by its year', () => {
    write('2027.json', fixture2027);
    const cal = loadCalendar([shippedCalendarDir(), tmp]);
    expect(cal.coveredYears().at(-1)).toBe(2027);
    expect(cal.isWorkday('2027-02-06')).toEqual({ workday: true, name: '春节调休' });
    expect(cal.addWorkdays('2026-12-25', 1)).toBe('2026-12-28');

    write('2028.json', fixture2027);
    expect(problems(() => loadCalendar([tmp])).join('\n')).toContain('2028.json, field "year": 2027 does not match the file name');
  });

  it('a missing data folder is no error', () => {
    expect(loadCalendar([shippedCalendarDir(), path.join(tmp, 'absent')]).coveredYears()).toHaveLength(23);
  });
});

describe('presentYears', () => {
  it('lists the <N>.json names of the shipped and data folders without reading them, ascending', () => {
    write('2027.json', 'not even JSON');
    write('notes.json', '{}');
    expect(presentYears([shippedCalendarDir(), tmp]).slice(-3)).toEqual([2025, 2026, 2027]);
    expect(presentYears([path.join(tmp, 'absent')])).toEqual([]);
  });
});

describe('installArrangement', () => {
  it('validates, then installs the file as <dir>/<year>.json atomically', () => {
    const src = write('new-notice.json', fixture2027);
    const target = path.join(tmp, 'data', 'calendar');
    const r = installArrangement(src, target);
    expect(r).toEqual({ year: 2027, holidays: 2, workdays: 1, path: path.join(target, '2027.json'), replaced: false });
    expect(fs.readdirSync(target)).toEqual(['2027.json']); // no temp file left behind
    expect(fs.readFileSync(path.join(target, '2027.json'), 'utf8')).toBe(fs.readFileSync(src, 'utf8'));
    expect(installArrangement(src, target).replaced).toBe(true);
    expect(loadCalendar([shippedCalendarDir(), target]).coveredYears()).toContain(2027);
  });

  it('says when it replaces a shipped year', () => {
    const src = path.join(shippedCalendarDir(), '2026.json');
    expect(installArrangement(src, path.join(tmp, 'cal')).replaced).toBe(true);
  });

  it('installs nothing from an invalid file', () => {
    const src = write('bad.json', { ...fixture2027, holidays: [{ date: '2026-06-01', name: 'x' }] });
    const target = path.join(tmp, 'cal');
    expect(problems(() => installArrangement(src, target))[0]).toContain('bad.json, field "holidays.0.date"');
    expect(fs.existsSync(target)).toBe(false);
  });

  it('refuses a file that names a date another loaded arrangement already names', () => {
    const target = path.join(tmp, 'cal');
    // A 2027 notice may reach back to 2026-12-31 …
    installArrangement(write('a.json', { ...fixture2027, holidays: [{ date: '2026-12-31', name: '元旦' }] }), target);
    // … and then a corrected 2026 file naming the same day contradicts it.
    const shipped2026 = readArrangement(path.join(shippedCalendarDir(), '2026.json'));
    const clash = write('b.json', { ...shipped2026, holidays: [...shipped2026.holidays, { date: '2026-12-31', name: '元旦' }] });
    expect(problems(() => installArrangement(clash, target))[0]).toBe(
      'b.json: conflicts with the loaded arrangements: 2026-12-31 appears in the 2026 and 2027 arrangements',
    );
    expect(fs.readdirSync(target)).toEqual(['2027.json']);
  });
});
