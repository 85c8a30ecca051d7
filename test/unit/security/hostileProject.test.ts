// Issue 9, "names are data": a malicious repository, driven through the CLI on a copy of the
// Spotify sample, the way the security review did it. Each case is a finding of that review:
// nothing is read or written outside the project, no file's content is echoed, nothing hangs
// or crashes, and the message says what is wrong at the right place.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { after, before, describe, it } from 'node:test';
import { lakehouse, type Run } from '../helpers/cli';
import { SAMPLE_DIR } from '../helpers/paths';

/** A fresh copy of the sample in a temporary folder, with a sibling folder that plays "outside". */
function sampleCopy(root: string, name: string): { dir: string; outside: string } {
  const dir = path.join(root, name, 'project');
  const outside = path.join(root, name, 'outside');
  fs.cpSync(SAMPLE_DIR, dir, { recursive: true });
  fs.mkdirSync(outside, { recursive: true });
  return { dir, outside };
}

function editFile(file: string, from: string, to: string): void {
  const text = fs.readFileSync(file, 'utf8');
  assert.ok(text.includes(from), `${path.basename(file)} contains ${JSON.stringify(from)}`);
  fs.writeFileSync(file, text.replace(from, to));
}

function codes(run: Run): string[] {
  return [...run.stdout.matchAll(/ (error|warning) (LH\d{3}) /g)].map(m => `${m[2]} ${m[1]}`);
}

function assertNoStack(run: Run): void {
  assert.doesNotMatch(run.stderr, /^\s+at /m, 'no stack trace');
  assert.doesNotMatch(run.stderr + run.stdout, /internal error/);
}

/** Every file below a folder (to prove nothing was written there). */
function filesBelow(dir: string): string[] {
  return fs.existsSync(dir) ? (fs.readdirSync(dir, { recursive: true }) as string[]).map(String).sort() : [];
}

const hasMkfifo = spawnSync('mkfifo', ['--version']).status === 0;

