// The Pipeline Runs view and Trigger Pipeline… as a person reads them, without a VS Code host:
// status icons and colours, labels and descriptions, tooltips that show data as data, failure
// notifications gathered (no storm), errors from Data Factory as what to do, and the trigger form.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AdfCallError } from '../../../src/core/runs/errors';
import type { RunFailedEvent } from '../../../src/core/runs/failures';
import { groupRuns } from '../../../src/core/runs/grouping';
import type { ActivityRunRecord, PipelineRunRecord } from '../../../src/core/runs/model';
import { triggerFormOf } from '../../../src/core/runs/triggerForm';
import {
  activityDescription,
  activityTooltip,
  ago,
  clockTime,
  codeSpan,
  countsText,
  dayDescription,
  describeRunsError,
  escapeMarkdown,
  FailureNotices,
  failureNotice,
  fieldInput,
  finishedMessage,
  groupDescription,
  liveWanted,
  oneLine,
  parametersForLog,
  pipelineDescription,
  runContextValue,
  runDescription,
  runLabel,
  runTooltip,
  statusLook,
  summarizeValue,
  timeRange,
  triggerFormEntries,
  validateFieldText,
} from '../../../src/extension/runs/runsPresentation';
import { FakeClock } from '../helpers/fakeClock';

const T0 = Date.UTC(2026, 11, 7, 9, 30, 0);
const iso = (ms: number) => new Date(ms).toISOString();

function run(runId: string, extra: Partial<PipelineRunRecord> = {}): PipelineRunRecord {
  return {
    runId,
    pipelineName: 'pl_ingest',
    status: 'Succeeded',
    runStart: iso(T0),
    runEnd: iso(T0 + 42_000),
    durationMs: 42_000,
    parameters: {},
    ...extra,
  };
}

const failed = (
  runId: string,
  pipelineName = 'pl_ingest',
  message = 'Operation on target copy failed: locked',
): RunFailedEvent => ({
  pipelineName,
  runId,
  message,
  run: run(runId, { pipelineName, status: 'Failed', message }),
});

