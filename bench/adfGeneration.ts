// ADF generation at scale: generating the artifacts of a synthetic project (issue target: ≤ 1 s at
// 2,000 tables), and regenerating into the folder it wrote (the round trip: every file read,
// compared and found unchanged), and an editor's re-plan after a one-line edit of a fragment: with
// its AdfPlanCache and its GeneratedTextCache (what the Data Factory view and the status bar
// compute after each pause in typing), beside the same plan without them. The generated folder must validate without errors.
import { mkdtempSync, rmSync, readFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { generateAdfArtifacts } from '../src/core/adf/generate/artifacts';
import { AdfPlanCache, planAdfGeneration, writeAdfPlan } from '../src/core/adf/generate/plan';
import { readAdfFolder } from '../src/core/project/loadProject';
import { NodeFileHost } from '../src/core/files/nodeFileHost';
import { ProjectSession } from '../src/core/project/projectSession';
import { validateAdfFolder } from '../src/core/adf/validate';
import { GeneratedTextCache, readFileIfExists } from '../src/core/files/generatedFiles';
import { writeFileAtomic } from '../src/core/files/writeFile';
import type { GeneratedProject } from './generate';
import { lineReplaced, stats } from './stats';

export async function adfGeneration(manifestFile: string, options: { quick: boolean }): Promise<object> {
  const p = JSON.parse(readFileSync(manifestFile, 'utf8')) as GeneratedProject;
  const snapshot = await new ProjectSession(p.rootFile, new NodeFileHost()).load();
  const metadata = snapshot.metadata;
  const t0 = performance.now();
  const first = generateAdfArtifacts(metadata);
  const firstMs = performance.now() - t0;
  const reps = options.quick ? 5 : 15;
  const runs: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    generateAdfArtifacts(metadata);
    runs.push(performance.now() - t);
  }
  // Write once into an empty folder, then measure regenerating into it.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lh-adf-gen-'));
  try {
    const created = await planAdfGeneration(metadata, dir, readFileIfExists);
    await writeAdfPlan(created, { write: writeFileAtomic });
    const planRuns: number[] = [];
    for (let i = 0; i < Math.max(3, Math.floor(reps / 3)); i++) {
      const t = performance.now();
      const plan = await planAdfGeneration(metadata, dir, readFileIfExists);
      planRuns.push(performance.now() - t);
      const changed = plan.files.filter(f => f.status !== 'unchanged');
      if (changed.length)
        throw new Error(
          `regenerating into the folder just written changes ${changed.length} file(s), e.g. ${changed[0]!.file} (${changed[0]!.status})`,
        );
    }
    const folder = await readAdfFolder(new NodeFileHost(), dir);
    if (folder.status !== 'ok') throw new Error('the generated folder does not read as an ADF folder');
    const errors = validateAdfFolder(folder.factory).filter(d => d.severity === 'error');
    if (errors.length)
      throw new Error(
        `the generated artifacts have ${errors.length} error(s), e.g. ${errors[0]!.code} ${errors[0]!.message}`,
      );
    const replan = await replanAfterEdits(p, dir, options.quick ? 10 : 30);
    const pipelines = first.artifacts.filter(a => a.kind === 'pipeline').length;
    const bytes = first.artifacts.reduce((n, a) => n + Buffer.byteLength(a.text), 0);
    return {
      tables: p.tables,
      artifacts: first.artifacts.length,
      pipelines,
      bytes,
      firstMs,
      generation: stats(runs),
      roundTrip: stats(planRuns),
      replanCached: stats(replan.cached),
      replanUncached: stats(replan.uncached),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A warm session and warm caches (the editor's); per edit, the fragment overlaid with a one-line change (its
 * table's cdcColumn, alternating with the original), load(), then the plan with the cache (timed)
 * and without it (timed too, and the two must agree: a cache that served a stale plan would make
 * the figure meaningless).
 */
async function replanAfterEdits(
  p: GeneratedProject,
  dir: string,
  edits: number,
): Promise<{ cached: number[]; uncached: number[] }> {
  const session = new ProjectSession(p.rootFile, new NodeFileHost());
  const cache = new AdfPlanCache();
  const disk = new NodeFileHost();
  const generatedTexts = new GeneratedTextCache();
  const readAsEditor = (file: string) => generatedTexts.read(disk, file);
  await planAdfGeneration((await session.load()).metadata, dir, readAsEditor, { cache });
  const original = readFileSync(p.edit.file, 'utf8');
  const texts = [lineReplaced(original, p.edit.line, p.edit.edited), original];
  const cached: number[] = [];
  const uncached: number[] = [];
  for (let i = 0; i < edits + 2; i++) {
    session.setOverlay(p.edit.file, texts[i % 2]);
    const metadata = (await session.load()).metadata;
    let t = performance.now();
    const withCache = await planAdfGeneration(metadata, dir, readAsEditor, { cache });
    const cachedMs = performance.now() - t;
    t = performance.now();
    const without = await planAdfGeneration(metadata, dir, readFileIfExists);
    const uncachedMs = performance.now() - t;
    const summary = (plan: typeof without) =>
      plan.files.map(f => `${f.file} ${f.status} ${f.newText.length}`).join('\n');
    if (summary(withCache) !== summary(without) || withCache.fingerprints.newText !== without.fingerprints.newText)
      throw new Error(`edit ${i}: the plan with the editor's cache differs from the plan without it`);
    const updated = withCache.files.filter(f => f.status === 'update').length;
    if (updated !== (i % 2 === 0 ? 1 : 0))
      throw new Error(`edit ${i}: the plan updates ${updated} file(s), expected ${i % 2 === 0 ? 1 : 0}`);
    if (i >= 2) {
      cached.push(cachedMs);
      uncached.push(uncachedMs);
    }
  }
  return { cached, uncached };
}
