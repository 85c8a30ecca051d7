// The `lakehouse` CLI: called in-process through main(argv, io) with captured output, plus one
// run of the real built binary. Exit codes: 0 ok, 1 errors found, 2 usage or I/O error; never a
// stack trace for a user's mistake.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { after, before, describe, it } from 'node:test';
import { lakehouse, type Run } from './helpers/cli';
import { renderRulesMarkdown } from '../../src/core/diagnostics/rulesDoc';
import { BASELINE } from './helpers/baseline';
import { REPO_ROOT, SAMPLE_DIR } from './helpers/paths';
import { edit, marked } from './helpers/project';

const STACK_LINE = /^\s+at /m;

function assertUserError(run: Run, message: RegExp): void {
  assert.equal(run.code, 2, `exit 2 (stderr: ${run.stderr})`);
  assert.match(run.stderr, message);
  assert.match(run.stderr, /^lakehouse: /);
  assert.doesNotMatch(run.stderr, STACK_LINE, 'no stack trace');
  assert.doesNotMatch(run.stderr, /internal error/);
}

describe('lakehouse CLI (in-process)', () => {
  let tmp = '';
  const write = (rel: string, text: string | Uint8Array): string => {
    const file = path.join(tmp, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  };

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lakehouse-cli-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  describe('validate', () => {
    it('exits 0 on the sample, with a summary and nothing else', async () => {
      const run = await lakehouse(['validate', SAMPLE_DIR], REPO_ROOT);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.match(run.stdout, /^0 error\(s\), 0 warning\(s\), 0 info in \d+ file\(s\)\.\n$/);
      assert.equal(run.stderr, '');
    });

    it('defaults to the current folder, and accepts a lakehouse.yaml path', async () => {
      assert.equal((await lakehouse(['validate'], SAMPLE_DIR)).code, 0);
      assert.equal((await lakehouse(['validate', 'samples/spotify/lakehouse.yaml'], REPO_ROOT)).code, 0);
    });

    it('exits 1 when there are errors, listing each as file:line:column (1-based)', async () => {
      const m = marked(edit(BASELINE, '          dimension: dim_track', '          dimension: ⟦dim_trak⟧'));
      write('errors/lakehouse.yaml', m.text);
      const run = await lakehouse(['validate', 'errors'], tmp);
      assert.equal(run.code, 1);
      const at = m.ranges[0]!.start;
      assert.equal(
        run.stdout,
        `lakehouse.yaml:${at.line + 1}:${at.character + 1}: error LH201 Fact 'fact_stream' ` +
          `references dimension 'dim_trak', which is not declared. Did you mean 'dim_track'?\n\n1 ` +
          `error(s), 0 warning(s), 0 info in 1 file(s).\n`,
      );
    });

    it('exits 0 when there are only warnings', async () => {
      write('warnings/lakehouse.yaml', edit(BASELINE, '  owner: data-platform', '  todo: name the owner'));
      const run = await lakehouse(['validate', path.join(tmp, 'warnings')], tmp);
      assert.equal(run.code, 0);
      assert.match(
        run.stdout,
        /lakehouse\.yaml:5:9: warning LH901 TODO: name the owner\n\n0 error\(s\), 1 warning\(s\)/,
      );
    });

    it('--format json prints exactly [{file, range, severity, code, message}], 0-based, files relative to DIR with /', async () => {
      const root = marked(edit(BASELINE, '          dimension: dim_track', '          dimension: ⟦dim_trak⟧'));
      const fragment = marked('starSchema:\n  dimensions:\n    - name: dim_extra\n      source: ⟦NoSuchTable⟧\n');
      write(
        'json/lakehouse.yaml',
        edit(root.text, 'version: 1\n', 'version: 1\ninclude: [metadata/more.lakehouse.yaml]\n'),
      );
      write('json/metadata/more.lakehouse.yaml', fragment.text);
      const run = await lakehouse(['validate', 'json', '--format', 'json'], tmp);
      assert.equal(run.code, 1);
      const shift = (r: (typeof root.ranges)[number]) => ({
        start: { ...r.start, line: r.start.line + 1 },
        end: { ...r.end, line: r.end.line + 1 },
      });
      assert.deepEqual(JSON.parse(run.stdout), [
        {
          file: 'lakehouse.yaml',
          range: shift(root.ranges[0]!),
          severity: 'error',
          code: 'LH201',
          message:
            "Fact 'fact_stream' references dimension 'dim_trak', which is not declared. Did you mean 'dim_track'?",
        },
        {
          file: 'metadata/more.lakehouse.yaml',
          range: fragment.ranges[0],
          severity: 'error',
          code: 'LH212',
          message:
            "Source table 'NoSuchTable' of dimension 'dim_extra' is not declared under sources. Declare it, with its columns, under a source system.",
        },
      ]);
      assert.equal(run.stderr, '');
    });

    it('--format json prints [] for a clean project', async () => {
      const run = await lakehouse(['validate', SAMPLE_DIR, '--format=json'], REPO_ROOT);
      assert.equal(run.code, 0);
      assert.deepEqual(JSON.parse(run.stdout), []);
    });

    it('a binary lakehouse.yaml is a diagnostic (exit 1), not a crash', async () => {
      write('binary/lakehouse.yaml', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00]));
      const run = await lakehouse(['validate', 'binary'], tmp);
      assert.equal(run.code, 1);
      assert.match(run.stdout, /^lakehouse\.yaml:1:1: error LH002 The file is binary/);
      assert.doesNotMatch(run.stdout + run.stderr, STACK_LINE);
    });

    it('exits 2 on a missing folder, a folder without lakehouse.yaml, or a missing file', async () => {
      assertUserError(await lakehouse(['validate', 'no/such/folder'], tmp), /no\/such\/folder is not a folder\./);
      fs.mkdirSync(path.join(tmp, 'empty'), { recursive: true });
      assertUserError(
        await lakehouse(['validate', 'empty'], tmp),
        /No lakehouse\.yaml in \S*empty\. Create one, or import it from an ADF folder/,
      );
      assertUserError(
        await lakehouse(['validate', 'empty/lakehouse.yaml'], tmp),
        /empty\/lakehouse\.yaml does not exist\./,
      );
    });

    it('exits 2 on an unknown flag, a bad --format, or two folders, with the usage', async () => {
      const unknown = await lakehouse(['validate', '--strict'], tmp);
      assertUserError(unknown, /Unknown option '--strict'/);
      assert.match(unknown.stderr, /Usage: lakehouse <command>/);
      assertUserError(
        await lakehouse(['validate', '--format', 'xml'], tmp),
        /--format must be text or json, not 'xml'\./,
      );
      assertUserError(await lakehouse(['validate', 'a', 'b'], tmp), /validate takes at most one folder\./);
    });
  });

  describe('import-adf', () => {
    const adfDir = path.join(SAMPLE_DIR, 'adf');

    it('writes lakehouse.yaml (relative to the current folder) and reports what it found', async () => {
      fs.mkdirSync(path.join(tmp, 'imp1'), { recursive: true });
      const run = await lakehouse(['import-adf', adfDir], path.join(tmp, 'imp1'));
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, /^Wrote lakehouse\.yaml: 5 table\(s\) from 1 source system\(s\)\.\n/);
      const text = fs.readFileSync(path.join(tmp, 'imp1', 'lakehouse.yaml'), 'utf8');
      assert.match(text, /^# Imported by Lakehouse Workbench from /);
      assert.match(text, /\npaths:\n {2}adf: \.\.\/.*samples\/spotify\/adf\n/);
      // The ADF folder is outside the folder lakehouse.yaml was written to: the note says so, and
      // the user allows it explicitly.
      assert.match(
        run.stderr,
        new RegExp(
          [
            'note: paths\\.adf \\(\\.\\./.*samples/spotify/adf\\) is outside the folder of lakehouse\\.yaml, ',
            'which only reads files inside its folder: run lakehouse with --allow-folder .*samples/spotify/adf',
          ].join(''),
        ),
      );
      const refused = await lakehouse(['validate', 'imp1', '--format', 'json'], tmp);
      assert.equal(refused.code, 1, refused.stdout);
      assert.deepEqual(
        (JSON.parse(refused.stdout) as { code: string }[]).filter(d => d.code !== 'LH901').map(d => d.code),
        ['LH601'],
      );
      const validate = await lakehouse(['validate', 'imp1', '--format', 'json', '--allow-folder', adfDir], tmp);
      assert.equal(validate.code, 0, validate.stdout);
      assert.deepEqual([...new Set((JSON.parse(validate.stdout) as { code: string }[]).map(d => d.code))], ['LH901']);
    });

    it('refuses to overwrite without --force (exit 2, the file untouched), and overwrites with it', async () => {
      const out = write('imp2/lakehouse.yaml', 'version: 1 # mine\n');
      const refused = await lakehouse(['import-adf', adfDir, '--out', out], tmp);
      assertUserError(refused, /already exists; pass --force to overwrite it\./);
      assert.equal(fs.readFileSync(out, 'utf8'), 'version: 1 # mine\n');
      const forced = await lakehouse(['import-adf', adfDir, '--out', out, '--force'], tmp);
      assert.equal(forced.code, 0, forced.stderr);
      assert.match(fs.readFileSync(out, 'utf8'), /^# Imported by Lakehouse Workbench/);
      assert.deepEqual(fs.readdirSync(path.dirname(out)), ['lakehouse.yaml'], 'no temporary file is left behind');
    });

    it('--out - prints the file to stdout and writes nothing', async () => {
      fs.mkdirSync(path.join(tmp, 'imp3'), { recursive: true });
      const run = await lakehouse(['import-adf', adfDir, '--out', '-'], path.join(tmp, 'imp3'));
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^# Imported by Lakehouse Workbench[\s\S]*\nsources:\n {2}- name: ls_spotify_sql\n/);
      assert.doesNotMatch(run.stderr, /Wrote/);
      assert.deepEqual(fs.readdirSync(path.join(tmp, 'imp3')), []);
    });

    it('exits 2 on a missing folder, a folder that is not ADF, a missing argument, or an unwritable --out', async () => {
      assertUserError(await lakehouse(['import-adf', 'nowhere'], tmp), /nowhere does not exist or is not a folder\./);
      fs.mkdirSync(path.join(tmp, 'plain'), { recursive: true });
      assertUserError(
        await lakehouse(['import-adf', 'plain'], tmp),
        /plain is not an ADF folder: it has none of pipeline\//,
      );
      assertUserError(await lakehouse(['import-adf'], tmp), /import-adf takes exactly one ADF folder\./);
      const file = write('a-file', 'x');
      assertUserError(
        await lakehouse(['import-adf', adfDir, '--out', path.join(file, 'lakehouse.yaml')], tmp),
        /ENOTDIR|EEXIST/,
      );
    });
  });

  describe('other commands', () => {
    it('rules prints the rules table; --version and --help exit 0', async () => {
      const rules = await lakehouse(['rules'], tmp);
      assert.equal(rules.code, 0);
      assert.equal(rules.stdout, renderRulesMarkdown());
      const version = await lakehouse(['--version'], tmp);
      assert.equal(version.code, 0);
      assert.match(version.stdout, /^\d+\.\d+\.\d+(-[\w.]+)?\n$/);
      const help = await lakehouse(['--help'], tmp);
      assert.equal(help.code, 0);
      assert.match(help.stdout, /^Usage: lakehouse <command>/);
    });

    it('no command prints the usage and exits 2; an unknown command exits 2 without a stack trace', async () => {
      const none = await lakehouse([], tmp);
      assert.equal(none.code, 2);
      assert.match(none.stdout, /^Usage: lakehouse/);
      assertUserError(await lakehouse(['deplyo'], tmp), /Unknown command 'deplyo'\./);
      assertUserError(await lakehouse(['rules', 'extra'], tmp), /rules takes no arguments\./);
    });
  });
});

