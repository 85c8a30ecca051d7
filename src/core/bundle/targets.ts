// Which bundle target an environment deploys: `environments.<env>.bundleTarget`, else the
// environment's own name; it must be a target of databricks.yml, said before the CLI runs.
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import type { Environment, LakehouseMetadata } from '../metadata/model';
import { bundleFileOf } from '../metadata/bundleRules';

export type BundleTargetChoice =
  | { kind: 'target'; bundleFile: string; bundleDir: string; target: string; targets: string[] }
  | { kind: 'none'; reason: string }
  | { kind: 'problem'; bundleFile: string; message: string };

const TARGET_NAME = /^[\w.-]{1,128}$/;

/** The targets databricks.yml declares (in order), or why they cannot be read. */
export function bundleTargetNames(text: string): { targets: string[] } | { problem: string } {
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 100 });
  } catch (e) {
    return { problem: `databricks.yml is not valid YAML: ${(e as Error).message.split('\n')[0]}` };
  }
  const targets = doc && typeof doc === 'object' ? (doc as { targets?: unknown }).targets : undefined;
  if (targets === undefined || targets === null) return { targets: [] };
  if (typeof targets !== 'object' || Array.isArray(targets))
    return { problem: "databricks.yml's targets is not a map" };
  return { targets: Object.keys(targets) };
}

/**
 * The bundle target of an environment. `bundleText` is databricks.yml's text, undefined when the
 * project has none (then there is nothing to deploy on the Databricks side: kind 'none').
 */
export function bundleTargetOf(
  meta: LakehouseMetadata,
  environment: Environment | undefined,
  bundleText: string | undefined,
): BundleTargetChoice {
  const bundleFile = bundleFileOf(meta);
  if (bundleText === undefined) return { kind: 'none', reason: 'the project has no databricks.yml' };
  if (!environment) return { kind: 'problem', bundleFile, message: 'no environment to take the bundle target from' };
  const target = environment.bundleTarget ?? environment.name;
  if (!TARGET_NAME.test(target))
    return { kind: 'problem', bundleFile, message: `'${target}' is not a bundle target name (letters, digits, _ . -)` };
  const names = bundleTargetNames(bundleText);
  if ('problem' in names) return { kind: 'problem', bundleFile, message: names.problem };
  if (!names.targets.includes(target))
    return {
      kind: 'problem',
      bundleFile,
      message:
        `databricks.yml has no target '${target}' for environment '${environment.name}'` +
        (names.targets.length ? ` (its targets: ${names.targets.join(', ')})` : ' (it declares no targets)') +
        `; add it, or set environments.${environment.name}.bundleTarget in lakehouse.yaml`,
    };
  return { kind: 'target', bundleFile, bundleDir: path.dirname(bundleFile), target, targets: names.targets };
}
