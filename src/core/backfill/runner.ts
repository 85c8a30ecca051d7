// Running a backfill: partitions started `concurrency` at a time (never more runs in flight,
// never 100 queued runs of one pipeline), each at most once (startRunOnce: the journal has each
// attempt on disk before its createRun, createRun is never retried blindly, an unclear outcome is
// resolved by looking for the run), runs followed by incremental polls (the runs updated since the
// last poll), 429s waited out as Retry-After says. cancel() stops starting partitions (and, if
// asked, cancels the runs in flight); an AbortSignal stops everything at once, as a kill would,
// and open() + run() resumes from the journal. The summary says per partition what happened;
// rerunFailed() starts a new round with exactly the failed partitions.
import { AbortedError, type Clock } from '../runs/clock';
import { isAdfCallError, messageOf } from '../runs/errors';
import { Listeners } from '../runs/events';
import { isTerminalStatus, type PipelineRunRecord } from '../runs/model';
import type { AdfRunsPort } from '../runs/ports';
import { CLOCK_SKEW_MS, iso, queryAllRuns } from '../runs/queries';
import { withRetries } from '../runs/retry';
import { DEFAULT_LOOK_DELAYS_MS, startRunOnce, type StartJournal } from '../runs/startRun';
import {
  applyEntry,
  GONE_STATUS,
  initialState,
  JournalError,
  JournalWriter,
  replayJournal,
  type BackfillState,
  type JournalEntry,
  type JournalFile,
  type PartitionState,
  type PlanEntry,
} from './journal';
import { runParametersOf } from './plan';
import { countOutcomes, summarize, type BackfillSummary } from './summary';

export interface BackfillOptions {
  clock: Clock;
  /** Between polls of the runs in flight. Default 15 s. */
  pollIntervalMs?: number;
  /** Each poll also reads runs updated this long before the previous one (the service's lag). Default 2 min. */
  pollOverlapMs?: number;
  /** Waits between looks for the run of an unclear createRun. Default 5, 15, 30 s. */
  lookDelaysMs?: readonly number[];
  /** A run in flight no poll has shown for this long is read by id. Default 5 min. */
  staleAfterMs?: number;
  /** Start no partition while this many runs of its pipeline are queued (ADF refuses past 100). Default 90. */
  maxQueuedPerPipeline?: number;
  /** createRun requests per partition and round before giving up on it for this session. Default 8. */
  maxAttempts?: number;
  /** Back-off of failures without Retry-After. Defaults 1 s, doubling to 60 s. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** The factory the port talks to (its ARM id): open() refuses a journal of another factory. */
  factory?: string;
}

export interface BackfillProgress {
  id: string;
  round: number;
  total: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  running: number;
  queued: number;
  notStarted: number;
  /** Partitions done (ended in any way) over all, 0…1. */
  fractionDone: number;
  /** 120/365 done · 20 running · 2 failed */
  message: string;
  /** Waits on 429 so far (this session). */
  throttled: number;
  /** The partition that just changed, if one did. */
  partition?: { key: string; status: string };
}

const DEFAULTS = {
  pollIntervalMs: 15_000,
  pollOverlapMs: 120_000,
  staleAfterMs: 300_000,
  maxQueuedPerPipeline: 90,
  maxAttempts: 8,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
};

export class BackfillNotFoundError extends Error {}

export class Backfill {
  readonly onProgress = new Listeners<BackfillProgress>();
  private readonly opts: Required<Omit<BackfillOptions, 'lookDelaysMs'>> & { lookDelaysMs: readonly number[] };
  private running = false;
  private cancelRequested = false;
  private cancelRuns = false;
  private wake: (() => void) | undefined;
  private throttled = 0;
  /** Partitions whose start is under way (createRun or the search after an unclear one). */
  private readonly starting = new Set<string>();
  /** Partitions given up on for this session (their starts kept failing; a resume tries again). */
  private readonly gaveUp = new Map<string, string>();
  /** When each run in flight was last seen in a poll. */
  private readonly lastSeen = new Map<string, number>();
  /** Runs of our pipelines, not ours, seen queued (they count against ADF's 100 queued runs). */
  private readonly othersQueued = new Map<string, Set<string>>();
  private lastPollAt: number | undefined;
  private readonly cancelling = new Set<string>();
  /** Set when the factory cannot be reached any more (credentials gone): stop at once, runs in flight and all. */
  private halted = false;

