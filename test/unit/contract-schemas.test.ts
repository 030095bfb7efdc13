// The request schemas in contracts/ are what both the workflows' update validators and the service
// layer judge a request by: each refusal names the field, carries a code and says why in Chinese.
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import { parseOrRefuse, refusalOf, type Refusal } from '../../contracts/refusal';
import { adminRequestSchema, extendRequestSchema, submitRequestSchema, type AdminRequest, type ExtendRequest, type SubmitRequest } from '../../contracts/cycle';
import { recordOccurrenceRequestSchema, type RecordOccurrenceRequest } from '../../contracts/quota';
import { scheduleActivityRequestSchema, type ScheduleActivityRequest } from '../../contracts/window';
import {
  closeIncidentRequestSchema,
  correctOccurrenceRequestSchema,
  pressRequestSchema,
  releaseRequestSchema,
  type CloseIncidentRequest,
  type CorrectOccurrenceRequest,
  type PressRequest,
  type ReleaseRequest,
} from '../../contracts/incident';
import { addItemRequestSchema, extensionAskSchema, rejectItemRequestSchema, type AddItemRequest, type ExtensionAsk, type RejectRequest } from '../../contracts/review';

const clerk = { id: 'clerk@x.gov.cn', access: 'unit' as const, unitId: 'u1' };
const admin = { id: 'admin@x.gov.cn', access: 'admin' as const };

function refusalFor(schema: z.ZodType, value: unknown): Refusal {
  try {
    parseOrRefuse(schema, value);
  } catch (e) {
    const r = refusalOf(e);
    if (r) return r;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('request schemas', () => {
  it('parse into the request types the workflows declare', () => {
    expectTypeOf<z.output<typeof submitRequestSchema>>().toExtend<SubmitRequest>();
    expectTypeOf<z.output<typeof extendRequestSchema>>().toExtend<ExtendRequest>();
    expectTypeOf<z.output<typeof adminRequestSchema>>().toExtend<AdminRequest>();
    expectTypeOf<z.output<typeof recordOccurrenceRequestSchema>>().toExtend<RecordOccurrenceRequest>();
    expectTypeOf<z.output<typeof scheduleActivityRequestSchema>>().toExtend<ScheduleActivityRequest>();
    expectTypeOf<z.output<typeof releaseRequestSchema>>().toExtend<ReleaseRequest>();
    expectTypeOf<z.output<typeof pressRequestSchema>>().toExtend<PressRequest>();
    expectTypeOf<z.output<typeof correctOccurrenceRequestSchema>>().toExtend<CorrectOccurrenceRequest>();
    expectTypeOf<z.output<typeof closeIncidentRequestSchema>>().toExtend<CloseIncidentRequest>();
    expectTypeOf<z.output<typeof addItemRequestSchema>>().toExtend<AddItemRequest>();
    expectTypeOf<z.output<typeof extensionAskSchema>>().toExtend<ExtensionAsk>();
    expectTypeOf<z.output<typeof rejectItemRequestSchema>>().toExtend<RejectRequest>();
  });

  it('trim texts and treat blank optional fields as absent', () => {
    const req = parseOrRefuse(submitRequestSchema, { actor: clerk, unitId: 'u1', reference: '  秀司〔2026〕1号 ', evidenceUrl: ' ', note: '' });
    expect(req).toEqual({ actor: clerk, unitId: 'u1', reference: '秀司〔2026〕1号' });
  });

  it.each([
    [submitRequestSchema, { actor: clerk, unitId: 'u1', reference: '   ' }, 'reference', '报送文号不能为空'],
    [submitRequestSchema, { actor: clerk, unitId: 'u1' }, 'reference', '报送文号不能为空'],
    [submitRequestSchema, { actor: clerk, unitId: 'u1', reference: 'a', evidenceUrl: 'ftp://x' }, 'evidenceUrl', '证明材料链接必须是以 http:// 或 https:// 开头的网址'],
    [submitRequestSchema, { actor: clerk, unitId: 'u1', reference: 'a', submittedAt: '2026-01-01 10:00' }, 'submittedAt', '实际报送时间须带时区，例如 2026-06-30T18:00:00+08:00'],
    [submitRequestSchema, { unitId: 'u1', reference: 'a' }, 'actor', '缺少操作人'],
    [extendRequestSchema, { actor: admin, newDueDate: '2026-02-30', reason: '系统升级' }, 'newDueDate', '新截止日期不是有效的日历日期'],
    [extendRequestSchema, { actor: admin, newDueDate: '15/03/2026', reason: '系统升级' }, 'newDueDate', '新截止日期须写作 YYYY-MM-DD，例如 2026-03-15'],
    [adminRequestSchema, { actor: admin, reason: 'x' }, 'reason', '理由不能为空，至少写2个字'],
    [recordOccurrenceRequestSchema, { actor: clerk, unitId: 'u1', occurredOn: '2026-03-01', amount: '0', reference: 'r' }, 'amount', '数量必须是大于0的数字'],
    [scheduleActivityRequestSchema, { actor: clerk, unitId: 'u1', date: '2026-04-02', title: 't', kind: 'maybe' }, 'kind', '类型须为 planned（计划）或 held（已开展）'],
    [releaseRequestSchema, { actor: admin, at: '2026-01-01T10:00:00+08:00', channel: '政府网站', url: 'weibo' }, 'url', '发布链接必须是以 http:// 或 https:// 开头的网址'],
  ] as const)('refuse %#: field %s', (schema, value, field, zh) => {
    const r = refusalFor(schema, value);
    expect(r.field).toBe(field);
    expect(r.zh).toBe(zh);
    const given = (value as Record<string, unknown>)[field];
    expect(r.code).toBe(given === undefined || (typeof given === 'string' && given.trim() === '') ? 'required' : 'invalid');
    expect(r.message).toMatch(new RegExp(`^${field.replace('.', '\\.')}: `));
  });

  it('take an amount typed as text', () => {
    expect(parseOrRefuse(recordOccurrenceRequestSchema, { actor: clerk, unitId: 'u1', occurredOn: '2026-03-01', amount: '2.5', reference: 'r' }).amount).toBe(2.5);
  });
});
