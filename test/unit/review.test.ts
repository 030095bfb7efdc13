// Pure parts of ad hoc reviews: scope parsing, durations, deterministic IDs, ladders in exact CST
// instants, the review catalog (citations quoted verbatim from shared/seeds) and the mail subjects.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  durationLabel,
  parseDuration,
  parseScope,
  planLadder,
  progressDueAt,
  reviewIdOf,
  reviewItemWorkflowId,
  reviewUnitWorkflowId,
  reviewWorkflowId,
  REVIEW_KINDS,
  shortHash,
} from '../../domain/review';
import { toCstIso } from '../../domain/time';
import { defaultReviewsFile, loadReviewCatalog, ReviewCatalogError } from '../../runtime/reviews';
import { renderReviewMail } from '../../activities/mail/review-render';
import { reviewPageUrl } from '../../activities/mail/console-link';

const seeds = path.resolve(__dirname, '..', '..', '..', 'shared', 'seeds');
const cst = (iso: string) => toCstIso(iso).slice(0, 16);

describe('parseScope', () => {
  it('reads unit lists and type:<type>@<parent>', () => {
    expect(parseScope('4601050003, 4601050004')).toEqual({ units: ['4601050003', '4601050004'] });
    expect(parseScope('4601050003')).toEqual({ units: ['4601050003'] });
    expect(parseScope('type:department@4601050001')).toEqual({ type: 'department', parentUnitId: '4601050001' });
  });
  it('refuses empty, malformed and duplicate scopes with what to fix', () => {
    expect(() => parseScope('')).toThrow(/scope is empty/);
    expect(() => parseScope('type:department')).toThrow(/type:<type>@<parentUnitId>/);
    expect(() => parseScope('4601050003,,4601050004')).toThrow(/"" is not a unit ID/);
    expect(() => parseScope('a b')).toThrow(/not a unit ID/);
    expect(() => parseScope('4601050003,4601050003')).toThrow(/named twice/);
  });
});

describe('parseDuration', () => {
  it('reads ISO-8601 and short forms', () => {
    const day = 86_400_000;
    expect(parseDuration('P14D')).toBe(14 * day);
    expect(parseDuration('P2W')).toBe(14 * day);
    expect(parseDuration('2w')).toBe(14 * day);
    expect(parseDuration('14d')).toBe(14 * day);
    expect(parseDuration('PT12H')).toBe(12 * 3_600_000);
    expect(parseDuration('P1DT6H')).toBe(30 * 3_600_000);
    expect(parseDuration('36h')).toBe(36 * 3_600_000);
    expect(parseDuration('90m')).toBe(90 * 60_000);
  });
  it('refuses zero, empty and malformed durations', () => {
    for (const bad of ['', 'P', 'PT', '0d', 'P0D', '2 weeks', 'P1Y', '-2w', 'w']) expect(() => parseDuration(bad), bad).toThrow(/duration/);
  });
  it('labels durations in Chinese', () => {
    expect(durationLabel(parseDuration('2w'))).toBe('2周');
    expect(durationLabel(parseDuration('P10D'))).toBe('10天');
    expect(durationLabel(parseDuration('36h'))).toBe('36小时');
  });
});

describe('deterministic IDs', () => {
  it('the same review gives the same ID; parts and items hang below it', () => {
    const scope = parseScope('4601050003,4601050004');
    const a = reviewWorkflowId('case-file-review', '2026年案卷评查', scope, '2026-06-10T18:00:00+08:00');
    expect(a).toBe(reviewWorkflowId('case-file-review', ' 2026年案卷评查 ', scope, '2026-06-10T10:00:00Z'));
    expect(a).toMatch(/^review:case-file-review-[0-9a-f]{8}$/);
    expect(a).not.toBe(reviewWorkflowId('case-file-review', '2026年案卷评查', scope, '2026-06-11T18:00:00+08:00'));
    expect(reviewUnitWorkflowId(a, '4601050003')).toBe(`${a}:unit-4601050003`);
    expect(reviewItemWorkflowId(a, 2)).toBe(`${a}:item-2`);
    expect(reviewIdOf(`${a}:item-2`)).toBe(a);
    expect(reviewIdOf(`${a}:unit-4601050003`)).toBe(a);
    expect(reviewIdOf('obl:x:2025:unit-1')).toBeUndefined();
    expect(shortHash('')).toBe('811c9dc5');
  });
});

describe('ladders in exact CST instants', () => {
  const catalog = loadReviewCatalog();
  it('a self-check due 2026-06-10 18:00 CST', () => {
    expect(
      planLadder('2026-06-10T18:00:00+08:00', catalog.ladder.unit).map(
        (s) => `${s.id}@${cst(s.at)}→${s.to.map((r) => `${r.unit}.${r.role}`).join('+')}`,
      ),
    ).toEqual([
      'reminder-1@2026-06-07T18:00→self.clerk',
      'reminder-2@2026-06-09T18:00→self.clerk+self.head',
      'escalation-1@2026-06-10T18:00→self.head',
      'escalation-2@2026-06-13T18:00→self.head+parent.supervisor',
      'escalation-3@2026-06-17T18:00→parent.head+office.supervisor',
    ]);
  });
  it('an item due 2026-07-31 18:00 CST, re-planned as revision 1', () => {
    expect(planLadder('2026-07-31T18:00:00+08:00', catalog.ladder.item, 'r1:').map((s) => `${s.id}@${cst(s.at)}`)).toEqual([
      'r1:reminder-1@2026-07-24T18:00',
      'r1:reminder-2@2026-07-30T18:00',
      'r1:escalation-1@2026-07-31T18:00',
      'r1:escalation-2@2026-08-07T18:00',
    ]);
  });
  it('progress reports every 2 weeks from the opening minute', () => {
    const anchor = '2026-07-01T01:00:00Z';
    expect([1, 2, 3].map((k) => cst(progressDueAt(anchor, parseDuration('2w'), k)))).toEqual([
      '2026-07-15T09:00',
      '2026-07-29T09:00',
      '2026-08-12T09:00',
    ]);
  });
});

