// A warm session re-checks only what an edit touched (per-table and per-source-system caches,
// the lake folders' counts): its diagnostics must be those of a fresh session on the same texts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'path';
import { ProjectSession } from '../../src/core/project/projectSession';
import { MemoryHost } from './helpers/memoryHost';

const ROOT = path.resolve('/proj/lakehouse.yaml');
const A = path.resolve('/proj/metadata/a.lakehouse.yaml');
const B = path.resolve('/proj/metadata/b.lakehouse.yaml');

const root = `version: 1
project: { name: p }
environments:
  dev: { subscriptionId: s, resourceGroup: r, factory: f-dev, storageAccount: sa1 }
lake:
  zones:
    bronze: { container: bronze }
    silver: { container: silver, path: "{schema}/{table}" }
include:
  - metadata/*.lakehouse.yaml
`;
const source = (system: string, tables: string[]): string =>
  `sources:\n  - name: ${system}\n    tables:\n` +
  tables
    .map(
      t =>
        `      - name: ${t}\n        primaryKey: [id]\n        cdcColumn: updated_at\n        columns:\n` +
        `          - { name: id, type: int, nullable: false }\n          - { name: updated_at, type: datetime2, nullable: false }\n`,
    )
    .join('');

function diagnostics(s: Awaited<ReturnType<ProjectSession['load']>>): string[] {
  return [...s.diagnostics.entries()].flatMap(([file, list]) =>
    list.map(d => `${path.basename(file)}:${d.range.start.line}:${d.range.start.character} ${d.code} ${d.message}`),
  );
}

describe('re-validation after edits equals a fresh load', () => {
  it('lake folders: a collision that an edit makes, moves and removes', async () => {
    const host = new MemoryHost({
      [ROOT]: root,
      [A]: source('erp', ['Orders', 'Lines']),
      [B]: source('crm', ['Accounts', 'Contacts']),
    });
    const warm = new ProjectSession(ROOT, host);
    await warm.load();
    const edits: [string, string][] = [
      [B, source('crm', ['Accounts', 'orders'])], // same bronze folder as erp's Orders (case-insensitive)
      [A, source('erp', ['Invoices', 'Lines'])], // the collision goes away from the other side
      [A, source('erp', ['Orders', 'Lines', 'ORDERS'])], // back, and a third writer in the file itself
      [B, source('crm', ['Accounts', 'Contacts'])],
      [A, source('erp', ['Orders', 'Lines_cdc'])], // a table's folder = another's watermark folder
      [A, source('erp', ['Orders', 'Lines'])],
    ];
    const texts = new Map<string, string>();
    let sawCollision = false;
    for (const [file, text] of edits) {
      texts.set(file, text);
      warm.setOverlay(file, text);
      const incremental = diagnostics(await warm.load());
      const fresh = new ProjectSession(ROOT, host);
      for (const [f, t] of texts) fresh.setOverlay(f, t);
      assert.deepEqual(incremental, diagnostics(await fresh.load()), `after editing ${path.basename(file)}`);
      sawCollision ||= incremental.some(d => d.includes('writes its'));
    }
    assert.ok(sawCollision, 'the edits made a lake folder collision');
  });
});
