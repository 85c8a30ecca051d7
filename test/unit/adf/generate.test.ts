// ADF generation from the metadata: the committed sample is the snapshot (byte for byte), the
// output is deterministic and in ADF Studio's formatting and key order, the pipeline follows the
// reference project's Incremental_loop, and unusual projects (several source systems, full loads,
// no environment, 2,000 tables) generate what they should.
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { after, describe, it, type TestContext } from 'node:test';
import { parseAdfFile } from '../../../src/core/adf/adfFile';
import { findMetadataLoops } from '../../../src/core/adf/metadataLoops';
import {
  FINGERPRINT_FILE,
  generateAdfArtifacts,
  pathText,
  PLACEHOLDER,
  planAdfGeneration,
  readBundleDeployment,
  type GeneratedArtifact,
} from '../../../src/core/adf/generate';
import { validateAdfFolder } from '../../../src/core/adf/validate';
import { importFromAdf } from '../../../src/core/adf/importAdf';
import { loadProjectAt, readAdfFolder } from '../../../src/core/project/loadProject';
import { NodeFileHost } from '../../../src/core/files/nodeFileHost';
import { ProjectSession } from '../../../src/core/project/projectSession';
import { readFileIfExists } from '../../../src/core/files/generatedFiles';
import { generateProject } from '../../../bench/generate';
import { REFERENCE_ADF, SAMPLE_DIR, SHARED_MISSING, hasSharedFixtures } from '../helpers/paths';
import { MemoryHost } from '../helpers/memoryHost';
import { loadProject } from '../helpers/project';
import { generateSample, MULTI_SOURCE_PROJECT, smallProject, wideProject } from './generateFixtures';

const SAMPLE_ADF = path.join(SAMPLE_DIR, 'adf');
const GENERATED_FOLDERS = ['dataset', 'linkedService', 'pipeline', 'trigger'];

type Activity = {
  name: string;
  type: string;
  typeProperties: Record<string, unknown>;
  dependsOn: { activity: string; dependencyConditions: string[] }[];
};

function activitiesOf(artifact: GeneratedArtifact): Activity[] {
  return (artifact.value.properties as { activities: Activity[] }).activities;
}

function walk(activities: readonly Activity[]): Activity[] {
  return activities.flatMap(a => [
    a,
    ...walk([
      ...((a.typeProperties.activities as Activity[]) ?? []),
      ...((a.typeProperties.ifTrueActivities as Activity[]) ?? []),
      ...((a.typeProperties.ifFalseActivities as Activity[]) ?? []),
      ...((a.typeProperties.defaultActivities as Activity[]) ?? []),
    ]),
  ]);
}

function parametersOf(artifact: GeneratedArtifact): Record<string, { type: string; defaultValue: unknown }> {
  return (artifact.value.properties as { parameters: Record<string, { type: string; defaultValue: unknown }> })
    .parameters;
}

/** Our validator on the generated folder, as `lakehouse validate` reads it (in memory). */
async function validateGenerated(artifacts: readonly GeneratedArtifact[]): Promise<string[]> {
  const dir = path.resolve('/virtual/adf');
  const host = new MemoryHost(
    Object.fromEntries(artifacts.map(a => [path.join(dir, ...a.relativePath.split('/')), a.text])),
  );
  const folder = await readAdfFolder(host, dir);
  assert.equal(folder.status, 'ok');
  if (folder.status !== 'ok') return [];
  return validateAdfFolder(folder.factory).map(
    d => `${path.relative(dir, d.file)}: ${d.severity} ${d.code} ${d.message}`,
  );
}

function byPath(artifacts: readonly GeneratedArtifact[], relativePath: string): GeneratedArtifact {
  const found = artifacts.find(a => a.relativePath === relativePath);
  assert.ok(found, `${relativePath} is generated; generated: ${artifacts.map(a => a.relativePath).join(', ')}`);
  return found;
}

describe('ADF generation: the sample is the snapshot', () => {
  it('reproduces every committed artifact of samples/spotify/adf byte for byte, and nothing else', async () => {
    const { metadata } = await loadProjectAt(new NodeFileHost(), SAMPLE_DIR);
    const { artifacts } = generateSample(metadata);
    const committed = GENERATED_FOLDERS.flatMap(folder =>
      fs.readdirSync(path.join(SAMPLE_ADF, folder)).map(name => `${folder}/${name}`),
    ).sort();
    assert.deepEqual(
      artifacts.map(a => a.relativePath),
      committed,
    );
    for (const a of artifacts)
      assert.equal(
        fs.readFileSync(path.join(SAMPLE_ADF, a.relativePath), 'utf8'),
        a.text,
        `${a.relativePath} is what generation writes (regenerate: lakehouse generate adf samples/spotify)`,
      );
  });

  it('plans nothing to do on the sample, fingerprints included', async () => {
    const { metadata } = await loadProjectAt(new NodeFileHost(), SAMPLE_DIR);
    const bundle = readBundleDeployment(fs.readFileSync(path.join(SAMPLE_DIR, 'databricks', 'databricks.yml'), 'utf8'));
    const plan = await planAdfGeneration(metadata, SAMPLE_ADF, readFileIfExists, { bundle });
    assert.deepEqual(
      plan.files.filter(f => f.status !== 'unchanged').map(f => `${f.status} ${f.artifact.relativePath}`),
      [],
    );
    assert.equal(plan.fingerprints.status, 'unchanged', `${FINGERPRINT_FILE} is up to date`);
    assert.deepEqual(plan.stale, []);
    assert.deepEqual(plan.notes, [], 'the sample configures everything generation cannot know');
  });

  it('is deterministic: same metadata, same bytes, also after reloading the project', async () => {
    const first = generateSample((await loadProjectAt(new NodeFileHost(), SAMPLE_DIR)).metadata);
    const second = generateSample((await loadProjectAt(new NodeFileHost(), SAMPLE_DIR)).metadata);
    assert.deepEqual(
      second.artifacts.map(a => [a.relativePath, a.text]),
      first.artifacts.map(a => [a.relativePath, a.text]),
    );
    assert.deepEqual(
      generateSample((await loadProjectAt(new NodeFileHost(), SAMPLE_DIR)).metadata).artifacts.map(a => a.text),
      first.artifacts.map(a => a.text),
    );
  });
});

