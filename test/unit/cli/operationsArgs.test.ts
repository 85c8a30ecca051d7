// The operations commands' arguments, checked before anything is read or sent: `lakehouse backfill`
// (subcommands, tables, dates, range, granularity, concurrency, id), durations, --since, --status.
// Every mistake is a message that says what to type; nothing here reaches a factory.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseBackfillCommand } from '../../../src/cli/operations/backfill';
import {
  parseDurationMs,
  parsePollInterval,
  parseSince,
  parseStatuses,
  splitList,
} from '../../../src/cli/operations/operationArgs';
import { UsageError } from '../../../src/cli/args';
import { BackfillInputError } from '../../../src/core/backfill/partitions';
import { lakehouse } from '../helpers/cli';

const NOW = Date.UTC(2024, 5, 15, 12, 0, 0);
const base = ['--env', 'local', '--from', '2024-01-01', '--to', '2024-02-01'];

function refused(args: string[], message: RegExp, type: new (message: string) => Error = UsageError): void {
  assert.throws(
    () => parseBackfillCommand(args, NOW),
    (e: unknown) => {
      assert.ok(e instanceof type, `${String(e)} is a ${type.name}`);
      assert.match((e as Error).message, message);
      return true;
    },
  );
}

describe('lakehouse backfill: arguments', () => {
  it('a new backfill: tables as a comma list (repeatable), or --all; defaults for granularity and concurrency', () => {
    const c = parseBackfillCommand([...base, '--tables', 'dbo.DimUser, FactStream', '--tables', 'DimArtist'], NOW);
    assert.equal(c.kind, 'start');
    if (c.kind !== 'start') return;
    assert.deepEqual(c.request, {
      tables: ['dbo.DimUser', 'FactStream', 'DimArtist'],
      from: '2024-01-01',
      to: '2024-02-01',
      granularity: 'day',
      concurrency: 8,
    });
    assert.equal(c.dryRun, false);
    assert.equal(c.format, 'text');
    const all = parseBackfillCommand(
      [
        ...base,
        '--all',
        '--granularity',
        'WEEK',
        '--concurrency',
        '50',
        '--id',
        'fix-2024_01',
        '--dry-run',
        '--format',
        'json',
      ],
      NOW,
    );
    assert.ok(all.kind === 'start');
    if (all.kind !== 'start') return;
    assert.deepEqual(
      [all.request.tables, all.request.granularity, all.request.concurrency, all.request.id, all.dryRun, all.format],
      ['all', 'week', 50, 'fix-2024_01', true, 'json'],
    );
  });

  it('refuses what is missing or contradictory, saying what to type', () => {
    refused(['--from', '2024-01-01', '--to', '2024-02-01', '--all'], /--env is required/);
    refused([...base], /Which tables\? --tables schema\.table.*or --all/);
    refused([...base, '--all', '--tables', 'a'], /--tables or --all, not both/);
    refused([...base, '--tables', 'a,,b'], /--tables "a,,b" has an empty item/);
    refused(['--env', 'local', '--all', '--from', '2024-01-01'], /--from and --to are required.*--to exclusive/);
    refused([...base, '--all', 'extra'], /no positional arguments but resume, rerun-failed and status/);
    refused([...base, '--all', '--bogus'], /Unknown option '--bogus'/);
    refused([...base, '--all', '--format', 'xml'], /--format must be text or json/);
    refused([...base, '--all', '--id', 'has space'], /--id "has space" may hold letters, digits/);
  });

  it('dates, range, granularity and concurrency are checked before any sign-in', () => {
    const at = (from: string, to: string, ...more: string[]) => [
      '--env',
      'dev',
      '--all',
      '--from',
      from,
      '--to',
      to,
      ...more,
    ];
    refused(at('2024-13-01', '2024-02-01'), /--from "2024-13-01" is not a day of the calendar/, BackfillInputError);
    refused(at('01/02/2024', '2024-02-01'), /--from "01\/02\/2024" is not a date: use YYYY-MM-DD/, BackfillInputError);
    refused(at('2024-02-30', '2024-03-01'), /not a day of the calendar/, BackfillInputError);
    refused(
      at('2024-02-01', '2024-01-01'),
      /The range is empty: --to \(2024-01-01\) is exclusive and must be after --from/,
      BackfillInputError,
    );
    refused(at('2024-01-01', '2024-01-01'), /The range is empty/, BackfillInputError);
    refused(at('2024-07-01', '2024-08-01'), /--from 2024-07-01 is not in the past/, BackfillInputError);
    refused(
      at('1990-01-01', '2024-01-01', '--granularity', 'day'),
      /more than 10000 partitions; choose a coarser granularity/,
      BackfillInputError,
    );
    refused(
      at('2024-01-01', '2024-02-01', '--granularity', 'hour'),
      /granularity "hour" is not one of day, week, month/,
      BackfillInputError,
    );
    for (const n of ['0', '51', '2.5', 'many'])
      refused(
        at('2024-01-01', '2024-02-01', '--concurrency', n),
        /must be a whole number from 1 to 50/,
        BackfillInputError,
      );
    // A UTC time is a date too.
    const timed = parseBackfillCommand(at('2024-01-01T06:00:00Z', '2024-01-02T06:00:00Z'), NOW);
    assert.equal(timed.kind, 'start');
  });

  it('resume, rerun-failed and status take an id (--resume ID too) and never a new plan', () => {
    assert.deepEqual(
      (c => (c.kind === 'resume' ? [c.kind, c.id] : c.kind))(
        parseBackfillCommand(['resume', 'bf-20240101-abc123'], NOW),
      ),
      ['resume', 'bf-20240101-abc123'],
    );
    const alias = parseBackfillCommand(['--resume', 'bf-x', '--env', 'local'], NOW);
    assert.ok(alias.kind === 'resume' && alias.id === 'bf-x' && alias.values.env === 'local');
    const rerun = parseBackfillCommand(['rerun-failed', 'bf-x', '--format', 'json'], NOW);
    assert.ok(rerun.kind === 'rerun-failed' && rerun.id === 'bf-x' && rerun.format === 'json');
    assert.deepEqual(parseBackfillCommand(['status'], NOW).kind, 'status');
    const one = parseBackfillCommand(['status', 'bf-x'], NOW);
    assert.ok(one.kind === 'status' && one.id === 'bf-x');
    refused(['resume'], /needs the backfill's id \(lakehouse backfill status lists them\)/);
    refused(['resume', 'a', 'b'], /takes one backfill id, not 2/);
    refused(['resume', '../etc/passwd'], /is not a backfill id/);
    refused(['resume', 'bf-x', '--from', '2024-01-01'], /takes the plan from the journal: --from cannot be given/);
    refused(['rerun-failed', 'bf-x', '--all', '--concurrency', '3'], /--all, --concurrency cannot be given/);
    refused(['status', '--env', 'dev'], /reads the journals only: it takes no --env/);
    refused(['resume', 'bf-x', '--confirm', 'prod'], /--confirm ENV goes with --env ENV/);
    assert.equal(parseBackfillCommand(['--help'], NOW).kind, 'help');
  });

  it('through main(): exit 2 and the message, no stack trace, no project read', async () => {
    const run = await lakehouse(
      ['backfill', '--env', 'local', '--all', '--from', '2024-01-01', '--to', '2023-12-01'],
      '/nonexistent',
    );
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^lakehouse: The range is empty/);
    assert.doesNotMatch(run.stderr, /^\s+at /m);
    const usage = await lakehouse(['backfill', '--all'], '/nonexistent');
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--env is required/);
    assert.match(usage.stderr, /backfill resume ID/, 'the usage follows a usage error');
  });
});

