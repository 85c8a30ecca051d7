// The JSON contract of `lakehouse runs --format json` (version 1), pinned here field by field: CI
// scripts read it with jq, so a field may be added in a later version but never renamed, retyped
// or removed without bumping `version`. Also the text form's grouping (pipelines → days → reruns).
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runsReportJson, runsReportText, type RunsReportInput } from '../../../src/cli/operations/runsReport';
import type { PipelineRunRecord } from '../../../src/core/runs/model';

const NOW = Date.parse('2024-06-02T12:00:00Z');

const runs: PipelineRunRecord[] = [
  {
    runId: 'r-failed',
    pipelineName: 'pl_ingest',
    status: 'Failed',
    runStart: '2024-06-01T08:00:00.000Z',
    runEnd: '2024-06-01T08:01:00.000Z',
    durationMs: 60_000,
    parameters: { window_start: '2024-01-01T00:00:00', window_end: '2024-01-02T00:00:00', backfill_id: 'bf-1' },
    message: 'Copy failed: timeout',
    runGroupId: 'r-failed',
    isLatest: false,
    source: 'service',
  },
  {
    runId: 'r-rerun',
    pipelineName: 'pl_ingest',
    status: 'Succeeded',
    runStart: '2024-06-01T09:00:00.000Z',
    runEnd: '2024-06-01T09:02:00.000Z',
    durationMs: 120_000,
    parameters: { window_start: '2024-01-01T00:00:00', window_end: '2024-01-02T00:00:00', backfill_id: 'bf-1' },
    runGroupId: 'r-failed',
    isLatest: true,
    source: 'service',
  },
  {
    runId: 'r-running',
    pipelineName: 'pl_gold',
    status: 'InProgress',
    runStart: '2024-06-02T11:59:00.000Z',
    parameters: {},
    source: 'service',
  },
  {
    runId: 'r-untagged',
    pipelineName: 'pl_ingest',
    status: 'Succeeded',
    runStart: '2024-06-02T07:00:00.000Z',
    runEnd: '2024-06-02T07:00:30.000Z',
    parameters: { window_start: '2024-02-01T00:00:00', window_end: '2024-02-02T00:00:00' },
    source: 'service',
  },
];

const input: RunsReportInput = {
  environment: 'local',
  target: 'local emulator',
  factory: 'adf-lakehouse-local',
  since: Date.parse('2024-06-01T00:00:00Z'),
  now: NOW,
  pipelines: [],
  statuses: [],
  runs,
  // The journal knows r-untagged: its pipeline does not declare backfill_id.
  known: new Map([['r-untagged', { backfillId: 'bf-2', partitionKey: '2024-02-01T00:00:00/2024-02-02T00:00:00' }]]),
  warnings: ['The journal of backfill bf-9 cannot be read: line 3 is not JSON; the journal is damaged.'],
};

