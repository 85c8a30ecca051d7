#!/usr/bin/env node
// The Python environment the tests use: a virtual environment in the clone (.venv/, ignored by
// git) with exactly the versions pinned in test/python/requirements.txt, installed from PyPI.
// Never the machine's own site-packages: a test oracle must not change with whatever the machine
// happens to have.
//
//   node scripts/provision-python.mjs          # idempotent; instant when the stamp matches
//   FORCE=1 node scripts/provision-python.mjs  # recreate from scratch
//
// Env: LAKEHOUSE_BASE_PYTHON: the interpreter that creates the venv (default: python3 on PATH,
// 3.10 or later); SKIP_APT=1: never apt-get install (python3-venv, mono-devel); SKIP_MONO=1: do not
// look for Mono (which Microsoft's ADF evaluator needs, loaded through pythonnet).
// Prints the venv's python on its last line; on failure, a last line
// "provision-python: FAILED: <reason>" and exit 1.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const VENV = path.join(REPO, '.venv');
export const REQUIREMENTS = path.join(REPO, 'test', 'python', 'requirements.txt');
export const VENV_PYTHON = path.join(VENV, 'bin', 'python');
const STAMP = path.join(VENV, 'lakehouse-provisioned.stamp');
const MIN_PYTHON = [3, 10];

class ProvisionError extends Error {}
const t0 = Date.now();
const say = msg => console.log(`[python ${Math.round((Date.now() - t0) / 1000)}s] ${msg}`);

function run(cmd, args, options = {}) {
  return spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
}

/** The interpreter that creates the venv, with its version; throws with what to do when unusable. */
function basePython() {
  const candidate = process.env.LAKEHOUSE_BASE_PYTHON || 'python3';
  const ask = () =>
    run(candidate, ['-c', 'import sys; print(sys.executable); print("%d.%d.%d" % sys.version_info[:3])']);
  let probe = ask();
  // a new Debian machine may have no Python at all: install Debian's, as the VS Code host's provisioning does
  if (
    probe.error &&
    !process.env.LAKEHOUSE_BASE_PYTHON &&
    aptInstall(['python3', 'python3-venv'], 'the tests need Python 3')
  )
    probe = ask();
  if (probe.error)
    throw new ProvisionError(
      `${candidate} was not found: install Python ${MIN_PYTHON.join('.')}+ (Debian: apt-get install python3 python3-venv), or set LAKEHOUSE_BASE_PYTHON`,
    );
  if (probe.status !== 0) throw new ProvisionError(`${candidate} does not run: ${lastLine(probe.stderr)}`);
  const [executable, version] = probe.stdout.trim().split('\n');
  const [major, minor] = version.split('.').map(Number);
  if (major < MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor < MIN_PYTHON[1])) {
    throw new ProvisionError(
      `${executable} is Python ${version}; the tests need ${MIN_PYTHON.join('.')} or later (set LAKEHOUSE_BASE_PYTHON)`,
    );
  }
  return { executable, version };
}

function lastLine(text) {
  return (
    String(text ?? '')
      .trim()
      .split('\n')
      .filter(Boolean)
      .pop() ?? ''
  );
}

function stampText(base) {
  const requirements = fs.readFileSync(REQUIREMENTS);
  const digest = crypto.createHash('sha256').update(requirements).digest('hex').slice(0, 16);
  return `python=${base.version} base=${base.executable} requirements=${digest}`;
}

