// The audit trail (db/audit.ts) as the console's 审计日志 page reads it: filters checked field by
// field (a forged value is refused naming the field), newest first, 50 rows a page. Admins only.
import { DateTime } from 'luxon';
import type { AuditRecord } from '../../db/audit';
import { CST } from '../../domain/time';
import { requireAdmin, type Call, type DbDeps } from './context';
import { refuse } from './refusal';

export const AUDIT_PAGE_SIZE = 50;
const MAX_PAGE = 10_000;
const MAX_TEXT = 200;

export interface AuditFilter {
  actor?: string;
  action?: string;
  target?: string;
  /** CST calendar days, inclusive. */
  from?: string;
  to?: string;
  page: number;
}

export const AUDIT_FILTER_FIELDS: Record<Exclude<keyof AuditFilter, 'page'> | 'page', string> = {
  actor: '操作人',
  action: '操作',
  target: '对象',
  from: '起始日期',
  to: '截止日期',
  page: '页码',
};

function day(field: 'from' | 'to', value: string): DateTime {
  const d = /^\d{4}-\d{2}-\d{2}$/.test(value) ? DateTime.fromISO(value, { zone: CST }) : DateTime.invalid('format');
  if (!d.isValid)
    refuse(
      field,
      'invalid',
      `${AUDIT_FILTER_FIELDS[field]}（${field}）应为日期，如 2026-01-31`,
      `bad ${field} "${value}": write YYYY-MM-DD`,
    );
  return d;
}

/** The page's query as a filter; unknown parameters and malformed values are refused. */
export function cleanAuditFilter(query: Record<string, string>): AuditFilter {
  const filter: AuditFilter = { page: 1 };
  for (const [key, raw] of Object.entries(query)) {
    const value = raw.trim();
    if (!(key in AUDIT_FILTER_FIELDS)) refuse(key, 'invalid', `未知的筛选参数：${key}`, `unknown parameter "${key}"`);
    if (value === '') continue;
    const label = AUDIT_FILTER_FIELDS[key as keyof AuditFilter];
    if (value.length > MAX_TEXT || /[\u0000-\u001f]/.test(value))
      refuse(key, 'invalid', `${label}（${key}）不能超过 ${MAX_TEXT} 个字且不能含控制字符`, `bad ${key}: too long or control characters`);
    switch (key) {
      case 'actor':
      case 'target':
        filter[key] = value;
        break;
      case 'action':
        if (!/^[a-z][a-z0-9.:-]*$/.test(value))
          refuse('action', 'invalid', `操作（action）“${value}”不是有效的操作名`, `bad action "${value}"`);
        filter.action = value;
        break;
      case 'from':
      case 'to':
        day(key, value);
        filter[key] = value;
        break;
      case 'page': {
        const n = Number(value);
        if (!/^\d+$/.test(value) || n < 1 || n > MAX_PAGE)
          refuse('page', 'invalid', `页码（page）应为 1 到 ${MAX_PAGE} 的整数`, `bad page "${value}"`);
        filter.page = n;
        break;
      }
    }
  }
  if (filter.from && filter.to && filter.from > filter.to)
    refuse('to', 'invalid', '截止日期（to）不能早于起始日期（from）', 'to is before from');
  return filter;
}

export interface AuditPage {
  rows: AuditRecord[];
  total: number;
  page: number;
  pages: number;
}

/** One page of the audit trail, newest first. */
export async function listAudit(deps: DbDeps, call: Call, filter: AuditFilter): Promise<AuditPage> {
  await requireAdmin(deps, call, 'audit.read', 'audit', '查看审计日志', 'read the audit log');
  const at: { gte?: Date; lt?: Date } = {};
  if (filter.from) at.gte = day('from', filter.from).toJSDate();
  if (filter.to) at.lt = day('to', filter.to).plus({ days: 1 }).toJSDate();
  const where = {
    ...(filter.actor ? { actor: filter.actor } : {}),
    ...(filter.action ? { action: filter.action } : {}),
    ...(filter.target ? { target: { contains: filter.target } } : {}),
    ...(filter.from || filter.to ? { at } : {}),
  };
  const [total, rows] = await Promise.all([
    deps.prisma.auditLog.count({ where }),
    deps.prisma.auditLog.findMany({
      where,
      orderBy: [{ at: 'desc' }, { id: 'desc' }],
      skip: (filter.page - 1) * AUDIT_PAGE_SIZE,
      take: AUDIT_PAGE_SIZE,
    }),
  ]);
  return { rows, total, page: filter.page, pages: Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE)) };
}

/** The actions in the trail (for the filter's choices). */
export async function auditActions(deps: DbDeps): Promise<string[]> {
  const rows = await deps.prisma.auditLog.findMany({ distinct: ['action'], select: { action: true }, orderBy: { action: 'asc' } });
  return rows.map((r) => r.action);
}
