// "Deploy to Environment…": the project's Data Factory folder, as generation makes it for the
// environment, planned against the factory, reviewed (each change in the diff editor), confirmed,
// then applied in the order of references with progress and cancel; a report per artifact.
import * as vscode from 'vscode';
import type { ArtifactChange, DeployPlan, DeployReport } from '../../core/index';
import type { Context } from '../context';
import { loadAzure } from '../azure/lazyAzure';
import { confirmProtectedEnvironment } from '../editor/results';
import { review } from '../editor/review';
import { requireTrust } from '../trust';
import type { OpenedTarget } from './operations';
import type { DeployDocuments } from './deployDocuments';

const ACTION_ICON: Record<string, string> = {
  create: '$(diff-added)',
  update: '$(diff-modified)',
  recreate: '$(debug-restart)',
  delete: '$(diff-removed)',
  unchanged: '$(check)',
};

export async function deploy(ctx: Context): Promise<DeployReport | undefined> {
  if (!(await requireTrust('Deploying', 'it sends artifacts from this workspace to a factory'))) return undefined;
  await ctx.projects.whenIdle();
  const snapshot = ctx.currentProject();
  if (!snapshot) {
    void vscode.window.showInformationMessage('Lakehouse: no lakehouse project is open.');
    return undefined;
  }
  const opened = await ctx.operations.open(snapshot);
  if (!opened) return undefined;
  const { target } = opened;
  const core = ctx.core;
  const azure = loadAzure();
  const api = azure.factoryApiFor(target, opened.credential);
  const deployables = await core.deployablesOf(snapshot, ctx.files, target.artifactsEnvironment, file =>
    ctx.files.readGenerated(file),
  );
  const plan = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Planning the deploy to ${target.label}…`,
      cancellable: true,
    },
    async (_progress, token) => {
      const factory = await core.readFactory(api);
      return token.isCancellationRequested ? undefined : core.planDeploy(deployables.local, factory);
    },
  );
  if (!plan) return undefined;
  for (const line of [
    ...plan.problems.map(p => `problem: ${p.message}`),
    ...plan.warnings.map(w => `warning: ${w}`),
    ...plan.notes,
  ])
    ctx.log.info(`deploy plan (${target.label}): ${line}`);
  if (plan.problems.length) {
    void vscode.window
      .showErrorMessage(`Lakehouse: the deploy to ${target.label} cannot run: ${plan.problems[0]!.message}`, 'Show Log')
      .then(choice => choice && ctx.log.show());
    return undefined;
  }
  if (plan.upToDate) {
    void vscode.window.showInformationMessage(
      `Lakehouse: factory ${target.factory.name} (${target.label}) is up to date.`,
    );
    return undefined;
  }
  if ((await reviewPlan(ctx.operations.documents, opened, plan)) !== 'deploy') return undefined;
  if (target.protected && !(await confirmProtectedEnvironment(target.environment, 'Deploy'))) return undefined;

  const report = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Deploying to ${target.label}`, cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      const result = await core.applyDeploy(api, deployables.local, {
        confirmed: plan,
        signal: abort.signal,
        onProgress: p =>
          progress.report({ message: `${p.index}/${p.total} ${core.stepText(p.step)}`, increment: 100 / p.total }),
      });
      // Before the first run: each incremental table's watermark, where none exists (never replaced: it is data).
      if (result.status === 'applied')
        for (const r of await azure.seedTargetWatermarks(target, opened.credential, snapshot.metadata))
          if (r.outcome !== 'exists')
            ctx.log.info(
              `deploy: watermark ${r.seed.container}/${r.seed.path}: ${r.outcome}${r.message ? ` (${r.message})` : ''}`,
            );
      return result;
    },
  );
  for (const a of report.artifacts)
    if (a.outcome !== 'unchanged')
      ctx.log.info(`deploy (${target.label}): ${a.outcome} ${a.kind} ${a.name}${a.message ? `: ${a.message}` : ''}`);
  for (const t of report.triggers)
    ctx.log.info(
      `deploy (${target.label}): trigger ${t.name}${t.stopped ? ' stopped' : ''}${t.started ? ' started' : ''}${t.error ? `: ${t.error}` : ''}`,
    );
  ctx.log.info(`deploy (${target.label}): ${report.message}`);
  const show = report.status === 'applied' ? vscode.window.showInformationMessage : vscode.window.showErrorMessage;
  void show(`Lakehouse: ${target.label}: ${report.message}`, 'Show Log').then(choice => choice && ctx.log.show());
  return report;
}

/** The plan for review (see review()): what to read first, then every change in the order it is written. */
async function reviewPlan(
  documents: DeployDocuments,
  opened: OpenedTarget,
  plan: DeployPlan,
): Promise<'deploy' | 'cancel'> {
  const changes = plan.changes.filter(c => c.action !== 'unchanged');
  const counts = Object.entries(plan.counts)
    .filter(([action, n]) => n > 0 && action !== 'unchanged')
    .map(([action, n]) => `${n} ${action}`)
    .join(', ');
  const label = opened.target.label;
  const proceed = await review<ArtifactChange>({
    title: `Deploy to ${label} (factory ${opened.target.factory.name}): ${counts}`,
    placeholder: 'Review the deploy: choose a change to see its diff',
    proceed: `$(cloud-upload) Deploy ${changes.length} Change${changes.length === 1 ? '' : 's'}`,
    diffs: 'factory ↔ folder',
    cancel: 'change nothing',
    sections: [
      ...(plan.warnings.length
        ? [
            {
              label: 'Read before deploying',
              items: plan.warnings.map(w => ({
                label: `$(warning) ${w.length > 90 ? `${w.slice(0, 90)}…` : w}`,
                detail: w,
              })),
            },
          ]
        : []),
      {
        label: 'Changes, in the order they are written',
        items: changes.map(change => ({
          label: `${ACTION_ICON[change.action] ?? ''} ${change.kind} ${change.name}`,
          description: change.action,
          detail: [change.summary, ...change.warnings].filter(Boolean).join(' · '),
          value: change,
        })),
      },
    ],
    open: c =>
      void vscode.commands.executeCommand(
        'vscode.diff',
        documents.uriFor(`${c.name} (factory)`, c.before ?? ''),
        documents.uriFor(`${c.name} (folder)`, c.after ?? ''),
        `${c.kind} ${c.name}: factory ↔ folder (${label})`,
        { preview: true, preserveFocus: true },
      ),
    showDiffs: () =>
      void vscode.commands.executeCommand(
        'vscode.changes',
        `Deploy to ${label}: factory ↔ folder`,
        changes.map(c => [
          documents.uriFor(`${c.kind}-${c.name}`, c.after ?? ''),
          documents.uriFor(`${c.kind}-${c.name} (factory)`, c.before ?? ''),
          documents.uriFor(`${c.kind}-${c.name} (folder)`, c.after ?? ''),
        ]),
      ),
  });
  return proceed ? 'deploy' : 'cancel';
}
