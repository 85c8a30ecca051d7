// Deploy on the wire: the real @azure/arm-datafactory client (through ArmFactoryApi) against the
// local Data Factory emulator over HTTPS. The order of the writes is read from the emulator's own
// request log; the factory's state from raw GETs (what the service holds, not what the SDK models keep).
import { strict as assert } from 'assert';
import * as path from 'path';
import { after, before, describe, it } from 'node:test';
import type { JsonObject } from '../../src/core/adf/generate/adfJson';
import { NodeFileHost } from '../../src/core/files/nodeFileHost';
import { readAdfFolder } from '../../src/core/project/loadProject';
import {
  applyDeploy,
  artifactKey,
  localArtifactsOf,
  planDeploy,
  readFactory,
  referencesOf,
  type DeployKind,
  type LocalArtifacts,
} from '../../src/core/deploy';
import { ArmFactoryApi, FactoryApiError } from '../../src/azure/adf';
import { LOCAL_CREDENTIAL_SCOPE, makeCertificate, startEmulator, type EmulatorHandle } from '../../src/emulator';
import { adfClient, rawRequest, TestCredential } from './helpers/emulatorClients';
import { REAL_WORLD_ADF, SAMPLE_DIR, SHARED_MISSING, hasSharedFixtures } from '../unit/helpers/paths';

interface LoggedRequest {
  method: string;
  path: string;
  operation: string;
  status: number | 'reset';
}

/** Quick polls: the emulator provisions an event subscription in a few milliseconds. */
const FAST = { provisioningPollMs: 10, provisioningTimeoutMs: 5_000 };

async function sampleFolder(dir = path.join(SAMPLE_DIR, 'adf')): Promise<LocalArtifacts> {
  const read = await readAdfFolder(new NodeFileHost(), dir);
  assert.equal(read.status, 'ok');
  return localArtifactsOf((read as Extract<typeof read, { status: 'ok' }>).factory);
}

/** The sample's folder with some artifacts edited (on copies). */
function editedFolder(local: LocalArtifacts, edits: Record<string, (value: JsonObject) => void>): LocalArtifacts {
  return {
    ...local,
    artifacts: local.artifacts.map(a => {
      const edit = edits[a.name];
      if (!edit) return a;
      const value = structuredClone(a.value);
      edit(value);
      return { ...a, value };
    }),
  };
}

const typeProperties = (value: JsonObject) => (value.properties as JsonObject).typeProperties as JsonObject;

