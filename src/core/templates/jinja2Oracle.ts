// Differential check against Python's Jinja2: renders a batch of templates in ONE python3
// process (Jinja2's SandboxedEnvironment, FileSystemLoader over the same search paths) and compares
// the output byte for byte with ours. Used by the corpus test and by `lakehouse render --verify-jinja2`.
//
// The sandbox, because our renderer is one: it refuses what SandboxedEnvironment refuses (unsafe
// attributes) and limits range() to MAX_RANGE items as safe_range does, so that limit is compared
// too. The filters Lakehouse Workbench adds (py_str, sql_ident… in builtins.ts) are registered
// with their Python definitions (docs/templates.md), so they are compared byte for byte as well.
import { spawn, spawnSync } from 'child_process';
import { createTemplateEnvironment, type RenderResult } from './environment';
import { parsePythonJson } from './pythonJson';
import type { PyValue } from './pyValue';

/**
 * Lakehouse Workbench's quoting filters (builtins.ts), defined in Python. docs/templates.md gives
 * the same lines, for those who render our templates with their own Jinja2.
 */
export const LAKEHOUSE_FILTERS_PYTHON = [
  'import re',
  '',
  'LAKEHOUSE_FILTERS = {',
  String.raw`    "py_str": lambda value: repr(str(value)),`,
  String.raw`    "sql_ident": lambda value: "[" + str(value).replace("]", "]]") + "]",`,
  String.raw`    "sql_str": lambda value: "'" + str(value).replace("'", "''") + "'",`,
  '    "spark_ident": lambda value: "`" + str(value).replace("`", "``") + "`",',
  String.raw`    "spark_str": lambda value: "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'",`,
  String.raw`    "adf_str": lambda value: "'" + str(value).replace("'", "''") + "'",`,
  String.raw`    "one_line": lambda value: re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", " ", str(value)),`,
  '}',
].join('\n');

/** The Python side; kept here (not in a .py file) so it ships inside the bundled extension. */
export const JINJA2_RENDER_SCRIPT = String.raw`
import json, sys
import jinja2
from jinja2 import FileSystemLoader
from jinja2.sandbox import SandboxedEnvironment

${LAKEHOUSE_FILTERS_PYTHON}

def error_kind(exc):
    if isinstance(exc, jinja2.TemplateSyntaxError): return "syntax"
    if isinstance(exc, jinja2.UndefinedError): return "undefined"
    if isinstance(exc, jinja2.exceptions.SecurityError): return "security"
    if isinstance(exc, TypeError): return "type"
    return "runtime"

request = json.load(sys.stdin)
results = []
for case in request["cases"]:
    try:
        env = SandboxedEnvironment(loader=FileSystemLoader(case["searchPaths"]))
        env.filters.update(LAKEHOUSE_FILTERS)
        context = json.loads(case["context"]) if case.get("context") else {}
        if case.get("file"):
            with open(case["file"], encoding="utf-8", newline="") as handle:
                source = handle.read()
        else:
            source = case["source"]
        text = env.from_string(source).render(**context)
        results.append({"id": case["id"], "ok": True, "text": text})
    except RecursionError as exc:
        results.append({"id": case["id"], "ok": False, "kind": "runtime", "type": "RecursionError", "message": "maximum recursion depth exceeded"})
    except Exception as exc:
        results.append({"id": case["id"], "ok": False, "kind": error_kind(exc), "type": type(exc).__name__, "message": str(exc).split("\n")[0],
                        "line": getattr(exc, "lineno", None)})
sys.stdout.write(json.dumps({"jinja2": jinja2.__version__, "results": results}))
`;

export interface OracleCase {
  id: string;
  /** The template file, or its source text. */
  file?: string;
  source?: string;
  searchPaths: string[];
  /** The context as JSON text (parsed by json.loads on the Python side, parsePythonJson on ours). */
  context?: string;
}

export type OracleResult =
  | { id: string; ok: true; text: string }
  | { id: string; ok: false; kind: string; type: string; message: string; line?: number | null };

export interface Jinja2Availability {
  available: boolean;
  version?: string;
  /** The interpreter that was asked, and what it says of itself. */
  python: string;
  pythonExecutable?: string;
  pythonVersion?: string;
  /** Why it is not available, with what to do. */
  reason?: string;
  /** A Jinja2 other than 3.1: renders may differ for reasons of version, not of ours. */
  warning?: string;
}

/** The Jinja2 line our renderer matches byte for byte, and the release the project pins. */
export const JINJA2_TARGET = { line: '3.1', pinned: '3.1.6' };

/** $LAKEHOUSE_PYTHON when set (the tests point it at the project's venv), else python3 on PATH. */
export function defaultPython(env: NodeJS.ProcessEnv = process.env): string {
  return env.LAKEHOUSE_PYTHON?.trim() || 'python3';
}

const PROBE_SCRIPT =
  'import sys\nprint(sys.executable)\nprint("%d.%d.%d" % sys.version_info[:3])\nsys.stdout.flush()\nimport jinja2\nprint(jinja2.__version__)';

