// Applying a deploy through the FactoryApi port, on an in-memory factory that keeps Data Factory's
// rules (references must exist, a Started trigger cannot be updated or deleted, a tumbling window's
// schedule cannot change, an event trigger starts only once subscribed): the calls' order, the
// report per artifact, a second apply that writes nothing, a failure midway then a rerun that
// converges, triggers restarted after a failure or a cancel.
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { describe, it, type TestContext } from 'node:test';
import type { JsonObject } from '../../../src/core/adf/generate/adfJson';
import { NodeFileHost } from '../../../src/core/files/nodeFileHost';
import { readAdfFolder } from '../../../src/core/project/loadProject';
import { applyDeploy, localArtifactsOf, planDeploy, readFactory, type LocalArtifacts } from '../../../src/core/deploy';
import { MemoryFactory, ServiceError, type Call } from '../helpers/memoryFactory';
import { REAL_WORLD_ADF, SAMPLE_DIR, SHARED_MISSING, hasSharedFixtures } from '../helpers/paths';
import {
  blobEventsTrigger,
  dataset,
  edited,
  folder,
  linkedService,
  pipeline,
  scheduleTrigger,
  tumblingTrigger,
} from './builders';

const noWait = { sleep: async () => {}, provisioningPollMs: 1000, provisioningTimeoutMs: 10_000 };

async function sample(): Promise<LocalArtifacts> {
  const read = await readAdfFolder(new NodeFileHost(), path.join(SAMPLE_DIR, 'adf'));
  assert.equal(read.status, 'ok');
  return localArtifactsOf((read as Extract<typeof read, { status: 'ok' }>).factory);
}

const show = (calls: Call[]) => calls.map(c => ('name' in c ? `${c.op}:${c.name}` : `${c.op}:${c.kind}`));

