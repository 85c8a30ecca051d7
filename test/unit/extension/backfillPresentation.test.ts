// How the editor words a backfill's partitions and the notification that ends a run: what it
// says and which buttons it offers (Resume when partitions are left, Rerun Failed Partitions when
// some failed, only the log when everything succeeded).
import * as assert from 'assert';
import { test } from 'node:test';
import { partitionLabel, summaryMessage } from '../../../src/extension/presentation/backfill';
import type { BackfillSummary, PartitionSummary } from '../../../src/core/backfill/summary';

const partition = (day: string, status: PartitionSummary['status'], message?: string): PartitionSummary => ({
  key: `pl_ingest@2024-03-${day}T00:00:00/2024-03-${String(Number(day) + 1).padStart(2, '0')}T00:00:00`,
  pipeline: 'pl_ingest',
  windowStart: `2024-03-${day}T00:00:00`,
  windowEnd: `2024-03-${String(Number(day) + 1).padStart(2, '0')}T00:00:00`,
  status,
  runIds: [],
  round: 1,
  attempts: 1,
  duplicates: [],
  ...(message ? { message } : {}),
});

function summary(partitions: PartitionSummary[], extra: Partial<BackfillSummary> = {}): BackfillSummary {
  const count = (s: string) => partitions.filter(p => p.status === s).length;
  return {
    id: 'bf-1',
    round: 1,
    total: partitions.length,
    succeeded: count('succeeded'),
    failed: count('failed'),
    cancelled: count('cancelled'),
    running: count('running'),
    queued: count('queued'),
    notStarted: count('notStarted'),
    unknown: count('unknown'),
    duplicates: 0,
    complete: count('running') + count('queued') + count('notStarted') === 0,
    cancelRequested: false,
    partitions,
    ...extra,
  };
}

test('a partition reads as its day (or its window) and pipeline', () => {
  assert.strictEqual(partitionLabel('pl_x@2024-01-31T00:00:00/2024-02-01T00:00:00'), '2024-01-31 (pl_x)');
  assert.strictEqual(partitionLabel('pl_x@2024-01-01T00:00:00/2024-02-01T00:00:00'), '2024-01-01 → 2024-02-01 (pl_x)');
  assert.strictEqual(
    partitionLabel('pl_x@2024-01-01T06:00:00/2024-01-02T06:00:00'),
    '2024-01-01T06:00:00 → 2024-01-02T06:00:00 (pl_x)',
  );
  assert.strictEqual(partitionLabel('no-window'), 'no-window');
});

test('all succeeded: an information with the log only', () => {
  const m = summaryMessage(
    summary([partition('01', 'succeeded'), partition('02', 'succeeded')]),
    'local emulator',
    false,
  );
  assert.deepStrictEqual(m, {
    severity: 'info',
    text: 'Lakehouse: backfill bf-1 on local emulator: all 2 partition(s) succeeded.',
    actions: ['Show Log'],
  });
});

test('failures: a warning with the first failed window and its error, and Rerun Failed Partitions', () => {
  const m = summaryMessage(
    summary([partition('01', 'succeeded'), partition('02', 'failed', 'Source\n  locked'), partition('03', 'failed')]),
    'dev (Azure)',
    false,
  );
  assert.deepStrictEqual(m, {
    severity: 'warning',
    text: 'Lakehouse: backfill bf-1 on dev (Azure): 1 succeeded, 2 failed. 2024-03-02 (pl_ingest): Source locked',
    actions: ['Rerun Failed Partitions', 'Show Log'],
  });
});

test('cancelled or left unfinished: Resume, with the runs that go on in the factory and why it stopped', () => {
  const m = summaryMessage(
    summary([partition('01', 'succeeded'), partition('02', 'running'), partition('03', 'notStarted')], {
      stoppedBecause: 'Not allowed (401). Resume backfill bf-1 once signed in.',
    }),
    'dev (Azure)',
    true,
  );
  assert.deepStrictEqual(m, {
    severity: 'info',
    text:
      'Lakehouse: backfill bf-1 on dev (Azure) stopped: 1/3 partitions done, 1 run(s) go on in the factory ' +
      '(Not allowed (401). Resume backfill bf-1 once signed in.). Its journal is kept.',
    actions: ['Resume', 'Show Log'],
  });
});
