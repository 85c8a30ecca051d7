// The run commands of the Pipeline Runs view (context menus and inline buttons): Cancel (with the
// child pipelines it started), Rerun from Failure and Rerun (which keep the reference run's
// parameters, and say so first), Open in ADF Studio, Copy Run ID.
import * as vscode from 'vscode';
import type { PipelineRunRecord } from '../../core/runs/model';
import { studioRunUrl } from '../../azure/target';
import type { Context } from '../context';
import { confirmPick } from './confirm';
import { oneLine, shortRunId } from './runsPresentation';
import type { RunsSession } from './runsExplorer';
import type { RunsNode } from './runsTreeDataProvider';

const asRunsNode = (n: unknown): RunsNode | undefined =>
  n && typeof n === 'object' && 'kind' in n && 'id' in n ? (n as RunsNode) : undefined;

/** The session and the run a menu was opened on; undefined (and a word why) when the view no longer shows it. */
function runAndSession(ctx: Context, node: unknown): { session: RunsSession; run: PipelineRunRecord } | undefined {
  const session = ctx.runs.session;
  const run = ctx.runs.runOf(asRunsNode(node));
  if (!run) {
    void vscode.window.showInformationMessage('Lakehouse: choose a run in the Pipeline Runs view first.');
    return undefined;
  }
  if (!session?.monitor.get(run.runId)) {
    void vscode.window.showInformationMessage(
      'Lakehouse: that run is no longer shown: refresh the Pipeline Runs view.',
    );
    return undefined;
  }
  return { session, run };
}

/** A failed write as a message: the adapter's own words (operation, status, the service's message). */
function showFailure(ctx: Context, session: RunsSession, what: string, e: unknown): void {
  const message = oneLine(e instanceof Error ? e.message : String(e), 400);
  ctx.log.warn(`runs (${session.opened.target.label}): ${what}: ${message}`);
  void vscode.window.showErrorMessage(`Lakehouse: ${what}: ${message}`);
}

/** Cancel: the run and, recursively, the child pipeline runs it started; asked first. */
export async function cancelRun(ctx: Context, node: unknown): Promise<boolean> {
  const found = runAndSession(ctx, node);
  if (!found) return false;
  const { session, run } = found;
  const label = session.opened.target.label;
  const confirmed = await confirmPick({
    title: `Cancel ${run.pipelineName} run ${shortRunId(run.runId)} on ${label}?`,
    placeholder: 'Data Factory stops its activities and cancels the child pipeline runs it started',
    keep: { label: '$(close) Keep Running', description: 'cancel nothing' },
    proceed: {
      label: '$(debug-stop) Cancel Run',
      detail:
        'Stops the activities in progress and, recursively, the child pipeline runs this run started (Execute ' +
        'Pipeline activities). A cancelled run can be rerun later.',
    },
  });
  if (!confirmed) return false;
  const core = ctx.core.runs;
  try {
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `Cancelling ${run.pipelineName}…` },
      () => core.cancelRun(session.port, run.runId, { clock: core.systemClock, recursive: true }),
    );
  } catch (e) {
    showFailure(ctx, session, `could not cancel ${run.pipelineName} run ${shortRunId(run.runId)}`, e);
    return false;
  }
  ctx.log.info(`runs (${label}): cancel of ${run.pipelineName} run ${run.runId} (and its child runs) requested`);
  session.followed.add(run.runId);
  await ctx.runs.follow(session, run);
  return true;
}

/**
 * Rerun from Failure (from: 'failure') or Rerun (from: 'start'): createRun with the run as its
 * reference, in recovery mode, so the new run joins the original's group. The service takes the
 * reference run's parameters whatever is sent: the question says so before anything starts.
 */
