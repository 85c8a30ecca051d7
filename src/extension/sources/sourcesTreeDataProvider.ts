import * as path from 'path';
import * as vscode from 'vscode';
import { flattenTree } from '../trees';
import type {
  Column,
  Diagnostic,
  LoopItem,
  MetadataLoop,
  Origin,
  ProjectSnapshot,
  SourceSystem,
  Table,
} from '../../core/index';
import { loadCore } from '../lazyCore';
import { toRange } from '../diagnostics/convert';

export const ITEM_SCHEME = 'lakehouse-item';

interface Location {
  file: string;
  range: vscode.Range;
}

interface BaseNode {
  id: string;
  parent?: SourcesNode;
}
export type SourcesNode =
  | (BaseNode & { kind: 'project'; snapshot: ProjectSnapshot })
  | (BaseNode & { kind: 'system'; snapshot: ProjectSnapshot; system: SourceSystem })
  | (BaseNode & { kind: 'table'; snapshot: ProjectSnapshot; table: Table })
  | (BaseNode & { kind: 'column'; snapshot: ProjectSnapshot; table: Table; column: Column })
  | (BaseNode & { kind: 'loop'; snapshot: ProjectSnapshot; loop: MetadataLoop })
  | (BaseNode & { kind: 'loopItem'; snapshot: ProjectSnapshot; loop: MetadataLoop; item: LoopItem; declared: boolean })
  | (BaseNode & { kind: 'message'; label: string; detail?: string; icon: string; command?: vscode.Command });

export interface ProblemCount {
  errors: number;
  warnings: number;
}

/** Source systems shown open at first, up to this many; more start closed. */
const MAX_EXPANDED_SYSTEMS = 10;

