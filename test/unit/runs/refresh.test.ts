// Live refresh: the scheduler's timing (fast while runs move, backing off when idle or on errors,
// never before a 429's Retry-After), the query budget that keeps a view left open far inside ADF's
// ~1,000 monitoring queries a minute per factory, and the Runs view's model on top: first page,
// load more, incremental refreshes, failure events.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AdfCallError } from '../../../src/core/runs/errors';
import { RunsMonitor } from '../../../src/core/runs/monitor';
import {
  DEFAULT_REFRESH_POLICY,
  INITIAL_SCHEDULER_STATE,
  nextRefreshDelay,
  QueryBudget,
  RefreshScheduler,
  type RefreshReport,
} from '../../../src/core/runs/scheduler';
import type { RunFailedEvent } from '../../../src/core/runs/failures';
import { FakeClock } from '../helpers/fakeClock';
import { MemoryAdf } from './memoryAdf';

const policy = DEFAULT_REFRESH_POLICY;

describe('refresh timing', () => {
  it('fast while active; idle doubles 30 s → 5 min; errors back off; 429 waits at least Retry-After', () => {
    let state = INITIAL_SCHEDULER_STATE;
    const delays: number[] = [];
    const step = (o: Parameters<typeof nextRefreshDelay>[1]) => {
      const next = nextRefreshDelay(state, o, 0, policy);
      state = next.state;
      delays.push(next.delayMs);
    };
    step({ kind: 'ok', active: true, queries: 1 });
    for (let i = 0; i < 6; i++) step({ kind: 'ok', active: false, queries: 1 });
    step({ kind: 'ok', active: true, queries: 1 });
    step({ kind: 'error', error: new Error('x'), queries: 1 });
    step({ kind: 'error', error: new Error('x'), queries: 1 });
    step({ kind: 'throttled', retryAfterMs: 45_000, queries: 1 });
    step({ kind: 'throttled', queries: 1 });
    assert.deepEqual(
      delays,
      [5000, 30_000, 60_000, 120_000, 240_000, 300_000, 300_000, 5000, 10_000, 20_000, 45_000, 20_000],
    );
    assert.equal(state.notBefore, 0 + 0, 'the last 429 had no Retry-After');
  });

  it('the budget refills continuously and says how long to wait', () => {
    const clock = new FakeClock();
    const budget = new QueryBudget(clock, 60, 10);
    assert.equal(budget.available(), 10);
    budget.spend(12);
    assert.equal(budget.waitFor(1), 3000);
    clock.t += 3000;
    assert.ok(Math.abs(budget.available() - 1) < 1e-9);
    assert.throws(() => new QueryBudget(clock, 0), /positive rate/);
  });

  it('a scheduler on a fake clock: refreshes on time, honours Retry-After, requestRefresh comes forward', async () => {
    const clock = new FakeClock();
    const t0 = clock.now();
    const outcomes: (RefreshReport | Error)[] = [
      { active: true, queries: 1 },
      { active: true, queries: 1 },
      new AdfCallError('429', 'throttled', { retryAfterMs: 60_000 }),
      { active: false, queries: 1 },
      { active: false, queries: 1 },
    ];
    const times: number[] = [];
    const scheduler = new RefreshScheduler(async () => {
      times.push(clock.now() - t0);
      const o = outcomes.shift() ?? { active: false, queries: 1 };
      if (o instanceof Error) throw o;
      return o;
    }, clock);
    scheduler.start();
    await clock.advance(0);
    await clock.advance(5000);
    await clock.advance(5000); // the 429
    await clock.advance(59_999);
    assert.deepEqual(times, [0, 5000, 10_000], 'nothing before Retry-After');
    await clock.advance(1);
    assert.deepEqual(times, [0, 5000, 10_000, 70_000]);
    scheduler.requestRefresh();
    await clock.advance(0);
    assert.deepEqual(times, [0, 5000, 10_000, 70_000, 70_000]);
    scheduler.stop();
    await clock.advance(3_600_000);
    assert.equal(times.length, 5);
    assert.equal(clock.pendingTimers, 0);
  });

  it('stays within its budget however often the user presses Refresh and however many pages a refresh reads', async () => {
    const clock = new FakeClock();
    let queries = 0;
    const scheduler = new RefreshScheduler(async () => {
      queries += 8;
      return { active: true, queries: 8 };
    }, clock);
    scheduler.start();
    for (let s = 0; s < 600; s++) {
      scheduler.requestRefresh();
      await clock.advance(1000);
    }
    scheduler.stop();
    // 10 minutes at 60 a minute, plus the first burst of 15.
    assert.ok(queries <= 600 + 15 + 8, `${queries} queries in 10 minutes`);
    assert.ok(queries >= 500, `the budget is used, not wasted (${queries})`);
  });
});