  private constructor(
    private readonly port: AdfRunsPort,
    readonly state: BackfillState,
    private readonly writer: JournalWriter,
    options: BackfillOptions,
    private readonly resumed: boolean,
  ) {
    this.opts = {
      clock: options.clock,
      factory: options.factory ?? '',
      pollIntervalMs: options.pollIntervalMs ?? DEFAULTS.pollIntervalMs,
      pollOverlapMs: options.pollOverlapMs ?? DEFAULTS.pollOverlapMs,
      lookDelaysMs: options.lookDelaysMs ?? DEFAULT_LOOK_DELAYS_MS,
      staleAfterMs: options.staleAfterMs ?? DEFAULTS.staleAfterMs,
      maxQueuedPerPipeline: options.maxQueuedPerPipeline ?? DEFAULTS.maxQueuedPerPipeline,
      maxAttempts: options.maxAttempts ?? DEFAULTS.maxAttempts,
      baseDelayMs: options.baseDelayMs ?? DEFAULTS.baseDelayMs,
      maxDelayMs: options.maxDelayMs ?? DEFAULTS.maxDelayMs,
    };
  }

  /** A new backfill: its plan written (and on disk) as the journal's first line. */
  static async create(
    plan: PlanEntry,
    file: JournalFile,
    port: AdfRunsPort,
    options: BackfillOptions,
  ): Promise<Backfill> {
    const existing = await file.read();
    if (existing !== undefined && existing.trim() !== '')
      throw new JournalError(`A backfill ${plan.id} exists already; resume it by its id instead.`);
    const writer = new JournalWriter(file, existing);
    await writer.append(plan);
    return new Backfill(port, initialState(plan), writer, options, false);
  }

  /** A backfill from its journal, to resume it (run()), rerun its failed partitions, or show it. */
  static async open(
    file: JournalFile,
    port: AdfRunsPort,
    options: BackfillOptions,
    id = 'the backfill',
  ): Promise<Backfill> {
    const text = await file.read();
    if (text === undefined || text.trim() === '') throw new BackfillNotFoundError(`There is no journal of ${id}.`);
    const state = replayJournal(text, `The journal of ${id}`);
    const planned = state.plan.factory;
    if (planned && options.factory && planned.toLowerCase() !== options.factory.toLowerCase())
      throw new JournalError(
        `Backfill ${state.plan.id} ran against ${planned}${state.plan.environment ? ` (${state.plan.environment})` : ''}, ` +
          `not ${options.factory}: resume it against that factory.`,
      );
    return new Backfill(port, state, new JournalWriter(file, text), options, true);
  }

  get id(): string {
    return this.state.plan.id;
  }

  get isRunning(): boolean {
    return this.running;
  }

  summary(): BackfillSummary {
    return summarize(this.state, this.gaveUp);
  }

  /** Stops starting partitions; with cancelRuns, also cancels the runs in flight (recursively) and waits for them. */
  async cancel(options: { cancelRuns?: boolean } = {}): Promise<void> {
    this.cancelRequested = true;
    this.cancelRuns = options.cancelRuns ?? false;
    await this.record({ t: 'cancel', cancelRuns: this.cancelRuns, at: this.opts.clock.now() });
    this.poke();
  }

