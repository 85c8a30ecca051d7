// The emulator's small parts, without servers: the clock, faults and outcomes as rules, the lake
// it seeds from the Spotify sample, the state file, and the process entry's arguments.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, it } from 'node:test';
import { parquetMetadata } from 'hyparquet';
import { NodeFileHost } from '../../../src/core/files/nodeFileHost';
import { loadProjectAt } from '../../../src/core/project/loadProject';
import { SimClock } from '../../../src/emulator/clock';
import { checkFault, FaultBook } from '../../../src/emulator/faults';
import { kindOf, planLakeSeed, watermarkTime } from '../../../src/emulator/lakeSeed';
import { MinuteBudget, TokenBucket } from '../../../src/emulator/limits';
import { optionsFromArguments, parseMainArguments } from '../../../src/emulator/main';
import { checkRule, OutcomeBook } from '../../../src/emulator/outcomes';
import { readStateFile, removeStateFile, writeStateFile, type EmulatorState } from '../../../src/emulator/stateFile';
import { SAMPLE_DIR } from '../helpers/paths';

describe('emulator clock', () => {
  it('runs work in time order on advance, each at its own time, and not after stop', () => {
    const clock = new SimClock({ manual: true, start: 1_000 });
    const seen: [string, number][] = [];
    clock.after(30, () => seen.push(['b', clock.now()]));
    clock.after(10, () => {
      seen.push(['a', clock.now()]);
      clock.after(5, () => seen.push(['a+5', clock.now()]));
    });
    const dropped = clock.after(20, () => seen.push(['never', clock.now()]));
    clock.cancel(dropped);
    clock.advance(100);
    assert.deepEqual(seen, [
      ['a', 1_010],
      ['a+5', 1_015],
      ['b', 1_030],
    ]);
    assert.equal(clock.now(), 1_100);
    clock.after(1, () => seen.push(['late', 0]));
    clock.stop();
    clock.advance(10);
    assert.equal(seen.length, 3);
  });

  it('in wall-clock mode runs work on a real timer, and an offset moves now', async () => {
    const clock = new SimClock();
    // The clock's timer is unref'd (the server keeps an emulator alive): hold the loop open here.
    const keepAlive = setInterval(() => undefined, 1_000);
    const done = new Promise<number>(resolve => clock.after(5, () => resolve(Date.now())));
    const t0 = Date.now();
    assert.ok((await done) - t0 >= 4);
    clearInterval(keepAlive);
    clock.advance(86_400_000);
    assert.ok(Math.abs(clock.now() - Date.now() - 86_400_000) < 50);
    clock.stop();
  });
});

