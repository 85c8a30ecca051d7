// What `lakehouse runs` prints: the runs grouped by pipeline, day and rerun group (text), or the
// JSON contract below (version 1; test/unit/cli/runsReport.test.ts pins it). Fields are only
// added in later versions, never renamed or removed; a breaking change bumps `version`.
import { groupRuns, runToJson, type KnownBackfillRun, type RunJson } from '../../core/runs/grouping';
import { durationOf, formatDuration, type PipelineRunRecord } from '../../core/runs/model';

/**
 * `lakehouse runs --format json`:
 *
 * - `runs`: every run, newest first, each with its id, pipeline, status, times, parameters (as
 *   the service reports them: text), its backfill tags (`backfill: { backfillId, partitionKey,
 *   windowStart, windowEnd }` or null), its rerun group and `source` ('service', or 'journal' for
 *   a backfill run older than the service's 45 days of history);
 * - `pipelines`: the same runs grouped by pipeline → day (UTC, newest first) → rerun group (a run
 *   and its reruns), by run id;
 * - `warnings`: what could not be read (a damaged journal), said plainly.
 */
export interface RunsReportJson {
  version: 1;
  environment: string;
  /** "local emulator", or "dev (Azure)". */
  target: string;
  factory: string;
  /** The runs started at or after this time (ISO 8601, UTC). */
  since: string;
  /** When the report was made. */
  until: string;
  filters: { pipelines: string[]; statuses: string[] };
  count: number;
  runs: RunJson[];
  pipelines: PipelineGroupJson[];
  warnings: string[];
}

export interface PipelineGroupJson {
  pipeline: string;
  /** Some run of it is queued or in progress. */
  active: boolean;
  days: {
    /** YYYY-MM-DD (UTC); 'unknown' for runs without a start yet. */
    day: string;
    /** The latest status of each rerun group, counted. */
    counts: Record<string, number>;
    groups: {
      /** The original run's id (ADF's runGroupId). */
      groupId: string;
      /** The latest run's status: the group's. */
      status: string;
      /** The original first, then its reruns, oldest first. */
      runIds: string[];
    }[];
  }[];
}

export interface RunsReportInput {
  environment: string;
  target: string;
  factory: string;
  since: number;
  now: number;
  pipelines: readonly string[];
  statuses: readonly string[];
  runs: readonly PipelineRunRecord[];
  /** Runs the backfill journals know (their tags when the run does not carry the backfill id). */
  known?: ReadonlyMap<string, KnownBackfillRun>;
  warnings?: readonly string[];
}

const newestFirst = (a: RunJson, b: RunJson) =>
  (b.runStart ?? '').localeCompare(a.runStart ?? '') || a.runId.localeCompare(b.runId);

export function runsReportJson(input: RunsReportInput): RunsReportJson {
  const runs = input.runs.map(r => runToJson(r, input.now, input.known)).sort(newestFirst);
  return {
    version: 1,
    environment: input.environment,
    target: input.target,
    factory: input.factory,
    since: new Date(input.since).toISOString(),
    until: new Date(input.now).toISOString(),
    filters: { pipelines: [...input.pipelines], statuses: [...input.statuses] },
    count: runs.length,
    runs,
    pipelines: groupRuns(input.runs).map(p => ({
      pipeline: p.pipelineName,
      active: p.active,
      days: p.days.map(d => ({
        day: d.day,
        counts: d.counts,
        groups: d.groups.map(g => ({
          groupId: g.id,
          status: g.latest.status,
          runIds: [g.original.runId, ...g.reruns.map(r => r.runId)],
        })),
      })),
    })),
    warnings: [...(input.warnings ?? [])],
  };
}

/** The same, for people: pipelines → days → runs (reruns indented under their original). */
export function runsReportText(input: RunsReportInput): string {
  const lines: string[] = [];
  const tagOf = (r: PipelineRunRecord) => runToJson(r, input.now, input.known).backfill;
  const line = (r: PipelineRunRecord, indent: string) => {
    const tag = tagOf(r);
    const start = r.runStart ? r.runStart.slice(11, 19) : 'not started';
    const duration = formatDuration(durationOf(r, input.now));
    const parts = [
      `${indent}${r.status.padEnd(10)} ${start}  ${duration.padEnd(12)} ${r.runId}`,
      tag?.backfillId ? `backfill ${tag.backfillId}` : '',
      tag?.partitionKey ? `window ${tag.partitionKey}` : '',
      r.source === 'journal' ? '(from the journal)' : '',
      r.message ? `message: ${oneLine(r.message)}` : '',
    ];
    lines.push(parts.filter(Boolean).join('  '));
  };
  for (const p of groupRuns(input.runs)) {
    lines.push(p.pipelineName);
    for (const d of p.days) {
      const counts = Object.entries(d.counts)
        .map(([status, n]) => `${n} ${status}`)
        .join(', ');
      lines.push(`  ${d.day}  ${counts}`);
      for (const g of d.groups) {
        line(g.original, '    ');
        for (const r of g.reruns) line(r, '      rerun ');
      }
    }
  }
  const filters = [
    input.pipelines.length ? `pipeline ${input.pipelines.join(', ')}` : '',
    input.statuses.length ? `status ${input.statuses.join(', ')}` : '',
  ].filter(Boolean);
  lines.push(
    `${input.runs.length} run(s) started since ${new Date(input.since).toISOString().slice(0, 19)}Z on ${input.target}` +
      `${filters.length ? ` (${filters.join('; ')})` : ''}.`,
  );
  return `${lines.join('\n')}\n`;
}

function oneLine(text: string, max = 160): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}
