import * as vscode from 'vscode';
import type { ProjectSnapshot } from '../../core/index';
import { loadCore } from '../lazyCore';
import type { Context } from '../context';
import type { ProjectManager } from '../project/projectManager';
import { specOfUri, virtualDocumentUri } from '../virtualDocuments';
import type { PipelinesNode } from './pipelinesTreeDataProvider';

export const DRY_RUN_SCHEME = 'lakehouse-dryrun';

/** What a dry run document shows: a pipeline of a project's Data Factory, with its parameters and window. */
export interface DryRunSpec {
  /** The project's root file (lakehouse.yaml, or the ADF folder of an ADF-only project). */
  rootFile: string;
  pipeline: string;
  parameters: Record<string, string>;
  window?: { start: string; end: string };
}

/**
 * Read-only documents with the dry run of a pipeline (the report `lakehouse dry-run` prints),
 * recomputed whenever the project changes (an edit of the pipeline's JSON, saved or not).
 */
export class DryRunDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly projects: ProjectManager) {
    this.disposables.push(
      this.changed,
      projects.onDidChangeProjects(() => {
        for (const doc of vscode.workspace.textDocuments)
          if (doc.uri.scheme === DRY_RUN_SCHEME) this.changed.fire(doc.uri);
      }),
    );
  }

  uriOf(spec: DryRunSpec): vscode.Uri {
    return virtualDocumentUri(DRY_RUN_SCHEME, `${spec.pipeline} (dry run).txt`, spec);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const spec = specOfUri<DryRunSpec>(uri);
    if (!spec || typeof spec.pipeline !== 'string') return 'This dry run link is not valid.\n';
    const snapshot = this.projects.byRoot(spec.rootFile);
    if (!snapshot) return `The project ${spec.rootFile} is no longer open. Close this document.\n`;
    if (!snapshot.adf)
      return `The project ${vscode.workspace.asRelativePath(spec.rootFile)} has no Data Factory folder.\n`;
    const core = loadCore();
    try {
      const result = core.dryRun({
        factory: core.factoryFromFolder(snapshot.adf),
        pipeline: spec.pipeline,
        parameters: spec.parameters ?? {},
        ...(spec.window ? { window: spec.window } : {}),
      });
      const skipped = snapshot.adf.files.filter(f =>
        f.diagnostics.some(d => d.severity === 'error' && (d.code === 'LH402' || d.code === 'LH002')),
      );
      const header = skipped.length
        ? `note: left out (not valid JSON): ${skipped.map(f => vscode.workspace.asRelativePath(f.file)).join(', ')}\n`
        : '';
      return header + core.renderDryRunText(result);
    } catch (e) {
      if (e instanceof core.DryRunError) return `${e.message}\n`;
      throw e;
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

interface PipelineChoice extends vscode.QuickPickItem {
  snapshot: ProjectSnapshot;
  name: string;
}

type Parameters = Record<string, { type?: string; defaultValue?: unknown }>;

function parametersOf(snapshot: ProjectSnapshot, pipeline: string): Parameters {
  const file =
    snapshot.adf?.artifacts.get('pipeline')?.get(pipeline) ??
    [...(snapshot.adf?.artifacts.get('pipeline')?.values() ?? [])].find(
      f => f.name?.toLowerCase() === pipeline.toLowerCase(),
    );
  const value = file?.value as { properties?: { parameters?: Parameters } } | undefined;
  return value?.properties?.parameters ?? {};
}

function asText(v: unknown): string {
  return v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * "Dry Run Pipeline…": on a pipeline of the Data Factory view, or chosen from a list; asks how to
 * run it (default parameters, some set, a backfill window), then opens the report beside the editor.
 */
export async function dryRunCommand(ctx: Context, node?: PipelinesNode): Promise<vscode.Uri | undefined> {
  await ctx.projects.whenIdle();
  let snapshot: ProjectSnapshot | undefined;
  let pipeline: string | undefined;
  if (node && (node.kind === 'pipeline' || node.kind === 'parameter')) {
    snapshot = node.snapshot;
    pipeline = node.kind === 'pipeline' ? node.name : node.pipeline;
  } else {
    const choices: PipelineChoice[] = ctx.projects.snapshots.flatMap(s =>
      [...(s.adf?.artifacts.get('pipeline')?.keys() ?? [])].sort().map(name => ({
        label: name,
        description: vscode.workspace.asRelativePath(s.adf!.root),
        snapshot: s,
        name,
      })),
    );
    if (choices.length === 0) {
      void vscode.window.showInformationMessage('Lakehouse: no Data Factory pipeline in this workspace to dry run.');
      return undefined;
    }
    const chosen = await vscode.window.showQuickPick(choices, {
      placeHolder: 'Dry run which pipeline?',
      matchOnDescription: true,
    });
    if (!chosen) return undefined;
    snapshot = chosen.snapshot;
    pipeline = chosen.name;
  }
  if (!snapshot.adf?.artifacts.get('pipeline')?.has(pipeline)) {
    void vscode.window.showInformationMessage(
      `Pipeline '${pipeline}' is not in the ADF folder yet: Generate ADF Artifacts writes it, then it can be dry run.`,
    );
    return undefined;
  }
  const declared = parametersOf(snapshot, pipeline);
  let parameters: Record<string, string> = {};
  let windowText: string | undefined;
  const how = await vscode.window.showQuickPick(
    [
      { label: 'Run with the default parameters', id: 'defaults' },
      { label: 'Set parameters…', id: 'parameters', description: `${Object.keys(declared).length} parameter(s)` },
      { label: 'Backfill a window…', id: 'window', description: 'trigger().outputs.windowStartTime / windowEndTime' },
      { label: 'Set parameters and a window…', id: 'both' },
    ],
    {
      placeHolder: `Dry run ${pipeline}: external activities succeed with unknown outputs (lakehouse dry-run --outputs describes them)`,
    },
  );
  if (!how) return undefined;
  if (how.id === 'parameters' || how.id === 'both') {
    for (const [name, p] of Object.entries(declared)) {
      const value = await vscode.window.showInputBox({
        title: `Dry run ${pipeline}: parameters`,
        prompt: `${name} (${p.type ?? 'string'}${/array|object/i.test(p.type ?? '') ? ', as JSON' : ''})`,
        value: asText(p.defaultValue),
        ignoreFocusOut: true,
      });
      if (value === undefined) return undefined;
      if (value !== asText(p.defaultValue)) parameters = { ...parameters, [name]: value };
    }
  }
  if (how.id === 'window' || how.id === 'both') {
    const today = new Date().toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    windowText = await vscode.window.showInputBox({
      title: `Dry run ${pipeline}: backfill window`,
      prompt: 'START/END (timestamps)',
      value: `${yesterday}T00:00:00Z/${today}T00:00:00Z`,
      ignoreFocusOut: true,
      validateInput: text => {
        try {
          loadCore().parseWindow(text);
          return undefined;
        } catch (e) {
          return (e as Error).message;
        }
      },
    });
    if (windowText === undefined) return undefined;
  }

  let window: { start: string; end: string } | undefined;
  if (windowText) {
    try {
      window = loadCore().parseWindow(windowText);
    } catch (e) {
      void vscode.window.showErrorMessage(`Lakehouse: ${(e as Error).message}`);
      return undefined;
    }
  }
  const uri = ctx.dryRuns.uriOf({ rootFile: snapshot.rootFile, pipeline, parameters, ...(window ? { window } : {}) });
  const doc = await vscode.workspace.openTextDocument(uri);
  // Beside the editor a user works in; with none open, the whole area (not an empty group beside it).
  const viewColumn = vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
  await vscode.window.showTextDocument(doc, { viewColumn, preview: false, preserveFocus: true });
  return uri;
}
