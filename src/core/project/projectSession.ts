import * as path from 'path';
import type { Diagnostic } from '../diagnostics/diagnostic';
import { compareDiagnostics } from '../diagnostics/diagnostic';
import { RULES } from '../diagnostics/rules';
import { parseAdfFile, releaseAdfTree, type AdfFile } from '../adf/adfFile';
import { loadAdfFolder, type AdfFactory, type AdfFolderResult } from '../adf/adfFolder';
import { AdfValidationCache } from '../adf/validate';
import { checkLoopsAgainstMetadata } from '../adf/validate/metadataRules';
import { buildFragment, type MetadataFragment } from '../metadata/buildFragment';
import { MetadataLocator } from '../metadata/locator';
import { parseMetadataFileSteps, unreadableMetadataFile, type MetadataFile } from '../metadata/metadataFile';
import { reparseIncrementally } from '../metadata/incrementalParse';
import {
  hasExactDocument,
  parseMetadataFileFast,
  releaseValue,
  withExactDocumentSteps,
} from '../metadata/fastMetadataFile';
import { emptyMetadata, type LakehouseMetadata, type Table } from '../metadata/model';
import type { MetadataFileKind } from '../metadata/schemaValidation';
import { checkMetadata, checkSystemTables, prepareStar } from '../metadata/semanticRules';
import { checkNames, checkSystemNames } from '../metadata/nameRules';
import { checkMeaning, checkSystemMeaning, prepareFactsMeaning, prepareMeaning } from '../metadata/meaningRules';
import { TableIndex } from '../metadata/tableIndex';
import { checkTemplateBindings, checkTemplateFiles } from '../metadata/templateRules';
import { bundleFileOf, checkBundleGoldPipeline } from '../metadata/bundleRules';
import { BUILTIN_TEMPLATE_NAMES, effectiveBindings, templateNameProblem } from '../metadata/templateBindings';
import { Containment } from '../files/containment';
import { decodeText, FileRefusedError, MAX_FILE_BYTES, tooLargeMessage, type FileHost } from '../files/fileHost';
import { expandGlob, hasGlob } from './glob';
import { excerpt } from '../text/excerpt';
import { drainSliced, SLICE_MS, yieldToEventLoop } from '../text/timeSlices';

export type { AdfFactory };

export const ROOT_FILE_NAMES = ['lakehouse.yaml', 'lakehouse.yml'];

export interface ProjectSessionOptions {
  /** The names of the built-in templates a binding may use (default BUILTIN_TEMPLATE_NAMES). */
  builtinTemplateNames?: readonly string[];
  /**
   * The root is a Data Factory folder with no lakehouse.yaml: only its ADF JSON is read and
   * checked, and the snapshot's metadata is empty.
   */
  adfOnly?: boolean;
  /**
   * Folders besides the project's own that its files may name (paths.templates shared by several
   * projects, say). They come from the user (a setting, a command-line option), never from the
   * project's own files.
   */
  allowedFolders?: readonly string[];
}

/** Everything known about a project at one moment: the model, the ADF folder, and every diagnostic. */
export interface ProjectSnapshot {
  /** lakehouse.yaml, or for an ADF-only snapshot the Data Factory folder. */
  rootFile: string;
  /** True when the snapshot is a Data Factory folder checked on its own (no lakehouse.yaml). */
  adfOnly?: boolean;
  metadata: LakehouseMetadata;
  adf?: AdfFactory;
  /** Every file that belongs to the project, each with its (possibly empty) diagnostics. */
  diagnostics: Map<string, Diagnostic[]>;
  metadataFiles: Map<string, MetadataFile>;
  locator: MetadataLocator;
  /** The folders the project may read and write: its own first, then those the user allowed. */
  roots: readonly string[];
  /**
   * Set while a metadata file has a YAML syntax error (a key half typed) and an earlier version of
   * it parsed: `files` are those files, whose last good parse still builds `metadata` (so the
   * Sources tree, the ADF checks and generation keep their tables instead of losing the file).
   * Their syntax diagnostics are reported as usual; the other diagnostics located in them are
   * left out while they are stale (they were found in the old text, which no longer matches what
   * is on screen; the syntax error is what to fix first). `metadataFiles` holds what the files
   * are now; `locator` resolves the model's origins in the last good parse. Absent when every
   * file parsed, and on a first load (nothing good to fall back on).
   */
  stale?: { files: string[] };
  /**
   * The template files in paths.templates that the bindings name and that exist (read through
   * the FileHost, so an unsaved new template counts): planRenders takes a template from there,
   * else from the built-in ones.
   */
  templateFiles: ReadonlySet<string>;
}

