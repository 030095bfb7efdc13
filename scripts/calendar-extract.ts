// Regenerates calendar/<year>.json, the State Council's holiday arrangements (节假日安排), from the data
// shipped in the `chinese-days` npm package, so the provenance of every date in calendar/ is reproducible:
//
//   npx tsx scripts/calendar-extract.ts            # writes calendar/2004.json … calendar/2026.json
//
// Only this script reads chinese-days; the runtime reads calendar/*.json alone (runtime/calendar-store.ts).
//
// What a file holds (see domain/calendar.ts for the format and its validation):
// - One file per notice, 国务院办公厅关于<N>年部分节假日安排的通知, named by N. The 元旦 arrangement in notice N can
//   reach back into late December of N−1 (e.g. the 2019 notice: 2018-12-30/31 off, Saturday 2018-12-29 worked).
//   chinese-days files those dates under the calendar year they fall in; this script moves every December date
//   named 元旦 to the next year's notice, where it was published.
// - `holidays`: every day of each holiday period (放假), weekend days inside the period included, so a date's name
//   says which holiday it belongs to. A holiday on a weekend day changes nothing for working-day arithmetic.
// - `workdays`: the make-up working days (调休上班), all of them Saturdays or Sundays, named "<holiday>调休".
// - `source`: the notice, its URL(s) and document number as cited in chinese-days's own source comments
//   (src/holidays/generate.ts), and the package version.
// - `settlements`: days where a second source (test/fixtures/holidays-py-china.json) disagrees with chinese-days,
//   each settled from the notice's text (test/unit/calendar-second-source.test.ts). They are kept from the file
//   being overwritten and applied on top of chinese-days's dates, so regenerating never undoes a settlement.
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..');
const pkgDir = path.join(root, 'node_modules', 'chinese-days');
const outDir = path.join(root, 'calendar');

interface PkgYear {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}
interface Day {
  date: string;
  name: string;
}

const version = (JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version: string }).version;
const generateSrc = fs.readFileSync(path.join(pkgDir, 'src', 'holidays', 'generate.ts'), 'utf8');

/** The comment block chinese-days writes above each year: its URLs and any document number. */
function citations(year: number): { urls: string[]; docNo?: string } {
  for (const m of generateSrc.matchAll(/\/\*\*([\s\S]*?)\*\//g)) {
    const lines = m[1]!.split('\n').map((l) => l.replace(/^\s*\*\s?/, '').trim());
    const first = lines.find((l) => l !== '');
    if (first !== String(year)) continue;
    const urls = lines.filter((l) => /^https?:\/\//.test(l));
    const docNo = /国办发明?电?〔\d{4}〕\d+号/.exec(m[1]!)?.[0];
    return { urls, docNo };
  }
  throw new Error(`chinese-days src/holidays/generate.ts has no comment block for ${year}`);
}

/** "Spring Festival,春节,4" → 春节 */
function chineseName(value: string, where: string): string {
  const name = value.split(',')[1]?.trim();
  if (!name) throw new Error(`${where}: cannot read a Chinese name from "${value}"`);
  return name;
}

const yearsDir = path.join(pkgDir, 'dist', 'years');
const years = fs
  .readdirSync(yearsDir)
  .filter((n) => /^\d{4}\.json$/.test(n))
  .map((n) => Number(n.slice(0, 4)))
  .sort((a, b) => a - b);

const byNotice = new Map<number, { holidays: Day[]; workdays: Day[] }>();
const notice = (y: number) => {
  if (!byNotice.has(y)) byNotice.set(y, { holidays: [], workdays: [] });
  return byNotice.get(y)!;
};

for (const year of years) {
  const data = JSON.parse(fs.readFileSync(path.join(yearsDir, `${year}.json`), 'utf8')) as PkgYear;
  notice(year);
  for (const [kind, entries] of [['holidays', data.holidays], ['workdays', data.workdays]] as const) {
    for (const [date, value] of Object.entries(entries)) {
      const name = chineseName(value, `${year}.json ${kind} ${date}`);
      if (!date.startsWith(`${year}-`)) throw new Error(`${year}.json: ${date} is outside ${year}`);
      const target = date.slice(5, 7) === '12' && name === '元旦' ? year + 1 : year;
      notice(target)[kind].push({ date, name: kind === 'workdays' ? `${name}调休` : name });
    }
  }
}

fs.mkdirSync(outDir, { recursive: true });
const byDate = (a: Day, b: Day) => a.date.localeCompare(b.date);
interface Settlement {
  date: string;
  decision: 'holiday' | 'workday' | 'ordinary';
  name?: string;
  other: string;
  reason: string;
}

/** The settlements of the file about to be overwritten, applied to the lists (chinese-days's dates). */
function settle(year: number, lists: { holidays: Day[]; workdays: Day[] }): Settlement[] {
  const file = path.join(outDir, `${year}.json`);
  if (!fs.existsSync(file)) return [];
  const settlements = ((JSON.parse(fs.readFileSync(file, 'utf8')) as { settlements?: Settlement[] }).settlements ?? []);
  for (const s of settlements) {
    lists.holidays = lists.holidays.filter((d) => d.date !== s.date);
    lists.workdays = lists.workdays.filter((d) => d.date !== s.date);
    if (s.decision === 'holiday') lists.holidays.push({ date: s.date, name: s.name! });
    if (s.decision === 'workday') lists.workdays.push({ date: s.date, name: s.name! });
  }
  return settlements;
}

for (const year of years) {
  const lists = notice(year);
  const settlements = settle(year, lists);
  const { holidays, workdays } = lists;
  const { urls, docNo } = citations(year);
  const title = `国务院办公厅关于${year}年部分节假日安排的通知${docNo ? ` (${docNo})` : ''}`;
  const file = {
    year,
    source: `${title}${urls.length ? ` ${urls.join(' ; ')}` : ''} — via chinese-days ${version}`,
    holidays: holidays.sort(byDate),
    workdays: workdays.sort(byDate),
  };
  // One day per line: a reviewer diffs a regenerated or admin-edited file date by date.
  const days = (list: Day[]) => `[\n${list.map((d) => `    ${JSON.stringify(d)}`).join(',\n')}\n  ]`;
  const text = [
    '{',
    `  "year": ${file.year},`,
    `  "source": ${JSON.stringify(file.source)},`,
    `  "holidays": ${days(file.holidays)},`,
    `  "workdays": ${days(file.workdays)}${settlements.length ? ',' : ''}`,
    ...(settlements.length ? [`  "settlements": ${days(settlements as unknown as Day[])}`] : []),
    '}',
  ].join('\n');
  JSON.parse(text);
  fs.writeFileSync(path.join(outDir, `${year}.json`), `${text}\n`);
}
// The 2027 notice is not in chinese-days: late-December 2026 dates its 元旦 might move stay unknown (see domain/calendar.ts).
const spill = byNotice.get((years.at(-1) ?? 0) + 1);
if (spill && (spill.holidays.length || spill.workdays.length)) {
  throw new Error(`dates for the ${(years.at(-1) ?? 0) + 1} notice found without that year's file`);
}
process.stdout.write(`wrote ${years.length} files (${years[0]}–${years.at(-1)}) to ${path.relative(root, outDir)}/ from chinese-days ${version}\n`);
