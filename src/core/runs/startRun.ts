// Starting a run at most once. createRun has no idempotency key, so: one request at a time
// without automatic retries; 429 and "not sent" mean nothing happened (try again, after
// Retry-After); an unclear outcome (5xx, timeout, a reset after sending) means the run may exist,
// so look for it (the pipeline's runs updated since the attempt, matched on what the run was
// started with) before trying again. Query results lag behind new runs: look a bounded number of
// times, waiting between looks, before concluding there is none. A rejection is final.
import { sleep, type Clock } from './clock';
import { AdfCallError, isAdfCallError, messageOf } from './errors';
import { timeOf, type PipelineRunRecord } from './model';
import type { AdfRunsPort, CreateRunRequest } from './ports';
import { CLOCK_SKEW_MS, iso, queryAllRuns, sameParameterValue } from './queries';
import { retryDelayMs, withRetries } from './retry';

/** Steps of a start, for a journal that must record each before the next happens. */
export interface StartJournal {
  /** Before the request is sent (the journal must have it on disk when this resolves). */
  attempt(attempt: number, at: number): Promise<void>;
  created(attempt: number, runId: string, at: number): Promise<void>;
  /** Definitely no run: throttled, not sent, or rejected (retryable false). */
  refused(attempt: number, reason: string, retryable: boolean, at: number): Promise<void>;
  unclear(attempt: number, reason: string, at: number): Promise<void>;
  /** The run of an unclear attempt, found by a query. `others` are further matching runs (duplicates). */
  found(runId: string, others: string[], at: number): Promise<void>;
  /** Looked enough times: the unclear attempts started no run. */
  notFound(at: number): Promise<void>;
}

export interface StartOptions {
  clock: Clock;
  signal?: AbortSignal;
  /** Finds the run an unclear attempt started: a run of the pipeline that `matches`, not one of `exclude`. */
  matches: (run: PipelineRunRecord) => boolean;
  /** Runs that are not the one we look for (earlier runs of the same partition, runs of other partitions). */
  exclude?: ReadonlySet<string>;
  /** Waits between looks after an unclear outcome (query results lag behind new runs); one look more than waits. */
  lookDelaysMs?: readonly number[];
  /** createRun requests in all before giving up. */
  maxAttempts?: number;
  /** Back-off for failures without Retry-After. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  journal?: StartJournal;
  /** An unclear attempt made earlier (say before a restart), at this time: resolved before any new request. */
  unresolvedSince?: number;
  /** Told of each wait on a 429 (progress). */
  onThrottled?: (delayMs: number) => void;
}

export type StartResult =
  | { runId: string; how: 'created' | 'found'; attempts: number; duplicates: string[] }
  | {
      runId?: undefined;
      how: 'notStarted';
      attempts: number;
      reason: string;
      /** Whether the same request may succeed later (after gave-up transient failures), or is refused for good. */
      retryable: boolean;
      /** 'auth': the credentials failed, not the request (sign in, then try again). */
      failure?: 'auth';
    };

export const DEFAULT_LOOK_DELAYS_MS = [5_000, 15_000, 30_000] as const;

const NO_JOURNAL: StartJournal = {
  attempt: async () => undefined,
  created: async () => undefined,
  refused: async () => undefined,
  unclear: async () => undefined,
  found: async () => undefined,
  notFound: async () => undefined,
};

/** Starts one run of `pipelineName`, or finds the one an unclear attempt started; never two. */
export async function startRunOnce(
  port: AdfRunsPort,
  pipelineName: string,
  request: CreateRunRequest,
  options: StartOptions,
): Promise<StartResult> {
  const { clock, signal } = options;
  const journal = options.journal ?? NO_JOURNAL;
  const maxAttempts = options.maxAttempts ?? 8;
  const base = options.baseDelayMs ?? 1000;
  const cap = options.maxDelayMs ?? 60_000;
  let unclearSince = options.unresolvedSince;
  let attempts = 0;
  let transient = 0;
  let lastReason = '';
  for (;;) {
    if (unclearSince !== undefined) {
      const found = await findStartedRun(port, pipelineName, unclearSince, options);
      if (found) {
        await journal.found(found.run.runId, found.others, clock.now());
        return { runId: found.run.runId, how: 'found', attempts, duplicates: found.others };
      }
      await journal.notFound(clock.now());
      unclearSince = undefined;
    }
    if (attempts >= maxAttempts)
      return {
        how: 'notStarted',
        attempts,
        reason: `gave up after ${attempts} attempts: ${lastReason}`,
        retryable: true,
      };
    attempts++;
    const at = clock.now();
    await journal.attempt(attempts, at);
    try {
      const { runId } = await port.createRun(pipelineName, request, signal);
      await journal.created(attempts, runId, clock.now());
      return { runId, how: 'created', attempts, duplicates: [] };
    } catch (e) {
      if (signal?.aborted) throw e;
      lastReason = messageOf(e);
      if (isAdfCallError(e, 'unclear')) {
        await journal.unclear(attempts, lastReason, clock.now());
        unclearSince = at;
        continue;
      }
      if (isAdfCallError(e, 'throttled') || isAdfCallError(e, 'notSent')) {
        await journal.refused(attempts, lastReason, true, clock.now());
        const delay = retryDelayMs(e, ++transient, base, cap);
        if (e.failure === 'throttled') options.onThrottled?.(delay);
        await sleep(clock, delay, signal);
        continue;
      }
      if (isAdfCallError(e, 'auth')) {
        // Nothing started, and nothing is wrong with the request: it may be made again once signed in.
        await journal.refused(attempts, lastReason, true, clock.now());
        return { how: 'notStarted', attempts, reason: lastReason, retryable: false, failure: 'auth' };
      }
      await journal.refused(attempts, lastReason, false, clock.now());
      return { how: 'notStarted', attempts, reason: lastReason, retryable: false };
    }
  }
}

