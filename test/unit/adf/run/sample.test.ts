// The generated pipelines, run: the Spotify sample's ingestion pipeline (samples/spotify/adf) and
// an orchestrator generated for two source systems, against a fake Azure (fakeAzure.ts) that
// answers by what activities do, not by their names. What must hold whatever the generator writes:
// the first run (no watermark file) copies every table up to its MAX and records that watermark;
// the next run copies from it; a failing copy fails the run, keeps that table's watermark and
// skips its silver notebook, while the other tables go on. The exact SQL of one table is pinned in
// EXPECTED_SQL: update it when the generator's query changes on purpose.
import * as assert from 'node:assert/strict';
import * as path from 'path';
import { before, describe, it } from 'node:test';
import { readAdfFolder } from '../../../../src/core/project/loadProject';
import { NodeFileHost } from '../../../../src/core/files/nodeFileHost';
import { factoryFromFolder, factoryFromJson, type RunFactory } from '../../../../src/core/adf/run/factory';
import { dryRun, parseWindow } from '../../../../src/core/adf/run/dryRun';
import { renderDryRunText } from '../../../../src/core/adf/run/report';
import { parseTimestamp } from '../../../../src/core/adf/run/dates';
import { runPipeline, type PipelineRunResult } from '../../../../src/core/adf/run/runPipeline';
import { generateAdfArtifacts } from '../../../../src/core/adf/generate';
import { loadProject } from '../../helpers/project';
import { SAMPLE_DIR } from '../../helpers/paths';
import { FakeAzure, firstValue } from './fakeAzure';

/** The incremental copy of DimUser, as the generator writes it today (first run, then the next). */
const EXPECTED_SQL = {
  first:
    "SELECT * FROM [dbo].[DimUser] WHERE [updated_at] >= CAST('1899-12-31T23:00:00.0000000' AS " +
    "datetime2(7)) AND [updated_at] <= CAST('2026-12-31T12:00:00.0000000' AS datetime2(7))",
  next:
    "SELECT * FROM [dbo].[DimUser] WHERE [updated_at] >= CAST('2026-12-31T11:00:00.0000000' AS " +
    "datetime2(7)) AND [updated_at] <= CAST('2027-01-15T08:30:00.0000000' AS datetime2(7))",
};

/**
 * The runs happen after the schedule's start (the sample's is 2026-12-07: tables with a backfill
 * date are seeded there, and the backfill trigger copies what came before).
 */
const FIRST = { now: '2027-01-01T02:00:00Z', max: '2026-12-31T12:00:00' };
const NEXT = { now: '2027-01-16T02:00:00Z', max: '2027-01-15T08:30:00' };

type Obj = Record<string, unknown>;

interface LoopTable {
  schema: string;
  table: string;
  cdc: string;
}

/** The tables a pipeline loops over: the items of its array parameters that name a table. */
function loopTables(factory: RunFactory, pipeline: string): LoopTable[] {
  const params = ((factory.pipeline(pipeline)?.properties as Obj).parameters ?? {}) as Record<
    string,
    { defaultValue?: unknown }
  >;
  return Object.values(params)
    .flatMap(p => (Array.isArray(p.defaultValue) ? p.defaultValue : []))
    .filter((i): i is Obj => !!i && typeof i === 'object' && typeof (i as Obj).table === 'string')
    .map(i => ({ schema: String(i.schema ?? 'dbo'), table: String(i.table), cdc: String(i.cdc_col ?? '') }));
}

/** The pipeline the schedule trigger starts. */
function scheduled(factory: RunFactory): string {
  for (const t of factory.triggers()) {
    const props = t.properties as Obj;
    if (props.type !== 'ScheduleTrigger') continue;
    const ref = ((props.pipelines as Obj[])[0]!.pipelineReference as Obj).referenceName;
    return String(ref);
  }
  throw new Error('no schedule trigger');
}

