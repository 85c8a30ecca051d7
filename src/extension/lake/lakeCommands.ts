// The Lake view's commands: thin handlers over the view (lakeView.ts) and its documents.
import * as vscode from 'vscode';
import type { Context } from '../context';
import type { LakeOpenResult } from './lakeDocuments';
import { lakeAddress } from './lakePresentation';
import type { LakeNode } from './lakeTreeModel';
import { LAKE_VIEW_ID } from './lakeView';

/** Refresh: an item's subtree (its button), or the whole view (the title's button). */
export function refresh(ctx: Context, node: LakeNode | undefined): void {
  if (node) ctx.lake.model.refresh(node);
  else ctx.lake.refreshAll();
}

/** "Connect to <environment>…": the project of the item, else the one shown or the current one. */
export async function connect(ctx: Context, node: LakeNode | undefined): Promise<boolean> {
  await ctx.projects.whenIdle();
  const snapshot = ctx.lake.projectFor(node);
  if (!snapshot) {
    void vscode.window.showInformationMessage('Lakehouse: no lakehouse project is open.');
    return false;
  }
  return ctx.lake.connect(snapshot);
}

export async function loadMore(ctx: Context, node: LakeNode | undefined): Promise<void> {
  if (!node) return;
  await vscode.window.withProgress({ location: { viewId: LAKE_VIEW_ID } }, () => ctx.lake.model.loadMore(node));
}

/** A file (or a watermark, or a Delta commit) opened read-only. */
export async function open(ctx: Context, node: LakeNode | undefined): Promise<LakeOpenResult | undefined> {
  const file = node ? fileOf(node) : undefined;
  if (!node || !file) return undefined;
  const lake = ctx.lake.lakeOf(node.project);
  if (!lake) {
    const message = 'The Lake view is not connected: connect it first.';
    void vscode.window.showInformationMessage(`Lakehouse: ${message}`);
    return { message };
  }
  return ctx.lake.documents.open(node.project, lake, file);
}

/** The item's address on the clipboard: abfss://… for Azure (what Spark reads), the blob URL for the emulator. */
export async function copyPath(ctx: Context, node: LakeNode | undefined): Promise<string | undefined> {
  const where = node ? locationOf(node) : undefined;
  const project = node ? ctx.lake.model.project(node.project) : undefined;
  const browser = node ? ctx.lake.model.browserOf(node.project) : undefined;
  if (!where || !project || !browser) return undefined;
  const address = lakeAddress(
    { local: project.local, account: browser.accountName, endpoint: browser.endpoint },
    where.container,
    where.path,
  );
  await vscode.env.clipboard.writeText(address);
  vscode.window.setStatusBarMessage(`Lakehouse: copied ${address}`, 4000);
  return address;
}

function fileOf(node: LakeNode): { container: string; path: string; size?: number } | undefined {
  switch (node.kind) {
    case 'file':
      return { container: node.container, path: node.entry.path, size: node.entry.size };
    case 'watermark':
      return 'found' in node.state && node.state.found
        ? { container: node.container, path: node.file, size: node.state.size }
        : undefined;
    case 'version':
      // The commit's own size is not known here (the log's listing had it): the preview asks.
      return node.version.file
        ? { container: node.container, path: `${node.folder}_delta_log/${node.version.file}` }
        : undefined;
    default:
      return undefined;
  }
}

function locationOf(node: LakeNode): { container: string; path: string } | undefined {
  switch (node.kind) {
    case 'container':
    case 'folder':
      return { container: node.container, path: node.folder };
    case 'versions':
      return { container: node.container, path: `${node.folder}_delta_log/` };
    default:
      return fileOf(node);
  }
}
