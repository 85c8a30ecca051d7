// End-to-end: Backfill… on the local emulator in a real VS Code host, through the real questions
// (tables, from, to, granularity, concurrency, the review with Cancel first), the cancellable
// progress notification, and the summary whose "Rerun Failed Partitions" runs exactly the failed
// window again; then a backfill left unfinished in the journal folder (as `lakehouse backfill`
// leaves one it was killed in) is offered for Resume when the project loads, and finishes there.
// Every run is counted in the emulator: one per partition, the failed one twice.
import * as assert from 'assert';
import * as path from 'path';
import * as vscode from 'vscode';
import type { LakehouseApi } from '../../src/extension/extension';
import type { BackfillSummary } from '../../src/core/backfill/summary';
import type { BackfillFinished } from '../../src/extension/backfill/backfillManager';
import { EmulatorControlClient } from '../../src/emulator/process';
import { backfillJournalDir, JournalFolderOnDisk } from '../../src/core/files/journalFiles';
import { JournalWriter } from '../../src/core/backfill/journal';
import { backfillSettingsOf, prepareBackfill } from '../../src/core/backfill/session';
import { factoryIdOf, factoryPipelinesFor } from '../../src/azure/clients';
import { answer, checkpoint } from './checkpoint';
import { EXTENSION_ID, revertAndCloseEditors, waitFor } from './util';

const PIPELINE = 'pl_incremental_ingestion';

