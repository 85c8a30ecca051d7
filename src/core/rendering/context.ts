// The context templates render with: the project model as plain JSON data (so it crosses to a
// worker thread and to Python's Jinja2 unchanged). Absent optional values are null (None in
// templates), never missing keys, so `{% if table.cdcColumn %}` and `{{ x or 'default' }}` behave
// the same in every template. Documented in docs/templates.md.
import type { Column, Dimension, Environment, Fact, LakehouseMetadata, Table, Zone } from '../metadata/model';
import { TableResolver } from '../metadata/semanticRules';

export type TemplateItemKind = 'table' | 'dimension' | 'fact';

export interface TemplateContextOptions {
  /** The environment to render for (default: the first declared, or 'dev'). */
  environment?: string;
  /** For per-item bindings: the item, put in the context under its kind. Table names may be qualified. */
  target?: { kind: TemplateItemKind; name: string };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export class UnknownEnvironmentError extends Error {}

/** The environment a render uses: the named one (error when unknown), else the first, else a bare 'dev'. */
export function selectEnvironment(metadata: LakehouseMetadata, name?: string): Environment | { name: string } {
  if (name !== undefined) {
    const found = metadata.environments.find(e => e.name === name);
    if (!found) {
      const declared = metadata.environments.map(e => e.name);
      throw new UnknownEnvironmentError(
        `No environment '${name}' in lakehouse.yaml${declared.length ? `; declared: ${declared.join(', ')}` : ' (it declares none)'}.`,
      );
    }
    return found;
  }
  return metadata.environments[0] ?? { name: 'dev' };
}

/** Builds the render context for the project, or for one of its tables, dimensions or facts. */
export function buildTemplateContext(
  metadata: LakehouseMetadata,
  options: TemplateContextOptions = {},
): Record<string, unknown> {
  const environment = selectEnvironment(metadata, options.environment);
  const storageAccount = 'storageAccount' in environment ? environment.storageAccount : undefined;
  const resolver = new TableResolver(metadata.tables);
  const zoneByName = new Map(metadata.zones.map(z => [z.name, z]));

  const tableContext = (table: Table): JsonObject => {
    const zones: JsonObject = {};
    for (const zone of metadata.zones) zones[zone.name] = tableInZone(zone, table, storageAccount);
    return {
      name: table.name,
      schema: table.schema,
      system: table.system,
      qualifiedName: table.qualifiedName,
      fullName: `${table.system}.${table.schema}.${table.name}`,
      description: table.description ?? null,
      columns: table.columns.map(columnContext),
      columnNames: table.columns.map(c => c.name),
      primaryKey: [...table.primaryKey],
      cdcColumn: table.cdcColumn ?? null,
      loadType: table.loadType,
      cdcMode: table.loadType === 'incremental' ? table.cdcMode : null,
      cdcOverlap: table.cdcOverlap ?? null,
      sequenceColumn: sequenceColumnOf(table),
      backfillFrom: table.backfillFrom ?? null,
      zones,
    };
  };
  const tableContexts = new Map<Table, JsonObject>();
  const tableOf = (t: Table) => {
    let c = tableContexts.get(t);
    if (!c) tableContexts.set(t, (c = tableContext(t)));
    return c;
  };
  const goldZone = zoneByName.get('gold');

  const dimensionContext = (dimension: Dimension): JsonObject => {
    const table = resolver.resolve(dimension.source)[0];
    const isDateDimension = metadata.dateDimension?.name.toLowerCase() === dimension.name.toLowerCase();
    return {
      name: dimension.name,
      source: dimension.source,
      description: dimension.description ?? null,
      table: table ? tableOf(table) : null,
      // The date dimension is generated (a sequence of days): its columns are the calendar's.
      columns: isDateDimension
        ? CALENDAR_COLUMNS.map(c => ({ ...c, description: null }))
        : table
          ? table.columns.map(columnContext)
          : [],
      businessKey: isDateDimension ? ['date_key'] : [...dimension.businessKey],
      scdType: isDateDimension ? 1 : dimension.scdType,
      trackedColumns: [...dimension.trackedColumns],
      sequenceBy: dimension.sequenceBy ?? null,
      sequenceColumn: dimension.sequenceBy ?? (table ? sequenceColumnOf(table) : null),
      isDateDimension,
      target: goldTarget(goldZone, dimension.name),
    };
  };
  const dimensions = metadata.dimensions.map(d => ({ model: d, context: dimensionContext(d) }));
  const dimensionByName = new Map<string, JsonObject>();
  for (const d of dimensions)
    if (!dimensionByName.has(d.model.name.toLowerCase())) dimensionByName.set(d.model.name.toLowerCase(), d.context);

  const factContext = (fact: Fact): JsonObject => {
    const table = resolver.resolve(fact.source)[0];
    return {
      name: fact.name,
      source: fact.source,
      description: fact.description ?? null,
      table: table ? tableOf(table) : null,
      columns: table ? table.columns.map(columnContext) : [],
      grain: [...fact.grain],
      measures: fact.measures.map(m => ({ column: m.column, aggregation: m.aggregation, name: m.name ?? m.column })),
      references: fact.references.map(r => {
        const dimension = dimensionByName.get(r.dimension.toLowerCase()) ?? null;
        return {
          column: r.column,
          dimensionName: r.dimension,
          dimension,
          joinColumn: joinColumn(r.column, dimension),
          version: r.version,
        };
      }),
      eventTime: fact.eventTime ?? fact.sequenceBy ?? table?.cdcColumn ?? null,
      sequenceBy: fact.sequenceBy ?? null,
      sequenceColumn: fact.sequenceBy ?? table?.cdcColumn ?? null,
      target: goldTarget(goldZone, fact.name),
    };
  };

  const zones: JsonObject = {};
  for (const zone of metadata.zones) {
    zones[zone.name] = {
      name: zone.name,
      container: zone.container,
      path: zone.path ?? null,
      format: zone.format ?? null,
      catalog: zone.catalog ?? null,
      schema: zone.schema ?? null,
      url: containerUrl(zone.container, storageAccount),
    };
  }

  const context: Record<string, Json> = {
    project: {
      name: metadata.project?.name ?? null,
      description: metadata.project?.description ?? null,
      owner: metadata.project?.owner ?? null,
    },
    environment: environmentContext(environment),
    environments: metadata.environments.map(e => e.name),
    zones,
    sources: metadata.sources.map(s => ({
      name: s.name,
      type: s.type ?? null,
      linkedService: s.linkedService ?? null,
      server: s.server ?? null,
      database: s.database ?? null,
      tables: s.tables.map(tableOf),
    })),
    tables: metadata.tables.map(tableOf),
    dimensions: dimensions.map(d => d.context),
    facts: metadata.facts.map(factContext),
    dateDimension: metadata.dateDimension?.name ?? null,
    calendar: calendarOf(metadata),
    databricks: { legacyDlt: metadata.databricks?.pipelinesModule === 'dlt' },
  };

  const target = options.target;
  if (target) {
    const key = target.name.toLowerCase();
    if (target.kind === 'table') {
      const table = resolver.resolve(target.name)[0];
      if (!table) throw new Error(`No table '${target.name}' in the project.`);
      context.table = tableOf(table);
    } else if (target.kind === 'dimension') {
      const found = dimensions.find(d => d.model.name.toLowerCase() === key);
      if (!found) throw new Error(`No dimension '${target.name}' in the project.`);
      context.dimension = found.context;
    } else {
      const index = metadata.facts.findIndex(f => f.name.toLowerCase() === key);
      if (index < 0) throw new Error(`No fact '${target.name}' in the project.`);
      context.fact = (context.facts as Json[])[index] as Json;
    }
  }
  return context;
}

/** The columns of the generated date dimension (gold/dimension.py.j2 writes them). */
export const CALENDAR_COLUMNS: readonly { name: string; type: string; nullable: boolean }[] = [
  { name: 'date_key', type: 'int', nullable: false },
  { name: 'date', type: 'date', nullable: false },
  { name: 'day', type: 'int', nullable: false },
  { name: 'month', type: 'int', nullable: false },
  { name: 'quarter', type: 'int', nullable: false },
  { name: 'year', type: 'int', nullable: false },
  { name: 'weekday', type: 'nvarchar(10)', nullable: false },
  { name: 'week_of_year', type: 'int', nullable: false },
  { name: 'is_weekend', type: 'bit', nullable: false },
];

/**
 * The column silver orders a table's changes by: the CDC column (a timestamp or a rowversion),
 * the change version Change Tracking gives, or, for a full load, the time of the copy.
 */
export function sequenceColumnOf(table: Table): string {
  if (table.loadType !== 'incremental') return '_source_file_time';
  if (table.cdcMode === 'changeTracking') return '_change_version';
  return table.cdcColumn ?? '_source_file_time';
}

/** The calendar's first and last day: starSchema.calendar, else from the earliest backfill's year (or 2020) for ten years. */
export function calendarOf(metadata: LakehouseMetadata): { from: string; to: string } {
  const earliest = metadata.tables
    .map(t => t.backfillFrom)
    .filter((d): d is string => !!d)
    .sort()[0];
  const from = metadata.calendar?.from ?? `${earliest ? earliest.slice(0, 4) : '2020'}-01-01`;
  const to = metadata.calendar?.to ?? `${Number(from.slice(0, 4)) + 10}-12-31`;
  return { from, to };
}

function columnContext(column: Column): JsonObject {
  return {
    name: column.name,
    type: column.type,
    nullable: column.nullable ?? true,
    description: column.description ?? null,
  };
}

function environmentContext(environment: Environment | { name: string }): JsonObject {
  const e = environment as Partial<Environment> & { name: string };
  return {
    name: e.name,
    subscriptionId: e.subscriptionId ?? null,
    tenantId: e.tenantId ?? null,
    resourceGroup: e.resourceGroup ?? null,
    factory: e.factory ?? null,
    storageAccount: e.storageAccount ?? null,
    databricksHost: e.databricksHost ?? null,
    bundleTarget: e.bundleTarget ?? e.name,
    location: e.location ?? null,
    alertUrl: e.alertUrl ?? null,
    protected: e.protected ?? false,
    catalog: e.catalog ?? null,
    keyVault: e.keyVault ?? null,
    deployUser: e.deployUser ?? null,
  };
}

/** abfss://container@account.dfs.core.windows.net (with a visible placeholder when the environment has no storage account). */
function containerUrl(container: string, storageAccount: string | undefined): string {
  return `abfss://${container}@${storageAccount ?? '<storageAccount>'}.dfs.core.windows.net`;
}

/** Where a table lives in a zone: folder, URL and Unity Catalog name. */
function tableInZone(zone: Zone, table: Table, storageAccount: string | undefined): JsonObject {
  const folder = (zone.path ?? '{table}').replace(/\{(table|schema|system)\}/g, (_, key: string) =>
    key === 'table' ? table.name : key === 'schema' ? table.schema : table.system,
  );
  const parts = [zone.catalog, zone.schema, table.name].filter((p): p is string => !!p);
  return {
    container: zone.container,
    folder,
    url: `${containerUrl(zone.container, storageAccount)}/${folder}`,
    format: zone.format ?? null,
    catalog: zone.catalog ?? null,
    schema: zone.schema ?? null,
    tableName: parts.join('.'),
    tableIdentifier: sparkIdentifier(parts),
  };
}

function goldTarget(zone: Zone | undefined, name: string): JsonObject {
  const parts = [zone?.catalog, zone?.schema, name].filter((p): p is string => !!p);
  return {
    catalog: zone?.catalog ?? null,
    schema: zone?.schema ?? null,
    tableName: parts.join('.'),
    tableIdentifier: sparkIdentifier(parts),
  };
}

/**
 * A multi-part name for Spark SQL and spark.table(): each part between backticks (doubled inside),
 * so that any name Unity Catalog accepts (a dash, a keyword like `order`) reads as one identifier.
 */
function sparkIdentifier(parts: readonly string[]): string {
  return parts.map(p => `\`${p.replace(/`/g, '``')}\``).join('.');
}

/** The dimension column a fact reference joins on: the business key of that name, else the only business key, else the column's name. */
function joinColumn(column: string, dimension: JsonObject | null): string {
  const keys = (dimension?.businessKey as string[] | undefined) ?? [];
  return keys.find(k => k.toLowerCase() === column.toLowerCase()) ?? (keys.length === 1 ? keys[0]! : column);
}
