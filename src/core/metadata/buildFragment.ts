import * as path from 'path';
import type { MetadataFile } from './metadataFile';
import type {
  AdfClusterSettings,
  AdfSettings,
  Column,
  Dimension,
  Environment,
  Fact,
  LoadType,
  Measure,
  Origin,
  ProjectInfo,
  ProjectPaths,
  Reference,
  SourceSystem,
  Table,
  TemplateBinding,
  TemplateTarget,
  Todo,
  Zone,
} from './model';
import type { Path } from './yamlLocate';

/** What one metadata file contributes to the project, before merging. */
export interface MetadataFragment {
  file: string;
  project?: ProjectInfo;
  environments: Environment[];
  zones: Zone[];
  sources: SourceSystem[];
  dimensions: Dimension[];
  facts: Fact[];
  dateDimension?: { name: string; origin: Origin };
  calendar?: { from?: string; to?: string; origin: Origin };
  databricks?: { pipelinesModule?: 'pyspark.pipelines' | 'dlt'; origin: Origin };
  paths?: ProjectPaths;
  /** The `templates` section (root file only); undefined when the file has none. */
  templates?: TemplateBinding[];
  /** The `adf` section (root file only); undefined when the file has none. */
  adf?: AdfSettings;
  includes: { pattern: string; origin: Origin }[];
  todos: Todo[];
}

type Obj = Record<string, unknown>;

/**
 * A column's origin, its path made when asked for: a project has ten columns a table, and a path
 * array each (six entries) was most of what the model kept.
 */
class ColumnOrigin implements Origin {
  constructor(
    readonly file: string,
    private readonly table: Path,
    private readonly index: number,
  ) {}

  get path(): Path {
    return [...this.table, 'columns', this.index];
  }
}

const TEMPLATE_TARGETS: readonly TemplateTarget[] = ['project', 'table', 'dimension', 'fact'];

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
const nonEmpty = (v: unknown): string | undefined => {
  const s = str(v);
  return s !== undefined && s.trim() !== '' ? s : undefined;
};
const strList = (v: unknown): string[] =>
  Array.isArray(v) ? v.map(str).filter((s): s is string => s !== undefined) : [];
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/**
 * Reads the model out of a parsed file's plain value. Tolerant by design: the schema has
 * already reported wrong shapes; here anything malformed is skipped so one bad entry never
 * hides the checks on the rest.
 */