  /**
   * A new round with exactly these partitions (default: those that failed, were cancelled or
   * could not start): each gets a new run. Returns their keys; run() runs them.
   */
  async rerunFailed(keys?: readonly string[]): Promise<string[]> {
    if (this.running) throw new Error('The backfill is running; rerun its failed partitions once it ends.');
    const summary = this.summary();
    const chosen =
      keys ??
      summary.partitions
        .filter(p => p.status === 'failed' || p.status === 'cancelled' || p.status === 'unknown')
        .map(p => p.key);
    const unknown = chosen.filter(k => !this.state.partitions.has(k));
    if (unknown.length > 0) throw new JournalError(`No such partition in ${this.id}: ${unknown.join(', ')}.`);
    const busy = chosen.filter(k => this.state.partitions.get(k)!.phase === 'started');
    if (busy.length > 0) throw new JournalError(`These partitions have runs in flight: ${busy.join(', ')}.`);
    if (chosen.length === 0) return [];
    await this.record({ t: 'round', n: this.state.round + 1, keys: [...chosen], at: this.opts.clock.now() });
    this.gaveUp.clear();
    return [...chosen];
  }

  /** Runs (or resumes) the backfill until every partition has ended, or it is cancelled, stopped or aborted. */
  async run(signal?: AbortSignal): Promise<BackfillSummary> {
    if (this.running) throw new Error(`Backfill ${this.id} is running already.`);
    this.running = true;
    this.cancelRequested = false;
    this.cancelRuns = false;
    this.halted = false;
    this.gaveUp.clear();
    const tasks = new Set<Promise<void>>();
    try {
      if (this.resumed || this.state.cancelled || this.state.stoppedBecause !== undefined)
        await this.record({ t: 'resume', at: this.opts.clock.now() });
      await this.refreshResumedRuns(signal);
      this.emit();
      let nextPoll = this.opts.clock.now() + this.opts.pollIntervalMs;
      for (;;) {
        if (signal?.aborted) throw new AbortedError();
        if (this.halted) {
          // Runs in flight go on in the factory; a resume (signed in again) follows them.
          await Promise.allSettled(tasks);
          break;
        }
        if (!this.cancelRequested && this.state.stoppedBecause === undefined) this.startWhatFits(tasks, signal);
        const inFlight = this.inFlight();
        const waitingToStart =
          !this.cancelRequested && this.state.stoppedBecause === undefined && this.startable().length > 0;
        if (this.starting.size === 0) {
          if (inFlight.length === 0 && !waitingToStart) break;
          if (this.cancelRequested && !this.cancelRuns) break;
        }
        if (this.cancelRequested && this.cancelRuns) await this.cancelInFlight(signal);
        const now = this.opts.clock.now();
        if (now >= nextPoll && inFlight.length > 0) {
          // Polls keep their rhythm (from the start of one to the next), a slow or throttled one excepted.
          await this.poll(signal);
          nextPoll = Math.max(now + this.opts.pollIntervalMs, this.opts.clock.now() + this.opts.pollIntervalMs / 4);
          continue;
        }
        await this.waitForEvent(inFlight.length > 0 ? nextPoll - now : this.opts.pollIntervalMs, signal);
      }
    } catch (e) {
      if (signal?.aborted) {
        // A kill: leave the journal as it is (a resume resolves whatever was under way).
        await Promise.allSettled(tasks);
        throw e instanceof AbortedError ? e : new AbortedError();
      }
      throw e;
    } finally {
      this.running = false;
    }
    const summary = this.summary();
    this.emit();
    return summary;
  }

  // ------------------------------------------------------------------------------------------
  // Starting partitions

  /** Partitions that may start now: pending (or unclear: resolved first), not given up on, in plan order. */
  private startable(): PartitionState[] {
    const out: PartitionState[] = [];
    for (const p of this.state.partitions.values())
      if ((p.phase === 'pending' || p.phase === 'unclear') && !this.starting.has(p.key) && !this.gaveUp.has(p.key))
        out.push(p);
    // Unclear partitions first: their runs may exist and count against the concurrency.
    return out.sort((a, b) => Number(b.phase === 'unclear') - Number(a.phase === 'unclear'));
  }

