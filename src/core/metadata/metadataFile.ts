import {
  Composer,
  Document,
  Lexer,
  Parser,
  YAMLParseError,
  isAlias,
  isNode,
  isScalar,
  isMap,
  isSeq,
  visit,
  type CST,
  type Node,
  type YAMLError,
} from 'yaml';

type Token = CST.Token;
import type { ErrorObject } from 'ajv';
import { excerpt } from '../text/excerpt';
import { drain } from '../text/timeSlices';
import { LineIndex, type Span } from '../text/lineIndex';
import { makeDiagnostic, type Diagnostic, type Fix } from '../diagnostics/diagnostic';
import { RULES } from '../diagnostics/rules';
import { didYouMean, quoteList } from '../text/suggest';
import { locate, keySpan, nodeSpan, type Path } from './yamlLocate';
import { validateAgainstSchema, pointerSegments, type MetadataFileKind } from './schemaValidation';

const TOO_DEEP = 'The file is nested too deeply to read. Metadata is only a few levels deep: flatten it.';

/** One metadata YAML file, parsed and checked against the JSON Schema. Immutable; cached by text. */
export interface MetadataFile {
  file: string;
  kind: MetadataFileKind;
  text: string;
  lines: LineIndex;
  doc: Document.Parsed | undefined;
  /** The plain value, or undefined when the file did not parse. */
  value: unknown;
  /** True when the YAML parsed (schema errors may still exist). */
  parsed: boolean;
  diagnostics: Diagnostic[];
}

/** A file that could not be read as text at all. */
export function unreadableMetadataFile(file: string, kind: MetadataFileKind, reason: string): MetadataFile {
  const lines = new LineIndex('');
  return {
    file,
    kind,
    text: '',
    lines,
    doc: undefined,
    value: undefined,
    parsed: false,
    diagnostics: [makeDiagnostic(file, lines, [0, 0], RULES.unreadableFile, reason)],
  };
}

export function parseMetadataFile(file: string, kind: MetadataFileKind, text: string): MetadataFile {
  return drain(parseMetadataFileSteps(file, kind, text));
}

/** parseMetadataFile as steps: a caller on an editor's thread pauses between them (see drainSliced). */
export function* parseMetadataFileSteps(
  file: string,
  kind: MetadataFileKind,
  text: string,
): Generator<void, MetadataFile> {
  const doc = yield* parseYamlSteps(text);
  const lines = new LineIndex(text);
  const diagnostics: Diagnostic[] = [];
  for (const e of doc.errors) {
    if (diagnostics.length >= MAX_SYNTAX_ERRORS) {
      diagnostics.push(
        makeDiagnostic(
          file,
          lines,
          clampSpan([e.pos[0], e.pos[0] + 1], text.length),
          RULES.yamlSyntax,
          `…and ${yamlParseStopped(doc) ? 'many' : doc.errors.length - MAX_SYNTAX_ERRORS} more YAML ` +
            `syntax errors. Fix the first ones; the rest often follow from them.`,
        ),
      );
      break;
    }
    const span: Span =
      e.code === 'DUPLICATE_KEY' ? wordSpan(text, e.pos[0]) : [e.pos[0], Math.max(e.pos[1], e.pos[0] + 1)];
    const message = yamlErrorMessage(e.code, e.message);
    // The parser reports a stack overflow once per level it unwinds: once is enough.
    if (message === TOO_DEEP && diagnostics.some(d => d.message === TOO_DEEP)) continue;
    diagnostics.push(makeDiagnostic(file, lines, clampSpan(span, text.length), RULES.yamlSyntax, message));
  }
  for (const w of doc.warnings) {
    diagnostics.push(
      makeDiagnostic(
        file,
        lines,
        clampSpan([w.pos[0], w.pos[1]], text.length),
        RULES.yamlSyntax,
        yamlErrorMessage(w.code, w.message),
        { severity: 'warning' },
      ),
    );
  }
  if (doc.errors.length > 0) {
    return { file, kind, text, lines, doc, value: undefined, parsed: false, diagnostics };
  }
  return completeMetadataFile(file, kind, text, lines, doc, diagnostics);
}

