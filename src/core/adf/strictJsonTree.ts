import type { Node as JsonNode } from 'jsonc-parser';

/**
 * jsonc-parser's parseTree() of a text that JSON.parse reads (strict JSON: no comments, no
 * trailing commas, only space, tab, CR and LF between tokens), node for node: the same types,
 * offsets, lengths, values, colonOffsets, parents and children. About four times faster, as it
 * needs no scanner for what strict JSON cannot hold (a 150 KB pipeline: ~40 ms down to ~10).
 * Its input must be strict JSON (the caller has JSON.parse'd it): it does not report errors.
 */
export function strictJsonTree(text: string): JsonNode | undefined {
  const root = strictValue(text);
  return root as JsonNode | undefined;
}

/** jsonc-parser's Node, as it is while being built. */
interface Building {
  type: JsonNode['type'];
  value?: unknown;
  offset: number;
  length: number;
  colonOffset?: number;
  parent?: Building;
  children?: Building[];
}

function strictValue(text: string): Building | undefined {
  let i = 0;
  const skip = (): void => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else return;
    }
  };
  /** The string token at i (i is at its quote): its value; i moves past it. */
  const string = (): string => {
    const start = i;
    let escaped = false;
    i++;
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 0x22 /* " */) break;
      if (c === 0x5c /* \ */) {
        escaped = true;
        i += 2;
      } else i++;
    }
    i++;
    return escaped ? (JSON.parse(text.slice(start, i)) as string) : text.slice(start + 1, i - 1);
  };
  const value = (parent: Building | undefined): Building => {
    const offset = i;
    const c = text.charCodeAt(i);
    if (c === 0x7b /* { */) {
      const node: Building = { type: 'object', offset, length: -1, parent, children: [] };
      i++;
      skip();
      if (text.charCodeAt(i) !== 0x7d /* } */) {
        for (;;) {
          const keyOffset = i;
          const property: Building = { type: 'property', offset: keyOffset, length: -1, parent: node, children: [] };
          node.children!.push(property);
          const name = string();
          property.children!.push({
            type: 'string',
            value: name,
            offset: keyOffset,
            length: i - keyOffset,
            parent: property,
          });
          skip();
          property.colonOffset = i; // ':'
          i++;
          skip();
          const v = value(property);
          property.children!.push(v);
          property.length = v.offset + v.length - keyOffset;
          skip();
          if (text.charCodeAt(i) === 0x2c /* , */) {
            i++;
            skip();
          } else break;
        }
      }
      i++; // '}'
      node.length = i - offset;
      return node;
    }
    if (c === 0x5b /* [ */) {
      const node: Building = { type: 'array', offset, length: -1, parent, children: [] };
      i++;
      skip();
      if (text.charCodeAt(i) !== 0x5d /* ] */) {
        for (;;) {
          node.children!.push(value(node));
          skip();
          if (text.charCodeAt(i) === 0x2c /* , */) {
            i++;
            skip();
          } else break;
        }
      }
      i++; // ']'
      node.length = i - offset;
      return node;
    }
    if (c === 0x22 /* " */) {
      const v = string();
      return { type: 'string', offset, length: i - offset, parent, value: v };
    }
    if (c === 0x74 /* t */) {
      i += 4;
      return { type: 'boolean', offset, length: 4, parent, value: true };
    }
    if (c === 0x66 /* f */) {
      i += 5;
      return { type: 'boolean', offset, length: 5, parent, value: false };
    }
    if (c === 0x6e /* n */) {
      i += 4;
      return { type: 'null', offset, length: 4, parent, value: null };
    }
    // A number: - digits . e E +
    while (i < text.length) {
      const d = text.charCodeAt(i);
      if ((d >= 0x30 && d <= 0x39) || d === 0x2d || d === 0x2b || d === 0x2e || d === 0x65 || d === 0x45) i++;
      else break;
    }
    return { type: 'number', offset, length: i - offset, parent, value: Number(text.slice(offset, i)) };
  };
  skip();
  if (i >= text.length) return undefined;
  const root = value(undefined);
  delete root.parent;
  return root;
}
