// Typed search attributes on every cycle workflow, so operators can filter in the Temporal UI/CLI,
// e.g. `DutyCode = "enforcement-statistics" AND CycleState = "overdue" AND UnitPath = "4111"`.
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';
import type { CycleInput } from '../domain/types';

export const DutyCode = defineSearchAttributeKey('DutyCode', SearchAttributeType.KEYWORD);
export const UnitId = defineSearchAttributeKey('UnitId', SearchAttributeType.KEYWORD);
export const UnitPath = defineSearchAttributeKey('UnitPath', SearchAttributeType.KEYWORD_LIST);
export const Period = defineSearchAttributeKey('Period', SearchAttributeType.KEYWORD);
export const DueAt = defineSearchAttributeKey('DueAt', SearchAttributeType.DATETIME);
export const CycleState = defineSearchAttributeKey('CycleState', SearchAttributeType.KEYWORD);

/** Name → server type, for registering them (`temporal server start-dev --search-attribute`, operator API). */
export const searchAttributeTypes = {
  DutyCode: 'Keyword',
  UnitId: 'Keyword',
  UnitPath: 'KeywordList',
  Period: 'Keyword',
  DueAt: 'Datetime',
  CycleState: 'Keyword',
} as const;

/** A new cycle's search attributes, as whoever starts it (the fan-out, a review, a benchmark) sets them. */
export function openCycleSearchAttributes(cycle: CycleInput): SearchAttributePair[] {
  return [
    { key: DutyCode, value: cycle.dutyCode },
    { key: UnitId, value: cycle.unitId },
    { key: UnitPath, value: cycle.unitPath },
    { key: Period, value: cycle.period },
    { key: DueAt, value: new Date(cycle.plan.dueAt) },
    { key: CycleState, value: 'open' },
  ];
}
