import * as path from 'path';
import * as vscode from 'vscode';
import type { ProjectSnapshot } from '../core/index';
import { AdfPreviews } from './adf/adfPreviews';
import { DryRunDocuments } from './adf/dryRunDocuments';
import { PipelinesTreeDataProvider, type PipelinesNode } from './adf/pipelinesTreeDataProvider';
import { DiagnosticsPublisher } from './diagnostics/diagnosticsPublisher';
import { EditorFileHost } from './files/editorFileHost';
import { loadCore, type Core } from './lazyCore';
import { EnvironmentState } from './project/environments';
import { LakeView } from './lake/lakeView';
import { Operations } from './operations/operations';
import { BackfillManager } from './backfill/backfillManager';
import { ProjectManager } from './project/projectManager';
import { ProjectStatusBar } from './project/statusBar';
import { RunsExplorer } from './runs/runsExplorer';
import { redactingLog } from './logging';
import { Settings } from './settings';
import { SourcesTreeDataProvider, type SourcesNode } from './sources/sourcesTreeDataProvider';
import { TemplateDiagnostics } from './templates/templateDiagnostics';
import { TemplatePreviews } from './templates/templatePreviews';
import { TemplateRenderer } from './templates/templateRenderer';

/**
 * Everything the extension's features share, created once in activate(): the settings, the log,
 * the one view of the files (unsaved buffers win), the projects, each project's environment, and
 * the services built on them. Commands are `(ctx) => handler` entries (commands.ts).
 */
export class Context implements vscode.Disposable {
  readonly log: vscode.LogOutputChannel;
  readonly settings = new Settings();
  readonly files: EditorFileHost;
  readonly projects: ProjectManager;
  readonly environments: EnvironmentState;
  readonly diagnostics: DiagnosticsPublisher;
  readonly templateRenderer: TemplateRenderer;
  readonly templateDiagnostics: TemplateDiagnostics;
  readonly templates: TemplatePreviews;
  readonly adf: AdfPreviews;
  readonly dryRuns: DryRunDocuments;
  readonly sources: SourcesTreeDataProvider;
  readonly sourcesView: vscode.TreeView<SourcesNode>;
  readonly pipelines: PipelinesTreeDataProvider;
  readonly pipelinesView: vscode.TreeView<PipelinesNode>;
  readonly statusBar: ProjectStatusBar;
  readonly operations: Operations;
  /** The Lake view (zones → containers → folders → files of the environment's lake) and its previews. */
  readonly lake: LakeView;
  readonly runs: RunsExplorer;
  readonly backfills: BackfillManager;
  readonly builtinTemplatesDir: string;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(readonly extension: vscode.ExtensionContext) {
    const own = <T extends vscode.Disposable>(d: T): T => {
      this.disposables.push(d);
      return d;
    };
    this.log = redactingLog(own(vscode.window.createOutputChannel('Lakehouse Workbench', { log: true })));
    this.builtinTemplatesDir = path.join(extension.extensionPath, 'templates');
    this.files = own(new EditorFileHost());
    this.projects = own(new ProjectManager(this.files, this.settings, this.log));
    this.environments = own(new EnvironmentState(extension.workspaceState, () => this.settings.defaultEnvironment));
    this.diagnostics = own(new DiagnosticsPublisher());
    this.templateRenderer = own(new TemplateRenderer(extension.extensionPath, this.files, this.settings));
    this.templateDiagnostics = own(new TemplateDiagnostics());
    this.templates = own(
      new TemplatePreviews(
        this.projects,
        this.environments,
        this.files,
        this.templateRenderer,
        this.templateDiagnostics,
        this.builtinTemplatesDir,
      ),
    );
    this.adf = own(new AdfPreviews(this.projects, this.environments, this.files));
    this.dryRuns = own(new DryRunDocuments(this.projects));
    this.sources = own(new SourcesTreeDataProvider());
    this.sourcesView = own(
      vscode.window.createTreeView('lakehouse.sources', { treeDataProvider: this.sources, showCollapseAll: true }),
    );
    this.pipelines = own(new PipelinesTreeDataProvider(this.adf, () => this.projects.snapshots));
    this.pipelinesView = own(
      vscode.window.createTreeView('lakehouse.pipelines', { treeDataProvider: this.pipelines, showCollapseAll: true }),
    );
    this.pipelines.attach(this.pipelinesView);
    this.operations = own(new Operations(this));
    this.lake = own(new LakeView(this));
    this.runs = own(new RunsExplorer(this));
    this.backfills = own(new BackfillManager(this));
    this.statusBar = own(new ProjectStatusBar(this));
  }

  get core(): Core {
    return loadCore();
  }

  /** Projects with a lakehouse.yaml (not Data Factory folders checked on their own). */
  get metadataProjects(): ProjectSnapshot[] {
    return this.projects.snapshots.filter(s => !s.adfOnly);
  }

  /**
   * The project the user works in: the one of the active editor (a file of it, or a preview of
   * it), else the first project with a lakehouse.yaml.
   */
  currentProject(): ProjectSnapshot | undefined {
    const uri = vscode.window.activeTextEditor?.document.uri;
    if (uri) {
      const spec = uri.scheme === 'file' ? undefined : (this.templates.specOf(uri) ?? this.adf.specOf(uri));
      const owner =
        uri.scheme === 'file'
          ? (this.projects.projectOf(uri.fsPath) ??
            this.metadataProjects.find(s => this.core.isInside(uri.fsPath, path.dirname(s.rootFile))))
          : spec && 'rootFile' in spec
            ? this.projects.byRoot(spec.rootFile)
            : undefined;
      if (owner && !owner.adfOnly) return owner;
    }
    return this.metadataProjects[0];
  }

  /** A file as the user reads it: relative to the workspace. */
  shown(file: string): string {
    return vscode.workspace.asRelativePath(file);
  }

  dispose(): void {
    for (const d of this.disposables.reverse()) d.dispose();
  }
}
