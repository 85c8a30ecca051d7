// What the local lake holds at start, from the project's metadata: a container per zone, a few
// bronze parquet files per table (named as the generated copy names them), each incremental
// table's watermark file where the generated pipeline reads it, and Delta tables in the other
// zones (a _delta_log of a few JSON commits over real parquet files). Pure: the same metadata and
// time give the same blobs, which seed.ts then writes.
import { createHash } from 'crypto';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { bronzeFolder, isIncremental } from '../core/adf/generate/pipeline';
import type { Column, LakehouseMetadata, Table, Zone } from '../core/metadata/model';

export interface SeedBlob {
  container: string;
  path: string;
  body: Buffer;
  contentType: string;
}

export interface LakeSeedPlan {
  containers: string[];
  blobs: SeedBlob[];
  /** Per table (system.schema.name): its watermark file and the value in it. */
  watermarks: { table: string; container: string; path: string; value: string }[];
  /** Per Delta table: its folder and number of versions. */
  deltaTables: { zone: string; container: string; folder: string; versions: number }[];
}

const HOUR = 3_600_000;
const ROWS_PER_FILE = 4;

/** The lake of a project at time `now`: deterministic, so tests can name every blob. */
export function planLakeSeed(metadata: LakehouseMetadata, now: number): LakeSeedPlan {
  const plan: LakeSeedPlan = { containers: [], blobs: [], watermarks: [], deltaTables: [] };
  const zones = metadata.zones.length > 0 ? metadata.zones : DEFAULT_ZONES;
  for (const zone of zones) if (!plan.containers.includes(zone.container)) plan.containers.push(zone.container);
  const bronze = zones.find(z => z.name === 'bronze');
  for (const zone of zones) {
    const format = (zone.format ?? (zone.name === 'bronze' ? 'parquet' : 'delta')).toLowerCase();
    if (zone.name === 'gold') seedGold(plan, metadata, zone, now);
    else if (format === 'delta')
      for (const t of metadata.tables) seedDelta(plan, zone, zoneFolder(zone, t.name, t), t.columns, t, now, false);
    else
      for (const t of metadata.tables)
        seedRaw(plan, zone, zone === bronze ? bronzeFolder(metadata, t) : zoneFolder(zone, t.name, t), t, now);
  }
  if (bronze) for (const t of metadata.tables) seedWatermark(plan, metadata, bronze, t, now);
  return plan;
}

const DEFAULT_ZONES: Zone[] = ['bronze', 'silver', 'gold'].map(name => ({
  name,
  container: name,
  path: '{table}',
  origin: { file: '', path: [] },
}));

function zoneFolder(zone: Zone, name: string, table: Table | undefined): string {
  return (zone.path ?? '{table}')
    .replace(/\{(table|schema|system)\}/g, (_, key: string) =>
      key === 'table' ? name : key === 'schema' ? (table?.schema ?? zone.schema ?? '') : (table?.system ?? ''),
    )
    .replace(/\/{2,}/g, '/')
    .replace(/^\/+|\/+$/g, '');
}

/** Bronze: the copy's files, <folder>/<table>_<yyyyMMddHHmmss>_<run id>.parquet, one per daily run. */
function seedRaw(plan: LakeSeedPlan, zone: Zone, folder: string, table: Table, now: number): void {
  for (let run = 0; run < 2; run++) {
    const at = now - (2 - run) * 24 * HOUR;
    const runId = stableGuid(`${table.qualifiedName}/${run}`);
    const rows = sampleRows(table.columns, run * ROWS_PER_FILE, ROWS_PER_FILE, at, table.cdcColumn);
    plan.blobs.push({
      container: zone.container,
      path: `${folder}/${table.name}_${compactTime(at)}_${runId}.parquet`,
      body: parquet(table.columns, rows),
      contentType: 'application/octet-stream',
    });
  }
}

/** The watermark the generated pipeline reads: <bronze container>/<bronze folder>_cdc/cdc.json = {"cdc": …}. */
function seedWatermark(plan: LakeSeedPlan, metadata: LakehouseMetadata, bronze: Zone, table: Table, now: number): void {
  if (!isIncremental(table)) return;
  // The last seeded run read up to its newest row (the newest cdc value of the seeded bronze files).
  const value =
    table.cdcMode === 'watermark' ? watermarkTime(now - 24 * HOUR - HOUR) : String(1_000 + 2 * ROWS_PER_FILE);
  const path = `${bronzeFolder(metadata, table)}_cdc/cdc.json`;
  plan.blobs.push({
    container: bronze.container,
    path,
    body: Buffer.from(JSON.stringify({ cdc: value })),
    contentType: 'application/json',
  });
  plan.watermarks.push({
    table: `${table.system}.${table.schema}.${table.name}`,
    container: bronze.container,
    path,
    value,
  });
}

