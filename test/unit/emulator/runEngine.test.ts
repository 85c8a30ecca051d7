// The emulator's run engine on a manual clock: each state change happens exactly when the clock
// says, and ADF's rules (dependency conditions, the pipeline result from its leaves, recovery
// reruns, Execute Pipeline with evaluated parameters, concurrency) are checked without HTTP.
import { strict as assert } from 'assert';
import { describe, it } from 'node:test';
import { ArtifactStore } from '../../../src/emulator/artifacts';
import { SimClock } from '../../../src/emulator/clock';
import { ArmError } from '../../../src/emulator/http';
import { OutcomeBook, type OutcomeRule } from '../../../src/emulator/outcomes';
import { RunEngine, type PipelineRunRecord } from '../../../src/emulator/runs';

const timing = { queuedMs: 10, activityMs: 100, cancelMs: 20 };

function setup(outcomes: OutcomeRule[] = []) {
  const clock = new SimClock({ manual: true, start: Date.parse('2026-12-01T00:00:00Z') });
  const artifacts = new ArtifactStore(() => clock.now());
  const book = new OutcomeBook(outcomes);
  const engine = new RunEngine({
    clock,
    artifacts,
    outcomes: book,
    timing,
    factoryId: '/subscriptions/s/resourceGroups/r/providers/Microsoft.DataFactory/factories/f',
  });
  const pipeline = (name: string, properties: Record<string, unknown>) =>
    artifacts.put('pipelines', name, { properties });
  return { clock, artifacts, book, engine, pipeline };
}

const act = (name: string, after: Record<string, string[]> = {}, type = 'Wait') => ({
  name,
  type,
  dependsOn: Object.entries(after).map(([activity, dependencyConditions]) => ({ activity, dependencyConditions })),
  typeProperties: {},
});

const statuses = (run: PipelineRunRecord) => Object.fromEntries(run.activityRuns.map(a => [a.activityName, a.status]));

