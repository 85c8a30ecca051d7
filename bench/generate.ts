// Deterministic generator of synthetic lakehouse projects for the benchmark.
//
// A project of N tables (N a multiple of 50) is:
//   lakehouse.yaml                          project, dev/prod environments, lake zones, paths, include, dateDimension
//   metadata/src_<system>.lakehouse.yaml    one per source system, 50 tables each (6-15 typed columns,
//                                           primary key, cdcColumn/loadType, some backfillFrom)
//   metadata/star_<nn>.lakehouse.yaml       one per 5 source systems: their dimensions (1 per 4 tables,
//                                           SCD1/SCD2 with businessKey, trackedColumns, sequenceBy) and
//                                           facts (1 per 10 tables: grain, measures, references)
//   adf/                                    the sample's factory with its metadata-driven pipeline whose
//                                           loop_input lists every incremental table; past 1,000 tables, in
//                                           copies of it of 1,000 tables each (pl_incremental_ingestion_02, …):
//                                           Data Factory accepts pipelines of at most 200 KB (LH416)
// Same size + seed => byte-identical files. The project validates with no diagnostics at all (its
// watermark columns are declared NOT NULL, as LH222 asks), so no file needs its exact YAML ranges.
import * as fs from 'fs';
import * as path from 'path';
import { seededRandom } from '../src/core/text/random';

/** Tables per source system, i.e. per source fragment (a multiple of 10). */
export const TABLES_PER_SYSTEM = 50;
const SYSTEMS_PER_STAR_FRAGMENT = 5;
/** Tables in one metadata-driven pipeline's loop_input: about 140 KB of pipeline JSON. */
const LOOP_TABLES_PER_PIPELINE = 1000;

/** mulberry32: small, fast, deterministic. */
export const rng = seededRandom;

/** Seeded choices (shared with bench/generateAdf.ts). */
export class Random {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = rng(seed);
  }
  float(): number {
    return this.next();
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  }
  sample<T>(items: readonly T[], n: number): T[] {
    return this.shuffle(items).slice(0, n);
  }
}

const DOMAINS = [
  'crm',
  'erp',
  'sales',
  'finance',
  'hr',
  'logistics',
  'marketing',
  'inventory',
  'billing',
  'support',
  'iot',
  'web',
];
const SCHEMAS = ['dbo', 'dbo', 'dbo', 'app', 'core', 'stg', 'ops'];
const ENTITIES = [
  'Customer',
  'Account',
  'Address',
  'Product',
  'Category',
  'Supplier',
  'Vendor',
  'Warehouse',
  'Store',
  'Employee',
  'Department',
  'Region',
  'Country',
  'Currency',
  'Channel',
  'Campaign',
  'Promotion',
  'Contract',
  'Policy',
  'Agent',
  'Device',
  'Sensor',
  'Plan',
  'Brand',
  'Segment',
  'Location',
  'Route',
  'Vehicle',
  'Driver',
  'Carrier',
  'CostCenter',
  'Project',
  'Asset',
  'Team',
  'Partner',
  'Territory',
  'PriceList',
  'Tariff',
  'Site',
  'Queue',
];
const TRANSACTIONS = [
  'Order',
  'OrderLine',
  'Invoice',
  'InvoiceLine',
  'Payment',
  'Shipment',
  'Return',
  'Refund',
  'Claim',
  'Ticket',
  'Reading',
  'Event',
  'Session',
  'Subscription',
  'Quote',
  'Opportunity',
  'Lead',
  'StockMovement',
  'JournalEntry',
  'Budget',
  'Timesheet',
  'Booking',
  'Transfer',
  'Adjustment',
  'Delivery',
  'PurchaseOrder',
  'Receipt',
  'Visit',
  'Call',
  'Survey',
];
const SUFFIXES = [
  'History',
  'Audit',
  'Staging',
  'Xref',
  'Detail',
  'Note',
  'Status',
  'Type',
  'Attribute',
  'Snapshot',
  'Log',
  'Map',
];