/** Gold: the star schema's dimensions (SCD Type 2 ones with __START_AT / __END_AT) and facts, as Delta tables. */
function seedGold(plan: LakeSeedPlan, metadata: LakehouseMetadata, zone: Zone, now: number): void {
  const sourceOf = (name: string) => {
    const lower = name.toLowerCase();
    return metadata.tables.find(t => t.qualifiedName.toLowerCase() === lower || t.name.toLowerCase() === lower);
  };
  for (const d of metadata.dimensions) {
    const source = sourceOf(d.source);
    if (!source) continue;
    const columns =
      d.scdType === 2
        ? [...source.columns, timestampColumn('__START_AT'), timestampColumn('__END_AT')]
        : source.columns;
    seedDelta(plan, zone, zoneFolder(zone, d.name, source), columns, source, now, true);
  }
  for (const f of metadata.facts) {
    const source = sourceOf(f.source);
    if (source) seedDelta(plan, zone, zoneFolder(zone, f.name, source), source.columns, source, now, true);
  }
}

function timestampColumn(name: string): Column {
  return { name, type: 'datetime2', nullable: true, origin: { file: '', path: [] } };
}

/**
 * A Delta table of three versions: created (WRITE), appended (WRITE, Append), then for the gold
 * zone merged (MERGE: the first file removed, a rewritten one added), else appended again.
 */
