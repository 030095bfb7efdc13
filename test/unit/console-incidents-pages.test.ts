// The 突发事件 pages rendered from fixed facts (no server): no inline style (the CSP forbids it; the
// cards' look is in assets/incidents.css), a refusal next to the field it names or under its form,
// escaped titles and links, and what each reader may do.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ASSETS_DIR } from '../../client/console/assets';
import type { ConsoleUser } from '../../client/console/identity';
import type { LayoutContext } from '../../client/console/views/layout';
import {
  incidentPage,
  incidentsPage,
  reportPage,
  type IncidentDetail,
  type IncidentListRow,
  type IncidentViewOptions,
} from '../../client/console/views/incidents';
import type { IncidentStatus } from '../../contracts/incident';

const ADMIN: ConsoleUser = { id: 'admin@example.cn', access: 'admin', name: '管理员' };
const CLERK: ConsoleUser = { id: 'clerk@example.cn', access: 'unit', name: '张三', unitId: '4601050004', unitName: '市场局' };
const OTHER_CLERK: ConsoleUser = { id: 'other@example.cn', access: 'unit', name: '李四', unitId: '4601050001', unitName: '司法局' };
const OPERATOR: ConsoleUser = { id: 'op@example.cn', access: 'operator', name: '运营' };

// 2026-05-02 04:00 CST: the incident happened at 22:30 the day before, so its 5-hour window (03:30) has passed.
const NOW = new Date('2026-05-01T20:00:00Z');
const ID = 'incident:4601050004:20260501T223000+0800:a1';
const ctx = (user: ConsoleUser | null): LayoutContext => ({ user, path: '/incidents', nav: 'incidents' });
const opts = (extra: Partial<IncidentViewOptions> = {}): IncidentViewOptions => ({
  temporalUiUrl: 'http://temporal-ui.test/',
  namespace: 'default',
  now: NOW,
  ...extra,
});

function status(over: Partial<IncidentStatus> = {}): IncidentStatus {
  return {
    workflowId: ID,
    dutyCode: 'incident-release',
    unitId: '4601050004',
    unitName: '市场局',
    title: '危化品运输车<script>侧翻',
    level: '重大',
    statutory: true,
    place: '秀英区长滨路',
    occurredAt: '2026-05-01T14:30:00Z',
    awareAt: '2026-05-01T14:50:00Z',
    reportedAt: '2026-05-01T16:00:00Z',
    state: 'open',
    revision: 1,
    windows: [
      {
        name: 'release',
        label: '发布权威信息',
        dueAt: '2026-05-01T19:30:00Z',
        state: 'missed',
        steps: [
          { id: 'release:reminder-1', kind: 'reminder', at: '2026-05-01T18:30:00Z', state: 'fired' },
          { id: 'release:escalation-1', kind: 'escalation', at: '2026-05-01T19:30:00Z', state: 'cancelled' },
        ],
      },
      { name: 'press-conference', label: '举行新闻发布会', dueAt: '2026-05-02T14:30:00Z', state: 'open', steps: [] },
    ],
    releases: [],
    press: [],
    timeline: [
      { at: '2026-05-01T16:00:00Z', type: 'reported', detail: '发生于 2026-05-01T14:30:00Z', actor: ADMIN.id },
      { at: '2026-05-01T18:30:00Z', type: 'reminder', stepId: 'release:reminder-1', detail: '已发送' },
    ],
    ...over,
  } as IncidentStatus;
}

function detail(over: Partial<IncidentDetail> = {}): IncidentDetail {
  return {
    workflowId: ID,
    status: status(),
    row: null,
    notifications: [
      {
        stepId: 'release:reminder-1',
        recipients: '["a@example.cn","b@example.cn"]',
        subject: '请发布权威信息',
        status: 'sent',
        attempts: 1,
        lastError: null,
        sentAt: new Date('2026-05-01T18:30:00Z'),
      },
      {
        stepId: 'press-conference:reminder-1',
        recipients: 'not json',
        subject: '发布会',
        status: 'pending',
        attempts: 3,
        lastError: '连接被拒绝',
        sentAt: null,
      },
    ],
    ...over,
  };
}

const count = (page: string, needle: string) => page.split(needle).length - 1;