describe('Runs view presentation', () => {
  it('each status has its icon and colour; unknown ones say what they are', () => {
    assert.deepEqual(statusLook('Succeeded'), { icon: 'pass-filled', color: 'testing.iconPassed', text: 'Succeeded' });
    assert.deepEqual(statusLook('Failed'), { icon: 'error', color: 'testing.iconFailed', text: 'Failed' });
    assert.equal(statusLook('InProgress').icon, 'sync~spin');
    assert.equal(statusLook('Queued').icon, 'clock');
    assert.equal(statusLook('Canceling').text, 'Cancelling');
    assert.equal(statusLook('Cancelled').icon, 'circle-slash');
    assert.equal(statusLook('Skipped').text, 'Skipped');
    assert.deepEqual(statusLook('Paused'), { icon: 'question', text: 'Paused' });
    assert.deepEqual(
      ['Queued', 'InProgress', 'Canceling', 'Failed', 'Succeeded', 'Cancelled', 'Odd'].map(s =>
        runContextValue(run('r', { status: s })),
      ),
      [
        'lakehouse.run.active',
        'lakehouse.run.active',
        'lakehouse.run.active',
        'lakehouse.run.failed',
        'lakehouse.run.succeeded',
        'lakehouse.run.cancelled',
        'lakehouse.run.other',
      ],
    );
  });

  it('a run reads as its local start time, status, duration, trigger, window and error', () => {
    assert.equal(runLabel(run('r'), 60), '10:30:00');
    assert.equal(runLabel(run('r', { runStart: undefined, lastUpdated: undefined }), 0), 'queued');
    assert.equal(clockTime('nope', 0), undefined);
    assert.equal(runDescription(run('r'), T0), 'Succeeded · 42 s');
    assert.equal(
      runDescription(
        run('r', {
          status: 'InProgress',
          runEnd: undefined,
          durationMs: undefined,
          invokedBy: { name: 'tr_daily', type: 'ScheduleTrigger' },
          parameters: { window_start: '2024-01-01', window_end: '2024-01-02', backfill_id: 'bf-0123456789' },
        }),
        T0 + 65_000,
      ),
      'In progress · 1 min 05 s · tr_daily · backfill bf-01234 · window 2024-01-01',
    );
    assert.equal(
      runDescription(run('r', { status: 'Failed', message: 'Copy failed:\n\u0007 row 5\tbad' }), T0),
      'Failed · 42 s · Copy failed: row 5 bad',
    );
    assert.equal(
      runDescription(run('c', { invokedBy: { type: 'PipelineActivity', pipelineName: 'pl_parent' } }), T0),
      'Succeeded · 42 s · child of pl_parent',
    );
  });

  it('a tooltip shows parameters and errors as data: no links, no HTML, no broken table', () => {
    const md = runTooltip(
      run('r-1', {
        status: 'Failed',
        message: 'bad ```fence``` [x](https://evil.example)',
        parameters: { 'a|b': 'x`y|z', link: '[click](https://evil.example)', html: '<img src=x>', empty: '' },
        referencePipelineRunId: 'r-0',
      }),
      T0,
      0,
    );
    assert.ok(md.includes('| `a\\|b` | ``x`y\\|z`` |'), md);
    assert.ok(md.includes('`[click](https://evil.example)`'), 'a link in a value stays code');
    assert.ok(md.includes('`<img src=x>`'), 'HTML in a value stays code');
    assert.ok(md.includes('*(empty)*'));
    assert.ok(md.includes('| Rerun of | `r-0` |'));
    assert.ok(md.includes('````text\nbad ```fence``` [x](https://evil.example)\n````'), 'the error in a longer fence');
    assert.equal(escapeMarkdown('a*b_[c](d) <e> $(x)'), 'a\\*b\\_\\[c\\]\\(d\\) \\<e\\> \\$\\(x\\)');
    assert.equal(codeSpan('plain'), '`plain`');
    assert.equal(codeSpan('`tick'), '`` `tick ``');
  });

  it('days, groups and pipelines summarise their runs', () => {
    const at = (m: number) => iso(T0 + m * 60_000);
    const groups = groupRuns([
      run('a', { status: 'Failed', runStart: at(0), runGroupId: 'a', isLatest: false }),
      run('a2', { status: 'Succeeded', runStart: at(10), runGroupId: 'a', isLatest: true }),
      run('b', { status: 'Failed', runStart: at(20) }),
      run('c', { status: 'InProgress', runStart: at(30), runEnd: undefined }),
      run('old', { runStart: iso(T0 - 86_400_000) }),
    ]);
    const p = groups[0]!;
    assert.equal(dayDescription(p.days[0]!, T0 + 3_600_000, 0), 'today · 3 runs · 1 failed · 1 in progress');
    assert.equal(dayDescription(p.days[1]!, T0, 0), 'yesterday · 1 run');
    const rerun = p.days[0]!.groups.find(g => g.id === 'a')!;
    assert.equal(groupDescription(rerun), 'Succeeded after 1 rerun');
    assert.equal(pipelineDescription(p, T0 + 30 * 60_000 + 10_000), 'last in progress just now · 4 runs');
    assert.equal(countsText({ Succeeded: 2, Failed: 1, Queued: 1 }), '4 runs · 1 failed · 1 queued');
    assert.equal(ago(iso(T0), T0 + 3 * 86_400_000), '3 d ago');
  });

  it('an activity run shows its error in one line, and in full in its tooltip', () => {
    const activity: ActivityRunRecord = {
      activityRunId: 'act-1',
      activityName: 'copy_rows',
      activityType: 'Copy',
      pipelineRunId: 'r',
      status: 'Failed',
      activityRunStart: iso(T0),
      activityRunEnd: iso(T0 + 3000),
      error: { message: 'Line one\nline two', errorCode: '2200', failureType: 'UserError', target: 'copy_rows' },
    };
    assert.equal(activityDescription(activity, T0), 'Failed · 3 s · Copy · Line one line two');
    const md = activityTooltip(activity, 0);
    assert.ok(md.includes('| Error code | `2200` |'));
    assert.ok(md.includes('```text\nLine one\nline two\n```'));
  });

  it('one failure gives a notice with Show Run; several give one notice that names them', () => {
    assert.deepEqual(failureNotice([failed('1234567890')], 'local emulator'), {
      message: 'pl_ingest failed on local emulator (run 12345678): Operation on target copy failed: locked',
      button: 'Show Run',
    });
    const many = failureNotice(
      [
        failed('1'),
        failed('2'),
        failed('3', 'pl_gold', 'gold broke'),
        failed('4', 'a'),
        failed('5', 'b'),
        failed('6', 'c'),
      ],
      'dev (Azure)',
    );
    assert.equal(many.button, 'Show Runs');
    assert.equal(
      many.message,
      '6 runs failed on dev (Azure): pl_ingest (2), pl_gold, a, b, 1 more. Latest: c: Operation on target copy failed: locked',
    );
  });

  it('failures are gathered: one notice per refresh, none closer than the gap, each run once', async () => {
    const clock = new FakeClock();
    const notices: string[][] = [];
    const gather = new FailureNotices(clock, events => notices.push(events.map(e => e.runId)), {
      batchMs: 1000,
      minGapMs: 10_000,
    });
    gather.add(failed('a'));
    gather.add(failed('b'));
    gather.add(failed('a'));
    await clock.advance(999);
    assert.deepEqual(notices, []);
    await clock.advance(1);
    assert.deepEqual(notices, [['a', 'b']]);
    await clock.advance(2000);
    gather.add(failed('c'));
    gather.add(failed('b'));
    await clock.advance(7999);
    assert.deepEqual(notices.length, 1, 'not within 10 s of the last notice');
    gather.add(failed('d'));
    await clock.advance(1);
    assert.deepEqual(notices, [
      ['a', 'b'],
      ['c', 'd'],
    ]);
    gather.add(failed('e'));
    gather.dispose();
    await clock.advance(60_000);
    assert.equal(notices.length, 2, 'nothing after dispose');
    assert.equal(clock.pendingTimers, 0);
  });

  it('errors from Data Factory say what happened and what to do', () => {
    const azure = { label: 'dev (Azure)', local: false, factoryName: 'adf-dev' };
    const local = { label: 'local emulator', local: true, factoryName: 'adf-lakehouse-local' };
    const e = (failure: ConstructorParameters<typeof AdfCallError>[1], status?: number, retryAfterMs?: number) =>
      new AdfCallError(`Query pipeline runs: ${failure}`, failure, {
        ...(status ? { status } : {}),
        ...(retryAfterMs ? { retryAfterMs } : {}),
      });
    const auth = describeRunsError(e('auth', 403), azure);
    assert.equal(auth.label, 'Not allowed to read the runs of dev (Azure) (403)');
    assert.equal(auth.action, 'signIn');
    assert.ok(auth.detail.includes('factory adf-dev'));
    assert.equal(
      describeRunsError(e('throttled', 429, 30_000), azure).detail,
      'Query pipeline runs: throttled The view waits 30 s or more before asking again.',
    );
    assert.deepEqual(describeRunsError(e('notSent'), local), {
      label: 'The local emulator does not answer',
      detail: 'Query pipeline runs: notSent Use Local Emulator starts it again.',
      action: 'startEmulator',
    });
    assert.equal(describeRunsError(e('notSent'), azure).label, 'Cannot reach dev (Azure) (network)');
    assert.equal(describeRunsError(e('unclear', 503), azure).label, 'Data Factory did not answer (503)');
    assert.equal(describeRunsError(e('rejected', 404), azure).label, 'Factory adf-dev was not found (404)');
    assert.equal(describeRunsError(e('rejected', 400), azure).label, 'Data Factory refused the query (400)');
    assert.deepEqual(describeRunsError(new TypeError('boom'), azure), {
      label: 'Could not read the runs of dev (Azure)',
      detail: 'boom',
      action: 'retry',
    });
  });

  it('live refresh: in sight, or out of sight while a run moves; never before the first page or after refused credentials', () => {
    const at = (loaded: boolean, halted: boolean, visible: boolean, active: boolean) =>
      liveWanted({ loaded, halted, visible, active });
    assert.equal(at(true, false, true, false), true, 'in sight');
    assert.equal(at(true, false, false, true), true, 'hidden, but a run moves: its failure is told');
    assert.equal(at(true, false, false, false), false, 'hidden and nothing moves: no polling');
    assert.equal(at(false, false, true, true), false, 'before the first page');
    assert.equal(at(true, true, true, true), false, 'credentials refused: until the user acts');
  });

  it('time ranges: 24 hours, 7 days (default), 45 days', () => {
    assert.equal(timeRange('24h').ms, 86_400_000);
    assert.equal(timeRange(undefined).id, '7d');
    assert.equal(timeRange('bogus').id, '7d');
    assert.equal(timeRange('45d').label, 'Last 45 days');
  });

  it('finished runs and logs', () => {
    assert.equal(
      finishedMessage(run('abcdef1234'), T0, 'local emulator'),
      'pl_ingest succeeded on local emulator in 42 s (run abcdef12).',
    );
    assert.equal(oneLine('x'.repeat(10), 5), 'xxxx…');
  });
});

