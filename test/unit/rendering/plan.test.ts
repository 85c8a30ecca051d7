// Templates bound to metadata: the context, the plan of renders, "out of date" and writing.
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { after, before, describe, it } from 'node:test';
import { buildTemplateContext, UnknownEnvironmentError } from '../../../src/core/rendering/context';
import { jobsForTemplate, planRenders } from '../../../src/core/rendering/plan';
import { checkOutputs, createJobRenderer, renderJobs, writeOutputs } from '../../../src/core/rendering/run';
import { findBuiltinTemplatesDir } from '../../../src/core/rendering/builtinTemplates';
import { loadProjectAt } from '../../../src/core/project/loadProject';
import { NodeFileHost } from '../../../src/core/files/nodeFileHost';
import { BASELINE } from '../helpers/baseline';
import { edit, loadProject } from '../helpers/project';
import { REPO_ROOT, SAMPLE_DIR } from '../helpers/paths';

/** Context values are plain JSON; tests walk them freely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

const builtinTemplatesDir = path.join(REPO_ROOT, 'templates');
// The worker of the tree these tests were compiled into (out/, or a private --outDir).
const workerPath = path.resolve(__dirname, '..', '..', '..', 'src', 'core', 'templates', 'worker.js');

describe('buildTemplateContext', () => {
  it('is plain JSON data: project, environment, zones, sources, tables, dimensions, facts', async () => {
    const { metadata } = await loadProjectAt(new NodeFileHost(), SAMPLE_DIR);
    const context = buildTemplateContext(metadata);
    assert.deepEqual(JSON.parse(JSON.stringify(context)), context, 'survives JSON');
    assert.deepEqual(Object.keys(context), [
      'project',
      'environment',
      'environments',
      'zones',
      'sources',
      'tables',
      'dimensions',
      'facts',
      'dateDimension',
      'calendar',
      'databricks',
    ]);
    assert.deepEqual(context.calendar, { from: '2024-01-01', to: '2030-12-31' });
    assert.deepEqual(context.databricks, { legacyDlt: false });
    const env = context.environment as Record<string, unknown>;
    assert.equal(env.name, 'dev');
    assert.equal(env.storageAccount, 'stspotifydev');
    assert.equal(env.bundleTarget, 'dev');
    assert.equal(env.catalog, 'spotify_dev');
    assert.deepEqual((context.zones as Record<string, unknown>).silver, {
      name: 'silver',
      container: 'silver',
      path: '{table}',
      format: 'delta',
      catalog: null,
      schema: 'silver',
      url: 'abfss://silver@stspotifydev.dfs.core.windows.net',
    });
    assert.equal((context.tables as unknown[]).length, 5);
    assert.equal(context.dateDimension, 'dim_date');
  });

  it("resolves a table's zones, a dimension's source table and a fact's references", async () => {
    const { metadata } = await loadProjectAt(new NodeFileHost(), SAMPLE_DIR);
    const table = buildTemplateContext(metadata, {
      environment: 'prod',
      target: { kind: 'table', name: 'dbo.DimUser' },
    }).table as Record<string, Loose>;
    assert.equal(table.fullName, 'spotify_sql.dbo.DimUser');
    assert.deepEqual(table.zones.bronze, {
      container: 'bronze',
      folder: 'DimUser',
      url: 'abfss://bronze@stspotifyprod.dfs.core.windows.net/DimUser',
      format: 'parquet',
      catalog: null,
      schema: null,
      tableName: 'DimUser',
      tableIdentifier: '`DimUser`',
    });
    assert.equal(table.zones.silver.tableName, 'silver.DimUser');
    assert.equal(table.zones.silver.tableIdentifier, '`silver`.`DimUser`');
    assert.deepEqual(table.primaryKey, ['user_id']);
    assert.deepEqual([table.cdcMode, table.sequenceColumn, table.cdcOverlap], ['watermark', 'updated_at', null]);
    assert.equal(table.backfillFrom, null);

    const dimension = buildTemplateContext(metadata, { target: { kind: 'dimension', name: 'dim_user' } })
      .dimension as Record<string, Loose>;
    assert.equal(dimension.table.name, 'DimUser');
    assert.equal(dimension.scdType, 2);
    assert.deepEqual(dimension.trackedColumns, ['user_name', 'country', 'subscription_type']);
    assert.equal(dimension.sequenceColumn, 'updated_at');
    assert.equal(dimension.target.tableName, 'gold.dim_user');
    assert.deepEqual(
      dimension.columns.map((c: { name: string }) => c.name),
      ['user_id', 'user_name', 'country', 'subscription_type', 'start_date', 'end_date', 'updated_at'],
    );

    const fact = buildTemplateContext(metadata, { target: { kind: 'fact', name: 'fact_stream' } }).fact as Record<
      string,
      Loose
    >;
    assert.deepEqual(
      fact.references.map((r: Loose) => [r.column, r.dimension.name, r.joinColumn]),
      [
        ['user_id', 'dim_user', 'user_id'],
        ['track_id', 'dim_track', 'track_id'],
        ['date_key', 'dim_date', 'date_key'],
      ],
    );
    assert.deepEqual(fact.measures, [
      { column: 'listen_duration', aggregation: 'sum', name: 'listen_duration' },
      { column: 'stream_id', aggregation: 'count', name: 'stream_count' },
    ]);
    assert.equal(fact.sequenceColumn, 'stream_timestamp');
    assert.equal(fact.eventTime, 'stream_timestamp', 'the event time defaults to the sequence column');
    assert.deepEqual(
      fact.references.map((r: Loose) => r.version),
      ['asOfEvent', 'asOfEvent', 'asOfEvent'],
    );
    const date = buildTemplateContext(metadata, { target: { kind: 'dimension', name: 'dim_date' } })
      .dimension as Record<string, Loose>;
    assert.equal(date.isDateDimension, true);
    assert.deepEqual(
      date.columns.map((c: { name: string }) => c.name),
      ['date_key', 'date', 'day', 'month', 'quarter', 'year', 'weekday', 'week_of_year', 'is_weekend'],
      "the generated calendar's columns",
    );
  });

  it('uses the first environment by default, a bare dev without any, and refuses an unknown one', async () => {
    const p = await loadProject({ 'lakehouse.yaml': edit(BASELINE, '  dev:\n', '  test:\n') });
    assert.equal((buildTemplateContext(p.snapshot.metadata).environment as { name: string }).name, 'test');
    assert.throws(
      () => buildTemplateContext(p.snapshot.metadata, { environment: 'prod' }),
      (e: Error) =>
        e instanceof UnknownEnvironmentError &&
        /No environment 'prod' in lakehouse.yaml; declared: test/.test(e.message),
    );
    const none = await loadProject({ 'lakehouse.yaml': BASELINE.replace(/environments:[\s\S]*?\n\n/, '') });
    assert.deepEqual(buildTemplateContext(none.snapshot.metadata).environment, {
      name: 'dev',
      subscriptionId: null,
      tenantId: null,
      resourceGroup: null,
      factory: null,
      storageAccount: null,
      databricksHost: null,
      bundleTarget: 'dev',
      location: null,
      alertUrl: null,
      protected: false,
      catalog: null,
      keyVault: null,
      deployUser: null,
    });
  });
});

describe('planRenders', () => {
  it("plans the sample's bindings in declaration order with stable ids", async () => {
    const snapshot = await loadProjectAt(new NodeFileHost(), SAMPLE_DIR);
    const jobs = planRenders(snapshot, { builtinTemplatesDir });
    assert.deepEqual(
      jobs.map(j => j.id),
      [
        'table:spotify_sql.dbo.DimUser:silver/autoloader.py.j2',
        'table:spotify_sql.dbo.DimArtist:silver/autoloader.py.j2',
        'table:spotify_sql.dbo.DimTrack:silver/autoloader.py.j2',
        'table:spotify_sql.dbo.DimDate:silver/autoloader.py.j2',
        'table:spotify_sql.dbo.FactStream:silver/autoloader.py.j2',
        'dimension:dim_user:gold/dimension.py.j2',
        'dimension:dim_track:gold/dimension.py.j2',
        'dimension:dim_artist:gold/dimension.py.j2',
        'dimension:dim_date:gold/dimension.py.j2',
        'fact:fact_stream:gold/fact.py.j2',
        'fact:fact_stream:gold/star_query.py.j2',
      ],
    );
    const first = jobs[0]!;
    assert.equal(first.templateFile, path.join(builtinTemplatesDir, 'silver', 'autoloader.py.j2'));
    assert.deepEqual(first.searchPaths, [builtinTemplatesDir]);
    assert.equal(first.projectRoot, builtinTemplatesDir);
    assert.equal(first.outputFile, path.join(SAMPLE_DIR, 'databricks', 'src', 'silver', 'DimUser.py'));
    assert.equal(first.language, 'python');
    assert.deepEqual(first.binding, { kind: 'table', name: 'spotify_sql.dbo.DimUser' });
    assert.equal((first.context.table as { name: string }).name, 'DimUser');
    assert.equal(
      jobsForTemplate(snapshot, path.join(builtinTemplatesDir, 'gold', 'dimension.py.j2'), { builtinTemplatesDir })
        .length,
      4,
    );
  });

  it('applies the built-in bindings when lakehouse.yaml has no templates section, into paths.bundle', async () => {
    const p = await loadProject({
      'lakehouse.yaml': edit(BASELINE, '\nsources:', 'paths:\n  bundle: dab\n\nsources:'),
    });
    const jobs = planRenders(p.snapshot, { builtinTemplatesDir, exists: () => true });
    assert.deepEqual(
      jobs.map(j => path.relative(path.dirname(p.snapshot.rootFile), j.outputFile).split(path.sep).join('/')),
      [
        'dab/src/silver/DimUser.py',
        'dab/src/silver/DimTrack.py',
        'dab/src/silver/DimDate.py',
        'dab/src/silver/FactStream.py',
        'dab/src/gold/dim_user.py',
        'dab/src/gold/dim_track.py',
        'dab/src/gold/dim_date.py',
        'dab/src/gold/fact_stream.py',
        'dab/src/queries/fact_stream_star.py',
      ],
    );
    const none = await loadProject({ 'lakehouse.yaml': edit(BASELINE, '\nsources:', 'templates: []\n\nsources:') });
    assert.deepEqual(planRenders(none.snapshot, { builtinTemplatesDir }), []);
  });

  it('prefers a template of paths.templates over the built-in one of that name, and leaves out unusable bindings', async () => {
    const yaml = edit(
      BASELINE,
      '\nsources:',
      `paths:
  templates: tpl

templates:
  - template: silver/autoloader.py.j2
    for: table
    output: out/{name}.py
  - template: gold/fact.py.j2
    for: project
    output: out/{schema}.py
  - template: gold/fact.py.j2
    for: fact
    output: out/DimUser.py

sources:`,
    );
    const p = await loadProject({ 'lakehouse.yaml': yaml });
    const rootDir = path.dirname(p.snapshot.rootFile);
    const exists = (file: string) => file === path.join(rootDir, 'tpl', 'silver', 'autoloader.py.j2');
    const jobs = planRenders(p.snapshot, { builtinTemplatesDir, exists });
    assert.equal(
      jobs.length,
      4,
      'the {schema} binding is left out (LH503), and the fact colliding with out/DimUser.py too (LH502)',
    );
    assert.equal(jobs[0]!.templateFile, path.join(rootDir, 'tpl', 'silver', 'autoloader.py.j2'));
    assert.deepEqual(jobs[0]!.searchPaths, [path.join(rootDir, 'tpl')]);
    assert.equal(jobs[0]!.projectRoot, rootDir);
  });
});

describe('planRenders without an exists function', () => {
  it('takes a template from paths.templates when the session found it there (through its FileHost), else the built-in one', async () => {
    const p = await loadProject({
      'lakehouse.yaml': edit(BASELINE, '\nsources:', 'paths:\n  templates: tpl\n\nsources:'),
      'tpl/silver/autoloader.py.j2': '{{ table.name }}\n',
    });
    const rootDir = path.dirname(p.snapshot.rootFile);
    const own = path.join(rootDir, 'tpl', 'silver', 'autoloader.py.j2');
    assert.deepEqual([...p.snapshot.templateFiles], [own]);
    const jobs = planRenders(p.snapshot, { builtinTemplatesDir });
    const templates = [...new Set(jobs.map(j => j.templateFile))];
    assert.deepEqual(templates, [
      own,
      path.join(builtinTemplatesDir, 'gold', 'dimension.py.j2'),
      path.join(builtinTemplatesDir, 'gold', 'fact.py.j2'),
      path.join(builtinTemplatesDir, 'gold', 'star_query.py.j2'),
    ]);
    // Nothing of the disk was asked: the project is in memory and the built-in names are known.
    assert.ok(!fs.existsSync(own));
  });
});

describe('rendering, checking and writing outputs', () => {
  let tmp = '';
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lakehouse-render-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('finds the built-in templates and the worker', () => {
    assert.equal(findBuiltinTemplatesDir(), builtinTemplatesDir);
    assert.ok(fs.existsSync(workerPath));
  });

  it('renders in the worker, reports missing / out of date / failed, writes only what rendered', async () => {
    fs.writeFileSync(
      path.join(tmp, 'lakehouse.yaml'),
      edit(
        BASELINE,
        '\nsources:',
        `paths:
  templates: tpl

templates:
  - template: list.txt.j2
    for: project
    output: out/{project}.txt
  - template: table.txt.j2
    for: table
    output: out/{name}.txt
  - template: broken.txt.j2
    for: fact
    output: out/{name}.txt

sources:`,
      ),
    );
    fs.mkdirSync(path.join(tmp, 'tpl'));
    fs.writeFileSync(
      path.join(tmp, 'tpl', 'list.txt.j2'),
      '{% for t in tables %}{{ t.qualifiedName }}{{ "\\n" if not loop.last }}{% endfor %}\n',
    );
    fs.writeFileSync(
      path.join(tmp, 'tpl', 'table.txt.j2'),
      '{{ table.name }} {{ table.cdcColumn }} {{ environment.name }}\n\n',
    );
    fs.writeFileSync(path.join(tmp, 'tpl', 'broken.txt.j2'), 'line 1\n{{ fact.name.nope() }}\n');
    fs.mkdirSync(path.join(tmp, 'out'));
    fs.writeFileSync(path.join(tmp, 'out', 'DimUser.txt'), 'DimUser updated_at dev\r\n');
    fs.writeFileSync(path.join(tmp, 'out', 'DimTrack.txt'), 'stale\n');
    const snapshot = await loadProjectAt(new NodeFileHost(), tmp);
    const jobs = planRenders(snapshot, { builtinTemplatesDir });
    const renderer = createJobRenderer({ workerPath, timeoutMs: 5000 });
    const outcomes = await renderJobs(jobs, renderer).finally(() => renderer.dispose());
    const checks = await checkOutputs(jobs, outcomes, new NodeFileHost());
    assert.deepEqual(
      checks.map(c => [path.relative(tmp, c.job.outputFile), c.status]),
      [
        [path.join('out', 'mini_spotify.txt'), 'missing'],
        [path.join('out', 'DimUser.txt'), 'up-to-date'],
        [path.join('out', 'DimTrack.txt'), 'out-of-date'],
        [path.join('out', 'DimDate.txt'), 'missing'],
        [path.join('out', 'FactStream.txt'), 'missing'],
        [path.join('out', 'fact_stream.txt'), 'failed'],
      ],
    );
    const failed = checks[5]!;
    assert.equal(failed.error?.line, 2);
    assert.equal(failed.error?.file, path.join(tmp, 'tpl', 'broken.txt.j2'));
    const report = await writeOutputs(checks, new NodeFileHost());
    assert.deepEqual([report.written.length, report.unchanged.length, report.failed.length], [4, 1, 1]);
    assert.equal(
      fs.readFileSync(path.join(tmp, 'out', 'mini_spotify.txt'), 'utf8'),
      'dbo.DimUser\ndbo.DimTrack\ndbo.DimDate\ndbo.FactStream',
    );
    assert.equal(fs.readFileSync(path.join(tmp, 'out', 'DimDate.txt'), 'utf8'), 'DimDate None dev\n');
    assert.ok(!fs.existsSync(path.join(tmp, 'out', 'fact_stream.txt')), 'a failed render is not written');
    assert.deepEqual(
      fs.readdirSync(path.join(tmp, 'out')).filter(f => f.endsWith('.tmp')),
      [],
      'no temporary files left',
    );
  });

  it('renders in-process when asked to, with the same result', async () => {
    const snapshot = await loadProjectAt(new NodeFileHost(), SAMPLE_DIR);
    const jobs = planRenders(snapshot, { builtinTemplatesDir }).slice(0, 2);
    const inProcess = await renderJobs(jobs, createJobRenderer({ workerPath: null }));
    const worker = createJobRenderer({ workerPath });
    const inWorker = await renderJobs(jobs, worker).finally(() => worker.dispose());
    assert.deepEqual(
      inProcess.map(o => o.result),
      inWorker.map(o => o.result),
    );
    assert.ok(inProcess.every(o => o.result.ok));
  });
});
