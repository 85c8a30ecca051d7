// A backfill's plan: the range cut into calendar windows (to exclusive, UTC), the generated
// pipelines' own window parameters (so each run copies its window), chosen tables passed as the
// watermark loop restricted to them, and the journal replayed (resume) with a torn last line.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NodeFileHost } from '../../../src/core/files/nodeFileHost';
import { loadProjectAt } from '../../../src/core/project/loadProject';
import { generateAdfArtifacts } from '../../../src/core/adf/generate';
import {
  BackfillInputError,
  parseBackfillDate,
  parseConcurrency,
  parseGranularity,
  windowBoundText,
  windowsOf,
} from '../../../src/core/backfill/partitions';
import { planBackfillTargets, type PipelineJson } from '../../../src/core/backfill/targets';
import { newBackfillId, planBackfill, runParametersOf } from '../../../src/core/backfill/plan';
import { JournalError, JournalWriter, replayJournal, type JournalEntry } from '../../../src/core/backfill/journal';
import { summarize, formatSummary } from '../../../src/core/backfill/summary';
import { SAMPLE_DIR } from '../helpers/paths';
import { loadProject } from '../helpers/project';
import { generateSample, MULTI_SOURCE_PROJECT } from '../adf/generateFixtures';
import { MemoryJournalFile } from './memoryJournal';

const day = (s: string) => parseBackfillDate(s, 'test');
const texts = (from: string, to: string, g: 'day' | 'week' | 'month') =>
  windowsOf(day(from), day(to), g).map(
    w => `${windowBoundText(w.start).slice(0, 10)}..${windowBoundText(w.end).slice(0, 10)}`,
  );

async function samplePipelines(): Promise<PipelineJson[]> {
  const { metadata } = await loadProjectAt(new NodeFileHost(), SAMPLE_DIR);
  return generateSample(metadata)
    .artifacts.filter(a => a.kind === 'pipeline')
    .map(a => a.value as unknown as PipelineJson);
}

describe('backfill partitions', () => {
  it('January by day is 31 windows; to is exclusive', () => {
    const w = windowsOf(day('2024-01-01'), day('2024-02-01'), 'day');
    assert.equal(w.length, 31);
    assert.equal(windowBoundText(w[0]!.start), '2024-01-01T00:00:00');
    assert.equal(windowBoundText(w[30]!.end), '2024-02-01T00:00:00');
    assert.equal(windowsOf(day('2024-01-01'), day('2025-01-01'), 'day').length, 366, '2024 is a leap year');
  });

  it('weeks follow ISO weeks (Monday), months the calendar; partial ends are clipped', () => {
    assert.deepEqual(texts('2024-01-03', '2024-01-20', 'week'), [
      '2024-01-03..2024-01-08',
      '2024-01-08..2024-01-15',
      '2024-01-15..2024-01-20',
    ]);
    assert.deepEqual(texts('2023-12-15', '2024-03-01', 'month'), [
      '2023-12-15..2024-01-01',
      '2024-01-01..2024-02-01',
      '2024-02-01..2024-03-01',
    ]);
    assert.deepEqual(
      windowsOf(day('2024-01-01T06:00:00Z'), day('2024-01-02T06:00:00Z'), 'day').map(w => windowBoundText(w.start)),
      ['2024-01-01T06:00:00', '2024-01-02T00:00:00'],
    );
  });

  it('bad input gets a clear message', () => {
    assert.throws(() => day('2024-02-30'), /not a day of the calendar/);
    assert.throws(() => day('01/02/2024'), /not a date: use YYYY-MM-DD/);
    assert.throws(() => windowsOf(day('2024-02-01'), day('2024-02-01'), 'day'), /--to \(2024-02-01\) is exclusive/);
    assert.throws(() => windowsOf(day('1990-01-01'), day('2024-01-01'), 'day'), /more than 10000 partitions/);
    assert.throws(() => parseGranularity('hour'), /not one of day, week, month/);
    assert.equal(parseGranularity(undefined), 'day');
    assert.equal(parseConcurrency('50'), 50);
    assert.throws(() => parseConcurrency(51), /from 1 to 50/);
    assert.throws(() => parseConcurrency('2.5'), BackfillInputError);
  });
});

