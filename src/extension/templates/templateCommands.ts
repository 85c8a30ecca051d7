import * as path from 'path';
import * as vscode from 'vscode';
import type { OutputCheck, ProjectSnapshot, RenderJob } from '../../core/index';
import type { Context } from '../context';
import { confirmProtectedEnvironment, offerProblems, reportWritten } from '../editor/results';
import { bindingLabel, plural } from '../presentation/names';
import type { SourcesNode } from '../sources/sourcesTreeDataProvider';
import { requireTrust } from '../trust';
import { PREVIEW_SCHEME } from './templatePreviews';

interface PreviewChoice extends vscode.QuickPickItem {
  uri: vscode.Uri;
}

function jobMatchesTable(job: RenderJob, node: Extract<SourcesNode, { kind: 'table' }>): boolean {
  if (job.binding.kind !== 'table') return false;
  const name = job.binding.name?.toLowerCase();
  return (
    name === `${node.table.system}.${node.table.qualifiedName}`.toLowerCase() ||
    name === node.table.qualifiedName.toLowerCase()
  );
}

/**
 * "Open Preview to the Side": for a template file (choose what it renders for), a Sources table
 * (choose the template), or a notebook with embedded templates.
 */
export async function openPreview(ctx: Context, target?: vscode.Uri | SourcesNode): Promise<vscode.Uri | undefined> {
  if (!(await requireTrust('Previewing templates'))) return undefined;
  await ctx.projects.whenIdle();
  const node = target && !(target instanceof vscode.Uri) ? target : undefined;
  const file =
    target instanceof vscode.Uri
      ? target.fsPath
      : node
        ? undefined
        : vscode.window.activeTextEditor?.document.uri.fsPath;

  const candidates: PreviewChoice[] = [];
  for (const snapshot of ctx.metadataProjects) {
    const environment = ctx.environments.nameOf(snapshot) ?? 'dev';
    for (const job of await ctx.templates.jobs(snapshot)) {
      const matches = node ? node.kind === 'table' && jobMatchesTable(job, node) : job.templateFile === file;
      if (!matches) continue;
      candidates.push({
        label: node ? path.basename(job.templateFile) : bindingLabel(job.binding),
        description: ctx.shown(job.outputFile),
        detail: `environment ${environment}`,
        uri: ctx.templates.uriForJob(snapshot, job),
      });
    }
  }
  if (file && candidates.length === 0) {
    let text: string | undefined;
    try {
      text = await ctx.files.readText(file);
    } catch (e) {
      void vscode.window.showWarningMessage(`Lakehouse: ${path.basename(file)}: ${(e as Error).message}`);
      return undefined;
    }
    ctx.core.findEmbeddedTemplates(text ?? '', file).forEach((e, index) =>
      candidates.push({
        label: `${e.name || 'template'} (line ${e.line + 1})`,
        description: 'embedded template',
        uri: ctx.templates.uriForEmbedded(file, index, e.name),
      }),
    );
  }
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage(
      file
        ? `${path.basename(file)} is not bound to anything in lakehouse.yaml (see 'templates'), ` +
            `and holds no embedded Template("""…""").`
        : 'No template renders for this item.',
    );
    return undefined;
  }
  const chosen =
    candidates.length === 1
      ? candidates[0]
      : await vscode.window.showQuickPick(candidates, {
          placeHolder: 'Preview the template rendered for…',
          matchOnDescription: true,
        });
  if (!chosen) return undefined;
  await vscode.window.showTextDocument(chosen.uri, {
    viewColumn: vscode.ViewColumn.Beside,
    preview: false,
    preserveFocus: true,
  });
  return chosen.uri;
}

/** "Compare with File on Disk": the output on disk on the left, what the template renders now on the right. */
export async function compareWithDisk(ctx: Context, uri?: vscode.Uri): Promise<void> {
  const previewUri = uri ?? vscode.window.activeTextEditor?.document.uri;
  if (!previewUri || previewUri.scheme !== PREVIEW_SCHEME) {
    void vscode.window.showInformationMessage('Open a template preview first.');
    return;
  }
  const spec = ctx.templates.specOf(previewUri);
  const found = spec?.kind === 'job' ? await ctx.templates.findJob(spec) : undefined;
  if (!found) {
    void vscode.window.showInformationMessage('This preview has no output file to compare with.');
    return;
  }
  const onDisk = vscode.Uri.file(found.job.outputFile);
  try {
    await vscode.workspace.fs.stat(onDisk);
  } catch {
    void vscode.window.showInformationMessage(`${ctx.shown(onDisk.fsPath)} does not exist yet: Render All writes it.`);
    return;
  }
  await vscode.commands.executeCommand(
    'vscode.diff',
    onDisk,
    previewUri,
    `${path.basename(onDisk.fsPath)} (on disk) ↔ rendered for ${spec?.kind === 'job' ? spec.environment : ''}`,
  );
}

export interface RenderAllResult {
  written: number;
  unchanged: number;
  failed: number;
}

class Cancelled extends Error {}

