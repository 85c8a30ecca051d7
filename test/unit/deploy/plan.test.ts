// The deploy plan: create / update / unchanged per artifact (delete only when asked), in the order
// of references whatever the types, cycles and dangling references reported, on small factories
// built here and on the sample's and ten real public factories' folders.
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, it, type TestContext } from 'node:test';
import { NodeFileHost } from '../../../src/core/files/nodeFileHost';
import { readAdfFolder } from '../../../src/core/project/loadProject';
import {
  artifactKey,
  localArtifactsOf,
  planDeploy,
  type DeployPlan,
  type LocalArtifacts,
  type RemoteArtifact,
} from '../../../src/core/deploy';
import type { JsonObject } from '../../../src/core/adf/generate/adfJson';
import { REAL_WORLD_ADF, SAMPLE_DIR, SHARED_MISSING, hasSharedFixtures } from '../helpers/paths';
import {
  credential,
  dataflow,
  dataset,
  edited,
  folder,
  integrationRuntime,
  linkedService,
  pipeline,
  scheduleTrigger,
} from './builders';

async function localFolder(dir: string): Promise<LocalArtifacts> {
  const read = await readAdfFolder(new NodeFileHost(), dir);
  assert.equal(read.status, 'ok', `${dir} reads as an ADF folder`);
  return localArtifactsOf((read as Extract<typeof read, { status: 'ok' }>).factory);
}

/** The factory as ARM would list what these local artifacts define. */
function factoryOf(
  local: LocalArtifacts,
  states: Record<string, 'Started' | 'Stopped'> = {},
): { artifacts: RemoteArtifact[] } {
  return {
    artifacts: local.artifacts.map(a => {
      const properties = structuredClone(a.value.properties as JsonObject);
      if (a.kind === 'trigger') properties.runtimeState = states[a.name] ?? 'Stopped';
      return {
        kind: a.kind,
        name: a.name,
        value: { id: `/x/${a.name}`, name: a.name, type: 'x', etag: '"e"', properties },
      };
    }),
  };
}

const EMPTY = { artifacts: [] };
const written = (plan: DeployPlan) => plan.steps.filter(s => s.op === 'put').map(s => `${s.kind}:${s.name}`);

/** Every reference of a written artifact to another written one points backwards in the order. */
function assertReferencesFirst(plan: DeployPlan): number {
  const position = new Map(plan.steps.map((s, i) => [s.op === 'put' ? artifactKey(s.kind, s.name) : `${s.op}${i}`, i]));
  let checked = 0;
  for (const change of plan.changes) {
    const at = position.get(artifactKey(change.kind, change.name));
    if (at === undefined) continue;
    for (const ref of change.references) {
      const target = position.get(artifactKey(ref.kind, ref.name));
      if (target === undefined || (ref.kind === change.kind && ref.name.toLowerCase() === change.name.toLowerCase()))
        continue;
      checked++;
      assert.ok(
        target < at,
        `${change.kind} '${change.name}' is written after ${ref.kind} '${ref.name}' it refers to (${ref.at})`,
      );
    }
  }
  return checked;
}

