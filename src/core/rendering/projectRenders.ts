// What rendering a project's templates would do, for the CLI and the editor alike (as
// planProjectAdf is for ADF generation): templates render from valid metadata only, for one
// environment, and only into the project.
import { compareDiagnostics, type Diagnostic } from '../diagnostics/diagnostic';
import type { Containment } from '../files/containment';
import type { FileHost } from '../files/fileHost';
import type { ProjectSnapshot } from '../project/projectSession';
import { selectEnvironment, UnknownEnvironmentError } from './context';
import { planRenders, planRendersSliced, type PlanOptions, type RenderJob } from './plan';
import { containJobs } from './run';

export type ProjectRenderPlan =
  | {
      ok: true;
      /** The environment the jobs render for (the one asked for, else the first declared). */
      environment: string;
      /** The jobs whose outputs may be written. */
      jobs: RenderJob[];
      /** Jobs left out: their output would be written outside the project (the reason says where). */
      refused: { job: RenderJob; reason: string }[];
    }
  /** The metadata has errors: templates render from valid metadata only. */
  | { ok: false; reason: 'metadata-errors'; message: string; errors: Diagnostic[] }
  /** An environment that is not declared was asked for. */
  | { ok: false; reason: 'unknown-environment'; message: string };

export interface ProjectRenderOptions extends PlanOptions {
  /** Where outputs may be written (the project's roots, on the real paths). */
  containment: Containment;
  /** What is at an output's path (a link or a special file there is refused). */
  host: Pick<FileHost, 'entryType'>;
  /** How a file is named in messages (relative to the project, say). */
  shown?: (file: string) => string;
  /** Called between steps (an editor passes timeSlicer(): planning 10,000 tables is not one long block). */
  pause?: () => Promise<void> | void;
}

/** Errors in the project's metadata files (the ADF folder's own problems do not stop rendering). */
export function metadataErrors(snapshot: ProjectSnapshot): Diagnostic[] {
  return [...snapshot.diagnostics.values()]
    .flat()
    .filter(d => d.severity === 'error' && snapshot.metadataFiles.has(d.file))
    .sort(compareDiagnostics);
}

export async function planProjectRenders(
  snapshot: ProjectSnapshot,
  options: ProjectRenderOptions,
): Promise<ProjectRenderPlan> {
  const errors = metadataErrors(snapshot);
  if (errors.length) {
    return {
      ok: false,
      reason: 'metadata-errors',
      errors,
      message:
        `The metadata has ${errors.length} error(s); templates render from valid metadata only. ` + `Fix them first.`,
    };
  }
  let environment: string;
  let jobs: RenderJob[];
  try {
    environment = selectEnvironment(snapshot.metadata, options.environment).name;
    jobs = options.pause ? await planRendersSliced(snapshot, options, options.pause) : planRenders(snapshot, options);
  } catch (e) {
    if (e instanceof UnknownEnvironmentError) return { ok: false, reason: 'unknown-environment', message: e.message };
    throw e;
  }
  const contained = await containJobs(jobs, options.containment, options.host, options.shown);
  return { ok: true, environment, jobs: contained.allowed, refused: contained.refused };
}