describe('the trigger form', () => {
  const form = triggerFormOf({
    name: 'pl_ingest',
    properties: {
      parameters: {
        tables: { type: 'array', defaultValue: ['a', 'b', 'c'] },
        window_start: { type: 'String', defaultValue: '' },
        batch: { type: 'Int' },
        secret: { type: 'SecureString', defaultValue: 'hidden' },
        odd: { type: 'Decimal' },
      },
    },
  });

  it('lists Start Run first, then each parameter with its value and flags, then what it cannot offer', () => {
    const entries = triggerFormEntries(form, {});
    assert.deepEqual(
      entries.map(e => [e.kind, e.label, 'description' in e ? e.description : undefined]),
      [
        ['start', '$(play) Start Run', 'with the defaults'],
        ['separator', 'Parameters (choose one to change it)', undefined],
        ['field', 'tables', 'Array · [3 items]'],
        ['field', 'window_start', 'String · (empty)'],
        ['field', 'batch', 'Int · — · required'],
        ['field', 'secret', 'SecureString · (default)'],
        ['note', entries[6]!.label, undefined],
      ],
    );
    assert.ok(entries[6]!.label.startsWith('$(warning) odd: type "Decimal"'));
    const changed = triggerFormEntries(
      form,
      { window_start: '2024-01-01', tables: '["a","b","c"]', batch: 'x' },
      { batch: 'batch (Int) must be a whole number' },
    );
    assert.equal(changed[0]!.kind === 'start' && changed[0]!.description, 'with 2 changed parameters');
    assert.equal(changed[0]!.kind === 'start' && changed[0]!.detail, '$(error) 1 parameter to fix first');
    const batch = changed.find(e => e.kind === 'field' && e.field.name === 'batch')!;
    assert.equal(batch.kind === 'field' && batch.detail, '$(error) batch (Int) must be a whole number');
    const window = changed.find(e => e.kind === 'field' && e.field.name === 'window_start')!;
    assert.equal(window.kind === 'field' && window.description, 'String · 2024-01-01 · changed');
  });

  it('each input box says what to type and the default, checks the value, and masks secrets', () => {
    const field = (name: string) => form.fields.find(f => f.name === name)!;
    const tables = fieldInput('pl_ingest', field('tables'), {});
    assert.equal(tables.title, 'pl_ingest: tables (Array)');
    assert.equal(tables.value, '["a","b","c"]');
    assert.ok(tables.prompt.includes('Default: ["a","b","c"]'));
    assert.equal(validateFieldText(field('tables'), '["a","b","c"]'), undefined, 'the default as it is');
    assert.match(validateFieldText(field('tables'), '{"a": 1}')!, /must be a JSON array/);
    assert.match(validateFieldText(field('batch'), '4.5')!, /batch \(Int\) must be a whole number/);
    assert.equal(validateFieldText(field('batch'), '45'), undefined);
    const secret = fieldInput('pl_ingest', field('secret'), {});
    assert.equal(secret.password, true);
    assert.equal(secret.value, '', 'the default secret is never shown');
    assert.ok(secret.prompt.includes("Leave empty to use the pipeline's default"));
    assert.equal(summarizeValue(field('secret'), 'typed'), '••••••');
    assert.ok(fieldInput('pl_ingest', field('batch'), {}).prompt.includes('Required'));
    assert.equal(
      parametersForLog(form, { secret: 's3cret', batch: 4, tables: ['x'] }),
      'secret=***, batch=4, tables=["x"]',
    );
    assert.equal(parametersForLog(form, {}), 'the defaults');
  });
});
