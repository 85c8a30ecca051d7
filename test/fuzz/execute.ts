// Runs one case (in a runner process, so that a hang can be timed and killed) and checks the
// properties: nothing escapes the core, positions stay inside their files, an incremental
// re-parse equals a full parse, the template worker answers with a RenderResult.
import * as fs from 'fs';
import * as path from 'path';
import { isDeepStrictEqual } from 'util';
import { main } from '../../src/cli/main';
import { planProjectAdf } from '../../src/core/project/adfGeneration';
import type { Diagnostic } from '../../src/core/diagnostics/diagnostic';
import { reparseIncrementally } from '../../src/core/metadata/incrementalParse';
import { parseMetadataFile, type MetadataFile } from '../../src/core/metadata/metadataFile';
import { decodeText } from '../../src/core/files/fileHost';
import { ProjectSession, type ProjectSnapshot } from '../../src/core/project/projectSession';
import { tokenize } from '../../src/core/templates/lexer';
import { parseTemplate } from '../../src/core/templates/parser';
import { TemplateError } from '../../src/core/templates/pyValue';
import { WorkerRenderer } from '../../src/core/templates/renderInWorker';
import { MemoryHost } from '../unit/helpers/memoryHost';
import {
  checkDiagnostic,
  crashFinding,
  isStackOverflow,
  lineLengths,
  normaliseMessage,
  signatureFrame,
} from './checks';
import {
  runnerTempDirs,
  type CaseInput,
  type CaseResult,
  type CliInput,
  type FileContent,
  type Finding,
  type IncrementalInput,
  type ProjectFiles,
  type RunnerOptions,
  type TargetName,
  type TemplateParserInput,
  type TemplatesInput,
} from './types';

/** In-memory projects live here (never on disk). */
export const PROJECT_ROOT = path.resolve('/virtual/lakehouse');
const ROOT_FILE = path.join(PROJECT_ROOT, 'lakehouse.yaml');

type Stage = (stage: string) => void;

interface Context {
  findings: Finding[];
  notes: string[];
  stage: Stage;
  options: RunnerOptions;
}

export async function execute(input: CaseInput, options: RunnerOptions, stage: Stage): Promise<CaseResult> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const ctx: Context = { findings: [], notes: [], stage, options };
  try {
    switch (input.target) {
      case 'metadata':
        await runProject('metadata', input.files, undefined, ctx);
        break;
      case 'adf':
        await runProject('adf', input.files, input.adfOnly ? input.adfRoot : undefined, ctx);
        break;
      case 'incremental':
        await runIncremental(input, ctx);
        break;
      case 'cli':
        await runCli(input, ctx);
        break;
      case 'templates':
        await runTemplates(input, ctx);
        break;
      case 'template-parser':
        runTemplateParser(input, ctx);
        break;
    }
  } catch (e) {
    // The harness's own failure: report it rather than lose the case.
    ctx.findings.push(crashFinding(input.target, 'fuzz harness', e));
  }
  const used = process.cpuUsage(cpu);
  return {
    findings: ctx.findings,
    elapsedMs: performance.now() - started,
    cpuMs: (used.user + used.system) / 1000,
    notes: ctx.notes,
  };
}

// --- projects (metadata, ADF) -------------------------------------------------------------------

function absolute(files: ProjectFiles): Record<string, FileContent> {
  const out: Record<string, FileContent> = {};
  for (const [rel, content] of Object.entries(files)) out[path.resolve(PROJECT_ROOT, rel)] = content;
  return out;
}

function decoded(content: FileContent): string {
  const d = decodeText(content);
  return d.ok ? d.text : '';
}

/** Checks every diagnostic of a snapshot against the project's files, as the core read them. */
function checkSnapshot(
  target: TargetName,
  snapshot: ProjectSnapshot,
  files: Record<string, FileContent>,
  ctx: Context,
): void {
  const texts = new Map<string, string>();
  for (const [file, content] of Object.entries(files)) texts.set(file, decoded(content));
  texts.set(snapshot.rootFile, texts.get(snapshot.rootFile) ?? '');
  for (const [file, f] of snapshot.metadataFiles) texts.set(file, f.text);
  for (const f of snapshot.adf?.files ?? []) texts.set(f.file, f.text);
  const textOf = (file: string) => (texts.has(file) ? texts.get(file) : undefined);
  const rel = (file: string) => path.relative(PROJECT_ROOT, file) || file;
  for (const [file, list] of snapshot.diagnostics) {
    for (const d of list) {
      if (d.file !== file) {
        ctx.findings.push({
          kind: 'range',
          signature: `range:${target}:${d.code}:listed under another file`,
          message: `${d.code} in ${rel(d.file)} is listed under ${rel(file)}: ${d.message}`,
        });
      }
      checkDiagnostic(target, d, textOf, rel, ctx.findings);
    }
  }
}

