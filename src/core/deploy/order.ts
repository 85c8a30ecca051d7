// The order of application by references, as azure.datafactory.tools orders it: an artifact goes
// after everything it refers to, whatever their types. Among artifacts free to go, the kind's rank
// and then the name decide, so the order is the same on every run.

export interface OrderNode {
  key: string;
  /** Compared as text to break ties (kind rank, then name). */
  rank: string;
  /** Keys of the nodes it refers to (others are ignored: they exist already or are reported elsewhere). */
  refersTo: Iterable<string>;
}

export interface ReferenceOrder {
  /** Every node's key, referred-to first; nodes on a cycle come last. */
  order: string[];
  /** Each group of nodes that refer to each other in a circle (a node referring to itself is not one). */
  cycles: string[][];
}

export function referenceOrder(nodes: readonly OrderNode[]): ReferenceOrder {
  const byKey = new Map(nodes.map(n => [n.key, n]));
  const dependants = new Map<string, string[]>();
  const waiting = new Map<string, number>();
  for (const node of nodes) {
    const refs = new Set([...node.refersTo].filter(k => k !== node.key && byKey.has(k)));
    waiting.set(node.key, refs.size);
    for (const ref of refs) {
      const list = dependants.get(ref);
      if (list) list.push(node.key);
      else dependants.set(ref, [node.key]);
    }
  }
  const rankOf = (key: string) => byKey.get(key)!.rank;
  const ready = new MinHeap<string>((a, b) => (rankOf(a) < rankOf(b) ? -1 : rankOf(a) > rankOf(b) ? 1 : 0));
  for (const [key, count] of waiting) if (count === 0) ready.push(key);
  const order: string[] = [];
  while (ready.size > 0) {
    const key = ready.pop()!;
    order.push(key);
    for (const dependant of dependants.get(key) ?? []) {
      const left = waiting.get(dependant)! - 1;
      waiting.set(dependant, left);
      if (left === 0) ready.push(dependant);
    }
  }
  if (order.length === nodes.length) return { order, cycles: [] };
  const placed = new Set(order);
  const rest = nodes.filter(n => !placed.has(n.key));
  const cycles = stronglyConnected(rest, byKey).filter(group => group.length > 1);
  order.push(...rest.map(n => n.key).sort((a, b) => (rankOf(a) < rankOf(b) ? -1 : 1)));
  return { order, cycles: cycles.map(c => c.sort((a, b) => (rankOf(a) < rankOf(b) ? -1 : 1))) };
}

/** Tarjan's strongly connected components of the given nodes (iterative: a long chain must not overflow the stack). */
function stronglyConnected(nodes: readonly OrderNode[], byKey: Map<string, OrderNode>): string[][] {
  const inSet = new Set(nodes.map(n => n.key));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const groups: string[][] = [];
  let next = 0;
  const edges = (key: string) => [...new Set(byKey.get(key)!.refersTo)].filter(k => k !== key && inSet.has(k));
  for (const start of nodes) {
    if (index.has(start.key)) continue;
    const work: { key: string; edges: string[]; i: number }[] = [];
    const open = (key: string) => {
      index.set(key, next);
      low.set(key, next);
      next++;
      stack.push(key);
      onStack.add(key);
      work.push({ key, edges: edges(key), i: 0 });
    };
    open(start.key);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      if (frame.i < frame.edges.length) {
        const to = frame.edges[frame.i++]!;
        if (!index.has(to)) open(to);
        else if (onStack.has(to)) low.set(frame.key, Math.min(low.get(frame.key)!, index.get(to)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.key, Math.min(low.get(parent.key)!, low.get(frame.key)!));
      if (low.get(frame.key) === index.get(frame.key)) {
        const group: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          group.push(member);
        } while (member !== frame.key);
        groups.push(group);
      }
    }
  }
  return groups;
}

class MinHeap<T> {
  private items: T[] = [];
  constructor(private readonly compare: (a: T, b: T) => number) {}

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.compare(items[i]!, items[parent]!) >= 0) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  pop(): T | undefined {
    const items = this.items;
    if (items.length === 0) return undefined;
    const top = items[0];
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let smallest = i;
        if (l < items.length && this.compare(items[l]!, items[smallest]!) < 0) smallest = l;
        if (r < items.length && this.compare(items[r]!, items[smallest]!) < 0) smallest = r;
        if (smallest === i) break;
        [items[i], items[smallest]] = [items[smallest]!, items[i]!];
        i = smallest;
      }
    }
    return top;
  }
}
