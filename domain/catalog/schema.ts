// The obligation catalog's format. Catalog files (catalog/*.yaml) are data; this schema is the
// only thing that decides whether they are valid, and its messages name the field at fault.
import { z } from 'zod';
import { cstDayStartMs } from '../cst-day';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day written HH:MM (24-hour, China Standard Time)');

const recipient = z
  .string()
  .regex(
    /^(self|parent|office)\.(clerk|head|supervisor)$/,
    'must be <unit>.<role> with unit one of self|parent|office and role one of clerk|head|supervisor',
  );

const monthDay = z
  .object({
    month: z.number().int().min(1).max(12),
    day: z.number().int().min(1).max(31),
  })
  .strict()
  .refine(({ month, day }) => day <= [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!, {
    message: 'day does not exist in that month',
    path: ['day'],
  });

export const sourceSchema = z
  .object({
    /** 文号, e.g. 琼发〔2021〕22号 */
    document: z.string().min(1),
    title: z.string().min(1),
    /** The document's own section number, e.g. （十二） */
    section: z.string().min(1),
    /** The sentence quoted verbatim from the document, in the script it was published in. */
    text: z.string().min(1),
    /** The same sentence in simplified characters, where the published text is traditional. */
    textSimplified: z.string().min(1).optional(),
    /** File name under shared/seeds, when the source ships with the project. */
    seed: z.string().optional(),
  })
  .strict();

export const reminderSchema = z
  .object({
    /** Calendar days before the last day of the duty (the due date); 0 = on the due date itself. */
    daysBefore: z.number().int().min(0).max(366),
    at: hhmm.default('09:00'),
    to: z.array(recipient).min(1),
  })
  .strict();

export const escalationSchema = z
  .object({
    /** Calendar days after the due date; 1 = the first day after it. */
    daysAfter: z.number().int().min(1).max(366),
    at: hhmm.default('09:00'),
    to: z.array(recipient).min(1),
  })
  .strict();

/** Which units a group or rule binds; every filter given must match (domain/units.ts matchesGroup). */
const unitFilterFields = {
  /** Unit types that bind (Unit.type), e.g. government, department. */
  types: z.array(z.string().min(1)).optional(),
  /** Levels that bind (Unit.level): province, city, county, town. */
  levels: z.array(z.enum(['province', 'city', 'county', 'town'])).optional(),
  /** Tags that bind (any of), e.g. enforcement-agency. */
  tags: z.array(z.string().min(1)).optional(),
  /** Named units that bind (Unit.name, exact), for duties the source gives to one body, e.g. 海南省人民政府办公厅. */
  names: z.array(z.string().min(1)).optional(),
};

const responsibleGroupSchema = z
  .object({
    /** Human label, e.g. 市县政府 */
    label: z.string().min(1),
    ...unitFilterFields,
    /** Who the report goes to, as the source names them (shown in e-mails and the console). */
    reportTo: z.array(z.string().min(1)).min(1),
  })
  .strict()
  .refine((g) => g.types || g.levels || g.tags || g.names, {
    message: 'a responsible group needs at least one of types, levels, tags or names',
  });

const codeSchema = z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes');
const regionsSchema = z.array(z.string().regex(/^\d{2,6}$/, 'must be 2 to 6 digits of a division code')).min(1);
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date written YYYY-MM-DD')
  .refine((t) => !Number.isNaN(cstDayStartMs(t)), 'is not a calendar date');

/** Fields every recurring duty (opened per period by a Schedule) shares. */
const recurringCommon = {
  code: codeSchema,
  title: z.string().min(1),
  /** What the unit hands in (for a quota: what one recorded occurrence is). */
  deliverable: z.string().min(1),
  /** Where and how it is handed in or recorded. */
  submitVia: z.string().min(1),
  /** Administrative division code prefixes the rule applies to (GB/T 2260), e.g. ["46"] for Hainan. */
  regions: regionsSchema,
  responsible: z.array(responsibleGroupSchema).min(1),
  sources: z.array(sourceSchema).min(1),
  reminders: z.array(reminderSchema),
  escalations: z.array(escalationSchema),
  /** Free-text notes, e.g. which defaults the source is silent about. */
  notes: z.array(z.string()).default([]),
};

/**
 * A second rule for the same duty, scoped to a jurisdiction (e.g. a district whose own document says
 * "每年第一季度" where the province says "3月1日前"). A unit bound by more than one rule has the
 * earliest due instant; every binding rule's sources are shown.
 */
export const jurisdictionRuleSchema = z
  .object({
    label: z.string().min(1),
    regions: regionsSchema,
    /** Which units of those regions the rule binds; absent = every unit the duty binds there. */
    ...unitFilterFields,
    due: monthDay,
    reportTo: z.array(z.string().min(1)).min(1).optional(),
    sources: z.array(sourceSchema).min(1),
    notes: z.array(z.string()).default([]),
  })
  .strict();

export const annualDutySchema = z
  .object({
    ...recurringCommon,
    kind: z.literal('annual'),
    /**
     * Cycle N covers year N and falls due in year N+1 on this date, by the end of the day in
     * Asia/Shanghai: the due instant is the following midnight, exclusive.
     */
    due: monthDay,
    /** When the schedule opens cycle N, in year N+1 (Asia/Shanghai). */
    opens: monthDay.and(z.object({ at: hhmm.default('09:00') })),
    jurisdictions: z.array(jurisdictionRuleSchema).default([]),
  })
  .strict();

/**
 * Quarterly, monthly and weekly reports: cycle 2025-Q1 / 2025-03 / 2025-W09 (ISO week) covers that
 * period and falls due `daysAfterPeriod` calendar days after its last day, by the end of that day in
 * CST (0 = the period's own last day). The cycle opens on the period's first day at `opens.at`.
 */
export const periodicDutySchema = z
  .object({
    ...recurringCommon,
    kind: z.enum(['quarterly', 'monthly', 'weekly']),
    due: z.object({ daysAfterPeriod: z.number().int().min(0).max(92) }).strict(),
    opens: z
      .object({ at: hhmm.default('09:00') })
      .strict()
      .default({ at: '09:00' }),
  })
  .strict();

/** A one-off milestone ("2024年年底前"): due by the end of `due` (CST); its single cycle is named by the due year. */
export const milestoneDutySchema = z
  .object({
    ...recurringCommon,
    kind: z.literal('milestone'),
    due: isoDate,
    /** When the schedule opens the milestone's cycle (09:00 CST unless `at` is given). */
    opens: z.object({ date: isoDate, at: hhmm.default('09:00') }).strict(),
  })
  .strict()
  .refine((d) => d.opens.date <= d.due, { message: 'opens.date must not be after due', path: ['opens', 'date'] });

/** The period a quota or window counts over. `years` spans N calendar years from anchorYear on (2021-2025). */
const perSchema = z.enum(['year', 'quarter', 'month', 'week', 'years']);

/**
 * "At least N per period", met by recorded occurrences (date, evidence, amount), not by one
 * submission. Reminders (daysBefore the period's last day) report pace and are skipped once the
 * quota is met; escalations (daysAfter it) fire only when the period ended short.
 */
export const quotaDutySchema = z
  .object({
    ...recurringCommon,
    kind: z.literal('quota'),
    per: perSchema,
    /** per: years — the span in years and the first year of the first span (e.g. 5 and 2021 → 2021-2025). */
    spanYears: z.number().int().min(2).max(10).optional(),
    anchorYear: z.number().int().min(2000).max(2100).optional(),
    /** Chinese label of the span, e.g. 任期, 五年 (shown in mail). */
    perLabel: z.string().min(1).optional(),
    quota: z
      .object({
        minimum: z.number().positive(),
        /** 次, 学时, 个 … the unit of `amount` */
        amountLabel: z.string().min(1).default('次'),
        /** When set, the minimum applies to each subject recorded (each person, each project): 人, 项目 … */
        perSubject: z.string().min(1).optional(),
      })
      .strict(),
    opens: z
      .object({ at: hhmm.default('09:00') })
      .strict()
      .default({ at: '09:00' }),
  })
  .strict()
  .refine((d) => d.per !== 'years' || (d.spanYears !== undefined && d.anchorYear !== undefined), {
    message: 'per: years needs spanYears and anchorYear',
    path: ['spanYears'],
  })
  .refine((d) => d.per === 'years' || (d.spanYears === undefined && d.anchorYear === undefined), {
    message: 'spanYears and anchorYear go with per: years only',
    path: ['spanYears'],
  });

/**
 * An activity allowed only inside a window of each period ("原则上集中在每季度首月的第一、二周完成"):
 * reminders (daysBefore the window's first day) warn the organisers, and anything scheduled or held in
 * the period outside the window is flagged to `flagTo`. `escalations` is not used by windows. A window
 * cycle opens on the first day of the month before its period (e.g. Mar 1 for Q2), so reminders up to
 * a month before the window can fire.
 */
export const windowDutySchema = z
  .object({
    ...recurringCommon,
    kind: z.literal('window'),
    per: z.enum(['year', 'quarter']),
    window: z
      .object({
        /** 1-based month within the period (1 = the quarter's first month). */
        monthOfPeriod: z.number().int().min(1).max(12),
        fromDay: z.number().int().min(1).max(28),
        toDay: z.number().int().min(1).max(31),
      })
      .strict()
      .refine((w) => w.fromDay <= w.toDay, { message: 'fromDay must not be after toDay', path: ['toDay'] }),
    flagTo: z.array(recipient).min(1),
    opens: z
      .object({ at: hhmm.default('09:00') })
      .strict()
      .default({ at: '09:00' }),
  })
  .strict()
  .refine((d) => d.per !== 'quarter' || d.window.monthOfPeriod <= 3, {
    message: 'a quarter has 3 months',
    path: ['window', 'monthOfPeriod'],
  })
  .refine((d) => d.reminders.every((r) => r.daysBefore <= 28), {
    message: 'a window cycle opens a month before its period: a reminder more than 28 days before the window would never be sent',
    path: ['reminders'],
  });

export const dutySchema = z.discriminatedUnion('kind', [
  annualDutySchema,
  periodicDutySchema,
  milestoneDutySchema,
  quotaDutySchema,
  windowDutySchema,
]);

// ---------------------------------------------------------------------------------------------------
// Event-triggered duties (OBLIGATIONS.md section 4): the clock starts at an event instant, not on a date.

/**
 * How long a window runs from the event instant (exactly one of):
 * - hours: wall-clock hours, nights and holidays included (5 h / 24 h incident windows)
 * - sameDay: until the end of the event's calendar day in CST (当日)
 * - days: N calendar days; due by the end of day D+N in CST
 * - workingDays: N working days by the official arrangement, day D itself not counted (民法典 art. 201);
 *   due by the end of that working day in CST
 * - years: the same calendar date N years later, by the end of that day in CST
 */
export const windowSpanSchema = z
  .object({
    hours: z
      .number()
      .positive()
      .max(24 * 366)
      .optional(),
    sameDay: z.literal(true).optional(),
    days: z.number().int().min(1).max(3660).optional(),
    workingDays: z.number().int().min(1).max(250).optional(),
    years: z.number().int().min(1).max(10).optional(),
  })
  .strict()
  .refine((w) => [w.hours, w.sameDay, w.days, w.workingDays, w.years].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of hours, sameDay, days, workingDays, years',
  });

