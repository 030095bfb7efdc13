// The shipped catalog, its citations, and how a faulty catalog is reported.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CatalogError, loadCatalog } from '../../runtime/catalog';

const seedsDir = path.resolve(__dirname, '..', '..', '..', 'shared', 'seeds');
/** Punctuation and spacing differ between web copies; compare the characters that carry meaning. */
const normalise = (s: string) => s.replace(/[\s，,。.、:：;；“”"'（）()]/g, '');

describe('the shipped catalog', () => {
  const catalog = loadCatalog();

  it('loads the three annual duties under a content-derived version', () => {
    expect(catalog.duties.map((d) => d.code)).toEqual([
      'enforcement-statistics',
      'rule-of-law-report',
      'rule-of-law-report-publication',
    ]);
    expect(catalog.version).toMatch(/^[0-9a-f]{12}$/);
    expect(loadCatalog().version).toBe(catalog.version);
  });

  it('loads the event-triggered duties of OBLIGATIONS.md section 4 beside them', () => {
    expect(catalog.triggered.map((d) => [d.code, d.kind])).toEqual([
      ['incident-disclosure', 'incident'],
      ['lawsuit-loss-report', 'event'],
      ['superior-document-review', 'event'],
      ['regulatory-data-aggregation', 'event'],
      ['normative-document-filing', 'event'],
      ['major-decision-evaluation', 'event'],
    ]);
  });

  it('gives the department and the government variants of rule-of-law-report their own recipients', () => {
    const duty = catalog.byCode.get('rule-of-law-report')!;
    expect(duty.responsible.map((g) => [g.label, g.reportTo])).toEqual([
      ['市县政府', ['同级党委', '同级人大常委会', '省政府']],
      ['各级政府部门', ['本级政府']],
    ]);
  });

  it.runIf(fs.existsSync(seedsDir) || process.env.CI)('quotes every source verbatim from the seed documents', () => {
    for (const duty of [...catalog.duties, ...catalog.triggered]) {
      for (const source of duty.sources) {
        expect(source.seed, `${duty.code}: ${source.document} names its seed file`).toBeDefined();
        const text = fs.readFileSync(path.join(seedsDir, source.seed!), 'utf8');
        expect(normalise(text), `${duty.code}: ${source.section}`).toContain(normalise(source.text));
        // …and under the section it cites: the last section heading before the quote is that section's.
        const number = /[（(]([一二三四五六七八九十]+)[）)]/.exec(source.section)?.[1];
        expect(number, `${duty.code}: section "${source.section}" has a number`).toBeDefined();
        const flat = normalise(text);
        const quoteAt = flat.indexOf(normalise(source.text));
        const headings = [...text.matchAll(/[（(]([一二三四五六七八九十]+)[）)]/g)]
          .map((m) => ({ number: m[1], at: flat.indexOf(normalise(text.slice(m.index!, m.index! + 12))) }))
          .filter((h) => h.at !== -1 && h.at < quoteAt);
        expect(headings.at(-1)?.number, `${duty.code}: section of the quote`).toBe(number);
      }
    }
  });
});

describe('a faulty catalog', () => {
  const good = fs.readFileSync(path.resolve(__dirname, '..', '..', 'catalog', 'annual-reports.yaml'), 'utf8');

  function loadWith(files: Record<string, string>): string[] {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'catalog-'));
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    try {
      loadCatalog(dir);
    } catch (e) {
      expect(e).toBeInstanceOf(CatalogError);
      return (e as CatalogError).problems;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    throw new Error('the catalog loaded');
  }

  it('names the file, the duty, the field and the reason', () => {
    const broken = good
      .replace('due: { month: 1, day: 31 }', 'due: { month: 2, day: 30 }')
      .replace('to: [self.clerk, self.head] }\n    escalations', 'to: [self.clerk, self.mayor] }\n    escalations')
      .replace('    deliverable: 上年度行政执法总体情况', '    colour: red\n    deliverable: 上年度行政执法总体情况');
    const problems = loadWith({ 'a.yaml': broken });
    expect(problems).toContainEqual('a.yaml, duty "enforcement-statistics", field "due.day": day does not exist in that month');
    expect(problems).toContainEqual('a.yaml, duty "enforcement-statistics", field "(the entry)": unknown field(s) "colour"');
    expect(problems.some((p) => /a\.yaml, duty "enforcement-statistics", field "reminders\.3\.to\.1": must be <unit>\.<role>/.test(p))).toBe(true);
  });

  it('refuses a duplicate code across files, naming where it was first defined', () => {
    expect(loadWith({ 'a.yaml': good, 'b.yaml': good })).toContainEqual(
      'b.yaml, duty "enforcement-statistics", field "code": duplicate code, already defined in a.yaml',
    );
  });

  it('refuses an event window with two spans and a reminder with no anchor', () => {
    const triggered = fs.readFileSync(path.resolve(__dirname, '..', '..', 'catalog', 'triggered.yaml'), 'utf8');
    const broken = triggered
      .replace('within: { hours: 5 }', 'within: { hours: 5, days: 1 }')
      .replace('- { afterHours: 1, to: [self.clerk, self.head] }', '- { to: [self.clerk, self.head] }');
    const problems = loadWith({ 't.yaml': broken });
    expect(problems).toContainEqual(
      't.yaml, duty "incident-disclosure", field "windows.0.within": give exactly one of hours, sameDay, days, workingDays, years',
    );
    expect(problems).toContainEqual(
      't.yaml, duty "incident-disclosure", field "windows.0.reminders.0": give exactly one of afterHours, beforeHours, daysBefore',
    );
  });

  it('reports YAML that does not parse, with the file', () => {
    expect(loadWith({ 'bad.yaml': 'duties: [\n  - code: x' })[0]).toMatch(/^bad\.yaml: not valid YAML/);
  });
});
