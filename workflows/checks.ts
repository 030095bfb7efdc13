// The checks every workflow's validators share, each a Refusal ({ field, code, zh, message }) thrown as
// an ApplicationFailure of type Refusal: a validator rejects the update with it, and a handler that
// checks again under the lock fails the update with it (a plain Error there would fail the workflow task).
import type { Actor } from '../contracts/cycle';
import { refuse } from '../contracts/refusal';
import { PART_STATE_LABELS } from '../domain/review';

const STATE_ZH: Record<string, string> = { ...PART_STATE_LABELS, waived: '已免报', met: '已达标', short: '未达标', flagged: '已标记' };

/** 已报送, 已关闭 … for a refusal's Chinese text. */
export const stateZh = (state: string): string => STATE_ZH[state] ?? state;

/** Only an admin may do this: `zhWhat` completes "只有管理员可以…". */
export function requireAdmin(actor: Actor | undefined, what: string, zhWhat: string): void {
  if (actor?.access === 'admin') return;
  refuse({
    field: 'actor',
    code: 'forbidden',
    zh: `只有管理员可以${zhWhat}`,
    message: `only an admin may ${what}; ${actor?.id ?? 'unknown'} is ${actor?.access ?? 'anonymous'}`,
  });
}

/** An operator reads but does not change anything. */
export function refuseOperator(actor: Actor | undefined, what: string, zhWhat: string): void {
  if (actor?.access !== 'operator') return;
  refuse({ field: 'actor', code: 'forbidden', zh: `运维人员只能查看，不能${zhWhat}`, message: `operators may read but not ${what}` });
}

/** A unit user acts only for its own unit. */
export function requireOwnUnitUser(actor: Actor | undefined, unitId: string, what: string): void {
  if (actor?.access !== 'unit' || actor.unitId === unitId) return;
  refuse({
    field: 'actor.unitId',
    code: 'other-unit',
    zh: `只能为本单位办理（本事项属于单位 ${unitId}）`,
    message: `${actor.id} may ${what} only for unit ${actor.unitId ?? '(none)'}`,
  });
}

/** The request names the workflow's own unit. */
export function requireThisUnit(unitId: string | undefined, own: string): void {
  if (unitId === own) return;
  refuse({ field: 'unitId', code: 'other-unit', zh: `单位 ${unitId ?? '（空）'} 不是本事项的责任单位 ${own}`, message: `unitId ${unitId} is not this cycle's unit ${own}` });
}

/** An identified admin or unit user. */
export function requireActor(actor: Actor | undefined): void {
  if (actor?.access === 'admin' || actor?.access === 'unit') {
    if (typeof actor.id === 'string' && actor.id !== '') return;
  }
  refuse({ field: 'actor', code: 'unauthenticated', zh: '无法确认操作人身份', message: 'actor is required' });
}

/** A reason of at least two characters. */
export function requireReason(reason: unknown, field = 'reason', message = 'reason is required', zh = '请填写理由（至少2个字）'): void {
  if (typeof reason === 'string' && reason.trim().length >= 2) return;
  refuse({ field, code: 'required', zh, message });
}

/** The thing has ended (submitted, waived, closed …) and takes no more of this. */
export function refuseEnded(message: string, zh: string, field = ''): never {
  return refuse({ field, code: 'ended', zh, message });
}

/** Only that unit's users or an admin (a review's part or item). */
export function requireUnitOrAdmin(actor: Actor | undefined, unitId: string, what: string, zhWhat: string): void {
  if (actor?.access === 'admin') return;
  if (actor?.access === 'unit' && actor.unitId === unitId) return;
  refuse({
    field: actor?.access === 'unit' ? 'actor.unitId' : 'actor',
    code: actor?.access === 'unit' ? 'other-unit' : 'forbidden',
    zh: `只有单位 ${unitId} 的用户或管理员可以${zhWhat}`,
    message: `${actor?.id ?? 'unknown'} (${actor?.access ?? 'anonymous'}) may not ${what} for unit ${unitId}; only that unit's users or an admin may`,
  });
}
