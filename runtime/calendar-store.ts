// Loads the holiday arrangements (domain/calendar.ts) from disk:
//   <repo>/calendar/<N>.json         shipped with the code (scripts/calendar-extract.ts, from chinese-days)
//   <DATA_DIR>/calendar/<N>.json     installed by an admin with `calendar load <file>` once notice N is out
// A year in both places is taken from DATA_DIR: an admin may correct or complete a shipped year.
// Every file is validated; a faulty one stops the load with the file, the field and the reason.
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { WorkCalendar, yearArrangementSchema, type YearArrangement } from '../domain/calendar';
import { config } from './config';

export class CalendarFileError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.length === 1 ? problems[0]! : `calendar data is invalid:\n  ${problems.join('\n  ')}`);
    this.name = 'CalendarFileError';
  }
}

export const shippedCalendarDir = (): string => path.join(config.root, 'calendar');
export const installedCalendarDir = (): string => path.join(config.dataDir, 'calendar');

function describeIssue(file: string, issue: z.core.$ZodIssue): string {
  const field = issue.path.map(String).join('.') || '(top level)';
  return `${file}, field "${field}": ${issue.message}`;
}

/** Reads and validates one arrangement file; throws CalendarFileError naming the file and field. */
export function readArrangement(file: string): YearArrangement {
  return readArrangementText(file).arrangement;
}

function readArrangementText(file: string): { arrangement: YearArrangement; text: string } {
  const name = path.basename(file);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new CalendarFileError([`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`]);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new CalendarFileError([`${name}: not valid JSON (${(e as Error).message})`]);
  }
  const parsed = yearArrangementSchema.safeParse(doc);
  if (!parsed.success) throw new CalendarFileError(parsed.error.issues.map((i) => describeIssue(name, i)));
  return { arrangement: parsed.data, text };
}

/** Every <N>.json in `dir` (none if the folder does not exist), checking each is named by its year. */
function readDir(dir: string): Map<number, YearArrangement> {
  const out = new Map<number, YearArrangement>();
  if (!fs.existsSync(dir)) return out;
  const problems: string[] = [];
  for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
    try {
      const a = readArrangementText(path.join(dir, name)).arrangement;
      if (name !== `${a.year}.json`) problems.push(`${name}, field "year": ${a.year} does not match the file name (expected ${a.year}.json)`);
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
  const { arrangement: a, text } = readArrangementText(file);
  const shipped = readDir(shippedCalendarDir());
  const installed = readDir(targetDir);
  const replaced = shipped.has(a.year) || installed.has(a.year);
  const merged = new Map([...shipped, ...installed]);
  merged.set(a.year, a);
  try {
    new WorkCalendar([...merged.values()]);
  } catch (e) {
    throw new CalendarFileError([`${path.basename(file)}: conflicts with the loaded arrangements: ${(e as Error).message}`]);
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
