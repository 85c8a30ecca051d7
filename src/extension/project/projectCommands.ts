import * as path from 'path';
import * as vscode from 'vscode';
import { loadCore } from '../lazyCore';
import type { ProjectManager } from './projectManager';

/**
 * "Create lakehouse.yaml from ADF Folder…". Arguments (for tests and other extensions):
 * the ADF folder and the file to write; without them the user picks.
 */
export async function importAdfCommand(
  manager: ProjectManager,
  log: vscode.LogOutputChannel,
  adfFolder?: vscode.Uri,
  outFile?: vscode.Uri,
): Promise<vscode.Uri | undefined> {
  const core = loadCore();
  const folder = adfFolder ?? (await pickAdfFolder());
  if (!folder) return undefined;
  const result = await core.readAdfFolder(new core.NodeFileHost(), folder.fsPath);
  if (result.status !== 'ok') {
    void vscode.window.showErrorMessage(
      result.status === 'missing'
        ? `${folder.fsPath} does not exist.`
        : `${path.basename(folder.fsPath)} is not an ADF folder: it has none of pipeline/, dataset/, linkedService/, trigger/, factory/.`,
    );
    return undefined;
  }
  const workspaceFolder = vscode.workspace.getWorkspaceFolder(folder) ?? vscode.workspace.workspaceFolders?.[0];
  let target =
    outFile ??
    vscode.Uri.joinPath(workspaceFolder?.uri ?? vscode.Uri.file(path.dirname(folder.fsPath)), 'lakehouse.yaml');
  if (!outFile && (await exists(target))) {
    const choice = await vscode.window.showWarningMessage(
      `${vscode.workspace.asRelativePath(target)} already exists.`,
      { modal: true, detail: 'Importing would replace it. Choose another file to keep it.' },
      'Replace',
      'Save As…',
    );
    if (choice === 'Save As…') {
      const picked = await vscode.window.showSaveDialog({
        defaultUri: target,
        filters: { 'Lakehouse metadata': ['yaml', 'yml'] },
      });
      if (!picked) return undefined;
      target = picked;
    } else if (choice !== 'Replace') return undefined;
  }
  const imported = core.importFromAdf(result.factory, target.fsPath);
  await core.writeFileAtomic(target.fsPath, imported.text);
  log.info(`Imported ${imported.tables} table(s) from ${folder.fsPath} into ${target.fsPath}`);
  for (const note of imported.notes) log.info(`  ${note}`);
  await manager.discover();
  const doc = await vscode.workspace.openTextDocument(target);
  await vscode.window.showTextDocument(doc, { preview: false });
  void vscode.window.showInformationMessage(
    `Created ${path.basename(target.fsPath)} with ${imported.tables} table(s). Fill in the TODOs the Problems panel lists (columns, keys, star schema).`,
  );
  return target;
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/** Offers the workspace's ADF folders (those with a pipeline/ folder), or a folder picker. */
async function pickAdfFolder(): Promise<vscode.Uri | undefined> {
  const pipelines = await vscode.workspace.findFiles('**/pipeline/*.json', '**/node_modules/**', 2000);
  const roots = [...new Set(pipelines.map(u => path.dirname(path.dirname(u.fsPath))))].sort();
  const browse = '$(folder-opened) Browse…';
  if (roots.length) {
    const picked = await vscode.window.showQuickPick(
      [
        ...roots.map(r => ({ label: vscode.workspace.asRelativePath(r), description: 'ADF folder', root: r })),
        { label: browse, description: '', root: '' },
      ],
      { placeHolder: 'Data Factory folder (ADF git layout) to import from' },
    );
    if (!picked) return undefined;
    if (picked.root) return vscode.Uri.file(picked.root);
  }
  const chosen = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    canSelectMany: false,
    openLabel: 'Import ADF Folder',
  });
  return chosen?.[0];
}