describe('operations arguments: durations, --since, --status, lists', () => {
  it('durations in ms, s, m, h, d within bounds', () => {
    assert.equal(parseDurationMs('500ms', 'x', { min: 1, max: 1e9 }), 500);
    assert.equal(parseDurationMs('2s', 'x', { min: 1, max: 1e9 }), 2000);
    assert.equal(parseDurationMs('1.5m', 'x', { min: 1, max: 1e9 }), 90_000);
    assert.equal(parseDurationMs('7d', 'x', { min: 1, max: 1e9 }), 7 * 86_400_000);
    assert.throws(
      () => parseDurationMs('soon', '--poll-interval', { min: 1, max: 10 }),
      /--poll-interval "soon" is not a duration: use e\.g\. 500ms/,
    );
    assert.throws(
      () => parseDurationMs('1h', '--x', { min: 1000, max: 60_000 }),
      /--x 1h is out of range: from 1s to 1m/,
    );
    // Azure polls no faster than every 5 s (ADF's monitoring budget is shared); the emulator may go fast.
    assert.equal(parsePollInterval('50ms', true), 50);
    assert.throws(() => parsePollInterval('1s', false), /out of range: from 5s to 10m/);
    assert.equal(parsePollInterval(undefined, false), undefined);
  });

  it('--since: a duration back from now, or a UTC date/time in the past', () => {
    assert.equal(parseSince('24h', NOW), NOW - 86_400_000);
    assert.equal(parseSince('7d', NOW), NOW - 7 * 86_400_000);
    assert.equal(parseSince('90m', NOW), NOW - 90 * 60_000);
    assert.equal(parseSince('2024-06-01', NOW), Date.UTC(2024, 5, 1));
    assert.equal(parseSince('2024-06-15T06:30:00Z', NOW), Date.UTC(2024, 5, 15, 6, 30));
    assert.throws(() => parseSince('yesterday', NOW), /neither a duration \(24h, 7d, 90m\) nor a UTC date or time/);
    assert.throws(() => parseSince('2024-07-01', NOW), /--since 2024-07-01 is not in the past/);
    assert.throws(() => parseSince('2020-01-01', NOW), /more than 400 days ago/);
    assert.throws(() => parseSince('30s', NOW), /out of range/);
  });

  it('--status: ADF statuses in any case, repeatable and comma-separated, unknown ones named', () => {
    assert.deepEqual(parseStatuses(['failed', 'InProgress,SUCCEEDED', 'Failed']), [
      'Failed',
      'InProgress',
      'Succeeded',
    ]);
    assert.throws(
      () => parseStatuses(['Running']),
      /--status "Running" is not a run status: one of Queued, InProgress, Succeeded, Failed, Canceling, Cancelled/,
    );
    assert.deepEqual(splitList(undefined, '--x'), []);
    assert.deepEqual(splitList('a, b', '--x'), ['a', 'b']);
  });
});
