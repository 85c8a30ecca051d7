// The Lake view's tree without the editor: zones (from lakehouse.yaml) → containers → folders →
// files, read lazily from a LakeBrowser (the storage adapter, src/azure/lake) a page at a time.
// No `vscode` import: the paging, folding and naming are tested in plain Node; the TreeDataProvider
// (lakeTreeDataProvider.ts) turns these nodes into TreeItems.
//
// Nodes are made once and kept until their parent is refreshed: the editor tells elements apart by
// object, and reveal walks getParent, so the same folder must stay the same object across "Load
// more" and re-renders. Ids are stable across refreshes (expanded folders stay expanded).
import type { FolderMark, LakeZone } from '../../core/index';
import type { DeltaHistory, DeltaVersion } from '../../core/lake/deltaLog';
import type { LakeFileEntry, LakeFolderEntry } from '../../core/lake/listing';
import type { CdcMode } from '../../core/metadata/model';
import type {
  FolderCursor,
  LakeContainer,
  LakeFilePreview,
  LakeFolderPage,
  WatermarkState,
} from '../../azure/lake/lakeStorage';
import { describeLakeError, versionsSummary, type WatermarkView } from './lakePresentation';

/** What the view reads the lake with: LakeStorage (src/azure/lake/lakeStorage.ts) fits it. */
export interface LakeBrowser {
  readonly accountName: string;
  /** The blob endpoint, without query. */
  readonly endpoint: string;
  listContainers(cursor?: string): Promise<{ containers: LakeContainer[]; next?: string }>;
  listFolder(container: string, folder: string, cursor?: FolderCursor): Promise<LakeFolderPage>;
  readWatermark(container: string, file: string, mode?: CdcMode): Promise<WatermarkState>;
  readDeltaHistory(container: string, tableFolder: string, options?: { limit?: number }): Promise<DeltaHistory>;
  previewFile(
    container: string,
    path: string,
    options?: { size?: number; limitBytes?: number },
  ): Promise<LakeFilePreview>;
}

export interface FolderMarks {
  markOf(container: string, folder: string): FolderMark | undefined;
}

export type LakeConnection =
  | { state: 'disconnected'; problem?: string }
  | { state: 'connecting' }
  /** `key` names the environment connected to (the view drops the connection when it changes). */
  | { state: 'connected'; browser: LakeBrowser; key: string };

/** A project as the view shows it. */
export interface LakeProject {
  rootFile: string;
  name: string;
  /** `local emulator` or `dev (Azure)`. */
  environment: string;
  local: boolean;
  /** What connecting does, shown beside "Connect to …" (or why it cannot, with `blocked`). */
  connectHint: string;
  /** Connecting cannot work as the project stands (no environment, no storage account): the hint says why. */
  blocked?: 'selectEnvironment' | 'openMetadata';
  zones: LakeZone[];
  marks: FolderMarks;
  connection: LakeConnection;
}

export type MessageAction = 'connect' | 'retry' | 'loadMore' | 'selectEnvironment' | 'openMetadata';

interface BaseNode {
  id: string;
  /** The project's lakehouse.yaml. */
  project: string;
  parent?: LakeNode;
}

export type LakeNode =
  | (BaseNode & { kind: 'project' })
  | (BaseNode & { kind: 'connect' })
  | (BaseNode & { kind: 'zone'; zone: LakeZone })
  /** A container, listed from `folder` ('' or the zone's root such as `raw/`). */
  | (BaseNode & { kind: 'container'; container: string; folder: string; zone?: string })
  /** The account's containers that no zone names. */
  | (BaseNode & { kind: 'containers' })
  | (BaseNode & {
      kind: 'folder';
      container: string;
      /** From the container's root, ending with '/'. */
      folder: string;
      name: string;
      mark?: FolderMark;
      onlyDirectoryMarker?: boolean;
    })
  | (BaseNode & { kind: 'file'; container: string; entry: LakeFileEntry })
  | (BaseNode & { kind: 'watermark'; container: string; file: string; state: WatermarkView })
  | (BaseNode & { kind: 'versions'; container: string; folder: string; summary?: string })
  | (BaseNode & { kind: 'version'; container: string; folder: string; version: DeltaVersion })
  | (BaseNode & { kind: 'loadMore'; shown: number })
  | (BaseNode & {
      kind: 'message';
      severity: 'info' | 'warning' | 'error' | 'progress';
      label: string;
      description?: string;
      /** Markdown. */
      tooltip?: string;
      action?: MessageAction;
      /** The node the action applies to (retry refreshes it, loadMore continues it). */
      target?: LakeNode;
    });

