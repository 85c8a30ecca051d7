// The Runs view's shape: pipelines → days → run groups, where a group is a run and its reruns
// (rerun from failure keeps one runGroupId for the original and its recovery runs), and the
// backfill tags each run carries (the backfill's id and its partition, from the run's parameters
// or from a backfill journal).
import { dayOf, durationOf, isActiveStatus, timeOf, type PipelineRunRecord } from './model';

/** The parameters a backfill run carries: its backfill's id and its window (the partition). */
export interface BackfillTagNames {
  backfillId: string;
  windowStart: string;
  windowEnd: string;
}

/** What the generated pipelines declare (src/core/adf/generate/pipeline.ts) and the backfill passes. */
export const DEFAULT_BACKFILL_TAG_NAMES: BackfillTagNames = {
  backfillId: 'backfill_id',
  windowStart: 'window_start',
  windowEnd: 'window_end',
};

export interface BackfillTags {
  backfillId?: string;
  /** The partition: the window, start/end as the run got them. */
  partitionKey?: string;
  windowStart?: string;
  windowEnd?: string;
}

/** A run a backfill journal knows: by run id. */
export interface KnownBackfillRun {
  backfillId: string;
  partitionKey: string;
}

/** The partition key of a window: `start/end`, as the run's parameters give them. */
export function partitionKeyOf(windowStart: string, windowEnd: string): string {
  return `${windowStart}/${windowEnd}`;
}

/**
 * The backfill tags of a run: from a journal that started it, else from its parameters (a run
 * with a window but no backfill id was started by the tumbling-window trigger or by hand).
 * Undefined when the run is not a windowed run at all.
 */
export function backfillTagsOf(
  run: PipelineRunRecord,
  known?: ReadonlyMap<string, KnownBackfillRun>,
  names: BackfillTagNames = DEFAULT_BACKFILL_TAG_NAMES,
): BackfillTags | undefined {
  const journal = known?.get(run.runId);
  const start = nonEmpty(run.parameters[names.windowStart]);
  const end = nonEmpty(run.parameters[names.windowEnd]);
  const id = journal?.backfillId ?? nonEmpty(run.parameters[names.backfillId]);
  const key =
    journal?.partitionKey ?? (start !== undefined && end !== undefined ? partitionKeyOf(start, end) : undefined);
  if (id === undefined && key === undefined) return undefined;
  const tags: BackfillTags = {};
  if (id !== undefined) tags.backfillId = id;
  if (key !== undefined) tags.partitionKey = key;
  if (start !== undefined) tags.windowStart = start;
  if (end !== undefined) tags.windowEnd = end;
  return tags;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}

/** A run and its reruns (recovery runs of the same group). */
export interface RunGroup {
  /** The group's id: the original run's id (ADF's runGroupId). */
  id: string;
  pipelineName: string;
  original: PipelineRunRecord;
  /** Recovery runs, oldest first (the original excluded). */
  reruns: PipelineRunRecord[];
  /** The latest run of the group: its status is the group's. */
  latest: PipelineRunRecord;
  /** The day (YYYY-MM-DD) the original started; 'unknown' when it has no start yet. */
  day: string;
}

export interface RunsDay {
  day: string;
  groups: RunGroup[];
  /** Latest status of each group, counted: { Succeeded: 3, Failed: 1 }. */
  counts: Record<string, number>;
}

export interface PipelineRuns {
  pipelineName: string;
  /** Newest day first. */
  days: RunsDay[];
  /** The newest group's latest run. */
  latest: PipelineRunRecord;
  /** Whether any group is still queued or running. */
  active: boolean;
}

export interface GroupOptions {
  /** Minutes east of UTC for the day boundaries (0: UTC days). */
  utcOffsetMinutes?: number;
}

// Start times parsed once per record (sorting 10,000 runs parses each many times otherwise).
const starts = new WeakMap<PipelineRunRecord, number>();
const startOf = (r: PipelineRunRecord) => {
  let t = starts.get(r);
  if (t === undefined) starts.set(r, (t = timeOf(r.runStart) ?? timeOf(r.lastUpdated) ?? Number.POSITIVE_INFINITY));
  return t;
};
const newestFirst = (a: PipelineRunRecord, b: PipelineRunRecord) =>
  startOf(b) - startOf(a) || (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0);