interface CachedText {
  text?: string;
  unreadable?: string;
  missing?: boolean;
  /** The path is outside the project (not read at all). */
  outside?: boolean;
}

/** Includes name metadata files; anything else (a credentials file, /etc/passwd) is not read. */
const METADATA_FILE = /\.ya?ml$/i;

/** How many included files are being read ahead of the one being parsed. */
const READ_AHEAD = 4;

/** What load()'s pause returns when it does not yield. */
const NO_PAUSE = Promise.resolve();

/** Thrown inside a load that a newer load() superseded; that load then returns the newer one's snapshot. */
class Superseded extends Error {}

/**
 * A project, loaded and checked, kept warm between edits: files are re-read only when
 * invalidated (or overlaid by an editor buffer) and re-parsed only when their text changed,
 * so re-validation after a one-line edit costs one parse plus the cross-file rules.
 */
export class ProjectSession {
  private readonly texts = new Map<string, CachedText>();
  private readonly overlays = new Map<string, string>();
  private readonly metadataCache = new Map<
    string,
    { text: string; kind: MetadataFileKind; parsed: MetadataFile; fragment: MetadataFragment }
  >();
  /** Each metadata file's last parse without a syntax error, the model's fallback while it has one. */
  private readonly lastGood = new Map<
    string,
    { kind: MetadataFileKind; parsed: MetadataFile; fragment: MetadataFragment }
  >();
  private readonly adfCache = new Map<string, { text: string; parsed: AdfFile }>();
  private readonly adfValidation = new AdfValidationCache();
  private readonly dirCache = new Map<string, string[] | undefined>();
  /** Include patterns' expansions (made of dirCache's listings, so forgotten whenever one of those is). */
  private readonly globCache = new Map<string, string[]>();
  private readonly openFiles = new Set<string>();
  /** Whether an included file is inside the project, by path: kept as long as what was read of it. */
  private readonly includeProblems = new Map<string, string | undefined>();
  /** The tables by every spelling, updated per load by the source systems that changed. */
  private readonly tableIndex = new TableIndex();
  private generation = 0;
  private latest: Promise<ProjectSnapshot> | undefined;

  /** Where this project may read: its folder, and the folders the user allowed. */
  readonly containment: Containment;

  constructor(
    readonly rootFile: string,
    private readonly host: FileHost,
    private readonly options: ProjectSessionOptions = {},
  ) {
    const projectDir = options.adfOnly ? rootFile : path.dirname(rootFile);
    this.containment = new Containment(
      [projectDir, ...(options.allowedFolders ?? [])],
      host.realPath ? file => host.realPath!(file) : undefined,
    );
  }

  /** Unsaved editor content for a file (undefined removes the overlay). */
  setOverlay(file: string, text: string | undefined): void {
    if (text === undefined) this.overlays.delete(file);
    else this.overlays.set(file, text);
  }

  /**
   * A file open in an editor (or closed): its exact YAML Document, for ranges and quick fixes, is
   * made during load() as for an edited file (one with an overlay). Other files are read on the
   * fast path, and get their Document only when a diagnostic or a caller asks for a range in them.
   */
  setOpen(file: string, open: boolean): void {
    if (open) this.openFiles.add(file);
    else this.openFiles.delete(file);
  }