export type ListedNode = Extract<LakeNode, { kind: 'container' | 'folder' | 'containers' }>;
type MessageNode = Extract<LakeNode, { kind: 'message' }>;

/** The kinds with children. */
export function isExpandable(node: LakeNode): boolean {
  return ['project', 'zone', 'container', 'containers', 'folder', 'versions'].includes(node.kind);
}

/** What is known of a listed folder, container or the account's containers: its pages so far. */
interface Listing {
  folders: Map<string, LakeFolderEntry>;
  files: LakeFileEntry[];
  containers: LakeContainer[];
  next?: FolderCursor | string;
  delta: boolean;
  watermark?: WatermarkView;
  error?: unknown;
  moreError?: unknown;
  loading?: Promise<void>;
}

interface VersionsState {
  history?: DeltaHistory;
  error?: unknown;
  loading?: Promise<void>;
}

/** How many versions the Versions item reads (the newest). */
export const VERSIONS_SHOWN = 50;

export class LakeTreeModel {
  private projects: LakeProject[] = [];
  private readonly projectNodes = new Map<string, LakeNode>();
  /** Children made for a node, by its id, until it is refreshed. */
  private readonly children = new Map<string, LakeNode[]>();
  /** Nodes by id, so a rebuilt list of children keeps the objects already shown. */
  private readonly made = new Map<string, LakeNode>();
  private readonly listings = new Map<string, Listing>();
  private readonly versions = new Map<string, VersionsState>();

  constructor(
    /** The tree changed below `node` (undefined: everything). */
    private readonly changed: (node: LakeNode | undefined) => void,
    private readonly log: (message: string) => void = () => undefined,
  ) {}

  /** Replaces the projects shown; nodes of projects whose zones, marks or connection are the same stay. */
  setProjects(projects: LakeProject[]): void {
    this.projects = projects;
    for (const root of [...this.projectNodes.keys()])
      if (!projects.some(p => p.rootFile === root)) this.resetProject(root, false);
    this.changed(undefined);
  }

  get all(): readonly LakeProject[] {
    return this.projects;
  }

  project(rootFile: string): LakeProject | undefined {
    return this.projects.find(p => p.rootFile === rootFile);
  }

  /** A project's zones, marks or connection changed: its nodes are made again (ids stay). */
  resetProject(rootFile: string, notify = true): void {
    const prefix = projectId(rootFile);
    for (const map of [this.children, this.made, this.listings, this.versions] as Map<string, unknown>[])
      for (const id of [...map.keys()]) if (id === prefix || id.startsWith(`${prefix}/`)) map.delete(id);
    this.projectNodes.delete(rootFile);
    if (notify) this.changed(undefined);
  }

  /** Forgets what was read below `node` (itself included) and reads it again when shown. */
  refresh(node?: LakeNode): void {
    if (!node) {
      for (const p of this.projects) this.resetProject(p.rootFile, false);
      this.changed(undefined);
      return;
    }
    for (const map of [this.children, this.listings, this.versions] as Map<string, unknown>[])
      for (const id of [...map.keys()]) if (id === node.id || id.startsWith(`${node.id}/`)) map.delete(id);
    for (const id of [...this.made.keys()]) if (id.startsWith(`${node.id}/`)) this.made.delete(id);
    this.changed(this.shownNode(node));
  }

