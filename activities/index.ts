export { createCycleActivities, type CycleActivities, type CycleActivityDeps } from './cycle';
export { notificationKey, notifyOnce } from './notify';
export { createIncidentActivities, type IncidentActivities, type IncidentActivityDeps } from './incident';
export { createReviewActivities, type ReviewActivities, type ReviewActivityDeps } from './review';
export { createQuotaActivities, type QuotaActivities } from './quota';
export { createWindowActivities, type WindowActivities } from './window';
export { createDigestActivities, type DigestActivities, type DigestActivityDeps } from './digest';
