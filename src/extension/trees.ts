/** Every node of a tree, depth first (tests and reveal look nodes up by id). */
export function flattenTree<T>(roots: readonly T[], childrenOf: (node: T) => readonly T[]): T[] {
  const out: T[] = [];
  const visit = (nodes: readonly T[]) => {
    for (const n of nodes) {
      out.push(n);
      visit(childrenOf(n));
    }
  };
  visit(roots);
  return out;
}