  /** Forget what was read from disk for a file (or everything), after it changed there. */
  invalidate(file?: string): void {
    this.globCache.clear();
    if (file === undefined) {
      this.texts.clear();
      this.dirCache.clear();
      this.includeProblems.clear();
      return;
    }
    for (const target of this.includeProblems.keys())
      if (target === file || target.startsWith(file + path.sep)) this.includeProblems.delete(target);
    this.texts.delete(file);
    this.dirCache.delete(path.dirname(file));
    this.dirCache.delete(file);
  }

  /** What readText would return without reading anything, if that is known now. */
  private cachedText(file: string): CachedText | undefined {
    return this.overlays.has(file) ? undefined : this.texts.get(file);
  }

  private async readText(file: string): Promise<CachedText> {
    const cached = this.texts.get(file);
    const overlay = this.overlays.get(file);
    if (cached && overlay === undefined) return cached;
    // The same checks for an unsaved buffer as for the disk: first where the file is, then what it is.
    const outside = cached?.outside ? cached.unreadable : await this.containment.problem(file, `'${this.shown(file)}'`);
    if (outside) {
      const result = { unreadable: outside, outside: true };
      this.texts.set(file, result);
      return result;
    }
    if (overlay !== undefined) {
      const decoded = decodeText(overlay);
      return decoded.ok ? { text: decoded.text } : { unreadable: decoded.reason };
    }
    let result: CachedText;
    try {
      const size = this.host.fileSize ? await this.host.fileSize(file) : undefined;
      if (size !== undefined && size > MAX_FILE_BYTES) result = { unreadable: tooLargeMessage(size, MAX_FILE_BYTES) };
      else {
        const content = await this.host.readFile(file);
        if (content === undefined) result = { missing: true };
        else {
          const decoded = decodeText(content);
          result = decoded.ok ? { text: decoded.text } : { unreadable: decoded.reason };
        }
      }
    } catch (e) {
      result = {
        unreadable:
          e instanceof FileRefusedError ? e.message : `The file cannot be read: ${excerpt((e as Error).message, 300)}`,
      };
    }
    this.texts.set(file, result);
    return result;
  }

  /** A path for messages: relative to the project folder when inside it. */
  private shown(file: string): string {
    const relative = path.relative(this.containment.projectRoot, file);
    return excerpt(relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file, 200);
  }

  /** An include pattern's files, kept as long as the listings they come from (invalidate() forgets both). */
  private async expandInclude(base: string, pattern: string): Promise<string[]> {
    const key = `${base}\u0000${pattern}`;
    let found = this.globCache.get(key);
    if (!found) {
      found = await expandGlob({ readDirectory: d => this.readDir(d) }, base, pattern);
      this.globCache.set(key, found);
    }
    return found;
  }

  private async readDir(dir: string): Promise<string[] | undefined> {
    if (this.dirCache.has(dir)) return this.dirCache.get(dir);
    let entries: string[] | undefined;
    try {
      // A folder outside the project (or a link to one) is not listed, as if it were not there.
      entries = (await this.containment.problem(dir)) ? undefined : await this.host.readDirectory(dir);
    } catch {
      entries = undefined;
    }
    this.dirCache.set(dir, entries);
    return entries;
  }

  /** metadataFile's answer when it is the cached one as it stands (nothing to parse or wait for). */
  private unchangedMetadataFile(
    file: string,
    kind: MetadataFileKind,
    read: CachedText,
  ): { parsed: MetadataFile; fragment: MetadataFragment; stale?: MetadataFile } | undefined {
    const cached = this.metadataCache.get(file);
    if (!cached || read.text === undefined || cached.text !== read.text || cached.kind !== kind) return undefined;
    if (!cached.parsed.parsed) return undefined;
    const open = this.openFiles.has(file) || this.overlays.has(file);
    return open && !hasExactDocument(cached.parsed) ? undefined : cached;
  }

