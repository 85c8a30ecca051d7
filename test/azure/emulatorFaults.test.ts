// Fault injection and service limits of the local emulator, as the real @azure/arm-datafactory
// client meets them: its own retries show as extra counted requests, a reset after the effect
// leaves a run the client never heard of, expired tokens, ARM's and ADF's throttling, 45 days.
import { strict as assert } from 'assert';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { DataFactoryManagementClient } from '@azure/arm-datafactory';
import {
  startEmulator,
  LOCAL_FACTORY as DF,
  LOCAL_RESOURCE_GROUP as RG,
  type EmulatorHandle,
} from '../../src/emulator';
import { adfClient, factoryPath, rawRequest, TestCredential } from './helpers/emulatorClients';

const window = () => ({
  lastUpdatedAfter: new Date(Date.now() - 3_600_000),
  lastUpdatedBefore: new Date(Date.now() + 3_600_000),
});

describe('local emulator: faults and limits through the real SDK', () => {
  let emulator: EmulatorHandle;
  let client: DataFactoryManagementClient;
  const runsOf = (pipeline: string) => emulator.control.runs().filter(r => r['pipelineName'] === pipeline);

  before(async () => {
    emulator = await startEmulator({ storage: false, adf: { armBuckets: false } });
    client = adfClient(emulator);
    await client.pipelines.createOrUpdate(RG, DF, 'p', {
      activities: [],
      parameters: { partition: { type: 'String', defaultValue: '' } },
    });
  });
  after(async () => {
    await emulator?.stop();
  });
  beforeEach(() => {
    emulator.control.faults.clear();
    emulator.control.resetCounts();
  });

  it('429 with Retry-After: the SDK waits and retries, and every attempt is counted', async () => {
    emulator.control.faults.add({
      operation: 'pipelines.createRun',
      kind: 'status',
      status: 429,
      retryAfterSeconds: 1,
      times: 2,
    });
    const t0 = Date.now();
    await client.pipelines.createRun(RG, DF, 'p', { parameters: { partition: 'throttled' } });
    assert.ok(Date.now() - t0 >= 1_900, 'two waits of Retry-After: 1');
    assert.equal(emulator.control.counts()['pipelines.createRun'], 3);
    assert.equal(
      runsOf('p').filter(r => (r['parameters'] as Record<string, string>)['partition'] === 'throttled').length,
      1,
    );
  });

  it('500 and 503 are retried by the SDK; past its 3 retries the error reaches the caller', async () => {
    emulator.control.faults.add({
      operation: 'pipelineRuns.queryByFactory',
      kind: 'status',
      status: 503,
      retryAfterSeconds: 0,
      times: 1,
    });
    emulator.control.faults.add({ operation: 'pipelineRuns.queryByFactory', kind: 'status', status: 500, times: 1 });
    await client.pipelineRuns.queryByFactory(RG, DF, window());
    assert.equal(emulator.control.counts()['pipelineRuns.queryByFactory'], 3);
    emulator.control.faults.add({ operation: 'pipelines.get', kind: 'status', status: 500 });
    await assert.rejects(client.pipelines.get(RG, DF, 'p'), (e: { statusCode?: number }) => e.statusCode === 500);
    assert.equal(emulator.control.counts()['pipelines.get'], 4);
  });

  it('a 500 after the effect: the SDK retries createRun and one call starts two runs', async () => {
    emulator.control.faults.add({
      operation: 'pipelines.createRun',
      kind: 'status',
      status: 500,
      phase: 'after',
      times: 1,
    });
    const { runId } = await client.pipelines.createRun(RG, DF, 'p', { parameters: { partition: 'twice' } });
    const twice = runsOf('p').filter(r => (r['parameters'] as Record<string, string>)['partition'] === 'twice');
    assert.equal(twice.length, 2, 'the lost answer and the retry each made a run');
    assert.ok(twice.some(r => r['runId'] === runId));
  });

  it('a reset before the effect makes nothing; after the effect the run exists though the client sees an error', async () => {
    const noRetry = adfClient(emulator, { retryOptions: { maxRetries: 0 } });
    emulator.control.faults.add({ operation: 'pipelines.createRun', kind: 'reset', phase: 'before', times: 1 });
    await assert.rejects(
      noRetry.pipelines.createRun(RG, DF, 'p', { parameters: { partition: 'lost-before' } }),
      (e: { code?: string }) => e.code === 'ECONNRESET',
    );
    assert.equal(
      runsOf('p').filter(r => (r['parameters'] as Record<string, string>)['partition'] === 'lost-before').length,
      0,
    );

    emulator.control.faults.add({ operation: 'pipelines.createRun', kind: 'reset', phase: 'after', times: 1 });
    await assert.rejects(
      noRetry.pipelines.createRun(RG, DF, 'p', { parameters: { partition: 'lost-after' } }),
      (e: { code?: string }) => e.code === 'ECONNRESET',
    );
    const made = runsOf('p').filter(r => (r['parameters'] as Record<string, string>)['partition'] === 'lost-after');
    assert.equal(made.length, 1, 'the run was created: only the answer was lost');
    // And it can be found again the way backfill does: the pipeline's runs in the window, matched on the parameter.
    const found = await client.pipelineRuns.queryByFactory(RG, DF, {
      ...window(),
      filters: [{ operand: 'PipelineName', operator: 'Equals', values: ['p'] }],
    });
    assert.ok(found.value.some(r => r.parameters?.['partition'] === 'lost-after'));
    assert.deepEqual(emulator.control.faults.fired(), {
      'pipelines.createRun reset:before': 1,
      'pipelines.createRun reset:after': 1,
    });
  });

  it('with the default retries a reset is retried too (ECONNRESET): one call, two runs', async () => {
    emulator.control.faults.add({ operation: 'pipelines.createRun', kind: 'reset', phase: 'after', times: 1 });
    await client.pipelines.createRun(RG, DF, 'p', { parameters: { partition: 'reset-retried' } });
    assert.equal(
      runsOf('p').filter(r => (r['parameters'] as Record<string, string>)['partition'] === 'reset-retried').length,
      2,
    );
    assert.equal(emulator.control.counts()['pipelines.createRun'], 2);
  });

  it('slow answers: a delay fault holds the answer', async () => {
    emulator.control.faults.add({ operation: 'pipelineRuns.queryByFactory', kind: 'delay', delayMs: 150, times: 1 });
    const t0 = Date.now();
    await client.pipelineRuns.queryByFactory(RG, DF, window());
    assert.ok(Date.now() - t0 >= 140);
  });

  it('faults by probability follow the seed: the same calls fail on every run of the test', async () => {
    const pattern = async () => {
      const e = await startEmulator({
        storage: false,
        seed: 42,
        faults: [{ operation: '*', kind: 'status', status: 400, probability: 0.3 }],
      });
      try {
        const out: number[] = [];
        for (let i = 0; i < 20; i++)
          out.push((await rawRequest(e, 'GET', `${factoryPath(e)}?api-version=2018-06-01`)).status);
        return out;
      } finally {
        await e.stop();
      }
    };
    const first = await pattern();
    assert.deepEqual(await pattern(), first);
    const failed = first.filter(s => s === 400).length;
    assert.ok(failed > 0 && failed < 20, `some but not all fail (${failed}/20)`);
  });

  it('expired tokens: 401 ExpiredAuthenticationToken with WWW-Authenticate, until the credential gives a new one', async () => {
    const credential = new TestCredential();
    const c = adfClient(emulator, {}, credential);
    await c.factories.get(RG, DF);
    emulator.control.expireTokens();
    await assert.rejects(
      c.factories.get(RG, DF),
      (e: { statusCode?: number; code?: string }) => e.statusCode === 401 && e.code === 'ExpiredAuthenticationToken',
    );
    const raw = await rawRequest(emulator, 'GET', `${factoryPath(emulator)}?api-version=2018-06-01`, undefined, {
      authorization: 'Bearer test-token-1',
    });
    assert.equal(raw.status, 401);
    assert.match(String(raw.headers['www-authenticate']), /^Bearer .*error="invalid_token"/);
    // A new token gets through.
    const fresh = await rawRequest(emulator, 'GET', `${factoryPath(emulator)}?api-version=2018-06-01`, undefined, {
      authorization: 'Bearer brand-new',
    });
    assert.equal(fresh.status, 200);
    const missing = await rawRequest(emulator, 'GET', `${factoryPath(emulator)}?api-version=2018-06-01`, undefined, {});
    assert.equal(missing.status, 401);
    assert.equal((missing.body as { error: { code: string } }).error.code, 'AuthenticationFailed');
    emulator.control.clearTokenExpiry();
    await client.factories.get(RG, DF);
  });

  it('the control API wants the instance key (loopback is shared by every local process)', async () => {
    const without = await rawRequest(emulator, 'GET', '/_emulator/health', undefined, {});
    assert.equal(without.status, 401);
    const wrong = await rawRequest(emulator, 'GET', '/_emulator/health', undefined, { 'x-emulator-key': 'guess' });
    assert.equal(wrong.status, 401);
    const right = await rawRequest(emulator, 'GET', '/_emulator/health', undefined, {
      'x-emulator-key': emulator.control.key,
    });
    assert.equal(right.status, 200);
    assert.equal((right.body as { label: string }).label, 'local emulator');
  });

  it('answers ARM errors for a wrong api-version, subscription or resource group', async () => {
    const wrongVersion = await rawRequest(emulator, 'GET', `${factoryPath(emulator)}?api-version=2017-09-01-preview`);
    assert.equal((wrongVersion.body as { error: { code: string } }).error.code, 'InvalidApiVersionParameter');
    const otherGroup = await rawRequest(
      emulator,
      'GET',
      `${factoryPath(emulator).replace(RG, 'rg-other')}?api-version=2018-06-01`,
    );
    assert.equal(otherGroup.status, 404);
    assert.equal((otherGroup.body as { error: { code: string } }).error.code, 'ResourceGroupNotFound');
  });

  it('runs past 45 days are no longer returned (the clock moves, not the test)', async () => {
    const { runId } = await client.pipelines.createRun(RG, DF, 'p', { parameters: { partition: 'old' } });
    emulator.control.clock.advance(46 * 86_400_000);
    try {
      await assert.rejects(
        client.pipelineRuns.get(RG, DF, runId),
        (e: { statusCode?: number }) => e.statusCode === 404,
      );
      const now = emulator.control.clock.now();
      const all = await client.pipelineRuns.queryByFactory(RG, DF, {
        lastUpdatedAfter: new Date(now - 60 * 86_400_000),
        lastUpdatedBefore: new Date(now),
      });
      assert.ok(!all.value.some(r => r.runId === runId));
      assert.ok(
        emulator.control.runs().some(r => r['runId'] === runId),
        'the control API still lists it',
      );
    } finally {
      emulator.control.clock.advance(-46 * 86_400_000);
    }
  });
});