export function buildFragment(source: MetadataFile): MetadataFragment {
  const file = source.file;
  const value = isObj(source.value) ? source.value : {};
  const at = (p: Path): Origin => ({ file, path: p });
  const todos: Todo[] = [];
  const noteTodo = (o: Obj, _p: Path): string | undefined => str(o.todo);
  // A TODO is written "TODO" or "todo" in the text, unless spelled with escapes: a file without either needs no walk.
  const text = source.text;
  if (typeof text !== 'string' || text.includes('TODO') || text.includes('todo') || text.includes('\\'))
    collectTodos(value, [], file, todos);
  const fragment: MetadataFragment = {
    file,
    environments: [],
    zones: [],
    sources: [],
    dimensions: [],
    facts: [],
    includes: [],
    todos,
  };
  noteTodo(value, []);

  if (isObj(value.project)) {
    const p = value.project;
    noteTodo(p, ['project']);
    const name = nonEmpty(p.name);
    if (name)
      fragment.project = { name, description: str(p.description), owner: str(p.owner), origin: at(['project']) };
  }

  list(value.include).forEach((pattern, i) => {
    const s = nonEmpty(pattern);
    if (s) fragment.includes.push({ pattern: s, origin: at(['include', i]) });
  });

  if (isObj(value.environments)) {
    for (const [name, raw] of Object.entries(value.environments)) {
      const e = isObj(raw) ? raw : {};
      const p: Path = ['environments', name];
      noteTodo(e, p);
      fragment.environments.push({
        name,
        subscriptionId: nonEmpty(e.subscriptionId),
        tenantId: nonEmpty(e.tenantId),
        resourceGroup: nonEmpty(e.resourceGroup),
        factory: nonEmpty(e.factory),
        storageAccount: nonEmpty(e.storageAccount),
        databricksHost: nonEmpty(e.databricksHost),
        bundleTarget: nonEmpty(e.bundleTarget),
        location: nonEmpty(e.location),
        alertUrl: nonEmpty(e.alertUrl),
        catalog: nonEmpty(e.catalog),
        keyVault: nonEmpty(e.keyVault),
        alertUrlSecret: nonEmpty(e.alertUrlSecret),
        deployUser: nonEmpty(e.deployUser),
        protected: e.protected === true,
        origin: at(p),
      });
    }
  }

  if (isObj(value.lake)) {
    noteTodo(value.lake, ['lake']);
    if (isObj(value.lake.zones)) {
      for (const [name, raw] of Object.entries(value.lake.zones)) {
        if (!isObj(raw)) continue;
        const p: Path = ['lake', 'zones', name];
        noteTodo(raw, p);
        fragment.zones.push({
          name,
          container: str(raw.container) ?? name,
          path: str(raw.path),
          format: str(raw.format),
          catalog: str(raw.catalog),
          schema: str(raw.schema),
          origin: at(p),
        });
      }
    }
  }

  // A project's columns have a few dozen types: one string each, not one per column (130,000 at 10,000 tables).
  const types = new Map<string, string>();
  const columnType = (raw: unknown): string => {
    const type = str(raw) ?? '';
    const known = types.get(type);
    if (known !== undefined) return known;
    types.set(type, type);
    return type;
  };
  list(value.sources).forEach((rawSystem, si) => {
    if (!isObj(rawSystem)) return;
    const sp: Path = ['sources', si];
    const systemName = nonEmpty(rawSystem.name) ?? `source${si + 1}`;
    const system: SourceSystem = {
      name: systemName,
      type: str(rawSystem.type),
      linkedService: nonEmpty(rawSystem.linkedService),
      server: str(rawSystem.server),
      database: str(rawSystem.database),
      tables: [],
      todo: noteTodo(rawSystem, sp),
      origin: at(sp),
    };
    list(rawSystem.tables).forEach((rawTable, ti) => {
      if (!isObj(rawTable)) return;
      const name = nonEmpty(rawTable.name);
      if (!name) return;
      const tp: Path = [...sp, 'tables', ti];
      const schema = nonEmpty(rawTable.schema) ?? 'dbo';
      const columns: Column[] = [];
      // The hottest loop of a load (130,000 columns at 10,000 tables): no closure, no spread.
      const rawColumns = list(rawTable.columns);
      for (let ci = 0; ci < rawColumns.length; ci++) {
        const rawColumn = rawColumns[ci];
        if (!isObj(rawColumn)) continue;
        const columnName = nonEmpty(rawColumn.name);
        if (!columnName) continue;
        const column: Column = {
          name: columnName,
          type: columnType(rawColumn.type),
          nullable: typeof rawColumn.nullable === 'boolean' ? rawColumn.nullable : undefined,
          description: str(rawColumn.description),
          origin: new ColumnOrigin(file, tp, ci),
        };
        columns.push(column);
      }
      const cdcColumn = nonEmpty(rawTable.cdcColumn);
      const loadType: LoadType =
        rawTable.loadType === 'full' || rawTable.loadType === 'incremental'
          ? rawTable.loadType
          : cdcColumn || rawTable.cdcMode === 'changeTracking'
            ? 'incremental'
            : 'full';
      const table: Table = {
        system: systemName,
        schema,
        name,
        qualifiedName: `${schema}.${name}`,
        description: str(rawTable.description),
        columns,
        primaryKey: strList(rawTable.primaryKey),
        cdcColumn,
        loadType,
        cdcMode:
          rawTable.cdcMode === 'rowversion' || rawTable.cdcMode === 'changeTracking' ? rawTable.cdcMode : 'watermark',
        cdcOverlap: nonEmpty(rawTable.cdcOverlap),
        backfillFrom: nonEmpty(rawTable.backfillFrom),
        todo: noteTodo(rawTable, tp),
        origin: at(tp),
      };
      system.tables.push(table);
    });
    fragment.sources.push(system);
  });

  if (isObj(value.starSchema)) {
    const star = value.starSchema;
    noteTodo(star, ['starSchema']);
    const dateName = nonEmpty(star.dateDimension);
    if (dateName) fragment.dateDimension = { name: dateName, origin: at(['starSchema', 'dateDimension']) };
    if (isObj(star.calendar))
      fragment.calendar = {
        from: nonEmpty(star.calendar.from),
        to: nonEmpty(star.calendar.to),
        origin: at(['starSchema', 'calendar']),
      };
    list(star.dimensions).forEach((raw, i) => {
      if (!isObj(raw)) return;
      const name = nonEmpty(raw.name);
      if (!name) return;
      const p: Path = ['starSchema', 'dimensions', i];
      const dimension: Dimension = {
        name,
        source: nonEmpty(raw.source) ?? '',
        businessKey: strList(raw.businessKey),
        scdType: raw.scdType === 2 ? 2 : 1,
        trackedColumns: strList(raw.trackedColumns),
        sequenceBy: nonEmpty(raw.sequenceBy),
        description: str(raw.description),
        todo: noteTodo(raw, p),
        origin: at(p),
      };
      fragment.dimensions.push(dimension);
    });
    list(star.facts).forEach((raw, i) => {
      if (!isObj(raw)) return;
      const name = nonEmpty(raw.name);
      if (!name) return;
      const p: Path = ['starSchema', 'facts', i];
      const measures: Measure[] = [];
      list(raw.measures).forEach((m, mi) => {
        if (!isObj(m)) return;
        const column = nonEmpty(m.column);
        if (column)
          measures.push({
            column,
            aggregation: str(m.aggregation) ?? 'sum',
            name: str(m.name),
            origin: at([...p, 'measures', mi]),
          });
      });
      const references: Reference[] = [];
      list(raw.references).forEach((r, ri) => {
        if (!isObj(r)) return;
        const column = nonEmpty(r.column);
        const dimension = nonEmpty(r.dimension);
        if (column && dimension)
          references.push({
            column,
            dimension,
            version: r.version === 'current' ? 'current' : 'asOfEvent',
            origin: at([...p, 'references', ri]),
          });
      });
      fragment.facts.push({
        name,
        source: nonEmpty(raw.source) ?? '',
        grain: strList(raw.grain),
        measures,
        references,
        eventTime: nonEmpty(raw.eventTime),
        sequenceBy: nonEmpty(raw.sequenceBy),
        description: str(raw.description),
        todo: noteTodo(raw, p),
        origin: at(p),
      });
    });
  }

  if (isObj(value.databricks)) {
    const module = value.databricks.pipelinesModule;
    fragment.databricks = {
      pipelinesModule: module === 'dlt' || module === 'pyspark.pipelines' ? module : undefined,
      origin: at(['databricks']),
    };
  }

  if (isObj(value.paths)) {
    const dir = path.dirname(file);
    const resolve = (v: unknown) => {
      const s = nonEmpty(v);
      return s ? path.resolve(dir, s) : undefined;
    };
    fragment.paths = {
      adf: resolve(value.paths.adf),
      bundle: resolve(value.paths.bundle),
      templates: resolve(value.paths.templates),
      origin: at(['paths']),
    };
  }

  if (Array.isArray(value.templates)) {
    const templates: TemplateBinding[] = [];
    value.templates.forEach((raw, i) => {
      if (!isObj(raw)) return;
      const template = nonEmpty(raw.template);
      const output = nonEmpty(raw.output);
      const target = TEMPLATE_TARGETS.find(t => t === raw.for);
      if (!template || !output || !target) return;
      templates.push({
        template,
        for: target,
        output,
        description: str(raw.description),
        origin: at(['templates', i]),
      });
    });
    fragment.templates = templates;
  }

  if (isObj(value.adf)) fragment.adf = buildAdfSettings(value.adf, at(['adf']));
  return fragment;
}

