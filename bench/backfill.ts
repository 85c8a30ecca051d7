// Backfill at scale on the local emulator (issue 12's bench): 365 daily partitions at concurrency
// 20, every call to the factory answered 429 (with Retry-After) one time in ten, each run taking a
// fixed simulated time. Reports the makespan against the ideal, ceil(365 / 20) × the run's
// duration (target ≤ 1.25×), and the runs per partition the emulator saw (target: duplicates 0,
// lost 0). The real SDK client (retries removed) and a journal on disk (fsync), as in the product.
// Times are scaled down (a run of 2 s instead of minutes; polls every 100 ms instead of 15 s; a
// Retry-After of 0.2 s) so the bench takes about 45 s; the emulator's ARM buckets and ADF's
// monitoring budget (1,000 queries a minute) stay on. The ratio is the poll's and Retry-After's
// share of a run's time: at runMs 1000 it is about 1.16.
import { mkdtempSync, rmSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { startEmulator, LOCAL_CREDENTIAL_SCOPE } from '../src/emulator';
import { AdfRunsClient, createDataFactoryClientWithoutRetries } from '../src/azure/adf/runsClient';
import { systemClock } from '../src/core/runs/clock';
import { Backfill } from '../src/core/backfill/runner';
import { planBackfill } from '../src/core/backfill/plan';
import { JournalFolderOnDisk } from '../src/core/files/journalFiles';

export interface BackfillBenchOptions {
  /** Daily partitions (default 365, from 2024-01-01). */
  partitions?: number;
  concurrency?: number;
  /** How long each run takes on the emulator (ms; default 2000). */
  runMs?: number;
  /** Share of all calls answered 429 (default 0.1). */
  throttledShare?: number;
  /** The Retry-After those 429s carry (seconds; default 0.2). */
  retryAfterSeconds?: number;
  pollIntervalMs?: number;
}

export interface BackfillBenchResult {
  partitions: number;
  concurrency: number;
  runMs: number;
  idealMs: number;
  makespanMs: number;
  /** makespan / ideal (target ≤ 1.25). */
  ratio: number;
  /** Runs beyond one per partition (target 0). */
  duplicates: number;
  /** Partitions without a run (target 0). */
  lost: number;
  succeeded: number;
  /** 429s the emulator sent, and the requests it counted. */
  throttled: number;
  createRunRequests: number;
  runQueries: number;
  journalBytes: number;
  /** What the emulator's runs took on average (createRun to end), and how many were in flight on average. */
  meanRunMs: number;
  meanInFlight: number;
}

const TRUST = { getToken: async () => ({ token: 'bench-token', expiresOnTimestamp: Date.now() + 3_600_000 }) };

export async function backfillBench(options: BackfillBenchOptions = {}): Promise<BackfillBenchResult> {
  const partitions = options.partitions ?? 365;
  const concurrency = options.concurrency ?? 20;
  const runMs = options.runMs ?? 2000;
  const emulator = await startEmulator({
    storage: false,
    seed: 365,
    timing: { queuedMs: 0, activityMs: runMs, cancelMs: 5 },
  });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lh-bench-backfill-'));
  const folder = new JournalFolderOnDisk(dir);
  try {
    const connection = {
      endpoint: emulator.adf.endpoint,
      credentialScopes: [LOCAL_CREDENTIAL_SCOPE],
      tlsOptions: { ca: emulator.adf.ca },
    };
    const sdk = createDataFactoryClientWithoutRetries(TRUST, emulator.adf.subscriptionId, connection);
    await sdk.pipelines.createOrUpdate(emulator.adf.resourceGroup, emulator.adf.factory, 'pl_bench', {
      activities: [
        { name: 'copy_window', type: 'Wait', typeProperties: { waitTimeInSeconds: 1 }, dependsOn: [] } as never,
      ],
      parameters: {
        window_start: { type: 'String', defaultValue: '' },
        window_end: { type: 'String', defaultValue: '' },
        backfill_id: { type: 'String', defaultValue: '' },
      },
    });
    const port = AdfRunsClient.connect(
      TRUST,
      {
        subscriptionId: emulator.adf.subscriptionId,
        resourceGroup: emulator.adf.resourceGroup,
        factoryName: emulator.adf.factory,
      },
      connection,
    );
    const from = Date.UTC(2024, 0, 1);
    const plan = planBackfill({
      from: '2024-01-01',
      to: new Date(from + partitions * 86_400_000).toISOString().slice(0, 10),
      granularity: 'day',
      concurrency,
      targets: {
        targets: [{ pipeline: 'pl_bench', parameters: {}, tables: ['dbo.bench'], tagsBackfillId: true }],
        notes: [],
        names: { windowStart: 'window_start', windowEnd: 'window_end', backfillId: 'backfill_id', loop: 'loop_input' },
      },
      id: 'bf-bench',
      now: Date.now(),
    });
    const pollIntervalMs = options.pollIntervalMs ?? 100;
    const backfill = await Backfill.create(plan, folder.file(plan.id), port, {
      clock: systemClock,
      pollIntervalMs,
      pollOverlapMs: 2000,
      lookDelaysMs: [100, 300, 600],
      baseDelayMs: 50,
      maxDelayMs: 1000,
    });
    emulator.control.resetCounts();
    emulator.control.faults.add({
      operation: '*',
      kind: 'status',
      status: 429,
      retryAfterSeconds: options.retryAfterSeconds ?? 0.2,
      probability: options.throttledShare ?? 0.1,
    });
    const t0 = performance.now();
    const summary = await backfill.run();
    const makespanMs = performance.now() - t0;
    const fired = emulator.control.faults.fired();
    const counts = emulator.control.counts();
    const perPartition = new Map<string, number>();
    let busyMs = 0;
    let first = Number.POSITIVE_INFINITY;
    let last = 0;
    let count = 0;
    for (const r of emulator.control.runs()) {
      const p = r['parameters'] as Record<string, string>;
      if (p['backfill_id'] !== plan.id) continue;
      const start = Date.parse(String(r['runStart']));
      const end = r['runEnd'] ? Date.parse(String(r['runEnd'])) : start;
      busyMs += end - start;
      first = Math.min(first, start);
      last = Math.max(last, end);
      count++;
      const key = `pl_bench@${p['window_start']}/${p['window_end']}`;
      perPartition.set(key, (perPartition.get(key) ?? 0) + 1);
    }
    const idealMs = Math.ceil(partitions / concurrency) * runMs;
    return {
      partitions,
      concurrency,
      runMs,
      idealMs,
      makespanMs,
      ratio: makespanMs / idealMs,
      duplicates: [...perPartition.values()].reduce((n, c) => n + c - 1, 0),
      lost: plan.partitions.filter(p => !perPartition.has(p.key)).length,
      succeeded: summary.succeeded,
      throttled: Object.entries(fired)
        .filter(([k]) => k.includes('status:429'))
        .reduce((n, [, v]) => n + v, 0),
      createRunRequests: counts['pipelines.createRun'] ?? 0,
      runQueries: (counts['pipelineRuns.queryByFactory'] ?? 0) + (counts['pipelineRuns.get'] ?? 0),
      journalBytes: Buffer.byteLength((await folder.file(plan.id).read()) ?? ''),
      meanRunMs: count ? busyMs / count : 0,
      meanInFlight: last > first ? busyMs / (last - first) : 0,
    };
  } finally {
    await folder.close();
    await emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
