// The list one recipient gets for the steps of one duty that reached it together (activities/mail/
// bundle-render.ts), in the mail and in a robot's markdown, and the bundle's deterministic key.
import { describe, expect, it } from 'vitest';
import { renderBundleMail } from '../../activities/mail/bundle-render';
import { bundleKeyOf, type BundleMember, type Bundling } from '../../activities/bundle';
import { MARKDOWN_MAX_BYTES, robotMarkdown } from '../../activities/channels/markdown';
import { loadCatalog } from '../../runtime/catalog';

const duty = loadCatalog().byCode.get('enforcement-statistics')!;
const CONSOLE = 'https://duban.example.gov.cn';
/** 2026-02-03 09:00 CST: two days after the 2025 report was due (2026-01-31 24:00). */
const NOW = '2026-02-03T01:00:00.000Z';

function member(i: number, dueAt = '2026-01-31T16:00:00.000Z'): BundleMember {
  return {
    workflowId: `enforcement-statistics:2025:unit-${String(i).padStart(4, '0')}`,
    stepId: 'escalation-1',
    unitId: `unit-${i}`,
    unitName: `第${i}执法局`,
    period: '2025',
    dueAt,
  };
}

describe('renderBundleMail', () => {
  it('lists every unit with its period, deadline, lateness and link; the subject counts them', () => {
    const mail = renderBundleMail({
      duty,
      kind: 'escalation',
      members: [member(1), member(2)],
      recipientName: '秀英区人民政府 督办员',
      now: NOW,
      consoleUrl: CONSOLE,
    });
    expect(mail.subject).toBe('【逾期督办汇总】行政执法统计年报：2个单位逾期未报送');
    expect(mail.text).toContain('秀英区人民政府 督办员：');
    expect(mail.text).toContain('一、第1执法局：2025年度，截止2026年1月31日（星期六）24:00前，已逾期3天');
    expect(mail.text).toContain(`${CONSOLE}/cycles/${encodeURIComponent(member(2).workflowId)}`);
    expect(mail.text).toContain('法定依据');
    expect(mail.text).toContain(`${CONSOLE}/cycles?duty=enforcement-statistics`);
    expect(mail.html).toContain(`<a href="${CONSOLE}/cycles/`);
    expect(mail.ics).toBeUndefined(); // one deadline per unit: no single calendar entry
  });

  it('says how much time is left for reminders before the deadline, and names the overdue ones among them', () => {
    const early = renderBundleMail({
      duty,
      kind: 'reminder',
      members: [member(1, '2026-02-10T16:00:00.000Z'), member(2)],
      recipientName: null,
      now: NOW,
    });
    expect(early.subject).toBe('【催报提醒汇总】行政执法统计年报：2个单位尚未报送，其中1个已逾期');
    expect(early.text).toContain('第1执法局：2025年度，截止2026年2月10日（星期二）24:00前，还有7天');
    expect(early.text).toContain('请登录督办系统管理台，在“周期”页面按事项筛选查看。');
    expect(early.text).toContain('您好：');
  });

  it('fits 400 units into a robot message of at most 4096 bytes, keeping the title and the list link', () => {
    const mail = renderBundleMail({
      duty,
      kind: 'escalation',
      members: Array.from({ length: 400 }, (_, i) => member(i + 1)),
      recipientName: '海南省司法厅 督办员',
      now: NOW,
      consoleUrl: CONSOLE,
    });
    const md = robotMarkdown('wecom', { card: mail.card! });
    expect(Buffer.byteLength(md.markdown, 'utf8')).toBeLessThanOrEqual(MARKDOWN_MAX_BYTES.wecom);
    expect(md.markdown).toContain('400个单位逾期未报送');
    expect(md.markdown).toContain(`**第1执法局**：2025年度，截止2026年1月31日（星期六）24:00前，已逾期3天 [查看](${CONSOLE}/cycles/`);
    expect(md.markdown).toContain('内容较长');
    expect(md.markdown).toContain(`[登录督办系统管理台查看](${CONSOLE}/cycles?duty=enforcement-statistics)`);
  });
});

describe('bundleKeyOf', () => {
  const bundling: Bundling = {
    dutyCode: 'enforcement-statistics',
    instant: '2026-02-02T01:00:00.000Z',
    windowMs: 60_000,
    render: () => ({ subject: '', text: '', html: '' }),
  };
  const t = { channel: 'email', address: 'supervisor@x.gov.cn' };

  it('is the same for every step planned in the same window, and differs by channel, address, kind and window', () => {
    const key = bundleKeyOf(t, { kind: 'escalation' }, bundling);
    expect(key).toBe('bundle:enforcement-statistics:escalation:2026-02-02T01:00:00.000Z:email:supervisor@x.gov.cn');
    expect(bundleKeyOf(t, { kind: 'escalation' }, { ...bundling, instant: '2026-02-02T01:00:59.999Z' })).toBe(key);
    expect(bundleKeyOf(t, { kind: 'escalation' }, { ...bundling, instant: '2026-02-02T01:01:00.000Z' })).not.toBe(key);
    expect(bundleKeyOf(t, { kind: 'reminder' }, bundling)).not.toBe(key);
    expect(bundleKeyOf({ ...t, channel: 'wecom' }, { kind: 'escalation' }, bundling)).not.toBe(key);
    expect(bundleKeyOf({ ...t, address: 'other@x.gov.cn' }, { kind: 'escalation' }, bundling)).not.toBe(key);
  });
});
