export { dutyCycle } from './cycle';
export { openDutyCycles } from './open-cycles';
export { incidentDisclosure } from './incident';
export { review, reviewUnit, reviewItem } from './review';
export { quotaCycle } from './quota';
export { windowCycle } from './window';
export { weeklyDigest } from './weekly-digest';