const sameInstant = (a: string | undefined, b: string) =>
  a !== undefined && parseTimestamp(a).ticks === parseTimestamp(b).ticks;

function watermarkOf(azure: FakeAzure, table: string): string | undefined {
  const files = [...azure.files.entries()].filter(([at]) =>
    at.split('/').some(part => part.toLowerCase().startsWith(table.toLowerCase())),
  );
  return files.length === 1 ? firstValue(files[0]![1][0]) : undefined;
}

function assertCopiedEveryTable(azure: FakeAzure, tables: LoopTable[], except: string[] = []): void {
  for (const t of tables) {
    const qs = azure.queries.filter(q => q.table === `${t.schema}.${t.table}`.toLowerCase());
    assert.equal(qs.length, 1, `one copy of ${t.table}`);
    const sql = qs[0]!.sql;
    assert.ok(!sql.includes('‹'), `${t.table}: the query is fully known: ${sql}`);
    assert.ok(sql.includes(`[${t.cdc}]`), `${t.table}: filters on its CDC column: ${sql}`);
    if (!except.includes(t.table))
      assert.ok(
        azure.notebooks.some(n => n.path.endsWith(`/${t.table}`)),
        `${t.table}: its silver notebook ran`,
      );
  }
}

describe("the Spotify sample's ingestion pipeline, run", () => {
  let factory: RunFactory;
  let pipeline: string;
  let tables: LoopTable[];

  before(async () => {
    const r = await readAdfFolder(new NodeFileHost(), path.join(SAMPLE_DIR, 'adf'));
    assert.equal(r.status, 'ok');
    factory = factoryFromFolder((r as { factory: Parameters<typeof factoryFromFolder>[0] }).factory);
    pipeline = scheduled(factory);
    tables = loopTables(factory, pipeline);
    assert.ok(tables.length >= 2, 'the sample loops over its tables');
  });

  const fresh = () => {
    const azure = new FakeAzure();
    for (const t of tables) azure.table(t.schema, t.table, { rows: 10, max: FIRST.max });
    return azure;
  };
  const go = (azure: FakeAzure, options: { now?: string; window?: string } = {}): PipelineRunResult => {
    azure.reset();
    return dryRun({
      factory,
      pipeline,
      outcomes: { outcome: azure.outcome, unused: () => [] },
      now: options.now ?? FIRST.now,
      ...(options.window ? { window: parseWindow(options.window) } : {}),
    }).result;
  };

  it('first run: no watermark file yet; every table is copied up to its MAX, which becomes its watermark', () => {
    const azure = fresh();
    const r = go(azure);
    assert.equal(r.status, 'Succeeded', renderDryRunText({ result: r, notes: [] }));
    assert.equal(r.evaluationErrors, 0);
    assertCopiedEveryTable(azure, tables);
    for (const t of tables)
      assert.ok(
        sameInstant(watermarkOf(azure, t.table), FIRST.max),
        `${t.table}: watermark ${watermarkOf(azure, t.table)}`,
      );
    assert.equal(azure.queries.find(q => q.table === 'dbo.dimuser')?.sql, EXPECTED_SQL.first);
    assert.ok(
      azure.posts.some(p => JSON.stringify(p.body).includes('Succeeded')),
      'a success alert is posted',
    );
  });

  it('incremental run: copies from the recorded watermark up to the new MAX', () => {
    const azure = fresh();
    go(azure);
    for (const t of tables) azure.table(t.schema, t.table, { rows: 3, max: NEXT.max });
    const r = go(azure, { now: NEXT.now });
    assert.equal(r.status, 'Succeeded');
    assertCopiedEveryTable(azure, tables);
    for (const t of tables)
      assert.ok(sameInstant(watermarkOf(azure, t.table), NEXT.max), `${t.table}: watermark advanced`);
    assert.equal(azure.queries.find(q => q.table === 'dbo.dimuser')?.sql, EXPECTED_SQL.next);
  });

  it('a failing copy: the run fails, that table keeps its watermark and skips silver, the others go on', () => {
    const azure = fresh();
    go(azure);
    const failing = tables[tables.length - 1]!;
    for (const t of tables) azure.table(t.schema, t.table, { rows: 3, max: NEXT.max });
    azure.failCopyFrom.add(`${failing.schema}.${failing.table}`.toLowerCase());
    const r = go(azure, { now: NEXT.now });
    assert.equal(r.status, 'Failed');
    assert.match(r.error!.message, /connection was reset/);
    assertCopiedEveryTable(azure, tables, [failing.table]);
    assert.ok(
      !azure.notebooks.some(n => n.path.endsWith(`/${failing.table}`)),
      'no silver notebook for the failed table',
    );
    assert.ok(sameInstant(watermarkOf(azure, failing.table), FIRST.max), 'its watermark stays');
    for (const t of tables.filter(x => x !== failing)) assert.ok(sameInstant(watermarkOf(azure, t.table), NEXT.max));
    const alert = azure.posts.find(p => JSON.stringify(p.body).includes('Failed'));
    assert.ok(
      alert && JSON.stringify(alert.body).includes('connection was reset'),
      'the failure alert carries the error',
    );
  });

  it("a backfill window: the tumbling window trigger's parameters bound the copies of the tables with a backfill date", () => {
    const azure = fresh();
    const r = go(azure, { window: '2024-01-01/2024-01-02' });
    assert.equal(r.status, 'Succeeded');
    assert.ok(azure.queries.length >= 1);
    for (const q of azure.queries)
      assert.match(q.sql, /'2024-01-01T00:00:00\.0000000'.*'2024-01-02T00:00:00\.0000000'/, q.sql);
  });

  const alerts = (azure: FakeAzure) => azure.posts.filter(p => p.url === azure.alertUrl).map(p => p.body as Obj);
  const silverRan = (azure: FakeAzure, table: string) => azure.notebooks.some(n => n.path.endsWith(`/${table}`));
  const next = (azure: FakeAzure, max: string | null = NEXT.max, rows = 3) => {
    for (const t of tables) azure.table(t.schema, t.table, { rows, max });
  };

  it('an empty copy: the watermark stays, the empty file is removed, silver still runs (finding 5), gold and the success alert follow', () => {
    const azure = fresh();
    go(azure);
    next(azure, FIRST.max, 0);
    const r = go(azure, { now: NEXT.now });
    assert.equal(r.status, 'Succeeded', renderDryRunText({ result: r, notes: [] }));
    for (const t of tables) {
      assert.ok(sameInstant(watermarkOf(azure, t.table), FIRST.max), `${t.table}: watermark unchanged`);
      assert.ok(
        silverRan(azure, t.table),
        `${t.table}: silver runs with nothing new (a failed earlier run's files get through)`,
      );
    }
    assert.equal(
      [...azure.parquet.values()].filter(rows => rows === 0).length,
      0,
      'no empty Parquet file is left in bronze',
    );
    assert.equal(azure.goldStarts, 1, 'gold is updated once');
    assert.deepEqual(
      alerts(azure).map(a => a.status),
      ['Succeeded'],
    );
  });

  it('a source table with no rows (MAX is NULL): nothing is recorded, the run succeeds, and the first rows are copied when they come', () => {
    const azure = fresh();
    next(azure, null, 0);
    const r = go(azure);
    assert.equal(r.status, 'Succeeded', renderDryRunText({ result: r, notes: [] }));
    assert.equal(r.evaluationErrors, 0);
    next(azure, NEXT.max, 3);
    const r2 = go(azure, { now: NEXT.now });
    assert.equal(r2.status, 'Succeeded');
    for (const t of tables)
      assert.ok(sameInstant(watermarkOf(azure, t.table), NEXT.max), `${t.table}: watermark recorded once rows exist`);
  });

  it(
    'a failing silver notebook: the run fails, gold is not updated, the failure alert carries ' +
      "the error and the seed's pipeline_runId; the copy's watermark still moves (the rows are " +
      'in bronze) and the next run retries silver',
    () => {
      const azure = fresh();
      go(azure);
      next(azure);
      const failing = tables[0]!;
      azure.failNotebookOf.add(failing.table.toLowerCase());
      const r = go(azure, { now: NEXT.now });
      assert.equal(r.status, 'Failed');
      assert.equal(azure.goldStarts, 0, 'gold does not build from stale silver');
      const sent = alerts(azure);
      assert.equal(sent.length, 1, 'one alert');
      assert.equal(sent[0]!.status, 'Failed');
      assert.match(JSON.stringify(sent[0]), /DELTA_FAILED_TO_MERGE_FIELDS/, 'the alert carries the error');
      assert.ok('pipeline_runId' in sent[0]!, "the field the seed's Logic App reads");
      assert.ok(sameInstant(watermarkOf(azure, failing.table), NEXT.max), 'the copied rows are safely in bronze');
      // Recovery: nothing new to copy, silver runs again and takes the files it missed.
      azure.failNotebookOf.clear();
      const r2 = go(azure, { now: '2027-01-17T02:00:00Z' });
      assert.equal(r2.status, 'Succeeded');
      assert.ok(silverRan(azure, failing.table));
      assert.equal(azure.goldStarts, 1);
    },
  );

  it('a failing gold update fails the run and sends the failure alert', () => {
    const azure = fresh();
    azure.goldState = 'FAILED';
    const r = go(azure);
    assert.equal(r.status, 'Failed');
    assert.deepEqual(
      alerts(azure).map(a => a.status),
      ['Failed'],
    );
  });

  it(
    'a backfill window after scheduled runs (an overlapping window): bounded by the window, ' +
      "never writes a watermark, so the scheduled run's advance stands (finding 6)",
    () => {
      const azure = fresh();
      go(azure);
      next(azure);
      go(azure, { now: NEXT.now });
      const before = new Map(tables.map(t => [t.table, watermarkOf(azure, t.table)]));
      // Rows arrived since the scheduled run: a window run that recorded the source's MAX would
      // make the next scheduled run skip them; one that wrote back what it read at its start would
      // revert a scheduled run's advance. It writes nothing.
      next(azure, '2027-01-16T02:30:00');
      const r = go(azure, { window: '2026-12-06T00:00:00Z/2026-12-07T00:00:00Z', now: '2027-01-16T03:00:00Z' });
      assert.equal(r.status, 'Succeeded', renderDryRunText({ result: r, notes: [] }));
      const writes = r.runs.filter(
        run => run.type === 'Copy' && /watermark/i.test(run.name) && run.status === 'Succeeded',
      );
      assert.deepEqual(
        writes.map(w => w.path),
        [],
        'a window run writes no watermark',
      );
      assert.ok(azure.queries.length >= 1, 'the tables with a backfill date are copied');
      for (const q of azure.queries) {
        assert.match(
          q.sql,
          />= CAST\('2026-12-06T00:00:00\.0000000' AS datetime2\(7\)\) AND \[\w+\] < CAST\('2026-12-07T00:00:00\.0000000' AS datetime2\(7\)\)/,
          `start inclusive, end exclusive: ${q.sql}`,
        );
      }
      for (const t of tables)
        assert.equal(watermarkOf(azure, t.table), before.get(t.table), `${t.table}: the watermark is not touched`);
      for (const q of azure.queries)
        assert.ok(
          silverRan(azure, tables.find(t => q.table === `${t.schema}.${t.table}`.toLowerCase())!.table),
          "silver takes the window's files",
        );
    },
  );

  it(
    "a late row: each run re-reads from the watermark minus the table's overlap, so a row " +
      'committed late with an older timestamp is copied (finding 3)',
    () => {
      const azure = fresh();
      go(azure);
      next(azure);
      go(azure, { now: NEXT.now });
      const sql = azure.queries.find(q => q.table === 'dbo.dimuser')!.sql;
      // The previous watermark was 2026-12-31T12:00; a row stamped 11:30 but committed after that run is in range.
      const lower = /\[updated_at\] >= CAST\('([^']+)'/.exec(sql)![1]!;
      assert.ok(lower <= '2026-12-31T11:30:00', `re-read from ${lower}`);
      assert.match(
        sql,
        /\[updated_at\] >= /,
        'the lower bound is inclusive: a row exactly at the watermark is not dropped',
      );
    },
  );

  it('without outcomes, the dry run shows every query with its unknown parts as placeholders', () => {
    const d = dryRun({ factory, pipeline, now: FIRST.now });
    const text = renderDryRunText(d);
    assert.equal(d.result.status, 'Succeeded');
    assert.match(
      text,
      /SELECT \* FROM \[dbo\]\.\[DimUser\] WHERE \[updated_at\] .*‹.*activity\('read_watermark'\)\.output\.firstRow\.cdc/,
    );
  });
});

