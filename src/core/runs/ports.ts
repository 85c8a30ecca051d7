// What the runs and backfill code needs from Data Factory: one port, implemented over the Azure
// SDK in src/azure/adf/runsClient.ts and in memory by the tests. Every method throws
// AdfCallError (errors.ts) on failure; none retries by itself — the callers decide, because a
// retried createRun can start a second run.
import type { ActivityRunRecord, PipelineRunRecord } from './model';

export interface RunsQuery {
  /** The service filters on the time a run was last updated, not on its start. */
  lastUpdatedAfter: string;
  lastUpdatedBefore: string;
  /** Only these pipelines (PipelineName In …). */
  pipelineNames?: readonly string[];
  /** Only these statuses (Status In …). */
  statuses?: readonly string[];
  /** Only the latest run of each rerun group (LatestOnly). */
  latestOnly?: boolean;
  orderBy?: 'RunStart' | 'RunEnd' | 'PipelineName' | 'Status';
  order?: 'ASC' | 'DESC';
  /** From the previous page of the same query. */
  continuationToken?: string;
}

export interface RunsPage {
  runs: PipelineRunRecord[];
  continuationToken?: string;
}

export interface ActivityRunsQuery {
  lastUpdatedAfter: string;
  lastUpdatedBefore: string;
  continuationToken?: string;
}

export interface ActivityRunsPage {
  activityRuns: ActivityRunRecord[];
  continuationToken?: string;
}

export interface CreateRunRequest {
  /** The run's parameters (values as JSON values: text, numbers, booleans, arrays, objects). */
  parameters?: Record<string, unknown>;
  /** Rerun: the run whose parameters the new run takes (they win over `parameters`). */
  referencePipelineRunId?: string;
  /** Rerun from failure: the new run joins the reference run's group. */
  isRecovery?: boolean;
  /** In recovery mode, start from this activity. */
  startActivityName?: string;
  /** In recovery mode, start from the failed activities (when no startActivityName). */
  startFromFailure?: boolean;
}

export interface AdfRunsPort {
  /** One page of pipeline runs (at most 100). */
  queryRuns(query: RunsQuery, signal?: AbortSignal): Promise<RunsPage>;
  getRun(runId: string, signal?: AbortSignal): Promise<PipelineRunRecord>;
  /** One page of a run's activity runs. */
  queryActivityRuns(runId: string, query: ActivityRunsQuery, signal?: AbortSignal): Promise<ActivityRunsPage>;
  /** Exactly one request: never retried by the port, whatever happens. */
  createRun(pipelineName: string, request: CreateRunRequest, signal?: AbortSignal): Promise<{ runId: string }>;
  cancelRun(runId: string, options: { recursive: boolean }, signal?: AbortSignal): Promise<void>;
}
