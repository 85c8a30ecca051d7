// `lakehouse deploy --env E [--dry-run] [--delete-missing]`: the Databricks bundle's target for E
// (planned and deployed with the Databricks CLI), then the project's ADF folder, as generation makes
// it for E, planned against the factory and applied in the order of references.
import * as path from 'path';
import { applyDeploy, planDeploy, readFactory, stepText, type DeployPlan, type DeployReport } from '../../core/deploy';
import { deployablesOf } from '../../core/deploy/projectArtifacts';
import type { SeedResult } from '../../core/deploy/watermarks';
import { factoryApiFor, seedTargetWatermarks } from '../../azure/clients';
import {
  applyBundleStep,
  planBundleStep,
  type BundleStepPlan,
  type BundleStepResult,
} from '../../azure/databricks/bundleStep';
import { bundleEntryText, bundlePlanSummary, bundleDiagnosticText } from '../../core/bundle';
import { readGeneratedText } from '../../core/files/generatedFiles';
import { parse, UsageError } from '../args';
import type { Io } from '../main';
import { formatOf, openTarget, PROJECT_OPTIONS } from './target';

export const DEPLOY_USAGE = `  deploy --env ENV [--dry-run] [--delete-missing] [--confirm ENV] [--project DIR] [--format text|json]
         [--skip-bundle] [--databricks-cli PATH]
                                           Deploy the project to ENV. First the Databricks bundle: \`databricks
                                           bundle plan -t TARGET\` (TARGET: the environment's bundleTarget, else
                                           its name), then \`bundle deploy\` of that plan, with the Databricks
                                           CLI from --databricks-cli, $LAKEHOUSE_DATABRICKS_CLI or the PATH and
                                           its own authentication. Then the Data Factory folder (generated
                                           artifacts as generation makes them for ENV) onto ENV's factory: a
                                           plan (create / update / unchanged; deletes only with
                                           --delete-missing), then the writes in the order of references,
                                           changed triggers stopped and started again. A protected environment
                                           needs --confirm ENV. --env local deploys to the local emulator.
                                           Exit 0: deployed or up to date (--dry-run: the plans have no
                                           problems); 1: problems, failures or refused; 2: usage or I/O error.
`;

export async function deployCommand(args: string[], io: Io, usage: string): Promise<number> {
  const { values, positionals } = parse(args, {
    ...PROJECT_OPTIONS,
    'dry-run': { type: 'boolean' },
    'delete-missing': { type: 'boolean' },
    confirm: { type: 'string' },
    'skip-bundle': { type: 'boolean' },
    'databricks-cli': { type: 'string' },
  });
  if (values.help) {
    io.stdout(usage);
    return 0;
  }
  if (positionals.length) throw new UsageError('deploy takes no positional arguments (the project is --project DIR).');
  const format = formatOf(values);
  const opened = await openTarget(values, io);
  const { target } = opened;
  const dryRun = values['dry-run'] === true;
  if (!dryRun && target.protected && values.confirm !== target.environment) {
    io.stderr(
      `lakehouse: '${target.environment}' is a protected environment: add --confirm ${target.environment} to deploy to it ` +
        `(run with --dry-run first to see the plan).\n`,
    );
    return 1;
  }
  const deployables = await deployablesOf(opened.snapshot, opened.host, target.artifactsEnvironment, file =>
    readGeneratedText(opened.host, file),
  );
  const api = factoryApiFor(target, opened.credential);
  const options = { deleteMissing: values['delete-missing'] === true };
  if (format === 'text')
    io.stderr(
      `Deploying ${deployables.adfRoot} to ${target.label}: factory ${target.factory.name} (${opened.credentialDescription})\n`,
    );
  // The Databricks side first: the notebooks and the gold pipeline exist before a trigger runs them.
  let bundle: BundleStepPlan = { kind: 'skipped', reason: 'skipped (--skip-bundle)' };
  if (values['skip-bundle'] !== true) {
    const configuredCli = (values['databricks-cli'] as string | undefined) ?? process.env.LAKEHOUSE_DATABRICKS_CLI;
    if (format === 'text') io.stderr(`Planning the Databricks bundle (databricks bundle plan)…\n`);
    bundle = await planBundleStep({
      snapshot: opened.snapshot,
      host: opened.host,
      target,
      ...(configuredCli ? { configuredCli: path.resolve(io.cwd, configuredCli) } : {}),
      onLine: (line, stream) => {
        if (format === 'text' && stream === 'stderr' && line.trim()) io.stderr(`  databricks: ${line}\n`);
      },
    });
  }
  if (format === 'text') printBundlePlan(bundle, io);
  if (bundle.kind === 'blocked') {
    if (format === 'json')
      io.stdout(
        `${JSON.stringify({ environment: target.environment, target: target.label, dryRun, bundle: bundleJson(bundle) }, null, 2)}\n`,
      );
    else io.stderr(`Nothing was deployed. Fix the bundle, or deploy the Data Factory alone with --skip-bundle.\n`);
    return 1;
  }
  let bundleResult: BundleStepResult | undefined;
  if (!dryRun && bundle.kind === 'planned') {
    bundleResult = await applyBundleStep(bundle, {
      onLine: line => {
        if (format === 'text' && line.trim()) io.stderr(`  databricks: ${line}\n`);
      },
    });
    if (format === 'text') io.stdout(`bundle    ${bundleResult.message}\n`);
    if (!bundleResult.ok) {
      if (format === 'json')
        io.stdout(
          `${JSON.stringify({ environment: target.environment, target: target.label, dryRun, bundle: bundleJson(bundle, bundleResult) }, null, 2)}\n`,
        );
      else io.stderr(`The Data Factory was not written: the bundle failed first.\n`);
      return 1;
    }
  }
  let plan: DeployPlan;
  let report: DeployReport | undefined;
  if (dryRun) plan = planDeploy(deployables.local, await readFactory(api), options);
  else {
    report = await applyDeploy(api, deployables.local, {
      ...options,
      onProgress: p => {
        if (format === 'text')
          io.stderr(
            `  [${p.index}/${p.total}] ${stepText(p.step)}: ${p.outcome}${p.message ? ` (${p.message})` : ''}\n`,
          );
      },
    });
    plan = report.plan;
  }
  // Before the first run: each incremental table's watermark file, where none exists.
  const seeds: SeedResult[] =
    report?.status === 'applied' ? await seedTargetWatermarks(target, opened.credential, opened.snapshot.metadata) : [];
  if (format === 'json') {
    io.stdout(
      `${JSON.stringify(
        {
          environment: target.environment,
          target: target.label,
          factory: target.factory.name,
          dryRun,
          bundle: bundleJson(bundle, bundleResult),
          regenerated: deployables.regenerated,
          problems: plan.problems.map(p => p.message),
          warnings: plan.warnings,
          notes: plan.notes,
          counts: plan.counts,
          changes: plan.changes.map(c => ({
            kind: c.kind,
            name: c.name,
            action: c.action,
            summary: c.summary,
            warnings: c.warnings,
          })),
          ...(report
            ? {
                status: report.status,
                message: report.message,
                writes: report.writes,
                artifacts: report.artifacts,
                triggers: report.triggers,
                watermarks: seeds.map(r => ({
                  table: r.seed.table,
                  container: r.seed.container,
                  path: r.seed.path,
                  outcome: r.outcome,
                  ...(r.message ? { message: r.message } : {}),
                })),
              }
            : {}),
        },
        null,
        2,
      )}\n`,
    );
  } else {
    for (const p of plan.problems) io.stderr(`error: ${p.message}\n`);
    for (const w of plan.warnings) io.stderr(`warning: ${w}\n`);
    for (const n of plan.notes) io.stderr(`note: ${n}\n`);
    if (report) {
      for (const a of report.artifacts)
        if (a.outcome !== 'unchanged')
          io.stdout(`${a.outcome.padEnd(9)} ${a.kind} ${a.name}${a.message ? `: ${a.message}` : ''}\n`);
      for (const t of report.triggers) io.stdout(`trigger   ${t.name}: ${describeTrigger(t)}\n`);
      for (const r of seeds)
        if (r.outcome !== 'exists')
          io.stdout(
            `watermark ${r.seed.container}/${r.seed.path}: ${r.outcome}${r.message ? ` (${r.message})` : ''}\n`,
          );
      io.stdout(`${report.message}\n`);
    } else {
      for (const c of plan.changes)
        if (c.action !== 'unchanged')
          io.stdout(`${c.action.padEnd(9)} ${c.kind} ${c.name}${c.summary ? `: ${c.summary}` : ''}\n`);
      const counts = Object.entries(plan.counts)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `${n} ${k}`)
        .join(', ');
      io.stdout(`${plan.upToDate ? 'Up to date' : 'Plan'}: ${counts || 'nothing'} (dry run: nothing written)\n`);
    }
  }
  if (plan.problems.length) return 1;
  return (report && report.status !== 'applied') || seeds.some(r => r.outcome === 'failed') ? 1 : 0;
}

