// renderNotification: subjects and bodies in Chinese, dates in China Standard Time whatever the
// process zone (vitest runs this file under Asia/Shanghai, UTC and America/New_York).
import { describe, expect, it } from 'vitest';
import { dutySchema, type Duty } from '../../domain/catalog/schema';
import {
  chineseNumeral,
  citation,
  dueLabels,
  periodLabel,
  renderNotification,
  type NotificationContent,
} from '../../activities/mail/render';

const duty: Duty = dutySchema.parse({
  code: 'enforcement-statistics',
  title: '行政执法统计年报',
  kind: 'annual',
  deliverable: '上年度行政执法总体情况报告（含行政执法统计数据）',
  submitVia: '报送本级人民政府和上级主管部门（纸质文件加盖公章，并同步报送电子版）',
  regions: ['46'],
  due: { month: 1, day: 31 },
  opens: { month: 1, day: 1 },
  responsible: [{ label: '行政执法机关', tags: ['enforcement-agency'], reportTo: ['本级人民政府', '上级主管部门'] }],
  sources: [
    {
      document: '琼发〔2021〕22号',
      title: '海南省法治政府建设实施方案（2021—2025年）',
      section: '（十二）',
      text: '行政执法机关每年1月31日前将上年度行政执法总体情况报本级人民政府和上级主管部门',
    },
  ],
  reminders: [{ daysBefore: 10, to: ['self.clerk'] }],
  escalations: [
    { daysAfter: 1, to: ['self.head', 'parent.supervisor'] },
    { daysAfter: 8, to: ['office.head'] },
  ],
});

const CITATION =
  '《海南省法治政府建设实施方案（2021—2025年）》（琼发〔2021〕22号）（十二）：' +
  '“行政执法机关每年1月31日前将上年度行政执法总体情况报本级人民政府和上级主管部门”';
const UNIT = '秀英区市场监督管理局';
const WF = 'obl:enforcement-statistics:2025:unit-xy-scjgj';
const DUE = '2026-01-31T16:00:00Z'; // = 2026-02-01T00:00+08:00, exclusive
const PAGE = 'http://127.0.0.1:3000/cycles/obl%3Aenforcement-statistics%3A2025%3Aunit-xy-scjgj';

function content(step: NotificationContent['step'], extra: Partial<NotificationContent> = {}): NotificationContent {
  return {
    duty,
    period: '2025',
    unit: { id: 'xy-scjgj', name: UNIT },
    reportTo: ['本级人民政府', '上级主管部门'],
    dueAt: DUE,
    step,
    recipients: [{ name: '李明', email: 'liming@xy-scjgj.example.gov.cn', unitName: UNIT, role: 'clerk' }],
    workflowId: WF,
    consoleUrl: PAGE,
    ...extra,
  };
}

const reminder = (at: string) => ({ id: 'reminder-1', kind: 'reminder' as const, level: 0, at });
const escalation = (level: number, at: string) => ({ id: `escalation-${level}`, kind: 'escalation' as const, level, at });

describe('due date in China Standard Time', () => {
  it('reads the exclusive midnight instant as the previous day, 24:00, with weekday', () => {
    expect(dueLabels(DUE)).toMatchObject({
      dueDate: '2026-01-31',
      dueDateLabel: '2026年1月31日',
      dueDeadlineLabel: '2026年1月31日（星期六）24:00前',
    });
    // the same instant written with its +08:00 offset
    expect(dueLabels('2026-02-01T00:00:00+08:00').dueDeadlineLabel).toBe('2026年1月31日（星期六）24:00前');
  });

  it('shows a non-midnight due instant as its own day and time', () => {
    expect(dueLabels('2026-03-31T09:00:00Z').dueDeadlineLabel).toBe('2026年3月31日（星期二）17:00前');
  });

  it('crosses years and weekdays correctly (Mar 1 2026 is a Sunday; 2025-12-31 a Wednesday)', () => {
    expect(dueLabels('2026-03-01T16:00:00Z').dueDeadlineLabel).toBe('2026年3月1日（星期日）24:00前');
    // 2025-12-31T16:00Z is 2026-01-01 00:00 CST: the last day is still 2025-12-31
    expect(dueLabels('2025-12-31T16:00:00Z').dueDeadlineLabel).toBe('2025年12月31日（星期三）24:00前');
    expect(dueLabels('2026-01-01T16:00:00Z').dueDeadlineLabel).toBe('2026年1月1日（星期四）24:00前');
    expect(dueLabels('2025-12-31T15:59:30Z').dueDeadlineLabel).toBe('2025年12月31日（星期三）23:59:30前');
  });
});

