import type { AdfFile } from './adfFile';

/** One table of a metadata-driven pipeline's array parameter (the reference project's loop_input item). */
export interface LoopItem {
  schema: string;
  table: string;
  cdcColumn?: string;
  backfillFrom?: string;
  /** JSON path of the item inside the pipeline file. */
  path: (string | number)[];
}

/** A ForEach over an array parameter whose default value lists source tables. */
export interface MetadataLoop {
  pipeline: string;
  file: string;
  parameter: string;
  forEach: string;
  /** Linked service of the SQL source read inside the loop, when it can be traced through the dataset. */
  linkedService?: string;
  sourceDataset?: string;
  /** Datasets written to, with their literal container parameter values (the lake zones the loop writes to). */
  sinkContainers: string[];
  items: LoopItem[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

const ITEMS_PARAMETER = /^@\{?\s*pipeline\(\)\s*\.\s*parameters\s*\.\s*([A-Za-z_][\w-]*)\s*\}?$/i;
/** A ForEach over what a Filter kept: @activity('F').output.value. */
const ITEMS_FILTERED = /^@\{?\s*activity\(\s*'([^']+)'\s*\)\s*\.\s*output\s*\.\s*value\s*\}?$/i;

/** Case-insensitive lookup: real factories spell keys inconsistently (Table, table, TABLE_NAME). */
function field(o: Obj, ...names: string[]): unknown {
  for (const n of names) {
    for (const k of Object.keys(o)) if (k.toLowerCase() === n.toLowerCase()) return o[k];
  }
  return undefined;
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v : typeof v === 'number' ? String(v) : undefined;
}

/** Activities nested anywhere under a list of activities (ForEach, If, Switch, Until bodies). */
export function* walkActivities(
  activities: unknown,
  path: (string | number)[],
): Generator<{ activity: Obj; path: (string | number)[] }> {
  if (!Array.isArray(activities)) return;
  for (let i = 0; i < activities.length; i++) {
    const a: unknown = activities[i];
    if (!isObj(a)) continue;
    const p = [...path, i];
    yield { activity: a, path: p };
    const tp = a.typeProperties;
    if (!isObj(tp)) continue;
    for (const key of ['activities', 'ifTrueActivities', 'ifFalseActivities', 'defaultActivities']) {
      yield* walkActivities(tp[key], [...p, 'typeProperties', key]);
    }
    if (Array.isArray(tp.cases)) {
      for (let c = 0; c < tp.cases.length; c++) {
        const kase: unknown = tp.cases[c];
        if (isObj(kase)) yield* walkActivities(kase.activities, [...p, 'typeProperties', 'cases', c, 'activities']);
      }
    }
  }
}

/** How many activities walkActivities() would visit, without making their paths (a view counts every pipeline's on each render). */
export function countActivities(activities: unknown): number {
  if (!Array.isArray(activities)) return 0;
  let n = 0;
  for (const a of activities as unknown[]) {
    if (!isObj(a)) continue;
    n++;
    const tp = a.typeProperties;
    if (!isObj(tp)) continue;
    n += countActivities(tp.activities);
    n += countActivities(tp.ifTrueActivities);
    n += countActivities(tp.ifFalseActivities);
    n += countActivities(tp.defaultActivities);
    if (Array.isArray(tp.cases))
      for (const kase of tp.cases as unknown[]) if (isObj(kase)) n += countActivities(kase.activities);
  }
  return n;
}

function expressionText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (isObj(v) && typeof v.value === 'string') return v.value;
  return undefined;
}

/** Finds the metadata-driven loops of one pipeline file. */
export function findMetadataLoops(pipeline: AdfFile, datasets: ReadonlyMap<string, AdfFile>): MetadataLoop[] {
  const value = pipeline.value;
  if (!isObj(value) || !isObj(value.properties) || !pipeline.name) return [];
  const props = value.properties;
  const parameters = isObj(props.parameters) ? props.parameters : {};
  const loops: MetadataLoop[] = [];
  const all = [...walkActivities(props.activities, ['properties', 'activities'])];
  // A Filter in between (which tables this run copies) still loops over the parameter's tables.
  const filterItems = (name: string): string | undefined => {
    const filter = all.find(
      a =>
        a.activity.type === 'Filter' &&
        typeof a.activity.name === 'string' &&
        a.activity.name.toLowerCase() === name.toLowerCase(),
    );
    return filter && isObj(filter.activity.typeProperties)
      ? expressionText(filter.activity.typeProperties.items)?.trim()
      : undefined;
  };
  for (const { activity, path } of all) {
    if (activity.type !== 'ForEach' || !isObj(activity.typeProperties)) continue;
    let itemsExpr = expressionText(activity.typeProperties.items)?.trim();
    const filtered = itemsExpr ? ITEMS_FILTERED.exec(itemsExpr) : null;
    if (filtered) itemsExpr = filterItems(filtered[1] as string);
    const match = itemsExpr ? ITEMS_PARAMETER.exec(itemsExpr) : null;
    if (!match) continue;
    const parameterName = Object.keys(parameters).find(k => k.toLowerCase() === (match[1] as string).toLowerCase());
    if (!parameterName) continue;
    const parameter = parameters[parameterName];
    if (!isObj(parameter) || !Array.isArray(parameter.defaultValue)) continue;
    const items: LoopItem[] = [];
    parameter.defaultValue.forEach((raw: unknown, i: number) => {
      if (!isObj(raw)) return;
      const table = text(field(raw, 'table', 'table_name', 'tableName', 'source_table'));
      if (!table) return;
      items.push({
        schema: text(field(raw, 'schema', 'schema_name', 'schemaName', 'source_schema')) ?? 'dbo',
        table,
        cdcColumn: text(field(raw, 'cdc_col', 'cdcColumn', 'cdc_column', 'watermark_column', 'watermarkColumn')),
        backfillFrom: text(field(raw, 'from_date', 'fromDate', 'backfill_from', 'backfillFrom')),
        path: ['properties', 'parameters', parameterName, 'defaultValue', i],
      });
    });
    if (items.length === 0) continue;
    const loop: MetadataLoop = {
      pipeline: pipeline.name,
      file: pipeline.file,
      parameter: parameterName,
      forEach: String(activity.name ?? ''),
      sinkContainers: [],
      items,
    };
    traceDatasets(activity, datasets, loop, path);
    loops.push(loop);
  }
  return loops;
}

function traceDatasets(
  forEach: Obj,
  datasets: ReadonlyMap<string, AdfFile>,
  loop: MetadataLoop,
  path: (string | number)[],
): void {
  const containers = new Set<string>();
  for (const { activity } of walkActivities((forEach.typeProperties as Obj).activities, [
    ...path,
    'typeProperties',
    'activities',
  ])) {
    if (activity.type !== 'Copy' || !isObj(activity.typeProperties)) continue;
    const source = activity.typeProperties.source;
    const sourceType = isObj(source) && typeof source.type === 'string' ? source.type : '';
    if (!loop.sourceDataset && /sql/i.test(sourceType) && Array.isArray(activity.inputs) && isObj(activity.inputs[0])) {
      const name = text(activity.inputs[0].referenceName);
      if (name) {
        loop.sourceDataset = name;
        const ds = datasets.get(name);
        const props = isObj(ds?.value) ? (ds!.value as Obj).properties : undefined;
        const ls =
          isObj(props) && isObj(props.linkedServiceName) ? text(props.linkedServiceName.referenceName) : undefined;
        if (ls) loop.linkedService = ls;
      }
    }
    if (/sql/i.test(sourceType) && Array.isArray(activity.outputs)) {
      for (const out of activity.outputs) {
        if (isObj(out) && isObj(out.parameters)) {
          const c = field(out.parameters, 'container', 'fileSystem', 'filesystem');
          if (typeof c === 'string' && !c.startsWith('@')) containers.add(c);
        }
      }
    }
  }
  loop.sinkContainers = [...containers];
}
