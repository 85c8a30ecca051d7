// `lakehouse backfill | trigger | runs` end to end in the CLI against the local emulator: a copy of
// the sample project deployed to it, the emulator's state file in the project (as `lakehouse
// emulator start` leaves it), the real SDK clients. Every backfill is counted in the emulator's
// own runs, window by window: exactly one run per partition (0 duplicates, 0 lost) under 429s on
// every call and 5xx and connection resets on createRun before and after the run exists; Ctrl-C
// midway (in-process and a real SIGINT to a real process), a process killed outright, a second
// process refused while one runs the journal, and resumes from the journal on disk; failed
// partitions rerun; `trigger --wait` exiting 1 on a failed run; `runs --format json`.
import { strict as assert } from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startEmulator, type EmulatorHandle } from '../../src/emulator';
import { emulatorStateDir } from '../../src/cli/operations/target';
import { main, type Io } from '../../src/cli/main';
import { backfillJournalDir } from '../../src/core/files/journalFiles';
import type { RunsReportJson } from '../../src/cli/operations/runsReport';
import type { BackfillSummary } from '../../src/core/backfill/summary';
import { lakehouse, type Run } from '../unit/helpers/cli';
import { SAMPLE_DIR } from '../unit/helpers/paths';
import { eventually } from './helpers/emulatorClients';

const PIPELINE = 'pl_incremental_ingestion';
const CLI = path.join(__dirname, '..', '..', 'src', 'cli', 'index.js');
const FAST = ['--poll-interval', '50ms'];

interface BackfillJson {
  environment: string;
  target: string;
  interrupted: boolean;
  plan: { id: string; partitions: { key: string; windowStart: string; windowEnd: string }[] };
  summary: BackfillSummary;
  resume?: string;
}

/** The CLI in-process with a Ctrl-C the test presses: interrupt('SIGINT') calls the handler the command registered. */
function interruptible(argv: string[], cwd: string) {
  let stdout = '';
  let stderr = '';
  let handler: ((signal: 'SIGINT' | 'SIGTERM') => void) | undefined;
  const io: Io = {
    stdout: s => (stdout += s),
    stderr: s => (stderr += s),
    cwd,
    color: false,
    onInterrupt: h => {
      handler = h;
      return () => (handler = undefined);
    },
  };
  const done = main(argv, io).then(code => ({ code, stdout, stderr }));
  return {
    done,
    interrupt: (signal: 'SIGINT' | 'SIGTERM' = 'SIGINT') => handler?.(signal),
    stderr: () => stderr,
  };
}

/** The built CLI as a real process. */
function spawnCli(args: string[], cwd: string) {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', d => (stdout += String(d)));
  child.stderr.on('data', d => (stderr += String(d)));
  const done = new Promise<Run>(resolve =>
    child.on('exit', (code, signal) => resolve({ code: code ?? (signal === 'SIGKILL' ? 137 : 130), stdout, stderr })),
  );
  return { child, done, stderr: () => stderr };
}

