// The one backfill workflow the CLI and the editor share: the tables a window applies to (from the
// factory's pipelines), a request checked into a plan, the pace per target, the journal lock that
// keeps two processes from running one journal, and the listing with what is unfinished.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { after, describe, it } from 'node:test';
import { NodeFileHost } from '../../../src/core/files/nodeFileHost';
import { loadProjectAt } from '../../../src/core/project/loadProject';
import { backfillJournalDir, JournalFolderOnDisk, JournalLockedError } from '../../../src/core/files/journalFiles';
import { BackfillInputError } from '../../../src/core/backfill/partitions';
import {
  backfillPace,
  backfillSettingsOf,
  backfillTables,
  listBackfills,
  prepareBackfill,
} from '../../../src/core/backfill/session';
import { JournalWriter } from '../../../src/core/backfill/journal';
import type { PipelineJson } from '../../../src/core/backfill/targets';
import { SAMPLE_DIR } from '../helpers/paths';
import { generateSample } from '../adf/generateFixtures';

const NOW = Date.UTC(2024, 5, 15, 12);
const PLACE = {
  environment: 'dev',
  factory: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.DataFactory/factories/f',
};
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-session-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

async function sample(): Promise<{ pipelines: PipelineJson[]; settings: ReturnType<typeof backfillSettingsOf> }> {
  const { metadata } = await loadProjectAt(new NodeFileHost(), SAMPLE_DIR);
  const pipelines = generateSample(metadata)
    .artifacts.filter(a => a.kind === 'pipeline')
    .map(a => a.value as unknown as PipelineJson);
  return { pipelines, settings: backfillSettingsOf(metadata) };
}

