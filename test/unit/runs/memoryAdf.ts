// An in-memory Data Factory behind the runs port, for unit tests: runs go Queued → InProgress →
// Succeeded/Failed on the (fake) clock, queries page by 100 with continuation tokens and filter
// on last-updated time, new runs show in queries only after a lag, and faults can be injected per
// call: 429 with Retry-After, an unclear outcome before or after the run is created, a request
// that never left, a definite rejection.
import { AdfCallError } from '../../../src/core/runs/errors';
import type { Clock } from '../../../src/core/runs/clock';
import type { ActivityRunRecord, PipelineRunRecord } from '../../../src/core/runs/model';
import type {
  ActivityRunsPage,
  ActivityRunsQuery,
  AdfRunsPort,
  CreateRunRequest,
  RunsPage,
  RunsQuery,
} from '../../../src/core/runs/ports';
import { seededRandom } from '../../../src/core/text/random';

export type Fault = 'throttle' | 'unclearBefore' | 'unclearAfter' | 'notSent' | 'reject' | 'auth';
export type Operation = 'createRun' | 'queryRuns' | 'getRun' | 'queryActivityRuns' | 'cancelRun';

interface StoredRun {
  runId: string;
  pipelineName: string;
  parameters: Record<string, string>;
  createdAt: number;
  queuedMs: number;
  durationMs: number;
  outcome: 'Succeeded' | 'Failed';
  cancelledAt?: number;
  runGroupId: string;
  referencePipelineRunId?: string;
  request: CreateRunRequest;
}

/** A small seeded random generator, so fault patterns repeat. */
export const seeded = seededRandom;

export interface MemoryAdfOptions {
  /** How long a run is queued, then runs. */
  queuedMs?: number;
  durationMs?: number | ((pipeline: string, parameters: Record<string, string>) => number);
  /** Which runs fail. */
  fails?: (pipeline: string, parameters: Record<string, string>) => boolean;
  /** New runs show in queries only this long after they are created. */
  queryLagMs?: number;
  /** Decides a fault per call (undefined: none). */
  fault?: (operation: Operation, call: number) => Fault | undefined;
  retryAfterMs?: number;
  /** Activity runs per page of queryActivityRuns. */
  activityPageSize?: number;
}

export class MemoryAdf implements AdfRunsPort {
  readonly runs = new Map<string, StoredRun>();
  readonly calls: Record<Operation, number> = {
    createRun: 0,
    queryRuns: 0,
    getRun: 0,
    queryActivityRuns: 0,
    cancelRun: 0,
  };
  readonly faults: { operation: Operation; fault: Fault; at: number }[] = [];
  readonly cancels: { runId: string; recursive: boolean }[] = [];
  readonly createRequests: { pipelineName: string; request: CreateRunRequest; at: number }[] = [];
  private next = 1;

  constructor(
    private readonly clock: Clock,
    private readonly options: MemoryAdfOptions = {},
  ) {}

  /** Adds a run as if someone else had started it at `at`. */
  seed(pipelineName: string, parameters: Record<string, string>, at: number, extra: Partial<StoredRun> = {}): string {
    const runId = `run-${String(this.next++).padStart(5, '0')}`;
    this.runs.set(runId, {
      runId,
      pipelineName,
      parameters,
      createdAt: at,
      queuedMs: this.options.queuedMs ?? 1000,
      durationMs: this.durationOf(pipelineName, parameters),
      outcome: this.options.fails?.(pipelineName, parameters) ? 'Failed' : 'Succeeded',
      runGroupId: runId,
      request: { parameters },
      ...extra,
    });
    return runId;
  }

  private durationOf(pipeline: string, parameters: Record<string, string>): number {
    const d = this.options.durationMs ?? 60_000;
    return typeof d === 'function' ? d(pipeline, parameters) : d;
  }

  private inject(operation: Operation): Fault | undefined {
    const n = ++this.calls[operation];
    const fault = this.options.fault?.(operation, n);
    if (fault) this.faults.push({ operation, fault, at: this.clock.now() });
    if (fault === 'throttle')
      throw new AdfCallError('Too many requests', 'throttled', {
        status: 429,
        retryAfterMs: this.options.retryAfterMs ?? 2000,
      });
    if (fault === 'unclearBefore') throw new AdfCallError('Service unavailable (503)', 'unclear', { status: 503 });
    if (fault === 'notSent') throw new AdfCallError('connect ECONNREFUSED', 'notSent');
    if (fault === 'reject')
      throw new AdfCallError('Bad request (400): parameter x is not valid', 'rejected', { status: 400 });
    if (fault === 'auth') throw new AdfCallError('The token expired (401)', 'auth', { status: 401 });
    return fault;
  }

  record(run: StoredRun): PipelineRunRecord {
    const now = this.clock.now();
    const started = run.createdAt + run.queuedMs;
    const ended = started + run.durationMs;
    let status: string;
    let lastUpdated: number;
    let runEnd: number | undefined;
    if (run.cancelledAt !== undefined && run.cancelledAt < ended && now >= run.cancelledAt) {
      status = 'Cancelled';
      lastUpdated = run.cancelledAt;
      runEnd = run.cancelledAt;
    } else if (now >= ended) {
      status = run.outcome;
      lastUpdated = ended;
      runEnd = ended;
    } else if (now >= started) {
      status = 'InProgress';
      lastUpdated = started;
    } else {
      status = 'Queued';
      lastUpdated = run.createdAt;
    }
    const r: PipelineRunRecord = {
      runId: run.runId,
      pipelineName: run.pipelineName,
      status,
      runStart: new Date(run.createdAt).toISOString(),
      lastUpdated: new Date(lastUpdated).toISOString(),
      parameters: run.parameters,
      runGroupId: run.runGroupId,
      isLatest: ![...this.runs.values()].some(o => o.runGroupId === run.runGroupId && o.createdAt > run.createdAt),
      message:
        status === 'Failed'
          ? `Operation on target copy_new_rows failed: window ${run.parameters.window_start ?? ''}`
          : '',
    };
    if (runEnd !== undefined) {
      r.runEnd = new Date(runEnd).toISOString();
      r.durationMs = runEnd - run.createdAt;
    }
    return r;
  }

