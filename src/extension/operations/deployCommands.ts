// "Deploy to Environment…": the environment's Databricks bundle target (planned with the Databricks
// CLI) and the project's Data Factory folder, as generation makes it for the environment, planned
// against the factory, reviewed together (each change in the diff editor), confirmed, then applied
// — the bundle first, then the factory in the order of references — with progress and cancel.
import * as vscode from 'vscode';
import type { ArtifactChange, BundlePlanEntry, DeployPlan, DeployReport } from '../../core/index';
import { applyBundle, planBundle, type PlannedBundle } from './bundleDeploy';
import type { Context } from '../context';
import { loadAzure } from '../azure/lazyAzure';
import { confirmProtectedEnvironment } from '../editor/results';
import { review } from '../editor/review';
import { requireTrust } from '../trust';
import type { OpenedTarget } from './operations';
import type { DeployDocuments } from './deployDocuments';

/** A change's icon: the factory's actions, and the bundle plan's (update_id, resize are updates too). */
const ACTION_ICON: Record<string, string> = {
  create: '$(diff-added)',
  update: '$(diff-modified)',
  update_id: '$(diff-modified)',
  resize: '$(diff-modified)',
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
  const planned = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Planning the deploy to ${target.label}…`,
      cancellable: true,
    },
    async (progress, token) => {
      progress.report({ message: 'Databricks bundle (databricks bundle plan)' });
      const bundle = await planBundle(ctx, opened, token);
      if (!bundle) return undefined;
      progress.report({ message: `factory ${target.factory.name}` });
      const factory = await core.readFactory(api);
      return token.isCancellationRequested ? undefined : { bundle, plan: core.planDeploy(deployables.local, factory) };
    },
  );
  if (!planned) return undefined;
  const { plan } = planned;
  let bundle: PlannedBundle | undefined = planned.bundle.kind === 'planned' ? planned.bundle : undefined;
  if (planned.bundle.kind === 'blocked') {
    const factoryOnly = 'Deploy Data Factory Only';
    const choice = await vscode.window.showErrorMessage(
      `Lakehouse: the Databricks bundle cannot be deployed to ${target.label}: ${planned.bundle.message}`,
      ...(planned.bundle.diagnostics.length ? ['Show Problems'] : []),
      'Show Log',
      factoryOnly,
    );
    if (choice === 'Show Problems') void vscode.commands.executeCommand('workbench.actions.view.problems');
    if (choice === 'Show Log') ctx.log.show();
    if (choice !== factoryOnly) return undefined;
    bundle = undefined;
  }
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
  if (plan.upToDate && !bundle?.changes) {
    void vscode.window.showInformationMessage(
      `Lakehouse: factory ${target.factory.name} (${target.label}) is up to date` +
        (bundle ? `, and so is bundle target ${bundle.target}.` : '.'),
    );
    return undefined;
  }
  if ((await reviewPlan(ctx, opened, plan, bundle)) !== 'deploy') return undefined;
  if (target.protected && !(await confirmProtectedEnvironment(target.environment, 'Deploy'))) return undefined;

  const report = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Deploying to ${target.label}`, cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      // The bundle first: the notebooks and the gold pipeline exist before a started trigger runs them.
      if (bundle?.changes) {
        const done = await applyBundle(ctx, bundle, progress, abort.signal);
        if (!done.ok) {
          const report: DeployReport = {
            status: abort.signal.aborted ? 'cancelled' : 'failed',
            plan,
            artifacts: [],
            triggers: [],
            writes: 0,
            message: `${done.message}; the Data Factory was not written.`,
          };
          return report;
        }
      }
      const result = await core.applyDeploy(api, deployables.local, {
        confirmed: plan,
        signal: abort.signal,
        onProgress: p =>
          progress.report({ message: `${p.index}/${p.total} ${core.stepText(p.step)}`, increment: 100 / p.total }),
      });
      if (bundle?.changes) result.message = `Bundle target ${bundle.target} deployed. ${result.message}`;
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
  ctx: Context,
  opened: OpenedTarget,
  plan: DeployPlan,
  bundle: PlannedBundle | undefined,
): Promise<'deploy' | 'cancel'> {
  const documents: DeployDocuments = ctx.operations.documents;
  const core = ctx.core;
  const changes = plan.changes.filter(c => c.action !== 'unchanged');
  const bundleChanges = bundle ? bundle.plan.entries.filter(e => e.action !== 'skip') : [];
  const counts = Object.entries(plan.counts)
    .filter(([action, n]) => n > 0 && action !== 'unchanged')
    .map(([action, n]) => `${n} ${action}`)
    .join(', ');
  const label = opened.target.label;
  const total = changes.length + bundleChanges.length;
  const bundleSide = (e: BundlePlanEntry) => {
    const sides = core.bundleEntrySides(e);
    const name = `${e.kind}.${e.name}${e.child ? `.${e.child}` : ''}`;
    return {
      before: documents.uriFor(`${name} (workspace)`, sides.before),
      after: documents.uriFor(`${name} (bundle)`, sides.after),
      title: `${name}: workspace ↔ bundle (${label}, target ${bundle?.target})`,
    };
  };
  const proceed = await review<ArtifactChange | BundlePlanEntry>({
    title:
      `Deploy to ${label}: factory ${opened.target.factory.name}: ${counts || 'up to date'}` +
      (bundle ? `; bundle target ${bundle.target}: ${core.bundlePlanSummary(bundle.plan)}` : ''),
    placeholder: 'Review the deploy: choose a change to see its diff',
    proceed: `$(cloud-upload) Deploy ${total} Change${total === 1 ? '' : 's'}`,
    diffs: 'factory ↔ folder, workspace ↔ bundle',
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
      ...(bundleChanges.length
        ? [
            {
              label: `Databricks bundle target ${bundle!.target} (deployed first, by the Databricks CLI v${bundle!.cli.version})`,
              items: bundleChanges.map(e => ({
                label: `${ACTION_ICON[e.action] ?? ''} ${core.bundleEntryText(e)}`,
                description: e.action === 'skip' ? 'unchanged' : e.action,
                value: e,
              })),
            },
          ]
        : []),
      {
        label: 'Data Factory changes, in the order they are written',
        items: changes.map(change => ({
          label: `${ACTION_ICON[change.action] ?? ''} ${change.kind} ${change.name}`,
          description: change.action,
          detail: [change.summary, ...change.warnings].filter(Boolean).join(' · '),
          value: change,
        })),
      },
    ],
    open: c => {
      if ('key' in c) {
        const side = bundleSide(c);
        void vscode.commands.executeCommand('vscode.diff', side.before, side.after, side.title, {
          preview: true,
          preserveFocus: true,
        });
        return;
      }
      void vscode.commands.executeCommand(
        'vscode.diff',
        documents.uriFor(`${c.name} (factory)`, c.before ?? ''),
        documents.uriFor(`${c.name} (folder)`, c.after ?? ''),
        `${c.kind} ${c.name}: factory ↔ folder (${label})`,
        { preview: true, preserveFocus: true },
      );
    },
    showDiffs: () =>
      void vscode.commands.executeCommand(
        'vscode.changes',
        `Deploy to ${label}: factory ↔ folder, workspace ↔ bundle`,
        [
          ...bundleChanges.map(e => {
            const side = bundleSide(e);
            return [side.after, side.before, side.after];
          }),
          ...changes.map(c => [
            documents.uriFor(`${c.kind}-${c.name}`, c.after ?? ''),
            documents.uriFor(`${c.kind}-${c.name} (factory)`, c.before ?? ''),
            documents.uriFor(`${c.kind}-${c.name} (folder)`, c.after ?? ''),
          ]),
        ],
      ),
  });
  return proceed ? 'deploy' : 'cancel';
}
