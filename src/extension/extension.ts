import * as vscode from 'vscode';
import { DiagnosticsPublisher } from './diagnostics/diagnosticsPublisher';
import { QuickFixProvider } from './diagnostics/quickFixProvider';
import { toRange } from './diagnostics/convert';
import { importAdfCommand } from './project/projectCommands';
import { ProjectManager } from './project/projectManager';
import {
  ProblemDecorationProvider,
  SourcesTreeDataProvider,
  type SourcesNode,
} from './sources/sourcesTreeDataProvider';
import type { Diagnostic } from '../core/index';
import {
  compareWithDiskCommand,
  EmbeddedTemplateCodeLensProvider,
  openPreviewCommand,
  renderAllCommand,
  selectEnvironmentCommand,
} from './templates/templateCommands';
import { PREVIEW_SCHEME, TemplatePreviewManager } from './templates/templatePreviewManager';
import { ADF_PREVIEW_SCHEME, AdfPreviewManager } from './adf/adfPreviewManager';
import {
  compareAdfWithDiskCommand,
  generateAdfCommand,
  openAdfJsonCommand,
  previewAdfCommand,
  revealAdfMetadataCommand,
} from './adf/adfCommands';
import { PipelinesTreeDataProvider, type PipelinesNode } from './adf/pipelinesTreeDataProvider';
import { DRY_RUN_SCHEME, DryRunDocuments, dryRunCommand } from './adf/dryRunDocuments';

const moduleLoadedAt = performance.now();

/** What the extension exposes to its tests (and to other extensions). */
export interface LakehouseApi {
  projects: ProjectManager;
  sources: SourcesTreeDataProvider;
  sourcesView: vscode.TreeView<SourcesNode>;
  diagnostics: DiagnosticsPublisher;
  previews: TemplatePreviewManager;
  adfPreviews: AdfPreviewManager;
  pipelines: PipelinesTreeDataProvider;
  pipelinesView: vscode.TreeView<PipelinesNode>;
  /** Milliseconds activate() took. */
  activationMs: number;
  /** Milliseconds from this module's evaluation to the end of activate(): includes whatever else the host did in between (other extensions starting). */
  sinceModuleLoadMs: number;
  /** Resolves once the first validation has been published. */
  ready: Promise<void>;
}

