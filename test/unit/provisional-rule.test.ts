// The provisional rules (domain/provisional.ts) measured on history: for every start date in the last three
// weeks of each year 2004–2025 (11–31 December), N working days under each rule as if the next year's notice
// were not loaded, against the official answer from the shipped calendar/*.json. The table is regenerated here
// and compared with test/fixtures/provisional-table.md (update with `npx vitest run <this file> -u`); the
// README quotes that file. Runs under three host zones: every value is a plain date.
import { describe, expect, it } from 'vitest';
import { WorkCalendar, type YearArrangement } from '../../domain/calendar';
import {
  certainDaysOffRule,
  lunarNewYear,
  PROVISIONAL_RULE,
  PROVISIONAL_RULES,
  provisionalNotice,
  nextYearWarning,
  type ProvisionalRule,
} from '../../domain/provisional';
import { readArrangement, shippedCalendarDir } from '../../runtime/calendar-store';
import path from 'node:path';

const FIRST = 2004;
const LAST = 2025;
const COUNTS = [5, 10, 20];
const DAY = 86_400_000;

const arrangements: YearArrangement[] = [];
for (let y = FIRST; y <= LAST + 1; y += 1) arrangements.push(readArrangement(path.join(shippedCalendarDir(), `${y}.json`)));
const official = new WorkCalendar(arrangements);
/** The calendar as it stood before notice y+1 was loaded. */
const upTo = new Map<number, WorkCalendar>();
for (let y = FIRST; y <= LAST; y += 1) upTo.set(y, new WorkCalendar(arrangements.filter((a) => a.year <= y)));

function days(a: string, b: string): number {
  return Math.round((Date.parse(`${a}T00:00:00Z`) - Date.parse(`${b}T00:00:00Z`)) / DAY);
}

interface Case {
  year: number;
  from: string;
  n: number;
  official: string;
  rule: string;
  /** Calendar days rule − official: negative = the rule's deadline is earlier. */
  diff: number;
  provisional: boolean;
}

function cases(rule: ProvisionalRule): Case[] {
  const out: Case[] = [];
  for (let y = FIRST; y <= LAST; y += 1) {
    const cal = upTo.get(y)!;
    for (let d = 11; d <= 31; d += 1) {
      const from = `${y}-12-${String(d).padStart(2, '0')}`;
      for (const n of COUNTS) {
        const want = official.addWorkdays(from, n);
        const got = cal.addWorkdaysProvisional(from, n, rule);
        out.push({
          year: y,
          from,
          n,
          official: want,
          rule: got.date,
          diff: days(got.date, want),
          provisional: got.provisional !== undefined,
        });
      }
    }
  }
  return out;
}

const measured = new Map(PROVISIONAL_RULES.map((r) => [r.id, cases(r)] as const));

function table(): string {
  const lines = [
    `| rule | N | starts | provisional | exact | early 1 | early 2 | early 3+ | late 1 | late 2+ | most early | most late |`,
    `| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`,
  ];
  for (const r of PROVISIONAL_RULES) {
    for (const n of COUNTS) {
      const cs = measured.get(r.id)!.filter((c) => c.n === n);
      const count = (p: (d: number) => boolean) => cs.filter((c) => p(c.diff)).length;
      const min = Math.min(...cs.map((c) => c.diff));
      const max = Math.max(...cs.map((c) => c.diff));
      lines.push(
        `| ${r.id}${r === PROVISIONAL_RULE ? ' (chosen)' : ''} | ${n} | ${cs.length} | ${cs.filter((c) => c.provisional).length} | ${count((d) => d === 0)} | ${count((d) => d === -1)} | ${count((d) => d === -2)} | ${count((d) => d <= -3)} | ${count((d) => d === 1)} | ${count((d) => d >= 2)} | ${min < 0 ? -min : 0} | ${max > 0 ? max : 0} |`,
      );
    }
  }
  const late = PROVISIONAL_RULES.filter((r) => r !== PROVISIONAL_RULE)
    .map((r) => {
      const worst = measured.get(r.id)!.filter((c) => c.diff > 0);
      return worst.length
        ? `${r.id}: ${worst.length} late, e.g. ${worst[0]!.from} + ${worst[0]!.n} → ${worst[0]!.rule} (official ${worst[0]!.official})`
        : `${r.id}: never late`;
    })
    .join('; ');
  return [
    `Start dates 11–31 December of ${FIRST}–${LAST} (${(LAST - FIRST + 1) * 21} starts), N working days, the next year's notice`,
    "treated as not loaded; days = calendar days between the rule's last day and the official one.",
    '',
    ...lines,
    '',
    `Rules erring late: ${late}.`,
    '',
  ].join('\n');
}