/** The Sources view: source systems and their tables, and the ADF pipelines that copy them. */
export class SourcesTreeDataProvider implements vscode.TreeDataProvider<SourcesNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<SourcesNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private roots: SourcesNode[] = [];
  private readonly children = new Map<string, SourcesNode[]>();
  private readonly problems = new Map<string, ProblemCount>();
  private readonly problemsChanged = new vscode.EventEmitter<vscode.Uri[]>();
  readonly onDidChangeProblems = this.problemsChanged.event;
  private state: 'loading' | 'none' | 'ready' = 'loading';

  dispose(): void {
    this.changed.dispose();
    this.problemsChanged.dispose();
  }

  update(snapshots: readonly ProjectSnapshot[], state: 'loading' | 'none' | 'ready'): void {
    this.state = state;
    this.children.clear();
    const oldProblemIds = [...this.problems.keys()];
    this.problems.clear();
    if (snapshots.length === 1) {
      this.roots = this.projectChildren(snapshots[0]!, undefined);
    } else {
      this.roots = snapshots.map(s => ({ kind: 'project', id: `project:${s.rootFile}`, snapshot: s }) as SourcesNode);
      for (const r of this.roots)
        if (r.kind === 'project') this.children.set(r.id, this.projectChildren(r.snapshot, r));
    }
    this.changed.fire(undefined);
    this.problemsChanged.fire([...new Set([...oldProblemIds, ...this.problems.keys()])].map(id => itemUri(id)));
  }

  /** Every node, depth first (tests and reveal look nodes up by id). */
  all(): SourcesNode[] {
    return flattenTree(this.roots, n => this.getChildren(n));
  }

  problemsOf(id: string): ProblemCount | undefined {
    return this.problems.get(id);
  }

  private projectChildren(snapshot: ProjectSnapshot, parent: SourcesNode | undefined): SourcesNode[] {
    const nodes: SourcesNode[] = [];
    const meta = snapshot.metadata;
    const diagnosticsOf = (file: string) => snapshot.diagnostics.get(file) ?? [];
    const rootDiagnostics = diagnosticsOf(snapshot.rootFile);
    const rootErrors = rootDiagnostics.filter(
      d => d.severity === 'error' && (d.code === 'LH001' || d.code === 'LH002'),
    );
    const staleFiles = snapshot.stale?.files ?? [];
    if (staleFiles.length) {
      // A file does not parse while it is being typed: the tree keeps its last good version.
      const syntax = staleFiles.flatMap(f => diagnosticsOf(f)).find(d => d.severity === 'error');
      nodes.push({
        kind: 'message',
        id: `message:${snapshot.rootFile}:stale`,
        parent,
        icon: 'history',
        label: `${staleFiles.map(f => path.basename(f)).join(', ')} ${staleFiles.length > 1 ? 'do' : 'does'} not parse: showing the last good version`,
        detail: syntax?.message ?? 'A YAML syntax error.',
        ...(syntax
          ? { command: { command: 'lakehouse.sources.openProblem', title: 'Show problem', arguments: [syntax] } }
          : {}),
      });
    } else if (rootErrors.length) {
      nodes.push({
        kind: 'message',
        id: `message:${snapshot.rootFile}:errors`,
        parent,
        icon: 'error',
        label: `${path.basename(snapshot.rootFile)} cannot be read (${rootErrors.length} error${rootErrors.length > 1 ? 's' : ''})`,
        detail: rootErrors[0]!.message,
        command: { command: 'lakehouse.sources.openProblem', title: 'Show problem', arguments: [rootErrors[0]] },
      });
    }
    for (const system of meta.sources) {
      const id = `system:${snapshot.rootFile}:${system.name}`;
      nodes.push({ kind: 'system', id, parent, snapshot, system });
      // Table nodes are made when the system is expanded (getChildren); their problem badges now.
      for (const table of system.tables) {
        const diagnostics = diagnosticsOf(table.origin.file);
        if (diagnostics.length) this.countProblems(`${id}:${table.qualifiedName}`, snapshot, table.origin, diagnostics);
      }
      this.countProblems(id, snapshot, system.origin, diagnosticsOf(system.origin.file));
    }
    for (const loop of snapshot.adf?.loops ?? [])
      nodes.push({ kind: 'loop', id: `loop:${loop.file}:${loop.forEach}`, parent, snapshot, loop });
    if (meta.sources.length === 0 && !rootErrors.length) {
      nodes.push({
        kind: 'message',
        id: `message:${snapshot.rootFile}:empty`,
        parent,
        icon: 'info',
        label: 'No sources declared',
        detail: 'Add source systems and tables to lakehouse.yaml, or import them from an ADF folder.',
        command: { command: 'lakehouse.project.importAdf', title: 'Import from ADF' },
      });
    }
    return nodes;
  }

  /** Errors and warnings inside an element's definition, for the problems badge. */
  private countProblems(
    id: string,
    snapshot: ProjectSnapshot,
    origin: Origin,
    diagnostics: readonly Diagnostic[],
  ): void {
    if (!diagnostics.length) return;
    const lines = snapshot.locator.lines(origin.file);
    const span = snapshot.locator.span(origin, undefined, 'value');
    const start = lines.positionAt(span[0]);
    const end = lines.positionAt(span[1]);
    const within = (p: { line: number; character: number }) =>
      (p.line > start.line || (p.line === start.line && p.character >= start.character)) &&
      (p.line < end.line || (p.line === end.line && p.character <= end.character));
    let errors = 0;
    let warnings = 0;
    for (const d of diagnostics) {
      if (!within(d.range.start)) continue;
      if (d.severity === 'error') errors++;
      else if (d.severity === 'warning') warnings++;
    }
    if (errors || warnings) this.problems.set(id, { errors, warnings });
  }

  getChildren(node?: SourcesNode): SourcesNode[] {
    if (!node) return this.state === 'ready' ? this.roots : [];
    const known = this.children.get(node.id);
    if (known) return known;
    // Children are made when their parent is expanded: 10,000 tables, their loop items and their
    // 100,000s of columns are not made again on every keystroke.
    if (node.kind === 'system') {
      const tables = node.system.tables.map(
        table =>
          ({
            kind: 'table',
            id: `${node.id}:${table.qualifiedName}`,
            parent: node,
            snapshot: node.snapshot,
            table,
          }) as SourcesNode,
      );
      this.children.set(node.id, tables);
      return tables;
    }
    if (node.kind === 'loop') {
      const declared = declaredTables(node.snapshot);
      const items = node.loop.items.map(
        (item, i) =>
          ({
            kind: 'loopItem',
            id: `${node.id}:${i}`,
            parent: node,
            snapshot: node.snapshot,
            loop: node.loop,
            item,
            declared: declared.has(`${item.schema}.${item.table}`.toLowerCase()),
          }) as SourcesNode,
      );
      this.children.set(node.id, items);
      return items;
    }
    if (node.kind !== 'table') return [];
    // A table's columns are made when it is expanded: 10,000 tables have 100,000s of columns.
    const columns = node.table.columns.map(
      column =>
        ({
          kind: 'column',
          id: `${node.id}:${column.name}`,
          parent: node,
          snapshot: node.snapshot,
          table: node.table,
          column,
        }) as SourcesNode,
    );
    this.children.set(node.id, columns);
    return columns;
  }

  /** Tooltips are made when an item is hovered, not for every item shown (markdown is parsed for each). */
  resolveTreeItem(item: vscode.TreeItem, node: SourcesNode): vscode.TreeItem {
    const problems = this.problems.get(node.id);
    switch (node.kind) {
      case 'system':
        item.tooltip = markdown([
          `**${node.system.name}**${node.system.type ? ` (${node.system.type})` : ''}`,
          node.system.linkedService ? `Linked service: \`${node.system.linkedService}\`` : undefined,
          node.system.server ? `Server: \`${node.system.server}\`` : undefined,
          node.system.database ? `Database: \`${node.system.database}\`` : undefined,
          problemLine(problems),
        ]);
        break;
      case 'table': {
        const t = node.table;
        item.tooltip = markdown([
          `**${t.system}.${t.qualifiedName}**`,
          t.description,
          `Load: ${t.loadType}${t.cdcColumn ? ` on CDC column \`${t.cdcColumn}\`` : ''}`,
          t.backfillFrom ? `Backfill from ${t.backfillFrom}` : undefined,
          t.primaryKey.length ? `Primary key: ${t.primaryKey.map(c => `\`${c}\``).join(', ')}` : undefined,
          t.columns.length ? `${t.columns.length} column(s)` : 'No columns declared',
          t.todo ? `TODO: ${t.todo}` : undefined,
          problemLine(problems),
        ]);
        break;
      }
      case 'loop':
        item.tooltip = markdown([
          `**${node.loop.pipeline}** (Data Factory pipeline)`,
          `ForEach \`${node.loop.forEach}\` over parameter \`${node.loop.parameter}\``,
          node.loop.linkedService ? `Reads through linked service \`${node.loop.linkedService}\`` : undefined,
        ]);
        break;
    }
    return item;
  }

  getParent(node: SourcesNode): SourcesNode | undefined {
    return node.parent;
  }

  getTreeItem(node: SourcesNode): vscode.TreeItem {
    const count =
      node.kind === 'table'
        ? node.table.columns.length
        : node.kind === 'system'
          ? node.system.tables.length
          : node.kind === 'loop'
            ? node.loop.items.length
            : this.children.get(node.id)?.length;
    const collapsible = count ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None;
    const item = new vscode.TreeItem(labelOf(node), collapsible);
    item.id = node.id;
    item.contextValue = `lakehouse.${node.kind}`;
    const problems = this.problems.get(node.id);
    if (problems) item.resourceUri = itemUri(node.id);
    switch (node.kind) {
      case 'project':
        item.collapsibleState = vscode.TreeItemCollapsibleState.Expanded;
        item.description = vscode.workspace.asRelativePath(node.snapshot.rootFile);
        item.iconPath = new vscode.ThemeIcon('home');
        break;
      case 'system': {
        const n = node.system.tables.length;
        // A few systems open at once; hundreds start closed (10,000 tables are not 10,000 rows at once).
        item.collapsibleState =
          node.snapshot.metadata.sources.length <= MAX_EXPANDED_SYSTEMS
            ? vscode.TreeItemCollapsibleState.Expanded
            : vscode.TreeItemCollapsibleState.Collapsed;
        item.description = [node.system.type, `${n} table${n === 1 ? '' : 's'}`].filter(Boolean).join(' · ');
        item.iconPath = new vscode.ThemeIcon('database');
        break;
      }
      case 'table': {
        const t = node.table;
        item.description = tableDescription(t);
        item.iconPath = new vscode.ThemeIcon(
          problems?.errors ? 'error' : 'table',
          problems?.errors ? new vscode.ThemeColor('list.errorForeground') : undefined,
        );
        item.command = revealCommand(node);
        break;
      }
      case 'column': {
        const roles: string[] = [];
        if (node.table.primaryKey.some(k => k.toLowerCase() === node.column.name.toLowerCase()))
          roles.push('primary key');
        if (node.table.cdcColumn?.toLowerCase() === node.column.name.toLowerCase()) roles.push('CDC');
        item.description = [node.column.type, ...roles].join(' · ');
        item.iconPath = new vscode.ThemeIcon(
          roles.includes('primary key') ? 'key' : roles.includes('CDC') ? 'watch' : 'symbol-field',
        );
        item.command = revealCommand(node);
        break;
      }
      case 'loop':
        item.collapsibleState = vscode.TreeItemCollapsibleState.Collapsed;
        item.description = `ADF · ${node.loop.parameter} · ${node.loop.items.length} table${node.loop.items.length === 1 ? '' : 's'}`;
        item.iconPath = new vscode.ThemeIcon('symbol-event');
        item.command = revealCommand(node);
        break;
      case 'loopItem':
        item.description = [
          node.item.cdcColumn ? `CDC ${node.item.cdcColumn}` : 'full load',
          node.item.backfillFrom ? `from ${node.item.backfillFrom}` : undefined,
          node.declared ? undefined : 'not in lakehouse.yaml',
        ]
          .filter(Boolean)
          .join(' · ');
        item.iconPath = new vscode.ThemeIcon(
          node.declared ? 'pass' : 'warning',
          node.declared ? undefined : new vscode.ThemeColor('list.warningForeground'),
        );
        item.command = revealCommand(node);
        break;
      case 'message':
        item.description = node.detail;
        item.tooltip = node.detail;
        item.iconPath = new vscode.ThemeIcon(node.icon);
        item.command = node.command;
        break;
    }
    return item;
  }

  /** Where a node is defined, for "reveal". */
  locationOf(node: SourcesNode): Location | undefined {
    switch (node.kind) {
      case 'system':
      case 'table':
        return originLocation(node.snapshot, node.kind === 'system' ? node.system.origin : node.table.origin, 'name');
      case 'column':
        return originLocation(node.snapshot, node.column.origin, 'name');
      case 'loop':
      case 'loopItem': {
        const file = node.snapshot.adf?.files.find(f => f.file === node.loop.file);
        if (!file) return undefined;
        const jsonPath = node.kind === 'loop' ? ['properties', 'parameters', node.loop.parameter] : node.item.path;
        const span = loadCore().jsonSpan(file, jsonPath, node.kind === 'loop' ? 'key' : 'value');
        return span ? { file: file.file, range: toRange(file.lines.rangeOf(span)) } : undefined;
      }
      default:
        return undefined;
    }
  }
}