const ATTRIBUTES: readonly [string, string][] = [
  ['status', 'nvarchar(20)'],
  ['category', 'nvarchar(50)'],
  ['region', 'nvarchar(50)'],
  ['country', 'nvarchar(100)'],
  ['segment', 'nvarchar(50)'],
  ['is_active', 'bit'],
  ['email', 'nvarchar(255)'],
  ['phone', 'varchar(30)'],
  ['city', 'nvarchar(100)'],
  ['postal_code', 'varchar(12)'],
  ['currency_code', 'char(3)'],
  ['language', 'char(2)'],
  ['priority', 'tinyint'],
  ['rating', 'decimal(3,1)'],
  ['score', 'float'],
  ['notes', 'nvarchar(max)'],
  ['external_ref', 'varchar(64)'],
  ['owner_name', 'nvarchar(200)'],
  ['source_system', 'varchar(20)'],
  ['row_guid', 'uniqueidentifier'],
  ['valid_from', 'date'],
  ['valid_to', 'date'],
  ['opened_on', 'date'],
  ['closed_on', 'date'],
  ['level', 'smallint'],
];
const MEASURES: readonly [string, string][] = [
  ['amount', 'decimal(18,2)'],
  ['quantity', 'int'],
  ['discount_amount', 'decimal(18,2)'],
  ['tax_amount', 'decimal(18,2)'],
  ['cost', 'money'],
  ['duration_sec', 'int'],
  ['weight_kg', 'decimal(9,3)'],
  ['unit_price', 'decimal(18,4)'],
];

function snake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

export interface GenColumn {
  name: string;
  type: string;
  nullable?: boolean;
}

export interface GenTable {
  system: string;
  schema: string;
  name: string;
  role: 'dimension' | 'fact' | 'date' | 'plain';
  description?: string;
  columns: GenColumn[];
  primaryKey: string[];
  cdcColumn?: string;
  loadType: 'incremental' | 'full';
  backfillFrom?: string;
  /** For dimension tables: the entity's attribute columns (tracked by SCD2). */
  attributes: string[];
  /** For fact tables: the measure columns. */
  measures: string[];
}

export interface GenSystem {
  name: string;
  schema: string;
  index: number;
  tables: GenTable[];
}

export interface GenDimension {
  name: string;
  table: GenTable;
  entityColumn: string;
  source: string;
  scdType: 1 | 2;
  trackedColumns: string[];
  sequenceBy?: string;
  system: GenSystem;
}

export interface GeneratedProject {
  root: string;
  rootFile: string;
  tables: number;
  systems: number;
  dimensions: number;
  facts: number;
  files: { metadata: string[]; adf: string[] };
  bytes: number;
  /** The metadata-driven pipelines (one per 1,000 incremental tables), each one loop over loop_input. */
  ingestionPipelines: number;
  /** A one-line edit for the re-validation benchmark: the same line, written two valid ways. */
  edit: { file: string; line: number; original: string; edited: string; table: string; cdcColumn: string };
  /** A one-line edit that introduces an error (a misspelt cdcColumn). */
  errorEdit: { file: string; line: number; original: string; edited: string };
}

export interface GenerateOptions {
  tables: number;
  seed?: number;
  /** The sample's adf/ folder: its datasets, linked services and pipeline are the templates. */
  adfTemplate: string;
  /** Tables per source system, so per source fragment (default 50, about 36 KB of YAML). */
  tablesPerSystem?: number;
}

function makeColumns(
  r: Random,
  idName: string,
  idType: string,
  extra: GenColumn[],
  min: number,
  max: number,
  reserved: Set<string>,
): GenColumn[] {
  const columns: GenColumn[] = [{ name: idName, type: idType, nullable: false }, ...extra];
  const used = new Set([...columns.map(c => c.name), ...reserved]);
  const target = r.int(min, max) - reserved.size;
  for (const [name, type] of r.shuffle(ATTRIBUTES)) {
    if (columns.length >= target) break;
    if (used.has(name)) continue;
    used.add(name);
    columns.push(r.chance(0.15) ? { name, type, nullable: true } : { name, type });
  }
  return columns;
}

