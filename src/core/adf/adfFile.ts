import {
  findNodeAtLocation,
  parseTree,
  printParseErrorCode,
  type Node as JsonNode,
  type ParseError,
} from 'jsonc-parser';
import { RULES } from '../diagnostics/rules';
import { makeDiagnostic, type Diagnostic } from '../diagnostics/diagnostic';
import { LineIndex, type Span } from '../text/lineIndex';
import { strictJsonTree } from './strictJsonTree';

/** The folders of ADF's git layout, and the artifact type each holds. */
export const ADF_FOLDERS = {
  pipeline: 'pipeline',
  dataset: 'dataset',
  linkedService: 'linkedService',
  trigger: 'trigger',
  dataflow: 'dataflow',
  integrationRuntime: 'integrationRuntime',
  credential: 'credential',
  managedVirtualNetwork: 'managedVirtualNetwork',
  factory: 'factory',
} as const;

export type AdfKind = keyof typeof ADF_FOLDERS;

export interface AdfFile {
  file: string;
  kind: AdfKind;
  text: string;
  lines: LineIndex;
  tree: JsonNode | undefined;
  /** The plain value, when the JSON parsed without errors. */
  value: unknown;
  /** The artifact's name, when the file is an artifact. */
  name?: string;
  diagnostics: Diagnostic[];
}

/** JSON nested deeper than this is refused before parsing: the parser recurses, and no ADF artifact comes close. */
export const MAX_JSON_DEPTH = 512;

export function parseAdfFile(file: string, kind: AdfKind, text: string): AdfFile {
  const deep = offsetPastDepth(text, MAX_JSON_DEPTH);
  if (deep !== undefined) {
    const lines = new LineIndex(text);
    return {
      file,
      kind,
      text,
      lines,
      tree: undefined,
      value: undefined,
      diagnostics: [
        makeDiagnostic(
          file,
          lines,
          [deep, deep + 1],
          RULES.adfJsonSyntax,
          `The JSON is nested more than ${MAX_JSON_DEPTH} levels deep here, too deep to read; no ADF ` +
            `artifact is. Move this file out of the ${ADF_FOLDERS[kind]}/ folder.`,
        ),
      ],
    };
  }
  // Strict JSON (what JSON.parse reads) is what parseTree reads without an error: such a file gets
  // its tree and line index when first asked for (validation, a diagnostic, an editor feature).
  let parsedValue: unknown;
  try {
    parsedValue = JSON.parse(text);
  } catch {
    return parseAdfFileExactly(file, kind, text, new LineIndex(text));
  }
  const result = new LazyAdfFile(file, kind, text, parsedValue);
  const problem = artifactShapeProblem(kind, parsedValue);
  if (problem) {
    result.diagnostics.push(
      makeDiagnostic(file, result.lines, firstLineSpan(text, result.tree!), RULES.adfNotAnArtifact, problem),
    );
  } else {
    result.name = (parsedValue as { name: string }).name;
  }
  return result;
}

const PARSE_OPTIONS = { allowTrailingComma: false, disallowComments: true, allowEmptyContent: false };

/**
 * A file whose text is strict JSON. Its jsonc-parser tree (about ten times the memory of the value;
 * made by strictJsonTree, node for node parseTree's) and its line index are made on first use; releaseTree() lets the tree go once validation has run,
 * to be made again if something asks for it.
 */
class LazyAdfFile implements AdfFile {
  name?: string;
  diagnostics: Diagnostic[] = [];
  private treeValue: JsonNode | undefined | null = null;
  private lineIndex: LineIndex | undefined;

  constructor(
    readonly file: string,
    readonly kind: AdfKind,
    readonly text: string,
    readonly value: unknown,
  ) {}

  get tree(): JsonNode | undefined {
    if (this.treeValue === null) this.treeValue = strictJsonTree(this.text);
    return this.treeValue;
  }

  get lines(): LineIndex {
    return (this.lineIndex ??= new LineIndex(this.text));
  }

  releaseTree(): void {
    this.treeValue = null;
  }
}

/** Lets go of a file's JSON tree, when it is made on demand (see LazyAdfFile); a no-op otherwise. */
export function releaseAdfTree(file: AdfFile): void {
  if (file instanceof LazyAdfFile) file.releaseTree();
}

