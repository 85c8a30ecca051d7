// The public renderer: a Jinja2-faithful template environment over the project's files.
// Template names resolve like Jinja2's FileSystemLoader over `searchPaths` (the template's
// folder, then the project's templates folder); no name may leave the project, even through a
// symlink. Errors never throw: they come back as RenderResult with file, line and kind.
import * as path from 'path';
import { readCheckedSync, realPathSync } from '../files/checkedRead';
import { parseTemplate, type Stmt } from './parser';
import { Interpreter, type LoadedTemplate, type TemplateHost } from './interpreter';
import { createBuiltins, type Builtins } from './builtins';
import { TemplateError, type PyValue, type TemplateErrorKind, fromJs, type PyKey } from './pyValue';
import { javaScriptLimitError } from './limits';

export type RenderResult = { ok: true; text: string } | { ok: false; error: RenderError };

export interface RenderError {
  message: string;
  file?: string;
  line?: number;
  column?: number;
  kind: TemplateErrorKind;
}

export interface TemplateEnvironmentOptions {
  /** Folders template names resolve against, in order (Jinja2 FileSystemLoader semantics). */
  searchPaths: string[];
  /** No template may be read from outside this folder. */
  projectRoot: string;
  /** Reads a file (e.g. an editor's unsaved text); undefined when it does not exist. Default: the disk. */
  readFile?: (filePath: string) => string | undefined;
  /** Resolves symbolic links (undefined when the path does not exist), for the containment check. Default: the disk. */
  realPath?: (filePath: string) => string | undefined;
}

/** A render context: plain JS data (objects become dicts) or Python values from parsePythonJson. */
export type TemplateContext = Record<string, unknown> | Map<string, PyValue>;

/**
 * An environment reads and compiles each template file at most once in its lifetime (like
 * nunjucks without `watch`, or Jinja2 with auto_reload off): create a new environment to see
 * edited files. The editor, the CLI and the worker create one per render request.
 */
export interface TemplateEnvironment {
  renderFile(filePath: string, context: TemplateContext): RenderResult;
  renderString(text: string, context: TemplateContext, name?: string): RenderResult;
}

let sharedBuiltins: Builtins | undefined;

export function createTemplateEnvironment(options: TemplateEnvironmentOptions): TemplateEnvironment {
  const builtins = (sharedBuiltins ??= createBuiltins());
  // Each file is read (or taken from the caller's reader, e.g. overlays) once per environment:
  // renders in the same environment see the same text, and compiled templates are reused.
  const projectRoot = path.resolve(options.projectRoot);
  const realPath = options.realPath ?? realPathSync;
  const realProjectRoot = realPath(projectRoot) ?? projectRoot;
  // Where a file is, before anything is read from it (an unsaved buffer included): a template
  // that names, or a link that leads to, a file outside the project is refused unread.
  const reader = options.readFile ?? readTemplateFile;
  const readFile = memoizeReader(file => {
    assertInsideProject(file);
    return reader(file);
  });
  const searchPaths = options.searchPaths.map(p => path.resolve(p));
  const cache = new Map<string, { source: string; template: LoadedTemplate }>();
  /** Template name -> resolved file (or undefined when none exists); resolution only depends on readFile. */
  const resolved = new Map<string, string | undefined>();
  /** renderFile's path -> absolute path. */
  const absolute = new Map<string, string>();

  function compile(source: string, name: string, file: string, onDisk: boolean): LoadedTemplate {
    const cached = cache.get(file);
    if (cached && cached.source === source) return cached.template;
    // Containment is checked whenever the text changes (a file replaced by a symlink has new text).
    if (onDisk) assertInsideProject(file);
    let template: LoadedTemplate;
    try {
      const body = parseTemplate(source);
      assertKnownFiltersAndTests(body, builtins, file);
      template = { name, file, body, blocks: collectBlocks(body, file) };
    } catch (caught) {
      const error = caught instanceof TemplateError ? caught : (javaScriptLimitError(caught) ?? caught);
      if (error instanceof TemplateError) error.file ??= file;
      throw error;
    }
    cache.set(file, { source, template });
    return template;
  }

  /** Jinja2's split_template_path plus our containment rule. */
  function resolve(name: string): string | undefined {
    if (resolved.has(name)) return resolved.get(name);
    const file = resolveUncached(name);
    resolved.set(name, file);
    return file;
  }

  function resolveUncached(name: string): string | undefined {
    // No file has a NUL in its name: Jinja2's FileSystemLoader finds none (TemplateNotFound), and
    // the file system would refuse the path.
    if (name.includes('\0')) return undefined;
    const pieces = name.split('/').filter(piece => piece && piece !== '.');
    if (
      pieces.some(piece => piece === '..' || piece.includes('\\')) ||
      path.isAbsolute(name) ||
      /^[a-zA-Z]:/.test(name)
    ) {
      throw new TemplateError(
        'security',
        `template name '${name}' leaves the template folders (".." and absolute paths are not allowed, as in Jinja2's FileSystemLoader)`,
      );
    }
    for (const folder of searchPaths) {
      const candidate = path.join(folder, ...pieces);
      if (readFile(candidate) === undefined) continue;
      return candidate;
    }
    return undefined;
  }

  function assertInsideProject(file: string): void {
    const resolved = path.resolve(file);
    const real = realPath(resolved) ?? resolved;
    for (const candidate of [resolved, real]) {
      const base = candidate === real ? realProjectRoot : projectRoot;
      const relative = path.relative(base, candidate);
      if (relative.startsWith('..') || path.isAbsolute(relative)) {
        throw new TemplateError(
          'security',
          `template '${file}' is outside the project folder ${projectRoot}${candidate === real && real !== resolved ? ` (a symlink to ${real})` : ''}`,
        );
      }
    }
  }

  const host: TemplateHost = {
    builtins,
    load(name: string) {
      const file = resolve(name);
      if (!file) return undefined;
      return compile(readFile(file)!, name, file, true);
    },
  };

  function run(produce: () => { template: LoadedTemplate }, context: TemplateContext): RenderResult {
    const interpreter = new Interpreter(host);
    try {
      const { template } = produce();
      const text = interpreter.render(template, toContext(context));
      return { ok: true, text };
    } catch (error) {
      return { ok: false, error: toRenderError(error, interpreter) };
    }
  }

  return {
    renderFile(filePath, context) {
      return run(() => {
        let file = absolute.get(filePath);
        if (file === undefined) absolute.set(filePath, (file = path.resolve(filePath)));
        const source = readFile(file);
        if (source === undefined) {
          assertInsideProject(file);
          throw new TemplateError('runtime', `TemplateNotFound: ${filePath}`);
        }
        return { template: compile(source, path.basename(file), file, true) };
      }, context);
    },
    renderString(text, context, name = '<template>') {
      return run(() => ({ template: compile(text, name, name, false) }), context);
    },
  };
}