describe('the incident detail page', () => {
  it('has no inline style and links its own stylesheet, whose rules the page uses', () => {
    const page = incidentPage(ctx(ADMIN), detail(), opts());
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).not.toMatch(/style="/);
    expect(page).not.toContain('<style');
    expect(page).toContain('<link rel="stylesheet" href="/assets/incidents.css"/>');
    const css = fs.readFileSync(path.join(ASSETS_DIR, 'incidents.css'), 'utf8');
    expect(css).toContain('.incident-card > h2');
    expect(count(page, 'class="card incident-card"')).toBe(3);
  });

  it('shows both windows, the steps, the timeline and the notifications in Chinese, in CST', () => {
    const page = incidentPage(ctx(ADMIN), detail(), opts());
    expect(page).toContain('<section class="card window" data-window="release">');
    expect(page).toContain('data-window-state="missed"');
    expect(page).toContain('<strong class="due">2026-05-02 03:30:00</strong>');
    expect(page).toContain('<tr data-step="release:reminder-1">');
    expect(page).toContain('badge step-stopped');
    expect(page).toMatch(/<table class="timeline">[\s\S]*<tr data-type="reported">[\s\S]*发送提醒 提醒1/);
    expect(page).toContain('发布提醒1');
    expect(page).toContain('a@example.cn、b@example.cn');
    expect(page).toContain('（无收件人）');
    expect(page).toContain('待发送（已尝试3次：连接被拒绝）');
    expect(page).toContain('发生后20分钟获知');
    expect(page).toContain('发生后1小时30分钟录入，获知后1小时10分钟录入');
    expect(page).toContain(`href="http://temporal-ui.test/namespaces/default/workflows/${encodeURIComponent(ID)}"`);
  });

  it('escapes the title and shows a non-http link as text', () => {
    const late = {
      at: '2026-05-01T20:30:00Z',
      channel: '网站',
      url: 'javascript:alert(1)',
      by: CLERK.id,
      recordedAt: '',
      lateSeconds: 3600,
      reason: '<b>晚</b>',
    };
    const page = incidentPage(ctx(ADMIN), detail({ status: status({ releases: [late] }) }), opts());
    expect(page).not.toContain('<script>');
    expect(page).toContain('危化品运输车&lt;script&gt;侧翻');
    expect(page).not.toContain('href="javascript:');
    expect(page).toContain('<span class="mono">javascript:alert(1)</span>');
    expect(page).toContain('&lt;b&gt;晚&lt;/b&gt;');
    expect(page).toContain('<span class="late">逾期1小时</span>');
  });

  it('asks for a delay reason once the first release is late; a refused field keeps what was typed', () => {
    const values = { at: '2026-05-02T03:50', url: 'ftp://x', channel: '', reason: '' };
    const page = incidentPage(
      ctx(CLERK),
      detail(),
      opts({ formState: { form: 'release', values, error: { message: '发布链接必须是以 http:// 或 https:// 开头的网址', field: 'url' } } }),
    );
    expect(page).toContain('id="release-late-hint"');
    expect(page).toContain('迟延原因 *');
    expect(page).toContain('value="ftp://x" aria-invalid="true" aria-describedby="release-url-error"');
    expect(page).toContain('<div class="field-error" id="release-url-error" role="alert">');
    expect(page).toContain('id="form-error"');
    // The press form was not the refused one: it shows its defaults and no error.
    expect(page).toContain('id="press-at" name="at" value="2026-05-02T04:00"');
    expect(page).not.toContain('press-error');
    // A unit user records, but neither corrects nor closes.
    expect(page).toContain('id="release-form"');
    expect(page).not.toContain('id="correct-form"');
    expect(page).not.toContain('id="close-form"');
  });

  it('shows a refusal not tied to a field under its own form only', () => {
    const page = incidentPage(
      ctx(ADMIN),
      detail(),
      opts({ formState: { form: 'close', values: { reason: '' }, error: { message: '事件已关闭' } } }),
    );
    expect(page).toContain('<div class="field-error" role="alert" id="close-error">事件已关闭</div>');
    expect(count(page, 'class="field-error"')).toBe(1);
    expect(page).toContain('action="/incidents/' + encodeURIComponent(ID) + '/correct"');
  });

  it('tells each reader why there is nothing to record', () => {
    const why = (user: ConsoleUser | null, d = detail()) =>
      /<section class="card incident-card" id="actions"><h2>登记<\/h2><p class="muted">([^<]*)<\/p>/.exec(
        incidentPage(ctx(user), d, opts()),
      )?.[1];
    expect(why(OPERATOR)).toBe('运营人员只能查看。');
    expect(why(OTHER_CLERK)).toBe('单位用户只能为本单位（司法局）登记。');
    expect(why(ADMIN, detail({ status: status({ state: 'closed' }) }))).toBe('事件已关闭，不能再登记。');
  });

  it('falls back to the database row when the workflow cannot be queried', () => {
    const page = incidentPage(
      ctx(ADMIN),
      detail({
        status: null,
        statusError: '连接超时',
        row: {
          title: '码头踩踏',
          level: '重大',
          statutory: true,
          unitId: '4601050004',
          place: null,
          contacts: null,
          occurredAt: new Date('2026-05-01T14:30:00Z'),
          awareAt: null,
          reportedAt: new Date('2026-05-01T14:40:00Z'),
          reportedBy: CLERK.id,
          releaseDueAt: new Date('2026-05-01T19:30:00Z'),
          pressDueAt: new Date('2026-05-02T14:30:00Z'),
          releases: '{broken',
          press: '[]',
          state: 'open',
          cycle: { unit: { name: '市场局' } },
        },
      }),
      opts(),
    );
    expect(page).toContain('未能查询工作流实时状态：连接超时。');
    expect(page).toContain('<section class="card window" data-window="press-conference"><h3>举行新闻发布会</h3>');
    expect(page).toContain('步骤状态需要工作流实时状态。');
    expect(page).toContain('无法查询工作流的实时状态，暂不能登记。');
    expect(page).toContain('尚未登记发布。');
    expect(page).toContain('<span class="muted">未填写</span>');
    expect(page).not.toContain('<table class="timeline">');
  });
});

