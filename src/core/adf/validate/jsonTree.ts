import type { Node as JsonNode } from 'jsonc-parser';
import type { Span } from '../../text/lineIndex';

/** Small readers over jsonc-parser's tree: the validator needs offsets, so it walks nodes, not values. */

export function prop(node: JsonNode | undefined, key: string): JsonNode | undefined {
  if (node?.type !== 'object') return undefined;
  for (const p of node.children ?? []) {
    if (p.children?.[0]?.value === key) return p.children[1];
  }
  return undefined;
}

/** The property's value, matching the key case-insensitively (ADF itself reads most keys that way). */
export function propInsensitive(node: JsonNode | undefined, key: string): JsonNode | undefined {
  const exact = prop(node, key);
  if (exact || node?.type !== 'object') return exact;
  const lower = key.toLowerCase();
  for (const p of node.children ?? []) {
    const k = p.children?.[0]?.value;
    if (typeof k === 'string' && k.toLowerCase() === lower) return p.children![1];
  }
  return undefined;
}

export function* entries(node: JsonNode | undefined): Iterable<[key: string, keyNode: JsonNode, value: JsonNode]> {
  if (node?.type !== 'object') return;
  for (const p of node.children ?? []) {
    const [k, v] = p.children ?? [];
    if (k && v && typeof k.value === 'string') yield [k.value, k, v];
  }
}

export function items(node: JsonNode | undefined): JsonNode[] {
  return node?.type === 'array' ? (node.children ?? []) : [];
}

export function str(node: JsonNode | undefined): string | undefined {
  return node?.type === 'string' ? (node.value as string) : undefined;
}

export function span(node: JsonNode): Span {
  return [node.offset, node.offset + node.length];
}

/** The key of the property whose value is `node` (for "underline the property name"). */
export function keySpan(node: JsonNode): Span {
  const key = node.parent?.type === 'property' ? node.parent.children?.[0] : undefined;
  return key ? span(key) : span(node);
}

export function describeType(node: JsonNode): string {
  switch (node.type) {
    case 'object':
      return 'an object';
    case 'array':
      return 'a list';
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    default:
      return 'null';
  }
}

/**
 * Maps offsets in a JSON string's decoded value to offsets in the file. Expression problems are
 * found in the decoded text; escapes (\n, \", \u00e9) make the two differ.
 */
export function stringOffsetMapper(text: string, node: JsonNode): (decoded: number) => number {
  const start = node.offset + 1;
  const raw = text.slice(start, node.offset + node.length - 1);
  if (raw.indexOf('\\') === -1) return d => start + d;
  const rawAt: number[] = [];
  for (let i = 0; i < raw.length;) {
    rawAt.push(i);
    if (raw.charCodeAt(i) !== 92) {
      i++;
      continue;
    }
    i += raw[i + 1] === 'u' ? 6 : 2;
  }
  rawAt.push(raw.length);
  return d => start + (rawAt[Math.min(Math.max(d, 0), rawAt.length - 1)] as number);
}
