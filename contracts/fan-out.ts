// What the fan-out (openDutyCycles) tells a client while it runs: how far it has got.
import { defineQuery } from '@temporalio/workflow';

export interface FanOutProgress {
  dutyCode: string;
  period: string;
  /** Units the duty binds in this period; null until counted (the first activity of the first run). */
  total: number | null;
  /** Units read so far (responsible or not), in unit-id order. */
  scanned: number;
  opened: number;
  alreadyOpen: number;
  /** Units whose cycle could not be built (bad unit data): named in the result, skipped, never retried. */
  failed: number;
  /** Runs of the fan-out so far (it continues as new every few hundred children). */
  run: number;
  done: boolean;
}

export const fanOutProgressQuery = defineQuery<FanOutProgress>('fanOutProgress');
