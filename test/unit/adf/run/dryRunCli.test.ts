// `lakehouse dry-run`: loading a project or an ADF folder, --param, --window, --outputs (its
// format and its errors), text and JSON reports, exit codes.
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { after, before, describe, it } from 'node:test';
import { parseOutcomeFile, OutcomeFileError } from '../../../../src/core/adf/run/outcomes';
import type { ExternalCall } from '../../../../src/core/adf/run/runPipeline';
import { fromJson } from '../../../../src/core/adf/run/values';
import { lakehouse } from '../../helpers/cli';
import { SAMPLE_DIR } from '../../helpers/paths';

const PIPELINE = {
  name: 'p',
  properties: {
    parameters: {
      table: { type: 'string', defaultValue: 'T1' },
      n: { type: 'int', defaultValue: 1 },
      start: { type: 'string', defaultValue: '' },
    },
    activities: [
      {
        name: 'look',
        type: 'Lookup',
        dependsOn: [],
        typeProperties: { source: { query: 'SELECT MAX(x) AS w FROM @{pipeline().parameters.table}' } },
      },
      {
        name: 'loop',
        type: 'ForEach',
        dependsOn: [{ activity: 'look', dependencyConditions: ['Succeeded'] }],
        typeProperties: {
          items: { value: '@createArray(json(\'{"t":"a"}\'), json(\'{"t":"b"}\'))', type: 'Expression' },
          activities: [
            {
              name: 'copy',
              type: 'Copy',
              dependsOn: [],
              typeProperties: {
                source: {
                  sqlReaderQuery:
                    "SELECT * FROM @{item().t} WHERE w > '@{activity('look').output.firstRow.w}' AND n = @{pipeline().parameters.n}",
                },
              },
            },
          ],
        },
      },
      {
        name: 'win',
        type: 'WebActivity',
        dependsOn: [{ activity: 'loop', dependencyConditions: ['Succeeded'] }],
        typeProperties: { method: 'POST', url: 'https://x.example/hook', body: '@{pipeline().parameters.start}' },
      },
    ],
  },
};

describe('lakehouse dry-run', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lakehouse-dry-run-'));
    fs.mkdirSync(path.join(dir, 'adf', 'pipeline'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'adf', 'trigger'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'adf', 'pipeline', 'p.json'), JSON.stringify(PIPELINE, null, 2));
    fs.writeFileSync(
      path.join(dir, 'adf', 'trigger', 'tw.json'),
      JSON.stringify({
        name: 'tw',
        properties: {
          type: 'TumblingWindowTrigger',
          pipeline: {
            pipelineReference: { referenceName: 'p', type: 'PipelineReference' },
            parameters: { start: "@formatDateTime(trigger().outputs.windowStartTime, 'yyyy-MM-dd')" },
          },
        },
      }),
    );
    fs.writeFileSync(
      path.join(dir, 'outputs.json'),
      JSON.stringify({
        triggerTime: '2024-01-02T00:00:00Z',
        activities: {
          look: { output: { firstRow: { w: '2024-01-01' } } },
          'loop[t=b]/copy': { status: 'Failed', error: { message: 'copy of b broke', errorCode: '2200' } },
        },
      }),
    );
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('prints the tree of activity runs with their evaluated values; unknown values as ‹…›; exit 0', async () => {
    const r = await lakehouse(['dry-run', 'p', 'adf', '--param', 'n=7'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Dry run of pipeline p\n/);
    assert.match(r.stdout, /\n {4}source\.query: SELECT MAX\(x\) AS w FROM T1\n/);
    assert.match(
      r.stdout,
      new RegExp(
        [
          '\\n {2}\\[0\\] item: \\{"t":"a"\\}\\n {4}copy {2}Copy {2}Succeeded\\n',
          " {8}source\\.sqlReaderQuery: SELECT \\* FROM a WHERE w > '‹activity\\('look'\\)\\.output\\.firstRow\\.w›' AND n = 7\\n",
        ].join(''),
      ),
    );
    assert.match(r.stdout, /\n {4}POST https:\/\/x\.example\/hook\n/);
    assert.match(r.stdout, /\nResult: Succeeded \(5 activity runs\)\n$/);
  });

  it('--outputs gives outcomes by name and by iteration; a failure fails the run: exit 1', async () => {
    const r = await lakehouse(['dry-run', 'p', 'adf', '--outputs', 'outputs.json'], dir);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /WHERE w > '2024-01-01' AND n = 1/);
    assert.match(r.stdout, /\n {4}copy {2}Copy {2}FAILED\n(.*\n)* {8}error: copy of b broke \(errorCode 2200\)\n/);
    assert.match(
      r.stdout,
      new RegExp(
        [
          '\\nResult: Failed \\(5 activity runs\\): Operation on target loop failed: ',
          'Activity failed because an inner activity failed; Inner activity name: copy, Error: copy of b broke\\n$',
        ].join(''),
      ),
    );
    assert.match(r.stdout, /manual run at 2024-01-02T00:00:00.0000000Z/);
  });

  it("--window sets the trigger's window and the parameters the tumbling window trigger passes; --format json", async () => {
    const r = await lakehouse(
      ['dry-run', 'p', 'adf', '--window', '2024-03-01T00:00:00Z/2024-03-02T00:00:00Z', '--format', 'json'],
      dir,
    );
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as {
      trigger: string;
      parameters: Record<string, unknown>;
      runs: { name: string; inputs?: Record<string, unknown>; expressions: { value: unknown }[] }[];
    };
    assert.equal(json.trigger, 'tw');
    assert.equal(json.parameters.start, '2024-03-01');
    assert.equal(json.runs.find(x => x.name === 'win')!.inputs!.body, '2024-03-01');
    const copy = json.runs.find(x => x.name === 'copy')!;
    assert.deepEqual(copy.expressions[0]!.value, {
      $unknown:
        "SELECT * FROM @{item().t} WHERE w > '@{activity('look').output.firstRow.w}' AND n = @{pipeline().parameters.n}",
      display: "SELECT * FROM a WHERE w > '‹activity('look').output.firstRow.w›' AND n = 1",
    });
  });

  it('runs a pipeline of the sample project (its paths.adf)', async () => {
    const r = await lakehouse(['dry-run', 'pl_incremental_ingestion', SAMPLE_DIR], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /SELECT \* FROM \[dbo\]\.\[FactStream\]/);
  });

  it('usage and I/O errors: exit 2, with what is wrong', async () => {
    const cases: [string[], RegExp][] = [
      [['dry-run'], /needs the name of a pipeline/],
      [['dry-run', 'nope', 'adf'], /No pipeline 'nope' in adf; its pipelines: p\./],
      [['dry-run', 'P2', 'adf'], /No pipeline 'P2'.*did you mean 'p'\?/],
      [['dry-run', 'p', 'missing-dir'], /missing-dir does not exist/],
      [['dry-run', 'p', 'adf', '--param', 'n'], /--param takes NAME=VALUE/],
      [['dry-run', 'p', 'adf', '--window', 'yesterday'], /--window takes START\/END/],
      [['dry-run', 'p', 'adf', '--format', 'xml'], /--format must be text or json/],
      [['dry-run', 'p', 'adf', '--outputs', 'nope.json'], /--outputs nope\.json: /],
    ];
    for (const [argv, pattern] of cases) {
      const r = await lakehouse(argv, dir);
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, pattern, argv.join(' '));
    }
    const bad = await lakehouse(['dry-run', 'p', 'adf', '--param', 'n=seven'], dir);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /Parameter 'n' of pipeline 'p' \(int\) expects an integer, not 'seven'/);
  });
});