async function runProject(
  target: TargetName,
  files: ProjectFiles,
  adfRoot: string | undefined,
  ctx: Context,
): Promise<void> {
  const abs = absolute(files);
  const host = new MemoryHost(abs);
  ctx.stage('ProjectSession.load');
  let snapshot: ProjectSnapshot | undefined;
  try {
    snapshot = await new ProjectSession(ROOT_FILE, host).load();
  } catch (e) {
    ctx.findings.push(crashFinding(target, 'ProjectSession.load', e));
  }
  if (snapshot) {
    checkSnapshot(target, snapshot, abs, ctx);
    // As the CLI does: planProjectAdf itself refuses metadata with errors.
    ctx.stage('planProjectAdf');
    try {
      const plan = await planProjectAdf(snapshot, async file => {
        const content = await host.readFile(file);
        return content === undefined
          ? undefined
          : typeof content === 'string'
            ? content
            : Buffer.from(content).toString('utf8');
      });
      ctx.notes.push(plan.ok ? 'adf-generated' : `adf-not-generated:${plan.reason}`);
    } catch (e) {
      ctx.findings.push(crashFinding(target, 'planProjectAdf', e));
    }
  }
  if (adfRoot !== undefined) {
    ctx.stage('ProjectSession.load (ADF folder only)');
    try {
      const adfOnly = await new ProjectSession(path.resolve(PROJECT_ROOT, adfRoot), host, { adfOnly: true }).load();
      checkSnapshot(target, adfOnly, abs, ctx);
    } catch (e) {
      ctx.findings.push(crashFinding(target, 'ProjectSession.load (ADF folder only)', e));
    }
  }
}

// --- incremental re-parse -----------------------------------------------------------------------

function firstDifference(a: readonly Diagnostic[], b: readonly Diagnostic[]): string {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (!isDeepStrictEqual(a[i], b[i])) {
      const show = (d: Diagnostic | undefined) =>
        d
          ? `${d.code} ${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.message}`
          : '(none)';
      return `#${i}: incremental ${show(a[i])}\n    full        ${show(b[i])}`;
    }
  }
  return '(same)';
}

function codeOfDifference(a: readonly Diagnostic[], b: readonly Diagnostic[]): string {
  for (let i = 0; i < Math.max(a.length, b.length); i++)
    if (!isDeepStrictEqual(a[i], b[i])) return a[i]?.code ?? b[i]?.code ?? '?';
  return '?';
}

async function runIncremental(input: IncrementalInput, ctx: Context): Promise<void> {
  const file = path.resolve(PROJECT_ROOT, input.file);
  const files = absolute({ ...input.files, [input.file]: input.text });
  const session = new ProjectSession(ROOT_FILE, new MemoryHost(files));
  let current: MetadataFile;
  try {
    ctx.stage('parseMetadataFile');
    current = parseMetadataFile(file, input.kind, input.text);
    ctx.stage('ProjectSession.load');
    session.setOverlay(file, input.text);
    await session.load();
  } catch (e) {
    ctx.findings.push(crashFinding('incremental', 'initial parse', e));
    return;
  }
  let text = input.text;
  for (const [i, edit] of input.edits.entries()) {
    const at = edit.at % (text.length + 1);
    const next = text.slice(0, at) + edit.insert + text.slice(at + edit.deleteCount);
    const describeEdit =
      `edit #${i + 1} at offset ${at}: delete ` +
      `${JSON.stringify(text.slice(at, at + edit.deleteCount))}, insert ` +
      `${JSON.stringify(edit.insert)}`;
    let incremental: MetadataFile | undefined;
    let full: MetadataFile;
    try {
      ctx.stage(`reparseIncrementally (${describeEdit})`);
      incremental = reparseIncrementally(current, next);
      ctx.stage(`parseMetadataFile (${describeEdit})`);
      full = parseMetadataFile(file, input.kind, next);
    } catch (e) {
      ctx.findings.push(crashFinding('incremental', 'reparseIncrementally / parseMetadataFile', e));
      return;
    }
    if (incremental) {
      ctx.notes.push('incremental-compared');
      if (!isDeepStrictEqual(incremental.value, full.value)) {
        ctx.findings.push({
          kind: 'incremental',
          signature: 'incremental:reparseIncrementally:value',
          message: `after ${describeEdit}, the incremental value differs from a full parse's`,
          detail: `incremental: ${JSON.stringify(incremental.value)?.slice(0, 1500)}\nfull:        ${JSON.stringify(full.value)?.slice(0, 1500)}`,
        });
      }
      if (!isDeepStrictEqual(incremental.diagnostics, full.diagnostics) || incremental.parsed !== full.parsed) {
        ctx.findings.push({
          kind: 'incremental',
          signature: `incremental:reparseIncrementally:diagnostics:${codeOfDifference(incremental.diagnostics, full.diagnostics)}`,
          message:
            `after ${describeEdit}, the incremental diagnostics differ from a full parse's: ` +
            `${firstDifference(incremental.diagnostics, full.diagnostics).split('\n')[0]}`,
          detail: firstDifference(incremental.diagnostics, full.diagnostics),
        });
      }
    }
    current = incremental ?? full;
    text = next;
  }
  // The project session the editor keeps warm, given the edited text after the last edit (as
  // after a debounce), against a fresh session: every diagnostic of every file must be the same.
  try {
    ctx.stage('ProjectSession.load (warm session, after the edits)');
    session.setOverlay(file, text);
    const warm = await session.load();
    ctx.stage('ProjectSession.load (fresh session)');
    const fresh = await new ProjectSession(ROOT_FILE, new MemoryHost({ ...files, [file]: text })).load();
    const flat = (s: ProjectSnapshot) => [...s.diagnostics.values()].flat();
    const [w, f] = [flat(warm), flat(fresh)];
    if (!isDeepStrictEqual(w, f)) {
      ctx.findings.push({
        kind: 'incremental',
        signature: `incremental:ProjectSession:diagnostics:${codeOfDifference(w, f)}`,
        message: `after the edits, a warm session's diagnostics differ from a fresh session's: ${firstDifference(w, f).split('\n')[0]}`,
        detail: firstDifference(w, f).replace('incremental', 'warm       ').replace('full       ', 'fresh      '),
      });
    }
  } catch (e) {
    ctx.findings.push(crashFinding('incremental', 'ProjectSession.load', e));
  }
}

