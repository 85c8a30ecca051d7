// Bad input never throws: every broken, binary, huge, hostile or mistyped file becomes a precise
// diagnostic, and loading stays fast.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAdfFile, MAX_JSON_DEPTH } from '../../src/core/adf/adfFile';
import type { Diagnostic } from '../../src/core/diagnostics/diagnostic';
import { ProjectSession } from '../../src/core/project/projectSession';
import { LineIndex } from '../../src/core/text/lineIndex';
import { adfFolder, BASELINE } from './helpers/baseline';
import { MemoryHost } from './helpers/memoryHost';
import { abs, assertFires, edit, list, loadProject, type LoadedProject } from './helpers/project';
import { seededRandom } from '../../src/core/text/random';

const ZERO = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
const MB = 1024 * 1024;
const base = (from: string, to: string): string => edit(BASELINE, from, to);
const root = (text: string | Uint8Array, options = {}): Promise<LoadedProject> =>
  loadProject({ 'lakehouse.yaml': text }, options);

async function timed<T>(limitMs: number, what: string, run: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const result = await run();
  const ms = performance.now() - t0;
  assert.ok(ms < limitMs, `${what} took ${ms.toFixed(0)} ms (limit ${limitMs} ms)`);
  return result;
}

describe('broken YAML', () => {
  it('a reserved character: LH001 at the character', async () => {
    assertFires(await root(base('  owner: data-platform', '  owner: ⟦@⟧data-platform')), 'LH001', {
      message: ['YAML syntax error: Plain value cannot start with reserved character @'],
    });
  });

  it('an unclosed quote: LH001 at the end of the file, where the quote should close', async () => {
    const p = await root('version: 1\nproject:\n  name: "mini_spotify\n⟦⟧');
    const d = p.withCode('LH001');
    assert.deepEqual(
      d.map(x => x.range),
      [p.marker()],
      list(p.diagnostics),
    );
    assert.match(d[0]?.message ?? '', /Missing closing "quote/);
  });

  it('a flow sequence left open: LH001 where the next key starts', async () => {
    const p = await root(base('  owner: data-platform\n\nenvironments:', '  owner: [data-platform\n\n⟦e⟧nvironments:'));
    assertFires(p, 'LH001', {
      message: ['Flow sequence in block collection must be sufficiently indented and end with a ]'],
    });
  });

  it('a duplicate key: LH001 at the second key', async () => {
    const p = await root(base('  owner: data-platform', '  owner: data-platform\n  ⟦owner⟧: someone-else'));
    assertFires(p, 'LH001', { message: ['defined twice in the same mapping; remove or rename one'] });
  });

  it('a tab as indentation: LH001 at the tab', async () => {
    const p = await root(base('  owner: data-platform', '⟦\t⟧owner: data-platform'));
    assertFires(p, 'LH001', { message: ['Tabs are not allowed as YAML indentation; indent with spaces.'] });
  });

  it('several documents: LH001 over the second document', async () => {
    const p = await root(`${BASELINE}⟦---\nversion: 1\n⟧`);
    assertFires(p, 'LH001', {
      message: ['The file holds several YAML documents (---); metadata files hold exactly one.'],
    });
  });

  it('an empty file, or one with only comments: LH103 at the start, saying how a lakehouse.yaml starts', async () => {
    for (const text of ['', '\n\n', '# to do\n']) {
      const p = await root(text);
      assertFires(p, 'LH103', { at: ZERO, message: ["The file is empty. A lakehouse.yaml starts with 'version: 1'"] });
      assert.equal(p.diagnostics.length, 1, list(p.diagnostics));
    }
  });

  it('an alias without its anchor: LH001 at the alias', async () => {
    const p = await root(base('  owner: data-platform', '  owner: ⟦*team⟧'));
    assertFires(p, 'LH001', { message: ["Unknown alias '*team': no anchor '&team' is defined before it."] });
  });

  it('anchors and aliases used sensibly are fine', async () => {
    const p = await root(
      edit(
        base('{ name: user_id, type: int, nullable: false }', '{ name: user_id, type: &int int, nullable: false }'),
        '{ name: listen_duration, type: int }',
        '{ name: listen_duration, type: *int }',
      ),
    );
    assert.equal(list(p.diagnostics), '(none)');
  });
});

describe('hostile YAML', () => {
  it('an alias bomb ("billion laughs") is refused quickly with LH001 at the first alias, not expanded', async () => {
    const levels = ['  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i < 10; i++)
      levels.push(
        `  l${i}: &l${i} [${Array(9)
          .fill(`*l${i - 1}`)
          .join(', ')}]`,
      );
    const text = `version: 1\nproject:\n  name: bomb\ntodo:\n${levels.join('\n')}\n`;
    const p = await timed(5000, 'the alias bomb', () => root(text));
    const firstAlias = text.indexOf('*l0');
    const at = new LineIndex(text).rangeOf([firstAlias, firstAlias + 3]);
    assertFires(p, 'LH001', { at, message: ['expand to too much data to read safely'] });
    assert.equal(p.diagnostics.length, 1, list(p.diagnostics));
  });

  it('deeply nested flow collections: LH001 on that line, never a stack overflow', async () => {
    for (const depth of [5_000, 20_000]) {
      const text = `version: 1\nproject:\n  name: deep\ntodo: ${'['.repeat(depth)}${']'.repeat(depth)}\n`;
      const p = await timed(5000, `nesting ${depth} deep`, () => root(text));
      const errors = p.diagnostics.filter(d => d.severity === 'error');
      assert.equal(errors.length, 1, list(p.diagnostics));
      const d = errors[0] as Diagnostic;
      assert.equal(d.range.start.line, 3);
      // How deep the parser gets before giving up depends on the stack; either way the file is refused.
      if (d.code === 'LH001') assert.match(d.message, /nested too deeply to read/);
      else assert.equal(d.code, 'LH101');
    }
  });

  it('deeply nested block mappings do not throw', async () => {
    let text = 'version: 1\nproject:\n  name: deep\ntodo:\n';
    for (let i = 1; i <= 3000; i++) text += `${' '.repeat(i)}k:\n`;
    const p = await timed(5000, 'nested block mappings', () => root(text));
    assert.ok(
      p.diagnostics.some(d => d.severity === 'error'),
      list(p.diagnostics),
    );
  });

  it('garbage of a quarter of a million syntax errors: the first ones, then "many more", at once (fuzz finding: 556 KB took 1.3 s)', async () => {
    const text = `version: 1\nproject:\n  name: p\nsources:\n  - name: ${'{name}'.repeat(90_000)}\n`;
    const p = await timed(400, 'a file of 270,000 YAML errors', () => root(text));
    const syntax = p.diagnostics.filter(d => d.code === 'LH001');
    assert.equal(syntax.length, 51, 'fifty errors and the line that says there are more');
    assert.match(syntax.at(-1)!.message, /^…and many more YAML syntax errors\. Fix the first ones/);
    assert.deepEqual(
      syntax[0]!.range.start,
      { line: 4, character: 16 },
      'the first error where the file first goes wrong',
    );
    // A file with a few errors still gets their exact count.
    const few = await root(`version: 1\nproject:\n  name: p\nsources:\n  - name: ${'{name}'.repeat(30)}\n`);
    assert.match(few.diagnostics.filter(d => d.code === 'LH001').at(-1)!.message, /^…and \d+ more YAML syntax errors/);
  });
});

describe('files that are not text', () => {
  it('NUL bytes: LH002 "binary" at the start of the file', async () => {
    const bytes = new Uint8Array(
      Buffer.concat([Buffer.from('version: 1\nproject:\n'), Buffer.from([0, 0, 0x89, 0x50, 0x4e, 0x47])]),
    );
    const p = await root(bytes);
    assertFires(p, 'LH002', { at: ZERO, message: ['The file is binary (it contains NUL bytes), not text.'] });
    assert.equal(p.diagnostics.length, 1);
  });

  it('a NUL in an editor buffer (text, not bytes) is binary too', async () => {
    const session = new ProjectSession(abs('lakehouse.yaml'), new MemoryHost({ [abs('lakehouse.yaml')]: BASELINE }));
    session.setOverlay(abs('lakehouse.yaml'), `${BASELINE}\u0000`);
    const diagnostics = [...(await session.load()).diagnostics.values()].flat();
    assert.deepEqual(
      diagnostics.map(d => [d.code, d.range]),
      [['LH002', ZERO]],
    );
  });

  it(
    'a NUL far into the file reads as binary from disk as from a buffer (fuzz finding: past ' +
      'the first 8 KB the disk said text, the editor binary)',
    async () => {
      const text = `${BASELINE}#${'x'.repeat(9000)}\u0000\n`;
      const fromDisk = await root(new Uint8Array(Buffer.from(text)));
      assert.deepEqual(
        fromDisk.diagnostics.map(d => [d.code, d.range]),
        [['LH002', ZERO]],
      );
      const session = new ProjectSession(abs('lakehouse.yaml'), new MemoryHost({ [abs('lakehouse.yaml')]: BASELINE }));
      session.setOverlay(abs('lakehouse.yaml'), text);
      assert.deepEqual(
        [...(await session.load()).diagnostics.values()].flat().map(d => [d.code, d.range]),
        [['LH002', ZERO]],
      );
    },
  );

  it('invalid UTF-8: LH002 saying to save as UTF-8', async () => {
    const bytes = new Uint8Array(
      Buffer.concat([Buffer.from('version: 1\nproject:\n  name: caf'), Buffer.from([0xe9, 0x0a])]),
    );
    assertFires(await root(bytes), 'LH002', {
      at: ZERO,
      message: ['The file is not valid UTF-8 text. Save it as UTF-8.'],
    });
  });

  it('a byte-order mark is accepted, and positions ignore it', async () => {
    const text = base('          dimension: dim_track', '          dimension: dim_trak');
    const p = await root(new Uint8Array(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])));
    const plain = await root(text);
    assert.deepEqual(
      p.diagnostics.map(d => [d.code, d.range]),
      plain.diagnostics.map(d => [d.code, d.range]),
    );
    assert.equal(p.diagnostics.length, 1);
  });
});

