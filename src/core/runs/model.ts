// Pipeline runs and activity runs as the Runs view, the CLI and the backfill see them: plain,
// JSON-friendly records (times as ISO 8601 text) that the adapter fills from the service and the
// backfill journal fills for runs older than the service keeps.

/** ADF's run statuses; other text is kept as it comes. */
export type RunStatus = 'Queued' | 'InProgress' | 'Succeeded' | 'Failed' | 'Canceling' | 'Cancelled';

export interface RunInvoker {
  name?: string;
  /** Manual, ScheduleTrigger, TumblingWindowTrigger, PipelineActivity, … */
  type?: string;
  /** For a child run: the pipeline and run that started it. */
  pipelineName?: string;
  pipelineRunId?: string;
}

export interface PipelineRunRecord {
  runId: string;
  pipelineName: string;
  status: RunStatus | string;
  runStart?: string;
  runEnd?: string;
  lastUpdated?: string;
  durationMs?: number;
  /** As the service returns them: each value as text. */
  parameters: Record<string, string>;
  message?: string;
  /** Correlates a run and its recovery runs (rerun from failure). */
  runGroupId?: string;
  /** Whether this is the latest run of its group. */
  isLatest?: boolean;
  invokedBy?: RunInvoker;
  /** The run this one reran, when we started it (the service does not return it). */
  referencePipelineRunId?: string;
  /** 'journal' for a run known only from a backfill journal (older than the service's 45 days of history). */
  source?: 'service' | 'journal';
}

export interface ActivityRunError {
  message: string;
  errorCode?: string;
  failureType?: string;
  target?: string;
}

export interface ActivityRunRecord {
  activityRunId: string;
  activityName: string;
  activityType?: string;
  pipelineRunId: string;
  status: string;
  activityRunStart?: string;
  activityRunEnd?: string;
  durationMs?: number;
  error?: ActivityRunError;
  input?: unknown;
  output?: unknown;
}

/** How long ADF keeps run history: older runs come from our journal or not at all. */
export const ADF_RUN_HISTORY_DAYS = 45;

const ACTIVE = new Set(['queued', 'inprogress', 'canceling']);
const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

/** Queued, InProgress or Canceling: the run may still change. */
export function isActiveStatus(status: string): boolean {
  return ACTIVE.has(status.toLowerCase());
}

/** Succeeded, Failed or Cancelled. */
export function isTerminalStatus(status: string): boolean {
  return TERMINAL.has(status.toLowerCase());
}

export function isFailedStatus(status: string): boolean {
  return status.toLowerCase() === 'failed';
}

/** A status in one of a few kinds (what an icon shows). */
export type StatusKind = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelling' | 'cancelled' | 'unknown';

export function statusKind(status: string): StatusKind {
  switch (status.toLowerCase()) {
    case 'queued':
      return 'queued';
    case 'inprogress':
      return 'running';
    case 'succeeded':
      return 'succeeded';
    case 'failed':
      return 'failed';
    case 'canceling':
      return 'cancelling';
    case 'cancelled':
      return 'cancelled';
    default:
      return 'unknown';
  }
}

export function timeOf(iso: string | undefined): number | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : undefined;
}

/** The run's duration: the service's figure, else end − start, else (for an active run) now − start. */
export function durationOf(run: PipelineRunRecord, now: number): number | undefined {
  if (run.durationMs !== undefined && run.durationMs >= 0 && !isActiveStatus(run.status)) return run.durationMs;
  const start = timeOf(run.runStart);
  if (start === undefined) return run.durationMs;
  const end = timeOf(run.runEnd) ?? (isActiveStatus(run.status) ? now : undefined);
  return end === undefined ? run.durationMs : Math.max(0, end - start);
}

/** 850 ms, 42 s, 3 min 05 s, 2 h 07 min, 3 d 4 h. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} h ${String(m % 60).padStart(2, '0')} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** The calendar day (YYYY-MM-DD) of an instant, at a fixed offset from UTC (minutes east; 0 = UTC). */
export function dayOf(iso: string | undefined, utcOffsetMinutes = 0): string | undefined {
  const t = timeOf(iso);
  if (t === undefined) return undefined;
  return new Date(t + utcOffsetMinutes * 60_000).toISOString().slice(0, 10);
}

/** Why a run failed, in one line: its own message, else the first failed activity's error. */
export function failureMessageOf(run: PipelineRunRecord, activities: readonly ActivityRunRecord[] = []): string {
  const own = run.message?.trim();
  if (own) return own;
  const failed = activities.find(a => isFailedStatus(a.status) && a.error?.message);
  if (failed) return `${failed.activityName}: ${failed.error!.message}`;
  return 'The run failed without a message.';
}
