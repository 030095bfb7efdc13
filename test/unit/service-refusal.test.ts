// The service layer's error mapping: every refusal (its own, a workflow's, Temporal's) becomes one
// Refusal, answered by the console as { error: zh, field, code } with a status by code, and by the CLI
// as one line `error: <field>: <zh> (<message>)` with the documented exit code.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import {
  parseRequest,
  refusalFrom,
  refusalJson,
  refusalLine,
  RefusalError,
  STATUS_OF_CODE,
  type Refusal,
} from '../../client/service/refusal';
import { exitOfStatus, EXIT } from '../../client/cli/errors';
import { refusal as workflowRefusal } from '../../contracts/refusal';
import { submitFields } from '../../contracts/cycle';

const r: Refusal = { field: 'reference', code: 'required', zh: '报送文号不能为空', message: 'reference: is required' };

describe('a refusal on each face', () => {
  it('console JSON and CLI line carry the same field and Chinese text', () => {
    expect(refusalJson(r)).toEqual({ error: '报送文号不能为空', field: 'reference', code: 'required' });
    expect(refusalLine(r)).toBe('reference: 报送文号不能为空 (reference: is required)');
    expect(refusalLine({ ...r, field: '' })).toBe('报送文号不能为空 (reference: is required)');
  });

  it('the status follows the code, and the exit code the status', () => {
    const cases: [Refusal['code'], number, number][] = [
      ['required', 400, EXIT.badInput],
      ['invalid', 400, EXIT.badInput],
      ['past', 400, EXIT.badInput],
      ['future', 400, EXIT.badInput],
      ['unauthenticated', 401, EXIT.notPermitted],
      ['forbidden', 403, EXIT.notPermitted],
      ['other-unit', 403, EXIT.notPermitted],
      ['not-found', 404, EXIT.notFound],
      ['ended', 409, EXIT.badInput],
      ['duplicate', 409, EXIT.badInput],
      ['conflict', 409, EXIT.badInput],
    ];
    for (const [code, status, exit] of cases) {
      const e = new RefusalError({ ...r, code });
      expect([code, e.status, exitOfStatus(e.status)]).toEqual([code, status, exit]);
    }
    expect(Object.keys(STATUS_OF_CODE).sort()).toEqual(cases.map((c) => c[0]).sort());
    // A backend that could not be asked is a failure (1), whatever the code.
    expect(exitOfStatus(new RefusalError({ ...r, code: 'conflict' }, 502).status)).toBe(EXIT.failure);
  });
});

describe('refusalFrom: what an error stands for', () => {
  it("reads a workflow's refusal through the update failure, without looking at its text", () => {
    const carried: Refusal = { field: 'newDueDate', code: 'past', zh: '新截止日期已经过去', message: 'newDueDate is already past' };
    const failure = new WorkflowUpdateFailedError('Workflow Update failed', workflowRefusal(carried));
    expect(refusalFrom(failure)?.refusal).toEqual(carried);
    expect(refusalFrom(failure)?.status).toBe(400);
  });

  it("maps a validator's plain error to a conflict with its message, a missing workflow to not-found", () => {
    const plain = new WorkflowUpdateFailedError(
      'Workflow Update failed',
      ApplicationFailure.create({ message: 'cycle is already submitted' }),
    );
    expect(refusalFrom(plain)?.refusal).toEqual({
      field: '',
      code: 'conflict',
      zh: '工作流拒绝了该操作：cycle is already submitted',
      message: 'cycle is already submitted',
    });
    const missing = refusalFrom(new WorkflowNotFoundError('not found', 'obl:x:2025:unit-1', undefined), {
      id: 'obl:x:2025:unit-1',
      what: '周期',
    });
    expect(missing?.refusal).toMatchObject({ code: 'not-found', zh: '找不到周期 obl:x:2025:unit-1' });
    expect(missing?.status).toBe(404);
  });

  it('leaves any other error alone (a failure, not a refusal)', () => {
    expect(refusalFrom(new Error('ECONNREFUSED'))).toBeUndefined();
    const own = new RefusalError(r);
    expect(refusalFrom(own)).toBe(own);
  });
});

describe('parseRequest: one schema per request', () => {
  const fields = submitFields.strict();

  it('names the field, required apart from invalid, in the schema’s Chinese', () => {
    const refused = (body: unknown) => {
      try {
        parseRequest(fields, body);
      } catch (e) {
        return (e as RefusalError).refusal;
      }
      throw new Error('accepted');
    };
    expect(refused({ reference: ' ' })).toMatchObject({ field: 'reference', code: 'required', zh: '报送文号不能为空' });
    expect(refused({ reference: 'x', evidenceUrl: 'javascript:alert(1)' })).toMatchObject({ field: 'evidenceUrl', code: 'invalid' });
    expect(refused({ reference: 'x', refrence: 'x' })).toEqual({
      field: 'refrence',
      code: 'invalid',
      zh: '未知字段：refrence',
      message: 'unknown field "refrence"',
    });
    expect(refused([])).toMatchObject({ field: '', code: 'invalid', zh: '请求体必须是 JSON 对象' });
    expect(parseRequest(fields, { reference: ' 秀市监〔2026〕1号 ', note: '' })).toEqual({ reference: '秀市监〔2026〕1号' });
  });

  it('works with any zod schema', () => {
    expect(parseRequest(z.strictObject({ n: z.number() }), { n: 1 })).toEqual({ n: 1 });
  });
});