// --- CLI ----------------------------------------------------------------------------------------

let caseCounter = 0;
const CLI_TEMP = runnerTempDirs(process.pid).cli;

async function runCli(input: CliInput, ctx: Context): Promise<void> {
  const caseDir = path.join(CLI_TEMP, `case-${++caseCounter}`);
  const dir = path.join(caseDir, 'project');
  try {
    const texts = new Map<string, string>();
    for (const [rel, content] of Object.entries(input.files)) {
      const file = path.resolve(dir, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
      texts.set(path.relative(dir, file).split(path.sep).join('/'), decoded(content));
    }
    fs.mkdirSync(dir, { recursive: true });
    for (const argv of [
      ['validate', dir, '--format', 'json'],
      ['generate', 'adf', dir, '--check'],
    ]) {
      const step = `lakehouse ${argv[0] === 'validate' ? 'validate --format json' : 'generate adf --check'}`;
      ctx.stage(step);
      let stdout = '';
      let stderr = '';
      let code: number;
      try {
        code = await main(argv, { stdout: s => (stdout += s), stderr: s => (stderr += s), cwd: dir, color: false });
      } catch (e) {
        ctx.findings.push(crashFinding('cli', step, e));
        continue;
      }
      const internal = /internal error: (.*)/.exec(stderr);
      if (code === 3 || internal) {
        const stack = stderr.slice(stderr.indexOf('internal error: ') + 'internal error: '.length);
        const message = internal?.[1] ?? stderr;
        ctx.findings.push({
          kind: 'crash',
          signature: `crash:cli:${step}:exit ${code}:${normaliseMessage(message)}@${signatureFrame(stack, isStackOverflow(message))}`,
          message: `${step} exited ${code}: ${(internal?.[1] ?? stderr).slice(0, 300)}`,
          detail: stderr.slice(0, 4000),
        });
      }
      if (argv[0] === 'validate' && (code === 0 || code === 1)) {
        let diagnostics: Diagnostic[];
        try {
          diagnostics = JSON.parse(stdout) as Diagnostic[];
        } catch {
          ctx.findings.push({
            kind: 'crash',
            signature: 'crash:cli:validate --format json:output is not JSON',
            message: `validate --format json printed something that is not JSON: ${stdout.slice(0, 200)}`,
          });
          continue;
        }
        for (const d of diagnostics)
          checkDiagnostic(
            'cli',
            d,
            file => texts.get(file),
            file => file,
            ctx.findings,
          );
      }
    }
  } finally {
    fs.rmSync(caseDir, { recursive: true, force: true });
  }
}

// --- templates ----------------------------------------------------------------------------------

let renderer: WorkerRenderer | undefined;
const TEMPLATE_DIR = runnerTempDirs(process.pid).templates;
const WORKER_SCRIPT = path.join(__dirname, '..', '..', 'src', 'core', 'templates', 'worker.js');

/** A template error's line must be a line of the template it names. */
function checkTemplateLine(
  target: TargetName,
  error: { line?: number; file?: string; kind?: string; message?: string },
  texts: Map<string, string>,
  ctx: Context,
): void {
  if (error.line === undefined) return;
  const text = error.file === undefined ? undefined : texts.get(error.file);
  if (text === undefined) return;
  const lines = lineLengths(text).length;
  if (!Number.isInteger(error.line) || error.line < 1 || error.line > lines) {
    ctx.findings.push({
      kind: 'range',
      signature: `range:${target}:${error.kind ?? 'error'}:line outside the template`,
      message:
        `a ${error.kind ?? ''} error at line ${error.line} of ${path.basename(error.file ?? '')}, ` +
        `which has ${lines} line(s): ${(error.message ?? '').slice(0, 200)}`,
    });
  }
}

async function runTemplates(input: TemplatesInput, ctx: Context): Promise<void> {
  fs.mkdirSync(TEMPLATE_DIR, { recursive: true });
  renderer ??= new WorkerRenderer({ timeoutMs: ctx.options.renderTimeoutMs, workerPath: WORKER_SCRIPT });
  const overlays: Record<string, string> = {};
  for (const [name, text] of Object.entries(input.snippets)) overlays[path.join(TEMPLATE_DIR, name)] = text;
  const mainFile = path.join(TEMPLATE_DIR, 'main.j2');
  if (input.mode === 'file') overlays[mainFile] = input.main;
  const texts = new Map(Object.entries(overlays));
  texts.set(input.mode === 'file' ? mainFile : '<template>', input.main);
  ctx.stage(`WorkerRenderer.render (${input.mode})`);
  let result: unknown;
  try {
    result = await renderer.render({
      environment: { searchPaths: [TEMPLATE_DIR], projectRoot: TEMPLATE_DIR },
      ...(input.mode === 'file' ? { file: mainFile } : { text: input.main }),
      overlays,
      ...(input.contextJson !== undefined ? { contextJson: input.contextJson } : { context: input.context ?? {} }),
    });
  } catch (e) {
    ctx.findings.push({ ...crashFinding('templates', 'WorkerRenderer.render', e), kind: 'template' });
    return;
  }
  const r = result as {
    ok?: unknown;
    text?: unknown;
    error?: { message?: unknown; kind?: unknown; line?: number; file?: string };
  };
  if (
    !r ||
    typeof r !== 'object' ||
    typeof r.ok !== 'boolean' ||
    (r.ok && typeof r.text !== 'string') ||
    (!r.ok && (!r.error || typeof r.error.message !== 'string'))
  ) {
    ctx.findings.push({
      kind: 'template',
      signature: 'template:not a RenderResult',
      message: `the renderer answered something that is not a RenderResult: ${JSON.stringify(result)?.slice(0, 300)}`,
    });
    return;
  }
  if (r.ok) {
    ctx.notes.push('render-ok');
    return;
  }
  const error = r.error as { message: string; kind?: string; line?: number; file?: string };
  ctx.notes.push(`render-error:${error.kind ?? '?'}`);
  if (error.kind === 'timeout') {
    // The renderer terminates the worker after a timeout; a process that dies of that (a worker
    // stopped in the middle of running out of memory) dies within this case, not the next one.
    ctx.stage('WorkerRenderer: the worker is terminated after the timeout');
    await new Promise(resolve => setTimeout(resolve, 1000));
  }
  if (/^internal error/.test(error.message)) {
    ctx.findings.push({
      kind: 'template',
      signature: `template:internal error:${normaliseMessage(error.message)}`,
      message: `RenderResult error: ${error.message.slice(0, 300)}`,
      detail: JSON.stringify(error, null, 1),
    });
  } else if (/^the template worker (failed|stopped)/.test(error.message)) {
    ctx.findings.push({
      kind: 'template',
      signature: `template:worker died:${normaliseMessage(error.message)}`,
      message: `the template worker died: ${error.message}`,
      detail: JSON.stringify(error, null, 1),
    });
  }
  checkTemplateLine('templates', error, texts, ctx);
}

function runTemplateParser(input: TemplateParserInput, ctx: Context): void {
  const texts = new Map([['<template>', input.text]]);
  for (const [step, run] of [
    ['tokenize', () => tokenize(input.text)],
    ['parseTemplate', () => parseTemplate(input.text)],
  ] as const) {
    ctx.stage(step);
    try {
      run();
    } catch (e) {
      if (e instanceof TemplateError) {
        ctx.notes.push(`template-error:${e.kind}`);
        checkTemplateLine(
          'template-parser',
          { line: e.line, file: '<template>', kind: e.kind, message: e.message },
          texts,
          ctx,
        );
      } else ctx.findings.push(crashFinding('template-parser', step, e));
    }
  }
}

/** Stops the template worker (the runner is exiting). */
export function disposeExecution(): void {
  renderer?.dispose();
  fs.rmSync(CLI_TEMP, { recursive: true, force: true });
  fs.rmSync(TEMPLATE_DIR, { recursive: true, force: true });
}
