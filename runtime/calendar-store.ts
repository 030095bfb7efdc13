// Loads the holiday arrangements (domain/calendar.ts) from disk:
//   <repo>/calendar/<N>.json         shipped with the code (scripts/calendar-extract.ts, from chinese-days)
//   <DATA_DIR>/calendar/<N>.json     installed by an admin with `calendar load <file>` once notice N is out
// A year in both places is taken from DATA_DIR: an admin may correct or complete a shipped year.
// Every file is validated; a faulty one stops the load with the file, the field and the reason.
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { z as zod } from 'zod';
import { WorkCalendar, yearArrangementSchema, yearArrangementSchemaZh, type YearArrangement } from '../domain/calendar';
import { config } from './config';

export class CalendarFileError extends Error {
  /** The same problems in Chinese (the console's refusal); defaults to the English ones. */
  readonly problemsZh: string[];
  constructor(
    readonly problems: string[],
    problemsZh?: string[],
  ) {
    super(problems.length === 1 ? problems[0]! : `calendar data is invalid:\n  ${problems.join('\n  ')}`);
    this.name = 'CalendarFileError';
    this.problemsZh = problemsZh ?? problems;
  }
}

export const shippedCalendarDir = (): string => path.join(config.root, 'calendar');
export const installedCalendarDir = (): string => path.join(config.dataDir, 'calendar');

function describeIssue(file: string, issue: z.core.$ZodIssue): string {
  const field = issue.path.map(String).join('.') || '(top level)';
  return `${file}, field "${field}": ${issue.message}`;
}

function describeIssueZh(file: string, issue: z.core.$ZodIssue): string {
  const field = issue.path.map(String).join('.') || '（顶层）';
  return `${file}，字段“${field}”：${issue.message}`;
}

/** Zod's own messages (a wrong type, an unknown key) in Chinese, for the Chinese schema's issues. */
const ZH_LOCALE = zod.locales.zhCN();

/** Reads and validates one arrangement file; throws CalendarFileError naming the file and field. */
export function readArrangement(file: string): YearArrangement {
  return readArrangementText(file).arrangement;
}

function readArrangementText(file: string): { arrangement: YearArrangement; text: string } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new CalendarFileError([`${file}: cannot read (${code})`], [`${file}：无法读取（${code}）`]);
  }
  return { arrangement: parseArrangement(path.basename(file), text), text };
}

/** Validates an arrangement file's text; throws CalendarFileError naming the file and field (in English and Chinese). */
export function parseArrangement(name: string, text: string): YearArrangement {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    const why = (e as Error).message;
    throw new CalendarFileError([`${name}: not valid JSON (${why})`], [`${name}：不是合法的 JSON（${why}）`]);
  }
  const parsed = yearArrangementSchema.safeParse(doc);
  if (parsed.success) return parsed.data;
  const zh = yearArrangementSchemaZh.safeParse(doc, { error: ZH_LOCALE.localeError }).error?.issues ?? [];
  throw new CalendarFileError(
    parsed.error.issues.map((i) => describeIssue(name, i)),
    parsed.error.issues.map((i, n) => describeIssueZh(name, zh[n] ?? i)),
  );
}

/** Every <N>.json in `dir` (none if the folder does not exist), checking each is named by its year. */
function readDir(dir: string): Map<number, YearArrangement> {
  const out = new Map<number, YearArrangement>();
  if (!fs.existsSync(dir)) return out;
  const problems: string[] = [];
  for (const name of fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort()) {
    try {
      const a = readArrangementText(path.join(dir, name)).arrangement;
      if (name !== `${a.year}.json`)
        problems.push(`${name}, field "year": ${a.year} does not match the file name (expected ${a.year}.json)`);
      else out.set(a.year, a);
    } catch (e) {
      if (e instanceof CalendarFileError) problems.push(...e.problems);
      else throw e;
    }
  }
  if (problems.length) throw new CalendarFileError(problems.map((p) => `${dir}/${p}`));
  return out;
}

/**
 * The working calendar from the shipped arrangements plus the admin-installed ones (those win for a year in
 * both). Pass `dirs` to load other folders, later ones overriding earlier ones.
 */