describe('provisional rules measured on 2004–2025', () => {
  it('the chosen rule never gives a later last day than the official one, for every start and N', () => {
    const late = measured.get(PROVISIONAL_RULE.id)!.filter((c) => c.diff > 0);
    expect(late).toEqual([]);
    // and it is provisional wherever the next year was needed
    expect(measured.get(PROVISIONAL_RULE.id)!.filter((c) => c.provisional).length).toBeGreaterThan(500);
  });

  it('the other rules do err late (the 调休 Saturdays; longest-blocks its extra days off), which is why they are not chosen', () => {
    expect(measured.get('weekends-only')!.some((c) => c.diff > 0)).toBe(true);
    expect(measured.get('weekends-and-fixed-dates')!.some((c) => c.diff > 0)).toBe(true);
    expect(measured.get('longest-blocks')!.some((c) => c.diff > 0)).toBe(true);
  });

  it('a start whose count stays before 28 December is not provisional and exact', () => {
    const c = measured.get(PROVISIONAL_RULE.id)!.find((x) => x.from === '2024-12-11' && x.n === 5)!;
    expect(c).toMatchObject({ provisional: false, diff: 0, official: '2024-12-18' });
  });

  it('the table matches test/fixtures/provisional-table.md', async () => {
    await expect(table()).toMatchFileSnapshot('../fixtures/provisional-table.md');
  });
});

describe('the chosen rule over whole years', () => {
  // One-off days off by their own notice (2015's 抗战胜利70周年 commemoration) cannot be foreseen.
  const oneOff = new Set(['2015-09-06']);

  it('every day it gives off is off in the official arrangement, 2005–2026 (so no count can come out later)', () => {
    const wrong: string[] = [];
    for (let t = Date.UTC(2005, 0, 1); t <= Date.UTC(2026, 11, 27); t += DAY) {
      const date = new Date(t).toISOString().slice(0, 10);
      if (oneOff.has(date)) continue;
      if (!certainDaysOffRule.status(date).workday && official.isWorkday(date).workday) wrong.push(date);
    }
    expect(wrong).toEqual([]);
  });

  it('the one-off 2015 make-up Sunday is the only exception', () => {
    expect(certainDaysOffRule.status('2015-09-06').workday).toBe(false);
    expect(official.isWorkday('2015-09-06').workday).toBe(true);
  });

  it('gives 1 January and 春节 初一 off and counts a weekend next to 元旦 as a possible make-up day', () => {
    expect(certainDaysOffRule.status('2027-01-01')).toEqual({ workday: false, name: '元旦' });
    // 2027 春节 is 6 February (除夕 the 5th, 2024 办法: 除夕–初三 off); ICU says the 7th, so only 7–8 count as certain
    expect(certainDaysOffRule.status('2027-02-08')).toEqual({ workday: false, name: '春节' });
    expect(certainDaysOffRule.status('2027-02-09').workday).toBe(true);
    expect(certainDaysOffRule.status('2027-01-02').workday).toBe(true); // Saturday after 元旦
    expect(certainDaysOffRule.status('2027-03-13').workday).toBe(false); // an ordinary Saturday
  });

  it('finds 春节 from the Chinese calendar: 初一 is a 春节 day off in every shipped year', () => {
    const iso = (n: number) => new Date(n * DAY).toISOString().slice(0, 10);
    expect(iso(lunarNewYear(2026))).toBe('2026-02-17');
    expect(iso(lunarNewYear(2023))).toBe('2023-01-22');
    expect(['2027-02-06', '2027-02-07']).toContain(iso(lunarNewYear(2027))); // new moon 23:56 Beijing time on the 6th
    for (const a of arrangements) expect(a.holidays, String(a.year)).toContainEqual({ date: iso(lunarNewYear(a.year)), name: '春节' });
  });
});

