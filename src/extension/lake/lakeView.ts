// The Lake view (lakehouse.lake): the tree of lakeTreeModel.ts as TreeItems, and its connection to
// the project's environment.
//
// Connecting is the user's to ask for: the view never signs in or starts the emulator by itself.
// It shows the zones from lakehouse.yaml at once (no network), with "Connect to <environment>…" on
// top. It connects without asking only when that has no side effect: the local emulator already
// runs, or an Azure environment this workspace connected to before while VS Code still holds a
// Microsoft session (checked silently). A change of environment, of the emulator or of the account
// drops a connection that no longer fits, and the view follows.
import * as path from 'path';
import * as vscode from 'vscode';
import type { TokenCredential } from '@azure/core-auth';
import type { ProjectSnapshot } from '../../core/index';
import { resolveTarget, TargetError, type OperationsTarget } from '../../azure/target';
import type { Context } from '../context';
import { loadAzure } from '../azure/lazyAzure';
import { loadCore } from '../lazyCore';
import { LAKE_SCHEME, LakeDocuments, type ConnectedLake } from './lakeDocuments';
import {
  describeWatermark,
  fileDescription,
  fileTooltip,
  folderDescription,
  folderTooltip,
  loadMoreLabel,
  md,
  versionDescription,
  versionLabel,
  versionTooltip,
} from './lakePresentation';
import {
  isExpandable,
  LakeTreeModel,
  type FolderMarks,
  type LakeBrowser,
  type LakeNode,
  type LakeProject,
} from './lakeTreeModel';

export const LAKE_VIEW_ID = 'lakehouse.lake';
/** Per project, the Azure environment the user connected the view to (so a later window reconnects silently). */
const CONNECTED_KEY = 'lakehouse.lake.connected';
const PROJECT_CHANGE_DELAY_MS = 300;