describe('ADF Studio formatting', () => {
  it('tabs, "key": value, no newline at the end, LF, and JSON.parse gives back the value', async () => {
    const { artifacts } = generateSample((await loadProjectAt(new NodeFileHost(), SAMPLE_DIR)).metadata);
    for (const a of artifacts) {
      assert.match(a.text, /^\{\n\t"name": /, a.relativePath);
      assert.doesNotMatch(a.text, /\n$|\r|\n {2}/, `${a.relativePath}: no final newline, no CR, no space indentation`);
      assert.deepEqual(JSON.parse(a.text), a.value);
      assert.equal(a.text, JSON.stringify(a.value, null, '\t'));
    }
  });

  it('writes the keys in the order ADF Studio does, per artifact type and activity type', async () => {
    const { artifacts } = generateSample((await loadProjectAt(new NodeFileHost(), SAMPLE_DIR)).metadata);
    const keys = (v: unknown) => Object.keys(v as object).join(',');
    for (const a of artifacts) {
      const expectedTop = {
        pipeline: 'name,properties,type',
        dataset: 'name,properties,type',
        linkedService: 'name,type,properties',
        trigger: 'name,properties',
      }[a.kind];
      assert.equal(keys(a.value), expectedTop, a.relativePath);
    }
    assert.equal(
      keys(byPath(artifacts, 'pipeline/pl_incremental_ingestion.json').value.properties),
      'description,activities,parameters,concurrency,annotations',
    );
    assert.equal(
      keys(byPath(artifacts, 'dataset/ds_sql_table.json').value.properties),
      'linkedServiceName,parameters,annotations,type,schema,typeProperties',
    );
    assert.equal(
      keys(byPath(artifacts, 'dataset/ds_adls_parquet.json').value.properties),
      'linkedServiceName,parameters,annotations,type,typeProperties,schema',
    );
    assert.equal(
      keys(byPath(artifacts, 'linkedService/ls_adls.json').value.properties),
      'annotations,type,typeProperties',
    );
    assert.equal(
      keys(byPath(artifacts, 'trigger/tr_ingestion_schedule.json').value.properties),
      'description,annotations,runtimeState,pipelines,type,typeProperties',
    );
    assert.equal(
      keys(byPath(artifacts, 'trigger/tr_ingestion_backfill.json').value.properties),
      'description,annotations,runtimeState,pipeline,type,typeProperties',
    );
    const order: Record<string, string> = {
      Filter: 'name,type,dependsOn,userProperties,typeProperties',
      ForEach: 'name,type,dependsOn,userProperties,typeProperties',
      IfCondition: 'name,type,dependsOn,userProperties,typeProperties',
      Until: 'name,type,dependsOn,userProperties,typeProperties',
      Wait: 'name,type,dependsOn,userProperties,typeProperties',
      Fail: 'name,type,dependsOn,userProperties,typeProperties',
      GetMetadata: 'name,type,dependsOn,policy,userProperties,typeProperties',
      Lookup: 'name,type,dependsOn,policy,userProperties,typeProperties',
      Delete: 'name,type,dependsOn,policy,userProperties,typeProperties',
      WebActivity: 'name,type,dependsOn,policy,userProperties,typeProperties',
      Script: 'name,type,dependsOn,policy,userProperties,linkedServiceName,typeProperties',
      Copy: 'name,type,dependsOn,policy,userProperties,typeProperties,inputs,outputs',
      DatabricksNotebook: 'name,type,dependsOn,policy,userProperties,typeProperties,linkedServiceName',
    };
    const all = walk(activitiesOf(byPath(artifacts, 'pipeline/pl_incremental_ingestion.json')));
    assert.deepEqual([...new Set(all.map(a => a.type))].sort(), Object.keys(order).sort());
    for (const a of all) assert.equal(keys(a), order[a.type], `${a.name} (${a.type})`);
  });
});

describe("the ingestion pipeline (the reference project's Incremental_loop design)", () => {
  it(
    'loops over loop_input (through the Filter of the tables a run copies), whose default ' +
      'lists every table with its watermark column, backfill date, seed, overlap, bronze folder ' +
      'and silver notebook',
    async () => {
      const { metadata } = await loadProjectAt(new NodeFileHost(), SAMPLE_DIR);
      const pipeline = byPath(generateSample(metadata).artifacts, 'pipeline/pl_incremental_ingestion.json');
      const file = parseAdfFile(path.join(SAMPLE_ADF, pipeline.relativePath), 'pipeline', pipeline.text);
      const loops = findMetadataLoops(file, new Map());
      assert.deepEqual(
        loops.map(l => [l.forEach, l.parameter]),
        [['for_each_table', 'loop_input']],
      );
      assert.deepEqual(
        loops[0]!.items.map(i => [i.schema, i.table, i.cdcColumn, i.backfillFrom]),
        metadata.tables.map(t => [t.schema, t.name, t.cdcColumn, t.backfillFrom]),
      );
      const defaults = parametersOf(pipeline);
      // The dev target deploys per user (development mode): the path names environments.dev.deployUser.
      const folder = '/Workspace/Shared/.bundle/spotify_lakehouse/dev/00000000_0000_0000_0000_0000000000c1/files';
      assert.deepEqual((defaults.loop_input!.defaultValue as Record<string, unknown>[])[4], {
        schema: 'dbo',
        table: 'FactStream',
        bronze_folder: 'FactStream',
        silver_notebook: `${folder}/src/silver/FactStream`,
        // backfillFrom: the backfill trigger copies history up to the schedule's start, where the watermark starts.
        cdc_col: 'stream_timestamp',
        from_date: '2024-01-01',
        seed: '2026-12-07T02:00:00.0000000',
        overlap_minutes: 60,
      });
      assert.equal(
        (defaults.loop_input!.defaultValue as Record<string, unknown>[])[3]!.overlap_minutes,
        1440,
        'a date column re-reads a day',
      );
      assert.equal(
        (defaults.loop_input!.defaultValue as Record<string, unknown>[])[0]!.seed,
        '1900-01-01T00:00:00.0000000',
        'without backfillFrom, from the beginning',
      );
      // The notebooks the pipeline runs are the rendered outputs, where databricks.yml deploys them.
      for (const item of defaults.loop_input!.defaultValue as { silver_notebook: string }[]) {
        const rendered = path.join(SAMPLE_DIR, 'databricks', `${item.silver_notebook.replace(`${folder}/`, '')}.py`);
        assert.ok(fs.existsSync(rendered), `${rendered} is rendered`);
      }
      assert.deepEqual(Object.keys(defaults), [
        'loop_input',
        'databricks_host',
        'gold_pipeline',
        'bronze_container',
        'silver_container',
        'storage_account',
        'catalog',
        'silver_schema',
        'key_vault',
        'alert_url_secret',
        'window_start',
        'window_end',
        'backfill_id',
      ]);
      assert.deepEqual(
        Object.fromEntries(
          ['gold_pipeline', 'storage_account', 'catalog', 'silver_schema', 'key_vault', 'alert_url_secret'].map(k => [
            k,
            defaults[k]!.defaultValue,
          ]),
        ),
        {
          gold_pipeline: 'spotify_lakehouse_gold',
          storage_account: 'stspotifydev',
          catalog: 'spotify_dev',
          key_vault: 'kv-spotify-dev',
          alert_url_secret: 'alert-url',
          // dev deploys in development mode: schemas get the deployer's prefix (its short name, normalised)
          silver_schema: 'dev_00000000_0000_0000_0000_0000000000c1_silver',
        },
      );
      assert.equal(
        (pipeline.value.properties as { concurrency?: number }).concurrency,
        1,
        'one run at a time: runs would race on watermarks and checkpoints',
      );
    },
  );

  it(
    'per table: the watermark file seeded on the first run, the copy from the watermark minus ' +
      'the overlap (or the window), the watermark moved forward only after the copy, the silver ' +
      'notebook every time',
    async () => {
      const pipeline = byPath(
        generateSample((await loadProjectAt(new NodeFileHost(), SAMPLE_DIR)).metadata).artifacts,
        'pipeline/pl_incremental_ingestion.json',
      );
      const all = walk(activitiesOf(pipeline));
      const named = (name: string) => all.find(a => a.name === name)!;
      const deps = (name: string) =>
        named(name).dependsOn.map(d => `${d.activity}:${d.dependencyConditions.join('|')}`);
      const lookup = named('read_watermark').typeProperties.dataset as { parameters: Record<string, unknown> };
      assert.deepEqual(lookup.parameters, {
        container: { value: '@pipeline().parameters.bronze_container', type: 'Expression' },
        folder: { value: '@{item().bronze_folder}_cdc', type: 'Expression' },
        file: 'cdc.json',
      });
      assert.deepEqual(named('seed_watermark').typeProperties.expression, {
        value: "@not(activity('find_watermark').output.exists)",
        type: 'Expression',
      });
      assert.deepEqual(deps('read_watermark'), ['seed_watermark:Succeeded']);
      const query = (named('copy_new_rows').typeProperties.source as { sqlReaderQuery: { value: string } })
        .sqlReaderQuery.value;
      // Names are data: a ']' in them is doubled when the query is built, as QUOTENAME does.
      assert.match(
        query,
        new RegExp(
          [
            "^@concat\\('SELECT \\* FROM ', ",
            "concat\\(concat\\('\\[', replace\\(item\\(\\)\\.schema, '\\]', '\\]\\]'\\), '\\]'\\), '\\.', ",
            "concat\\('\\[', replace\\(item\\(\\)\\.table, '\\]', '\\]\\]'\\), '\\]'\\)\\)",
          ].join(''),
        ),
      );
      assert.ok(
        query.includes("addMinutes(activity('read_watermark').output.firstRow.cdc, mul(-1, item().overlap_minutes))"),
        'the overlap is re-read',
      );
      assert.ok(
        query.includes("' >= '") && query.includes("' <= '") && query.includes("' < '"),
        'both bounds: inclusive lower, inclusive maximum; a window ends exclusive',
      );
      assert.ok(
        query.includes('pipeline().parameters.window_start') && query.includes('pipeline().parameters.window_end'),
        'a backfill window replaces the watermark',
      );
      assert.equal(
        (named('advance_watermark').typeProperties.expression as { value: string }).value,
        '@and(empty(pipeline().parameters.window_start), ' +
          "and(not(equals(activity('max_watermark').output.resultSets[0].rows[0].cdc, null)), " +
          "greater(formatDateTime(activity('max_watermark').output.resultSets[0].rows[0].cdc, " +
          "'yyyy-MM-ddTHH:mm:ss.fffffff'), " +
          "formatDateTime(activity('read_watermark').output.firstRow.cdc, " +
          "'yyyy-MM-ddTHH:mm:ss.fffffff'))))",
      );
      assert.deepEqual(deps('advance_watermark'), ['copy_new_rows:Succeeded']);
      assert.deepEqual(
        deps('run_silver_notebook'),
        ['advance_watermark:Succeeded', 'clean_empty_file:Succeeded'],
        'silver runs every time the copy succeeded, rows or not',
      );
      assert.deepEqual(named('run_silver_notebook').typeProperties.baseParameters, {
        bronze_root: {
          value:
            "@concat('abfss://', pipeline().parameters.bronze_container, '@', pipeline().parameters.storage_account, '.dfs.core.windows.net')",
          type: 'Expression',
        },
        silver_root: {
          value:
            "@concat('abfss://', pipeline().parameters.silver_container, '@', pipeline().parameters.storage_account, '.dfs.core.windows.net')",
          type: 'Expression',
        },
        catalog: { value: '@pipeline().parameters.catalog', type: 'Expression' },
        silver_schema: { value: '@pipeline().parameters.silver_schema', type: 'Expression' },
      });
      assert.deepEqual(
        activitiesOf(pipeline).map(a => [
          a.name,
          a.dependsOn.map(d => `${d.activity}:${d.dependencyConditions.join('|')}`).join(' '),
        ]),
        [
          ['get_alert_url', ''],
          ['for_each_table_tables', ''],
          ['for_each_table', 'for_each_table_tables:Succeeded'],
          ['find_gold_pipeline', 'for_each_table:Succeeded'],
          ['gold_pipeline_named', 'find_gold_pipeline:Succeeded'],
          ['one_gold_pipeline', 'gold_pipeline_named:Succeeded'],
          ['start_gold_update', 'one_gold_pipeline:Succeeded'],
          ['wait_for_gold_update', 'start_gold_update:Succeeded'],
          ['check_gold_update', 'wait_for_gold_update:Succeeded'],
          ['alert_success', 'check_gold_update:Succeeded get_alert_url:Succeeded'],
          ['alert_failure', 'check_gold_update:Failed|Skipped get_alert_url:Succeeded'],
        ],
      );
      // The gold notebooks are Declarative Pipelines code: the pipeline's update is started and awaited through the REST API.
      assert.deepEqual(named('start_gold_update').typeProperties.authentication, {
        type: 'MSI',
        resource: '2ff814a6-3304-4ab8-85cb-cd0e6f879c1d',
      });
      assert.deepEqual(named('alert_failure').typeProperties.body, {
        pipeline_name: '@{pipeline().Pipeline}',
        pipeline_runId: '@{pipeline().RunId}',
        data_factory: '@{pipeline().DataFactory}',
        status: 'Failed',
        error:
          "@{coalesce(activity('for_each_table')?.error?.message, activity('check_gold_update')?.error?.message, 'see the run in ADF Studio')}",
      });
      assert.equal(
        (named('alert_failure') as Activity & { policy: { secureInput: boolean } }).policy.secureInput,
        true,
        'the URL (with its signature) is not shown in monitoring',
      );
      assert.ok(all.length < 80, `ADF allows 80 activities per pipeline; ${all.length}`);
    },
  );

  it('the gold step: none without dimensions and facts, nor when no dimension or fact notebook is rendered', async () => {
    const { metadata } = await loadProjectAt(new NodeFileHost(), SAMPLE_DIR);
    const goldOf = (generation: ReturnType<typeof generateSample>) => {
      const pipeline = byPath(generation.artifacts, 'pipeline/pl_incremental_ingestion.json');
      return {
        names: activitiesOf(pipeline)
          .map(a => a.name)
          .filter(n => n.includes('gold')),
        pipeline: parametersOf(pipeline).gold_pipeline?.defaultValue,
      };
    };
    assert.deepEqual(goldOf(generateSample(metadata)).pipeline, 'spotify_lakehouse_gold');
    assert.deepEqual(goldOf(generateSample({ ...metadata, dimensions: [], facts: [] })), {
      names: [],
      pipeline: undefined,
    });
    assert.deepEqual(
      goldOf(generateSample({ ...metadata, templates: metadata.templates!.filter(b => b.for === 'table') })),
      { names: [], pipeline: undefined },
    );
  });

  it('a pipeline without the gold step generation now writes is a conflict that --force rewrites whole', async () => {
    const { metadata } = await loadProjectAt(new NodeFileHost(), SAMPLE_DIR);
    const bundle = readBundleDeployment(fs.readFileSync(path.join(SAMPLE_DIR, 'databricks', 'databricks.yml'), 'utf8'));
    const file = path.join(SAMPLE_ADF, 'pipeline', 'pl_incremental_ingestion.json');
    const old = JSON.parse(fs.readFileSync(file, 'utf8')) as { properties: { activities: { name: string }[] } };
    old.properties.activities = old.properties.activities.filter(a => a.name !== 'check_gold_update');
    const oldText = JSON.stringify(old, null, '\t');
    const plan = await planAdfGeneration(metadata, SAMPLE_ADF, f => (f === file ? oldText : readFileIfExists(f)), {
      bundle,
    });
    const planned = plan.files.find(f => f.file === file)!;
    assert.equal(planned.status, 'conflict');
    assert.equal(planned.conflict?.reason, 'unrecognised');
    assert.match(
      planned.conflict!.message,
      /it has no gold step \(check_gold_update\), which generation now writes \(forced, the whole file is rewritten\)/,
    );
    assert.equal(planned.newText, planned.artifact.text);
  });

  it('imports back: lakehouse import-adf on the generated folder finds the tables, the server and the database', async () => {
    const result = await readAdfFolder(new NodeFileHost(), SAMPLE_ADF);
    assert.equal(result.status, 'ok');
    if (result.status !== 'ok') return;
    const imported = importFromAdf(result.factory, path.join(SAMPLE_DIR, 'imported.yaml'));
    assert.equal(imported.tables, 5);
    assert.match(
      imported.text,
      /\n {4}linkedService: ls_spotify_sql\n {4}server: sql-spotify\.database\.windows\.net\n {4}database: spotify\n/,
    );
    assert.match(
      imported.text,
      /- name: FactStream\n {8}schema: dbo\n {8}cdcColumn: stream_timestamp\n {8}loadType: incremental\n {8}backfillFrom: 2024-01-01\n/,
    );
  });

  it("keeps the reference Incremental_loop's steps and expressions (shared fixture)", async t => {
    if (!hasSharedFixtures()) return t.skip(SHARED_MISSING);
    const reference = JSON.parse(
      fs.readFileSync(path.join(REFERENCE_ADF, 'pipeline', 'Incremental_loop.json'), 'utf8'),
    ) as {
      properties: { activities: Activity[]; parameters: Record<string, { defaultValue: Record<string, string>[] }> };
    };
    const ours = byPath(
      generateSample((await loadProjectAt(new NodeFileHost(), SAMPLE_DIR)).metadata).artifacts,
      'pipeline/pl_incremental_ingestion.json',
    );
    const types = (activities: readonly Activity[]) => [...new Set(walk(activities).map(a => a.type))].sort();
    const missing = types(reference.properties.activities).filter(type => !types(activitiesOf(ours)).includes(type));
    // The reference's SetVariable held the file's timestamp in a pipeline variable, which parallel iterations overwrite.
    assert.deepEqual(missing, ['SetVariable']);
    const referenceItem = Object.keys(reference.properties.parameters.loop_input!.defaultValue[0]!);
    const ourItem = Object.keys(
      (ours.value.properties as { parameters: Record<string, { defaultValue: object[] }> }).parameters.loop_input!
        .defaultValue[0]!,
    );
    assert.deepEqual(
      referenceItem.filter(k => !ourItem.includes(k)),
      [],
      'every field of the reference loop_input item is there',
    );
  });
});

describe('ADF generation of other projects', () => {
  it('several source systems of each SQL kind, full-load tables, a zone path layout, an existing cluster, sequential loops', async () => {
    const { snapshot } = await loadProject(MULTI_SOURCE_PROJECT);
    const { artifacts, notes } = generateAdfArtifacts(snapshot.metadata);
    assert.deepEqual(
      artifacts.map(a => a.relativePath),
      [
        'dataset/ds_adls_json.json',
        'dataset/ds_adls_parquet.json',
        'dataset/ds_sql_table_crm.json',
        'dataset/ds_sql_table_dw.json',
        'dataset/ds_sql_table_legacy.json',
        'linkedService/ls_adls.json',
        'linkedService/ls_crm.json',
        'linkedService/ls_databricks.json',
        'linkedService/ls_dw.json',
        'linkedService/ls_legacy.json',
        'pipeline/pl_incremental_ingestion.json',
        'pipeline/pl_incremental_ingestion_crm.json',
        'pipeline/pl_incremental_ingestion_dw.json',
        'pipeline/pl_incremental_ingestion_legacy.json',
        'trigger/tr_ingestion_backfill.json',
        'trigger/tr_ingestion_schedule.json',
      ],
    );
    assert.equal(
      byPath(artifacts, 'linkedService/ls_dw.json').value.properties &&
        (byPath(artifacts, 'linkedService/ls_dw.json').value.properties as { type: string }).type,
      'AzureSqlDW',
    );
    assert.equal(
      (byPath(artifacts, 'linkedService/ls_legacy.json').value.properties as { type: string }).type,
      'SqlServer',
    );
    assert.ok(
      notes.some(n => n.includes("Source 'legacy' is a SQL Server")),
      notes.join('\n'),
    );
    assert.deepEqual(
      (byPath(artifacts, 'linkedService/ls_databricks.json').value.properties as { typeProperties: object })
        .typeProperties,
      {
        domain: PLACEHOLDER.databricksHost,
        authentication: 'MSI',
        workspaceResourceId: PLACEHOLDER.workspaceResourceId,
        existingClusterId: '0101-000000-abcdefgh',
      },
    );
    // Each source system's loops live in a pipeline of their own, with the reference project's names.
    const crm = byPath(artifacts, 'pipeline/pl_incremental_ingestion_crm.json');
    const parameters = parametersOf(crm);
    assert.deepEqual(Object.keys(parameters), [
      'loop_input',
      'full_load_input',
      'bronze_container',
      'silver_container',
      'storage_account',
      'catalog',
      'silver_schema',
      'window_start',
      'window_end',
      'backfill_id',
    ]);
    assert.deepEqual(
      crm.ownedPaths.map(pathText),
      [
        'loop_input',
        'full_load_input',
        'bronze_container',
        'silver_container',
        'storage_account',
        'catalog',
        'silver_schema',
      ].map(p => `properties.parameters.${p}.defaultValue`),
    );
    assert.deepEqual(parameters.full_load_input!.defaultValue, [
      {
        schema: 'dbo',
        table: 'Country',
        bronze_folder: 'crm/dbo/Country',
        silver_notebook: '/Workspace/Shared/.bundle/multi/dev/files/src/silver/Country',
      },
    ]);
    assert.deepEqual(
      (parameters.loop_input!.defaultValue as { table: string; from_date: string }[]).map(i => [i.table, i.from_date]),
      [['Customer', '2023-06-01']],
    );
    assert.equal(parameters.bronze_container!.defaultValue, 'raw');
    assert.deepEqual(
      activitiesOf(crm).map(a => [a.name, a.dependsOn.map(d => d.activity).join()]),
      [
        ['for_each_table_tables', ''],
        ['for_each_table', 'for_each_table_tables'],
        ['for_each_full_load_table_tables', 'for_each_table'],
        ['for_each_full_load_table', 'for_each_full_load_table_tables'],
      ],
    );
    const all = walk(activitiesOf(crm));
    assert.deepEqual(
      all.map(a => a.name),
      [
        'for_each_table_tables',
        'for_each_table',
        'find_watermark',
        'seed_watermark',
        'write_first_watermark',
        'read_watermark',
        'max_watermark',
        'copy_new_rows',
        'advance_watermark',
        'write_watermark',
        'clean_empty_file',
        'delete_empty_file',
        'run_silver_notebook',
        'for_each_full_load_table_tables',
        'for_each_full_load_table',
        'copy_full_table',
        'run_full_load_silver_notebook',
      ],
      'the incremental path exactly as in a single-system pipeline, then the full loads',
    );
    const fullCopy = all.find(a => a.name === 'copy_full_table')!;
    assert.equal(
      (fullCopy.typeProperties.source as { sqlReaderQuery: { value: string } }).sqlReaderQuery.value,
      "SELECT * FROM [@{replace(item().schema, ']', ']]')}].[@{replace(item().table, ']', ']]')}]",
      'a full load has no watermark',
    );
    assert.equal(
      (fullCopy as unknown as { inputs: { referenceName: string }[] }).inputs[0]!.referenceName,
      'ds_sql_table_crm',
    );
    assert.deepEqual(
      walk(activitiesOf(byPath(artifacts, 'pipeline/pl_incremental_ingestion_legacy.json'))).map(a => a.name),
      [
        'for_each_full_load_table_tables',
        'for_each_full_load_table',
        'copy_full_table',
        'run_full_load_silver_notebook',
      ],
      'no watermark for a system of full loads only',
    );
    assert.equal(
      (
        walk(activitiesOf(byPath(artifacts, 'pipeline/pl_incremental_ingestion_dw.json'))).find(
          a => a.name === 'copy_new_rows',
        )!.typeProperties.source as { type: string }
      ).type,
      'SqlDWSource',
    );
    assert.equal(activitiesOf(crm)[1]!.typeProperties.isSequential, true, 'batchCount 1 copies one table at a time');
    assert.equal(activitiesOf(crm)[1]!.typeProperties.batchCount, undefined);

    // The pipeline the triggers start runs them one after the other, passing the lake and the backfill window on.
    const orchestrator = byPath(artifacts, 'pipeline/pl_incremental_ingestion.json');
    assert.deepEqual(
      activitiesOf(orchestrator).map(a => [
        a.name,
        a.type,
        a.dependsOn.map(d => `${d.activity}:${d.dependencyConditions.join('|')}`).join(' '),
      ]),
      [
        ['ingest_crm', 'ExecutePipeline', ''],
        ['ingest_dw', 'ExecutePipeline', 'ingest_crm:Succeeded'],
        ['ingest_legacy', 'ExecutePipeline', 'ingest_dw:Succeeded'],
        ['alert_success', 'WebActivity', 'ingest_legacy:Succeeded'],
        ['alert_failure', 'WebActivity', 'ingest_legacy:Failed|Skipped'],
      ],
    );
    const passedOn = [
      'bronze_container',
      'silver_container',
      'storage_account',
      'catalog',
      'silver_schema',
      'window_start',
      'window_end',
      'backfill_id',
    ];
    assert.deepEqual(activitiesOf(orchestrator)[1]!.typeProperties, {
      pipeline: { referenceName: 'pl_incremental_ingestion_dw', type: 'PipelineReference' },
      waitOnCompletion: true,
      parameters: Object.fromEntries(
        passedOn.map(p => [p, { value: `@pipeline().parameters.${p}`, type: 'Expression' }]),
      ),
    });
    assert.deepEqual(Object.keys(parametersOf(orchestrator)), [
      'bronze_container',
      'silver_container',
      'storage_account',
      'catalog',
      'silver_schema',
      'alert_url',
      'window_start',
      'window_end',
      'backfill_id',
    ]);
    assert.deepEqual(
      orchestrator.ownedPaths.map(pathText),
      ['bronze_container', 'silver_container', 'storage_account', 'catalog', 'silver_schema', 'alert_url'].map(
        p => `properties.parameters.${p}.defaultValue`,
      ),
    );
    assert.deepEqual(
      Object.keys(activitiesOf(orchestrator)[0]!),
      ['name', 'type', 'dependsOn', 'policy', 'userProperties', 'typeProperties'],
      "ADF Studio's key order for Execute Pipeline",
    );

    // Our own validator accepts the folder: every Execute Pipeline reference resolves and passes declared parameters.
    assert.deepEqual(await validateGenerated(artifacts), []);
  });

  it("the sample's shape with a second source system: the sample's loops move, unchanged, into a pipeline per system", async () => {
    const { metadata } = await loadProjectAt(new NodeFileHost(), SAMPLE_DIR);
    const single = byPath(generateSample(metadata).artifacts, 'pipeline/pl_incremental_ingestion.json');
    const second = {
      ...metadata.sources[0]!,
      name: 'crm',
      linkedService: 'ls_crm',
      tables: [{ ...metadata.tables[0]!, system: 'crm' }],
    };
    const { artifacts } = generateSample({
      ...metadata,
      sources: [...metadata.sources, second],
      tables: [...metadata.tables, ...second.tables],
    });
    const child = byPath(artifacts, 'pipeline/pl_incremental_ingestion_spotify_sql.json');
    const loops = (a: GeneratedArtifact) =>
      JSON.stringify(activitiesOf(a).filter(x => x.type === 'ForEach')).replace(
        /ds_sql_table_spotify_sql/g,
        'ds_sql_table',
      );
    assert.equal(loops(child), loops(single), "the ingestion loops are the single pipeline's (their dataset aside)");
    assert.deepEqual(parametersOf(child).loop_input, parametersOf(single).loop_input);
    const orchestrator = byPath(artifacts, 'pipeline/pl_incremental_ingestion.json');
    const gold = [
      'find_gold_pipeline',
      'gold_pipeline_named',
      'one_gold_pipeline',
      'start_gold_update',
      'wait_for_gold_update',
      'check_gold_update',
    ];
    assert.deepEqual(
      activitiesOf(orchestrator).map(a => a.name),
      ['get_alert_url', 'ingest_spotify_sql', 'ingest_crm', ...gold, 'alert_success', 'alert_failure'],
    );
    const goldOf = (a: GeneratedArtifact) =>
      JSON.stringify(
        activitiesOf(a)
          .filter(x => gold.includes(x.name))
          .map(x => ({ ...x, dependsOn: x.name === gold[0] ? [] : x.dependsOn })),
      );
    assert.equal(goldOf(orchestrator), goldOf(single), "the gold step is the single pipeline's");
    assert.deepEqual(parametersOf(orchestrator).gold_pipeline, parametersOf(single).gold_pipeline);
    const owned = [
      'databricks_host',
      'gold_pipeline',
      'bronze_container',
      'silver_container',
      'storage_account',
      'catalog',
      'silver_schema',
      'key_vault',
      'alert_url_secret',
    ];
    assert.deepEqual(Object.keys(parametersOf(orchestrator)), [...owned, 'window_start', 'window_end', 'backfill_id']);
    assert.deepEqual(
      orchestrator.ownedPaths.map(pathText),
      owned.map(p => `properties.parameters.${p}.defaultValue`),
    );
    assert.deepEqual(await validateGenerated(artifacts), []);
  });

  it("a source system with a very long name: its Execute Pipeline activity stays within ADF's 55 characters, distinct and stable", async () => {
    const { metadata } = await loadProjectAt(new NodeFileHost(), SAMPLE_DIR);
    const longName = 'enterprise_resource_planning_production_replica_eu_west';
    const second = {
      ...metadata.sources[0]!,
      name: longName,
      linkedService: 'ls_erp',
      tables: [{ ...metadata.tables[0]!, system: longName }],
    };
    const third = {
      ...second,
      name: `${longName}_2`,
      linkedService: 'ls_erp2',
      tables: [{ ...metadata.tables[1]!, system: `${longName}_2` }],
    };
    const project = {
      ...metadata,
      sources: [...metadata.sources, second, third],
      tables: [...metadata.tables, ...second.tables, ...third.tables],
    };
    const { artifacts } = generateSample(project);
    const names = activitiesOf(byPath(artifacts, 'pipeline/pl_incremental_ingestion.json'))
      .map(a => a.name)
      .filter(n => n.startsWith('ingest_'));
    assert.equal(names.length, 3);
    assert.ok(
      names.every(n => n.length <= 55),
      names.join(', '),
    );
    assert.equal(new Set(names).size, 3, 'distinct');
    assert.deepEqual(
      activitiesOf(byPath(generateSample(project).artifacts, 'pipeline/pl_incremental_ingestion.json'))
        .map(a => a.name)
        .filter(n => n.startsWith('ingest_')),
      names,
      'stable',
    );
    assert.deepEqual(await validateGenerated(artifacts), []);
  });

  it('without environments: valid JSON with visible placeholders, and a note for each', async () => {
    const { snapshot } = await loadProject(MULTI_SOURCE_PROJECT);
    const { artifacts, notes } = generateAdfArtifacts(snapshot.metadata);
    for (const a of artifacts) assert.deepEqual(JSON.parse(a.text), a.value);
    assert.equal(
      (byPath(artifacts, 'linkedService/ls_adls.json').value.properties as { typeProperties: { url: string } })
        .typeProperties.url,
      `https://${PLACEHOLDER.storageAccount}.dfs.core.windows.net/`,
    );
    const parameters = (
      byPath(artifacts, 'pipeline/pl_incremental_ingestion.json').value.properties as {
        parameters: Record<string, { defaultValue: unknown }>;
      }
    ).parameters;
    assert.equal(parameters.alert_url!.defaultValue, PLACEHOLDER.alertUrl);
    for (const fragment of [
      'declares no environment',
      'No alert URL',
      'adf.databricks.workspaceResourceId',
      "bundle target 'dev'",
    ]) {
      assert.ok(
        notes.some(n => n.includes(fragment)),
        `a note says ${fragment}:\n${notes.join('\n')}`,
      );
    }
  });

  it("the environment picks the values: --env prod carries prod's storage account and Databricks host", async () => {
    const { metadata } = await loadProjectAt(new NodeFileHost(), SAMPLE_DIR);
    const prod = generateAdfArtifacts(metadata, { environment: 'prod' }).artifacts;
    assert.equal(
      (byPath(prod, 'linkedService/ls_adls.json').value.properties as { typeProperties: { url: string } })
        .typeProperties.url,
      'https://stspotifyprod.dfs.core.windows.net/',
    );
    assert.match(
      byPath(prod, 'linkedService/ls_databricks.json').text,
      /adb-2222222222222222\.2\.azuredatabricks\.net[\s\S]*rg-spotify-prod[\s\S]*dbw-spotify-prod/,
    );
    assert.throws(
      () => generateAdfArtifacts(metadata, { environment: 'qa' }),
      /No environment 'qa' in lakehouse\.yaml; declared: dev, prod\./,
    );
  });

  it('the adf section renames what it names, and templates: [] runs no notebook (no Databricks linked service)', async () => {
    const adf =
      'adf:\n  pipeline: pl_load\n  loopParameter: tables\n  linkedServices: { lake: ls_lake }\n ' +
      ' datasets: { sqlTable: ds_sql, parquet: ds_parquet, json: ds_json }\n  schedule: { ' +
      'trigger: tr_hourly, frequency: Hour, interval: 2 }\ntemplates: []\n';
    const { snapshot, diagnostics } = await loadProject(smallProject('', adf));
    assert.deepEqual(
      diagnostics.filter(d => d.severity === 'error'),
      [],
    );
    const { artifacts } = generateAdfArtifacts(snapshot.metadata);
    assert.deepEqual(
      artifacts.map(a => a.relativePath),
      [
        'dataset/ds_json.json',
        'dataset/ds_parquet.json',
        'dataset/ds_sql.json',
        'linkedService/ls_app.json',
        'linkedService/ls_lake.json',
        'pipeline/pl_load.json',
        'trigger/tr_hourly.json',
        'trigger/tr_ingestion_backfill.json',
      ],
    );
    const pipeline = byPath(artifacts, 'pipeline/pl_load.json');
    assert.deepEqual(Object.keys((pipeline.value.properties as { parameters: object }).parameters), [
      'tables',
      'bronze_container',
      'silver_container',
      'storage_account',
      'catalog',
      'silver_schema',
      'alert_url',
      'window_start',
      'window_end',
      'backfill_id',
    ]);
    assert.ok(!walk(activitiesOf(pipeline)).some(a => a.type === 'DatabricksNotebook'));
    assert.deepEqual(
      (byPath(artifacts, 'trigger/tr_hourly.json').value.properties as { typeProperties: object }).typeProperties,
      { recurrence: { frequency: 'Hour', interval: 2, startTime: '2024-01-01T02:00:00Z', timeZone: 'UTC' } },
    );
  });

  it('the adf section is checked by the schema: an unknown key, a value out of range, a frequency ADF does not have', async () => {
    const project = await loadProject(
      smallProject('', 'adf:\n  batchCount: 80\n  schedule: { frequency: Fortnight }\n  pipelines: x\n'),
    );
    assert.deepEqual(
      project.diagnostics
        .filter(d => d.code.startsWith('LH1'))
        .map(d => d.code)
        .sort(),
      ['LH102', 'LH104', 'LH104'],
    );
  });

  it('two artifacts with one name are refused with a message that says which', async () => {
    const { snapshot } = await loadProject(smallProject('', 'adf:\n  linkedServices: { lake: ls_app }\n'));
    assert.throws(() => generateAdfArtifacts(snapshot.metadata), /Two linked services would be named 'ls_app'/);
  });
});

describe("ADF generation at scale: no generated pipeline passes Data Factory's limits", () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lakehouse-adfgen-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** Activities (nested included), parameters and KiB of each generated pipeline, by name. */
  const sizes = (artifacts: readonly GeneratedArtifact[]) =>
    new Map(
      artifacts
        .filter(a => a.kind === 'pipeline')
        .map(a => [
          a.name,
          {
            activities: walk(activitiesOf(a)).length,
            parameters: Object.keys(parametersOf(a)).length,
            kib: a.text.length / 1024,
          },
        ]),
    );
  const limitNotes = (notes: readonly string[]) => notes.filter(n => /ADF (will refuse|allows)/.test(n));

  it("the benchmark's synthetic project is valid metadata (npm run bench refuses to measure an invalid one, and did after new rules)", async () => {
    const project = generateProject(path.join(tmp, 'p200'), { tables: 200, adfTemplate: SAMPLE_ADF });
    const snapshot = await new ProjectSession(project.rootFile, new NodeFileHost()).load();
    const errors = [...snapshot.diagnostics.values()].flat().filter(d => d.severity === 'error');
    assert.deepEqual(
      errors.map(
        d => `${path.relative(project.root, d.file)}:${d.range.start.line + 1} ${d.code} ${d.message.slice(0, 120)}`,
      ),
      [],
    );
  });

  it(
    '2,000 tables in 40 source systems: an orchestrator and a pipeline per system, which our ' +
      'validator accepts, generated in well under a second',
    async (t: TestContext) => {
      const project = generateProject(path.join(tmp, 'p2000'), { tables: 2000, adfTemplate: SAMPLE_ADF });
      const { metadata } = await loadProjectAt(new NodeFileHost(), project.root);
      assert.equal(metadata.tables.length, 2000);
      assert.equal(metadata.sources.length, 40);
      generateAdfArtifacts(metadata); // warm up (JIT)
      const started = process.hrtime.bigint();
      const { artifacts, notes } = generateAdfArtifacts(metadata);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      assert.deepEqual(limitNotes(notes), []);
      const pipelines = sizes(artifacts);
      const orchestrator = pipelines.get('pl_incremental_ingestion')!;
      const children = metadata.sources.map(s => pipelines.get(`pl_incremental_ingestion_${s.name}`)!);
      assert.ok(
        children.every(c => c !== undefined),
        `a pipeline per source system: ${[...pipelines.keys()].join(', ')}`,
      );
      const largest = [...pipelines.values()].reduce((a, b) => (b.kib > a.kib ? b : a));
      t.diagnostic(
        `2,000 tables in 40 source systems: ${artifacts.length} artifacts (${pipelines.size} ` +
          `pipelines), ${(artifacts.reduce((n, a) => n + a.text.length, 0) / 1024).toFixed(0)} KiB, ` +
          `${ms.toFixed(1)} ms; ` +
          `orchestrator ${orchestrator.activities} activities / ${orchestrator.parameters} parameters / ${orchestrator.kib.toFixed(0)} KiB; ` +
          (`largest system pipeline ${Math.max(...children.map(c => c.activities))} activities / ` +
            `${Math.max(...children.map(c => c.kib)).toFixed(0)} KiB; largest pipeline ` +
            `${largest.kib.toFixed(0)} KiB`),
      );
      for (const [name, size] of pipelines) {
        assert.ok(
          size.activities <= 80 && size.parameters <= 50 && size.kib <= 128,
          `${name}: ${JSON.stringify(size)}`,
        );
      }
      // 40 Execute Pipeline activities, then the 500 dimensions and 200 facts in one gold step (the gold pipeline's update runs them all), then the alerts.
      assert.equal(orchestrator.activities, 40 + 10 + 2);
      assert.deepEqual(
        activitiesOf(byPath(artifacts, 'pipeline/pl_incremental_ingestion.json'))
          .slice(-3)
          .map(a => a.name),
        ['check_gold_update', 'alert_success', 'alert_failure'],
      );
      assert.ok(
        ![...pipelines.keys()].some(name => /_(dimensions|facts)(_part\d+)?$/.test(name)),
        'no gold pipelines of their own',
      );
      assert.ok(ms < 500, `generation took ${ms.toFixed(1)} ms`);

      // Our validator on the folder as generated: no error, no service-limit warning.
      const dir = path.join(tmp, 'adf2000');
      for (const a of artifacts) {
        fs.mkdirSync(path.join(dir, path.dirname(a.relativePath)), { recursive: true });
        fs.writeFileSync(path.join(dir, ...a.relativePath.split('/')), a.text);
      }
      const folder = await readAdfFolder(new NodeFileHost(), dir);
      assert.equal(folder.status, 'ok');
      if (folder.status !== 'ok') return;
      const diagnostics = validateAdfFolder(folder.factory);
      assert.deepEqual(
        diagnostics
          .filter(d => d.severity === 'error' || d.code === 'LH416')
          .map(d => `${path.relative(dir, d.file)}: ${d.code} ${d.message}`),
        [],
      );
      assert.deepEqual(
        diagnostics.map(d => d.code),
        [],
        'nothing at all, in fact',
      );

      // The round trip on that scale: the folder as generated, then one table's backfill date changes: only its system's pipeline.
      const files = new Map(artifacts.map(a => [path.join(tmp, 'adf', ...a.relativePath.split('/')), a.text]));
      const table = metadata.tables.find(x => x.loadType === 'incremental')!;
      table.backfillFrom = '2020-01-01';
      const plannedAt = process.hrtime.bigint();
      const plan = await planAdfGeneration(metadata, path.join(tmp, 'adf'), file => files.get(file));
      const planMs = Number(process.hrtime.bigint() - plannedAt) / 1e6;
      t.diagnostic(`round trip after one edit: ${planMs.toFixed(1)} ms`);
      assert.deepEqual(
        plan.files
          .filter(f => f.status !== 'unchanged')
          .map(f => [f.artifact.relativePath, f.status, f.changedPaths.map(pathText).join()]),
        [
          [
            `pipeline/pl_incremental_ingestion_${table.system}.json`,
            'conflict',
            'properties.parameters.loop_input.defaultValue',
          ],
        ],
        'no fingerprints were written, so the changed default is a conflict to confirm',
      );
      assert.ok(planMs < 2000, `planning took ${planMs.toFixed(1)} ms`);
    },
  );

  it(
    'past every limit at once: a system too large for one pipeline is split in parts, 80+ ' +
      'system pipelines run through batches, gold is one step',
    async (t: TestContext) => {
      const { snapshot, diagnostics: metadataProblems } = await loadProject(
        wideProject({ bigTables: 1200, smallSystems: 80 }),
      );
      assert.deepEqual(
        metadataProblems.filter(d => d.severity === 'error'),
        [],
      );
      const { artifacts, notes } = generateAdfArtifacts(snapshot.metadata);
      assert.deepEqual(limitNotes(notes), []);
      const pipelines = sizes(artifacts);
      t.diagnostic(
        [...pipelines]
          .filter(([name]) => !/_s\d{4}$/.test(name))
          .map(([name, s]) => `${name}: ${s.activities} activities, ${s.kib.toFixed(0)} KiB`)
          .join('; '),
      );
      for (const [name, size] of pipelines)
        assert.ok(
          size.activities <= 80 && size.parameters <= 50 && size.kib <= 128,
          `${name}: ${JSON.stringify(size)}`,
        );
      const runs = (name: string) =>
        activitiesOf(byPath(artifacts, `pipeline/${name}.json`))
          .filter(a => a.type === 'ExecutePipeline')
          .map(a => (a.typeProperties.pipeline as { referenceName: string }).referenceName);
      assert.deepEqual(runs('pl_incremental_ingestion'), [
        'pl_incremental_ingestion_batch_1',
        'pl_incremental_ingestion_batch_2',
      ]);
      assert.deepEqual(
        activitiesOf(byPath(artifacts, 'pipeline/pl_incremental_ingestion.json'))
          .slice(-3)
          .map(a => a.name),
        ['check_gold_update', 'alert_success', 'alert_failure'],
      );
      const batched = [...runs('pl_incremental_ingestion_batch_1'), ...runs('pl_incremental_ingestion_batch_2')];
      const partCount = artifacts.filter(a => /^pl_incremental_ingestion_big_part\d+$/.test(a.name)).length;
      assert.ok(partCount >= 3, `the big system is split (${partCount} parts)`);
      const partNames = Array.from({ length: partCount }, (_, k) => `pl_incremental_ingestion_big_part${k + 1}`);
      assert.deepEqual(
        batched,
        [
          ...partNames,
          ...Array.from({ length: 80 }, (_, i) => `pl_incremental_ingestion_s${String(i + 1).padStart(4, '0')}`),
        ],
        "every system pipeline, once, in the metadata's order",
      );
      const total = partCount + 80;
      assert.deepEqual(
        [runs('pl_incremental_ingestion_batch_1').length, runs('pl_incremental_ingestion_batch_2').length],
        [Math.ceil(total / 2), Math.floor(total / 2)],
        'batches of equal size',
      );
      const parts = partNames.map(
        name =>
          parametersOf(byPath(artifacts, `pipeline/${name}.json`)).loop_input!.defaultValue as { table: string }[],
      );
      assert.deepEqual(
        parts.flat().map(i => i.table),
        snapshot.metadata.sources[0]!.tables.map(x => x.name),
        'the parts list every table once, in order',
      );
      assert.deepEqual(await validateGenerated(artifacts), []);
    },
  );

  it('when even batching cannot keep the orchestrator within the limits, a note says so', async () => {
    const { snapshot } = await loadProject(MULTI_SOURCE_PROJECT);
    const crm = snapshot.metadata.sources[0]!;
    // 78 batches of 80 is what an orchestrator without gold notebooks can run.
    const sources = Array.from({ length: 78 * 80 + 60 }, (_, i) => ({
      ...crm,
      name: `s${i}`,
      linkedService: `ls_s${i}`,
      tables: crm.tables.map(x => ({ ...x, system: `s${i}` })),
    }));
    const { notes } = generateAdfArtifacts({ ...snapshot.metadata, sources, tables: sources.flatMap(x => x.tables) });
    assert.ok(
      notes.some(n =>
        new RegExp(
          [
            '^The ingestion needs 6300 pipelines .*: even run through 79 batch pipelines, ',
            "pipeline 'pl_incremental_ingestion' has more activities than ADF allows\\. ",
            'Split the source systems into several projects\\.$',
          ].join(''),
        ).test(n),
      ),
      notes.slice(-3).join('\n'),
    );
    assert.ok(
      notes.some(n =>
        n.startsWith("Pipeline 'pl_incremental_ingestion' has 81 activities (ADF allows 80): ADF will refuse it."),
      ),
      'and the pipeline over the limit is named',
    );
  });
});
