// Planning on an editor's thread (ADF generation, template renders): in steps that give the event
// loop back, with exactly the result of planning at once.
import * as assert from 'assert';
import * as path from 'path';
import { test } from 'node:test';
import { generateAdfArtifacts, generateAdfArtifactsSliced } from '../../src/core/adf/generate/artifacts';
import { planProjectAdf } from '../../src/core/project/adfGeneration';
import { readFileIfExists } from '../../src/core/files/generatedFiles';
import { timeSlicer, yieldToEventLoop } from '../../src/core/text/timeSlices';
import { planRenders, planRendersSliced } from '../../src/core/rendering/plan';
import { findBuiltinTemplatesDir } from '../../src/core/rendering/builtinTemplates';
import { loadProject } from './helpers/project';
import { MULTI_SOURCE_PROJECT, wideProject } from './adf/generateFixtures';

for (const [name, files] of [
  ['three source systems', MULTI_SOURCE_PROJECT],
  ['80 systems and a table too big for one pipeline', wideProject({ bigTables: 300, smallSystems: 80 })],
] as const) {
  test(`sliced generation equals generating at once, and pauses between systems: ${name}`, async () => {
    const { snapshot } = await loadProject(files);
    const atOnce = generateAdfArtifacts(snapshot.metadata);
    let pauses = 0;
    const sliced = await generateAdfArtifactsSliced(snapshot.metadata, {}, () => {
      pauses++;
    });
    assert.deepStrictEqual(
      sliced.artifacts.map(a => [a.relativePath, a.text]),
      atOnce.artifacts.map(a => [a.relativePath, a.text]),
    );
    assert.deepStrictEqual(sliced.notes, atOnce.notes);
    const systems = snapshot.metadata.sources.filter(s => s.tables.length > 0).length;
    assert.ok(pauses >= systems, `${pauses} pauses for ${systems} systems`);
  });
}

test('a plan with a time slicer is the plan without one', async () => {
  const { snapshot } = await loadProject(wideProject({ bigTables: 300, smallSystems: 80 }));
  const read = (file: string) => readFileIfExists(file);
  const plain = await planProjectAdf(snapshot, read);
  const sliced = await planProjectAdf(snapshot, read, { pause: timeSlicer(1) });
  assert.ok(plain.ok && sliced.ok);
  assert.deepStrictEqual(
    sliced.plan.files.map(f => [path.basename(f.file), f.status, f.newText]),
    plain.plan.files.map(f => [path.basename(f.file), f.status, f.newText]),
  );
  assert.deepStrictEqual(sliced.plan.fingerprints, plain.plan.fingerprints);
});

test('sliced render planning equals planning at once, and pauses', async () => {
  const { snapshot } = await loadProject(wideProject({ bigTables: 300, smallSystems: 80 }));
  const builtinTemplatesDir = findBuiltinTemplatesDir()!;
  const atOnce = planRenders(snapshot, { builtinTemplatesDir });
  let pauses = 0;
  const sliced = await planRendersSliced(snapshot, { builtinTemplatesDir }, () => {
    pauses++;
  });
  assert.ok(atOnce.length > 300, `${atOnce.length} jobs`);
  assert.deepStrictEqual(sliced, atOnce);
  assert.ok(pauses >= Math.floor(atOnce.length / 100), `${pauses} pauses for ${atOnce.length} jobs`);
});

test('sliced tasks running together resume one per turn of the event loop, so timers and I/O run between any two slices', async () => {
  // A ticker that runs once per turn (its setImmediate re-queues itself) numbers the turns.
  let turn = 0;
  let ticking = true;
  const tick = () => {
    turn++;
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  const resumedAt: number[] = [];
  const task = async (slices: number) => {
    for (let i = 0; i < slices; i++) {
      await yieldToEventLoop();
      resumedAt.push(turn);
    }
  };
  await Promise.all([task(5), task(5), task(5), task(3)]);
  ticking = false;
  assert.equal(resumedAt.length, 18);
  assert.deepStrictEqual(
    resumedAt.filter((t, i) => resumedAt.indexOf(t) !== i),
    [],
    `no two slices in one turn: ${resumedAt.join(' ')}`,
  );
});
