import * as path from 'path';
import * as vscode from 'vscode';
import type { AdfFilePlan, AdfGenerationPlan, ProjectSnapshot } from '../../core/index';
import type { Context } from '../context';
import { showRange } from '../editor/reveal';
import { confirmProtectedEnvironment, offerProblems, reportWritten } from '../editor/results';
import { review } from '../editor/review';
import { describeGeneration, statusText } from '../presentation/generation';
import type { SourcesNode } from '../sources/sourcesTreeDataProvider';
import { requireTrust } from '../trust';
import { ADF_PREVIEW_SCHEME, relativeToRoot } from './adfPreviews';
import type { PipelinesNode } from './pipelinesTreeDataProvider';

type Target = PipelinesNode | SourcesNode | vscode.Uri | undefined;

function isUri(t: unknown): t is vscode.Uri {
  return t instanceof vscode.Uri;
}

/**
 * "Preview ADF JSON" for a generated pipeline, a source system (its linked service), a table
 * (its entries in the loop parameters) or an artifact file; with nothing, choose an artifact.
 */
export async function preview(ctx: Context, target?: Target): Promise<vscode.Uri | undefined> {
  await ctx.projects.whenIdle();
  const uri = await previewUriFor(ctx, target ?? vscode.window.activeTextEditor?.document.uri);
  if (!uri) return undefined;
  await vscode.window.showTextDocument(uri, {
    viewColumn: vscode.ViewColumn.Beside,
    preview: false,
    preserveFocus: true,
  });
  return uri;
}

async function previewUriFor(ctx: Context, target: Target): Promise<vscode.Uri | undefined> {
  if (target && !isUri(target) && 'kind' in target) {
    const snapshot = 'snapshot' in target ? target.snapshot : undefined;
    if (!snapshot) return undefined;
    const planned = await ctx.adf.planFor(snapshot);
    if (!planned.ok) {
      void vscode.window.showWarningMessage(`Lakehouse: ${planned.message}`);
      return undefined;
    }
    const files = planned.plan.files;
    switch (target.kind) {
      case 'pipeline':
      case 'parameter': {
        const name = target.kind === 'pipeline' ? target.name : target.pipeline;
        const file = files.find(f => f.artifact.kind === 'pipeline' && f.artifact.name === name);
        if (!file) {
          void vscode.window.showInformationMessage(
            `Pipeline '${name}' is not generated from lakehouse.yaml; Open JSON shows it as it is.`,
          );
          return undefined;
        }
        return ctx.adf.artifactUri(snapshot, file);
      }
      case 'system': {
        const file = files.find(
          f => f.artifact.kind === 'linkedService' && f.artifact.name === target.system.linkedService,
        );
        if (!file) {
          void vscode.window.showInformationMessage(
            `Source system '${target.system.name}' has no generated linked service` +
              `${target.system.linkedService ? ` ('${target.system.linkedService}')` : ' (set its linkedService)'}.`,
          );
          return undefined;
        }
        return ctx.adf.artifactUri(snapshot, file);
      }
      case 'table':
        return ctx.adf.tableUri(snapshot, target.table.system, target.table.qualifiedName);
      default:
        return undefined;
    }
  }
  if (isUri(target) && target.scheme === ADF_PREVIEW_SCHEME) return target;
  // A file of an ADF folder, or nothing: choose among the generated artifacts.
  const candidates: (vscode.QuickPickItem & { uri: vscode.Uri; file: string })[] = [];
  for (const snapshot of ctx.metadataProjects) {
    const planned = await ctx.adf.planFor(snapshot);
    if (!planned.ok) continue;
    for (const f of planned.plan.files) {
      candidates.push({
        label: f.artifact.name,
        description: `${f.artifact.kind} · ${statusText(f.status)} · ${planned.plan.environment}`,
        file: f.file,
        uri: ctx.adf.artifactUri(snapshot, f),
      });
    }
  }
  if (isUri(target) && target.scheme === 'file') {
    const match = candidates.find(c => c.file === target.fsPath);
    if (match) return match.uri;
    const owner = ctx.metadataProjects.find(s => relativeToRoot(s, target.fsPath));
    void vscode.window.showInformationMessage(
      owner
        ? `${path.basename(target.fsPath)} is not generated from lakehouse.yaml: nothing to preview.`
        : `${path.basename(target.fsPath)} is not in the ADF folder of a lakehouse project.`,
    );
    return undefined;
  }
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage(
      'Nothing is generated: no lakehouse.yaml with valid metadata in this workspace.',
    );
    return undefined;
  }
  const chosen = await vscode.window.showQuickPick(candidates, {
    placeHolder: 'Preview the generated ADF JSON of…',
    matchOnDescription: true,
  });
  return chosen?.uri;
}

