// Pure parts of incident-disclosure: the windows planned from the occurrence instant, the
// deterministic workflow ID, and the Chinese mail subjects (run under three host time zones).
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../runtime/catalog';
import { toCstIso } from '../../domain/time';
import { incidentDuty, incidentWorkflowId, planIncidentWindows } from '../../activities/incident';
import { compactCst, cstDate } from '../../contracts/incident';
import { hoursLabel, renderIncidentMail } from '../../activities/mail/incident-render';

const duty = incidentDuty(loadCatalog());
const OCCURRED = '2026-05-01T22:30:00+08:00';

describe('planIncidentWindows', () => {
  it('runs both windows from the occurrence on the wall clock, across midnight', () => {
    const plan = planIncidentWindows(duty, '重大', OCCURRED);
    expect(toCstIso(plan.occurredAt)).toBe(OCCURRED);
    expect(plan.windows.map((w) => [w.name, toCstIso(w.dueAt)])).toEqual([
      ['release', '2026-05-02T03:30:00+08:00'],
      ['press-conference', '2026-05-02T22:30:00+08:00'],
    ]);
    expect(plan.windows[0]!.steps.map((s) => [s.id, toCstIso(s.at)])).toEqual([
      ['release:reminder-1', '2026-05-01T23:30:00+08:00'],
      ['release:reminder-2', '2026-05-02T01:30:00+08:00'],
      ['release:reminder-3', '2026-05-02T03:00:00+08:00'],
      ['release:escalation-1', '2026-05-02T03:30:00+08:00'],
      ['release:escalation-2', '2026-05-02T05:30:00+08:00'],
    ]);
    expect(plan.windows[1]!.steps.map((s) => [s.id, toCstIso(s.at)])).toEqual([
      ['press-conference:reminder-1', '2026-05-02T10:30:00+08:00'],
      ['press-conference:reminder-2', '2026-05-02T18:30:00+08:00'],
      ['press-conference:reminder-3', '2026-05-02T21:30:00+08:00'],
      ['press-conference:escalation-1', '2026-05-02T22:30:00+08:00'],
    ]);
  });

  it('plans no windows for 较大 and 一般', () => {
    expect(planIncidentWindows(duty, '较大', OCCURRED).windows).toEqual([]);
    expect(planIncidentWindows(duty, '一般', OCCURRED).windows).toEqual([]);
    expect(planIncidentWindows(duty, '特别重大', OCCURRED).windows).toHaveLength(2);
  });
});

describe('incident IDs', () => {
  it('is deterministic for the same report, whatever offset the instant is written in', () => {
    const a = incidentWorkflowId('4601050001', '2026-05-01T14:30:00Z', '某化工厂爆炸');
    expect(a).toMatch(/^incident:4601050001:20260501T223000\+0800-[0-9a-f]{8}$/);
    expect(incidentWorkflowId('4601050001', OCCURRED, ' 某化工厂爆炸 ')).toBe(a);
    expect(incidentWorkflowId('4601050001', OCCURRED, '另一事件')).not.toBe(a);
    expect(compactCst('2026-05-01T16:00:00Z')).toBe('20260502T000000+0800');
    expect(cstDate('2026-05-01T16:00:00Z')).toBe('2026-05-02');
  });
});

describe('renderIncidentMail', () => {
  const base = {
    duty,
    unit: { id: '4601050001', name: '海口市秀英区人民政府' },
    incident: { title: '某化工厂爆炸', level: '重大', occurredAt: '2026-05-01T14:30:00Z', reportedAt: '2026-05-01T14:40:00Z' },
    windows: [
      { name: 'release', label: '发布权威信息', dueAt: '2026-05-01T19:30:00Z' },
      { name: 'press-conference', label: '举行新闻发布会', dueAt: '2026-05-02T14:30:00Z' },
    ],
    workflowId: 'incident:4601050001:x',
  };

  it('a reminder names the CST due instant and the time since the occurrence', () => {
    const mail = renderIncidentMail({
      ...base,
      window: base.windows[0],
      step: { id: 'release:reminder-2', kind: 'reminder', level: 0, at: '2026-05-01T17:30:00Z' },
      now: '2026-05-01T17:30:00Z',
    });
    expect(mail.subject).toBe('【突发事件信息发布提醒】某化工厂爆炸：权威信息须于2026年5月2日03:30前发布（已过去3小时）');
    expect(mail.text).toContain('发生时间：2026年5月1日22:30（北京时间）');
    expect(mail.text).toContain('录入时间：2026年5月1日22:40（北京时间）');
    expect(mail.text).toContain('举行新闻发布会：2026年5月2日22:30前');
    expect(mail.text).toContain('最迟在事件发生后5小时内发布权威信息');
  });

  it('an escalation says which window was missed and by how much', () => {
    const mail = renderIncidentMail({
      ...base,
      window: base.windows[0],
      step: { id: 'release:escalation-1', kind: 'escalation', level: 1, at: '2026-05-01T19:30:00Z' },
      now: '2026-05-01T20:30:00Z',
    });
    expect(mail.subject).toBe('【突发事件督办·一级】某化工厂爆炸：权威信息发布已超时（截止2026年5月2日03:30，已超时1小时）');
  });

  it('a follow-up asks for continued releases', () => {
    const mail = renderIncidentMail({
      ...base,
      step: { id: 'follow-up-1', kind: 'reminder', level: 0, at: '2026-05-02T19:29:00Z' },
      now: '2026-05-02T19:29:00Z',
    });
    expect(mail.subject).toMatch(/^【持续发布提醒】某化工厂爆炸：/);
    expect(hoursLabel(4.5 * 3600_000)).toBe('4小时30分钟');
  });
});
