// The ADF folder: metadata-driven loop detection on the reference fixture and on hand-written
// pipelines, LH404 against lakehouse.yaml, and real ADF Studio factories that must load without
// false positives. Shared fixtures are read in place (never copied into the repository).
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { describe, it, type TestContext } from 'node:test';
import { parseAdfFile } from '../../src/core/adf/adfFile';
import { loadAdfFolder } from '../../src/core/adf/adfFolder';
import { findMetadataLoops } from '../../src/core/adf/metadataLoops';
import { readAdfFolder } from '../../src/core/project/loadProject';
import { NodeFileHost } from '../../src/core/files/nodeFileHost';
import { ProjectSession } from '../../src/core/project/projectSession';
import { LineIndex } from '../../src/core/text/lineIndex';
import { adfFolder, BASELINE } from './helpers/baseline';
import { MemoryHost } from './helpers/memoryHost';
import { REAL_WORLD_ADF, REFERENCE_ADF, SHARED_MISSING, hasSharedFixtures } from './helpers/paths';
import { abs, assertClean, flatten, list, loadProject } from './helpers/project';

function skipWithoutFixtures(t: TestContext): boolean {
  if (hasSharedFixtures()) return false;
  t.skip(SHARED_MISSING);
  return true;
}

/** lakehouse.yaml (never written to disk: an editor overlay) pointing paths.adf at a folder on disk. */
async function loadOverlayProject(adfDir: string, tables: string[]) {
  const rootFile = path.resolve('/virtual/overlay/lakehouse.yaml');
  const text = `version: 1
project:
  name: reference
environments:
  dev: { subscriptionId: 00000000-0000-0000-0000-000000000000, resourceGroup: rg, factory: adf, storageAccount: stref }
paths:
  adf: ${JSON.stringify(adfDir)}
sources:
  - name: Azure_Sql
    tables:
${tables.map(t => `      - { name: ${t}, columns: [{ name: id, type: int }] }`).join('\n')}
`;
  const session = new ProjectSession(rootFile, new NodeFileHost(), { allowedFolders: [adfDir] });
  session.setOverlay(rootFile, tables.length ? text : text.replace(/sources:[\s\S]*$/, 'sources: []\n'));
  return session.load();
}

describe('the reference ADF folder (spotify-reference)', () => {
  it('finds the metadata-driven loop: ForEach1 over loop_input, five tables with their CDC columns', async t => {
    if (skipWithoutFixtures(t)) return;
    const result = await readAdfFolder(new NodeFileHost(), REFERENCE_ADF);
    assert.equal(result.status, 'ok');
    if (result.status !== 'ok') return;
    assert.deepEqual(
      result.factory.files.flatMap(f => f.diagnostics),
      [],
      'ADF Studio files have no diagnostics',
    );
    assert.deepEqual(
      result.factory.files.map(f => `${f.kind}/${f.name}`),
      [
        'pipeline/Incremental-ingestion',
        'pipeline/Incremental_loop',
        'dataset/AzureSql_ds',
        'dataset/json_dynamic',
        'dataset/parquet_dynamic',
        'linkedService/Azure_Sql',
        'linkedService/datalake',
        'factory/spotify-project-adf-kiran',
      ],
    );
    assert.equal(result.factory.loops.length, 1, 'the single-table pipeline (scalar parameters) is not a loop');
    const loop = result.factory.loops[0]!;
    assert.deepEqual(
      { ...loop, items: undefined },
      {
        pipeline: 'Incremental_loop',
        file: path.join(REFERENCE_ADF, 'pipeline', 'Incremental_loop.json'),
        parameter: 'loop_input',
        forEach: 'ForEach1',
        sinkContainers: ['bronze'],
        items: undefined,
        sourceDataset: 'AzureSql_ds',
        linkedService: 'Azure_Sql',
      },
    );
    assert.deepEqual(
      loop.items.map(i => [i.schema, i.table, i.cdcColumn, i.backfillFrom]),
      [
        ['dbo', 'DimUser', 'updated_at', undefined],
        ['dbo', 'DimTrack', 'updated_at', undefined],
        ['dbo', 'DimDate', 'date', undefined],
        ['dbo', 'DimArtist', 'updated_at', undefined],
        ['dbo', 'FactStream', 'stream_timestamp', undefined],
      ],
    );
    assert.deepEqual(loop.items[4]?.path, ['properties', 'parameters', 'loop_input', 'defaultValue', 4]);
  });

  it('LH404 when lakehouse.yaml does not declare a table the loop copies, at that table in the pipeline', async t => {
    if (skipWithoutFixtures(t)) return;
    const snapshot = await loadOverlayProject(REFERENCE_ADF, ['DimUser', 'DimTrack', 'DimDate', 'DimArtist']);
    const diagnostics = flatten(snapshot);
    assert.deepEqual(
      diagnostics.map(d => d.code),
      ['LH404'],
      list(diagnostics),
    );
    const d = diagnostics[0]!;
    const file = path.join(REFERENCE_ADF, 'pipeline', 'Incremental_loop.json');
    const text = fs.readFileSync(file, 'utf8');
    const at = text.indexOf('"FactStream"', text.indexOf('"loop_input": {'));
    assert.ok(at > 0);
    assert.equal(d.file, file);
    assert.deepEqual(d.range, new LineIndex(text).rangeOf([at, at + '"FactStream"'.length]));
    assert.equal(d.severity, 'warning');
    assert.equal(
      d.message,
      "Pipeline 'Incremental_loop' copies dbo.FactStream (parameter 'loop_input'), which " +
        'lakehouse.yaml does not declare. Declare it under sources so the metadata stays the ' +
        'single source of truth.',
    );
  });

  it('no LH404 when every table is declared (in any letter case), nor when no table is declared yet', async t => {
    if (skipWithoutFixtures(t)) return;
    assert.equal(
      list(
        flatten(await loadOverlayProject(REFERENCE_ADF, ['DimUser', 'DIMTRACK', 'dimdate', 'DimArtist', 'FactStream'])),
      ),
      '(none)',
    );
    assert.equal(
      list(flatten(await loadOverlayProject(REFERENCE_ADF, []))),
      '(none)',
      'a fresh project: the import is the way forward',
    );
  });
});

