import * as assert from 'node:assert/strict';
import * as path from 'path';
import type { Diagnostic, Fix, Severity, TextEdit } from '../../../src/core/diagnostics/diagnostic';
import { compareDiagnostics } from '../../../src/core/diagnostics/diagnostic';
import { ALL_RULES } from '../../../src/core/diagnostics/rules';
import { LineIndex, type Range } from '../../../src/core/text/lineIndex';
import { ProjectSession, type ProjectSnapshot } from '../../../src/core/project/projectSession';
import { MemoryHost, type FileContent, type MemoryHostOptions } from './memoryHost';

/** The folder in-memory projects live in (never touched on disk). */
export const ROOT = path.resolve('/virtual/lakehouse');

export const OPEN = '⟦';
export const CLOSE = '⟧';

export interface Marked {
  text: string;
  /** One range per ⟦…⟧ pair, in the order the pairs open. */
  ranges: Range[];
}

/**
 * Strips ⟦ and ⟧ from a text; each pair marks the exact range a diagnostic is expected at
 * (⟦⟧ marks an empty range). Pairs may nest.
 */
export function marked(source: string): Marked {
  let text = '';
  const spans: [number, number][] = [];
  const open: number[] = [];
  if (!source.includes(OPEN) && !source.includes(CLOSE)) return { text: source, ranges: [] };
  for (const ch of source) {
    if (ch === OPEN) {
      open.push(spans.length);
      spans.push([text.length, -1]);
    } else if (ch === CLOSE) {
      const i = open.pop();
      if (i === undefined) throw new Error(`unbalanced ${CLOSE} in test text`);
      (spans[i] as [number, number])[1] = text.length;
    } else text += ch;
  }
  if (open.length) throw new Error(`unbalanced ${OPEN} in test text`);
  const lines = new LineIndex(text);
  return { text, ranges: spans.map(s => lines.rangeOf(s)) };
}

