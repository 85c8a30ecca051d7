// Names are data: each name in the metadata is checked against every system it reaches, with the
// diagnostic at the name (LH601-LH605). Generation quotes names for the language it writes them
// into; these rules catch what no quoting can make right (a table name with a '/' becomes a folder,
// a database name with ';' adds a connection-string setting, a name with a line break ends a
// comment).
import type { Diagnostic } from '../diagnostics/diagnostic';
import { RULES } from '../diagnostics/rules';
import {
  adfNameProblem,
  deltaColumnProblem,
  fileNameProblem,
  sqlDatabaseProblem,
  sqlIdentifierProblem,
  sqlServerProblem,
  unityCatalogNameProblem,
} from '../names/naming';
import type { MetadataLocator } from './locator';
import type { LakehouseMetadata, SourceSystem, Table } from './model';
import type { TableLookup } from './semanticRules';

/** Names longer than this are not analysed further (one message is enough, and fast). */
const MAX_NAME = 1000;

export function checkNames(meta: LakehouseMetadata, at: MetadataLocator, tables?: TableLookup): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = (
    rule: (typeof RULES)[keyof typeof RULES],
    origin: Parameters<MetadataLocator['diagnostic']>[1],
    field: string | (string | number)[],
    problem: string | undefined,
    severity?: 'warning',
  ) => {
    if (problem) out.push(at.diagnostic(rule, origin, field, `${problem}.`, severity ? { severity } : undefined));
    return problem !== undefined;
  };

  for (const system of meta.sources) {
    const linkedService = system.linkedService ?? `ls_${system.name}`;
    report(
      RULES.adfNameInvalid,
      system.origin,
      system.linkedService !== undefined ? 'linkedService' : 'name',
      withContext(
        adfNameProblem(linkedService, 'linkedService'),
        system.linkedService === undefined
          ? `(the linked service generated for source system '${system.name}')`
          : undefined,
      ),
    );
    if (system.server !== undefined)
      report(RULES.connectionValueInvalid, system.origin, 'server', sqlServerProblem(system.server));
    if (system.database !== undefined)
      report(RULES.connectionValueInvalid, system.origin, 'database', sqlDatabaseProblem(system.database));
  }

  if (tables?.bySystem) {
    for (const system of meta.sources) for (const d of checkSystemNames(system, at)) out.push(d);
  } else for (const table of meta.tables) for (const d of tableNames(table, at)) out.push(d);

  for (const zone of meta.zones) {
    if (zone.catalog !== undefined)
      report(
        RULES.lakeNameInvalid,
        zone.origin,
        'catalog',
        unityCatalogNameProblem(zone.catalog, `the catalog of zone '${zone.name}'`),
      );
    if (zone.schema !== undefined)
      report(
        RULES.lakeNameInvalid,
        zone.origin,
        'schema',
        unityCatalogNameProblem(zone.schema, `the schema of zone '${zone.name}'`),
      );
    if (zone.path !== undefined)
      report(RULES.lakeNameInvalid, zone.origin, 'path', zonePathProblem(zone.path, zone.name));
  }

  for (const environment of meta.environments) {
    if (environment.factory !== undefined && !/^TODO/.test(environment.factory)) {
      report(RULES.adfNameInvalid, environment.origin, 'factory', adfNameProblem(environment.factory, 'factory'));
    }
  }
  return out;
}

/** checkTableNames's findings by table (it reads nothing but the table). */
const tableFindings = new WeakMap<Table, Diagnostic[]>();
const systemFindings = new WeakMap<SourceSystem, Diagnostic[]>();

/** The name findings of a system's tables, kept per system object (as per table). */
export function checkSystemNames(system: SourceSystem, at: MetadataLocator): Diagnostic[] {
  let found = systemFindings.get(system);
  if (!found) {
    found = [];
    for (const table of system.tables) for (const d of tableNames(table, at)) found.push(d);
    systemFindings.set(system, found);
  }
  return found;
}

function tableNames(table: Table, at: MetadataLocator): Diagnostic[] {
  // As checkMeaning does: a table of an unchanged file is the same object, and so are its findings.
  let found = tableFindings.get(table);
  if (!found) {
    const own: Diagnostic[] = [];
    checkTableNames(table, (rule, origin, field, problem, severity) => {
      if (problem) own.push(at.diagnostic(rule, origin, field, `${problem}.`, severity ? { severity } : undefined));
      return problem !== undefined;
    });
    tableFindings.set(table, (found = own));
  }
  return found;
}

type Report = (
  rule: (typeof RULES)[keyof typeof RULES],
  origin: Table['origin'],
  field: string | (string | number)[],
  problem: string | undefined,
  severity?: 'warning',
) => boolean;

function checkTableNames(table: Table, report: Report): void {
  report(RULES.sqlNameInvalid, table.origin, 'schema', sqlIdentifierProblem(table.schema, 'the schema name'));
  const name = table.name;
  if (
    !report(RULES.sqlNameInvalid, table.origin, 'name', sqlIdentifierProblem(name, 'the table name')) &&
    name.length <= MAX_NAME
  ) {
    // The table's name names its lake folders, its notebook and its Unity Catalog table.
    report(
      RULES.lakeNameInvalid,
      table.origin,
      'name',
      withContext(
        fileNameProblem(name, 'the table name'),
        "(it names the table's folders in the lake and its notebook)",
      ) ?? withContext(unityCatalogNameProblem(name, 'the table name'), '(it names the silver table in Unity Catalog)'),
    );
  }
  for (const column of table.columns) {
    if (!report(RULES.sqlNameInvalid, column.origin, 'name', sqlIdentifierProblem(column.name, 'the column name'))) {
      report(RULES.lakeNameInvalid, column.origin, 'name', deltaColumnProblem(column.name), 'warning');
    }
  }
}

/** A zone's folder pattern: relative, no '..', only its placeholders. */
function zonePathProblem(pattern: string, zone: string): string | undefined {
  const normalized = pattern.replace(/\\/g, '/');
  if (normalized.startsWith('/') || /^[a-zA-Z]:/.test(pattern))
    return `The folder pattern of zone '${zone}' is absolute; it is a folder inside the zone's container`;
  if (normalized.split('/').some(part => part === '..' || part === '.'))
    return `The folder pattern of zone '${zone}' contains '.' or '..'; it is a folder inside the zone's container`;
  return undefined; // placeholders: LH230 (meaningRules.ts)
}

function withContext(problem: string | undefined, context: string | undefined): string | undefined {
  return problem && context ? `${problem} ${context}` : problem;
}