describe('huge files', () => {
  it('a 50 MB lakehouse.yaml is refused from its size (LH002), without reading it', async () => {
    const p = await root(BASELINE, { sizes: { [abs('lakehouse.yaml')]: 50 * MB } });
    assertFires(p, 'LH002', {
      at: ZERO,
      message: ['The file is 50.0 MB, over the 5.0 MB limit for metadata files', "split it with 'include'"],
    });
    assert.equal(p.host.reads.includes(abs('lakehouse.yaml')), false, 'the file was not read');
  });

  it('a 50 MB string from a host without fileSize is refused quickly (LH002)', async () => {
    const big = `version: 1\nproject:\n  name: big\ntodo: "${'x'.repeat(50 * MB)}"\n`;
    const p = await timed(5000, 'refusing 50 MB of text', () => root(big, { withFileSize: false }));
    assertFires(p, 'LH002', { at: ZERO, message: ['The file is 50.0 MB, over the 5.0 MB limit'] });
  });

  it('50 MB of bytes from a host without fileSize is refused quickly (LH002)', async () => {
    const p = await timed(5000, 'refusing 50 MB of bytes', () =>
      root(new Uint8Array(50 * MB).fill(0x61), { withFileSize: false }),
    );
    assertFires(p, 'LH002', { at: ZERO, message: ['The file is 50.0 MB'] });
  });

  it('an unsaved buffer is measured in bytes, as the file it would be (issue 9: the limit counted UTF-16 units)', async () => {
    // 2 million '€' are 2 million UTF-16 units but 6 MB of UTF-8: over the limit as a file, so as a buffer too.
    const euro = `version: 1\nproject:\n  name: big\ntodo: "${'€'.repeat(2_000_000)}"\n`;
    assert.ok(euro.length < 5 * MB && Buffer.byteLength(euro) > 5 * MB);
    const session = new ProjectSession(abs('lakehouse.yaml'), new MemoryHost({ [abs('lakehouse.yaml')]: BASELINE }));
    session.setOverlay(abs('lakehouse.yaml'), euro);
    const diagnostics = [...(await session.load()).diagnostics.values()].flat();
    assert.deepEqual(
      diagnostics.map(d => `${d.code} ${d.message}`),
      ["LH002 The file is 5.7 MB, over the 5.0 MB limit for metadata files; split it with 'include'."],
    );
  });

  it('a huge ADF file is LH002 on that file; the project still loads', async () => {
    const p = await loadProject(
      { 'lakehouse.yaml': BASELINE, ...adfFolder(), 'adf/pipeline/huge.json': '{}' },
      { sizes: { [abs('adf/pipeline/huge.json')]: 50 * MB } },
    );
    assertFires(p, 'LH002', { file: 'adf/pipeline/huge.json', at: ZERO, message: ['over the 5.0 MB limit'] });
    assert.equal(p.snapshot.adf?.loops.length, 1);
  });
});

