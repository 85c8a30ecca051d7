import * as path from 'path';
import * as vscode from 'vscode';
import type { AdfGenerationPlan, ProjectSnapshot } from '../../core/index';
import { toRange } from '../diagnostics/convert';
import { loadCore } from '../lazyCore';
import { requireTrust } from '../trust';
import type { ProjectManager } from '../project/projectManager';
import type { SourcesNode } from '../sources/sourcesTreeDataProvider';
import { ADF_PREVIEW_SCHEME, relativeToRoot, type AdfPreviewManager } from './adfPreviewManager';
import type { PipelinesNode } from './pipelinesTreeDataProvider';

type Target = PipelinesNode | SourcesNode | vscode.Uri | undefined;

function isUri(t: unknown): t is vscode.Uri {
  return t instanceof vscode.Uri;
}

/**
 * "Preview ADF JSON" for a generated pipeline, a source system (its linked service), a table
 * (its entries in the loop parameters) or an artifact file. Returns the preview URI (tests use it).
 */
export async function previewAdfCommand(
  previews: AdfPreviewManager,
  projects: ProjectManager,
  target?: Target,
  pick?: string,
): Promise<vscode.Uri | undefined> {
  await projects.whenIdle();
  const uri = await previewUriFor(previews, projects, target ?? vscode.window.activeTextEditor?.document.uri, pick);
  if (!uri) return undefined;
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc, {
    viewColumn: vscode.ViewColumn.Beside,
    preview: false,
    preserveFocus: true,
  });
  return uri;
}

async function previewUriFor(
  previews: AdfPreviewManager,
  projects: ProjectManager,
  target: Target,
  pick?: string,
): Promise<vscode.Uri | undefined> {
  if (target && !isUri(target) && 'kind' in target) {
    const snapshot = 'snapshot' in target ? target.snapshot : undefined;
    if (!snapshot) return undefined;
    const planned = await previews.planFor(snapshot);
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
        return previews.previewUri({
          kind: 'artifact',
          rootFile: snapshot.rootFile,
          relativePath: file.artifact.relativePath,
        });
      }
      case 'system': {
        const file = files.find(
          f => f.artifact.kind === 'linkedService' && f.artifact.name === target.system.linkedService,
        );
        if (!file) {
          void vscode.window.showInformationMessage(
            `Source system '${target.system.name}' has no generated linked ` +
              `service${target.system.linkedService ? ` ('${target.system.linkedService}')` : ' (set its linkedService)'}.`,
          );
          return undefined;
        }
        return previews.previewUri({
          kind: 'artifact',
          rootFile: snapshot.rootFile,
          relativePath: file.artifact.relativePath,
        });
      }
      case 'table':
        return previews.previewUri({
          kind: 'table',
          rootFile: snapshot.rootFile,
          system: target.table.system,
          table: target.table.qualifiedName,
        });
      default:
        return undefined;
    }
  }
  if (isUri(target) && target.scheme === ADF_PREVIEW_SCHEME) return target;
  // A file of an ADF folder, or nothing: choose among the generated artifacts.
  const candidates: { label: string; description: string; uri: vscode.Uri; file?: string }[] = [];
  for (const snapshot of projects.snapshots) {
    if (snapshot.adfOnly) continue;
    const planned = await previews.planFor(snapshot);
    if (!planned.ok) continue;
    for (const f of planned.plan.files) {
      candidates.push({
        label: f.artifact.name,
        description: `${f.artifact.kind} · ${statusText(f.status)}`,
        file: f.file,
        uri: previews.previewUri({
          kind: 'artifact',
          rootFile: snapshot.rootFile,
          relativePath: f.artifact.relativePath,
        }),
      });
    }
  }
  if (isUri(target) && target.scheme === 'file') {
    const match = candidates.find(c => c.file === target.fsPath);
    if (match) return match.uri;
    const owner = projects.snapshots.find(s => !s.adfOnly && relativeToRoot(s, target.fsPath));
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
  const chosen =
    pick !== undefined
      ? candidates.find(c => c.label === pick)
      : await vscode.window.showQuickPick(candidates, {
          placeHolder: 'Preview the generated ADF JSON of…',
          matchOnDescription: true,
        });
  return chosen?.uri;
}