/** "Open JSON": the pipeline's file, at its name (or at a parameter's declaration). */
export async function openJson(ctx: Context, node?: PipelinesNode): Promise<void> {
  node ??= ctx.pipelinesView.selection[0];
  if (!node || (node.kind !== 'pipeline' && node.kind !== 'parameter') || !node.file) return;
  const file = node.file;
  const span = ctx.core.jsonSpan(
    file,
    node.kind === 'pipeline' ? ['name'] : ['properties', 'parameters', node.name],
    node.kind === 'pipeline' ? 'value' : 'key',
  );
  await showRange(file.file, span && file.lines.rangeOf(span));
}

/** "Compare with File on Disk": the artifact on disk on the left, what generation writes on the right. */
export async function compareWithDisk(ctx: Context, target?: PipelinesNode | vscode.Uri): Promise<void> {
  const uri =
    isUri(target) && target.scheme === ADF_PREVIEW_SCHEME
      ? target
      : await previewUriFor(ctx, target ?? vscode.window.activeTextEditor?.document.uri);
  if (!uri) return;
  const file = await ctx.adf.fileOf(uri);
  if (!file) {
    void vscode.window.showInformationMessage('This preview has no file to compare with.');
    return;
  }
  if (file.status === 'create') {
    void vscode.window.showInformationMessage(
      `${ctx.shown(file.file)} does not exist yet: Generate ADF Artifacts writes it.`,
    );
    return;
  }
  await vscode.commands.executeCommand(
    'vscode.diff',
    vscode.Uri.file(file.file),
    uri,
    `${path.basename(file.file)} (on disk) ↔ generated for ${ctx.adf.specOf(uri)?.environment ?? 'the environment'}`,
  );
}

/** "Reveal Source Metadata": where in lakehouse.yaml a generated pipeline (or parameter) comes from. */
export async function revealMetadata(ctx: Context, node?: PipelinesNode): Promise<void> {
  node ??= ctx.pipelinesView.selection[0];
  if (!node || (node.kind !== 'pipeline' && node.kind !== 'parameter')) return;
  const snapshot = node.snapshot;
  const generated =
    node.kind === 'pipeline' ? !!node.plan : node.owned || (node.parent?.kind === 'pipeline' && !!node.parent.plan);
  const origin = ctx.core.metadataOriginOf(
    snapshot,
    node.kind === 'pipeline'
      ? { pipeline: node.name, generated }
      : { pipeline: node.pipeline, parameter: node.name, generated },
  );
  if (!origin) {
    void vscode.window.showInformationMessage(
      `'${node.kind === 'pipeline' ? node.name : node.pipeline}' is not generated from lakehouse.yaml.`,
    );
    return;
  }
  await showRange(origin.file, snapshot.locator.range(origin, undefined), { select: 'start' });
}

export interface GenerateResult {
  written: number;
  unchanged: number;
  refused: number;
}

interface ProjectPlan {
  snapshot: ProjectSnapshot;
  plan: AdfGenerationPlan;
}

/**
 * "Generate ADF Artifacts": shows what it will write for each project's environment (with the
 * diffs on request), asks before writing, and before anything for a protected environment; then
 * writes, logs every file, and offers them.
 */
