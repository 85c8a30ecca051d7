// countActivities (what the Data Factory view shows per pipeline) counts exactly what walkActivities
// visits, on the sample's pipelines and, where present, the ten public factories' (read in place).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { it } from 'node:test';
import { countActivities, walkActivities } from '../../../src/core/adf/metadataLoops';
import { REAL_WORLD_ADF, SAMPLE_DIR, SHARED_MISSING } from '../helpers/paths';

function pipelineFiles(root: string): string[] {
  const out: string[] = [];
  const visit = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(file);
      else if (entry.name.endsWith('.json') && path.basename(dir) === 'pipeline') out.push(file);
    }
  };
  visit(root);
  return out;
}

function check(files: string[]): number {
  let total = 0;
  for (const file of files) {
    let value: { properties?: { activities?: unknown } };
    try {
      value = JSON.parse(fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '')) as typeof value;
    } catch {
      continue;
    }
    const activities = value?.properties?.activities;
    const walked = [...walkActivities(activities, [])].length;
    assert.equal(countActivities(activities), walked, file);
    total += walked;
  }
  return total;
}

it("counts the sample's activities as walkActivities visits them", () => {
  assert.ok(check(pipelineFiles(path.join(SAMPLE_DIR, 'adf'))) > 10);
});

it("counts the public factories' activities (ForEach, If, Switch, Until nested) as walkActivities visits them", t => {
  if (!fs.existsSync(REAL_WORLD_ADF)) return void t.skip(SHARED_MISSING);
  assert.ok(check(pipelineFiles(REAL_WORLD_ADF)) > 100);
});