  /** Partitions started and not ended. */
  private inFlight(): PartitionState[] {
    return [...this.state.partitions.values()].filter(p => p.phase === 'started');
  }

  private queuedOf(pipeline: string): number {
    let n = this.othersQueued.get(pipeline)?.size ?? 0;
    for (const p of this.state.partitions.values())
      if (p.pipeline === pipeline && ((p.phase === 'started' && p.status === 'Queued') || this.starting.has(p.key)))
        n++;
    return n;
  }

  private startWhatFits(tasks: Set<Promise<void>>, signal: AbortSignal | undefined): void {
    const limit = this.state.plan.concurrency;
    let used = this.starting.size + this.inFlight().length;
    if (used >= limit) return;
    const queued = new Map<string, number>();
    for (const p of this.startable()) {
      if (used >= limit) return;
      const q = queued.get(p.pipeline) ?? this.queuedOf(p.pipeline);
      queued.set(p.pipeline, q);
      if (q >= this.opts.maxQueuedPerPipeline) continue;
      queued.set(p.pipeline, q + 1);
      used++;
      this.starting.add(p.key);
      const task = this.start(p, signal).finally(() => {
        this.starting.delete(p.key);
        tasks.delete(task);
        this.poke();
      });
      tasks.add(task);
    }
  }

  private async start(p: PartitionState, signal: AbortSignal | undefined): Promise<void> {
    const { clock } = this.opts;
    const plan = this.state.plan;
    const target = plan.targets[p.target]!;
    const names = plan.names;
    const journal: StartJournal = {
      attempt: (_n, at) => this.record({ t: 'attempt', key: p.key, n: p.attempts + 1, at }),
      created: (_n, runId, at) => this.record({ t: 'created', key: p.key, n: p.attempts, runId, at }),
      refused: (_n, reason, retryable, at) =>
        this.record({ t: 'refused', key: p.key, n: p.attempts, reason, retryable, at }),
      unclear: (_n, reason, at) => this.record({ t: 'unclear', key: p.key, n: p.attempts, reason, at }),
      found: (runId, duplicates, at) => this.record({ t: 'found', key: p.key, runId, duplicates, at }),
      notFound: at => this.record({ t: 'notFound', key: p.key, at }),
    };
    const exclude = new Set<string>();
    for (const other of this.state.partitions.values()) for (const r of other.runIds) exclude.add(r);
    try {
      const result = await startRunOnce(
        this.port,
        p.pipeline,
        { parameters: runParametersOf(plan, p) },
        {
          clock,
          ...(signal ? { signal } : {}),
          matches: run =>
            run.parameters[names.windowStart] === p.windowStart &&
            run.parameters[names.windowEnd] === p.windowEnd &&
            (!target.tagsBackfillId || run.parameters[names.backfillId] === plan.id),
          exclude,
          lookDelaysMs: this.opts.lookDelaysMs,
          maxAttempts: this.opts.maxAttempts,
          baseDelayMs: this.opts.baseDelayMs,
          maxDelayMs: this.opts.maxDelayMs,
          journal,
          ...(p.phase === 'unclear' && p.unclearSince !== undefined ? { unresolvedSince: p.unclearSince } : {}),
          onThrottled: () => {
            this.throttled++;
            this.emit();
          },
        },
      );
      if (result.runId !== undefined) {
        this.lastSeen.set(result.runId, clock.now());
        this.emit({ key: p.key, status: result.how === 'found' ? 'found its run' : 'started' });
      } else if (result.failure === 'auth') {
        await this.halt(result.reason);
        this.emit({ key: p.key, status: 'not started' });
      } else if (!result.retryable) {
        await this.record({ t: 'stopped', reason: `${p.key}: createRun refused: ${result.reason}`, at: clock.now() });
        this.emit({ key: p.key, status: 'refused' });
      } else {
        this.gaveUp.set(p.key, result.reason);
        this.emit({ key: p.key, status: 'not started' });
      }
    } catch (e) {
      // Killed: the journal says what was under way; a resume resolves it. (A start never rejects.)
      if (signal?.aborted) return;
      if (isAdfCallError(e, 'auth')) await this.halt(messageOf(e));
      else if (!isAdfCallError(e)) {
        // The journal cannot be written, or something unexpected: starting more would not help.
        await this.stop(`${p.key}: ${messageOf(e)}`);
      } else this.gaveUp.set(p.key, messageOf(e));
      this.emit({ key: p.key, status: 'not started' });
    }
  }