  async createRun(pipelineName: string, request: CreateRunRequest): Promise<{ runId: string }> {
    const fault = this.inject('createRun');
    this.createRequests.push({ pipelineName, request, at: this.clock.now() });
    const reference = request.referencePipelineRunId ? this.runs.get(request.referencePipelineRunId) : undefined;
    if (request.referencePipelineRunId && !reference)
      throw new AdfCallError(`Run ${request.referencePipelineRunId} not found (404)`, 'rejected', { status: 404 });
    const parameters: Record<string, string> = {};
    // A reference run's parameters win over new ones, as in ADF.
    const given = reference ? reference.parameters : (request.parameters ?? {});
    for (const [k, v] of Object.entries(given)) parameters[k] = typeof v === 'string' ? v : JSON.stringify(v);
    const runId = this.seed(pipelineName, parameters, this.clock.now(), {
      request,
      ...(reference && request.isRecovery
        ? { runGroupId: reference.runGroupId, referencePipelineRunId: reference.runId }
        : {}),
    });
    if (fault === 'unclearAfter')
      throw new AdfCallError('Internal server error (500) after the run was created', 'unclear', { status: 500 });
    return { runId };
  }

  async queryRuns(query: RunsQuery): Promise<RunsPage> {
    this.inject('queryRuns');
    const now = this.clock.now();
    const after = Date.parse(query.lastUpdatedAfter);
    const before = Date.parse(query.lastUpdatedBefore);
    const lag = this.options.queryLagMs ?? 0;
    let list = [...this.runs.values()]
      .filter(r => now - r.createdAt >= lag)
      .map(r => this.record(r))
      .filter(r => {
        const t = Date.parse(r.lastUpdated!);
        return t >= after && t <= before;
      });
    if (query.pipelineNames) list = list.filter(r => query.pipelineNames!.includes(r.pipelineName));
    if (query.statuses) list = list.filter(r => query.statuses!.includes(r.status));
    if (query.latestOnly) list = list.filter(r => r.isLatest);
    const dir = query.order === 'ASC' ? 1 : -1;
    list.sort((a, b) => dir * (Date.parse(a.runStart!) - Date.parse(b.runStart!)) || (a.runId < b.runId ? -1 : 1));
    const offset = query.continuationToken ? Number(query.continuationToken.slice(4)) : 0;
    const page = list.slice(offset, offset + 100);
    const result: RunsPage = { runs: page };
    if (offset + 100 < list.length) result.continuationToken = `tok-${offset + 100}`;
    return result;
  }

  async getRun(runId: string): Promise<PipelineRunRecord> {
    this.inject('getRun');
    const run = this.runs.get(runId);
    if (!run) throw new AdfCallError(`Pipeline run ${runId} not found (404)`, 'rejected', { status: 404 });
    return this.record(run);
  }

  async queryActivityRuns(runId: string, query: ActivityRunsQuery): Promise<ActivityRunsPage> {
    this.inject('queryActivityRuns');
    const run = this.runs.get(runId);
    if (!run) throw new AdfCallError(`Pipeline run ${runId} not found (404)`, 'rejected', { status: 404 });
    const record = this.record(run);
    const all: ActivityRunRecord[] = [];
    for (let i = 0; i < 7; i++) {
      const failed = record.status === 'Failed' && i === 6;
      const a: ActivityRunRecord = {
        activityRunId: `${runId}-a${i}`,
        activityName: i === 6 ? 'copy_new_rows' : `step_${i}`,
        activityType: i === 6 ? 'Copy' : 'Lookup',
        pipelineRunId: runId,
        status: failed ? 'Failed' : 'Succeeded',
        activityRunStart: new Date(run.createdAt + i * 10).toISOString(),
      };
      if (failed)
        a.error = {
          message: 'The source table is locked',
          errorCode: '2200',
          failureType: 'UserError',
          target: 'copy_new_rows',
        };
      all.push(a);
    }
    const size = this.options.activityPageSize ?? 3;
    const offset = query.continuationToken ? Number(query.continuationToken) : 0;
    const page: ActivityRunsPage = { activityRuns: all.slice(offset, offset + size) };
    if (offset + size < all.length) page.continuationToken = String(offset + size);
    return page;
  }

  async cancelRun(runId: string, options: { recursive: boolean }): Promise<void> {
    this.inject('cancelRun');
    const run = this.runs.get(runId);
    if (!run) throw new AdfCallError(`Pipeline run ${runId} not found (404)`, 'rejected', { status: 404 });
    this.cancels.push({ runId, recursive: options.recursive });
    run.cancelledAt ??= this.clock.now();
  }

  /** Runs per (pipeline, window_start, window_end[, backfill_id]), for exact counts. */
  runsPerWindow(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const r of this.runs.values()) {
      const key = `${r.pipelineName}@${r.parameters.window_start}/${r.parameters.window_end}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  }
}