  getParent(node: LakeNode): LakeNode | undefined {
    return this.shownParentOf(node);
  }

  async getChildren(node?: LakeNode): Promise<LakeNode[]> {
    if (!node) {
      if (this.projects.length === 1) return this.projectChildren(this.projects[0]!);
      return this.projects.map(p => this.projectNode(p));
    }
    const project = this.project(node.project);
    if (!project) return [];
    const cached = this.children.get(node.id);
    if (cached) return cached;
    switch (node.kind) {
      case 'project':
        return this.projectChildren(project);
      case 'zone':
        return this.keep(node, [this.zoneChild(node, node.zone)]);
      case 'container':
      case 'folder':
      case 'containers':
        return this.listedChildren(project, node);
      case 'versions':
        return this.versionChildren(project, node);
      default:
        return [];
    }
  }

  /** Reads the next page of the listing `node` (a Load more item, or a failed one's message) continues. */
  async loadMore(node: LakeNode): Promise<void> {
    const parent = node.kind === 'message' ? node.target : node.parent;
    if (!parent || !['container', 'folder', 'containers'].includes(parent.kind)) return;
    const listed = parent as ListedNode;
    const listing = this.listings.get(listed.id);
    const project = this.project(listed.project);
    if (!listing || !project || project.connection.state !== 'connected') return;
    if (listing.loading) return listing.loading;
    if (!listing.next) return;
    const browser = project.connection.browser;
    listing.moreError = undefined;
    listing.loading = (async () => {
      try {
        await this.readPage(browser, listed, listing, listing.next);
      } catch (e) {
        listing.moreError = e;
        this.log(`Lake: loading more of ${describe(listed)} failed: ${(e as Error)?.message ?? e}`);
      } finally {
        listing.loading = undefined;
      }
    })();
    await listing.loading;
    this.children.delete(listed.id);
    this.changed(this.shownNode(listed));
  }

  /** The browser of a project, when connected. */
  browserOf(rootFile: string): LakeBrowser | undefined {
    const connection = this.project(rootFile)?.connection;
    return connection?.state === 'connected' ? connection.browser : undefined;
  }

  // ---- children ----

  private projectNode(project: LakeProject): LakeNode {
    let node = this.projectNodes.get(project.rootFile);
    if (!node) {
      node = { kind: 'project', id: projectId(project.rootFile), project: project.rootFile };
      this.projectNodes.set(project.rootFile, node);
    }
    return node;
  }

  private projectChildren(project: LakeProject): LakeNode[] {
    const projectNode = this.projectNode(project);
    const cached = this.children.get(projectNode.id);
    if (cached) return cached;
    // With one project its children are the roots: no parent above them.
    const parent = this.projects.length === 1 ? undefined : projectNode;
    const base = { project: project.rootFile, ...(parent ? { parent } : {}) };
    const out: LakeNode[] = [];
    const connection = project.connection;
    if (connection.state === 'disconnected') {
      if (project.blocked)
        out.push(
          this.message(projectNode, parent, 'blocked', {
            severity: 'warning',
            label: project.blocked === 'selectEnvironment' ? 'No environment to connect to' : 'No storage account',
            description: project.connectHint,
            action: project.blocked,
          }),
        );
      else out.push(this.make({ ...base, kind: 'connect', id: `${projectNode.id}/connect` }));
      if (connection.problem)
        out.push(
          this.message(projectNode, parent, 'problem', {
            severity: 'error',
            label: 'Could not connect',
            description: connection.problem,
            tooltip: connection.problem,
            action: 'connect',
          }),
        );
    } else if (connection.state === 'connecting')
      out.push(
        this.message(projectNode, parent, 'connecting', {
          severity: 'progress',
          label: `Connecting to ${project.environment}…`,
        }),
      );
    if (project.zones.length === 0)
      out.push(
        this.message(projectNode, parent, 'noZones', {
          severity: 'info',
          label: 'No lake zones in lakehouse.yaml',
          description: 'declare lake.zones (bronze, silver, gold) to browse them',
          action: 'openMetadata',
        }),
      );
    for (const zone of project.zones)
      out.push(
        this.make({ ...base, kind: 'zone', id: `${projectNode.id}/zone:${encodeURIComponent(zone.name)}`, zone }),
      );
    if (connection.state === 'connected')
      out.push(this.make({ ...base, kind: 'containers', id: `${projectNode.id}/containers` }));
    return this.keep(projectNode, out);
  }