function toContext(context: TemplateContext): Map<string, PyValue> {
  if (context instanceof Map) return context;
  const result = new Map<string, PyValue>();
  for (const key of Object.keys(context)) result.set(key, fromJs(context[key]));
  return result;
}

function toRenderError(error: unknown, interpreter: Interpreter): RenderError {
  if (error instanceof TemplateError) {
    return {
      kind: error.kind,
      message: error.message,
      ...((error.file ?? interpreter.file) ? { file: error.file ?? interpreter.file } : {}),
      ...((error.line ?? interpreter.line) ? { line: error.line ?? interpreter.line } : {}),
    };
  }
  const where = {
    ...(interpreter.file ? { file: interpreter.file } : {}),
    ...(interpreter.line ? { line: interpreter.line } : {}),
  };
  const limit = javaScriptLimitError(error);
  if (limit) return { kind: limit.kind, message: limit.message, ...where };
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'runtime', message: `internal error in the template renderer: ${message}`, ...where };
}

/**
 * Jinja2 rejects an unknown filter or test when it compiles, even in a loop never entered;
 * inside the branches of an if (statement or inline) it defers the error until executed.
 */
function assertKnownFiltersAndTests(body: Stmt[], builtins: Builtins, file: string): void {
  // Depth first, in document order, with a stack of its own: an expression nested thousands deep
  // must not overflow the call stack here.
  const stack: unknown[] = [body];
  while (stack.length) {
    const node = stack.pop();
    if (!node || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push(node[i]);
      continue;
    }
    const record = node as { kind?: unknown; name?: unknown; line?: unknown };
    const missing =
      record.kind === 'filter' && !builtins.filters.has(String(record.name))
        ? `No filter named '${String(record.name)}'.`
        : record.kind === 'test' && !builtins.tests.has(String(record.name))
          ? `No test named '${String(record.name)}'.`
          : undefined;
    if (missing) {
      const error = new TemplateError('syntax', missing, typeof record.line === 'number' ? record.line : undefined);
      error.file = file;
      throw error;
    }
    if (record.kind === 'if' || record.kind === 'condexpr') {
      stack.push((record as { test?: unknown }).test);
      continue;
    }
    const children = Object.values(record).filter(value => value && typeof value === 'object');
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
}

function collectBlocks(body: Stmt[], file: string): Map<string, Extract<Stmt, { kind: 'block' }>> {
  const blocks = new Map<string, Extract<Stmt, { kind: 'block' }>>();
  const visit = (statements: Stmt[]) => {
    for (const stmt of statements) {
      if (stmt.kind === 'block') {
        if (blocks.has(stmt.name)) {
          const error = new TemplateError('syntax', `block '${stmt.name}' defined twice`, stmt.line);
          error.file = file;
          throw error;
        }
        blocks.set(stmt.name, stmt);
        visit(stmt.body);
      } else if ('body' in stmt && Array.isArray(stmt.body)) {
        if (stmt.kind !== 'macro') visit(stmt.body);
        if ('orelse' in stmt) visit(stmt.orelse);
      }
    }
  };
  visit(body);
  return blocks;
}

/** Templates larger than this are not read (a notebook template is a few kilobytes). */
export const MAX_TEMPLATE_BYTES = 5 * 1024 * 1024;

/**
 * Reads a template from disk: a regular file (not a folder, FIFO or device) within the size
 * limit, through the product's one checked reader; undefined when there is none.
 */
export function readTemplateFile(filePath: string): string | undefined {
  const read = readCheckedSync(filePath, { maxBytes: MAX_TEMPLATE_BYTES, what: 'for templates' });
  if (read.status === 'missing') return undefined;
  if (read.status === 'refused') throw new TemplateError('security', `${path.basename(filePath)}: ${read.reason}`);
  return Buffer.from(read.bytes).toString('utf8');
}

/** Unsaved editor text wins over the disk; the environment checks where a file is before either is used. */
export function readWithOverlays(overlays: Readonly<Record<string, string>>): (file: string) => string | undefined {
  return file => (Object.prototype.hasOwnProperty.call(overlays, file) ? overlays[file] : readTemplateFile(file));
}

/** One read per path for the lifetime of an environment (missing files are remembered too). */
function memoizeReader(read: (filePath: string) => string | undefined): (filePath: string) => string | undefined {
  const texts = new Map<string, string | undefined>();
  return filePath => {
    if (texts.has(filePath)) return texts.get(filePath);
    const text = read(filePath);
    texts.set(filePath, text);
    return text;
  };
}

export type { PyKey };
