// The Runs view's model: runs started since a date, loaded a page at a time (first page first),
// then kept current by incremental refreshes (only the runs updated since the last refresh, less
// an overlap for the service's lag) on the RefreshScheduler's timing; events for changes and for
// runs that failed. No UI here: the editor's TreeDataProvider reads groups() and listens.
import type { Clock } from './clock';
import { Listeners } from './events';
import { FailureDetector, type RunFailedEvent } from './failures';
import { groupRuns, type GroupOptions, type PipelineRuns } from './grouping';
import { isActiveStatus, type ActivityRunRecord, type PipelineRunRecord } from './model';
import type { AdfRunsPort, RunsQuery } from './ports';
import { allActivityRuns, CLOCK_SKEW_MS, iso, runsSinceQuery, startedSince } from './queries';
import {
  DEFAULT_REFRESH_POLICY,
  RefreshError,
  RefreshScheduler,
  type RefreshOutcome,
  type RefreshPolicy,
  type RefreshReport,
} from './scheduler';

export interface RunsMonitorOptions extends GroupOptions {
  clock: Clock;
  /** Show runs started at or after this time (ms). Default: 7 days ago. */
  since?: number;
  pipelineNames?: readonly string[];
  policy?: RefreshPolicy;
  /** How far back each incremental refresh looks past the previous one (the service's lag). */
  overlapMs?: number;
}

export interface RunsChange {
  /** Runs added or changed. */
  changed: PipelineRunRecord[];
  /** True after loadFirstPage (everything before is gone). */
  reset: boolean;
}

export class RunsMonitor {
  readonly onDidChange = new Listeners<RunsChange>();
  readonly onRunFailed = new Listeners<RunFailedEvent>();
  readonly onRefresh = new Listeners<RefreshOutcome>();
  private readonly store = new Map<string, PipelineRunRecord>();
  private readonly clock: Clock;
  private readonly since: number;
  private readonly overlapMs: number;
  private readonly failures: FailureDetector;
  private readonly scheduler: RefreshScheduler;
  private firstQuery: RunsQuery | undefined;
  private nextToken: string | undefined;
  private lastRefreshAt: number | undefined;
  /** Queries made (all kinds), for the budget's tests and the log. */
  queries = 0;

  constructor(
    private readonly port: AdfRunsPort,
    private readonly options: RunsMonitorOptions,
  ) {
    this.clock = options.clock;
    const now = this.clock.now();
    this.since = options.since ?? now - 7 * 86_400_000;
    this.overlapMs = options.overlapMs ?? 120_000;
    this.failures = new FailureDetector(now);
    this.scheduler = new RefreshScheduler(
      () => this.refreshForScheduler(),
      this.clock,
      options.policy ?? DEFAULT_REFRESH_POLICY,
      outcome => this.onRefresh.fire(outcome),
    );
  }

  /** Runs started at or after this time (ms) are shown. */
  get sinceMs(): number {
    return this.since;
  }

  /** The runs known, in no order. */
  runs(): PipelineRunRecord[] {
    return [...this.store.values()];
  }

  get(runId: string): PipelineRunRecord | undefined {
    return this.store.get(runId);
  }

  groups(): PipelineRuns[] {
    return groupRuns(this.store.values(), this.options);
  }

  /** Whether loadMore() has more pages. */
  get hasMore(): boolean {
    return this.nextToken !== undefined;
  }

  /** Whether a run is queued, in progress or cancelling. */
  get active(): boolean {
    for (const r of this.store.values()) if (isActiveStatus(r.status)) return true;
    return false;
  }

  /** The first page (newest first), replacing whatever was loaded. */
  async loadFirstPage(signal?: AbortSignal): Promise<PipelineRunRecord[]> {
    const now = this.clock.now();
    const extra = this.options.pipelineNames ? { pipelineNames: this.options.pipelineNames } : {};
    this.firstQuery = runsSinceQuery(this.since, now, extra);
    this.queries++;
    const page = await this.port.queryRuns(this.firstQuery, signal);
    // Only once the page is here: after a failed first page, the next refresh loads it again
    // (an incremental refresh from a first page that never came would miss the older runs).
    this.lastRefreshAt = now;
    this.store.clear();
    this.nextToken = page.continuationToken || undefined;
    const runs = startedSince(page.runs, this.since);
    for (const r of runs) this.store.set(r.runId, r);
    this.onDidChange.fire({ changed: runs, reset: true });
    this.reportFailures(runs);
    return runs;
  }

  /** The next page of the first query ("Load more"). */
  async loadMore(signal?: AbortSignal): Promise<PipelineRunRecord[]> {
    if (!this.firstQuery) return this.loadFirstPage(signal);
    if (!this.nextToken) return [];
    this.queries++;
    const page = await this.port.queryRuns({ ...this.firstQuery, continuationToken: this.nextToken }, signal);
    this.nextToken = page.continuationToken || undefined;
    return this.merge(page.runs);
  }

