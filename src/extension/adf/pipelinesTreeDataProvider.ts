import * as path from 'path';
import * as vscode from 'vscode';
import { flattenTree } from '../trees';
import type { AdfFile, AdfFilePlan, ProjectSnapshot } from '../../core/index';
import { loadCore } from '../lazyCore';
import { PlanSuperseded, type AdfPreviews } from './adfPreviews';

interface BaseNode {
  id: string;
  parent?: PipelinesNode;
}

export type PipelinesNode =
  | (BaseNode & { kind: 'project'; snapshot: ProjectSnapshot })
  | (BaseNode & { kind: 'pipeline'; snapshot: ProjectSnapshot; name: string; file?: AdfFile; plan?: AdfFilePlan })
  | (BaseNode & {
      kind: 'parameter';
      snapshot: ProjectSnapshot;
      pipeline: string;
      name: string;
      type: string;
      defaultValue: unknown;
      owned: boolean;
      file?: AdfFile;
    })
  | (BaseNode & { kind: 'message'; label: string; detail?: string; icon: string; command?: vscode.Command });

const REBUILD_DELAY_MS = 300;

/**
 * The Data Factory view: each project's pipelines (on disk, and generated ones not written yet)
 * with their parameters; generated ones can be previewed and compared with the file on disk.
 */