/**
 * "Render All Templates": every binding of every project, for its environment, through the core's
 * planProjectRenders / renderJobs / checkOutputs / writeOutputs, as `lakehouse render` does.
 * Everything renders first; only then are the outputs that changed written (cancel writes nothing).
 */
export async function renderAll(ctx: Context): Promise<RenderAllResult | undefined> {
  if (!(await requireTrust('Rendering templates'))) return undefined;
  await ctx.projects.whenIdle();
  const core = ctx.core;
  const planned: { snapshot: ProjectSnapshot; environment: string; jobs: RenderJob[] }[] = [];
  for (const snapshot of ctx.metadataProjects) {
    const containment = new core.Containment(snapshot.roots, file => ctx.files.realPath(file));
    const environment = ctx.environments.nameOf(snapshot);
    const plan = await core.planProjectRenders(snapshot, {
      builtinTemplatesDir: ctx.builtinTemplatesDir,
      containment,
      host: ctx.files,
      shown: file => ctx.shown(file),
      pause: core.timeSlicer(),
      ...(environment !== undefined ? { environment } : {}),
    });
    if (!plan.ok) {
      ctx.log.error(`Render All: ${ctx.shown(snapshot.rootFile)}: ${plan.message}`);
      offerProblems(
        `Lakehouse: templates not rendered for ${ctx.shown(snapshot.rootFile)}. ${plan.message}`,
        plan.reason === 'metadata-errors',
      );
      continue;
    }
    for (const { reason } of plan.refused) ctx.log.warn(`Render All: not rendered: ${reason}`);
    if (plan.jobs.length) planned.push({ snapshot, environment: plan.environment, jobs: plan.jobs });
  }
  if (planned.length === 0) {
    if (ctx.metadataProjects.length) void vscode.window.showInformationMessage('Lakehouse: no templates to render.');
    return { written: 0, unchanged: 0, failed: 0 };
  }
  for (const p of planned) {
    const environment = p.snapshot.metadata.environments.find(e => e.name === p.environment);
    if (environment?.protected && !(await confirmProtectedEnvironment(p.environment, 'Render the templates')))
      return undefined;
  }
  const total = planned.reduce((n, p) => n + p.jobs.length, 0);
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Rendering templates', cancellable: true },
    async (progress, token) => {
      const result: RenderAllResult = { written: 0, unchanged: 0, failed: 0 };
      const checked: { snapshot: ProjectSnapshot; environment: string; checks: OutputCheck[] }[] = [];
      let done = 0;
      try {
        for (const p of planned) {
          const outcomes = await core.renderJobs(p.jobs, job => {
            if (token.isCancellationRequested) throw new Cancelled();
            progress.report({ message: `${++done}/${total} ${path.basename(job.outputFile)}`, increment: 100 / total });
            return ctx.templateRenderer.renderJob(job);
          });
          checked.push({ ...p, checks: await core.checkOutputs(p.jobs, outcomes, ctx.files) });
        }
      } catch (e) {
        if (!(e instanceof Cancelled)) throw e;
        ctx.log.info('Render All cancelled: nothing was written.');
        return undefined;
      }
      const written: string[] = [];
      for (const { snapshot, environment, checks } of checked) {
        const containment = new core.Containment(snapshot.roots, file => ctx.files.realPath(file));
        // Every write checked against the project's folders; an output with unsaved changes is refused.
        const report = await core.writeOutputs(
          checks,
          core.containedHost(ctx.files, containment, f => ctx.shown(f)),
        );
        for (const c of report.written) {
          written.push(c.job.outputFile);
          ctx.log.info(`Rendered ${ctx.shown(c.job.outputFile)} (${bindingLabel(c.job.binding)}, ${environment})`);
        }
        for (const c of report.failed)
          ctx.log.warn(
            `Not written: ${ctx.shown(c.job.outputFile)}: ${c.writeError ?? c.error?.message ?? 'it did not render'}` +
              `${c.error?.file ? ` (${ctx.shown(c.error.file)}${c.error.line ? `:${c.error.line}` : ''})` : ''}`,
          );
        result.written += report.written.length;
        result.unchanged += report.unchanged.length;
        result.failed += report.failed.length;
      }
      await ctx.projects.filesChanged(written);
      const environments = [...new Set(checked.map(c => c.environment))].join(', ');
      const summary =
        `Rendered ${plural(total, 'template binding')} for ${environments}: ${result.written} written, ` +
        `${result.unchanged} unchanged${result.failed ? `, ${result.failed} failed (see the log)` : ''}.`;
      reportWritten(ctx, summary, written, result.failed > 0);
      return result;
    },
  );
}

/** "Preview rendered template" above each Template("""…""") in a notebook. */
export class EmbeddedTemplateCodeLensProvider implements vscode.CodeLensProvider {
  constructor(private readonly ctx: Context) {}

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!document.getText().includes('Template(')) return [];
    return this.ctx.core.findEmbeddedTemplates(document.getText(), document.uri.fsPath).map(e => {
      const line = document.lineAt(Math.min(e.line, document.lineCount - 1)).range;
      return new vscode.CodeLens(line, {
        title: '$(open-preview) Preview rendered template',
        command: 'lakehouse.templates.openPreview',
        arguments: [document.uri],
      });
    });
  }
}