  /**
   * The file's parse, and the fragment the model is built from: its own, or while the text has a
   * YAML syntax error, the last good parse's (returned as `stale`).
   */
  private async metadataFile(
    file: string,
    kind: MetadataFileKind,
    read: CachedText,
    pause: () => Promise<void>,
  ): Promise<{ parsed: MetadataFile; fragment: MetadataFragment; stale?: MetadataFile }> {
    if (read.text === undefined) {
      const parsed = unreadableMetadataFile(file, kind, read.unreadable ?? 'The file does not exist.');
      return { parsed, fragment: buildFragment(parsed) };
    }
    const cached = this.metadataCache.get(file);
    const open = this.openFiles.has(file) || this.overlays.has(file);
    let entry: { text: string; kind: MetadataFileKind; parsed: MetadataFile; fragment: MetadataFragment };
    if (cached && cached.text === read.text && cached.kind === kind) {
      entry = cached;
      if (open && !hasExactDocument(cached.parsed)) {
        const exact = await drainSliced(withExactDocumentSteps(cached.parsed), pause);
        if (exact !== cached.parsed) {
          entry = { text: read.text, kind, parsed: exact, fragment: buildFragment(exact) };
          this.metadataCache.set(file, entry);
        }
      }
    } else {
      // An open file is parsed exactly (a keystroke re-parses just the entry it is in: see
      // incrementalParse); the others on the fast path, with the same values and diagnostics.
      const parsed = open
        ? ((cached && cached.kind === kind && hasExactDocument(cached.parsed)
            ? reparseIncrementally(cached.parsed, read.text)
            : undefined) ?? (await drainSliced(parseMetadataFileSteps(file, kind, read.text), pause)))
        : parseMetadataFileFast(file, kind, read.text);
      // The fast path's text is the copy its value's strings point into: keep that one string, not two.
      read.text = parsed.text;
      entry = { text: parsed.text, kind, parsed, fragment: buildFragment(parsed) };
      if (!open) releaseValue(parsed);
      this.metadataCache.set(file, entry);
    }
    // Text that does not parse (not a schema error: those files parse) keeps the last good model.
    if (entry.parsed.parsed) this.lastGood.set(file, entry);
    else {
      const good = this.lastGood.get(file);
      if (good && good.kind === kind) return { parsed: entry.parsed, fragment: good.fragment, stale: good.parsed };
    }
    return entry;
  }

  /**
   * Loads and checks the whole project. Never throws for bad input: problems become diagnostics.
   * Time-sliced (see SLICE_MS); when a newer load() starts meanwhile, this one stops at its next
   * slice and resolves to the newer one's snapshot.
   */
  load(): Promise<ProjectSnapshot> {
    const generation = ++this.generation;
    let sliceStart = performance.now();
    // Not an async function: most calls do not yield, and a keystroke makes a thousand of them.
    const pause = (): Promise<void> => {
      if (performance.now() - sliceStart < SLICE_MS) return NO_PAUSE;
      return yieldToEventLoop().then(() => {
        if (generation !== this.generation) throw new Superseded();
        sliceStart = performance.now();
      });
    };
    const run = (this.options.adfOnly ? this.loadAdfOnly(pause) : this.loadProject(pause)).catch(e => {
      if (e instanceof Superseded && this.latest) return this.latest;
      throw e;
    });
    this.latest = run;
    return run;
  }

