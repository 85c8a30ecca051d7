// The round trip: regenerating over files edited in ADF Studio changes only the values the
// metadata owns and keeps every other byte; owned values edited by hand, and files that are not
// recognisably generated, are conflicts that are written only when forced.
import * as assert from 'node:assert/strict';
import * as path from 'path';
import { describe, it } from 'node:test';
import { findNodeAtLocation, parseTree } from 'jsonc-parser';
import {
  conflictsOf,
  FINGERPRINT_FILE,
  isUpToDate,
  pathText,
  planAdfGeneration,
  writeAdfPlan,
  type AdfGenerationPlan,
} from '../../../src/core/adf/generate';
import { ROOT, edit, loadProject } from '../helpers/project';
import { smallProject } from './generateFixtures';

const ADF = path.join(ROOT, 'adf');
const PIPELINE = path.join(ADF, 'pipeline', 'pl_incremental_ingestion.json');
const NEW_TABLE =
  '      - { name: Invoices, primaryKey: [id], cdcColumn: modified_at, columns: [{ name: id, type: int }, { name: modified_at, type: datetime2 }] }\n';

/** An ADF folder in memory. */
class Folder {
  readonly files = new Map<string, string>();
  read = (file: string) => this.files.get(file);
  write = async (file: string, text: string) => {
    this.files.set(file, text);
  };
  get(file: string): string {
    const text = this.files.get(file);
    assert.ok(text !== undefined, `${file} exists`);
    return text;
  }
}

async function plan(folder: Folder, extraTables = '', adf = ''): Promise<AdfGenerationPlan> {
  const { snapshot } = await loadProject(smallProject(extraTables, adf));
  return planAdfGeneration(snapshot.metadata, ADF, folder.read);
}

/** A folder as `lakehouse generate adf` leaves it. */
async function generated(): Promise<Folder> {
  const folder = new Folder();
  await writeAdfPlan(await plan(folder), { write: folder.write });
  return folder;
}

function statuses(p: AdfGenerationPlan): string[] {
  return p.files
    .filter(f => f.status !== 'unchanged')
    .map(f => `${f.status} ${path.relative(ADF, f.file)}${f.conflict ? ` (${f.conflict.reason})` : ''}`);
}

/** The span where two texts differ: [start, end in a, end in b]. */
function differingSpan(a: string, b: string): [number, number, number] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  return [start, endA, endB];
}