export async function generate(ctx: Context): Promise<GenerateResult | undefined> {
  if (
    !(await requireTrust('Generating ADF artifacts', 'it writes files whose names and paths come from this workspace'))
  )
    return undefined;
  await ctx.projects.whenIdle();
  const snapshots = ctx.metadataProjects;
  if (snapshots.length === 0) {
    void vscode.window.showInformationMessage(
      'Lakehouse: no lakehouse.yaml in this workspace, so nothing is generated.',
    );
    return undefined;
  }
  const plans: ProjectPlan[] = [];
  for (const snapshot of snapshots) {
    const planned = await ctx.adf.planFor(snapshot);
    if (planned.ok) plans.push({ snapshot, plan: planned.plan });
    else {
      ctx.log.error(`Generate ADF Artifacts: ${ctx.shown(snapshot.rootFile)}: ${planned.message}`);
      offerProblems(
        `Lakehouse: ADF artifacts not generated for ${ctx.shown(snapshot.rootFile)}. ${planned.message}`,
        planned.reason === 'metadata-errors',
      );
    }
  }
  if (plans.length === 0) return undefined;
  const changes = plans.flatMap(p => p.plan.files.filter(f => f.status !== 'unchanged').map(file => ({ ...p, file })));
  const unchanged = plans.reduce((n, p) => n + p.plan.files.length, 0) - changes.length;
  if (changes.length === 0) {
    const summary = `Generated ADF artifacts are up to date (${describeEnvironments(plans)}): ${unchanged} unchanged.`;
    ctx.log.info(summary);
    void vscode.window.showInformationMessage(`Lakehouse: ${summary}`);
    return { written: 0, unchanged, refused: 0 };
  }
  const description = describeGeneration(
    plans.map(p => ({
      project: ctx.shown(p.snapshot.rootFile),
      environment: p.plan.environment,
      protected: !!p.snapshot.metadata.environments.find(e => e.name === p.plan.environment)?.protected,
      files: p.plan.files.map(f => ({
        file: ctx.shown(f.file),
        status: f.status,
        ...(f.conflict ? { conflict: f.conflict.message } : {}),
      })),
    })),
  );
  const answer = await reviewGeneration(ctx, description, changes);
  if (answer !== 'write') {
    ctx.log.info('Generate ADF Artifacts: cancelled, nothing written.');
    return { written: 0, unchanged, refused: changes.length };
  }
  const protectedEnvironments = [
    ...new Set(plans.filter(p => description.protected.includes(p.plan.environment)).map(p => p.plan.environment)),
  ];
  for (const environment of protectedEnvironments)
    if (!(await confirmProtectedEnvironment(environment, 'Generate ADF Artifacts')))
      return { written: 0, unchanged, refused: changes.length };
  return writePlans(ctx, plans);
}

type Change = ProjectPlan & { file: AdfFilePlan };

const STATUS_ICON: Record<string, string> = {
  create: '$(diff-added)',
  conflict: '$(warning)',
  update: '$(diff-modified)',
};

/** What will be written, for review before anything is (see review()): every file that changes. */
async function reviewGeneration(
  ctx: Context,
  description: ReturnType<typeof describeGeneration>,
  changes: readonly Change[],
): Promise<'write' | 'cancel'> {
  const proceed = await review<Change>({
    title: `Generate ADF Artifacts: ${description.message}`,
    placeholder: 'Review what will be written: choose a file to see its diff',
    proceed: `$(files) ${description.writeLabel}`,
    diffs: 'every change, on disk ↔ generated',
    cancel: 'write nothing',
    sections: [
      {
        label: 'Files',
        items: changes.map(change => ({
          label: `${STATUS_ICON[change.file.status] ?? '$(diff-modified)'} ${ctx.shown(change.file.file)}`,
          description: statusText(change.file.status),
          ...(change.file.conflict ? { detail: change.file.conflict.message } : {}),
          value: change,
        })),
      },
    ],
    open: change => void showDiffs(ctx, [change], true),
    showDiffs: () => void showDiffs(ctx, changes, true),
  });
  return proceed ? 'write' : 'cancel';
}

function describeEnvironments(plans: readonly ProjectPlan[]): string {
  return `environment ${[...new Set(plans.map(p => p.plan.environment))].join(', ')}`;
}

