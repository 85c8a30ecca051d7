import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { Context } from './context';
import { DEPLOY_SCHEME } from './operations/deployDocuments';
import { QuickFixProvider } from './diagnostics/quickFixProvider';
import { ProblemDecorationProvider } from './sources/sourcesTreeDataProvider';
import { ADF_PREVIEW_SCHEME } from './adf/adfPreviews';
import { DRY_RUN_SCHEME } from './adf/dryRunDocuments';
import { EmbeddedTemplateCodeLensProvider } from './templates/templateCommands';
import { PREVIEW_SCHEME } from './templates/templatePreviews';

const moduleLoadedAt = performance.now();

/** What the extension exposes to its tests (and to other extensions): the context, and activation figures. */
export interface LakehouseApi {
  ctx: Context;
  /** Milliseconds activate() took. */
  activationMs: number;
  /** Milliseconds from this module's evaluation to the end of activate(): includes whatever else the host did in between (other extensions starting). */
  sinceModuleLoadMs: number;
  /** Resolves once the first validation has been published. */
  ready: Promise<void>;
}

export function activate(extension: vscode.ExtensionContext): LakehouseApi {
  const activateStarted = performance.now();
  const ctx = new Context(extension);
  const setState = (state: string, hasProject: boolean) => {
    void vscode.commands.executeCommand('setContext', 'lakehouse.projectState', state);
    void vscode.commands.executeCommand('setContext', 'lakehouse.hasProject', hasProject);
  };
  setState('loading', false);

  extension.subscriptions.push(
    ctx,
    ...registerCommands(ctx),
    vscode.window.registerFileDecorationProvider(new ProblemDecorationProvider(ctx.sources)),
    vscode.languages.registerCodeActionsProvider(
      [
        { scheme: 'file', language: 'yaml' },
        { scheme: 'file', pattern: '**/*.{yaml,yml}' },
        { scheme: 'file', language: 'json' },
      ],
      new QuickFixProvider(ctx.diagnostics),
      { providedCodeActionKinds: QuickFixProvider.kinds },
    ),
    vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, ctx.templates),
    vscode.workspace.registerTextDocumentContentProvider(ADF_PREVIEW_SCHEME, ctx.adf),
    vscode.workspace.registerTextDocumentContentProvider(DRY_RUN_SCHEME, ctx.dryRuns),
    vscode.workspace.registerTextDocumentContentProvider(DEPLOY_SCHEME, ctx.operations.documents),
    vscode.languages.registerCodeLensProvider(
      [{ scheme: 'file', language: 'python' }],
      new EmbeddedTemplateCodeLensProvider(ctx),
    ),
    ctx.projects.onDidChangeProjects(snapshots => {
      ctx.diagnostics.publish(snapshots);
      ctx.sources.update(snapshots, ctx.projects.state);
      setState(ctx.projects.state, snapshots.length > 0);
      const errors = snapshots.flatMap(s => [...s.diagnostics.values()].flat()).filter(d => d.severity === 'error');
      ctx.sourcesView.message =
        snapshots.length && errors.length
          ? `${errors.length} error${errors.length > 1 ? 's' : ''} in the project (see Problems)`
          : undefined;
    }),
  );

  // The first scan runs after activation returns: activation stays cheap and the editor responsive.
  const ready = new Promise<void>(resolve => setTimeout(resolve, 0))
    .then(() => ctx.projects.discover())
    .catch(e => {
      ctx.log.error(`Loading the lakehouse projects failed: ${(e as Error)?.stack ?? String(e)}`);
    });
  const activationMs = performance.now() - activateStarted;
  const sinceModuleLoadMs = performance.now() - moduleLoadedAt;
  ctx.log.info(
    `Activated in ${activationMs.toFixed(1)} ms (${sinceModuleLoadMs.toFixed(1)} ms since the module loaded)`,
  );
  return { ctx, activationMs, sinceModuleLoadMs, ready };
}

export function deactivate(): void {
  // Everything is disposed through the extension's subscriptions (the context first).
}
