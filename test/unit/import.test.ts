// import-adf: a lakehouse.yaml written from an ADF folder, checked by the same loader as any
// project. The reference fixture is read in place; the output goes to a temporary folder.
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { importFromAdf } from '../../src/core/adf/importAdf';
import { readAdfFolder } from '../../src/core/project/loadProject';
import { NodeFileHost } from '../../src/core/files/nodeFileHost';
import { ProjectSession } from '../../src/core/project/projectSession';
import { adfFolder } from './helpers/baseline';
import { MemoryHost } from './helpers/memoryHost';
import { REAL_WORLD_ADF, REFERENCE_ADF, SHARED_MISSING, hasSharedFixtures } from './helpers/paths';
import { abs, flatten, list } from './helpers/project';

interface ImportedYaml {
  version: number;
  project: { name: string; description?: string };
  environments: Record<string, Record<string, string>>;
  lake: { zones: Record<string, { container: string }> };
  paths: { adf: string };
  sources: {
    name: string;
    type?: string;
    linkedService?: string;
    server?: string;
    database?: string;
    tables: { name: string; schema: string; cdcColumn?: string; loadType: string; todo?: string; columns: unknown[] }[];
  }[];
  starSchema: { dimensions: unknown[]; facts: unknown[]; todo?: string };
}

async function importFolder(adfDir: string, outFile: string) {
  const result = await readAdfFolder(new NodeFileHost(), adfDir);
  assert.equal(result.status, 'ok');
  if (result.status !== 'ok') throw new Error('unreachable');
  return importFromAdf(result.factory, outFile);
}

describe('import-adf on the reference fixture', () => {
  let tmp = '';
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lakehouse-import-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('writes the five tables with their CDC columns, the linked service, factory and storage account', async t => {
    if (!hasSharedFixtures()) return t.skip(SHARED_MISSING);
    const outFile = path.join(tmp, 'project', 'lakehouse.yaml');
    const imported = await importFolder(REFERENCE_ADF, outFile);
    assert.equal(imported.tables, 5);
    assert.equal(imported.sourceSystems, 1);
    assert.deepEqual(imported.loops, [{ pipeline: 'Incremental_loop', parameter: 'loop_input', tables: 5 }]);
    const y = parse(imported.text) as ImportedYaml;
    assert.equal(y.version, 1);
    assert.equal(y.project.name, 'spotify-project-adf-kiran');
    assert.deepEqual(y.environments['dev'], {
      subscriptionId: 'TODO the Azure subscription id of the factory',
      resourceGroup: 'TODO the resource group of the factory',
      factory: 'spotify-project-adf-kiran',
      storageAccount: 'spotifystoragekiran',
      location: 'eastus',
    });
    assert.equal(y.sources.length, 1);
    const source = y.sources[0]!;
    assert.deepEqual(
      { ...source, tables: undefined },
      {
        name: 'Azure_Sql',
        type: 'azureSql',
        linkedService: 'Azure_Sql',
        tables: undefined,
        server: 'azurespotifyprojectserverkiran.database.windows.net',
        database: 'azurespotifyprojectdb',
      },
    );
    assert.deepEqual(
      source.tables.map(tb => [tb.schema, tb.name, tb.cdcColumn, tb.loadType]),
      [
        ['dbo', 'DimUser', 'updated_at', 'incremental'],
        ['dbo', 'DimTrack', 'updated_at', 'incremental'],
        ['dbo', 'DimDate', 'date', 'incremental'],
        ['dbo', 'DimArtist', 'updated_at', 'incremental'],
        ['dbo', 'FactStream', 'stream_timestamp', 'incremental'],
      ],
    );
    assert.ok(source.tables.every(tb => tb.columns.length === 0 && tb.todo?.startsWith('List the columns')));
    assert.deepEqual(Object.keys(y.lake.zones), ['bronze']);
    assert.deepEqual(y.starSchema.dimensions, []);
  });

  it('paths.adf is relative to the output file, with forward slashes, and leads back to the fixture', async t => {
    if (!hasSharedFixtures()) return t.skip(SHARED_MISSING);
    const outFile = path.join(tmp, 'nested', 'deeper', 'lakehouse.yaml');
    const y = parse((await importFolder(REFERENCE_ADF, outFile)).text) as ImportedYaml;
    assert.equal(y.paths.adf, path.relative(path.dirname(outFile), REFERENCE_ADF).split(path.sep).join('/'));
    assert.equal(path.isAbsolute(y.paths.adf), false);
    assert.equal(path.resolve(path.dirname(outFile), y.paths.adf), REFERENCE_ADF);
  });

  it('the written file validates with zero errors: only LH901 todos, each one named', async t => {
    if (!hasSharedFixtures()) return t.skip(SHARED_MISSING);
    const outFile = path.join(tmp, 'written', 'lakehouse.yaml');
    const imported = await importFolder(REFERENCE_ADF, outFile);
    fs.mkdirSync(path.dirname(outFile), { recursive: true });
    fs.writeFileSync(outFile, imported.text);
    // The fixture lives outside the folder written to: the user allows it, as with --allow-folder.
    const snapshot = await new ProjectSession(outFile, new NodeFileHost(), { allowedFolders: [REFERENCE_ADF] }).load();
    const diagnostics = flatten(snapshot);
    assert.deepEqual(
      [...new Set(diagnostics.map(d => `${d.code} ${d.severity}`))],
      ['LH901 warning'],
      list(diagnostics),
    );
    assert.deepEqual(
      diagnostics.map(d => d.message),
      [
        'TODO: the Azure subscription id of the factory',
        'TODO: the resource group of the factory',
        'TODO: Declare the silver and gold zones (container, path, format)',
        ...['DimUser', 'DimTrack', 'DimDate', 'DimArtist', 'FactStream'].map(
          n => `TODO: List the columns (name, type) and the primaryKey of dbo.${n}; ADF does not record them`,
        ),
        'TODO: Declare the dimensions (business key, SCD type) and facts (grain, measures, references) built from these tables',
      ],
    );
    assert.equal(snapshot.adf?.loops.length, 1, 'paths.adf points back at the fixture');
    assert.equal(snapshot.metadata.tables.length, 5);
  });
});