describe('emulator faults and outcomes', () => {
  it('fires a fault on the next N calls of its operation only', () => {
    const book = new FaultBook([{ operation: 'pipelines.createRun', kind: 'status', status: 429, times: 2 }]);
    assert.equal(book.decide('pipelineRuns.get').before, undefined);
    assert.equal(book.decide('pipelines.createrun').before?.status, 429);
    assert.equal(book.decide('pipelines.createRun').before?.status, 429);
    assert.equal(book.decide('pipelines.createRun').before, undefined);
    assert.deepEqual(book.list(), []);
    assert.deepEqual(book.firedCounts(), {
      'pipelines.createrun status:429:before': 1,
      'pipelines.createRun status:429:before': 1,
    });
  });

  it('draws probabilities from its seed: about the asked share, the same on every run', () => {
    const draw = () => {
      const book = new FaultBook([{ operation: '*', kind: 'reset', probability: 0.1 }], 7);
      return Array.from({ length: 2_000 }, () => (book.decide('x').before ? 1 : 0));
    };
    const first = draw();
    assert.deepEqual(draw(), first);
    const share = first.reduce<number>((a, b) => a + b, 0) / first.length;
    assert.ok(share > 0.08 && share < 0.12, `share ${share}`);
  });

  it('keeps a delay and a failure of each phase from one call', () => {
    const book = new FaultBook([
      { operation: '*', kind: 'delay', delayMs: 30 },
      { operation: '*', kind: 'status', status: 503 },
      { operation: '*', kind: 'reset', phase: 'after' },
    ]);
    const d = book.decide('pipelines.createRun');
    assert.equal(d.delayMs, 30);
    assert.equal(d.before?.status, 503);
    assert.equal(d.after?.kind, 'reset');
  });

  it('refuses rules with typos, so a test never waits for a fault that cannot fire', () => {
    assert.throws(() => checkFault({ operation: 'x', kind: 'status' }), /status/);
    assert.throws(() => checkFault({ operation: 'x', kind: 'throttle' }), /kind/);
    assert.throws(() => checkFault({ operation: 'x', kind: 'reset', probabilty: 0.1 }), /Unknown field 'probabilty'/);
    assert.throws(() => checkFault({ operation: 'x', kind: 'reset', probability: 2 }), /between 0 and 1/);
    assert.throws(() => checkRule({ pipeline: 'p', stauts: 'Failed' }), /Unknown field 'stauts'/);
    assert.throws(() => checkRule({ status: 'Cancelled' }), /Failed or Succeeded/);
  });

  it('decides outcomes by the first matching rule', () => {
    const book = new OutcomeBook([
      { pipeline: 'p', activity: 'a', status: 'Succeeded', durationMs: 5 },
      { pipeline: 'p', message: 'no' },
    ]);
    const subject = (activityName: string) => ({ pipelineName: 'P', activityName, parameters: {} });
    assert.deepEqual(book.decide(subject('A')), { status: 'Succeeded', errorCode: '', message: '', durationMs: 5 });
    assert.deepEqual(book.decide(subject('b')), { status: 'Failed', errorCode: '2200', message: 'no' });
    assert.equal(book.decide({ pipelineName: 'other', activityName: 'b', parameters: {} }).status, 'Succeeded');
  });
});

describe('emulator limits', () => {
  it('a token bucket empties, says when to retry, and refills at its rate', () => {
    let now = 0;
    const bucket = new TokenBucket({ capacity: 2, refillPerSecond: 4 }, () => now);
    assert.deepEqual(bucket.take(), { ok: true, remaining: 1 });
    assert.deepEqual(bucket.take(), { ok: true, remaining: 0 });
    assert.deepEqual(bucket.take(), { ok: false, retryAfterSeconds: 1 });
    now += 250;
    assert.equal(bucket.take().ok, true);
  });

  it('a minute budget frees a call 60 seconds after it was spent', () => {
    let now = 0;
    const budget = new MinuteBudget(2, () => now);
    budget.take();
    now = 30_000;
    budget.take();
    assert.deepEqual(budget.take(), { ok: false, retryAfterSeconds: 30 });
    now = 60_000;
    assert.equal(budget.take().ok, true);
  });
});

