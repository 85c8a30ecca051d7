// When the Runs view refreshes by itself: often while runs are queued or in progress, less and
// less often while nothing moves, later still after errors, and never sooner than a 429's
// Retry-After. Every refresh spends monitoring queries from a token bucket sized well inside
// ADF's budget (about 1,000 monitoring queries a minute per factory, shared with ADF Studio and
// everyone else watching) and ARM's read bucket, so a view left open all day costs little.
// Deterministic: time comes from an injected Clock.
import type { Clock, TimerHandle } from './clock';
import { AdfCallError, isAdfCallError } from './errors';

/** A token bucket of queries: `capacity` at most, refilled continuously at `perMinute`. */
export class QueryBudget {
  private tokens: number;
  private at: number;

  constructor(
    private readonly clock: Clock,
    readonly perMinute: number,
    readonly capacity: number = Math.max(1, Math.ceil(perMinute / 4)),
  ) {
    if (!(perMinute > 0) || !(capacity >= 1))
      throw new Error('A query budget needs a positive rate and a capacity of at least 1.');
    this.tokens = capacity;
    this.at = clock.now();
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.at) * this.perMinute) / 60_000);
    this.at = now;
  }

  available(): number {
    this.refill();
    return this.tokens;
  }

  /** Milliseconds until n tokens are there (0 when they are). */
  waitFor(n: number): number {
    this.refill();
    const need = Math.min(n, this.capacity) - this.tokens;
    return need <= 0 ? 0 : Math.ceil((need * 60_000) / this.perMinute);
  }

  /** Spends n tokens (the balance may go below zero: a refresh of many pages is paid for after). */
  spend(n: number): void {
    this.refill();
    this.tokens -= n;
  }
}

export interface RefreshPolicy {
  /** Between refreshes while a run is queued, in progress or cancelling. */
  activeIntervalMs: number;
  /** The first wait once nothing is active; doubles per idle refresh up to maxIdleIntervalMs. */
  idleIntervalMs: number;
  maxIdleIntervalMs: number;
  /** The first wait after an error (not a 429); doubles per error up to maxErrorIntervalMs. */
  errorIntervalMs: number;
  maxErrorIntervalMs: number;
  /** Our share of the monitoring budget (queries a minute), and its burst. */
  queriesPerMinute: number;
  burst: number;
}

/**
 * 5 s while runs move (ADF Studio's Monitor does not refresh by itself at all); 30 s → 5 min when
 * idle; 60 queries a minute at most (6% of ADF's per-factory budget), bursts of 15 (a first load
 * of several pages).
 */
export const DEFAULT_REFRESH_POLICY: RefreshPolicy = {
  activeIntervalMs: 5_000,
  idleIntervalMs: 30_000,
  maxIdleIntervalMs: 300_000,
  errorIntervalMs: 10_000,
  maxErrorIntervalMs: 300_000,
  queriesPerMinute: 60,
  burst: 15,
};

/** What a refresh reports: whether something is still active, and how many queries it made. */
export interface RefreshReport {
  active: boolean;
  queries: number;
}

export type RefreshOutcome =
  | ({ kind: 'ok' } & RefreshReport)
  | { kind: 'throttled'; retryAfterMs?: number; queries: number }
  | { kind: 'error'; error: unknown; queries: number };

export interface SchedulerState {
  idleStreak: number;
  errorStreak: number;
  throttleStreak: number;
  /** No refresh before this time (a Retry-After). */
  notBefore: number;
}

export const INITIAL_SCHEDULER_STATE: SchedulerState = {
  idleStreak: 0,
  errorStreak: 0,
  throttleStreak: 0,
  notBefore: 0,
};

