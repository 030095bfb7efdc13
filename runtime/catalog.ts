// Loads catalog/*.yaml, validates it against the schema and gives it a content-derived version.
// A faulty file stops the load with the file, the entry, the field and the reason.
// The validation works on in-memory files (loadCatalogFromFiles), so a version stored in the
// database (CatalogVersion.snapshot) is validated exactly like the folder on disk.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { catalogFileSchema, type Duty, type TriggeredDuty } from '../domain/catalog/schema';
import { config } from './config';

export interface Catalog {
  /** First 12 hex digits of the sha256 over every file's name and content. */
  version: string;
  files: { name: string; sha256: string }[];
  /** The files' texts, in load order (name order), so the version can be stored and reloaded. */
  sources: CatalogSource[];
  /** Annual duties: recurring, opened by Schedules. */
  duties: Duty[];
  byCode: Map<string, Duty>;
  /** Event-triggered duties: started by a report of the event (incident report / event start). */
  triggered: TriggeredDuty[];
  triggeredByCode: Map<string, TriggeredDuty>;
}

/** One catalog file: its name (e.g. `annual-reports.yaml`) and its text. */
export interface CatalogSource {
  name: string;
  text: string;
}

export class CatalogError extends Error {
  constructor(readonly problems: string[]) {
    super(`catalog is invalid:\n  ${problems.join('\n  ')}`);
    this.name = 'CatalogError';
  }
}

function describePath(file: string, doc: unknown, issuePath: PropertyKey[]): string {
  const [top, index, ...rest] = issuePath;
  if ((top === 'duties' || top === 'triggered') && typeof index === 'number') {
    const code = (doc as Record<string, { code?: unknown }[] | undefined>)?.[top]?.[index]?.code;
    const entry = typeof code === 'string' ? `duty "${code}"` : `duty #${index + 1}`;
    const field = rest.length ? rest.map(String).join('.') : '(the entry)';
    return `${file}, ${entry}, field "${field}"`;
  }
  return `${file}, field "${issuePath.map(String).join('.') || '(top level)'}"`;
}

/** The catalog files of a folder (`*.yaml`, `*.yml`, by name), with their texts. */
export function readCatalogDir(dir = config.catalogDir): CatalogSource[] {
  if (!fs.existsSync(dir)) throw new CatalogError([`${dir}: catalog folder does not exist`]);
  const names = fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.yaml') || n.endsWith('.yml'))
    .sort();
  if (names.length === 0) throw new CatalogError([`${dir}: no .yaml files`]);
  return names.map((name) => ({ name, text: fs.readFileSync(path.join(dir, name), 'utf8') }));
}

export function loadCatalog(dir = config.catalogDir): Catalog {
  return loadCatalogFromFiles(readCatalogDir(dir));
}

/**
 * Validates catalog files held in memory. Files are taken in name order whatever order they are
 * given in, so the version (sha256 over names and texts) is the same as for the folder on disk.
 */
function byName(input: readonly CatalogSource[]): CatalogSource[] {
  return [...input].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** sha256 (hex) over every file's name and text in name order: a version is its first 12 digits. */
export function sourcesDigest(input: readonly CatalogSource[]): string {
  const hash = createHash('sha256');
  for (const { name, text } of byName(input)) hash.update(name).update('\0').update(text).update('\0');
  return hash.digest('hex');
}

export function loadCatalogFromFiles(input: readonly CatalogSource[]): Catalog {
  const sources = byName(input);
  if (sources.length === 0) throw new CatalogError(['no catalog files']);

  const problems: string[] = [];
  const duties: Duty[] = [];
  const triggered: TriggeredDuty[] = [];
  const seen = new Map<string, string>();
  const files: Catalog['files'] = [];

  for (const { name, text } of sources) {
    files.push({ name, sha256: createHash('sha256').update(text).digest('hex') });
    let doc: unknown;
    try {
      doc = YAML.parse(text, { uniqueKeys: true });
    } catch (e) {
      problems.push(`${name}: not valid YAML: ${(e as Error).message.split('\n')[0]}`);
      continue;
    }
    const parsed = catalogFileSchema.safeParse(doc);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const where = describePath(name, doc, issue.path);
        const what = issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}` : issue.message;
        problems.push(`${where}: ${what}`);
      }
      continue;
    }
    for (const duty of [...(parsed.data.duties ?? []), ...(parsed.data.triggered ?? [])]) {
      const first = seen.get(duty.code);
      if (first) problems.push(`${name}, duty "${duty.code}", field "code": duplicate code, already defined in ${first}`);
      else seen.set(duty.code, name);
    }
    duties.push(...(parsed.data.duties ?? []));
    triggered.push(...(parsed.data.triggered ?? []));
  }
  if (problems.length) throw new CatalogError(problems);
  return {
    version: sourcesDigest(sources).slice(0, 12),
    files,
    sources: sources.map(({ name, text }) => ({ name, text })),
    duties,
    byCode: new Map(duties.map((d) => [d.code, d])),
    triggered,
    triggeredByCode: new Map(triggered.map((d) => [d.code, d])),
  };
}

export function requireDuty(catalog: Catalog, code: string): Duty {
  const duty = catalog.byCode.get(code);
  if (!duty) {
    throw new CatalogError([`unknown duty "${code}"; known duties: ${[...catalog.byCode.keys()].join(', ')}`]);
  }
  return duty;
}
