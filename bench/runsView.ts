// The Runs view with 10,000 runs in the emulator (issue 12's bench): the time from asking to the
// first page of runs in the model (target ≤ 300 ms), cold (a new client: TLS handshake and token)
// and warm, then every page, and grouping all of them by pipeline and day. The runs are imported
// straight into the emulator's history (finished runs over the last 7 days, 20 pipelines, reruns
// among them) — the same thing queryPipelineRuns then pages through.
import { performance } from 'perf_hooks';
import { startEmulator, LOCAL_CREDENTIAL_SCOPE } from '../src/emulator';
import { AdfRunsClient } from '../src/azure/adf/runsClient';
import { systemClock } from '../src/core/runs/clock';
import { RunsMonitor } from '../src/core/runs/monitor';
import { stats, type Stats } from './stats';

export interface RunsViewBenchOptions {
  runs?: number;
  pipelines?: number;
  /** Warm repetitions of the first page. */
  reps?: number;
}

export interface RunsViewBenchResult {
  runs: number;
  /** A new client and model: the first page (ms), TLS and token included. */
  firstPageColdMs: number;
  /** The same client, a new model each time. */
  firstPageMs: Stats;
  firstPageRuns: number;
  /** Every page of the 7 days (100 a page). */
  allPagesMs: number;
  pages: number;
  /** groupRuns over everything loaded. */
  groupMs: number;
  groups: number;
}

const TRUST = { getToken: async () => ({ token: 'bench-token', expiresOnTimestamp: Date.now() + 3_600_000 }) };

export async function runsViewBench(options: RunsViewBenchOptions = {}): Promise<RunsViewBenchResult> {
  const total = options.runs ?? 10_000;
  const pipelines = options.pipelines ?? 20;
  const emulator = await startEmulator({ storage: false });
  try {
    const now = Date.now();
    const span = 7 * 86_400_000;
    const history = Array.from({ length: total }, (_, i) => {
      const runStart = now - span + Math.floor((i * span) / total);
      const failed = i % 50 === 7;
      return {
        pipelineName: `pl_${String(i % pipelines).padStart(2, '0')}`,
        parameters: { window_start: new Date(runStart).toISOString().slice(0, 19), batch: String(i) },
        status: (failed ? 'Failed' : 'Succeeded') as 'Failed' | 'Succeeded',
        runStart,
        runEnd: runStart + 60_000 + (i % 13) * 1000,
        ...(failed ? { message: 'Operation on target copy_new_rows failed' } : {}),
      };
    });
    emulator.control.importRuns(history);
    const factory = {
      subscriptionId: emulator.adf.subscriptionId,
      resourceGroup: emulator.adf.resourceGroup,
      factoryName: emulator.adf.factory,
    };
    const connection = {
      endpoint: emulator.adf.endpoint,
      credentialScopes: [LOCAL_CREDENTIAL_SCOPE],
      tlsOptions: { ca: emulator.adf.ca },
    };
    const since = now - span - 60_000;
    const firstPage = async (port: AdfRunsClient) => {
      const monitor = new RunsMonitor(port, { clock: systemClock, since });
      const t0 = performance.now();
      const runs = await monitor.loadFirstPage();
      return { ms: performance.now() - t0, runs: runs.length, monitor };
    };
    const cold = await firstPage(AdfRunsClient.connect(TRUST, factory, connection));
    const port = AdfRunsClient.connect(TRUST, factory, connection);
    await firstPage(port);
    const warm: number[] = [];
    let last = cold;
    for (let i = 0; i < (options.reps ?? 7); i++) {
      last = await firstPage(port);
      warm.push(last.ms);
    }
    const t0 = performance.now();
    let pages = 1;
    while (last.monitor.hasMore) {
      await last.monitor.loadMore();
      pages++;
    }
    const allPagesMs = performance.now() - t0 + last.ms;
    const t1 = performance.now();
    const groups = last.monitor.groups();
    const groupMs = performance.now() - t1;
    const loaded = last.monitor.runs().length;
    if (loaded !== total) throw new Error(`The model loaded ${loaded} runs of ${total}: the paging lost some.`);
    return {
      runs: total,
      firstPageColdMs: cold.ms,
      firstPageMs: stats(warm),
      firstPageRuns: cold.runs,
      allPagesMs,
      pages,
      groupMs,
      groups: groups.length,
    };
  } finally {
    await emulator.stop();
  }
}
