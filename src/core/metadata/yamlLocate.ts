import { isMap, isPair, isScalar, isSeq, type Node, type Pair } from 'yaml';
import type { Span } from '../text/lineIndex';

export type PathSegment = string | number;
export type Path = readonly PathSegment[];

export interface Located {
  /** The node at the path, when the path exists. */
  node?: Node;
  /** The map entry holding it, when its parent is a map. */
  pair?: Pair;
  /** How far along the path existed (the deepest existing node is at path.slice(0, depth)). */
  depth: number;
  /** The deepest node that exists. */
  deepest: Node | undefined;
  deepestPair?: Pair;
}

function keyText(pair: Pair): string | undefined {
  const k = pair.key;
  if (isScalar(k)) return String(k.value);
  return k === null || k === undefined ? undefined : String(k);
}

/** Finds the YAML node at a JSON-pointer-like path. Unlike doc.getIn it also returns the map entry (for key ranges). */
export function locate(root: Node | null | undefined, path: Path): Located {
  let node: Node | undefined = root ?? undefined;
  let pair: Pair | undefined;
  let depth = 0;
  for (const segment of path) {
    if (!node) break;
    let next: Node | undefined;
    let nextPair: Pair | undefined;
    if (isMap(node)) {
      for (const p of node.items) {
        if (isPair(p) && keyText(p) === String(segment)) {
          nextPair = p;
          next = (p.value as Node | null) ?? undefined;
          break;
        }
      }
      if (!nextPair) break;
    } else if (isSeq(node) && typeof segment === 'number') {
      next = (node.items[segment] as Node | undefined) ?? undefined;
      if (!next) break;
    } else break;
    node = next;
    pair = nextPair;
    depth++;
    if (!node) break;
  }
  const complete = depth === path.length;
  return {
    node: complete ? node : undefined,
    pair: complete ? pair : undefined,
    depth,
    deepest: node,
    deepestPair: pair,
  };
}

export function nodeSpan(node: Node | undefined | null): Span | undefined {
  const r = node?.range;
  return r ? [r[0], r[1]] : undefined;
}

export function keySpan(pair: Pair | undefined): Span | undefined {
  const k = pair?.key as Node | null | undefined;
  return k && typeof k === 'object' && 'range' in k && k.range ? [k.range[0], k.range[1]] : undefined;
}

/** Span of a pair's key through its value (the whole "key: value" entry). */
export function pairSpan(pair: Pair | undefined): Span | undefined {
  const k = keySpan(pair);
  if (!k) return undefined;
  const v = nodeSpan(pair?.value as Node | null);
  return v ? [k[0], Math.max(k[1], v[1])] : k;
}
