// Running a backfill against an in-memory Data Factory on a fake clock, with faults: every test
// counts runs exactly — one run per partition, no duplicates, none lost — under 429s, unclear
// createRun outcomes (before and after the run was created), requests that never left, query lag,
// a kill midway and a resume from the journal; and the concurrency, the queue limit, cancel,
// rerun of failed partitions, a refusal that stops, and a journal that cannot be written.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Backfill, type BackfillOptions, type BackfillProgress } from '../../../src/core/backfill/runner';
import { planBackfill } from '../../../src/core/backfill/plan';
import type { PlanEntry } from '../../../src/core/backfill/journal';
import { replayJournal } from '../../../src/core/backfill/journal';
import { journalRunRecords, knownBackfillRuns, runsOnlyInJournal } from '../../../src/core/backfill/history';
import { AbortedError } from '../../../src/core/runs/clock';
import { FakeClock } from '../helpers/fakeClock';
import { MemoryAdf, seeded, type Fault, type MemoryAdfOptions, type Operation } from '../runs/memoryAdf';
import { MemoryJournalFile } from './memoryJournal';

function makePlan(days: number, concurrency: number, id = 'bf-unit'): PlanEntry {
  const from = Date.UTC(2024, 0, 1);
  return planBackfill({
    from: '2024-01-01',
    to: new Date(from + days * 86_400_000).toISOString().slice(0, 10),
    granularity: 'day',
    concurrency,
    targets: {
      targets: [
        {
          pipeline: 'pl_ingest',
          parameters: { loop_input: [{ schema: 'dbo', table: 'T' }] },
          tables: ['dbo.T'],
          tagsBackfillId: true,
        },
      ],
      notes: [],
      names: { windowStart: 'window_start', windowEnd: 'window_end', backfillId: 'backfill_id', loop: 'loop_input' },
    },
    id,
    now: 0,
  });
}

const FAST: Omit<BackfillOptions, 'clock'> = {
  pollIntervalMs: 5000,
  pollOverlapMs: 10_000,
  lookDelaysMs: [1000, 2000, 4000],
  baseDelayMs: 500,
  maxDelayMs: 8000,
};

/** Faults at these rates per call, from a seeded generator (the same pattern each run). */
function randomFaults(seed: number, rates: Partial<Record<Operation, [Fault, number][]>>) {
  const random = seeded(seed);
  return (operation: Operation): Fault | undefined => {
    const r = random();
    let acc = 0;
    for (const [fault, rate] of rates[operation] ?? []) {
      acc += rate;
      if (r < acc) return fault;
    }
    return undefined;
  };
}

