export { createCycleActivities, notificationKey, type CycleActivities, type CycleActivityDeps } from './cycle';
export { createIncidentActivities, type IncidentActivities, type IncidentActivityDeps } from './incident';
export { createReviewActivities, type ReviewActivities, type ReviewActivityDeps } from './review';