describe('deploy apply', () => {
  it("deploys the sample's folder to an empty factory in the order of references, then writes nothing the second time", async () => {
    const factory = new MemoryFactory();
    const local = await sample();
    const report = await applyDeploy(factory, local, noWait);
    assert.equal(report.status, 'applied', report.message);
    assert.equal(report.message, 'Deployed: 9 created.');
    assert.deepEqual(show(factory.writes()), [
      'put:ls_adls',
      'put:ls_databricks',
      'put:ls_spotify_sql',
      'put:ds_adls_json',
      'put:ds_adls_parquet',
      'put:ds_sql_table',
      'put:pl_incremental_ingestion',
      'put:tr_ingestion_backfill',
      'put:tr_ingestion_schedule',
    ]);
    assert.equal(report.writes, 9);
    assert.ok(report.artifacts.every(a => a.outcome === 'created'));
    assert.equal(factory.stateOf('tr_ingestion_schedule'), 'Stopped', 'committed Stopped, created stopped');
    // What the factory holds is the file's properties (the trigger's runtimeState aside).
    const file = local.artifacts.find(a => a.name === 'pl_incremental_ingestion')!.value;
    assert.deepEqual(factory.get('pipeline', 'pl_incremental_ingestion')!.properties, file.properties);

    const before = factory.calls.length;
    const again = await applyDeploy(factory, local, noWait);
    assert.equal(again.status, 'applied');
    assert.equal(again.writes, 0);
    assert.deepEqual(factory.writes().length, 9, 'no call changed the factory');
    assert.ok(factory.calls.slice(before).every(c => c.op === 'list'));
    assert.equal(again.message, 'The factory is up to date: nothing to deploy.');
    assert.ok(again.artifacts.every(a => a.outcome === 'unchanged'));
  });

  it('reports a failure midway per artifact, skips what depends on it, goes on with the rest, and converges on rerun', async () => {
    const factory = new MemoryFactory();
    const local = await sample();
    factory.failOn(
      c => c.op === 'put' && c.name === 'ds_adls_parquet',
      new ServiceError('InternalServerError', 'The service is unavailable.'),
    );
    const report = await applyDeploy(factory, local, noWait);
    assert.equal(report.status, 'failed');
    const outcome = Object.fromEntries(
      report.artifacts.map(a => [a.name, `${a.outcome}${a.message ? `: ${a.message}` : ''}`]),
    );
    assert.deepEqual(outcome, {
      ls_adls: 'created',
      ls_databricks: 'created',
      ls_spotify_sql: 'created',
      ds_adls_json: 'created',
      ds_adls_parquet: 'failed: InternalServerError: The service is unavailable.',
      ds_sql_table: 'created',
      pl_incremental_ingestion: "skipped: not applied: it refers to dataset 'ds_adls_parquet', which was not created",
      tr_ingestion_backfill:
        "skipped: not applied: it refers to pipeline 'pl_incremental_ingestion', which was not created",
      tr_ingestion_schedule:
        "skipped: not applied: it refers to pipeline 'pl_incremental_ingestion', which was not created",
    });
    assert.match(
      report.message,
      /^Deploy incomplete: 4 artifact\(s\) not applied \(first: dataset 'ds_adls_parquet': InternalServerError: The service is unavailable\.\)\. Run it again/,
    );

    const rerun = await applyDeploy(factory, local, noWait);
    assert.equal(rerun.status, 'applied', rerun.message);
    assert.deepEqual(
      rerun.artifacts.filter(a => a.outcome !== 'unchanged').map(a => `${a.outcome}:${a.name}`),
      [
        'created:ds_adls_parquet',
        'created:pl_incremental_ingestion',
        'created:tr_ingestion_backfill',
        'created:tr_ingestion_schedule',
      ],
    );
    assert.equal((await applyDeploy(factory, local, noWait)).writes, 0);
  });

  it("goes on with an update's dependants when the update fails (the previous version exists), and restarts the trigger it stopped", async () => {
    const factory = new MemoryFactory();
    const v1 = folder(
      linkedService('ls'),
      dataset('ds', 'ls'),
      pipeline('pl', { reads: ['ds'] }),
      scheduleTrigger('tr_on', ['pl']),
      scheduleTrigger('tr_off', ['pl']),
    );
    for (const a of v1.artifacts) factory.seed(a.kind, a.value, a.name === 'tr_on' ? 'Started' : 'Stopped');
    const interval = (n: number) => (v: JsonObject) =>
      ((((v.properties as JsonObject).typeProperties as JsonObject).recurrence as JsonObject).interval = n);
    const v2 = folder(
      linkedService('ls', { url: 'https://changed.example.net/' }),
      dataset('ds', 'ls'),
      pipeline('pl', { reads: ['ds'], waitSeconds: 7 }),
      edited(scheduleTrigger('tr_on', ['pl']), interval(2)),
      edited(scheduleTrigger('tr_off', ['pl']), interval(3)),
    );
    factory.failOn(c => c.op === 'put' && c.name === 'tr_on', new ServiceError('BadRequest', 'Invalid recurrence.'));
    const report = await applyDeploy(factory, v2, noWait);
    assert.deepEqual(show(factory.writes()), [
      'stop:tr_on',
      'put:ls',
      'put:pl',
      'put:tr_off',
      'put:tr_on',
      'start:tr_on',
    ]);
    assert.equal(report.status, 'failed');
    assert.deepEqual(report.triggers, [{ name: 'tr_on', stopped: true, subscribed: false, started: true }]);
    assert.equal(factory.stateOf('tr_on'), 'Started', 'restarted with its previous definition');
    assert.equal(factory.stateOf('tr_off'), 'Stopped', 'a Stopped trigger stays stopped');
    assert.equal(report.artifacts.find(a => a.name === 'tr_on')!.message, 'BadRequest: Invalid recurrence.');

    const rerun = await applyDeploy(factory, v2, noWait);
    assert.equal(rerun.status, 'applied');
    assert.deepEqual(show(factory.writes()).slice(6), ['stop:tr_on', 'put:tr_on', 'start:tr_on']);
    assert.equal((await applyDeploy(factory, v2, noWait)).writes, 0);
  });

  it('does not touch a trigger it could not stop, and says so', async () => {
    const factory = new MemoryFactory();
    const v1 = folder(pipeline('pl'), scheduleTrigger('tr', ['pl']));
    for (const a of v1.artifacts) factory.seed(a.kind, a.value, 'Started');
    factory.failOn(c => c.op === 'stop', new ServiceError('Conflict', 'Trigger is busy.'));
    const report = await applyDeploy(
      factory,
      folder(pipeline('pl'), scheduleTrigger('tr', ['pl'], { interval: 5 })),
      noWait,
    );
    assert.equal(report.status, 'failed');
    assert.deepEqual(show(factory.writes()), ['stop:tr']);
    assert.deepEqual(report.triggers, [
      {
        name: 'tr',
        stopped: false,
        subscribed: false,
        started: false,
        error: 'could not stop: Conflict: Trigger is busy.',
      },
    ]);
    assert.equal(
      report.artifacts.find(a => a.name === 'tr')!.message,
      'not applied: it could not be stopped (could not stop: Conflict: Trigger is busy.)',
    );
    assert.equal(factory.stateOf('tr'), 'Started');
  });

  it('recreates a tumbling-window trigger the factory refuses to change in place, and starts it again', async () => {
    const factory = new MemoryFactory();
    const v1 = folder(pipeline('pl'), tumblingTrigger('tw', 'pl', { interval: 24 }));
    for (const a of v1.artifacts) factory.seed(a.kind, a.value, 'Started');
    const v2 = folder(pipeline('pl'), tumblingTrigger('tw', 'pl', { interval: 12 }));
    const report = await applyDeploy(factory, v2, noWait);
    assert.equal(report.status, 'applied', report.message);
    assert.deepEqual(show(factory.writes()), ['stop:tw', 'delete:tw', 'put:tw', 'start:tw']);
    assert.equal(report.artifacts.find(a => a.name === 'tw')!.outcome, 'recreated');
    assert.equal(factory.stateOf('tw'), 'Started');
    assert.equal(((factory.get('trigger', 'tw')!.properties as JsonObject).typeProperties as JsonObject).interval, 12);
  });

  it('subscribes an event trigger and waits for its subscription before starting it; a subscription that never provisions is reported', async () => {
    const factory = new MemoryFactory();
    const local = folder(pipeline('pl'), blobEventsTrigger('tr_blob', 'pl', 'Started'));
    const waits: number[] = [];
    const report = await applyDeploy(factory, local, { ...noWait, sleep: async ms => void waits.push(ms) });
    assert.equal(report.status, 'applied', report.message);
    assert.deepEqual(show(factory.calls.filter(c => c.op !== 'list')), [
      'put:pl',
      'put:tr_blob',
      'subscribe:tr_blob',
      'status:tr_blob',
      'status:tr_blob',
      'start:tr_blob',
    ]);
    assert.deepEqual(waits, [1000, 1000]);
    assert.deepEqual(report.triggers, [{ name: 'tr_blob', stopped: false, subscribed: true, started: true }]);

    const slow = new MemoryFactory();
    slow.provisioningPolls = 1000;
    const late = await applyDeploy(slow, local, noWait);
    assert.equal(late.status, 'failed');
    assert.match(
      late.triggers[0]!.error!,
      /^could not subscribe to events: its event subscription was still Provisioning after 10 s, not Enabled/,
    );
    assert.equal(slow.stateOf('tr_blob'), 'Stopped');
    assert.equal(late.artifacts.find(a => a.name === 'tr_blob')!.outcome, 'created');
  });

  it('deletes what the folder no longer has when asked: the Started trigger stopped first, then in reverse order of references', async () => {
    const factory = new MemoryFactory();
    const old = folder(
      linkedService('ls'),
      dataset('ds', 'ls'),
      pipeline('pl', { reads: ['ds'] }),
      scheduleTrigger('tr', ['pl']),
      pipeline('keep'),
    );
    for (const a of old.artifacts) factory.seed(a.kind, a.value, 'Started');
    const report = await applyDeploy(factory, folder(pipeline('keep')), { ...noWait, deleteMissing: true });
    assert.equal(report.status, 'applied', report.message);
    assert.deepEqual(show(factory.writes()), ['stop:tr', 'delete:tr', 'delete:pl', 'delete:ds', 'delete:ls']);
    assert.equal(report.message, 'Deployed: 1 unchanged, 4 deleted.');
    assert.deepEqual(
      (await readFactory(factory)).artifacts.map(a => a.name),
      ['keep'],
    );
  });

  it('writes nothing when the plan has problems, or when the factory changed since the plan the user confirmed', async () => {
    const factory = new MemoryFactory();
    const refused = await applyDeploy(factory, folder(pipeline('pl', { reads: ['ds_missing'] })), noWait);
    assert.equal(refused.status, 'refused');
    assert.match(
      refused.message,
      /^Nothing deployed: 1 problem\(s\) to fix first, e\.g\. Pipeline 'pl' refers to dataset 'ds_missing'/,
    );
    assert.deepEqual(factory.writes(), []);

    const local = folder(pipeline('pl', { waitSeconds: 2 }));
    const confirmed = planDeploy(local, await readFactory(factory));
    factory.seed('pipeline', pipeline('pl', { waitSeconds: 2 })[1]); // someone deployed it meanwhile
    const stale = await applyDeploy(factory, local, { ...noWait, confirmed });
    assert.equal(stale.status, 'stale');
    assert.deepEqual(factory.writes(), []);
    const current = planDeploy(local, await readFactory(factory));
    assert.equal((await applyDeploy(factory, local, { ...noWait, confirmed: current })).status, 'applied');
  });

  it('stops writing when cancelled, and still starts the triggers it stopped', async () => {
    const factory = new MemoryFactory();
    const v1 = folder(pipeline('a'), pipeline('b'), scheduleTrigger('tr', ['a']));
    for (const a of v1.artifacts) factory.seed(a.kind, a.value, 'Started');
    const controller = new AbortController();
    const report = await applyDeploy(
      factory,
      folder(
        pipeline('a', { waitSeconds: 3 }),
        pipeline('b', { waitSeconds: 3 }),
        scheduleTrigger('tr', ['a'], { interval: 4 }),
      ),
      {
        ...noWait,
        signal: controller.signal,
        onProgress: p => p.step.op === 'put' && controller.abort(),
      },
    );
    assert.equal(report.status, 'cancelled');
    assert.deepEqual(show(factory.writes()), ['stop:tr', 'put:a', 'start:tr']);
    assert.equal(factory.stateOf('tr'), 'Started');
    assert.match(report.message, /^Cancelled after 3 write\(s\): 1 updated, 2 skipped\.$/);
  });

  it('deploys each real public factory into an empty one (every reference exists when written), then writes nothing', async (t: TestContext) => {
    if (!hasSharedFixtures()) return t.skip(SHARED_MISSING);
    for (const name of fs
      .readdirSync(REAL_WORLD_ADF)
      .filter(d => fs.statSync(path.join(REAL_WORLD_ADF, d)).isDirectory())) {
      const read = await readAdfFolder(new NodeFileHost(), path.join(REAL_WORLD_ADF, name));
      const local = localArtifactsOf((read as Extract<typeof read, { status: 'ok' }>).factory);
      const factory = new MemoryFactory();
      factory.provisioningPolls = 0;
      const report = await applyDeploy(factory, local, noWait);
      assert.equal(report.status, 'applied', `${name}: ${report.message}`);
      assert.equal(report.artifacts.filter(a => a.outcome === 'created').length, local.artifacts.length);
      const started = local.artifacts.filter(
        a => a.kind === 'trigger' && (a.value.properties as JsonObject).runtimeState === 'Started',
      );
      for (const trigger of started) assert.equal(factory.stateOf(trigger.name), 'Started', `${name}: ${trigger.name}`);
      assert.equal((await applyDeploy(factory, local, noWait)).writes, 0, name);
    }
  });
});
