import * as path from 'path';
import * as vscode from 'vscode';
import type { ProjectSession, ProjectSnapshot } from '../../core/index';
import type { EditorFileHost, FileChange } from '../files/editorFileHost';
import { loadCore } from '../lazyCore';
import type { Settings } from '../settings';

const PROJECT_GLOB = '**/{lakehouse.yaml,lakehouse.yml}';
/** What marks a Data Factory git folder: ADF writes factory/<name>.json (and publish_config.json) at its root. */
const ADF_ROOT_GLOB = '**/{factory/*.json,publish_config.json}';
/** Files whose text can change a project: metadata, fragments and ADF JSON. */
const RELEVANT = /\.(ya?ml|json)$/i;
/** Files whose existence can change a project too: a binding's template appearing or going (LH501). */
const RELEVANT_ON_DISK = /\.(ya?ml|json|j2|jinja2?)$/i;

interface ProjectEntry {
  /** lakehouse.yaml, or the folder of a Data Factory checked on its own. */
  rootFile: string;
  adfOnly: boolean;
  session: ProjectSession;
  snapshot?: ProjectSnapshot;
}

export type ProjectState = 'loading' | 'none' | 'ready';

/**
 * Finds the workspace's projects, keeps each one's session warm (reading through the editor file
 * host, so unsaved buffers count), and re-validates (debounced) when something it reads changes.
 */
export class ProjectManager implements vscode.Disposable {
  private readonly projects = new Map<string, ProjectEntry>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<readonly ProjectSnapshot[]>();
  readonly onDidChangeProjects = this.changed.event;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private rerun = false;
  private idleWaiters: (() => void)[] = [];
  state: ProjectState = 'loading';
  lastValidationMs = 0;

