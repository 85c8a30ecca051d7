import * as path from 'path';
import * as vscode from 'vscode';
import type { AdfFilePlan, AdfPlanCache, ProjectAdfPlan, ProjectSnapshot } from '../../core/index';
import type { EditorFileHost } from '../files/editorFileHost';
import { loadCore } from '../lazyCore';
import { adfPreviewFileName } from '../presentation/names';
import type { EnvironmentState } from '../project/environments';
import type { ProjectManager } from '../project/projectManager';
import { replaceTabs, specOfUri, virtualDocumentUri } from '../virtualDocuments';

export const ADF_PREVIEW_SCHEME = 'lakehouse-adf';

/** A view's plan stopped because an edit replaced its snapshot (a newer plan follows). */
export class PlanSuperseded extends Error {}

interface PlanEntry {
  promise: Promise<ProjectAdfPlan>;
  /** Computed to the end even when its snapshot is replaced (a preview or a command waits for it). */
  pinned: boolean;
}

/** What an ADF preview shows: a generated artifact, or what the metadata generates for one table, for one environment. */
export type AdfPreviewSpec =
  | { kind: 'artifact'; rootFile: string; relativePath: string; environment?: string }
  | { kind: 'table'; rootFile: string; system: string; table: string; environment?: string };

/**
 * Read-only JSON documents with the ADF artifacts the metadata generates (exactly what
 * "Generate ADF Artifacts" would write for the project's environment), kept up to date as the
 * metadata changes, and the generation plans the Data Factory view and Generate share.
 */
