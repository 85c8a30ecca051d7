// What a backfill runs for each window: the generated pipelines' own window parameters
// (window_start / window_end, as the tumbling-window backfill trigger passes them; see
// src/core/adf/generate/pipeline.ts), so each run copies exactly its window. A window run copies
// the tables of the watermark loop whose item has a from_date; to backfill chosen tables (or
// tables without a backfill date in lakehouse.yaml) each run also gets the loop's array parameter
// restricted to those tables, from_date filled with the backfill's start where it is empty. With
// several source systems the loops live in the per-system pipelines the orchestrator runs: a
// backfill of some tables runs those pipelines directly (the orchestrator's gold step does not
// run then, and a note says so); a backfill of every table, all with a backfill date, runs the
// orchestrator itself.
import { BackfillInputError, windowBoundText } from './partitions';

export interface BackfillParameterNames {
  windowStart: string;
  windowEnd: string;
  /** The backfill id tag: passed when the pipeline declares it. */
  backfillId: string;
  /** The watermark loop's array parameter (adf.loopParameter, default loop_input). */
  loop: string;
}

export const DEFAULT_BACKFILL_PARAMETERS: BackfillParameterNames = {
  windowStart: 'window_start',
  windowEnd: 'window_end',
  backfillId: 'backfill_id',
  loop: 'loop_input',
};

/** Other loops of the generated pipelines, which a window does not apply to (named for the message). */
const UNWINDOWED_LOOPS: Record<string, string> = {
  rowversion_input: 'by rowversion',
  change_tracking_input: 'by Change Tracking',
  full_load_input: 'in full on every run',
};

