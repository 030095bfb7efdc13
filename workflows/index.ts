export { dutyCycle } from './cycle';
export { openDutyCycles } from './open-cycles';
