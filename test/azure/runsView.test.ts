// The editor's path to a factory's runs, on the wire: the target of the `local` environment
// (resolveTarget), runsClientFor with the emulator's credential (what the Runs view and Trigger
// Pipeline… use), the trigger form from the deployed pipeline, a run followed by the RunsMonitor to
// Succeeded, and Data Factory's refusals (429 with Retry-After, 403, a factory that is not there) as
// the view words them.
import { strict as assert } from 'assert';
import { after, before, describe, it } from 'node:test';
import { startEmulator, type EmulatorHandle } from '../../src/emulator';
import { runsClientFor } from '../../src/azure/clients';
import { EmulatorCredential } from '../../src/azure/credentials';
import { resolveTarget, type OperationsTarget } from '../../src/azure/target';
import { systemClock } from '../../src/core/runs/clock';
import { RunsMonitor } from '../../src/core/runs/monitor';
import type { RefreshOutcome } from '../../src/core/runs/scheduler';
import { triggerRun } from '../../src/core/runs/startRun';
import { fillTriggerForm, triggerFormOf } from '../../src/core/runs/triggerForm';
import { describeRunsError } from '../../src/extension/runs/runsPresentation';
import { adfClient, eventually } from './helpers/emulatorClients';

describe('the Runs view and Trigger Pipeline… on the local emulator, through runsClientFor', () => {
  let emulator: EmulatorHandle;
  let target: OperationsTarget;
  const info = () => ({ label: target.label, local: target.local, factoryName: target.factory.name });

  before(async () => {
    emulator = await startEmulator({
      storage: false,
      timing: { queuedMs: 5, activityMs: 20, cancelMs: 5 },
      adf: { armBuckets: false, monitoringQueriesPerMinute: false },
    });
    target = resolveTarget([], 'local', { adf: emulator.adf });
    const { resourceGroup: rg, factory: df } = emulator.adf;
    await adfClient(emulator).pipelines.createOrUpdate(rg, df, 'pl_copy', {
      activities: [{ name: 'copy', type: 'Wait', typeProperties: { waitTimeInSeconds: 1 }, dependsOn: [] } as never],
      parameters: {
        window_start: { type: 'String', defaultValue: '' },
        tables: { type: 'Array', defaultValue: ['a', 'b'] },
        batch: { type: 'Int', defaultValue: 1 },
      },
    });
  });
  after(async () => {
    await emulator?.stop();
  });

  it('picks the pipeline, fills its form, starts it once and follows it to Succeeded', async () => {
    assert.equal(target.label, 'local emulator');
    const port = runsClientFor(target, new EmulatorCredential());
    assert.deepEqual(await port.listPipelineNames(), ['pl_copy']);
    const definition = await port.getPipeline('pl_copy');
    const form = triggerFormOf({ name: 'pl_copy', properties: { parameters: definition.parameters } }, 'pl_copy');
    assert.deepEqual(
      form.fields.map(f => [f.name, f.type, f.defaultText]),
      [
        ['window_start', 'String', ''],
        ['tables', 'Array', '["a","b"]'],
        ['batch', 'Int', '1'],
      ],
    );
    const filled = fillTriggerForm(form, { window_start: '2024-01-01', tables: '["a","b"]', batch: '7' });
    assert.deepEqual(filled, { parameters: { window_start: '2024-01-01', batch: 7 }, errors: {} });

    const monitor = new RunsMonitor(port, { clock: systemClock, since: Date.now() - 60_000 });
    await monitor.loadFirstPage();
    assert.deepEqual(monitor.runs(), []);
    const { runId, found } = await triggerRun(port, 'pl_copy', filled.parameters, { clock: systemClock });
    assert.equal(found, false);
    const run = await eventually(
      async () => {
        await monitor.refresh();
        const r = monitor.get(runId);
        return r?.status === 'Succeeded' ? r : undefined;
      },
      10_000,
      'the run to succeed',
    );
    assert.equal(run.parameters['window_start'], '2024-01-01');
    assert.equal(run.parameters['batch'], '7');
    assert.equal(run.parameters['tables'], '["a","b"]', 'the default, as the service shows it');
    assert.equal(emulator.control.counts()['pipelines.createRun'], 1);
    const activities = await monitor.activityRuns(runId);
    assert.deepEqual(
      activities.map(a => [a.activityName, a.status]),
      [['copy', 'Succeeded']],
    );
  });

  it('429 with Retry-After: the live refresh waits it out; the view says why', async () => {
    const port = runsClientFor(target, new EmulatorCredential());
    const monitor = new RunsMonitor(port, { clock: systemClock });
    await monitor.loadFirstPage();
    emulator.control.faults.add({
      operation: 'pipelineRuns.queryByFactory',
      kind: 'status',
      status: 429,
      retryAfterSeconds: 7,
      times: 1,
    });
    const outcomes: RefreshOutcome[] = [];
    monitor.onRefresh.on(o => outcomes.push(o));
    monitor.startLive({ firstDelayMs: 0 });
    try {
      const outcome = await eventually(() => outcomes[0], 5000, 'a refresh');
      assert.equal(outcome.kind, 'throttled');
      assert.equal(outcome.kind === 'throttled' && outcome.retryAfterMs, 7000);
      assert.ok(monitor.nextRefreshAt! - Date.now() > 6000, 'not before Retry-After');
    } finally {
      monitor.dispose();
      emulator.control.faults.clear();
    }
  });

  it('403 and a factory that is not there become what to do', async () => {
    emulator.control.faults.add({ operation: 'pipelineRuns.queryByFactory', kind: 'status', status: 403, times: 1 });
    const port = runsClientFor(target, new EmulatorCredential());
    const forbidden = await new RunsMonitor(port, { clock: systemClock }).loadFirstPage().then(
      () => assert.fail('refused'),
      (e: unknown) => e,
    );
    const shown = describeRunsError(forbidden, info());
    assert.equal(shown.label, 'Not allowed to read the runs of local emulator (403)');
    assert.equal(shown.action, 'retry', 'no Azure sign-in for the emulator');
    assert.doesNotMatch(shown.detail, /local-emulator\.\d+/, 'no token in the message');

    const missing: OperationsTarget = { ...target, factory: { ...target.factory, name: 'adf-not-there' } };
    const gone = await new RunsMonitor(runsClientFor(missing, new EmulatorCredential()), { clock: systemClock })
      .loadFirstPage()
      .then(
        () => assert.fail('not found'),
        (e: unknown) => e,
      );
    const notFound = describeRunsError(gone, { ...info(), factoryName: 'adf-not-there' });
    assert.equal(notFound.label, 'Factory adf-not-there was not found (404)');
  });
});
