// What regenerating a project's ADF artifacts would do, for the CLI and the editor alike: the
// metadata must be valid, the bundle (databricks.yml) says where notebooks deploy, and the plan
// compares every artifact with the folder (see adf/generate/plan.ts). It reads a ProjectSnapshot,
// so it sits in project/, above adf/.
import * as path from 'path';
import { compareDiagnostics, type Diagnostic } from '../diagnostics/diagnostic';
import type { Origin } from '../metadata/model';
import { AdfGenerationError } from '../adf/generate/artifacts';
import { planAdfGeneration, type AdfGenerationPlan, type AdfPlanCache, type ReadText } from '../adf/generate/plan';
import { readBundleDeployment, UnknownAdfEnvironmentError, type BundleDeployment } from '../adf/generate/settings';
import type { ProjectSnapshot } from './projectSession';

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

export async function planProjectAdf(
  snapshot: ProjectSnapshot,
  readFile: ReadText,
  options: {
    environment?: string;
    /** Called between steps; an editor passes timeSlicer() so a large project never blocks its thread for long. */
    pause?: () => Promise<void> | void;
    /** An editor's cache of this project's last plans (see AdfPlanCache). */
    cache?: AdfPlanCache;
  } = {},
): Promise<ProjectAdfPlan> {
  const metadata = snapshot.metadata;
  // The ADF folder's own problems are what regeneration may fix; only the metadata must be valid.
  const errors = [...snapshot.diagnostics.values()]
    .flat()
    .filter(d => d.severity === 'error' && snapshot.metadataFiles.has(d.file))
    .sort(compareDiagnostics);
  if (errors.length) {
    return {
      ok: false,
      reason: 'metadata-errors',
      errors,
      message: `The metadata has ${errors.length} error(s); ADF artifacts are generated from valid metadata only. Fix them first.`,
    };
  }
  const bundleFile = path.join(metadata.paths.bundle ?? path.join(metadata.rootDir, 'databricks'), 'databricks.yml');
  const bundleText = await readFile(bundleFile);
  const cache = options.cache;
  let bundle: BundleDeployment | undefined;
  if (bundleText !== undefined) {
    bundle = cache?.bundle?.text === bundleText ? cache.bundle.deployment : readBundleDeployment(bundleText);
    if (cache) cache.bundle = { text: bundleText, deployment: bundle };
  }
  try {
    const plan = await planAdfGeneration(metadata, adfRootOf(snapshot), readFile, {
      ...(options.environment !== undefined ? { environment: options.environment } : {}),
      ...(bundle ? { bundle } : {}),
      ...(options.pause ? { pause: options.pause } : {}),
      ...(options.cache ? { cache: options.cache } : {}),
    });
    return { ok: true, plan };
  } catch (e) {
    if (e instanceof UnknownAdfEnvironmentError)
      return { ok: false, reason: 'unknown-environment', message: e.message };
    if (e instanceof AdfGenerationError) return { ok: false, reason: 'generation', message: e.message };
    throw e;
  }
}

export interface TableLoopEntry {
  pipeline: string;
  parameter: string;
  item: unknown;
}

/** What the generated pipelines copy for one table: its items in their array parameters (schema.table, any letter case). */
export function tableLoopEntries(plan: AdfGenerationPlan, qualifiedName: string): TableLoopEntry[] {
  const wanted = qualifiedName.toLowerCase();
  const entries: TableLoopEntry[] = [];
  for (const f of plan.files) {
    if (f.artifact.kind !== 'pipeline') continue;
    const parameters =
      (f.artifact.value.properties as { parameters?: Record<string, { defaultValue?: unknown }> } | undefined)
        ?.parameters ?? {};
    for (const [name, p] of Object.entries(parameters)) {
      if (!Array.isArray(p.defaultValue)) continue;
      for (const item of p.defaultValue) {
        const rec = item as Record<string, unknown>;
        if (typeof rec.table === 'string' && `${String(rec.schema ?? '')}.${rec.table}`.toLowerCase() === wanted)
          entries.push({ pipeline: f.artifact.name, parameter: name, item });
      }
    }
  }
  return entries;
}

/**
 * Where in the metadata a pipeline (or one of its parameters) comes from, for "Reveal Source
 * Metadata": a loop parameter's source system, the gold step's first dimension or fact, a
 * hand-written loop's first declared table, else (for a generated pipeline) the adf section.
 */
export function metadataOriginOf(
  snapshot: ProjectSnapshot,
  target: { pipeline: string; parameter?: string; generated: boolean },
): Origin | undefined {
  const meta = snapshot.metadata;
  if (target.parameter !== undefined) {
    // A system's own pipeline is named <pipeline>_<system>[_part<n>].
    const pipelineName = target.pipeline.toLowerCase().replace(/_part\d+$/, '');
    const system = meta.sources.find(s => pipelineName.endsWith(`_${s.name.toLowerCase()}`)) ?? meta.sources[0];
    if (/^(loop_input|full_load_input)/i.test(target.parameter) && system) return system.origin;
    if (target.parameter === 'gold_notebook') {
      const origin = meta.dimensions[0]?.origin ?? meta.facts[0]?.origin;
      if (origin) return origin;
    }
  } else {
    const loop = snapshot.adf?.loops.find(l => l.pipeline === target.pipeline);
    for (const item of loop?.items ?? []) {
      const table = meta.tables.find(
        t => t.qualifiedName.toLowerCase() === `${item.schema}.${item.table}`.toLowerCase(),
      );
      if (table) return table.origin;
    }
  }
  return target.generated ? (meta.adf?.origin ?? meta.sources[0]?.origin) : undefined;
}
