import { describe, expect, it } from 'vitest';
import { workerTuning } from '../../runtime/worker-tuning';

describe('workerTuning', () => {
  it('leaves every SDK default alone when nothing is set', () => {
    expect(workerTuning({})).toEqual({});
    expect(workerTuning({ WORKER_MAX_CACHED_WORKFLOWS: '' })).toEqual({});
  });

  it('maps each variable to its worker option', () => {
    expect(
      workerTuning({
        WORKER_MAX_CACHED_WORKFLOWS: '2000',
        WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '40',
        WORKER_MAX_CONCURRENT_ACTIVITIES: '200',
      }),
    ).toEqual({ maxCachedWorkflows: 2000, maxConcurrentWorkflowTaskExecutions: 40, maxConcurrentActivityTaskExecutions: 200 });
    // A cache of 0 is allowed: every task replays (the memory floor).
    expect(workerTuning({ WORKER_MAX_CACHED_WORKFLOWS: '0' })).toEqual({ maxCachedWorkflows: 0 });
  });

  it('refuses a malformed value, naming the variable', () => {
    expect(() => workerTuning({ WORKER_MAX_CONCURRENT_ACTIVITIES: 'many' })).toThrow(/WORKER_MAX_CONCURRENT_ACTIVITIES: .*"many"/);
    expect(() => workerTuning({ WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '1' })).toThrow(/from 2 to/);
    expect(() => workerTuning({ WORKER_MAX_CACHED_WORKFLOWS: '-1' })).toThrow(/WORKER_MAX_CACHED_WORKFLOWS/);
    expect(() => workerTuning({ WORKER_MAX_CACHED_WORKFLOWS: '1.5' })).toThrow(/whole number/);
  });
});