describe('wrong types', () => {
  const cases: [string, string, string, string][] = [
    [
      'scdType: "two"',
      '      scdType: 1\n',
      '      scdType: ⟦"two"⟧\n',
      "LH104 'scdType' in dimension 'dim_track' must be one of 1, 2; got the text 'two'.",
    ],
    [
      'columns: 5',
      '        columns:\n          - { name: date_key, type: int }\n          - { name: date, type: date }',
      '        columns: ⟦5⟧',
      "LH101 'columns' in table 'DimDate' must be a list, not the number 5.",
    ],
    [
      'tables: {}',
      '    tables:\n      - name: DimUser',
      '    tables: ⟦{}⟧\n    todo: moved\n    x:\n      - name: DimUser',
      "LH101 'tables' in source system 'spotify_sql' must be a list, not a mapping.",
    ],
    [
      'primaryKey: a text',
      '        primaryKey: [user_id]',
      '        primaryKey: ⟦user_id⟧',
      "LH101 'primaryKey' in table 'DimUser' must be a list, not the text 'user_id'.",
    ],
    [
      'nullable: "no"',
      '{ name: user_id, type: int, nullable: false }',
      '{ name: user_id, type: int, nullable: ⟦"no"⟧ }',
      "LH101 'nullable' in column 'user_id' must be true or false, not the text 'no'.",
    ],
    [
      'measures: a text',
      '      measures:\n        - column: listen_duration\n          aggregation: sum\n        - ' +
        'column: stream_id\n          aggregation: count\n          name: stream_count\n',
      '      measures: ⟦sum⟧\n',
      "LH101 'measures' in fact 'fact_stream' must be a list, not the text 'sum'.",
    ],
    [
      'environments: []',
      'environments:\n  dev:\n    subscriptionId: 00000000-0000-0000-0000-000000000000\n    ' +
        'resourceGroup: rg-mini-dev\n    factory: adf-mini-dev\n    storageAccount: stminidev\n',
      'environments: ⟦[]⟧\n',
      "LH101 'environments' in the file must be a mapping (key: value lines), not a list.",
    ],
    [
      'sources: {}',
      'sources:\n  - name: spotify_sql',
      'sources: ⟦{}⟧\nx:\n  - name: spotify_sql',
      "LH101 'sources' in the file must be a list, not a mapping.",
    ],
  ];
  for (const [title, from, to, expected] of cases) {
    it(`${title}: ${expected.slice(0, 5)} at the value`, async () => {
      const p = await root(base(from, to));
      const [code] = expected.split(' ');
      const d = assertFires(p, code as string, { message: [expected.slice(6)] });
      assert.equal(`${d.code} ${d.message}`, expected);
    });
  }

  it('a file that is a list, or a bare word, must be a mapping (LH101 over the whole value)', async () => {
    // The range ends at the last character of the value, not at the start of the next line.
    assertFires(await root('⟦- version: 1\n- project: x⟧\n'), 'LH101', {
      message: ['must be a mapping (key: value lines), not a list'],
    });
    // A whole file that is one value is not metadata: its text is not repeated (it could be a credentials file).
    const word = assertFires(await root('⟦https://user:ghp_secret@github.com⟧\n'), 'LH101', {
      message: ['must be a mapping (key: value lines), not a single value: it does not look like a metadata file'],
    });
    assert.doesNotMatch(word.message, /ghp_secret|github/);
  });

  it('one bad entry does not hide the checks on the others', async () => {
    const p = await root(
      edit(
        base('    - name: dim_track\n', '    - name: dim_track\n      businessKey: ⟦5⟧\n'),
        '      businessKey: [track_id]\n',
        '',
      ).replace('          dimension: dim_user', '          dimension: ⟦dim_usr⟧'),
    );
    assertFires(p, 'LH101', { at: 0 });
    assertFires(p, 'LH201', { at: 1 });
  });
});

