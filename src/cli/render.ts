// `lakehouse render` (the project's templates → files, --check for CI, --verify-jinja2) and
// `lakehouse render-template` (one template, one JSON context, to stdout).
import { promises as fs } from 'fs';
import * as path from 'path';
import { NodeFileHost } from '../core/files/nodeFileHost';
import { loadProjectAt, UserError } from '../core/project/loadProject';
import { findBuiltinTemplatesDir } from '../core/rendering/builtinTemplates';
import type { RenderJob } from '../core/rendering/plan';
import { planProjectRenders } from '../core/rendering/projectRenders';
import {
  checkOutputs,
  createJobRenderer,
  findWorkerScript,
  renderJobs,
  writeOutputs,
  type OutputCheck,
} from '../core/rendering/run';
import { Containment } from '../core/files/containment';
import { containedHost } from '../core/files/writeFile';
import { verificationCases } from '../core/rendering/verify';
import { createTemplateEnvironment, type RenderResult } from '../core/templates/environment';
import { checkJinja2, defaultPython, verifyWithJinja2, type VerifyOutcome } from '../core/templates/jinja2Oracle';
import { parsePythonJson } from '../core/templates/pythonJson';
import type { PyValue } from '../core/templates/pyValue';
import { templateRenderDiagnostic } from '../core/templates/renderDiagnostic';
import { WorkerRenderer } from '../core/templates/renderInWorker';
import { ALLOW_FOLDER_OPTION, allowedFolders, parse, UsageError } from './args';
import type { Io } from './main';
import { relative, toText } from './output';

/** A render that runs longer than this is stopped (a loop that never ends). */
const RENDER_TIMEOUT_MS = 10000;