/** A pipeline as in ADF's git layout ({ name, properties }) or the SDK's resource ({ name, parameters, activities }). */
export interface PipelineJson {
  name: string;
  properties?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface BackfillTarget {
  pipeline: string;
  /** What each run of this target gets besides its window (and the backfill id). */
  parameters: Record<string, unknown>;
  /** The tables it copies (schema.table), for the summary. */
  tables: string[];
  /** Whether the pipeline declares the backfill id parameter (then every run carries the backfill's id). */
  tagsBackfillId: boolean;
}

export interface TargetRequest {
  /** The factory's pipelines (the generated ones, or those deployed). */
  pipelines: readonly PipelineJson[];
  /** The pipeline the triggers start (adf.pipeline, default pl_incremental_ingestion). */
  entryPipeline: string;
  /** schema.table or table names; undefined: every table a window applies to. */
  tables?: readonly string[];
  /** The backfill's start (ms): the from_date of tables without one. */
  from: number;
  names?: Partial<BackfillParameterNames>;
}

export interface TargetPlan {
  targets: BackfillTarget[];
  notes: string[];
  names: BackfillParameterNames;
}

interface LoopItem {
  schema: string;
  table: string;
  from_date?: string;
  [key: string]: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const propsOf = (p: PipelineJson): Record<string, unknown> => (isObject(p.properties) ? p.properties : p);
const paramsOf = (p: PipelineJson): Record<string, unknown> => {
  const params = propsOf(p).parameters;
  return isObject(params) ? params : {};
};
const keyOf = (item: { schema: string; table: string }) => `${item.schema}.${item.table}`;

function loopItems(p: PipelineJson, parameter: string): LoopItem[] | undefined {
  const spec = paramsOf(p)[parameter];
  const value = isObject(spec) ? spec.defaultValue : undefined;
  if (!Array.isArray(value)) return undefined;
  return value.filter((i): i is LoopItem => isObject(i) && typeof i.schema === 'string' && typeof i.table === 'string');
}

/** The pipelines `name` runs with Execute Pipeline, directly or through pipelines it runs. */
function reachable(name: string, byName: Map<string, PipelineJson>): string[] {
  const seen = new Set<string>([name]);
  const order: string[] = [];
  const visit = (pipeline: string) => {
    const p = byName.get(pipeline);
    if (!p) return;
    const refs: string[] = [];
    const walk = (node: unknown) => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (isObject(node)) {
        if (node.type === 'ExecutePipeline' && isObject(node.typeProperties)) {
          const ref = node.typeProperties.pipeline;
          if (isObject(ref) && typeof ref.referenceName === 'string') refs.push(ref.referenceName);
        }
        Object.values(node).forEach(walk);
      }
    };
    walk(propsOf(p).activities);
    for (const r of refs)
      if (!seen.has(r)) {
        seen.add(r);
        order.push(r);
        visit(r);
      }
  };
  visit(name);
  return order;
}

/** A table a backfill window applies to: in a watermark loop of the entry pipeline or a pipeline it runs. */
export interface WindowedTable {
  /** schema.table */
  key: string;
  schema: string;
  table: string;
  /** The pipeline whose loop copies it. */
  pipeline: string;
  /** Its backfill date in the loop (lakehouse.yaml's backfillFrom), if it has one. */
  fromDate?: string;
}

interface Windowed {
  entry: PipelineJson;
  all: { pipeline: string; item: LoopItem }[];
  names: BackfillParameterNames;
  byName: Map<string, PipelineJson>;
}

/** The entry pipeline and the tables its watermark loops copy; BackfillInputError when a window applies to none. */
function windowedLoops(request: Omit<TargetRequest, 'tables' | 'from'>): Windowed {
  const names = { ...DEFAULT_BACKFILL_PARAMETERS, ...request.names };
  const byName = new Map(request.pipelines.map(p => [p.name, p]));
  const entry = byName.get(request.entryPipeline);
  if (!entry)
    throw new BackfillInputError(
      `The factory has no pipeline ${JSON.stringify(request.entryPipeline)} (the one the triggers start); generate or deploy it first.`,
    );
  if (!declaresWindow(entry, names))
    throw new BackfillInputError(
      `${entry.name} declares no ${names.windowStart} / ${names.windowEnd} parameters: a backfill passes each window in them ` +
        `(the pipelines generated from lakehouse.yaml declare them). Regenerate the ADF artifacts.`,
    );
  // Where the watermark loops are: the entry pipeline itself, or the pipelines it runs.
  const holders = [entry.name, ...reachable(entry.name, byName)]
    .map(n => byName.get(n)!)
    .filter(p => loopItems(p, names.loop) !== undefined);
  const all = holders.flatMap(p => loopItems(p, names.loop)!.map(item => ({ pipeline: p.name, item })));
  if (all.length === 0)
    throw new BackfillInputError(
      `No pipeline run by ${entry.name} has a ${names.loop} parameter listing tables: no table is copied by watermark, ` +
        `so a window applies to none (tables copied by rowversion, Change Tracking or in full are not windowed).`,
    );
  return { entry, all, names, byName };
}

const declares = (p: PipelineJson, parameter: string) => parameter in paramsOf(p);
const declaresWindow = (p: PipelineJson, names: BackfillParameterNames) =>
  declares(p, names.windowStart) && declares(p, names.windowEnd);

/** The tables a backfill can copy (for a pick list), in the loops' order; BackfillInputError as planBackfillTargets. */
export function windowedTablesOf(request: Omit<TargetRequest, 'tables' | 'from'>): WindowedTable[] {
  const seen = new Set<string>();
  const out: WindowedTable[] = [];
  for (const { pipeline, item } of windowedLoops(request).all) {
    const key = keyOf(item);
    if (seen.has(`${pipeline}\u0000${key}`)) continue;
    seen.add(`${pipeline}\u0000${key}`);
    const table: WindowedTable = { key, schema: item.schema, table: item.table, pipeline };
    if (typeof item.from_date === 'string' && item.from_date !== '') table.fromDate = item.from_date;
    out.push(table);
  }
  return out;
}

/** The targets of a backfill of these tables (see the file comment); BackfillInputError with a clear message otherwise. */
export function planBackfillTargets(request: TargetRequest): TargetPlan {
  const { entry, all, names, byName } = windowedLoops(request);
  const windowed = (p: PipelineJson) => declaresWindow(p, names);

  let chosen = all;
  if (request.tables !== undefined) {
    if (request.tables.length === 0) throw new BackfillInputError('Choose at least one table to backfill.');
    chosen = [];
    for (const wanted of request.tables) chosen.push(...resolveTable(wanted, all, request.pipelines, names));
    chosen = [...new Map(chosen.map(c => [`${c.pipeline}\u0000${keyOf(c.item)}`, c])).values()];
  }

  const notes: string[] = [];
  const fromText = windowBoundText(request.from);
  const withoutDate = chosen.filter(c => !c.item.from_date).map(c => keyOf(c.item));
  if (withoutDate.length > 0)
    notes.push(
      `${withoutDate.length} table(s) have no backfill date in lakehouse.yaml (${preview(withoutDate)}): ` +
        `their runs copy each window from ${fromText} on.`,
    );
  const everything = chosen.length === all.length;
  const targets: BackfillTarget[] = [];
  if (everything && withoutDate.length === 0) {
    // Every windowed table, each with its own date: the pipeline the backfill trigger starts, as it would.
    targets.push({
      pipeline: entry.name,
      parameters: {},
      tables: chosen.map(c => keyOf(c.item)),
      tagsBackfillId: declares(entry, names.backfillId),
    });
  } else {
    const byPipeline = new Map<string, LoopItem[]>();
    for (const c of chosen) {
      const list = byPipeline.get(c.pipeline) ?? [];
      list.push(c.item.from_date ? c.item : { ...c.item, from_date: fromText });
      byPipeline.set(c.pipeline, list);
    }
    for (const [pipeline, items] of byPipeline) {
      const p = byName.get(pipeline)!;
      if (!windowed(p))
        throw new BackfillInputError(
          `${pipeline} declares no ${names.windowStart} / ${names.windowEnd} parameters; regenerate the ADF artifacts.`,
        );
      targets.push({
        pipeline,
        parameters: { [names.loop]: items },
        tables: items.map(keyOf),
        tagsBackfillId: declares(p, names.backfillId),
      });
    }
    if (targets.some(t => t.pipeline !== entry.name))
      notes.push(
        `The chosen tables are copied by running ${preview(targets.map(t => t.pipeline))} directly: ` +
          `${entry.name}'s own steps after them (the gold step, the alerts) do not run for these windows.`,
      );
  }
  const untagged = targets.filter(t => !t.tagsBackfillId).map(t => t.pipeline);
  if (untagged.length > 0)
    notes.push(
      `${preview(untagged)} declare no ${names.backfillId} parameter: their runs are told apart by pipeline and window ` +
        `(the journal keeps which run belongs to this backfill).`,
    );
  return { targets, notes, names };
}

function resolveTable(
  wanted: string,
  all: { pipeline: string; item: LoopItem }[],
  pipelines: readonly PipelineJson[],
  names: BackfillParameterNames,
): { pipeline: string; item: LoopItem }[] {
  const w = wanted.trim().toLowerCase();
  const exact = all.filter(c => keyOf(c.item).toLowerCase() === w);
  const matches = exact.length > 0 ? exact : all.filter(c => c.item.table.toLowerCase() === w);
  const tables = new Set(matches.map(c => keyOf(c.item)));
  if (tables.size > 1)
    throw new BackfillInputError(
      `${JSON.stringify(wanted)} names several tables (${[...tables].join(', ')}); give schema.table.`,
    );
  if (matches.length > 0) return matches;
  for (const p of pipelines)
    for (const [parameter, how] of Object.entries(UNWINDOWED_LOOPS)) {
      const items = loopItems(p, parameter) ?? [];
      if (items.some(i => keyOf(i).toLowerCase() === w || i.table.toLowerCase() === w))
        throw new BackfillInputError(
          `${wanted} is copied ${how}, not by a watermark column: a backfill window does not apply to it.`,
        );
    }
  throw new BackfillInputError(
    `No generated pipeline copies a table ${JSON.stringify(wanted)} by watermark (${names.loop}); ` +
      `known tables: ${preview([...new Set(all.map(c => keyOf(c.item)))])}.`,
  );
}

function preview(list: readonly string[], max = 5): string {
  return list.length <= max ? list.join(', ') : `${list.slice(0, max).join(', ')} and ${list.length - max} more`;
}
