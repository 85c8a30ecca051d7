// A backfill's summary: per partition what happened (succeeded, failed, cancelled, still running,
// not started), counts, duplicates (runs found beyond one per attempt: zero is the design's
// promise), and why it stopped early if it did.
import { GONE_STATUS, type BackfillState, type PartitionState } from './journal';

export type PartitionOutcome = 'succeeded' | 'failed' | 'cancelled' | 'running' | 'queued' | 'notStarted' | 'unknown';

export interface PartitionSummary {
  key: string;
  pipeline: string;
  windowStart: string;
  windowEnd: string;
  status: PartitionOutcome;
  /** The current round's run. */
  runId?: string;
  /** Every run of the partition, all rounds. */
  runIds: string[];
  round: number;
  attempts: number;
  message?: string;
  duplicates: string[];
}

export interface BackfillSummary {
  id: string;
  environment?: string;
  round: number;
  total: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  running: number;
  queued: number;
  notStarted: number;
  unknown: number;
  /** Runs beyond one per partition and round that were found (duplicates). */
  duplicates: number;
  /** Every partition ended (succeeded, failed, cancelled or unknown). */
  complete: boolean;
  cancelRequested: boolean;
  stoppedBecause?: string;
  partitions: PartitionSummary[];
}

function outcomeOf(p: PartitionState, cancelled: boolean): PartitionOutcome {
  switch (p.phase) {
    case 'done':
      if (p.status === 'Succeeded') return 'succeeded';
      if (p.status === 'Cancelled') return 'cancelled';
      if (p.status === GONE_STATUS) return 'unknown';
      return 'failed';
    case 'started':
      return p.status === 'Queued' ? 'queued' : 'running';
    case 'refused':
      return 'failed';
    default:
      return cancelled ? 'cancelled' : 'notStarted';
  }
}

/** The counts of the summary without building it (progress events, many a second). */
export function countOutcomes(state: BackfillState): Record<PartitionOutcome, number> & { total: number } {
  const counts = { succeeded: 0, failed: 0, cancelled: 0, running: 0, queued: 0, notStarted: 0, unknown: 0, total: 0 };
  for (const p of state.partitions.values()) {
    counts[outcomeOf(p, state.cancelled)]++;
    counts.total++;
  }
  return counts;
}

export function summarize(state: BackfillState, gaveUp: ReadonlyMap<string, string> = new Map()): BackfillSummary {
  const partitions: PartitionSummary[] = [];
  const counts: Record<PartitionOutcome, number> = {
    succeeded: 0,
    failed: 0,
    cancelled: 0,
    running: 0,
    queued: 0,
    notStarted: 0,
    unknown: 0,
  };
  let duplicates = 0;
  for (const p of state.partitions.values()) {
    const status = outcomeOf(p, state.cancelled);
    counts[status]++;
    duplicates += p.duplicates.length;
    const s: PartitionSummary = {
      key: p.key,
      pipeline: p.pipeline,
      windowStart: p.windowStart,
      windowEnd: p.windowEnd,
      status,
      runIds: [...p.runIds],
      round: p.round,
      attempts: p.attempts,
      duplicates: [...p.duplicates],
    };
    if (p.runId) s.runId = p.runId;
    const message =
      p.message ??
      gaveUp.get(p.key) ??
      (p.phase === 'unclear' ? 'A createRun had an unclear outcome; its run is looked for on resume.' : undefined);
    if (message) s.message = message;
    partitions.push(s);
  }
  const summary: BackfillSummary = {
    id: state.plan.id,
    round: state.round,
    total: partitions.length,
    ...counts,
    duplicates,
    complete: counts.running + counts.queued + counts.notStarted === 0,
    cancelRequested: state.cancelled,
    partitions,
  };
  if (state.plan.environment !== undefined) summary.environment = state.plan.environment;
  if (state.stoppedBecause !== undefined) summary.stoppedBecause = state.stoppedBecause;
  return summary;
}

/** The summary in a few lines for the log and the CLI. */
export function formatSummary(s: BackfillSummary, maxListed = 20): string {
  const lines = [
    `Backfill ${s.id}${s.environment ? ` on ${s.environment}` : ''} (round ${s.round}): ${s.total} partition(s): ` +
      `${s.succeeded} succeeded, ${s.failed} failed, ${s.cancelled} cancelled` +
      (s.running + s.queued > 0 ? `, ${s.running + s.queued} still running` : '') +
      (s.notStarted > 0 ? `, ${s.notStarted} not started` : '') +
      (s.unknown > 0 ? `, ${s.unknown} unknown (older than the service's history)` : '') +
      (s.duplicates > 0 ? `; ${s.duplicates} duplicate run(s) found` : '') +
      '.',
  ];
  if (s.stoppedBecause) lines.push(`Stopped: ${s.stoppedBecause}`);
  const notable = s.partitions.filter(p => p.status !== 'succeeded');
  for (const p of notable.slice(0, maxListed))
    lines.push(
      `  ${p.status.padEnd(10)} ${p.key}${p.runId ? ` run ${p.runId}` : ''}${p.message ? `: ${p.message}` : ''}`,
    );
  if (notable.length > maxListed) lines.push(`  … and ${notable.length - maxListed} more`);
  if (!s.complete) lines.push(`Resume: lakehouse backfill resume ${s.id}`);
  if (s.failed + s.cancelled + s.unknown > 0)
    lines.push(`Rerun the failed partitions: lakehouse backfill rerun-failed ${s.id}`);
  return lines.join('\n');
}
