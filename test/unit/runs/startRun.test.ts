// Queries over the runs port (continuation tokens, "since" widened on last-updated time, activity
// runs paged by hand), retries that honour Retry-After, and starting a run at most once: an
// unclear createRun is resolved by looking for its run (query results lag: look again, a bounded
// number of times) before a new request; a rerun keeps the reference run's parameters.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AdfCallError } from '../../../src/core/runs/errors';
import { allActivityRuns, listRunsSince, queryAllRuns, sameParameterValue } from '../../../src/core/runs/queries';
import { withRetries } from '../../../src/core/runs/retry';
import { cancelRun, rerunRun, startRunOnce, triggerRun, type StartJournal } from '../../../src/core/runs/startRun';
import { FakeClock } from '../helpers/fakeClock';
import { MemoryAdf, type Fault, type Operation } from './memoryAdf';

const faultsOn =
  (operation: Operation, plan: Record<number, Fault>) =>
  (op: Operation, n: number): Fault | undefined =>
    op === operation ? plan[n] : undefined;

describe('run queries', () => {
  it('reads every page through continuation tokens (250 runs: 3 pages)', async () => {
    const clock = new FakeClock();
    const adf = new MemoryAdf(clock);
    for (let i = 0; i < 250; i++) adf.seed('pl', { i: String(i) }, clock.now() - i * 1000, { durationMs: 10 });
    const pages: number[] = [];
    const result = await clock.run(
      queryAllRuns(
        adf,
        { lastUpdatedAfter: new Date(0).toISOString(), lastUpdatedBefore: new Date(clock.now() + 1e7).toISOString() },
        { clock, onPage: p => pages.push(p.runs.length) },
      ),
    );
    assert.equal(result.runs.length, 250);
    assert.equal(new Set(result.runs.map(r => r.runId)).size, 250);
    assert.deepEqual(pages, [100, 100, 50]);
    assert.equal(adf.calls.queryRuns, 3);
  });

  it('"since D" asks for runs updated since D and keeps those that started since D', async () => {
    const clock = new FakeClock();
    const adf = new MemoryAdf(clock, { queuedMs: 0 });
    const since = clock.now() - 3_600_000;
    // Started before D, still updated after it (a long run): the service returns it; we drop it.
    adf.seed('pl', {}, since - 60_000, { durationMs: 2 * 3_600_000 });
    const kept = adf.seed('pl', {}, since + 60_000, { durationMs: 1000 });
    adf.seed('pl', {}, since - 7_200_000, { durationMs: 1000 }); // ended before D: not returned at all
    const runs = await clock.run(listRunsSince(adf, since, { clock }));
    assert.deepEqual(
      runs.map(r => r.runId),
      [kept],
    );
  });

  it("a run's activity runs, every page, oldest first", async () => {
    const clock = new FakeClock();
    const adf = new MemoryAdf(clock, { activityPageSize: 2, fails: () => true, durationMs: 10, queuedMs: 0 });
    const runId = adf.seed('pl', {}, clock.now() - 60_000);
    const activities = await clock.run(
      allActivityRuns(adf, { runId, runStart: new Date(clock.now() - 60_000).toISOString() }, { clock }),
    );
    assert.equal(activities.length, 7);
    assert.equal(adf.calls.queryActivityRuns, 4);
    assert.equal(activities[6]!.error?.message, 'The source table is locked');
  });

  it('parameters compare as the service reports them (text) against what was sent (JSON)', () => {
    assert.equal(sameParameterValue('abc', 'abc'), true);
    assert.equal(sameParameterValue('42', 42), true);
    assert.equal(sameParameterValue('true', true), true);
    assert.equal(sameParameterValue('[{"b":1,"a":2}]', [{ a: 2, b: 1 }]), true);
    assert.equal(sameParameterValue('[1]', [2]), false);
    assert.equal(sameParameterValue(undefined, 'x'), false);
  });
});

