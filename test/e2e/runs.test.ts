// End-to-end: the Pipeline Runs view and Trigger Pipeline… on the local emulator in a real VS Code
// host. Before anything the view only offers to show the runs (no sign-in, no emulator). Then: Use
// Local Emulator, Deploy (answering its review), Trigger Pipeline… through the real quick picks and
// input boxes (a wrong value is refused in the input box), and the run goes to Succeeded in the
// view with no refresh asked for; a run the emulator fails gives one notification whose "Show
// Run" selects it; Rerun from Failure (its question answered) joins the original's group and
// succeeds; Cancel stops a long run. The emulator's outcome rules decide which activity fails.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { LakehouseApi } from '../../src/extension/extension';
import type { TriggeredRun } from '../../src/extension/runs/triggerCommand';
import type { RunsNode } from '../../src/extension/runs/runsTreeDataProvider';
import { EmulatorControlClient } from '../../src/emulator/process';
import { answer, checkpoint } from './checkpoint';
import { EXTENSION_ID, revertAndCloseEditors, waitFor } from './util';

const PIPELINE = 'pl_incremental_ingestion';
const GOOD_WINDOW = '2024-01-01T00:00:00';
const FAILING_WINDOW = '2024-01-02T00:00:00';
const SLOW_WINDOW = '2024-01-03T00:00:00';
const INJECTED = 'Copy failed: the source table dbo.DimUser is locked (injected by the e2e test).';
const SIDEBAR = '#workbench\\.parts\\.sidebar';

/**
 * For the screenshots, the Runs view gets the side bar to itself, wider (the other Lakehouse views
 * hidden, the panel closed); `show` puts everything back for the suites after this one.
 */
let othersHidden = false;
const WIDER = 4;
async function showOtherViews(show: boolean): Promise<void> {
  if (othersHidden === !show) return;
  const ignore = () => undefined;
  for (const id of ['lakehouse.sources', 'lakehouse.pipelines', 'lakehouse.lake'])
    await vscode.commands.executeCommand(`${id}.toggleVisibility`).then(undefined, ignore);
  if (!show) await vscode.commands.executeCommand('workbench.action.closePanel');
  await vscode.commands.executeCommand('lakehouse.runs.focus');
  for (let i = 0; i < WIDER; i++)
    await vscode.commands
      // These resize the editor part (the side bar takes the rest): narrower editor, wider side bar.
      .executeCommand(show ? 'workbench.action.increaseViewWidth' : 'workbench.action.decreaseViewWidth')
      .then(undefined, ignore);
  othersHidden = !show;
}

