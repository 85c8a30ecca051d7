// The Databricks side of `deploy`, shared by the CLI and the editor: the environment's bundle
// target is planned with the Databricks CLI (`bundle plan -o json`), the plan is shown, and the
// same plan is applied (`bundle deploy --plan`). It runs before the Data Factory is written, so
// that the notebooks and the gold pipeline exist before a started trigger runs them.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import {
  bundleCliDiagnostics,
  bundlePlanHasChanges,
  bundleTargetOf,
  type BundleCliDiagnostic,
  type BundlePlan,
} from '../../core/bundle';
import type { Diagnostic } from '../../core/diagnostics/diagnostic';
import { bundleFileOf } from '../../core/metadata/bundleRules';
import { isInside } from '../../core/files/containment';
import type { FileHost } from '../../core/files/fileHost';
import { readGeneratedText } from '../../core/files/generatedFiles';
import type { ProjectSnapshot } from '../../core/project/projectSession';
import type { OperationsTarget } from '../target';
import {
  deployBundle,
  findDatabricksCli,
  planBundle,
  writePlanFile,
  type BundleOutcome,
  type DatabricksCli,
} from './bundleCli';

export interface BundleStepOptions {
  snapshot: ProjectSnapshot;
  host: Pick<FileHost, 'readFile'>;
  target: OperationsTarget;
  /** The CLI a setting or flag names; else the PATH (and, for the local emulator, the provisioned one). */
  configuredCli?: string;
  /** Variables that authenticate the CLI to an Azure workspace (the editor's account token); none: the CLI's own auth. */
  auth?: Record<string, string>;
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  signal?: AbortSignal;
}

export type BundleStepPlan =
  | { kind: 'skipped'; reason: string }
  | { kind: 'blocked'; message: string; diagnostics: Diagnostic[]; cliDiagnostics: BundleCliDiagnostic[] }
  | {
      kind: 'planned';
      cli: DatabricksCli;
      target: string;
      bundleDir: string;
      bundleFile: string;
      projectDir: string;
      place: Place;
      plan: BundlePlan;
      planFile: string;
      changes: boolean;
      env: Record<string, string | undefined>;
      /** The CLI's warnings while planning, placed in the bundle's files. */
      diagnostics: Diagnostic[];
      cliDiagnostics: BundleCliDiagnostic[];
    };

export interface BundleStepResult {
  ok: boolean;
  message: string;
  diagnostics: Diagnostic[];
  cliDiagnostics: BundleCliDiagnostic[];
}

/** Variables that would point the CLI somewhere else than the local workspace; removed for it. */
const FOREIGN_AUTH = [
  'DATABRICKS_HOST',
  'DATABRICKS_CONFIG_PROFILE',
  'DATABRICKS_CLIENT_ID',
  'DATABRICKS_CLIENT_SECRET',
  'DATABRICKS_AZURE_RESOURCE_ID',
  'DATABRICKS_ACCOUNT_ID',
  'ARM_CLIENT_ID',
  'ARM_CLIENT_SECRET',
  'ARM_TENANT_ID',
  'ARM_USE_MSI',
  'AZURE_CLIENT_ID',
  'AZURE_CLIENT_SECRET',
  'AZURE_TENANT_ID',
  'NO_PROXY',
  'no_proxy',
];

/**
 * The CLI's local deployment state for the local emulator's workspace: its own folder per workspace
 * (the workspace lives in memory, so a restarted emulator starts empty), never the bundle's
 * `.databricks/`, which holds the state of the real workspace of the same target.
 */
function localStateDir(projectDir: string, local: NonNullable<OperationsTarget['localDatabricks']>): string {
  const root = path.join(projectDir, '.lakehouse', 'emulator', 'bundle-state');
  const key = createHash('sha256').update(local.proxy).digest('hex').slice(0, 16);
  if (fs.existsSync(root))
    for (const entry of fs.readdirSync(root))
      if (entry !== key) fs.rmSync(path.join(root, entry), { recursive: true, force: true });
  const dir = path.join(root, key);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** The CLI's environment for the local emulator's workspace: its proxy and CA, a token, nothing of the user's. */
function localEnvironment(
  projectDir: string,
  local: NonNullable<OperationsTarget['localDatabricks']>,
): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = Object.fromEntries(FOREIGN_AUTH.map(k => [k, undefined]));
  return {
    ...env,
    DATABRICKS_BUNDLE_TMP: localStateDir(projectDir, local),
    HTTPS_PROXY: local.proxy,
    https_proxy: local.proxy,
    SSL_CERT_FILE: local.ca,
    DATABRICKS_TOKEN: 'dapi-lakehouse-local-emulator',
    DATABRICKS_AUTH_TYPE: 'pat',
    // Never the user's ~/.databrickscfg: its profiles name real workspaces.
    DATABRICKS_CONFIG_FILE: path.join(projectDir, '.lakehouse', 'emulator', 'databrickscfg-unused'),
  };
}

interface Place {
  bundleDir: string;
  bundleFile: string;
  projectDir: string;
  bundleText: string | undefined;
}

