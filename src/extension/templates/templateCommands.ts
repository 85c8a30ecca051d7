import * as path from 'path';
import * as vscode from 'vscode';
import type { RenderJob } from '../../core/index';
import { loadCore } from '../lazyCore';
import type { ProjectManager } from '../project/projectManager';
import type { SourcesNode } from '../sources/sourcesTreeDataProvider';
import { PREVIEW_SCHEME, type TemplatePreviewManager } from './templatePreviewManager';
import { requireTrust } from '../trust';

function bindingLabel(job: RenderJob): string {
  return job.binding.name ? `${job.binding.kind} ${job.binding.name}` : job.binding.kind;
}

/**
 * "Open Preview": for a template file (choose what it renders for), a Sources item (choose the
 * template), or a notebook with embedded templates. Returns the preview URI (tests use it).
 */
export async function openPreviewCommand(
  previews: TemplatePreviewManager,
  projects: ProjectManager,
  target?: vscode.Uri | SourcesNode,
  pick?: string,
): Promise<vscode.Uri | undefined> {
  if (!(await requireTrust('Previewing templates'))) return undefined;
  await projects.whenIdle();
  const core = loadCore();
  const node = target && !(target instanceof vscode.Uri) ? target : undefined;
  const file =
    target instanceof vscode.Uri
      ? target.fsPath
      : node
        ? undefined
        : vscode.window.activeTextEditor?.document.uri.fsPath;

  const candidates: { label: string; description: string; uri: vscode.Uri }[] = [];
  for (const snapshot of projects.snapshots) {
    for (const job of previews.jobs(snapshot)) {
      const matches = node
        ? (node.kind === 'table' &&
            job.binding.kind === 'table' &&
            job.binding.name?.toLowerCase() === `${node.table.system}.${node.table.qualifiedName}`.toLowerCase()) ||
          (node.kind === 'table' &&
            job.binding.kind === 'table' &&
            job.binding.name?.toLowerCase() === node.table.qualifiedName.toLowerCase())
        : file !== undefined && job.templateFile === file;
      if (!matches) continue;
      candidates.push({
        label: node ? path.basename(job.templateFile) : bindingLabel(job),
        description: vscode.workspace.asRelativePath(job.outputFile),
        uri: previews.previewUri(
          { kind: 'job', rootFile: snapshot.rootFile, jobId: job.id },
          path.basename(job.outputFile),
        ),
      });
    }
  }
  if (file && candidates.length === 0) {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    core.findEmbeddedTemplates(doc.getText(), file).forEach((e, index) =>
      candidates.push({
        label: `${e.name || 'template'} (line ${e.line + 1})`,
        description: 'embedded template',
        uri: previews.previewUri(
          { kind: 'embedded', file, index },
          `${path.basename(file, path.extname(file))}.${e.name || 'template'}.sql`,
        ),
      }),
    );
  }
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage(
      file
        ? `${path.basename(file)} is not bound to anything in lakehouse.yaml (see 'templates'), and holds no embedded Template("""…""").`
        : 'No template renders for this item.',
    );
    return undefined;
  }
  const chosen =
    pick !== undefined
      ? candidates.find(c => c.label === pick || c.description === pick)
      : candidates.length === 1
        ? candidates[0]
        : await vscode.window.showQuickPick(candidates, {
            placeHolder: 'Preview the template rendered for…',
            matchOnDescription: true,
          });
  if (!chosen) return undefined;
  const doc = await vscode.workspace.openTextDocument(chosen.uri);
  await vscode.window.showTextDocument(doc, {
    viewColumn: vscode.ViewColumn.Beside,
    preview: false,
    preserveFocus: true,
  });
  return chosen.uri;
}

/** "Compare with File on Disk": the output on disk on the left, what the template renders now on the right. */
export async function compareWithDiskCommand(previews: TemplatePreviewManager, uri?: vscode.Uri): Promise<void> {
  const previewUri = uri ?? vscode.window.activeTextEditor?.document.uri;
  if (!previewUri || previewUri.scheme !== PREVIEW_SCHEME) {
    void vscode.window.showInformationMessage('Open a template preview first.');
    return;
  }
  const spec = previews.specOf(previewUri);
  const found = spec?.kind === 'job' ? previews.findJob(spec) : undefined;
  if (!found) {
    void vscode.window.showInformationMessage('This preview has no output file to compare with.');
    return;
  }
  const onDisk = vscode.Uri.file(found.job.outputFile);
  try {
    await vscode.workspace.fs.stat(onDisk);
  } catch {
    void vscode.window.showInformationMessage(
      `${vscode.workspace.asRelativePath(onDisk)} does not exist yet: Render All writes it.`,
    );
    return;
  }
  await vscode.commands.executeCommand(
    'vscode.diff',
    onDisk,
    previewUri,
    `${path.basename(onDisk.fsPath)} (on disk) ↔ rendered`,
  );
}

