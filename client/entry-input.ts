// What a window cycle's activity must satisfy beyond its shape (contracts/window.ts activityFields:
// a calendar date, a title, planned or held): checked before the update is sent, for the CLI
// (`window schedule`) and the console (登记督查检查考核活动) alike. The workflow checks again in its
// update validator, which stays the authority. A quota occurrence's rules are domain/quota
// validateOccurrence, called by the service layer itself.
import { classifyWindowDate, cstDateOf, windowDayRange } from '../domain/window';
import type { WindowTerms } from '../domain/types';
import type { WindowActivityKind } from '../contracts/window';
import { refuse } from './service/refusal';

export interface ActivityFields {
  date: string;
  title: string;
  /** planned (default) or held. */
  kind?: WindowActivityKind;
  reference?: string;
}

export interface ActivityEntry {
  date: string;
  title: string;
  kind: WindowActivityKind;
  reference?: string;
}

/**
 * One activity of a window cycle: its date inside the cycle's period (one outside the window is
 * accepted, and flagged by the workflow); held only once it has taken place.
 */
export function activityEntry(window: WindowTerms, period: string, fields: ActivityFields, nowMs: number): ActivityEntry {
  const { date, title, reference } = fields;
  if (classifyWindowDate(date, window) === 'outside-period') {
    const { periodFirst, periodLast } = windowDayRange(window);
    refuse(
      'date',
      'invalid',
      `日期 ${date} 不在本周期（${periodFirst} 至 ${periodLast}）内：请在该日期所在周期中登记`,
      `date ${date} is not in cycle ${period} (${periodFirst} to ${periodLast}); record it in that period's own cycle`,
    );
  }
  const kind = fields.kind ?? 'planned';
  const today = cstDateOf(nowMs);
  if (kind === 'held' && date > today) {
    refuse(
      'date',
      'future',
      `日期 ${date} 晚于今天（${today}）：尚未开展的活动请登记为“计划”`,
      `date ${date} is in the future (today is ${today} CST): an activity not yet held is planned, not held`,
    );
  }
  return { date, title, kind, ...(reference ? { reference } : {}) };
}
