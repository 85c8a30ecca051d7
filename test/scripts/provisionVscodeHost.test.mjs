// scripts/provision-vscode-host.sh, the parts that do not take minutes: the environment its inner
// npm gets (the outer `npm test` must not leak into it), and a clear failure when code-server
// cannot be installed (the last line names the reason, which `npm test` repeats).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../scripts/provision-vscode-host.sh', import.meta.url));

function provision(args, env) {
  const host = fs.mkdtempSync(path.join(os.tmpdir(), 'lhwb-host-'));
  try {
    return spawnSync('bash', [SCRIPT, ...args], {
      encoding: 'utf8',
      env: { ...process.env, SKIP_APT: '1', LAKEHOUSE_VSCODE_HOST: host, ...env },
      timeout: 120000,
    });
  } finally {
    fs.rmSync(host, { recursive: true, force: true });
  }
}

describe('provision-vscode-host.sh', () => {
  it("gives the inner npm none of the calling npm's identity or project settings", () => {
    // what `npm test` on Node 20 exports to its scripts (npm 11)
    const outer = {
      npm_config_user_agent: 'npm/11.19.1 node/v20.20.2 linux x64 workspaces/false',
      npm_config_node_gyp: '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
      npm_config_local_prefix: '/somewhere/else',
      npm_config_prefix: '/usr',
      npm_config_global_prefix: '/usr',
      npm_config_nodedir: '/usr',
      npm_config_allow_scripts: '',
      npm_config_npm_version: '11.19.1',
      npm_package_name: 'lakehouse-workbench',
      npm_lifecycle_event: 'test',
      npm_lifecycle_script: 'node scripts/test.mjs',
      npm_execpath: '/usr/lib/node_modules/npm/bin/npm-cli.js',
      npm_node_execpath: '/usr/bin/node',
      npm_command: 'test',
      INIT_CWD: '/somewhere/else',
      NPM_CONFIG_IGNORE_SCRIPTS: 'true',
      // how to reach the registry stays
      npm_config_registry: 'https://registry.example/',
      npm_config_https_proxy: 'http://proxy.example:3128',
      npm_config_cafile: '/etc/ssl/ca.pem',
    };
    const run = provision(['--print-install-env'], outer);
    assert.equal(run.status, 0, run.stderr);
    const env = Object.fromEntries(
      run.stdout
        .trim()
        .split('\n')
        .map(line => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    for (const name of [
      'npm_config_user_agent',
      'npm_config_node_gyp',
      'npm_config_local_prefix',
      'npm_config_prefix',
      'npm_config_global_prefix',
      'npm_config_allow_scripts',
      'npm_config_npm_version',
      'npm_package_name',
      'npm_lifecycle_event',
      'npm_lifecycle_script',
      'npm_execpath',
      'npm_node_execpath',
      'npm_command',
      'INIT_CWD',
      'NPM_CONFIG_IGNORE_SCRIPTS',
    ]) {
      assert.equal(env[name], undefined, `${name} leaks into the inner npm`);
    }
    assert.equal(env.npm_config_registry, 'https://registry.example/');
    assert.equal(env.npm_config_https_proxy, 'http://proxy.example:3128');
    assert.equal(env.npm_config_cafile, '/etc/ssl/ca.pem');
    assert.match(env.npm_config_nodedir, /\/node24$/, "node-gyp takes the headers of the host's Node 24");
  });

  it('fails at once, naming the reason on its last line, when the code-server version does not exist', () => {
    const run = provision([], { LAKEHOUSE_CODE_SERVER_VERSION: '0.0.0-does-not-exist' });
    assert.equal(run.status, 1);
    const last = run.stderr.trim().split('\n').pop();
    assert.equal(
      last,
      'provision-vscode-host: FAILED: code-server 0.0.0-does-not-exist cannot be installed from ' +
        'the npm registry: No match found for version 0.0.0-does-not-exist',
    );
  });
});