describe('lakehouse backfill / trigger / runs --env local (the CLI against the local emulator)', () => {
  let dir: string;
  let emulator: EmulatorHandle;

  /** The emulator's runs of the ingestion pipeline per window (start/end) in [from, to). */
  function runsPerWindow(from: string, to: string): Map<string, number> {
    const counts = new Map<string, number>();
    for (const r of emulator.control.runs()) {
      if (r['pipelineName'] !== PIPELINE) continue;
      const p = r['parameters'] as Record<string, string>;
      const start = p['window_start'] ?? '';
      if (!(start >= from && start < to)) continue;
      const key = `${start}/${p['window_end']}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  }

  function assertExactlyOnce(plan: BackfillJson['plan'], from: string, to: string): void {
    const counts = runsPerWindow(from, to);
    const lost = plan.partitions.filter(p => !counts.has(`${p.windowStart}/${p.windowEnd}`)).map(p => p.key);
    const doubled = [...counts].filter(([, n]) => n > 1).map(([k]) => k);
    assert.deepEqual({ lost, doubled }, { lost: [], doubled: [] });
    assert.equal(
      [...counts.values()].reduce((a, b) => a + b, 0),
      plan.partitions.length,
    );
  }

  function journalLines(id: string): Record<string, unknown>[] {
    return fs
      .readFileSync(path.join(backfillJournalDir(dir), `${id}.jsonl`), 'utf8')
      .split('\n')
      .filter(l => l.trim())
      .map(l => JSON.parse(l) as Record<string, unknown>);
  }

  const slowRuns = (ms: number) =>
    emulator.control.outcomes.add({ pipeline: PIPELINE, status: 'Succeeded', durationMs: ms });

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lhwb-cli-backfill-'));
    fs.cpSync(SAMPLE_DIR, dir, { recursive: true });
    emulator = await startEmulator({ stateDir: emulatorStateDir(dir), storage: false, seed: 7 });
    const deployed = await lakehouse(['deploy', '--env', 'local', '--project', dir], dir);
    assert.equal(deployed.code, 0, deployed.stderr);
  });

  after(async () => {
    await emulator?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    emulator.control.faults.clear();
    emulator.control.outcomes.clear();
    emulator.control.resetCounts();
  });

  it('--dry-run prints the partitions and starts nothing; bad arguments and unknown tables are refused clearly', async () => {
    const dry = await lakehouse(
      [
        'backfill',
        '--env',
        'local',
        '--project',
        dir,
        '--tables',
        'DimUser',
        '--from',
        '2023-01-01',
        '--to',
        '2023-03-01',
        '--granularity',
        'month',
        '--dry-run',
      ],
      dir,
    );
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(
      dry.stdout,
      /on local emulator \(factory adf-lakehouse-local\): 2023-01-01 → 2023-03-01 by month: 2 partition\(s\), concurrency 8/,
    );
    assert.match(
      dry.stdout,
      new RegExp(
        'pl_incremental_ingestion {2}2023-01-01T00:00:00 → 2023-02-01T00:00:00\\n' +
          ' {2}pl_incremental_ingestion {2}2023-02-01T00:00:00 → 2023-03-01T00:00:00\\nDry run: nothing started\\.',
      ),
    );
    assert.equal(emulator.control.counts()['pipelines.createRun'] ?? 0, 0);
    assert.equal(
      fs.existsSync(backfillJournalDir(dir)) ? fs.readdirSync(backfillJournalDir(dir)).length : 0,
      0,
      'no journal',
    );

    const json = await lakehouse(
      [
        'backfill',
        '--env',
        'local',
        '--project',
        dir,
        '--all',
        '--from',
        '2023-01-01',
        '--to',
        '2023-01-08',
        '--granularity',
        'week',
        '--dry-run',
        '--format',
        'json',
      ],
      dir,
    );
    assert.equal(json.code, 0, json.stderr);
    const planned = JSON.parse(json.stdout) as BackfillJson & { dryRun: boolean };
    assert.equal(planned.dryRun, true);
    // 2023-01-01 is a Sunday: a one-day first week, then Monday to the end.
    assert.deepEqual(
      planned.plan.partitions.map(p => [p.windowStart, p.windowEnd]),
      [
        ['2023-01-01T00:00:00', '2023-01-02T00:00:00'],
        ['2023-01-02T00:00:00', '2023-01-08T00:00:00'],
      ],
    );

    const unknown = await lakehouse(
      [
        'backfill',
        '--env',
        'local',
        '--project',
        dir,
        '--tables',
        'DimNope',
        '--from',
        '2023-01-01',
        '--to',
        '2023-01-02',
      ],
      dir,
    );
    assert.equal(unknown.code, 2);
    assert.match(
      unknown.stderr,
      /No generated pipeline copies a table "DimNope" by watermark \(loop_input\); known tables: dbo\.DimUser/,
    );
    const stopped = await lakehouse(
      ['backfill', '--env', 'nowhere', '--project', dir, '--all', '--from', '2023-01-01', '--to', '2023-01-02'],
      dir,
    );
    assert.equal(stopped.code, 2);
    assert.match(stopped.stderr, /There is no environment 'nowhere'/);
    const prod = await lakehouse(
      ['backfill', '--env', 'prod', '--project', dir, '--all', '--from', '2023-01-01', '--to', '2023-01-02'],
      dir,
    );
    assert.equal(prod.code, 1);
    assert.match(prod.stderr, /'prod' is a protected environment: add --confirm prod to start a backfill on it/);
  });

  it('30 partitions at concurrency 10 under 10% 429s on every call, 5xx and resets on createRun before and after: each runs once', async () => {
    const faults = emulator.control.faults;
    faults.add({ operation: '*', kind: 'status', status: 429, retryAfterSeconds: 0.05, probability: 0.1 });
    faults.add({ operation: 'pipelines.createRun', kind: 'status', status: 500, phase: 'after', probability: 0.08 });
    faults.add({ operation: 'pipelines.createRun', kind: 'status', status: 503, phase: 'before', probability: 0.08 });
    faults.add({ operation: 'pipelines.createRun', kind: 'reset', phase: 'after', probability: 0.08 });
    faults.add({ operation: 'pipelines.createRun', kind: 'reset', phase: 'before', probability: 0.08 });
    const run = await lakehouse(
      [
        'backfill',
        '--env',
        'local',
        '--project',
        dir,
        '--all',
        '--from',
        '2022-01-01',
        '--to',
        '2022-01-31',
        '--concurrency',
        '10',
        '--format',
        'json',
        ...FAST,
      ],
      dir,
    );
    faults.clear();
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as BackfillJson;
    assert.deepEqual(
      [
        report.summary.total,
        report.summary.succeeded,
        report.summary.failed,
        report.summary.duplicates,
        report.interrupted,
      ],
      [30, 30, 0, 0, false],
    );
    assertExactlyOnce(report.plan, '2022-01-01', '2022-01-31');
    const fired = emulator.control.faults.fired();
    const sum = (re: RegExp) =>
      Object.entries(fired)
        .filter(([k]) => re.test(k))
        .reduce((a, [, v]) => a + v, 0);
    assert.ok(sum(/status:429/) >= 3, `429s fired: ${JSON.stringify(fired)}`);
    assert.ok(sum(/createRun (status:500|reset):after/) >= 1, `faults after the run existed: ${JSON.stringify(fired)}`);
    assert.ok(sum(/createRun (status:503|reset):before/) >= 1, `faults before: ${JSON.stringify(fired)}`);
    // One request per attempt the journal has on disk: nothing retried createRun behind its back.
    const lines = journalLines(report.plan.id);
    assert.equal(emulator.control.counts()['pipelines.createRun'], lines.filter(l => l.t === 'attempt').length);
    assert.ok(
      lines.some(l => l.t === 'found'),
      'a lost answer was resolved by finding its run',
    );
    assert.ok(
      lines.some(l => l.t === 'notFound'),
      'a failed request was resolved by finding no run',
    );
    // No lock left behind.
    assert.deepEqual(
      fs.readdirSync(backfillJournalDir(dir)).filter(f => f.endsWith('.lock')),
      [],
    );
  });

  it('Ctrl-C stops starting runs and says how to resume; a second process is refused meanwhile; resume finishes exactly once', async () => {
    slowRuns(40);
    const args = [
      'backfill',
      '--env',
      'local',
      '--project',
      dir,
      '--all',
      '--from',
      '2021-01-01',
      '--to',
      '2021-01-21',
      '--concurrency',
      '4',
      ...FAST,
    ];
    const first = interruptible(args, dir);
    await eventually(
      () => (runsPerWindow('2021-01-01', '2021-01-21').size >= 6 ? true : undefined),
      30_000,
      '6 runs started',
    );
    const id = /Backfill (bf-\d{8}-[0-9a-f]{6}) on local emulator/.exec(first.stderr())![1]!;

    // While it runs, another process may not run the same journal (it would start the same partitions).
    const second = await lakehouse(['backfill', 'resume', id, '--project', dir], dir);
    assert.equal(second.code, 2);
    assert.match(
      second.stderr,
      new RegExp(`Backfill ${id} is running already in this window|Backfill ${id} is being run by`),
    );

    first.interrupt('SIGINT');
    const stopped = await first.done;
    assert.equal(stopped.code, 1);
    assert.match(
      stopped.stderr,
      /Stopping backfill bf-.*: no new run starts; runs in flight go on in the factory\. Ctrl-C again to stop at once\./,
    );
    assert.match(stopped.stderr, new RegExp(`Go on with: lakehouse backfill resume ${id} --env local --project `));
    const started = runsPerWindow('2021-01-01', '2021-01-21');
    assert.ok(started.size < 20, `stopped midway (${started.size} runs)`);
    // The journal is consistent: every attempt has its outcome (nothing left unclear by the stop).
    const lines = journalLines(id);
    const attempts = lines.filter(l => l.t === 'attempt').length;
    const outcomes = lines.filter(l => ['created', 'refused', 'unclear'].includes(l.t as string)).length;
    assert.equal(attempts, outcomes);
    assert.equal(
      lines.filter(l => l.t === 'created' || l.t === 'found').length,
      [...started.values()].reduce((a, b) => a + b, 0),
    );

    const status = await lakehouse(['backfill', 'status', id, '--project', dir, '--format', 'json'], dir);
    assert.equal(status.code, 0, status.stderr);
    const listed = JSON.parse(status.stdout) as {
      id: string;
      environment: string;
      total: number;
      partitions: { status: string }[];
    };
    assert.deepEqual([listed.id, listed.environment, listed.total], [id, 'local', 20]);
    assert.ok(
      listed.partitions.some(p => p.status === 'cancelled'),
      'not started: cancelled by the stop',
    );

    const resumed = await lakehouse(['backfill', 'resume', id, '--project', dir, '--format', 'json', ...FAST], dir);
    assert.equal(resumed.code, 0, resumed.stderr);
    const report = JSON.parse(resumed.stdout) as BackfillJson;
    assert.deepEqual([report.summary.succeeded, report.summary.duplicates], [20, 0]);
    assertExactlyOnce(report.plan, '2021-01-01', '2021-01-21');
  });

  it('a real process: SIGINT stops it gracefully, SIGKILL kills the next midway (its lock left behind), and a resume finishes exactly once', async () => {
    slowRuns(40);
    const args = [
      'backfill',
      '--env',
      'local',
      '--project',
      dir,
      '--tables',
      'FactStream',
      '--from',
      '2020-01-01',
      '--to',
      '2020-01-25',
      '--concurrency',
      '3',
      ...FAST,
    ];
    const first = spawnCli(args, dir);
    await eventually(
      () => (runsPerWindow('2020-01-01', '2020-01-25').size >= 3 ? true : undefined),
      30_000,
      '3 runs started',
    );
    first.child.kill('SIGINT');
    const interrupted = await first.done;
    assert.equal(interrupted.code, 1, interrupted.stderr);
    const id = /Backfill (bf-\d{8}-[0-9a-f]{6}) on local emulator/.exec(interrupted.stderr)![1]!;
    assert.match(interrupted.stderr, new RegExp(`Go on with: lakehouse backfill resume ${id} --env local`));
    assert.match(interrupted.stdout, new RegExp(`Backfill ${id} on local \\(round 1\\): 24 partition\\(s\\)`));

    const second = spawnCli(['backfill', 'resume', id, '--project', dir, ...FAST], dir);
    const before = runsPerWindow('2020-01-01', '2020-01-25').size;
    await eventually(
      () => (runsPerWindow('2020-01-01', '2020-01-25').size >= before + 3 ? true : undefined),
      30_000,
      '3 more runs started',
    );
    second.child.kill('SIGKILL');
    await second.done;
    assert.ok(fs.existsSync(path.join(backfillJournalDir(dir), `${id}.lock`)), 'a killed process leaves its lock');
    assert.ok(runsPerWindow('2020-01-01', '2020-01-25').size < 24, 'killed midway');

    // The dead process's lock is taken over; whatever it had under way is resolved from the journal.
    const resumed = await lakehouse(['backfill', 'resume', id, '--project', dir, '--format', 'json', ...FAST], dir);
    assert.equal(resumed.code, 0, resumed.stderr);
    const report = JSON.parse(resumed.stdout) as BackfillJson;
    assert.deepEqual([report.summary.succeeded, report.summary.duplicates], [24, 0]);
    assertExactlyOnce(report.plan, '2020-01-01', '2020-01-25');
  });

  it('failed partitions: exit 1, status names them with the run error, rerun-failed runs exactly those again', async () => {
    for (const day of ['2019-01-03', '2019-01-05'])
      emulator.control.outcomes.add({
        pipeline: PIPELINE,
        parameter: { name: 'window_start', value: `${day}T00:00:00` },
        message: `Source locked for ${day}`,
        times: 1,
      });
    const first = await lakehouse(
      ['backfill', '--env', 'local', '--project', dir, '--all', '--from', '2019-01-01', '--to', '2019-01-08', ...FAST],
      dir,
    );
    assert.equal(first.code, 1, first.stderr);
    const id = /Backfill (bf-\d{8}-[0-9a-f]{6}) on local \(round 1\): 7 partition\(s\): 5 succeeded, 2 failed/.exec(
      first.stdout,
    )![1]!;
    assert.match(
      first.stdout,
      /failed {5}pl_incremental_ingestion@2019-01-03T00:00:00\/2019-01-04T00:00:00 run [\w-]+: .*Source locked for 2019-01-03/,
    );
    assert.match(first.stdout, new RegExp(`Rerun the failed partitions: lakehouse backfill rerun-failed ${id}`));

    const status = await lakehouse(['backfill', 'status', '--project', dir], dir);
    assert.match(
      status.stdout,
      new RegExp(`${id} {2}ended {6}local {2}2019-01-01 → 2019-01-08 by day .* 5/7 succeeded, 2 failed`),
    );

    const rerun = await lakehouse(['backfill', 'rerun-failed', id, '--project', dir, '--format', 'json', ...FAST], dir);
    assert.equal(rerun.code, 0, rerun.stderr);
    const report = JSON.parse(rerun.stdout) as BackfillJson;
    assert.deepEqual([report.summary.round, report.summary.succeeded, report.summary.failed], [2, 7, 0]);
    const counts = runsPerWindow('2019-01-01', '2019-01-08');
    assert.deepEqual(
      [...counts].sort().map(([k, n]) => `${k.slice(0, 10)}:${n}`),
      ['2019-01-01:1', '2019-01-02:1', '2019-01-03:2', '2019-01-04:1', '2019-01-05:2', '2019-01-06:1', '2019-01-07:1'],
    );
    const nothing = await lakehouse(['backfill', 'rerun-failed', id, '--project', dir, ...FAST], dir);
    assert.equal(nothing.code, 0, nothing.stderr);
    assert.match(nothing.stderr, /no partition failed/);
  });

  it('trigger: parameters checked against the pipeline; --wait exits 0 on success and 1 on a failed run, with its error', async () => {
    const bad = await lakehouse(
      [
        'trigger',
        '--env',
        'local',
        '--project',
        dir,
        '--pipeline',
        PIPELINE,
        '--param',
        'loop_input=not json',
        '--param',
        'nope=1',
      ],
      dir,
    );
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /loop_input \(Array\) must be JSON/);
    assert.match(bad.stderr, /pl_incremental_ingestion has no parameter "nope"; it has loop_input, /);
    assert.equal(emulator.control.counts()['pipelines.createRun'] ?? 0, 0, 'nothing started');
    const missing = await lakehouse(['trigger', 'pl_missing', '--env', 'local', '--project', dir], dir);
    assert.equal(missing.code, 2);
    assert.match(
      missing.stderr,
      /The factory adf-lakehouse-local has no pipeline 'pl_missing'\. Its pipelines: pl_incremental_ingestion\./,
    );

    const ok = await lakehouse(
      [
        'trigger',
        PIPELINE,
        '--env',
        'local',
        '--project',
        dir,
        '--param',
        'window_start=2018-01-01T00:00:00',
        '--wait',
        '--poll-interval',
        '50ms',
      ],
      dir,
    );
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^[0-9a-f-]{36}\nSucceeded after /);

    emulator.control.outcomes.add({ pipeline: PIPELINE, message: 'The source database is offline.', times: 1 });
    const failed = await lakehouse(
      [
        'trigger',
        '--pipeline',
        PIPELINE,
        '--env',
        'local',
        '--project',
        dir,
        '--param',
        'window_start=2018-02-01T00:00:00',
        '--wait',
        '--format',
        'json',
        '--poll-interval',
        '50ms',
      ],
      dir,
    );
    assert.equal(failed.code, 1, failed.stderr);
    const report = JSON.parse(failed.stdout) as {
      runId: string;
      status: string;
      message: string;
      parameters: Record<string, unknown>;
      waited: boolean;
    };
    assert.equal(report.status, 'Failed');
    assert.equal(report.waited, true);
    assert.match(report.message, /The source database is offline\./);
    assert.deepEqual(report.parameters, { window_start: '2018-02-01T00:00:00' });
    const run = emulator.control.runs().find(r => r['runId'] === report.runId)!;
    assert.equal((run['parameters'] as Record<string, string>)['window_start'], '2018-02-01T00:00:00');
  });

  it('runs --format json: the contract, backfill tags from the journals, filters; bad filters refused', async () => {
    const all = await lakehouse(['runs', '--env', 'local', '--project', dir, '--since', '1h', '--format', 'json'], dir);
    assert.equal(all.code, 0, all.stderr);
    const json = JSON.parse(all.stdout) as RunsReportJson;
    assert.equal(json.version, 1);
    assert.deepEqual(Object.keys(json), [
      'version',
      'environment',
      'target',
      'factory',
      'since',
      'until',
      'filters',
      'count',
      'runs',
      'pipelines',
      'warnings',
    ]);
    assert.equal(json.count, emulator.control.runs().length);
    assert.deepEqual(Object.keys(json.runs[0]!), [
      'runId',
      'pipeline',
      'status',
      'runStart',
      'runEnd',
      'durationMs',
      'parameters',
      'backfill',
      'runGroupId',
      'isLatest',
      'message',
      'source',
    ]);
    // The sample's pipeline declares no backfill_id: the journals tag the runs.
    const tagged = json.runs.filter(r => r.backfill?.backfillId?.startsWith('bf-'));
    assert.ok(tagged.length >= 30 + 20 + 24 + 9, `${tagged.length} backfill runs tagged`);
    const byHand = json.runs.find(r => r.parameters['window_start'] === '2018-01-01T00:00:00')!;
    assert.equal(byHand.backfill, null, 'a run started by hand (no window end, no backfill id) belongs to no backfill');

    const failed = await lakehouse(
      ['runs', '--env', 'local', '--project', dir, '--status', 'failed', '--format', 'json'],
      dir,
    );
    const onlyFailed = JSON.parse(failed.stdout) as RunsReportJson;
    assert.ok(onlyFailed.count >= 3);
    assert.ok(onlyFailed.runs.every(r => r.status === 'Failed'));
    assert.deepEqual(onlyFailed.filters, { pipelines: [], statuses: ['Failed'] });

    const text = await lakehouse(['runs', '--env', 'local', '--project', dir, '--pipeline', PIPELINE], dir);
    assert.equal(text.code, 0, text.stderr);
    assert.match(
      text.stdout,
      /^pl_incremental_ingestion\n {2}\d{4}-\d{2}-\d{2} {2}\d+ (Succeeded|Failed), \d+ (Succeeded|Failed)\n/,
    );
    assert.match(text.stdout, /run\(s\) started since .* on local emulator \(pipeline pl_incremental_ingestion\)\.\n$/);

    const unknown = await lakehouse(['runs', '--env', 'local', '--project', dir, '--pipeline', 'pl_nope'], dir);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /has no pipeline 'pl_nope'\. Its pipelines: pl_incremental_ingestion\./);
    const since = await lakehouse(['runs', '--env', 'local', '--project', dir, '--since', 'last week'], dir);
    assert.equal(since.code, 2);
    assert.match(since.stderr, /--since "last week" is neither a duration/);
  });
});