describe('the outcomes file', () => {
  const call = (activity: string, iteration: ExternalCall['iteration'] = []): ExternalCall => ({
    activity,
    type: 'Copy',
    pipeline: 'p',
    path: activity,
    iteration,
    typeProperties: null,
    datasets: [],
    attempt: 0,
  });

  it('selects by name, by iteration, by item field or value, through containers; the most specific wins; lists give runs their turn', () => {
    const file = parseOutcomeFile(
      JSON.stringify({
        activities: {
          copy: { output: { n: 'any' } },
          'loop/copy': { output: { n: 'in loop' } },
          'loop[2]/copy': { output: { n: 'third' } },
          'loop[table=Orders]/copy': { status: 'Failed', error: { message: 'x' } },
          'child/loop[*]/copy': { output: { n: 'in child' } },
          poll: [{ output: { s: 'Running' } }, { output: { s: 'Done' } }],
          typo: {},
        },
      }),
    );
    const loop = (index: number, item: unknown) => ({ activity: 'loop', index, item: fromJson(item) });
    assert.deepEqual(file.outcome(call('copy'))?.output, fromJson({ n: 'any' }));
    assert.deepEqual(file.outcome(call('COPY', [loop(0, { table: 'A' })]))?.output, fromJson({ n: 'in loop' }));
    assert.deepEqual(file.outcome(call('copy', [loop(2, { table: 'A' })]))?.output, fromJson({ n: 'third' }));
    assert.equal(file.outcome(call('copy', [loop(1, { table: 'Orders' })]))?.status, 'Failed');
    assert.deepEqual(
      file.outcome(call('copy', [{ activity: 'run_child', pipeline: 'child' }, loop(0, {})]))?.output,
      fromJson({ n: 'in child' }),
    );
    assert.deepEqual(
      [0, 1, 2].map(() => file.outcome(call('poll'))?.output),
      [fromJson({ s: 'Running' }), fromJson({ s: 'Done' }), fromJson({ s: 'Done' })],
    );
    assert.equal(file.outcome(call('other')), undefined);
    assert.deepEqual(file.unused(), ['typo']);
  });

  it('says what is wrong with a file', () => {
    const cases: [string, RegExp][] = [
      ['[1]', /a JSON object with "activities"/],
      ['{"activities": {"a": {"status": "Done"}}}', /"status" is "Succeeded" or "Failed"/],
      ['{"activities": {"a": {"ouput": 1}}}', /not "ouput"/],
      ['{"activities": {"a[1]": {}}}', /last segment is the activity's name/],
      ['{"activities": {"a": {"error": {"code": "x"}}}}', /not "code"/],
      ['{"activity": {}}', /unknown key "activity"/],
      ['{"activities": ', /not valid JSON/],
    ];
    for (const [text, pattern] of cases)
      assert.throws(
        () => parseOutcomeFile(text),
        (e: unknown) => e instanceof OutcomeFileError && pattern.test(e.message),
        text,
      );
  });
});