  private async loadProject(pause: () => Promise<void>): Promise<ProjectSnapshot> {
    const rootDir = path.dirname(this.rootFile);
    const metadataFiles = new Map<string, MetadataFile>();
    const fragments: MetadataFragment[] = [];
    const extra: Diagnostic[] = [];
    /** Files with a syntax error whose last good parse builds the model. */
    const staleParses = new Map<string, MetadataFile>();

    // Include graph: depth-first in declaration order, so definitions merge in a stable order.
    const visiting = new Set<string>();
    /** Reads started ahead of their file's turn (see prefetch below). */
    const reading = new Map<string, Promise<CachedText | undefined>>();
    /** readText, or the read started ahead for the file. */
    const readOnce = async (file: string): Promise<CachedText> => (await reading.get(file)) ?? this.readText(file);
    const visit = async (file: string, kind: MetadataFileKind, read: CachedText): Promise<void> => {
      visiting.add(file);
      await pause();
      const { parsed, fragment, stale } =
        this.unchangedMetadataFile(file, kind, read) ?? (await this.metadataFile(file, kind, read, pause));
      metadataFiles.set(file, parsed);
      if (stale) staleParses.set(file, stale);
      fragments.push(fragment);
      const locator = new MetadataLocator(metadataFiles);
      for (const include of fragment.includes) {
        const base = path.dirname(file);
        const targets = hasGlob(include.pattern)
          ? await this.expandInclude(base, include.pattern)
          : [path.resolve(base, include.pattern)];
        if (targets.length === 0) {
          extra.push(
            locator.diagnostic(
              RULES.includeProblem,
              include.origin,
              undefined,
              `No file matches include '${include.pattern}'.`,
              { severity: 'warning' },
            ),
          );
        }
        // Reads overlap the parses: the next files are read while one is parsed (a first load of
        // 240 files otherwise waits for each read in turn, 150 ms in all at 10,000 tables).
        let prefetched = 0;
        const prefetch = (upTo: number): void => {
          for (; prefetched < Math.min(upTo, targets.length); prefetched++) {
            const next = targets[prefetched]!;
            if (!METADATA_FILE.test(next) || reading.has(next) || this.cachedText(next)) continue;
            reading.set(
              next,
              this.readText(next).catch(() => undefined),
            );
          }
        };
        for (const [i, target] of targets.entries()) {
          prefetch(i + READ_AHEAD);
          // Only messages show it (a path.relative per file and per load: ~0.6 ms a keystroke at 10,000 tables).
          const shown = () => path.relative(base, target) || path.basename(target);
          // Where it is, before what it is: a path outside the project is not even listed.
          // (A realpath per file and per load: 7 ms a keystroke at 10,000 tables; a link that changes is a change on disk.)
          let outside = this.includeProblems.get(target);
          if (!this.includeProblems.has(target)) {
            outside = await this.containment.problem(target, `Included file '${this.shown(target)}'`);
            this.includeProblems.set(target, outside);
          }
          if (outside) {
            extra.push(locator.diagnostic(RULES.includeProblem, include.origin, undefined, outside));
            continue;
          }
          if (!METADATA_FILE.test(target) && (await this.readDir(target)) === undefined) {
            // A pattern may match a README beside the fragments: only a file named outright is a mistake.
            if (!hasGlob(include.pattern))
              extra.push(
                locator.diagnostic(
                  RULES.includeProblem,
                  include.origin,
                  undefined,
                  `'${excerpt(shown())}' is not a metadata file: includes name YAML files (.yaml, .yml). It is not read.`,
                ),
              );
            continue;
          }
          if (visiting.has(target)) {
            extra.push(
              locator.diagnostic(
                RULES.includeProblem,
                include.origin,
                undefined,
                `Circular include: '${excerpt(shown(), 120)}' is already being loaded (it includes ` +
                  `this file, directly or through others). Remove one of the includes.`,
              ),
            );
            continue;
          }
          if (metadataFiles.has(target)) {
            extra.push(
              locator.diagnostic(
                RULES.includeProblem,
                include.origin,
                undefined,
                `'${excerpt(shown(), 120)}' is included more than once; its definitions are loaded only the first time.`,
                { severity: 'warning' },
              ),
            );
            continue;
          }
          // A file read before and unchanged (most files, at each keystroke) takes no promise.
          const targetRead = this.cachedText(target) ?? (await readOnce(target));
          reading.delete(target);
          if (targetRead.missing) {
            const isFolder = (await this.readDir(target)) !== undefined;
            extra.push(
              locator.diagnostic(
                RULES.includeProblem,
                include.origin,
                undefined,
                isFolder
                  ? `'${excerpt(include.pattern, 120)}' is a folder; include the files in it, e.g. ` +
                      `'${excerpt(include.pattern.replace(/[\\/]+$/, ''), 120)}/*.lakehouse.yaml'.`
                  : `Included file '${excerpt(include.pattern, 120)}' does not exist (looked for ${excerpt(target, 200)}).`,
              ),
            );
            continue;
          }
          await visit(target, 'fragment', targetRead);
        }
      }
      visiting.delete(file);
    };

    const rootRead = await this.readText(this.rootFile);
    if (rootRead.missing) {
      const parsed = unreadableMetadataFile(this.rootFile, 'root', 'lakehouse.yaml does not exist.');
      metadataFiles.set(this.rootFile, parsed);
      fragments.push(buildFragment(parsed));
    } else {
      await visit(this.rootFile, 'root', rootRead);
    }

    const metadata = mergeFragments(this.rootFile, rootDir, fragments);
    // The model's origins in a stale file point into its last good parse: locate them there.
    const locator = new MetadataLocator(
      staleParses.size
        ? new Map([...metadataFiles].map(([f, parsed]) => [f, staleParses.get(f) ?? parsed]))
        : metadataFiles,
    );
    const diagnostics: Diagnostic[] = [...extra];
    for (const f of metadataFiles.values()) diagnostics.push(...f.diagnostics);
    await pause();
    const tables = await this.tableIndex.update(metadata, pause);
    if (tables.bySystem) {
      // What the rules find in each system's tables on their own (most of their work on a first
      // load, kept per system object), a system at a time between pauses; the rules below reuse it.
      for (const system of metadata.sources) {
        checkSystemTables(system, locator);
        checkSystemNames(system, locator);
        checkSystemMeaning(system, locator, metadata.zones);
        await pause();
      }
      await prepareMeaning(metadata, tables, pause);
    }
    // The star schema's findings of a first load (or after it changed), in slices: the checks below reuse them.
    await prepareStar(metadata, locator, tables, pause);
    await prepareFactsMeaning(metadata, locator, tables, pause);
    await pause();
    diagnostics.push(...checkMetadata(metadata, locator, tables));
    await pause();
    diagnostics.push(...checkNames(metadata, locator, tables));
    await pause();
    diagnostics.push(...checkMeaning(metadata, locator, tables));
    await pause();
    const outside = await this.checkPaths(metadata, locator, diagnostics);
    // a copy: the paths object belongs to the root file's cached fragment
    if (outside.has('templates')) metadata.paths = { ...metadata.paths, templates: undefined };
    diagnostics.push(...checkTemplateBindings(metadata, locator, tables));
    await pause();
    const templateFiles = await this.templateFiles(metadata);
    if (metadata.templates?.length) {
      const builtinNames = this.options.builtinTemplateNames ?? BUILTIN_TEMPLATE_NAMES;
      diagnostics.push(
        ...(await checkTemplateFiles(
          metadata,
          locator,
          async file => templateFiles.has(file) || (await this.readText(file)).missing !== true,
          name => builtinNames.includes(name),
          builtinNames,
        )),
      );
    }

    const bundleFile = bundleFileOf(metadata);
    const bundle = outside.has('bundle') ? {} : await this.readText(bundleFile);
    diagnostics.push(...checkBundleGoldPipeline(metadata, bundle.text));

    await pause();
    const adf = outside.has('adf') ? undefined : await this.loadAdf(metadata, locator, diagnostics, pause);
    await pause();
    if (adf) await checkLoopsAgainstMetadata(adf, metadata, diagnostics, tables, pause);

    const byFile = new Map<string, Diagnostic[]>();
    for (const f of metadataFiles.keys()) byFile.set(f, []);
    for (const f of adf?.files ?? []) byFile.set(f.file, []);
    // In a stale file only its syntax errors stand: the rest were located in text that is gone.
    const current = new Set([...staleParses.keys()].flatMap(f => metadataFiles.get(f)!.diagnostics));
    for (const d of diagnostics) {
      if (staleParses.has(d.file) && !current.has(d)) continue;
      const list = byFile.get(d.file);
      if (list) list.push(d);
      else byFile.set(d.file, [d]);
    }
    for (const list of byFile.values()) list.sort(compareDiagnostics);
    releaseAdfTrees(adf, byFile);
    return {
      rootFile: this.rootFile,
      metadata,
      adf,
      diagnostics: byFile,
      metadataFiles,
      locator,
      roots: this.containment.roots,
      templateFiles,
      ...(staleParses.size ? { stale: { files: [...staleParses.keys()] } } : {}),
    };
  }

