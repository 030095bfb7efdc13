// The field types every request schema is built from, with the Chinese messages a user reads when a
// field is wrong. Pure zod, no Node APIs: workflows validate updates with the same schemas as the
// service layer (contracts/*.ts), so a request is judged once by one definition.
import { z } from 'zod';
import { cstDayStartMs } from '../domain/cst-day';

/** Empty form fields arrive as "" (HTML forms, CLI flags given empty): treat them as absent. */
const blankAsAbsent = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** A required text, trimmed, 1..max characters. */
export const requiredText = (label: string, max: number) =>
  z
    .string({ error: `${label}不能为空` })
    .trim()
    .min(1, { error: `${label}不能为空` })
    .max(max, { error: `${label}不能超过${max}个字` });

/** An optional text; blank counts as absent. */
export const optionalText = (label: string, max: number) =>
  z.preprocess(blankAsAbsent, z.string({ error: `${label}必须是文本` }).trim().max(max, { error: `${label}不能超过${max}个字` }).optional());

/** An admin's reason (理由): at least two characters, so "." or "x" is not a reason. */
export const reasonText = (label = '理由') =>
  z
    .string({ error: `${label}不能为空` })
    .trim()
    .min(2, { error: `${label}不能为空，至少写2个字` })
    .max(1000, { error: `${label}不能超过1000个字` });

export const optionalHttpUrl = (label: string) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? (v.trim() === '' ? undefined : v.trim()) : v),
    z
      .string({ error: `${label}必须是文本` })
      .regex(/^https?:\/\/\S+$/, { error: `${label}必须是以 http:// 或 https:// 开头的网址` })
      .max(2000, { error: `${label}过长` })
      .optional(),
  );

/** A CST calendar day written YYYY-MM-DD. */
export const cstDate = (label: string) =>
  z
    .string({ error: `${label}不能为空，须写作 YYYY-MM-DD，例如 2026-03-15` })
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: `${label}须写作 YYYY-MM-DD，例如 2026-03-15` })
    .refine((s) => !Number.isNaN(cstDayStartMs(s)), { error: `${label}不是有效的日历日期` });

/** An ISO-8601 instant with an explicit offset (Z or +08:00), e.g. 2026-06-30T18:00:00+08:00. */
export const instant = (label: string) =>
  z
    .string({ error: `${label}不能为空，须写作带时区的时间，例如 2026-06-30T18:00:00+08:00` })
    .trim()
    .regex(/(Z|[+-]\d{2}:?\d{2})$/i, { error: `${label}须带时区，例如 2026-06-30T18:00:00+08:00` })
    .refine((s) => !Number.isNaN(Date.parse(s)), { error: `${label}不是有效的时间` });

export const optionalInstant = (label: string) => z.preprocess(blankAsAbsent, instant(label).optional());

/** Who is acting. The service layer fills it from the authenticated session or token, never from the request body. */
export const actorSchema = z.object(
  {
    id: z.string({ error: '缺少操作人' }).min(1, { error: '缺少操作人' }),
    access: z.enum(['admin', 'operator', 'unit'], { error: '操作人的角色无效' }),
    unitId: z.string().optional(),
  },
  { error: '缺少操作人' },
);

export const unitIdField = z.string({ error: '缺少单位' }).trim().min(1, { error: '缺少单位' });

/** A positive amount (次, 学时 …); a form or flag may send it as text. */
export const positiveAmount = (label: string) =>
  z.preprocess(
    (v) => {
      const b = blankAsAbsent(v);
      return typeof b === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(b) ? Number(b) : b;
    },
    z
      .number({ error: `${label}必须是大于0的数字` })
      .positive({ error: `${label}必须是大于0的数字` })
      .max(100_000, { error: `${label}过大` })
      .optional(),
  );
