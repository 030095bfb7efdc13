// Every kind of e-mail, rendered from the real catalog: Chinese only (no English sentence, no shell
// command such as `npm run … cli -- submit`), and it sends the clerk to the console page of the cycle
// or incident when the console's address is configured, else says in Chinese how to get there.
import { describe, expect, it } from 'vitest';
import { loadCatalog, requireDuty } from '../../runtime/catalog';
import type { EventDuty, QuotaDuty, WindowDuty } from '../../domain/catalog/schema';
import { buildRecurringCycleInput } from '../../domain/recurring-cycle';
import { paceSentence, quotaPace, quotaProgress } from '../../domain/quota';
import type { QuotaTerms, WindowTerms } from '../../domain/types';
import { renderNotification, type NotificationRecipient } from '../../activities/mail/render';
import { renderQuotaMail } from '../../activities/mail/quota-render';
import { renderWindowMail } from '../../activities/mail/window-render';
import { renderIncidentMail } from '../../activities/mail/incident-render';
import { renderDeadlineCorrected } from '../../activities/mail/correction-render';
import { renderReviewMail, type ReviewMailTemplate } from '../../activities/mail/review-render';
import { cyclePageUrl, incidentPageUrl } from '../../activities/mail/console-link';
import { incidentDuty } from '../../activities/incident';
import { englishPhrases, htmlText, shellCommands } from '../support/english';

const catalog = loadCatalog();
const CONSOLE = 'https://duban.example.gov.cn';
const GOV = { id: '4601050001', name: '海口市秀英区人民政府', type: 'government', level: 'county', region: '460105', tags: [] };
const MARKET = {
  id: '4601050004',
  name: '秀英区市场监督管理局',
  type: 'department',
  level: 'county',
  region: '460105',
  tags: ['enforcement-agency'],
};
const clerk = (unitName: string): NotificationRecipient => ({ name: '李明', email: 'clerk@example.gov.cn', unitName, role: 'clerk' });

interface Mail {
  subject: string;
  text: string;
  html: string;
}

interface Case {
  name: string;
  render: (consoleUrl: string | undefined) => Mail;
  workflowId: string;
  /** The page the mail links to, from the console's address; undefined for mails without one (reviews). */
  page?: (consoleUrl: string) => string | undefined;
}

function annualCases(): Case[] {
  const duty = requireDuty(catalog, 'enforcement-statistics');
  const input = buildRecurringCycleInput({ duty, period: '2025', unit: MARKET, unitPath: [MARKET.id], catalogVersion: 'test' });
  const steps = input.plan.steps;
  return steps
    .filter((s, i) => i === 0 || s.kind === 'escalation')
    .map((step) => ({
      name: `annual ${step.id}`,
      workflowId: input.workflowId,
      page: (c) => cyclePageUrl(c, input.workflowId),
      render: (consoleUrl) =>
        renderNotification({
          duty,
          period: '2025',
          unit: MARKET,
          reportTo: ['本级人民政府', '上级主管部门'],
          dueAt: input.plan.dueAt,
          step,
          recipients: [clerk(MARKET.name)],
          workflowId: input.workflowId,
          consoleUrl: cyclePageUrl(consoleUrl, input.workflowId),
        }),
    }));
}

function eventDuty(): EventDuty {
  const duty = catalog.triggeredByCode.get('lawsuit-loss-report');
  if (!duty || duty.kind !== 'event') throw new Error('the catalog has no event duty lawsuit-loss-report');
  return duty;
}

function eventCases(): Case[] {
  const duty = eventDuty();
  const workflowId = `evt:${duty.code}:unit-${GOV.id}:20260928T1000`;
  const base = {
    duty,
    period: '2026',
    unit: GOV,
    reportTo: ['上一级人民政府'],
    dueAt: '2026-10-16T16:00:00Z',
    recipients: [clerk(GOV.name)],
    workflowId,
  };
  const event = { at: '2026-09-28T02:00:00Z', windowLabel: '10个工作日内', provisional: { waitsForYear: 2027, rule: 'certain-days-off' } };
  return [
    { id: 'reminder-1', kind: 'reminder' as const, level: 0, at: '2026-10-14T01:00:00Z' },
    { id: 'escalation-1', kind: 'escalation' as const, level: 1, at: '2026-10-18T01:00:00Z' },
  ].map((step) => ({
    name: `event ${step.id}`,
    workflowId,
    page: (c) => cyclePageUrl(c, workflowId),
    render: (consoleUrl) => renderNotification({ ...base, step, event, consoleUrl: cyclePageUrl(consoleUrl, workflowId) }),
  }));
}