  constructor(
    private readonly files: EditorFileHost,
    private readonly settings: Settings,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      files.onDidChangeFile(change => this.onFileChange(change)),
      // Files open in an editor get exact ranges at once (diagnostics, fixes, the next keystroke).
      vscode.workspace.onDidOpenTextDocument(doc => this.setOpen(doc, true)),
      vscode.workspace.onDidCloseTextDocument(doc => this.setOpen(doc, false)),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.discover()),
      // Folders the user allows outside the projects: sessions are rebuilt with the new list.
      vscode.workspace.onDidChangeConfiguration(e => {
        if (e.affectsConfiguration('lakehouse.security.allowedFolders')) this.rediscover();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.rediscover()),
      this.changed,
    );
  }

  get snapshots(): ProjectSnapshot[] {
    return [...this.projects.values()].flatMap(p => (p.snapshot ? [p.snapshot] : []));
  }

  /** The project a file belongs to (its metadata or ADF files), if any. */
  projectOf(file: string): ProjectSnapshot | undefined {
    return this.snapshots.find(s => s.diagnostics.has(file) || s.metadataFiles.has(file));
  }

  /** The project with this root file (lakehouse.yaml, or an ADF-only folder). */
  byRoot(rootFile: string): ProjectSnapshot | undefined {
    return this.projects.get(rootFile)?.snapshot;
  }

  /** Forgets every session and finds the projects again (their options changed). */
  private rediscover(): void {
    this.projects.clear();
    void this.discover();
  }

  /** Finds lakehouse.yaml files (and Data Factory folders outside any project) and validates them. */
  async discover(): Promise<void> {
    const exclude = this.settings.exclude;
    const excludeGlob = exclude.length ? `{${exclude.join(',')}}` : undefined;
    const [found, adfMarkers] = await Promise.all([
      vscode.workspace.findFiles(PROJECT_GLOB, excludeGlob, 100),
      vscode.workspace.findFiles(ADF_ROOT_GLOB, excludeGlob, 200),
    ]);
    const roots = new Set(found.filter(u => u.scheme === 'file').map(u => u.fsPath));
    // A lakehouse.yaml in the same folder as a lakehouse.yml: the .yaml wins, like the CLI.
    for (const r of [...roots]) if (r.endsWith('.yml') && roots.has(r.slice(0, -4) + '.yaml')) roots.delete(r);
    const adfRoots = new Set(
      adfMarkers
        .filter(u => u.scheme === 'file')
        .map(u =>
          path.basename(u.fsPath) === 'publish_config.json'
            ? path.dirname(u.fsPath)
            : path.dirname(path.dirname(u.fsPath)),
        ),
    );
    const wanted = new Map<string, boolean>([
      ...[...adfRoots].map(r => [r, true] as const),
      ...[...roots].map(r => [r, false] as const),
    ]);
    for (const root of [...this.projects.keys()])
      if (wanted.get(root) !== this.projects.get(root)?.adfOnly) this.projects.delete(root);
    const core = loadCore();
    for (const [root, adfOnly] of wanted) {
      if (this.projects.has(root)) continue;
      const session = new core.ProjectSession(root, this.files, {
        adfOnly,
        allowedFolders: this.settings.allowedFolders,
      });
      for (const doc of vscode.workspace.textDocuments)
        if (doc.uri.scheme === 'file' && RELEVANT.test(doc.fileName)) session.setOpen(doc.uri.fsPath, true);
      this.projects.set(root, { rootFile: root, adfOnly, session });
    }
    const shown = (set: Set<string>) => [...set].map(r => vscode.workspace.asRelativePath(r)).join(', ');
    this.log.info(
      `Found ${roots.size} lakehouse project(s)${roots.size ? `: ${shown(roots)}` : ''}; ` +
        `Data Factory folders: ${adfRoots.size ? shown(adfRoots) : 'none'}`,
    );
    await this.validateNow();
  }

  /** Validates every project now (after any run in progress). */
  async validateNow(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.running) {
      this.rerun = true;
      await this.running;
      return;
    }
    this.running = this.runValidation();
    try {
      await this.running;
    } finally {
      this.running = undefined;
    }
    if (this.rerun) {
      this.rerun = false;
      await this.validateNow();
    } else {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  /** Files this extension wrote: forget what was read of them and validate again now. */
  async filesChanged(files: readonly string[]): Promise<void> {
    for (const p of this.projects.values()) for (const f of files) p.session.invalidate(f);
    await this.validateNow();
  }

  /** Resolves when no validation is pending or running (commands wait on it). */
  whenIdle(): Promise<void> {
    if (!this.timer && !this.running) return Promise.resolve();
    return new Promise(resolve => this.idleWaiters.push(resolve));
  }

  private scheduleValidation(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.validateNow();
    }, this.settings.debounceMs);
  }

  private async runValidation(): Promise<void> {
    const t0 = performance.now();
    const load = async (entry: ProjectEntry) => {
      try {
        entry.snapshot = await entry.session.load();
      } catch (e) {
        // The core turns bad input into diagnostics; reaching here is a bug, which must not take the editor down.
        this.log.error(`Validating ${entry.rootFile} failed: ${(e as Error)?.stack ?? String(e)}`);
      }
    };
    const entries = [...this.projects.values()];
    for (const entry of entries.filter(e => !e.adfOnly)) await load(entry);
    // A Data Factory folder that a project reads (paths.adf) is checked as part of that project.
    const covered = new Set(entries.flatMap(e => (!e.adfOnly && e.snapshot?.adf ? [e.snapshot.adf.root] : [])));
    for (const entry of entries.filter(e => e.adfOnly)) {
      if (covered.has(entry.rootFile)) entry.snapshot = undefined;
      else await load(entry);
    }
    this.lastValidationMs = performance.now() - t0;
    this.state = this.snapshots.length ? 'ready' : 'none';
    const files = this.snapshots.reduce((n, s) => n + s.diagnostics.size, 0);
    this.log.debug(
      `Validated ${this.snapshots.length} project(s), ${files} file(s) in ${this.lastValidationMs.toFixed(1)} ms`,
    );
    this.changed.fire(this.snapshots);
  }

  private setOpen(doc: vscode.TextDocument, open: boolean): void {
    if (doc.uri.scheme !== 'file' || !RELEVANT.test(doc.fileName)) return;
    for (const p of this.projects.values()) p.session.setOpen(doc.uri.fsPath, open);
  }

  private isRootName(file: string): boolean {
    const base = path.basename(file).toLowerCase();
    return (
      base === 'lakehouse.yaml' ||
      base === 'lakehouse.yml' ||
      base === 'publish_config.json' ||
      path.basename(path.dirname(file)) === 'factory'
    );
  }

  private onFileChange({ file, kind }: FileChange): void {
    if (kind === 'buffer') {
      if (!RELEVANT.test(file)) return;
      let relevant = false;
      for (const p of this.projects.values()) {
        const dir = p.adfOnly ? p.rootFile : path.dirname(p.rootFile);
        if (!loadCore().isInside(file, dir) && !p.snapshot?.diagnostics.has(file)) continue;
        p.session.invalidate(file);
        relevant = true;
      }
      if (relevant) this.scheduleValidation();
      return;
    }
    for (const p of this.projects.values()) p.session.invalidate(file);
    // A project file appeared or went away, or a folder holding a project was deleted.
    const removesProject = kind === 'delete' && [...this.projects.keys()].some(root => loadCore().isInside(root, file));
    if ((kind !== 'change' && this.isRootName(file)) || removesProject) {
      void this.discover();
      return;
    }
    const folderGone = kind === 'delete' && !path.extname(file);
    if (this.projects.size && (RELEVANT_ON_DISK.test(file) || folderGone)) this.scheduleValidation();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