suite('Backfill on the local emulator in a real VS Code host', () => {
  let api: LakehouseApi;
  let control: EmulatorControlClient;

  /** The emulator's runs of the ingestion pipeline per window start, for windows starting in [from, to). */
  async function runsPerWindow(from: string, to: string): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const r of await control.runs()) {
      const start = (r['parameters'] as Record<string, string>)['window_start'] ?? '';
      if (r['pipelineName'] === PIPELINE && start >= from && start < to) counts[start] = (counts[start] ?? 0) + 1;
    }
    return counts;
  }

  const nextFinish = () =>
    new Promise<BackfillFinished>(resolve => {
      const subscription = api.ctx.backfills.onDidFinish(e => {
        subscription.dispose();
        resolve(e);
      });
    });

  suiteSetup(async function () {
    this.timeout(180_000);
    api = await vscode.extensions.getExtension<LakehouseApi>(EXTENSION_ID)!.activate();
    await api.ready;
    await api.ctx.projects.whenIdle();
    const snapshot = api.ctx.currentProject()!;
    await vscode.commands.executeCommand('lakehouse.emulator.use');
    const state = api.ctx.operations.emulatorState(snapshot);
    assert.ok(state, 'the emulator runs');
    control = new EmulatorControlClient(state);
    // The backfill runs the deployed pipelines: deploy them (through the review, as a person would).
    const deployed = vscode.commands.executeCommand<{ status: string } | undefined>('lakehouse.deploy');
    await answer('backfill-0-deploy', 'Review the deploy', { type: 'Deploy' }, { press: 'Enter' });
    assert.strictEqual((await deployed)?.status, 'applied');
  });

  suiteTeardown(async () => {
    // The notification list this suite opened for its screenshots would take the next suite's keys.
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('notifications.hideList');
    await control?.clearOutcomes().catch(() => undefined);
    const snapshot = api.ctx.currentProject();
    if (snapshot) {
      await api.ctx.operations.stopEmulator(snapshot);
      await api.ctx.environments.set(snapshot.rootFile, 'dev');
    }
    await revertAndCloseEditors();
  });

  test('Backfill…: tables, dates, granularity, concurrency, review; progress; summary; Rerun Failed Partitions', async function () {
    this.timeout(300_000);
    // Runs take a few seconds each (so the progress shows them), and one window fails once.
    await control.addOutcomes(
      {
        pipeline: PIPELINE,
        parameter: { name: 'window_start', value: '2024-03-02T00:00:00' },
        message: 'Source table dbo.FactStream is locked (2024-03-02).',
        times: 1,
      },
      { pipeline: PIPELINE, status: 'Succeeded', durationMs: 700 },
    );

    // Earlier notifications (emulator, deploy) out of the way: the center then shows the backfill's alone.
    await vscode.commands.executeCommand('notifications.clearAll');
    // From the Sources view's menu on a table, as VS Code calls it: with the table item.
    await vscode.commands.executeCommand('workbench.view.extension.lakehouse');
    const table = api.ctx.sources.all().find(n => n.kind === 'table' && n.table.name === 'FactStream')!;
    assert.ok(table, 'the Sources view lists FactStream');
    // reveal() needs a rendered tree: retry until the workbench has fetched the nodes.
    await waitFor('the Sources tree to render', () =>
      Promise.resolve(api.ctx.sourcesView.reveal(table, { select: true, focus: false, expand: false })).then(
        () => true,
        () => undefined,
      ),
    );
    const running = vscode.commands.executeCommand<BackfillSummary | undefined>('lakehouse.backfill', table);
    // FactStream comes checked (the others not): Enter takes it.
    await answer('backfill-1-tables', 'Tables to copy again', { press: 'Enter' });
    await answer('backfill-2-from', 'First day to copy', { fill: '2024-03-01' }, { press: 'Enter' });
    await answer('backfill-3-to', 'Day after the last day', { fill: '2024-03-04' }, { press: 'Enter' });
    await answer('backfill-4-granularity', 'How to cut the range', { press: 'Enter' });
    await answer('backfill-5-concurrency', 'Runs in flight at once', { press: 'Enter' });
    await answer('backfill-6-review', 'Review the backfill', { type: 'Start Backfill' }, { press: 'Enter' });
    // Toasts come and go in the headless host: the notification center shows the same items, kept.
    await vscode.commands.executeCommand('notifications.showList');
    await checkpoint('backfill-7-progress', {
      waitForText: 'running —',
      selector: '.notifications-center',
      timeoutMs: 30_000,
    });

    const first = await running;
    assert.ok(first, 'the backfill ran');
    assert.deepStrictEqual(
      [first.total, first.succeeded, first.failed, first.duplicates, first.complete],
      [3, 2, 1, 0, true],
    );
    assert.match(first.partitions.find(p => p.status === 'failed')!.message!, /dbo\.FactStream is locked/);
    assert.ok(first.partitions.every(p => p.pipeline === PIPELINE));
    // Each run copies the chosen table only: the loop's array restricted to it.
    for (const r of (await control.runs()).filter(x => x['pipelineName'] === PIPELINE)) {
      const parameters = r['parameters'] as Record<string, string>;
      if (!(parameters['window_start']! >= '2024-03-01' && parameters['window_start']! < '2024-03-04')) continue;
      const loop = JSON.parse(parameters['loop_input']!) as { table: string }[];
      assert.deepStrictEqual(
        loop.map(t => t.table),
        ['FactStream'],
      );
    }
    assert.deepStrictEqual(await runsPerWindow('2024-03-01', '2024-03-04'), {
      '2024-03-01T00:00:00': 1,
      '2024-03-02T00:00:00': 1,
      '2024-03-03T00:00:00': 1,
    });

    const rerun = nextFinish();
    await vscode.commands.executeCommand('notifications.showList');
    await checkpoint('backfill-8-summary', {
      waitForText: 'Rerun Failed Partitions',
      selector: '.notifications-center',
      actions: [{ click: 'Rerun Failed Partitions' }],
    });
    const second = await rerun;
    assert.strictEqual(second.id, first.id);
    assert.ok(second.summary, 'the rerun ran');
    assert.deepStrictEqual(
      [second.summary.round, second.summary.succeeded, second.summary.failed, second.summary.duplicates],
      [2, 3, 0, 0],
    );
    assert.deepStrictEqual(await runsPerWindow('2024-03-01', '2024-03-04'), {
      '2024-03-01T00:00:00': 1,
      '2024-03-02T00:00:00': 2,
      '2024-03-03T00:00:00': 1,
    });
    await vscode.commands.executeCommand('notifications.showList');
    await checkpoint('backfill-9-done', {
      waitForText: 'all 3 partition(s) succeeded',
      selector: '.notifications-center',
    });
  });

  test('a backfill left unfinished by a killed CLI is offered for Resume when the project loads, and finishes once', async function () {
    this.timeout(180_000);
    await control.clearOutcomes();
    await control.addOutcomes({ pipeline: PIPELINE, status: 'Succeeded', durationMs: 300 });
    // What `lakehouse backfill` leaves when killed right after writing its first attempt: the plan,
    // and an attempt whose answer never came (its run may or may not exist: looked for first).
    const snapshot = api.ctx.currentProject()!;
    const opened = (await api.ctx.operations.open(snapshot))!;
    const pipelines = await factoryPipelinesFor(opened.target, opened.credential);
    const plan = prepareBackfill(
      backfillSettingsOf(snapshot.metadata),
      pipelines,
      { tables: ['DimUser'], from: '2024-04-01', to: '2024-04-03', id: 'bf-e2e-killed' },
      { environment: opened.target.environment, factory: factoryIdOf(opened.target) },
      Date.now(),
    );
    const folder = new JournalFolderOnDisk(backfillJournalDir(path.dirname(snapshot.rootFile)));
    const writer = new JournalWriter(folder.file(plan.id), undefined);
    await writer.append(plan);
    await writer.append({ t: 'attempt', key: plan.partitions[0]!.key, n: 1, at: Date.now() });
    await folder.close();

    const finished = nextFinish();
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('lakehouse.sources.refresh');
    await vscode.commands.executeCommand('notifications.showList');
    await checkpoint('backfill-10-resume-offer', {
      waitForText: 'did not finish',
      selector: '.notifications-center',
      actions: [{ click: 'Resume' }],
    });
    const done = await finished;
    assert.strictEqual(done.id, 'bf-e2e-killed');
    assert.ok(done.summary);
    assert.deepStrictEqual([done.summary.succeeded, done.summary.total, done.summary.duplicates], [2, 2, 0]);
    assert.deepStrictEqual(await runsPerWindow('2024-04-01', '2024-04-03'), {
      '2024-04-01T00:00:00': 1,
      '2024-04-02T00:00:00': 1,
    });
    await vscode.commands.executeCommand('notifications.showList');
    await checkpoint('backfill-11-resumed', {
      waitForText: 'all 2 partition(s) succeeded',
      selector: '.notifications-center',
    });
  });
});