/** A reminder either some hours after the event, some hours before the window closes, or days before its last day. */
const triggeredReminderSchema = z
  .object({
    afterHours: z.number().positive().optional(),
    beforeHours: z.number().positive().optional(),
    daysBefore: z.number().int().min(0).max(366).optional(),
    at: hhmm.optional(),
    to: z.array(recipient).min(1),
  })
  .strict()
  .refine((r) => [r.afterHours, r.beforeHours, r.daysBefore].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of afterHours, beforeHours, daysBefore',
  })
  .refine((r) => r.at === undefined || r.daysBefore !== undefined, { message: '"at" goes with daysBefore only', path: ['at'] });

/** An escalation some hours after the window closes (0 = the moment it is missed), or days after its last day. */
const triggeredEscalationSchema = z
  .object({
    afterHours: z.number().min(0).optional(),
    daysAfter: z.number().int().min(1).max(366).optional(),
    at: hhmm.optional(),
    to: z.array(recipient).min(1),
  })
  .strict()
  .refine((e) => (e.afterHours === undefined) !== (e.daysAfter === undefined), {
    message: 'give exactly one of afterHours, daysAfter',
  })
  .refine((e) => e.at === undefined || e.daysAfter !== undefined, { message: '"at" goes with daysAfter only', path: ['at'] });

