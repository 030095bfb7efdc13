// How a recurring duty's rule reads in Chinese, for the CLI, the console and mail: 每年1月31日前,
// 每季度结束后15日内, 2024年12月31日前, 每年至少3次, 每季度首月第1–14日 …
import type { Duty, PeriodUnit } from './catalog/schema';

export const KIND_LABELS: Record<string, string> = {
  annual: '年度',
  quarterly: '季度',
  monthly: '月度',
  weekly: '每周',
  milestone: '节点',
  quota: '最低次数',
  window: '时间窗口',
  event: '事件触发',
  incident: '突发事件',
};

const PER_WORDS: Record<PeriodUnit, string> = { year: '每年', quarter: '每季度', month: '每月', week: '每周', years: '每{n}年' };
const PERIOD_WORDS = { quarterly: '季度', monthly: '月', weekly: '周' } as const;

function perWord(unit: PeriodUnit, spanYears?: number, perLabel?: string): string {
  if (unit === 'years') return perLabel ? `每${perLabel}` : PER_WORDS.years.replace('{n}', String(spanYears ?? ''));
  return PER_WORDS[unit];
}

/** The due rule in words (without the jurisdiction rules, which carry their own dates). */
export function describeDue(duty: Duty): string {
  switch (duty.kind) {
    case 'annual':
      return `每年${duty.due.month}月${duty.due.day}日前（报送上一年度）`;
    case 'quarterly':
    case 'monthly':
    case 'weekly': {
      const word = PERIOD_WORDS[duty.kind];
      return duty.due.daysAfterPeriod === 0 ? `每${word}最后一日前` : `每${word}结束后${duty.due.daysAfterPeriod}日内`;
    }
    case 'milestone': {
      const [y, m, d] = duty.due.split('-').map(Number);
      return `${y}年${m}月${d}日前`;
    }
    case 'quota': {
      const subject = duty.quota.perSubject ? `每${duty.quota.perSubject}` : '';
      return `${perWord(duty.per, duty.spanYears, duty.perLabel)}${subject}至少${duty.quota.minimum}${duty.quota.amountLabel}`;
    }
    case 'window': {
      const month = duty.per === 'quarter' ? '每季度' : '每年';
      const which = duty.per === 'quarter' && duty.window.monthOfPeriod === 1 ? '首月' : `第${duty.window.monthOfPeriod}个月`;
      return `${month}${which}第${duty.window.fromDay}–${duty.window.toDay}日内`;
    }
  }
}

/** When cycles open, in words. */
export function describeOpening(duty: Duty): string {
  switch (duty.kind) {
    case 'annual':
      return `次年${duty.opens.month}月${duty.opens.day}日 ${duty.opens.at}`;
    case 'milestone':
      return `${duty.opens.date} ${duty.opens.at}`;
    default:
      return `每期第一日 ${duty.opens.at}`;
  }
}