describe('bad ADF folders and files', () => {
  const withAdf = (files: Record<string, string | Uint8Array>): Promise<LoadedProject> =>
    loadProject({ 'lakehouse.yaml': base('\nsources:', 'paths:\n  adf: adf\n\nsources:'), ...adfFolder(), ...files });

  it('a missing ADF folder: LH401 at the paths.adf value', async () => {
    const p = await root(base('\nsources:', 'paths:\n  adf: ⟦factory/adf⟧\n\nsources:'));
    assertFires(p, 'LH401', { message: ["The ADF folder 'factory/adf' does not exist."] });
  });

  it('JSON that is not an artifact: LH403 at its first line', async () => {
    const p = await withAdf({ 'adf/pipeline/settings.json': '⟦{⟧\n  "retries": 3\n}\n' });
    assertFires(p, 'LH403', {
      file: 'adf/pipeline/settings.json',
      message: ['This is not an ADF pipeline: it has no "name"'],
    });
  });

  it('malformed JSON: LH402 at the exact position, reported once', async () => {
    const p = await withAdf({
      'adf/dataset/ds_bad.json': '{\n  "name": "ds_bad",\n  "properties": { "type": "Parquet"\n⟦⟧',
    });
    assertFires(p, 'LH402', { file: 'adf/dataset/ds_bad.json', message: ["JSON syntax error: '}' is expected."] });
    const comments = await withAdf({ 'adf/dataset/ds_c.json': '{ ⟦// note⟧\n  "name": "ds_c", "properties": {} }\n' });
    assertFires(comments, 'LH402', {
      file: 'adf/dataset/ds_c.json',
      message: ['comments are not allowed in ADF JSON'],
    });
  });

  it('an empty ADF file: LH402 "a value is expected"', async () => {
    assertFires(await withAdf({ 'adf/trigger/tr.json': '' }), 'LH402', {
      file: 'adf/trigger/tr.json',
      at: ZERO,
      message: ['a value is expected'],
    });
  });

  it(`JSON nested deeper than ${MAX_JSON_DEPTH} levels: LH402 at the bracket past the limit, never a stack overflow`, async () => {
    const depth = 100_000;
    const prefix = '{"name": "deep", "properties": {"x": ';
    const text = `${prefix}${'['.repeat(depth)}${']'.repeat(depth)}}}`;
    const p = await timed(5000, 'deep JSON', () => withAdf({ 'adf/pipeline/deep.json': text }));
    const offset = prefix.length + MAX_JSON_DEPTH - 2; // the two braces of the prefix count
    assertFires(p, 'LH402', {
      file: 'adf/pipeline/deep.json',
      at: { start: { line: 0, character: offset }, end: { line: 0, character: offset + 1 } },
      message: [`nested more than ${MAX_JSON_DEPTH} levels deep`],
    });
  });

  it('the depth limit ignores brackets inside strings', () => {
    const text = JSON.stringify({ name: 'p', properties: { description: '['.repeat(2 * MAX_JSON_DEPTH) } });
    assert.deepEqual(parseAdfFile('/adf/pipeline/p.json', 'pipeline', text).diagnostics, []);
  });

  it('a binary or non-UTF-8 ADF file: LH002 on that file', async () => {
    const p = await withAdf({
      'adf/linkedService/blob.json': new Uint8Array([0x7b, 0x00, 0x7d]),
      'adf/linkedService/latin1.json': new Uint8Array([0x7b, 0x22, 0xe9, 0x22, 0x7d]),
    });
    const found = p.withCode('LH002');
    assert.deepEqual(
      found.map(d => [d.file, d.range]),
      [
        [abs('adf/linkedService/blob.json'), ZERO],
        [abs('adf/linkedService/latin1.json'), ZERO],
      ],
    );
    assert.match(found[0]?.message ?? '', /binary/);
    assert.match(found[1]?.message ?? '', /not valid UTF-8/);
  });

  it('files that are not .json, and subfolders, are not read as artifacts', async () => {
    const p = await withAdf({
      'adf/pipeline/README.md': '{',
      'adf/pipeline/old/copy.json': '{',
      'adf/publish_config.json': '{',
    });
    assert.equal(list(p.diagnostics), '(none)');
  });
});