describe('reminder', () => {
  it('10 days before: exact subject and the full body', () => {
    const r = renderNotification(content(reminder('2026-01-21T01:00:00Z')));
    expect(r.subject).toBe('【催报提醒】行政执法统计年报（2025年度）将于2026年1月31日截止——秀英区市场监督管理局');
    expect(r.daysRemaining).toBe(10);
    expect(r.daysOverdue).toBeNull();
    expect(r.dueDate).toBe('2026-01-31');

    const lines = r.text.split('\n');
    expect(lines[0]).toBe('秀英区市场监督管理局：');
    expect(r.text).toContain('贵单位应于2026年1月31日（星期六）24:00前（北京时间）报送行政执法统计年报（2025年度），距截止日期还有10天。');
    expect(r.text).toContain('截至2026年1月21日（星期三）');
    expect(lines).toContain('三、截止日期：2026年1月31日（星期六）24:00前（北京时间）');
    expect(lines).toContain('    剩余天数：10天');
    expect(lines).toContain(`    1. ${CITATION}`);
    expect(lines).toContain(`五、报送内容：${duty.deliverable}`);
    expect(lines).toContain(`六、报送方式：${duty.submitVia}`);
    expect(lines).toContain('七、报送对象：本级人民政府、上级主管部门');
    expect(lines).toContain(`八、办理编号：${WF}`);
    expect(lines).toContain('九、登记方式：报送后，请登录督办系统管理台，在本周期页面登记报送文号，系统将据此停止提醒：');
    expect(lines).toContain(`      ${PAGE}`);
    expect(r.text).not.toContain('npm run');
    expect(r.text).toContain('此致\n敬礼！');
    expect(r.text).toContain('法治政府建设督办系统');

    expect(r.html).toContain('<html lang="zh-CN">');
    expect(r.html).toContain('<strong>2026年1月31日（星期六）24:00前</strong>');
    expect(r.html).toContain('琼发〔2021〕22号');
    expect(r.html).toContain('剩余天数：10天');
    expect(r.html).toContain(`<a href="${PAGE}">${PAGE}</a>`);
  });

  it('on the due date, and until the last millisecond before the due instant, 0 days remain', () => {
    const morning = renderNotification(content(reminder('2026-01-31T01:00:00Z')));
    expect(morning.subject).toBe('【催报提醒】行政执法统计年报（2025年度）今日（2026年1月31日）截止——秀英区市场监督管理局');
    expect(morning.daysRemaining).toBe(0);
    expect(morning.text).toContain('今天即为截止日');

    const lastMoment = renderNotification(content(reminder('2026-01-31T01:00:00Z'), { now: '2026-01-31T15:59:59.999Z' }));
    expect(lastMoment.daysRemaining).toBe(0);
    expect(lastMoment.daysOverdue).toBeNull();
  });

  it('at the due instant itself the cycle is 1 day overdue', () => {
    const r = renderNotification(content(reminder('2026-01-31T01:00:00Z'), { now: DUE }));
    expect(r.daysRemaining).toBeNull();
    expect(r.daysOverdue).toBe(1);
    expect(r.subject).toBe('【催报提醒】行政执法统计年报（2025年度）已于2026年1月31日截止，已逾期1天——秀英区市场监督管理局');
  });

  it('counts CST calendar days, not 24-hour periods (23:30 CST the day before = 1 day left)', () => {
    const r = renderNotification(content(reminder('2026-01-30T15:30:00Z')));
    expect(r.daysRemaining).toBe(1);
  });

  it('is deterministic: the same input renders the same mail', () => {
    const a = renderNotification(content(reminder('2026-01-21T01:00:00Z')));
    const b = renderNotification(content(reminder('2026-01-21T01:00:00Z')));
    expect(b).toEqual(a);
  });
});