/** The `adf` section: only the settings written (and of the right type); defaults are the generator's. */
function buildAdfSettings(raw: Obj, origin: Origin): AdfSettings {
  const int = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);
  const section = <T extends object>(v: unknown, read: (o: Obj) => T): T | undefined =>
    isObj(v) ? read(v) : undefined;
  const settings: AdfSettings = {
    pipeline: nonEmpty(raw.pipeline),
    loopParameter: nonEmpty(raw.loopParameter),
    batchCount: int(raw.batchCount),
    alertUrl: nonEmpty(raw.alertUrl),
    linkedServices: section(raw.linkedServices, o => ({ lake: nonEmpty(o.lake), databricks: nonEmpty(o.databricks) })),
    datasets: section(raw.datasets, o => ({
      sqlTable: nonEmpty(o.sqlTable),
      parquet: nonEmpty(o.parquet),
      json: nonEmpty(o.json),
    })),
    schedule: section(raw.schedule, o => ({
      trigger: nonEmpty(o.trigger),
      frequency: nonEmpty(o.frequency),
      interval: int(o.interval),
      startTime: nonEmpty(o.startTime),
      timeZone: nonEmpty(o.timeZone),
    })),
    backfill: section(raw.backfill, o => ({
      trigger: nonEmpty(o.trigger),
      frequency: nonEmpty(o.frequency),
      interval: int(o.interval),
      startTime: nonEmpty(o.startTime),
      endTime: nonEmpty(o.endTime),
      maxConcurrency: int(o.maxConcurrency),
    })),
    databricks: section(raw.databricks, o => ({
      workspaceResourceId: nonEmpty(o.workspaceResourceId),
      notebookFolder: nonEmpty(o.notebookFolder),
      cluster: section(o.cluster, (c): AdfClusterSettings => ({
        existingClusterId: nonEmpty(c.existingClusterId),
        instancePoolId: nonEmpty(c.instancePoolId),
        version: nonEmpty(c.version),
        nodeType: nonEmpty(c.nodeType),
        workers: nonEmpty(c.workers),
        policyId: nonEmpty(c.policyId),
      })),
    })),
    origin,
  };
  return settings;
}

/**
 * Every `todo:` entry and every text value starting with "TODO", anywhere in the file. It visits
 * every value of a file (130,000 columns at 10,000 tables): plain loops, no Object.entries pairs or
 * forEach closures, which made this walk a good part of a load's garbage.
 */
function collectTodos(value: unknown, p: (string | number)[], file: string, out: Todo[]): void {
  if (typeof value === 'string') {
    if (value.charCodeAt(0) === 0x54 /* T */ && value.startsWith('TODO'))
      out.push({ text: value, origin: { file, path: [...p] } });
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (v === null || (typeof v !== 'object' && typeof v !== 'string')) continue;
      p.push(i);
      collectTodos(v, p, file, out);
      p.pop();
    }
  } else if (isObj(value)) {
    for (const k of Object.keys(value)) {
      const v = value[k];
      if (v === null || (typeof v !== 'object' && typeof v !== 'string')) continue;
      p.push(k);
      if (k === 'todo' && typeof v === 'string') out.push({ text: v, origin: { file, path: [...p] } });
      else collectTodos(v, p, file, out);
      p.pop();
    }
  }
}
