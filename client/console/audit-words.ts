// Audit rows as the console's readers read them: the action and the detail's keys in Chinese. The
// stored rows (db/audit.ts) keep their English action codes and JSON; only the rendering changes.

/** Actions, by their code without the `<via>.` / `<via>.denied.` prefix the service adds (client/service/context.ts). */
const ACTIONS: Record<string, string> = {
  submit: '提交报送',
  extend: '延期',
  waive: '免报',
  close: '关闭',
  backdate: '补录报送时间',
  occurrence: '登记开展情况',
  activity: '登记活动',
  'cycle.open': '开启周期',
  'cycle.extend': '延期',
  'cycle.waive': '免报',
  'cycle.close': '关闭周期',
  'cycle.backdate': '补录报送时间',
  'cycle.correct-provisional': '更正暂定截止时间',
  'cycle.reindex': '重建周期索引',
  'window.activity': '登记活动',
  'recipients.missing': '无收件人',
  'delivery.failed': '邮件投递失败',
  'event.start': '启动事件义务',
  'incident.report': '上报突发事件',
  'incident.release': '登记发布',
  'incident.publish': '登记发布',
  'incident.press': '登记新闻发布会',
  'incident.correct': '更正发生时间',
  'incident.close': '关闭事件',
  'calendar.load': '载入节假日安排',
  'calendar.correct-provisional': '更正暂定截止时间',
  'review.start': '发起评查',
  'review.finding': '记录评查发现',
  'review.self-check': '提交自查材料',
  'review.close': '结束评查',
  'review.item.add': '添加整改事项',
  'review.item.progress': '报告整改进展',
  'review.item.request-extension': '申请整改延期',
  'review.item.extend': '批准整改延期',
  'review.item.refuse-extension': '不予批准整改延期',
  'review.item.rectified': '报告整改完成',
  'review.item.accept': '销号',
  'review.item.reject': '退回整改',
  'units.import': '导入单位',
  'units.import.refused': '确认导入单位被拒绝',
  'catalog.switch': '启用目录版本',
  'catalog.reject': '拒绝目录版本',
  'schedules.sync': '同步计划任务',
  'schedules.pause': '暂停计划任务',
  'schedules.unpause': '恢复计划任务',
  'schedules.trigger': '立即运行计划任务',
  'schedules.backfill': '补开计划任务',
  'audit.read': '查看审计日志',
  'auth.sign-in': '登录',
  'auth.sign-in.failed': '登录失败',
  'auth.sign-out': '退出登录',
  'auth.password.change': '修改密码',
  'auth.password.change.failed': '修改密码失败',
  'users.add': '添加用户',
  'users.disable': '停用用户',
  'users.token.create': '创建令牌',
  'users.token.revoke': '吊销令牌',
};

const VIA: Record<string, string> = { console: '管理台', cli: '命令行' };

/** `console.submit` → 提交报送（管理台）; `cli.denied.extend` → 延期（命令行，被拒绝）; `cycle.waive` → 免报. */
export function auditActionLabel(action: string): string {
  const m = /^(console|cli)\.(denied\.)?(.+)$/.exec(action);
  if (!m) return ACTIONS[action] ?? action;
  const what = ACTIONS[m[3]!] ?? m[3]!;
  return `${what}（${VIA[m[1]!]}${m[2] ? '，被拒绝' : ''}）`;
}

const KEYS: Record<string, string> = {
  reason: '理由',
  reference: '文号',
  evidenceUrl: '证明材料',
  note: '备注',
  submittedAt: '报送时间',
  recordedAt: '登记时间',
  newDueDate: '新截止日期',
  from: '原期限',
  to: '新期限',
  revision: '计划修订',
  via: '途径',
  outcome: '结果',
  result: '返回',
  unitsCreated: '新增单位',
  unitsUpdated: '变更单位',
  unitsUnchanged: '未变单位',
  contactsCreated: '新增联系人',
  contactsUpdated: '变更联系人',
  contactsUnchanged: '未变联系人',
  sha256: '文件哈希',
  file: '文件',
  error: '原因',
  code: '代码',
  message: '说明',
  zh: '原因',
  field: '字段',
  duty: '义务',
  period: '周期',
  unit: '单位',
  unitId: '单位',
  access: '身份',
  step: '步骤',
  missing: '缺少',
  email: '邮箱',
  attempts: '尝试次数',
  key: '通知编号',
  activityId: '活动编号',
  date: '日期',
  title: '名称',
  kind: '类型',
  classification: '与窗口期关系',
  flagged: '已标记',
  occurredOn: '开展日期',
  amount: '数量',
  subject: '对象',
  year: '年度',
  dueBefore: '原截止时间',
  dueAfter: '更正后截止时间',
  moved: '已更正',
  changes: '变化',
  scheduleId: '计划任务',
  paused: '已暂停',
  changed: '有改动',
  opensAt: '开启时间',
};

const VALUES: Record<string, string> = {
  console: '管理台',
  cli: '命令行',
  ok: '成功',
  refused: '被拒绝',
  failed: '失败',
  admin: '管理员',
  operator: '运营人员',
  unit: '单位用户',
  planned: '计划',
  held: '已开展',
  inside: '窗口期内',
  before: '早于窗口期',
  after: '晚于窗口期',
  // refusal codes (contracts/refusal.ts)
  required: '缺少必填项',
  invalid: '无效',
  past: '时间已过',
  future: '时间晚于现在',
  unauthenticated: '未登录',
  forbidden: '无权限',
  'other-unit': '非本单位',
  'not-found': '不存在',
  ended: '已结束',
  duplicate: '重复',
  conflict: '冲突',
};

function valueText(v: unknown): string {
  if (typeof v === 'string') return VALUES[v] ?? v;
  if (typeof v === 'boolean') return v ? '是' : '否';
  if (v === null || v === undefined) return '—';
  if (typeof v !== 'object') return String(v);
  if (Array.isArray(v)) return v.map(valueText).join('、');
  // A carried refusal reads by its Chinese sentence.
  const zh = (v as { zh?: unknown }).zh;
  if (typeof zh === 'string') return zh;
  return Object.entries(v as Record<string, unknown>)
    .map(([k, x]) => `${KEYS[k] ?? k}：${valueText(x)}`)
    .join('，');
}

/** An audit row's JSON detail as `理由：…；结果：成功`; text that is not a JSON object is shown as it is. */
export function auditDetailText(json: string): string {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    return json;
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return valueText(v);
  const o = v as Record<string, unknown>;
  return (
    Object.entries(o)
      // A refusal's English message is for logs and the CLI; its Chinese sentence is shown instead.
      .filter(([k, x]) => x !== undefined && x !== null && !(k === 'message' && typeof o.zh === 'string'))
      .map(([k, x]) => `${KEYS[k] ?? k}：${valueText(x)}`)
      .join('；')
  );
}