export async function rerunRun(ctx: Context, node: unknown, from: 'failure' | 'start'): Promise<string | undefined> {
  const found = runAndSession(ctx, node);
  if (!found) return undefined;
  const { session, run } = found;
  const label = session.opened.target.label;
  const parameters = Object.entries(run.parameters);
  const what =
    from === 'failure'
      ? `The failed activities of run ${run.runId} run again, and the activities after them; the activities that succeeded are not run again.`
      : `Every activity of ${run.pipelineName} runs again, as in run ${run.runId}.`;
  const button = from === 'failure' ? 'Rerun from Failure' : 'Rerun';
  const confirmed = await confirmPick({
    title: `${button}: ${run.pipelineName} run ${shortRunId(run.runId)} on ${label}`,
    placeholder:
      'A rerun always takes the parameters of the run it reruns; to run with other values, Trigger Pipeline…',
    keep: { label: '$(close) Cancel', description: 'start nothing' },
    proceed: {
      label: `${from === 'failure' ? '$(debug-restart)' : '$(debug-rerun)'} ${button}`,
      detail: `${what} The new run is grouped with the original in the Runs view.`,
    },
    notesTitle: `Parameters the rerun takes (those of run ${shortRunId(run.runId)}; new values cannot be given)`,
    notes: parameters.length
      ? parameters.map(([k, v]) => ({ label: k, description: v === '' ? '(empty)' : oneLine(v, 120) }))
      : [{ label: 'no parameters' }],
  });
  if (!confirmed) return undefined;
  const core = ctx.core.runs;
  let result: { runId: string; found: boolean; notes: string[] };
  try {
    result = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Starting the rerun of ${run.pipelineName} on ${label}…`,
        cancellable: true,
      },
      (_progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        return core.rerunRun(
          session.port,
          { run, from: from === 'failure' ? { kind: 'failure' } : { kind: 'start' } },
          { clock: core.systemClock, signal: abort.signal },
        );
      },
    );
  } catch (e) {
    if (e instanceof Error && e.name === 'AbortError') {
      void vscode.window.showWarningMessage(
        `Lakehouse: stopped; the rerun of ${run.pipelineName} may have started: the Pipeline Runs view shows it if it did.`,
      );
      return undefined;
    }
    showFailure(ctx, session, `could not rerun ${run.pipelineName} run ${shortRunId(run.runId)}`, e);
    return undefined;
  }
  ctx.log.info(
    `runs (${label}): ${button.toLowerCase()} of ${run.pipelineName} run ${run.runId}: new run ${result.runId}` +
      `${result.found ? ' (found after an unclear answer: not started twice)' : ''}`,
  );
  for (const note of result.notes) ctx.log.info(`runs (${label}): ${note}`);
  const now = new Date().toISOString();
  await ctx.runs.follow(session, {
    runId: result.runId,
    pipelineName: run.pipelineName,
    status: 'Queued',
    runStart: now,
    lastUpdated: now,
    parameters: run.parameters,
    runGroupId: run.runGroupId ?? run.runId,
    referencePipelineRunId: run.runId,
    invokedBy: { name: 'Manual', type: 'Manual' },
    source: 'service',
  });
  return result.runId;
}

/** ADF Studio's page of the run (the local emulator has none: it says where to look instead). */
export async function openInStudio(ctx: Context, node: unknown): Promise<void> {
  const found = runAndSession(ctx, node);
  if (!found) return;
  const url = studioRunUrl(found.session.opened.target, found.run.runId);
  if (!url) {
    void vscode.window.showInformationMessage(
      'Lakehouse: the local emulator has no ADF Studio. Its runs are all in the Pipeline Runs view: hover a run for its ' +
        'parameters, expand it for its activity runs, and click an activity run for its input, output and error.',
    );
    return;
  }
  await vscode.env.openExternal(vscode.Uri.parse(url, true));
}

export async function copyRunId(ctx: Context, node: unknown): Promise<void> {
  const run = ctx.runs.runOf(asRunsNode(node));
  if (!run) return;
  await vscode.env.clipboard.writeText(run.runId);
  vscode.window.setStatusBarMessage(`Copied run ID ${run.runId}`, 3000);
}

export async function openActivity(ctx: Context, node: unknown): Promise<void> {
  await ctx.runs.openActivity(asRunsNode(node));
}