function statusText(status: string): string {
  return status === 'create'
    ? 'not written yet'
    : status === 'update'
      ? 'out of date'
      : status === 'conflict'
        ? 'edited by hand'
        : 'up to date';
}

/** "Open JSON": the pipeline's file, at its name (or at a parameter's declaration). */
export async function openAdfJsonCommand(node?: PipelinesNode): Promise<void> {
  if (!node || (node.kind !== 'pipeline' && node.kind !== 'parameter') || !node.file) return;
  const file = node.file;
  const span = loadCore().jsonSpan(
    file,
    node.kind === 'pipeline' ? ['name'] : ['properties', 'parameters', node.name],
    node.kind === 'pipeline' ? 'value' : 'key',
  );
  const editor = await vscode.window.showTextDocument(vscode.Uri.file(file.file), { preview: true });
  if (span) {
    const range = toRange(file.lines.rangeOf(span));
    editor.selection = new vscode.Selection(range.start, range.end);
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }
}

/** "Compare with File on Disk": the artifact on disk on the left, what generation writes on the right. */
export async function compareAdfWithDiskCommand(
  previews: AdfPreviewManager,
  projects: ProjectManager,
  target?: PipelinesNode | vscode.Uri,
): Promise<void> {
  const uri =
    isUri(target) && target.scheme === ADF_PREVIEW_SCHEME
      ? target
      : await previewUriFor(previews, projects, target ?? vscode.window.activeTextEditor?.document.uri);
  if (!uri) return;
  const file = await previews.fileOf(uri);
  if (!file) {
    void vscode.window.showInformationMessage('This preview has no file to compare with.');
    return;
  }
  if (file.status === 'create') {
    void vscode.window.showInformationMessage(
      `${vscode.workspace.asRelativePath(file.file)} does not exist yet: Generate ADF Artifacts writes it.`,
    );
    return;
  }
  await vscode.commands.executeCommand(
    'vscode.diff',
    vscode.Uri.file(file.file),
    uri,
    `${path.basename(file.file)} (on disk) ↔ generated`,
  );
}

