// The runs adapter (src/azure/adf/runsClient.ts) with the real @azure/arm-datafactory client
// against the local emulator: one call is exactly one request (the SDK's retries removed), failures
// become the core's AdfCallError (429 with Retry-After, 5xx and resets unclear, refused, auth
// without a token in the message), queryPipelineRuns paged past 100 runs, activity runs paged by
// hand, cancel recursive (the child pipeline too), rerun from failure in the original's group, the
// trigger form from the deployed pipeline, and the Runs view's model live with a failure event.
import { strict as assert } from 'assert';
import { after, before, beforeEach, describe, it } from 'node:test';
import * as net from 'net';
import { startEmulator, LOCAL_CREDENTIAL_SCOPE, type EmulatorHandle } from '../../src/emulator';
import { AdfRunsClient, createDataFactoryClientWithoutRetries } from '../../src/azure/adf/runsClient';
import { retryAfterMsOf } from '../../src/azure/adf/runsErrors';
import { redactSecrets } from '../../src/core/text/redact';
import { AdfCallError } from '../../src/core/runs/errors';
import { systemClock } from '../../src/core/runs/clock';
import { allActivityRuns, listRunsSince, queryAllRuns } from '../../src/core/runs/queries';
import { cancelRun, rerunRun, triggerRun } from '../../src/core/runs/startRun';
import { RunsMonitor } from '../../src/core/runs/monitor';
import { DEFAULT_REFRESH_POLICY } from '../../src/core/runs/scheduler';
import { fillTriggerForm, triggerFormOf } from '../../src/core/runs/triggerForm';
import type { RunFailedEvent } from '../../src/core/runs/failures';
import { eventually, TestCredential } from './helpers/emulatorClients';

const clock = systemClock;

function connect(emulator: EmulatorHandle, credential = new TestCredential()): AdfRunsClient {
  return AdfRunsClient.connect(
    credential,
    {
      subscriptionId: emulator.adf.subscriptionId,
      resourceGroup: emulator.adf.resourceGroup,
      factoryName: emulator.adf.factory,
    },
    {
      endpoint: emulator.adf.endpoint,
      credentialScopes: [LOCAL_CREDENTIAL_SCOPE],
      tlsOptions: { ca: emulator.adf.ca },
      timeoutMs: 5000,
    },
  );
}

async function failure(promise: Promise<unknown>): Promise<AdfCallError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof AdfCallError, `an AdfCallError, not ${String(e)}`);
    return e;
  }
  assert.fail('expected a failure');
}

