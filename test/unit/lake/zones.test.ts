// The Lake view's map of a project: zones, containers, each table's folder and watermark folder,
// checked against what the ADF generator writes for the same metadata.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  containerNameProblem,
  folderKey,
  LakeFolderMarks,
  lakeZones,
  lakeZonesSignature,
  layoutRoot,
} from '../../../src/core/lake/zones';
import { generateAdfArtifacts } from '../../../src/core/adf/generate/artifacts';
import { loadProjectAt } from '../../../src/core/project/loadProject';
import { NodeFileHost } from '../../../src/core/files/nodeFileHost';
import { SAMPLE_DIR } from '../helpers/paths';
import { loadProject } from '../helpers/project';

const PROJECT = `version: 1
project: { name: lake }
lake:
  zones:
    bronze: { container: raw-zone, path: "landing/{system}/{schema}/{table}", format: parquet }
    silver: { container: silver, format: delta }
    gold: { container: Gold_Zone, path: "{table}", format: delta }
sources:
  - name: crm
    tables:
      - name: customers
        schema: dbo
        primaryKey: [id]
        cdcColumn: updated_at
        loadType: incremental
        columns: [{ name: id, type: int }, { name: updated_at, type: datetime2 }]
      - name: orders
        schema: sales
        primaryKey: [id]
        loadType: incremental
        cdcMode: changeTracking
        columns: [{ name: id, type: int }]
      - name: regions
        schema: dbo
        loadType: full
        columns: [{ name: id, type: int }]
starSchema:
  dimensions:
    - { name: dim_customer, source: dbo.customers, businessKey: [id], scdType: 1 }
  facts:
    - { name: fact_orders, source: sales.orders, grain: [id], measures: [{ column: id, aggregation: count }] }
`;