/**
 * The run an attempt made at `since` started, looked for in the pipeline's runs updated since
 * (less the skew), `1 + lookDelaysMs.length` times at most. Several matches: the earliest is the
 * run, the others are reported as duplicates.
 */
export async function findStartedRun(
  port: AdfRunsPort,
  pipelineName: string,
  since: number,
  options: StartOptions,
): Promise<{ run: PipelineRunRecord; others: string[] } | undefined> {
  const delays = options.lookDelaysMs ?? DEFAULT_LOOK_DELAYS_MS;
  for (let look = 0; ; look++) {
    const now = options.clock.now();
    const { runs } = await queryAllRuns(
      port,
      {
        lastUpdatedAfter: iso(since - CLOCK_SKEW_MS),
        lastUpdatedBefore: iso(now + CLOCK_SKEW_MS),
        pipelineNames: [pipelineName],
      },
      { clock: options.clock, signal: options.signal, maxAttempts: 10 },
    );
    const matching = runs
      .filter(r => r.pipelineName === pipelineName && !options.exclude?.has(r.runId))
      .filter(r => (timeOf(r.runStart) ?? Number.POSITIVE_INFINITY) >= since - CLOCK_SKEW_MS)
      .filter(options.matches)
      .sort((a, b) => (timeOf(a.runStart) ?? 0) - (timeOf(b.runStart) ?? 0));
    if (matching.length > 0) return { run: matching[0]!, others: matching.slice(1).map(r => r.runId) };
    if (look >= delays.length) return undefined;
    await sleep(options.clock, delays[look]!, options.signal);
  }
}

/** A run started with these parameters (every one given; the service may report more). */
export function hasParameters(parameters: Record<string, unknown>): (run: PipelineRunRecord) => boolean {
  const entries = Object.entries(parameters);
  return run => entries.every(([k, v]) => sameParameterValue(run.parameters[k], v));
}

export interface TriggerResult {
  runId: string;
  /** True when the request's outcome was unclear and the run was found afterwards. */
  found: boolean;
}

/** Triggers a run with parameters, once (the trigger form's createRun). */
export async function triggerRun(
  port: AdfRunsPort,
  pipelineName: string,
  parameters: Record<string, unknown>,
  options: Omit<StartOptions, 'matches'>,
): Promise<TriggerResult> {
  const result = await startRunOnce(
    port,
    pipelineName,
    { parameters },
    { ...options, matches: hasParameters(parameters) },
  );
  if (result.runId === undefined)
    throw new AdfCallError(
      `Could not start ${pipelineName}: ${result.reason}`,
      result.retryable ? 'unclear' : 'rejected',
    );
  return { runId: result.runId, found: result.how === 'found' };
}

export interface RerunRequest {
  /** The run to rerun. */
  run: PipelineRunRecord;
  /** From the failed activities (default), from a named activity, or the whole pipeline again. */
  from: { kind: 'failure' } | { kind: 'activity'; activityName: string } | { kind: 'start' };
  /** Parameters the caller would like; the reference run's parameters win, so these are only reported. */
  parameters?: Record<string, unknown>;
}

export interface RerunResult {
  runId: string;
  found: boolean;
  /** What the user should know: the reference run's parameters win over new ones. */
  notes: string[];
}

/**
 * Rerun (from failure, from an activity, or from the start) of a run: createRun with
 * referencePipelineRunId and isRecovery, so the new run joins the original's group. The service
 * takes the reference run's parameters whatever else is sent, so new parameters are not sent
 * and a note says which would have been ignored.
 */
export async function rerunRun(
  port: AdfRunsPort,
  rerun: RerunRequest,
  options: Omit<StartOptions, 'matches'>,
): Promise<RerunResult> {
  const { run } = rerun;
  const request: CreateRunRequest = { referencePipelineRunId: run.runId, isRecovery: true };
  if (rerun.from.kind === 'failure') request.startFromFailure = true;
  if (rerun.from.kind === 'activity') request.startActivityName = rerun.from.activityName;
  const notes: string[] = [];
  const differing = Object.entries(rerun.parameters ?? {}).filter(
    ([k, v]) => !sameParameterValue(run.parameters[k], v),
  );
  if (differing.length > 0)
    notes.push(
      `A rerun takes the parameters of run ${run.runId}: ${differing.map(([k]) => k).join(', ')} keep their values from that run. ` +
        `Trigger a new run to use other values.`,
    );
  const group = run.runGroupId ?? run.runId;
  const result = await startRunOnce(port, run.pipelineName, request, {
    ...options,
    matches: r => r.runId !== run.runId && (r.runGroupId === group || r.referencePipelineRunId === run.runId),
  });
  if (result.runId === undefined)
    throw new AdfCallError(
      `Could not rerun ${run.pipelineName} (${run.runId}): ${result.reason}`,
      result.retryable ? 'unclear' : 'rejected',
    );
  return { runId: result.runId, found: result.how === 'found', notes };
}

/** Cancels a run (and, recursive, the child pipelines it started), retried on 429 with Retry-After. */
export async function cancelRun(
  port: AdfRunsPort,
  runId: string,
  options: { clock: Clock; signal?: AbortSignal; recursive?: boolean },
): Promise<void> {
  await withRetries(() => port.cancelRun(runId, { recursive: options.recursive ?? true }, options.signal), options);
}