  /** The template files in paths.templates that the project's bindings (declared or default) name and that exist. */
  private async templateFiles(metadata: LakehouseMetadata): Promise<Set<string>> {
    const found = new Set<string>();
    const dir = metadata.paths.templates;
    if (dir === undefined) return found;
    for (const binding of effectiveBindings(metadata)) {
      if (templateNameProblem(binding.template)) continue;
      const file = path.join(dir, ...binding.template.replace(/\\/g, '/').split('/'));
      if (!found.has(file) && (await this.readText(file)).missing !== true) found.add(file);
    }
    return found;
  }

  /** LH601 for each of paths.adf, .bundle and .templates that leads outside the project; those are then not read. */
  private async checkPaths(
    metadata: LakehouseMetadata,
    locator: MetadataLocator,
    out: Diagnostic[],
  ): Promise<Set<'adf' | 'bundle' | 'templates'>> {
    const outside = new Set<'adf' | 'bundle' | 'templates'>();
    for (const key of ['adf', 'bundle', 'templates'] as const) {
      const folder = metadata.paths[key];
      if (folder === undefined) continue;
      const problem = await this.containment.problem(
        folder,
        `paths.${key} ('${excerpt(path.relative(metadata.rootDir, folder) || '.', 120)}')`,
      );
      if (!problem) continue;
      outside.add(key);
      out.push(
        locator.diagnostic(
          RULES.pathOutsideProject,
          metadata.paths.origin,
          key,
          `${problem} Nothing is read from it or written to it.`,
        ),
      );
    }
    return outside;
  }