describe('emulator run engine (manual clock)', () => {
  it('moves Queued → InProgress → Succeeded exactly on the clock, activities in dependsOn order', () => {
    const { clock, engine, pipeline } = setup();
    pipeline('p', { activities: [act('a'), act('b', { a: ['Succeeded'] }), act('c', { a: ['Succeeded'] })] });
    const run = engine.createRun('p', {});
    assert.equal(run.status, 'Queued');
    clock.advance(9);
    assert.equal(run.status, 'Queued');
    clock.advance(1);
    assert.equal(run.status, 'InProgress');
    assert.deepEqual(statuses(run), { a: 'InProgress' });
    clock.advance(100);
    assert.deepEqual(statuses(run), { a: 'Succeeded', b: 'InProgress', c: 'InProgress' }, 'b and c run side by side');
    clock.advance(100);
    assert.equal(run.status, 'Succeeded');
    assert.equal(run.runEnd! - run.runStart, 210);
  });

  it("follows ADF's result rule: try-catch succeeds, do-if-else fails, do-if-skip-else succeeds", () => {
    const { clock, engine, pipeline } = setup([{ activity: 'work', message: 'boom' }]);
    pipeline('tryCatch', { activities: [act('work'), act('onFail', { work: ['Failed'] })] });
    pipeline('doIfElse', {
      activities: [act('work'), act('onFail', { work: ['Failed'] }), act('onOk', { work: ['Succeeded'] })],
    });
    pipeline('doIfSkipElse', {
      activities: [
        act('work'),
        act('onFail', { work: ['Failed'] }),
        act('onOk', { work: ['Succeeded'] }),
        act('skipped', { onOk: ['Skipped'] }),
      ],
    });
    const runs = ['tryCatch', 'doIfElse', 'doIfSkipElse'].map(p => engine.createRun(p, {}));
    clock.advance(1_000);
    assert.deepEqual(
      runs.map(r => r.status),
      ['Succeeded', 'Failed', 'Succeeded'],
    );
    assert.equal(runs[1]!.message, 'Operation on target work failed: boom');
    assert.deepEqual(
      statuses(runs[1]!),
      { work: 'Failed', onFail: 'Succeeded' },
      'a skipped activity has no activity run',
    );
  });

  it('Completed runs after success or failure; an outcome rule with times fails only that many runs', () => {
    const { clock, engine, pipeline } = setup([{ pipeline: 'p', activity: 'a', times: 1 }]);
    pipeline('p', { activities: [act('a'), act('cleanup', { a: ['Completed'] })] });
    const first = engine.createRun('p', {});
    const second = engine.createRun('p', {});
    clock.advance(1_000);
    assert.deepEqual(statuses(first), { a: 'Failed', cleanup: 'Succeeded' });
    assert.equal(first.status, 'Succeeded', 'the leaf (cleanup) succeeded');
    assert.deepEqual(statuses(second), { a: 'Succeeded', cleanup: 'Succeeded' });
  });

  it('outcome rules can match a parameter value', () => {
    const { clock, engine, pipeline } = setup([
      { parameter: { name: 'day', value: '2024-01-02' }, errorCode: '2100', message: 'no rows' },
    ]);
    pipeline('p', { activities: [act('copy')], parameters: { day: { type: 'String' } } });
    const ok = engine.createRun('p', { parameters: { day: '2024-01-01' } });
    const bad = engine.createRun('p', { parameters: { day: '2024-01-02' } });
    clock.advance(1_000);
    assert.deepEqual([ok.status, bad.status], ['Succeeded', 'Failed']);
    assert.equal(bad.activityRuns[0]!.error.errorCode, '2100');
  });

  it('a recovery rerun from an activity reruns it and what follows it; the rest is carried over', () => {
    const { clock, engine, pipeline } = setup([{ activity: 'c', times: 1 }]);
    pipeline('p', {
      activities: [
        act('a'),
        act('b', { a: ['Succeeded'] }),
        act('c', { b: ['Succeeded'] }),
        act('d', { c: ['Succeeded'] }),
      ],
    });
    const failed = engine.createRun('p', {});
    clock.advance(1_000);
    assert.equal(failed.status, 'Failed');
    const fromB = engine.createRun('p', {
      referencePipelineRunId: failed.runId,
      isRecovery: true,
      startActivityName: 'B',
    });
    clock.advance(1_000);
    assert.equal(fromB.status, 'Succeeded');
    assert.deepEqual(Object.keys(statuses(fromB)), ['b', 'c', 'd']);
    assert.equal(fromB.runGroupId, failed.runGroupId);
    assert.deepEqual([failed.isLatest, fromB.isLatest], [false, true]);
    // Without isRecovery a run with a reference takes its parameters but starts a group of its own.
    const plain = engine.createRun('p', { referencePipelineRunId: failed.runId });
    assert.notEqual(plain.runGroupId, failed.runGroupId);
    assert.throws(
      () => engine.createRun('p', { referencePipelineRunId: failed.runId, isRecovery: true, startActivityName: 'zz' }),
      ArmError,
    );
  });

  it('Execute Pipeline starts a child run with evaluated parameters and waits for it', () => {
    const { clock, engine, pipeline } = setup();
    pipeline('child', { activities: [act('work')], parameters: { day: { type: 'String' }, n: { type: 'Int' } } });
    pipeline('parent', {
      parameters: { from: { type: 'String' }, count: { type: 'Int', defaultValue: 2 } },
      activities: [
        {
          name: 'run child',
          type: 'ExecutePipeline',
          typeProperties: {
            pipeline: { referenceName: 'child', type: 'PipelineReference' },
            waitOnCompletion: true,
            parameters: {
              day: "@concat(pipeline().parameters.from, 'T00')",
              n: { value: '@add(pipeline().parameters.count, 1)', type: 'Expression' },
            },
          },
        },
      ],
    });
    const parent = engine.createRun('parent', { parameters: { from: '2024-01-01' } });
    clock.advance(20);
    const child = engine.all().find(r => r.pipelineName === 'child')!;
    assert.deepEqual(child.parameters, { day: '2024-01-01T00', n: '3' });
    assert.equal(child.invokedBy.invokedByType, 'PipelineActivity');
    assert.equal(child.invokedBy.pipelineRunId, parent.runId);
    assert.equal(parent.status, 'InProgress');
    clock.advance(1_000);
    assert.equal(child.status, 'Succeeded');
    assert.equal(parent.status, 'Succeeded');
    assert.deepEqual(parent.activityRuns[0]!.output, { pipelineName: 'child', pipelineRunId: child.runId });
  });

  it('a child that fails fails its Execute Pipeline activity; a child that cannot be evaluated fails it too', () => {
    const { clock, engine, pipeline } = setup([{ pipeline: 'child', message: 'bad data' }]);
    pipeline('child', { activities: [act('work')] });
    const exec = (parameters: Record<string, unknown>) => ({
      name: 'exec',
      type: 'ExecutePipeline',
      typeProperties: {
        pipeline: { referenceName: 'child', type: 'PipelineReference' },
        waitOnCompletion: true,
        parameters,
      },
    });
    pipeline('parent', { activities: [exec({})] });
    pipeline('broken', { activities: [exec({ x: "@activity('nope').output" })] });
    const parent = engine.createRun('parent', {});
    const broken = engine.createRun('broken', {});
    clock.advance(1_000);
    assert.equal(parent.status, 'Failed');
    assert.match(parent.message, /Operation on target exec failed: Operation on target work failed: bad data/);
    assert.equal(broken.status, 'Failed');
    assert.match(broken.activityRuns[0]!.error.message, /Parameter 'x' of Execute Pipeline activity 'exec'/);
  });

  it('keeps to the pipeline concurrency: the next queued run starts when one ends', () => {
    const { clock, engine, pipeline } = setup();
    pipeline('p', { concurrency: 2, activities: [act('a')] });
    const runs = [1, 2, 3, 4, 5].map(() => engine.createRun('p', {}));
    clock.advance(10);
    assert.deepEqual(
      runs.map(r => r.status),
      ['InProgress', 'InProgress', 'Queued', 'Queued', 'Queued'],
    );
    clock.advance(100);
    assert.deepEqual(
      runs.map(r => r.status),
      ['Succeeded', 'Succeeded', 'InProgress', 'InProgress', 'Queued'],
    );
    clock.advance(200);
    assert.ok(runs.every(r => r.status === 'Succeeded'));
  });

  it('cancels a queued run at once and an in-progress one through Canceling', () => {
    const { clock, engine, pipeline } = setup();
    pipeline('p', { activities: [act('a'), act('b', { a: ['Succeeded'] })] });
    const queued = engine.createRun('p', {});
    engine.cancel(queued.runId, false);
    assert.equal(queued.status, 'Cancelled');
    const running = engine.createRun('p', {});
    clock.advance(50);
    engine.cancel(running.runId, false);
    assert.equal(running.status, 'Canceling');
    assert.deepEqual(statuses(running), { a: 'Cancelled' });
    clock.advance(20);
    assert.equal(running.status, 'Cancelled');
    clock.advance(1_000);
    assert.deepEqual(statuses(running), { a: 'Cancelled' }, 'b never starts');
    assert.throws(
      () => engine.cancel(running.runId, false),
      (e: ArmError) => e.status === 400,
    );
  });

  it('refuses a missing required parameter, and shows parameters as text with defaults filled in', () => {
    const { engine, pipeline } = setup();
    pipeline('p', {
      activities: [],
      parameters: {
        a: { type: 'String' },
        b: { type: 'Int', defaultValue: 5 },
        c: { type: 'Object', defaultValue: { k: 1 } },
      },
    });
    assert.throws(
      () => engine.createRun('p', {}),
      (e: ArmError) => e.status === 400 && /'a'/.test(e.message),
    );
    assert.deepEqual(engine.createRun('p', { parameters: { a: 'x' } }).parameters, { a: 'x', b: '5', c: '{"k":1}' });
  });
});