export function loadCalendar(dirs: string[] = [shippedCalendarDir(), installedCalendarDir()]): WorkCalendar {
  const byYear = new Map<number, YearArrangement>();
  for (const dir of dirs) for (const [year, a] of readDir(dir)) byYear.set(year, a);
  return new WorkCalendar([...byYear.values()].sort((a, b) => a.year - b.year));
}

/**
 * The notice years present as <N>.json in the shipped and installed folders, ascending, without reading
 * the files (for the "next year not loaded" warning on every console page and at `npm start`).
 */
export function presentYears(dirs: string[] = [shippedCalendarDir(), installedCalendarDir()]): number[] {
  const years = new Set<number>();
  for (const dir of dirs) {
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir)) {
      const m = /^(\d{4})\.json$/.exec(name);
      if (m) years.add(Number(m[1]));
    }
  }
  return [...years].sort((a, b) => a - b);
}

export interface InstallResult {
  year: number;
  holidays: number;
  workdays: number;
  /** Where the arrangement now lives. */
  path: string;
  /** An arrangement for the year already existed (shipped or installed) and this one takes precedence. */
  replaced: boolean;
}

/**
 * Validates an arrangement file and installs it as <DATA_DIR>/calendar/<year>.json, atomically (a temp file in
 * the same folder, then rename), after checking the result still loads together with every other year.
 *
 * Cycles already running keep the deadlines they recorded when they opened (README: deadlines are computed
 * once and passed to the workflow), so installing or correcting a year changes only computations made after it.
 */
export function installArrangement(file: string, targetDir: string = installedCalendarDir()): InstallResult {
  const { text } = readArrangementText(file);
  return installArrangementText(path.basename(file), text, { installed: targetDir });
}

/** installArrangement for a file's text (an upload): `name` is what problems call it. */
export function installArrangementText(name: string, text: string, dirs: { installed?: string; shipped?: string } = {}): InstallResult {
  const targetDir = dirs.installed ?? installedCalendarDir();
  const a = parseArrangement(name, text);
  const shipped = readDir(dirs.shipped ?? shippedCalendarDir());
  const installed = readDir(targetDir);
  const replaced = shipped.has(a.year) || installed.has(a.year);
  const merged = new Map([...shipped, ...installed]);
  merged.set(a.year, a);
  try {
    new WorkCalendar([...merged.values()]);
  } catch (e) {
    const why = (e as Error).message;
    throw new CalendarFileError([`${name}: conflicts with the loaded arrangements: ${why}`], [`${name}：与已载入的安排冲突（${why}）`]);
  }

  fs.mkdirSync(targetDir, { recursive: true });
  const dest = path.join(targetDir, `${a.year}.json`);
  const tmp = path.join(targetDir, `.${a.year}.json.${process.pid}.${Date.now()}.tmp`);
  try {
    fs.writeFileSync(tmp, text, { flag: 'wx' }); // the file as given, so its formatting and provenance survive
    fs.renameSync(tmp, dest);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  return { year: a.year, holidays: a.holidays.length, workdays: a.workdays.length, path: dest, replaced };
}

export interface LoadedYear {
  year: number;
  /** Shipped with the code, or installed by an admin (which wins for a year in both). */
  origin: 'shipped' | 'installed';
  source: string;
  holidays: number;
  workdays: number;
}

/** Every loaded year with where it comes from (the console's 节假日安排 page). */
export function loadedYears(dirs: { shipped?: string; installed?: string } = {}): LoadedYear[] {
  const byYear = new Map<number, LoadedYear>();
  const add = (dir: string, origin: LoadedYear['origin']) => {
    for (const [year, a] of readDir(dir))
      byYear.set(year, { year, origin, source: a.source, holidays: a.holidays.length, workdays: a.workdays.length });
  };
  add(dirs.shipped ?? shippedCalendarDir(), 'shipped');
  add(dirs.installed ?? installedCalendarDir(), 'installed');
  return [...byYear.values()].sort((a, b) => a.year - b.year);
}