function randomDate(r: Random): string {
  const y = r.int(2018, 2024);
  const m = String(r.int(1, 12)).padStart(2, '0');
  const d = String(r.int(1, 28)).padStart(2, '0');
  return `${y}-${m}-${d}`;
}

function buildSystem(r: Random, index: number, dimensionCount: number, tablesPerSystem: number): GenSystem {
  const domain = DOMAINS[index % DOMAINS.length] as string;
  const name = `${domain}_${String(index + 1).padStart(3, '0')}`;
  const schema = r.pick(SCHEMAS);
  const system: GenSystem = { name, schema, index, tables: [] };
  const usedNames = new Set<string>();
  const unique = (base: string): string => {
    let n = base;
    for (let i = 2; usedNames.has(n); i++) n = `${base}${i}`;
    usedNames.add(n);
    return n;
  };

  // Dimension tables: an entity with a key, a code, a name, attributes and timestamps.
  const entities = r.sample(ENTITIES, dimensionCount);
  entities.forEach((entity, i) => {
    if (index === 0 && i === 0) {
      usedNames.add('Calendar');
      system.tables.push({
        system: name,
        schema,
        name: 'Calendar',
        role: 'date',
        description: 'One row per calendar day.',
        columns: [
          { name: 'date_key', type: 'int', nullable: false },
          { name: 'date', type: 'date', nullable: false },
          { name: 'day', type: 'tinyint' },
          { name: 'month', type: 'tinyint' },
          { name: 'quarter', type: 'tinyint' },
          { name: 'year', type: 'smallint' },
          { name: 'weekday', type: 'nvarchar(20)' },
          { name: 'is_holiday', type: 'bit' },
        ],
        primaryKey: ['date_key'],
        cdcColumn: 'date',
        loadType: 'incremental',
        attributes: [],
        measures: [],
      });
      return;
    }
    const e = snake(entity);
    const id = `${e}_id`;
    const reserved = new Set(['created_at', 'updated_at']);
    const columns = makeColumns(
      r,
      id,
      'int',
      [
        { name: `${e}_code`, type: 'varchar(20)' },
        { name: `${e}_name`, type: 'nvarchar(200)' },
      ],
      8,
      15,
      reserved,
    );
    columns.push(
      { name: 'created_at', type: 'datetime2', nullable: false },
      { name: 'updated_at', type: 'datetime2', nullable: false },
    );
    system.tables.push({
      system: name,
      schema,
      name: unique(entity),
      role: 'dimension',
      description: r.chance(0.3) ? `${entity} master data from ${name}.` : undefined,
      columns,
      primaryKey: [id],
      cdcColumn: 'updated_at',
      loadType: 'incremental',
      backfillFrom: r.chance(0.1) ? randomDate(r) : undefined,
      attributes: columns.slice(1, -2).map(c => c.name),
      measures: [],
    });
  });

  // Fact tables: a key, date_key, foreign keys (filled in when the star schema is drawn), measures.
  for (const txn of r.sample(TRANSACTIONS, tablesPerSystem / 10)) {
    const id = `${snake(txn)}_id`;
    const measures = r.sample(MEASURES, r.int(2, 4));
    const columns: GenColumn[] = [
      { name: id, type: 'bigint', nullable: false },
      { name: 'date_key', type: 'int' },
    ];
    for (const [m, t] of measures) columns.push({ name: m, type: t });
    if (r.chance(0.5)) columns.push({ name: 'status', type: 'nvarchar(20)' });
    columns.push({ name: 'modified_at', type: 'datetime2', nullable: false });
    system.tables.push({
      system: name,
      schema,
      name: unique(txn),
      role: 'fact',
      description: r.chance(0.3) ? `${txn} transactions.` : undefined,
      columns,
      primaryKey: [id],
      cdcColumn: 'modified_at',
      loadType: 'incremental',
      backfillFrom: r.chance(0.3) ? randomDate(r) : undefined,
      attributes: [],
      measures: measures.map(([m]) => m),
    });
  }

  // Everything else: staging, history and cross-reference tables.
  while (system.tables.length < tablesPerSystem) {
    const base = r.chance(0.5) ? r.pick(ENTITIES) : r.pick(TRANSACTIONS);
    const tableName = unique(`${base}${r.pick(SUFFIXES)}`);
    const e = snake(tableName);
    const full = r.chance(0.2);
    const reserved = new Set(full ? [] : ['created_at', 'updated_at']);
    const composite = r.chance(0.1);
    const extra: GenColumn[] = composite ? [{ name: 'line_no', type: 'int', nullable: false }] : [];
    const columns = makeColumns(r, `${e}_id`, r.pick(['int', 'bigint', 'uniqueidentifier']), extra, 6, 15, reserved);
    if (!full)
      columns.push(
        { name: 'created_at', type: 'datetime2', nullable: false },
        { name: 'updated_at', type: 'datetime2', nullable: false },
      );
    system.tables.push({
      system: name,
      schema,
      name: tableName,
      role: 'plain',
      description: r.chance(0.2) ? `${base} ${tableName.slice(base.length).toLowerCase()} records.` : undefined,
      columns,
      primaryKey: composite ? [`${e}_id`, 'line_no'] : [`${e}_id`],
      cdcColumn: full ? undefined : 'updated_at',
      loadType: full ? 'full' : 'incremental',
      backfillFrom: !full && r.chance(0.15) ? randomDate(r) : undefined,
      attributes: [],
      measures: [],
    });
  }
  return system;
}

