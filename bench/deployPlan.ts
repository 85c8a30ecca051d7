// Deploy plan at scale: the ADF folder generated from the bench's project (2,000 tables in the
// issue's target) planned against an empty factory (everything created, in the order of
// references) and against a factory that already holds the same artifacts (everything unchanged:
// each artifact compared with the factory's). The factory is in memory behind the FactoryApi port
// and answers what ARM answers (id, etag, type added, keys in another order, trigger states), as
// JSON text parsed per read like an HTTP answer: this measures the planner, not a network.
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import type { JsonObject } from '../src/core/adf/generate/adfJson';
import { planAdfGeneration, writeAdfPlan } from '../src/core/adf/generate/plan';
import { readFileIfExists } from '../src/core/files/generatedFiles';
import { writeFileAtomic } from '../src/core/files/writeFile';
import { NodeFileHost } from '../src/core/files/nodeFileHost';
import { readAdfFolder } from '../src/core/project/loadProject';
import { ProjectSession } from '../src/core/project/projectSession';
import {
  localArtifactsOf,
  planDeploy,
  readFactory,
  type DeployKind,
  type DeployPlan,
  type EventSubscriptionStatus,
  type FactoryApi,
  type LocalArtifacts,
} from '../src/core/deploy';
import type { GeneratedProject } from './generate';
import { stats, type Stats } from './stats';

export interface DeployPlanBench {
  tables: number;
  artifacts: number;
  pipelines: number;
  /** Bytes of the artifacts' JSON. */
  bytes: number;
  /** Reading the generated folder (loadAdfFolder) into deployable artifacts, once. */
  readFolderMs: number;
  /** planDeploy against an empty factory: every artifact created. */
  againstEmpty: Stats;
  /** readFactory (the lists' JSON parsed) and planDeploy against a factory holding the same artifacts: all unchanged. */
  againstIdentical: Stats;
  /** planDeploy alone against the identical factory (its lists already read). */
  compareOnly: Stats;
}

/** A factory in memory holding artifacts as ARM answers them, each list parsed from text like an HTTP answer. */
class ListedFactory implements FactoryApi {
  private readonly pages = new Map<DeployKind, string>();

  constructor(local?: LocalArtifacts) {
    const byKind = new Map<DeployKind, JsonObject[]>();
    for (const a of local?.artifacts ?? []) {
      const properties: JsonObject = {};
      const source = a.value.properties as JsonObject;
      for (const key of Object.keys(source).sort()) properties[key] = source[key]!;
      if (a.kind === 'trigger') properties.runtimeState = 'Stopped';
      const list = byKind.get(a.kind) ?? [];
      list.push({
        id: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.DataFactory/factories/f/${a.kind}s/${a.name}`,
        name: a.name,
        type: `Microsoft.DataFactory/factories/${a.kind}s`,
        properties,
        etag: '"0"',
      });
      byKind.set(a.kind, list);
    }
    for (const [kind, values] of byKind) this.pages.set(kind, JSON.stringify({ value: values }));
  }

  async list(kind: DeployKind): Promise<JsonObject[]> {
    const text = this.pages.get(kind);
    return text ? (JSON.parse(text) as { value: JsonObject[] }).value : [];
  }

  private refuse(): never {
    throw new Error('the bench only plans');
  }
  put = async () => this.refuse();
  delete = async () => this.refuse();
  startTrigger = async () => this.refuse();
  stopTrigger = async () => this.refuse();
  subscribeTriggerToEvents = async (): Promise<EventSubscriptionStatus> => this.refuse();
  eventSubscriptionStatus = async (): Promise<EventSubscriptionStatus> => this.refuse();
}

export async function deployPlan(manifestFile: string, options: { quick: boolean }): Promise<DeployPlanBench> {
  const p = JSON.parse(readFileSync(manifestFile, 'utf8')) as GeneratedProject;
  const snapshot = await new ProjectSession(p.rootFile, new NodeFileHost()).load();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lh-deploy-plan-'));
  try {
    // The folder deploy reads: what `lakehouse generate adf` writes.
    await writeAdfPlan(await planAdfGeneration(snapshot.metadata, dir, readFileIfExists), { write: writeFileAtomic });
    const t0 = performance.now();
    const read = await readAdfFolder(new NodeFileHost(), dir);
    if (read.status !== 'ok') throw new Error('the generated folder does not read as an ADF folder');
    const local = localArtifactsOf(read.factory);
    const readFolderMs = performance.now() - t0;
    if (local.problems.length) throw new Error(`the generated folder cannot deploy: ${local.problems[0]!.message}`);

    const reps = options.quick ? 5 : 15;
    const empty = new ListedFactory();
    const identical = new ListedFactory(local);
    const runs = { empty: [] as number[], identical: [] as number[], compare: [] as number[] };
    const last: { empty?: DeployPlan; identical?: DeployPlan } = {};
    for (let i = 0; i < reps; i++) {
      let t = performance.now();
      last.empty = planDeploy(local, await readFactory(empty));
      runs.empty.push(performance.now() - t);
      t = performance.now();
      const factory = await readFactory(identical);
      const listed = performance.now() - t;
      t = performance.now();
      last.identical = planDeploy(local, factory);
      const compared = performance.now() - t;
      runs.identical.push(listed + compared);
      runs.compare.push(compared);
    }
    const { empty: planEmpty, identical: planIdentical } = last;
    if (planEmpty!.problems.length || planEmpty!.counts.create !== local.artifacts.length)
      throw new Error(
        `against an empty factory: ${planEmpty!.problems[0]?.message ?? `${planEmpty!.counts.create} creates`}`,
      );
    if (!planIdentical!.upToDate) {
      const changed = planIdentical!.changes.find(c => c.action !== 'unchanged')!;
      throw new Error(
        `against the identical factory, ${changed.kind} '${changed.name}' is planned ${changed.action}: ${changed.summary}`,
      );
    }
    return {
      tables: p.tables,
      artifacts: local.artifacts.length,
      pipelines: local.artifacts.filter(a => a.kind === 'pipeline').length,
      bytes: read.factory.files.reduce((n, f) => n + Buffer.byteLength(f.text), 0),
      readFolderMs,
      againstEmpty: stats(runs.empty),
      againstIdentical: stats(runs.identical),
      compareOnly: stats(runs.compare),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