  private async loadAdfOnly(pause: () => Promise<void>): Promise<ProjectSnapshot> {
    const metadata = emptyMetadata(this.rootFile, this.rootFile);
    const result = await this.readAdf(this.rootFile, pause);
    const byFile = new Map<string, Diagnostic[]>();
    if (result.status === 'ok') {
      for (const f of result.factory.files) byFile.set(f.file, [...f.diagnostics]);
      await pause();
      for (const d of await this.adfValidation.validateSliced(result.factory, pause)) byFile.get(d.file)?.push(d);
      for (const list of byFile.values()) list.sort(compareDiagnostics);
      releaseAdfTrees(result.factory, byFile);
    }
    return {
      rootFile: this.rootFile,
      adfOnly: true,
      metadata,
      adf: result.status === 'ok' ? result.factory : undefined,
      diagnostics: byFile,
      metadataFiles: new Map(),
      locator: new MetadataLocator(new Map()),
      roots: this.containment.roots,
      templateFiles: new Set(),
    };
  }

  private readAdf(root: string, pause: () => Promise<void>): Promise<AdfFolderResult> {
    return loadAdfFolder(
      {
        readText: async file => {
          await pause(); // each file is parsed after its read: one slice each
          const r = await this.readText(file);
          return r.text !== undefined
            ? { text: r.text }
            : r.missing
              ? { missing: true }
              : { unreadable: r.unreadable ?? 'The file cannot be read.' };
        },
        readDirectory: dir => this.readDir(dir),
        pause,
        parse: (file, kind, text) => {
          const cached = this.adfCache.get(file);
          if (cached && cached.text === text && cached.parsed.kind === kind) return cached.parsed;
          const parsed = parseAdfFile(file, kind, text);
          this.adfCache.set(file, { text, parsed });
          return parsed;
        },
      },
      root,
    );
  }

