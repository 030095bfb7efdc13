// What a workflow ID alone says about its cycle index row (duty, period, unit). Used when the row must be
// recreated (the application database was restored from an older backup) and the caller did not send
// the identity: workflows recorded before activities received it. Pure; workflows may import it.
import { parseEventWorkflowId, eventPeriod } from './event-cycle';
import { REVIEW_KINDS, reviewIdOf } from './review';

export interface IdentityFromId {
  dutyCode: string;
  period: string;
  /** Absent for IDs that do not carry the unit (a rectification item: `review:x:item-3`). */
  unitId?: string;
}

const CYCLE_RE = /^obl:([a-z][a-z0-9-]*):([^:]+):unit-([^:]+)$/;
const INCIDENT_RE = /^incident:([^:]+):(\d{4})(\d{2})(\d{2})T\d{6}\+0800-[0-9a-f]{8}$/;

/**
 * The duty, period and unit of a cycle index row from its workflow ID, for every ID shape the index
 * holds: `obl:` (recurring, quota, window and review duty cycles), `evt:`, `incident:`, `review:`.
 * Undefined for anything else.
 */
export function identityFromWorkflowId(workflowId: string, incidentDuty = 'incident-disclosure'): IdentityFromId | undefined {
  const cycle = CYCLE_RE.exec(workflowId);
  if (cycle) return { dutyCode: cycle[1]!, period: cycle[2]!, unitId: cycle[3]! };
  const event = parseEventWorkflowId(workflowId);
  if (event) return { dutyCode: event.dutyCode, period: eventPeriod(event.eventAt), unitId: event.unitId };
  const incident = INCIDENT_RE.exec(workflowId);
  if (incident) return { dutyCode: incidentDuty, period: `${incident[2]}-${incident[3]}-${incident[4]}`, unitId: incident[1]! };
  const reviewId = reviewIdOf(workflowId);
  if (reviewId) {
    // Longest kind first: none is a prefix of another today, but the order keeps it so.
    const kind = [...REVIEW_KINDS].sort((a, b) => b.length - a.length).find((k) => reviewId.startsWith(`review:${k}-`));
    if (!kind) return undefined;
    const unit = /:unit-([^:]+)$/.exec(workflowId);
    // The review itself is indexed under the reviewing unit, which its ID does not carry.
    return { dutyCode: `review:${kind}`, period: reviewId, ...(unit ? { unitId: unit[1]! } : {}) };
  }
  return undefined;
}
