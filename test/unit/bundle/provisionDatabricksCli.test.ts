// scripts/provision-databricks-cli.sh, the parts that do not take minutes: the fast path when the
// CLI is there, and a clear last line when it cannot be built.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../../bundle/databricksCli';

const SCRIPT = path.join(REPO_ROOT, 'scripts', 'provision-databricks-cli.sh');
const WORKSPACE_SRC = path.join(REPO_ROOT, 'tools', 'databricks-workspace', 'main.go');
const text = fs.readFileSync(SCRIPT, 'utf8');
const PINNED = /^VERSION=\$\{LAKEHOUSE_DATABRICKS_CLI_VERSION:-([0-9.]+)\}/m.exec(text)?.[1];
const LAYOUT = /^LAYOUT=(\d+)/m.exec(text)?.[1];

function provision(env: Record<string, string>, dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lhwb-dbx-cli-'))) {
  try {
    const run = spawnSync('bash', [SCRIPT], {
      encoding: 'utf8',
      env: { ...process.env, SKIP_APT: '1', LAKEHOUSE_DATABRICKS_CLI_DIR: dir, ...env },
      timeout: 120_000,
    });
    return { ...run, lastErr: run.stderr.trim().split('\n').pop(), lastOut: run.stdout.trim().split('\n').pop() };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const goAvailable = (): boolean =>
  ['go', '/usr/local/go/bin/go', '/usr/lib/go/bin/go'].some(go => spawnSync(go, ['version']).status === 0);

describe('provision-databricks-cli.sh', () => {
  it('pins a release', () => {
    assert.match(PINNED ?? '', /^\d+\.\d+\.\d+$/);
    assert.match(LAYOUT ?? '', /^\d+$/);
  });

  it('is instant when the stamp matches and the binary is there (prints its path last)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lhwb-dbx-cli-'));
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.writeFileSync(path.join(dir, 'bin', 'databricks'), '#!/bin/sh\necho "Databricks CLI v0"\n', { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'bin', 'lakehouse-databricks-workspace'), '#!/bin/sh\n', { mode: 0o755 });
    const workspaceHash = crypto.createHash('sha256').update(fs.readFileSync(WORKSPACE_SRC)).digest('hex').slice(0, 16);
    fs.writeFileSync(
      path.join(dir, 'provisioned.stamp'),
      `layout=${LAYOUT} databricks-cli=${PINNED} module=github.com/databricks/cli@v${PINNED} workspace=${workspaceHash}\n`,
    );
    const run = provision({ PATH: '/usr/bin:/bin' }, dir); // no Go needed
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.lastOut, path.join(dir, 'bin', 'databricks'));
    assert.match(run.stdout, /ready/);
  });

  it('refuses a version that is not a release number, naming the reason on its last line', () => {
    const run = provision({ LAKEHOUSE_DATABRICKS_CLI_VERSION: 'latest' });
    assert.equal(run.status, 1);
    assert.equal(
      run.lastErr,
      "provision-databricks-cli: FAILED: LAKEHOUSE_DATABRICKS_CLI_VERSION must be a release number like 1.12.1, not 'latest'",
    );
  });

  it('fails at once, before building, when the Go module proxy does not serve the version', t => {
    if (!goAvailable())
      return void t.skip(
        'no Go toolchain (the CLI is built with Go: /usr/local/go/bin/go or apt-get install golang-go)',
      );
    const run = provision({ LAKEHOUSE_DATABRICKS_CLI_VERSION: '0.0.1' });
    assert.equal(run.status, 1);
    assert.match(
      run.lastErr ?? '',
      /^provision-databricks-cli: FAILED: github\.com\/databricks\/cli@v0\.0\.1 cannot be had from the Go module proxy: .+/,
    );
  });
});
