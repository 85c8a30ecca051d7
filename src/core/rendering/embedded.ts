// Jinja templates embedded in notebooks, the way the reference project writes them: a Python list
// `parameters` of dicts and a `Template("""…""")` (or `Template(query_text)` over a string
// variable) rendered with `.render(parameters=parameters)`. Works on Databricks .py source
// notebooks and on .ipynb (JSON) notebooks; offsets are always offsets into the file's text.
import { parseTree, type Node as JsonNode } from 'jsonc-parser';
import { pythonLiteralToJson, readStringLiteral, skipSpace } from './pythonLiteral';

export interface EmbeddedTemplate {
  /** The template's text (the Python string's value). */
  templateText: string;
  /** Offsets of the string's content in the file (for .ipynb, into the JSON text). */
  templateSpan: [number, number];
  /** 0-based line of the content's start in the file: a template error on template line L is on file line line + L (1-based). */
  line: number;
  /** The `parameters` value as JSON text, when it is a plain literal in the same notebook. */
  contextJson?: string;
  /** The variable the Template is assigned to (or the string variable it is built from; 'template' when neither). */
  name: string;
}

/** The render context of an embedded template: its parameters as the `parameters` variable. */
export function embeddedContextJson(template: EmbeddedTemplate): string {
  return template.contextJson === undefined ? '{}' : `{"parameters": ${template.contextJson}}`;
}

export function findEmbeddedTemplates(text: string, file: string): EmbeddedTemplate[] {
  if (/\.ipynb$/i.test(file)) return findInNotebookJson(text);
  return findInPython(text).map(found => ({ ...found, line: lineOf(text, found.templateSpan[0]) }));
}

type Found = Omit<EmbeddedTemplate, 'line'>;