describe('local emulator: ARM token bucket and ADF monitoring budget', () => {
  let emulator: EmulatorHandle;
  after(async () => {
    await emulator?.stop();
  });

  it('refuses writes past the bucket with 429 and Retry-After, and refills over time', async () => {
    emulator = await startEmulator({
      storage: false,
      adf: {
        armBuckets: {
          reads: { capacity: 100, refillPerSecond: 100 },
          writes: { capacity: 3, refillPerSecond: 1 },
          deletes: { capacity: 3, refillPerSecond: 1 },
        },
        monitoringQueriesPerMinute: 5,
      },
    });
    const put = () =>
      rawRequest(emulator, 'PUT', `${factoryPath(emulator)}/pipelines/w?api-version=2018-06-01`, {
        properties: { activities: [] },
      });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push(await put());
    assert.deepEqual(
      statuses.map(s => s.status),
      [200, 200, 200, 429],
    );
    assert.equal(statuses[0]!.headers['x-ms-ratelimit-remaining-subscription-writes'], '2');
    assert.equal(statuses[3]!.headers['retry-after'], '1');
    assert.equal((statuses[3]!.body as { error: { code: string } }).error.code, 'SubscriptionRequestsThrottled');
    emulator.control.clock.advance(1_000);
    assert.equal((await put()).status, 200);

    // 5 monitoring queries a minute here (ADF: about 1,000): the sixth waits for the window.
    const query = () =>
      rawRequest(emulator, 'POST', `${factoryPath(emulator)}/queryPipelineRuns?api-version=2018-06-01`, window());
    for (let i = 0; i < 5; i++) assert.equal((await query()).status, 200);
    const refused = await query();
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers['retry-after']) >= 59);
    emulator.control.clock.advance(60_000);
    assert.equal((await query()).status, 200);
  });
});