describe('backfill targets from the generated pipelines', () => {
  it("the sample's tables (no backfill date): the ingestion pipeline with its loop restricted and dated", async () => {
    const pipelines = await samplePipelines();
    const plan = planBackfillTargets({
      pipelines,
      entryPipeline: 'pl_incremental_ingestion',
      tables: ['dbo.DimUser', 'FactStream'],
      from: day('2024-01-01'),
    });
    assert.equal(plan.targets.length, 1);
    const t = plan.targets[0]!;
    assert.equal(t.pipeline, 'pl_incremental_ingestion');
    assert.deepEqual(t.tables, ['dbo.DimUser', 'dbo.FactStream']);
    const loop = t.parameters.loop_input as { table: string; from_date: string }[];
    assert.deepEqual(
      loop.map(i => [i.table, i.from_date]),
      [
        ['DimUser', '2024-01-01T00:00:00'],
        ['FactStream', '2024-01-01'],
      ],
    );
    // The generated pipelines declare backfill_id: each run carries the backfill's id.
    assert.equal(t.tagsBackfillId, true);
    assert.match(plan.notes.join('\n'), /1 table\(s\) have no backfill date in lakehouse.yaml \(dbo.DimUser\)/);
    assert.doesNotMatch(plan.notes.join('\n'), /declare no backfill_id parameter/);
    // Everything else about each item is the generated one.
    const generated = (
      pipelines[0]!.properties!.parameters as Record<string, { defaultValue: { table: string }[] }>
    ).loop_input!.defaultValue.find(i => i.table === 'DimUser');
    assert.deepEqual({ ...loop[0], from_date: '' }, generated);
  });

  it('unknown, ambiguous and unwindowed tables are refused with the reason', async () => {
    const pipelines = await samplePipelines();
    const base = { pipelines, entryPipeline: 'pl_incremental_ingestion', from: day('2024-01-01') };
    assert.throws(
      () => planBackfillTargets({ ...base, tables: ['nope'] }),
      /No generated pipeline copies a table "nope"/,
    );
    assert.throws(() => planBackfillTargets({ ...base, tables: [] }), /at least one table/);
    assert.throws(() => planBackfillTargets({ ...base, entryPipeline: 'pl_x' }), /no pipeline "pl_x"/);
    const noWindow = pipelines.map(p =>
      p.name === 'pl_incremental_ingestion'
        ? {
            ...p,
            properties: {
              ...p.properties,
              parameters: { loop_input: (p.properties!.parameters as Record<string, unknown>).loop_input },
            },
          }
        : p,
    );
    assert.throws(
      () => planBackfillTargets({ ...base, pipelines: noWindow }),
      /declares no window_start \/ window_end/,
    );
  });

  it('several source systems: every dated table runs the orchestrator; chosen tables run their system pipelines', async () => {
    const { snapshot } = await loadProject(MULTI_SOURCE_PROJECT);
    const pipelines = generateAdfArtifacts(snapshot.metadata)
      .artifacts.filter(a => a.kind === 'pipeline')
      .map(a => a.value as unknown as PipelineJson);
    const names = pipelines.map(p => p.name).sort();
    assert.ok(names.includes('pl_incremental_ingestion_crm'), names.join(', '));
    const request = { pipelines, entryPipeline: 'pl_incremental_ingestion', from: day('2023-07-01') };
    // fact.Sales (dw) has no backfill date: it is added with the backfill's start, so the system pipelines run.
    const all = planBackfillTargets(request);
    assert.deepEqual(
      all.targets.map(t => [t.pipeline, t.tables]),
      [
        ['pl_incremental_ingestion_crm', ['dbo.Customer']],
        ['pl_incremental_ingestion_dw', ['fact.Sales']],
      ],
    );
    assert.match(all.notes.join('\n'), /running pl_incremental_ingestion_crm, pl_incremental_ingestion_dw directly/);
    const crm = planBackfillTargets({ ...request, tables: ['Customer'] });
    assert.deepEqual(crm.targets[0]!.parameters.loop_input, [
      (
        pipelines.find(p => p.name === 'pl_incremental_ingestion_crm')!.properties!.parameters as Record<
          string,
          { defaultValue: unknown[] }
        >
      ).loop_input!.defaultValue[0],
    ]);
    assert.throws(() => planBackfillTargets({ ...request, tables: ['Country'] }), /copied in full on every run/);
    // Every windowed table dated: the orchestrator itself, with nothing but the window.
    const dated = pipelines.map(p => {
      const params = (p.properties?.parameters ?? {}) as Record<string, { defaultValue?: unknown }>;
      if (!Array.isArray(params.loop_input?.defaultValue)) return p;
      const loop = (params.loop_input.defaultValue as Record<string, unknown>[]).map(i => ({
        ...i,
        from_date: '2023-01-01',
      }));
      return {
        ...p,
        properties: { ...p.properties, parameters: { ...params, loop_input: { type: 'array', defaultValue: loop } } },
      };
    });
    const orchestrated = planBackfillTargets({ ...request, pipelines: dated });
    assert.deepEqual(
      orchestrated.targets.map(t => [t.pipeline, t.parameters]),
      [['pl_incremental_ingestion', {}]],
    );
  });

  it('a plan: partitions per window and target, each run with its window and (when declared) the backfill id', async () => {
    const pipelines = (await samplePipelines()).map(p =>
      p.name === 'pl_incremental_ingestion'
        ? {
            ...p,
            properties: {
              ...p.properties,
              parameters: {
                ...(p.properties!.parameters as object),
                backfill_id: { type: 'string', defaultValue: '' },
              },
            },
          }
        : p,
    );
    const targets = planBackfillTargets({
      pipelines,
      entryPipeline: 'pl_incremental_ingestion',
      tables: ['DimUser'],
      from: day('2024-01-01'),
    });
    assert.equal(targets.targets[0]!.tagsBackfillId, true);
    const plan = planBackfill({
      from: '2024-01-01',
      to: '2024-02-01',
      granularity: 'week',
      concurrency: 3,
      targets,
      id: 'bf-test',
      now: 0,
      environment: 'dev',
    });
    assert.equal(plan.partitions.length, 5);
    assert.equal(plan.partitions[0]!.key, 'pl_incremental_ingestion@2024-01-01T00:00:00/2024-01-08T00:00:00');
    const params = runParametersOf(plan, plan.partitions[4]!);
    assert.equal(params.window_start, '2024-01-29T00:00:00');
    assert.equal(params.window_end, '2024-02-01T00:00:00');
    assert.equal(params.backfill_id, 'bf-test');
    assert.ok(Array.isArray(params.loop_input));
    assert.throws(
      () => planBackfill({ from: '2024-01-01', to: '2024-02-01', targets, id: '../x', now: 0 }),
      /may hold letters, digits/,
    );
    assert.match(
      newBackfillId(Date.UTC(2024, 0, 31), () => 'abc123'),
      /^bf-20240131-abc123$/,
    );
  });
});

