export { dutyCycle } from './cycle';
export { openDutyCycles } from './open-cycles';
export { incidentDisclosure } from './incident';
