// What regenerating a project's ADF artifacts would do, for the CLI and the editor alike: the
// metadata must be valid, the bundle (databricks.yml) says where notebooks deploy, and the plan
// compares every artifact with the folder (see generate/plan.ts).
import * as path from 'path';
import { compareDiagnostics, type Diagnostic } from '../diagnostics/diagnostic';
import type { ProjectSnapshot } from '../project/projectSession';
import { AdfGenerationError } from './generate/artifacts';
import { planAdfGeneration, type AdfGenerationPlan, type ReadText } from './generate/plan';
import { readBundleDeployment, UnknownAdfEnvironmentError } from './generate/settings';

export type ProjectAdfPlan =
  | { ok: true; plan: AdfGenerationPlan }
  /** The metadata has errors: artifacts are generated from valid metadata only. */
  | { ok: false; reason: 'metadata-errors'; message: string; errors: Diagnostic[] }
  /** An environment that is not declared was asked for. */
  | { ok: false; reason: 'unknown-environment'; message: string }
  /** The metadata cannot be turned into artifacts (the message says why). */
  | { ok: false; reason: 'generation'; message: string };

/** The ADF folder generation writes into: paths.adf, or adf/ beside lakehouse.yaml. */
export function adfRootOf(snapshot: ProjectSnapshot): string {
  return snapshot.metadata.paths.adf ?? path.join(snapshot.metadata.rootDir, 'adf');
}

export async function planProjectAdf(snapshot: ProjectSnapshot, readFile: ReadText, options: { environment?: string } = {}): Promise<ProjectAdfPlan> {
  const metadata = snapshot.metadata;
  // The ADF folder's own problems are what regeneration may fix; only the metadata must be valid.
  const errors = [...snapshot.diagnostics.values()].flat().filter(d => d.severity === 'error' && snapshot.metadataFiles.has(d.file)).sort(compareDiagnostics);
  if (errors.length) {
    return { ok: false, reason: 'metadata-errors', errors, message: `The metadata has ${errors.length} error(s); ADF artifacts are generated from valid metadata only. Fix them first.` };
  }
  const bundleFile = path.join(metadata.paths.bundle ?? path.join(metadata.rootDir, 'databricks'), 'databricks.yml');
  const bundleText = await readFile(bundleFile);
  try {
    const plan = await planAdfGeneration(metadata, adfRootOf(snapshot), readFile, {
      ...(options.environment !== undefined ? { environment: options.environment } : {}),
      ...(bundleText !== undefined ? { bundle: readBundleDeployment(bundleText) } : {}),
    });
    return { ok: true, plan };
  } catch (e) {
    if (e instanceof UnknownAdfEnvironmentError) return { ok: false, reason: 'unknown-environment', message: e.message };
    if (e instanceof AdfGenerationError) return { ok: false, reason: 'generation', message: e.message };
    throw e;
  }
}
