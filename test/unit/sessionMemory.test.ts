// What a session keeps of a large project, made smaller (issue 11): the values of files nobody has
// open are dropped once their model is built, the text is kept once (as the string js-yaml read),
// a column's origin path is made when asked for, and columns are found by scanning, not by an index
// per table. Each must be invisible: the same model, the same diagnostics, the same edits.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { generateProject } from '../../bench/generate';
import { NodeFileHost } from '../../src/core/files/nodeFileHost';
import { parseMetadataFileFast, releaseValue, withExactDocument } from '../../src/core/metadata/fastMetadataFile';
import { buildFragment } from '../../src/core/metadata/buildFragment';
import { columnNamed } from '../../src/core/metadata/model';
import { reparseIncrementally } from '../../src/core/metadata/incrementalParse';
import { ProjectSession } from '../../src/core/project/projectSession';
import { MemoryHost } from './helpers/memoryHost';
import { diagnosticLines, TWO_FRAGMENTS } from './helpers/twoFragments';
import { REPO_ROOT } from './helpers/paths';

const { root: ROOT, a: A, b: B, rootText: root } = TWO_FRAGMENTS;
const column = (name: string, type = 'int') => `          - { name: ${name}, type: ${type}, nullable: false }\n`;
const table = (name: string, columns: string[], cdc = 'updated_at') =>
  `      - name: ${name}\n        description: The ${name} table, long enough to be a sliced string.\n` +
  `        primaryKey: [id]\n        cdcColumn: ${cdc}\n        columns:\n` +
  columns.map(c => column(c, c === 'updated_at' ? 'datetime2' : 'int')).join('');
const source = (system: string, tables: string[]): string =>
  `sources:\n  - name: ${system}\n    tables:\n` + tables.join('');

const diagnostics = diagnosticLines;

/** The model's tables as plain data, with each column's origin path read (it is made when asked for). */
function tablesOf(s: Awaited<ReturnType<ProjectSession['load']>>): unknown[] {
  return s.metadata.tables.map(t => ({
    ...t,
    columns: t.columns.map(c => ({ ...c, origin: { file: c.origin.file, path: [...c.origin.path] } })),
  }));
}

describe('what a session keeps of a large project', () => {
  const text = source('erp', [
    table('Orders', ['id', 'Customer_Id', 'updated_at']),
    table('Lines', ['id', 'updated_at']),
  ]);

  it('a released value is read again from the text, equal to the first', () => {
    const file = parseMetadataFileFast(A, 'fragment', text);
    assert.equal(file.text, text);
    const first = file.value;
    const fragment = buildFragment(file);
    releaseValue(file);
    assert.notEqual(file.value, first, 'the value was dropped and read again');
    assert.deepEqual(file.value, first);
    assert.deepEqual(buildFragment(file).sources, fragment.sources);
  });

  it('a file with its Document keeps its value: a keystroke re-parses from it', () => {
    const file = withExactDocument(parseMetadataFileFast(A, 'fragment', text));
    const value = file.value;
    releaseValue(file);
    assert.equal(file.value, value);
    const edited = text.replace('cdcColumn: updated_at', 'cdcColumn: id');
    const again = reparseIncrementally(file, edited);
    assert.ok(again, 'the edit is re-parsed incrementally');
    assert.equal(
      (again.value as { sources: { tables: { cdcColumn: string }[] }[] }).sources[0]!.tables[0]!.cdcColumn,
      'id',
    );
  });

  it("a column's origin path is the path of its entry, and locates it", async () => {
    const session = new ProjectSession(ROOT, new MemoryHost({ [ROOT]: root, [A]: text }));
    const snapshot = await session.load();
    const orders = snapshot.metadata.tables.find(t => t.name === 'Orders')!;
    assert.deepEqual(orders.columns[1]!.origin.path, ['sources', 0, 'tables', 0, 'columns', 1]);
    assert.equal(orders.columns[1]!.origin.file, A);
    const range = snapshot.locator.range(orders.columns[1]!.origin, 'name');
    assert.equal(text.split('\n')[range.start.line]!.slice(range.start.character, range.end.character), 'Customer_Id');
  });

  it('columns are found case-insensitively, the first of a name', () => {
    const columns = [
      { name: 'Id', type: 'int', origin: { file: A, path: [] } },
      { name: 'ID', type: 'bigint', origin: { file: A, path: [] } },
    ];
    assert.equal(columnNamed({ columns }, 'id')?.type, 'int');
    assert.equal(columnNamed({ columns }, 'iD')?.type, 'int');
    assert.equal(columnNamed({ columns }, 'name'), undefined);
  });

  it('a duplicate column in a wide table (over 64 columns) is found, related to its first definition', async () => {
    const names = ['id', ...Array.from({ length: 70 }, (_, i) => `c${i}`), 'C3', 'updated_at', 'ID'];
    const wide = source('erp', [table('Wide', names)]);
    const session = new ProjectSession(ROOT, new MemoryHost({ [ROOT]: root, [A]: wide }));
    const found = [...(await session.load()).diagnostics.values()].flat().filter(d => d.code === 'LH215');
    assert.deepEqual(
      found.map(d => [d.range.start.line, d.message, d.related?.[0]?.range.start.line]),
      [
        [79, "Column 'C3' appears twice in table 'dbo.Wide'.", 12],
        [81, "Column 'ID' appears twice in table 'dbo.Wide'.", 8],
      ],
    );
  });

  it('opening a file, then editing it, then closing it: the same as a fresh session each time', async () => {
    const texts = new Map([
      [ROOT, root],
      [A, text],
      [B, source('crm', [table('Accounts', ['id', 'updated_at'])])],
    ]);
    const host = new MemoryHost(Object.fromEntries(texts));
    const warm = new ProjectSession(ROOT, host);
    await warm.load(); // every file on the fast path, its value released
    warm.setOpen(A, true);
    await warm.load(); // A gets its Document; its value is read again when a keystroke needs it
    const steps = [
      text.replace('cdcColumn: updated_at', 'cdcColumn: missing_column'),
      text.replace('Customer_Id', 'customer_id'),
      text,
    ];
    for (const step of steps) {
      warm.setOverlay(A, step);
      const fresh = new ProjectSession(ROOT, new MemoryHost({ ...Object.fromEntries(texts), [A]: step }));
      const [a, b] = [await warm.load(), await fresh.load()];
      assert.deepEqual(diagnostics(a), diagnostics(b));
      assert.deepEqual(tablesOf(a), tablesOf(b));
    }
    warm.setOverlay(A, undefined);
    warm.setOpen(A, false);
    const fresh = new ProjectSession(ROOT, new MemoryHost(Object.fromEntries(texts)));
    assert.deepEqual(tablesOf(await warm.load()), tablesOf(await fresh.load()));
  });
});