describe('reading the project', () => {
  it('a missing lakehouse.yaml: LH002 at its start', async () => {
    const p = await loadProject({ 'other.yaml': BASELINE });
    assertFires(p, 'LH002', { at: ZERO, message: ['lakehouse.yaml does not exist.'] });
  });

  it('an I/O error: LH002 with the reason, not an exception', async () => {
    const p = await root(BASELINE, { failing: [abs('lakehouse.yaml')] });
    assertFires(p, 'LH002', { at: ZERO, message: ['The file cannot be read: EACCES: permission denied'] });
  });

  it('an I/O error on an ADF folder: the folder counts as missing', async () => {
    const host = new MemoryHost({ [abs('lakehouse.yaml')]: base('\nsources:', 'paths:\n  adf: adf\n\nsources:') });
    host.readDirectory = async dir => {
      if (dir === abs('adf')) throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
      return MemoryHost.prototype.readDirectory.call(host, dir);
    };
    const diagnostics = [...(await new ProjectSession(abs('lakehouse.yaml'), host).load()).diagnostics.values()].flat();
    assert.deepEqual(
      diagnostics.map(d => d.code),
      ['LH401'],
    );
  });
});

describe('never throws', () => {
  /** A small deterministic PRNG, so failures reproduce. */
  const random = seededRandom;

  function assertWellFormed(p: LoadedProject): void {
    for (const d of p.diagnostics) {
      const text = p.texts.get(d.file);
      if (text === undefined) continue;
      const lines = new LineIndex(text);
      const start = lines.offsetAt(d.range.start);
      const end = lines.offsetAt(d.range.end);
      assert.ok(start <= end && end <= text.length, `range inside the file: ${list([d])}`);
      assert.deepEqual(lines.positionAt(start), d.range.start, `start is a real position: ${list([d])}`);
      assert.ok(d.message.length > 10, 'a message');
    }
  }

  it('on every truncation of a valid project', async () => {
    for (let n = 0; n < BASELINE.length; n += 41) assertWellFormed(await root(BASELINE.slice(0, n)));
  });

  it('on random single-character damage to a valid project', async () => {
    const next = random(20261127);
    const alphabet = ' \t\n:-[]{}&*!|>\'"#%@`,?x0';
    for (let i = 0; i < 100; i++) {
      const at = Math.floor(next() * BASELINE.length);
      const ch = alphabet[Math.floor(next() * alphabet.length)] as string;
      const text =
        next() < 0.5
          ? BASELINE.slice(0, at) + ch + BASELINE.slice(at + 1)
          : BASELINE.slice(0, at) + ch + BASELINE.slice(at);
      assertWellFormed(await loadProject({ 'lakehouse.yaml': text, ...adfFolder() }));
    }
  });
});
