// The Databricks side of "Deploy to Environment…": the environment's bundle target planned with the
// Databricks CLI before the review (its plan shown beside the factory's changes), deployed first
// (the notebooks exist before a trigger runs them), the CLI's output in the log and its diagnostics
// in databricks.yml.
import * as path from 'path';
import * as vscode from 'vscode';
import type { BundleStepPlan, BundleStepResult } from '../azure/azureServices';
import { loadAzure } from '../azure/lazyAzure';
import type { Context } from '../context';
import { toVsDiagnostic } from '../diagnostics/convert';
import type { OpenedTarget } from './operations';

/** Azure Databricks' application id: the resource of the Entra ID tokens a workspace accepts. */
const AZURE_DATABRICKS_SCOPE = '2ff814a6-3304-4ab8-85cb-cd0e6f879c1d/.default';

export type PlannedBundle = Extract<BundleStepPlan, { kind: 'planned' }>;

/** The CLI's sign-in for an Azure workspace: VS Code's Microsoft account, unless the user chose the CLI's own. */
async function authFor(ctx: Context, opened: OpenedTarget): Promise<Record<string, string> | undefined> {
  if (opened.target.local || ctx.settings.databricksAuthentication === 'databricksCli') return undefined;
  try {
    const token = await opened.credential.getToken(AZURE_DATABRICKS_SCOPE);
    if (token?.token) return { DATABRICKS_TOKEN: token.token, DATABRICKS_AUTH_TYPE: 'pat' };
  } catch (e) {
    ctx.log.warn(
      `deploy: no Azure Databricks token from the Microsoft account (${(e as Error).message}); the Databricks CLI uses its own sign-in`,
    );
  }
  return undefined;
}

/** Unsaved bundle files are not what the CLI deploys (it reads the disk): save them first, or stop. */
async function saveBundleFiles(ctx: Context, bundleDir: string): Promise<boolean> {
  const dirty = vscode.workspace.textDocuments.filter(
    d => d.isDirty && d.uri.scheme === 'file' && ctx.core.isInside(d.uri.fsPath, bundleDir),
  );
  if (!dirty.length) return true;
  const save = 'Save and Deploy';
  const answer = await vscode.window.showWarningMessage(
    `Lakehouse: ${dirty.length} file${dirty.length > 1 ? 's' : ''} of the Databricks bundle ${dirty.length > 1 ? 'have' : 'has'} unsaved changes ` +
      `(${dirty.map(d => path.basename(d.uri.fsPath)).join(', ')}); the Databricks CLI deploys what is on disk.`,
    { modal: true },
    save,
  );
  if (answer !== save) return false;
  return (await Promise.all(dirty.map(d => d.save()))).every(Boolean);
}

/** Plans the bundle step; undefined when the user stopped (cancel, unsaved files). */
export async function planBundle(
  ctx: Context,
  opened: OpenedTarget,
  token: vscode.CancellationToken,
): Promise<BundleStepPlan | undefined> {
  if (!(await saveBundleFiles(ctx, path.dirname(ctx.core.bundleFileOf(opened.snapshot.metadata))))) return undefined;
  const abort = new AbortController();
  const cancel = token.onCancellationRequested(() => abort.abort());
  try {
    const cliPath = ctx.settings.databricksCliPath;
    const auth = await authFor(ctx, opened);
    const planned = await loadAzure().planBundleStep({
      snapshot: opened.snapshot,
      host: ctx.files,
      target: opened.target,
      ...(cliPath ? { configuredCli: cliPath } : {}),
      ...(auth ? { auth } : {}),
      onLine: line => line.trim() && ctx.log.info(`databricks: ${line}`),
      signal: abort.signal,
    });
    if (token.isCancellationRequested) return undefined;
    publishBundleDiagnostics(ctx, planned.kind === 'skipped' ? [] : planned.diagnostics);
    if (planned.kind === 'skipped') ctx.log.info(`deploy: Databricks bundle not deployed: ${planned.reason}`);
    if (planned.kind === 'blocked') ctx.log.error(`deploy: ${planned.message}`);
    if (planned.kind === 'planned')
      ctx.log.info(
        `deploy: bundle target ${planned.target} (Databricks CLI v${planned.cli.version}, ${planned.cli.path}): ${ctx.core.bundlePlanSummary(planned.plan)}`,
      );
    return planned;
  } finally {
    cancel.dispose();
  }
}

export async function applyBundle(
  ctx: Context,
  planned: PlannedBundle,
  progress: vscode.Progress<{ message?: string }>,
  signal: AbortSignal,
): Promise<BundleStepResult> {
  progress.report({ message: `Databricks: bundle deploy -t ${planned.target}` });
  const result = await loadAzure().applyBundleStep(planned, {
    onLine: line => {
      if (!line.trim()) return;
      ctx.log.info(`databricks: ${line}`);
      progress.report({ message: `Databricks: ${line.trim().slice(0, 80)}` });
    },
    signal,
  });
  publishBundleDiagnostics(ctx, result.diagnostics);
  (result.ok ? ctx.log.info : ctx.log.error).call(ctx.log, `deploy: ${result.message}`);
  return result;
}

function publishBundleDiagnostics(ctx: Context, diagnostics: import('../../core/index').Diagnostic[]): void {
  const collection = ctx.operations.bundleDiagnostics;
  collection.clear();
  const byFile = new Map<string, vscode.Diagnostic[]>();
  for (const d of diagnostics) byFile.set(d.file, [...(byFile.get(d.file) ?? []), toVsDiagnostic(d)]);
  for (const [file, list] of byFile) collection.set(vscode.Uri.file(file), list);
}
