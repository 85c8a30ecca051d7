// ADF Studio's JSON formatting, and the formatting of a file already on disk (which a round trip keeps).

export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export type JsonPath = (string | number)[];

/**
 * ADF Studio writes tab indentation, `"key": value`, `[]` and `{}` for empty containers, LF line
 * breaks and no newline at the end of the file; key order is the insertion order of the object.
 */
export function formatAdfJson(value: JsonValue): string {
  return JSON.stringify(value, null, '\t');
}

export interface TextFormatting {
  insertSpaces: boolean;
  tabSize: number;
  eol: '\n' | '\r\n';
}

/** The indentation and line ending a file uses (tabs and LF when it does not show). */
export function detectFormatting(text: string): TextFormatting {
  const eol = /\r\n/.test(text) ? '\r\n' : '\n';
  const indented = /\n([ \t]+)\S/.exec(text);
  const indent = indented?.[1] ?? '\t';
  if (indent.startsWith('\t')) return { insertSpaces: false, tabSize: 4, eol };
  return { insertSpaces: true, tabSize: indent.length, eol };
}

/** Deep equality of JSON values (key order ignored, as ADF ignores it). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((v, i) => jsonEqual(v, other[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = Object.keys(ao);
  return (
    keys.length === Object.keys(bo).length &&
    keys.every(k => Object.prototype.hasOwnProperty.call(bo, k) && jsonEqual(ao[k], bo[k]))
  );
}

/**
 * Whether two JSON values format to the same text (formatAdfJson): equal values with their keys
 * in the same order. Comparing texts formats both, which is most of what an editor's re-plan
 * allocated. A value JSON cannot write exactly (undefined, NaN) may be called different when its
 * text is not: callers then only redo work.
 */
export function sameJsonText(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJsonText(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  // for...in, not Object.keys: no array per object (a pipeline at 10,000 tables has 10,000 items).
  // A key's place is found by counting, so a long object (keys from metadata) takes the arrays.
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  let count = 0;
  for (const key in ao) {
    if (count === SCANNED_KEYS) return sameEntries(ao, bo);
    if (!Object.hasOwn(bo, key) || keyAt(bo, count) !== key || !sameJsonText(ao[key], bo[key])) return false;
    count++;
  }
  return keyAt(bo, count) === undefined;
}

/** Objects with up to this many keys are compared without arrays of their keys. */
const SCANNED_KEYS = 16;

function sameEntries(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = Object.keys(a);
  const otherKeys = Object.keys(b);
  if (keys.length !== otherKeys.length) return false;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (key !== otherKeys[i] || !sameJsonText(a[key], b[key])) return false;
  }
  return true;
}

/** The n-th own enumerable key, in the order JSON.stringify writes them. */
function keyAt(o: Record<string, unknown>, n: number): string | undefined {
  let i = 0;
  for (const key in o) if (i++ === n) return key;
  return undefined;
}

/** The same JSON paths, in the same order. */
export function samePaths(a: readonly JsonPath[], b: readonly JsonPath[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.length !== y.length) return false;
    for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) return false;
  }
  return true;
}

/** A canonical text of a JSON value (keys sorted), for fingerprints. */
export function canonicalJson(value: unknown): string {
  // One list of parts joined once: a generated pipeline's owned values are megabytes at 10,000
  // tables, and joining at every level copied them once per level.
  const parts: string[] = [];
  writeCanonical(value, parts);
  return parts.join('');
}

function writeCanonical(value: unknown, parts: string[]): void {
  if (value === null || typeof value !== 'object') {
    parts.push(JSON.stringify(value) ?? 'null');
    return;
  }
  if (Array.isArray(value)) {
    parts.push('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) parts.push(',');
      writeCanonical(value[i], parts);
    }
    parts.push(']');
    return;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  parts.push('{');
  for (let i = 0; i < keys.length; i++) {
    if (i > 0) parts.push(',');
    parts.push(JSON.stringify(keys[i]), ':');
    writeCanonical(obj[keys[i]!], parts);
  }
  parts.push('}');
}

export function valueAt(root: unknown, path: JsonPath): { found: boolean; value?: unknown } {
  let node: unknown = root;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return { found: false };
    if (Array.isArray(node)) {
      if (typeof segment !== 'number' || segment >= node.length) return { found: false };
      node = node[segment];
    } else {
      if (typeof segment !== 'string' || !Object.prototype.hasOwnProperty.call(node, segment)) return { found: false };
      node = (node as Record<string, unknown>)[segment];
    }
  }
  return { found: true, value: node };
}

/** `properties.parameters.loop_input.defaultValue` style, for messages. */
export function pathText(path: JsonPath): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}