/** The most runs that were queued or running at the same time. */
function maxConcurrent(adf: MemoryAdf): number {
  const events: [number, number][] = [];
  for (const r of adf.runs.values()) {
    const end = Math.min(r.createdAt + r.queuedMs + r.durationMs, r.cancelledAt ?? Number.POSITIVE_INFINITY);
    events.push([r.createdAt, 1], [end, -1]);
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let n = 0;
  let max = 0;
  for (const [, d] of events) max = Math.max(max, (n += d));
  return max;
}

function assertExactlyOnce(adf: MemoryAdf, plan: PlanEntry): void {
  const counts = adf.runsPerWindow();
  const missing = plan.partitions.filter(p => !counts.has(p.key));
  const doubled = [...counts].filter(([, n]) => n > 1);
  assert.deepEqual({ missing: missing.map(p => p.key), doubled }, { missing: [], doubled: [] });
  assert.equal(adf.runs.size, plan.partitions.length);
  for (const r of adf.runs.values()) assert.equal(r.parameters.backfill_id, plan.id);
}

async function setup(
  days: number,
  concurrency: number,
  adfOptions: MemoryAdfOptions = {},
  options: Omit<BackfillOptions, 'clock'> = FAST,
) {
  const clock = new FakeClock();
  const adf = new MemoryAdf(clock, { queuedMs: 1000, durationMs: 60_000, ...adfOptions });
  const file = new MemoryJournalFile();
  const plan = makePlan(days, concurrency);
  const backfill = await Backfill.create(plan, file, adf, { clock, ...options });
  return { clock, adf, file, plan, backfill };
}

describe('backfill runs', () => {
  it('365 days at concurrency 20 with 10% 429s, unclear 5xx before and after the effect, resets and query lag: each partition runs exactly once', async () => {
    const { clock, adf, plan, backfill, file } = await setup(365, 20, {
      retryAfterMs: 3000,
      queryLagMs: 2500,
      fault: randomFaults(7, {
        createRun: [
          ['throttle', 0.1],
          ['unclearAfter', 0.05],
          ['unclearBefore', 0.05],
          ['notSent', 0.02],
        ],
        queryRuns: [['throttle', 0.1]],
        getRun: [['throttle', 0.1]],
      }),
    });
    const progress: BackfillProgress[] = [];
    backfill.onProgress.on(p => progress.push(p));
    const t0 = clock.now();
    const summary = await clock.run(backfill.run());
    assertExactlyOnce(adf, plan);
    assert.deepEqual([summary.succeeded, summary.failed, summary.duplicates, summary.complete], [365, 0, 0, true]);
    assert.ok(maxConcurrent(adf) <= 20, `at most 20 in flight (saw ${maxConcurrent(adf)})`);
    assert.ok(maxConcurrent(adf) >= 18, 'and the concurrency is used');
    const faults = adf.faults.filter(f => f.operation === 'createRun');
    assert.ok(faults.filter(f => f.fault === 'unclearAfter').length >= 5, 'the faults happened');
    assert.ok(faults.filter(f => f.fault === 'throttle').length >= 20);
    // 19 waves of ~61 s; faults and polls add some, not much.
    const makespan = clock.now() - t0;
    assert.ok(makespan < 19 * 61_000 * 1.5, `makespan ${makespan} ms`);
    assert.equal(progress.at(-1)!.fractionDone, 1);
    assert.match(progress.at(-1)!.message, /^365\/365 done · \d+ throttled$/);
    // The journal agrees with memory, and every attempt came before its outcome.
    const replayed = replayJournal(file.text!);
    assert.equal([...replayed.partitions.values()].filter(p => p.status === 'Succeeded').length, 365);
    const seen = new Set<string>();
    for (const e of file.entries()) {
      if (e.t === 'attempt') seen.add(`${e.key}#${e.n}`);
      if (e.t === 'created' || e.t === 'unclear' || e.t === 'refused')
        assert.ok(seen.has(`${e.key}#${e.n}`), `attempt before ${e.t}`);
    }
  });

  it('killed midway (abort), resumed from the journal by a new process: no partition twice, none lost', async () => {
    const { clock, adf, plan, file, backfill } = await setup(60, 8, {
      fault: randomFaults(11, {
        createRun: [
          ['unclearAfter', 0.1],
          ['throttle', 0.1],
        ],
      }),
    });
    const kill = new AbortController();
    const running = backfill.run(kill.signal);
    running.catch(() => undefined);
    await clock.advance(150_000);
    kill.abort();
    await assert.rejects(clock.run(running), AbortedError);
    const startedBeforeKill = adf.runs.size;
    assert.ok(startedBeforeKill > 8 && startedBeforeKill < 60, `${startedBeforeKill} runs before the kill`);
    // Nothing happens after the kill.
    const calls = adf.calls.createRun;
    await clock.advance(600_000);
    assert.equal(adf.calls.createRun, calls);

    const resumed = await Backfill.open(new MemoryJournalFile(file.text), adf, { clock, ...FAST });
    assert.equal(resumed.id, plan.id);
    const summary = await clock.run(resumed.run());
    assertExactlyOnce(adf, plan);
    assert.deepEqual([summary.succeeded, summary.duplicates], [60, 0]);
  });

  it('a kill between the attempt and its outcome: the resume finds the run instead of starting another', async () => {
    const clock = new FakeClock();
    const adf = new MemoryAdf(clock, { queuedMs: 0, durationMs: 10_000 });
    const plan = makePlan(3, 3);
    const p0 = plan.partitions[0]!;
    // The journal has the attempt; the run exists; the outcome never made it to disk.
    const text = [
      JSON.stringify(plan),
      JSON.stringify({ t: 'attempt', key: p0.key, n: 1, at: clock.now() }),
      '{"t":"created","key":"pl_ingest@2024-01-01T00:00:00/2024-01-02T',
    ].join('\n');
    adf.seed(
      'pl_ingest',
      { window_start: p0.windowStart, window_end: p0.windowEnd, backfill_id: plan.id },
      clock.now(),
    );
    await clock.advance(1000);
    const backfill = await Backfill.open(new MemoryJournalFile(text), adf, { clock, ...FAST });
    assert.equal(backfill.state.tornLines, 1);
    const summary = await clock.run(backfill.run());
    assertExactlyOnce(adf, plan);
    assert.equal(adf.calls.createRun, 2, 'only the two other partitions');
    assert.equal(summary.succeeded, 3);
  });

  it('failed partitions: the summary lists them, and "rerun failed" starts exactly those again', async () => {
    let failing = true;
    const bad = new Set(['2024-01-03T00:00:00', '2024-01-07T00:00:00']);
    const { clock, adf, backfill, plan } = await setup(10, 4, {
      fails: (_p, params) => failing && bad.has(params.window_start!),
    });
    const first = await clock.run(backfill.run());
    assert.deepEqual([first.succeeded, first.failed], [8, 2]);
    assert.deepEqual(
      first.partitions.filter(p => p.status === 'failed').map(p => [p.windowStart, p.message]),
      [...bad].map(w => [w, `Operation on target copy_new_rows failed: window ${w}`]),
    );
    failing = false;
    const keys = await backfill.rerunFailed();
    assert.equal(keys.length, 2);
    const second = await clock.run(backfill.run());
    assert.deepEqual([second.round, second.succeeded, second.failed, second.duplicates], [2, 10, 0, 0]);
    assert.equal(adf.runs.size, 12);
    for (const p of second.partitions) assert.equal(p.runIds.length, bad.has(p.windowStart) ? 2 : 1);
    assert.equal(plan.partitions.length, 10);
    assert.deepEqual(await backfill.rerunFailed(), [], 'nothing failed any more');
  });

  it('cancel stops starting partitions; with cancelRuns it cancels the runs in flight (recursively)', async () => {
    const { clock, adf, backfill, plan, file } = await setup(30, 5);
    const running = backfill.run();
    await clock.advance(70_000);
    await backfill.cancel();
    const summary = await clock.run(running);
    const started = adf.runs.size;
    assert.ok(started >= 5 && started < 30);
    assert.equal(summary.cancelRequested, true);
    assert.equal(summary.cancelled, 30 - started);
    assert.equal(summary.running + summary.queued + summary.succeeded, started);
    assert.equal(adf.cancels.length, 0);

    // Resume, then cancel with the runs.
    const resumed = await Backfill.open(new MemoryJournalFile(file.text), adf, { clock, ...FAST });
    const again = resumed.run();
    await clock.advance(100_000);
    const inFlight = [...resumed.state.partitions.values()].filter(p => p.phase === 'started').length;
    assert.ok(inFlight > 0);
    await resumed.cancel({ cancelRuns: true });
    const after = await clock.run(again);
    assert.equal(adf.cancels.length, inFlight);
    assert.ok(adf.cancels.every(c => c.recursive));
    assert.equal(after.running + after.queued, 0);
    assert.equal(after.cancelled, 30 - after.succeeded);
    assert.equal(adf.runs.size, after.succeeded + inFlight, 'no partition started twice');
    assert.equal(plan.partitions.length, 30);
  });

  it('keeps under the queue limit: never more of its runs queued than maxQueuedPerPipeline', async () => {
    const { clock, adf, backfill } = await setup(
      40,
      20,
      { queuedMs: 30_000, durationMs: 5000 },
      { ...FAST, maxQueuedPerPipeline: 6 },
    );
    let maxQueued = 0;
    backfill.onProgress.on(p => (maxQueued = Math.max(maxQueued, p.queued)));
    const summary = await clock.run(backfill.run());
    assert.equal(summary.succeeded, 40);
    assert.equal(adf.runs.size, 40);
    assert.ok(maxQueued <= 6, `queued at most 6 (saw ${maxQueued})`);
  });

  it('a definite refusal (400) stops starting partitions; the runs in flight are still followed', async () => {
    const { clock, adf, backfill } = await setup(10, 1, {
      fault: (op, n) => (op === 'createRun' && n === 3 ? 'reject' : undefined),
    });
    const summary = await clock.run(backfill.run());
    assert.match(summary.stoppedBecause!, /createRun refused: Bad request \(400\)/);
    assert.equal(adf.calls.createRun, 3);
    assert.equal(summary.succeeded, 2);
    assert.equal(summary.failed, 1);
    assert.equal(summary.notStarted, 7);
    assert.equal(summary.complete, false);
  });

  it('credentials refused midway: everything stops at once (runs in flight go on), and a resume finishes exactly once', async () => {
    let expired = false;
    const { clock, adf, backfill, file, plan } = await setup(20, 4, {
      fault: op => (expired && (op === 'createRun' || op === 'queryRuns' || op === 'getRun') ? 'auth' : undefined),
    });
    const running = backfill.run();
    await clock.advance(130_000);
    expired = true;
    const stopped = await clock.run(running);
    assert.match(stopped.stoppedBecause!, /The token expired \(401\) Resume backfill bf-unit once signed in\./);
    const started = adf.runs.size;
    assert.ok(started > 0 && started < 20);
    assert.equal(stopped.failed, 0, 'an auth failure fails no partition');
    expired = false;
    const resumed = await Backfill.open(new MemoryJournalFile(file.text), adf, { clock, ...FAST });
    const done = await clock.run(resumed.run());
    assertExactlyOnce(adf, plan);
    assert.equal(done.succeeded, 20);
    assert.equal(done.stoppedBecause, undefined);
  });

  it('a journal of another factory is not resumed there', async () => {
    const clock = new FakeClock();
    const adf = new MemoryAdf(clock);
    const plan = {
      ...makePlan(2, 1),
      factory: '/subscriptions/a/resourceGroups/rg/providers/Microsoft.DataFactory/factories/dev',
      environment: 'dev',
    };
    const file = new MemoryJournalFile(JSON.stringify(plan) + '\n');
    await assert.rejects(
      Backfill.open(file, adf, {
        clock,
        factory: '/subscriptions/a/resourceGroups/rg/providers/Microsoft.DataFactory/factories/prod',
      }),
      /ran against \/subscriptions\/a\/.*factories\/dev \(dev\), not .*factories\/prod: resume it against that factory/,
    );
    assert.equal((await Backfill.open(file, adf, { clock, factory: plan.factory })).id, plan.id);
  });

  it('a journal that cannot be written: no createRun is sent', async () => {
    const { clock, adf, backfill, file } = await setup(5, 2);
    file.failAppends = new Error('ENOSPC: no space left on device');
    const summary = await clock.run(backfill.run());
    assert.equal(adf.calls.createRun, 0);
    assert.match(summary.stoppedBecause!, /ENOSPC/);
  });

  it('runs older than the service keeps: status Unknown on resume, and the journal gives them to the Runs view', async () => {
    const { clock, adf, backfill, plan } = await setup(3, 3);
    const done = await clock.run(backfill.run());
    assert.equal(done.succeeded, 3);
    // A journal whose run is still in flight when the service forgot it.
    const p0 = plan.partitions[0]!;
    const inFlight = [
      JSON.stringify(plan),
      JSON.stringify({ t: 'attempt', key: p0.key, n: 1, at: 1 }),
      JSON.stringify({ t: 'created', key: p0.key, n: 1, runId: 'run-gone', at: 2 }),
    ].join('\n');
    const gone = await Backfill.open(new MemoryJournalFile(inFlight), adf, { clock, ...FAST });
    const s = await clock.run(gone.run());
    assert.equal(s.partitions[0]!.status, 'unknown');
    assert.match(s.partitions[0]!.message!, /no longer has run run-gone \(it keeps 45 days of history\)/);
    const records = journalRunRecords(gone.state);
    assert.deepEqual(records.find(r => r.runId === 'run-gone')!.status, 'Unknown');
    assert.equal(records[0]!.source, 'journal');
    assert.deepEqual(records[0]!.parameters, {
      window_start: p0.windowStart,
      window_end: p0.windowEnd,
      backfill_id: plan.id,
    });
    const known = knownBackfillRuns([gone.state]);
    assert.deepEqual(known.get('run-gone'), { backfillId: plan.id, partitionKey: `${p0.windowStart}/${p0.windowEnd}` });
    // What the service still has: everything but run-gone.
    const old = runsOnlyInJournal([gone.state, backfill.state], new Set(adf.runs.keys()), clock.now() + 1);
    assert.deepEqual(
      old.map(r => r.runId),
      ['run-gone'],
    );
  });
});