const placed = (diagnostics: readonly BundleCliDiagnostic[], place: Place): Diagnostic[] =>
  bundleCliDiagnostics(diagnostics, place.bundleDir, place.bundleFile, {
    projectDir: place.projectDir,
    textOf: file => (file === place.bundleFile ? place.bundleText : undefined),
  });

function blocked(
  message: string,
  outcome?: BundleOutcome,
  place?: { bundleDir: string; bundleFile: string; projectDir: string },
): BundleStepPlan {
  const cliDiagnostics = outcome?.diagnostics ?? [];
  return {
    kind: 'blocked',
    message,
    cliDiagnostics,
    diagnostics: place
      ? bundleCliDiagnostics(cliDiagnostics, place.bundleDir, place.bundleFile, { projectDir: place.projectDir })
      : [],
  };
}

/** What the CLI said went wrong, in one line: its first error, else the last line it printed. */
function failureOf(outcome: BundleOutcome): string {
  if (outcome.failure) return outcome.failure;
  const error = outcome.diagnostics.find(d => d.severity === 'Error');
  if (error) return error.summary;
  const last = outcome.stderr.trim().split('\n').pop();
  return last ? last.trim() : `exit ${outcome.exitCode}`;
}

export async function planBundleStep(options: BundleStepOptions): Promise<BundleStepPlan> {
  const { snapshot, target } = options;
  const projectDir = path.dirname(snapshot.rootFile);
  const environment = snapshot.metadata.environments.find(e => e.name === target.artifactsEnvironment);
  const bundleFile = bundleFileOf(snapshot.metadata);
  if (!isInside(bundleFile, projectDir))
    return blocked(`${bundleFile} is outside the project: it is not deployed from here`);
  const text = await readGeneratedText(options.host, bundleFile);
  const choice = bundleTargetOf(snapshot.metadata, environment, text);
  if (choice.kind === 'none') return { kind: 'skipped', reason: choice.reason };
  if (choice.kind === 'problem') return blocked(`${path.basename(choice.bundleFile)}: ${choice.message}`);
  if (target.local && !target.localDatabricks)
    return {
      kind: 'skipped',
      reason:
        'the local emulator has no Databricks workspace (bash scripts/provision-databricks-cli.sh builds it, then restart the emulator)',
    };
  const found = await findDatabricksCli({
    ...(options.configuredCli ? { configured: options.configuredCli } : {}),
  });
  let cli: DatabricksCli | undefined = found.ok ? found.cli : undefined;
  if (!cli && target.local && target.localDatabricks?.cli && !options.configuredCli) {
    const provisioned = await findDatabricksCli({ configured: target.localDatabricks.cli });
    if (provisioned.ok) cli = provisioned.cli;
  }
  if (!cli) return blocked(found.ok ? 'no Databricks CLI' : found.message);
  const env =
    target.local && target.localDatabricks
      ? localEnvironment(projectDir, target.localDatabricks)
      : { ...(options.auth ?? {}) };
  const place: Place = { bundleDir: choice.bundleDir, bundleFile: choice.bundleFile, projectDir, bundleText: text };
  const outcome = await planBundle({
    cli,
    bundleDir: choice.bundleDir,
    target: choice.target,
    env,
    ...(options.onLine ? { onLine: options.onLine } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (!outcome.plan)
    return blocked(
      `databricks bundle plan -t ${choice.target} failed: ${outcome.planProblem ?? failureOf(outcome)}`,
      outcome,
      place,
    );
  const planFile = writePlanFile(path.join(projectDir, '.lakehouse', 'bundle'), choice.target, outcome.stdout);
  return {
    kind: 'planned',
    cli,
    target: choice.target,
    bundleDir: choice.bundleDir,
    bundleFile: choice.bundleFile,
    projectDir,
    plan: outcome.plan,
    planFile,
    changes: bundlePlanHasChanges(outcome.plan),
    env,
    cliDiagnostics: outcome.diagnostics,
    diagnostics: placed(outcome.diagnostics, place),
    place,
  };
}

/** Applies a planned bundle step (nothing to do when the plan has no changes). */
export async function applyBundleStep(
  planned: Extract<BundleStepPlan, { kind: 'planned' }>,
  options: Pick<BundleStepOptions, 'onLine' | 'signal'> = {},
): Promise<BundleStepResult> {
  if (!planned.changes)
    return { ok: true, message: `bundle target ${planned.target} is up to date`, diagnostics: [], cliDiagnostics: [] };
  const outcome = await deployBundle({
    cli: planned.cli,
    bundleDir: planned.bundleDir,
    target: planned.target,
    planFile: planned.planFile,
    env: planned.env,
    ...(options.onLine ? { onLine: options.onLine } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const diagnostics = placed(outcome.diagnostics, planned.place);
  const ok = !outcome.failure && outcome.exitCode === 0;
  return {
    ok,
    message: ok
      ? `bundle target ${planned.target} deployed`
      : `databricks bundle deploy -t ${planned.target} failed: ${failureOf(outcome)}`,
    diagnostics,
    cliDiagnostics: outcome.diagnostics,
  };
}
