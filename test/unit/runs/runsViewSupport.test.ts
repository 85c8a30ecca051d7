// What the editor's Runs view needs from the runs core: errors recognised across the editor's
// bundles (each carries its own copy of the AdfCallError class), live refresh that does not ask
// again for a page just loaded, a first page that failed loaded again in full, the latest run of a
// rerun group when an older record still says it is the latest, and ADF Studio links per cloud.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AdfCallError, isAdfCallError, isRetryableRead, type AdfCallFailure } from '../../../src/core/runs/errors';
import { groupRuns } from '../../../src/core/runs/grouping';
import type { PipelineRunRecord } from '../../../src/core/runs/model';
import { RunsMonitor } from '../../../src/core/runs/monitor';
import { withRetries } from '../../../src/core/runs/retry';
import { RefreshScheduler, type RefreshOutcome } from '../../../src/core/runs/scheduler';
import { studioHostFor, studioRunUrl, type OperationsTarget } from '../../../src/azure/target';
import { FakeClock } from '../helpers/fakeClock';
import { MemoryAdf } from './memoryAdf';

/** The same class as another bundle's copy of errors.ts makes it: not an instance of ours. */
class ForeignAdfCallError extends Error {
  constructor(
    message: string,
    readonly failure: AdfCallFailure,
    readonly details: { status?: number; retryAfterMs?: number } = {},
  ) {
    super(message);
    this.name = 'AdfCallError';
  }
  get retryAfterMs(): number | undefined {
    return this.details.retryAfterMs;
  }
}

