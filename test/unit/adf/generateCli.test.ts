// `lakehouse generate adf`, in-process through main(): exit 0 written / up to date, 1 out of date
// (--check), refused conflicts or metadata errors, 2 usage or I/O; never a stack trace.
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { after, before, describe, it } from 'node:test';
import { lakehouse, type Run } from '../helpers/cli';
import { REPO_ROOT, SAMPLE_DIR } from '../helpers/paths';
import { edit } from '../helpers/project';
import { metadataOriginOf, planProjectAdf, tableLoopEntries } from '../../../src/core/project/adfGeneration';
import { loadProjectAt } from '../../../src/core/project/loadProject';
import { NodeFileHost } from '../../../src/core/files/nodeFileHost';
import { readFileIfExists } from '../../../src/core/files/generatedFiles';

function assertClean(run: Run): void {
  assert.doesNotMatch(run.stderr, /^\s+at /m, 'no stack trace');
  assert.doesNotMatch(run.stderr, /internal error/);
}

function assertUsage(run: Run, message: RegExp): void {
  assert.equal(run.code, 2, `exit 2 (stderr: ${run.stderr})`);
  assert.match(run.stderr, message);
  assertClean(run);
}

const NEW_TABLE = `      - name: DimAlbum
        schema: dbo
        primaryKey: [album_id]
        cdcColumn: updated_at
        columns:
          - { name: album_id, type: int, nullable: false }
          - { name: updated_at, type: datetime2 }
`;

