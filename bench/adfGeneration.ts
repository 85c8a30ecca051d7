// ADF generation at scale: generating the artifacts of a synthetic project (issue target: ≤ 1 s at
// 2,000 tables), and regenerating into the folder it wrote (the round trip: every file read,
// compared and found unchanged). The generated folder must validate without errors.
import { mkdtempSync, rmSync, readFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { generateAdfArtifacts } from '../src/core/adf/generate/artifacts';
import { planAdfGeneration, writeAdfPlan } from '../src/core/adf/generate/plan';
import { readAdfFolder } from '../src/core/project/loadProject';
import { NodeFileHost } from '../src/core/files/nodeFileHost';
import { ProjectSession } from '../src/core/project/projectSession';
import { validateAdfFolder } from '../src/core/adf/validate';
import { readFileIfExists } from '../src/core/files/generatedFiles';
import { writeFileAtomic } from '../src/core/files/writeFile';
import type { GeneratedProject } from './generate';
import { stats } from './stats';

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
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