export const eventWindowSchema = z
  .object({
    /** Stable identifier, e.g. release, press-conference. */
    name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes'),
    /** Chinese label, e.g. 发布权威信息 */
    label: z.string().min(1),
    within: windowSpanSchema,
    reminders: z.array(triggeredReminderSchema),
    escalations: z.array(triggeredEscalationSchema),
  })
  .strict();

const triggeredCommon = {
  code: codeSchema,
  title: z.string().min(1),
  /** What starts the clock, in words, e.g. 事件发生 / 接到上级重要文件. */
  trigger: z.string().min(1),
  deliverable: z.string().min(1),
  submitVia: z.string().min(1),
  regions: regionsSchema,
  responsible: z.array(responsibleGroupSchema).min(1),
  sources: z.array(sourceSchema).min(1),
  notes: z.array(z.string()).default([]),
};

/** 特别重大/重大突发事件: windows from the occurrence instant, then continued releases until closed. */
export const incidentDutySchema = z
  .object({
    ...triggeredCommon,
    kind: z.literal('incident'),
    /** Incident levels whose statutory windows run; the other levels are recorded without them. */
    statutoryLevels: z.array(z.enum(['特别重大', '重大', '较大', '一般'])).min(1),
    windows: z.array(eventWindowSchema).min(1),
    /** "持续发布权威信息": a reminder cadence after the first release, until an admin closes the incident. */
    followUp: z.object({ everyHours: z.number().positive(), to: z.array(recipient).min(1) }).strict(),
  })
  .strict();