describe('lakehouse CLI (the built binary)', () => {
  const cli = path.join(REPO_ROOT, 'dist', 'cli.js');

  /** Newest modification time of the files the CLI bundle is built from. */
  function newestSource(): number {
    let newest = 0;
    for (const dir of ['src/core', 'src/cli', 'schemas']) {
      for (const entry of fs.readdirSync(path.join(REPO_ROOT, dir), { recursive: true, withFileTypes: true })) {
        if (entry.isFile()) newest = Math.max(newest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
      }
    }
    return newest;
  }

  before(() => {
    if (fs.existsSync(cli) && fs.statSync(cli).mtimeMs >= newestSource()) return;
    const build = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'build.mjs')], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    assert.equal(build.status, 0, `node scripts/build.mjs failed:\n${build.stdout}${build.stderr}`);
  });

  const spawnCli = (...args: string[]) =>
    spawnSync(process.execPath, [path.join('bin', 'lakehouse.js'), ...args], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });

  it('`node bin/lakehouse.js validate samples/spotify` exits 0 with no problems', () => {
    const run = spawnCli('validate', 'samples/spotify');
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^0 error\(s\), 0 warning\(s\), 0 info in \d+ file\(s\)\.\n$/);
  });

  it('a user error exits 2 with one line on stderr, no stack trace', () => {
    const run = spawnCli('validate', 'no-such-folder');
    assert.equal(run.status, 2);
    assert.equal(run.stderr, 'lakehouse: no-such-folder is not a folder.\n', 'the folder as the user typed it');
    assert.doesNotMatch(run.stderr, STACK_LINE);
  });
});
