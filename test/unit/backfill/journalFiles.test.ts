// Journals on disk: appended and fsynced in order (concurrent appends never interleave within a
// line), read back, listed by id, a torn tail survived, and an id that is not a file name refused.
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { after, describe, it } from 'node:test';
import { JournalFolderOnDisk } from '../../../src/core/files/journalFiles';
import { JournalWriter, replayJournal } from '../../../src/core/backfill/journal';
import { readJournals } from '../../../src/core/backfill/history';
import { planBackfill } from '../../../src/core/backfill/plan';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-journal-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const plan = planBackfill({
  from: '2024-01-01',
  to: '2024-03-01',
  targets: {
    targets: [{ pipeline: 'pl', parameters: {}, tables: [], tagsBackfillId: false }],
    notes: [],
    names: { windowStart: 'window_start', windowEnd: 'window_end', backfillId: 'backfill_id', loop: 'loop_input' },
  },
  id: 'bf-disk',
  now: 0,
});

describe('journals on disk', () => {
  it('appends in order, reads back, lists ids; a folder that does not exist lists nothing', async () => {
    const folder = new JournalFolderOnDisk(path.join(dir, 'backfills'));
    assert.deepEqual(await folder.list(), []);
    const file = folder.file(plan.id);
    assert.equal(await file.read(), undefined);
    const writer = new JournalWriter(file, undefined);
    await writer.append(plan);
    await Promise.all(plan.partitions.map((p, i) => writer.append({ t: 'attempt', key: p.key, n: 1, at: i })));
    const state = replayJournal((await file.read())!);
    assert.equal(state.partitions.size, 60);
    assert.ok([...state.partitions.values()].every(p => p.phase === 'unclear'));
    fs.writeFileSync(path.join(dir, 'backfills', 'notes.txt'), 'x');
    fs.writeFileSync(path.join(dir, 'backfills', 'bad name.jsonl'), 'x');
    assert.deepEqual(await folder.list(), ['bf-disk']);
    fs.writeFileSync(path.join(dir, 'backfills', 'bf-broken.jsonl'), '{"t":"attempt"}\n');
    const read = await readJournals(folder);
    assert.deepEqual(
      read.states.map(s => s.plan.id),
      ['bf-disk'],
    );
    assert.deepEqual(read.problems, [
      { id: 'bf-broken', message: 'The journal of bf-broken: it does not start with a backfill plan.' },
    ]);
    assert.throws(() => folder.file('../escape'), /not a backfill id/);
    await folder.close();
  });

  it('a torn tail (a crash mid-append) is dropped and marked; appends go on', async () => {
    const folder = new JournalFolderOnDisk(dir);
    const file = folder.file('bf-torn');
    fs.writeFileSync(path.join(dir, 'bf-torn.jsonl'), JSON.stringify(plan) + '\n{"t":"attempt","key":"pl@20');
    const text = await file.read();
    assert.equal(replayJournal(text!).tornLines, 1);
    await new JournalWriter(file, text).append({ t: 'resume', at: 5 });
    const again = replayJournal((await file.read())!);
    assert.equal(again.tornLines, 1);
    await folder.close();
  });
});