export const YAML_OPTIONS = { uniqueKeys: true, prettyErrors: false, keepSourceTokens: false } as const;

/** Documents whose parse stopped at MAX_YAML_ERRORS: they have at least that many errors. */
const stoppedParses = new WeakSet<Document.Parsed>();
const MAX_YAML_ERRORS = 1000;
const STOP = Symbol('too many YAML errors');

/** Whether parseYaml stopped reading this document at MAX_YAML_ERRORS errors. */
export function yamlParseStopped(doc: Document.Parsed): boolean {
  return stoppedParses.has(doc);
}

/**
 * parseDocument with YAML_OPTIONS (the library's own Parser and Composer, as parseDocument runs
 * them), with two limits for garbage (a line of 90,000 `{x}` is 280,000 errors, an Error each):
 * no stack traces on those Error objects (3 s for 440 KB with them, 1.2 s without), and the parse
 * stops at MAX_YAML_ERRORS errors, since nobody reads past the first fifty.
 */
export function parseYaml(text: string, maxErrors = MAX_YAML_ERRORS): Document.Parsed {
  return drain(parseYamlSteps(text, maxErrors));
}

/** How many lexemes are read between two pause points of parseYamlSteps (a few milliseconds of work). */
const LEXEMES_PER_STEP = 500;

/**
 * parseYaml as steps: the Parser is fed one lexeme at a time (what its parse() does), with a pause
 * point every LEXEMES_PER_STEP lexemes; the composer runs once the tokens are read. A 40 KB file is
 * tens of milliseconds of parsing: an editor's thread gives the event loop back meanwhile.
 */
export function* parseYamlSteps(text: string, maxErrors = MAX_YAML_ERRORS): Generator<void, Document.Parsed> {
  const read: Token[] = [];
  const parser = new Parser();
  let sinceStep = 0;
  let errorTokens = 0;
  for (const lexeme of new Lexer().lex(text, false)) {
    for (const token of parser.next(lexeme)) {
      read.push(token);
      if (token.type === 'error') errorTokens++;
    }
    // Garbage: the composer stops at maxErrors (see composeTokens), so reading on is wasted.
    if (errorTokens >= maxErrors) return composeTokens(text, read, maxErrors);
    if (++sinceStep === LEXEMES_PER_STEP) {
      sinceStep = 0;
      yield;
    }
  }
  for (const token of parser.end()) read.push(token);
  return composeTokens(text, read, maxErrors);
}

