// The Runs view's model: statuses, durations, days, grouping by pipeline and day with reruns
// under their original, backfill tags, the JSON of `lakehouse runs`, and failure detection.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  dayOf,
  durationOf,
  failureMessageOf,
  formatDuration,
  isActiveStatus,
  isTerminalStatus,
  statusKind,
  type PipelineRunRecord,
} from '../../../src/core/runs/model';
import { backfillTagsOf, groupRuns, runToJson } from '../../../src/core/runs/grouping';
import { FailureDetector } from '../../../src/core/runs/failures';
import { adfStudioRunsUrl, adfStudioRunUrl, ADF_STUDIO_HOSTS } from '../../../src/core/runs/studio';

const T0 = Date.UTC(2024, 0, 15, 10, 0, 0);
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

function run(runId: string, extra: Partial<PipelineRunRecord> = {}): PipelineRunRecord {
  return { runId, pipelineName: 'pl_a', status: 'Succeeded', runStart: at(0), parameters: {}, ...extra };
}

describe('runs model', () => {
  it('tells active, terminal and the kind of each status', () => {
    assert.deepEqual(
      ['Queued', 'InProgress', 'Canceling', 'Succeeded', 'Failed', 'Cancelled', 'Weird'].map(statusKind),
      ['queued', 'running', 'cancelling', 'succeeded', 'failed', 'cancelled', 'unknown'],
    );
    assert.equal(isActiveStatus('InProgress'), true);
    assert.equal(isActiveStatus('Succeeded'), false);
    assert.equal(isTerminalStatus('Cancelled'), true);
    assert.equal(isTerminalStatus('Canceling'), false);
  });

  it('durations: the service figure when ended, end − start otherwise, now − start while running', () => {
    assert.equal(durationOf(run('a', { durationMs: 1234, runEnd: at(5) }), T0), 1234);
    assert.equal(durationOf(run('a', { runEnd: at(2) }), T0), 120_000);
    assert.equal(durationOf(run('a', { status: 'InProgress' }), T0 + 90_000), 90_000);
    assert.equal(durationOf(run('a', { runStart: undefined }), T0), undefined);
    assert.deepEqual([850, 42_000, 185_000, 7_620_000, 100_800_000, undefined, -1].map(formatDuration), [
      '850 ms',
      '42 s',
      '3 min 05 s',
      '2 h 07 min',
      '1 d 4 h',
      '',
      '',
    ]);
  });

  it('days are UTC by default, or at an offset', () => {
    assert.equal(dayOf('2024-01-15T23:30:00Z'), '2024-01-15');
    assert.equal(dayOf('2024-01-15T23:30:00Z', 60), '2024-01-16');
    assert.equal(dayOf('not a time'), undefined);
  });

  it('a failed run says why: its message, else the first failed activity', () => {
    assert.equal(failureMessageOf(run('a', { message: ' boom ' })), 'boom');
    assert.equal(
      failureMessageOf(run('a'), [
        { activityRunId: '1', activityName: 'ok', pipelineRunId: 'a', status: 'Succeeded' },
        {
          activityRunId: '2',
          activityName: 'copy',
          pipelineRunId: 'a',
          status: 'Failed',
          error: { message: 'locked' },
        },
      ]),
      'copy: locked',
    );
  });
});

