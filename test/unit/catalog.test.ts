// The shipped catalog, its citations, and how a faulty catalog is reported.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import type { Duty, DutySource } from '../../domain/catalog/schema';
import { CatalogError, loadCatalog } from '../../runtime/catalog';

const seedsDir = path.resolve(__dirname, '..', '..', '..', 'shared', 'seeds');
/** Punctuation and spacing differ between web copies; compare the characters that carry meaning. */
const normalise = (s: string) => s.replace(/[\s，,。.、:：;；“”"'（）()]/g, '');

// ---------------------------------------------------------------------------------------------------
// Section numbers. The documents number their sections in four styles, outermost first:
//   part     二、        (002 and 003 cite it: "二（四）…"; 000, 001 and 004 have parts too)
//   item     （十二）     (000 and 004 number items through the whole document; 002/003 restart per part)
//   article  29.         (001 numbers its articles through the document)
//   clause   （3）        (001: "9.（3）…")
// A source's `section` is written as the document numbers it, outermost given first, e.g. "（二十一）…",
// "二（六）…", "29.…", "9.（3）…"; "结束段" is the unnumbered closing paragraph after the last item.
const levels = ['part', 'item', 'article', 'clause'] as const;
type Level = (typeof levels)[number];
type SectionNumber = Partial<Record<Level, number>>;

const CN_DIGITS = '一二三四五六七八九';
/** 一 … 九十九 (and Arabic digits) to a number. */
function sectionInt(s: string): number {
  if (/^\d+$/.test(s)) return Number(s);
  const digit = (c: string | undefined) => CN_DIGITS.indexOf(c ?? '') + 1;
  const ten = s.indexOf('十');
  if (ten === -1) return digit(s);
  return (ten === 0 ? 1 : digit(s[0])) * 10 + (ten === s.length - 1 ? 0 : digit(s[s.length - 1]));
}

const CN = '[一二三四五六七八九十]+';
const citedSection = new RegExp(`^(?:(${CN})(?:、|(?=[（(])))?(?:[（(](${CN})[)）])?(?:(\\d+)[.．])?(?:[（(](\\d+)[)）])?`);

/** The numbers a `section` cites, outermost first; empty when it cites none. */
function parseSection(section: string): SectionNumber {
  const m = citedSection.exec(section)!;
  const cited: SectionNumber = {};
  levels.forEach((level, i) => {
    if (m[i + 1] !== undefined) cited[level] = sectionInt(m[i + 1]!);
  });
  return cited;
}

/** Each line's heading state: the numbers in force at that line (its own heading included). */
function headingStates(text: string): { states: SectionNumber[]; headingLines: number[] } {
  const states: SectionNumber[] = [];
  const headingLines: number[] = [];
  let state: SectionNumber = {};
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = new RegExp(`^(${CN})、`).exec(line))) state = { part: sectionInt(m[1]!) };
    else if ((m = new RegExp(`^[（(](${CN})[)）]`).exec(line))) state = { part: state.part, item: sectionInt(m[1]!) };
    // 003's web copy lost the numbers of 二(五) and 二(六): those headings begin with ")" alone. Such a
    // heading is the item after the previous one — still checked, only the number is inferred.
    else if (/^[)）]/.test(line)) state = { part: state.part, item: (state.item ?? 0) + 1 };
    else if ((m = /^(\d+)[.．](?!\d)/.exec(line))) state = { part: state.part, item: state.item, article: Number(m[1]) };
    else if ((m = /^[（(](\d+)[)）]/.exec(line))) state = { ...state, clause: Number(m[1]) };
    else {
      states.push(state);
      return;
    }
    headingLines.push(i);
    states.push(state);
  });
  return { states, headingLines };
}

/**
 * Why `source.text` is not quoted under the section `source.section` cites in `seedText`, or undefined
 * when it is: every number the section gives must be the one in force where the quote stands (the
 * nearest heading of that level before it, counting the quote's own line).
 */
function sectionProblem(seedText: string, source: Pick<DutySource, 'section' | 'text'>): string | undefined {
  const lines = seedText.split('\n');
  const quote = normalise(source.text);
  const at = lines.flatMap((line, i) => (normalise(line).includes(quote) ? [i] : []));
  if (at.length === 0) return `the quote is not on one line of the seed`;
  const { states, headingLines } = headingStates(seedText);
  const last = headingLines.at(-1) ?? -1;
  // The closing paragraph: after the last item and after that item's body (on its heading line, or a paragraph of its own).
  const closing = (i: number) => i > last && (lines[last]!.includes('。') || lines.slice(last + 1, i).some((l) => l.trim() !== ''));
  if (source.section.startsWith('结束段')) {
    return at.some(closing) ? undefined : `"${source.section}": the quote is not in the closing paragraph after the last numbered item`;
  }
  const cited = parseSection(source.section);
  if (Object.keys(cited).length === 0) return `"${source.section}" cites no section number`;
  const found = at.filter((i) => !closing(i)).map((i) => states[i]!);
  if (found.length === 0) return `"${source.section}" cites ${JSON.stringify(cited)} but the quote is in the unnumbered closing paragraph`;
  if (found.some((s) => levels.every((l) => cited[l] === undefined || s[l] === cited[l]))) return undefined;
  return `"${source.section}" cites ${JSON.stringify(cited)} but the quote stands under ${found.map((s) => JSON.stringify(s)).join(' / ')}`;
}

