// The editor's plan cache (AdfPlanCache): a plan after an edit reuses what the edit did not
// change (each source system's pipelines and silver notebook paths, each file's plan, each
// artifact's fingerprints), and always equals the plan computed without the cache. Each step
// below changes one thing a cached part is built from; the plan must follow it.
import * as assert from 'node:assert/strict';
import * as path from 'path';
import { describe, it } from 'node:test';
import {
  AdfPlanCache,
  planAdfGeneration,
  writeAdfPlan,
  type AdfGenerationPlan,
  type GenerateOptions,
} from '../../../src/core/adf/generate';
import { ProjectSession } from '../../../src/core/project/projectSession';
import { ROOT, abs, edit } from '../helpers/project';
import { MemoryHost } from '../helpers/memoryHost';

const ADF = path.join(ROOT, 'adf');
const columns = '[{ name: id, type: int }, { name: modified_at, type: datetime2 }]';

const ROOT_FILE = `version: 1
project:
  name: cached
include:
  - metadata/*.lakehouse.yaml
environments:
  dev:
    subscriptionId: 00000000-0000-0000-0000-000000000000
    resourceGroup: rg
    factory: adf-dev
    storageAccount: stdev
    databricksHost: https://adb-1.1.azuredatabricks.net
    alertUrl: https://example.invalid/alert
  prod:
    subscriptionId: 00000000-0000-0000-0000-000000000000
    resourceGroup: rg-prod
    factory: adf-prod
    storageAccount: stprod
    databricksHost: https://adb-2.2.azuredatabricks.net
    alertUrl: https://example.invalid/alert-prod
lake:
  zones:
    bronze: { container: bronze, path: "{table}", format: parquet }
starSchema:
  dimensions:
    - { name: dim_users, source: app.dbo.Users, businessKey: [id], scdType: 1 }
`;

function fragment(system: string, tables: string[]): string {
  return `sources:
  - name: ${system}
    type: azureSql
    server: ${system}.database.windows.net
    database: ${system}
    tables:
${tables.map(t => `      - { name: ${t}, primaryKey: [id], cdcColumn: modified_at, description: the ${t}, columns: ${columns} }`).join('\n')}
`;
}

const APP = abs('metadata/app.lakehouse.yaml');
const ERP = abs('metadata/erp.lakehouse.yaml');
const CRM = abs('metadata/crm.lakehouse.yaml');

/** An ADF folder in memory. */
class Folder {
  readonly files = new Map<string, string>();
  read = (file: string) => this.files.get(file);
  write = async (file: string, text: string) => {
    this.files.set(file, text);
  };
}

/** A session on an in-memory project, edited through overlays as the editor edits it, and planned with and without a cache. */
class Editor {
  readonly session: ProjectSession;
  readonly cache = new AdfPlanCache();
  readonly folder = new Folder();
  last: AdfGenerationPlan | undefined;

  constructor() {
    const host = new MemoryHost({
      [abs('lakehouse.yaml')]: ROOT_FILE,
      [APP]: fragment('app', ['Users', 'Orders']),
      [ERP]: fragment('erp', ['Ledger', 'Invoices']),
      [CRM]: fragment('crm', ['Contacts']),
    });
    this.session = new ProjectSession(abs('lakehouse.yaml'), host);
  }

  /** Plans with the cache and without it (both must agree), and returns the cached one. */
  async plan(options: GenerateOptions = {}, pause?: () => void): Promise<AdfGenerationPlan> {
    const metadata = (await this.session.load()).metadata;
    const cached = await planAdfGeneration(metadata, ADF, this.folder.read, {
      ...options,
      cache: this.cache,
      ...(pause ? { pause } : {}),
    });
    const fresh = await planAdfGeneration(metadata, ADF, this.folder.read, options);
    assert.deepEqual(plain(cached), plain(fresh), 'the plan with the cache equals the plan without it');
    this.last = cached;
    return cached;
  }

  /** Writes the plan into the folder, as Generate does. */
  async generate(): Promise<void> {
    await writeAdfPlan(await this.plan(), { write: this.folder.write });
  }

