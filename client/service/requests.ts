// Request bodies the service accepts (what a face sends, without the actor). TEMPORARY home: these
// move to contracts/*.ts as the request schemas shared with the workflows' update validators.
import { DateTime } from 'luxon';
import { z } from 'zod';
import { INCIDENT_LEVELS } from '../../contracts/incident';
import { CST, parseInstant } from '../../domain/time';

const blankAsAbsent = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const requiredText = (label: string, max: number) =>
  z.string({ error: `${label}不能为空` }).trim().min(1, { error: `${label}不能为空` }).max(max, { error: `${label}不能超过${max}个字` });
const optionalText = (label: string, max: number) =>
  z.preprocess(blankAsAbsent, z.string({ error: `${label}必须是文本` }).trim().max(max, { error: `${label}不能超过${max}个字` }).optional());
const reasonText = (label = '理由') =>
  z.string({ error: `${label}不能为空` }).trim().min(2, { error: `${label}不能为空，至少写2个字` }).max(1000, { error: `${label}不能超过1000个字` });
const httpUrl = (label: string) =>
  z
    .string({ error: `${label}不能为空` })
    .trim()
    .regex(/^https?:\/\/\S+$/, { error: `${label}必须是以 http:// 或 https:// 开头的网址` })
    .max(2000, { error: `${label}过长` });
const optionalHttpUrl = (label: string) => z.preprocess(blankAsAbsent, httpUrl(label).optional());
const instant = (label: string) =>
  z
    .string({ error: `${label}不能为空` })
    .trim()
    .superRefine((s, ctx) => {
      try {
        parseInstant(s, label);
      } catch {
        ctx.addIssue({ code: 'custom', message: `${label}须为带时区的 ISO-8601 时刻，例如 2026-05-01T22:30:00+08:00` });
      }
    });
const optionalInstant = (label: string) => z.preprocess(blankAsAbsent, instant(label).optional());
/** Forms and flags send text; texts are checked by client/entry-input.ts. */
const formText = z.preprocess(blankAsAbsent, z.string({ error: '必须是文本' }).optional());

export const submitBody = z.strictObject({
  reference: requiredText('报送文号', 200),
  evidenceUrl: optionalHttpUrl('证明材料链接'),
  note: optionalText('备注', 2000),
  submittedAt: optionalInstant('报送时间'),
});

export const extendBody = z.strictObject({
  newDueDate: z
    .string({ error: '新截止日期不能为空' })
    .trim()
    .min(1, { error: '新截止日期不能为空' })
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: '新截止日期须写作 YYYY-MM-DD，例如 2026-03-15' })
    .refine((s) => DateTime.fromISO(s, { zone: CST }).isValid, { error: '新截止日期不是有效的日历日期' }),
  reason: reasonText(),
});

export const adminBody = z.strictObject({ reason: reasonText() });

export const occurrenceBody = z.strictObject({
  occurredOn: formText,
  amount: z.preprocess(blankAsAbsent, z.union([z.number(), z.string()], { error: '数量必须是大于0的数字' }).optional()),
  subject: formText,
  reference: formText,
  evidenceUrl: formText,
  note: formText,
});

export const activityBody = z.strictObject({ date: formText, title: formText, kind: formText, reference: formText });

export const reportBody = z.strictObject({
  level: z.enum(INCIDENT_LEVELS, { error: `事件级别只能是 ${INCIDENT_LEVELS.join('、')}` }),
  title: requiredText('事件名称', 200),
  unitId: requiredText('报告单位', 64),
  occurredAt: instant('发生时间'),
  awareAt: optionalInstant('获知时间'),
  place: optionalText('发生地点', 200),
  contacts: optionalText('联系人', 500),
});
export const releaseBody = z.strictObject({
  at: instant('发布时间'),
  url: httpUrl('发布链接'),
  channel: optionalText('发布渠道', 100),
  reason: z.preprocess(blankAsAbsent, reasonText('迟延原因').optional()),
});
export const pressBody = z.strictObject({ at: instant('发布会时间'), place: optionalText('发布会地点', 200) });
export const correctBody = z.strictObject({ occurredAt: instant('发生时间'), reason: reasonText() });
export const closeIncidentBody = z.strictObject({ reason: z.preprocess(blankAsAbsent, reasonText().optional()) });

export const eventStartBody = z.strictObject({
  duty: requiredText('义务', 100),
  unitId: requiredText('责任单位', 64),
  at: requiredText('事件时间', 100),
  ref: optionalText('事件标识', 100),
});

// ---------------------------------------------------------------- reviews
const longText = (label: string, max = 2000) =>
  z.string({ error: `${label}不能为空` }).trim().min(2, { error: `${label}不能为空，至少写2个字` }).max(max, { error: `${label}不能超过${max}个字` });

export const startReviewBody = z.strictObject({
  kind: requiredText('评查类型', 64),
  title: longText('评查名称', 200),
  scope: requiredText('评查范围', 2000),
  dueAt: instant('自查材料报送截止时间'),
  basis: optionalText('依据', 1000),
  reviewingUnitId: optionalText('评查单位', 64),
  duty: optionalText('义务', 100),
});
export const findingBody = z.strictObject({ unitId: requiredText('单位', 64), text: longText('发现问题') });
export const selfCheckBody = z.strictObject({ unitId: requiredText('单位', 64), reference: longText('自查报告文号') });
export const closeReviewBody = z.strictObject({ summary: longText('评查总结') });
export const addItemBody = z.strictObject({
  unitId: requiredText('整改事项的责任单位', 64),
  text: longText('整改事项'),
  dueAt: instant('整改时限'),
  reportEvery: optionalText('进展报告周期', 20),
});
export const itemTextBody = z.strictObject({ text: longText('说明') });
export const extensionBody = z.strictObject({ to: instant('新的整改时限'), reason: reasonText() });
export const reasonBody = z.strictObject({ reason: reasonText() });
export const rejectBody = z.strictObject({ reason: reasonText(), dueAt: optionalInstant('新的整改时限') });
export const emptyBody = z.strictObject({});