describe('import-adf on other folders', () => {
  it('an ADF folder without a metadata-driven loop imports no tables and says why; the result validates without errors', async () => {
    const files = adfFolder();
    delete files['adf/pipeline/pl_incremental.json'];
    delete files['adf/linkedService/ls_adls.json'];
    delete files['adf/dataset/ds_parquet.json']; // it reads through ls_adls
    const host = new MemoryHost(Object.fromEntries(Object.entries(files).map(([f, t]) => [abs(f), t])));
    const result = await readAdfFolder(host, abs('adf'));
    assert.equal(result.status, 'ok');
    if (result.status !== 'ok') return;
    const imported = importFromAdf(result.factory, abs('lakehouse.yaml'));
    assert.equal(imported.tables, 0);
    assert.match(imported.notes.join('\n'), /No metadata-driven pipeline was found/);
    assert.match(imported.notes.join('\n'), /storage account is a todo/);
    assert.match(imported.text, /\nsources: \[\]\n/);
    assert.match(imported.text, /\n {4}storageAccount: TODO the ADLS Gen2 storage account\n/);
    host.write(abs('lakehouse.yaml'), imported.text);
    const diagnostics = flatten(await new ProjectSession(abs('lakehouse.yaml'), host).load());
    assert.deepEqual(
      diagnostics.filter(d => d.code !== 'LH901'),
      [],
      list(diagnostics),
    );
  });

  it('every real-world factory imports to a file that validates with nothing but todos', async t => {
    if (!hasSharedFixtures()) return t.skip(SHARED_MISSING);
    for (const name of fs
      .readdirSync(REAL_WORLD_ADF, { withFileTypes: true })
      .filter(e => e.isDirectory())
      .map(e => e.name)) {
      const dir = path.join(REAL_WORLD_ADF, name);
      const rootFile = path.resolve('/virtual/imported', name, 'lakehouse.yaml');
      const imported = await importFolder(dir, rootFile);
      const session = new ProjectSession(rootFile, new NodeFileHost(), { allowedFolders: [dir] });
      session.setOverlay(rootFile, imported.text);
      const diagnostics = flatten(await session.load());
      // Warnings in the factory's own files are about the factory (real ones have some), not the import.
      assert.equal(
        list(diagnostics.filter(d => d.code !== 'LH901' && (d.severity === 'error' || d.file === rootFile))),
        '(none)',
        name,
      );
    }
  });
});
