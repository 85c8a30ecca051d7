import * as path from 'path';
import { stringify } from 'yaml';
import type { AdfFactory } from './adfFolder';
import type { AdfFile } from './adfFile';
import { isInside } from '../files/containment';
import {
  adfNameProblem,
  fileNameProblem,
  sqlDatabaseProblem,
  sqlIdentifierProblem,
  sqlServerProblem,
  unityCatalogNameProblem,
} from '../names/naming';

export interface ImportResult {
  /** The lakehouse.yaml text. */
  text: string;
  tables: number;
  sourceSystems: number;
  loops: { pipeline: string; parameter: string; tables: number }[];
  /** What the import could not know, in words for the terminal. */
  notes: string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A YAML scalar, quoted only when it must be. */
function scalar(v: string | number | boolean): string {
  return stringify(v, { lineWidth: 0 }).trimEnd();
}

function identifier(raw: string, fallback: string): string {
  const cleaned = raw.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^[^A-Za-z_]+/, '');
  return cleaned || fallback;
}

function typeProperties(file: AdfFile | undefined): Obj {
  const v = file?.value;
  return isObj(v) && isObj(v.properties) && isObj(v.properties.typeProperties) ? v.properties.typeProperties : {};
}

function linkedServiceType(file: AdfFile | undefined): string | undefined {
  const v = file?.value;
  return isObj(v) && isObj(v.properties) && typeof v.properties.type === 'string' ? v.properties.type : undefined;
}

function literal(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' && !v.startsWith('@') ? v : undefined;
}

/**
 * Writes a lakehouse.yaml from an ADF folder: the source tables from the metadata-driven
 * loops' array parameters, the environment from the factory and linked services. What ADF
 * does not record (columns, keys, the star schema, the subscription) is left as a todo, which
 * the diagnostics then point at.
 */