function quotaCases(): Case[] {
  return (['law-lectures-hainan', 'legislative-worker-rotation'] as const).flatMap((code) => {
    const duty = requireDuty(catalog, code) as QuotaDuty;
    const period = code === 'law-lectures-hainan' ? '2026' : '2026-2030';
    const unit =
      code === 'law-lectures-hainan'
        ? GOV
        : { ...GOV, id: '4600000002', name: '海南省司法厅', type: 'department', level: 'province', region: '460000' };
    const input = buildRecurringCycleInput({ duty, period, unit, unitPath: [unit.id], catalogVersion: 'test' });
    const quota = input.quota as QuotaTerms;
    const occurrences = quota.perSubject
      ? [{ occurredOn: '2026-03-02', amount: 1, subject: '王芳' }]
      : [{ occurredOn: '2026-03-02', amount: 1 }];
    const progress = quotaProgress(quota, occurrences);
    return input.plan.steps.map((step) => {
      const pace = quotaPace(quota, progress, Date.parse(step.at), input.plan.dueAt);
      return {
        name: `quota ${code} ${step.id}`,
        workflowId: input.workflowId,
        page: (c: string) => cyclePageUrl(c, input.workflowId),
        render: (consoleUrl: string | undefined) =>
          renderQuotaMail({
            duty,
            period,
            unit,
            reportTo: ['上一级人民政府'],
            quota,
            dueAt: input.plan.dueAt,
            step,
            progress,
            pace,
            sentence: paceSentence(progress, pace),
            recipients: [clerk(unit.name)],
            workflowId: input.workflowId,
            now: step.at,
            consoleUrl: cyclePageUrl(consoleUrl, input.workflowId),
          }),
      };
    });
  });
}

function windowCases(): Case[] {
  const duty = requireDuty(catalog, 'inspection-window') as WindowDuty;
  const input = buildRecurringCycleInput({ duty, period: '2026-Q2', unit: GOV, unitPath: [GOV.id], catalogVersion: 'test' });
  const window = input.window as WindowTerms;
  const base = {
    duty,
    period: '2026-Q2',
    window,
    unit: GOV,
    recipients: [clerk(GOV.name)],
    workflowId: input.workflowId,
    now: input.plan.steps[0]!.at,
    flagToLabel: '海口市秀英区人民政府、海口市人民政府',
  };
  const page = (c: string) => cyclePageUrl(c, input.workflowId);
  return [
    {
      name: 'window reminder',
      workflowId: input.workflowId,
      page,
      render: (consoleUrl) => renderWindowMail({ ...base, kind: 'reminder', consoleUrl: cyclePageUrl(consoleUrl, input.workflowId) }),
    },
    {
      name: 'window flag',
      workflowId: input.workflowId,
      page,
      render: (consoleUrl) =>
        renderWindowMail({
          ...base,
          kind: 'flag',
          activity: {
            id: 'activity-1',
            date: '2026-05-20',
            title: '第二季度安全生产督查',
            kind: 'planned',
            reference: '秀府督〔2026〕3号',
            by: 'qzf.clerk@xiuying.example.gov.cn',
          },
          consoleUrl: cyclePageUrl(consoleUrl, input.workflowId),
        }),
    },
  ];
}

function incidentCases(): Case[] {
  const duty = incidentDuty(catalog);
  const workflowId = `incident:${GOV.id}:20260501T2230`;
  const windows = [
    { name: 'release', label: '发布权威信息', dueAt: '2026-05-01T19:30:00Z' },
    { name: 'press-conference', label: '举行新闻发布会', dueAt: '2026-05-02T14:30:00Z' },
  ];
  const base = {
    duty,
    unit: GOV,
    incident: {
      title: '某化工厂爆炸',
      level: '重大',
      occurredAt: '2026-05-01T14:30:00Z',
      reportedAt: '2026-05-01T14:40:00Z',
      place: '长流镇',
    },
    windows,
    workflowId,
  };
  const page = (c: string) => incidentPageUrl(c, workflowId);
  const steps = [
    { window: windows[0], step: { id: 'release:reminder-2', kind: 'reminder' as const, level: 0, at: '2026-05-01T17:30:00Z' } },
    { window: windows[0], step: { id: 'release:escalation-1', kind: 'escalation' as const, level: 1, at: '2026-05-01T19:30:00Z' } },
    { window: undefined, step: { id: 'follow-up-1', kind: 'reminder' as const, level: 0, at: '2026-05-02T19:29:00Z' } },
  ];
  return steps.map(({ window, step }) => ({
    name: `incident ${step.id}`,
    workflowId,
    page,
    render: (consoleUrl) =>
      renderIncidentMail({ ...base, window, step, now: step.at, consoleUrl: incidentPageUrl(consoleUrl, workflowId) }),
  }));
}