describe('retries of idempotent calls', () => {
  it('waits exactly Retry-After on 429, backs off on 5xx, and does not retry a rejection', async () => {
    const clock = new FakeClock();
    const waits: number[] = [];
    let n = 0;
    const t0 = clock.now();
    const value = await clock.run(
      withRetries(
        async () => {
          n++;
          if (n === 1) throw new AdfCallError('slow down', 'throttled', { retryAfterMs: 7000 });
          if (n === 2) throw new AdfCallError('503', 'unclear');
          return 'ok';
        },
        { clock, baseDelayMs: 500, onWait: w => waits.push(w.delayMs) },
      ),
    );
    assert.equal(value, 'ok');
    assert.deepEqual(waits, [7000, 1000]);
    assert.equal(clock.now() - t0, 8000);
    let calls = 0;
    await assert.rejects(
      clock.run(
        withRetries(
          async () => {
            calls++;
            throw new AdfCallError('400', 'rejected');
          },
          { clock },
        ),
      ),
      /400/,
    );
    assert.equal(calls, 1);
  });
});

function recordingJournal(): StartJournal & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    attempt: async n => void lines.push(`attempt ${n}`),
    created: async (n, runId) => void lines.push(`created ${n} ${runId}`),
    refused: async (n, _reason, retryable) => void lines.push(`refused ${n} ${retryable ? 'retryable' : 'final'}`),
    unclear: async n => void lines.push(`unclear ${n}`),
    found: async (runId, others) => void lines.push(`found ${runId}${others.length ? ` +${others.length}` : ''}`),
    notFound: async () => void lines.push('notFound'),
  };
}

describe('starting a run at most once', () => {
  const params = { window_start: '2024-01-01T00:00:00', window_end: '2024-01-02T00:00:00' };

  it('a 5xx after the run was created: the run is found, no second createRun', async () => {
    const clock = new FakeClock();
    const adf = new MemoryAdf(clock, { fault: faultsOn('createRun', { 1: 'unclearAfter' }) });
    const journal = recordingJournal();
    const result = await clock.run(triggerRun(adf, 'pl', params, { clock, journal, lookDelaysMs: [1000, 2000] }));
    assert.equal(adf.runs.size, 1);
    assert.equal(adf.calls.createRun, 1);
    assert.equal(result.found, true);
    assert.deepEqual(journal.lines, ['attempt 1', 'unclear 1', `found ${result.runId}`]);
  });

  it('a 5xx before anything happened: looks 1 + N times, then one new createRun', async () => {
    const clock = new FakeClock();
    const adf = new MemoryAdf(clock, { fault: faultsOn('createRun', { 1: 'unclearBefore' }) });
    const journal = recordingJournal();
    const t0 = clock.now();
    const result = await clock.run(triggerRun(adf, 'pl', params, { clock, journal, lookDelaysMs: [1000, 2000, 4000] }));
    assert.equal(adf.runs.size, 1);
    assert.equal(adf.calls.createRun, 2);
    assert.equal(adf.calls.queryRuns, 4, 'one look, then one after each of the three waits');
    assert.equal(clock.now() - t0, 7000);
    assert.equal(result.found, false);
    assert.deepEqual(journal.lines, ['attempt 1', 'unclear 1', 'notFound', 'attempt 2', `created 2 ${result.runId}`]);
  });

  it('query results that lag behind the new run: found on a later look, not started twice', async () => {
    const clock = new FakeClock();
    const adf = new MemoryAdf(clock, { queryLagMs: 2500, fault: faultsOn('createRun', { 1: 'unclearAfter' }) });
    const result = await clock.run(triggerRun(adf, 'pl', params, { clock, lookDelaysMs: [1000, 2000, 4000] }));
    assert.equal(adf.runs.size, 1);
    assert.equal(adf.calls.createRun, 1);
    assert.equal(result.found, true);
    assert.equal(adf.calls.queryRuns, 3, 'invisible at 0 and 1 s, seen at 3 s');
  });

  it('429 waits Retry-After and tries again; "not sent" tries again; a rejection is final', async () => {
    const clock = new FakeClock();
    const adf = new MemoryAdf(clock, {
      retryAfterMs: 3000,
      fault: faultsOn('createRun', { 1: 'throttle', 2: 'notSent' }),
    });
    const journal = recordingJournal();
    const t0 = clock.now();
    const throttled: number[] = [];
    const result = await clock.run(
      startRunOnce(
        adf,
        'pl',
        { parameters: params },
        { clock, journal, matches: () => true, baseDelayMs: 100, onThrottled: d => throttled.push(d) },
      ),
    );
    assert.equal(result.how, 'created');
    assert.equal(adf.runs.size, 1);
    assert.deepEqual(throttled, [3000]);
    assert.ok(clock.now() - t0 >= 3000);
    assert.deepEqual(journal.lines.slice(0, 4), [
      'attempt 1',
      'refused 1 retryable',
      'attempt 2',
      'refused 2 retryable',
    ]);

    const rejecting = new MemoryAdf(clock, { fault: () => 'reject' });
    const refused = await clock.run(
      startRunOnce(rejecting, 'pl', { parameters: params }, { clock, matches: () => true }),
    );
    assert.equal(refused.how, 'notStarted');
    assert.equal(rejecting.calls.createRun, 1);
    assert.equal(refused.runId, undefined);
    await assert.rejects(clock.run(triggerRun(rejecting, 'pl', params, { clock })), /Could not start pl: Bad request/);
  });

  it('an unclear attempt from before a restart is resolved before any new request', async () => {
    const clock = new FakeClock();
    const adf = new MemoryAdf(clock);
    const before = clock.now();
    const existing = adf.seed('pl', params, before);
    await clock.advance(5000);
    const result = await clock.run(
      startRunOnce(
        adf,
        'pl',
        { parameters: params },
        { clock, matches: r => r.parameters.window_start === params.window_start, unresolvedSince: before },
      ),
    );
    assert.deepEqual([result.how, result.runId, adf.calls.createRun], ['found', existing, 0]);
  });

  it('several runs match an unclear attempt: the earliest is the run, the others are reported', async () => {
    const clock = new FakeClock();
    const adf = new MemoryAdf(clock);
    const first = adf.seed('pl', params, clock.now() - 10);
    const second = adf.seed('pl', params, clock.now());
    const result = await clock.run(
      startRunOnce(
        adf,
        'pl',
        { parameters: params },
        { clock, matches: () => true, unresolvedSince: clock.now() - 20 },
      ),
    );
    assert.equal(result.runId, first);
    assert.deepEqual(result.runId === undefined ? [] : result.duplicates, [second]);
  });
});