export class LakeView implements vscode.TreeDataProvider<LakeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<LakeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly model: LakeTreeModel;
  readonly view: vscode.TreeView<LakeNode>;
  readonly documents: LakeDocuments;
  private stale = true;
  private timer: NodeJS.Timeout | undefined;
  /** What each project's nodes were made from (zones, table folders, environment). */
  private readonly signatures = new Map<string, string>();
  /** Environments a silent connection was tried for since the last change (it is not tried again until one). */
  private readonly quietTried = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly ctx: Context) {
    this.model = new LakeTreeModel(
      node => this.changed.fire(node),
      message => ctx.log.warn(message),
    );
    this.view = vscode.window.createTreeView(LAKE_VIEW_ID, { treeDataProvider: this, showCollapseAll: true });
    this.documents = new LakeDocuments(
      root => this.lakeOf(root),
      ctx.log,
      LAKE_VIEW_ID,
      () => ctx.settings.lakePreviewLimitBytes,
    );
    const environmentsChanged = () => {
      this.quietTried.clear();
      this.invalidate();
    };
    this.disposables.push(
      this.changed,
      this.view,
      this.documents,
      vscode.workspace.registerTextDocumentContentProvider(LAKE_SCHEME, this.documents),
      this.view.onDidChangeVisibility(e => {
        if (e.visible && this.stale) this.sync();
      }),
      ctx.projects.onDidChangeProjects(() => this.invalidateSoon()),
      ctx.environments.onDidChange(environmentsChanged),
      ctx.operations.onDidChange(environmentsChanged),
    );
  }

  // ---- TreeDataProvider ----

  getChildren(node?: LakeNode): Promise<LakeNode[]> | LakeNode[] {
    if (!node && this.stale) this.sync();
    return this.model.getChildren(node);
  }

  getParent(node: LakeNode): LakeNode | undefined {
    return this.model.getParent(node);
  }

  getTreeItem(node: LakeNode): vscode.TreeItem {
    const item = new vscode.TreeItem(
      this.labelOf(node),
      isExpandable(node) ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
    );
    item.id = node.id;
    const open = (title = 'Open Read-Only'): vscode.Command => ({
      command: 'lakehouse.lake.open',
      title,
      arguments: [node],
    });
    switch (node.kind) {
      case 'project': {
        const project = this.model.project(node.project);
        item.description = project?.environment;
        item.iconPath = new vscode.ThemeIcon('home');
        item.collapsibleState = vscode.TreeItemCollapsibleState.Expanded;
        item.contextValue = 'lakehouse.lake.project';
        break;
      }
      case 'connect': {
        const project = this.model.project(node.project);
        item.description = project?.connectHint;
        item.iconPath = new vscode.ThemeIcon('plug');
        item.command = { command: 'lakehouse.lake.connect', title: 'Connect', arguments: [node] };
        item.contextValue = 'lakehouse.lake.connect';
        break;
      }
      case 'zone':
        item.description = `container ${node.zone.container}${node.zone.root ? `/${node.zone.root}` : ''}${node.zone.format ? ` · ${node.zone.format}` : ''}`;
        item.iconPath = new vscode.ThemeIcon('layers');
        item.contextValue = 'lakehouse.lake.zone';
        break;
      case 'container':
        item.description = node.zone ? (node.folder ? `from ${node.folder}` : 'container') : 'container';
        item.iconPath = new vscode.ThemeIcon('archive');
        item.contextValue = 'lakehouse.lake.container';
        break;
      case 'containers':
        item.description = this.model.browserOf(node.project)?.accountName;
        item.iconPath = new vscode.ThemeIcon('library');
        item.contextValue = 'lakehouse.lake.containers';
        break;
      case 'folder': {
        item.description = folderDescription(node.mark, node.onlyDirectoryMarker);
        item.iconPath =
          node.mark?.kind === 'table'
            ? new vscode.ThemeIcon('table')
            : node.mark?.kind === 'watermark'
              ? new vscode.ThemeIcon('watch')
              : vscode.ThemeIcon.Folder;
        item.contextValue = `lakehouse.lake.folder${node.mark?.kind === 'table' ? '.table' : node.mark?.kind === 'watermark' ? '.watermark' : ''}`;
        break;
      }
      case 'file':
        item.description = fileDescription(node.entry.size, node.entry.lastModified);
        // The file's name as a URI: the file icon theme picks the icon by its extension.
        item.resourceUri = vscode.Uri.from({ scheme: LAKE_SCHEME, path: `/${node.entry.name}` });
        item.iconPath = vscode.ThemeIcon.File;
        item.command = open();
        item.contextValue = 'lakehouse.lake.file';
        break;
      case 'watermark': {
        const shown = describeWatermark(node.state, node.file);
        item.description = shown.description;
        item.iconPath =
          shown.look === 'problem'
            ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'))
            : shown.look === 'none'
              ? new vscode.ThemeIcon('circle-slash')
              : new vscode.ThemeIcon('watch', new vscode.ThemeColor('charts.blue'));
        const found = 'found' in node.state && node.state.found;
        if (found) item.command = open('Open cdc.json');
        item.contextValue = `lakehouse.lake.watermark${found ? '.found' : ''}`;
        break;
      }
      case 'versions':
        item.description = node.summary ?? 'Delta table';
        item.iconPath = new vscode.ThemeIcon('history');
        item.contextValue = 'lakehouse.lake.versions';
        break;
      case 'version':
        item.description = versionDescription(node.version);
        item.iconPath = new vscode.ThemeIcon(
          'git-commit',
          node.version.problem ? new vscode.ThemeColor('problemsWarningIcon.foreground') : undefined,
        );
        if (node.version.file) item.command = open('Open Commit');
        item.contextValue = 'lakehouse.lake.version';
        break;
      case 'loadMore': {
        const more = loadMoreLabel(node.shown);
        item.description = more.description;
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        item.command = { command: 'lakehouse.lake.loadMore', title: 'Load More', arguments: [node] };
        item.contextValue = 'lakehouse.lake.loadMore';
        break;
      }
      case 'message':
        item.description = node.description;
        item.iconPath =
          node.severity === 'error'
            ? new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'))
            : node.severity === 'warning'
              ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'))
              : node.severity === 'progress'
                ? new vscode.ThemeIcon('loading~spin')
                : new vscode.ThemeIcon('info');
        if (node.tooltip) item.tooltip = new vscode.MarkdownString(node.tooltip);
        item.command = this.actionOf(node);
        item.contextValue = 'lakehouse.lake.message';
        break;
    }
    return item;
  }

  /** Tooltips are made when an item is hovered, not for every one of 5,000 files shown. */
  resolveTreeItem(item: vscode.TreeItem, node: LakeNode): vscode.TreeItem {
    const account = this.model.browserOf(node.project)?.accountName ?? '';
    switch (node.kind) {
      case 'file':
        item.tooltip = new vscode.MarkdownString(
          fileTooltip({
            name: node.entry.name,
            path: node.entry.path,
            container: node.container,
            account,
            size: node.entry.size,
            ...(node.entry.lastModified ? { lastModified: node.entry.lastModified } : {}),
            ...(node.entry.contentType ? { contentType: node.entry.contentType } : {}),
          }),
        );
        break;
      case 'folder':
        item.tooltip = new vscode.MarkdownString(folderTooltip(node.folder, node.container, node.mark));
        break;
      case 'watermark':
        item.tooltip = new vscode.MarkdownString(describeWatermark(node.state, node.file).tooltip);
        break;
      case 'version':
        item.tooltip = new vscode.MarkdownString(versionTooltip(node.version));
        break;
      case 'zone':
        item.tooltip = new vscode.MarkdownString(
          `Zone **${md(node.zone.name)}**: container \`${node.zone.container}\`, folders \`${node.zone.layout}\`` +
            `${node.zone.format ? `, ${md(node.zone.format)}` : ''} (lake.zones in lakehouse.yaml).`,
        );
        break;
      case 'connect': {
        const project = this.model.project(node.project);
        item.tooltip = new vscode.MarkdownString(
          project?.local
            ? 'Connect to the **local emulator** (Azurite on this machine, seeded from lakehouse.yaml). Nothing reaches Azure.'
            : `Connect to **${md(project?.environment ?? '')}**: signs in with the Microsoft account of VS Code and lists ` +
                'the storage account of the environment. Reading needs a data role such as Storage Blob Data Reader.',
        );
        break;
      }
      default:
        break;
    }
    return item;
  }

  // ---- connection ----

  /** Something the view is made from changed: read it again now if the view is shown, else when it is. */
  invalidate(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.stale = true;
    if (this.view.visible) this.sync();
  }

  /** The metadata changed (a keystroke): once per pause in typing, not per key. */
  private invalidateSoon(): void {
    this.stale = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.stale && this.view.visible) this.sync();
    }, PROJECT_CHANGE_DELAY_MS);
  }

  /** Forgets what was read and tries the silent connection again (the Refresh button). */
  refreshAll(): void {
    this.quietTried.clear();
    this.signatures.clear();
    this.stale = true;
    this.sync();
    this.model.refresh();
  }

  /** The project whose lake an item (or the active editor, or the first project) belongs to. */
  projectFor(node?: LakeNode): ProjectSnapshot | undefined {
    if (node) return this.ctx.projects.byRoot(node.project);
    const shown = this.model.all;
    if (shown.length === 1) return this.ctx.projects.byRoot(shown[0]!.rootFile);
    return this.ctx.currentProject();
  }

  /** "Connect to <environment>…": signs in or starts the local emulator as the environment needs, then lists. */
  async connect(snapshot: ProjectSnapshot): Promise<boolean> {
    this.sync();
    const root = snapshot.rootFile;
    const project = this.model.project(root);
    if (!project) return false;
    if (project.blocked === 'selectEnvironment') {
      await vscode.commands.executeCommand('lakehouse.project.selectEnvironment');
      return false;
    }
    if (project.blocked === 'openMetadata') {
      await vscode.window.showTextDocument(vscode.Uri.file(root));
      return false;
    }
    const environment = this.ctx.environments.operationsName(snapshot);
    this.setConnection(root, { state: 'connecting' });
    const opened = await this.ctx.operations.open(snapshot).catch((e: unknown) => {
      this.ctx.log.error(`Lake: connecting failed: ${(e as Error)?.stack ?? String(e)}`);
      return undefined;
    });
    const current = this.ctx.projects.byRoot(root) ?? snapshot;
    if (!opened || opened.target.environment !== this.ctx.environments.operationsName(current)) {
      this.setConnection(root, { state: 'disconnected' });
      return false;
    }
    const browser = this.lakeStorage(root, opened.target, opened.credential);
    if (!browser) return false;
    if (!opened.target.local && environment)
      await this.ctx.extension.workspaceState.update(CONNECTED_KEY, { ...this.remembered(), [root]: environment });
    this.ctx.log.info(`Lake: connected to ${opened.target.label}: ${browser.accountName} (${browser.endpoint})`);
    this.setConnection(root, { state: 'connected', browser, key: this.environmentKey(current) });
    return true;
  }

  /** The connection to a project's lake, for previews. */
  lakeOf(root: string): ConnectedLake | undefined {
    const project = this.model.project(root);
    const browser = this.model.browserOf(root);
    return project && browser ? { browser, environment: project.environment } : undefined;
  }

  /** What the tree shows of each project, from the current snapshots and environments. */
  private sync(): void {
    this.stale = false;
    const core = loadCore();
    const snapshots = this.ctx.metadataProjects;
    const previous = this.model.all;
    let changed =
      snapshots.length !== previous.length || snapshots.some((s, i) => previous[i]?.rootFile !== s.rootFile);
    const projects: LakeProject[] = [];
    for (const snapshot of snapshots) {
      const root = snapshot.rootFile;
      const key = this.environmentKey(snapshot);
      // What the tree shows of the metadata, cheaply: the table folders are rebuilt only when it changed.
      const signature = JSON.stringify([
        key,
        snapshot.metadata.environments.map(e => [e.name, e.storageAccount]),
        core.lakeZonesSignature(snapshot.metadata),
      ]);
      const existing = this.model.project(root);
      if (existing && this.signatures.get(root) === signature) {
        projects.push(existing);
        continue;
      }
      const zones = core.lakeZones(snapshot.metadata);
      changed = true;
      this.signatures.set(root, signature);
      const connection =
        existing && existing.connection.state === 'connecting'
          ? existing.connection
          : existing?.connection.state === 'connected' && existing.connection.key === key
            ? existing.connection
            : ({ state: 'disconnected' } as const);
      projects.push({
        rootFile: root,
        name: snapshot.metadata.project?.name ?? path.basename(path.dirname(root)),
        ...this.environmentOf(snapshot),
        zones,
        marks: lazyMarks(() => new core.LakeFolderMarks(zones)),
        connection,
      });
      if (existing) this.model.resetProject(root, false);
    }
    if (changed) this.model.setProjects(projects);
    this.describeView();
    for (const project of projects)
      if (project.connection.state === 'disconnected' && !project.blocked) void this.connectQuietly(project.rootFile);
  }

  /** What the environment is and what connecting to it does. */
  private environmentOf(
    snapshot: ProjectSnapshot,
  ): Pick<LakeProject, 'environment' | 'local' | 'connectHint' | 'blocked'> {
    if (this.ctx.environments.isLocal(snapshot))
      return {
        environment: 'local emulator',
        local: true,
        connectHint: this.ctx.operations.emulatorState(snapshot)
          ? 'the emulator runs on this machine'
          : 'starts Azurite and the Data Factory emulator on this machine',
      };
    const environment = this.ctx.environments.of(snapshot);
    if (!environment)
      return {
        environment: 'no environment',
        local: false,
        connectHint: 'lakehouse.yaml declares no environments: choose the local emulator (click) or declare one',
        blocked: 'selectEnvironment',
      };
    if (!environment.storageAccount)
      return {
        environment: `${environment.name} (Azure)`,
        local: false,
        connectHint: `environment '${environment.name}' has no storageAccount in lakehouse.yaml (click to open it)`,
        blocked: 'openMetadata',
      };
    return {
      environment: `${environment.name} (Azure)`,
      local: false,
      connectHint: `storage account ${environment.storageAccount} · signs in with your Microsoft account`,
    };
  }

  /** Which lake a connection is to: the local emulator's Azurite (a restart is another), or an environment's account. */
  private environmentKey(snapshot: ProjectSnapshot): string {
    if (this.ctx.environments.isLocal(snapshot)) {
      const state = this.ctx.operations.emulatorState(snapshot);
      return `local|${state?.pid ?? 'stopped'}|${state?.storage?.blobEndpoint ?? ''}`;
    }
    const environment = this.ctx.environments.of(snapshot);
    return `azure|${environment?.name ?? ''}|${environment?.storageAccount ?? ''}`;
  }

  /**
   * Connects without asking anything when that has no side effect: the local emulator already runs,
   * or VS Code holds a Microsoft session and this workspace connected the view to this environment before.
   */
  private async connectQuietly(root: string): Promise<void> {
    const snapshot = this.ctx.projects.byRoot(root);
    if (!snapshot) return;
    const key = this.environmentKey(snapshot);
    if (this.quietTried.has(`${root}|${key}`)) return;
    this.quietTried.add(`${root}|${key}`);
    try {
      if (this.ctx.environments.isLocal(snapshot)) {
        const state = this.ctx.operations.emulatorState(snapshot);
        if (!state) return;
        const target = resolveTarget(snapshot.metadata.environments, 'local', state);
        const browser = this.lakeStorage(root, target, new (loadAzure().EmulatorCredential)());
        if (browser) this.setConnection(root, { state: 'connected', browser, key });
        return;
      }
      const name = this.ctx.environments.operationsName(snapshot);
      if (!name || this.remembered()[root] !== name) return;
      const target = resolveTarget(snapshot.metadata.environments, name, undefined);
      const account = this.ctx.operations.azureAccount();
      if (!(await account.isSignedIn())) return;
      this.setConnection(root, { state: 'connecting' });
      const signedIn = await account.credentialFor(target.factory.subscriptionId, name).catch(() => undefined);
      const now = this.ctx.projects.byRoot(root);
      if (!signedIn || !now || this.environmentKey(now) !== key) {
        if (this.model.project(root)?.connection.state === 'connecting')
          this.setConnection(root, { state: 'disconnected' });
        return;
      }
      const browser = this.lakeStorage(root, target, signedIn.credential);
      if (browser) this.setConnection(root, { state: 'connected', browser, key });
    } catch (e) {
      // Silent by design: the Connect item stays, and connecting by hand says what is wrong.
      if (!(e instanceof TargetError))
        this.ctx.log.warn(`Lake: connecting without asking failed: ${(e as Error)?.message ?? e}`);
      if (this.model.project(root)?.connection.state === 'connecting')
        this.setConnection(root, { state: 'disconnected' });
    }
  }

  /** The adapter for a target's lake; undefined (and the reason on the Connect item) when there is none. */
  private lakeStorage(root: string, target: OperationsTarget, credential: TokenCredential): LakeBrowser | undefined {
    try {
      const storage = loadAzure().lakeStorageFor(target, credential);
      if (storage) return storage;
      this.setConnection(root, {
        state: 'disconnected',
        problem: `${target.label} names no storage account: add storageAccount to the environment in lakehouse.yaml.`,
      });
    } catch (e) {
      this.setConnection(root, { state: 'disconnected', problem: (e as Error)?.message ?? String(e) });
    }
    return undefined;
  }

  private setConnection(root: string, connection: LakeProject['connection']): void {
    const project = this.model.project(root);
    if (!project) return;
    project.connection = connection;
    this.model.resetProject(root);
    this.describeView();
  }

  private remembered(): Record<string, string> {
    const value = this.ctx.extension.workspaceState.get<unknown>(CONNECTED_KEY);
    return value && typeof value === 'object' ? (value as Record<string, string>) : {};
  }

  /** The view's title says where it reads from: `local emulator · devstoreaccount1`. */
  private describeView(): void {
    const projects = this.model.all;
    // Data Factory folders checked on their own have no lake zones to show.
    this.view.message =
      projects.length === 0 && this.ctx.projects.snapshots.length > 0
        ? 'The Lake view shows the lake.zones of a lakehouse.yaml; this workspace has Data Factory folders only.'
        : undefined;
    if (projects.length !== 1) {
      this.view.description = undefined;
      return;
    }
    const project = projects[0]!;
    const browser = this.model.browserOf(project.rootFile);
    this.view.description = browser
      ? `${project.environment} · ${browser.accountName}`
      : `${project.environment} · not connected`;
  }

  private labelOf(node: LakeNode): string {
    switch (node.kind) {
      case 'project':
        return this.model.project(node.project)?.name ?? path.basename(path.dirname(node.project));
      case 'connect':
        return `Connect to ${this.model.project(node.project)?.environment ?? 'the environment'}…`;
      case 'zone':
        return node.zone.name;
      case 'container':
        return node.container;
      case 'containers':
        return 'Other containers';
      case 'folder':
        return node.name;
      case 'file':
        return node.entry.name;
      case 'watermark':
        return 'Watermark';
      case 'versions':
        return 'Versions';
      case 'version':
        return versionLabel(node.version);
      case 'loadMore':
        return loadMoreLabel(node.shown).label;
      case 'message':
        return node.label;
    }
  }

  private actionOf(node: Extract<LakeNode, { kind: 'message' }>): vscode.Command | undefined {
    switch (node.action) {
      case 'connect':
        return { command: 'lakehouse.lake.connect', title: 'Connect', arguments: [node] };
      case 'retry':
        return { command: 'lakehouse.lake.refresh', title: 'Retry', arguments: [node.target ?? node] };
      case 'loadMore':
        return { command: 'lakehouse.lake.loadMore', title: 'Load More', arguments: [node] };
      case 'selectEnvironment':
        return { command: 'lakehouse.project.selectEnvironment', title: 'Select Environment' };
      case 'openMetadata':
        return { command: 'vscode.open', title: 'Open lakehouse.yaml', arguments: [vscode.Uri.file(node.project)] };
      default:
        return undefined;
    }
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables.reverse()) d.dispose();
  }
}

/** The folder marks, indexed on the first lookup: a lake listed (every table folder of 10,000 tables: a few hundred milliseconds). */
function lazyMarks(make: () => FolderMarks): FolderMarks {
  let marks: FolderMarks | undefined;
  return { markOf: (container, folder) => (marks ??= make()).markOf(container, folder) };
}
