// End-to-end in Restricted Mode: the same host with Workspace Trust on and the copy of the sample
// not trusted (scripts/test.mjs runs this file in a second host, E2E_MODE=restricted). Checking
// works; nothing renders and nothing is written, whatever the workspace's own settings say.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { LakehouseApi } from '../../src/extension/extension';
import { checkpoint } from './checkpoint';
import { EXTENSION_ID, waitFor, workspaceRoot } from './util';

suite('Restricted Mode (an untrusted copy of the sample)', () => {
  let api: LakehouseApi;

  suiteSetup(async () => {
    api = await vscode.extensions.getExtension<LakehouseApi>(EXTENSION_ID)!.activate();
    await api.ready;
    await api.ctx.projects.whenIdle();
  });

  test('the workspace is not trusted, and the project is still checked', () => {
    assert.strictEqual(vscode.workspace.isTrusted, false);
    assert.strictEqual(api.ctx.projects.snapshots.length, 1);
    assert.deepStrictEqual(
      [...api.ctx.projects.snapshots[0]!.diagnostics.values()].flat().map(d => d.code),
      [],
    );
  });

  test('Generate ADF Artifacts and Render All write nothing, and say why', async () => {
    const artifact = path.join(workspaceRoot(), 'adf', 'linkedService', 'ls_adls.json');
    const notebook = path.join(workspaceRoot(), 'databricks', 'src', 'silver', 'DimUser.py');
    fs.rmSync(artifact);
    fs.rmSync(notebook);
    await api.ctx.projects.filesChanged([artifact, notebook]);
    assert.strictEqual(await vscode.commands.executeCommand('lakehouse.adf.generate'), undefined);
    await checkpoint('restricted-mode-generate-refused', {
      waitForText: 'Generating ADF artifacts is off in Restricted Mode',
    });
    assert.strictEqual(await vscode.commands.executeCommand('lakehouse.templates.renderAll'), undefined);
    await vscode.commands.executeCommand('notifications.showList');
    await checkpoint('restricted-mode-render-refused', {
      waitForText: 'Rendering templates is off in Restricted Mode',
      selector: '.notifications-center',
    });
    assert.strictEqual(fs.existsSync(artifact), false, 'no artifact written');
    assert.strictEqual(fs.existsSync(notebook), false, 'no notebook written');
  });

  test("a workspace's own allowedFolders setting is ignored: paths.templates outside the project stays an error", async () => {
    await vscode.workspace
      .getConfiguration('lakehouse')
      .update('security.allowedFolders', ['/etc'], vscode.ConfigurationTarget.Workspace);
    const file = path.join(workspaceRoot(), 'lakehouse.yaml');
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, text.replace('  bundle: databricks\n', '  bundle: databricks\n  templates: /etc\n'));
    try {
      await api.ctx.projects.filesChanged([file]);
      const diagnostics = await waitFor('LH601 on paths.templates', () => {
        const found = vscode.languages.getDiagnostics(vscode.Uri.file(file)).filter(d => d.code === 'LH601');
        return found.length ? found : undefined;
      });
      assert.match(diagnostics[0]!.message, /paths\.templates \('[^']*etc'\) is outside the project folder/);
    } finally {
      fs.writeFileSync(file, text);
      await vscode.workspace
        .getConfiguration('lakehouse')
        .update('security.allowedFolders', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});