describe('addWorkdaysProvisional', () => {
  const to2026 = new WorkCalendar(arrangements.filter((a) => a.year <= 2026));
  const to2025 = new WorkCalendar(arrangements.filter((a) => a.year <= 2025));

  it('names the year it waits for and the rule, and agrees with addWorkdays where everything is loaded', () => {
    // Thu 24 Dec: 25 (1); 26–27 the loaded 2026 weekend; 28–31 (2–5); 1 Jan 元旦 off; Sat 2 and Sun 3 Jan may be
    // 元旦 make-up days, so worked (6, 7); 4–6 Jan (8–10)
    expect(to2026.addWorkdaysProvisional('2026-12-24', 10, PROVISIONAL_RULE)).toEqual({
      date: '2027-01-06',
      provisional: { waitsForYear: 2027, rule: 'certain-days-off' },
    });
    expect(to2026.addWorkdaysProvisional('2026-10-08', 10, PROVISIONAL_RULE)).toEqual({ date: to2026.addWorkdays('2026-10-08', 10) });
  });

  it('still throws for a gap below the last loaded year, and the strict path stays strict', () => {
    const gap = new WorkCalendar(arrangements.filter((a) => a.year !== 2020));
    expect(() => gap.addWorkdaysProvisional('2019-12-20', 10, PROVISIONAL_RULE)).toThrow(/2020/);
    expect(() => to2025.addWorkdaysProvisional('2027-03-01', 10, PROVISIONAL_RULE)).toThrow(/2027/); // two years ahead
    expect(() => to2025.addWorkdays('2025-12-24', 10)).toThrow(/2026/);
  });

  it('the notice sentence names the rule and the year', () => {
    expect(provisionalNotice({ waitsForYear: 2027, rule: 'certain-days-off' })).toBe(
      `截止日期暂按${certainDaysOffRule.zh}计算，待国务院办公厅公布2027年节假日安排后自动更正`,
    );
  });
});

describe('nextYearWarning', () => {
  it('warns from November (China time) when next year is not loaded', () => {
    expect(nextYearWarning(new Date('2026-10-31T15:59:59Z'), [2026])).toBeUndefined();
    expect(nextYearWarning(new Date('2026-10-31T16:00:00Z'), [2026])).toMatch(/2027年节假日安排/);
    expect(nextYearWarning(new Date('2026-12-24T02:00:00Z'), [2025, 2026])).toMatch(/2027/);
    expect(nextYearWarning(new Date('2026-12-24T02:00:00Z'), [2026, 2027])).toBeUndefined();
    expect(nextYearWarning(new Date('2026-12-31T16:30:00Z'), [2027])).toBeUndefined(); // already 2027 in China
  });

  it('ends with the command for operators, or with what the console says to its readers', () => {
    expect(nextYearWarning(new Date('2026-12-24T02:00:00Z'), [2026])).toMatch(/国务院办公厅公布通知后请用 calendar load 载入$/);
    const console = nextYearWarning(new Date('2026-12-24T02:00:00Z'), [2026], '请系统管理员载入');
    expect(console).toMatch(/国务院办公厅公布通知后请系统管理员载入$/);
    expect(console).not.toContain('calendar load');
  });
});