describe('review catalog', () => {
  const catalog = loadReviewCatalog();
  it('has every kind, each citation quoted verbatim from shared/seeds', () => {
    expect(catalog.kinds.map((k) => k.code).sort()).toEqual([...REVIEW_KINDS].sort());
    for (const kind of catalog.kinds) {
      for (const src of kind.sources) {
        expect(src.seed, `${kind.code}: seed`).toBeDefined();
        const text = fs.readFileSync(path.join(seeds, src.seed!), 'utf8');
        expect(text.includes(src.text), `${kind.code}: "${src.text}" in ${src.seed}`).toBe(true);
      }
    }
  });
  it('reports a faulty file with the entry, the field and why', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reviews-'));
    const file = path.join(dir, 'reviews.yaml');
    const good = fs.readFileSync(defaultReviewsFile(), 'utf8');
    fs.writeFileSync(
      file,
      good
        .replace('code: spot-check', 'code: audit')
        .replace('progressMissed: [self.head, office.supervisor]', 'progressMissed: [self.boss]'),
    );
    try {
      loadReviewCatalog(file);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ReviewCatalogError);
      const problems = (e as ReviewCatalogError).problems.join('\n');
      expect(problems).toMatch(/reviews\.yaml, kind "audit", field "code"/);
      expect(problems).toMatch(/reviews\.yaml, field "ladder\.progressMissed\.0": must be self\|parent\|office/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('review mails', () => {
  it('say what is due, by when (CST), for which unit', () => {
    const base = {
      review: { workflowId: 'review:spot-check-1', kindTitle: '行政执法抽查', title: '2026年抽查' },
      unit: { id: '4601050004', name: '秀英区综合行政执法局' },
      workflowId: 'review:spot-check-1:unit-4601050004',
      now: '2026-06-10T10:00:00Z',
    };
    expect(renderReviewMail({ ...base, template: 'unit-escalation', dueAt: '2026-06-10T10:00:00Z', level: 1 }).subject).toBe(
      '【督办（第1级）】行政执法抽查：2026年抽查 — 秀英区综合行政执法局逾期未报送自查材料（截止2026年6月10日18:00）',
    );
    const item = renderReviewMail({
      ...base,
      template: 'item-rejected',
      dueAt: '2026-08-31T10:00:00Z',
      item: { n: 1, text: '补齐送达回证' },
      detail: '仍缺2份回证',
    });
    expect(item.subject).toBe(
      '【整改退回】行政执法抽查：2026年抽查 — 秀英区综合行政执法局整改事项1未通过验收，请于2026年8月31日18:00前重新整改',
    );
    expect(item.text).toContain('整改事项1：补齐送达回证');
    expect(item.text).toContain('说明：仍缺2份回证');
  });

  it('point to the review or item page in the console, never to the CLI', () => {
    const base = {
      review: { workflowId: 'review:spot-check-1', kindTitle: '行政执法抽查', title: '2026年抽查' },
      unit: { id: '4601050004', name: '秀英区综合行政执法局' },
      workflowId: 'review:spot-check-1:unit-4601050004',
      now: '2026-06-10T10:00:00Z',
      dueAt: '2026-08-31T10:00:00Z',
    };
    const consoleUrl = 'https://duban.example.gov.cn/';
    const unitMail = renderReviewMail({ ...base, template: 'unit-opened', consoleUrl: reviewPageUrl(consoleUrl, base.review.workflowId) });
    expect(unitMail.text).toContain('  https://duban.example.gov.cn/reviews/review%3Aspot-check-1\n');
    expect(unitMail.html).toContain('<a href="https://duban.example.gov.cn/reviews/review%3Aspot-check-1">');
    const itemMail = renderReviewMail({
      ...base,
      template: 'item-reminder',
      item: { n: 2, text: '补齐送达回证' },
      consoleUrl: reviewPageUrl(consoleUrl, base.review.workflowId, 2),
    });
    expect(itemMail.text).toContain('在该整改事项页面报告进展、申请延期或报告完成');
    expect(itemMail.text).toContain('/reviews/review%3Aspot-check-1/items/2');
    // Without a configured console: where to find it in words, and still no shell command.
    const plain = renderReviewMail({ ...base, template: 'unit-reminder' });
    expect(plain.text).toContain('按办理编号找到本次评查');
    for (const m of [unitMail, itemMail, plain]) expect(m.text).not.toMatch(/npm|cli --|submit /);
  });
});