/** apt-get install, as root or with passwordless sudo; false when that is not possible here. */
export function aptInstall(packages, why) {
  if (process.env.SKIP_APT || !fs.existsSync('/usr/bin/apt-get')) return false;
  const aptGet = process.getuid?.() === 0 ? ['apt-get'] : ['sudo', '-n', 'apt-get'];
  if (aptGet[0] === 'sudo' && run('sudo', ['-n', 'true']).status !== 0) return false;
  say(`apt-get install ${packages.join(' ')} (${why})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    run(aptGet[0], [...aptGet.slice(1), 'install', '-y', '-q', '--no-install-recommends', ...packages], { env });
  let result = install();
  if (result.status !== 0) {
    run(aptGet[0], [...aptGet.slice(1), 'update', '-q'], { env });
    result = install();
  }
  return result.status === 0;
}

/** Debian's own python3 creates venvs only with python3-venv (ensurepip's wheels) installed. */
function installDebianVenvPackage(base) {
  if (!base.executable.startsWith('/usr/bin/')) return false;
  const [major, minor] = base.version.split('.');
  return aptInstall(['python3-venv', `python${major}.${minor}-venv`], "Debian's python3 needs it to create a venv");
}

function createVenv(base) {
  fs.rmSync(VENV, { recursive: true, force: true });
  let result = run(base.executable, ['-m', 'venv', VENV]);
  if (result.status !== 0 && installDebianVenvPackage(base)) {
    fs.rmSync(VENV, { recursive: true, force: true });
    result = run(base.executable, ['-m', 'venv', VENV]);
  }
  if (result.status !== 0) {
    fs.rmSync(VENV, { recursive: true, force: true });
    throw new ProvisionError(
      `${base.executable} -m venv failed: ${lastLine(result.stderr || result.stdout)} (Debian: apt-get install python3-venv)`,
    );
  }
}

function pipInstall() {
  const log = path.join(VENV, 'pip-install.log');
  const result = run(
    VENV_PYTHON,
    [
      '-m',
      'pip',
      'install',
      '--disable-pip-version-check',
      '--no-input',
      '--no-cache-dir',
      '--require-virtualenv',
      '-r',
      REQUIREMENTS,
    ],
    { env: { ...process.env, PIP_REQUIRE_VIRTUALENV: '1', PYTHONNOUSERSITE: '1' } },
  );
  fs.writeFileSync(log, `${result.stdout ?? ''}\n${result.stderr ?? ''}`);
  if (result.status !== 0) {
    const error = (result.stderr ?? '').split('\n').find(line => /^ERROR:/.test(line)) ?? lastLine(result.stderr);
    throw new ProvisionError(
      `pip install -r ${path.relative(REPO, REQUIREMENTS)} failed: ${error} (log: ${path.relative(REPO, log)})`,
    );
  }
}

/** Pins in requirements.txt must be what the venv really has (a dependency may have pulled another). */
function verifyPins() {
  const pins = fs
    .readFileSync(REQUIREMENTS, 'utf8')
    .split('\n')
    .map(line => line.replace(/#.*/, '').trim())
    .filter(Boolean)
    .map(line => {
      const match = /^([A-Za-z0-9_.-]+)==([^\s;]+)$/.exec(line);
      if (!match)
        throw new ProvisionError(`${path.relative(REPO, REQUIREMENTS)}: '${line}' is not an exact pin (name==version)`);
      return { name: match[1], version: match[2] };
    });
  const script =
    'import json, sys\nfrom importlib.metadata import version\nprint(json.dumps({n: version(n) for n in sys.argv[1:]}))';
  const result = run(VENV_PYTHON, ['-c', script, ...pins.map(p => p.name)]);
  if (result.status !== 0)
    throw new ProvisionError(`the venv does not report its packages: ${lastLine(result.stderr)}`);
  const installed = JSON.parse(result.stdout);
  const wrong = pins.filter(p => installed[p.name] !== p.version);
  if (wrong.length)
    throw new ProvisionError(
      `the venv has ${wrong.map(p => `${p.name} ${installed[p.name]} (pinned ${p.version})`).join(', ')}`,
    );
  return pins;
}

/**
 * Microsoft's ADF expression evaluator (data-factory-testing-framework, the oracle of
 * test/unit/adf/run/differential.test.ts) is .NET, loaded through pythonnet: here on Mono,
 * Debian's mono-devel (mono-runtime alone lacks netstandard.dll). Not fatal: without it that
 * test skips and says why.
 */
function ensureMono() {
  const ready = () =>
    fs.existsSync('/usr/lib/mono/4.5/Facades/netstandard.dll') && run('mono', ['--version']).status === 0;
  if (ready()) return;
  if (!aptInstall(['mono-devel'], "Microsoft's ADF evaluator runs on .NET; pythonnet loads Mono") || !ready()) {
    say(
      "Mono is not available: the differential test against Microsoft's ADF evaluator will skip (apt-get install mono-devel)",
    );
  }
}

export function provisionPython({ force = !!process.env.FORCE } = {}) {
  if (!process.env.SKIP_MONO) ensureMono();
  const base = basePython();
  const stamp = stampText(base);
  if (!force && fs.existsSync(VENV_PYTHON) && fs.existsSync(STAMP) && fs.readFileSync(STAMP, 'utf8') === stamp) {
    say(`ready: ${path.relative(REPO, VENV)} (${stamp})`);
    return VENV_PYTHON;
  }
  say(`creating ${path.relative(REPO, VENV)} with ${base.executable} (Python ${base.version})`);
  createVenv(base);
  say(`pip install -r ${path.relative(REPO, REQUIREMENTS)}`);
  pipInstall();
  const pins = verifyPins();
  fs.writeFileSync(STAMP, stamp);
  say(`ready: ${pins.map(p => `${p.name} ${p.version}`).join(', ')}`);
  return VENV_PYTHON;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    console.log(provisionPython());
  } catch (e) {
    console.error(`provision-python: FAILED: ${e instanceof ProvisionError ? e.message : (e?.stack ?? e)}`);
    process.exit(1);
  }
}