describe('escalation', () => {
  it('level 1 on the first day after the due date', () => {
    const r = renderNotification(
      content(escalation(1, '2026-02-01T01:00:00Z'), {
        recipients: [
          { name: '王强', email: 'wq@xy-scjgj.example.gov.cn', unitName: UNIT, role: 'head' },
          { name: '赵敏', email: 'zm@xy.example.gov.cn', unitName: '秀英区人民政府', role: 'supervisor' },
        ],
      }),
    );
    expect(r.subject).toBe('【逾期督办·一级】行政执法统计年报（2025年度）已逾期1天——秀英区市场监督管理局');
    expect(r.daysOverdue).toBe(1);
    expect(r.text.split('\n')[0]).toBe('秀英区市场监督管理局、秀英区人民政府：');
    expect(r.text).toContain('秀英区市场监督管理局应于2026年1月31日（星期六）24:00前（北京时间）报送的行政执法统计年报（2025年度）');
    expect(r.text).toContain('截至2026年2月1日（星期日）系统仍未登记报送，已逾期1天。');
    expect(r.text).toContain('现予一级督办');
    expect(r.text).toContain('    逾期天数：1天');
    expect(r.text).toContain(CITATION);
  });

  it('level 2 a week later', () => {
    const r = renderNotification(content(escalation(2, '2026-02-08T01:00:00Z')));
    expect(r.subject).toBe('【逾期督办·二级】行政执法统计年报（2025年度）已逾期8天——秀英区市场监督管理局');
    expect(r.daysOverdue).toBe(8);
  });

  it('counts lateness in CST days across the US DST change (Mar 1 due date, Mar 9 step)', () => {
    const r = renderNotification(content(escalation(1, '2026-03-09T01:00:00Z'), { dueAt: '2026-03-01T16:00:00Z' }));
    expect(r.dueDeadlineLabel).toBe('2026年3月1日（星期日）24:00前');
    expect(r.daysOverdue).toBe(8);
  });
});

describe('content', () => {
  it('cites every source verbatim, in order', () => {
    const second = {
      document: '陕法委发〔2021〕10号',
      title: '陕西省法治政府建设实施方案（2021-2025年）',
      section: '29',
      text: '按时向社会公开',
    };
    const r = renderNotification(content(reminder('2026-01-21T01:00:00Z'), { duty: { ...duty, sources: [...duty.sources, second] } }));
    expect(r.text).toContain(
      `    1. ${CITATION}\n    2. 《陕西省法治政府建设实施方案（2021-2025年）》（陕法委发〔2021〕10号）29：“按时向社会公开”`,
    );
    expect(citation(second)).toBe('《陕西省法治政府建设实施方案（2021-2025年）》（陕法委发〔2021〕10号）29：“按时向社会公开”');
  });

  it('quotes the simplified reading of a source published in traditional characters', () => {
    const traditional = { ...second(), text: '行政執法機關每年1月31日前', textSimplified: '行政执法机关每年1月31日前' };
    expect(citation(traditional)).toBe('《海南省法治政府建设实施方案》（琼发〔2021〕22号）（十二）：“行政执法机关每年1月31日前”');
  });

  it('escapes HTML and, without a console URL, says in words where to record', () => {
    const r = renderNotification(
      content(reminder('2026-01-21T01:00:00Z'), {
        duty: { ...duty, deliverable: '<script>alert(1)</script> & 附件' },
        consoleUrl: undefined,
      }),
    );
    expect(r.html).not.toContain('<script>');
    expect(r.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; 附件');
    expect(r.text).not.toContain('http');
    expect(r.text).toContain(
      '九、登记方式：报送后，请登录督办系统管理台，按办理编号找到本周期，登记报送文号，系统将据此停止提醒；如无法登录，请与本级司法局（法治建设办公室）联系。',
    );
  });

  it('rejects a due instant that is not ISO-8601', () => {
    expect(() => renderNotification(content(reminder('2026-01-21T01:00:00Z'), { dueAt: '31/01/2026' }))).toThrow(/dueAt/);
  });

  it('numerals and periods', () => {
    expect([1, 2, 3, 10, 11, 20, 35].map(chineseNumeral)).toEqual(['一', '二', '三', '十', '十一', '二十', '三十五']);
    expect(periodLabel('2025')).toBe('2025年度');
    expect(periodLabel('2025Q1')).toBe('2025年第一季度');
    expect(periodLabel('2025-03')).toBe('2025年3月');
    expect(periodLabel('2021—2025')).toBe('2021—2025');
  });
});

function second() {
  return { document: '琼发〔2021〕22号', title: '海南省法治政府建设实施方案', section: '（十二）' };
}