  /** Runs updated since the previous refresh (less the overlap), every page; the first page when nothing is loaded. */
  async refresh(signal?: AbortSignal): Promise<RefreshReport> {
    if (this.lastRefreshAt === undefined) {
      await this.loadFirstPage(signal);
      return { active: this.active, queries: 1 };
    }
    const now = this.clock.now();
    const base: RunsQuery = {
      lastUpdatedAfter: iso(Math.max(this.since, this.lastRefreshAt - this.overlapMs)),
      lastUpdatedBefore: iso(now + CLOCK_SKEW_MS),
      ...(this.options.pipelineNames ? { pipelineNames: this.options.pipelineNames } : {}),
    };
    let token: string | undefined;
    let queries = 0;
    const changed: PipelineRunRecord[] = [];
    try {
      do {
        queries++;
        this.queries++;
        const page = await this.port.queryRuns(token ? { ...base, continuationToken: token } : base, signal);
        changed.push(...page.runs);
        token = page.continuationToken || undefined;
      } while (token);
    } catch (e) {
      throw new RefreshError(e, queries);
    }
    this.lastRefreshAt = now;
    this.merge(startedSince(changed, this.since));
    return { active: this.active, queries };
  }

  private async refreshForScheduler(): Promise<RefreshReport> {
    return this.refresh();
  }

  /**
   * Refreshes by itself from now on (see RefreshScheduler for the timing). Nothing loaded yet: at
   * once. Loaded: after the policy's interval for what is shown (a page just loaded is not asked
   * for again at once), unless `firstDelayMs` says when (0: the view came back into sight).
   */
  startLive(options: { firstDelayMs?: number } = {}): void {
    const policy = this.options.policy ?? DEFAULT_REFRESH_POLICY;
    const loadedDelay = this.active ? policy.activeIntervalMs : policy.idleIntervalMs;
    this.scheduler.start(options.firstDelayMs ?? (this.lastRefreshAt === undefined ? 0 : loadedDelay));
  }

  /** Whether it refreshes by itself (startLive, and no stopLive since). */
  get live(): boolean {
    return this.scheduler.isRunning;
  }

  stopLive(): void {
    this.scheduler.stop();
  }

  /** The Refresh button: refresh as soon as the budget allows. */
  requestRefresh(): void {
    if (this.scheduler.isRunning) this.scheduler.requestRefresh();
  }

  /** When the next automatic refresh is due (ms), if live. */
  get nextRefreshAt(): number | undefined {
    return this.scheduler.nextAt;
  }

  get refreshHistory(): RefreshScheduler['history'] {
    return this.scheduler.history;
  }

  /** A run's activity runs (every page), oldest first. */
  async activityRuns(runId: string, signal?: AbortSignal): Promise<ActivityRunRecord[]> {
    const run = this.store.get(runId) ?? { runId };
    this.queries++;
    return allActivityRuns(this.port, run, { clock: this.clock, ...(signal ? { signal } : {}) });
  }

  /** Adds runs known otherwise (a run just triggered, journal runs older than the service keeps). */
  add(runs: readonly PipelineRunRecord[]): void {
    this.merge(runs);
  }

  dispose(): void {
    this.scheduler.stop();
  }

  private merge(runs: readonly PipelineRunRecord[]): PipelineRunRecord[] {
    const changed: PipelineRunRecord[] = [];
    for (const r of runs) {
      const old = this.store.get(r.runId);
      // The service returns a run updated since; our own record (a rerun's reference) is kept.
      const merged =
        old?.referencePipelineRunId && !r.referencePipelineRunId
          ? { ...r, referencePipelineRunId: old.referencePipelineRunId }
          : r;
      if (old && old.status === merged.status && old.lastUpdated === merged.lastUpdated && old.runEnd === merged.runEnd)
        continue;
      this.store.set(r.runId, merged);
      changed.push(merged);
      if (merged.isLatest && merged.runGroupId && merged.runGroupId !== merged.runId) this.supersede(merged);
    }
    if (changed.length > 0) this.onDidChange.fire({ changed, reset: false });
    this.reportFailures(changed);
    return changed;
  }

  /** A rerun is the latest of its group: the others are no longer (the service does not send them again). */
  private supersede(latest: PipelineRunRecord): void {
    for (const [id, other] of this.store)
      if (id !== latest.runId && other.runGroupId === latest.runGroupId && other.isLatest)
        this.store.set(id, { ...other, isLatest: false });
  }

  private reportFailures(runs: readonly PipelineRunRecord[]): void {
    for (const event of this.failures.observe(runs)) this.onRunFailed.fire(event);
  }
}