describe('backfill session', () => {
  it("lists the tables the factory's loops copy by watermark, with their backfill dates", async () => {
    const { pipelines, settings } = await sample();
    assert.deepEqual(settings.entryPipeline, 'pl_incremental_ingestion');
    const tables = backfillTables(settings, pipelines);
    assert.deepEqual(
      tables.map(t => [t.key, t.pipeline, t.fromDate?.slice(0, 10)]),
      [
        ['dbo.DimUser', 'pl_incremental_ingestion', undefined],
        ['dbo.DimArtist', 'pl_incremental_ingestion', undefined],
        ['dbo.DimTrack', 'pl_incremental_ingestion', undefined],
        ['dbo.DimDate', 'pl_incremental_ingestion', undefined],
        ['dbo.FactStream', 'pl_incremental_ingestion', '2024-01-01'],
      ],
    );
    // A factory without the pipeline (never deployed): say so.
    assert.throws(
      () => backfillTables(settings, []),
      /The factory has no pipeline "pl_incremental_ingestion".*deploy it first/,
    );
  });

  it('checks a request into a plan: dates in the past, tables known, the environment and factory recorded', async () => {
    const { pipelines, settings } = await sample();
    const plan = prepareBackfill(
      settings,
      pipelines,
      { tables: ['FactStream'], from: '2024-06-01', to: '2024-06-08' },
      PLACE,
      NOW,
    );
    assert.deepEqual(
      [plan.partitions.length, plan.concurrency, plan.granularity, plan.environment, plan.factory],
      [7, 8, 'day', 'dev', PLACE.factory],
    );
    assert.deepEqual(
      plan.targets.map(t => t.tables),
      [['dbo.FactStream']],
    );
    const refused = (request: Parameters<typeof prepareBackfill>[2], message: RegExp) =>
      assert.throws(
        () => prepareBackfill(settings, pipelines, request, PLACE, NOW),
        (e: unknown) => {
          assert.ok(e instanceof BackfillInputError);
          assert.match(e.message, message);
          return true;
        },
      );
    refused({ tables: 'all', from: '2024-07-01', to: '2024-07-02' }, /--from 2024-07-01 is not in the past/);
    refused({ tables: [' '], from: '2024-06-01', to: '2024-06-02' }, /Name at least one table/);
    refused(
      { tables: ['DimNope'], from: '2024-06-01', to: '2024-06-02' },
      /No generated pipeline copies a table "DimNope"/,
    );
    refused({ tables: 'all', from: '2024-06-01', to: '2024-06-02', concurrency: 51 }, /from 1 to 50/);
    // A range that ends after now: allowed, with a note that the last window is not over.
    const open = prepareBackfill(
      settings,
      pipelines,
      { tables: 'all', from: '2024-06-14', to: '2024-06-16' },
      PLACE,
      NOW,
    );
    assert.ok(
      open.notes.some(n => /the last window is not over/.test(n)),
      open.notes.join('\n'),
    );
  });

  it('paces polls and looks by target: defaults on Azure, fast on the local emulator (scaled to the poll)', () => {
    assert.deepEqual(backfillPace(false), {});
    assert.deepEqual(backfillPace(false, 30_000), { pollIntervalMs: 30_000 });
    assert.deepEqual(backfillPace(true), {
      pollIntervalMs: 2000,
      pollOverlapMs: 4000,
      lookDelaysMs: [500, 1000, 2000],
      staleAfterMs: 30_000,
      baseDelayMs: 500,
      maxDelayMs: 10_000,
    });
    assert.deepEqual(backfillPace(true, 40).lookDelaysMs, [10, 20, 40]);
  });

  it('the journal lock: one holder at a time; a dead holder on this machine is taken over; another machine is reported', async () => {
    const folder = new JournalFolderOnDisk(backfillJournalDir(dir));
    assert.equal(backfillJournalDir('/p'), path.join('/p', '.lakehouse', 'backfills'));
    const lock = await folder.lock('bf-lock');
    assert.equal(await folder.isHeld('bf-lock'), true);
    await assert.rejects(folder.lock('bf-lock'), (e: unknown) => {
      assert.ok(e instanceof JournalLockedError);
      assert.match(e.message, /Backfill bf-lock is running already in this window\./);
      return true;
    });
    await lock.release();
    await lock.release(); // twice is harmless
    assert.equal(await folder.isHeld('bf-lock'), false);

    // A process that died holding it (a pid that no longer exists).
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    const file = path.join(backfillJournalDir(dir), 'bf-lock.lock');
    fs.writeFileSync(file, JSON.stringify({ pid: Number(dead), host: os.hostname(), since: '2024-06-01T00:00:00Z' }));
    assert.equal(await folder.isHeld('bf-lock'), false);
    const taken = await folder.lock('bf-lock');
    assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).pid, process.pid);
    await taken.release();

    // Another machine's: it cannot be checked, so it is reported with what to do.
    fs.writeFileSync(file, JSON.stringify({ pid: 1, host: 'build-agent-7', since: '2024-06-01T00:00:00Z' }));
    await assert.rejects(
      folder.lock('bf-lock'),
      new RegExp(
        'Backfill bf-lock is being run by process 1 on build-agent-7 \\(since 2024-06-01T00:00:00Z\\): ' +
          'wait for it to end or stop it .* If no process runs it any more, delete .*bf-lock\\.lock\\.',
      ),
    );
    assert.equal(await folder.isHeld('bf-lock'), true);
    fs.rmSync(file);
    await assert.rejects(folder.lock('../x'), /is not a backfill id/);
  });

  it('lists the backfills, newest first, with what is unfinished', async () => {
    const { pipelines, settings } = await sample();
    const folder = new JournalFolderOnDisk(path.join(dir, 'listing'));
    const older = prepareBackfill(
      settings,
      pipelines,
      { tables: 'all', from: '2024-01-01', to: '2024-01-03', id: 'bf-old' },
      PLACE,
      NOW - 1000,
    );
    const newer = prepareBackfill(
      settings,
      pipelines,
      { tables: 'all', from: '2024-02-01', to: '2024-02-02', id: 'bf-new' },
      PLACE,
      NOW,
    );
    for (const plan of [older, newer]) await new JournalWriter(folder.file(plan.id), undefined).append(plan);
    const done = new JournalWriter(folder.file('bf-new'), 'x\n');
    const key = newer.partitions[0]!.key;
    await done.append({ t: 'attempt', key, n: 1, at: NOW });
    await done.append({ t: 'created', key, n: 1, runId: 'r1', at: NOW });
    await done.append({ t: 'status', key, runId: 'r1', status: 'Succeeded', at: NOW });
    fs.writeFileSync(path.join(folder.folder, 'bf-bad.jsonl'), 'not json\n{"t":"x"}\n');
    const { backfills, problems } = await listBackfills(folder);
    assert.deepEqual(
      backfills.map(b => [b.id, b.environment, b.unfinished, b.summary.succeeded, b.summary.total]),
      [
        ['bf-new', 'dev', false, 1, 1],
        ['bf-old', 'dev', true, 0, 2],
      ],
    );
    assert.deepEqual(
      problems.map(p => p.id),
      ['bf-bad'],
    );
    await folder.close();
  });
});