describe('emulator lake seed (Spotify sample)', () => {
  it('plans zones, bronze parquet, watermarks and Delta tables, the same for the same time', async () => {
    const { metadata } = await loadProjectAt(new NodeFileHost(), SAMPLE_DIR);
    const now = Date.parse('2026-12-06T12:00:00Z');
    const plan = planLakeSeed(metadata, now);
    assert.deepEqual(plan.containers, ['bronze', 'silver', 'gold']);
    assert.deepEqual(
      plan.watermarks.map(w => [w.path, w.value]),
      ['DimUser', 'DimArtist', 'DimTrack', 'DimDate', 'FactStream'].map(t => [
        `${t}_cdc/cdc.json`,
        '2026-12-05T11:00:00.0000000',
      ]),
    );
    assert.deepEqual(
      plan.deltaTables.map(d => `${d.container}/${d.folder}@${d.versions}`),
      [
        ...['DimUser', 'DimArtist', 'DimTrack', 'DimDate', 'FactStream'].map(t => `silver/${t}@3`),
        ...['dim_user', 'dim_track', 'dim_artist', 'dim_date', 'fact_stream'].map(t => `gold/${t}@3`),
      ],
    );
    const stream = plan.blobs.find(b => b.path.startsWith('FactStream/FactStream_'))!;
    const footer = parquetMetadata(
      stream.body.buffer.slice(stream.body.byteOffset, stream.body.byteOffset + stream.body.length) as ArrayBuffer,
    );
    assert.deepEqual(
      footer.schema.slice(1).map(s => [s.name, s.type, s.converted_type]),
      [
        ['stream_id', 'INT64', undefined],
        ['user_id', 'INT32', undefined],
        ['track_id', 'INT32', undefined],
        ['date_key', 'INT32', undefined],
        ['listen_duration', 'INT32', undefined],
        ['device_type', 'BYTE_ARRAY', 'UTF8'],
        ['stream_timestamp', 'INT64', 'TIMESTAMP_MILLIS'],
      ],
    );
    const again = planLakeSeed(metadata, now);
    assert.deepEqual(
      again.blobs.map(b => b.path),
      plan.blobs.map(b => b.path),
    );
  });

  it('maps SQL Server types as the copy into parquet does', () => {
    assert.deepEqual(
      [
        'int',
        'BIGINT',
        'nvarchar(255)',
        'date',
        'datetime2(7)',
        'bit',
        'decimal(10,2)',
        'timestamp',
        'uniqueidentifier',
      ].map(kindOf),
      ['int', 'long', 'string', 'date', 'timestamp', 'boolean', 'double', 'long', 'string'],
    );
    assert.equal(watermarkTime(Date.parse('2024-01-02T03:04:05.678Z')), '2024-01-02T03:04:05.6780000');
  });
});

describe('emulator state file and process arguments', () => {
  const state = (pid: number): EmulatorState => ({
    version: 1,
    environment: 'local',
    label: 'local emulator',
    pid,
    startedAt: new Date().toISOString(),
    adf: { endpoint: 'https://127.0.0.1:1', ca: 'pem', subscriptionId: 's', resourceGroup: 'r', factory: 'f' },
    control: 'https://127.0.0.1:1/_emulator',
    controlKey: 'k',
  });

  it('writes atomically, tells a running emulator from a stale file, and removes only its own', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lakehouse-emu-state-'));
    try {
      assert.deepEqual(readStateFile(dir), { kind: 'none' });
      writeStateFile(dir, state(process.pid));
      assert.equal(readStateFile(dir).kind, 'running');
      assert.deepEqual(fs.readdirSync(dir), ['emulator.json'], 'no temporary file left');
      removeStateFile(dir, 12345);
      assert.equal(readStateFile(dir).kind, 'running', 'another process does not remove it');
      writeStateFile(dir, state(2 ** 22 + 12345));
      assert.equal(readStateFile(dir).kind, 'stale');
      fs.writeFileSync(path.join(dir, 'emulator.json'), '{ not json');
      assert.equal(readStateFile(dir).kind, 'unreadable');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('parses the process arguments, and refuses unknown ones with the usage', () => {
    const args = parseMainArguments([
      '--state-dir',
      '/s',
      '--project',
      '/p',
      '--timing',
      'test',
      '--adf-port',
      '0',
      '--location',
      '/l',
    ]);
    assert.deepEqual(optionsFromArguments(args), {
      timing: 'test',
      stateDir: '/s',
      project: '/p',
      adfPort: 0,
      storage: { location: '/l' },
    });
    assert.throws(() => parseMainArguments(['--bogus']), /Unknown argument '--bogus'. usage:/);
    assert.throws(() => parseMainArguments(['--timing', 'fast']), /demo or test/);
    assert.throws(() => parseMainArguments(['--adf-port', '70000']), /port number/);
    assert.throws(() => parseMainArguments(['--state-dir']), /needs a value/);
  });
});