/** The changes in one multi-file diff editor (one change: a diff editor): the file on disk ↔ what generation writes. */
async function showDiffs(ctx: Context, changes: readonly Change[], preserveFocus = false): Promise<void> {
  if (changes.length === 1) {
    const [c] = changes;
    const generated = ctx.adf.artifactUri(c!.snapshot, c!.file);
    if (c!.file.status === 'create') {
      await vscode.window.showTextDocument(generated, {
        preview: true,
        preserveFocus,
        viewColumn: vscode.ViewColumn.Beside,
      });
      return;
    }
    await vscode.commands.executeCommand(
      'vscode.diff',
      vscode.Uri.file(c!.file.file),
      generated,
      `${path.basename(c!.file.file)} (on disk) ↔ generated for ${c!.plan.environment}`,
      { preview: true, preserveFocus, viewColumn: vscode.ViewColumn.Beside },
    );
    return;
  }
  const resources = changes.map(c => {
    const generated = ctx.adf.artifactUri(c.snapshot, c.file);
    const onDisk = vscode.Uri.file(c.file.file);
    return [onDisk, c.file.status === 'create' ? undefined : onDisk, generated] as const;
  });
  try {
    await vscode.commands.executeCommand('vscode.changes', 'Generate ADF Artifacts: on disk ↔ generated', resources);
  } catch {
    // An older host without the multi-diff editor: one diff per file.
    for (const [onDisk, original, generated] of resources.slice(0, 10))
      await vscode.commands.executeCommand(
        'vscode.diff',
        original ?? vscode.Uri.parse('untitled:' + path.basename(onDisk.fsPath)),
        generated,
        `${path.basename(onDisk.fsPath)} (on disk) ↔ generated`,
        { preview: false },
      );
  }
}

async function writePlans(ctx: Context, plans: readonly ProjectPlan[]): Promise<GenerateResult> {
  const core = ctx.core;
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Generating ADF artifacts' },
    async () => {
      const result: GenerateResult = { written: 0, unchanged: 0, refused: 0 };
      const written: string[] = [];
      for (const { snapshot, plan } of plans) {
        const containment = new core.Containment(snapshot.roots, file => ctx.files.realPath(file));
        let report;
        try {
          report = await core.writeAdfPlan(plan, {
            // The user saw the hand edits in the confirmation and chose to overwrite them.
            force: true,
            write: (file, text) => core.writeContained(containment, file, text, ctx.shown(file), ctx.files),
          });
        } catch (e) {
          if (!(e instanceof core.WriteRefusedError)) throw e;
          ctx.log.error(`${ctx.shown(snapshot.rootFile)}: ${e.message}`);
          void vscode.window.showErrorMessage(`Lakehouse: ${e.message}`);
          continue;
        }
        result.written += report.written.length;
        result.unchanged += report.unchanged.length;
        result.refused += report.refused.length;
        for (const f of report.written) {
          written.push(f.file);
          const how = f.status === 'create' ? 'created' : f.status === 'conflict' ? 'overwritten' : 'updated';
          ctx.log.info(`Generated ${ctx.shown(f.file)} (${how}, environment ${plan.environment})`);
        }
        for (const note of plan.notes) ctx.log.warn(`${ctx.shown(snapshot.rootFile)}: ${note}`);
        for (const stale of plan.stale)
          ctx.log.warn(`${ctx.shown(stale)} is no longer generated; delete it if nothing uses it.`);
      }
      const notes = plans.reduce((n, p) => n + p.plan.notes.length, 0);
      // Re-read what was written now, rather than when the file watcher gets to it.
      await ctx.projects.filesChanged(
        plans.flatMap(p => [p.plan.adfRoot, ...p.plan.files.map(f => f.file), p.plan.fingerprints.file]),
      );
      ctx.adf.forgetPlans();
      const summary =
        `Generated ADF artifacts (${describeEnvironments(plans)}): ${result.written} written, ` +
        `${result.unchanged} unchanged${notes ? `; ${notes} note(s) in the log` : ''}.`;
      reportWritten(ctx, summary, written, notes > 0);
      return result;
    },
  );
}