  private async loadAdf(
    metadata: LakehouseMetadata,
    locator: MetadataLocator,
    out: Diagnostic[],
    pause: () => Promise<void>,
  ): Promise<AdfFactory | undefined> {
    const configured = metadata.paths.adf;
    const root = configured ?? path.join(metadata.rootDir, 'adf');
    const result = await this.readAdf(root, pause);
    const shown = configured ? path.relative(metadata.rootDir, configured) || '.' : '';
    if (result.status === 'missing') {
      if (configured) {
        out.push(
          locator.diagnostic(
            RULES.adfFolderMissing,
            metadata.paths.origin,
            'adf',
            `The ADF folder '${shown}' does not exist. Point paths.adf at the folder that holds pipeline/, dataset/ and linkedService/, or create it.`,
          ),
        );
      }
      return undefined;
    }
    if (result.status === 'not-adf') {
      if (configured) {
        out.push(
          locator.diagnostic(
            RULES.adfFolderMissing,
            metadata.paths.origin,
            'adf',
            `'${shown}' is not an ADF git folder: it has none of pipeline/, dataset/, linkedService/, trigger/, factory/.`,
            { severity: 'warning' },
          ),
        );
      }
      return undefined;
    }
    for (const f of result.factory.files) out.push(...f.diagnostics);
    await pause();
    out.push(...(await this.adfValidation.validateSliced(result.factory, pause)));
    return result.factory;
  }
}

/**
 * The ADF files without a finding let go of their JSON trees once validated (made again if asked
 * for): the trees are most of what a loaded Data Factory folder holds, and validation results are cached.
 */
function releaseAdfTrees(adf: AdfFactory | undefined, byFile: Map<string, Diagnostic[]>): void {
  for (const f of adf?.files ?? []) if (!byFile.get(f.file)?.length) releaseAdfTree(f);
}

/** Merges per-file fragments into one model (root first, includes in load order). */
export function mergeFragments(
  rootFile: string,
  rootDir: string,
  fragments: readonly MetadataFragment[],
): LakehouseMetadata {
  const meta = emptyMetadata(rootFile, rootDir);
  // Every table, in an array of its final size (grown push by push, 10,000 tables copied ~3× a keystroke).
  let tableCount = 0;
  for (const f of fragments) for (const s of f.sources) tableCount += s.tables.length;
  const tables = (meta.tables = new Array<Table>(tableCount));
  let t = 0;
  for (const f of fragments) {
    meta.files.push(f.file);
    if (f.file === rootFile) {
      meta.project = f.project;
      if (f.paths) meta.paths = f.paths;
      if (f.templates) meta.templates = f.templates;
      if (f.adf) meta.adf = f.adf;
      if (f.databricks) meta.databricks = f.databricks;
    }
    meta.environments.push(...f.environments);
    meta.zones.push(...f.zones);
    meta.sources.push(...f.sources);
    for (const s of f.sources) for (let i = 0; i < s.tables.length; i++) tables[t++] = s.tables[i]!;
    meta.dimensions.push(...f.dimensions);
    meta.facts.push(...f.facts);
    if (f.dateDimension && !meta.dateDimension) meta.dateDimension = f.dateDimension;
    if (f.calendar && !meta.calendar) meta.calendar = f.calendar;
    meta.todos.push(...f.todos);
  }
  return meta;
}

/** The project file in a folder (lakehouse.yaml or lakehouse.yml), if any. */
export async function findRootFile(host: FileHost, dir: string): Promise<string | undefined> {
  const entries = await host.readDirectory(dir);
  if (!entries) return undefined;
  const name = ROOT_FILE_NAMES.find(n => entries.includes(n));
  return name ? path.join(dir, name) : undefined;
}