describe('runs adapter on the local emulator', () => {
  let emulator: EmulatorHandle;
  let port: AdfRunsClient;
  const runsOf = (pipeline: string) => emulator.control.runs().filter(r => r['pipelineName'] === pipeline);

  before(async () => {
    emulator = await startEmulator({
      storage: false,
      timing: { queuedMs: 5, activityMs: 20, cancelMs: 5 },
      adf: { armBuckets: false, monitoringQueriesPerMinute: false, activityPageSize: 2 },
    });
    port = connect(emulator);
    const sdk = createDataFactoryClientWithoutRetries(new TestCredential(), emulator.adf.subscriptionId, {
      endpoint: emulator.adf.endpoint,
      credentialScopes: [LOCAL_CREDENTIAL_SCOPE],
      tlsOptions: { ca: emulator.adf.ca },
    });
    const { resourceGroup: rg, factory: df } = emulator.adf;
    // The SDK's activity union wants each type's own fields; these are plain Wait activities.
    const wait = (name: string, after?: string): never =>
      ({
        name,
        type: 'Wait',
        typeProperties: { waitTimeInSeconds: 1 },
        dependsOn: after ? [{ activity: after, dependencyConditions: ['Succeeded'] }] : [],
      }) as never;
    await sdk.pipelines.createOrUpdate(rg, df, 'p', {
      activities: [wait('w1')],
      parameters: { partition: { type: 'String', defaultValue: '' }, batch: { type: 'Int', defaultValue: 1 } },
    });
    await sdk.pipelines.createOrUpdate(rg, df, 'steps', {
      activities: [wait('a'), wait('b', 'a'), wait('c', 'b'), wait('d', 'c'), wait('e', 'd')],
      parameters: { region: { type: 'String', defaultValue: 'eu' } },
    });
    await sdk.pipelines.createOrUpdate(rg, df, 'child', { activities: [wait('slow1'), wait('slow2', 'slow1')] });
    await sdk.pipelines.createOrUpdate(rg, df, 'parent', {
      activities: [
        {
          name: 'run_child',
          type: 'ExecutePipeline',
          typeProperties: { pipeline: { referenceName: 'child', type: 'PipelineReference' }, waitOnCompletion: true },
        } as never,
      ],
    });
  });
  after(async () => {
    await emulator?.stop();
  });
  beforeEach(() => {
    emulator.control.faults.clear();
    emulator.control.outcomes.clear();
    emulator.control.resetCounts();
  });

  it('the SDK client has no retry policy left', () => {
    const sdk = createDataFactoryClientWithoutRetries(new TestCredential(), 's', { endpoint: emulator.adf.endpoint });
    assert.deepEqual(
      sdk.pipeline.getOrderedPolicies().filter(p => /retry/i.test(p.name)),
      [],
    );
  });

  it('createRun answered 503: one request, an unclear outcome', async () => {
    emulator.control.faults.add({ operation: 'pipelines.createRun', kind: 'status', status: 503, times: 1 });
    const e = await failure(port.createRun('p', { parameters: { partition: 'c503' } }));
    assert.equal(e.failure, 'unclear');
    assert.equal(e.status, 503);
    assert.match(e.message, /^Start p: the service failed \(503 ServiceUnavailable\)/);
    assert.equal(emulator.control.counts()['pipelines.createRun'], 1);
    assert.equal(
      runsOf('p').filter(r => (r['parameters'] as Record<string, string>)['partition'] === 'c503').length,
      0,
    );
  });

  it('createRun answered 500 after the run was created: one request, one run, an unclear outcome', async () => {
    emulator.control.faults.add({
      operation: 'pipelines.createRun',
      kind: 'status',
      status: 500,
      phase: 'after',
      times: 1,
    });
    const e = await failure(port.createRun('p', { parameters: { partition: 'c500after' } }));
    assert.equal(e.failure, 'unclear');
    assert.equal(emulator.control.counts()['pipelines.createRun'], 1);
    assert.equal(
      runsOf('p').filter(r => (r['parameters'] as Record<string, string>)['partition'] === 'c500after').length,
      1,
    );
  });

  it('429 with Retry-After: one request, throttled, the wait as the service said', async () => {
    emulator.control.faults.add({
      operation: 'pipelines.createRun',
      kind: 'status',
      status: 429,
      retryAfterSeconds: 7,
      times: 1,
    });
    const e = await failure(port.createRun('p', { parameters: { partition: 'c429' } }));
    assert.deepEqual([e.failure, e.retryAfterMs], ['throttled', 7000]);
    assert.equal(emulator.control.counts()['pipelines.createRun'], 1);
  });

  it('connection resets before and after the effect: one request each, unclear; the second left a run', async () => {
    emulator.control.faults.add({ operation: 'pipelines.createRun', kind: 'reset', phase: 'before', times: 1 });
    const before = await failure(port.createRun('p', { parameters: { partition: 'reset-before' } }));
    emulator.control.faults.add({ operation: 'pipelines.createRun', kind: 'reset', phase: 'after', times: 1 });
    const afterEffect = await failure(port.createRun('p', { parameters: { partition: 'reset-after' } }));
    assert.deepEqual([before.failure, afterEffect.failure], ['unclear', 'unclear']);
    assert.equal(emulator.control.counts()['pipelines.createRun'], 2);
    const parts = runsOf('p').map(r => (r['parameters'] as Record<string, string>)['partition']);
    assert.equal(parts.filter(p => p === 'reset-before').length, 0);
    assert.equal(parts.filter(p => p === 'reset-after').length, 1);
  });

  it('nothing listening: not sent; a slow answer past the timeout: unclear', async () => {
    const server = net.createServer();
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    const closedPort = (server.address() as net.AddressInfo).port;
    await new Promise(r => server.close(r));
    const nowhere = AdfRunsClient.connect(
      new TestCredential(),
      { subscriptionId: 's', resourceGroup: 'rg', factoryName: 'f' },
      { endpoint: `https://127.0.0.1:${closedPort}`, tlsOptions: { ca: emulator.adf.ca } },
    );
    assert.equal((await failure(nowhere.createRun('p', {}))).failure, 'notSent');
    const impatient = AdfRunsClient.connect(
      new TestCredential(),
      {
        subscriptionId: emulator.adf.subscriptionId,
        resourceGroup: emulator.adf.resourceGroup,
        factoryName: emulator.adf.factory,
      },
      {
        endpoint: emulator.adf.endpoint,
        credentialScopes: [LOCAL_CREDENTIAL_SCOPE],
        tlsOptions: { ca: emulator.adf.ca },
        timeoutMs: 100,
      },
    );
    emulator.control.faults.add({ operation: 'pipelines.createRun', kind: 'delay', delayMs: 400, times: 1 });
    const slow = await failure(impatient.createRun('p', { parameters: { partition: 'slow' } }));
    assert.equal(slow.failure, 'unclear');
    assert.equal(emulator.control.counts()['pipelines.createRun'], 1);
  });

  it('refusals and auth: a missing pipeline is rejected; an expired token is auth, and no token is in the message', async () => {
    const missing = await failure(port.createRun('no_such_pipeline', {}));
    assert.equal(missing.failure, 'rejected');
    assert.equal(missing.status, 404);
    const credential = new TestCredential();
    const fresh = connect(emulator, credential);
    await fresh.getRun('00000000-0000-0000-0000-000000000000').catch(() => undefined);
    emulator.control.expireTokens(new Date(Date.now() + 60_000));
    const expired = await failure(
      fresh.queryRuns({ lastUpdatedAfter: new Date(0).toISOString(), lastUpdatedBefore: new Date().toISOString() }),
    );
    emulator.control.clearTokenExpiry();
    assert.equal(expired.failure, 'auth');
    assert.match(expired.message, /not allowed \(401/);
    assert.doesNotMatch(expired.message, /test-token/);
    assert.equal(
      redactSecrets('Authorization: Bearer eyJabc.def-ghi_jkl and https://a/b?sv=1&sig=abc%2F123&se=2'),
      'Authorization: Bearer REDACTED and https://a/b?sv=1&sig=REDACTED&se=2',
    );
    assert.equal(
      retryAfterMsOf(n => ({ 'retry-after': '2' })[n]),
      2000,
    );
    assert.equal(
      retryAfterMsOf(n => ({ 'retry-after-ms': '150', 'retry-after': '9' })[n]),
      150,
    );
    assert.equal(
      retryAfterMsOf(n => ({ 'retry-after': new Date(61_000).toUTCString() })[n], 1000),
      60_000,
    );
  });

  it('queryPipelineRuns over 250 runs: 3 pages through continuation tokens, each run once', async () => {
    const since = Date.now() - 1000;
    for (let i = 0; i < 250; i++) await port.createRun('p', { parameters: { partition: `page-${i}` } });
    emulator.control.resetCounts();
    const pages: number[] = [];
    const { runs } = await queryAllRuns(
      port,
      {
        lastUpdatedAfter: new Date(since).toISOString(),
        lastUpdatedBefore: new Date(Date.now() + 60_000).toISOString(),
        pipelineNames: ['p'],
      },
      { clock, onPage: p => pages.push(p.runs.length) },
    );
    const mine = runs.filter(r => r.parameters.partition?.startsWith('page-'));
    assert.equal(mine.length, 250);
    assert.equal(new Set(mine.map(r => r.runId)).size, 250);
    assert.ok(pages.length >= 3 && pages.every(n => n <= 100), `pages ${pages}`);
    assert.equal(emulator.control.counts()['pipelineRuns.queryByFactory'], pages.length);
    const since2 = await listRunsSince(port, since, { clock, pipelineNames: ['p'] });
    assert.ok(since2.length >= 250);
    assert.ok(since2.every(r => Date.parse(r.runStart!) >= since));
  });

  it("a run's activity runs, paged by hand (2 a page), with the failed one's error", async () => {
    emulator.control.outcomes.add({
      pipeline: 'steps',
      activity: 'e',
      status: 'Failed',
      message: 'The source table is locked',
      times: 1,
    });
    const { runId } = await port.createRun('steps', {});
    const run = await eventually(
      async () => {
        const r = await port.getRun(runId);
        return r.status === 'Failed' ? r : undefined;
      },
      10_000,
      'the run to fail',
    );
    emulator.control.resetCounts();
    const activities = await allActivityRuns(port, run, { clock });
    assert.deepEqual(
      activities.map(a => [a.activityName, a.status]),
      [
        ['a', 'Succeeded'],
        ['b', 'Succeeded'],
        ['c', 'Succeeded'],
        ['d', 'Succeeded'],
        ['e', 'Failed'],
      ],
    );
    assert.equal(emulator.control.counts()['activityRuns.queryByPipelineRun'], 3);
    assert.match(activities[4]!.error!.message, /The source table is locked/);

    // Rerun from failure: same group, only the failed activity again, the original's parameters kept.
    const rerun = await rerunRun(port, { run, from: { kind: 'failure' }, parameters: { region: 'us' } }, { clock });
    assert.match(rerun.notes[0]!, /region keep their values/);
    const done = await eventually(
      async () => {
        const r = await port.getRun(rerun.runId);
        return r.status === 'Succeeded' ? r : undefined;
      },
      10_000,
      'the rerun to succeed',
    );
    assert.equal(done.runGroupId, run.runGroupId);
    assert.equal(done.parameters.region, 'eu');
    const original = await port.getRun(runId);
    assert.equal(original.isLatest, false);
    assert.equal(done.isLatest, true);
    const rerunActivities = await allActivityRuns(port, done, { clock });
    assert.deepEqual(
      rerunActivities
        .filter(a => a.status === 'Succeeded' && a.activityRunStart! >= done.runStart!)
        .map(a => a.activityName),
      ['e'],
    );
  });

  it('cancel, recursive: the parent and the child pipeline it started end Cancelled', async () => {
    emulator.control.outcomes.add({ pipeline: 'child', durationMs: 5000 });
    const { runId } = await triggerRun(port, 'parent', {}, { clock });
    const child = await eventually(
      () => runsOf('child').find(r => (r['invokedBy'] as Record<string, string>)['pipelineRunId'] === runId),
      5000,
      'the child run',
    );
    await cancelRun(port, runId, { clock, recursive: true });
    await eventually(
      async () => ((await port.getRun(runId)).status === 'Cancelled' ? true : undefined),
      5000,
      'the parent cancelled',
    );
    const childRun = await eventually(
      async () => {
        const r = await port.getRun(child['runId'] as string);
        return r.status === 'Cancelled' ? r : undefined;
      },
      5000,
      'the child cancelled',
    );
    assert.equal(childRun.status, 'Cancelled');
    assert.equal(emulator.control.counts()['pipelineRuns.cancel'], 1);
  });

  it('the trigger form from the deployed pipeline, then a run with the typed parameters', async () => {
    const pipeline = await port.getPipeline('p');
    const form = triggerFormOf(pipeline);
    assert.deepEqual(
      form.fields.map(f => [f.name, f.type, f.defaultText]),
      [
        ['partition', 'String', ''],
        ['batch', 'Int', '1'],
      ],
    );
    const bad = fillTriggerForm(form, { batch: 'lots' });
    assert.match(bad.errors.batch!, /must be a whole number/);
    const filled = fillTriggerForm(form, { partition: 'from-form', batch: '5' });
    const { runId } = await triggerRun(port, 'p', filled.parameters, { clock });
    const run = await port.getRun(runId);
    assert.deepEqual([run.parameters.partition, run.parameters.batch], ['from-form', '5']);
    assert.ok((await port.listPipelineNames()).includes('steps'));
  });

  it('the Runs view model live: the first page, then a failure event for a run that fails while watched', async () => {
    const monitor = new RunsMonitor(port, {
      clock,
      pipelineNames: ['steps'],
      policy: { ...DEFAULT_REFRESH_POLICY, activeIntervalMs: 50, idleIntervalMs: 50 },
    });
    const failures: RunFailedEvent[] = [];
    monitor.onRunFailed.on(e => failures.push(e));
    const t0 = Date.now();
    await monitor.loadFirstPage();
    const firstPageMs = Date.now() - t0;
    assert.ok(firstPageMs < 2000);
    monitor.startLive();
    emulator.control.outcomes.add({
      pipeline: 'steps',
      activity: 'c',
      status: 'Failed',
      message: 'Copy failed: the sink is full',
      times: 1,
    });
    const { runId } = await port.createRun('steps', {});
    const event = await eventually(() => failures.find(f => f.runId === runId), 10_000, 'the failure event');
    monitor.dispose();
    assert.equal(event.pipelineName, 'steps');
    assert.match(event.message, /Copy failed: the sink is full/);
    assert.equal(failures.filter(f => f.runId === runId).length, 1);
  });
});
