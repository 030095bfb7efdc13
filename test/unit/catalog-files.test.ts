// Catalog validation on in-memory files (what a stored version is re-validated with): the same
// version as the folder on disk, and the same problems naming file, duty, field and reason.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CatalogError, loadCatalog, loadCatalogFromFiles, readCatalogDir, type CatalogSource } from '../../runtime/catalog';

const catalogDir = path.resolve(__dirname, '..', '..', 'catalog');
const good = fs.readFileSync(path.join(catalogDir, 'annual-reports.yaml'), 'utf8');

function problemsOf(files: CatalogSource[]): string[] {
  try {
    loadCatalogFromFiles(files);
  } catch (e) {
    expect(e).toBeInstanceOf(CatalogError);
    return (e as CatalogError).problems;
  }
  throw new Error('the catalog loaded');
}

describe('loadCatalogFromFiles', () => {
  it('gives the real catalog/ folder the same version, duties and files as loadCatalog', () => {
    const fromDisk = loadCatalog(catalogDir);
    const sources = readCatalogDir(catalogDir);
    const fromFiles = loadCatalogFromFiles(sources);
    expect(fromFiles.version).toBe(fromDisk.version);
    expect(fromFiles.files).toEqual(fromDisk.files);
    expect(fromFiles.duties.map((d) => d.code)).toEqual(fromDisk.duties.map((d) => d.code));
    expect(fromFiles.triggered.map((d) => d.code)).toEqual(fromDisk.triggered.map((d) => d.code));
    // The texts are kept, in name order, so the version can be stored and validated again.
    expect(fromDisk.sources).toEqual(sources);
    expect(fromDisk.sources.map((s) => s.name)).toEqual(fromDisk.files.map((f) => f.name));
    expect(loadCatalogFromFiles(JSON.parse(JSON.stringify(fromDisk.sources))).version).toBe(fromDisk.version);
  });

  it('does not depend on the order the files are given in', () => {
    const sources = readCatalogDir(catalogDir);
    expect(loadCatalogFromFiles([...sources].reverse()).version).toBe(loadCatalog(catalogDir).version);
  });

  it('changes the version when a text changes', () => {
    const sources = readCatalogDir(catalogDir).map((s) => (s.name === 'annual-reports.yaml' ? { ...s, text: `${s.text}\n# edited\n` } : s));
    expect(loadCatalogFromFiles(sources).version).not.toBe(loadCatalog(catalogDir).version);
  });

  it('names the file, the duty, the field and the reason of each problem', () => {
    const broken = good
      .replace('due: { month: 1, day: 31 }', 'due: { month: 2, day: 30 }')
      .replace('to: [self.clerk, self.head] }\n    escalations', 'to: [self.clerk, self.janitor] }\n    escalations')
      .replace('    deliverable: 上年度行政执法总体情况', '    colour: red\n    deliverable: 上年度行政执法总体情况');
    expect(broken).not.toBe(good);
    const problems = problemsOf([{ name: 'broken.yaml', text: broken }]);
    expect(problems).toContainEqual('broken.yaml, duty "enforcement-statistics", field "due.day": day does not exist in that month');
    expect(problems).toContainEqual('broken.yaml, duty "enforcement-statistics", field "(the entry)": unknown field(s) "colour"');
    expect(
      problems.some((p) => /^broken\.yaml, duty "enforcement-statistics", field "reminders\.3\.to\.1": must be <unit>\.<role>/.test(p)),
      problems.join('\n'),
    ).toBe(true);
  });

  it('refuses a duplicate code across files, naming where it was first defined', () => {
    expect(
      problemsOf([
        { name: 'b.yaml', text: good },
        { name: 'a.yaml', text: good },
      ]),
    ).toEqual(expect.arrayContaining(['b.yaml, duty "enforcement-statistics", field "code": duplicate code, already defined in a.yaml']));
  });

  it('reports YAML that does not parse, and an empty set of files', () => {
    expect(problemsOf([{ name: 'bad.yaml', text: 'duties: [\n  - code: x' }])[0]).toMatch(/^bad\.yaml: not valid YAML/);
    expect(problemsOf([])).toEqual(['no catalog files']);
  });
});
