// Loads catalog/reviews/reviews.yaml (the review kinds and their ladders), validates it with
// domain/catalog/review-schema.ts and reports a fault with the file, the entry, the field and why.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { reviewsFileSchema, type ReviewKindEntry, type ReviewLadderEntry } from '../domain/catalog/review-schema';
import { parseRef, type LadderSpec, type ReviewKind } from '../domain/review';
import type { RecipientRef } from '../domain/types';
import { config } from './config';

export interface ReviewCatalog {
  kinds: ReviewKindEntry[];
  byCode: Map<ReviewKind, ReviewKindEntry>;
  ladder: { unit: LadderSpec; item: LadderSpec; progressMissed: RecipientRef[] };
  notes: string[];
}

export class ReviewCatalogError extends Error {
  constructor(readonly problems: string[]) {
    super(`review catalog is invalid:\n  ${problems.join('\n  ')}`);
    this.name = 'ReviewCatalogError';
  }
}

export const defaultReviewsFile = () => path.join(config.catalogDir, 'reviews', 'reviews.yaml');

function describePath(file: string, doc: unknown, issuePath: PropertyKey[]): string {
  const [top, index, ...rest] = issuePath;
  if (top === 'kinds' && typeof index === 'number') {
    const code = (doc as { kinds?: { code?: unknown }[] })?.kinds?.[index]?.code;
    const entry = typeof code === 'string' ? `kind "${code}"` : `kind #${index + 1}`;
    return `${file}, ${entry}, field "${rest.length ? rest.map(String).join('.') : '(the entry)'}"`;
  }
  return `${file}, field "${issuePath.map(String).join('.') || '(top level)'}"`;
}

function ladderOf(l: ReviewLadderEntry): LadderSpec {
  return {
    reminders: l.reminders.map((r) => ({ hoursBefore: r.hoursBefore, to: r.to.map(parseRef) })),
    escalations: l.escalations.map((e) => ({ hoursAfter: e.hoursAfter, to: e.to.map(parseRef) })),
  };
}

export function loadReviewCatalog(file = defaultReviewsFile()): ReviewCatalog {
  const name = path.basename(file);
  if (!fs.existsSync(file)) throw new ReviewCatalogError([`${file}: file does not exist`]);
  let doc: unknown;
  try {
    doc = YAML.parse(fs.readFileSync(file, 'utf8'), { uniqueKeys: true });
  } catch (e) {
    throw new ReviewCatalogError([`${name}: not valid YAML: ${(e as Error).message.split('\n')[0]}`]);
  }
  const parsed = reviewsFileSchema.safeParse(doc);
  if (!parsed.success) {
    throw new ReviewCatalogError(
      parsed.error.issues.map((issue) => {
        const what = issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}` : issue.message;
        return `${describePath(name, doc, issue.path)}: ${what}`;
      }),
    );
  }
  const f = parsed.data;
  return {
    kinds: f.kinds,
    byCode: new Map(f.kinds.map((k) => [k.code, k])),
    ladder: { unit: ladderOf(f.ladder.unit), item: ladderOf(f.ladder.item), progressMissed: f.ladder.progressMissed.map(parseRef) },
    notes: f.notes ?? [],
  };
}
