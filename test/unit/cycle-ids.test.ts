import { describe, expect, it } from 'vitest';
import { identityFromWorkflowId } from '../../domain/cycle-ids';
import { cycleWorkflowId } from '../../domain/types';
import { eventWorkflowId } from '../../domain/event-cycle';
import { reviewItemWorkflowId, reviewUnitWorkflowId } from '../../domain/review';

describe('identityFromWorkflowId', () => {
  it('reads duty, period and unit from each ID shape the index holds', () => {
    expect(identityFromWorkflowId(cycleWorkflowId('enforcement-statistics', '2025-Q2', '4601050004'))).toEqual({
      dutyCode: 'enforcement-statistics',
      period: '2025-Q2',
      unitId: '4601050004',
    });
    // 2026-09-28T02:00Z is 10:00 CST on the 28th; 2026-09-27T17:00Z is 01:00 CST on the 28th (the period is the CST date).
    expect(identityFromWorkflowId(eventWorkflowId('major-decision', '4601050001', '2026-09-27T17:00:00Z', 'x1'))).toEqual({
      dutyCode: 'major-decision',
      period: '2026-09-28',
      unitId: '4601050001',
    });
    expect(identityFromWorkflowId('incident:4601050001:20260501T003000+0800-374a7861')).toEqual({
      dutyCode: 'incident-disclosure',
      period: '2026-05-01',
      unitId: '4601050001',
    });
    expect(identityFromWorkflowId(reviewUnitWorkflowId('review:case-file-review-0a1b2c3d', '4601050004'))).toEqual({
      dutyCode: 'review:case-file-review',
      period: 'review:case-file-review-0a1b2c3d',
      unitId: '4601050004',
    });
    expect(identityFromWorkflowId(reviewItemWorkflowId('review:rectification-0a1b2c3d', 3))).toEqual({
      dutyCode: 'review:rectification',
      period: 'review:rectification-0a1b2c3d',
    });
  });

  it('knows nothing of other IDs', () => {
    expect(identityFromWorkflowId('open:enforcement-statistics:2025')).toBeUndefined();
    expect(identityFromWorkflowId('review:unknown-kind-0a1b2c3d:unit-1')).toBeUndefined();
    expect(identityFromWorkflowId('obl:enforcement-statistics:2025')).toBeUndefined();
  });
});