function correctionCases(): Case[] {
  const duty = eventDuty();
  const workflowId = `evt:${duty.code}:unit-${GOV.id}:20261224T1000`;
  return [
    {
      name: 'deadline corrected',
      workflowId,
      page: (c) => cyclePageUrl(c, workflowId),
      render: (consoleUrl) =>
        renderDeadlineCorrected({
          duty,
          event: { at: '2026-12-24T02:00:00Z', windowLabel: '10个工作日内' },
          unit: GOV,
          year: 2027,
          dueBefore: '2027-01-07T16:00:00Z',
          dueAfter: '2027-01-08T16:00:00Z',
          recipients: [clerk(GOV.name)],
          workflowId,
          consoleUrl: cyclePageUrl(consoleUrl, workflowId),
          now: '2026-12-10T02:00:00Z',
        }),
    },
  ];
}

const REVIEW_TEMPLATES: ReviewMailTemplate[] = [
  'unit-opened',
  'unit-reminder',
  'unit-escalation',
  'item-opened',
  'item-reminder',
  'item-escalation',
  'progress-missed',
  'extension-requested',
  'extension-approved',
  'extension-refused',
  'item-rejected',
  'item-accepted',
  'review-closed',
];

function reviewCases(): Case[] {
  const workflowId = 'review:case-file:2026-06-30:abcdef';
  return REVIEW_TEMPLATES.map((template) => ({
    name: `review ${template}`,
    workflowId,
    render: () =>
      renderReviewMail({
        template,
        review: {
          workflowId,
          kindTitle: '行政执法案卷评查',
          title: '2026年度行政处罚案卷评查',
          basis: '《海南省行政执法案卷评查办法》第五条',
        },
        unit: MARKET,
        dueAt: '2026-06-30T10:00:00Z',
        item: { n: 2, text: '处罚决定书未载明救济途径' },
        level: 1,
        detail: '请补充材料',
        workflowId,
        now: '2026-06-01T01:00:00Z',
      }),
  }));
}

const CASES: Case[] = [
  ...annualCases(),
  ...eventCases(),
  ...quotaCases(),
  ...windowCases(),
  ...incidentCases(),
  ...correctionCases(),
  ...reviewCases(),
];

describe('the detectors find what they look for', () => {
  it('an English sentence and a shell command are found; workflow IDs and URLs are not sentences', () => {
    expect(englishPhrases('计划生效时 was already past，跳过')).toEqual(['was already past']);
    expect(shellCommands('报送后请登记：npm run --silent cli -- submit obl:x --ref <文号>')).toHaveLength(1);
    expect(shellCommands('已开展的活动请加 --held。')).toEqual(['--held']);
    expect(
      englishPhrases('办理编号 obl:enforcement-statistics:2025:unit-4601050004，见 https://duban.example.gov.cn/cycles/a%3Ab'),
    ).toEqual([]);
  });
});

describe('every mail kind, with and without the console address', () => {
  it('covers each renderer', () => {
    const kinds = new Set(CASES.map((c) => c.name.split(' ')[0]));
    expect([...kinds].sort()).toEqual(['annual', 'deadline', 'event', 'incident', 'quota', 'review', 'window']);
    expect(CASES.filter((c) => c.name.startsWith('quota')).length).toBeGreaterThan(0);
  });

  for (const c of CASES) {
    for (const consoleUrl of c.page ? [CONSOLE, undefined] : [undefined]) {
      it(`${c.name}${c.page ? (consoleUrl ? ', console configured' : ', no console address') : ''}`, () => {
        const mail = c.render(consoleUrl);
        const html = htmlText(mail.html);
        const allowed = [c.workflowId];
        for (const [what, text] of [
          ['subject', mail.subject],
          ['text', mail.text],
          ['html', html],
        ] as const) {
          expect(shellCommands(text), `${what}: no shell command`).toEqual([]);
          expect(englishPhrases(text, allowed), `${what}: no English sentence`).toEqual([]);
        }
        expect(mail.html).not.toMatch(/npm run|cli --/);
        if (!c.page) return;
        if (consoleUrl) {
          const page = c.page(consoleUrl)!;
          expect(page.startsWith(`${CONSOLE}/`)).toBe(true);
          expect(mail.text).toContain(page);
          expect(mail.html).toContain(`<a href="${page}">`);
        } else {
          expect(mail.text).toContain('请登录督办系统管理台');
          expect(mail.text).toContain('司法局');
          expect(mail.text).not.toContain('http');
        }
      });
    }
  }
});