suite('Pipeline Runs view and Trigger Pipeline on the local emulator', () => {
  let api: LakehouseApi;

  const runNode = (runId: string) => api.ctx.runs.tree.nodeOfRun(runId);
  const statusOf = (runId: string) => runNode(runId)?.run.status;

  suiteSetup(async () => {
    api = await vscode.extensions.getExtension<LakehouseApi>(EXTENSION_ID)!.activate();
    await api.ready;
    await api.ctx.projects.whenIdle();
    // Keys go to the quick input: no notification list left open by another suite takes Escape.
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('notifications.hideList');
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    // A factory of its own: an emulator another suite left running is stopped (the next one starts empty).
    const snapshot = api.ctx.currentProject()!;
    await api.ctx.operations.stopEmulator(snapshot);
    await api.ctx.environments.set(snapshot.rootFile, 'dev');
  });

  suiteTeardown(async () => {
    await showOtherViews(true);
    const snapshot = api.ctx.currentProject();
    api.ctx.runs.end();
    if (snapshot) {
      await api.ctx.operations.stopEmulator(snapshot);
      await api.ctx.environments.set(snapshot.rootFile, 'dev');
    }
    await revertAndCloseEditors();
  });

  test('before the user asks, the view offers to show the runs: no sign-in, no emulator', async () => {
    await vscode.commands.executeCommand('lakehouse.runs.focus');
    await showOtherViews(false);
    const snapshot = api.ctx.currentProject()!;
    const roots = api.ctx.runs.tree.rootNodes;
    assert.strictEqual(roots.length, 1);
    assert.ok(
      roots[0]!.kind === 'message' && roots[0]!.message.label === 'Show runs of dev (Azure)…',
      JSON.stringify(roots),
    );
    assert.strictEqual(api.ctx.runs.session, undefined);
    assert.strictEqual(api.ctx.operations.emulatorState(snapshot), undefined, 'no emulator was started');
    assert.strictEqual(api.ctx.operations.accountLabel, undefined, 'nobody signed in');
    await checkpoint('runs-placeholder', { waitForText: 'Show runs of dev (Azure)…', selector: SIDEBAR });
  });

  test('Trigger Pipeline… through its form: the run goes to Succeeded in the view by itself', async function () {
    this.timeout(240_000);
    const snapshot = api.ctx.currentProject()!;
    await vscode.commands.executeCommand('lakehouse.emulator.use');
    const state = api.ctx.operations.emulatorState(snapshot);
    assert.ok(state, 'the emulator runs');
    await waitFor('the placeholder names the local emulator', () =>
      api.ctx.runs.tree.rootNodes.some(n => n.kind === 'message' && n.message.label === 'Show runs of local emulator…'),
    );
    // Which activity fails is the emulator's outcome rules: the failing window's copy, once (a rerun from
    // failure then succeeds); every other activity succeeds quickly.
    const control = new EmulatorControlClient(state);
    await control.clearOutcomes();
    await control.addOutcomes(
      {
        pipeline: PIPELINE,
        activity: 'for_each_table',
        parameter: { name: 'window_start', value: FAILING_WINDOW },
        status: 'Failed',
        errorCode: '2200',
        message: INJECTED,
        times: 1,
      },
      {
        pipeline: PIPELINE,
        parameter: { name: 'window_start', value: SLOW_WINDOW },
        status: 'Succeeded',
        durationMs: 120_000,
      },
      { pipeline: PIPELINE, status: 'Succeeded', durationMs: 300 },
    );

    const deploying = vscode.commands.executeCommand<{ status: string } | undefined>('lakehouse.deploy');
    await answer('runs-deploy-review', 'Review the deploy', { type: 'Deploy' }, { press: 'Enter' });
    assert.strictEqual((await deploying)?.status, 'applied');

    const triggering = vscode.commands.executeCommand<TriggeredRun | undefined>('lakehouse.runs.trigger');
    await answer('trigger-pick-pipeline', 'Pipeline to trigger', { type: PIPELINE }, { press: 'Enter' });
    await answer('trigger-form', 'Choose a parameter to change it', { type: 'loop_input' }, { press: 'Enter' });
    // A value of the wrong type is refused in the input box, with the reason; Escape goes back to the form.
    await answer('trigger-parameter', 'loop_input: a JSON array', { fill: '{"not": "an array"}' });
    await checkpoint('trigger-parameter-invalid', {
      waitForText: 'loop_input (Array) must be a JSON array',
      actions: [{ press: 'Escape' }],
    });
    await answer(
      'trigger-form-window',
      'Choose a parameter to change it',
      { type: 'window_start' },
      { press: 'Enter' },
    );
    await answer('trigger-window', 'window_start: text', { fill: GOOD_WINDOW }, { press: 'Enter' });
    await answer('trigger-form-start', 'with 1 changed parameter', { type: 'Start Run' }, { press: 'Enter' });
    const run = await triggering;
    assert.ok(run, 'a run started');
    assert.strictEqual(run.pipelineName, PIPELINE);
    assert.strictEqual(run.found, false);

    // Shown and selected at once, then followed by the view's own refresh (no Refresh is asked for).
    assert.ok(runNode(run.runId), 'the new run is in the view at once');
    await waitFor('the run to succeed in the view', () => statusOf(run.runId) === 'Succeeded', 120_000);
    const node = runNode(run.runId)!;
    assert.strictEqual(node.run.parameters['window_start'], GOOD_WINDOW, 'the typed value reached the run');
    assert.strictEqual(node.run.parameters['loop_input']?.startsWith('[{'), true, 'the default went unchanged');
    assert.ok(api.ctx.runs.session!.monitor.refreshHistory.length > 0, 'refreshed by itself');
    const runs = await control.runs();
    assert.strictEqual(runs.filter(r => r['pipelineName'] === PIPELINE).length, 1, 'started once');
    await api.ctx.runs.view.reveal(node, { expand: true, select: true });
    await checkpoint('runs-view-succeeded', { waitForText: 'Succeeded', selector: SIDEBAR });
  });

  test('a failed run gives one notification; Show Run selects it; Rerun from Failure joins its group', async function () {
    this.timeout(240_000);
    const before = api.ctx.runs.notified.length;
    const pipelineNode = api.ctx.runs.tree.rootNodes.find(n => n.kind === 'pipeline');
    assert.ok(pipelineNode, 'the pipeline is in the view');
    // The inline ▷ of the pipeline in the Runs view: no pipeline pick, straight to its form.
    const triggering = vscode.commands.executeCommand<TriggeredRun | undefined>('lakehouse.runs.trigger', pipelineNode);
    await answer(
      'trigger-form-failing',
      'Choose a parameter to change it',
      { type: 'window_start' },
      { press: 'Enter' },
    );
    await answer('trigger-window-failing', 'window_start: text', { fill: FAILING_WINDOW }, { press: 'Enter' });
    await answer('trigger-start-failing', 'with 1 changed parameter', { type: 'Start Run' }, { press: 'Enter' });
    const failing = await triggering;
    assert.ok(failing);

    // One notification, for the new failure only (the earlier run succeeded; nothing before watching counts).
    await waitFor('the failure notification', () => api.ctx.runs.notified.length > before, 120_000);
    // Toasts do not show in this host's screenshots: the notification center shows the same notification.
    await vscode.commands.executeCommand('notifications.showList');
    await checkpoint('run-failed-notification', {
      waitForText: `${PIPELINE} failed on local emulator`,
      selector: '.notifications-center',
      actions: [{ click: 'Show Run' }],
    });
    await vscode.commands.executeCommand('notifications.hideList');
    assert.strictEqual(statusOf(failing.runId), 'Failed');
    assert.strictEqual(api.ctx.runs.notified.length, before + 1, 'one notification');
    const notice = api.ctx.runs.notified[before]!;
    assert.deepStrictEqual(notice.runIds, [failing.runId], 'only the new failure, not the earlier runs');
    assert.ok(notice.message.includes(INJECTED) || notice.message.includes('for_each_table'), notice.message);
    await waitFor('Show Run to select the failed run', () => {
      const selected = api.ctx.runs.view.selection[0];
      return selected?.kind === 'run' && selected.run.runId === failing.runId;
    });

    // Its activity runs, with the error on the one that failed.
    const activities = (await api.ctx.runs.tree.getChildren(runNode(failing.runId))) as RunsNode[];
    const failedActivity = activities.find(a => a.kind === 'activity' && a.activity.status === 'Failed');
    assert.ok(failedActivity?.kind === 'activity', JSON.stringify(activities.map(a => a.id)));
    assert.strictEqual(failedActivity.activity.activityName, 'for_each_table');
    assert.strictEqual(failedActivity.activity.error?.message, INJECTED);
    // Clicking it opens its input, output and error as read-only JSON.
    await vscode.commands.executeCommand('lakehouse.runs.openActivity', failedActivity);
    const document = await waitFor('the activity run document', () => vscode.window.activeTextEditor?.document);
    assert.strictEqual(document.uri.scheme, 'lakehouse-run');
    assert.strictEqual(document.languageId, 'json');
    const shown = JSON.parse(document.getText()) as { activity: string; error: { message: string } };
    assert.strictEqual(shown.activity, 'for_each_table');
    assert.strictEqual(shown.error.message, INJECTED);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    await api.ctx.runs.view.reveal(runNode(failing.runId)!, { expand: true, select: true });
    await checkpoint('runs-view-failed', { waitForText: INJECTED.slice(0, 30), selector: SIDEBAR });

    // Rerun from Failure: the question says the reference run's parameters win.
    const rerunning = vscode.commands.executeCommand<string | undefined>(
      'lakehouse.runs.rerunFromFailure',
      runNode(failing.runId),
    );
    await answer(
      'rerun-from-failure-question',
      'A rerun always takes the parameters',
      { type: 'Rerun from Failure' },
      { press: 'Enter' },
    );
    const rerunId = await rerunning;
    assert.ok(rerunId, 'the rerun started');
    await waitFor('the rerun to succeed in the view', () => statusOf(rerunId) === 'Succeeded', 120_000);
    const rerun = runNode(rerunId)!;
    assert.strictEqual(rerun.group?.original.runId, failing.runId, 'grouped with its original');
    assert.strictEqual(rerun.parent?.kind, 'group');
    assert.strictEqual(rerun.group?.latest.runId, rerunId, 'the group is as its latest run: Succeeded');
    assert.strictEqual(rerun.run.parameters['window_start'], FAILING_WINDOW, "the reference run's parameters");
    assert.strictEqual(api.ctx.runs.notified.length, before + 1, 'no further notification');
    await api.ctx.runs.view.reveal(rerun.parent!, { expand: true, select: false });
    await api.ctx.runs.view.reveal(rerun, { expand: true, select: true });
    await checkpoint('runs-view-rerun', { waitForText: 'rerun 1', selector: SIDEBAR });

    // The emulator has no ADF Studio: the command says so instead of opening a link.
    await vscode.commands.executeCommand('lakehouse.runs.openInStudio', rerun);
    await checkpoint('runs-no-studio', { waitForText: 'the local emulator has no ADF Studio', screenshot: false });
  });

  test('Cancel Run stops a long run after its question', async function () {
    this.timeout(180_000);
    const pipelineNode = api.ctx.runs.tree.rootNodes.find(n => n.kind === 'pipeline');
    const triggering = vscode.commands.executeCommand<TriggeredRun | undefined>('lakehouse.runs.trigger', pipelineNode);
    await answer('trigger-form-slow', 'Choose a parameter to change it', { type: 'window_start' }, { press: 'Enter' });
    await answer('trigger-window-slow', 'window_start: text', { fill: SLOW_WINDOW }, { press: 'Enter' });
    await answer('trigger-start-slow', 'with 1 changed parameter', { type: 'Start Run' }, { press: 'Enter' });
    const slow = await triggering;
    assert.ok(slow);
    await waitFor('the slow run to be in progress', () => statusOf(slow.runId) === 'InProgress', 60_000);
    const cancelling = vscode.commands.executeCommand<boolean>('lakehouse.runs.cancel', runNode(slow.runId));
    await answer('cancel-question', 'cancels the child pipeline runs', { type: 'Cancel Run' }, { press: 'Enter' });
    assert.strictEqual(await cancelling, true);
    await waitFor('the run to be cancelled', () => statusOf(slow.runId) === 'Cancelled', 60_000);
  });
});
