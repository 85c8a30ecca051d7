import * as path from 'path';
import * as vscode from 'vscode';
import type { AdfFilePlan, ProjectAdfPlan, ProjectSnapshot } from '../../core/index';
import { loadCore } from '../lazyCore';
import type { ProjectManager } from '../project/projectManager';
import { specOfUri, virtualDocumentUri } from '../virtualDocuments';

export const ADF_PREVIEW_SCHEME = 'lakehouse-adf';

/** What an ADF preview shows: a generated artifact, or what the metadata generates for one table. */
export type AdfPreviewSpec =
  | { kind: 'artifact'; rootFile: string; relativePath: string }
  | { kind: 'table'; rootFile: string; system: string; table: string };

/**
 * Read-only JSON documents with the ADF artifacts the metadata generates (exactly what
 * "Generate ADF Artifacts" would write), kept up to date as the metadata changes.
 */
export class AdfPreviewManager implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly plansChanged = new vscode.EventEmitter<void>();
  /** Fires when the generation plans were recomputed (the Data Factory view redraws). */
  readonly onDidChangePlans = this.plansChanged.event;
  private readonly plans = new WeakMap<ProjectSnapshot, Promise<ProjectAdfPlan>>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly projects: ProjectManager,
    private readonly environment: () => string | undefined,
  ) {
    this.disposables.push(
      this.changed,
      this.plansChanged,
      projects.onDidChangeProjects(() => this.refresh()),
    );
  }

  /** Recomputes plans (a new snapshot, another environment) and updates open previews. */
  refresh(): void {
    for (const doc of vscode.workspace.textDocuments)
      if (doc.uri.scheme === ADF_PREVIEW_SCHEME) this.changed.fire(doc.uri);
    this.plansChanged.fire();
  }

  forgetPlans(): void {
    for (const s of this.projects.snapshots) this.plans.delete(s);
    this.refresh();
  }

  /** What regenerating would do for a project (cached per snapshot: a snapshot never changes). */
  planFor(snapshot: ProjectSnapshot): Promise<ProjectAdfPlan> {
    let plan = this.plans.get(snapshot);
    if (!plan && snapshot.adfOnly) {
      plan = Promise.resolve({
        ok: false,
        reason: 'generation',
        message: 'This Data Factory folder has no lakehouse.yaml, so nothing is generated for it: it is only checked.',
      });
      this.plans.set(snapshot, plan);
    }
    if (!plan) {
      const environment = this.environment();
      const known = environment !== undefined && snapshot.metadata.environments.some(e => e.name === environment);
      plan = loadCore().planProjectAdf(snapshot, readWithBuffers, known ? { environment } : {});
      this.plans.set(snapshot, plan);
    }
    return plan;
  }

  previewUri(spec: AdfPreviewSpec): vscode.Uri {
    return virtualDocumentUri(
      ADF_PREVIEW_SCHEME,
      spec.kind === 'artifact' ? spec.relativePath : `table/${spec.system}.${spec.table}.json`,
      spec,
    );
  }

  specOf(uri: vscode.Uri): AdfPreviewSpec | undefined {
    return specOfUri<AdfPreviewSpec>(uri);
  }

  /** The plan entry a preview shows, when it shows one artifact. */
  async fileOf(uri: vscode.Uri): Promise<AdfFilePlan | undefined> {
    const spec = this.specOf(uri);
    if (spec?.kind !== 'artifact') return undefined;
    const snapshot = this.projects.snapshots.find(s => s.rootFile === spec.rootFile);
    const planned = snapshot && (await this.planFor(snapshot));
    return planned?.ok ? planned.plan.files.find(f => f.artifact.relativePath === spec.relativePath) : undefined;
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const spec = this.specOf(uri);
    if (!spec) return problem('This preview link is not valid.');
    const snapshot = this.projects.snapshots.find(s => s.rootFile === spec.rootFile);
    if (!snapshot) return problem(`The project ${spec.rootFile} is no longer open. Close this preview.`);
    const planned = await this.planFor(snapshot);
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

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/**
 * Reads a file for planning: unsaved editor changes win over the disk. A buffer without unsaved
 * changes is not used: it may not have caught up yet with a change made on disk.
 */
async function readWithBuffers(file: string): Promise<string | undefined> {
  const doc = vscode.workspace.textDocuments.find(d => d.uri.scheme === 'file' && d.uri.fsPath === file && d.isDirty);
  if (doc) return doc.getText();
  try {
    // Regular files only, with a size limit: a FIFO or /dev/zero where an artifact goes is not read.
    return await loadCore().readFileIfExists(file);
  } catch {
    return undefined;
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
