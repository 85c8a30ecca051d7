// Running pipelines: dependency conditions and skipping, the pipeline's status from its leaf
// activities (Microsoft's "Errors and conditional execution": try-catch, do-if-else,
// do-if-skip-else, generic error handling), ForEach, IfCondition, Switch, Until, Filter,
// variables and the return value, Wait, Fail, Execute Pipeline, inactive activities, parameters
// and system variables, and the bounds that stop a run that would not end.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { factoryFromJson } from '../../../../src/core/adf/run/factory';
import {
  runPipeline,
  type ExternalOutcome,
  type PipelineRunResult,
  type RunOptions,
} from '../../../../src/core/adf/run/runPipeline';
import { dryRun, parseWindow } from '../../../../src/core/adf/run/dryRun';
import { toJson, Unknown } from '../../../../src/core/adf/run/values';
import { show } from './helpers';

type Json = Record<string, unknown>;

const dep = (activity: string, ...conditions: string[]) => ({
  activity,
  dependencyConditions: conditions.length ? conditions : ['Succeeded'],
});
const act = (name: string, type = 'WebActivity', extra: Json = {}): Json => ({
  name,
  type,
  dependsOn: [],
  userProperties: [],
  typeProperties: {},
  ...extra,
});
const after = (name: string, on: ReturnType<typeof dep>[], type = 'WebActivity', extra: Json = {}) =>
  act(name, type, { dependsOn: on, ...extra });
const expr = (value: string) => ({ value, type: 'Expression' });
const pipeline = (name: string, activities: Json[], extra: Json = {}) => ({
  name,
  properties: { activities, ...extra },
});

/** Runs `name` among `pipelines`; external activities listed in `fail` fail. */
function run(
  pipelines: Json[],
  name = (pipelines[0] as { name: string }).name,
  options: RunOptions & { fail?: string[] } = {},
): PipelineRunResult {
  const fail = new Set(options.fail ?? []);
  return runPipeline(factoryFromJson({ name: 'adf-test', pipelines }), name, {
    now: '2024-01-02T03:04:05Z',
    runId: 'run-1',
    outcome: call =>
      fail.has(call.activity)
        ? { status: 'Failed', error: { message: `${call.activity} broke`, errorCode: '2200' } }
        : { output: { done: call.activity } },
    ...options,
  });
}

/** path → status of every activity run. */
function statuses(r: PipelineRunResult): Record<string, string> {
  return Object.fromEntries(r.runs.map(x => [x.path, x.status]));
}

describe('dependency conditions', () => {
  it('Succeeded, Failed, Skipped and Completed; OR within one dependency, AND across; unmet is Skipped', () => {
    const r = run([
      pipeline('p', [
        act('A'),
        after('onSuccess', [dep('A', 'Succeeded')]),
        after('onFailure', [dep('A', 'Failed')]),
        after('onCompletion', [dep('A', 'Completed')]),
        after('onSkipOfFailure', [dep('onFailure', 'Skipped')]),
        after('andBoth', [dep('onSuccess'), dep('onFailure')]),
        after('failedOrSkipped', [dep('onFailure', 'Failed', 'Skipped')]),
      ]),
    ]);
    assert.deepEqual(statuses(r), {
      A: 'Succeeded',
      onSuccess: 'Succeeded',
      onFailure: 'Skipped',
      onCompletion: 'Succeeded',
      onSkipOfFailure: 'Succeeded',
      andBoth: 'Skipped',
      failedOrSkipped: 'Succeeded',
    });
    assert.match(r.runs.find(x => x.name === 'andBoth')!.notes[0]!, /'onFailure' skipped \(needs Succeeded\)/);
    // activities start in dependency order, and in definition order among those ready
    assert.deepEqual(
      r.runs.map(x => x.name),
      ['A', 'onSuccess', 'onFailure', 'onCompletion', 'onSkipOfFailure', 'andBoth', 'failedOrSkipped'],
    );
  });

  it('a dependency cycle skips the activities in it instead of hanging', () => {
    const r = run([pipeline('p', [after('x', [dep('y')]), after('y', [dep('x')]), act('z')])]);
    assert.deepEqual(statuses(r), { z: 'Succeeded', x: 'Skipped', y: 'Skipped' });
  });
});