/** The wait after a refresh with this outcome, and the state after it (pure). */
export function nextRefreshDelay(
  state: SchedulerState,
  outcome: RefreshOutcome,
  now: number,
  policy: RefreshPolicy,
): { delayMs: number; state: SchedulerState } {
  if (outcome.kind === 'throttled') {
    const throttleStreak = state.throttleStreak + 1;
    const backoff = Math.min(policy.maxErrorIntervalMs, policy.activeIntervalMs * 2 ** throttleStreak);
    const delayMs = Math.max(outcome.retryAfterMs ?? 0, backoff);
    return { delayMs, state: { ...state, throttleStreak, notBefore: now + (outcome.retryAfterMs ?? 0) } };
  }
  if (outcome.kind === 'error') {
    const errorStreak = state.errorStreak + 1;
    const delayMs = Math.min(policy.maxErrorIntervalMs, policy.errorIntervalMs * 2 ** (errorStreak - 1));
    return { delayMs, state: { ...state, errorStreak } };
  }
  if (outcome.active)
    return { delayMs: policy.activeIntervalMs, state: { ...state, idleStreak: 0, errorStreak: 0, throttleStreak: 0 } };
  const delayMs = Math.min(policy.maxIdleIntervalMs, policy.idleIntervalMs * 2 ** state.idleStreak);
  return { delayMs, state: { ...state, idleStreak: state.idleStreak + 1, errorStreak: 0, throttleStreak: 0 } };
}

/** A refresh function as the scheduler calls it; a thrown AdfCallError 'throttled' counts as a 429. */
export type RefreshFn = () => Promise<RefreshReport>;

/**
 * Calls refresh now and then again and again, each time after nextRefreshDelay and once the
 * budget has the queries the previous refresh needed. One refresh at a time; requestRefresh()
 * (the user's Refresh button) brings the next one forward, within the budget and Retry-After.
 */
export class RefreshScheduler {
  private state: SchedulerState = INITIAL_SCHEDULER_STATE;
  private timer: TimerHandle | undefined;
  private running = false;
  private stopped = true;
  private lastQueries = 1;
  private pendingRequest = false;
  readonly budget: QueryBudget;
  /** When the next refresh is due (for tests and a status line). */
  nextAt: number | undefined;
  /** Refreshes done, and the outcomes (for tests and the log). */
  readonly history: { at: number; outcome: RefreshOutcome['kind']; queries: number }[] = [];

  constructor(
    private readonly refresh: RefreshFn,
    private readonly clock: Clock,
    private readonly policy: RefreshPolicy = DEFAULT_REFRESH_POLICY,
    private readonly onOutcome?: (outcome: RefreshOutcome) => void,
  ) {
    this.budget = new QueryBudget(clock, policy.queriesPerMinute, policy.burst);
  }

  get isRunning(): boolean {
    return !this.stopped;
  }

  /** Refreshes from now on: the first time after firstDelayMs (default at once), within the budget. */
  start(firstDelayMs = 0): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(firstDelayMs);
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
    this.nextAt = undefined;
  }

  /** Refresh as soon as the budget and any Retry-After allow (coalesced with a refresh under way). */
  requestRefresh(): void {
    if (this.stopped) return;
    if (this.running) {
      this.pendingRequest = true;
      return;
    }
    this.state = { ...this.state, idleStreak: 0 };
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    this.timer?.cancel();
    const now = this.clock.now();
    const at = Math.max(now + delayMs, this.state.notBefore, now + this.budget.waitFor(this.lastQueries));
    this.nextAt = at;
    this.timer = this.clock.setTimer(() => void this.fire(), at - now);
  }

  private async fire(): Promise<void> {
    if (this.stopped || this.running) return;
    this.timer = undefined;
    this.nextAt = undefined;
    this.running = true;
    let outcome: RefreshOutcome;
    try {
      const report = await this.refresh();
      outcome = { kind: 'ok', ...report };
    } catch (e) {
      const queries = e instanceof RefreshError ? e.queries : 1;
      const cause = e instanceof RefreshError ? e.error : e;
      outcome = isAdfCallError(cause, 'throttled')
        ? { kind: 'throttled', retryAfterMs: (cause as AdfCallError).retryAfterMs, queries }
        : { kind: 'error', error: cause, queries };
    }
    this.running = false;
    const queries = Math.max(1, outcome.queries);
    this.budget.spend(queries);
    this.lastQueries = queries;
    this.history.push({ at: this.clock.now(), outcome: outcome.kind, queries });
    const next = nextRefreshDelay(this.state, outcome, this.clock.now(), this.policy);
    this.state = next.state;
    this.onOutcome?.(outcome);
    if (this.stopped) return;
    if (this.pendingRequest && outcome.kind === 'ok') {
      this.pendingRequest = false;
      this.schedule(0);
    } else this.schedule(next.delayMs);
  }
}

/** A failed refresh that says how many queries it made before failing. */
export class RefreshError extends Error {
  constructor(
    readonly error: unknown,
    readonly queries: number,
  ) {
    super(error instanceof Error ? error.message : String(error));
  }
}