export class PipelinesTreeDataProvider implements vscode.TreeDataProvider<PipelinesNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<PipelinesNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private roots: PipelinesNode[] = [];
  private readonly children = new Map<string, PipelinesNode[]>();
  private generation = 0;
  private readonly disposables: vscode.Disposable[] = [];

  private stale = true;
  private timer: NodeJS.Timeout | undefined;
  private view: vscode.TreeView<PipelinesNode> | undefined;

  constructor(
    private readonly previews: AdfPreviews,
    private readonly snapshots: () => readonly ProjectSnapshot[],
  ) {
    this.disposables.push(
      this.changed,
      previews.onDidChangePlans(() => this.invalidate()),
    );
  }

  /** The view showing this tree: while it is hidden, nothing is computed (a plan reads the whole ADF folder). */
  attach(view: vscode.TreeView<PipelinesNode>): void {
    this.view = view;
    this.disposables.push(
      view.onDidChangeVisibility(e => {
        if (e.visible && this.stale) void this.rebuild();
      }),
    );
  }

  private invalidate(): void {
    this.stale = true;
    if (this.view && !this.view.visible) return;
    // A plan of a large project takes a while: one per pause in typing, not one per keystroke.
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.rebuild();
    }, REBUILD_DELAY_MS);
  }

  /** Rebuilds from the current snapshots and their plans (plans are computed off the keystroke path). */
  async rebuild(): Promise<void> {
    this.stale = false;
    const generation = ++this.generation;
    const snapshots = this.snapshots();
    let superseded = false;
    const plans = await Promise.all(
      snapshots.map(async s => {
        try {
          const planned = await this.previews.planFor(s, undefined, { cancellable: true });
          return planned.ok ? planned.plan : undefined;
        } catch (e) {
          superseded ||= e instanceof PlanSuperseded;
          return undefined;
        }
      }),
    );
    // A newer rebuild started meanwhile, or an edit replaced a snapshot (its rebuild follows): keep what is shown.
    if (generation !== this.generation || superseded) return;
    this.children.clear();
    const withAdf = snapshots
      .map((s, i) => ({ snapshot: s, plan: plans[i] }))
      .filter(x => x.snapshot.adf || x.plan?.files.length);
    if (withAdf.length === 1) {
      this.roots = this.projectChildren(withAdf[0]!.snapshot, withAdf[0]!.plan, undefined);
    } else {
      this.roots = withAdf.map(({ snapshot, plan }) => {
        const node: PipelinesNode = { kind: 'project', id: `adf-project:${snapshot.rootFile}`, snapshot };
        this.children.set(node.id, this.projectChildren(snapshot, plan, node));
        return node;
      });
    }
    if (this.roots.length === 0 && snapshots.length > 0) {
      this.roots = [
        {
          kind: 'message',
          id: 'adf-message:none',
          icon: 'info',
          label: 'No Data Factory folder yet',
          detail: 'Generate the artifacts from the metadata',
          command: { command: 'lakehouse.adf.generate', title: 'Generate ADF Artifacts' },
        },
      ];
    }
    this.changed.fire(undefined);
  }

  private projectChildren(
    snapshot: ProjectSnapshot,
    plan: { files: AdfFilePlan[] } | undefined,
    parent: PipelinesNode | undefined,
  ): PipelinesNode[] {
    const onDisk = snapshot.adf?.artifacts.get('pipeline') ?? new Map<string, AdfFile>();
    const planned = new Map(
      (plan?.files ?? []).filter(f => f.artifact.kind === 'pipeline').map(f => [f.artifact.name, f]),
    );
    const names = [...new Set([...onDisk.keys(), ...planned.keys()])].sort(byName().compare);
    return names.map(name => {
      const file = onDisk.get(name);
      const filePlan = planned.get(name);
      const node: PipelinesNode = {
        kind: 'pipeline',
        id: `adf-pipeline:${snapshot.rootFile}:${name}`,
        parent,
        snapshot,
        name,
        file,
        plan: filePlan,
      };
      const value = (file?.value ?? filePlan?.artifact.value) as
        { properties?: { parameters?: Record<string, { type?: string; defaultValue?: unknown }> } } | undefined;
      const owned = new Set(
        (filePlan?.artifact.ownedPaths ?? [])
          .filter(p => p[0] === 'properties' && p[1] === 'parameters')
          .map(p => String(p[2])),
      );
      const parameters = Object.entries(value?.properties?.parameters ?? {});
      this.children.set(
        node.id,
        parameters.map(
          ([pName, p]) =>
            ({
              kind: 'parameter',
              id: `${node.id}:${pName}`,
              parent: node,
              snapshot,
              pipeline: name,
              name: pName,
              type: typeof p?.type === 'string' ? p.type : '?',
              defaultValue: p?.defaultValue,
              owned: owned.has(pName),
              file,
            }) as PipelinesNode,
        ),
      );
      return node;
    });
  }

  all(): PipelinesNode[] {
    return flattenTree(this.roots, n => this.getChildren(n));
  }

  getChildren(node?: PipelinesNode): PipelinesNode[] {
    return node ? (this.children.get(node.id) ?? []) : this.roots;
  }

  getParent(node: PipelinesNode): PipelinesNode | undefined {
    return node.parent;
  }

  getTreeItem(node: PipelinesNode): vscode.TreeItem {
    const hasChildren = (this.children.get(node.id)?.length ?? 0) > 0;
    const item = new vscode.TreeItem(
      labelOf(node),
      hasChildren ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
    );
    item.id = node.id;
    switch (node.kind) {
      case 'project':
        item.collapsibleState = vscode.TreeItemCollapsibleState.Expanded;
        item.description = vscode.workspace.asRelativePath(node.snapshot.rootFile);
        item.iconPath = new vscode.ThemeIcon('home');
        item.contextValue = 'lakehouse.adfProject';
        break;
      case 'pipeline': {
        const generated = !!node.plan;
        const activities = countActivities(node.file?.value ?? node.plan?.artifact.value);
        const state = !node.plan
          ? 'hand-written'
          : node.plan.status === 'create'
            ? 'not written yet'
            : node.plan.status === 'unchanged'
              ? 'generated'
              : node.plan.status === 'update'
                ? 'generated · out of date'
                : 'generated · edited by hand';
        item.description = `${state}${activities ? ` · ${activities} activit${activities === 1 ? 'y' : 'ies'}` : ''}`;
        // The file's own URI: the editor's problem decorations (error count, colour) apply to the item.
        if (node.file) item.resourceUri = vscode.Uri.file(node.file.file);
        item.iconPath = new vscode.ThemeIcon(node.file ? 'symbol-event' : 'circle-large-outline');
        item.contextValue = `lakehouse.pipeline${generated ? '.generated' : ''}${node.file ? '.onDisk' : ''}`;
        item.command = node.file
          ? { command: 'lakehouse.adf.openJson', title: 'Open JSON', arguments: [node] }
          : { command: 'lakehouse.adf.preview', title: 'Preview ADF JSON', arguments: [node] };
        break;
      }
      case 'parameter':
        item.description = `${node.type}${node.defaultValue !== undefined ? ` = ${summarize(node.defaultValue)}` : ''}${node.owned ? ' · from metadata' : ''}`;
        item.iconPath = new vscode.ThemeIcon(node.owned ? 'symbol-constant' : 'symbol-parameter');
        item.contextValue = `lakehouse.adfParameter${node.owned ? '.owned' : ''}`;
        if (node.file) item.command = { command: 'lakehouse.adf.openJson', title: 'Open JSON', arguments: [node] };
        break;
      case 'message':
        item.description = node.detail;
        item.iconPath = new vscode.ThemeIcon(node.icon);
        item.command = node.command;
        item.contextValue = 'lakehouse.adfMessage';
        break;
    }
    return item;
  }

  /** Tooltips are made when an item is hovered, not for every item shown. */
  resolveTreeItem(item: vscode.TreeItem, node: PipelinesNode): vscode.TreeItem {
    if (node.kind === 'pipeline') {
      item.tooltip = new vscode.MarkdownString(
        [
          `**${node.name}** (Data Factory pipeline)`,
          node.file
            ? `\`${vscode.workspace.asRelativePath(node.file.file)}\``
            : 'Not in the ADF folder yet: *Generate ADF Artifacts* writes it.',
          node.plan
            ? 'Generated from lakehouse.yaml: the values the metadata owns are rewritten on each generation; other edits are kept.'
            : undefined,
          node.plan?.conflict ? `$(warning) ${node.plan.conflict.message}` : undefined,
        ]
          .filter(Boolean)
          .join('\n\n'),
        true,
      );
    } else if (node.kind === 'parameter') {
      item.tooltip = new vscode.MarkdownString(
        `**${node.name}**: ${node.type}` +
          `${node.owned ? '\n\nIts default value is generated from lakehouse.yaml.' : ''}\n\n` +
          `\`\`\`json\n${jsonExcerpt(node.defaultValue)}\n\`\`\``,
      );
    }
    return item;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}

