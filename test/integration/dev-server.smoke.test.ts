// Smoke test: a real Temporal dev server (the CLI from scripts/temporal-cli.sh) starts with our search attributes.
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchAttributeTypes } from '../../contracts/search-attributes';
import { createDevServerEnv, indexedValueType } from '../support/temporal-env';

describe('temporal dev server', () => {
  let env: TestWorkflowEnvironment;
  let startMs = 0;

  beforeAll(async () => {
    const t0 = Date.now();
    env = await createDevServerEnv();
    startMs = Date.now() - t0;
  });

  afterAll(async () => {
    await env?.teardown();
  });

  it('starts and serves the default namespace', async () => {
    console.info(`dev server env started in ${startMs} ms at ${env.address}`);
    expect(env.supportsTimeSkipping).toBe(false);
    const ns = await env.connection.workflowService.describeNamespace({ namespace: 'default' });
    expect(ns.namespaceInfo?.name).toBe('default');
  });

  it('has every custom search attribute registered with its type', async () => {
    const { customAttributes } = await env.connection.operatorService.listSearchAttributes({ namespace: 'default' });
    for (const [name, type] of Object.entries(searchAttributeTypes)) {
      expect(customAttributes?.[name], `search attribute ${name}`).toBe(indexedValueType(type));
    }
  });
});