export function importFromAdf(factory: AdfFactory, outFile: string): ImportResult {
  const notes: string[] = [];
  const outDir = path.dirname(outFile);
  const linkedServices = factory.artifacts.get('linkedService') ?? new Map<string, AdfFile>();
  const factoryFile = [...(factory.artifacts.get('factory')?.values() ?? [])][0];
  const factoryValue = isObj(factoryFile?.value) ? factoryFile.value : {};
  const factoryName = typeof factoryValue.name === 'string' ? factoryValue.name : undefined;
  const location = typeof factoryValue.location === 'string' ? factoryValue.location : undefined;

  let storageAccount: string | undefined;
  for (const ls of linkedServices.values()) {
    if (linkedServiceType(ls) !== 'AzureBlobFS' && linkedServiceType(ls) !== 'AzureBlobStorage') continue;
    const url = literal(typeProperties(ls).url) ?? literal(typeProperties(ls).serviceEndpoint);
    const m = url ? /^https?:\/\/([a-z0-9]{3,24})\.(dfs|blob)\.core\.windows\.net/i.exec(url) : null;
    if (m) {
      storageAccount = (m[1] as string).toLowerCase();
      break;
    }
  }

  // Source systems: one per linked service the loops read from.
  interface ImportedTable {
    schema: string;
    name: string;
    cdcColumn?: string;
    backfillFrom?: string;
  }
  const systems = new Map<string, { linkedService?: string; tables: ImportedTable[]; seen: Set<string> }>();
  const containers = new Set<string>();
  for (const loop of factory.loops) {
    // Names from ADF files are data: what lakehouse.yaml could not hold safely is reported, not copied.
    const linkedServiceProblem =
      loop.linkedService !== undefined ? adfNameProblem(loop.linkedService, 'linkedService') : undefined;
    if (linkedServiceProblem)
      notes.push(`Pipeline ${loop.pipeline}: the linked service is not imported: ${linkedServiceProblem}.`);
    const linkedService = linkedServiceProblem ? undefined : loop.linkedService;
    const systemName = identifier(linkedService ?? 'source', 'source');
    let system = systems.get(systemName);
    if (!system) {
      system = { linkedService, tables: [], seen: new Set() };
      systems.set(systemName, system);
    }
    for (const c of loop.sinkContainers) containers.add(c);
    for (const item of loop.items) {
      const problem = importedTableProblem(item);
      if (problem) {
        notes.push(`Pipeline ${loop.pipeline}, parameter ${loop.parameter}: a table is not imported: ${problem}.`);
        continue;
      }
      const key = `${item.schema}.${item.table}`.toLowerCase();
      if (system.seen.has(key)) continue;
      system.seen.add(key);
      system.tables.push({
        schema: item.schema,
        name: item.table,
        cdcColumn: item.cdcColumn,
        backfillFrom: item.backfillFrom,
      });
    }
  }
  if (factory.loops.length === 0) {
    notes.push(
      'No metadata-driven pipeline was found (a ForEach over an array parameter listing tables), so no source tables were imported.',
    );
  }

  const lines: string[] = [];
  const push = (indent: number, text: string) => lines.push(`${' '.repeat(indent)}${text}`);
  lines.push(`# Imported by Lakehouse Workbench from ${toPosix(path.relative(outDir, factory.root)) || '.'}.`);
  lines.push('# What the ADF folder does not record is marked with a todo; `lakehouse validate` lists every one.');
  lines.push('version: 1');
  lines.push('');
  push(0, 'project:');
  push(2, `name: ${scalar(identifier(factoryName ?? path.basename(path.resolve(factory.root, '..')), 'lakehouse'))}`);
  if (factoryName) push(2, `description: ${scalar(`Metadata of the Data Factory ${factoryName}`)}`);
  lines.push('');
  push(0, 'environments:');
  push(2, 'dev:');
  push(4, 'subscriptionId: TODO the Azure subscription id of the factory');
  push(4, 'resourceGroup: TODO the resource group of the factory');
  push(4, factoryName ? `factory: ${scalar(factoryName)}` : 'factory: TODO the Data Factory name');
  push(
    4,
    storageAccount ? `storageAccount: ${scalar(storageAccount)}` : 'storageAccount: TODO the ADLS Gen2 storage account',
  );
  if (location) push(4, `location: ${scalar(location)}`);
  lines.push('');
  push(0, 'lake:');
  push(2, 'zones:');
  const zoneNames = containers.size ? [...containers] : ['bronze'];
  for (const c of zoneNames) {
    push(4, `${scalar(identifier(c, 'zone'))}:`);
    push(6, `container: ${scalar(c)}`);
    push(6, `path: "{table}"`);
    push(6, 'format: parquet');
  }
  if (!zoneNames.includes('silver') || !zoneNames.includes('gold')) {
    push(
      2,
      `todo: Declare the ${['silver', 'gold'].filter(z => !zoneNames.includes(z)).join(' and ')} ` +
        `zone${zoneNames.includes('silver') || zoneNames.includes('gold') ? '' : 's'} (container, ` +
        `path, format)`,
    );
  }
  lines.push('');
  push(0, 'paths:');
  push(2, `adf: ${scalar(toPosix(path.relative(outDir, factory.root)) || '.')}`);
  lines.push('');
  if (systems.size === 0) {
    push(0, 'sources: []');
  } else {
    push(0, 'sources:');
    let tableCount = 0;
    for (const [name, system] of systems) {
      push(2, `- name: ${scalar(name)}`);
      const ls = system.linkedService ? linkedServices.get(system.linkedService) : undefined;
      const lsType = linkedServiceType(ls);
      if (lsType === 'AzureSqlDatabase') push(4, 'type: azureSql');
      else if (lsType === 'SqlServer') push(4, 'type: sqlServer');
      else if (lsType === 'AzureSqlDW') push(4, 'type: synapse');
      if (system.linkedService) push(4, `linkedService: ${scalar(system.linkedService)}`);
      // ADF Studio's newer form has server and database; the connection-string form (what
      // `lakehouse generate adf` writes) has them as Data Source and Initial Catalog.
      const connection = connectionStringParts(typeProperties(ls).connectionString);
      const server =
        literal(typeProperties(ls).server) ??
        connection
          .get('data source')
          ?.replace(/^tcp:/i, '')
          .replace(/,1433$/, '');
      const database = literal(typeProperties(ls).database) ?? connection.get('initial catalog');
      const serverProblem = server ? sqlServerProblem(server) : undefined;
      const databaseProblem = database ? sqlDatabaseProblem(database) : undefined;
      if (serverProblem)
        notes.push(`Linked service ${system.linkedService ?? ''}: the server is not imported: ${serverProblem}.`);
      if (databaseProblem)
        notes.push(`Linked service ${system.linkedService ?? ''}: the database is not imported: ${databaseProblem}.`);
      if (server && !serverProblem) push(4, `server: ${scalar(server)}`);
      if (database && !databaseProblem) push(4, `database: ${scalar(database)}`);
      push(4, 'tables:');
      for (const t of system.tables) {
        tableCount++;
        push(6, `- name: ${scalar(t.name)}`);
        push(8, `schema: ${scalar(t.schema)}`);
        if (t.cdcColumn) {
          push(8, `cdcColumn: ${scalar(t.cdcColumn)}`);
          push(8, 'loadType: incremental');
        } else push(8, 'loadType: full');
        if (t.backfillFrom) push(8, `backfillFrom: ${scalar(t.backfillFrom)}`);
        push(
          8,
          `todo: ${scalar(`List the columns (name, type) and the primaryKey of ${t.schema}.${t.name}; ADF does not record them`)}`,
        );
        push(8, 'columns: []');
      }
    }
    if (tableCount === 0) notes.push('The loops list no tables.');
  }
  lines.push('');
  push(0, 'starSchema:');
  push(
    2,
    'todo: Declare the dimensions (business key, SCD type) and facts (grain, measures, references) built from these tables',
  );
  push(2, 'dimensions: []');
  push(2, 'facts: []');
  lines.push('');

  const tables = [...systems.values()].reduce((n, s) => n + s.tables.length, 0);
  if (!isInside(path.resolve(factory.root), path.resolve(outDir))) {
    notes.push(
      `paths.adf (${toPosix(path.relative(outDir, factory.root))}) is outside the folder of ` +
        `lakehouse.yaml, which only reads files inside its folder: run lakehouse with ` +
        `--allow-folder ${factory.root} (in VS Code: the setting ` +
        `lakehouse.security.allowedFolders), or write lakehouse.yaml into a folder that contains ` +
        `the ADF folder.`,
    );
  }
  if (!storageAccount)
    notes.push('No ADLS Gen2 linked service with a literal URL was found: the storage account is a todo.');
  notes.push(
    'Columns, primary keys, the star schema, the subscription and the resource group are todos: ADF does not record them.',
  );
  return {
    text: lines.join('\n'),
    tables,
    sourceSystems: systems.size,
    loops: factory.loops.map(l => ({ pipeline: l.pipeline, parameter: l.parameter, tables: l.items.length })),
    notes,
  };
}

/** Why a table of a loop's parameter cannot go into lakehouse.yaml as it is, or undefined. */
function importedTableProblem(item: { schema: string; table: string; cdcColumn?: string }): string | undefined {
  return (
    sqlIdentifierProblem(item.schema, 'the schema name') ??
    sqlIdentifierProblem(item.table, 'the table name') ??
    fileNameProblem(item.table, 'the table name') ??
    unityCatalogNameProblem(item.table, 'the table name') ??
    (item.cdcColumn !== undefined ? sqlIdentifierProblem(item.cdcColumn, 'the CDC column') : undefined)
  );
}

/** The key=value pairs of a literal SQL connection string, keys lower-cased. */
function connectionStringParts(value: unknown): Map<string, string> {
  const parts = new Map<string, string>();
  const text = literal(value);
  if (!text) return parts;
  for (const pair of text.split(';')) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(at + 1).trim())
      parts.set(pair.slice(0, at).trim().toLowerCase(), pair.slice(at + 1).trim());
  }
  return parts;
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}
