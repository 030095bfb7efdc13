// Schema of catalog/reviews/reviews.yaml: the kinds of ad hoc review an admin may start, each with
// its legal basis quoted from the source documents, and the default ladders of a unit's self-check,
// of a rectification item and of a missed progress report.
import { z } from 'zod';
import { sourceSchema } from './schema';
import { REVIEW_KINDS } from '../review';

const refSchema = z
  .string()
  .regex(/^(self|parent|office)\.(clerk|head|supervisor)$/, 'must be self|parent|office . clerk|head|supervisor, e.g. self.clerk');

export const reviewLadderSchema = z
  .object({
    reminders: z.array(z.object({ hoursBefore: z.number().positive(), to: z.array(refSchema).min(1) }).strict()),
    escalations: z.array(z.object({ hoursAfter: z.number().min(0), to: z.array(refSchema).min(1) }).strict()).min(1),
  })
  .strict();

export const reviewKindSchema = z
  .object({
    code: z.enum(REVIEW_KINDS),
    title: z.string().min(1),
    sources: z.array(sourceSchema).min(1),
  })
  .strict();

export const reviewsFileSchema = z
  .object({
    ladder: z
      .object({
        unit: reviewLadderSchema,
        item: reviewLadderSchema,
        progressMissed: z.array(refSchema).min(1),
      })
      .strict(),
    notes: z.array(z.string()).optional(),
    kinds: z.array(reviewKindSchema).min(1),
  })
  .strict()
  .superRefine((f, ctx) => {
    const seen = new Set<string>();
    f.kinds.forEach((k, i) => {
      if (seen.has(k.code)) ctx.addIssue({ code: 'custom', path: ['kinds', i, 'code'], message: `duplicate kind "${k.code}"` });
      seen.add(k.code);
    });
  });

export type ReviewsFile = z.infer<typeof reviewsFileSchema>;
export type ReviewKindEntry = z.infer<typeof reviewKindSchema>;
export type ReviewLadderEntry = z.infer<typeof reviewLadderSchema>;