describe('the journal', () => {
  const plan = () =>
    planBackfill({
      from: '2024-01-01',
      to: '2024-01-04',
      targets: {
        targets: [{ pipeline: 'pl', parameters: {}, tables: ['dbo.T'], tagsBackfillId: true }],
        notes: [],
        names: { windowStart: 'window_start', windowEnd: 'window_end', backfillId: 'backfill_id', loop: 'loop_input' },
      },
      id: 'bf-j',
      now: 1000,
    });

  it('replays to the same state: started, unclear (an attempt with no outcome), done, rounds', async () => {
    const p = plan();
    const [a, b, c] = p.partitions.map(x => x.key) as [string, string, string];
    const entries: JournalEntry[] = [
      p,
      { t: 'attempt', key: a, n: 1, at: 2000 },
      { t: 'created', key: a, n: 1, runId: 'r1', at: 2100 },
      { t: 'attempt', key: b, n: 1, at: 2000 },
      { t: 'unclear', key: b, n: 1, reason: '503', at: 2200 },
      { t: 'attempt', key: c, n: 1, at: 2300 },
      { t: 'status', key: a, runId: 'r1', status: 'Failed', message: 'boom', at: 5000 },
    ];
    const file = new MemoryJournalFile();
    const writer = new JournalWriter(file, undefined);
    await Promise.all(entries.map(e => writer.append(e)));
    assert.ok(writer.writes < entries.length, 'entries that come together share one write');
    const state = replayJournal(file.text!);
    assert.deepEqual(
      [...state.partitions.values()].map(x => [x.phase, x.runId, x.unclearSince, x.status]),
      [
        ['done', 'r1', undefined, 'Failed'],
        ['unclear', undefined, 2000, undefined],
        ['unclear', undefined, 2300, undefined],
      ],
    );
    const summary = summarize(state);
    assert.deepEqual([summary.failed, summary.notStarted, summary.complete], [1, 2, false]);
    assert.match(
      formatSummary(summary),
      /Resume: lakehouse backfill resume bf-j\nRerun the failed partitions: lakehouse backfill rerun-failed bf-j$/,
    );

    await writer.append({ t: 'round', n: 2, keys: [a], at: 6000 });
    const again = replayJournal(file.text!);
    assert.deepEqual(
      [again.round, again.partitions.get(a)!.phase, again.partitions.get(a)!.runIds],
      [2, 'pending', ['r1']],
    );
    assert.deepEqual(again.runs.get('r1')?.status, 'Failed');
  });

  it('a torn last line is dropped (and the next append starts on a new line); damage elsewhere is an error', async () => {
    const p = plan();
    const good =
      JSON.stringify(p) + '\n' + JSON.stringify({ t: 'attempt', key: p.partitions[0]!.key, n: 1, at: 1 }) + '\n';
    const torn = good + '{"t":"created","key":"pl@2024';
    const state = replayJournal(torn);
    assert.equal(state.tornLines, 1);
    assert.equal(state.partitions.get(p.partitions[0]!.key)!.phase, 'unclear');
    const file = new MemoryJournalFile(torn);
    await new JournalWriter(file, torn).append({ t: 'resume', at: 3 });
    assert.match(file.text!, /pl@2024\n\{"t":"torn"\}\n\{"t":"resume","at":3\}\n$/);
    assert.equal(replayJournal(file.text!).tornLines, 1, 'the torn fragment stays alone on its line, marked');
    assert.throws(() => replayJournal('{"t":"backfill"\n' + good), /line 1 is not JSON; the journal is damaged/);
    assert.throws(() => replayJournal(JSON.stringify({ t: 'attempt' })), /does not start with a backfill plan/);
    assert.throws(() => replayJournal(JSON.stringify({ ...p, v: 99 })), /version 99/);
    assert.throws(
      () => replayJournal(JSON.stringify(p) + '\n' + JSON.stringify({ t: 'attempt', key: 'other', n: 1, at: 1 })),
      JournalError,
    );
  });
});