describe('lakehouse generate adf', () => {
  let tmp = '';
  /** A copy of the sample (its metadata, bundle and ADF folder) to change. */
  const copySample = (name: string): string => {
    const dir = path.join(tmp, name);
    fs.cpSync(SAMPLE_DIR, dir, { recursive: true });
    return dir;
  };
  const addTable = (dir: string) => {
    const file = path.join(dir, 'lakehouse.yaml');
    fs.writeFileSync(
      file,
      edit(fs.readFileSync(file, 'utf8'), '\n      - name: DimArtist\n', `\n${NEW_TABLE}      - name: DimArtist\n`),
    );
  };
  const pipelineFile = (dir: string) => path.join(dir, 'adf', 'pipeline', 'pl_incremental_ingestion.json');

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lakehouse-generate-cli-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('--check exits 0 on the sample, whose artifacts are committed', async () => {
    const run = await lakehouse(['generate', 'adf', '--check', SAMPLE_DIR], REPO_ROOT);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(run.stdout, '9 of 9 ADF artifact(s) up to date.\n');
    assert.equal(run.stderr, '', 'no notes: the sample configures what generation cannot know');
  });

  it('--check exits 1 and lists what is out of date after the metadata changed; generate writes it; --check passes again', async () => {
    const dir = copySample('outdated');
    addTable(dir);
    const check = await lakehouse(['generate', 'adf', '--check', '--project', dir], tmp);
    assert.equal(check.code, 1, check.stderr);
    assert.equal(
      check.stdout,
      'out of date: adf/pipeline/pl_incremental_ingestion.json (properties.parameters.loop_input.defaultValue)\n' +
        'out of date: adf/lakehouse-generated.json\n' +
        '8 of 9 ADF artifact(s) up to date (run `lakehouse generate adf` and commit the result).\n',
    );
    const before = fs.readFileSync(pipelineFile(dir), 'utf8');
    const run = await lakehouse(['generate', 'adf'], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(
      run.stdout,
      'updated adf/pipeline/pl_incremental_ingestion.json\nupdated adf/lakehouse-generated.json\n1 written, 8 unchanged (environment dev).\n',
    );
    const after = fs.readFileSync(pipelineFile(dir), 'utf8');
    assert.notEqual(after, before);
    assert.ok(after.includes('"table": "DimAlbum"'));
    assert.deepEqual(
      fs.readdirSync(path.dirname(pipelineFile(dir))),
      ['pl_incremental_ingestion.json'],
      'no temporary file is left',
    );
    assert.equal((await lakehouse(['generate', 'adf', '--check', dir], tmp)).code, 0);
    const validate = await lakehouse(['validate', dir], tmp);
    assert.equal(validate.code, 0, validate.stdout);
  });

  it('refuses to overwrite an owned value edited by hand (exit 1, naming it, nothing written); --force overwrites it', async () => {
    const dir = copySample('handedit');
    const handEdited = edit(
      fs.readFileSync(pipelineFile(dir), 'utf8'),
      '"defaultValue": "kv-spotify-dev"',
      '"defaultValue": "kv-mine"',
    );
    fs.writeFileSync(pipelineFile(dir), handEdited);
    addTable(dir);
    const check = await lakehouse(['generate', 'adf', '--check', dir], tmp);
    assert.equal(check.code, 1);
    assert.match(
      check.stdout,
      new RegExp(
        [
          '^out of date, needs --force: adf/pipeline/pl_incremental_ingestion\\.json: ',
          'properties\\.parameters\\.key_vault\\.defaultValue was edited by hand since the last generation\\n',
        ].join(''),
      ),
    );
    const refused = await lakehouse(['generate', 'adf', dir], tmp);
    assert.equal(refused.code, 1);
    assert.equal(refused.stdout, '');
    assert.equal(
      refused.stderr,
      'lakehouse: 1 file(s) would lose changes made outside lakehouse generate adf; nothing was written:\n' +
        '  adf/pipeline/pl_incremental_ingestion.json: properties.parameters.key_vault.defaultValue was edited by hand since the last generation\n' +
        'Put those values in lakehouse.yaml (or the adf section) instead, or pass --force to overwrite them.\n',
    );
    assert.equal(fs.readFileSync(pipelineFile(dir), 'utf8'), handEdited);
    const forced = await lakehouse(['generate', 'adf', '--force', dir], tmp);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /^overwrote adf\/pipeline\/pl_incremental_ingestion\.json\n/);
    assert.ok(fs.readFileSync(pipelineFile(dir), 'utf8').includes('"kv-spotify-dev"'));
  });

  it('--format json reports every file with its status', async () => {
    const dir = copySample('json');
    addTable(dir);
    const run = await lakehouse(['generate', 'adf', '--check', '--format', 'json', dir], tmp);
    assert.equal(run.code, 1);
    const report = JSON.parse(run.stdout) as {
      environment: string;
      upToDate: boolean;
      files: { path: string; status: string; changedPaths: string[] }[];
      fingerprints: { status: string };
    };
    assert.equal(report.environment, 'dev');
    assert.equal(report.upToDate, false);
    assert.deepEqual(
      report.files.filter(f => f.status !== 'unchanged'),
      [
        {
          path: 'adf/pipeline/pl_incremental_ingestion.json',
          kind: 'pipeline',
          name: 'pl_incremental_ingestion',
          status: 'update',
          changedPaths: ['properties.parameters.loop_input.defaultValue'],
        },
      ],
    );
    assert.equal(report.fingerprints.status, 'update');
  });

  it('creates the folder for a project without one, with notes on what to fill in', async () => {
    const dir = path.join(tmp, 'fresh');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'lakehouse.yaml'),
      'version: 1\nproject:\n  name: fresh\nsources:\n  - name: app\n    server: ' +
        'app.database.windows.net\n    database: app\n    tables:\n      - { name: T, cdcColumn: ' +
        'c, columns: [{ name: c, type: datetime2 }] }\n',
    );
    const run = await lakehouse(['generate', 'adf'], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /^note: lakehouse\.yaml declares no environment/m);
    assert.match(run.stdout, /^created adf\/pipeline\/pl_incremental_ingestion\.json$/m);
    assert.match(run.stdout, /\n9 written, 0 unchanged \(environment dev\)\.\n$/);
    assert.equal((await lakehouse(['generate', 'adf', '--check'], dir)).code, 0);
    assert.equal((await lakehouse(['validate'], dir)).code, 0);
  });

  it('exits 1 on metadata errors, and 2 on usage and unknown environments', async () => {
    const dir = path.join(tmp, 'broken');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'lakehouse.yaml'),
      'version: 1\nproject:\n  name: broken\nsources:\n  - name: app\n    tables:\n      - { ' +
        'name: T, cdcColumn: missing, columns: [{ name: c, type: int }] }\n',
    );
    const broken = await lakehouse(['generate', 'adf', dir], tmp);
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /ADF artifacts are generated from valid metadata only/);
    assert.ok(!fs.existsSync(path.join(dir, 'adf')), 'nothing written');
    assertClean(broken);

    assertUsage(await lakehouse(['generate'], tmp), /generate needs a target: lakehouse generate adf\./);
    assertUsage(await lakehouse(['generate', 'arm'], tmp), /Unknown generate target 'arm'/);
    assertUsage(await lakehouse(['generate', 'adf', '--check', '--force', SAMPLE_DIR], tmp), /--check writes nothing/);
    assertUsage(await lakehouse(['generate', 'adf', 'a', 'b'], tmp), /at most one project folder/);
    assertUsage(
      await lakehouse(['generate', 'adf', '--env', 'qa', SAMPLE_DIR], tmp),
      /No environment 'qa' in lakehouse\.yaml; declared: dev, prod\./,
    );
    assertUsage(await lakehouse(['generate', 'adf', 'nowhere'], tmp), /nowhere is not a folder\./);
    const help = await lakehouse(['generate', '--help'], tmp);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /generate adf \[DIR\] \[--check\] \[--force\]/);
  });
});

describe("what the editor asks of a project's generation plan", () => {
  it("a table's loop entries, and where a generated pipeline and its parameters come from", async () => {
    const snapshot = await loadProjectAt(new NodeFileHost(), SAMPLE_DIR);
    const planned = await planProjectAdf(snapshot, readFileIfExists);
    assert.ok(planned.ok);
    const entries = tableLoopEntries(planned.plan, 'DBO.DimUser');
    assert.deepEqual(
      entries.map(e => [e.pipeline, e.parameter, (e.item as { table: string }).table]),
      [['pl_incremental_ingestion', 'loop_input', 'DimUser']],
    );
    const system = snapshot.metadata.sources[0]!;
    assert.deepEqual(
      metadataOriginOf(snapshot, { pipeline: 'pl_incremental_ingestion', parameter: 'loop_input', generated: true }),
      system.origin,
    );
    assert.deepEqual(
      metadataOriginOf(snapshot, { pipeline: 'pl_incremental_ingestion', parameter: 'gold_notebook', generated: true }),
      snapshot.metadata.dimensions[0]!.origin,
    );
    assert.equal(metadataOriginOf(snapshot, { pipeline: 'pl_hand_written', generated: false }), undefined);
  });
});