  /** Stops everything now: the factory refuses our credentials. A resume, signed in again, goes on. */
  private async halt(reason: string): Promise<void> {
    if (this.halted) return;
    this.halted = true;
    await this.stop(`${reason} Resume backfill ${this.id} once signed in.`);
    this.poke();
  }

  private async stop(reason: string): Promise<void> {
    try {
      await this.record({ t: 'stopped', reason, at: this.opts.clock.now() });
    } catch {
      this.state.stoppedBecause = reason;
    }
  }

  // ------------------------------------------------------------------------------------------
  // Following runs

  /** After a resume: the runs the journal has in flight, read by id (the poll only sees changes). */
  private async refreshResumedRuns(signal: AbortSignal | undefined): Promise<void> {
    for (const p of this.inFlight()) {
      try {
        const run = await withRetries(() => this.port.getRun(p.runId!, signal), this.retryOptions(signal));
        await this.observe(p, run);
      } catch (e) {
        if (signal?.aborted) throw e;
        if (isAdfCallError(e, 'auth')) return this.halt(messageOf(e));
        if (isAdfCallError(e, 'rejected') && e.status === 404)
          await this.record({
            t: 'status',
            key: p.key,
            runId: p.runId!,
            status: GONE_STATUS,
            message: `The service no longer has run ${p.runId} (it keeps 45 days of history).`,
            at: this.opts.clock.now(),
          });
      }
    }
  }

  private async poll(signal: AbortSignal | undefined): Promise<void> {
    const { clock } = this.opts;
    const inFlight = this.inFlight();
    if (inFlight.length === 0) return;
    const now = clock.now();
    // The first poll reads from the earliest start in flight; later ones from the previous poll.
    const after = (this.lastPollAt ?? Math.min(...inFlight.map(p => p.startedAt ?? now))) - this.opts.pollOverlapMs;
    const pipelines = [...new Set(inFlight.map(p => p.pipeline))];
    let runs: PipelineRunRecord[];
    try {
      ({ runs } = await queryAllRuns(
        this.port,
        { lastUpdatedAfter: iso(after), lastUpdatedBefore: iso(now + CLOCK_SKEW_MS), pipelineNames: pipelines },
        this.retryOptions(signal),
      ));
    } catch (e) {
      if (signal?.aborted) throw e;
      if (isAdfCallError(e, 'auth')) await this.halt(messageOf(e));
      return; // the next poll tries again
    }
    this.lastPollAt = now;
    const byRun = new Map<string, PartitionState>();
    for (const p of inFlight) byRun.set(p.runId!, p);
    // Every change of this poll at once: their journal lines share one write (group commit).
    const writes: Promise<void>[] = [];
    for (const run of runs) {
      const p = byRun.get(run.runId);
      if (p) writes.push(this.observe(p, run));
      else if (!this.state.runs.has(run.runId)) this.noteOthers(run);
    }
    await Promise.all(writes);
    // Runs no poll has shown for a while (the query lagging, or a run not updated): read them by id.
    for (const p of this.inFlight()
      .filter(q => now - (this.lastSeen.get(q.runId!) ?? now) >= this.opts.staleAfterMs)
      .slice(0, 10)) {
      try {
        await this.observe(p, await withRetries(() => this.port.getRun(p.runId!, signal), this.retryOptions(signal)));
      } catch (e) {
        if (signal?.aborted) throw e;
      }
    }
  }

