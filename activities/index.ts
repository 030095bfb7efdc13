export { createCycleActivities, notificationKey, type CycleActivities, type CycleActivityDeps } from './cycle';