describe('the runs core as the editor uses it', () => {
  it('an AdfCallError from another bundle is recognised; look-alikes are not', async () => {
    const foreign = new ForeignAdfCallError('Too many requests', 'throttled', { status: 429, retryAfterMs: 3000 });
    assert.equal(foreign instanceof AdfCallError, false, 'a different class, as across bundles');
    assert.equal(isAdfCallError(foreign), true);
    assert.equal(isAdfCallError(foreign, 'throttled'), true);
    assert.equal(isAdfCallError(foreign, 'auth'), false);
    assert.equal(isRetryableRead(foreign), true);
    assert.equal(isRetryableRead(new ForeignAdfCallError('no', 'rejected')), false);
    const named = new Error('x');
    named.name = 'AdfCallError';
    assert.equal(isAdfCallError(named), false, 'a name alone is not enough');
    assert.equal(isAdfCallError({ name: 'AdfCallError', failure: 'auth', details: {} }), false, 'not an Error');
    assert.equal(isAdfCallError(new ForeignAdfCallError('x', 'whatever' as AdfCallFailure)), false);

    // The retry and the refresh scheduler treat it as what it is: a 429 with its Retry-After.
    const clock = new FakeClock();
    let calls = 0;
    const waits: number[] = [];
    const value = await clock.run(
      withRetries(
        async () => {
          if (++calls === 1) throw foreign;
          return 'ok';
        },
        { clock, onWait: w => waits.push(w.delayMs) },
      ),
    );
    assert.equal(value, 'ok');
    assert.deepEqual(waits, [3000]);
    const outcomes: RefreshOutcome[] = [];
    const scheduler = new RefreshScheduler(
      async () => {
        throw foreign;
      },
      clock,
      undefined,
      o => outcomes.push(o),
    );
    scheduler.start();
    await clock.advance(0);
    scheduler.stop();
    assert.equal(outcomes[0]?.kind, 'throttled');
    assert.equal(outcomes[0]?.kind === 'throttled' ? outcomes[0].retryAfterMs : undefined, 3000);
  });

  it('live refresh after a first page waits the interval (5 s while a run moves, 30 s idle); firstDelayMs 0 asks at once', async () => {
    const clock = new FakeClock();
    const adf = new MemoryAdf(clock, { queuedMs: 0, durationMs: 600_000 });
    const monitor = new RunsMonitor(adf, { clock });
    await clock.run(monitor.loadFirstPage());
    monitor.startLive();
    assert.equal(monitor.live, true);
    const idle = adf.calls.queryRuns;
    await clock.advance(29_000);
    assert.equal(adf.calls.queryRuns, idle, 'idle: nothing for 30 s');
    await clock.advance(1000);
    assert.equal(adf.calls.queryRuns, idle + 1);
    monitor.stopLive();
    assert.equal(monitor.live, false);

    adf.seed('pl', {}, clock.now());
    const active = new RunsMonitor(adf, { clock });
    await clock.run(active.loadFirstPage());
    active.startLive();
    const before = adf.calls.queryRuns;
    await clock.advance(4999);
    assert.equal(adf.calls.queryRuns, before);
    await clock.advance(1);
    assert.equal(adf.calls.queryRuns, before + 1, 'a run moves: 5 s');
    active.stopLive();
    active.startLive({ firstDelayMs: 0 });
    await clock.advance(0);
    assert.equal(adf.calls.queryRuns, before + 2, 'back in sight: at once');
    active.dispose();
    monitor.dispose();
  });

  it('a first page that failed is loaded in full by the next refresh (not only the runs updated since)', async () => {
    const clock = new FakeClock();
    let fail = true;
    const adf = new MemoryAdf(clock, {
      queuedMs: 0,
      durationMs: 1000,
      fault: op => (op === 'queryRuns' && fail ? 'notSent' : undefined),
    });
    const old = adf.seed('pl', {}, clock.now() - 3 * 3_600_000);
    const monitor = new RunsMonitor(adf, { clock });
    await assert.rejects(clock.run(monitor.loadFirstPage()), /ECONNREFUSED/);
    fail = false;
    await clock.run(monitor.refresh());
    assert.equal(monitor.get(old)?.status, 'Succeeded', 'the run of three hours ago is there');
  });

  it('the latest run of a group is the newest that says so, even when an older record still says it is', () => {
    const at = (m: number) => new Date(Date.UTC(2024, 0, 1, 10, m)).toISOString();
    const run = (runId: string, extra: Partial<PipelineRunRecord>): PipelineRunRecord => ({
      runId,
      pipelineName: 'pl',
      status: 'Failed',
      parameters: {},
      runGroupId: 'orig',
      ...extra,
    });
    const groups = groupRuns([
      run('orig', { runStart: at(0), isLatest: true }),
      run('rerun', { runStart: at(5), isLatest: true, status: 'Succeeded' }),
    ]);
    const group = groups[0]!.days[0]!.groups[0]!;
    assert.equal(group.latest.runId, 'rerun');
    assert.equal(groups[0]!.latest.runId, 'rerun');

    const clock = new FakeClock();
    const monitor = new RunsMonitor(new MemoryAdf(clock), { clock, since: 0 });
    monitor.add([run('orig', { runStart: at(0), isLatest: true })]);
    monitor.add([run('rerun', { runStart: at(5), isLatest: true })]);
    assert.equal(monitor.get('orig')?.isLatest, false, 'the model no longer says the original is the latest');
  });

  it('ADF Studio links: the cloud of the target, names encoded; the emulator has none', () => {
    const target = (endpoint?: string, local = false): OperationsTarget => ({
      environment: 'dev',
      label: 'dev (Azure)',
      local,
      protected: false,
      factory: {
        subscriptionId: '00000000-0000-0000-0000-000000000000',
        resourceGroup: 'rg (x)',
        name: 'adf-x',
        ...(endpoint ? { endpoint } : {}),
      },
    });
    const url = studioRunUrl(target(), 'run/1?x')!;
    assert.ok(url.startsWith('https://adf.azure.com/en/monitoring/pipelineruns/run%2F1%3Fx?factory='), url);
    assert.ok(url.includes(encodeURIComponent(encodeURIComponent('rg (x)'))), 'the resource group encoded in the id');
    assert.ok(studioRunUrl(target('https://management.chinacloudapi.cn'), 'r')!.startsWith('https://adf.azure.cn/'));
    assert.equal(studioHostFor('https://management.usgovcloudapi.net/'), 'https://adf.azure.us');
    assert.equal(studioHostFor('not a url'), 'https://adf.azure.com');
    assert.equal(studioRunUrl(target('https://127.0.0.1:4000', true), 'r'), undefined);
  });
});