  private noteOthers(run: PipelineRunRecord): void {
    let set = this.othersQueued.get(run.pipelineName);
    if (!set) this.othersQueued.set(run.pipelineName, (set = new Set()));
    if (run.status === 'Queued') set.add(run.runId);
    else set.delete(run.runId);
  }

  private async observe(p: PartitionState, run: PipelineRunRecord): Promise<void> {
    this.lastSeen.set(run.runId, this.opts.clock.now());
    if (run.runId !== p.runId || run.status === p.status) return;
    if (isTerminalStatus(run.status)) {
      const entry: JournalEntry = {
        t: 'status',
        key: p.key,
        runId: run.runId,
        status: run.status,
        at: this.opts.clock.now(),
      };
      if (run.message) entry.message = run.message;
      await this.record(entry);
      this.lastSeen.delete(run.runId);
    } else p.status = run.status;
    this.emit({ key: p.key, status: run.status });
  }

  private async cancelInFlight(signal: AbortSignal | undefined): Promise<void> {
    for (const p of this.inFlight()) {
      if (this.cancelling.has(p.runId!)) continue;
      this.cancelling.add(p.runId!);
      try {
        await withRetries(() => this.port.cancelRun(p.runId!, { recursive: true }, signal), this.retryOptions(signal));
      } catch (e) {
        if (signal?.aborted) throw e;
        this.cancelling.delete(p.runId!); // tried again on the next turn
      }
    }
  }

  // ------------------------------------------------------------------------------------------

  private retryOptions(signal: AbortSignal | undefined) {
    return {
      clock: this.opts.clock,
      ...(signal ? { signal } : {}),
      maxAttempts: 10,
      baseDelayMs: this.opts.baseDelayMs,
      maxDelayMs: this.opts.maxDelayMs,
      onWait: ({ error }: { error: { failure: string } }) => {
        if (error.failure === 'throttled') this.throttled++;
      },
    };
  }

  /** Applies the entry to the state and resolves once it is on disk. */
  private record(entry: JournalEntry): Promise<void> {
    applyEntry(this.state, entry);
    return this.writer.append(entry);
  }

  private poke(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /** Until a start finishes, cancel() is called, or ms pass; rejects at once when the signal fires. */
  private waitForEvent(ms: number, signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(new AbortedError());
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        timer.cancel();
        signal?.removeEventListener('abort', onAbort);
        this.wake = undefined;
      };
      const onAbort = () => {
        done();
        reject(new AbortedError());
      };
      const timer = this.opts.clock.setTimer(
        () => {
          done();
          resolve();
        },
        Math.max(1, ms),
      );
      this.wake = () => {
        done();
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private emit(partition?: { key: string; status: string }): void {
    if (this.onProgress.size === 0) return;
    const c = countOutcomes(this.state);
    const done = c.succeeded + c.failed + c.cancelled + c.unknown;
    const parts = [`${done}/${c.total} done`];
    if (c.running + c.queued > 0) parts.push(`${c.running + c.queued} running`);
    if (c.failed > 0) parts.push(`${c.failed} failed`);
    if (this.throttled > 0) parts.push(`${this.throttled} throttled`);
    const progress: BackfillProgress = {
      id: this.id,
      round: this.state.round,
      total: c.total,
      succeeded: c.succeeded,
      failed: c.failed,
      cancelled: c.cancelled,
      running: c.running,
      queued: c.queued,
      notStarted: c.notStarted,
      fractionDone: c.total === 0 ? 1 : done / c.total,
      message: parts.join(' · '),
      throttled: this.throttled,
    };
    if (partition) progress.partition = partition;
    this.onProgress.fire(progress);
  }
}
