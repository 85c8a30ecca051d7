// Seeding the watermark files before the first run: the files the generated pipeline reads and
// writes (<bronze container>/<bronze folder>_cdc/cdc.json), with the first value it would write
// itself, created only where none exists: a watermark is data and is never overwritten.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonObject } from '../../../src/core/adf/generate/adfJson';
import { generateAdfArtifacts } from '../../../src/core/adf/generate';
import { NodeFileHost } from '../../../src/core/files/nodeFileHost';
import { loadProjectAt } from '../../../src/core/project/loadProject';
import { planWatermarkSeeds, seedWatermarks, watermarkSeeds, type WatermarkStore } from '../../../src/core/deploy';
import { SAMPLE_DIR } from '../helpers/paths';
import { loadProject } from '../helpers/project';

/** A lake in memory: container → path → text. */
class MemoryLake implements WatermarkStore {
  readonly files = new Map<string, string>();
  failing = new Set<string>();
  async exists(container: string, path: string): Promise<boolean> {
    if (this.failing.has(path)) throw new Error(`AuthorizationFailure: no access to ${container}/${path}`);
    return this.files.has(`${container}/${path}`);
  }
  async createIfAbsent(container: string, path: string, text: string): Promise<boolean> {
    if (this.failing.has(path)) throw new Error(`AuthorizationFailure: no access to ${container}/${path}`);
    if (this.files.has(`${container}/${path}`)) return false;
    this.files.set(`${container}/${path}`, text);
    return true;
  }
}

const COLUMNS = '[{ name: id, type: int }, { name: modified_at, type: datetime2 }, { name: rv, type: timestamp }]';
const PROJECT = `version: 1
project: { name: marks }
environments:
  dev: { storageAccount: stmarks, databricksHost: https://adb-1.1.azuredatabricks.net, alertUrl: https://example.invalid/a }
lake:
  zones:
    bronze: { container: raw, path: "{system}/{table}", format: parquet }
adf:
  schedule: { startTime: "2026-12-07T02:00:00Z" }
sources:
  - name: app
    type: azureSql
    server: app.database.windows.net
    database: app
    tables:
      - { name: Users, primaryKey: [id], cdcColumn: modified_at, backfillFrom: 2024-03-01, columns: ${COLUMNS} }
      - { name: Orders, primaryKey: [id], cdcColumn: modified_at, columns: ${COLUMNS} }
      - { name: Versions, primaryKey: [id], cdcColumn: rv, cdcMode: rowversion, columns: ${COLUMNS} }
      - { name: Tracked, primaryKey: [id], cdcMode: changeTracking, loadType: incremental, columns: ${COLUMNS} }
      - { name: Lookup, primaryKey: [id], loadType: full, columns: ${COLUMNS} }
`;

