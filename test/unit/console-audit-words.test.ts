// The console's Chinese reading of audit rows (client/console/audit-words.ts): actions and detail keys.
import { describe, expect, it } from 'vitest';
import { auditActionLabel, auditDetailText } from '../../client/console/audit-words';

describe('auditActionLabel', () => {
  it('reads the service prefix, a refusal and a workflow action', () => {
    expect(auditActionLabel('console.submit')).toBe('提交报送（管理台）');
    expect(auditActionLabel('cli.denied.extend')).toBe('延期（命令行，被拒绝）');
    expect(auditActionLabel('cycle.waive')).toBe('免报');
    expect(auditActionLabel('window.activity')).toBe('登记活动');
    expect(auditActionLabel('console.schedules.pause')).toBe('暂停计划任务（管理台）');
    expect(auditActionLabel('cli.denied.schedules.backfill')).toBe('补开计划任务（命令行，被拒绝）');
    expect(auditActionLabel('auth.sign-in')).toBe('登录');
  });

  it('keeps an action it does not know as its code', () => {
    expect(auditActionLabel('console.something-new')).toBe('something-new（管理台）');
    expect(auditActionLabel('x.y')).toBe('x.y');
  });
});

describe('auditDetailText', () => {
  it('names the keys and values in Chinese', () => {
    expect(auditDetailText(JSON.stringify({ reason: '机构改革', via: 'console', outcome: 'ok' }))).toBe(
      '理由：机构改革；途径：管理台；结果：成功',
    );
  });

  it("shows a refusal's Chinese sentence, not its English message", () => {
    const denied = {
      access: 'unit',
      unitId: '4601050004',
      code: 'forbidden',
      zh: '只有管理员可以免报',
      message: 'only an admin may waive a cycle',
    };
    const text = auditDetailText(JSON.stringify(denied));
    expect(text).toBe('身份：单位用户；单位：4601050004；代码：无权限；原因：只有管理员可以免报');
    const refused = {
      reference: 'x',
      outcome: 'refused',
      error: { field: 'reference', code: 'duplicate', zh: '不能重复报送', message: 'already submitted' },
    };
    expect(auditDetailText(JSON.stringify(refused))).toBe('文号：x；结果：被拒绝；原因：不能重复报送');
  });

  it('shows text that is not JSON as it is', () => {
    expect(auditDetailText('not json')).toBe('not json');
  });
});