function originLocation(snapshot: ProjectSnapshot, origin: Origin, field: string): Location {
  return { file: origin.file, range: toRange(snapshot.locator.range(origin, field)) };
}

function labelOf(node: SourcesNode): string {
  switch (node.kind) {
    case 'project':
      return (
        node.snapshot.metadata.project?.name ??
        path.basename(node.snapshot.adfOnly ? node.snapshot.rootFile : path.dirname(node.snapshot.rootFile))
      );
    case 'system':
      return node.system.name;
    case 'table':
      return node.table.qualifiedName;
    case 'column':
      return node.column.name;
    case 'loop':
      return node.loop.pipeline;
    case 'loopItem':
      return `${node.item.schema}.${node.item.table}`;
    case 'message':
      return node.label;
  }
}

export function tableDescription(t: Table): string {
  const parts: string[] = [];
  if (t.loadType === 'incremental') parts.push(t.cdcColumn ? `CDC ${t.cdcColumn}` : 'incremental, no CDC column');
  else parts.push('full load');
  if (t.backfillFrom) parts.push(`backfill from ${t.backfillFrom}`);
  if (t.todo) parts.push('TODO');
  return parts.join(' · ');
}

function revealCommand(node: SourcesNode): vscode.Command {
  return { command: 'lakehouse.sources.reveal', title: 'Go to Definition', arguments: [node] };
}