/** The bundle step in the JSON report: stable keys (see the CLI's --help and docs). */
function bundleJson(bundle: BundleStepPlan, result?: BundleStepResult): Record<string, unknown> {
  const diagnostics = (result?.cliDiagnostics ?? [])
    .concat(bundle.kind === 'skipped' ? [] : bundle.cliDiagnostics)
    .map(d => ({
      severity: d.severity.toLowerCase(),
      summary: d.summary,
      locations: d.locations,
      paths: d.paths,
    }));
  if (bundle.kind === 'skipped') return { status: 'skipped', reason: bundle.reason };
  if (bundle.kind === 'blocked') return { status: 'blocked', message: bundle.message, diagnostics };
  return {
    status: result
      ? result.ok
        ? bundle.changes
          ? 'deployed'
          : 'up-to-date'
        : 'failed'
      : bundle.changes
        ? 'planned'
        : 'up-to-date',
    target: bundle.target,
    cli: { path: bundle.cli.path, version: bundle.cli.version },
    summary: bundlePlanSummary(bundle.plan),
    counts: bundle.plan.counts,
    changes: bundle.plan.entries.map(e => ({ resource: e.key, action: e.action })),
    ...(result ? { message: result.message } : {}),
    diagnostics,
  };
}

function printBundlePlan(bundle: BundleStepPlan, io: Io): void {
  if (bundle.kind === 'skipped') {
    io.stderr(`note: Databricks bundle not deployed: ${bundle.reason}\n`);
    return;
  }
  for (const d of bundle.cliDiagnostics) io.stderr(`databricks ${bundleDiagnosticText(d)}\n`);
  if (bundle.kind === 'blocked') {
    io.stderr(`error: ${bundle.message}\n`);
    return;
  }
  io.stderr(
    `Databricks bundle target ${bundle.target} (Databricks CLI v${bundle.cli.version}): ${bundlePlanSummary(bundle.plan)}\n`,
  );
  for (const e of bundle.plan.entries) if (e.action !== 'skip') io.stdout(`bundle    ${bundleEntryText(e)}\n`);
}

function describeTrigger(t: DeployReport['triggers'][number]): string {
  const parts = [
    t.stopped ? 'stopped' : '',
    t.subscribed ? 'subscribed to events' : '',
    t.started ? 'started' : '',
    t.error ? `error: ${t.error}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return parts || 'unchanged';
}