describe('deploy over the wire (local Data Factory emulator)', () => {
  let emulator: EmulatorHandle;
  let sample: LocalArtifacts;
  let factories = 0;

  before(async () => {
    // Lists paged by two, so reading a factory follows nextLink.
    emulator = await startEmulator({
      storage: false,
      adf: { listPageSize: 2, armBuckets: false, eventSubscriptionMs: 30, certificate: await makeCertificate() },
    });
    sample = await sampleFolder();
  });
  after(async () => {
    await emulator?.stop();
  });

  /** A new empty factory in the emulator, with a FactoryApi and a reader of its request log. */
  async function newFactory(): Promise<{
    api: ArmFactoryApi;
    name: string;
    writes: () => Promise<LoggedRequest[]>;
    mark: () => Promise<void>;
  }> {
    const name = `adf-deploy-${++factories}`;
    await adfClient(emulator).factories.createOrUpdate(emulator.adf.resourceGroup, name, { location: 'local' });
    const api = ArmFactoryApi.connect(new TestCredential(), {
      subscriptionId: emulator.adf.subscriptionId,
      resourceGroup: emulator.adf.resourceGroup,
      factory: name,
      endpoint: emulator.adf.endpoint,
      credentialScopes: [LOCAL_CREDENTIAL_SCOPE],
      ca: emulator.adf.ca,
      clientOptions: { retryOptions: { retryDelayInMs: 5, maxRetryDelayInMs: 20 } },
    });
    let seen = 0;
    const log = async () =>
      (
        (
          await rawRequest(emulator, 'GET', '/_emulator/requests', undefined, {
            authorization: 'Bearer raw-test',
            'x-emulator-key': emulator.control.key,
          })
        ).body as { requests: LoggedRequest[] }
      ).requests.filter(r => r.path.includes(`/factories/${name}/`));
    return {
      api,
      name,
      // What changed the factory since the last mark: every request but GETs.
      writes: async () => (await log()).slice(seen).filter(r => r.method !== 'GET'),
      mark: async () => {
        seen = (await log()).length;
      },
    };
  }

  const described = (requests: LoggedRequest[]) =>
    requests.map(
      r =>
        `${r.method} ${r.path.replace(/^.*\/factories\/[^/]+\//, '')}${r.status === 200 || r.status === 204 ? '' : ` → ${r.status}`}`,
    );

  it("deploys the sample's folder to an empty factory in the order of references, sending each artifact's JSON as it is", async () => {
    const f = await newFactory();
    const report = await applyDeploy(f.api, sample, FAST);
    assert.equal(report.status, 'applied', report.message);
    assert.deepEqual(described(await f.writes()), [
      'PUT linkedservices/ls_adls',
      'PUT linkedservices/ls_databricks',
      'PUT linkedservices/ls_spotify_sql',
      'PUT datasets/ds_adls_json',
      'PUT datasets/ds_adls_parquet',
      'PUT datasets/ds_sql_table',
      'PUT pipelines/pl_incremental_ingestion',
      'PUT triggers/tr_ingestion_backfill',
      'PUT triggers/tr_ingestion_schedule',
    ]);
    // The service holds every field of the files, including those the SDK's models do not know.
    for (const artifact of sample.artifacts) {
      const segment = {
        linkedService: 'linkedservices',
        dataset: 'datasets',
        pipeline: 'pipelines',
        trigger: 'triggers',
      }[artifact.kind as 'pipeline'];
      const held = (
        await rawRequest(emulator, 'GET', `${factoryPathOf(f.name)}/${segment}/${artifact.name}?api-version=2018-06-01`)
      ).body as JsonObject;
      const properties = { ...(held.properties as JsonObject) };
      delete properties.runtimeState;
      const expected = { ...(artifact.value.properties as JsonObject) };
      delete expected.runtimeState;
      assert.deepEqual(properties, expected, `${artifact.kind} ${artifact.name}`);
    }
    const sql = (
      await rawRequest(emulator, 'GET', `${factoryPathOf(f.name)}/linkedservices/ls_spotify_sql?api-version=2018-06-01`)
    ).body as JsonObject;
    assert.equal(typeProperties(sql).authenticationType, 'SystemAssignedManagedIdentity');
  });

  const factoryPathOf = (name: string) =>
    `/subscriptions/${emulator.adf.subscriptionId}/resourceGroups/${emulator.adf.resourceGroup}/providers/Microsoft.DataFactory/factories/${name}`;

  it('writes nothing when the factory already matches the folder (deploy twice)', async () => {
    const f = await newFactory();
    assert.equal((await applyDeploy(f.api, sample, FAST)).status, 'applied');
    await f.mark();
    const again = await applyDeploy(f.api, sample, FAST);
    assert.equal(again.status, 'applied');
    assert.equal(again.writes, 0);
    assert.deepEqual(await f.writes(), []);
    assert.ok(
      again.artifacts.every(a => a.outcome === 'unchanged'),
      again.message,
    );
    // Reading the factory went through every page (two artifacts per page).
    assert.equal((await readFactory(f.api)).artifacts.length, 9);
  });

  it('reports a failure midway on its artifact, then a rerun converges', async () => {
    const f = await newFactory();
    // The first dataset PUT fails on the first try and on the SDK's three retries.
    emulator.control.faults.add({ operation: 'datasets.createOrUpdate', kind: 'status', status: 500, times: 4 });
    const failed = await applyDeploy(f.api, sample, FAST);
    assert.equal(failed.status, 'failed');
    const byName = Object.fromEntries(failed.artifacts.map(a => [a.name, a]));
    assert.equal(byName.ds_adls_json!.outcome, 'failed');
    assert.match(byName.ds_adls_json!.message!, /^Could not write dataset 'ds_adls_json': \S+ \(HTTP 500\): /);
    assert.ok(!byName.ds_adls_json!.message!.includes('test-token'), 'no token in the message');
    assert.equal(byName.ds_adls_parquet!.outcome, 'created', 'what does not depend on it still goes');
    assert.equal(byName.pl_incremental_ingestion!.outcome, 'skipped');
    assert.match(byName.pl_incremental_ingestion!.message!, /refers to dataset 'ds_adls_json', which was not created/);
    assert.deepEqual(
      failed.artifacts.filter(a => a.outcome === 'created').map(a => a.name),
      ['ls_adls', 'ls_databricks', 'ls_spotify_sql', 'ds_adls_parquet', 'ds_sql_table'],
    );

    await f.mark();
    const rerun = await applyDeploy(f.api, sample, FAST);
    assert.equal(rerun.status, 'applied', rerun.message);
    assert.deepEqual(described(await f.writes()), [
      'PUT datasets/ds_adls_json',
      'PUT pipelines/pl_incremental_ingestion',
      'PUT triggers/tr_ingestion_backfill',
      'PUT triggers/tr_ingestion_schedule',
    ]);
    await f.mark();
    assert.equal((await applyDeploy(f.api, sample, FAST)).writes, 0);
    assert.deepEqual(await f.writes(), []);
  });

  it('stops only the triggers that change, restarts a Started one and keeps a Stopped one stopped', async () => {
    const f = await newFactory();
    assert.equal((await applyDeploy(f.api, sample, FAST)).status, 'applied');
    await f.api.startTrigger('tr_ingestion_schedule');
    const changed = editedFolder(sample, {
      tr_ingestion_schedule: v => ((typeProperties(v).recurrence as JsonObject).interval = 2),
      tr_ingestion_backfill: v => (typeProperties(v).maxConcurrency = 2),
    });
    const plan = planDeploy(changed, await readFactory(f.api));
    assert.deepEqual(
      plan.changes.filter(c => c.trigger).map(c => [c.name, c.action, c.trigger!.stateBefore, c.trigger!.stateAfter]),
      [
        ['tr_ingestion_backfill', 'update', 'Stopped', 'Stopped'],
        ['tr_ingestion_schedule', 'update', 'Started', 'Started'],
      ],
    );
    await f.mark();
    const report = await applyDeploy(f.api, changed, { ...FAST, confirmed: plan });
    assert.equal(report.status, 'applied', report.message);
    assert.deepEqual(described(await f.writes()), [
      'POST triggers/tr_ingestion_schedule/stop',
      'PUT triggers/tr_ingestion_backfill',
      'PUT triggers/tr_ingestion_schedule',
      'POST triggers/tr_ingestion_schedule/start',
    ]);
    const states = Object.fromEntries(
      (await readFactory(f.api)).artifacts
        .filter(a => a.kind === 'trigger')
        .map(a => [a.name, (a.value.properties as JsonObject).runtimeState]),
    );
    assert.deepEqual(states, { tr_ingestion_backfill: 'Stopped', tr_ingestion_schedule: 'Started' });

    // A pipeline's change under the running trigger stops nothing.
    const pipelineChanged = editedFolder(changed, {
      pl_incremental_ingestion: v => ((v.properties as JsonObject).description = 'changed'),
    });
    await f.mark();
    assert.equal((await applyDeploy(f.api, pipelineChanged, FAST)).status, 'applied');
    assert.deepEqual(described(await f.writes()), ['PUT pipelines/pl_incremental_ingestion']);
  });

  it("warns before confirm that a tumbling-window trigger's new interval recreates it and replays its windows, then recreates it", async () => {
    const f = await newFactory();
    assert.equal((await applyDeploy(f.api, sample, FAST)).status, 'applied');
    const changed = editedFolder(sample, { tr_ingestion_backfill: v => (typeProperties(v).interval = 12) });
    const plan = planDeploy(changed, await readFactory(f.api), { now: new Date('2024-01-02T00:00:00Z') });
    const change = plan.changes.find(c => c.name === 'tr_ingestion_backfill')!;
    assert.equal(change.action, 'recreate');
    assert.equal(plan.warnings.length, 1);
    assert.match(
      plan.warnings[0]!,
      /^Trigger 'tr_ingestion_backfill' \(tumbling window\) is deleted and created again: /,
    );
    assert.match(
      plan.warnings[0]!,
      /replays its windows from startTime 2024-01-01T00:00:00Z \(2 windows up to now\), once it is started/,
    );
    await f.mark();
    const report = await applyDeploy(f.api, changed, FAST);
    assert.equal(report.status, 'applied', report.message);
    assert.deepEqual(described(await f.writes()), [
      'DELETE triggers/tr_ingestion_backfill',
      'PUT triggers/tr_ingestion_backfill',
    ]);
    assert.equal(report.artifacts.find(a => a.name === 'tr_ingestion_backfill')!.outcome, 'recreated');
  });

  it('subscribes a new event trigger and waits for its subscription before starting it', async () => {
    const f = await newFactory();
    const withEvents: LocalArtifacts = {
      ...sample,
      artifacts: [
        ...sample.artifacts,
        {
          kind: 'trigger',
          name: 'tr_landing',
          file: '/adf/trigger/tr_landing.json',
          value: {
            name: 'tr_landing',
            properties: {
              runtimeState: 'Started',
              pipelines: [
                { pipelineReference: { referenceName: 'pl_incremental_ingestion', type: 'PipelineReference' } },
              ],
              type: 'BlobEventsTrigger',
              typeProperties: {
                blobPathBeginsWith: '/landing/blobs/',
                ignoreEmptyBlobs: true,
                scope: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st',
                events: ['Microsoft.Storage.BlobCreated'],
              },
            },
          },
        },
      ],
    };
    const report = await applyDeploy(f.api, withEvents, FAST);
    assert.equal(report.status, 'applied', report.message);
    const calls = described(await f.writes()).filter(c => c.includes('tr_landing'));
    // Subscribed, its status looked at until Enabled (the emulator provisions it in 30 ms), then started.
    const polls = calls.slice(2, -1);
    assert.deepEqual(calls.slice(0, 2), ['PUT triggers/tr_landing', 'POST triggers/tr_landing/subscribeToEvents']);
    assert.ok(
      polls.length >= 1 && polls.every(c => c === 'POST triggers/tr_landing/getEventSubscriptionStatus'),
      calls.join(', '),
    );
    assert.equal(calls.at(-1), 'POST triggers/tr_landing/start');
    assert.deepEqual(report.triggers, [{ name: 'tr_landing', stopped: false, subscribed: true, started: true }]);
  });

  it('deploys a real factory (integration runtimes, a credential using a Key Vault secret, data flows), each reference written first', async t => {
    if (!hasSharedFixtures()) return t.skip(SHARED_MISSING);
    const local = await sampleFolder(path.join(REAL_WORLD_ADF, 'Azure-Player__azure.datafactory.tools'));
    const f = await newFactory();
    const report = await applyDeploy(f.api, local, FAST);
    assert.equal(report.status, 'applied', report.message);
    const puts = (await f.writes())
      .filter(r => r.method === 'PUT')
      .map(r => decodeURIComponent(r.path.replace(/^.*\/factories\/[^/]+\//, '')));
    assert.equal(puts.length, local.artifacts.length);
    const kindOf: Record<string, DeployKind> = {
      integrationruntimes: 'integrationRuntime',
      credentials: 'credential',
      linkedservices: 'linkedService',
      datasets: 'dataset',
      dataflows: 'dataflow',
      pipelines: 'pipeline',
      triggers: 'trigger',
    };
    const position = new Map(
      puts.map((p, i) => {
        const [segment, name] = p.split('/') as [string, string];
        return [artifactKey(kindOf[segment.toLowerCase()]!, name), i];
      }),
    );
    let references = 0;
    const kinds = new Set<string>();
    for (const artifact of local.artifacts) {
      for (const ref of referencesOf(artifact.value)) {
        if (ref.kind === artifact.kind && ref.name.toLowerCase() === artifact.name.toLowerCase()) continue;
        references++;
        kinds.add(ref.kind);
        assert.ok(
          position.get(artifactKey(ref.kind, ref.name))! < position.get(artifactKey(artifact.kind, artifact.name))!,
          `${artifact.kind} ${artifact.name} written after the ${ref.kind} ${ref.name} it refers to`,
        );
      }
    }
    assert.deepEqual([...kinds].sort(), ['dataflow', 'dataset', 'integrationRuntime', 'linkedService', 'pipeline']);
    // Its credential reads its secret through the Key Vault linked service: an order by types
    // (credentials before linked services) would write it first.
    assert.ok(position.get('linkedService/ls_azurekeyvault')! < position.get('credential/credential1')!);
    assert.ok(references >= 30, `${references} references`);
    await f.mark();
    assert.equal((await applyDeploy(f.api, local, FAST)).writes, 0);
    assert.deepEqual(await f.writes(), []);
  });

  it('says what ARM answered when a call fails, with its code and no token', async () => {
    const api = ArmFactoryApi.connect(new TestCredential(), {
      subscriptionId: emulator.adf.subscriptionId,
      resourceGroup: emulator.adf.resourceGroup,
      factory: 'adf-does-not-exist',
      endpoint: emulator.adf.endpoint,
      credentialScopes: [LOCAL_CREDENTIAL_SCOPE],
      ca: emulator.adf.ca,
    });
    await assert.rejects(api.list('pipeline'), (e: unknown) => {
      assert.ok(e instanceof FactoryApiError);
      assert.equal(e.statusCode, 404);
      assert.match(
        e.message,
        /^Could not list the pipelines: ResourceNotFound \(HTTP 404\): .*Check the environment's subscription, resource group and factory\.$/,
      );
      assert.ok(!e.message.includes('test-token'));
      return true;
    });
    const unreachable = ArmFactoryApi.connect(new TestCredential(), {
      subscriptionId: emulator.adf.subscriptionId,
      resourceGroup: emulator.adf.resourceGroup,
      factory: emulator.adf.factory,
      endpoint: 'https://127.0.0.1:9',
      credentialScopes: [LOCAL_CREDENTIAL_SCOPE],
      ca: emulator.adf.ca,
      clientOptions: { retryOptions: { maxRetries: 0 } },
    });
    await assert.rejects(
      unreachable.list('pipeline'),
      /^FactoryApiError: Could not list the pipelines: the factory at https:\/\/127\.0\.0\.1:9 cannot be reached/,
    );
  });
});