describe('deploy plan: order of application', () => {
  it('puts whatever a referenceName points at first, whatever its type', () => {
    // Deliberately listed in the wrong order, and with references across types that a type order gets wrong.
    const local = folder(
      scheduleTrigger('tr_daily', ['pl_parent']),
      pipeline('pl_parent', { executes: ['pl_child'], dataflow: 'df_flow' }),
      pipeline('pl_child', { reads: ['ds_in'] }),
      dataflow('df_flow', 'ds_in', 'ds_out'),
      dataset('ds_out', 'ls_lake'),
      dataset('ds_in', 'ls_lake'),
      linkedService('ls_lake', { keyVault: 'ls_vault', connectVia: 'ir_selfhosted', credential: 'cred_uami' }),
      linkedService('ls_vault', { connectVia: 'ir_selfhosted' }),
      credential('cred_uami'),
      integrationRuntime('ir_selfhosted'),
    );
    const plan = planDeploy(local, EMPTY);
    assert.deepEqual(plan.problems, []);
    assert.deepEqual(written(plan), [
      'integrationRuntime:ir_selfhosted',
      'credential:cred_uami',
      'linkedService:ls_vault',
      'linkedService:ls_lake',
      'dataset:ds_in',
      'dataset:ds_out',
      'dataflow:df_flow',
      'pipeline:pl_child',
      'pipeline:pl_parent',
      'trigger:tr_daily',
    ]);
    assert.equal(assertReferencesFirst(plan), 12);
    assert.deepEqual(plan.counts, { create: 10, update: 0, recreate: 0, unchanged: 0, delete: 0 });
    const lake = plan.changes.find(c => c.name === 'ls_lake')!;
    assert.deepEqual(
      lake.references.map(r => `${r.kind}:${r.name} at ${r.at}`),
      [
        'linkedService:ls_vault at properties.typeProperties.password.store',
        'credential:cred_uami at properties.typeProperties.credential',
        'integrationRuntime:ir_selfhosted at properties.connectVia',
      ],
    );
  });

  it('orders by references, not types: a Key Vault linked service goes before the linked service using it even when its name sorts after', () => {
    const plan = planDeploy(folder(linkedService('a_sql', { keyVault: 'z_vault' }), linkedService('z_vault')), EMPTY);
    assert.deepEqual(written(plan), ['linkedService:z_vault', 'linkedService:a_sql']);
  });

  it('matches references without regard to letter case, as Data Factory does', () => {
    const plan = planDeploy(folder(pipeline('Parent', { executes: ['CHILD'] }), pipeline('child')), EMPTY);
    assert.deepEqual(plan.problems, []);
    assert.deepEqual(written(plan), ['pipeline:child', 'pipeline:Parent']);
  });

  it('reports a reference to an artifact in neither the folder nor the factory, and accepts one the factory has', () => {
    const local = folder(pipeline('pl', { reads: ['ds_missing', 'ds_in_factory'] }));
    const plan = planDeploy(local, EMPTY);
    assert.equal(plan.problems.length, 2);
    assert.equal(
      plan.problems[0]!.message,
      "Pipeline 'pl' refers to dataset 'ds_missing' (properties.activities[1].typeProperties.dataset), " +
        'which is neither in the folder nor in the factory.',
    );
    const withFactory = planDeploy(
      local,
      factoryOf(folder(dataset('ds_in_factory', 'ls'), dataset('ds_missing', 'ls'))),
    );
    assert.deepEqual(withFactory.problems, []);
  });

  it('reports references in a circle when they cannot be created, and updates them in place when they all exist', () => {
    const local = folder(
      pipeline('a', { executes: ['b'] }),
      pipeline('b', { executes: ['c'] }),
      pipeline('c', { executes: ['a'] }),
      pipeline('d'),
    );
    const plan = planDeploy(local, EMPTY);
    assert.equal(plan.problems.length, 1);
    assert.match(
      plan.problems[0]!.message,
      /^pipeline 'a' → pipeline 'b' → pipeline 'c' → pipeline 'a' refer to each other in a circle/,
    );
    assert.equal(plan.changes.length, 4, 'every artifact is still in the plan');
    const existing = factoryOf(
      folder(
        pipeline('a', { executes: ['b'], waitSeconds: 9 }),
        pipeline('b', { executes: ['c'] }),
        pipeline('c', { executes: ['a'] }),
      ),
    );
    const update = planDeploy(local, existing);
    assert.deepEqual(update.problems, []);
    assert.equal(update.warnings.length, 1);
    // A pipeline running itself is not a circle a deploy cares about: the PUT names itself.
    assert.deepEqual(planDeploy(folder(pipeline('self', { executes: ['self'] })), EMPTY).problems, []);
  });

  it('deletes what is not in the folder only when asked, in reverse order, and keeps what the folder still refers to', () => {
    const local = folder(linkedService('ls'), dataset('ds_kept', 'ls'), pipeline('pl', { reads: ['ds_kept'] }));
    const factory = factoryOf(
      folder(
        linkedService('ls'),
        dataset('ds_kept', 'ls'),
        pipeline('pl', { reads: ['ds_kept'] }),
        linkedService('ls_old'),
        dataset('ds_old', 'ls_old'),
        pipeline('pl_old', { reads: ['ds_old'], executes: ['pl'] }),
        scheduleTrigger('tr_old', ['pl_old']),
      ),
      { tr_old: 'Started' },
    );
    const keep = planDeploy(local, factory);
    assert.equal(keep.counts.delete, 0);
    assert.ok(keep.upToDate);
    const plan = planDeploy(local, factory, { deleteMissing: true });
    assert.deepEqual(
      plan.steps.map(s => `${s.op}:${s.name}`),
      ['stopTrigger:tr_old', 'delete:tr_old', 'delete:pl_old', 'delete:ds_old', 'delete:ls_old'],
    );
    assert.deepEqual(plan.counts, { create: 0, update: 0, recreate: 0, unchanged: 3, delete: 4 });
    const tr = plan.changes.find(c => c.name === 'tr_old')!;
    assert.equal(tr.summary, 'not in the folder: deleted from the factory');
    assert.ok(tr.before?.includes('"pl_old"') && tr.after === undefined);

    // The folder refers to ds_old (through a new pipeline): it and what it refers to stay, with a warning.
    const refersToOld = folder(
      ...local.artifacts.map(a => [a.kind, a.value] as const).map(([k, v]) => [k, v] as [typeof k, typeof v]),
      pipeline('pl_new', { reads: ['ds_old'] }),
    );
    const kept = planDeploy(refersToOld, factory, { deleteMissing: true });
    assert.deepEqual(kept.problems, []);
    assert.deepEqual(
      kept.steps.filter(s => s.op === 'delete').map(s => s.name),
      ['tr_old', 'pl_old'],
    );
    assert.deepEqual(kept.warnings, [
      "Dataset 'ds_old' is not in the folder but is not deleted: pipeline 'pl_new' refers to it.",
      "Linked service 'ls_old' is not in the folder but is not deleted: dataset 'ds_old' refers to it.",
    ]);
  });

  it('plans unchanged for what the factory has already, and carries both texts of a change for the diff editor', () => {
    const local = folder(linkedService('ls'), dataset('ds', 'ls'), pipeline('pl', { reads: ['ds'], waitSeconds: 5 }));
    const factory = factoryOf(
      folder(linkedService('ls'), dataset('ds', 'ls'), pipeline('pl', { reads: ['ds'], waitSeconds: 1 })),
    );
    const plan = planDeploy(local, factory);
    assert.deepEqual(plan.counts, { create: 0, update: 1, recreate: 0, unchanged: 2, delete: 0 });
    const change = plan.changes.find(c => c.action === 'update')!;
    assert.equal(change.summary, "properties.activities['wait'].typeProperties.waitTimeInSeconds changed");
    assert.match(change.before!, /"waitTimeInSeconds": 1/);
    assert.match(change.after!, /"waitTimeInSeconds": 5/);
    // Both sides in the same key order: the texts differ on the changed line only.
    const beforeLines = change.before!.split('\n');
    const afterLines = change.after!.split('\n');
    assert.equal(beforeLines.length, afterLines.length);
    assert.deepEqual(
      afterLines.filter((line, i) => line !== beforeLines[i]),
      ['\t\t\t\t\t"waitTimeInSeconds": 5'],
    );
    assert.deepEqual(Object.keys(change.body!), ['properties']);
    assert.equal(
      plan.changes.find(c => c.action === 'unchanged')!.before,
      undefined,
      'no texts for what does not change',
    );
  });

  it('refuses a folder whose files cannot be deployed (syntax errors, two artifacts of one name), and notes what it does not deploy', async t => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-deploy-'));
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    for (const sub of ['pipeline', 'factory', 'managedVirtualNetwork']) fs.mkdirSync(path.join(dir, sub));
    fs.writeFileSync(path.join(dir, 'pipeline', 'broken.json'), '{"name": "broken", "properties": {');
    fs.writeFileSync(path.join(dir, 'pipeline', 'a.json'), JSON.stringify(pipeline('Same')[1]));
    fs.writeFileSync(path.join(dir, 'pipeline', 'b.json'), JSON.stringify(pipeline('same')[1]));
    fs.writeFileSync(path.join(dir, 'factory', 'f.json'), '{"name": "f", "location": "westeurope"}');
    fs.writeFileSync(path.join(dir, 'managedVirtualNetwork', 'default.json'), '{"name": "default", "properties": {}}');
    const local = await localFolder(dir);
    assert.deepEqual(
      local.artifacts.map(a => a.name),
      ['Same'],
    );
    assert.equal(local.problems.length, 2);
    assert.ok(
      local.problems.some(p => /^pipeline[\\/]broken\.json cannot be deployed: JSON syntax error/.test(p.message)),
    );
    assert.ok(
      local.problems.some(p =>
        /both define pipeline 'same' \(Data Factory names ignore letter case\): keep one\.$/.test(p.message),
      ),
    );
    assert.equal(local.notes.length, 2);
    assert.equal(planDeploy(local, EMPTY).problems.length, 2);
  });
});