export function checkJinja2(python = defaultPython()): Jinja2Availability {
  const install = `install it with \`${python} -m pip install Jinja2==${JINJA2_TARGET.pinned}\`, or set LAKEHOUSE_PYTHON to a Python that has it`;
  const probe = spawnSync(python, ['-c', PROBE_SCRIPT], { encoding: 'utf8', timeout: 15000 });
  if (probe.error) {
    const missing = (probe.error as NodeJS.ErrnoException).code === 'ENOENT';
    return {
      available: false,
      python,
      reason: missing
        ? `${python} was not found${python.includes('/') ? '' : ' on PATH'}: install Python 3 with ` +
          `Jinja2 ${JINJA2_TARGET.pinned}, or set LAKEHOUSE_PYTHON to a Python that has it`
        : `${python} could not be run (${probe.error.message})`,
    };
  }
  const [executable, pythonVersion, version] = probe.stdout
    .trim()
    .split('\n')
    .map(line => line.trim());
  const found = {
    python,
    ...(executable ? { pythonExecutable: executable } : {}),
    ...(pythonVersion ? { pythonVersion } : {}),
  };
  const who = executable ? `${executable}${pythonVersion ? ` (Python ${pythonVersion})` : ''}` : python;
  if (probe.status !== 0 || !version) {
    if (!executable || !/^\d+\.\d+\.\d+$/.test(pythonVersion ?? '')) {
      return {
        available: false,
        ...found,
        reason: `${python} is not a working Python 3: ${lastLine(probe.stderr) || `exit ${probe.status ?? probe.signal}`}`,
      };
    }
    const noModule = /ModuleNotFoundError|No module named/.test(probe.stderr);
    return {
      available: false,
      ...found,
      reason: noModule
        ? `${who} has no Jinja2: ${install}`
        : `${who} cannot import Jinja2 (${lastLine(probe.stderr)}): ${install}`,
    };
  }
  const warning = version.startsWith(`${JINJA2_TARGET.line}.`)
    ? undefined
    : `${who} has Jinja2 ${version}; Lakehouse Workbench renders as Jinja2 ${JINJA2_TARGET.line} does, so differences may come from the version (${install})`;
  return { available: true, version, ...found, ...(warning ? { warning } : {}) };
}

function lastLine(text: string | undefined): string {
  return (text ?? '').trim().split('\n').filter(Boolean).pop()?.trim() ?? '';
}

/** Renders every case with Python's Jinja2 in one process. */
export function renderWithJinja2(
  cases: OracleCase[],
  options: { python?: string; timeoutMs?: number } = {},
): Promise<{ version: string; results: OracleResult[] }> {
  return new Promise((resolve, reject) => {
    const python = options.python ?? defaultPython();
    const child = spawn(python, ['-c', JINJA2_RENDER_SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120000);
    child.stdout.on('data', chunk => stdout.push(chunk as Buffer));
    child.stderr.on('data', chunk => (stderr += String(chunk)));
    child.on('error', error => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', code => {
      clearTimeout(timer);
      if (code !== 0) {
        reject(new Error(`${python} exited with ${code}: ${lastLine(stderr)}`));
        return;
      }
      const parsed = JSON.parse(Buffer.concat(stdout).toString('utf8')) as { jinja2: string; results: OracleResult[] };
      resolve({ version: parsed.jinja2, results: parsed.results });
    });
    child.stdin.end(JSON.stringify({ cases }));
  });
}

export interface VerifyCase extends OracleCase {
  projectRoot: string;
}

export interface VerifyOutcome {
  id: string;
  /** identical: same bytes, or both failed. */
  status: 'identical' | 'both-failed' | 'different' | 'only-ours-failed' | 'only-jinja2-failed';
  ours: RenderResult;
  jinja2: OracleResult;
  /** For 'different': where the outputs first differ. */
  firstDifference?: { offset: number; ours: string; jinja2: string };
}

export interface VerifyReport {
  jinja2Version: string;
  outcomes: VerifyOutcome[];
  identical: number;
  total: number;
}

/** Renders each case with our renderer and with Jinja2 and compares the bytes. */
export async function verifyWithJinja2(
  cases: VerifyCase[],
  options: { python?: string; timeoutMs?: number } = {},
): Promise<VerifyReport> {
  const { version, results } = await renderWithJinja2(cases, options);
  const byId = new Map(results.map(result => [result.id, result]));
  const outcomes = cases.map((testCase): VerifyOutcome => {
    const environment = createTemplateEnvironment({
      searchPaths: testCase.searchPaths,
      projectRoot: testCase.projectRoot,
    });
    const context = testCase.context
      ? (parsePythonJson(testCase.context) as Map<string, PyValue>)
      : new Map<string, PyValue>();
    const ours = testCase.file
      ? environment.renderFile(testCase.file, context)
      : environment.renderString(testCase.source ?? '', context, testCase.id);
    const jinja2 = byId.get(testCase.id) ?? {
      id: testCase.id,
      ok: false as const,
      kind: 'runtime',
      type: 'Missing',
      message: 'no result from python',
    };
    return { id: testCase.id, ...compareOutcome(ours, jinja2), ours, jinja2 };
  });
  const identical = outcomes.filter(o => o.status === 'identical' || o.status === 'both-failed').length;
  return { jinja2Version: version, outcomes, identical, total: outcomes.length };
}

function compareOutcome(ours: RenderResult, jinja2: OracleResult): Pick<VerifyOutcome, 'status' | 'firstDifference'> {
  if (!ours.ok && !jinja2.ok) return { status: 'both-failed' };
  if (!ours.ok) return { status: 'only-ours-failed' };
  if (!jinja2.ok) return { status: 'only-jinja2-failed' };
  if (ours.text === jinja2.text) return { status: 'identical' };
  let offset = 0;
  while (offset < ours.text.length && ours.text[offset] === jinja2.text[offset]) offset++;
  const excerpt = (text: string) => text.slice(Math.max(0, offset - 20), offset + 40);
  return { status: 'different', firstDifference: { offset, ours: excerpt(ours.text), jinja2: excerpt(jinja2.text) } };
}
