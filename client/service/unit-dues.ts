// 本单位待办: what a unit owes and by when: its cycles that are still open, overdue or escalated, the
// earliest due first. The landing page of a unit user (access 'unit'), whose scope is their unit.
import type { PrismaClient } from '../../db/client';
import type { Scope } from '../auth/scope';
import { findCycles, type CycleRow } from './cycles';
import { OWING_STATES } from './deadline-month';

export function unitDues(prisma: PrismaClient, scope: Scope, limit: number): Promise<{ rows: CycleRow[]; total: number }> {
  return findCycles(prisma, { state: { in: OWING_STATES } }, scope, limit);
}
