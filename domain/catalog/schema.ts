// The obligation catalog's format. Catalog files (catalog/*.yaml) are data; this schema is the
// only thing that decides whether they are valid, and its messages name the field at fault.
import { z } from 'zod';

const hhmm = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day written HH:MM (24-hour, China Standard Time)');

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

const responsibleGroupSchema = z
  .object({
    /** Human label, e.g. 市县政府 */
    label: z.string().min(1),
    /** Unit types that bind (Unit.type), e.g. government, department. */
    types: z.array(z.string().min(1)).optional(),
    /** Levels that bind (Unit.level): province, city, county, town. */
    levels: z.array(z.enum(['province', 'city', 'county', 'town'])).optional(),
    /** Tags that bind (any of), e.g. enforcement-agency. */
    tags: z.array(z.string().min(1)).optional(),
    /** Who the report goes to, as the source names them (shown in e-mails and the console). */
    reportTo: z.array(z.string().min(1)).min(1),
  })
  .strict()
  .refine((g) => g.types || g.levels || g.tags, {
    message: 'a responsible group needs at least one of types, levels or tags',
  });

export const annualDutySchema = z
  .object({
    code: z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes'),
    title: z.string().min(1),
    kind: z.literal('annual'),
    /** What the unit hands in. */
    deliverable: z.string().min(1),
    /** Where and how it is handed in. */
    submitVia: z.string().min(1),
    /** Administrative division code prefixes the rule applies to (GB/T 2260), e.g. ["46"] for Hainan. */
    regions: z.array(z.string().regex(/^\d{2,6}$/, 'must be 2 to 6 digits of a division code')).min(1),
    /**
     * Cycle N covers year N and falls due in year N+1 on this date, by the end of the day in
     * Asia/Shanghai: the due instant is the following midnight, exclusive.
     */
    due: monthDay,
    /** When the schedule opens cycle N, in year N+1 (Asia/Shanghai). */
    opens: monthDay.and(z.object({ at: hhmm.default('09:00') })),
    responsible: z.array(responsibleGroupSchema).min(1),
    sources: z.array(sourceSchema).min(1),
    reminders: z.array(reminderSchema),
    escalations: z.array(escalationSchema),
    /** Free-text notes, e.g. which defaults the source is silent about. */
    notes: z.array(z.string()).default([]),
  })
  .strict();

export const dutySchema = annualDutySchema;

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
    hours: z.number().positive().max(24 * 366).optional(),
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
  code: z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes'),
  title: z.string().min(1),
  /** What starts the clock, in words, e.g. 事件发生 / 接到上级重要文件. */
  trigger: z.string().min(1),
  deliverable: z.string().min(1),
  submitVia: z.string().min(1),
  regions: z.array(z.string().regex(/^\d{2,6}$/, 'must be 2 to 6 digits of a division code')).min(1),
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
export type IncidentDuty = z.infer<typeof incidentDutySchema>;
export type EventDuty = z.infer<typeof eventDutySchema>;
export type TriggeredDuty = z.infer<typeof triggeredDutySchema>;
export type EventWindow = z.infer<typeof eventWindowSchema>;
export type WindowSpan = z.infer<typeof windowSpanSchema>;
export type DutySource = z.infer<typeof sourceSchema>;
export type ResponsibleGroup = z.infer<typeof responsibleGroupSchema>;