function composeTokens(text: string, read: Token[], maxErrors: number): Document.Parsed {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  const composer = new Composer(YAML_OPTIONS);
  // Errors come both as the parser's error tokens and through the composer's onError: count both.
  const internals = composer as unknown as {
    onError?: (...args: unknown[]) => void;
    errors?: YAMLError[];
    doc?: Document.Parsed | null;
  };
  let errors = 0;
  const counted = (): void => {
    if (++errors >= maxErrors) throw STOP;
  };
  const report = internals.onError;
  if (typeof report === 'function') {
    internals.onError = (source, code, message, warning) => {
      report(source, code, message, warning);
      if (!warning) counted();
    };
  }
  function* tokens(): Generator<Token> {
    for (const token of read) {
      if (token.type === 'error') counted();
      yield token;
    }
  }
  try {
    let doc: Document.Parsed | undefined;
    for (const next of composer.compose(tokens(), true, text.length)) {
      if (!doc) doc = next;
      else {
        // As parseDocument does: one document per metadata file.
        doc.errors.push(
          new YAMLParseError(
            [next.range[0], next.range[1]],
            'MULTIPLE_DOCS',
            'Source contains multiple documents; please use YAML.parseAllDocuments()',
          ),
        );
        break;
      }
    }
    return doc as Document.Parsed;
  } catch (e) {
    if (e !== STOP) throw e;
    const stopped = new Document(null, YAML_OPTIONS) as unknown as Document.Parsed;
    stopped.errors.push(...(internals.errors ?? []), ...(internals.doc?.errors ?? []));
    stopped.errors.sort((a, b) => a.pos[0] - b.pos[0]);
    if (!stopped.errors.length) throw new Error('the YAML parse stopped without errors');
    stoppedParses.add(stopped);
    return stopped;
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** From a document that parsed without errors: the plain value and the schema's diagnostics. */
export function completeMetadataFile(
  file: string,
  kind: MetadataFileKind,
  text: string,
  lines: LineIndex,
  doc: Document.Parsed,
  diagnostics: Diagnostic[],
  /** doc's value when the caller knows it (an incremental re-parse: the previous value with one entry replaced). */
  known?: { value: unknown },
): MetadataFile {
  let value: unknown;
  if (known) value = known.value;
  else
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch (e) {
      // toJS throws for an alias without an anchor, for aliases past maxAliasCount (a "billion
      // laughs" file) and, on a very deep file, for stack overflow: report each, never throw.
      diagnostics.push(toJsProblem(file, lines, doc, e));
      return { file, kind, text, lines, doc, value: undefined, parsed: false, diagnostics };
    }
  if (!known && containsCycle(value)) {
    // `x: &a [*a]` gives a value that contains itself: nothing downstream could walk it.
    const alias = findAlias(doc, false);
    diagnostics.push(
      makeDiagnostic(
        file,
        lines,
        alias.span,
        RULES.yamlSyntax,
        `The alias '*${excerpt(alias.name ?? '')}' is inside the node its anchor names, so the ` +
          `value would contain itself without end. Metadata needs no recursive aliases: write the ` +
          `values out.`,
      ),
    );
    return { file, kind, text, lines, doc, value: undefined, parsed: false, diagnostics };
  }
  if (value === null || value === undefined) {
    diagnostics.push(
      makeDiagnostic(
        file,
        lines,
        [0, 0],
        RULES.schemaMissingKey,
        kind === 'root'
          ? "The file is empty. A lakehouse.yaml starts with 'version: 1' and a 'project' with a name."
          : 'The file is empty. A metadata fragment holds sources and a starSchema.',
      ),
    );
    return { file, kind, text, lines, doc, value: {}, parsed: true, diagnostics };
  }
  const errors = validateAgainstSchema(kind, value);
  diagnostics.push(...schemaDiagnostics(file, text, lines, doc, value, errors));
  return { file, kind, text, lines, doc, value, parsed: true, diagnostics };
}

/** Whether a value from toJS() contains itself (a recursive alias); iterative, so depth cannot overflow. */
function containsCycle(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  const onPath = new Set<object>();
  const stack: { node: object; children: unknown[]; next: number }[] = [];
  const enter = (node: object) => {
    onPath.add(node);
    stack.push({ node, children: Array.isArray(node) ? node : Object.values(node), next: 0 });
  };
  const done = new Set<object>();
  enter(value);
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    if (top.next >= top.children.length) {
      stack.pop();
      onPath.delete(top.node);
      done.add(top.node);
      continue;
    }
    const child = top.children[top.next++];
    if (child === null || typeof child !== 'object' || done.has(child)) continue;
    if (onPath.has(child)) return true;
    enter(child);
  }
  return false;
}

function toJsProblem(file: string, lines: LineIndex, doc: Document.Parsed, e: unknown): Diagnostic {
  if (e instanceof RangeError) {
    return makeDiagnostic(
      file,
      lines,
      [0, 0],
      RULES.yamlSyntax,
      'The file is nested too deeply to read. Metadata is only a few levels deep: flatten it.',
    );
  }
  const unresolved = /unresolved alias/i.test(String((e as Error | undefined)?.message));
  const alias = findAlias(doc, unresolved);
  return unresolved
    ? makeDiagnostic(
        file,
        lines,
        alias.span,
        RULES.yamlSyntax,
        `Unknown alias '*${alias.name ?? ''}': no anchor '&${alias.name ?? ''}' is defined before it.`,
      )
    : makeDiagnostic(
        file,
        lines,
        alias.span,
        RULES.yamlSyntax,
        'The aliases (*name) in this file expand to too much data to read safely. Metadata needs no nested aliases: write the values out.',
      );
}

/** The first alias in the file (or the first whose anchor is not defined before it). */
function findAlias(doc: Document.Parsed, unresolvedOnly: boolean): { span: Span; name?: string } {
  let found: { span: Span; name?: string } = { span: [0, 0] };
  const anchors = new Set<string>();
  try {
    visit(doc, (_key, node) => {
      if (isAlias(node)) {
        if (unresolvedOnly && anchors.has(node.source)) return undefined;
        if (node.range) found = { span: [node.range[0], node.range[1]], name: node.source };
        return visit.BREAK;
      }
      if (isNode(node) && node.anchor) anchors.add(node.anchor);
      return undefined;
    });
  } catch {
    // too deeply nested to walk: the start of the file
  }
  return found;
}

const MAX_SYNTAX_ERRORS = 50;

/** A node's span without the trailing newline and indentation that block collections include. */
function trimSpan(text: string, span: Span): Span {
  let end = span[1];
  while (end > span[0] && /\s/.test(text[end - 1] ?? '')) end--;
  return [span[0], end];
}

/** The key at an offset (up to the colon), so a duplicate key is underlined whole. */
function wordSpan(text: string, start: number): Span {
  const m = /^(?:"[^"\n]*"|'[^'\n]*'|[^:\n]*?)(?=\s*:|\s*$)/m.exec(text.slice(start, start + 500));
  const length = m?.[0].trimEnd().length ?? 0;
  return [start, start + Math.max(1, length)];
}

function clampSpan(span: Span, length: number): Span {
  const start = Math.min(span[0], length);
  return [start, Math.min(Math.max(span[1], start), length)];
}

function yamlErrorMessage(code: string, message: string): string {
  const first = message.split('\n')[0] ?? message;
  if (/maximum call stack/i.test(first)) return TOO_DEEP;
  switch (code) {
    case 'DUPLICATE_KEY':
      return `${first.replace(/\.$/, '')}: this key is defined twice in the same mapping; remove or rename one.`;
    case 'MULTIPLE_DOCS':
      return 'The file holds several YAML documents (---); metadata files hold exactly one.';
    case 'TAB_AS_INDENT':
      return 'Tabs are not allowed as YAML indentation; indent with spaces.';
    default:
      return `YAML syntax error: ${first}`;
  }
}

const CONTAINER_NOUN: Record<string, string> = {
  sources: 'source system',
  tables: 'table',
  columns: 'column',
  dimensions: 'dimension',
  facts: 'fact',
  measures: 'measure',
  references: 'reference',
  environments: 'environment',
  zones: 'zone',
  templates: 'template binding',
};

/** "table 'DimUser'" for a path inside sources[0].tables[3], to say where a problem is. */
export function describePath(value: unknown, path: Path): string {
  let node: unknown = value;
  let description = 'the file';
  for (let i = 0; i < path.length; i++) {
    const segment = path[i] as string | number;
    const parentKey = path[i - 1];
    if (node === null || typeof node !== 'object') break;
    node = (node as Record<string | number, unknown>)[segment];
    if (typeof segment === 'number' && typeof parentKey === 'string' && CONTAINER_NOUN[parentKey]) {
      const name =
        node && typeof node === 'object'
          ? ((node as Record<string, unknown>).name ??
            (node as Record<string, unknown>).column ??
            (node as Record<string, unknown>).template)
          : undefined;
      description =
        typeof name === 'string'
          ? `${CONTAINER_NOUN[parentKey]} '${excerpt(name, 60)}'`
          : `${CONTAINER_NOUN[parentKey]} #${segment + 1}`;
    } else if (typeof segment === 'string' && (parentKey === 'environments' || parentKey === 'zones')) {
      description = `${CONTAINER_NOUN[parentKey]} '${excerpt(segment, 60)}'`;
    } else if (typeof segment === 'string' && ['project', 'lake', 'starSchema', 'paths'].includes(segment)) {
      description = `'${segment}'`;
    }
  }
  return description;
}

function describeValue(node: Node | undefined): string {
  if (!node) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return 'an empty value';
    if (typeof v === 'number') return `the number ${String(v)}`;
    if (typeof v === 'boolean') return `the boolean ${String(v)}`;
    return `the text '${excerpt(v)}'`;
  }
  return 'a value';
}