describe('lakehouse runs: the JSON contract (version 1)', () => {
  it('is exactly this shape', () => {
    const json = runsReportJson(input);
    assert.deepEqual(JSON.parse(JSON.stringify(json)), {
      version: 1,
      environment: 'local',
      target: 'local emulator',
      factory: 'adf-lakehouse-local',
      since: '2024-06-01T00:00:00.000Z',
      until: '2024-06-02T12:00:00.000Z',
      filters: { pipelines: [], statuses: [] },
      count: 4,
      runs: [
        {
          runId: 'r-running',
          pipeline: 'pl_gold',
          status: 'InProgress',
          runStart: '2024-06-02T11:59:00.000Z',
          runEnd: null,
          durationMs: 60_000,
          parameters: {},
          backfill: null,
          runGroupId: null,
          isLatest: null,
          message: null,
          source: 'service',
        },
        {
          runId: 'r-untagged',
          pipeline: 'pl_ingest',
          status: 'Succeeded',
          runStart: '2024-06-02T07:00:00.000Z',
          runEnd: '2024-06-02T07:00:30.000Z',
          durationMs: 30_000,
          parameters: { window_start: '2024-02-01T00:00:00', window_end: '2024-02-02T00:00:00' },
          backfill: {
            backfillId: 'bf-2',
            partitionKey: '2024-02-01T00:00:00/2024-02-02T00:00:00',
            windowStart: '2024-02-01T00:00:00',
            windowEnd: '2024-02-02T00:00:00',
          },
          runGroupId: null,
          isLatest: null,
          message: null,
          source: 'service',
        },
        {
          runId: 'r-rerun',
          pipeline: 'pl_ingest',
          status: 'Succeeded',
          runStart: '2024-06-01T09:00:00.000Z',
          runEnd: '2024-06-01T09:02:00.000Z',
          durationMs: 120_000,
          parameters: { window_start: '2024-01-01T00:00:00', window_end: '2024-01-02T00:00:00', backfill_id: 'bf-1' },
          backfill: {
            backfillId: 'bf-1',
            partitionKey: '2024-01-01T00:00:00/2024-01-02T00:00:00',
            windowStart: '2024-01-01T00:00:00',
            windowEnd: '2024-01-02T00:00:00',
          },
          runGroupId: 'r-failed',
          isLatest: true,
          message: null,
          source: 'service',
        },
        {
          runId: 'r-failed',
          pipeline: 'pl_ingest',
          status: 'Failed',
          runStart: '2024-06-01T08:00:00.000Z',
          runEnd: '2024-06-01T08:01:00.000Z',
          durationMs: 60_000,
          parameters: { window_start: '2024-01-01T00:00:00', window_end: '2024-01-02T00:00:00', backfill_id: 'bf-1' },
          backfill: {
            backfillId: 'bf-1',
            partitionKey: '2024-01-01T00:00:00/2024-01-02T00:00:00',
            windowStart: '2024-01-01T00:00:00',
            windowEnd: '2024-01-02T00:00:00',
          },
          runGroupId: 'r-failed',
          isLatest: false,
          message: 'Copy failed: timeout',
          source: 'service',
        },
      ],
      pipelines: [
        {
          pipeline: 'pl_gold',
          active: true,
          days: [
            {
              day: '2024-06-02',
              counts: { InProgress: 1 },
              groups: [{ groupId: 'r-running', status: 'InProgress', runIds: ['r-running'] }],
            },
          ],
        },
        {
          pipeline: 'pl_ingest',
          active: false,
          days: [
            {
              day: '2024-06-02',
              counts: { Succeeded: 1 },
              groups: [{ groupId: 'r-untagged', status: 'Succeeded', runIds: ['r-untagged'] }],
            },
            {
              day: '2024-06-01',
              counts: { Succeeded: 1 },
              groups: [{ groupId: 'r-failed', status: 'Succeeded', runIds: ['r-failed', 'r-rerun'] }],
            },
          ],
        },
      ],
      warnings: ['The journal of backfill bf-9 cannot be read: line 3 is not JSON; the journal is damaged.'],
    });
  });

  it('every run is in exactly one group, and every group names runs of the list', () => {
    const json = runsReportJson(input);
    const grouped = json.pipelines.flatMap(p => p.days.flatMap(d => d.groups.flatMap(g => g.runIds)));
    assert.deepEqual([...grouped].sort(), json.runs.map(r => r.runId).sort());
    assert.equal(json.count, json.runs.length);
  });

  it('an empty report is still the whole shape (filters as given)', () => {
    const json = runsReportJson({ ...input, runs: [], pipelines: ['pl_x'], statuses: ['Failed'], warnings: [] });
    assert.deepEqual(
      { count: json.count, runs: json.runs, pipelines: json.pipelines, filters: json.filters, warnings: json.warnings },
      { count: 0, runs: [], pipelines: [], filters: { pipelines: ['pl_x'], statuses: ['Failed'] }, warnings: [] },
    );
  });

  it('the text groups pipelines → days → runs, reruns under their original, with backfill tags', () => {
    const text = runsReportText(input);
    assert.equal(
      text,
      [
        'pl_gold',
        '  2024-06-02  1 InProgress',
        '    InProgress 11:59:00  1 min 00 s   r-running',
        'pl_ingest',
        '  2024-06-02  1 Succeeded',
        '    Succeeded  07:00:00  30 s         r-untagged  backfill bf-2  window 2024-02-01T00:00:00/2024-02-02T00:00:00',
        '  2024-06-01  1 Succeeded',
        '    Failed     08:00:00  1 min 00 s   r-failed  backfill bf-1  window 2024-01-01T00:00:00/2024-01-02T00:00:00  message: Copy failed: timeout',
        '      rerun Succeeded  09:00:00  2 min 00 s   r-rerun  backfill bf-1  window 2024-01-01T00:00:00/2024-01-02T00:00:00',
        '4 run(s) started since 2024-06-01T00:00:00Z on local emulator.',
        '',
      ].join('\n'),
    );
  });
});
