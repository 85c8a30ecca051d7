import * as path from 'path';
import * as vscode from 'vscode';
import type { EmbeddedTemplate, ProjectSnapshot, RenderJob, RenderResult, WorkerRenderer } from '../../core/index';
import { loadCore } from '../lazyCore';
import type { ProjectManager } from '../project/projectManager';
import { specOfUri, virtualDocumentUri } from '../virtualDocuments';

export const PREVIEW_SCHEME = 'lakehouse-preview';
const TEMPLATE_FILE = /\.(j2|jinja2?)$/i;

/** What a preview shows: one render job of a project, or a template embedded in a notebook. */
export type PreviewSpec =
  { kind: 'job'; rootFile: string; jobId: string } | { kind: 'embedded'; file: string; index: number };

/**
 * Read-only virtual documents with rendered templates. They re-render when the metadata, a
 * template or the environment changes; render errors become diagnostics on the template line.
 */
export class TemplatePreviewManager implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  readonly renderDiagnostics = vscode.languages.createDiagnosticCollection('lakehouse-templates');
  private renderer: WorkerRenderer | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Last render of each open preview, by URI. */
  private readonly lastRender = new Map<
    string,
    { jobFile?: string; outputFile?: string; result: RenderResult; renderedAt: number }
  >();
  private readonly renderListeners = new vscode.EventEmitter<vscode.Uri>();
  private readonly environmentChanged = new vscode.EventEmitter<string | undefined>();
  /** Fires when "Select Environment" picks another environment. */
  readonly onDidChangeEnvironment = this.environmentChanged.event;
  /** Renders started by a refresh, waiting for the window to ask for the content. */
  private readonly prerendered = new Map<string, Promise<string>>();
  /** Fires after a preview has been rendered (tests and the benchmark measure edit-to-preview time with it). */
  readonly onDidRender = this.renderListeners.event;

  constructor(
    private readonly projects: ProjectManager,
    private readonly log: vscode.LogOutputChannel,
    private readonly extensionPath: string,
    private readonly state: vscode.Memento,
  ) {
    this.disposables.push(
      this.changed,
      this.renderDiagnostics,
      this.renderListeners,
      this.environmentChanged,
      projects.onDidChangeProjects(() => this.refreshOpenPreviews(0)),
      vscode.workspace.onDidChangeTextDocument(e => {
        if (e.document.uri.scheme === 'file' && this.affectsPreviews(e.document)) this.refreshOpenPreviews(0);
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.refreshOpenPreviews(0)),
      vscode.workspace.onDidCloseTextDocument(doc => {
        if (doc.uri.scheme !== PREVIEW_SCHEME) return;
        this.lastRender.delete(doc.uri.toString());
        this.prerendered.delete(doc.uri.toString());
      }),
    );
  }

  get builtinTemplatesDir(): string {
    return path.join(this.extensionPath, 'templates');
  }

  /** The environment previews render for (chosen with "Select Environment"). */
  get environment(): string | undefined {
    return this.state.get<string>('lakehouse.templates.environment');
  }

  async setEnvironment(name: string | undefined): Promise<void> {
    await this.state.update('lakehouse.templates.environment', name);
    this.environmentChanged.fire(name);
    this.refreshOpenPreviews(0);
  }

  previewUri(spec: PreviewSpec, outputName: string): vscode.Uri {
    return virtualDocumentUri(PREVIEW_SCHEME, outputName, spec);
  }

  specOf(uri: vscode.Uri): PreviewSpec | undefined {
    return specOfUri<PreviewSpec>(uri);
  }

  lastRenderOf(uri: vscode.Uri) {
    return this.lastRender.get(uri.toString());
  }

  jobs(snapshot: ProjectSnapshot): RenderJob[] {
    return loadCore().planRenders(snapshot, {
      builtinTemplatesDir: this.builtinTemplatesDir,
      environment: this.environment,
    });
  }

  findJob(spec: Extract<PreviewSpec, { kind: 'job' }>): { snapshot: ProjectSnapshot; job: RenderJob } | undefined {
    const snapshot = this.projects.snapshots.find(s => s.rootFile === spec.rootFile);
    const job = snapshot && this.jobs(snapshot).find(j => j.id === spec.jobId);
    return snapshot && job ? { snapshot, job } : undefined;
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
    if (!vscode.workspace.isTrusted) {
      return restrictedModeNotice(uri);
    }
    const t0 = performance.now();
    let result: RenderResult;
    let jobFile: string | undefined;
    let outputFile: string | undefined;
    if (spec.kind === 'job') {
      const found = this.findJob(spec);
      if (!found)
        return `The template binding '${spec.jobId}' is no longer in the project (was lakehouse.yaml changed?). Close this preview and open it again.`;
      jobFile = found.job.templateFile;
      outputFile = found.job.outputFile;
      result = await this.render({
        file: found.job.templateFile,
        searchPaths: found.job.searchPaths,
        projectRoot: found.job.projectRoot,
        context: found.job.context,
      });
    } else {
      // A preview link names a file: only notebooks of the workspace are read (a link may come from anywhere).
      const refused = await embeddedFileProblem(spec.file);
      if (refused) return `${commentPrefix(uri.path)} ${refused}\n`;
      const embedded = await this.embedded(spec.file, spec.index);
      if (!embedded) return `There is no embedded template #${spec.index + 1} in ${path.basename(spec.file)} any more.`;
      jobFile = spec.file;
      result = await this.render({
        text: embedded.templateText,
        name: spec.file,
        searchPaths: [path.dirname(spec.file)],
        projectRoot: path.dirname(spec.file),
        contextJson: embedded.contextJson ? `{"parameters": ${embedded.contextJson}}` : '{}',
        lineOffset: embedded.line,
      });
    }
    this.lastRender.set(uri.toString(), { jobFile, outputFile, result, renderedAt: Date.now() });
    this.publishRenderDiagnostic(jobFile, result, spec.kind === 'embedded');
    this.log.debug(`Rendered ${uri.path} in ${(performance.now() - t0).toFixed(1)} ms`);
    setTimeout(() => this.renderListeners.fire(uri), 0);
    if (result.ok) return result.text;
    const where = result.error.file
      ? `${vscode.workspace.asRelativePath(result.error.file)}${result.error.line ? `:${result.error.line}` : ''}: `
      : '';
    return (
      `${commentPrefix(uri.path)} This template does not render (${result.error.kind} ` +
      `error):\n${commentPrefix(uri.path)} ${where}${result.error.message}\n`
    );
  }

  private async embedded(file: string, index: number): Promise<EmbeddedTemplate | undefined> {
    const doc =
      vscode.workspace.textDocuments.find(d => d.uri.fsPath === file) ??
      (await vscode.workspace.openTextDocument(vscode.Uri.file(file)));
    return loadCore().findEmbeddedTemplates(doc.getText(), file)[index];
  }

  private async render(request: {
    file?: string;
    text?: string;
    name?: string;
    searchPaths: string[];
    projectRoot: string;
    context?: Record<string, unknown>;
    contextJson?: string;
    lineOffset?: number;
  }): Promise<RenderResult> {
    const core = loadCore();
    const timeoutMs = vscode.workspace.getConfiguration('lakehouse').get<number>('templates.renderTimeoutMs', 5000);
    this.renderer ??= new core.WorkerRenderer({
      timeoutMs,
      workerPath: path.join(this.extensionPath, 'dist', 'templateWorker.js'),
    });
    const overlays: Record<string, string> = {};
    for (const doc of vscode.workspace.textDocuments) {
      if (doc.uri.scheme === 'file' && doc.isDirty) overlays[doc.uri.fsPath] = doc.getText();
    }
    const result = await this.renderer.render({
      environment: { searchPaths: request.searchPaths, projectRoot: request.projectRoot },
      ...(request.file !== undefined ? { file: request.file } : { text: request.text ?? '', name: request.name }),
      ...(request.contextJson !== undefined
        ? { contextJson: request.contextJson }
        : { context: request.context ?? {} }),
      overlays,
    });
    if (!result.ok && request.lineOffset !== undefined && result.error.line !== undefined) {
      // An embedded template's lines count from the start of its string in the notebook.
      result.error.line += request.lineOffset;
      result.error.file ??= request.name;
    }
    return result;
  }

  private publishRenderDiagnostic(templateFile: string | undefined, result: RenderResult, embedded: boolean): void {
    const file = !result.ok && result.error.file ? result.error.file : templateFile;
    if (!file) return;
    const uri = vscode.Uri.file(file);
    if (result.ok) {
      // Only when there is something to clear: each call is a message to the window, on the keystroke path.
      if (templateFile && this.renderDiagnostics.has(vscode.Uri.file(templateFile)))
        this.renderDiagnostics.delete(vscode.Uri.file(templateFile));
      return;
    }
    const line = Math.max(0, (result.error.line ?? 1) - 1);
    const range = new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER);
    const d = new vscode.Diagnostic(
      range,
      `${embedded ? 'Embedded template' : 'Template'} does not render: ${result.error.message}`,
      vscode.DiagnosticSeverity.Error,
    );
    d.source = 'lakehouse';
    d.code = `template-${result.error.kind}`;
    this.renderDiagnostics.set(uri, [d]);
  }

  private affectsPreviews(doc: vscode.TextDocument): boolean {
    if (!vscode.workspace.textDocuments.some(d => d.uri.scheme === PREVIEW_SCHEME)) return false;
    if (TEMPLATE_FILE.test(doc.fileName)) return true;
    for (const r of this.lastRender.values()) if (r.jobFile === doc.uri.fsPath) return true;
    return false;
  }

  /** Re-renders every open preview (metadata, templates or the environment changed). */
  refreshOpenPreviews(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      for (const doc of vscode.workspace.textDocuments) {
        if (doc.uri.scheme !== PREVIEW_SCHEME) continue;
        const rendering = this.produce(doc.uri);
        rendering.catch(() => undefined); // the window's request reports a failure; never an unhandled rejection
        this.prerendered.set(doc.uri.toString(), rendering);
        this.changed.fire(doc.uri);
      }
    }, delayMs);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.renderer?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

/** Why a file named by an embedded-template preview link is not read, or undefined. */
async function embeddedFileProblem(file: string): Promise<string | undefined> {
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file));
  if (!folder || folder.uri.scheme !== 'file')
    return `${path.basename(file)} is not in this workspace; previews read notebooks of the workspace only.`;
  const core = loadCore();
  const host = new core.NodeFileHost();
  const problem = await new core.Containment([folder.uri.fsPath], f => host.realPath(f)).problem(
    file,
    path.basename(file),
  );
  if (problem) return problem;
  const read = await core.readChecked(file, { maxBytes: 5 * 1024 * 1024, what: 'for notebooks' });
  return read.status === 'refused'
    ? `${path.basename(file)}: ${read.reason}`
    : read.status === 'missing'
      ? `${path.basename(file)} does not exist.`
      : undefined;
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