/** `text` with `from` (which must occur exactly once) replaced: a minimal, checked mutation of a baseline. */
export function edit(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  assert.ok(at >= 0, `the baseline contains ${JSON.stringify(from)}`);
  assert.equal(text.indexOf(from, at + 1), -1, `the baseline contains ${JSON.stringify(from)} only once`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

export interface LoadedProject {
  snapshot: ProjectSnapshot;
  /** Every diagnostic of every file, sorted. */
  diagnostics: Diagnostic[];
  host: MemoryHost;
  /** Absolute path to file text (markers stripped), for the text files given. */
  texts: Map<string, string>;
  /** The range of marker `index` in `file` (relative to ROOT; default lakehouse.yaml). */
  marker(index?: number, file?: string): Range;
  /** Diagnostics with this code. */
  withCode(code: string): Diagnostic[];
}

export interface ProjectOptions extends MemoryHostOptions {
  /** The root file, relative to ROOT (default lakehouse.yaml). */
  rootFile?: string;
  /** Folders outside the project the user allows, relative to ROOT. */
  allowedFolders?: string[];
}

/** Absolute path of a project file given relative to ROOT. */
export function abs(file: string): string {
  return path.resolve(ROOT, file);
}

/** Builds an in-memory project from texts (keys relative to ROOT; ⟦…⟧ markers allowed) and loads it. */
export async function loadProject(
  files: Record<string, FileContent>,
  options: ProjectOptions = {},
): Promise<LoadedProject> {
  const contents: Record<string, FileContent> = {};
  const texts = new Map<string, string>();
  const markers = new Map<string, Range[]>();
  for (const [rel, content] of Object.entries(files)) {
    const file = abs(rel);
    if (typeof content === 'string') {
      const m = marked(content);
      contents[file] = m.text;
      texts.set(file, m.text);
      markers.set(file, m.ranges);
    } else contents[file] = content;
  }
  const host = new MemoryHost(contents, options);
  const snapshot = await new ProjectSession(abs(options.rootFile ?? 'lakehouse.yaml'), host, {
    allowedFolders: (options.allowedFolders ?? []).map(abs),
  }).load();
  const diagnostics = flatten(snapshot);
  return {
    snapshot,
    diagnostics,
    host,
    texts,
    marker(index = 0, file = 'lakehouse.yaml') {
      const r = markers.get(abs(file))?.[index];
      if (!r) throw new Error(`no marker #${index} in ${file}`);
      return r;
    },
    withCode: code => diagnostics.filter(d => d.code === code),
  };
}

export function flatten(snapshot: ProjectSnapshot): Diagnostic[] {
  return [...snapshot.diagnostics.values()].flat().sort(compareDiagnostics);
}

/** One line per diagnostic, for readable assertion failures. */
export function list(diagnostics: readonly Diagnostic[]): string {
  if (diagnostics.length === 0) return '(none)';
  return diagnostics
    .map(d => {
      const { start, end } = d.range;
      const where = `${path.relative(ROOT, d.file) || d.file}:${start.line}:${start.character}-${end.line}:${end.character}`;
      return `${where} ${d.severity} ${d.code} ${d.message}`;
    })
    .join('\n');
}

export function defaultSeverity(code: string): Severity {
  const rule = ALL_RULES.find(r => r.code === code);
  if (!rule) throw new Error(`unknown rule ${code}`);
  return rule.severity;
}

export interface Expected {
  /** File relative to ROOT (default lakehouse.yaml). */
  file?: string;
  /** The expected range: a marker index in `file` (default 0), a range, or 'any' (tested elsewhere). */
  at?: number | Range | 'any';
  /** Default: the rule's severity. */
  severity?: Severity;
  /** Every pattern must match the message (what is wrong and what to do). */
  message?: (RegExp | string)[];
}

/**
 * Asserts that exactly one diagnostic has `code`, at exactly the expected range (start and end),
 * in the expected file, with the expected severity and message; returns it.
 */
export function assertFires(project: LoadedProject, code: string, expected: Expected = {}): Diagnostic {
  const found = project.withCode(code);
  assert.equal(found.length, 1, `expected exactly one ${code}, got:\n${list(project.diagnostics)}`);
  const d = found[0] as Diagnostic;
  const file = expected.file ?? 'lakehouse.yaml';
  assert.equal(d.file, abs(file), `${code} is in ${file}`);
  if (expected.at !== 'any') {
    const range = typeof expected.at === 'object' ? expected.at : project.marker(expected.at ?? 0, file);
    assert.deepEqual(d.range, range, `range of ${code}: ${d.message}`);
  }
  assert.equal(d.severity, expected.severity ?? defaultSeverity(code), `severity of ${code}`);
  for (const m of expected.message ?? []) {
    if (typeof m === 'string')
      assert.ok(d.message.includes(m), `message of ${code} includes ${JSON.stringify(m)}: ${d.message}`);
    else assert.match(d.message, m);
  }
  return d;
}

export function assertNo(project: LoadedProject, code: string): void {
  assert.deepEqual(project.withCode(code), [], `expected no ${code}, got:\n${list(project.withCode(code))}`);
}

export function assertClean(project: LoadedProject): void {
  assert.equal(list(project.diagnostics), '(none)', 'expected no diagnostics');
}

/** Applies edits to one file's text (edits in other files are refused). */
export function applyEdits(text: string, file: string, edits: readonly TextEdit[]): string {
  const lines = new LineIndex(text);
  const spans = edits
    .map(e => {
      assert.equal(e.file, file, 'the fix edits the file of the diagnostic');
      return { start: lines.offsetAt(e.range.start), end: lines.offsetAt(e.range.end), newText: e.newText };
    })
    .sort((a, b) => b.start - a.start);
  let out = text;
  for (const s of spans) out = out.slice(0, s.start) + s.newText + out.slice(s.end);
  return out;
}

/** The fix of a diagnostic with this title (a RegExp or the exact title). */
export function fixOf(d: Diagnostic, title: RegExp | string): Fix {
  const fix = d.fixes?.find(f => (typeof title === 'string' ? f.title === title : title.test(f.title)));
  assert.ok(
    fix,
    `${d.code} offers a fix ${String(title)}; it offers: ${JSON.stringify(d.fixes?.map(f => f.title) ?? [])}`,
  );
  return fix;
}

/**
 * Applies a diagnostic's fix to the project files and loads the result again: the files as text
 * (relative to ROOT) plus the loaded project.
 */
export async function applyFix(
  project: LoadedProject,
  d: Diagnostic,
  title: RegExp | string,
  options: ProjectOptions = {},
): Promise<{ text: string; fixed: LoadedProject }> {
  const fix = fixOf(d, title);
  const files: Record<string, string> = {};
  for (const [file, text] of project.texts) files[path.relative(ROOT, file)] = text;
  const original = project.texts.get(d.file);
  assert.ok(original !== undefined, 'the diagnostic is in a text file of the project');
  const text = applyEdits(original, d.file, fix.edits);
  files[path.relative(ROOT, d.file)] = text;
  return { text, fixed: await loadProject(files, options) };
}