/**
 * Groups runs by pipeline (by name), then by day (newest first), reruns with their original. A
 * run's group is its runGroupId, or the group of the run it reran (referencePipelineRunId, known
 * when we started it), else its own id.
 */
export function groupRuns(runs: Iterable<PipelineRunRecord>, options: GroupOptions = {}): PipelineRuns[] {
  const byId = new Map<string, PipelineRunRecord>();
  for (const r of runs) byId.set(r.runId, r);
  const groupIdOf = (r: PipelineRunRecord, seen = new Set<string>()): string => {
    if (r.runGroupId) return r.runGroupId;
    const ref = r.referencePipelineRunId ? byId.get(r.referencePipelineRunId) : undefined;
    if (ref && !seen.has(ref.runId)) return groupIdOf(ref, seen.add(r.runId));
    return r.referencePipelineRunId ?? r.runId;
  };
  const members = new Map<string, PipelineRunRecord[]>();
  for (const r of byId.values()) {
    const id = `${r.pipelineName}\u0000${groupIdOf(r)}`;
    const list = members.get(id);
    if (list) list.push(r);
    else members.set(id, [r]);
  }
  const pipelines = new Map<string, Map<string, RunGroup[]>>();
  for (const [key, list] of members) {
    const id = key.slice(key.indexOf('\u0000') + 1);
    list.sort((a, b) => -newestFirst(a, b));
    const original = list.find(r => r.runId === id) ?? list[0]!;
    const reruns = list.filter(r => r !== original);
    // The newest run that says it is the latest: an older record may still say so, because the
    // service does not touch a run's lastUpdated when a rerun takes its place, and incremental
    // refreshes only bring back what was updated.
    let latest = list[list.length - 1]!;
    for (let i = list.length - 1; i >= 0; i--)
      if (list[i]!.isLatest === true) {
        latest = list[i]!;
        break;
      }
    const day = dayOf(original.runStart ?? original.lastUpdated, options.utcOffsetMinutes) ?? 'unknown';
    const group: RunGroup = { id, pipelineName: original.pipelineName, original, reruns, latest, day };
    let days = pipelines.get(group.pipelineName);
    if (!days) pipelines.set(group.pipelineName, (days = new Map()));
    const inDay = days.get(day);
    if (inDay) inDay.push(group);
    else days.set(day, [group]);
  }
  const result: PipelineRuns[] = [];
  for (const [pipelineName, days] of pipelines) {
    const dayList: RunsDay[] = [...days.entries()]
      .map(([day, groups]) => {
        groups.sort((a, b) => newestFirst(a.original, b.original));
        const counts: Record<string, number> = {};
        for (const g of groups) counts[g.latest.status] = (counts[g.latest.status] ?? 0) + 1;
        return { day, groups, counts };
      })
      .sort((a, b) =>
        a.day === b.day ? 0 : a.day === 'unknown' ? -1 : b.day === 'unknown' ? 1 : a.day < b.day ? 1 : -1,
      );
    const newest = dayList[0]!.groups[0]!;
    const active = dayList.some(d => d.groups.some(g => isActiveStatus(g.latest.status)));
    result.push({ pipelineName, days: dayList, latest: newest.latest, active });
  }
  return result.sort((a, b) => newestFirst(a.latest, b.latest) || a.pipelineName.localeCompare(b.pipelineName));
}

/** A run for `lakehouse runs --format json`: id, pipeline, status, times, parameters and backfill tags. */
export interface RunJson {
  runId: string;
  pipeline: string;
  status: string;
  runStart: string | null;
  runEnd: string | null;
  durationMs: number | null;
  parameters: Record<string, string>;
  backfill: BackfillTags | null;
  runGroupId: string | null;
  isLatest: boolean | null;
  message: string | null;
  source: 'service' | 'journal';
}

export function runToJson(
  run: PipelineRunRecord,
  now: number,
  known?: ReadonlyMap<string, KnownBackfillRun>,
  names?: BackfillTagNames,
): RunJson {
  return {
    runId: run.runId,
    pipeline: run.pipelineName,
    status: run.status,
    runStart: run.runStart ?? null,
    runEnd: run.runEnd ?? null,
    durationMs: durationOf(run, now) ?? null,
    parameters: run.parameters,
    backfill: backfillTagsOf(run, known, names) ?? null,
    runGroupId: run.runGroupId ?? null,
    isLatest: run.isLatest ?? null,
    message: run.message ? run.message : null,
    source: run.source ?? 'service',
  };
}