/** YAML scalars the generator writes never need quoting except these. */
function yamlValue(s: string): string {
  return /[:{}[\],#&*!|>'"%@`]|^\s|\s$|^(true|false|null|yes|no|on|off|~|-?\d[\d.]*)$/i.test(s) ? JSON.stringify(s) : s;
}

function sourcesFragment(system: GenSystem, seedNote: string): { text: string; lines: string[] } {
  const lines: string[] = [];
  lines.push(`# Source system ${system.name}: ${system.tables.length} tables. ${seedNote}`);
  lines.push('sources:');
  lines.push(`  - name: ${system.name}`);
  lines.push('    type: azureSql');
  lines.push(`    linkedService: ls_${system.name}`);
  lines.push(`    server: sql-${system.name.replace(/_/g, '-')}.database.windows.net`);
  lines.push(`    database: ${system.name}`);
  lines.push('    tables:');
  for (const t of system.tables) {
    lines.push(`      - name: ${t.name}`);
    lines.push(`        schema: ${t.schema}`);
    if (t.description) lines.push(`        description: ${yamlValue(t.description)}`);
    lines.push(`        primaryKey: [${t.primaryKey.join(', ')}]`);
    if (t.cdcColumn) lines.push(`        cdcColumn: ${t.cdcColumn}`);
    lines.push(`        loadType: ${t.loadType}`);
    if (t.backfillFrom) lines.push(`        backfillFrom: ${t.backfillFrom}`);
    lines.push('        columns:');
    for (const c of t.columns) {
      lines.push(
        `          - { name: ${c.name}, type: ${yamlValue(c.type)}${c.nullable !== undefined ? `, nullable: ${c.nullable}` : ''} }`,
      );
    }
  }
  return { text: lines.join('\n') + '\n', lines };
}

export function generateProject(outDir: string, options: GenerateOptions): GeneratedProject {
  const size = options.tables;
  const perSystem = options.tablesPerSystem ?? TABLES_PER_SYSTEM;
  if (perSystem < 10 || perSystem % 10 !== 0)
    throw new Error(`Tables per source system must be a multiple of 10; got ${perSystem}.`);
  if (size <= 0 || size % perSystem !== 0)
    throw new Error(`The table count must be a positive multiple of ${perSystem}; got ${size}.`);
  const seed = options.seed ?? 20240101;
  const r = new Random(seed ^ size);
  const systemCount = size / perSystem;
  const totalDimensions = size / 4;
  const systems: GenSystem[] = [];
  for (let i = 0; i < systemCount; i++) {
    // Spread size/4 dimensions evenly: 12 or 13 per system of 50 tables.
    const dims =
      Math.floor(((i + 1) * totalDimensions) / systemCount) - Math.floor((i * totalDimensions) / systemCount);
    systems.push(buildSystem(r, i, dims, perSystem));
  }

  // Shortest unambiguous reference for each table (table, schema.table or system.schema.table),
  // sometimes the fully qualified one anyway, as people write both.
  const counts = new Map<string, number>();
  const bump = (k: string) => counts.set(k.toLowerCase(), (counts.get(k.toLowerCase()) ?? 0) + 1);
  for (const s of systems)
    for (const t of s.tables) {
      bump(t.name);
      bump(`${t.schema}.${t.name}`);
    }
  const reference = (t: GenTable): string => {
    if (counts.get(t.name.toLowerCase()) === 1 && r.chance(0.3)) return t.name;
    if (counts.get(`${t.schema}.${t.name}`.toLowerCase()) === 1 && r.chance(0.7)) return `${t.schema}.${t.name}`;
    return `${t.system}.${t.schema}.${t.name}`;
  };

  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(path.join(outDir, 'metadata'), { recursive: true });
  let bytes = 0;
  const write = (rel: string, text: string) => {
    const file = path.join(outDir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    bytes += Buffer.byteLength(text);
    return file;
  };
  const metadataFiles: string[] = [];
  const adfFiles: string[] = [];
  const seedNote = `Generated by bench/generate.ts (seed ${seed}).`;

  // Star schema: dimensions over dimension tables, facts over fact tables, referencing dimensions
  // of their own system (and sometimes of a neighbouring one, in the same fragment) plus dim_date.
  const dimensionsBySystem = new Map<GenSystem, GenDimension[]>();
  let dimensionCount = 0;
  let factCount = 0;
  for (const s of systems) {
    const dims: GenDimension[] = [];
    for (const t of s.tables) {
      if (t.role === 'date') {
        dims.push({
          name: 'dim_date',
          table: t,
          entityColumn: 'date_key',
          source: reference(t),
          scdType: 1,
          trackedColumns: [],
          system: s,
        });
      } else if (t.role === 'dimension') {
        const scd2 = r.chance(0.4);
        const entityColumn = t.primaryKey[0] as string;
        dims.push({
          name: `dim_${s.name}_${snake(t.name)}`,
          table: t,
          entityColumn,
          source: reference(t),
          scdType: scd2 ? 2 : 1,
          trackedColumns: scd2 ? r.sample(t.attributes, r.int(2, Math.min(4, t.attributes.length))) : [],
          sequenceBy: scd2 || r.chance(0.5) ? 'updated_at' : undefined,
          system: s,
        });
      }
    }
    dimensionsBySystem.set(s, dims);
  }

  for (let g = 0; g * SYSTEMS_PER_STAR_FRAGMENT < systems.length; g++) {
    const group = systems.slice(g * SYSTEMS_PER_STAR_FRAGMENT, (g + 1) * SYSTEMS_PER_STAR_FRAGMENT);
    const lines: string[] = [
      `# Star schema of ${group.map(s => s.name).join(', ')}. ${seedNote}`,
      'starSchema:',
      '  dimensions:',
    ];
    for (const s of group) {
      for (const d of dimensionsBySystem.get(s) ?? []) {
        dimensionCount++;
        lines.push(`    - name: ${d.name}`);
        lines.push(`      source: ${d.source}`);
        lines.push(`      businessKey: [${d.entityColumn}]`);
        lines.push(`      scdType: ${d.scdType}`);
        if (d.trackedColumns.length) lines.push(`      trackedColumns: [${d.trackedColumns.join(', ')}]`);
        if (d.sequenceBy) lines.push(`      sequenceBy: ${d.sequenceBy}`);
      }
    }
    lines.push('  facts:');
    for (const s of group) {
      const own = (dimensionsBySystem.get(s) ?? []).filter(d => d.name !== 'dim_date');
      const neighbours = group
        .filter(o => o !== s)
        .flatMap(o => (dimensionsBySystem.get(o) ?? []).filter(d => d.name !== 'dim_date'));
      for (const t of s.tables.filter(x => x.role === 'fact')) {
        factCount++;
        const refs = r.sample(own, r.int(2, 4));
        if (neighbours.length && r.chance(0.2)) {
          const n = r.pick(neighbours);
          if (!refs.some(d => d.entityColumn === n.entityColumn)) refs.push(n);
        }
        // The fact table gets a foreign-key column per referenced dimension, before its timestamp.
        const fkColumns = refs.map(d => d.entityColumn);
        t.columns.splice(2, 0, ...fkColumns.map(c => ({ name: c, type: 'int' })));
        const id = t.primaryKey[0] as string;
        lines.push(`    - name: fact_${s.name}_${snake(t.name)}`);
        lines.push(`      source: ${reference(t)}`);
        lines.push(`      grain: [${id}]`);
        if (r.chance(0.5)) lines.push('      sequenceBy: modified_at');
        lines.push('      measures:');
        for (const m of t.measures) {
          lines.push(`        - column: ${m}`);
          lines.push(`          aggregation: ${r.pick(['sum', 'sum', 'sum', 'avg', 'max', 'min'])}`);
        }
        lines.push(`        - column: ${id}`);
        lines.push('          aggregation: count');
        lines.push(`          name: ${snake(t.name)}_count`);
        lines.push('      references:');
        lines.push('        - column: date_key');
        lines.push('          dimension: dim_date');
        for (const d of refs) {
          lines.push(`        - column: ${d.entityColumn}`);
          lines.push(`          dimension: ${d.name}`);
        }
      }
    }
    metadataFiles.push(
      write(`metadata/star_${String(g + 1).padStart(3, '0')}.lakehouse.yaml`, lines.join('\n') + '\n'),
    );
  }

  // Source fragments (after the star schema, which added the facts' foreign-key columns).
  const sourceTexts = new Map<GenSystem, { file: string; lines: string[] }>();
  for (const s of systems) {
    const { text, lines } = sourcesFragment(s, seedNote);
    const file = write(`metadata/src_${s.name}.lakehouse.yaml`, text);
    metadataFiles.push(file);
    sourceTexts.set(s, { file, lines });
  }

  const rootText = [
    `# Synthetic lakehouse of ${size} tables for \`npm run bench\`. ${seedNote}`,
    'version: 1',
    '',
    'project:',
    `  name: bench_${size}`,
    `  description: ${size} tables in ${systemCount} source systems, ${dimensionCount} dimensions and ${factCount} facts.`,
    '  owner: data-platform',
    '',
    'include:',
    '  - metadata/*.lakehouse.yaml',
    '',
    'environments:',
    ...['dev', 'prod'].flatMap((env, i) => [
      `  ${env}:`,
      `    subscriptionId: 0000000${i}-0000-0000-0000-000000000000`,
      `    resourceGroup: rg-bench-${env}`,
      `    factory: adf-bench-${env}`,
      `    storageAccount: stbench${env}`,
      `    databricksHost: https://adb-${String(i + 1).repeat(16)}.${i + 1}.azuredatabricks.net`,
      '    location: westeurope',
      // Each environment its own catalog (LH303).
      `    catalog: bench_${env}`,
      ...(env === 'prod' ? ['    protected: true'] : []),
    ]),
    '',
    'lake:',
    '  zones:',
    '    bronze:',
    '      container: bronze',
    '      path: "{system}/{schema}/{table}"',
    '      format: parquet',
    '    silver:',
    '      container: silver',
    '      path: "{system}/{table}"',
    '      format: delta',
    '      catalog: bench_catalog',
    '      schema: silver',
    '    gold:',
    '      container: gold',
    // Systems share table names: each its own folder (LH229).
    '      path: "{system}/{table}"',
    '      format: delta',
    '      catalog: bench_catalog',
    '      schema: gold',
    '',
    'paths:',
    '  adf: adf',
    '',
    // After every backfillFrom (randomDate: 2018-2024), as a real schedule starts after the history it backfills (LH228).
    'adf:',
    '  schedule:',
    '    startTime: 2025-01-01T02:00:00Z',
    '',
    'starSchema:',
    '  dateDimension: dim_date',
    '',
  ].join('\n');
  const rootFile = write('lakehouse.yaml', rootText);

  // ADF: the sample's factory, its metadata-driven pipeline listing every incremental table (in copies
  // of it of LOOP_TABLES_PER_PIPELINE tables each, as a factory past Data Factory's 200 KB per pipeline would).
  const template = options.adfTemplate;
  for (const folder of ['dataset', 'linkedService', 'factory', 'trigger']) {
    const dir = path.join(template, folder);
    if (!fs.existsSync(dir)) continue;
    for (const name of fs
      .readdirSync(dir)
      .filter(n => n.endsWith('.json'))
      .sort()) {
      adfFiles.push(write(path.join('adf', folder, name), fs.readFileSync(path.join(dir, name), 'utf8')));
    }
  }
  const pipelineText = fs.readFileSync(path.join(template, 'pipeline', 'pl_incremental_ingestion.json'), 'utf8');
  const loopInput = systems.flatMap(s =>
    s.tables
      .filter(t => t.loadType === 'incremental')
      .map(t => ({
        schema: t.schema,
        table: t.name,
        cdc_col: t.cdcColumn,
        from_date: t.backfillFrom ?? '',
      })),
  );
  const ingestionPipelines = Math.max(1, Math.ceil(loopInput.length / LOOP_TABLES_PER_PIPELINE));
  for (let i = 0; i < ingestionPipelines; i++) {
    const pipeline = JSON.parse(pipelineText);
    if (i > 0) pipeline.name = `${pipeline.name}_${String(i + 1).padStart(2, '0')}`;
    pipeline.properties.parameters.loop_input.defaultValue = loopInput.slice(
      i * LOOP_TABLES_PER_PIPELINE,
      (i + 1) * LOOP_TABLES_PER_PIPELINE,
    );
    adfFiles.push(
      write(path.join('adf', 'pipeline', `${pipeline.name}.json`), JSON.stringify(pipeline, null, '\t') + '\n'),
    );
  }

  // The edits: in a source fragment in the middle of the project, the cdcColumn of a plain
  // incremental table (updated_at <-> created_at: both valid), and a misspelling of it (an error).
  const editSystem = systems[Math.floor(systems.length / 2)] as GenSystem;
  const { file: editFile, lines: editLines } = sourceTexts.get(editSystem)!;
  const editTable =
    editSystem.tables.filter(t => t.role === 'plain' && t.cdcColumn === 'updated_at')[5] ??
    editSystem.tables.find(t => t.role === 'plain' && t.cdcColumn === 'updated_at');
  if (!editTable) throw new Error('no table to edit');
  const tableLine = editLines.indexOf(`      - name: ${editTable.name}`);
  const cdcLine = editLines.indexOf('        cdcColumn: updated_at', tableLine);
  const original = editLines[cdcLine] as string;

  return {
    root: outDir,
    rootFile,
    tables: size,
    systems: systemCount,
    dimensions: dimensionCount,
    facts: factCount,
    ingestionPipelines,
    files: { metadata: [rootFile, ...metadataFiles], adf: adfFiles },
    bytes,
    edit: {
      file: editFile,
      line: cdcLine,
      original,
      edited: '        cdcColumn: created_at',
      table: editTable.name,
      cdcColumn: 'created_at',
    },
    errorEdit: { file: editFile, line: cdcLine, original, edited: '        cdcColumn: updated_att' },
  };
}