describe('rerun and cancel', () => {
  it('rerun from failure: reference run, recovery, its group; new parameters reported as ignored', async () => {
    const clock = new FakeClock();
    const adf = new MemoryAdf(clock, { fails: () => true, durationMs: 1000, queuedMs: 0 });
    const original = adf.seed('pl', { region: 'eu' }, clock.now());
    await clock.advance(2000);
    const run = await adf.getRun(original);
    assert.equal(run.status, 'Failed');
    const result = await clock.run(
      rerunRun(adf, { run, from: { kind: 'failure' }, parameters: { region: 'us', other: 'eu' } }, { clock }),
    );
    const request = adf.createRequests.at(-1)!.request;
    assert.deepEqual(request, { referencePipelineRunId: original, isRecovery: true, startFromFailure: true });
    assert.match(result.notes[0]!, /takes the parameters of run run-00001: region, other keep their values/);
    const rerun = await adf.getRun(result.runId);
    assert.equal(rerun.runGroupId, original);
    assert.deepEqual(rerun.parameters, { region: 'eu' });

    await clock.run(rerunRun(adf, { run, from: { kind: 'activity', activityName: 'copy_new_rows' } }, { clock }));
    assert.deepEqual(adf.createRequests.at(-1)!.request, {
      referencePipelineRunId: original,
      isRecovery: true,
      startActivityName: 'copy_new_rows',
    });
  });

  it('a rerun whose createRun had an unclear outcome finds the rerun in the group instead of starting another', async () => {
    const clock = new FakeClock();
    const adf = new MemoryAdf(clock, {
      fails: () => true,
      durationMs: 1000,
      queuedMs: 0,
      fault: faultsOn('createRun', { 1: 'unclearAfter' }),
    });
    const original = adf.seed('pl', {}, clock.now());
    await clock.advance(2000);
    const result = await clock.run(
      rerunRun(adf, { run: await adf.getRun(original), from: { kind: 'failure' } }, { clock }),
    );
    assert.equal(result.found, true);
    assert.equal(adf.runs.size, 2);
  });

  it('cancel is recursive by default and retried on 429', async () => {
    const clock = new FakeClock();
    const adf = new MemoryAdf(clock, { fault: faultsOn('cancelRun', { 1: 'throttle' }), retryAfterMs: 1500 });
    const id = adf.seed('pl', {}, clock.now());
    await clock.run(cancelRun(adf, id, { clock }));
    assert.deepEqual(adf.cancels, [{ runId: id, recursive: true }]);
    assert.equal(adf.calls.cancelRun, 2);
    assert.equal((await adf.getRun(id)).status, 'Cancelled');
  });
});