export class AdfPreviews implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly plansChanged = new vscode.EventEmitter<void>();
  /** Fires when the generation plans were recomputed (the Data Factory view and the status bar redraw). */
  readonly onDidChangePlans = this.plansChanged.event;
  private readonly planComputed = new vscode.EventEmitter<ProjectSnapshot>();
  /** Fires when a plan has been computed (the status bar counts what is out of date from it). */
  readonly onDidComputePlan = this.planComputed.event;
  private plans = new WeakMap<ProjectSnapshot, Map<string, PlanEntry>>();
  /** Per project: what the next plan reuses from the last ones (an edit redoes only what it changed). */
  private readonly planCaches = new Map<string, AdfPlanCache>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly projects: ProjectManager,
    private readonly environments: EnvironmentState,
    private readonly files: EditorFileHost,
  ) {
    this.disposables.push(
      this.changed,
      this.plansChanged,
      this.planComputed,
      projects.onDidChangeProjects(() => this.refresh()),
      environments.onDidChange(rootFile => void this.reopenFor(rootFile)),
    );
  }

  /** Updates open previews and tells the views (a new snapshot). */
  refresh(): void {
    for (const doc of vscode.workspace.textDocuments)
      if (doc.uri.scheme === ADF_PREVIEW_SCHEME) this.changed.fire(doc.uri);
    this.plansChanged.fire();
  }

  /** Files were written: plans computed before compare against what is no longer there. */
  forgetPlans(): void {
    this.plans = new WeakMap();
    this.refresh();
  }

  /** What regenerating would do for a project in an environment (its current one by default); cached per snapshot. */
  planFor(
    snapshot: ProjectSnapshot,
    environment = this.environments.nameOf(snapshot),
    options: { cancellable?: boolean } = {},
  ): Promise<ProjectAdfPlan> {
    let byEnvironment = this.plans.get(snapshot);
    if (!byEnvironment) this.plans.set(snapshot, (byEnvironment = new Map()));
    const key = environment ?? '';
    const known = byEnvironment.get(key);
    if (known) {
      // Someone needs this plan to the end (a preview, Generate): it is no longer cancelled.
      if (!options.cancellable) known.pinned = true;
      return known.promise;
    }
    const core = loadCore();
    const slicer = core.timeSlicer();
    const entry: PlanEntry = { pinned: !options.cancellable, promise: Promise.resolve(undefined as never) };
    // A large project's plan is hundreds of milliseconds: in slices, never one long block; and a
    // view's plan of a snapshot an edit has replaced stops at its next slice.
    const pause = () => {
      if (!entry.pinned && this.projects.byRoot(snapshot.rootFile) !== snapshot) throw new PlanSuperseded();
      return slicer();
    };
    entry.promise = snapshot.adfOnly
      ? Promise.resolve<ProjectAdfPlan>({
          ok: false,
          reason: 'generation',
          message:
            'This Data Factory folder has no lakehouse.yaml, so nothing is generated for it: it is only checked.',
        })
      : core.planProjectAdf(snapshot, file => this.files.readGenerated(file), {
          ...(environment !== undefined ? { environment } : {}),
          pause,
          cache: this.planCacheOf(snapshot.rootFile),
        });
    byEnvironment.set(key, entry);
    entry.promise.then(
      () => this.planComputed.fire(snapshot),
      () => {
        if (byEnvironment.get(key) === entry) byEnvironment.delete(key);
      },
    );
    return entry.promise;
  }

  private planCacheOf(rootFile: string): AdfPlanCache {
    let cache = this.planCaches.get(rootFile);
    if (!cache) {
      for (const root of this.planCaches.keys()) if (!this.projects.byRoot(root)) this.planCaches.delete(root);
      this.planCaches.set(rootFile, (cache = new (loadCore().AdfPlanCache)()));
    }
    return cache;
  }

  /** The plan of a project in its environment if it was already computed (by a view or a preview), without computing it. */
  knownPlan(snapshot: ProjectSnapshot): Promise<ProjectAdfPlan> | undefined {
    return this.plans.get(snapshot)?.get(this.environments.nameOf(snapshot) ?? '')?.promise;
  }

  artifactUri(snapshot: ProjectSnapshot, file: AdfFilePlan): vscode.Uri {
    const environment = this.environments.nameOf(snapshot);
    const spec: AdfPreviewSpec = {
      kind: 'artifact',
      rootFile: snapshot.rootFile,
      relativePath: file.artifact.relativePath,
      ...(environment !== undefined ? { environment } : {}),
    };
    return virtualDocumentUri(ADF_PREVIEW_SCHEME, adfPreviewFileName(file.artifact.name, environment), spec);
  }

  tableUri(snapshot: ProjectSnapshot, system: string, table: string): vscode.Uri {
    const environment = this.environments.nameOf(snapshot);
    const spec: AdfPreviewSpec = {
      kind: 'table',
      rootFile: snapshot.rootFile,
      system,
      table,
      ...(environment !== undefined ? { environment } : {}),
    };
    return virtualDocumentUri(ADF_PREVIEW_SCHEME, adfPreviewFileName(`table ${system}.${table}`, environment), spec);
  }

  specOf(uri: vscode.Uri): AdfPreviewSpec | undefined {
    return specOfUri<AdfPreviewSpec>(uri);
  }

  /** The plan entry a preview shows, when it shows one artifact. */
  async fileOf(uri: vscode.Uri): Promise<AdfFilePlan | undefined> {
    const spec = this.specOf(uri);
    if (spec?.kind !== 'artifact') return undefined;
    const snapshot = this.projects.byRoot(spec.rootFile);
    const planned = snapshot && (await this.planFor(snapshot, spec.environment));
    return planned?.ok ? planned.plan.files.find(f => f.artifact.relativePath === spec.relativePath) : undefined;
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const spec = this.specOf(uri);
    if (!spec) return problem('This preview link is not valid.');
    const snapshot = this.projects.byRoot(spec.rootFile);
    if (!snapshot) return problem(`The project ${spec.rootFile} is no longer open. Close this preview.`);
    const environment =
      spec.environment !== undefined && snapshot.metadata.environments.some(e => e.name === spec.environment)
        ? spec.environment
        : this.environments.nameOf(snapshot);
    const planned = await this.planFor(snapshot, environment);
    if (!planned.ok) {
      return problem(
        planned.message,
        planned.reason === 'metadata-errors'
          ? planned.errors
              .slice(0, 20)
              .map(d => `${vscode.workspace.asRelativePath(d.file)}:${d.range.start.line + 1}: ${d.message}`)
          : undefined,
      );
    }
    if (spec.kind === 'artifact') {
      const file = planned.plan.files.find(f => f.artifact.relativePath === spec.relativePath);
      return file
        ? file.newText
        : problem(
            `The metadata no longer generates ${spec.relativePath} (was the adf section of lakehouse.yaml changed?).`,
          );
    }
    // A table: its entries in the generated pipelines' array parameters (what the ForEach copies for it).
    const entries = loadCore().tableLoopEntries(planned.plan, spec.table);
    if (entries.length === 0) return problem(`No generated pipeline copies ${spec.table}.`);
    return JSON.stringify({ table: `${spec.system}.${spec.table}`, copiedBy: entries }, null, '\t');
  }

  /** Another environment was chosen for a project: its open previews are reopened for it, in place. */
  private async reopenFor(rootFile: string): Promise<void> {
    const snapshot = this.projects.byRoot(rootFile);
    this.plansChanged.fire();
    if (!snapshot) return;
    await replaceTabs(ADF_PREVIEW_SCHEME, async previewUri => {
      const spec = this.specOf(previewUri);
      if (!spec || spec.rootFile !== rootFile) return undefined;
      if (spec.kind === 'table') return this.tableUri(snapshot, spec.system, spec.table);
      const planned = await this.planFor(snapshot);
      const file = planned.ok ? planned.plan.files.find(f => f.artifact.relativePath === spec.relativePath) : undefined;
      return file && this.artifactUri(snapshot, file);
    });
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** Previews are JSON documents, so a problem is said as JSON too (comments would be flagged). */
function problem(message: string, details?: string[]): string {
  return JSON.stringify({ lakehouse: message, ...(details?.length ? { problems: details } : {}) }, null, '\t');
}

export function relativeToRoot(snapshot: ProjectSnapshot, file: string): string | undefined {
  const root = loadCore().adfRootOf(snapshot);
  const rel = path.relative(root, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : undefined;
}
