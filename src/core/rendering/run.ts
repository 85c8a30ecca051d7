// "Render all" and "out of date", shared by the CLI and the editor: render jobs (in a worker with
// a time limit when the worker script exists, else in-process), compare with what the FileHost
// holds, write what changed through it. An output that fails to render is never written. No fs
// here: the editor passes a host with its unsaved buffers, the CLI the disk.
import * as path from 'path';
import {
  createTemplateEnvironment,
  readWithOverlays,
  type RenderError,
  type RenderResult,
} from '../templates/environment';
import { DEFAULT_WORKER_PATH, WorkerRenderer } from '../templates/renderInWorker';
import type { Containment } from '../files/containment';
import { firstExistingFile } from '../files/installation';
import { readGeneratedText, sameGeneratedText } from '../files/generatedFiles';
import { writeProblem } from '../files/writeFile';
import type { FileHost } from '../files/fileHost';
import type { RenderJob } from './plan';

export interface JobRenderer {
  render(job: RenderJob): Promise<RenderResult>;
  dispose(): void;
}

export interface JobRendererOptions {
  /** The worker script; undefined: findWorkerScript(); null: render in-process. */
  workerPath?: string | null;
  /** Time limit per render in the worker (default 10 s). */
  timeoutMs?: number;
  /** Unsaved editor text by absolute path, asked for at each render; templates read the disk otherwise. */
  overlays?: () => Readonly<Record<string, string>>;
}

/**
 * The template worker beside this module: dist/templateWorker.js in the bundles (extension, CLI),
 * out/src/core/templates/worker.js in the tsc output. Undefined when neither exists.
 */
export function findWorkerScript(): string | undefined {
  return firstExistingFile([path.join(__dirname, 'templateWorker.js'), DEFAULT_WORKER_PATH]);
}

export function createJobRenderer(options: JobRendererOptions = {}): JobRenderer {
  const workerPath = options.workerPath === null ? undefined : (options.workerPath ?? findWorkerScript());
  if (workerPath) {
    const worker = new WorkerRenderer({ timeoutMs: options.timeoutMs ?? 10000, workerPath });
    return {
      render: job =>
        worker.render({
          environment: { searchPaths: job.searchPaths, projectRoot: job.projectRoot },
          file: job.templateFile,
          context: job.context,
          ...(options.overlays ? { overlays: { ...options.overlays() } } : {}),
        }),
      dispose: () => worker.dispose(),
    };
  }
  return {
    render: async job =>
      createTemplateEnvironment({
        searchPaths: job.searchPaths,
        projectRoot: job.projectRoot,
        ...(options.overlays ? { readFile: readWithOverlays(options.overlays()) } : {}),
      }).renderFile(job.templateFile, job.context),
    dispose: () => undefined,
  };
}

export interface RenderOutcome {
  job: RenderJob;
  result: RenderResult;
}

/** Renders every job, one after the other (a worker renders one template at a time anyway). */
export async function renderJobs(
  jobs: readonly RenderJob[],
  renderer: JobRenderer | ((job: RenderJob) => Promise<RenderResult> | RenderResult),
): Promise<RenderOutcome[]> {
  const render = typeof renderer === 'function' ? renderer : (job: RenderJob) => renderer.render(job);
  const outcomes: RenderOutcome[] = [];
  for (const job of jobs) outcomes.push({ job, result: await render(job) });
  return outcomes;
}

export type OutputStatus = 'up-to-date' | 'out-of-date' | 'missing' | 'failed';

export interface OutputCheck {
  job: RenderJob;
  status: OutputStatus;
  /** The rendered text (absent when rendering failed). */
  text?: string;
  /** Why rendering failed. */
  error?: RenderError;
  /** Why writing the rendered text failed (writeOutputs; the other outputs are still written). */
  writeError?: string;
}

/**
 * Compares each rendered output with the file the host holds (sameGeneratedText: line endings
 * ignored, so a checkout with CRLF is up to date, never rewritten). A special file where an
 * output goes throws FileRefusedError.
 */
export async function checkOutputs(
  jobs: readonly RenderJob[],
  results: readonly RenderOutcome[],
  host: Pick<FileHost, 'readFile'>,
): Promise<OutputCheck[]> {
  const byId = new Map(results.map(r => [r.job.id, r.result]));
  const checks: OutputCheck[] = [];
  for (const job of jobs) {
    const result = byId.get(job.id);
    if (!result) {
      checks.push({ job, status: 'failed', error: { kind: 'runtime', message: 'not rendered' } });
      continue;
    }
    if (!result.ok) {
      checks.push({ job, status: 'failed', error: result.error });
      continue;
    }
    const current = await readGeneratedText(host, job.outputFile);
    const status: OutputStatus =
      current === undefined ? 'missing' : sameGeneratedText(current, result.text) ? 'up-to-date' : 'out-of-date';
    checks.push({ job, status, text: result.text });
  }
  return checks;
}

/**
 * The jobs whose output may be written (inside the project, not through a link, not onto a special
 * file), and the others with the reason. Names are validated before jobs are planned; this is the
 * last line, checked on the real paths.
 */
export async function containJobs(
  jobs: readonly RenderJob[],
  containment: Containment,
  host: Pick<FileHost, 'entryType'>,
  shown: (file: string) => string = f => f,
): Promise<{ allowed: RenderJob[]; refused: { job: RenderJob; reason: string }[] }> {
  const allowed: RenderJob[] = [];
  const refused: { job: RenderJob; reason: string }[] = [];
  for (const job of jobs) {
    const reason = await writeProblem(containment, job.outputFile, shown(job.outputFile), host);
    if (reason) refused.push({ job, reason });
    else allowed.push(job);
  }
  return { allowed, refused };
}

export interface WriteReport {
  written: OutputCheck[];
  unchanged: OutputCheck[];
  failed: OutputCheck[];
}

/**
 * Writes the outputs that are missing or out of date through the host (containedHost for writes
 * that must stay in the project); failed renders are not written. A write that fails (refused, a
 * full disk) is reported in `failed` with its writeError, and the other outputs are still written.
 */
export async function writeOutputs(
  checks: readonly OutputCheck[],
  host: Pick<FileHost, 'writeFile'>,
): Promise<WriteReport> {
  const report: WriteReport = { written: [], unchanged: [], failed: [] };
  for (const check of checks) {
    if (check.status === 'failed' || check.text === undefined) report.failed.push(check);
    else if (check.status === 'up-to-date') report.unchanged.push(check);
    else {
      try {
        await host.writeFile(check.job.outputFile, check.text);
        report.written.push(check);
      } catch (e) {
        check.writeError = (e as Error)?.message ?? String(e);
        report.failed.push(check);
      }
    }
  }
  return report;
}
