// The local Data Factory emulator, driven by the real @azure/arm-datafactory client over HTTPS:
// artifacts, runs and their states, queries and their pages, cancel, reruns.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { after, before, describe, it } from 'node:test';
import type { ActivityRun, DataFactoryManagementClient, PipelineResource, PipelineRun } from '@azure/arm-datafactory';
import {
  startEmulator,
  LOCAL_FACTORY,
  LOCAL_RESOURCE_GROUP,
  LOCAL_SUBSCRIPTION_ID,
  type EmulatorHandle,
} from '../../src/emulator';
import { SAMPLE_DIR } from '../unit/helpers/paths';
import { adfClient, eventually, factoryPath, rawRequest } from './helpers/emulatorClients';

const RG = LOCAL_RESOURCE_GROUP;
const DF = LOCAL_FACTORY;
const TERMINAL = new Set(['Succeeded', 'Failed', 'Cancelled']);

const copy = (name: string, dependsOn: { activity: string; dependencyConditions: string[] }[] = []) => ({
  name,
  type: 'Copy',
  dependsOn,
  typeProperties: { source: { type: 'AzureSqlSource' }, sink: { type: 'ParquetSink' } },
});

const linear: PipelineResource = {
  activities: [
    copy('extract'),
    copy('load', [{ activity: 'extract', dependencyConditions: ['Succeeded'] }]),
  ] as PipelineResource['activities'],
  parameters: { table: { type: 'String' }, window: { type: 'String', defaultValue: 'day' } },
};

async function finished(client: DataFactoryManagementClient, runId: string, timeoutMs = 5_000): Promise<PipelineRun> {
  return eventually(
    async () => {
      const run = await client.pipelineRuns.get(RG, DF, runId);
      return TERMINAL.has(run.status ?? '') ? run : undefined;
    },
    timeoutMs,
    `run ${runId} to finish`,
  );
}

/** Every activity run of a run, paged by hand with the continuation token (pages of 1 in this suite). */
async function allActivities(client: DataFactoryManagementClient, runId: string): Promise<ActivityRun[]> {
  const out: ActivityRun[] = [];
  let token: string | undefined;
  do {
    const page = await client.activityRuns.queryByPipelineRun(RG, DF, runId, { ...window(), continuationToken: token });
    assert.ok(page.value.length <= 1, 'pages of activityPageSize');
    out.push(...page.value);
    token = page.continuationToken;
  } while (token);
  return out;
}

const window = () => ({
  lastUpdatedAfter: new Date(Date.now() - 3_600_000),
  lastUpdatedBefore: new Date(Date.now() + 3_600_000),
});