const TEMPLATE_CALL = /\b(?:jinja2\s*\.\s*)?Template\s*\(/g;

function findInPython(text: string): Found[] {
  const found: Found[] = [];
  for (const match of text.matchAll(TEMPLATE_CALL)) {
    const callStart = match.index ?? 0;
    if (isInComment(text, callStart)) continue;
    const argStart = skipSpace(text, callStart + match[0].length);
    let literal = readStringLiteral(text, argStart);
    let stringVariable: string | undefined;
    if (!literal) {
      const ident = /^[A-Za-z_]\w*/.exec(text.slice(argStart, argStart + 200))?.[0];
      if (!ident) continue;
      const afterIdent = skipSpace(text, argStart + ident.length);
      if (text[afterIdent] !== ')' && text[afterIdent] !== ',') continue;
      const assigned = lastAssignment(text, ident, callStart);
      literal = assigned === undefined ? undefined : readStringLiteral(text, assigned);
      if (!literal) continue;
      stringVariable = ident;
    }
    const argEnd = skipSpace(text, stringVariable ? argStart + stringVariable.length : literal.end);
    const chained = text[argEnd] === ')' ? /^\s*\.\s*render\s*\(/.exec(text.slice(argEnd + 1, argEnd + 200)) : null;
    const templateVariable = assignedName(text, callStart);
    const context = parametersJson(
      text,
      chained ? undefined : templateVariable,
      callStart,
      chained ? argEnd + 1 + chained[0].length : undefined,
    );
    found.push({
      templateText: literal.value,
      templateSpan: [literal.contentStart, literal.contentEnd],
      name: templateVariable ?? stringVariable ?? 'template',
      ...(context !== undefined ? { contextJson: context } : {}),
    });
  }
  return found;
}

/** `name = Template(` on the line of the call: the name. */
function assignedName(text: string, callStart: number): string | undefined {
  const lineStart = text.lastIndexOf('\n', callStart - 1) + 1;
  return /^\s*([A-Za-z_]\w*)\s*=\s*$/.exec(text.slice(lineStart, callStart))?.[1];
}

/** Offset of the value of the last top-level `name = …` before `before` (else the first after it). */
function lastAssignment(text: string, name: string, before: number): number | undefined {
  const pattern = new RegExp(`^[ \\t]*${name}[ \\t]*=(?!=)[ \\t]*`, 'gm');
  let best: number | undefined;
  let after: number | undefined;
  for (const m of text.matchAll(pattern)) {
    const valueStart = (m.index ?? 0) + m[0].length;
    if ((m.index ?? 0) < before) best = valueStart;
    else after ??= valueStart;
  }
  return best ?? after;
}

/**
 * The JSON of what `parameters` is bound to: the argument of `.render(parameters=…)` on the
 * template (chained or through its variable), else a `parameters = …` assignment.
 */
function parametersJson(
  text: string,
  templateVariable: string | undefined,
  callStart: number,
  chainedOpen?: number,
): string | undefined {
  const opens: number[] = chainedOpen !== undefined ? [chainedOpen] : [];
  if (templateVariable) {
    for (const m of text.matchAll(new RegExp(`\\b${templateVariable}\\s*\\.\\s*render\\s*\\(`, 'g')))
      opens.push((m.index ?? 0) + m[0].length);
  }
  let argument: { offset: number } | undefined;
  for (const open of opens) {
    const keyword =
      /^\s*parameters\s*=\s*/.exec(text.slice(open, open + 200)) ??
      new RegExp(`^[^)]*?\\bparameters\\s*=\\s*`).exec(text.slice(open, open + 2000));
    if (keyword) {
      argument = { offset: open + keyword[0].length };
      break;
    }
  }
  let valueAt: number | undefined;
  if (argument) {
    const direct = pythonLiteralToJson(text, argument.offset);
    if (direct && /^\s*[,)]/.test(text.slice(skipSpace(text, direct.end), skipSpace(text, direct.end) + 1)))
      return direct.json;
    const ident = /^[A-Za-z_]\w*/.exec(text.slice(argument.offset, argument.offset + 200))?.[0];
    if (ident) valueAt = lastAssignment(text, ident, argument.offset);
  }
  valueAt ??= lastAssignment(text, 'parameters', callStart);
  if (valueAt === undefined) return undefined;
  const literal = pythonLiteralToJson(text, valueAt);
  if (!literal) return undefined;
  // The whole right-hand side must be the literal (not `[...] + more`).
  const rest = text.slice(skipSpace(text, literal.end, false), skipSpace(text, literal.end, false) + 1);
  return rest === '' || rest === '\n' || rest === '\r' || rest === '#' || rest === ';' ? literal.json : undefined;
}

function isInComment(text: string, offset: number): boolean {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^\s*#/.test(text.slice(lineStart, offset));
}

function lineOf(text: string, offset: number): number {
  let line = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** .ipynb: the code cells joined into one Python text, with a map back to file offsets. */
function findInNotebookJson(text: string): EmbeddedTemplate[] {
  let root: JsonNode | undefined;
  try {
    root = parseTree(text);
  } catch {
    return [];
  }
  const cells =
    root?.type === 'object' ? root.children?.find(p => p.children?.[0]?.value === 'cells')?.children?.[1] : undefined;
  if (!cells || cells.type !== 'array') return [];
  let code = '';
  const offsets: number[] = [];
  for (const cell of cells.children ?? []) {
    const prop = (key: string) => cell.children?.find(p => p.children?.[0]?.value === key)?.children?.[1];
    if (prop('cell_type')?.value !== 'code') continue;
    const source = prop('source');
    const pieces = source?.type === 'array' ? (source.children ?? []) : source?.type === 'string' ? [source] : [];
    for (const piece of pieces) {
      if (piece.type !== 'string') continue;
      decodeJsonString(text, piece.offset, piece.offset + piece.length, (ch, at) => {
        code += ch;
        offsets.push(at);
      });
    }
    if (code.length && !code.endsWith('\n')) {
      code += '\n';
      offsets.push(source ? source.offset + source.length : text.length);
    }
  }
  offsets.push(text.length);
  return findInPython(code).map(found => {
    const start = offsets[found.templateSpan[0]] ?? 0;
    const end =
      found.templateSpan[1] > found.templateSpan[0] ? (offsets[found.templateSpan[1] - 1] ?? start) + 1 : start;
    return { ...found, templateSpan: [start, end], line: lineOf(text, start) };
  });
}

/** Calls `emit` for each UTF-16 unit of a JSON string token, with the file offset it comes from. */
function decodeJsonString(text: string, start: number, end: number, emit: (ch: string, at: number) => void): void {
  for (let i = start + 1; i < end - 1;) {
    const ch = text[i]!;
    if (ch !== '\\') {
      emit(ch, i);
      i++;
      continue;
    }
    const next = text[i + 1];
    const simple: Record<string, string> = {
      n: '\n',
      t: '\t',
      r: '\r',
      b: '\b',
      f: '\f',
      '"': '"',
      '\\': '\\',
      '/': '/',
    };
    if (next !== undefined && next in simple) {
      emit(simple[next]!, i);
      i += 2;
    } else if (next === 'u') {
      emit(String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16)), i);
      i += 6;
    } else {
      i += 2;
    }
  }
}
