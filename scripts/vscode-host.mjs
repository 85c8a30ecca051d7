// Where the provisioned VS Code host (code-server on Node 24, see provision-vscode-host.sh) lives,
// shared by scripts/run-e2e.mjs, scripts/start.mjs and test/e2e/host/run-tests.mjs.
// Keep the folder rules in step with scripts/provision-vscode-host.sh.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const PROVISION_SCRIPT = path.join(REPO, 'scripts/provision-vscode-host.sh');

/** $LAKEHOUSE_VSCODE_HOST: unset = ~/.cache/..., "local" = <repo>/.vscode-host, relative = from the repo root. */
export function hostDir(env = process.env) {
  const v = env.LAKEHOUSE_VSCODE_HOST;
  if (!v)
    return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'lakehouse-workbench', 'vscode-host');
  if (v === 'local') return path.join(REPO, '.vscode-host');
  return path.resolve(REPO, v);
}

/** Paths of the provisioned host; NODE24 / CODE_SERVER / CHROMIUM env vars override each one. */
export function hostPaths(env = process.env) {
  const dir = hostDir(env);
  return {
    dir,
    stamp: path.join(dir, 'provisioned.stamp'),
    node24: env.NODE24 || path.join(dir, 'node24', 'bin', 'node'),
    codeServer: env.CODE_SERVER || path.join(dir, 'csi', 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
    chromium: env.CHROMIUM || '/usr/bin/chromium',
  };
}

/** Returns a list of what is missing (empty when the host is usable). */
export function missingHostParts(env = process.env, { needBrowser = true } = {}) {
  const p = hostPaths(env);
  const missing = [];
  if (!env.NODE24 && !env.CODE_SERVER && !fs.existsSync(p.stamp))
    missing.push(`${p.stamp} (provisioning never finished)`);
  if (!fs.existsSync(p.node24)) missing.push(`Node 24 at ${p.node24}`);
  if (!fs.existsSync(p.codeServer)) missing.push(`code-server at ${p.codeServer}`);
  if (needBrowser && !fs.existsSync(p.chromium)) missing.push(`chromium at ${p.chromium}`);
  return missing;
}

export function notProvisionedMessage(missing) {
  return [
    'The VS Code test host is not provisioned. Missing:',
    ...missing.map(m => `  - ${m}`),
    '',
    'Run once (a few minutes; apt packages need root):',
    '  bash scripts/provision-vscode-host.sh',
    '(LAKEHOUSE_VSCODE_HOST picks the folder; NODE24 / CODE_SERVER / CHROMIUM override single paths.)',
  ].join('\n');
}
