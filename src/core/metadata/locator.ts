import { isMap, isSeq, type Node } from 'yaml';
import type { Diagnostic, Fix, Severity, TextEdit } from '../diagnostics/diagnostic';
import type { RuleInfo } from '../diagnostics/rules';
import type { Range, Span } from '../text/lineIndex';
import { LineIndex } from '../text/lineIndex';
import type { MetadataFile } from './metadataFile';
import type { Origin } from './model';
import { keySpan, locate, nodeSpan, type PathSegment } from './yamlLocate';

export type Part = 'key' | 'value' | 'entry';

/** Turns model origins into ranges and edits, using the parsed files they came from. */
export class MetadataLocator {
  constructor(private readonly files: ReadonlyMap<string, MetadataFile>) {}

  private fileOf(origin: Origin): MetadataFile | undefined {
    return this.files.get(origin.file);
  }

  /**
   * The span of `field` of the element at origin (its key or value), or of the element itself.
   * Falls back to the element's name, then to the element's first line, so a diagnostic always
   * lands near what it is about.
   */
  span(origin: Origin, field?: PathSegment | readonly PathSegment[], part: Part = 'value'): Span {
    const file = this.fileOf(origin);
    const root = file?.doc?.contents as Node | null | undefined;
    if (!file || !root) return [0, 0];
    const fields = field === undefined ? [] : Array.isArray(field) ? field : [field as PathSegment];
    const at = locate(root, [...origin.path, ...fields]);
    if (at.node || at.pair) {
      if (part === 'key' && at.pair) return keySpan(at.pair) ?? nodeSpan(at.node) ?? [0, 0];
      if (part === 'entry' && at.pair) {
        const k = keySpan(at.pair);
        const v = nodeSpan(at.node);
        if (k) return [k[0], v ? v[1] : k[1]];
      }
      const v = nodeSpan(at.node);
      if (v) return trimTrailingNewline(file.text, v);
      return keySpan(at.pair) ?? [0, 0];
    }
    const element = locate(root, origin.path);
    const name = locate(root, [...origin.path, 'name']);
    if (name.node) return nodeSpan(name.node) ?? [0, 0];
    if (element.pair && fields.length === 0) return keySpan(element.pair) ?? [0, 0];
    if (element.pair) return keySpan(element.pair) ?? [0, 0];
    const n = nodeSpan(element.node ?? element.deepest);
    if (n) return firstLine(file.text, n);
    return [0, 0];
  }

  range(origin: Origin, field?: PathSegment | readonly PathSegment[], part: Part = 'value'): Range {
    return this.lines(origin.file).rangeOf(this.span(origin, field, part));
  }

  lines(file: string): LineIndex {
    return this.files.get(file)?.lines ?? new LineIndex('');
  }

  text(origin: Origin, field?: PathSegment | readonly PathSegment[]): string | undefined {
    const file = this.fileOf(origin);
    if (!file) return undefined;
    const s = this.span(origin, field);
    return file.text.slice(s[0], s[1]);
  }

  diagnostic(
    rule: RuleInfo,
    origin: Origin,
    field: PathSegment | readonly PathSegment[] | undefined,
    message: string,
    opts?: {
      part?: Part;
      fixes?: (Fix | undefined)[];
      severity?: Severity;
      related?: { origin: Origin; field?: PathSegment; message: string }[];
    },
  ): Diagnostic {
    const d: Diagnostic = {
      file: origin.file,
      range: this.range(origin, field, opts?.part),
      severity: opts?.severity ?? rule.severity,
      code: rule.code,
      message,
    };
    const fixes = opts?.fixes?.filter((f): f is Fix => !!f);
    if (fixes?.length) d.fixes = fixes;
    if (opts?.related?.length) {
      d.related = opts.related.map(r => ({
        file: r.origin.file,
        range: this.range(r.origin, r.field, 'value'),
        message: r.message,
      }));
    }
    return d;
  }

  /** An edit replacing a scalar value. */
  replaceValue(origin: Origin, field: PathSegment | readonly PathSegment[], newText: string): TextEdit | undefined {
    const file = this.fileOf(origin);
    if (!file) return undefined;
    const fields = Array.isArray(field) ? field : [field as PathSegment];
    const at = locate(file.doc?.contents as Node | null, [...origin.path, ...fields]);
    const span = nodeSpan(at.node);
    if (!span) return undefined;
    return { file: file.file, range: file.lines.rangeOf(trimTrailingNewline(file.text, span)), newText };
  }

  /** An edit adding "key: value" lines at the end of the block mapping at origin (+ subPath). */
  appendToMap(origin: Origin, lines: string[], subPath: readonly PathSegment[] = []): TextEdit | undefined {
    const file = this.fileOf(origin);
    if (!file) return undefined;
    const at = locate(file.doc?.contents as Node | null, [...origin.path, ...subPath]);
    if (!at.node || !isMap(at.node) || !at.node.range) return undefined;
    if (at.node.flow) return appendToFlowMap(file, at.node.range, at.node.items.length > 0, lines);
    return appendLines(file, at.node.range, lines);
  }

  /** An edit adding an item (given as lines, the first without the dash) to the block sequence at origin + subPath. */
  appendToSeq(origin: Origin, subPath: readonly PathSegment[], itemLines: string[]): TextEdit | undefined {
    const file = this.fileOf(origin);
    if (!file) return undefined;
    const at = locate(file.doc?.contents as Node | null, [...origin.path, ...subPath]);
    if (!at.node || !isSeq(at.node) || at.node.flow || !at.node.range || at.node.items.length === 0) return undefined;
    const [first, ...rest] = itemLines;
    return appendLines(file, at.node.range, [`- ${first ?? ''}`, ...rest.map(l => `  ${l}`)]);
  }
}

/** `{ a: 1 }` + ["b: 2"] → `{ a: 1, b: 2 }`: the entries go before the closing brace. */
function appendToFlowMap(
  file: MetadataFile,
  range: readonly number[],
  hasItems: boolean,
  lines: string[],
): TextEdit | undefined {
  const text = file.text;
  let close = (range[1] as number) - 1;
  while (close > (range[0] as number) && text[close] !== '}') close--;
  if (text[close] !== '}') return undefined;
  let end = close;
  while (end > (range[0] as number) && /[ \t]/.test(text[end - 1] ?? '')) end--;
  const pos = file.lines.positionAt(end);
  return { file: file.file, range: { start: pos, end: pos }, newText: `${hasItems ? ',' : ''} ${lines.join(', ')}` };
}

function appendLines(file: MetadataFile, range: readonly number[], lines: string[]): TextEdit {
  const start = range[0] as number;
  let end = range[1] as number;
  const text = file.text;
  // Back up over trailing blank lines and comments' newline so the new lines sit right after the last entry.
  while (end > start && (text[end - 1] === '\n' || text[end - 1] === '\r')) end--;
  const indent = ' '.repeat(file.lines.positionAt(start).character);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const insert = lines.map(l => `${eol}${indent}${l}`).join('');
  const pos = file.lines.positionAt(end);
  return { file: file.file, range: { start: pos, end: pos }, newText: insert };
}

function trimTrailingNewline(text: string, span: Span): Span {
  let end = span[1];
  while (end > span[0] && /\s/.test(text[end - 1] ?? '')) end--;
  return [span[0], end];
}

function firstLine(text: string, span: Span): Span {
  const nl = text.indexOf('\n', span[0]);
  const end = nl === -1 || nl > span[1] ? span[1] : nl;
  return trimTrailingNewline(text, [span[0], end]);
}
