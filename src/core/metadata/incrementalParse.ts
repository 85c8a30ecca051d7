import {
  isAlias,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  visit,
  type Document,
  type Node,
  type Pair,
  type Scalar,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import { LineIndex } from '../text/lineIndex';
import { completeMetadataFile, parseYaml, type MetadataFile } from './metadataFile';

/**
 * Re-parses only the list entry (a table, a column, a dimension…) that an edit falls in, instead
 * of the whole file: the `yaml` parser reads about 1.5 MB/s, so a 40 KB fragment costs ~30 ms a
 * keystroke, while its entries are a few hundred bytes.
 *
 * The new entry is parsed on its own, its node positions moved to where it stands, and the
 * nodes after it shifted by the edit's length. Anything this cannot do exactly — an edit across
 * entries, anchors and aliases, tags, block scalars, a file with syntax errors — returns
 * undefined, and the caller parses the whole file. A property test compares the result with a
 * full parse (value, diagnostics and every node's range).
 *
 * The previous MetadataFile's document is updated in place (its nodes' ranges move),
 * so it must not be used after this call: the project session replaces it in the same step.
 */
export function reparseIncrementally(previous: MetadataFile, text: string): MetadataFile | undefined {
  const doc = previous.doc;
  if (!previous.parsed || !doc || doc.errors.length || doc.warnings.length || !doc.contents) return undefined;
  const oldText = previous.text;
  if (oldText === text) return previous;

  // The changed region: what lies between the common prefix and the common suffix.
  const max = Math.min(oldText.length, text.length);
  let prefix = 0;
  while (prefix < max && oldText.charCodeAt(prefix) === text.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (
    suffix < max - prefix &&
    oldText.charCodeAt(oldText.length - 1 - suffix) === text.charCodeAt(text.length - 1 - suffix)
  )
    suffix++;
  const oldEditEnd = oldText.length - suffix;
  const delta = text.length - oldText.length;

  const pair = reparseValueOnItsLine(previous, doc, text, prefix, oldEditEnd, delta);
  if (pair) return pair;
  const entry = innermostEntry(doc.contents as Node, oldText, prefix, oldEditEnd);
  if (!entry) return undefined;
  const { seq, index, dash, end } = entry;
  const old = seq.items[index] as Node;
  // Up to where the full parse ends the entry (its newline, trailing comment lines…), so the entry
  // parsed alone ends where it would in the file.
  const rangeEnd = Math.max(end, old.range?.[2] ?? end);
  const oldEntryText = oldText.slice(dash, rangeEnd);
  const newEntryText = text.slice(dash, rangeEnd + delta);
  if (UNSAFE.test(oldEntryText) || UNSAFE.test(newEntryText)) return undefined;
  // A flow mapping (a column's `- { name: id, type: int }`) only on its one line: over several, its
  // lines' indentation no longer matters, and comments inside it belong to other nodes.
  if ((old as YAMLMap).flow && (MORE_LINES.test(oldEntryText) || MORE_LINES.test(newEntryText))) return undefined;

  // Parse the entry alone, at its column, so its own structure reads exactly as in the file.
  const lineStart = oldText.lastIndexOf('\n', dash - 1) + 1;
  const column = dash - lineStart;
  if (oldText.slice(lineStart, dash).trim() !== '') return undefined; // "key: - item" forms: not a block entry of its own line
  const alone = parseYaml(' '.repeat(column) + newEntryText);
  if (alone.errors.length || alone.warnings.length) return undefined;
  const parsedSeq = alone.contents;
  if (!isSeq(parsedSeq) || parsedSeq.flow || parsedSeq.items.length !== 1) return undefined;
  const replacement = parsedSeq.items[0] as Node | undefined;
  if (!replacement || !isMap(replacement) || !replacement.flow !== !(old as YAMLMap).flow || hasAnchorsOrAliases(alone))
    return undefined;
  // The entry must stay an entry: the same kind of node, beginning where the old one began.
  if (!replacement.range || replacement.range[0] + (dash - column) !== old.range?.[0]) return undefined;

  // Commit: from here on, the previous document becomes the new one.
  shiftSubtree(replacement, dash - column);
  seq.items[index] = replacement;
  shiftRanges(doc, replacement, end, delta);
  // The value: the previous one with the entry replaced (the containers on the way copied), instead of a
  // toJS() of the whole document. The entry has no anchor or alias, so nothing else in the value changes.
  const known = entry.valuePath
    ? { value: withEntry(previous.value, entry.valuePath, index, replacement.toJS(doc, { maxAliasCount: 1000 })) }
    : undefined;
  return completeMetadataFile(previous.file, previous.kind, text, new LineIndex(text), doc, [], known);
}

/** Anchors, aliases, tags, block scalars, merge keys, document markers, tabs: parse the whole file. */
const UNSAFE = /[&*!|>]|<<|^\s*(---|\.\.\.)|\t/m;
/** Text on a line after the first. */
const MORE_LINES = /\n[^]*\S/;

/**
 * The nodes' ranges after the edit: those from `end` on move by `delta` (`skip`, the new subtree,
 * is in place already). A plain walk: yaml's visit() makes a frozen path array per node. With
 * delta 0 (a letter replaced by another) nothing moves.
 */
function shiftRanges(doc: Document.Parsed, skip: Node, end: number, delta: number): void {
  if (delta === 0) return;
  // In place: each node has its own range array (a new one each was 250 KB of garbage a keystroke at 40 KB).
  forEachNode(doc.contents as Node, skip, node => {
    const range = node.range as [number, number, number] | null | undefined;
    if (!range) return;
    if (range[0] >= end) range[0] += delta;
    if (range[1] >= end) range[1] += delta;
    if (range[2] >= end) range[2] += delta;
  });
  if (doc.range) doc.range = [doc.range[0], doc.range[1] + delta, doc.range[2] + delta];
}

/**
 * The finest re-parse: an edit after the ':' of a `key: value` line of a block mapping, whose value
 * stays on that line (a scalar, or a flow list such as `primaryKey: [id]`). Only that line is
 * parsed (tens of bytes, where its table's entry is hundreds), and only the pair's value replaced.
 */
function reparseValueOnItsLine(
  previous: MetadataFile,
  doc: Document.Parsed,
  text: string,
  from: number,
  to: number,
  delta: number,
): MetadataFile | undefined {
  const oldText = previous.text;
  const found = innermostPair(doc.contents as Node, from, to);
  if (!found) return undefined;
  const { pair, valuePath } = found;
  const key = pair.key as Node;
  const oldValue = pair.value as Node;
  const keyStart = key.range![0];
  const lineStart = oldText.lastIndexOf('\n', keyStart - 1) + 1;
  let lineEnd = oldText.indexOf('\n', keyStart);
  if (lineEnd < 0) lineEnd = oldText.length;
  // The edit stays after the key's ':' and before the line's end; the old value is on this line.
  const colon = oldText.indexOf(':', key.range![1]);
  if (colon < 0 || colon >= from || to > lineEnd || oldValue.range![2] > lineEnd + 1) return undefined;
  const newLine = text.slice(keyStart, lineEnd + delta);
  if (newLine.includes('\n') || UNSAFE.test(newLine) || UNSAFE.test(oldText.slice(keyStart, lineEnd))) return undefined;
  const column = keyStart - lineStart;
  const alone = parseYaml(' '.repeat(column) + newLine + (lineEnd < oldText.length ? '\n' : ''));
  if (alone.errors.length || alone.warnings.length || !isMap(alone.contents) || alone.contents.flow) return undefined;
  const items = (alone.contents as YAMLMap).items;
  const newPair = items[0];
  if (items.length !== 1 || !newPair || !isScalar(newPair.key) || !isNode(newPair.value)) return undefined;
  const replacement = newPair.value as Node;
  // The same key where it was, and a value that is there (an empty one would take the next lines'
  // indentation into account), on this line only.
  if (
    newPair.key.value !== (key as Scalar).value ||
    newPair.key.range?.[0] !== column ||
    !replacement.range ||
    replacement.range[1] <= replacement.range[0] ||
    (isMap(replacement) && !replacement.flow) ||
    (isSeq(replacement) && !replacement.flow) ||
    hasAnchorsOrAliases(alone)
  )
    return undefined;

  // Commit: the previous document becomes the new one.
  shiftSubtree(replacement, lineStart);
  pair.value = replacement;
  shiftRanges(doc, replacement, lineEnd, delta);
  const value = withEntry(
    previous.value,
    valuePath,
    (key as Scalar).value as string,
    replacement.toJS(doc, { maxAliasCount: 1000 }),
  );
  return completeMetadataFile(previous.file, previous.kind, text, new LineIndex(text), doc, [], { value });
}

/**
 * The innermost pair of a block mapping whose value holds the edited region, when every key from
 * the root to it is a plain string (the pair's place in the value is then known).
 */
function innermostPair(
  root: Node,
  from: number,
  to: number,
): { pair: Pair; valuePath: (string | number)[] } | undefined {
  let found: { pair: Pair; valuePath: (string | number)[] } | undefined;
  let node: Node | undefined = root;
  const valuePath: (string | number)[] = [];
  while (node) {
    let next: Node | undefined;
    if (isMap(node)) {
      if (node.flow) return found;
      for (const pair of (node as YAMLMap).items) {
        const value = pair.value as Node | null;
        if (value && isNode(value) && value.range && value.range[0] <= from && to <= value.range[1]) {
          if (!isScalar(pair.key) || typeof pair.key.value !== 'string' || !pair.key.range) return undefined;
          found = { pair, valuePath: [...valuePath] };
          valuePath.push(pair.key.value);
          next = value;
          break;
        }
      }
    } else if (isSeq(node) && !node.flow) {
      const items = (node as YAMLSeq).items;
      for (let i = 0; i < items.length; i++) {
        const item = items[i] as Node | null;
        if (item && isNode(item) && item.range && item.range[0] <= from && to <= item.range[1]) {
          valuePath.push(i);
          next = item;
          break;
        }
      }
    }
    node = next;
  }
  return found;
}

interface Entry {
  seq: YAMLSeq;
  index: number;
  /** Offset of the entry's '-'. */
  dash: number;
  /** End of the entry's last line (before its newline). */
  end: number;
  /** Where the list is in the document's value (keys and indexes), when every key on the way is a plain string. */
  valuePath?: (string | number)[];
}

/** value with value[...path][index] = item, the containers on the way copied (value itself is left as it is). */
function withEntry(value: unknown, path: readonly (string | number)[], index: number | string, item: unknown): unknown {
  const copy = (container: unknown): Record<string | number, unknown> =>
    (Array.isArray(container) ? [...container] : { ...(container as object) }) as Record<string | number, unknown>;
  const root = copy(value);
  let at = root;
  for (const key of path) {
    const next = copy(at[key]);
    at[key] = next;
    at = next;
  }
  at[index] = item;
  return root;
}

/** The innermost block-list entry (a mapping, block or flow) that strictly contains the edited region. */
function innermostEntry(root: Node, text: string, from: number, to: number): Entry | undefined {
  let found: Entry | undefined;
  let node: Node | undefined = root;
  let valuePath: (string | number)[] | undefined = [];
  while (node) {
    let next: Node | undefined;
    if (isMap(node)) {
      for (const pair of (node as YAMLMap).items) {
        const value = pair.value as Node | null;
        if (value && isNode(value) && value.range && value.range[0] <= from && to <= value.range[1]) {
          next = value;
          const key = pair.key;
          valuePath =
            valuePath && isScalar(key) && typeof key.value === 'string' ? [...valuePath, key.value] : undefined;
          break;
        }
      }
    } else if (isSeq(node) && !node.flow) {
      const items = (node as YAMLSeq).items;
      for (let i = 0; i < items.length; i++) {
        const item = items[i] as Node | null;
        if (!item || !isNode(item) || !item.range) continue;
        if (item.range[0] > from) break;
        const dash = dashBefore(text, item.range[0]);
        const end = trimEnd(text, item.range[0], item.range[1]);
        if (dash !== undefined && dash < from && to <= end && isMap(item)) {
          found = { seq: node as YAMLSeq, index: i, dash, end, valuePath };
          next = item;
          valuePath = valuePath && [...valuePath, i];
          break;
        }
      }
    } else if (isScalar(node)) break;
    node = next;
  }
  return found;
}

/** The '-' of a block-list entry whose content starts at offset (only spaces between them). */
function dashBefore(text: string, offset: number): number | undefined {
  let i = offset - 1;
  while (i >= 0 && text[i] === ' ') i--;
  return i >= 0 && text[i] === '-' && i < offset - 1 ? i : undefined;
}

function trimEnd(text: string, start: number, end: number): number {
  while (end > start && /\s/.test(text[end - 1] ?? '')) end--;
  return end;
}

/**
 * Calls fn on every node under root (root included; the keys and values of pairs, the items of
 * collections), as visit() reaches them, except `skip` and what is under it.
 */
function forEachNode(root: unknown, skip: Node, fn: (node: Node) => void): void {
  if (root === skip || !isNode(root)) return;
  fn(root);
  if (!isMap(root) && !isSeq(root)) return;
  for (const item of (root as YAMLMap | YAMLSeq).items) {
    if (isPair(item)) {
      forEachNode(item.key, skip, fn);
      forEachNode(item.value, skip, fn);
    } else forEachNode(item, skip, fn);
  }
}

function shiftSubtree(root: Node, by: number): void {
  visit(root, (_key, node) => {
    if (isNode(node) && node.range) node.range = [node.range[0] + by, node.range[1] + by, node.range[2] + by];
  });
}

function hasAnchorsOrAliases(doc: Document): boolean {
  let found = false;
  visit(doc, (_key, node) => {
    if (isAlias(node) || (isNode(node) && (node.anchor || node.tag))) {
      found = true;
      return visit.BREAK;
    }
    return undefined;
  });
  return found;
}