describe('deploy: watermark seeds', () => {
  it("lists the sample's five watermark files with the first value the pipeline writes", async () => {
    const snapshot = await loadProjectAt(new NodeFileHost(), SAMPLE_DIR);
    const { seeds, notes } = watermarkSeeds(snapshot.metadata);
    assert.deepEqual(notes, []);
    assert.deepEqual(
      seeds.map(s => [s.table, s.container, s.path, s.text]),
      [
        ['spotify_sql.dbo.DimUser', 'bronze', 'DimUser_cdc/cdc.json', '{"cdc":"1900-01-01T00:00:00.0000000"}'],
        ['spotify_sql.dbo.DimArtist', 'bronze', 'DimArtist_cdc/cdc.json', '{"cdc":"1900-01-01T00:00:00.0000000"}'],
        ['spotify_sql.dbo.DimTrack', 'bronze', 'DimTrack_cdc/cdc.json', '{"cdc":"1900-01-01T00:00:00.0000000"}'],
        ['spotify_sql.dbo.DimDate', 'bronze', 'DimDate_cdc/cdc.json', '{"cdc":"1900-01-01T00:00:00.0000000"}'],
        // Backfilled: the backfill trigger copies history up to the schedule's start, where the watermark starts.
        ['spotify_sql.dbo.FactStream', 'bronze', 'FactStream_cdc/cdc.json', '{"cdc":"2026-12-07T02:00:00.0000000"}'],
      ],
    );
  });

  it('seeds what the generated pipeline itself would write first: its loop items, every mode, no full-load table', async () => {
    const { snapshot, diagnostics } = await loadProject({ 'lakehouse.yaml': PROJECT });
    assert.deepEqual(
      diagnostics.filter(d => d.severity === 'error').map(d => d.message),
      [],
    );
    const { seeds } = watermarkSeeds(snapshot.metadata);
    assert.deepEqual(
      seeds.map(s => [s.container, s.path, JSON.parse(s.text)]),
      [
        ['raw', 'app/Users_cdc/cdc.json', { cdc: '2026-12-07T02:00:00.0000000' }],
        ['raw', 'app/Orders_cdc/cdc.json', { cdc: '1900-01-01T00:00:00.0000000' }],
        ['raw', 'app/Versions_cdc/cdc.json', { cdc: '0' }],
        ['raw', 'app/Tracked_cdc/cdc.json', { cdc: '0' }],
      ],
    );
    // The same as the pipeline's items: its watermark folder and its first watermark.
    const pipeline = generateAdfArtifacts(snapshot.metadata).artifacts.find(a => a.kind === 'pipeline')!;
    const parameters = (pipeline.value.properties as JsonObject).parameters as Record<
      string,
      { defaultValue: JsonObject[] }
    >;
    const watermarkItems = parameters.loop_input!.defaultValue;
    for (const item of watermarkItems) {
      const seed = seeds.find(s => s.path === `${item.bronze_folder as string}_cdc/cdc.json`);
      assert.ok(seed, `a seed for ${item.table as string}`);
      assert.equal(JSON.parse(seed.text).cdc, item.seed);
    }
    assert.equal((parameters.bronze_container as unknown as { defaultValue: string }).defaultValue, 'raw');
  });

  it('notes a wall-clock schedule start in another time zone, which it does not convert', async () => {
    const zoned = PROJECT.replace(
      'adf:\n  schedule: { startTime: "2026-12-07T02:00:00Z" }',
      'adf:\n  schedule: { startTime: "2026-12-07T03:00:00", timeZone: "W. Europe Standard Time" }',
    );
    const { snapshot } = await loadProject({ 'lakehouse.yaml': zoned });
    const { seeds, notes } = watermarkSeeds(snapshot.metadata);
    assert.equal(JSON.parse(seeds[0]!.text).cdc, '2026-12-07T03:00:00.0000000');
    assert.equal(notes.length, 1);
    assert.match(notes[0]!, /wall-clock time in 'W\. Europe Standard Time': written as it is, not converted to UTC/);
  });

  it('creates only the files that do not exist, never overwrites a watermark, and reports a failure per file', async () => {
    const { snapshot } = await loadProject({ 'lakehouse.yaml': PROJECT });
    const { seeds } = watermarkSeeds(snapshot.metadata);
    const lake = new MemoryLake();
    lake.files.set('raw/app/Orders_cdc/cdc.json', '{"cdc":"2025-06-01T10:00:00.0000000"}');
    lake.failing.add('app/Tracked_cdc/cdc.json');
    const plan = await planWatermarkSeeds(lake, seeds);
    assert.deepEqual(
      plan.map(p => `${p.action}:${p.seed.path}`),
      [
        'create:app/Users_cdc/cdc.json',
        'exists:app/Orders_cdc/cdc.json',
        'create:app/Versions_cdc/cdc.json',
        'unknown:app/Tracked_cdc/cdc.json',
      ],
    );
    assert.equal(plan[3]!.message, 'AuthorizationFailure: no access to raw/app/Tracked_cdc/cdc.json');
    const results = await seedWatermarks(lake, seeds);
    assert.deepEqual(
      results.map(r => `${r.outcome}:${r.seed.path}`),
      [
        'created:app/Users_cdc/cdc.json',
        'exists:app/Orders_cdc/cdc.json',
        'created:app/Versions_cdc/cdc.json',
        'failed:app/Tracked_cdc/cdc.json',
      ],
    );
    assert.equal(
      lake.files.get('raw/app/Orders_cdc/cdc.json'),
      '{"cdc":"2025-06-01T10:00:00.0000000"}',
      'the existing watermark is kept',
    );
    assert.equal(lake.files.get('raw/app/Users_cdc/cdc.json'), '{"cdc":"2026-12-07T02:00:00.0000000"}');
    lake.failing.clear();
    const again = await seedWatermarks(lake, seeds);
    assert.deepEqual(
      again.map(r => r.outcome),
      ['exists', 'exists', 'exists', 'created'],
    );
  });
});