export function activate(context: vscode.ExtensionContext): LakehouseApi {
  const activateStarted = performance.now();
  const log = vscode.window.createOutputChannel('Lakehouse Workbench', { log: true });
  const projects = new ProjectManager(log);
  const diagnostics = new DiagnosticsPublisher();
  const sources = new SourcesTreeDataProvider();
  const previews = new TemplatePreviewManager(projects, log, context.extensionPath, context.workspaceState);
  const sourcesView = vscode.window.createTreeView('lakehouse.sources', {
    treeDataProvider: sources,
    showCollapseAll: true,
  });
  const adfPreviews = new AdfPreviewManager(projects, () => previews.environment);
  const pipelines = new PipelinesTreeDataProvider(adfPreviews, () => projects.snapshots);
  const pipelinesView = vscode.window.createTreeView('lakehouse.pipelines', {
    treeDataProvider: pipelines,
    showCollapseAll: true,
  });
  pipelines.attach(pipelinesView);
  const dryRuns = new DryRunDocuments(projects);
  const setState = (state: string, hasProject: boolean) => {
    void vscode.commands.executeCommand('setContext', 'lakehouse.projectState', state);
    void vscode.commands.executeCommand('setContext', 'lakehouse.hasProject', hasProject);
  };
  setState('loading', false);

  context.subscriptions.push(
    log,
    projects,
    diagnostics,
    sourcesView,
    vscode.window.registerFileDecorationProvider(new ProblemDecorationProvider(sources)),
    vscode.languages.registerCodeActionsProvider(
      [
        { scheme: 'file', language: 'yaml' },
        { scheme: 'file', pattern: '**/*.{yaml,yml}' },
        { scheme: 'file', language: 'json' },
      ],
      new QuickFixProvider(diagnostics),
      { providedCodeActionKinds: QuickFixProvider.kinds },
    ),
    projects.onDidChangeProjects(snapshots => {
      diagnostics.publish(snapshots);
      sources.update(snapshots, projects.state);
      setState(projects.state, snapshots.length > 0);
      const errors = snapshots
        .flatMap(s => [...s.diagnostics.values()].flat())
        .filter(d => d.severity === 'error').length;
      sourcesView.message =
        snapshots.length && errors
          ? `${errors} error${errors > 1 ? 's' : ''} in the project (see Problems)`
          : undefined;
    }),
    vscode.commands.registerCommand('lakehouse.sources.refresh', async () => {
      await projects.discover();
    }),
    vscode.commands.registerCommand('lakehouse.project.validate', async () => {
      await projects.discover();
      const all = projects.snapshots.flatMap(s => [...s.diagnostics.values()].flat());
      const errors = all.filter(d => d.severity === 'error').length;
      const warnings = all.filter(d => d.severity === 'warning').length;
      if (errors || warnings) {
        void vscode.commands.executeCommand('workbench.actions.view.problems');
        void vscode.window.showWarningMessage(
          `Lakehouse: ${errors} error(s) and ${warnings} warning(s), listed in the Problems panel.`,
        );
      } else if (projects.snapshots.length) void vscode.window.showInformationMessage('Lakehouse: no problems found.');
      else void vscode.window.showInformationMessage('Lakehouse: no lakehouse.yaml in this workspace.');
    }),
    vscode.commands.registerCommand('lakehouse.sources.reveal', async (node?: SourcesNode) => {
      const target = node ?? sourcesView.selection[0];
      const location = target && sources.locationOf(target);
      if (!location) return;
      const editor = await vscode.window.showTextDocument(vscode.Uri.file(location.file), {
        preserveFocus: false,
        preview: true,
      });
      editor.selection = new vscode.Selection(location.range.start, location.range.end);
      editor.revealRange(location.range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }),
    vscode.commands.registerCommand('lakehouse.sources.openProblem', async (d?: Diagnostic) => {
      if (!d) return;
      const editor = await vscode.window.showTextDocument(vscode.Uri.file(d.file));
      editor.selection = new vscode.Selection(toRange(d.range).start, toRange(d.range).end);
      editor.revealRange(toRange(d.range));
    }),
    vscode.commands.registerCommand('lakehouse.project.importAdf', (adfFolder?: vscode.Uri, outFile?: vscode.Uri) =>
      importAdfCommand(
        projects,
        log,
        adfFolder instanceof vscode.Uri ? adfFolder : undefined,
        outFile instanceof vscode.Uri ? outFile : undefined,
      ),
    ),
    vscode.commands.registerCommand('lakehouse.showLog', () => log.show()),
    previews,
    vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, previews),
    vscode.languages.registerCodeLensProvider(
      [{ scheme: 'file', language: 'python' }],
      new EmbeddedTemplateCodeLensProvider(),
    ),
    vscode.commands.registerCommand(
      'lakehouse.templates.openPreview',
      (target?: vscode.Uri | SourcesNode, pick?: string) =>
        openPreviewCommand(previews, projects, target, typeof pick === 'string' ? pick : undefined),
    ),
    vscode.commands.registerCommand('lakehouse.templates.compareWithDisk', (uri?: vscode.Uri) =>
      compareWithDiskCommand(previews, uri instanceof vscode.Uri ? uri : undefined),
    ),
    vscode.commands.registerCommand('lakehouse.templates.renderAll', () => renderAllCommand(previews, projects, log)),
    vscode.commands.registerCommand('lakehouse.templates.selectEnvironment', (name?: string) =>
      selectEnvironmentCommand(previews, projects, typeof name === 'string' ? name : undefined),
    ),
    adfPreviews,
    pipelines,
    pipelinesView,
    vscode.workspace.registerTextDocumentContentProvider(ADF_PREVIEW_SCHEME, adfPreviews),
    dryRuns,
    vscode.workspace.registerTextDocumentContentProvider(DRY_RUN_SCHEME, dryRuns),
    vscode.commands.registerCommand(
      'lakehouse.adf.dryRun',
      (target?: PipelinesNode | string, preset?: { parameters?: Record<string, string>; window?: string }) =>
        dryRunCommand(
          dryRuns,
          projects,
          typeof target === 'string' || (target && typeof target === 'object' && 'kind' in target) ? target : undefined,
          preset && typeof preset === 'object' ? preset : undefined,
        ),
    ),
    // The environment also decides the generated values (storage account, workspace URL…).
    previews.onDidChangeEnvironment(() => adfPreviews.forgetPlans()),
    vscode.commands.registerCommand(
      'lakehouse.adf.preview',
      (target?: PipelinesNode | SourcesNode | vscode.Uri, pick?: string) =>
        previewAdfCommand(adfPreviews, projects, target, typeof pick === 'string' ? pick : undefined),
    ),
    vscode.commands.registerCommand('lakehouse.adf.compareWithDisk', (target?: PipelinesNode | vscode.Uri) =>
      compareAdfWithDiskCommand(adfPreviews, projects, target),
    ),
    vscode.commands.registerCommand('lakehouse.adf.openJson', (node?: PipelinesNode) =>
      openAdfJsonCommand(node ?? pipelinesView.selection[0]),
    ),
    vscode.commands.registerCommand('lakehouse.adf.revealMetadata', (node?: PipelinesNode) =>
      revealAdfMetadataCommand(node ?? pipelinesView.selection[0]),
    ),
    vscode.commands.registerCommand('lakehouse.adf.generate', (answer?: 'Overwrite' | 'Keep') =>
      generateAdfCommand(adfPreviews, projects, log, answer === 'Overwrite' || answer === 'Keep' ? answer : undefined),
    ),
  );

  // The first scan runs after activation returns: activation stays cheap and the editor responsive.
  const ready = new Promise<void>(resolve => setTimeout(resolve, 0))
    .then(() => projects.discover())
    .catch(e => {
      log.error(`Loading the lakehouse projects failed: ${(e as Error)?.stack ?? String(e)}`);
    });
  const activationMs = performance.now() - activateStarted;
  const sinceModuleLoadMs = performance.now() - moduleLoadedAt;
  log.info(`Activated in ${activationMs.toFixed(1)} ms (${sinceModuleLoadMs.toFixed(1)} ms since the module loaded)`);
  return {
    projects,
    sources,
    sourcesView,
    diagnostics,
    previews,
    adfPreviews,
    pipelines,
    pipelinesView,
    activationMs,
    sinceModuleLoadMs,
    ready,
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