describe('reads ahead of the parse', () => {
  /** The disk, each read taking a few milliseconds, counting how many are in flight at once. */
  class SlowDisk extends NodeFileHost {
    inFlight = 0;
    mostInFlight = 0;
    readTwice: string[] = [];
    private readonly read = new Set<string>();
    override async readFile(file: string, options?: Parameters<NodeFileHost['readFile']>[1]) {
      if (this.read.has(file)) this.readTwice.push(file);
      this.read.add(file);
      this.inFlight++;
      this.mostInFlight = Math.max(this.mostInFlight, this.inFlight);
      try {
        await new Promise(resolve => setTimeout(resolve, 3));
        return await super.readFile(file, options);
      } finally {
        this.inFlight--;
      }
    }
  }

  it('reads the next files while one is parsed, and a load stopped meanwhile leaves no rejection unheard', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lakehouse-read-ahead-'));
    const unheard: unknown[] = [];
    const listener = (reason: unknown) => unheard.push(reason);
    process.on('unhandledRejection', listener);
    try {
      const p = generateProject(dir, {
        tables: 40,
        tablesPerSystem: 10,
        adfTemplate: path.join(REPO_ROOT, 'samples', 'spotify', 'adf'),
      });
      const alone = new SlowDisk();
      await new ProjectSession(p.rootFile, alone).load();
      assert.ok(alone.mostInFlight > 1, `reads overlapped (at most ${alone.mostInFlight} at once)`);
      assert.ok(alone.mostInFlight <= 8, `reads are bounded (${alone.mostInFlight} at once)`);
      assert.deepEqual(alone.readTwice, [], 'a file read ahead is not read again');

      const disk = new SlowDisk();
      const session = new ProjectSession(p.rootFile, disk);
      const first = session.load();
      await new Promise(resolve => setTimeout(resolve, 20));
      session.invalidate();
      const second = session.load();
      const [a, b] = await Promise.all([first, second]);
      assert.equal(a, b, 'the first load resolves to the newer one');
      assert.equal(b.metadata.tables.length, 40);
      assert.equal(b.adf?.files.length, p.files.adf.length, 'the ADF folder was read');
      const fresh = await new ProjectSession(p.rootFile, new NodeFileHost()).load();
      assert.deepEqual(diagnostics(b), diagnostics(fresh));
      assert.deepEqual(
        b.adf.files.map(f => f.file),
        fresh.adf!.files.map(f => f.file),
      );
      await new Promise(resolve => setTimeout(resolve, 50));
      assert.deepEqual(unheard, []);
    } finally {
      process.off('unhandledRejection', listener);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