/** Any other duty whose clock starts at an event: one window. */
export const eventDutySchema = z
  .object({
    ...triggeredCommon,
    kind: z.literal('event'),
    window: eventWindowSchema,
  })
  .strict();

export const triggeredDutySchema = z.discriminatedUnion('kind', [incidentDutySchema, eventDutySchema]);

export const catalogFileSchema = z
  .object({
    duties: z.array(dutySchema).min(1).optional(),
    triggered: z.array(triggeredDutySchema).min(1).optional(),
  })
  .strict()
  .refine((f) => f.duties || f.triggered, { message: 'a catalog file needs duties or triggered' });

export type Duty = z.infer<typeof dutySchema>;
export type AnnualDuty = z.infer<typeof annualDutySchema>;
export type PeriodicDuty = z.infer<typeof periodicDutySchema>;
export type MilestoneDuty = z.infer<typeof milestoneDutySchema>;
export type QuotaDuty = z.infer<typeof quotaDutySchema>;
export type WindowDuty = z.infer<typeof windowDutySchema>;
export type JurisdictionRule = z.infer<typeof jurisdictionRuleSchema>;
export type DutyKind = Duty['kind'];
export type PeriodUnit = z.infer<typeof perSchema>;
export type IncidentDuty = z.infer<typeof incidentDutySchema>;
export type EventDuty = z.infer<typeof eventDutySchema>;
export type TriggeredDuty = z.infer<typeof triggeredDutySchema>;
export type EventWindow = z.infer<typeof eventWindowSchema>;
export type WindowSpan = z.infer<typeof windowSpanSchema>;
export type DutySource = z.infer<typeof sourceSchema>;
export type ResponsibleGroup = z.infer<typeof responsibleGroupSchema>;