  private zoneChild(node: Extract<LakeNode, { kind: 'zone' }>, zone: LakeZone): LakeNode {
    if (zone.containerProblem)
      return this.message(node, node, 'invalid', {
        severity: 'error',
        label: `Container '${zone.container}' cannot exist in Azure`,
        description: 'fix lake.zones in lakehouse.yaml',
        tooltip: zone.containerProblem,
        action: 'openMetadata',
      });
    return this.make({
      kind: 'container',
      id: `${node.id}/container:${encodeURIComponent(zone.container)}`,
      project: node.project,
      parent: node,
      container: zone.container,
      folder: zone.root,
      zone: zone.name,
    });
  }

  private async listedChildren(project: LakeProject, node: ListedNode): Promise<LakeNode[]> {
    const connection = project.connection;
    if (connection.state !== 'connected')
      return [
        this.message(node, node, 'notConnected', {
          severity: 'info',
          label: connection.state === 'connecting' ? 'Connecting…' : 'Not connected',
          description:
            connection.state === 'connecting'
              ? project.environment
              : `click to connect to ${project.environment} and list ${node.kind === 'containers' ? 'the containers' : `'${nameOf(node)}'`}`,
          ...(connection.state === 'connecting' ? {} : { action: 'connect' as const }),
        }),
      ];
    let listing = this.listings.get(node.id);
    if (!listing) {
      const fresh: Listing = { folders: new Map(), files: [], containers: [], delta: false };
      listing = fresh;
      this.listings.set(node.id, fresh);
      fresh.loading = this.readFirst(connection.browser, node, fresh).finally(() => (fresh.loading = undefined));
    }
    if (listing.loading) await listing.loading;
    // Refreshed or reconnected while reading: what was read belongs to a tree no longer shown.
    if (this.listings.get(node.id) !== listing) return this.children.get(node.id) ?? [];
    const cached = this.children.get(node.id);
    if (cached) return cached;
    return this.keep(node, this.listingChildren(project, node, listing));
  }

  private async readFirst(browser: LakeBrowser, node: ListedNode, listing: Listing): Promise<void> {
    const watermark = node.kind === 'folder' ? watermarkOf(node.mark) : undefined;
    const [page, reading] = await Promise.allSettled([
      this.readPage(browser, node, listing, undefined),
      watermark && node.kind === 'folder'
        ? browser.readWatermark(node.container, watermark.file, watermark.mode)
        : Promise.resolve(undefined),
    ]);
    if (page.status === 'rejected') {
      listing.error = page.reason;
      this.log(`Lake: listing ${describe(node)} failed: ${(page.reason as Error)?.message ?? page.reason}`);
    }
    if (watermark)
      listing.watermark =
        reading.status === 'fulfilled'
          ? (reading.value as WatermarkState)
          : { failed: (reading.reason as Error)?.message ?? String(reading.reason) };
  }

  /** One page into the listing: folders once each (hierarchical accounts list a directory twice), files, the cursor. */
  private async readPage(
    browser: LakeBrowser,
    node: ListedNode,
    listing: Listing,
    cursor: FolderCursor | string | undefined,
  ): Promise<void> {
    if (node.kind === 'containers') {
      const page = await browser.listContainers(typeof cursor === 'string' ? cursor : undefined);
      listing.containers.push(...page.containers);
      listing.next = page.next;
      return;
    }
    const page = await browser.listFolder(node.container, node.folder, typeof cursor === 'object' ? cursor : undefined);
    for (const folder of page.folders) if (!listing.folders.has(folder.path)) listing.folders.set(folder.path, folder);
    listing.files.push(...page.files);
    listing.next = page.next;
    listing.delta ||= page.hasDeltaLog;
  }