export async function render(args: string[], io: Io, usage: string): Promise<number> {
  const { values, positionals } = parse(args, {
    check: { type: 'boolean' },
    env: { type: 'string' },
    'verify-jinja2': { type: 'boolean' },
    python: { type: 'string' },
    format: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
    ...ALLOW_FOLDER_OPTION,
  });
  if (values.help) {
    io.stdout(usage);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError('render takes at most one folder.');
  const format = (values.format as string | undefined) ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, not '${format}'.`);
  const check = values.check === true;
  const verify = values['verify-jinja2'] === true;
  if (values.python !== undefined && !verify) throw new UsageError('--python goes with --verify-jinja2.');
  const environment = values.env as string | undefined;

  const target = path.resolve(io.cwd, positionals[0] ?? '.');
  const host = new NodeFileHost();
  const snapshot = await loadProjectAt(host, target, positionals[0] ?? '.', {
    allowedFolders: allowedFolders(values, io.cwd),
  });
  const baseDir = path.dirname(snapshot.rootFile);
  const builtinTemplatesDir = findBuiltinTemplatesDir();
  if (!builtinTemplatesDir)
    throw new UserError(
      'The built-in templates folder (templates/) is missing from this installation; reinstall Lakehouse Workbench.',
    );
  const rel = (file: string) => relative(baseDir, file);
  // The last line before anything is read or written: every output inside the project, on the real paths.
  const containment = new Containment(snapshot.roots, file => host.realPath(file));
  const planned = await planProjectRenders(snapshot, {
    builtinTemplatesDir,
    containment,
    host,
    shown: rel,
    ...(environment !== undefined ? { environment } : {}),
  });
  if (!planned.ok && planned.reason === 'metadata-errors') {
    io.stderr(
      `${toText(planned.errors, baseDir, io.color)}\n\nlakehouse: the project has ${planned.errors.length} ` +
        `error(s); templates render from valid metadata only. Fix them first (lakehouse ` +
        `validate).\n`,
    );
    return 1;
  }
  if (!planned.ok) throw new UserError(planned.message);
  const environmentName = planned.environment;
  const contained = planned;
  for (const { job, reason } of contained.refused) io.stderr(`lakehouse: not rendering ${label(job)}: ${reason}\n`);
  const jobs: RenderJob[] = planned.jobs;

  let verifyFailed = false;
  let verifyJson: unknown;
  if (verify) {
    const python = (values.python as string | undefined) ?? defaultPython();
    const availability = checkJinja2(python);
    if (!availability.available)
      throw new UserError(`--verify-jinja2 needs Python 3 with Jinja2: ${availability.reason ?? 'not available'}.`);
    if (availability.warning) io.stderr(`lakehouse: warning: ${availability.warning}.\n`);
    const report = await verifyWithJinja2(verificationCases(jobs), { python });
    const bad = report.outcomes.filter(o => o.status !== 'identical' && o.status !== 'both-failed');
    verifyFailed = bad.length > 0;
    const byId = new Map(jobs.map(j => [j.id, j]));
    if (format === 'text') {
      for (const outcome of bad) io.stdout(`${describeDifference(outcome, byId.get(outcome.id)!, rel)}\n`);
      io.stdout(`${report.identical} of ${report.total} output(s) identical to Jinja2 ${report.jinja2Version}.\n`);
    }
    verifyJson = {
      jinja2Version: report.jinja2Version,
      identical: report.identical,
      total: report.total,
      differences: bad.map(o => ({
        id: o.id,
        output: rel(byId.get(o.id)!.outputFile),
        status: o.status,
        ...(o.firstDifference ? { firstDifference: o.firstDifference } : {}),
      })),
    };
    if (!check) {
      if (format === 'json')
        io.stdout(`${JSON.stringify({ environment: environmentName, verify: verifyJson }, null, 2)}\n`);
      return verifyFailed ? 1 : 0;
    }
  }

  const renderer = createJobRenderer({ timeoutMs: RENDER_TIMEOUT_MS });
  let checks: OutputCheck[];
  try {
    checks = await checkOutputs(jobs, await renderJobs(jobs, renderer), host);
  } finally {
    renderer.dispose();
  }
  const failed = checks.filter(c => c.status === 'failed');
  for (const c of failed) {
    const d = templateRenderDiagnostic({ templateFile: c.job.templateFile, ...c.error! });
    d.message += ` (rendering ${rel(c.job.outputFile)} for ${label(c.job)})`;
    io.stderr(`${toText([d], baseDir, io.color)}\n`);
  }

  const entry = (c: OutputCheck, status: string) => ({
    id: c.job.id,
    template: c.job.source.template,
    output: rel(c.job.outputFile),
    status,
    ...(c.error
      ? {
          error: {
            message: c.error.message,
            kind: c.error.kind,
            code: templateRenderDiagnostic({ templateFile: c.job.templateFile, ...c.error }).code,
            file: c.error.file ? rel(c.error.file) : rel(c.job.templateFile),
            line: c.error.line ?? null,
          },
        }
      : {}),
    ...(c.writeError ? { writeError: c.writeError } : {}),
  });
  if (check) {
    const stale = checks.filter(c => c.status === 'out-of-date' || c.status === 'missing');
    if (format === 'json') {
      const outputs = checks.map(c => entry(c, c.status));
      const report = { environment: environmentName, outputs, ...(verify ? { verify: verifyJson } : {}) };
      io.stdout(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      for (const c of stale)
        io.stdout(`${c.status === 'missing' ? 'missing' : 'out of date'}: ${rel(c.job.outputFile)}\n`);
      io.stdout(
        `${checks.length - stale.length - failed.length} of ${checks.length} output(s) up to date` +
          `${stale.length ? `, ${stale.length} out of date (run \`lakehouse render\` and commit the result)` : ''}` +
          `${failed.length ? `, ${failed.length} failed to render` : ''} (environment ${environmentName}).\n`,
      );
    }
    return stale.length || failed.length || verifyFailed || contained.refused.length ? 1 : 0;
  }

  const report = await writeOutputs(checks, containedHost(host, containment, rel));
  if (format === 'json') {
    const status = new Map<OutputCheck, string>([
      ...report.written.map(c => [c, 'written'] as const),
      ...report.unchanged.map(c => [c, 'unchanged'] as const),
      ...report.failed.map(c => [c, 'failed'] as const),
    ]);
    io.stdout(
      `${JSON.stringify({ environment: environmentName, outputs: checks.map(c => entry(c, status.get(c) ?? c.status)) }, null, 2)}\n`,
    );
  } else {
    for (const c of report.written) io.stdout(`wrote ${rel(c.job.outputFile)}\n`);
    for (const c of report.failed)
      if (c.writeError) io.stderr(`lakehouse: not written: ${rel(c.job.outputFile)}: ${c.writeError}\n`);
    io.stdout(
      `${report.written.length} written, ${report.unchanged.length} ` +
        `unchanged${report.failed.length ? `, ${report.failed.length} failed (not written)` : ''} ` +
        `(environment ${environmentName}).\n`,
    );
  }
  return report.failed.length || contained.refused.length ? 1 : 0;
}

export async function renderTemplate(args: string[], io: Io, usage: string): Promise<number> {
  const { values, positionals } = parse(args, {
    context: { type: 'string', short: 'c' },
    'search-path': { type: 'string', multiple: true },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(usage);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('render-template takes exactly one template file.');
  const shown = positionals[0]!;
  const file = path.resolve(io.cwd, shown);
  const stat = await fs.stat(file).catch(() => undefined);
  if (!stat?.isFile()) throw new UserError(`${shown} does not exist or is not a file.`);

  let contextJson = '{}';
  const contextArg = values.context as string | undefined;
  if (contextArg !== undefined) {
    try {
      contextJson = await fs.readFile(path.resolve(io.cwd, contextArg), 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new UserError(
        code === 'ENOENT' ? `${contextArg} does not exist.` : `${contextArg} cannot be read: ${(e as Error).message}`,
      );
    }
  }
  let context: PyValue;
  try {
    context = parsePythonJson(contextJson.charCodeAt(0) === 0xfeff ? contextJson.slice(1) : contextJson);
  } catch (e) {
    throw new UserError(`${contextArg ?? 'the context'} is not valid JSON: ${(e as Error).message}.`);
  }
  if (!(context instanceof Map))
    throw new UserError(`${contextArg} must hold a JSON object (its keys become the template's variables).`);

  const searchPaths = [
    path.dirname(file),
    ...((values['search-path'] as string[] | undefined) ?? []).map(p => path.resolve(io.cwd, p)),
  ];
  const projectRoot = commonAncestor(searchPaths);
  const workerPath = findWorkerScript();
  let result: RenderResult;
  if (workerPath) {
    const worker = new WorkerRenderer({ timeoutMs: RENDER_TIMEOUT_MS, workerPath });
    try {
      result = await worker.render({ environment: { searchPaths, projectRoot }, file, contextJson });
    } finally {
      worker.dispose();
    }
  } else {
    result = createTemplateEnvironment({ searchPaths, projectRoot }).renderFile(file, context as Map<string, PyValue>);
  }
  if (!result.ok) {
    io.stderr(`${toText([templateRenderDiagnostic({ templateFile: file, ...result.error })], io.cwd, io.color)}\n`);
    return 1;
  }
  io.stdout(result.text);
  return 0;
}

function label(job: RenderJob): string {
  return job.binding.name ? `${job.binding.kind} ${job.binding.name}` : 'the project';
}

function describeDifference(outcome: VerifyOutcome, job: RenderJob, rel: (file: string) => string): string {
  const where = `${rel(job.outputFile)} (${label(job)}, ${job.source.template})`;
  switch (outcome.status) {
    case 'only-ours-failed':
      return `differs: ${where}: Lakehouse Workbench failed (${outcome.ours.ok ? '' : outcome.ours.error.message}) where Jinja2 rendered it`;
    case 'only-jinja2-failed':
      return (
        `differs: ${where}: Jinja2 failed ` +
        `(${outcome.jinja2.ok ? '' : `${outcome.jinja2.type}: ${outcome.jinja2.message}`}) where ` +
        `Lakehouse Workbench rendered it`
      );
    default: {
      const d = outcome.firstDifference;
      return (
        `differs: ${where}: first difference at offset ${d?.offset ?? 0}: ours ` +
        `${JSON.stringify(d?.ours ?? '')}, Jinja2 ${JSON.stringify(d?.jinja2 ?? '')}`
      );
    }
  }
}

function commonAncestor(dirs: readonly string[]): string {
  let common = path.resolve(dirs[0] ?? '.');
  for (const dir of dirs.slice(1)) {
    const resolved = path.resolve(dir);
    while (path.relative(common, resolved).startsWith('..') || path.isAbsolute(path.relative(common, resolved))) {
      const parent = path.dirname(common);
      if (parent === common) break;
      common = parent;
    }
  }
  return common;
}
