import type { Path } from './yamlLocate';

/** Where an element was defined: the file and the path of its node, resolved to ranges on demand. */
export interface Origin {
  file: string;
  path: Path;
}

export interface ProjectInfo {
  name: string;
  description?: string;
  owner?: string;
  origin: Origin;
}

export interface Environment {
  name: string;
  subscriptionId?: string;
  tenantId?: string;
  resourceGroup?: string;
  factory?: string;
  storageAccount?: string;
  databricksHost?: string;
  bundleTarget?: string;
  location?: string;
  alertUrl?: string;
  /** The user or service principal that deploys the environment's bundle target (development-mode paths are named after it). */
  deployUser?: string;
  /** Unity Catalog catalog of this environment's tables (default: the zone's catalog). */
  catalog?: string;
  /** Azure Key Vault (name) that holds the environment's secrets, e.g. the alert URL. */
  keyVault?: string;
  /** Name of the Key Vault secret that holds the alert URL (a Logic App URL carries its signature). */
  alertUrlSecret?: string;
  protected: boolean;
  origin: Origin;
}

export interface Zone {
  name: string;
  container: string;
  path?: string;
  format?: string;
  catalog?: string;
  schema?: string;
  origin: Origin;
}

export interface Column {
  name: string;
  type: string;
  nullable?: boolean;
  description?: string;
  origin: Origin;
}

export type LoadType = 'incremental' | 'full';

/**
 * How an incremental table finds its new rows: a timestamp the application sets (re-read over an
 * overlap window, duplicates removed downstream), a rowversion the database assigns, or SQL
 * Server Change Tracking.
 */
export type CdcMode = 'watermark' | 'rowversion' | 'changeTracking';

export interface Table {
  /** Source system name. */
  system: string;
  schema: string;
  name: string;
  /** schema.name */
  qualifiedName: string;
  description?: string;
  /** Looked up by name with columnNamed (SQL Server and Spark compare column names case-insensitively). */
  columns: Column[];
  primaryKey: string[];
  cdcColumn?: string;
  /** Default 'watermark'. */
  cdcMode: CdcMode;
  /** Watermark mode: how far back each run re-reads (ISO 8601 duration, e.g. PT1H); undefined: the default for the column's type. */
  cdcOverlap?: string;
  loadType: LoadType;
  backfillFrom?: string;
  todo?: string;
  origin: Origin;
}

export interface SourceSystem {
  name: string;
  type?: string;
  linkedService?: string;
  server?: string;
  database?: string;
  tables: Table[];
  todo?: string;
  origin: Origin;
}

export interface Dimension {
  name: string;
  source: string;
  businessKey: string[];
  scdType: 1 | 2;
  trackedColumns: string[];
  sequenceBy?: string;
  description?: string;
  todo?: string;
  origin: Origin;
}

export interface Measure {
  column: string;
  aggregation: string;
  name?: string;
  origin: Origin;
}

/** Which version of an SCD2 dimension a fact row joins: the one valid at its event time, or the current one. */
export type JoinVersion = 'asOfEvent' | 'current';

export interface Reference {
  column: string;
  dimension: string;
  /** Default 'asOfEvent'. */
  version: JoinVersion;
  origin: Origin;
}

export interface Fact {
  name: string;
  source: string;
  grain: string[];
  measures: Measure[];
  references: Reference[];
  /** The column that says when the fact happened (default: sequenceBy, else the table's cdcColumn). */
  eventTime?: string;
  sequenceBy?: string;
  description?: string;
  todo?: string;
  origin: Origin;
}

export interface ProjectPaths {
  /** Absolute paths, resolved against the root file's folder. */
  adf?: string;
  bundle?: string;
  templates?: string;
  origin: Origin;
}

/** What a template binding renders for: once, or once per table, dimension or fact. */
export type TemplateTarget = 'project' | 'table' | 'dimension' | 'fact';

