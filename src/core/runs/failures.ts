// Failure detection between refreshes: a run that became Failed since we last looked gives one
// event (pipeline, run id, error message) for the editor's notification, the in-editor
// counterpart of the seed's Logic App alert. Runs that had already failed when watching began
// are history, not news.
import { isFailedStatus, timeOf, type PipelineRunRecord } from './model';

export interface RunFailedEvent {
  pipelineName: string;
  runId: string;
  message: string;
  runEnd?: string;
  run: PipelineRunRecord;
}

export class FailureDetector {
  private readonly seen = new Map<string, string>();
  private readonly reported = new Set<string>();

  /** `since`: runs that failed before this time (ms) are not reported even when first seen later. */
  constructor(private readonly since: number) {}

  /** Records the runs' statuses; returns the failures that are new. */
  observe(runs: Iterable<PipelineRunRecord>): RunFailedEvent[] {
    const events: RunFailedEvent[] = [];
    for (const run of runs) {
      const before = this.seen.get(run.runId);
      this.seen.set(run.runId, run.status);
      if (!isFailedStatus(run.status) || this.reported.has(run.runId)) continue;
      const wasOther = before !== undefined && !isFailedStatus(before);
      const failedAt = timeOf(run.runEnd) ?? timeOf(run.lastUpdated);
      const newSinceWatching = before === undefined && failedAt !== undefined && failedAt >= this.since;
      if (!wasOther && !newSinceWatching) continue;
      this.reported.add(run.runId);
      const event: RunFailedEvent = {
        pipelineName: run.pipelineName,
        runId: run.runId,
        message: run.message?.trim() || 'The run failed without a message.',
        run,
      };
      if (run.runEnd) event.runEnd = run.runEnd;
      events.push(event);
    }
    return events;
  }
}