describe('lake zones', () => {
  it('lakeZonesSignature changes exactly when what lakeZones shows can: not for a column, for a table, a CDC mode, a star table or a zone', async () => {
    const signatureOf = async (text: string) =>
      lakeZonesSignature((await loadProject({ 'lakehouse.yaml': text })).snapshot.metadata);
    const base = await signatureOf(PROJECT);
    assert.equal(
      await signatureOf(
        PROJECT.replace('{ name: updated_at, type: datetime2 }', '{ name: updated_at, type: datetime }'),
      ),
      base,
    );
    const changes = [
      PROJECT.replace('name: regions', 'name: regions2'),
      PROJECT.replace('schema: sales', 'schema: sales2').replace('sales.orders', 'sales2.orders'),
      PROJECT.replace('cdcMode: changeTracking', 'cdcMode: rowversion'),
      PROJECT.replace('name: dim_customer', 'name: dim_client'),
      PROJECT.replace('container: silver', 'container: silver2'),
      PROJECT.replace('path: "{table}", format: delta }', 'path: "x/{table}", format: delta }'),
    ];
    for (const changed of changes) assert.notEqual(await signatureOf(changed), base, changed);
  });

  it('gives each zone its container and each table its folder; bronze adds the watermark of tables the pipeline keeps one for', async () => {
    const { snapshot } = await loadProject({ 'lakehouse.yaml': PROJECT });
    const zones = lakeZones(snapshot.metadata);
    assert.deepEqual(
      zones.map(z => [z.name, z.container, z.layout, z.root, z.format]),
      [
        ['bronze', 'raw-zone', 'landing/{system}/{schema}/{table}', 'landing/', 'parquet'],
        ['silver', 'silver', '{table}', '', 'delta'],
        ['gold', 'Gold_Zone', '{table}', '', 'delta'],
      ],
    );
    const bronze = zones[0]!;
    assert.deepEqual(
      bronze.tables.map(t => [t.table.key, t.folder, t.watermark?.file, t.watermark?.mode]),
      [
        ['crm.dbo.customers', 'landing/crm/dbo/customers', 'landing/crm/dbo/customers_cdc/cdc.json', 'watermark'],
        ['crm.sales.orders', 'landing/crm/sales/orders', 'landing/crm/sales/orders_cdc/cdc.json', 'changeTracking'],
        ['crm.dbo.regions', 'landing/crm/dbo/regions', undefined, undefined], // a full load keeps no watermark
      ],
    );
    assert.equal(zones[1]!.tables[0]!.watermark, undefined, 'only bronze keeps watermarks');
    assert.deepEqual(
      zones[1]!.tables.map(t => [t.table.kind, t.folder]),
      [
        ['table', 'customers'],
        ['table', 'orders'],
        ['table', 'regions'],
      ],
    );
    // Gold holds the star schema: a folder per dimension and fact, named after it.
    assert.deepEqual(
      zones[2]!.tables.map(t => [t.table.kind, t.table.key, t.table.source, t.table.schema, t.folder]),
      [
        ['dimension', 'dim_customer', 'dbo.customers', 'dbo', 'dim_customer'],
        ['fact', 'fact_orders', 'sales.orders', 'sales', 'fact_orders'],
      ],
    );
    assert.equal(bronze.containerProblem, undefined);
    assert.match(zones[2]!.containerProblem ?? '', /Gold_Zone.*lower-case/);
  });

  it('marks listed folders: a table folder, its watermark folder, and the folders on the way to them', async () => {
    const { snapshot } = await loadProject({ 'lakehouse.yaml': PROJECT });
    const marks = new LakeFolderMarks(lakeZones(snapshot.metadata));
    assert.deepEqual(marks.markOf('raw-zone', 'landing/'), { kind: 'tables', zones: ['bronze'], count: 3 });
    assert.deepEqual(marks.markOf('raw-zone', 'landing/crm/dbo'), { kind: 'tables', zones: ['bronze'], count: 2 });
    const table = marks.markOf('raw-zone', 'landing/crm/dbo/customers/');
    assert.equal(table?.kind, 'table');
    assert.equal(table?.kind === 'table' && table.table.key, 'crm.dbo.customers');
    // The table folder carries its watermark file, so the view shows the watermark beside the data.
    assert.deepEqual(table?.kind === 'table' && table.watermark, {
      file: 'landing/crm/dbo/customers_cdc/cdc.json',
      mode: 'watermark',
    });
    const cdc = marks.markOf('raw-zone', 'landing/crm/dbo/customers_cdc/');
    assert.equal(cdc?.kind, 'watermark');
    assert.equal(cdc?.kind === 'watermark' && cdc.watermark.file, 'landing/crm/dbo/customers_cdc/cdc.json');
    assert.equal(marks.markOf('raw-zone', 'landing/crm/dbo/regions_cdc/'), undefined);
    assert.equal(marks.markOf('silver', 'orders')?.kind, 'table');
    assert.equal(marks.markOf('silver', 'Orders'), undefined, 'blob names are case-sensitive');
    assert.equal(marks.markOf('Gold_Zone', 'orders'), undefined, 'an invalid container is not browsed');
    assert.equal(marks.markOf('raw-zone', ''), undefined);
  });

  it("the sample's bronze folders are the generated pipeline's bronze_folder, table by table", async () => {
    const { metadata } = await loadProjectAt(new NodeFileHost(), SAMPLE_DIR);
    const bronze = lakeZones(metadata).find(z => z.name === 'bronze')!;
    const generated = new Map<string, string>();
    for (const artifact of generateAdfArtifacts(metadata).artifacts) {
      if (artifact.kind !== 'pipeline') continue;
      const parameters = (artifact.value.properties as { parameters?: Record<string, { defaultValue?: unknown }> })
        .parameters;
      for (const p of Object.values(parameters ?? {}))
        if (Array.isArray(p.defaultValue))
          for (const item of p.defaultValue as Record<string, unknown>[])
            if (typeof item.bronze_folder === 'string')
              generated.set(`${String(item.schema)}.${String(item.table)}`, item.bronze_folder);
    }
    assert.ok(generated.size >= 5, 'the sample generates loops over its tables');
    for (const entry of bronze.tables) {
      assert.equal(entry.folder, generated.get(`${entry.table.schema}.${entry.table.name}`), entry.table.key);
      assert.equal(entry.watermark?.file, `${entry.folder}_cdc/cdc.json`, 'every sample table is incremental');
    }
    const gold = lakeZones(metadata).find(z => z.name === 'gold')!;
    assert.deepEqual(
      gold.tables.map(t => t.folder),
      ['dim_user', 'dim_track', 'dim_artist', 'dim_date', 'fact_stream'],
    );
  });

  it('layout roots, folder keys and container names', () => {
    assert.equal(layoutRoot('{table}'), '');
    assert.equal(layoutRoot('t_{table}'), '');
    assert.equal(layoutRoot('raw/{system}/{table}'), 'raw/');
    assert.equal(layoutRoot('/raw/spotify/x_{table}'), 'raw/spotify/');
    assert.equal(layoutRoot('fixed/folder'), 'fixed/');
    assert.equal(folderKey(''), '');
    assert.equal(folderKey('/'), '');
    assert.equal(folderKey('a/b'), 'a/b/');
    assert.equal(folderKey('/a/b//'), 'a/b/');
    assert.equal(containerNameProblem('bronze'), undefined);
    assert.equal(containerNameProblem('$logs'), undefined);
    assert.match(containerNameProblem('ab') ?? '', /3 to 63/);
    assert.match(containerNameProblem('a--b') ?? '', /not valid/);
    assert.match(containerNameProblem('-ab') ?? '', /not valid/);
    assert.match(containerNameProblem('a/b') ?? '', /not valid/);
  });

  it('a zone with an unknown placeholder names no folder (the metadata check reports it)', async () => {
    const { snapshot } = await loadProject({
      'lakehouse.yaml': PROJECT.replace(
        'silver: { container: silver, format: delta }',
        'silver: { container: silver, path: "{owner}/{table}" }',
      ),
    });
    const silver = lakeZones(snapshot.metadata).find(z => z.name === 'silver')!;
    assert.match(silver.tables[0]!.problem ?? '', /\{owner\}/);
    assert.equal(new LakeFolderMarks(lakeZones(snapshot.metadata)).markOf('silver', '{owner}/customers'), undefined);
  });
});