/** "Render All": renders every binding of every project and writes the outputs that changed. */
export async function renderAllCommand(
  previews: TemplatePreviewManager,
  projects: ProjectManager,
  log: vscode.LogOutputChannel,
): Promise<{ written: number; unchanged: number; failed: number } | undefined> {
  if (!(await requireTrust('Rendering templates'))) return undefined;
  await projects.whenIdle();
  const core = loadCore();
  const jobs = projects.snapshots.flatMap(s => previews.jobs(s).map(job => ({ snapshot: s, job })));
  if (jobs.length === 0) {
    void vscode.window.showInformationMessage('No templates are bound in lakehouse.yaml.');
    return { written: 0, unchanged: 0, failed: 0 };
  }
  // As the CLI does: templates render from valid metadata only, and only into the project.
  const withErrors = projects.snapshots.filter(s =>
    [...s.diagnostics.values()].some(list => list.some(d => d.severity === 'error' && s.metadataFiles.has(d.file))),
  );
  if (withErrors.length) {
    const show = 'Show Problems';
    const choice = await vscode.window.showErrorMessage(
      `Lakehouse: templates not rendered: ` +
        `${withErrors.map(s => vscode.workspace.asRelativePath(s.rootFile)).join(', ')} ` +
        `${withErrors.length > 1 ? 'have' : 'has'} errors; templates render from valid metadata ` +
        `only.`,
      show,
    );
    if (choice === show) void vscode.commands.executeCommand('workbench.actions.view.problems');
    return undefined;
  }
  const host = new core.NodeFileHost();
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Rendering templates', cancellable: true },
    async (progress, token) => {
      let written = 0;
      let unchanged = 0;
      let failed = 0;
      for (const [i, { job, snapshot }] of jobs.entries()) {
        if (token.isCancellationRequested) break;
        progress.report({
          message: `${i + 1}/${jobs.length} ${path.basename(job.outputFile)}`,
          increment: 100 / jobs.length,
        });
        const containment = new core.Containment(snapshot.roots, file => host.realPath(file));
        const refused = await core.writeProblem(
          containment,
          job.outputFile,
          vscode.workspace.asRelativePath(job.outputFile),
        );
        if (refused) {
          failed++;
          log.warn(`Not written: ${refused}`);
          continue;
        }
        const uri = previews.previewUri(
          { kind: 'job', rootFile: snapshot.rootFile, jobId: job.id },
          path.basename(job.outputFile),
        );
        const text = await previews.provideTextDocumentContent(uri);
        const result = previews.lastRenderOf(uri)?.result;
        if (!result?.ok) {
          failed++;
          log.warn(`Not written: ${job.outputFile}: ${result && !result.ok ? result.error.message : text}`);
          continue;
        }
        let current: string | undefined;
        try {
          current = await core.readFileIfExists(job.outputFile);
        } catch (e) {
          failed++;
          log.warn(`Not written: ${(e as Error).message}`);
          continue;
        }
        if (current === result.text) {
          unchanged++;
          continue;
        }
        try {
          await core.writeContained(
            containment,
            job.outputFile,
            result.text,
            vscode.workspace.asRelativePath(job.outputFile),
          );
        } catch (e) {
          failed++;
          log.warn(`Not written: ${(e as Error).message}`);
          continue;
        }
        written++;
      }
      const summary =
        `Rendered ${jobs.length} template binding(s): ${written} written, ${unchanged} ` +
        `unchanged${failed ? `, ${failed} failed (see Problems)` : ''}${token.isCancellationRequested ? ' — cancelled' : ''}.`;
      log.info(summary);
      if (failed) void vscode.window.showWarningMessage(summary);
      else void vscode.window.showInformationMessage(summary);
      return { written, unchanged, failed };
    },
  );
}

export async function selectEnvironmentCommand(
  previews: TemplatePreviewManager,
  projects: ProjectManager,
  name?: string,
): Promise<void> {
  const names = [...new Set(projects.snapshots.flatMap(s => s.metadata.environments.map(e => e.name)))];
  const chosen =
    name ??
    (await vscode.window.showQuickPick(names, {
      placeHolder: `Environment templates render for (now: ${previews.environment ?? names[0] ?? 'none'})`,
    }));
  if (chosen !== undefined) await previews.setEnvironment(chosen);
}

/** "Preview rendered template" above each Template("""…""") in a notebook. */
export class EmbeddedTemplateCodeLensProvider implements vscode.CodeLensProvider {
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!document.getText().includes('Template(')) return [];
    return loadCore()
      .findEmbeddedTemplates(document.getText(), document.uri.fsPath)
      .map(e => {
        const line = document.lineAt(Math.min(e.line, document.lineCount - 1)).range;
        return new vscode.CodeLens(line, {
          title: '$(open-preview) Preview rendered template',
          command: 'lakehouse.templates.openPreview',
          arguments: [document.uri],
        });
      });
  }
}
