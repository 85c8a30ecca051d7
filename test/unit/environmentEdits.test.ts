// environmentValueEdits: an environment's subscription and tenant written into lakehouse.yaml where it
// declares them — replaced in place, added when missing — and the project reads them back.
import * as assert from 'node:assert/strict';
import { it } from 'node:test';
import { environmentValueEdits } from '../../src/core/metadata/environmentEdits';
import type { TextEdit } from '../../src/core/diagnostics/diagnostic';
import { LineIndex } from '../../src/core/text/lineIndex';
import { loadProject } from './helpers/project';

const YAML = `version: 1
project: { name: p }
environments:
  dev:
    # the team's sandbox
    subscriptionId: 00000000-0000-0000-0000-000000000000
    resourceGroup: rg-dev
    factory: adf-dev
  prod: { factory: adf-prod }
sources: []
`;

function apply(text: string, edits: TextEdit[]): string {
  const lines = new LineIndex(text);
  const spans = edits
    .map(e => [lines.offsetAt(e.range.start), lines.offsetAt(e.range.end), e.newText] as const)
    .sort((a, b) => b[0] - a[0]);
  let out = text;
  for (const [start, end, newText] of spans) out = out.slice(0, start) + newText + out.slice(end);
  return out;
}

it("replaces an environment's subscription in place and adds its tenant, keeping comments; the project reads both back", async () => {
  const { snapshot } = await loadProject({ 'lakehouse.yaml': YAML });
  const dev = snapshot.metadata.environments.find(e => e.name === 'dev')!;
  const edits = environmentValueEdits(snapshot.locator, dev, {
    subscriptionId: '11111111-2222-3333-4444-555555555555',
    tenantId: '66666666-7777-8888-9999-000000000000',
  });
  assert.ok(edits && edits.length === 2);
  const text = apply(YAML, edits);
  assert.match(text, /# the team.s sandbox\n {4}subscriptionId: "11111111-2222-3333-4444-555555555555"\n/);
  const reread = (await loadProject({ 'lakehouse.yaml': text })).snapshot.metadata.environments.find(
    e => e.name === 'dev',
  )!;
  assert.equal(reread.subscriptionId, '11111111-2222-3333-4444-555555555555');
  assert.equal(reread.tenantId, '66666666-7777-8888-9999-000000000000');
  assert.equal(reread.factory, 'adf-dev');
  assert.deepEqual(environmentValueEdits(snapshot.locator, dev, { factory: 'adf-dev' }), [], 'nothing to change');
});