function seedDelta(
  plan: LakeSeedPlan,
  zone: Zone,
  folder: string,
  columns: readonly Column[],
  table: Table,
  now: number,
  merge: boolean,
): void {
  const tableId = stableGuid(`${zone.container}/${folder}`);
  const created = now - 3 * 24 * HOUR;
  const files: { path: string; size: number; rows: number }[] = [];
  const file = (version: number, at: number) => {
    const rows = sampleRows(columns, version * ROWS_PER_FILE, ROWS_PER_FILE, at, table.cdcColumn);
    const body = parquet(columns, rows);
    const path = `part-00000-${stableGuid(`${tableId}/${version}`)}-c000.snappy.parquet`;
    plan.blobs.push({
      container: zone.container,
      path: `${folder}/${path}`,
      body,
      contentType: 'application/octet-stream',
    });
    const added = { path, size: body.length, rows: rows.length };
    files.push(added);
    return added;
  };
  const add = (f: { path: string; size: number; rows: number }, at: number) => ({
    add: {
      path: f.path,
      partitionValues: {},
      size: f.size,
      modificationTime: at,
      dataChange: true,
      stats: JSON.stringify({ numRecords: f.rows }),
    },
  });
  const commitInfo = (
    at: number,
    version: number,
    operation: string,
    parameters: Record<string, string>,
    metrics: Record<string, string>,
  ) => ({
    commitInfo: {
      timestamp: at,
      operation,
      operationParameters: parameters,
      ...(version > 0 ? { readVersion: version - 1 } : {}),
      isolationLevel: 'WriteSerializable',
      isBlindAppend: operation !== 'MERGE',
      operationMetrics: metrics,
      engineInfo: 'Lakehouse Workbench local emulator',
      txnId: stableGuid(`${tableId}/txn/${version}`),
    },
  });
  const commits: object[][] = [];
  const v0 = file(0, created);
  commits.push([
    commitInfo(
      created,
      0,
      'WRITE',
      { mode: 'ErrorIfExists', partitionBy: '[]' },
      { numFiles: '1', numOutputRows: String(v0.rows), numOutputBytes: String(v0.size) },
    ),
    { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
    {
      metaData: {
        id: tableId,
        format: { provider: 'parquet', options: {} },
        schemaString: JSON.stringify(sparkSchema(columns)),
        partitionColumns: [],
        configuration: {},
        createdTime: created,
      },
    },
    add(v0, created),
  ]);
  const appended = created + 24 * HOUR;
  const v1 = file(1, appended);
  commits.push([
    commitInfo(
      appended,
      1,
      'WRITE',
      { mode: 'Append', partitionBy: '[]' },
      { numFiles: '1', numOutputRows: String(v1.rows), numOutputBytes: String(v1.size) },
    ),
    add(v1, appended),
  ]);
  const last = created + 2 * 24 * HOUR;
  const v2 = file(2, last);
  if (merge)
    commits.push([
      commitInfo(
        last,
        2,
        'MERGE',
        { predicate: '["(source.key = target.key)"]' },
        {
          numTargetRowsUpdated: String(v0.rows),
          numTargetRowsInserted: '0',
          numTargetFilesRemoved: '1',
          numTargetFilesAdded: '1',
        },
      ),
      {
        remove: {
          path: v0.path,
          deletionTimestamp: last,
          dataChange: true,
          extendedFileMetadata: true,
          partitionValues: {},
          size: v0.size,
        },
      },
      add(v2, last),
    ]);
  else
    commits.push([
      commitInfo(
        last,
        2,
        'WRITE',
        { mode: 'Append', partitionBy: '[]' },
        { numFiles: '1', numOutputRows: String(v2.rows), numOutputBytes: String(v2.size) },
      ),
      add(v2, last),
    ]);
  commits.forEach((actions, version) =>
    plan.blobs.push({
      container: zone.container,
      path: `${folder}/_delta_log/${String(version).padStart(20, '0')}.json`,
      body: Buffer.from(actions.map(a => JSON.stringify(a)).join('\n') + '\n'),
      contentType: 'application/json',
    }),
  );
  plan.deltaTables.push({ zone: zone.name, container: zone.container, folder, versions: commits.length });
}

// ---- typed sample rows ----

type Kind = 'int' | 'long' | 'string' | 'date' | 'timestamp' | 'boolean' | 'double';

/** The column's kind from its SQL Server type (what the copy into parquet makes of it). */
export function kindOf(sqlType: string): Kind {
  const t = sqlType
    .toLowerCase()
    .replace(/\s*\(.*$/, '')
    .trim();
  if (['int', 'smallint', 'tinyint', 'integer'].includes(t)) return 'int';
  // SQL Server's timestamp is rowversion, a number, not a time.
  if (t === 'bigint' || t === 'rowversion' || t === 'timestamp') return 'long';
  if (t === 'date') return 'date';
  if (['datetime', 'datetime2', 'smalldatetime', 'datetimeoffset'].includes(t)) return 'timestamp';
  if (t === 'bit' || t === 'boolean') return 'boolean';
  if (['decimal', 'numeric', 'money', 'smallmoney', 'float', 'real', 'double'].includes(t)) return 'double';
  return 'string';
}

const SPARK_TYPE: Record<Kind, string> = {
  int: 'integer',
  long: 'long',
  string: 'string',
  date: 'date',
  timestamp: 'timestamp',
  boolean: 'boolean',
  double: 'double',
};

function sparkSchema(columns: readonly Column[]): object {
  return {
    type: 'struct',
    fields: columns.map(c => ({
      name: c.name,
      type: SPARK_TYPE[kindOf(c.type)],
      nullable: c.nullable !== false,
      metadata: {},
    })),
  };
}

type Value = number | bigint | string | boolean | Date | null;

/** Rows `first`…`first+count-1`: ids count up, the CDC column walks up to `at`, text names its column and row. */
function sampleRows(
  columns: readonly Column[],
  first: number,
  count: number,
  at: number,
  cdcColumn: string | undefined,
): Value[][] {
  const rows: Value[][] = [];
  for (let i = 0; i < count; i++) {
    const n = first + i + 1;
    rows.push(
      columns.map(c => {
        const isCdc = cdcColumn !== undefined && c.name.toLowerCase() === cdcColumn.toLowerCase();
        // The CDC column's newest value is an hour before the file was written.
        const time = isCdc ? at - HOUR - (count - 1 - i) * 60_000 : at - n * 86_400_000;
        switch (kindOf(c.type)) {
          case 'int':
            return 1_000 + n;
          case 'long':
            return BigInt(1_000 + n);
          case 'date':
            return new Date(Math.floor(time / 86_400_000) * 86_400_000);
          case 'timestamp':
            return c.name.startsWith('__END_AT') ? null : new Date(time);
          case 'boolean':
            return n % 2 === 0;
          case 'double':
            return n * 1.5;
          default:
            return `${c.name} ${n}`;
        }
      }),
    );
  }
  return rows;
}

const PARQUET_TYPE: Record<Kind, { type: string; converted_type?: string }> = {
  int: { type: 'INT32' },
  long: { type: 'INT64' },
  string: { type: 'BYTE_ARRAY', converted_type: 'UTF8' },
  date: { type: 'INT32', converted_type: 'DATE' },
  timestamp: { type: 'INT64', converted_type: 'TIMESTAMP_MILLIS' },
  boolean: { type: 'BOOLEAN' },
  double: { type: 'DOUBLE' },
};

/** A real parquet file (snappy, with statistics) of these columns and rows. */
export function parquet(columns: readonly Column[], rows: Value[][]): Buffer {
  const schema = [
    { name: 'root', num_children: columns.length },
    ...columns.map(c => ({ name: c.name, repetition_type: 'OPTIONAL' as const, ...PARQUET_TYPE[kindOf(c.type)] })),
  ];
  const buffer = parquetWriteBuffer({
    columnData: columns.map((c, i) => ({ name: c.name, data: rows.map(r => r[i] ?? null) })),
    schema: schema as Parameters<typeof parquetWriteBuffer>[0]['schema'],
    createdBy: 'Lakehouse Workbench local emulator',
  });
  return Buffer.from(buffer);
}

// ---- names ----

/** yyyyMMddHHmmss in UTC, as the generated copy names its files. */
function compactTime(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/** yyyy-MM-ddTHH:mm:ss.fffffff (UTC, no zone), as the generated pipeline writes a watermark. */
export function watermarkTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 23)}0000`;
}

/** A GUID derived from a text, so the same project seeds the same names. */
function stableGuid(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