describe('an orchestrator generated for two source systems, run', () => {
  const project = {
    'lakehouse.yaml': `version: 1
project:
  name: two
lake:
  zones:
    bronze: { container: bronze, path: "{system}/{table}", format: parquet }
sources:
  - name: crm
    type: azureSql
    linkedService: ls_crm
    server: crm.database.windows.net
    database: crm
    tables:
      - { name: Customer, cdcColumn: modified_at, loadType: incremental, columns: [{ name: id, type: int }, { name: modified_at, type: datetime2 }] }
  - name: erp
    type: azureSql
    linkedService: ls_erp
    server: erp.database.windows.net
    database: erp
    tables:
      - { name: Orders, cdcColumn: modified_at, loadType: incremental, columns: [{ name: id, type: int }, { name: modified_at, type: datetime2 }] }
`,
  };
  let factory: RunFactory;
  let orchestrator: string;

  before(async () => {
    const { snapshot } = await loadProject(project);
    const { artifacts } = generateAdfArtifacts(snapshot.metadata);
    const of = (kind: string) => artifacts.filter(a => a.kind === kind).map(a => a.value);
    factory = factoryFromJson({
      pipelines: of('pipeline'),
      datasets: of('dataset'),
      triggers: of('trigger'),
      linkedServices: of('linkedService'),
    });
    orchestrator = scheduled(factory);
  });

  const go = (azure: FakeAzure) => {
    azure.reset();
    return runPipeline(factory, orchestrator, { now: '2024-06-01T13:00:00Z', outcome: azure.outcome });
  };
  const setUp = () =>
    new FakeAzure()
      .table('dbo', 'Customer', { rows: 5, max: '2024-06-01T10:00:00' })
      .table('dbo', 'Orders', { rows: 7, max: '2024-06-01T11:00:00' });

  it("runs each system's pipeline (Execute Pipeline, waiting) and copies every table", () => {
    const azure = setUp();
    const r = go(azure);
    assert.equal(r.status, 'Succeeded', renderDryRunText({ result: r, notes: [] }));
    const children = [...new Set(r.runs.map(x => x.pipeline))].filter(p => p !== orchestrator);
    assert.equal(children.length, 2, `child pipelines: ${children.join(', ')}`);
    assert.deepEqual(azure.queries.map(q => q.table).sort(), ['dbo.customer', 'dbo.orders']);
    for (const q of azure.queries) assert.ok(!q.sql.includes('‹'), q.sql);
  });

  it('a failing copy in one system fails that pipeline and the orchestrator', () => {
    const azure = setUp();
    azure.failCopyFrom.add('dbo.orders');
    const r = go(azure);
    assert.equal(r.status, 'Failed');
    assert.match(r.error!.message, /connection was reset/);
  });
});