describe('the Runs view model', () => {
  it('first page fast, load more, then incremental refreshes that only read what changed', async () => {
    const clock = new FakeClock();
    const adf = new MemoryAdf(clock, { queuedMs: 0, durationMs: 10 });
    for (let i = 0; i < 230; i++) adf.seed(i % 2 ? 'pl_a' : 'pl_b', {}, clock.now() - 3_600_000 + i * 1000);
    const monitor = new RunsMonitor(adf, { clock, since: clock.now() - 86_400_000 });
    const first = await clock.run(monitor.loadFirstPage());
    assert.equal(first.length, 100);
    assert.equal(monitor.hasMore, true);
    await clock.run(monitor.loadMore());
    await clock.run(monitor.loadMore());
    assert.equal(monitor.runs().length, 230);
    assert.equal(monitor.hasMore, false);
    assert.deepEqual(
      monitor
        .groups()
        .map(g => g.pipelineName)
        .sort(),
      ['pl_a', 'pl_b'],
    );
    const before = adf.calls.queryRuns;
    await clock.advance(300_000);
    const report = await clock.run(monitor.refresh());
    assert.deepEqual(report, { active: false, queries: 1 });
    assert.equal(adf.calls.queryRuns, before + 1, 'one page: nothing changed since');
  });

  it('a run that fails between refreshes gives one failure event with its message', async () => {
    const clock = new FakeClock();
    const adf = new MemoryAdf(clock, { queuedMs: 1000, durationMs: 20_000, fails: p => p === 'pl_bad' });
    const monitor = new RunsMonitor(adf, {
      clock,
      policy: { ...DEFAULT_REFRESH_POLICY, activeIntervalMs: 2000 },
    });
    const failures: RunFailedEvent[] = [];
    monitor.onRunFailed.on(e => failures.push(e));
    let changes = 0;
    monitor.onDidChange.on(() => changes++);
    const good = adf.seed('pl_good', {}, clock.now());
    const bad = adf.seed('pl_bad', { window_start: '2024-01-01T00:00:00' }, clock.now());
    monitor.startLive();
    await clock.advance(10_000);
    assert.equal(monitor.active, true);
    assert.equal(failures.length, 0);
    await clock.advance(20_000);
    assert.equal(monitor.get(good)?.status, 'Succeeded');
    assert.deepEqual(
      failures.map(f => [f.pipelineName, f.runId, f.message]),
      [['pl_bad', bad, 'Operation on target copy_new_rows failed: window 2024-01-01T00:00:00']],
    );
    assert.ok(changes >= 3);
    // Idle now: the next refreshes back off.
    const history = monitor.refreshHistory.length;
    await clock.advance(60_000);
    assert.ok(monitor.refreshHistory.length - history <= 2, 'idle: at most two refreshes a minute');
    monitor.dispose();
    await clock.advance(600_000);
    assert.equal(clock.pendingTimers, 0);
  });

  it('a 429 during live refresh waits Retry-After, then carries on', async () => {
    const clock = new FakeClock();
    let throttle = false;
    const adf = new MemoryAdf(clock, {
      queuedMs: 0,
      durationMs: 600_000,
      retryAfterMs: 30_000,
      fault: op => (op === 'queryRuns' && throttle ? 'throttle' : undefined),
    });
    adf.seed('pl', {}, clock.now());
    const monitor = new RunsMonitor(adf, { clock });
    monitor.startLive();
    await clock.advance(5000);
    throttle = true;
    await clock.advance(5000);
    throttle = false;
    const calls = adf.calls.queryRuns;
    await clock.advance(29_000);
    assert.equal(adf.calls.queryRuns, calls, 'quiet during Retry-After');
    await clock.advance(1000);
    assert.equal(adf.calls.queryRuns, calls + 1);
    monitor.dispose();
  });

  it("a run's activity runs through the model", async () => {
    const clock = new FakeClock();
    const adf = new MemoryAdf(clock, { queuedMs: 0, durationMs: 10, fails: () => true });
    const id = adf.seed('pl', {}, clock.now() - 1000);
    const monitor = new RunsMonitor(adf, { clock });
    await clock.run(monitor.loadFirstPage());
    const acts = await clock.run(monitor.activityRuns(id));
    assert.equal(acts.length, 7);
    assert.equal(acts.filter(a => a.status === 'Failed').length, 1);
  });
});