  private listingChildren(project: LakeProject, node: ListedNode, listing: Listing): LakeNode[] {
    if (listing.error) return [this.errorMessage(project, node, listing.error, 'retry')];
    const out: LakeNode[] = [];
    const child = { project: node.project, parent: node };
    if (node.kind === 'containers') {
      const zoneContainers = new Set(project.zones.map(z => z.container));
      for (const c of listing.containers) {
        if (zoneContainers.has(c.name)) continue;
        out.push(
          this.make({
            ...child,
            kind: 'container',
            id: `${node.id}/container:${encodeURIComponent(c.name)}`,
            container: c.name,
            folder: '',
          }),
        );
      }
    } else {
      const container = node.container;
      const watermark = node.kind === 'folder' ? watermarkOf(node.mark) : undefined;
      if (watermark && listing.watermark)
        out.push(
          this.make(
            {
              ...child,
              kind: 'watermark',
              id: `${node.id}/watermark`,
              container,
              file: watermark.file,
              state: listing.watermark,
            },
            true,
          ),
        );
      if (listing.delta)
        out.push(this.make({ ...child, kind: 'versions', id: `${node.id}/versions`, container, folder: node.folder }));
      const folders = [...listing.folders.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      for (const f of folders)
        out.push(
          this.make({
            ...child,
            kind: 'folder',
            id: `${node.id}/folder:${encodeURIComponent(f.name)}`,
            container,
            folder: f.path,
            name: f.name,
            ...(markOf(project, container, f.path) ?? {}),
            ...(f.fromDirectoryMarker ? { onlyDirectoryMarker: true } : {}),
          }),
        );
      for (const f of listing.files)
        out.push(
          this.make(
            { ...child, kind: 'file', id: `${node.id}/file:${encodeURIComponent(f.name)}`, container, entry: f },
            true,
          ),
        );
    }
    const shown = node.kind === 'containers' ? listing.containers.length : listing.folders.size + listing.files.length;
    if (listing.moreError) out.push(this.errorMessage(project, node, listing.moreError, 'loadMore'));
    else if (listing.next) out.push(this.make({ ...child, kind: 'loadMore', id: `${node.id}/more`, shown }, true));
    if (out.length === 0)
      out.push(
        this.message(node, node, 'empty', {
          severity: 'info',
          label:
            node.kind === 'containers'
              ? shown
                ? 'No other containers'
                : 'No containers'
              : node.kind === 'container' && node.folder === ''
                ? 'The container is empty'
                : 'Empty folder',
        }),
      );
    return out;
  }

  private async versionChildren(
    project: LakeProject,
    node: Extract<LakeNode, { kind: 'versions' }>,
  ): Promise<LakeNode[]> {
    const connection = project.connection;
    if (connection.state !== 'connected') return [];
    let state = this.versions.get(node.id);
    if (!state) {
      const fresh: VersionsState = {};
      state = fresh;
      this.versions.set(node.id, fresh);
      fresh.loading = connection.browser
        .readDeltaHistory(node.container, node.folder, { limit: VERSIONS_SHOWN })
        .then(
          history => void (fresh.history = history),
          e => {
            fresh.error = e;
            this.log(
              `Lake: reading the Delta log of ${node.container}/${node.folder} failed: ${(e as Error)?.message ?? e}`,
            );
          },
        )
        .finally(() => (fresh.loading = undefined));
    }
    if (state.loading) await state.loading;
    if (this.versions.get(node.id) !== state) return this.children.get(node.id) ?? [];
    const cached = this.children.get(node.id);
    if (cached) return cached;
    const out: LakeNode[] = [];
    if (state.error) out.push(this.errorMessage(project, node, state.error, 'retry'));
    const history = state.history;
    if (history) {
      for (const version of history.versions)
        out.push(
          this.make(
            {
              kind: 'version',
              id: `${node.id}/v:${version.version}`,
              project: node.project,
              parent: node,
              container: node.container,
              folder: node.folder,
              version,
            },
            true,
          ),
        );
      history.notes.forEach((note, i) =>
        out.push(this.message(node, node, `note${i}`, { severity: 'info', label: note, tooltip: note })),
      );
      if (history.commitCount > history.versions.length)
        out.push(
          this.message(node, node, 'older', {
            severity: 'info',
            label: `${(history.commitCount - history.versions.length).toLocaleString('en-US')} older commits not shown`,
            description: `the newest ${VERSIONS_SHOWN} are`,
          }),
        );
      const summary = versionsSummary(history);
      if (node.summary !== summary) {
        node.summary = summary;
        // The item's description changes; its children (kept below) are not read again.
        setTimeout(() => this.changed(this.shownNode(node)), 0);
      }
    }
    return this.keep(node, out);
  }

  // ---- helpers ----

  private errorMessage(project: LakeProject, node: LakeNode, error: unknown, retry: 'retry' | 'loadMore'): MessageNode {
    const view = describeLakeError(error, project.local);
    return this.message(
      node,
      node,
      retry === 'loadMore' ? 'moreError' : 'error',
      {
        severity: 'error',
        label: retry === 'loadMore' ? `Could not load more: ${view.label}` : view.label,
        description: view.description,
        tooltip: view.tooltip,
        action: view.action === 'connect' ? 'connect' : retry,
      },
      true,
    );
  }

  private message(
    owner: LakeNode,
    parent: LakeNode | undefined,
    key: string,
    fields: Omit<MessageNode, 'kind' | 'id' | 'project' | 'parent' | 'target'>,
    replace = false,
  ): MessageNode {
    return this.make(
      {
        kind: 'message',
        id: `${owner.id}/message:${key}`,
        project: owner.project,
        ...(parent ? { parent } : {}),
        target: owner,
        ...fields,
      },
      replace,
    ) as MessageNode;
  }

  /**
   * The node with this id made before (same object: the editor knows it), else this one. `replace`:
   * the node carries data that may have changed (a file's size, an error), so it is updated in place.
   */
  private make<T extends LakeNode>(node: T, replace = false): T {
    const existing = this.made.get(node.id) as T | undefined;
    if (existing && existing.kind === node.kind) {
      if (replace) Object.assign(existing, node);
      return existing;
    }
    this.made.set(node.id, node);
    return node;
  }

  private keep(node: LakeNode, children: LakeNode[]): LakeNode[] {
    this.children.set(node.id, children);
    return children;
  }

  private shownParentOf(node: LakeNode): LakeNode | undefined {
    if (node.parent?.kind === 'project' && this.projects.length === 1) return undefined;
    return node.parent;
  }

  /** The node to say changed: a project's node is the root when it is the only one. */
  private shownNode(node: LakeNode): LakeNode | undefined {
    return node.kind === 'project' && this.projects.length === 1 ? undefined : node;
  }
}

function projectId(rootFile: string): string {
  return `lake:${rootFile}`;
}

function watermarkOf(mark: FolderMark | undefined): { file: string; mode: CdcMode } | undefined {
  return mark?.kind === 'table' || mark?.kind === 'watermark' ? mark.watermark : undefined;
}

function markOf(project: LakeProject, container: string, folder: string): { mark: FolderMark } | undefined {
  const mark = project.marks.markOf(container, folder);
  return mark ? { mark } : undefined;
}

function nameOf(node: ListedNode): string {
  if (node.kind === 'folder') return node.folder;
  if (node.kind === 'container') return node.container;
  return 'containers';
}

function describe(node: ListedNode): string {
  if (node.kind === 'containers') return 'the containers';
  return `${node.container}/${node.folder}`;
}