/** parseAdfFile of a text JSON.parse refuses: the tree's errors are the diagnostics. */
function parseAdfFileExactly(file: string, kind: AdfKind, text: string, lines: LineIndex): AdfFile {
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, PARSE_OPTIONS);
  const diagnostics: Diagnostic[] = [];
  const reported = new Set<string>();
  for (const e of errors.slice(0, 20)) {
    // jsonc-parser repeats an error for each enclosing value (a '}' expected per open object at the end).
    const key = `${e.offset}:${e.error}`;
    if (reported.has(key)) continue;
    reported.add(key);
    diagnostics.push(
      makeDiagnostic(
        file,
        lines,
        [e.offset, e.offset + Math.max(e.length, 1)],
        RULES.adfJsonSyntax,
        `JSON syntax error: ${describeJsonError(printParseErrorCode(e.error))}.`,
      ),
    );
  }
  if (errors.length > 0 || !tree) {
    if (!tree && errors.length === 0)
      diagnostics.push(
        makeDiagnostic(
          file,
          lines,
          [0, 0],
          RULES.adfJsonSyntax,
          'The file is empty; an ADF artifact is a JSON object.',
        ),
      );
    return { file, kind, text, lines, tree, value: undefined, diagnostics };
  }
  // Text JSON.parse refused but parseTree read without an error (none is known): as before, with its value.
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  const result: AdfFile = { file, kind, text, lines, tree, value, diagnostics };
  const problem = value === undefined ? undefined : artifactShapeProblem(kind, value);
  if (problem) {
    diagnostics.push(makeDiagnostic(file, lines, firstLineSpan(text, tree), RULES.adfNotAnArtifact, problem));
  } else if (value !== undefined) {
    result.name = (value as { name: string }).name;
  }
  return result;
}

/** Offset of the first '{' or '[' nested deeper than maxDepth (outside strings), if any. */
/**
 * The offset where JSON text nests deeper than maxDepth, if it does: jsonc-parser recurses per
 * level and would overflow the stack. Strings are skipped as jsonc-parser scans them (a line
 * break ends an unterminated one), so both agree on which brackets count.
 */
export function offsetPastDepth(text: string, maxDepth: number = MAX_JSON_DEPTH): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34 || c === 10 || c === 13) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > maxDepth) return i;
    } else if (c === 125 || c === 93) depth--;
  }
  return undefined;
}

function artifactShapeProblem(kind: AdfKind, value: unknown): string | undefined {
  const noun =
    kind === 'linkedService' ? 'linked service' : kind === 'integrationRuntime' ? 'integration runtime' : kind;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const holds = Array.isArray(value) ? 'an array' : `a ${value === null ? 'null' : typeof value}`;
    return (
      `This is not an ADF ${noun}: an artifact is a JSON object with "name" and "properties", ` +
      `and this file holds ${holds}. Move it out of the ${ADF_FOLDERS[kind]}/ folder.`
    );
  }
  const obj = value as Record<string, unknown>;
  if (typeof obj.name !== 'string' || obj.name === '') {
    return (
      `This is not an ADF ${noun}: it has no "name". ADF Studio writes every artifact as ` +
      `{"name": …, "properties": …}; move other JSON out of the ${ADF_FOLDERS[kind]}/ folder.`
    );
  }
  // A factory file, and the managed virtual network ADF Studio commits as default.json, may have no properties.
  if (
    kind !== 'factory' &&
    kind !== 'managedVirtualNetwork' &&
    (obj.properties === null || typeof obj.properties !== 'object' || Array.isArray(obj.properties))
  ) {
    return `ADF ${noun} '${obj.name}' has no "properties" object, so it defines nothing; ADF Studio and deployment refuse it.`;
  }
  return undefined;
}

function describeJsonError(code: string): string {
  switch (code) {
    case 'InvalidSymbol':
      return 'unexpected character';
    case 'InvalidNumberFormat':
      return 'invalid number';
    case 'PropertyNameExpected':
      return 'a property name in double quotes is expected';
    case 'ValueExpected':
      return 'a value is expected';
    case 'ColonExpected':
      return "':' is expected";
    case 'CommaExpected':
      return "',' is expected";
    case 'CloseBraceExpected':
      return "'}' is expected";
    case 'CloseBracketExpected':
      return "']' is expected";
    case 'EndOfFileExpected':
      return 'the file should end here';
    case 'InvalidCommentToken':
      return 'comments are not allowed in ADF JSON';
    case 'UnexpectedEndOfComment':
      return 'unterminated comment';
    case 'UnexpectedEndOfString':
      return 'unterminated string';
    case 'UnexpectedEndOfNumber':
      return 'unterminated number';
    case 'InvalidUnicode':
      return 'invalid unicode escape';
    case 'InvalidEscapeCharacter':
      return 'invalid escape character';
    case 'InvalidCharacter':
      return 'invalid character (control characters must be escaped)';
    default:
      return code;
  }
}

function firstLineSpan(text: string, tree: JsonNode): Span {
  const nl = text.indexOf('\n', tree.offset);
  return [tree.offset, nl === -1 ? Math.min(text.length, tree.offset + 1) : nl];
}

/** Span of the JSON value at path, or of its property key. */
export function jsonSpan(file: AdfFile, path: (string | number)[], part: 'key' | 'value' = 'value'): Span | undefined {
  if (!file.tree) return undefined;
  const node = findNodeAtLocation(file.tree, path);
  if (!node) return undefined;
  if (part === 'key' && node.parent?.type === 'property' && node.parent.children?.[0]) {
    const k = node.parent.children[0];
    return [k.offset, k.offset + k.length];
  }
  return [node.offset, node.offset + node.length];
}
