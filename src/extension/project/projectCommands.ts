import * as path from 'path';
import * as vscode from 'vscode';
import type { Diagnostic } from '../../core/index';
import type { Context } from '../context';
import { LOCAL_ENVIRONMENT } from './environments';
import { showRange } from '../editor/reveal';
import type { SourcesNode } from '../sources/sourcesTreeDataProvider';

/**
 * "Create lakehouse.yaml from ADF Folder…": on a folder of the Explorer, or chosen. The file goes
 * beside the ADF folder (lakehouse.yaml reads only inside its own folder); if one is there
 * already, the user chooses to replace it or to save elsewhere.
 */
export async function importAdf(ctx: Context, adfFolder?: vscode.Uri): Promise<vscode.Uri | undefined> {
  const core = ctx.core;
  const log = ctx.log;
  const folder = (adfFolder instanceof vscode.Uri ? adfFolder : undefined) ?? (await pickAdfFolder());
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
  let target = vscode.Uri.file(path.join(path.dirname(folder.fsPath), 'lakehouse.yaml'));
  if (await exists(target)) {
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
  await ctx.projects.discover();
  const doc = await vscode.workspace.openTextDocument(target);
  await vscode.window.showTextDocument(doc, { preview: false });
  void vscode.window.showInformationMessage(
    `Created ${vscode.workspace.asRelativePath(target)} with ${imported.tables} table(s). ` +
      `Fill in the TODOs the Problems panel lists (columns, keys, star schema).`,
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

/** "Select Environment…": the environment every feature of the current project works in. */
export async function selectEnvironment(ctx: Context): Promise<void> {
  await ctx.projects.whenIdle();
  const projects = ctx.metadataProjects;
  let snapshot = ctx.currentProject();
  if (projects.length > 1) {
    const picked = await vscode.window.showQuickPick(
      projects.map(s => ({
        label: s.metadata.project?.name ?? path.basename(path.dirname(s.rootFile)),
        description: `${ctx.shown(s.rootFile)} · ${ctx.environments.nameOf(s) ?? 'no environment'}`,
        snapshot: s,
      })),
      { placeHolder: 'Select the environment of which project?' },
    );
    snapshot = picked?.snapshot;
  }
  if (!snapshot) return;
  const current = ctx.environments.operationsName(snapshot);
  const declared = snapshot.metadata.environments;
  if (declared.length === 0) {
    void vscode.window.showInformationMessage(
      `${ctx.shown(snapshot.rootFile)} declares no environments: everything is generated for 'dev'.`,
    );
    return;
  }
  const local = !declared.some(e => e.name === LOCAL_ENVIRONMENT);
  const picked = await vscode.window.showQuickPick(
    [
      ...declared.map(e => ({
        label: `${e.name === current ? '$(check) ' : ''}${e.name}`,
        description: [e.protected ? '$(lock) protected' : '', e.storageAccount, e.databricksHost, e.factory]
          .filter(Boolean)
          .join(' · '),
        name: e.name,
      })),
      ...(local
        ? [
            {
              label: `${current === LOCAL_ENVIRONMENT ? '$(check) ' : ''}$(vm) local emulator`,
              description: `no Azure: a Data Factory and Azurite on this machine · artifacts with ${declared[0]!.name}'s values`,
              name: LOCAL_ENVIRONMENT,
            },
          ]
        : []),
    ],
    {
      placeHolder: `Environment for previews, Render All, ADF generation and operations (now: ${current})`,
      matchOnDescription: true,
    },
  );
  if (!picked || picked.name === current) return;
  await ctx.environments.set(snapshot.rootFile, picked.name);
  ctx.log.info(
    `${ctx.shown(snapshot.rootFile)}: environment ${picked.name === LOCAL_ENVIRONMENT ? 'local emulator' : picked.name}`,
  );
  if (picked.name === LOCAL_ENVIRONMENT) await ctx.operations.ensureEmulator(snapshot);
}

/** "Validate Project": validates now and says the result. */
export async function validate(ctx: Context): Promise<void> {
  await ctx.projects.discover();
  const all = ctx.projects.snapshots.flatMap(s => [...s.diagnostics.values()].flat());
  const errors = all.filter(d => d.severity === 'error').length;
  const warnings = all.filter(d => d.severity === 'warning').length;
  const summary = `${errors} error(s) and ${warnings} warning(s)`;
  ctx.log.info(`Validate Project: ${summary}`);
  if (errors || warnings) {
    void vscode.commands.executeCommand('workbench.actions.view.problems');
    void vscode.window.showWarningMessage(`Lakehouse: ${summary}, listed in the Problems panel.`);
  } else if (ctx.projects.snapshots.length) void vscode.window.showInformationMessage('Lakehouse: no problems found.');
  else void vscode.window.showInformationMessage('Lakehouse: no lakehouse.yaml in this workspace.');
}

/** "Go to Definition" on a Sources item. */
export async function revealSource(ctx: Context, node?: SourcesNode): Promise<void> {
  const target = node ?? ctx.sourcesView.selection[0];
  const location = target && ctx.sources.locationOf(target);
  if (location) await showRange(location.file, location.range, { preview: true });
}

/** "Show Problem" on a problem listed in the Sources view. */
export async function openProblem(_ctx: Context, diagnostic?: Diagnostic): Promise<void> {
  if (diagnostic && typeof diagnostic.file === 'string') await showRange(diagnostic.file, diagnostic.range);
}