const TYPE_NOUN: Record<string, string> = {
  object: 'a mapping (key: value lines)',
  array: 'a list',
  string: 'text',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  null: 'empty',
};

function schemaDiagnostics(
  file: string,
  text: string,
  lines: LineIndex,
  doc: Document.Parsed,
  value: unknown,
  errors: ErrorObject[],
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  const typedPaths = new Set<string>();
  const root = doc.contents as Node | null;
  for (const e of errors) {
    // An error inside propertyNames (the name's pattern) is followed by the propertyNames error, which names the key.
    if (e.propertyName !== undefined) continue;
    const path = pointerSegments(e.instancePath);
    // A type error already says the value is wrong; an enum or pattern error on it adds nothing.
    if (e.keyword !== 'type' && typedPaths.has(e.instancePath)) continue;
    if (e.keyword === 'type') typedPaths.add(e.instancePath);
    const objectLevel =
      e.keyword === 'additionalProperties' || e.keyword === 'required' || e.keyword === 'propertyNames';
    const where = describePath(value, objectLevel ? path : path.slice(0, -1));
    const at = locate(root, path);
    const valueSpan = trimSpan(text, nodeSpan(at.node) ?? nodeSpan(at.deepest) ?? [0, 0]);
    const lastKey = path[path.length - 1];
    const keyName = excerpt(
      typeof lastKey === 'string'
        ? lastKey
        : typeof path[path.length - 2] === 'string'
          ? String(path[path.length - 2])
          : 'value',
    );
    let diag: Diagnostic | undefined;
    switch (e.keyword) {
      case 'additionalProperties': {
        const unknownKey = String((e.params as { additionalProperty: string }).additionalProperty);
        const unknown = excerpt(unknownKey);
        const entry = locate(root, [...path, unknownKey]);
        const span = keySpan(entry.pair) ?? valueSpan;
        const allowed = Object.keys(
          (e.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {},
        ).filter(k => k !== '$schema');
        const suggestion = unknownKey.length <= 100 ? didYouMean(unknownKey, allowed) : undefined;
        const fixes: Fix[] = suggestion
          ? [
              {
                title: `Rename '${unknown}' to '${suggestion}'`,
                preferred: true,
                edits: [{ file, range: lines.rangeOf(span), newText: suggestion }],
              },
            ]
          : [];
        const message = suggestion
          ? `Unknown key '${unknown}' in ${where}. Did you mean '${suggestion}'?`
          : `Unknown key '${unknown}' in ${where}. Allowed keys: ${quoteList(allowed, 12)}.`;
        diag = makeDiagnostic(file, lines, span, RULES.schemaUnknownKey, message, { fixes });
        break;
      }
      case 'required': {
        const missing = String((e.params as { missingProperty: string }).missingProperty);
        const span =
          keySpan(at.pair) ??
          (at.node ? ([valueSpan[0], Math.min(valueSpan[1], lineEnd(lines, valueSpan[0]))] as Span) : ([0, 0] as Span));
        diag = makeDiagnostic(
          file,
          lines,
          span,
          RULES.schemaMissingKey,
          `Missing required key '${missing}' in ${where}.`,
        );
        break;
      }
      case 'type': {
        const expected = String((e.params as { type: string }).type)
          .split(',')
          .map(t => TYPE_NOUN[t] ?? t)
          .join(' or ');
        diag = makeDiagnostic(
          file,
          lines,
          valueSpan,
          RULES.schemaType,
          path.length === 0
            ? // The whole file is one value: it is not metadata, so its text is not repeated.
              `The file must be ${expected}, not ` +
                `${at.node && isScalar(at.node) ? 'a single value' : describeValue(at.node)}: it does not ` +
                `look like a metadata file.`
            : `'${keyName}' in ${where} must be ${expected}, not ${describeValue(at.node)}.`,
        );
        break;
      }
      case 'enum': {
        const allowed = ((e.params as { allowedValues: unknown[] }).allowedValues ?? []).map(v => String(v));
        const actualValue = at.node && isScalar(at.node) ? String(at.node.value) : undefined;
        const actual = actualValue !== undefined && actualValue.length <= 100 ? actualValue : undefined;
        // Suggest spellings for words only: for numbers (scdType: 3) the nearest is a guess, not a typo.
        const suggestion =
          actual !== undefined && at.node && isScalar(at.node) && typeof at.node.value === 'string'
            ? didYouMean(actual, allowed)
            : undefined;
        const fixes: Fix[] = suggestion
          ? [
              {
                title: `Change to '${suggestion}'`,
                preferred: true,
                edits: [{ file, range: lines.rangeOf(valueSpan), newText: suggestion }],
              },
            ]
          : [];
        diag = makeDiagnostic(
          file,
          lines,
          valueSpan,
          RULES.schemaInvalidValue,
          `'${keyName}' in ${where} must be one of ${allowed.join(', ')}; got ${describeValue(at.node)}.${suggestion ? ` Did you mean '${suggestion}'?` : ''}`,
          { fixes },
        );
        break;
      }
      case 'propertyNames': {
        const fullName = String((e.params as { propertyName: string }).propertyName);
        const name = excerpt(fullName);
        const entry = locate(root, [...path, fullName]);
        diag = makeDiagnostic(
          file,
          lines,
          keySpan(entry.pair) ?? valueSpan,
          RULES.schemaInvalidValue,
          `'${name}' is not a valid name in ${where}: use letters, digits, '_' and '-', starting with a letter or '_'.`,
        );
        break;
      }
      case 'pattern':
      case 'minLength':
      case 'format': {
        const description = (e.parentSchema as { description?: string } | undefined)?.description;
        const what =
          e.keyword === 'minLength'
            ? 'must not be empty'
            : description
              ? `is not valid: expected ${lowerFirst(description)}`
              : 'is not in the expected format';
        diag = makeDiagnostic(
          file,
          lines,
          valueSpan,
          RULES.schemaInvalidValue,
          `'${keyName}' in ${where} ${what}`.replace(/\.?$/, '.'),
        );
        break;
      }
      default:
        diag = makeDiagnostic(
          file,
          lines,
          valueSpan,
          RULES.schemaInvalidValue,
          `'${keyName}' in ${where}: ${e.message ?? 'invalid value'}.`,
        );
    }
    const key = `${diag.code}|${diag.range.start.line}:${diag.range.start.character}|${diag.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(diag);
    }
  }
  return out;
}

function lowerFirst(s: string): string {
  // "ADLS Gen2 …" stays as it is: an acronym, not a capitalised word.
  return /^[A-Z][A-Z0-9]/.test(s) ? s : s.charAt(0).toLowerCase() + s.slice(1);
}

function lineEnd(lines: LineIndex, offset: number): number {
  const p = lines.positionAt(offset);
  return lines.offsetAt({ line: p.line + 1, character: 0 }) - 1;
}