describe('ADF generation round trip', () => {
  it('a fresh folder: every file is created, with the fingerprints; then everything is up to date', async () => {
    const folder = new Folder();
    const first = await plan(folder);
    assert.ok(first.files.every(f => f.status === 'create'));
    assert.equal(first.fingerprints.status, 'create');
    const report = await writeAdfPlan(first, { write: folder.write });
    assert.equal(report.written.length, first.files.length);
    assert.ok(report.fingerprintsWritten);
    assert.ok(folder.files.has(path.join(ADF, FINGERPRINT_FILE)));
    const second = await plan(folder);
    assert.deepEqual(statuses(second), []);
    assert.ok(isUpToDate(second));
  });

  it('a pipeline edited in ADF Studio (an activity added, a timeout changed) keeps every byte but the table list when a table is added', async () => {
    const folder = await generated();
    const original = folder.get(PIPELINE);
    // ADF Studio edits: a Wait activity appended after the last one, and the first timeout halved.
    let edited = edit(
      original,
      '"timeout": "0.12:00:00",\n\t\t\t\t\t\t\t\t"retry": ' +
        '1,\n\t\t\t\t\t\t\t\t"retryIntervalInSeconds": 60,\n\t\t\t\t\t\t\t\t"secureOutput": ' +
        'false,\n\t\t\t\t\t\t\t\t"secureInput": ' +
        'false\n\t\t\t\t\t\t\t},\n\t\t\t\t\t\t\t"userProperties": ' +
        '[],\n\t\t\t\t\t\t\t"typeProperties": {\n\t\t\t\t\t\t\t\t"source": ' +
        '{\n\t\t\t\t\t\t\t\t\t"type": "JsonSource"',
      '"timeout": "0.06:00:00",\n\t\t\t\t\t\t\t\t"retry": ' +
        '1,\n\t\t\t\t\t\t\t\t"retryIntervalInSeconds": 60,\n\t\t\t\t\t\t\t\t"secureOutput": ' +
        'false,\n\t\t\t\t\t\t\t\t"secureInput": ' +
        'false\n\t\t\t\t\t\t\t},\n\t\t\t\t\t\t\t"userProperties": ' +
        '[],\n\t\t\t\t\t\t\t"typeProperties": {\n\t\t\t\t\t\t\t\t"source": ' +
        '{\n\t\t\t\t\t\t\t\t\t"type": "JsonSource"',
    );
    const lastActivityEnd = edited.indexOf('\n\t\t],\n\t\t"parameters"');
    edited =
      `${edited.slice(0, lastActivityEnd)},\n\t\t\t{\n\t\t\t\t"name": ` +
      `"wait_for_downstream",\n\t\t\t\t"type": "Wait",\n\t\t\t\t"dependsOn": ` +
      `[],\n\t\t\t\t"userProperties": [],\n\t\t\t\t"typeProperties": ` +
      `{\n\t\t\t\t\t"waitTimeInSeconds": 60\n\t\t\t\t}\n\t\t\t}${edited.slice(lastActivityEnd)}`;
    folder.files.set(PIPELINE, edited);
    assert.deepEqual(statuses(await plan(folder)), [], 'edits outside the owned values are not "out of date"');

    const withTable = await plan(folder, NEW_TABLE);
    assert.deepEqual(statuses(withTable), ['update pipeline/pl_incremental_ingestion.json']);
    const pipeline = withTable.files.find(f => f.file === PIPELINE)!;
    assert.deepEqual(pipeline.changedPaths.map(pathText), ['properties.parameters.loop_input.defaultValue']);
    const updated = pipeline.newText;
    // Only bytes inside loop_input's default value differ.
    const [start, endBefore] = differingSpan(edited, updated);
    const node = findNodeAtLocation(parseTree(edited)!, ['properties', 'parameters', 'loop_input', 'defaultValue'])!;
    assert.ok(
      start >= node.offset && endBefore <= node.offset + node.length,
      `the change [${start}, ${endBefore}) lies in the default value [${node.offset}, ${node.offset + node.length})`,
    );
    const value = JSON.parse(updated) as {
      properties: { activities: { name: string }[]; parameters: { loop_input: { defaultValue: { table: string }[] } } };
    };
    assert.deepEqual(
      value.properties.parameters.loop_input.defaultValue.map(i => i.table),
      ['Users', 'Orders', 'Invoices'],
    );
    assert.ok(
      updated.includes('"timeout": "0.06:00:00"') &&
        value.properties.activities.some(a => a.name === 'wait_for_downstream'),
    );
    // And the new value is formatted as generation formats it: the unedited file would now be the fresh generation.
    const fresh = (await plan(new Folder(), NEW_TABLE)).files.find(f => f.file === PIPELINE)!.newText;
    assert.equal(
      updated
        .replace('"timeout": "0.06:00:00"', '"timeout": "0.12:00:00"')
        .replace(/,\n\t\t\t\{\n\t\t\t\t"name": "wait_for_downstream"[\s\S]*?\n\t\t\t\}(?=\n\t\t\])/, ''),
      fresh,
    );

    await writeAdfPlan(withTable, { write: folder.write });
    assert.equal(folder.get(PIPELINE), updated);
    assert.ok(isUpToDate(await plan(folder, NEW_TABLE)));
  });

  it("keeps a file's CRLF line endings and space indentation when it updates it", async () => {
    const folder = await generated();
    const crlf = folder.get(PIPELINE).replace(/\t/g, '    ').replace(/\n/g, '\r\n');
    folder.files.set(PIPELINE, crlf);
    assert.deepEqual(statuses(await plan(folder)), [], 'another formatting of the same values is up to date');
    const updated = (await plan(folder, NEW_TABLE)).files.find(f => f.file === PIPELINE)!.newText;
    assert.doesNotMatch(updated.replace(/\r\n/g, ''), /\n|\t/, 'no LF without CR, no tab');
    assert.match(updated, /\r\n {20}\{\r\n {24}"schema": "dbo",\r\n {24}"table": "Invoices",/);
    assert.equal(
      JSON.stringify(JSON.parse(updated), null, '\t'),
      (await plan(new Folder(), NEW_TABLE)).files.find(f => f.file === PIPELINE)!.newText,
    );
  });

  it('a metadata change that touches several files updates each of them, and nothing else', async () => {
    const folder = await generated();
    const p = await plan(folder, '', 'adf:\n  linkedServices: { lake: ls_lake }\n  schedule: { interval: 2 }\n');
    assert.deepEqual(statuses(p), [
      'update dataset/ds_adls_json.json',
      'update dataset/ds_adls_parquet.json',
      'create linkedService/ls_lake.json',
      'update trigger/tr_ingestion_schedule.json',
    ]);
    assert.deepEqual(
      p.stale,
      [path.join(ADF, 'linkedService', 'ls_adls.json')],
      'the renamed linked service is left in place and reported',
    );
  });

  it('an owned value edited by hand is a conflict, named with its path; nothing is written without force', async () => {
    const folder = await generated();
    folder.files.set(
      PIPELINE,
      edit(
        folder.get(PIPELINE),
        '"defaultValue": "https://example.invalid/alert"',
        '"defaultValue": "https://example.invalid/my-own-logic-app"',
      ),
    );
    const p = await plan(folder, NEW_TABLE);
    assert.deepEqual(statuses(p), ['conflict pipeline/pl_incremental_ingestion.json (hand-edited)']);
    const conflict = conflictsOf(p)[0]!;
    assert.equal(
      conflict.conflict!.message,
      'properties.parameters.alert_url.defaultValue was edited by hand since the last generation',
    );
    assert.deepEqual(conflict.changedPaths.map(pathText), [
      'properties.parameters.loop_input.defaultValue',
      'properties.parameters.alert_url.defaultValue',
    ]);

    const before = new Map(folder.files);
    const refused = await writeAdfPlan(p, { write: folder.write });
    assert.deepEqual(
      refused.refused.map(f => f.file),
      [PIPELINE],
    );
    assert.deepEqual([...folder.files], [...before], 'a refused run writes nothing at all');

    const forced = await writeAdfPlan(p, { write: folder.write, force: true });
    assert.deepEqual(
      forced.written.map(f => f.file),
      [PIPELINE],
    );
    assert.ok(folder.get(PIPELINE).includes('"defaultValue": "https://example.invalid/alert"'));
    assert.ok(isUpToDate(await plan(folder, NEW_TABLE)));
  });

  it('a hand edit that already matches the metadata is no conflict', async () => {
    const folder = await generated();
    const fresh = (await plan(new Folder(), NEW_TABLE)).files.find(f => f.file === PIPELINE)!.newText;
    folder.files.set(PIPELINE, fresh);
    const p = await plan(folder, NEW_TABLE);
    assert.deepEqual(statuses(p), []);
    assert.equal(p.fingerprints.status, 'update');
  });

  it('files that are not recognisably generated: not JSON, another artifact, an owned path missing, or no fingerprint', async () => {
    const folder = await generated();
    const lake = path.join(ADF, 'linkedService', 'ls_adls.json');
    const sql = path.join(ADF, 'linkedService', 'ls_app.json');
    const json = path.join(ADF, 'dataset', 'ds_adls_json.json');
    folder.files.set(PIPELINE, '{ "name": "pl_incremental_ingestion", ');
    folder.files.set(lake, folder.get(lake).replace('"name": "ls_adls"', '"name": "ls_other"'));
    folder.files.set(sql, folder.get(sql).replace('"authenticationType"', '"userName"'));
    folder.files.delete(path.join(ADF, FINGERPRINT_FILE));
    folder.files.set(json, folder.get(json).replace('"referenceName": "ls_adls"', '"referenceName": "ls_somewhere"'));
    const p = await plan(folder);
    const messages = Object.fromEntries(
      conflictsOf(p).map(f => [path.relative(ADF, f.file), `${f.conflict!.reason}: ${f.conflict!.message}`]),
    );
    assert.deepEqual(messages, {
      'pipeline/pl_incremental_ingestion.json': 'unrecognised: it is not a JSON object',
      'linkedService/ls_adls.json': 'unrecognised: its name is "ls_other", not "ls_adls"',
      'linkedService/ls_app.json':
        'unrecognised: it has no properties.typeProperties.authenticationType, which generation writes',
      'dataset/ds_adls_json.json':
        `unrecognised: it was not generated here (no fingerprint in ${FINGERPRINT_FILE}) and its ` +
        `properties.linkedServiceName.referenceName differ`,
    });
    // Forced: an unreadable or foreign file is replaced whole; a missing owned path is added, the rest kept.
    await writeAdfPlan(p, { write: folder.write, force: true });
    const fixed = JSON.parse(folder.get(sql)) as { properties: { typeProperties: Record<string, string> } };
    assert.deepEqual(Object.keys(fixed.properties.typeProperties), [
      'server',
      'database',
      'encrypt',
      'trustServerCertificate',
      'userName',
      'authenticationType',
    ]);
    assert.ok(isUpToDate(await plan(folder)));
  });
});

