// The Databricks side of `lakehouse deploy`: the real Databricks CLI plans and deploys the sample's
// bundle (unchanged: its targets name Azure Databricks hosts) to the local emulator's Databricks
// workspace — the CLI's own test server behind an HTTPS proxy (tools/databricks-workspace) — before
// the Data Factory is written. Skips, saying how to provision, without the CLI and that workspace.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { startEmulator, type EmulatorHandle } from '../../src/emulator';
import { findLocalDatabricks } from '../../src/emulator/databricksWorkspace';
import { emulatorStateDir } from '../../src/cli/operations/target';
import { lakehouse } from '../unit/helpers/cli';
import { REPO_ROOT, SAMPLE_DIR } from '../unit/helpers/paths';

const local = findLocalDatabricks(REPO_ROOT);
const NOT_PROVISIONED =
  'the Databricks CLI and the local Databricks workspace are not provisioned (bash scripts/provision-databricks-cli.sh)';

interface BundleJson {
  status: string;
  target?: string;
  summary?: string;
  message?: string;
  reason?: string;
  changes?: { resource: string; action: string }[];
  diagnostics: { severity: string; summary: string; locations: string[] }[];
}

describe('lakehouse deploy: the Databricks bundle, with the real Databricks CLI, on the local workspace', () => {
  let dir: string;
  let emulator: EmulatorHandle | undefined;
  const deploy = (...extra: string[]) =>
    lakehouse(['deploy', '--env', 'local', '--format', 'json', '--project', dir, ...extra], dir);
  const writes = () => Object.entries(emulator!.control.counts()).filter(([k]) => /createOrUpdate/.test(k)).length;
  const skipUnlessProvisioned = (t: TestContext) => {
    if (!local?.cli) t.skip(NOT_PROVISIONED);
    return Boolean(local?.cli);
  };

  before(async () => {
    if (!local?.cli) return;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lhwb-bundle-deploy-'));
    fs.cpSync(SAMPLE_DIR, dir, { recursive: true });
    emulator = await startEmulator({ stateDir: emulatorStateDir(dir), project: dir, databricks: local });
  });

  after(async () => {
    await emulator?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a dry run shows the bundle plan and writes nothing; the deploy applies it before the factory; then both are up to date', async t => {
    if (!skipUnlessProvisioned(t)) return;
    assert.ok(emulator!.databricks, 'the emulator started its Databricks workspace');

    const dry = await deploy('--dry-run');
    assert.equal(dry.code, 0, dry.stderr);
    const planned = JSON.parse(dry.stdout) as { bundle: BundleJson };
    assert.equal(planned.bundle.status, 'planned', dry.stdout);
    assert.equal(planned.bundle.target, 'dev');
    assert.equal(planned.bundle.summary, '6 to add, 0 to change, 0 to delete, 0 unchanged');
    assert.ok(
      planned.bundle.changes!.some(
        c => c.resource === 'resources.pipelines.spotify_lakehouse_gold' && c.action === 'create',
      ),
    );
    assert.equal(writes(), 0, 'a dry run writes nothing to the factory');
    // …nor to the workspace: planning again still creates everything.
    const again = JSON.parse((await deploy('--dry-run')).stdout) as { bundle: BundleJson };
    assert.equal(again.bundle.summary, '6 to add, 0 to change, 0 to delete, 0 unchanged');

    const first = await deploy();
    assert.equal(first.code, 0, first.stderr);
    const report = JSON.parse(first.stdout) as { bundle: BundleJson; status: string };
    assert.equal(report.bundle.status, 'deployed', first.stdout);
    assert.equal(report.status, 'applied');
    assert.ok(
      fs.existsSync(path.join(dir, '.lakehouse', 'bundle', 'dev.plan.json')),
      'the reviewed plan is what was deployed',
    );

    const second = await deploy();
    assert.equal(second.code, 0, second.stderr);
    const twice = JSON.parse(second.stdout) as { bundle: BundleJson };
    assert.equal(twice.bundle.status, 'up-to-date');
    assert.equal(twice.bundle.summary, '0 to add, 0 to change, 0 to delete, 6 unchanged');

    // A change to the bundle is planned as an update of that resource alone, and the text output says so.
    const yml = path.join(dir, 'databricks', 'databricks.yml');
    fs.writeFileSync(
      yml,
      fs
        .readFileSync(yml, 'utf8')
        .replace(
          'comment: Gold star schema of spotify_lakehouse',
          'comment: The gold star schema of spotify_lakehouse',
        ),
    );
    const text = await lakehouse(['deploy', '--env', 'local', '--dry-run', '--project', dir], dir);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^bundle {4}update schemas\.gold \(comment\)$/m);
    assert.match(
      text.stderr,
      /Databricks bundle target dev \(Databricks CLI v\d+\.\d+\.\d+\): 0 to add, 1 to change, 0 to delete, 5 unchanged/,
    );
  });

  it('a bundle the CLI refuses blocks the whole deploy, its errors placed in databricks.yml; --skip-bundle deploys the factory alone', async t => {
    if (!skipUnlessProvisioned(t)) return;
    const yml = path.join(dir, 'databricks', 'databricks.yml');
    const good = fs.readFileSync(yml, 'utf8');
    try {
      fs.writeFileSync(
        yml,
        good
          .replace('path: src/gold/dim_date.py', 'path: src/gold/missing.py')
          .replace('      continuous: false', '      continuousx: false'),
      );
      const before = writes();
      const run = await deploy();
      assert.equal(run.code, 1, run.stdout);
      const report = JSON.parse(run.stdout) as { bundle: BundleJson };
      assert.equal(report.bundle.status, 'blocked');
      assert.match(
        report.bundle.message!,
        /databricks bundle plan -t dev failed: notebook src\/gold\/missing\.py not found/,
      );
      assert.deepEqual(
        report.bundle.diagnostics.map(d => [d.severity, d.summary, d.locations]),
        [
          ['warning', 'unknown field: continuousx', [`databricks.yml:${lineOf(yml, 'continuousx')}:7`]],
          ['error', 'notebook src/gold/missing.py not found', []],
        ],
      );
      assert.equal(writes(), before, 'nothing was written to the factory');

      const text = await lakehouse(['deploy', '--env', 'local', '--project', dir], dir);
      assert.equal(text.code, 1);
      assert.match(
        text.stderr,
        /error: databricks bundle plan -t dev failed: notebook src\/gold\/missing\.py not found/,
      );
      assert.match(text.stderr, /--skip-bundle/);

      const skipped = await deploy('--skip-bundle');
      assert.equal(skipped.code, 0, skipped.stderr);
      assert.equal((JSON.parse(skipped.stdout) as { bundle: BundleJson }).bundle.status, 'skipped');
    } finally {
      fs.writeFileSync(yml, good);
    }
  });

  it('an environment whose bundle target databricks.yml lacks is refused before the CLI runs, naming the targets', async t => {
    if (!skipUnlessProvisioned(t)) return;
    const root = path.join(dir, 'lakehouse.yaml');
    const good = fs.readFileSync(root, 'utf8');
    try {
      fs.writeFileSync(root, good.replace('    deployUser:', '    bundleTarget: staging\n    deployUser:'));
      const run = await deploy('--dry-run');
      assert.equal(run.code, 1, run.stdout);
      assert.match(
        (JSON.parse(run.stdout) as { bundle: BundleJson }).bundle.message!,
        /databricks\.yml: databricks\.yml has no target 'staging' for environment 'dev' \(its targets: dev, prod\)/,
      );
    } finally {
      fs.writeFileSync(root, good);
    }
  });

  it('a Databricks CLI that is not one is refused with how to install it', async t => {
    if (!skipUnlessProvisioned(t)) return;
    const fake = path.join(dir, 'not-databricks.sh');
    fs.writeFileSync(fake, '#!/bin/sh\necho "Version 0.18.0"\n', { mode: 0o755 });
    const run = await deploy('--dry-run', '--databricks-cli', fake);
    assert.equal(run.code, 1);
    assert.match(
      (JSON.parse(run.stdout) as { bundle: BundleJson }).bundle.message!,
      /legacy Python databricks-cli.*Install the Databricks CLI/,
    );
    const missing = await deploy('--dry-run', '--databricks-cli', path.join(dir, 'nowhere'));
    assert.match((JSON.parse(missing.stdout) as { bundle: BundleJson }).bundle.message!, /is not an executable file/);
  });
  it("a restarted emulator (an empty workspace) gets the bundle again and converges; the bundle's own .databricks/ is never touched", async t => {
    if (!skipUnlessProvisioned(t)) return;
    await emulator!.stop();
    emulator = await startEmulator({ stateDir: emulatorStateDir(dir), project: dir, databricks: local });
    const first = await deploy();
    assert.equal(first.code, 0, first.stderr);
    const bundle = (JSON.parse(first.stdout) as { bundle: BundleJson }).bundle;
    assert.equal(bundle.status, 'deployed', first.stdout);
    assert.match(bundle.summary!, /^6 to add/);
    const second = await deploy();
    assert.equal((JSON.parse(second.stdout) as { bundle: BundleJson }).bundle.status, 'up-to-date', second.stdout);
    // The real workspace's state of the same target lives there: the emulator's is kept apart.
    assert.equal(fs.existsSync(path.join(dir, 'databricks', '.databricks')), false);
    assert.equal(
      fs.readdirSync(path.join(dir, '.lakehouse', 'emulator', 'bundle-state')).length,
      1,
      'one workspace, one state',
    );
  });
});

function lineOf(file: string, needle: string): number {
  return (
    fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .findIndex(l => l.includes(needle)) + 1
  );
}