/** "Reveal Source Metadata": where in lakehouse.yaml a generated pipeline (or parameter) comes from. */
export async function revealAdfMetadataCommand(node?: PipelinesNode): Promise<void> {
  if (!node || (node.kind !== 'pipeline' && node.kind !== 'parameter')) return;
  const snapshot = node.snapshot;
  const generated =
    node.kind === 'pipeline' ? !!node.plan : node.owned || (node.parent?.kind === 'pipeline' && !!node.parent.plan);
  const origin = loadCore().metadataOriginOf(
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
  const range = toRange(snapshot.locator.range(origin, undefined));
  const editor = await vscode.window.showTextDocument(vscode.Uri.file(origin.file), { preview: true });
  editor.selection = new vscode.Selection(range.start, range.start);
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

export interface GenerateResult {
  written: number;
  unchanged: number;
  refused: number;
}

/**
 * "Generate ADF Artifacts": writes what the metadata generates into each project's ADF folder,
 * asking before it overwrites values edited by hand (or files it does not recognise).
 */
export async function generateAdfCommand(
  previews: AdfPreviewManager,
  projects: ProjectManager,
  log: vscode.LogOutputChannel,
  answer?: 'Overwrite' | 'Keep',
): Promise<GenerateResult | undefined> {
  if (
    !(await requireTrust('Generating ADF artifacts', 'it writes files whose names and paths come from this workspace'))
  )
    return undefined;
  await projects.whenIdle();
  const core = loadCore();
  const snapshots = projects.snapshots.filter(s => !s.adfOnly);
  if (snapshots.length === 0) {
    void vscode.window.showInformationMessage(
      'Lakehouse: no lakehouse.yaml in this workspace, so nothing is generated.',
    );
    return undefined;
  }
  const plans: { snapshot: ProjectSnapshot; plan: AdfGenerationPlan }[] = [];
  for (const snapshot of snapshots) {
    const planned = await previews.planFor(snapshot);
    if (planned.ok) {
      plans.push({ snapshot, plan: planned.plan });
      continue;
    }
    const show = 'Show Problems';
    const choice = await vscode.window.showErrorMessage(
      `Lakehouse: ADF artifacts not generated for ${vscode.workspace.asRelativePath(snapshot.rootFile)}. ${planned.message}`,
      ...(planned.reason === 'metadata-errors' ? [show] : []),
    );
    if (choice === show) void vscode.commands.executeCommand('workbench.actions.view.problems');
  }
  if (plans.length === 0) return undefined;
  const conflicts = plans.flatMap(p => core.conflictsOf(p.plan));
  let force = false;
  if (conflicts.length) {
    const list = conflicts
      .slice(0, 6)
      .map(f => `${vscode.workspace.asRelativePath(f.file)}: ${f.conflict?.message ?? ''}`)
      .join('\n');
    const overwrite = 'Overwrite';
    const compare = 'Compare First';
    const choice =
      answer ??
      (await vscode.window.showWarningMessage(
        `${conflicts.length} generated file(s) were changed outside Lakehouse Workbench in values the metadata owns. Overwriting loses those changes.`,
        {
          modal: true,
          detail: `${list}${conflicts.length > 6 ? '\n…' : ''}\n\nPut such values in lakehouse.yaml (the adf section) to keep them.`,
        },
        overwrite,
        compare,
      ));
    if (choice === compare) {
      const first = conflicts[0]!;
      const owner = plans.find(p => p.plan.files.includes(first))!;
      const uri = previews.previewUri({
        kind: 'artifact',
        rootFile: owner.snapshot.rootFile,
        relativePath: first.artifact.relativePath,
      });
      await vscode.commands.executeCommand(
        'vscode.diff',
        vscode.Uri.file(first.file),
        uri,
        `${path.basename(first.file)} (on disk) ↔ generated`,
      );
      return { written: 0, unchanged: 0, refused: conflicts.length };
    }
    if (choice !== overwrite) return { written: 0, unchanged: 0, refused: conflicts.length };
    force = true;
  }
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Generating ADF artifacts' },
    async () => {
      const result: GenerateResult = { written: 0, unchanged: 0, refused: 0 };
      const host = new core.NodeFileHost();
      for (const { snapshot, plan } of plans) {
        const containment = new core.Containment(snapshot.roots, file => host.realPath(file));
        let report;
        try {
          report = await core.writeAdfPlan(plan, {
            force,
            write: (file, text) => core.writeContained(containment, file, text, vscode.workspace.asRelativePath(file)),
          });
        } catch (e) {
          if (!(e instanceof core.WriteRefusedError)) throw e;
          log.error(`${vscode.workspace.asRelativePath(snapshot.rootFile)}: ${e.message}`);
          void vscode.window.showErrorMessage(`Lakehouse: ${e.message}`);
          continue;
        }
        result.written += report.written.length;
        result.unchanged += report.unchanged.length;
        result.refused += report.refused.length;
        for (const f of report.written)
          log.info(
            `Generated ${vscode.workspace.asRelativePath(f.file)} (${f.status === 'create' ? 'created' : f.status === 'conflict' ? 'overwritten' : 'updated'})`,
          );
        for (const note of plan.notes) log.warn(`${vscode.workspace.asRelativePath(snapshot.rootFile)}: ${note}`);
        for (const stale of plan.stale)
          log.warn(`${vscode.workspace.asRelativePath(stale)} is no longer generated; delete it if nothing uses it.`);
      }
      const environments = [...new Set(plans.map(p => p.plan.environment))].join(', ');
      const notes = plans.reduce((n, p) => n + p.plan.notes.length, 0);
      const summary =
        `Generated ADF artifacts (environment ${environments}): ${result.written} written, ` +
        `${result.unchanged} unchanged${notes ? `; ${notes} note(s) in the log` : ''}.`;
      log.info(summary);
      void vscode.window.showInformationMessage(summary, ...(notes ? ['Show Log'] : [])).then(c => {
        if (c === 'Show Log') log.show();
      });
      // Re-read what was written now, rather than when the file watcher gets to it.
      await projects.filesChanged(
        plans.flatMap(p => [p.plan.adfRoot, ...p.plan.files.map(f => f.file), p.plan.fingerprints.file]),
      );
      previews.forgetPlans();
      return result;
    },
  );
}