function labelOf(node: PipelinesNode): string {
  switch (node.kind) {
    case 'project':
      return (
        node.snapshot.metadata.project?.name ??
        path.basename(node.snapshot.adfOnly ? node.snapshot.rootFile : path.dirname(node.snapshot.rootFile))
      );
    case 'pipeline':
      return node.name;
    case 'parameter':
      return node.name;
    case 'message':
      return node.label;
  }
}

/** One collator for every sort of names (made on first use, off activation): localeCompare makes one per call. */
let collator: Intl.Collator | undefined;
const byName = (): Intl.Collator => (collator ??= new Intl.Collator());

/** Activity counts per pipeline value (values are immutable; getTreeItem runs on every render). */
const activityCounts = new WeakMap<object, number>();

function countActivities(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  const known = activityCounts.get(value);
  if (known !== undefined) return known;
  const n = loadCore().countActivities(
    (value as { properties?: { activities?: unknown } } | undefined)?.properties?.activities,
  );
  activityCounts.set(value, n);
  return n;
}

function summarize(value: unknown): string {
  if (Array.isArray(value)) return `[${value.length} item${value.length === 1 ? '' : 's'}]`;
  if (value && typeof value === 'object') return '{…}';
  const text = JSON.stringify(value) ?? '';
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

/** A default value as JSON for a tooltip: the first items of a long array (10,000 tables are megabytes). */
function jsonExcerpt(value: unknown): string {
  if (value === undefined) return 'no default';
  const shown =
    Array.isArray(value) && value.length > 20 ? [...value.slice(0, 20), `… ${value.length - 20} more`] : value;
  const text = JSON.stringify(shown, null, 2) ?? 'no default';
  return text.length > 2000 ? `${text.slice(0, 2000)}\n…` : text;
}
