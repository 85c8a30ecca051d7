// The core's reading of the Databricks CLI (src/core/bundle): its plan JSON, as CLI v1.12.1 printed
// it for the sample's bundle against the local Databricks workspace (fixtures/plan-*.json), its
// diagnostics placed in databricks.yml, and which target an environment deploys. Needs no CLI.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import {
  bundleCliDiagnostics,
  bundleEntrySides,
  bundleEntryText,
  bundlePlanHasChanges,
  bundlePlanSummary,
  bundleTargetOf,
  guessBundleOffset,
  parseBundleDiagnostics,
  parseBundlePlan,
  BundlePlanError,
} from '../../../src/core/bundle';
import type { Environment, LakehouseMetadata } from '../../../src/core/metadata/model';
import { REPO_ROOT } from '../../bundle/databricksCli';

const FIXTURES = path.join(REPO_ROOT, 'test', 'unit', 'bundle', 'fixtures');
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name), 'utf8');

describe("parseBundlePlan (the CLI's `bundle plan -o json`)", () => {
  it('reads a first deploy: six creates, counted as the CLI counts them', () => {
    const plan = parseBundlePlan(fixture('plan-create.json'));
    assert.equal(plan.cliVersion, '1.12.1');
    assert.deepEqual(
      plan.entries.map(e => [e.kind, e.name, e.child ?? '', e.action]),
      [
        ['pipelines', 'spotify_lakehouse_gold', '', 'create'],
        ['pipelines', 'spotify_lakehouse_gold', 'permissions', 'create'],
        ['schemas', 'gold', '', 'create'],
        ['schemas', 'gold', 'grants', 'create'],
        ['schemas', 'silver', '', 'create'],
        ['schemas', 'silver', 'grants', 'create'],
      ],
    );
    assert.equal(bundlePlanSummary(plan), '6 to add, 0 to change, 0 to delete, 0 unchanged');
    assert.ok(bundlePlanHasChanges(plan));
    assert.equal(bundleEntryText(plan.entries[0]!), 'create pipelines.spotify_lakehouse_gold');
    const sides = bundleEntrySides(plan.entries[0]!);
    assert.equal(sides.before, '');
    assert.match(sides.after, /"catalog": "spotify_dev"/);
  });

  it('reads an update: the changed field, and a diff that shows it without the server-side fields', () => {
    const plan = parseBundlePlan(fixture('plan-update.json'));
    assert.equal(bundlePlanSummary(plan), '0 to add, 1 to change, 0 to delete, 5 unchanged');
    const gold = plan.entries.find(e => e.key === 'resources.schemas.gold')!;
    assert.equal(bundleEntryText(gold), 'update schemas.gold (comment)');
    const { before, after } = bundleEntrySides(gold);
    assert.deepEqual(JSON.parse(before), {
      catalog_name: 'spotify_dev',
      comment: 'Gold star schema of spotify_lakehouse, written by the gold pipeline.',
      name: 'dev_tester_gold',
    });
    assert.deepEqual(JSON.parse(after), { ...JSON.parse(before), comment: 'Gold star schema (changed).' });
    assert.doesNotMatch(before, /created_by|metastore_id/);
  });

  it('reads the JSON after warnings the CLI printed first, and names bracketed keys', () => {
    const plan = parseBundlePlan(
      'Warning: something\n{"plan_version":2,"plan":{"resources.jobs[\\"a.b\\"].permissions":{"action":"delete","gone":true}}}',
    );
    assert.deepEqual(
      plan.entries.map(e => [e.kind, e.name, e.child, e.action, e.gone]),
      [['jobs', 'a.b', 'permissions', 'delete', true]],
    );
    assert.equal(bundleEntryText(plan.entries[0]!), 'delete jobs.a.b.permissions (already gone)');
    assert.equal(plan.counts.delete, 1);
  });

  it('refuses what is not a plan it can read, with the reason', () => {
    assert.throws(() => parseBundlePlan(''), BundlePlanError);
    assert.throws(() => parseBundlePlan('{"plan_version": 3, "plan": {}}'), /version 3/);
    assert.throws(
      () => parseBundlePlan('{"plan": {"resources.jobs.x": {"action": "explode"}}}'),
      /unknown action "explode"/,
    );
    assert.throws(() => parseBundlePlan('{"plan": '), /not JSON/);
    assert.equal(parseBundlePlan('{"plan_version": 2}').entries.length, 0);
  });
});