describe('grouping runs', () => {
  it('groups by pipeline and day, newest first, with reruns under their original', () => {
    const runs = [
      run('orig', { status: 'Failed', runStart: at(0), runGroupId: 'orig', isLatest: false }),
      run('rerun1', { status: 'Failed', runStart: at(30), runGroupId: 'orig', isLatest: false }),
      run('rerun2', { status: 'Succeeded', runStart: at(60), runGroupId: 'orig', isLatest: true }),
      run('other', { runStart: at(120) }),
      run('yesterday', { runStart: at(-24 * 60) }),
      run('b1', { pipelineName: 'pl_b', status: 'InProgress', runStart: at(200) }),
    ];
    const groups = groupRuns(runs);
    assert.deepEqual(
      groups.map(g => g.pipelineName),
      ['pl_b', 'pl_a'],
    );
    const a = groups[1]!;
    assert.equal(a.active, false);
    assert.equal(groups[0]!.active, true);
    assert.deepEqual(
      a.days.map(d => d.day),
      ['2024-01-15', '2024-01-14'],
    );
    const today = a.days[0]!;
    assert.deepEqual(
      today.groups.map(g => g.id),
      ['other', 'orig'],
    );
    const group = today.groups[1]!;
    assert.equal(group.original.runId, 'orig');
    assert.deepEqual(
      group.reruns.map(r => r.runId),
      ['rerun1', 'rerun2'],
    );
    assert.equal(group.latest.runId, 'rerun2');
    assert.deepEqual(today.counts, { Succeeded: 2 });
  });

  it('a rerun we started joins its reference run even before the service reports the group', () => {
    const groups = groupRuns([
      run('r0'),
      run('r1', { runStart: at(5), referencePipelineRunId: 'r0', status: 'InProgress' }),
    ]);
    const g = groups[0]!.days[0]!.groups;
    assert.equal(g.length, 1);
    assert.equal(g[0]!.latest.runId, 'r1');
    assert.equal(groups[0]!.active, true);
  });

  it('backfill tags: the journal first, else the run parameters', () => {
    const windowed = run('w', {
      parameters: { window_start: '2024-01-01T00:00:00', window_end: '2024-01-02T00:00:00' },
    });
    assert.deepEqual(backfillTagsOf(windowed), {
      partitionKey: '2024-01-01T00:00:00/2024-01-02T00:00:00',
      windowStart: '2024-01-01T00:00:00',
      windowEnd: '2024-01-02T00:00:00',
    });
    const tagged = run('t', { parameters: { ...windowed.parameters, backfill_id: 'bf-1' } });
    assert.equal(backfillTagsOf(tagged)?.backfillId, 'bf-1');
    const known = new Map([['w', { backfillId: 'bf-9', partitionKey: 'p' }]]);
    assert.deepEqual(backfillTagsOf(windowed, known)?.backfillId, 'bf-9');
    assert.equal(backfillTagsOf(run('plain', { parameters: { window_start: '' } })), undefined);
  });

  it('the JSON of `lakehouse runs`: id, pipeline, status, parameters and backfill tags', () => {
    const json = runToJson(
      run('t', { parameters: { window_start: 'a', window_end: 'b', backfill_id: 'bf' }, runEnd: at(1) }),
      T0,
    );
    assert.deepEqual(json, {
      runId: 't',
      pipeline: 'pl_a',
      status: 'Succeeded',
      runStart: at(0),
      runEnd: at(1),
      durationMs: 60_000,
      parameters: { window_start: 'a', window_end: 'b', backfill_id: 'bf' },
      backfill: { backfillId: 'bf', partitionKey: 'a/b', windowStart: 'a', windowEnd: 'b' },
      runGroupId: null,
      isLatest: null,
      message: null,
      source: 'service',
    });
  });
});

describe('failure detection between refreshes', () => {
  it('reports a run that became Failed once, and failures newer than the start of watching', () => {
    const detector = new FailureDetector(T0);
    // Already failed before watching began: history, not news.
    assert.deepEqual(detector.observe([run('old', { status: 'Failed', runEnd: at(-10), message: 'x' })]), []);
    assert.deepEqual(detector.observe([run('r1', { status: 'InProgress' })]), []);
    const events = detector.observe([run('r1', { status: 'Failed', message: 'copy failed', runEnd: at(3) })]);
    assert.equal(events.length, 1);
    assert.deepEqual(
      { p: events[0]!.pipelineName, id: events[0]!.runId, m: events[0]!.message, end: events[0]!.runEnd },
      { p: 'pl_a', id: 'r1', m: 'copy failed', end: at(3) },
    );
    assert.deepEqual(detector.observe([run('r1', { status: 'Failed', message: 'copy failed' })]), [], 'once only');
    // Started and failed between two refreshes: never seen running, still news.
    const quick = detector.observe([run('r2', { status: 'Failed', runEnd: at(4) })]);
    assert.deepEqual(
      quick.map(e => [e.runId, e.message]),
      [['r2', 'The run failed without a message.']],
    );
  });
});

describe('ADF Studio links', () => {
  it('a run and the run list, the factory id encoded, per cloud', () => {
    const f = { subscriptionId: '00000000-1111', resourceGroup: 'rg one', factoryName: 'adf-x' };
    assert.equal(
      adfStudioRunUrl(f, 'run/1'),
      'https://adf.azure.com/en/monitoring/pipelineruns/run%2F1?factory=' +
        '%2Fsubscriptions%2F00000000-1111%2FresourceGroups%2Frg%2520one%2Fproviders%2FMicrosoft.DataFactory%2Ffactories%2Fadf-x',
    );
    assert.match(
      adfStudioRunsUrl(f, ADF_STUDIO_HOSTS.AzureChinaCloud),
      /^https:\/\/adf\.azure\.cn\/en\/monitoring\/pipelineruns\?factory=%2Fsubscriptions/,
    );
  });
});
