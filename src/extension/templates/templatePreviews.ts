import * as path from 'path';
import * as vscode from 'vscode';
import type { ProjectSnapshot, RenderJob, RenderResult } from '../../core/index';
import type { EnvironmentState } from '../project/environments';
import type { EditorFileHost } from '../files/editorFileHost';
import { loadCore } from '../lazyCore';
import { embeddedPreviewFileName, templatePreviewFileName } from '../presentation/names';
import type { ProjectManager } from '../project/projectManager';
import { replaceTabs, specOfUri, virtualDocumentUri } from '../virtualDocuments';
import type { TemplateDiagnostics } from './templateDiagnostics';
import type { TemplateRenderer } from './templateRenderer';

export const PREVIEW_SCHEME = 'lakehouse-preview';
const TEMPLATE_FILE = /\.(j2|jinja2?)$/i;

/** What a preview shows: one render job of a project for one environment, or a template embedded in a notebook. */
export type PreviewSpec =
  | { kind: 'job'; rootFile: string; jobId: string; environment: string }
  | { kind: 'embedded'; file: string; index: number };

/**
 * Read-only virtual documents with rendered templates. They re-render when the metadata or a
 * template changes (unsaved edits included); render errors become diagnostics on the template line.
 * A preview renders for the environment its title names; choosing another environment reopens it.
 */
export class TemplatePreviews implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly rendered = new vscode.EventEmitter<vscode.Uri>();
  /** Fires after a preview has been rendered (the benchmark measures edit-to-preview time with it). */
  readonly onDidRender = this.rendered.event;
  private readonly disposables: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** The file each open preview renders from (a template, or a notebook), by URI: its edits re-render it. */
  private readonly sourceOf = new Map<string, string>();
  /** Renders started by a refresh, waiting for the window to ask for the content. */
  private readonly prerendered = new Map<string, Promise<string>>();
  private readonly plans = new WeakMap<ProjectSnapshot, Map<string, Promise<RenderJob[]>>>();

  constructor(
    private readonly projects: ProjectManager,
    private readonly environments: EnvironmentState,
    private readonly files: EditorFileHost,
    private readonly renderer: TemplateRenderer,
    private readonly diagnostics: TemplateDiagnostics,
    readonly builtinTemplatesDir: string,
  ) {
    this.disposables.push(
      this.changed,
      this.rendered,
      projects.onDidChangeProjects(() => this.refreshOpenPreviews()),
      files.onDidChangeFile(({ file }) => {
        if (this.affectsPreviews(file)) this.refreshOpenPreviews();
      }),
      environments.onDidChange(rootFile => void this.reopenFor(rootFile)),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.refreshOpenPreviews()),
      vscode.workspace.onDidCloseTextDocument(doc => {
        if (doc.uri.scheme !== PREVIEW_SCHEME) return;
        this.sourceOf.delete(doc.uri.toString());
        this.prerendered.delete(doc.uri.toString());
      }),
    );
  }

  /** The renders of a project for an environment (its current one by default); planned once per snapshot, in time slices. */
  jobs(snapshot: ProjectSnapshot, environment = this.environments.nameOf(snapshot)): Promise<RenderJob[]> {
    let byEnvironment = this.plans.get(snapshot);
    if (!byEnvironment) this.plans.set(snapshot, (byEnvironment = new Map()));
    const key = environment ?? '';
    let jobs = byEnvironment.get(key);
    if (!jobs) {
      const core = loadCore();
      jobs = core.planRendersSliced(
        snapshot,
        {
          builtinTemplatesDir: this.builtinTemplatesDir,
          ...(environment !== undefined ? { environment } : {}),
        },
        core.timeSlicer(),
      );
      byEnvironment.set(key, jobs);
    }
    return jobs;
  }

  uriForJob(snapshot: ProjectSnapshot, job: RenderJob): vscode.Uri {
    const environment = this.environments.nameOf(snapshot) ?? 'dev';
    const spec: PreviewSpec = { kind: 'job', rootFile: snapshot.rootFile, jobId: job.id, environment };
    return virtualDocumentUri(PREVIEW_SCHEME, templatePreviewFileName({ ...job, environment }), spec);
  }

  uriForEmbedded(file: string, index: number, name: string): vscode.Uri {
    const spec: PreviewSpec = { kind: 'embedded', file, index };
    return virtualDocumentUri(PREVIEW_SCHEME, embeddedPreviewFileName(file, name), spec);
  }

  specOf(uri: vscode.Uri): PreviewSpec | undefined {
    return specOfUri<PreviewSpec>(uri);
  }

  async findJob(
    spec: Extract<PreviewSpec, { kind: 'job' }>,
  ): Promise<{ snapshot: ProjectSnapshot; job: RenderJob } | undefined> {
    const snapshot = this.projects.byRoot(spec.rootFile);
    if (!snapshot) return undefined;
    // A project that declares no environments renders for the implicit 'dev'.
    const declared = snapshot.metadata.environments;
    if (declared.length && !declared.some(e => e.name === spec.environment)) return undefined;
    const jobs = await this.jobs(snapshot, declared.length ? spec.environment : undefined);
    const job = jobs.find(j => j.id === spec.jobId);
    return job ? { snapshot, job } : undefined;
  }

  provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    // A refresh starts rendering before it tells the window, so the render overlaps the round trip.
    const key = uri.toString();
    const started = this.prerendered.get(key);
    this.prerendered.delete(key);
    return started ?? this.produce(uri);
  }

  private async produce(uri: vscode.Uri): Promise<string> {
    const spec = this.specOf(uri);
    if (!spec) return 'This preview link is not valid.';
    if (!vscode.workspace.isTrusted) return restrictedModeNotice(uri);
    let result: RenderResult;
    let source: string;
    let embeddedLine: number | undefined;
    if (spec.kind === 'job') {
      const found = await this.findJob(spec);
      if (!found)
        return (
          `${commentPrefix(uri.path)} The template binding '${spec.jobId}' for environment '${spec.environment}' ` +
          `is no longer in the project (was lakehouse.yaml changed?). Close this preview and open it again.\n`
        );
      source = found.job.templateFile;
      result = await this.renderer.renderJob(found.job);
    } else {
      // A preview link names a file: only notebooks of the workspace are read (a link may come from anywhere).
      const read = await readNotebook(this.files, spec.file);
      if (!read.ok) return `${commentPrefix(uri.path)} ${read.reason}\n`;
      const embedded = loadCore().findEmbeddedTemplates(read.text, spec.file)[spec.index];
      if (!embedded) return `There is no embedded template #${spec.index + 1} in ${path.basename(spec.file)} any more.`;
      source = spec.file;
      embeddedLine = embedded.line;
      result = await this.renderer.renderText({
        text: embedded.templateText,
        name: spec.file,
        searchPaths: [path.dirname(spec.file)],
        projectRoot: path.dirname(spec.file),
        contextJson: embedded.contextJson ? `{"parameters": ${embedded.contextJson}}` : '{}',
      });
    }
    this.sourceOf.set(uri.toString(), source);
    const failure = result.ok
      ? undefined
      : { templateFile: source, ...result.error, ...(embeddedLine !== undefined ? { embeddedLine } : {}) };
    this.diagnostics.update(source, failure);
    setTimeout(() => this.rendered.fire(uri), 0);
    if (result.ok) return result.text;
    // Where, as the Problems panel says it (an embedded template's lines counted in the notebook).
    const at = loadCore().templateRenderDiagnostic(failure!);
    const where = `${vscode.workspace.asRelativePath(at.file)}:${at.range.start.line + 1}: `;
    return (
      `${commentPrefix(uri.path)} This template does not render (${result.error.kind} ` +
      `error, ${at.code}):\n${commentPrefix(uri.path)} ${where}${result.error.message}\n`
    );
  }

  private openPreviews(): vscode.TextDocument[] {
    return vscode.workspace.textDocuments.filter(d => d.uri.scheme === PREVIEW_SCHEME);
  }

  private affectsPreviews(file: string): boolean {
    if (!this.openPreviews().length) return false;
    if (TEMPLATE_FILE.test(file)) return true;
    for (const source of this.sourceOf.values()) if (source === file) return true;
    return false;
  }

  /** Re-renders every open preview (the metadata or a template changed). */
  refreshOpenPreviews(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      for (const doc of this.openPreviews()) {
        const rendering = this.produce(doc.uri);
        rendering.catch(() => undefined); // the window's request reports a failure; never an unhandled rejection
        this.prerendered.set(doc.uri.toString(), rendering);
        this.changed.fire(doc.uri);
      }
    }, 0);
  }

  /** Another environment was chosen for a project: its open previews are reopened for it, in place. */
  private async reopenFor(rootFile: string): Promise<void> {
    const snapshot = this.projects.byRoot(rootFile);
    if (!snapshot) return;
    await replaceTabs(PREVIEW_SCHEME, async previewUri => {
      const spec = this.specOf(previewUri);
      if (spec?.kind !== 'job' || spec.rootFile !== rootFile) return undefined;
      const job = (await this.jobs(snapshot)).find(j => j.id === spec.jobId);
      return job && this.uriForJob(snapshot, job);
    });
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}