/** One entry of `templates`: a template rendered for the project or each item, written to `output`. */
export interface TemplateBinding {
  /** The template name as written, relative to paths.templates or the built-in templates ('/' separated). */
  template: string;
  for: TemplateTarget;
  /** The output path as written (relative to lakehouse.yaml), with its {placeholders}. */
  output: string;
  description?: string;
  /** Undefined for the built-in default bindings. */
  origin?: Origin;
}

/** When the generated schedule starts without adf.schedule.startTime (and where backfill windows end). */
export const DEFAULT_SCHEDULE_START = '2024-01-01T02:00:00Z';

/** A trigger's recurrence, as written in lakehouse.yaml (`adf.schedule`). */
export interface AdfScheduleSettings {
  trigger?: string;
  frequency?: string;
  interval?: number;
  startTime?: string;
  timeZone?: string;
}

/** The tumbling-window trigger that replays past windows (`adf.backfill`). */
export interface AdfBackfillSettings {
  trigger?: string;
  frequency?: string;
  interval?: number;
  startTime?: string;
  endTime?: string;
  maxConcurrency?: number;
}

/** The Databricks cluster ADF runs the notebooks on: an existing cluster, an instance pool, or a new job cluster per run. */
export interface AdfClusterSettings {
  existingClusterId?: string;
  instancePoolId?: string;
  version?: string;
  nodeType?: string;
  workers?: string;
  policyId?: string;
}

/**
 * The optional `adf` section: what ADF generation needs that the rest of the metadata does not
 * say. Every field is optional; src/core/adf/generate/settings.ts holds the defaults.
 */
export interface AdfSettings {
  pipeline?: string;
  loopParameter?: string;
  batchCount?: number;
  alertUrl?: string;
  linkedServices?: { lake?: string; databricks?: string };
  datasets?: { sqlTable?: string; parquet?: string; json?: string };
  schedule?: AdfScheduleSettings;
  backfill?: AdfBackfillSettings;
  databricks?: { workspaceResourceId?: string; notebookFolder?: string; cluster?: AdfClusterSettings };
  origin: Origin;
}

export interface Todo {
  text: string;
  origin: Origin;
}

/** The metadata of a project, merged over the root file and its includes. */
export interface LakehouseMetadata {
  rootFile: string;
  rootDir: string;
  /** Every metadata file that contributed, root first. */
  files: string[];
  project?: ProjectInfo;
  environments: Environment[];
  zones: Zone[];
  sources: SourceSystem[];
  /** Every table of every source, in file order. */
  tables: Table[];
  dimensions: Dimension[];
  facts: Fact[];
  dateDimension?: { name: string; origin: Origin };
  /** Databricks settings of the generated code (the `databricks` section). */
  databricks?: { pipelinesModule?: 'pyspark.pipelines' | 'dlt'; origin: Origin };
  /** The calendar the date dimension is generated over (starSchema.calendar). */
  calendar?: { from?: string; to?: string; origin: Origin };
  paths: ProjectPaths;
  /** The `templates` section of lakehouse.yaml; undefined when it has none (the built-in bindings apply). */
  templates?: TemplateBinding[];
  /** The `adf` section of lakehouse.yaml (ADF generation settings); undefined when it has none. */
  adf?: AdfSettings;
  todos: Todo[];
}

/**
 * The table's first column of that name, compared as SQL Server and Spark do (case-insensitively).
 * A scan: tables have tens of columns, and an index per table was a tenth of a large project's model.
 */
export function columnNamed(table: { readonly columns: readonly Column[] }, name: string): Column | undefined {
  const key = name.toLowerCase();
  for (const column of table.columns) if (column.name === name || column.name.toLowerCase() === key) return column;
  return undefined;
}

export function emptyMetadata(rootFile: string, rootDir: string): LakehouseMetadata {
  return {
    rootFile,
    rootDir,
    files: [],
    environments: [],
    zones: [],
    sources: [],
    tables: [],
    dimensions: [],
    facts: [],
    paths: { origin: { file: rootFile, path: ['paths'] } },
    todos: [],
  };
}