describe('local emulator: Data Factory over the real SDK', () => {
  let emulator: EmulatorHandle;
  let client: DataFactoryManagementClient;

  before(async () => {
    // ARM's token buckets are tested on their own (emulatorFaults): here they would slow the many createRun calls.
    emulator = await startEmulator({
      storage: false,
      adf: { listPageSize: 2, activityPageSize: 1, armBuckets: false },
    });
    client = adfClient(emulator);
  });
  after(async () => {
    await emulator?.stop();
  });

  it('uses the fixed local ids and answers the factory', async () => {
    assert.equal(emulator.adf.subscriptionId, LOCAL_SUBSCRIPTION_ID);
    assert.equal(emulator.label, 'local emulator');
    const factory = await client.factories.get(RG, DF);
    assert.equal(factory.name, DF);
    assert.equal(factory.provisioningState, 'Succeeded');
    await assert.rejects(
      client.factories.get(RG, 'adf-nope'),
      (e: { statusCode?: number; code?: string }) => e.statusCode === 404 && e.code === 'ResourceNotFound',
    );
  });

  it('creates, reads, lists (paged by nextLink) and deletes artifacts of every kind', async () => {
    for (const name of ['p_a', 'p_b', 'p_c', 'P_D']) await client.pipelines.createOrUpdate(RG, DF, name, linear);
    const names: string[] = [];
    for await (const p of client.pipelines.listByFactory(RG, DF)) names.push(p.name!);
    assert.deepEqual(names, ['p_a', 'p_b', 'p_c', 'P_D']);
    const pages: number[] = [];
    for await (const page of client.pipelines.listByFactory(RG, DF).byPage()) pages.push(page.length);
    assert.deepEqual(pages, [2, 2]);
    // Names are case-insensitive and keep their first spelling; a PUT gives a new etag.
    const first = await client.pipelines.get(RG, DF, 'p_d');
    assert.equal(first.name, 'P_D');
    const second = await client.pipelines.createOrUpdate(RG, DF, 'p_d', { ...linear, description: 'changed' });
    assert.notEqual(second.etag, first.etag);
    assert.equal(second.description, 'changed');

    await client.linkedServices.createOrUpdate(RG, DF, 'ls_adls', {
      properties: { type: 'AzureBlobFS', typeProperties: { url: 'https://x.dfs.core.windows.net' } } as never,
    });
    await client.datasets.createOrUpdate(RG, DF, 'ds_json', {
      properties: {
        type: 'Json',
        linkedServiceName: { referenceName: 'ls_adls', type: 'LinkedServiceReference' },
      } as never,
    });
    await client.integrationRuntimes.createOrUpdate(RG, DF, 'ir_auto', {
      properties: { type: 'Managed', typeProperties: {} } as never,
    });
    await client.dataFlows.createOrUpdate(RG, DF, 'df_one', { properties: { type: 'MappingDataFlow' } as never });
    assert.equal((await client.datasets.get(RG, DF, 'ds_json')).properties.linkedServiceName.referenceName, 'ls_adls');
    assert.equal((await client.integrationRuntimes.get(RG, DF, 'ir_auto')).properties.type, 'Managed');
    const linked: string[] = [];
    for await (const l of client.linkedServices.listByFactory(RG, DF)) linked.push(l.name!);
    assert.deepEqual(linked, ['ls_adls']);

    await client.pipelines.delete(RG, DF, 'p_c');
    await assert.rejects(client.pipelines.get(RG, DF, 'p_c'), (e: { statusCode?: number }) => e.statusCode === 404);
    // Deleting what is not there is not an error in ARM (204).
    await client.pipelines.delete(RG, DF, 'p_c');
    await assert.rejects(
      client.pipelines.createOrUpdate(RG, DF, 'bad.name', linear),
      (e: { statusCode?: number; code?: string }) => e.statusCode === 400 && e.code === 'InvalidResourceName',
    );
  });

  it("takes the Spotify sample's factory in reference order, and refuses what ADF refuses out of order", async () => {
    // A factory of its own (a PUT of a factory creates it), empty as the local one starts.
    const SAMPLE_DF = 'adf-sample';
    await client.factories.createOrUpdate(RG, SAMPLE_DF, { location: 'local' });
    const adf = path.join(SAMPLE_DIR, 'adf');
    const read = (kind: string, name: string) =>
      JSON.parse(fs.readFileSync(path.join(adf, kind, `${name}.json`), 'utf8')) as { properties: never };
    await assert.rejects(
      client.datasets.createOrUpdate(RG, SAMPLE_DF, 'ds_adls_json', read('dataset', 'ds_adls_json')),
      (e: { statusCode?: number; message?: string }) =>
        e.statusCode === 400 && /invalid reference 'ls_adls'/.test(e.message ?? ''),
    );
    for (const name of ['ls_adls', 'ls_databricks', 'ls_spotify_sql'])
      await client.linkedServices.createOrUpdate(RG, SAMPLE_DF, name, read('linkedService', name));
    for (const name of ['ds_adls_json', 'ds_adls_parquet', 'ds_sql_table'])
      await client.datasets.createOrUpdate(RG, SAMPLE_DF, name, read('dataset', name));
    const pipeline = read('pipeline', 'pl_incremental_ingestion').properties as PipelineResource;
    await client.pipelines.createOrUpdate(RG, SAMPLE_DF, 'pl_incremental_ingestion', pipeline);
    for (const name of ['tr_ingestion_backfill', 'tr_ingestion_schedule'])
      await client.triggers.createOrUpdate(RG, SAMPLE_DF, name, read('trigger', name));
    const back = await client.pipelines.get(RG, SAMPLE_DF, 'pl_incremental_ingestion');
    assert.equal(back.activities?.length, pipeline.activities?.length);
    await assert.rejects(
      client.linkedServices.delete(RG, SAMPLE_DF, 'ls_adls'),
      (e: { statusCode?: number; message?: string }) =>
        e.statusCode === 400 && /cannot be deleted since it is referenced by dataset/.test(e.message ?? ''),
    );
    // Deletes in reverse order go through.
    for (const name of ['tr_ingestion_backfill', 'tr_ingestion_schedule'])
      await client.triggers.delete(RG, SAMPLE_DF, name);
    await client.pipelines.delete(RG, SAMPLE_DF, 'pl_incremental_ingestion');
    for (const name of ['ds_adls_json', 'ds_adls_parquet', 'ds_sql_table'])
      await client.datasets.delete(RG, SAMPLE_DF, name);
    for (const name of ['ls_adls', 'ls_databricks', 'ls_spotify_sql'])
      await client.linkedServices.delete(RG, SAMPLE_DF, name);
  });

  it('keeps a trigger stopped until started, and refuses to change or delete it while started', async () => {
    const trigger = {
      properties: {
        type: 'ScheduleTrigger',
        pipelines: [{ pipelineReference: { referenceName: 'p_a', type: 'PipelineReference' } }],
        typeProperties: {
          recurrence: { frequency: 'Day', interval: 1, startTime: '2026-12-07T02:00:00Z', timeZone: 'UTC' },
        },
      } as never,
    };
    const created = await client.triggers.createOrUpdate(RG, DF, 'tr_daily', trigger);
    assert.equal(created.properties.runtimeState, 'Stopped');
    await (await client.triggers.beginStart(RG, DF, 'tr_daily')).pollUntilDone();
    assert.equal((await client.triggers.get(RG, DF, 'tr_daily')).properties.runtimeState, 'Started');
    await assert.rejects(
      client.triggers.createOrUpdate(RG, DF, 'tr_daily', trigger),
      (e: { statusCode?: number; code?: string; message?: string }) =>
        e.statusCode === 400 &&
        e.code === 'TriggerEnabledCannotUpdate' &&
        /Cannot update enabled Trigger/.test(e.message ?? ''),
    );
    await assert.rejects(
      client.triggers.delete(RG, DF, 'tr_daily'),
      (e: { code?: string }) => e.code === 'TriggerEnabledCannotUpdate',
    );
    await (await client.triggers.beginStop(RG, DF, 'tr_daily')).pollUntilDone();
    await client.triggers.createOrUpdate(RG, DF, 'tr_daily', trigger);
    await client.triggers.delete(RG, DF, 'tr_daily');
  });

  it('provisions an event trigger before it can start', async () => {
    await client.triggers.createOrUpdate(RG, DF, 'tr_blob', {
      properties: {
        type: 'BlobEventsTrigger',
        events: ['Microsoft.Storage.BlobCreated'],
        scope: '/subscriptions/x/resourceGroups/y/providers/Microsoft.Storage/storageAccounts/z',
        pipelines: [{ pipelineReference: { referenceName: 'p_a', type: 'PipelineReference' } }],
      } as never,
    });
    assert.equal((await client.triggers.getEventSubscriptionStatus(RG, DF, 'tr_blob')).status, 'Disabled');
    await assert.rejects(
      (async () => (await client.triggers.beginStart(RG, DF, 'tr_blob')).pollUntilDone())(),
      (e: { statusCode?: number }) => e.statusCode === 400,
    );
    const subscribed = await (await client.triggers.beginSubscribeToEvents(RG, DF, 'tr_blob')).pollUntilDone();
    assert.equal(subscribed.status, 'Provisioning');
    await eventually(async () =>
      (await client.triggers.getEventSubscriptionStatus(RG, DF, 'tr_blob')).status === 'Enabled' ? true : undefined,
    );
    await (await client.triggers.beginStart(RG, DF, 'tr_blob')).pollUntilDone();
    assert.equal((await client.triggers.get(RG, DF, 'tr_blob')).properties.runtimeState, 'Started');
    await (await client.triggers.beginStop(RG, DF, 'tr_blob')).pollUntilDone();
  });

  it('runs a pipeline Queued → InProgress → Succeeded with its activity runs in dependsOn order', async () => {
    const seen = new Set<string>();
    const off = emulator.control.onRunChanged(r => seen.add(r.status));
    const { runId } = await client.pipelines.createRun(RG, DF, 'p_a', { parameters: { table: 'DimUser' } });
    assert.match(runId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const queued = await client.pipelineRuns.get(RG, DF, runId);
    assert.equal(queued.runGroupId, runId);
    assert.equal(queued.isLatest, true);
    assert.deepEqual(queued.parameters, { table: 'DimUser', window: 'day' });
    assert.equal(queued.invokedBy?.invokedByType, 'Manual');
    const run = await finished(client, runId);
    off();
    assert.equal(run.status, 'Succeeded');
    assert.deepEqual([...seen], ['Queued', 'InProgress', 'Succeeded']);
    assert.ok(run.runEnd && run.runStart && run.durationInMs! >= 0);
    const activities = await allActivities(client, runId);
    assert.deepEqual(
      activities.map(a => [a.activityName, a.status]),
      [
        ['extract', 'Succeeded'],
        ['load', 'Succeeded'],
      ],
    );
    assert.ok(activities[1]!.activityRunStart! >= activities[0]!.activityRunEnd!, 'load starts after extract ends');
    await assert.rejects(
      client.pipelines.createRun(RG, DF, 'nope'),
      (e: { statusCode?: number }) => e.statusCode === 404,
    );
    await assert.rejects(
      client.pipelines.createRun(RG, DF, 'p_b'),
      (e: { statusCode?: number; message?: string }) => e.statusCode === 400 && /table/.test(e.message ?? ''),
    );
  });

  it('pages queryPipelineRuns by 100 with a continuation token, filtered on last-updated time and operands', async () => {
    await client.pipelines.createOrUpdate(RG, DF, 'p_many', { activities: [] });
    const created = new Set<string>();
    for (let i = 0; i < 250; i++)
      created.add((await client.pipelines.createRun(RG, DF, 'p_many', { parameters: { i } })).runId);
    const filter = {
      ...window(),
      filters: [{ operand: 'PipelineName' as const, operator: 'Equals' as const, values: ['p_many'] }],
    };
    const pages: number[] = [];
    const seen = new Set<string>();
    let token: string | undefined;
    do {
      const page = await client.pipelineRuns.queryByFactory(RG, DF, { ...filter, continuationToken: token });
      pages.push(page.value.length);
      for (const r of page.value) seen.add(r.runId!);
      token = page.continuationToken;
    } while (token);
    assert.deepEqual(pages, [100, 100, 50]);
    assert.deepEqual([...seen].sort(), [...created].sort());
    // A window that ends before the runs were updated finds none of them.
    const old = await client.pipelineRuns.queryByFactory(RG, DF, {
      lastUpdatedAfter: new Date(Date.now() - 7_200_000),
      lastUpdatedBefore: new Date(Date.now() - 3_600_000),
      filters: filter.filters,
    });
    assert.equal(old.value.length, 0);
    const notMany = await client.pipelineRuns.queryByFactory(RG, DF, {
      ...window(),
      filters: [{ operand: 'PipelineName', operator: 'NotIn', values: ['p_many', 'P_D'] }],
    });
    assert.ok(notMany.value.length > 0 && notMany.value.every(r => r.pipelineName !== 'p_many'));
    // The SDK checks this itself; the service refuses it too.
    const unbounded = await rawRequest(
      emulator,
      'POST',
      `${factoryPath(emulator)}/queryPipelineRuns?api-version=2018-06-01`,
      { filters: [] },
    );
    assert.equal(unbounded.status, 400);
    assert.match(JSON.stringify(unbounded.body), /lastUpdatedAfter/);
  });

  it('serves 10,000 imported historical runs: the first page of 100 comes back quickly, newest first', async () => {
    const now = Date.now();
    const history = Array.from({ length: 10_000 }, (_, i) => ({
      pipelineName: 'p_history',
      parameters: { day: new Date(now - (i + 1) * 3_600_000).toISOString().slice(0, 10) },
      status: (i % 10 === 0 ? 'Failed' : 'Succeeded') as 'Failed' | 'Succeeded',
      runStart: now - (i + 1) * 60_000,
      runEnd: now - (i + 1) * 60_000 + 30_000,
    }));
    const ids = emulator.control.importRuns(history);
    assert.equal(new Set(ids).size, 10_000);
    const t0 = Date.now();
    const first = await client.pipelineRuns.queryByFactory(RG, DF, {
      lastUpdatedAfter: new Date(now - 30 * 86_400_000),
      lastUpdatedBefore: new Date(now + 60_000),
      filters: [{ operand: 'PipelineName', operator: 'Equals', values: ['p_history'] }],
    });
    const elapsed = Date.now() - t0;
    assert.equal(first.value.length, 100);
    assert.ok(first.continuationToken);
    assert.equal(first.value[0]!.runId, ids[0], 'newest run start first');
    assert.ok(elapsed < 1_000, `first page in ${elapsed} ms`);
    const failed = await client.pipelineRuns.queryByFactory(RG, DF, {
      lastUpdatedAfter: new Date(now - 30 * 86_400_000),
      lastUpdatedBefore: new Date(now + 60_000),
      filters: [
        { operand: 'PipelineName', operator: 'Equals', values: ['p_history'] },
        { operand: 'Status', operator: 'In', values: ['Failed'] },
      ],
    });
    assert.equal(failed.value.length, 100);
    assert.ok(failed.value.every(r => r.status === 'Failed'));
  });

  it('fails a run by the outcome rules, and a rerun from failure skips what succeeded and shares the group', async () => {
    emulator.control.outcomes.add({
      pipeline: 'p_a',
      activity: 'load',
      parameter: { name: 'table', value: 'DimTrack' },
      errorCode: '2200',
      message: 'Sink unreachable',
      times: 1,
    });
    const { runId } = await client.pipelines.createRun(RG, DF, 'p_a', { parameters: { table: 'DimTrack' } });
    const failed = await finished(client, runId);
    assert.equal(failed.status, 'Failed');
    assert.match(failed.message ?? '', /Operation on target load failed: Sink unreachable/);
    const errors = (await allActivities(client, runId)).filter(a => a.status === 'Failed');
    assert.deepEqual(
      errors.map(a => [a.activityName, (a.error as { errorCode?: string }).errorCode]),
      [['load', '2200']],
    );

    // The reference run's parameters win over new ones (ADF: they are used only without a run id).
    const rerun = await client.pipelines.createRun(RG, DF, 'p_a', {
      referencePipelineRunId: runId,
      isRecovery: true,
      startFromFailure: true,
      parameters: { table: 'Ignored' },
    });
    const again = await finished(client, rerun.runId);
    assert.equal(again.status, 'Succeeded');
    assert.equal(again.runGroupId, failed.runGroupId);
    assert.equal(again.parameters?.['table'], 'DimTrack');
    const activities = await allActivities(client, rerun.runId);
    assert.deepEqual(
      activities.map(a => a.activityName),
      ['load'],
      'extract succeeded before: not run again',
    );
    const group = await client.pipelineRuns.queryByFactory(RG, DF, {
      ...window(),
      filters: [{ operand: 'RunGroupId', operator: 'Equals', values: [failed.runGroupId!] }],
    });
    const latest = new Map(group.value.map(r => [r.runId, r.isLatest]));
    assert.deepEqual(
      latest,
      new Map([
        [runId, false],
        [rerun.runId, true],
      ]),
    );
  });

  it('cancels a run with its child pipeline runs when recursive', async () => {
    await client.pipelines.createOrUpdate(RG, DF, 'p_child', {
      activities: [copy('slow')] as PipelineResource['activities'],
    });
    await client.pipelines.createOrUpdate(RG, DF, 'p_parent', {
      activities: [
        {
          name: 'run_child',
          type: 'ExecutePipeline',
          typeProperties: { pipeline: { referenceName: 'p_child', type: 'PipelineReference' }, waitOnCompletion: true },
        },
      ] as PipelineResource['activities'],
    });
    emulator.control.outcomes.add({ pipeline: 'p_child', activity: 'slow', status: 'Succeeded', durationMs: 60_000 });
    const { runId } = await client.pipelines.createRun(RG, DF, 'p_parent');
    const child = await eventually(() =>
      emulator.control.runs().find(r => r['pipelineName'] === 'p_child' && r['status'] === 'InProgress'),
    );
    assert.deepEqual((child['invokedBy'] as { pipelineRunId?: string }).pipelineRunId, runId);
    await client.pipelineRuns.cancel(RG, DF, runId, { isRecursive: true });
    const parent = await finished(client, runId);
    assert.equal(parent.status, 'Cancelled');
    assert.equal((await finished(client, child['runId'] as string)).status, 'Cancelled');
    await assert.rejects(
      client.pipelineRuns.cancel(RG, DF, runId),
      (e: { statusCode?: number }) => e.statusCode === 400,
    );
    emulator.control.outcomes.clear();
  });

  it('queues runs by the pipeline concurrency, and refuses the 101st queued run', async () => {
    await client.pipelines.createOrUpdate(RG, DF, 'p_single', {
      concurrency: 1,
      activities: [copy('one')] as PipelineResource['activities'],
    });
    emulator.control.outcomes.add({ pipeline: 'p_single', status: 'Succeeded', durationMs: 60_000 });
    const first = await client.pipelines.createRun(RG, DF, 'p_single');
    await eventually(async () =>
      (await client.pipelineRuns.get(RG, DF, first.runId)).status === 'InProgress' ? true : undefined,
    );
    for (let i = 0; i < 100; i++) await client.pipelines.createRun(RG, DF, 'p_single');
    await assert.rejects(
      client.pipelines.createRun(RG, DF, 'p_single'),
      (e: { statusCode?: number; message?: string }) =>
        e.statusCode === 400 && /maximum of 100 runs will be queued/.test(e.message ?? ''),
    );
    const mine = emulator.control.runs().filter(r => r['pipelineName'] === 'p_single');
    assert.equal(mine.length, 101);
    assert.equal(mine.filter(r => r['status'] === 'Queued').length, 100);
    await client.pipelineRuns.cancel(RG, DF, first.runId);
    // The next queued run takes the slot.
    await eventually(() =>
      emulator.control.runs().filter(r => r['pipelineName'] === 'p_single' && r['status'] === 'InProgress').length === 1
        ? true
        : undefined,
    );
    for (const r of emulator.control.runs())
      if (r['pipelineName'] === 'p_single' && !TERMINAL.has(r['status'] as string))
        await client.pipelineRuns.cancel(RG, DF, r['runId'] as string);
    emulator.control.outcomes.clear();
  });
});