describe('a hostile project (issue 9)', () => {
  let tmp = '';
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lakehouse-hostile-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  describe('finding 1: writes outside the project through names', () => {
    it('a table named ../../../tmp/pwn is an error at its name, and render writes nothing anywhere', async () => {
      const { dir, outside } = sampleCopy(tmp, 'table-name');
      const escape = `${path.relative(path.join(dir, 'databricks', 'src', 'silver'), outside)}/pwn`;
      editFile(path.join(dir, 'lakehouse.yaml'), '      - name: DimArtist\n', `      - name: "${escape}"\n`);
      editFile(
        path.join(dir, 'metadata', 'star-schema.lakehouse.yaml'),
        'source: dbo.DimArtist',
        `source: "dbo.${escape}"`,
      );
      const validate = await lakehouse(['validate', dir], tmp);
      assert.equal(validate.code, 1);
      assert.match(
        validate.stdout,
        /lakehouse\.yaml:\d+:\d+: error LH603 The table name '[^']*' contains '\/', which cannot be in a file or folder name/,
      );
      const before = filesBelow(dir);
      const render = await lakehouse(['render', dir], tmp);
      assert.equal(render.code, 1);
      assert.match(render.stderr, /templates render from valid metadata only/);
      assert.deepEqual(filesBelow(outside), [], 'nothing written outside');
      assert.deepEqual(filesBelow(dir), before, 'nothing written inside either');
      assertNoStack(render);
    });

    it('linkedService ../../../X is an error at the name, and generate adf writes nothing', async () => {
      const { dir, outside } = sampleCopy(tmp, 'linked-service');
      editFile(path.join(dir, 'lakehouse.yaml'), 'linkedService: ls_spotify_sql', 'linkedService: ../../../outside/X');
      const validate = await lakehouse(['validate', dir], tmp);
      assert.match(
        validate.stdout,
        /error LH604 The linked service name '\.\.\/\.\.\/\.\.\/outside\/X' contains '\.', which Data Factory does not allow in names/,
      );
      const generate = await lakehouse(['generate', 'adf', dir], tmp);
      assert.equal(generate.code, 1);
      assert.deepEqual(filesBelow(outside), []);
      assert.equal(fs.existsSync(path.join(dir, 'adf', 'linkedService', 'X.json')), false);
      assertNoStack(generate);
    });

    it('import-adf reports names it cannot copy instead of copying them', async () => {
      const { dir } = sampleCopy(tmp, 'import');
      const pipeline = path.join(dir, 'adf', 'pipeline', 'pl_incremental_ingestion.json');
      const text = fs.readFileSync(pipeline, 'utf8');
      const hostile = text
        .replace(/"table": "DimArtist"/, '"table": "../../../../tmp/pwn"')
        .replace(/"table": "DimTrack"/, '"table": "x\\"; import os; os.system(\'id\'); y=\\""');
      assert.notEqual(hostile, text);
      fs.writeFileSync(pipeline, hostile);
      const out = path.join(dir, 'imported.yaml');
      const run = await lakehouse(['import-adf', path.join(dir, 'adf'), '--out', out], dir);
      assert.equal(run.code, 0, run.stderr);
      assert.match(
        run.stderr,
        /a table is not imported: The table name '\.\.\/\.\.\/\.\.\/\.\.\/tmp\/pwn' contains '\/'/,
      );
      assert.match(
        run.stderr,
        /a table is not imported: The table name 'x"; import os; os\.system\('id'\); y="' contains '"'/,
      );
      const imported = fs.readFileSync(out, 'utf8');
      assert.doesNotMatch(imported, /pwn|os\.system/);
      assert.match(imported, /name: DimUser/);
    });

    it('a database name that adds connection-string settings is an error, and generation refuses it', async () => {
      const { dir } = sampleCopy(tmp, 'database');
      editFile(
        path.join(dir, 'lakehouse.yaml'),
        'database: spotify',
        'database: "spotify;User ID=sa;Password=hunter2"',
      );
      const validate = await lakehouse(['validate', dir], tmp);
      assert.match(validate.stdout, /error LH605 Database name 'spotify;User ID=sa;Password=hunter2' contains ';'/);
      const generate = await lakehouse(['generate', 'adf', '--check', dir], tmp);
      assert.equal(generate.code, 1);
      assert.doesNotMatch(
        fs.readFileSync(path.join(dir, 'adf', 'linkedService', 'ls_spotify_sql.json'), 'utf8'),
        /hunter2/,
      );
    });

    it('a table name with a ] is copied with it doubled in the generated SQL', async () => {
      const { dir } = sampleCopy(tmp, 'bracket');
      const pipeline = fs.readFileSync(path.join(dir, 'adf', 'pipeline', 'pl_incremental_ingestion.json'), 'utf8');
      // The query is built when the pipeline runs, from the loop item: every name goes through replace(…, ']', ']]').
      for (const query of (pipeline.match(/"(?:SELECT[^"]*)"/g) ?? []).filter(q => q.includes(' FROM '))) {
        assert.doesNotMatch(query, /\[@\{item\(\)\.(schema|table|cdc_col)\}\]/, query);
        assert.match(query, /\[@\{replace\(item\(\)\.table, '\]', '\]\]'\)\}\]/, query);
      }
    });
  });

  describe('finding 3: include reads any file and echoes it', () => {
    it('an include outside the project is not read; a credentials file inside is not read either; neither is echoed', async () => {
      const { dir, outside } = sampleCopy(tmp, 'include');
      fs.writeFileSync(path.join(outside, 'secrets.yaml'), 'token: ghp_outsidesecret\n');
      fs.mkdirSync(path.join(dir, 'some'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'some', '.git-credentials'), 'https://user:ghp_insidesecret@github.com\n');
      editFile(
        path.join(dir, 'lakehouse.yaml'),
        'include:\n',
        `include:\n  - /etc/passwd\n  - ${path.join(outside, 'secrets.yaml')}\n  - ../outside/secrets.yaml\n  - some/.git-credentials\n`,
      );
      const run = await lakehouse(['validate', dir], tmp);
      assert.equal(run.code, 1);
      assert.match(run.stdout, /error LH003 Included file '\/etc\/passwd' is outside the project folder/);
      assert.match(run.stdout, /error LH003 Included file '[^']*outside\/secrets\.yaml' is outside the project folder/);
      assert.equal(
        [
          ...run.stdout.matchAll(
            /error LH003 Included file '[^']*outside\/secrets\.yaml' is outside the project folder/g,
          ),
        ].length,
        2,
        'absolute and relative',
      );
      assert.match(
        run.stdout,
        /error LH003 'some\/\.git-credentials' is not a metadata file: includes name YAML files \(\.yaml, \.yml\)\. It is not read\./,
      );
      assert.doesNotMatch(run.stdout, /root:|ghp_|github\.com/);
    });

    it('a link inside the project that leads out is refused', async () => {
      const { dir, outside } = sampleCopy(tmp, 'include-link');
      fs.writeFileSync(path.join(outside, 'stolen.lakehouse.yaml'), 'token: ghp_linked\n');
      fs.symlinkSync(path.join(outside, 'stolen.lakehouse.yaml'), path.join(dir, 'metadata', 'link.lakehouse.yaml'));
      const run = await lakehouse(['validate', dir], tmp);
      assert.match(
        run.stdout,
        /error LH003 Included file 'metadata\/link\.lakehouse\.yaml' leads outside the project folder through a symbolic link/,
      );
      assert.doesNotMatch(run.stdout, /ghp_linked/);
    });
  });

  describe('finding 5: device files and FIFOs', () => {
    it('a link to /dev/zero in the ADF folder is refused at once', async () => {
      const { dir } = sampleCopy(tmp, 'dev-zero');
      fs.symlinkSync('/dev/zero', path.join(dir, 'adf', 'pipeline', 'zero.json'));
      const run = await lakehouse(['validate', dir], tmp);
      assert.match(
        run.stdout,
        /adf\/pipeline\/zero\.json:1:1: error LH002 'adf\/pipeline\/zero\.json' leads outside the project folder through a symbolic link \(to \/dev\/zero\)/,
      );
      const imported = await lakehouse(['import-adf', path.join(dir, 'adf'), '--out', '-'], tmp);
      assert.equal(imported.code, 0, imported.stderr);
      assertNoStack(imported);
    });

    it(
      'a FIFO in the ADF folder is refused, never opened for a blocking read',
      { skip: hasMkfifo ? false : 'mkfifo is not available' },
      async () => {
        const { dir } = sampleCopy(tmp, 'fifo');
        assert.equal(spawnSync('mkfifo', [path.join(dir, 'adf', 'pipeline', 'p.json')]).status, 0);
        const run = await lakehouse(['validate', dir], tmp);
        assert.match(
          run.stdout,
          /adf\/pipeline\/p\.json:1:1: error LH002 It is a named pipe \(FIFO\), not a regular file/,
        );
        const imported = await lakehouse(['import-adf', path.join(dir, 'adf'), '--out', '-'], tmp);
        assert.equal(imported.code, 0, imported.stderr);
        // Where generation would write: a FIFO in place of an artifact is reported, not waited on.
        fs.rmSync(path.join(dir, 'adf', 'pipeline', 'p.json'));
        fs.rmSync(path.join(dir, 'adf', 'linkedService', 'ls_adls.json'));
        assert.equal(spawnSync('mkfifo', [path.join(dir, 'adf', 'linkedService', 'ls_adls.json')]).status, 0);
        const check = await lakehouse(['generate', 'adf', '--check', dir], tmp);
        assert.equal(check.code, 2, check.stdout + check.stderr);
        assert.match(check.stderr, /^lakehouse: .*ls_adls\.json: It is a named pipe \(FIFO\), not a regular file/);
        assertNoStack(check);
      },
    );
  });

  describe('finding 6: crashes', () => {
    it('a recursive alias is a YAML error at the alias, not a stack trace', async () => {
      const { dir } = sampleCopy(tmp, 'alias');
      fs.appendFileSync(path.join(dir, 'lakehouse.yaml'), 'x: &a [*a]\n');
      const run = await lakehouse(['validate', dir], tmp);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stdout, /error LH001 The alias '\*a' is inside the node its anchor names/);
      assertNoStack(run);
    });

    it('typeProperties: null in a linked service is an error, and generate --check reports it instead of crashing', async () => {
      const { dir } = sampleCopy(tmp, 'null-type-properties');
      const file = path.join(dir, 'adf', 'linkedService', 'ls_adls.json');
      const value = JSON.parse(fs.readFileSync(file, 'utf8')) as { properties: { typeProperties: unknown } };
      value.properties.typeProperties = null;
      fs.writeFileSync(file, JSON.stringify(value, null, '\t'));
      const validate = await lakehouse(['validate', dir], tmp);
      assert.deepEqual(codes(validate), ['LH405 error']);
      const check = await lakehouse(['generate', 'adf', '--check', dir], tmp);
      assert.equal(check.code, 1, check.stderr);
      assert.match(
        check.stdout,
        /ls_adls\.json: its properties\.typeProperties is null, where generation writes an object/,
      );
      assertNoStack(check);
    });
  });

  describe('finding 7: slow input', () => {
    it('a 1.5 MB name of repeated ../ is reported in well under the time the editor allows', async () => {
      const { dir } = sampleCopy(tmp, 'slow');
      editFile(
        path.join(dir, 'lakehouse.yaml'),
        '      - name: DimArtist\n',
        `      - name: "${'../'.repeat(500_000)}x"\n`,
      );
      const t0 = performance.now();
      const run = await lakehouse(['validate', dir], tmp);
      const ms = performance.now() - t0;
      assert.equal(run.code, 1);
      assert.match(
        run.stdout,
        /error LH602 The table name '(\.\.\/){13}\.…' has 1500001 characters; SQL Server allows 128\./,
      );
      // Was 120 s (quadratic path normalisation); a hang detector, not a benchmark.
      assert.ok(ms < 10_000, `took ${ms.toFixed(0)} ms`);
      assert.ok(run.stdout.length < 20_000, `the output stays short (${run.stdout.length} characters)`);
    });
  });

  describe('finding 8: paths may point anywhere', () => {
    it('paths.templates: /etc with template passwd is refused; nothing is copied', async () => {
      const { dir } = sampleCopy(tmp, 'templates-etc');
      editFile(path.join(dir, 'lakehouse.yaml'), '  bundle: databricks\n', '  bundle: databricks\n  templates: /etc\n');
      editFile(
        path.join(dir, 'lakehouse.yaml'),
        '  - template: gold/star_query.py.j2\n    for: fact\n    output: databricks/src/queries/{name}_star.py',
        '  - template: passwd\n    for: project\n    output: stolen.txt',
      );
      const run = await lakehouse(['validate', dir], tmp);
      assert.match(run.stdout, /error LH601 paths\.templates \('[^']*etc'\) is outside the project folder/);
      const render = await lakehouse(['render', dir], tmp);
      assert.equal(render.code, 1);
      assert.equal(fs.existsSync(path.join(dir, 'stolen.txt')), false);
    });

    it('an output folder that is a link out of the project is not written through', async () => {
      const { dir, outside } = sampleCopy(tmp, 'output-link');
      fs.rmSync(path.join(dir, 'databricks', 'src', 'silver'), { recursive: true });
      fs.symlinkSync(outside, path.join(dir, 'databricks', 'src', 'silver'));
      const render = await lakehouse(['render', dir], tmp);
      assert.equal(render.code, 1);
      assert.match(
        render.stderr,
        /not rendering table spotify_sql\.dbo\.DimUser: 'databricks\/src\/silver\/DimUser\.py' leads outside the project folder through a symbolic link/,
      );
      assert.deepEqual(filesBelow(outside), []);
    });

    it('the user may allow a folder outside the project explicitly', async () => {
      const { dir, outside } = sampleCopy(tmp, 'allowed');
      fs.mkdirSync(path.join(outside, 'tpl'), { recursive: true });
      fs.writeFileSync(path.join(outside, 'tpl', 'hello.txt.j2'), 'Hello {{ project.name }}\n');
      editFile(
        path.join(dir, 'lakehouse.yaml'),
        '  bundle: databricks\n',
        '  bundle: databricks\n  templates: ../outside/tpl\n',
      );
      editFile(
        path.join(dir, 'lakehouse.yaml'),
        '  - template: gold/star_query.py.j2\n    for: fact\n    output: databricks/src/queries/{name}_star.py',
        '  - template: gold/star_query.py.j2\n    for: fact\n    output: ' +
          'databricks/src/queries/{name}_star.py\n  - template: hello.txt.j2\n    for: project\n    ' +
          'output: hello.txt',
      );
      assert.equal((await lakehouse(['validate', dir], tmp)).code, 1);
      const allowed = await lakehouse(['render', dir, '--allow-folder', path.join(outside, 'tpl')], tmp);
      assert.equal(allowed.code, 0, allowed.stderr);
      assert.equal(fs.readFileSync(path.join(dir, 'hello.txt'), 'utf8'), 'Hello spotify_lakehouse');
    });
  });
});