/** A duty's sources, its jurisdiction rules' sources included. */
const allSources = (duty: Duty): DutySource[] => [
  ...duty.sources,
  ...(duty.kind === 'annual' ? duty.jurisdictions.flatMap((j) => j.sources) : []),
];

describe('the shipped catalog', () => {
  const catalog = loadCatalog();

  it('loads the duties of OBLIGATIONS.md sections 1, 2 and 5, each file in name order, under a content-derived version', () => {
    const codesIn = (file: string): [string, string][] =>
      (YAML.parse(catalog.sources.find((s) => s.name === file)!.text).duties as Duty[]).map((d) => [d.code, d.kind]);
    expect(codesIn('annual-reports.yaml')).toEqual([
      ['enforcement-statistics', 'annual'],
      ['rule-of-law-report', 'annual'],
      ['rule-of-law-report-publication', 'annual'],
      ['litigation-notice', 'annual'],
      ['efficiency-assessment', 'annual'],
      ['decision-catalog', 'annual'],
    ]);
    expect(codesIn('periodic.yaml')).toEqual([
      ['lawsuit-loss-analysis', 'quarterly'],
      ['integrity-evaluation-notice', 'quarterly'],
      ['quarterly-targets', 'quarterly'],
      ['monthly-targets', 'monthly'],
      ['weekly-assignment', 'weekly'],
      ['monthly-review', 'monthly'],
      ['weekly-meeting', 'quota'],
      ['accompany-public-process', 'quota'],
      ['project-onsite-service', 'quota'],
      ['monthly-field-research', 'quota'],
      ['inspection-window', 'window'],
    ]);
    expect(codesIn('milestones.yaml')).toEqual(
      [
        'hainan-2021-one-network-services',
        'hainan-2021-legal-adviser-system',
        'hainan-2022-reconsideration-system',
        'hainan-2022-regulatory-data',
        'hainan-2023-unified-query',
        'hainan-2024-enforcement-supervision-system',
        'shaanxi-2022-reconsideration-system',
        'shaanxi-2022-online-supervision-platform',
        'shaanxi-2022-government-service-platform',
        'shaanxi-2023-two-laws-linkage',
        'shaanxi-2023-unified-query',
        'shaanxi-2023-online-supervision-platform',
        'shaanxi-2024-enforcement-supervision-system',
        'hainan-2023-government-service-targets',
        'hainan-2023-comprehensive-window',
        'hainan-2024-government-service-targets',
        'hainan-2023-credit-scenarios',
        'hainan-2024-credit-scenarios',
        'hainan-2023-digital-government-targets',
        'hainan-2024-internal-zero-trips',
        'hainan-2025-digital-government-level',
        'etdz-2022-service-platform',
        'etdz-2022-reconsideration-system',
        'etdz-2022-regulatory-system-link',
        'etdz-2023-open-government-standards',
        'etdz-2024-enforcement-supervision-system',
        'etdz-2025-all-tasks',
      ].map((code) => [code, 'milestone']),
    );
    // Every file's duties are loaded (section 3's quotas.yaml included), files in name order.
    expect(catalog.duties.map((d) => d.code)).toEqual(
      catalog.sources.flatMap((s) => ((YAML.parse(s.text).duties ?? []) as Duty[]).map((d) => d.code)),
    );
    expect(catalog.version).toMatch(/^[0-9a-f]{12}$/);
    expect(loadCatalog().version).toBe(catalog.version);
  });

  it('has every kind of recurring duty the schema knows', () => {
    const kinds = new Set(catalog.duties.map((d) => d.kind));
    for (const kind of ['annual', 'quarterly', 'monthly', 'weekly', 'milestone', 'quota', 'window']) expect(kinds).toContain(kind);
  });

  it('gives every recurring duty at least one source that ships with the project', () => {
    for (const duty of catalog.duties) {
      expect(
        duty.sources.some((s) => s.seed !== undefined),
        `${duty.code}: a source with a seed`,
      ).toBe(true);
    }
  });

  it('says in the notes of every entry with a reminder or escalation ladder that it is a default', () => {
    for (const duty of catalog.duties) {
      if (duty.reminders.length + duty.escalations.length === 0) continue;
      expect(
        duty.notes.some((n) => n.includes('默认')),
        `${duty.code}: notes mention 默认`,
      ).toBe(true);
    }
  });

  it('scopes Xiuying\'s "每年第一季度" (003 二(六)) to the district government as a second rule, read as Mar 31', () => {
    for (const code of ['rule-of-law-report', 'rule-of-law-report-publication']) {
      const duty = catalog.byCode.get(code)!;
      expect(duty.kind).toBe('annual');
      if (duty.kind !== 'annual') continue;
      expect(duty.jurisdictions.map((j) => [j.regions, j.types, j.due, j.sources.map((s) => [s.seed, s.section])])).toEqual([
        [['460105'], ['government'], { month: 3, day: 31 }, [['003_ab9b0a940b85e59e.txt', '二（六）强化法治政府建设组织保障']]],
      ]);
      expect(duty.jurisdictions[0]!.notes.join('')).toContain('默认');
    }
    const report = catalog.byCode.get('rule-of-law-report')!;
    expect(report.kind === 'annual' && report.jurisdictions[0]!.reportTo).toEqual(['同级党委', '同级人大常委会', '上一级政府']);
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

  it.runIf(fs.existsSync(seedsDir) || process.env.CI)(
    'quotes every source verbatim from the seed documents, under the section it cites',
    () => {
      const cited = [
        ...catalog.duties.map((d) => ({ code: d.code, sources: allSources(d) })),
        ...catalog.triggered.map((d) => ({ code: d.code, sources: d.sources })),
      ];
      for (const duty of cited) {
        for (const source of duty.sources) {
          expect(source.seed, `${duty.code}: ${source.document} names its seed file`).toBeDefined();
          const text = fs.readFileSync(path.join(seedsDir, source.seed!), 'utf8');
          expect(normalise(text), `${duty.code}: ${source.section}`).toContain(normalise(source.text));
          expect(sectionProblem(text, source), `${duty.code}: ${source.section}`).toBeUndefined();
        }
      }
    },
  );

  it.runIf(fs.existsSync(seedsDir) || process.env.CI)('refuses a quote cited under the wrong section, in every numbering style', () => {
    const seed = (name: string) => fs.readFileSync(path.join(seedsDir, name), 'utf8');
    const wrong = (code: string, section: string, i = 0) => {
      const source = allSources(catalog.byCode.get(code)!)[i]!;
      expect(sectionProblem(seed(source.seed!), source), `${code} as cited`).toBeUndefined();
      return sectionProblem(seed(source.seed!), { ...source, section });
    };
    // 000 and 004: （十二） items numbered through the document.
    expect(wrong('enforcement-statistics', '（十三）创新行政执法方式')).toMatch(/cites/);
    expect(wrong('decision-catalog', '（十）强化依法决策意识')).toMatch(/cites/);
    // 002: 二、 parts with （四） items restarting per part — the part counts too.
    expect(wrong('efficiency-assessment', '二（四）建立高效落实机制')).toMatch(/cites/);
    expect(wrong('inspection-window', '二（十一）大力推行示范引领法')).toMatch(/cites/);
    // 003: the item whose number the web copy lost is still told apart from its neighbours.
    expect(wrong('rule-of-law-report', '二（五）', 1)).toMatch(/cites/);
    expect(wrong('rule-of-law-report', '三（六）', 1)).toMatch(/cites/);
    // 001: Arabic articles and clauses.
    expect(wrong('shaanxi-2024-enforcement-supervision-system', '21.加强和规范政府督查工作')).toMatch(/cites/);
    expect(wrong('shaanxi-2023-two-laws-linkage', '9.（2）推进执法重心下移')).toMatch(/cites/);
    expect(wrong('shaanxi-2023-two-laws-linkage', '10.（3）')).toMatch(/cites/);
    // A section without a number, and a numbered quote passed off as the closing paragraph.
    expect(wrong('enforcement-statistics', '健全行政执法工作机制')).toMatch(/cites no section number/);
    expect(wrong('etdz-2024-enforcement-supervision-system', '结束段')).toMatch(/closing paragraph/);
    expect(wrong('etdz-2025-all-tasks', '（三十七）全面加强能力建设')).toMatch(/cites/);
  });

  it('reads section numbers in every style the documents use', () => {
    expect(parseSection('（二十一）加大行政应诉工作力度')).toEqual({ item: 21 });
    expect(parseSection('二（六）强化法治政府建设组织保障')).toEqual({ part: 2, item: 6 });
    expect(parseSection('二、（四）建立高效落实机制')).toEqual({ part: 2, item: 4 });
    expect(parseSection('三（十）')).toEqual({ part: 3, item: 10 });
    expect(parseSection('29.强化考核评价和督促检查')).toEqual({ article: 29 });
    expect(parseSection('9.（3）全面落实行政执法与刑事司法衔接机制')).toEqual({ article: 9, clause: 3 });
    expect(parseSection('（三十七）全面加强能力建设')).toEqual({ item: 37 });
    expect(parseSection('（九十九）')).toEqual({ item: 99 });
    expect(parseSection('结束段')).toEqual({});
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
    expect(
      problems.some((p) => /a\.yaml, duty "enforcement-statistics", field "reminders\.3\.to\.1": must be <unit>\.<role>/.test(p)),
    ).toBe(true);
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