describe('ADF generation round trip with a pipeline per source system', () => {
  const SECOND_SYSTEM = `  - name: erp
    type: azureSql
    linkedService: ls_erp
    server: erp.database.windows.net
    database: erp
    tables:
      - { name: Ledger, primaryKey: [id], cdcColumn: modified_at, columns: [{ name: id, type: int }, { name: modified_at, type: datetime2 }] }
`;
  const ERP = path.join(ADF, 'pipeline', 'pl_incremental_ingestion_erp.json');
  const APP = path.join(ADF, 'pipeline', 'pl_incremental_ingestion_app.json');

  /** A folder as `lakehouse generate adf` leaves it for the two-system project. */
  async function generatedTwo(): Promise<Folder> {
    const folder = new Folder();
    await writeAdfPlan(await plan(folder, SECOND_SYSTEM), { write: folder.write });
    return folder;
  }

  it('each system pipeline is generated and fingerprinted; its table lists and where the lake and the catalog are are owned', async () => {
    const folder = new Folder();
    const first = await plan(folder, SECOND_SYSTEM);
    const child = first.files.find(f => f.file === ERP)!;
    const lake = ['bronze_container', 'silver_container', 'storage_account', 'catalog', 'silver_schema'];
    const owned = (names: string[]) => names.map(p => `properties.parameters.${p}.defaultValue`);
    assert.deepEqual(child.artifact.ownedPaths.map(pathText), owned(['loop_input', ...lake]));
    await writeAdfPlan(first, { write: folder.write });
    const fingerprints = JSON.parse(folder.get(path.join(ADF, FINGERPRINT_FILE))) as {
      artifacts: Record<string, Record<string, string>>;
    };
    assert.deepEqual(
      Object.keys(fingerprints.artifacts['pipeline/pl_incremental_ingestion_erp.json']!),
      owned(['loop_input', ...lake]),
    );
    assert.deepEqual(
      Object.keys(fingerprints.artifacts['pipeline/pl_incremental_ingestion.json']!),
      owned(['databricks_host', 'gold_pipeline', ...lake, 'alert_url']),
    );
    assert.ok(isUpToDate(await plan(folder, SECOND_SYSTEM)));
  });

  it('a system pipeline edited in ADF Studio keeps every byte but its table list when a table is added to that system; the others are untouched', async () => {
    const folder = await generatedTwo();
    const original = folder.get(ERP);
    let edited = edit(
      original,
      '"timeout": "0.12:00:00",\n\t\t\t\t\t\t\t\t"retry": ' +
        '1,\n\t\t\t\t\t\t\t\t"retryIntervalInSeconds": 60,\n\t\t\t\t\t\t\t\t"secureOutput": ' +
        'false,\n\t\t\t\t\t\t\t\t"secureInput": ' +
        'false\n\t\t\t\t\t\t\t},\n\t\t\t\t\t\t\t"userProperties": ' +
        '[],\n\t\t\t\t\t\t\t"typeProperties": {\n\t\t\t\t\t\t\t\t"source": ' +
        '{\n\t\t\t\t\t\t\t\t\t"type": "JsonSource"',
      '"timeout": "0.06:00:00",\n\t\t\t\t\t\t\t\t"retry": ' +
        '1,\n\t\t\t\t\t\t\t\t"retryIntervalInSeconds": 60,\n\t\t\t\t\t\t\t\t"secureOutput": ' +
        'false,\n\t\t\t\t\t\t\t\t"secureInput": ' +
        'false\n\t\t\t\t\t\t\t},\n\t\t\t\t\t\t\t"userProperties": ' +
        '[],\n\t\t\t\t\t\t\t"typeProperties": {\n\t\t\t\t\t\t\t\t"source": ' +
        '{\n\t\t\t\t\t\t\t\t\t"type": "JsonSource"',
    );
    const lastActivityEnd = edited.indexOf('\n\t\t],\n\t\t"parameters"');
    edited =
      `${edited.slice(0, lastActivityEnd)},\n\t\t\t{\n\t\t\t\t"name": ` +
      `"wait_for_downstream",\n\t\t\t\t"type": "Wait",\n\t\t\t\t"dependsOn": ` +
      `[],\n\t\t\t\t"userProperties": [],\n\t\t\t\t"typeProperties": ` +
      `{\n\t\t\t\t\t"waitTimeInSeconds": 60\n\t\t\t\t}\n\t\t\t}${edited.slice(lastActivityEnd)}`;
    folder.files.set(ERP, edited);
    assert.deepEqual(
      statuses(await plan(folder, SECOND_SYSTEM)),
      [],
      'edits outside the owned values are not "out of date"',
    );

    const withTable = await plan(folder, SECOND_SYSTEM + NEW_TABLE);
    assert.deepEqual(
      statuses(withTable),
      ['update pipeline/pl_incremental_ingestion_erp.json'],
      "the orchestrator and the other system's pipeline do not change",
    );
    const child = withTable.files.find(f => f.file === ERP)!;
    assert.deepEqual(child.changedPaths.map(pathText), ['properties.parameters.loop_input.defaultValue']);
    const [start, endBefore] = differingSpan(edited, child.newText);
    const node = findNodeAtLocation(parseTree(edited)!, ['properties', 'parameters', 'loop_input', 'defaultValue'])!;
    assert.ok(
      start >= node.offset && endBefore <= node.offset + node.length,
      `the change [${start}, ${endBefore}) lies in the default value [${node.offset}, ${node.offset + node.length})`,
    );
    const value = JSON.parse(child.newText) as {
      properties: { activities: { name: string }[]; parameters: { loop_input: { defaultValue: { table: string }[] } } };
    };
    assert.deepEqual(
      value.properties.parameters.loop_input.defaultValue.map(i => i.table),
      ['Ledger', 'Invoices'],
    );
    assert.ok(
      child.newText.includes('"timeout": "0.06:00:00"') &&
        value.properties.activities.some(a => a.name === 'wait_for_downstream'),
    );
    const fresh = (await plan(new Folder(), SECOND_SYSTEM + NEW_TABLE)).files.find(f => f.file === ERP)!.newText;
    assert.equal(
      child.newText
        .replace('"timeout": "0.06:00:00"', '"timeout": "0.12:00:00"')
        .replace(/,\n\t\t\t\{\n\t\t\t\t"name": "wait_for_downstream"[\s\S]*?\n\t\t\t\}(?=\n\t\t\])/, ''),
      fresh,
    );

    await writeAdfPlan(withTable, { write: folder.write });
    assert.equal(folder.get(ERP), child.newText);
    assert.ok(isUpToDate(await plan(folder, SECOND_SYSTEM + NEW_TABLE)));
  });

  it('an owned default of a system pipeline edited by hand is a conflict, like any other', async () => {
    const folder = await generatedTwo();
    folder.files.set(APP, edit(folder.get(APP), '"defaultValue": "bronze"', '"defaultValue": "landing"'));
    const p = await plan(folder, SECOND_SYSTEM);
    assert.deepEqual(statuses(p), ['conflict pipeline/pl_incremental_ingestion_app.json (hand-edited)']);
    assert.equal(
      conflictsOf(p)[0]!.conflict!.message,
      'properties.parameters.bronze_container.defaultValue was edited by hand since the last generation',
    );
    await writeAdfPlan(p, { write: folder.write, force: true });
    assert.ok(folder.get(APP).includes('"defaultValue": "bronze"'));
    assert.ok(isUpToDate(await plan(folder, SECOND_SYSTEM)));
  });

  it('a second source system turns the single pipeline into the orchestrator: a conflict that says why; forced, the whole file is rewritten', async () => {
    const folder = await generated();
    const p = await plan(folder, SECOND_SYSTEM);
    assert.deepEqual(statuses(p), [
      'create dataset/ds_sql_table_app.json',
      'create dataset/ds_sql_table_erp.json',
      'create linkedService/ls_erp.json',
      'conflict pipeline/pl_incremental_ingestion.json (unrecognised)',
      'create pipeline/pl_incremental_ingestion_app.json',
      'create pipeline/pl_incremental_ingestion_erp.json',
    ]);
    assert.equal(
      conflictsOf(p)[0]!.conflict!.message,
      "it does not run pipelines 'pl_incremental_ingestion_app', 'pl_incremental_ingestion_erp' (Execute Pipeline), as generation now does: " +
        'its activities predate a source system, or the split of the ingestion into one pipeline per source system (forced, the whole file is rewritten)',
    );
    assert.deepEqual(p.stale, [path.join(ADF, 'dataset', 'ds_sql_table.json')]);
    await writeAdfPlan(p, { write: folder.write, force: true });
    assert.equal(
      folder.get(PIPELINE),
      (await plan(new Folder(), SECOND_SYSTEM)).files.find(f => f.file === PIPELINE)!.newText,
    );
    assert.ok(isUpToDate(await plan(folder, SECOND_SYSTEM)));
  });

  it('back to one source system: the orchestrator that runs generated pipelines is a conflict, the system pipelines are stale', async () => {
    const folder = await generatedTwo();
    const p = await plan(folder);
    assert.deepEqual(statuses(p), [
      'create dataset/ds_sql_table.json',
      'conflict pipeline/pl_incremental_ingestion.json (unrecognised)',
    ]);
    assert.equal(
      conflictsOf(p)[0]!.conflict!.message,
      "it runs generated pipelines 'pl_incremental_ingestion_app', " +
        "'pl_incremental_ingestion_erp' (Execute Pipeline), which generation no longer runs from " +
        'here (forced, the whole file is rewritten)',
    );
    assert.deepEqual(
      p.stale.map(f => path.relative(ADF, f)),
      [
        'dataset/ds_sql_table_app.json',
        'dataset/ds_sql_table_erp.json',
        'linkedService/ls_erp.json',
        'pipeline/pl_incremental_ingestion_app.json',
        'pipeline/pl_incremental_ingestion_erp.json',
      ].map(f => path.join(...f.split('/'))),
    );
    await writeAdfPlan(p, { write: folder.write, force: true });
    assert.ok(isUpToDate(await plan(folder)));
  });

  it("an Execute Pipeline of the user's own added to the orchestrator is an edit like any other", async () => {
    const folder = await generatedTwo();
    const text = folder.get(PIPELINE);
    const value = JSON.parse(text) as { properties: { activities: unknown[] } };
    value.properties.activities.push({
      name: 'run_downstream',
      type: 'ExecutePipeline',
      dependsOn: [],
      userProperties: [],
      typeProperties: {
        pipeline: { referenceName: 'pl_downstream', type: 'PipelineReference' },
        waitOnCompletion: true,
      },
    });
    folder.files.set(PIPELINE, JSON.stringify(value, null, '\t'));
    assert.deepEqual(statuses(await plan(folder, SECOND_SYSTEM)), []);
    assert.deepEqual(statuses(await plan(folder, SECOND_SYSTEM + NEW_TABLE)), [
      'update pipeline/pl_incremental_ingestion_erp.json',
    ]);
  });
});