describe('the incident list and the report form', () => {
  const row = (over: Partial<IncidentListRow>): IncidentListRow => ({
    workflowId: ID,
    title: '码头踩踏',
    level: '重大',
    statutory: true,
    unitId: '4601050004',
    unitName: '市场局',
    occurredAt: new Date('2026-05-01T14:30:00Z'),
    releaseDueAt: new Date('2026-05-01T19:30:00Z'),
    pressDueAt: new Date('2026-05-02T14:30:00Z'),
    firstReleaseAt: null,
    pressAt: null,
    state: 'open',
    ...over,
  });

  it('shows each window as on time, late or open with the time left', () => {
    const page = incidentsPage(
      ctx(CLERK),
      [row({ firstReleaseAt: new Date('2026-05-01T20:30:00Z') }), row({ workflowId: 'w2', statutory: false, level: '一般' })],
      NOW,
    );
    expect(page).not.toMatch(/style="/);
    expect(page).toContain('<span class="late">逾期1小时</span>');
    expect(page).toContain('<span class="muted small">剩余18小时30分钟</span>');
    expect(page).toContain('<div class="muted small">仅登记</div>');
    expect(page).toContain('id="report-link"');
    expect(incidentsPage(ctx(OPERATOR), [], NOW)).toContain('尚无突发事件。');
    expect(incidentsPage(ctx(OPERATOR), [], NOW)).not.toContain('id="report-link"');
  });

  it('offers a unit user only their own unit, preselected; an operator gets no form', () => {
    const units = [
      { id: '4601050001', name: '司法局' },
      { id: '4601050004', name: '市场局' },
    ];
    const page = reportPage(ctx(CLERK), units, NOW);
    expect(page).not.toMatch(/style="/);
    expect(page).toContain('<option value="4601050004" selected="">市场局（4601050004）</option>');
    expect(page).not.toContain('司法局（4601050001）');
    expect(page).toContain('<option value="重大" selected="">重大</option>');
    expect(page).toContain('id="report-occurredAt" name="occurredAt" value="" max="2026-05-02T04:00"');
    expect(reportPage(ctx(OPERATOR), units, NOW)).not.toContain('id="report-form"');
  });
});