function markdown(lines: (string | undefined)[]): vscode.MarkdownString {
  return new vscode.MarkdownString(lines.filter((l): l is string => !!l).join('\n\n'));
}

function problemLine(p: ProblemCount | undefined): string | undefined {
  if (!p) return undefined;
  const parts = [
    p.errors ? `${p.errors} error${p.errors > 1 ? 's' : ''}` : '',
    p.warnings ? `${p.warnings} warning${p.warnings > 1 ? 's' : ''}` : '',
  ].filter(Boolean);
  return `$(warning) ${parts.join(', ')}`;
}

export function itemUri(id: string): vscode.Uri {
  return vscode.Uri.from({ scheme: ITEM_SCHEME, path: `/${encodeURIComponent(id)}` });
}

/** Badges tree items that have problems, the way the Explorer badges files. */
export class ProblemDecorationProvider implements vscode.FileDecorationProvider {
  readonly onDidChangeFileDecorations: vscode.Event<vscode.Uri[]>;

  constructor(private readonly tree: SourcesTreeDataProvider) {
    this.onDidChangeFileDecorations = tree.onDidChangeProblems;
  }

  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    if (uri.scheme !== ITEM_SCHEME) return undefined;
    const p = this.tree.problemsOf(decodeURIComponent(uri.path.slice(1)));
    if (!p) return undefined;
    const count = p.errors || p.warnings;
    return new vscode.FileDecoration(
      count > 9 ? '9+' : String(count),
      [p.errors ? `${p.errors} error(s)` : '', p.warnings ? `${p.warnings} warning(s)` : ''].filter(Boolean).join(', '),
      new vscode.ThemeColor(p.errors ? 'list.errorForeground' : 'list.warningForeground'),
    );
  }
}

const declaredBySnapshot = new WeakMap<ProjectSnapshot, Set<string>>();

/** The tables a project declares (schema.table, lower case), once per snapshot. */
function declaredTables(snapshot: ProjectSnapshot): Set<string> {
  let declared = declaredBySnapshot.get(snapshot);
  if (!declared) {
    declared = new Set(snapshot.metadata.tables.map(t => t.qualifiedName.toLowerCase()));
    declaredBySnapshot.set(snapshot, declared);
  }
  return declared;
}
