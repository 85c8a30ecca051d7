// Helpers shared by the end-to-end suites.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'lakehouse-workbench.lakehouse-workbench';

/** Polls until probe returns something other than undefined or false. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() - t0 > timeoutMs) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise(r => setTimeout(r, 20));
  }
}

export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'a workspace folder is open');
  return folder.uri.fsPath;
}

/** Where the tests write figures and screenshots (the driver's SHOT_DIR). */
export function outputDir(): string {
  const dir = process.env['SHOT_DIR'] ?? path.resolve(__dirname, '..', '..', '..', 'test-output', 'e2e');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Reverts every unsaved edit and closes the editors: a test's edits never reach the disk or the next test. */
export async function revertAndCloseEditors(): Promise<void> {
  // A question a failed test left open (a quick pick, an input box) must not take the next test's keys.
  await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
  for (const doc of vscode.workspace.textDocuments.filter(d => d.isDirty && d.uri.scheme === 'file')) {
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}
