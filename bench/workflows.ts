// The product's workflows plus a no-op baseline, bundled together for the benchmark's worker.
export { dutyCycle, openDutyCycles } from '../workflows';

export async function noop(): Promise<void> {}