describe('the pipeline status: leaf activities, a skipped leaf through its parents', () => {
  const tryCatch = [pipeline('p', [act('A'), after('UponFailure', [dep('A', 'Failed')])])];
  const doIfElse = [
    pipeline('p', [
      act('A'),
      after('UponSuccess', [dep('A', 'Succeeded')]),
      after('UponFailure', [dep('A', 'Failed')]),
    ]),
  ];
  const doIfSkipElse = [
    pipeline('p', [
      act('A'),
      after('UponSuccess', [dep('A', 'Succeeded')]),
      after('UponFailure', [dep('A', 'Failed')]),
      after('DummyUponSkip', [dep('UponSuccess', 'Skipped')]),
    ]),
  ];

  it("try-catch: succeeds whether A succeeds or fails (the reference's summary table)", () => {
    assert.equal(run(tryCatch).status, 'Succeeded');
    assert.equal(run(tryCatch, 'p', { fail: ['A'] }).status, 'Succeeded');
  });

  it('do-if-else: succeeds when A succeeds, fails when A fails even though Upon Failure succeeded', () => {
    assert.equal(run(doIfElse).status, 'Succeeded');
    const failed = run(doIfElse, 'p', { fail: ['A'] });
    assert.equal(failed.status, 'Failed');
    assert.equal(failed.error?.message, 'Operation on target A failed: A broke');
    assert.equal(failed.error?.errorCode, '2200');
  });

  it('do-if-skip-else: succeeds either way', () => {
    assert.equal(run(doIfSkipElse).status, 'Succeeded');
    assert.equal(run(doIfSkipElse, 'p', { fail: ['A'] }).status, 'Succeeded');
  });

  it('generic error handling: a last step upon failure or skip of a sequence', () => {
    const p = [
      pipeline('p', [
        act('A'),
        after('B', [dep('A')]),
        after('C', [dep('B')]),
        after('Handler', [dep('C', 'Failed', 'Skipped')]),
      ]),
    ];
    assert.equal(run(p).status, 'Succeeded');
    const failed = run(p, 'p', { fail: ['B'] });
    assert.deepEqual(statuses(failed), { A: 'Succeeded', B: 'Failed', C: 'Skipped', Handler: 'Succeeded' });
    assert.equal(failed.status, 'Succeeded');
  });

  it('success and failure alerts after a chain (the generated pattern): a failure still fails the run', () => {
    const p = [
      pipeline('p', [
        act('load'),
        after('gold', [dep('load')]),
        after('alert_success', [dep('gold')]),
        after('alert_failure', [dep('gold', 'Failed', 'Skipped')]),
      ]),
    ];
    const ok = run(p);
    assert.equal(ok.status, 'Succeeded');
    assert.equal(statuses(ok).alert_failure, 'Skipped');
    const failed = run(p, 'p', { fail: ['load'] });
    assert.deepEqual(statuses(failed), {
      load: 'Failed',
      gold: 'Skipped',
      alert_success: 'Skipped',
      alert_failure: 'Succeeded',
    });
    assert.equal(failed.status, 'Failed');
    assert.equal(failed.error?.target, 'load');
  });
});

