// What the journals tell the Runs view and `lakehouse runs`: which runs belong to which backfill
// and partition (tags for runs that do not carry the backfill id as a parameter), and the runs
// themselves once the service has forgotten them (it keeps 45 days of history).
import { partitionKeyOf, type KnownBackfillRun } from '../runs/grouping';
import type { PipelineRunRecord } from '../runs/model';
import { replayJournal, type BackfillState, type JournalFolder } from './journal';
import { runParametersOf } from './plan';

/** By run id: the backfill and partition (window) of every run in these journals. */
export function knownBackfillRuns(states: Iterable<BackfillState>): Map<string, KnownBackfillRun> {
  const known = new Map<string, KnownBackfillRun>();
  for (const state of states)
    for (const p of state.partitions.values())
      for (const runId of p.runIds)
        known.set(runId, { backfillId: state.plan.id, partitionKey: partitionKeyOf(p.windowStart, p.windowEnd) });
  return known;
}

/**
 * The journal's runs as run records (source 'journal'), with the parameters they were started
 * with (the window and the backfill id; a target's large loop array is left out). Times are the
 * journal's: when the run was created or found, and when its end was seen.
 */
export function journalRunRecords(state: BackfillState): PipelineRunRecord[] {
  const out: PipelineRunRecord[] = [];
  const names = state.plan.names;
  for (const run of state.runs.values()) {
    const p = state.partitions.get(run.key);
    if (!p) continue;
    const all = runParametersOf(state.plan, p);
    const parameters: Record<string, string> = {};
    for (const k of [names.windowStart, names.windowEnd, names.backfillId])
      if (typeof all[k] === 'string') parameters[k] = all[k] as string;
    const record: PipelineRunRecord = {
      runId: run.runId,
      pipelineName: p.pipeline,
      status: run.status,
      runStart: new Date(run.startedAt).toISOString(),
      parameters,
      source: 'journal',
    };
    if (run.endedAt !== undefined) record.runEnd = new Date(run.endedAt).toISOString();
    if (run.message) record.message = run.message;
    out.push(record);
  }
  return out;
}

/** Journal runs the service no longer has: older than `cutoff` (ms), and not among the service's runs. */
export function runsOnlyInJournal(
  states: Iterable<BackfillState>,
  serviceRunIds: ReadonlySet<string>,
  cutoff: number,
): PipelineRunRecord[] {
  const out: PipelineRunRecord[] = [];
  for (const state of states)
    for (const r of journalRunRecords(state))
      if (!serviceRunIds.has(r.runId) && Date.parse(r.runStart!) < cutoff) out.push(r);
  return out;
}

/** Every journal in a folder, replayed (newest first); a journal that cannot be read is reported, not thrown. */
export async function readJournals(
  folder: JournalFolder,
): Promise<{ states: BackfillState[]; problems: { id: string; message: string }[] }> {
  const states: BackfillState[] = [];
  const problems: { id: string; message: string }[] = [];
  for (const id of await folder.list()) {
    try {
      const text = await folder.file(id).read();
      if (text === undefined || text.trim() === '') continue;
      states.push(replayJournal(text, `The journal of ${id}`));
    } catch (e) {
      problems.push({ id, message: e instanceof Error ? e.message : String(e) });
    }
  }
  states.sort((a, b) => b.plan.createdAt - a.plan.createdAt);
  return { states, problems };
}