/** A notebook named by an embedded-template preview link: read only inside the workspace, through the editor's buffers. */
async function readNotebook(
  files: EditorFileHost,
  file: string,
): Promise<{ ok: true; text: string } | { ok: false; reason: string }> {
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file));
  if (!folder || folder.uri.scheme !== 'file')
    return {
      ok: false,
      reason: `${path.basename(file)} is not in this workspace; previews read notebooks of the workspace only.`,
    };
  const core = loadCore();
  const problem = await new core.Containment([folder.uri.fsPath], f => files.realPath(f)).problem(
    file,
    path.basename(file),
  );
  if (problem) return { ok: false, reason: problem };
  try {
    const text = await files.readText(file);
    return text === undefined ? { ok: false, reason: `${path.basename(file)} does not exist.` } : { ok: true, text };
  } catch (e) {
    return { ok: false, reason: `${path.basename(file)}: ${(e as Error).message}` };
  }
}

function commentPrefix(file: string): string {
  return /\.sql$/i.test(file) ? '--' : /\.(json|js|ts)$/i.test(file) ? '//' : '#';
}

function restrictedModeNotice(uri: vscode.Uri): string {
  const c = commentPrefix(uri.path);
  return (
    `${c} Rendering is off in Restricted Mode.\n${c} Templates are code from this workspace; ` +
    `Lakehouse Workbench renders them only in a trusted workspace.\n${c} Trust the workspace ` +
    `(Manage Workspace Trust) to see this preview.\n`
  );
}