describe("bundleCliDiagnostics (the CLI's diagnostics in databricks.yml)", () => {
  const bundleDir = path.join(path.sep, 'p', 'databricks');
  const bundleFile = path.join(bundleDir, 'databricks.yml');
  const text = [
    'bundle:',
    '  name: b',
    'resources:',
    '  pipelines:',
    '    gold:',
    '      continuousx: false',
    '      libraries:',
    '        - notebook:',
    '            path: src/gold/missing.py',
    '',
  ].join('\n');
  const stderr = [
    'Warning: unknown field: continuousx',
    '  at resources.pipelines.gold',
    '  in databricks.yml:6:7',
    '',
    'Error: notebook src/gold/missing.py not found',
    '',
    'Error: reference does not exist: ${var.nope}',
    '',
    'Error: outside',
    '  in ../../etc/passwd:1:1',
    '',
  ].join('\n');

  it('places each at its location, or at the value it quotes, or at the top; never outside the project', () => {
    const parsed = parseBundleDiagnostics(stderr);
    assert.equal(parsed.length, 4);
    const diagnostics = bundleCliDiagnostics(parsed, bundleDir, bundleFile, {
      projectDir: path.dirname(bundleDir),
      textOf: f => (f === bundleFile ? text : undefined),
    });
    assert.deepEqual(
      diagnostics.map(d => [
        path.basename(d.file),
        d.severity,
        d.code,
        d.range.start.line,
        d.range.start.character,
        d.range.end.character,
      ]),
      [
        ['databricks.yml', 'warning', 'LH505', 5, 6, 24],
        ['databricks.yml', 'error', 'LH505', 8, 18, 37],
        ['databricks.yml', 'error', 'LH505', 0, 0, 1],
        ['databricks.yml', 'error', 'LH505', 0, 0, 1],
      ],
    );
    assert.match(
      diagnostics[0]!.message,
      /^Databricks CLI: unknown field: continuousx\nat resources\.pipelines\.gold$/,
    );
  });

  it('guesses the key of a configuration path when the summary quotes nothing in the file', () => {
    const guess = guessBundleOffset(
      {
        severity: 'Error',
        summary: 'bad',
        paths: ['resources.pipelines.gold.libraries[0]'],
        locations: [],
        detail: '',
      },
      text,
    );
    assert.ok(guess);
    assert.equal(text.slice(guess.offset, guess.offset + guess.length), 'libraries');
  });
});

describe('bundleTargetOf', () => {
  const meta = { rootDir: '/p', paths: { bundle: '/p/databricks', origin: {} } } as unknown as LakehouseMetadata;
  const env = (name: string, bundleTarget?: string) =>
    ({ name, protected: false, ...(bundleTarget ? { bundleTarget } : {}) }) as Environment;
  const yml = 'bundle:\n  name: b\ntargets:\n  dev:\n    default: true\n  prod: {}\n';

  it("takes the environment's bundleTarget, else its name, and checks databricks.yml has it", () => {
    assert.deepEqual(bundleTargetOf(meta, env('dev'), yml), {
      kind: 'target',
      bundleFile: path.join('/p/databricks', 'databricks.yml'),
      bundleDir: '/p/databricks',
      target: 'dev',
      targets: ['dev', 'prod'],
    });
    assert.equal((bundleTargetOf(meta, env('production', 'prod'), yml) as { target: string }).target, 'prod');
    const missing = bundleTargetOf(meta, env('staging'), yml);
    assert.equal(missing.kind, 'problem');
    assert.match(
      (missing as { message: string }).message,
      /no target 'staging'.*\(its targets: dev, prod\).*bundleTarget/,
    );
  });

  it('says there is nothing to deploy without databricks.yml, and why a broken one cannot be read', () => {
    assert.equal(bundleTargetOf(meta, env('dev'), undefined).kind, 'none');
    assert.match((bundleTargetOf(meta, env('dev'), 'targets: [a') as { message: string }).message, /not valid YAML/);
    assert.match((bundleTargetOf(meta, env('dev'), 'targets: [a, b]\n') as { message: string }).message, /not a map/);
    assert.match(
      (bundleTargetOf(meta, env('dev', '../x'), yml) as { message: string }).message,
      /not a bundle target name/,
    );
  });
});