  async assertUpToDate(): Promise<void> {
    assert.ok((await this.plan()).files.every(f => f.status === 'unchanged'));
  }
}

/** A plan with plain artifacts (an artifact formats its text when first asked: compare texts, not whether they were asked yet). */
function plain(plan: AdfGenerationPlan): object {
  return {
    ...plan,
    files: plan.files.map(f => {
      const { kind, name, relativePath, value, text, ownedPaths } = f.artifact;
      return { ...f, artifact: { kind, name, relativePath, value, text, ownedPaths } };
    }),
  };
}

const pipelineOf = (plan: AdfGenerationPlan, name: string) =>
  plan.files.find(f => f.artifact.relativePath === `pipeline/${name}.json`)!;

describe("the editor's ADF plan cache", () => {
  it('after an edit of one fragment, only its system pipeline is built again; every plan equals one without the cache', async () => {
    const editor = new Editor();
    const appText = fragment('app', ['Users', 'Orders']);
    const erpText = fragment('erp', ['Ledger', 'Invoices']);
    const first = await editor.plan();
    await writeAdfPlan(first, { write: editor.folder.write });
    await editor.assertUpToDate();
    const before = editor.last!;

    // A description: nothing generated changes. erp's pipeline is built again and found the same,
    // so the plan keeps every artifact it had (new values of the same text are dropped at once).
    editor.session.setOverlay(ERP, edit(erpText, 'description: the Ledger', 'description: the general ledger'));
    const described = await editor.plan();
    assert.ok(described.files.every(f => f.status === 'unchanged'));
    assert.deepEqual(
      described.files.filter((f, i) => f.artifact !== before.files[i]!.artifact).map(f => f.artifact.relativePath),
      [],
      'every artifact is the one planned before',
    );
    // A table added to erp: its pipeline is an update, the others unchanged.
    editor.session.setOverlay(ERP, fragment('erp', ['Ledger', 'Invoices', 'Payments']));
    const added = await editor.plan();
    assert.deepEqual(
      added.files.filter(f => f.status !== 'unchanged').map(f => f.artifact.relativePath),
      ['pipeline/pl_incremental_ingestion_erp.json'],
    );
    const erpAfter = JSON.stringify(pipelineOf(added, 'pl_incremental_ingestion_erp').artifact.value);
    assert.match(erpAfter, /Payments/);

    // A system's cdc column: the watermark loop's item changes.
    editor.session.setOverlay(
      APP,
      appText.replace(
        '{ name: Orders, primaryKey: [id], cdcColumn: modified_at',
        '{ name: Orders, primaryKey: [id], cdcColumn: id',
      ),
    );
    assert.equal((await editor.plan()).files.filter(f => f.status === 'update').length, 2);
    editor.session.setOverlay(APP, undefined);
    editor.session.setOverlay(ERP, undefined);
    await editor.assertUpToDate();
  });

  it('follows what every system pipeline is built from: the bronze layout, the environment, the silver notebooks, the system count', async () => {
    const editor = new Editor();
    await editor.generate();
    const rootFile = abs('lakehouse.yaml');

    // The bronze zone's layout: every system's bronze folders move.
    editor.session.setOverlay(rootFile, edit(ROOT_FILE, 'path: "{table}"', 'path: "{system}/{schema}/{table}"'));
    const moved = await editor.plan();
    assert.deepEqual(
      moved.files.filter(f => f.status === 'update').map(f => f.artifact.relativePath),
      ['app', 'crm', 'erp'].map(s => `pipeline/pl_incremental_ingestion_${s}.json`),
    );
    assert.match(
      JSON.stringify(pipelineOf(moved, 'pl_incremental_ingestion_crm').artifact.value),
      /crm\/dbo\/Contacts/,
    );
    editor.session.setOverlay(rootFile, undefined);
    await editor.assertUpToDate();

    // Another environment, then back: its values, and then the folder's again.
    const prod = await editor.plan({ environment: 'prod' });
    assert.equal(prod.environment, 'prod');
    assert.ok(prod.files.some(f => f.status === 'update' && f.newText.includes('stprod')));
    assert.ok((await editor.plan({ environment: 'dev' })).files.every(f => f.status === 'unchanged'));

    // The table binding's output: every silver notebook path changes.
    editor.session.setOverlay(
      rootFile,
      `${ROOT_FILE}templates:\n  - { template: silver/autoloader.py.j2, for: table, output: "databricks/src/silver/{system}_{name}.py" }\n`,
    );
    const rebound = await editor.plan();
    assert.match(
      JSON.stringify(pipelineOf(rebound, 'pl_incremental_ingestion_erp').artifact.value),
      /silver\/erp_Ledger/,
    );
    // No table binding at all: no silver notebook, and pipelines without them.
    editor.session.setOverlay(rootFile, `${ROOT_FILE}templates: []\n`);
    const none = await editor.plan();
    assert.doesNotMatch(
      JSON.stringify(pipelineOf(none, 'pl_incremental_ingestion_erp').artifact.value),
      /silver_notebook"/,
    );
    editor.session.setOverlay(rootFile, undefined);
    await editor.assertUpToDate();

    // One system left with tables: the single pipeline again; then all three back.
    editor.session.setOverlay(ERP, 'sources: []\n');
    editor.session.setOverlay(CRM, 'sources: []\n');
    const single = await editor.plan();
    assert.ok(
      single.files.some(
        f => f.artifact.relativePath === 'pipeline/pl_incremental_ingestion.json' && f.status === 'conflict',
      ),
    );
    editor.session.setOverlay(ERP, undefined);
    editor.session.setOverlay(CRM, undefined);
    await editor.assertUpToDate();
  });

  it('follows the folder: a hand edit is a conflict, a written plan is up to date, a deleted file is created', async () => {
    const editor = new Editor();
    await editor.generate();
    const erpFile = path.join(ADF, 'pipeline', 'pl_incremental_ingestion_erp.json');
    const original = editor.folder.files.get(erpFile)!;
    editor.folder.files.set(
      erpFile,
      original.replace(
        '"bronze_container": {\n\t\t\t\t"type": "string",\n\t\t\t\t"defaultValue": "bronze"',
        '"bronze_container": {\n\t\t\t\t"type": "string",\n\t\t\t\t"defaultValue": "landing"',
      ),
    );
    assert.notEqual(editor.folder.files.get(erpFile), original, 'the test edits the file');
    const edited = await editor.plan();
    assert.equal(pipelineOf(edited, 'pl_incremental_ingestion_erp').conflict?.reason, 'hand-edited');

    // A table added meanwhile: a new fingerprint file once written, and the cache follows it.
    editor.session.setOverlay(APP, fragment('app', ['Users', 'Orders', 'Carts']));
    await writeAdfPlan(await editor.plan(), { write: editor.folder.write, force: true });
    await editor.assertUpToDate();

    editor.folder.files.delete(erpFile);
    assert.equal(pipelineOf(await editor.plan(), 'pl_incremental_ingestion_erp').status, 'create');
  });

  it('two systems with one name (a metadata error): the same refusal with the cache as without, then the same plans again', async () => {
    const editor = new Editor();
    await editor.generate();
    editor.session.setOverlay(CRM, fragment('app', ['Users']));
    const metadata = (await editor.session.load()).metadata;
    const refusal = async (cache?: AdfPlanCache) =>
      planAdfGeneration(metadata, ADF, editor.folder.read, cache ? { cache } : {}).then(
        () => assert.fail('generation refuses two pipelines of one name'),
        (e: Error) => e.message,
      );
    assert.equal(await refusal(editor.cache), await refusal());
    editor.session.setOverlay(CRM, undefined);
    await editor.assertUpToDate();
  });

  it('in slices, as the editor plans (a pause between steps), the same plans', async () => {
    const editor = new Editor();
    let pauses = 0;
    await writeAdfPlan(await editor.plan({}, () => void pauses++), { write: editor.folder.write });
    editor.session.setOverlay(ERP, fragment('erp', ['Ledger']));
    await editor.plan({}, () => void pauses++);
    assert.ok(pauses > 0);
  });
});
