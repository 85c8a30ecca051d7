import { findNodeAtLocation, parseTree, printParseErrorCode, type Node as JsonNode, type ParseError } from 'jsonc-parser';
import type { Diagnostic } from '../diagnostics/diagnostic';
import { RULES } from '../diagnostics/rules';
import { makeDiagnostic } from '../metadata/metadataFile';
import { LineIndex, type Span } from '../text/lineIndex';

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

export function parseAdfFile(file: string, kind: AdfKind, text: string): AdfFile {
  const lines = new LineIndex(text);
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: false, disallowComments: true, allowEmptyContent: false });
  const diagnostics: Diagnostic[] = [];
  for (const e of errors.slice(0, 20)) {
    diagnostics.push(makeDiagnostic(file, lines, [e.offset, e.offset + Math.max(e.length, 1)], RULES.adfJsonSyntax,
      `JSON syntax error: ${describeJsonError(printParseErrorCode(e.error))}.`));
  }
  if (errors.length > 0 || !tree) {
    if (!tree && errors.length === 0) diagnostics.push(makeDiagnostic(file, lines, [0, 0], RULES.adfJsonSyntax, 'The file is empty; an ADF artifact is a JSON object.'));
    return { file, kind, text, lines, tree, value: undefined, diagnostics };
  }
  const value: unknown = JSON.parse(text);
  const result: AdfFile = { file, kind, text, lines, tree, value, diagnostics };
  const problem = artifactShapeProblem(kind, value);
  if (problem) {
    diagnostics.push(makeDiagnostic(file, lines, firstLineSpan(text, tree), RULES.adfNotAnArtifact, problem));
  } else {
    result.name = (value as { name: string }).name;
  }
  return result;
}

function artifactShapeProblem(kind: AdfKind, value: unknown): string | undefined {
  const noun = kind === 'linkedService' ? 'linked service' : kind === 'integrationRuntime' ? 'integration runtime' : kind;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return `This is not an ADF ${noun}: an artifact is a JSON object with "name" and "properties", and this file holds ${Array.isArray(value) ? 'an array' : 'a ' + (value === null ? 'null' : typeof value)}. Move it out of the ${ADF_FOLDERS[kind]}/ folder.`;
  }
  const obj = value as Record<string, unknown>;
  if (typeof obj.name !== 'string' || obj.name === '') {
    return `This is not an ADF ${noun}: it has no "name". ADF Studio writes every artifact as {"name": …, "properties": …}; move other JSON out of the ${ADF_FOLDERS[kind]}/ folder.`;
  }
  if (kind !== 'factory' && (obj.properties === null || typeof obj.properties !== 'object' || Array.isArray(obj.properties))) {
    return `ADF ${noun} '${obj.name}' has no "properties" object, so it defines nothing; ADF Studio and deployment refuse it.`;
  }
  return undefined;
}

function describeJsonError(code: string): string {
  switch (code) {
    case 'InvalidSymbol': return 'unexpected character';
    case 'InvalidNumberFormat': return 'invalid number';
    case 'PropertyNameExpected': return 'a property name in double quotes is expected';
    case 'ValueExpected': return 'a value is expected';
    case 'ColonExpected': return "':' is expected";
    case 'CommaExpected': return "',' is expected";
    case 'CloseBraceExpected': return "'}' is expected";
    case 'CloseBracketExpected': return "']' is expected";
    case 'EndOfFileExpected': return 'the file should end here';
    case 'InvalidCommentToken': return 'comments are not allowed in ADF JSON';
    case 'UnexpectedEndOfComment': return 'unterminated comment';
    case 'UnexpectedEndOfString': return 'unterminated string';
    case 'UnexpectedEndOfNumber': return 'unterminated number';
    case 'InvalidUnicode': return 'invalid unicode escape';
    case 'InvalidEscapeCharacter': return 'invalid escape character';
    case 'InvalidCharacter': return 'invalid character (control characters must be escaped)';
    default: return code;
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