describe('deploy plan: real folders', () => {
  it("plans the sample's folder against an empty factory: linked services, datasets, the pipeline, then its triggers", async () => {
    const local = await localFolder(path.join(SAMPLE_DIR, 'adf'));
    const plan = planDeploy(local, EMPTY);
    assert.deepEqual(plan.problems, []);
    assert.deepEqual(written(plan), [
      'linkedService:ls_adls',
      'linkedService:ls_databricks',
      'linkedService:ls_spotify_sql',
      'dataset:ds_adls_json',
      'dataset:ds_adls_parquet',
      'dataset:ds_sql_table',
      'pipeline:pl_incremental_ingestion',
      'trigger:tr_ingestion_backfill',
      'trigger:tr_ingestion_schedule',
    ]);
    assert.ok(assertReferencesFirst(plan) >= 8);
    assert.deepEqual(plan.warnings, []);
    // Its triggers are committed Stopped: created stopped, nothing started.
    assert.ok(plan.steps.every(s => s.op === 'put'));
    assert.ok(planDeploy(local, factoryOf(local)).upToDate);
  });

  it('plans each real public factory with no problem, every reference written before its user, and nothing to do once deployed', async (t: TestContext) => {
    if (!hasSharedFixtures()) return t.skip(SHARED_MISSING);
    const folders = fs.readdirSync(REAL_WORLD_ADF).filter(d => fs.statSync(path.join(REAL_WORLD_ADF, d)).isDirectory());
    assert.equal(folders.length, 10);
    let references = 0;
    let artifacts = 0;
    for (const name of folders) {
      const local = await localFolder(path.join(REAL_WORLD_ADF, name));
      const plan = planDeploy(local, EMPTY);
      assert.deepEqual(plan.problems, [], name);
      assert.equal(plan.counts.create, local.artifacts.length, name);
      references += assertReferencesFirst(plan);
      artifacts += local.artifacts.length;
      const again = planDeploy(
        local,
        factoryOf(
          local,
          Object.fromEntries(
            local.artifacts
              .filter(a => a.kind === 'trigger')
              .map(a => [a.name, ((a.value.properties as JsonObject).runtimeState as 'Started') ?? 'Stopped']),
          ),
        ),
      );
      assert.equal(
        again.counts.unchanged,
        local.artifacts.length,
        `${name}: ${again.changes
          .filter(c => c.action !== 'unchanged')
          .map(c => `${c.name}: ${c.summary}`)
          .join(' | ')}`,
      );
    }
    assert.ok(artifacts > 500, `${artifacts} artifacts`);
    assert.ok(references > 900, `${references} references checked`);
  });

  it('keeps what a change to one artifact touches to that artifact', async () => {
    const local = await localFolder(path.join(SAMPLE_DIR, 'adf'));
    const changed = folder(
      ...local.artifacts.map(a =>
        a.name === 'ls_adls'
          ? edited(
              [a.kind, a.value],
              v =>
                (((v.properties as JsonObject).typeProperties as JsonObject).url =
                  'https://other.dfs.core.windows.net/'),
            )
          : ([a.kind, a.value] as [typeof a.kind, JsonObject]),
      ),
    );
    const plan = planDeploy(changed, factoryOf(local, { tr_ingestion_schedule: 'Started' }));
    assert.deepEqual(
      plan.steps,
      [{ op: 'put', kind: 'linkedService', name: 'ls_adls' }],
      'no trigger is stopped for a linked service',
    );
    assert.equal(plan.changes.find(c => c.name === 'ls_adls')!.summary, 'properties.typeProperties.url changed');
  });
});
