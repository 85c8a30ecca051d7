// End-to-end: operations on the local emulator in a real VS Code host — "Use Local Emulator" starts
// it (a Data Factory and Azurite on this machine, labelled so, never Azure), the status bar says so,
// and "Deploy to Environment…" plans, shows its review, writes the factory on "Deploy", and a second
// deploy finds nothing to do.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { LakehouseApi } from '../../src/extension/extension';
import { answer, checkpoint } from './checkpoint';
import { EXTENSION_ID, revertAndCloseEditors } from './util';

interface DeployReportLike {
  status: string;
  message?: string;
  artifacts: { kind: string; name: string; outcome: string }[];
}

suite('Operations on the local emulator in a real VS Code host', () => {
  let api: LakehouseApi;

  suiteSetup(async () => {
    api = await vscode.extensions.getExtension<LakehouseApi>(EXTENSION_ID)!.activate();
    await api.ready;
    await api.ctx.projects.whenIdle();
  });

  suiteTeardown(async () => {
    const snapshot = api.ctx.currentProject();
    if (snapshot) {
      await api.ctx.operations.stopEmulator(snapshot);
      await api.ctx.environments.set(snapshot.rootFile, 'dev');
    }
    await revertAndCloseEditors();
  });

  test('Use Local Emulator, then Deploy: reviewed, applied in the order of references, then up to date', async function () {
    this.timeout(180_000);
    const snapshot = api.ctx.currentProject()!;
    await vscode.commands.executeCommand('lakehouse.emulator.use');
    const state = api.ctx.operations.emulatorState(snapshot);
    assert.ok(state, 'the emulator runs');
    assert.ok(state.adf.endpoint.startsWith('https://127.0.0.1:'), 'on loopback');
    assert.ok(api.ctx.environments.isLocal(snapshot));
    await checkpoint('status-bar-local-emulator', {
      waitForText: 'local emulator',
      selector: '#workbench\\.parts\\.statusbar',
    });

    const running = vscode.commands.executeCommand<DeployReportLike | undefined>('lakehouse.deploy');
    await answer('deploy-review', 'Review the deploy', { type: 'Deploy' }, { press: 'Enter' });
    const report = await running;
    assert.ok(report, 'the deploy ran');
    assert.strictEqual(report.status, 'applied');
    const created = report.artifacts.filter(a => a.outcome === 'created').map(a => a.kind);
    assert.ok(created.length >= 5, JSON.stringify(report.artifacts));
    assert.ok(created.lastIndexOf('linkedService') < created.indexOf('dataset'), created.join());
    assert.ok(created.lastIndexOf('pipeline') < created.indexOf('trigger'), created.join());
    // With the local Databricks workspace provisioned (scripts/provision-databricks-cli.sh), the
    // bundle went first, through the real Databricks CLI.
    if (state.databricks) assert.match(report.message ?? '', /^Bundle target dev deployed\./, report.message);
    await checkpoint('deploy-done', { waitForText: 'Deployed' });

    const again = await vscode.commands.executeCommand<DeployReportLike | undefined>('lakehouse.deploy');
    assert.strictEqual(again, undefined, 'nothing to review: the factory is up to date');
    await checkpoint('deploy-up-to-date', { waitForText: 'is up to date' });
  });

  test("the extension's log carries no token, signature or account key", async () => {
    // The log channel is written to files under the extension's log folder (a moment after each line).
    await new Promise(resolve => setTimeout(resolve, 1500));
    const files: string[] = [];
    const visit = (dir: string) => {
      if (!fs.existsSync(dir)) return;
      for (const entry of fs.readdirSync(dir, { withFileTypes: true }))
        if (entry.isDirectory()) visit(path.join(dir, entry.name));
        else files.push(path.join(dir, entry.name));
    };
    visit(api.ctx.extension.logUri.fsPath);
    const text = files.map(f => fs.readFileSync(f, 'utf8')).join('\n');
    assert.match(text, /deploy/, `the log was read (${files.join(', ') || 'no files'})`);
    const secrets: [string, RegExp][] = [
      ['a bearer token', /Bearer\s+(?!REDACTED)[\w.-]{8,}/i],
      ['a JWT', /eyJ[\w-]{8,}\.[\w-]{8,}\./],
      ['a SAS signature', /[?&]sig=(?!REDACTED)[^&\s]{6,}/i],
      ['an account key', /AccountKey=(?!REDACTED)[^;\s]{8,}/i],
      ["the emulator's storage key", /Eby8vdM02xNOcqF/],
      ['a Databricks token', /dapi-lakehouse-local-emulator|dapi[0-9a-f]{16,}/],
    ];
    for (const [what, pattern] of secrets) assert.doesNotMatch(text, pattern, `the log carries ${what}`);
  });
});
