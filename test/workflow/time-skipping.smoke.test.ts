// Smoke test for the time-skipping environment used by every workflow test.
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DutyCode, searchAttributeTypes } from '../../contracts/search-attributes';
import { createTimeSkippingEnv } from '../support/temporal-env';

describe('time-skipping test server', () => {
  let env: TestWorkflowEnvironment;
  let startMs = 0;

  beforeAll(async () => {
    const t0 = Date.now();
    env = await createTimeSkippingEnv();
    startMs = Date.now() - t0;
  });

  afterAll(async () => {
    await env?.teardown();
  });

  it('starts and supports time skipping', async () => {
    expect(env.supportsTimeSkipping).toBe(true);
    console.info(`time-skipping env started in ${startMs} ms`);
    const before = await env.currentTimeMs();
    await env.sleep('10 days');
    const after = await env.currentTimeMs();
    expect(after - before).toBeGreaterThanOrEqual(10 * 24 * 3600 * 1000);
  });

  it('has the custom search attributes registered', async () => {
    // The Java test server has no ListSearchAttributes; instead prove they are registered: it accepts a workflow
    // started with all of them, and rejects one it does not know.
    const client = env.client;
    const taskQueue = `smoke-${randomUUID()}`;
    const handle = await client.workflow.start('noSuchWorkflowType', {
      taskQueue,
      workflowId: `smoke-${randomUUID()}`,
      typedSearchAttributes: [{ key: DutyCode, value: 'enforcement-statistics' }],
      searchAttributes: {
        UnitId: ['4111'],
        UnitPath: ['41', '4111'],
        Period: ['2025'],
        DueAt: [new Date('2026-01-31T16:00:00Z')],
        CycleState: ['open'],
      },
    });
    const description = await handle.describe();
    expect(description.typedSearchAttributes.get(DutyCode)).toBe('enforcement-statistics');
    for (const name of Object.keys(searchAttributeTypes)) {
      expect(Object.keys(description.searchAttributes)).toContain(name);
    }
    await handle.terminate('smoke test done');

    await expect(
      client.workflow.start('noSuchWorkflowType', {
        taskQueue,
        workflowId: `smoke-${randomUUID()}`,
        searchAttributes: { NotRegisteredAnywhere: ['x'] },
      }),
    ).rejects.toThrow();
  });
});
