import * as path from 'path';
import type { ProjectSnapshot } from '../../../src/core/project/projectSession';

/** A root lakehouse.yaml that includes two fragments, A and B: for tests that edit one and compare sessions. */
export const TWO_FRAGMENTS = {
  root: path.resolve('/proj/lakehouse.yaml'),
  a: path.resolve('/proj/metadata/a.lakehouse.yaml'),
  b: path.resolve('/proj/metadata/b.lakehouse.yaml'),
  rootText: `version: 1
project: { name: p }
environments:
  dev: { subscriptionId: s, resourceGroup: r, factory: f-dev, storageAccount: sa1 }
lake:
  zones:
    bronze: { container: bronze }
    silver: { container: silver, path: "{schema}/{table}" }
include:
  - metadata/*.lakehouse.yaml
`,
} as const;

/** A snapshot's diagnostics, one line each (file:line:character code message), to compare two sessions. */
export function diagnosticLines(s: ProjectSnapshot): string[] {
  return [...s.diagnostics.entries()].flatMap(([file, list]) =>
    list.map(d => `${path.basename(file)}:${d.range.start.line}:${d.range.start.character} ${d.code} ${d.message}`),
  );
}