describe('ForEach', () => {
  it('runs its activities per item with item(), records the iteration path, and notes concurrency', () => {
    const r = run([
      pipeline(
        'p',
        [
          act('loop', 'ForEach', {
            typeProperties: {
              items: expr('@pipeline().parameters.tables'),
              isSequential: false,
              batchCount: 4,
              activities: [
                act('read', 'Lookup', {
                  typeProperties: { source: { query: expr("@concat('SELECT MAX(x) FROM ', item().name)") } },
                }),
                after('copy', [dep('read')], 'Copy', {
                  typeProperties: {
                    source: {
                      sqlReaderQuery: "SELECT * FROM @{item().name} WHERE x > '@{activity('read').output.done}'",
                    },
                  },
                }),
              ],
            },
          }),
        ],
        { parameters: { tables: { type: 'array', defaultValue: [{ name: 'a' }, { name: 'b' }] } } },
      ),
    ]);
    assert.equal(r.status, 'Succeeded');
    assert.deepEqual(
      r.runs.map(x => x.path),
      ['loop', 'loop[0] > read', 'loop[0] > copy', 'loop[1] > read', 'loop[1] > copy'],
    );
    const copies = r.runs.filter(x => x.name === 'copy');
    assert.deepEqual(
      copies.map(c => show(c.expressions[0]!.value)),
      [JSON.stringify("SELECT * FROM a WHERE x > 'read'"), JSON.stringify("SELECT * FROM b WHERE x > 'read'")],
    );
    assert.ok(r.runs[0]!.notes.some(n => /concurrently \(batchCount 4\)/.test(n)));
    assert.deepEqual(toJson(copies[1]!.iteration[0]!.item!), { name: 'b' });
  });

  it('fails when an iteration fails, after running the others', () => {
    let calls = 0;
    const r = run(
      [
        pipeline('p', [
          act('loop', 'ForEach', {
            typeProperties: { items: expr('@createArray(1, 2, 3)'), activities: [act('step')] },
          }),
          after('next', [dep('loop')]),
        ]),
      ],
      'p',
      { outcome: call => (calls++, call.item === 2n ? { status: 'Failed', error: { message: 'two' } } : {}) },
    );
    assert.equal(calls, 3);
    assert.deepEqual(statuses(r), {
      loop: 'Failed',
      'loop[0] > step': 'Succeeded',
      'loop[1] > step': 'Failed',
      'loop[2] > step': 'Succeeded',
      next: 'Skipped',
    });
    assert.equal(
      r.runs[0]!.error?.message,
      'Activity failed because an inner activity failed; Inner activity name: step, Error: two',
    );
    assert.equal(r.status, 'Failed');
  });

  it('unknown items show one iteration with item() unknown; too many items fail with the limit', () => {
    const r = run(
      [
        pipeline('q', [
          act('x'),
          after('loop', [dep('x')], 'ForEach', {
            typeProperties: {
              items: expr("@activity('x').output.value"),
              activities: [act('step', 'Copy', { typeProperties: { q: '@{item().name}' } })],
            },
          }),
        ]),
      ],
      'q',
      { outcome: () => undefined },
    );
    const step = r.runs.find(x => x.name === 'step')!;
    assert.equal(step.assumed, true);
    assert.equal(show(step.expressions[0]!.value), '‹item().name›');
    const big = run(
      [
        pipeline('p', [
          act('loop', 'ForEach', { typeProperties: { items: expr('@range(0, 20)'), activities: [act('s')] } }),
        ]),
      ],
      'p',
      { limits: { maxForEachItems: 10 } },
    );
    assert.equal(big.status, 'Failed');
    assert.match(big.runs[0]!.error!.message, /20 items, more than the dry run's limit of 10/);
  });
});

describe('IfCondition and Switch', () => {
  const ifPipeline = (condition: string) => [
    pipeline('p', [
      act('check', 'IfCondition', {
        typeProperties: { expression: expr(condition), ifTrueActivities: [act('yes')], ifFalseActivities: [act('no')] },
      }),
      after('after', [dep('check')]),
    ]),
  ];

  it('runs the branch the condition picks; a failure inside fails the If', () => {
    assert.deepEqual(statuses(run(ifPipeline('@equals(1, 1)'))), {
      check: 'Succeeded',
      'check > yes': 'Succeeded',
      after: 'Succeeded',
    });
    assert.deepEqual(statuses(run(ifPipeline('@equals(1, 2)'))), {
      check: 'Succeeded',
      'check > no': 'Succeeded',
      after: 'Succeeded',
    });
    const failed = run(ifPipeline('@equals(1, 1)'), 'p', { fail: ['yes'] });
    assert.deepEqual(statuses(failed), { check: 'Failed', 'check > yes': 'Failed', after: 'Skipped' });
    assert.equal(failed.status, 'Failed');
  });

  it('a condition that is not a boolean fails the If; an unknown one shows both branches as assumed', () => {
    const bad = run(ifPipeline("@'yes'"));
    assert.equal(bad.runs[0]!.status, 'Failed');
    assert.match(bad.runs[0]!.error!.message, /must evaluate to a boolean/);
    const unknown = run(
      [
        pipeline('p', [
          act('x'),
          after('check', [dep('x')], 'IfCondition', {
            typeProperties: {
              expression: expr("@activity('x').output.ok"),
              ifTrueActivities: [act('yes')],
              ifFalseActivities: [act('fail', 'Fail', { typeProperties: { message: 'no', errorCode: 'E1' } })],
            },
          }),
        ]),
      ],
      'p',
      { outcome: () => undefined },
    );
    assert.equal(unknown.status, 'Succeeded');
    assert.deepEqual(
      unknown.runs.filter(r => r.assumed).map(r => `${r.path}:${r.status}`),
      ['check > yes:Succeeded', 'check > fail:Failed'],
    );
    assert.ok(
      unknown.runs[1]!.notes.some(n =>
        /if the condition is false, this activity fails: Operation on target fail failed: no/.test(n),
      ),
    );
    const none = run(
      [
        pipeline('p', [
          act('x'),
          after('check', [dep('x')], 'IfCondition', {
            typeProperties: { expression: expr("@activity('x').output.ok"), ifTrueActivities: [act('yes')] },
          }),
        ]),
      ],
      'p',
      { outcome: () => undefined, unknownBranches: 'none' },
    );
    assert.equal(none.runs.length, 2);
  });

  it('Switch runs the matching case (case-sensitive) or the default', () => {
    const sw = (on: string) =>
      run([
        pipeline('p', [
          act('sw', 'Switch', {
            typeProperties: {
              on: expr(on),
              cases: [
                { value: 'a', activities: [act('caseA')] },
                { value: 'b', activities: [act('caseB')] },
              ],
              defaultActivities: [act('other')],
            },
          }),
        ]),
      ]);
    assert.deepEqual(Object.keys(statuses(sw("@'b'"))), ['sw', 'sw > caseB']);
    assert.deepEqual(Object.keys(statuses(sw("@'B'"))), ['sw', 'sw > other']);
    assert.match(sw('@1').runs[0]!.error!.message, /must evaluate to a string/);
  });
});

describe('Until', () => {
  it("repeats until its condition (which can read the iteration's activities) is true", () => {
    const r = run(
      [
        pipeline(
          'p',
          [
            act('until', 'Until', {
              typeProperties: {
                expression: expr("@equals(activity('poll').output.state, 'Done')"),
                activities: [
                  act('count', 'AppendVariable', {
                    typeProperties: { variableName: 'n', value: "@{length(variables('n'))}" },
                  }),
                  after('poll', [dep('count')]),
                ],
              },
            }),
            after('after', [dep('until')], 'SetVariable', {
              typeProperties: { variableName: 'last', value: "@activity('poll').output.state" },
            }),
          ],
          { variables: { n: { type: 'Array', defaultValue: [] }, last: { type: 'String' } } },
        ),
      ],
      'p',
      { outcome: call => ({ output: { state: call.attempt < 2 ? 'Running' : 'Done' } }) },
    );
    assert.equal(r.status, 'Succeeded');
    assert.deepEqual(
      r.runs.filter(x => x.name === 'poll').map(x => x.path),
      ['until[0] > poll', 'until[1] > poll', 'until[2] > poll'],
    );
    assert.deepEqual(toJson(r.variables.get('n')!), ['0', '1', '2']);
    assert.equal(r.variables.get('last'), 'Done');
  });

  it('stops with a clear error after the iteration limit instead of looping for ever', () => {
    const r = run(
      [
        pipeline('p', [
          act('until', 'Until', {
            typeProperties: {
              expression: expr('@equals(1, 2)'),
              timeout: '0.01:00:00',
              activities: [act('w', 'Wait', { typeProperties: { waitTimeInSeconds: 5 } })],
            },
          }),
        ]),
      ],
      'p',
      { limits: { maxUntilIterations: 7 } },
    );
    assert.equal(r.status, 'Failed');
    assert.match(
      r.runs[0]!.error!.message,
      /ran 7 iterations, the dry run's limit, and its condition never became true \(in Data Factory it would run until its timeout, 0.01:00:00\)/,
    );
    assert.equal(r.runs.filter(x => x.name === 'w').length, 7);
  });

  it('a bounded number of activity runs stops any run', () => {
    const r = run(
      [
        pipeline('p', [
          act('until', 'Until', {
            typeProperties: { expression: expr('@equals(1, 2)'), activities: [act('a'), act('b')] },
          }),
        ]),
      ],
      'p',
      { limits: { maxActivityRuns: 50, maxUntilIterations: 1000 } },
    );
    assert.equal(r.status, 'Failed');
    assert.match(r.error!.message, /stopped after 50 activity runs/);
    assert.equal(r.runs.length, 50);
  });
});

describe('Filter, variables, Wait, Fail', () => {
  it('Filter keeps the items whose condition is true', () => {
    const r = run([
      pipeline('p', [
        act('f', 'Filter', { typeProperties: { items: expr('@range(1, 5)'), condition: expr('@greater(item(), 3)') } }),
      ]),
    ]);
    assert.deepEqual(toJson(r.runs[0]!.output!), { ItemsCount: 5, FilteredItemsCount: 2, Value: [4, 5] });
  });

  it('SetVariable, AppendVariable, and the pipeline return value', () => {
    const r = run([
      pipeline(
        'p',
        [
          act('set', 'SetVariable', { typeProperties: { variableName: 's', value: "@concat('a', 'b')" } }),
          after('append', [dep('set')], 'AppendVariable', {
            typeProperties: { variableName: 'list', value: "@variables('s')" },
          }),
          after('ret', [dep('append')], 'SetVariable', {
            typeProperties: {
              variableName: 'pipelineReturnValue',
              setSystemVariable: true,
              value: [
                { key: 'text', value: { type: 'String', content: '@not an expression' } },
                { key: 'list', value: { type: 'Expression', content: "@variables('list')" } },
                { key: 'n', value: { type: 'Int', content: 5 } },
                {
                  key: 'arr',
                  value: {
                    type: 'Array',
                    content: [
                      { type: 'Boolean', content: true },
                      { type: 'Expression', content: '@add(1, 1)' },
                    ],
                  },
                },
              ],
            },
          }),
        ],
        { variables: { s: { type: 'String' }, list: { type: 'Array' } } },
      ),
    ]);
    assert.equal(r.variables.get('s'), 'ab');
    assert.deepEqual(toJson(r.variables.get('list')!), ['ab']);
    assert.deepEqual(toJson(r.returnValue!), { text: '@not an expression', list: ['ab'], n: 5, arr: [true, 2] });
  });

  it('a variable that is not declared, or of another type, fails the activity', () => {
    const r = run([
      pipeline(
        'p',
        [
          act('undeclared', 'SetVariable', { typeProperties: { variableName: 'nope', value: 'x' } }),
          act('wrongType', 'SetVariable', { typeProperties: { variableName: 'flag', value: '@1' } }),
          act('notArray', 'AppendVariable', { typeProperties: { variableName: 'flag', value: 'x' } }),
        ],
        { variables: { flag: { type: 'Boolean', defaultValue: false } } },
      ),
    ]);
    assert.deepEqual(
      r.runs.map(x => x.status),
      ['Failed', 'Failed', 'Failed'],
    );
    assert.match(r.runs[0]!.error!.message, /'nope' is not declared/);
    assert.match(r.runs[1]!.error!.message, /of type 'Boolean' and cannot be set to a value of type 'Integer'/);
    assert.match(r.runs[2]!.error!.message, /not an array/);
  });

  it("Fail fails with its evaluated message and error code, which become the run's error", () => {
    const r = run([
      pipeline(
        'p',
        [
          act('stop', 'Fail', {
            typeProperties: { message: expr("@concat('bad ', pipeline().parameters.x)"), errorCode: '@{add(400, 4)}' },
          }),
        ],
        { parameters: { x: { type: 'string', defaultValue: 'input' } } },
      ),
    ]);
    assert.equal(r.status, 'Failed');
    assert.deepEqual(
      { ...r.runs[0]!.error },
      { message: 'bad input', errorCode: '404', failureType: 'UserError', target: 'stop' },
    );
    assert.equal(r.error!.message, 'Operation on target stop failed: bad input');
    const w = run([pipeline('p', [act('w', 'Wait', { typeProperties: { waitTimeInSeconds: expr('@mul(2, 30)') } })])]);
    assert.match(w.runs[0]!.notes[0]!, /waits 60 seconds/);
  });
});

describe('Execute Pipeline', () => {
  const child = pipeline(
    'child',
    [
      act('work', 'Copy', {
        typeProperties: {
          q: '@{pipeline().parameters.table}|@{pipeline().TriggeredByPipelineName}|@{pipeline().TriggerType}',
        },
      }),
      after('ret', [dep('work')], 'SetVariable', {
        typeProperties: {
          variableName: 'pipelineReturnValue',
          setSystemVariable: true,
          value: [{ key: 'rows', value: { type: 'Expression', content: "@activity('work').output.rows" } }],
        },
      }),
    ],
    { parameters: { table: { type: 'string' }, n: { type: 'int', defaultValue: 1 } } },
  );
  const parent = (wait: boolean) =>
    pipeline(
      'parent',
      [
        act('runChild', 'ExecutePipeline', {
          typeProperties: {
            pipeline: { referenceName: 'child', type: 'PipelineReference' },
            waitOnCompletion: wait,
            parameters: { table: expr("@concat('t_', pipeline().parameters.suffix)") },
          },
        }),
        after('next', [dep('runChild')], 'WebActivity', {
          typeProperties: { body: "@{activity('runChild').output.pipelineReturnValue.rows}" },
        }),
      ],
      { parameters: { suffix: { type: 'string', defaultValue: 'x' } } },
    );

  it('runs the child with the evaluated parameters and reads its return value', () => {
    const r = run([parent(true), child], 'parent', {
      outcome: call => (call.activity === 'work' ? { output: { rows: 42 } } : {}),
    });
    assert.equal(r.status, 'Succeeded');
    assert.deepEqual(
      r.runs.map(x => `${x.path} (${x.pipeline})`),
      ['runChild (parent)', 'runChild > work (child)', 'runChild > ret (child)', 'next (parent)'],
    );
    assert.equal(show(r.runs[1]!.expressions[0]!.value), JSON.stringify('t_x|parent|PipelineActivity'));
    assert.equal(show(r.runs[3]!.expressions[0]!.value), JSON.stringify('42'));
  });

  it('a failing child fails the activity when it waits, not when it does not', () => {
    const waited = run([parent(true), child], 'parent', { fail: ['work'] });
    assert.equal(waited.runs[0]!.status, 'Failed');
    assert.equal(waited.runs[0]!.error!.message, 'Operation on target work failed: work broke');
    assert.equal(waited.status, 'Failed');
    const fired = run([parent(false), child], 'parent', { fail: ['work'] });
    assert.equal(fired.runs[0]!.status, 'Succeeded');
    assert.match(fired.runs[0]!.notes.join(), /waitOnCompletion is false/);
  });

  it('a pipeline that runs itself stops at the depth limit', () => {
    const r = run(
      [
        pipeline('self', [
          act('again', 'ExecutePipeline', {
            typeProperties: { pipeline: { referenceName: 'self' }, waitOnCompletion: true },
          }),
        ]),
      ],
      'self',
      { limits: { maxPipelineDepth: 3 } },
    );
    assert.equal(r.status, 'Failed');
    assert.equal(r.runs.length, 4);
    assert.match(r.runs[3]!.error!.message, /more than 3 levels deep/);
  });
});

describe('activities, parameters and the run context', () => {
  it('inactive activities take the status they are marked with', () => {
    const r = run(
      [
        pipeline('p', [
          act('off', 'Copy', { state: 'Inactive', onInactiveMarkAs: 'Failed' }),
          after('onFail', [dep('off', 'Failed')]),
          act('offDefault', 'Copy', { state: 'Inactive' }),
          after('onOk', [dep('offDefault')]),
        ]),
      ],
      'p',
      { outcome: call => (call.activity.startsWith('off') ? assert.fail('an inactive activity is not run') : {}) },
    );
    assert.deepEqual(statuses(r), { off: 'Failed', onFail: 'Succeeded', offDefault: 'Succeeded', onOk: 'Succeeded' });
  });

  it("external activities: typeProperties, dataset references and the dataset's own properties evaluated", () => {
    const datasets = [
      {
        name: 'ds',
        properties: {
          parameters: { folder: { type: 'string' }, file: { type: 'string', defaultValue: 'x.json' } },
          typeProperties: { location: { folderPath: expr('@dataset().folder'), fileName: '@{dataset().file}' } },
        },
      },
    ];
    const factory = factoryFromJson({
      pipelines: [
        pipeline('p', [
          act('look', 'Lookup', {
            typeProperties: {
              dataset: { referenceName: 'ds', parameters: { folder: '@{pipeline().RunId}_cdc' } },
              firstRowOnly: true,
            },
          }),
        ]),
      ],
      datasets,
    });
    let seen: unknown;
    const r = runPipeline(factory, 'p', {
      runId: 'r1',
      outcome: call => {
        seen = toJson(call.datasets[0]!.properties!);
        return { output: { firstRow: { cdc: 1 } } };
      },
    });
    assert.deepEqual(seen, { location: { folderPath: 'r1_cdc', fileName: 'x.json' } });
    assert.deepEqual(toJson(r.runs[0]!.output!), { firstRow: { cdc: 1 } });
    assert.deepEqual(
      r.runs[0]!.expressions.map(e => e.path.join('.')),
      ['dataset.parameters.folder'],
    );
  });

  it('a skipped activity has no output: ?.error gives null, .output is an error', () => {
    const r = run([
      pipeline('p', [
        act('A'),
        after('B', [dep('A', 'Failed')]),
        after('C', [dep('B', 'Skipped')], 'WebActivity', {
          typeProperties: { msg: "@{coalesce(activity('B')?.error?.message, 'none')}", bad: "@activity('B').output" },
        }),
      ]),
    ]);
    const c = r.runs.find(x => x.name === 'C')!;
    assert.equal(show(c.inputs instanceof Map ? c.inputs.get('msg')! : null), JSON.stringify('none'));
    assert.match(c.error!.message, /property 'output' doesn't exist/);
  });

  it('parameters are converted to their types; a bad value fails the run; a missing one is unknown', () => {
    const p = [
      pipeline(
        'p',
        [
          act('w', 'WebActivity', {
            typeProperties: {
              n: '@add(pipeline().parameters.n, 1)',
              b: '@not(pipeline().parameters.b)',
              a: '@length(pipeline().parameters.a)',
              m: '@pipeline().parameters.missing',
            },
          }),
        ],
        {
          parameters: {
            n: { type: 'int' },
            b: { type: 'bool', defaultValue: false },
            a: { type: 'array', defaultValue: [] },
            missing: { type: 'string' },
          },
        },
      ),
    ];
    const r = run(p, 'p', { parameters: { n: '41', b: 'TRUE', a: '[1, 2, 3]' } });
    const inputs = r.runs[0]!.inputs as Map<string, unknown>;
    assert.deepEqual(
      [inputs.get('n'), inputs.get('b'), inputs.get('a'), (inputs.get('m') as Unknown).render()],
      [42n, false, 3n, '‹pipeline().parameters.missing›'],
    );
    assert.ok(r.notes.some(n => /parameter 'missing' has no value/.test(n)));
    const bad = run(p, 'p', { parameters: { n: 'forty' } });
    assert.equal(bad.status, 'Failed');
    assert.match(bad.error!.message, /Parameter 'n' of pipeline 'p' \(int\) expects an integer, not 'forty'/);
  });

  it('system variables and the trigger of a backfill window', () => {
    const factory = factoryFromJson({
      name: 'adf-x',
      pipelines: [
        pipeline(
          'p',
          [
            act('w', 'WebActivity', {
              typeProperties: {
                sys: [
                  '@{pipeline().DataFactory}|@{pipeline().Pipeline}|@{pipeline().RunId}|@{pipeline().TriggerType}',
                  '|@{pipeline().TriggerName}|@{pipeline().TriggerTime}|@{pipeline()?.TriggeredByPipelineName}',
                ].join(''),
                window: '@{trigger().outputs.windowStartTime}/@{pipeline().parameters.start}',
              },
            }),
          ],
          { parameters: { start: { type: 'string', defaultValue: '' } } },
        ),
      ],
      triggers: [
        {
          name: 'tw',
          properties: {
            type: 'TumblingWindowTrigger',
            pipeline: {
              pipelineReference: { referenceName: 'p' },
              parameters: { start: "@formatDateTime(trigger().outputs.windowStartTime, 'yyyy-MM-dd')" },
            },
          },
        },
      ],
      globalParameters: { env: { type: 'string', value: 'dev' } },
    });
    const d = dryRun({
      factory,
      pipeline: 'p',
      window: parseWindow('2024-01-01/2024-01-02'),
      now: '2024-01-02T00:15:00Z',
    });
    const inputs = d.result.runs[0]!.inputs as Map<string, unknown>;
    assert.equal(d.trigger, 'tw');
    assert.equal(inputs.get('window'), '2024-01-01T00:00:00Z/2024-01-01');
    assert.match(
      String(inputs.get('sys')),
      /^adf-x\|p\|[0-9a-f-]{36}\|TumblingWindowTrigger\|tw\|2024-01-02T00:15:00.0000000Z\|$/,
    );
    const manual = dryRun({ factory, pipeline: 'p', now: '2024-01-02T00:15:00Z' });
    assert.match(manual.result.runs[0]!.evaluationErrors[0]!.error.message, /property 'outputs' doesn't exist/);
    assert.throws(() => parseWindow('2024-01-02/2024-01-01'), /start must be before the end/);
    assert.deepEqual(parseWindow('01/02/2024/01/03/2024 12:00'), {
      start: '2024-01-02T00:00:00Z',
      end: '2024-01-03T12:00:00Z',
    });
  });

  it('a run with the same inputs gives the same trace', () => {
    const p = [
      pipeline('p', [act('w', 'WebActivity', { typeProperties: { id: '@{guid()}|@{pipeline().RunId}|@{utcNow()}' } })]),
    ];
    const a = runPipeline(factoryFromJson({ pipelines: p }), 'p', { now: '2024-01-01T00:00:00Z' });
    const b = runPipeline(factoryFromJson({ pipelines: p }), 'p', { now: '2024-01-01T00:00:00Z' });
    assert.equal(show(a.runs[0]!.expressions[0]!.value), show(b.runs[0]!.expressions[0]!.value));
  });

  it('outcomes can be given per call', () => {
    const outcome = (call: { attempt: number }): ExternalOutcome => ({ output: { n: call.attempt } });
    const r = run(
      [
        pipeline('p', [
          act('a'),
          after('b', [dep('a')], 'WebActivity', { typeProperties: { x: "@activity('a').output.n" } }),
        ]),
      ],
      'p',
      { outcome },
    );
    assert.equal((r.runs[1]!.inputs as Map<string, unknown>).get('x'), 0n);
  });
});