describe('real-world ADF Studio folders (adf-real-world)', () => {
  const folders = fs.existsSync(REAL_WORLD_ADF)
    ? fs
        .readdirSync(REAL_WORLD_ADF, { withFileTypes: true })
        .filter(e => e.isDirectory())
        .map(e => e.name)
        .sort()
    : [];

  it('are present (ten factories)', t => {
    if (skipWithoutFixtures(t)) return;
    assert.equal(folders.length, 10);
  });

  for (const name of folders) {
    it(`${name}: loads with no LH402/LH403 and no errors`, async () => {
      const dir = path.join(REAL_WORLD_ADF, name);
      const result = await readAdfFolder(new NodeFileHost(), dir);
      assert.equal(result.status, 'ok');
      if (result.status !== 'ok') return;
      assert.ok(result.factory.files.length > 0);
      assert.equal(list(result.factory.files.flatMap(f => f.diagnostics)), '(none)');
      const diagnostics = flatten(await loadOverlayProject(dir, []));
      assert.equal(
        list(diagnostics.filter(d => d.severity === 'error' || d.code === 'LH402' || d.code === 'LH403')),
        '(none)',
      );
    });
  }
});

describe('metadata loops in hand-written pipelines', () => {
  const pipeline = (activities: unknown[], parameters: Record<string, unknown>) =>
    parseAdfFile(
      abs('adf/pipeline/p.json'),
      'pipeline',
      JSON.stringify({ name: 'p', properties: { activities, parameters } }),
    );
  const forEach = (items: unknown, inner: unknown[] = []) => ({
    name: 'Each',
    type: 'ForEach',
    typeProperties: { items, activities: inner },
  });

  it('finds a ForEach nested in IfCondition and Switch bodies, with "@{…}" item expressions and case-insensitive keys', () => {
    const tables = {
      type: 'array',
      defaultValue: [
        { Schema_Name: 'sales', TABLE_NAME: 'Orders', Watermark_Column: 'modified', From_Date: '2024-02-01' },
        { tableName: 'Customers' },
      ],
    };
    const file = pipeline(
      [
        {
          name: 'If',
          type: 'IfCondition',
          typeProperties: {
            ifTrueActivities: [forEach({ value: '@{pipeline().parameters.Tables}', type: 'Expression' })],
          },
        },
        {
          name: 'Switch',
          type: 'Switch',
          typeProperties: { cases: [{ value: 'a', activities: [forEach('@pipeline().parameters.tables')] }] },
        },
      ],
      { tables },
    );
    const loops = findMetadataLoops(file, new Map());
    assert.equal(loops.length, 2);
    assert.deepEqual(
      loops[0]?.items.map(i => [i.schema, i.table, i.cdcColumn, i.backfillFrom]),
      [
        ['sales', 'Orders', 'modified', '2024-02-01'],
        ['dbo', 'Customers', undefined, undefined],
      ],
    );
    assert.equal(loops[0]?.parameter, 'tables');
  });

  it('ignores ForEach loops over activity output, unknown parameters, or arrays that list no tables', () => {
    const file = pipeline(
      [
        forEach("@activity('Lookup').output.value"),
        forEach('@pipeline().parameters.missing'),
        forEach('@pipeline().parameters.files'),
        forEach('@pipeline().parameters.scalar'),
      ],
      {
        files: { type: 'array', defaultValue: [{ path: 'a.csv' }, 'b.csv'] },
        scalar: { type: 'string', defaultValue: 'x' },
      },
    );
    assert.deepEqual(findMetadataLoops(file, new Map()), []);
  });

  it('the first artifact of a name wins; the duplicate still loads as a file', async () => {
    const files = adfFolder();
    const host = new MemoryHost(
      Object.fromEntries(
        Object.entries({ ...files, 'adf/pipeline/zz_copy.json': files['adf/pipeline/pl_incremental.json']! }).map(
          ([f, t]) => [abs(f), t],
        ),
      ),
    );
    const result = await loadAdfFolder(
      {
        readDirectory: d => host.readDirectory(d),
        readText: async f => {
          const content = await host.readFile(f);
          return typeof content === 'string' ? { text: content } : { missing: true };
        },
      },
      abs('adf'),
    );
    assert.equal(result.status, 'ok');
    if (result.status !== 'ok') return;
    assert.equal(
      result.factory.artifacts.get('pipeline')?.get('pl_incremental')?.file,
      abs('adf/pipeline/pl_incremental.json'),
    );
    assert.equal(result.factory.files.filter(f => f.kind === 'pipeline').length, 2);
    assert.equal(result.factory.loops.length, 1, 'the loop of the duplicate is not counted twice');
  });

  it('the baseline project with its ADF folder checks clean, and the loop is traced to its linked service and zone', async () => {
    const p = await loadProject({ 'lakehouse.yaml': BASELINE, ...adfFolder() });
    assertClean(p);
    const loop = p.snapshot.adf?.loops[0];
    assert.equal(loop?.linkedService, 'ls_spotify_sql');
    assert.deepEqual(loop?.sinkContainers, ['bronze']);
  });
});
