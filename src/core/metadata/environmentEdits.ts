// Edits of an environment's values in lakehouse.yaml, where it declares them (a fragment's too):
// a value it has is replaced in place, one it lacks is added to its map, comments and layout kept.
import type { TextEdit } from '../diagnostics/diagnostic';
import type { MetadataLocator } from './locator';
import type { Environment } from './model';

export type EnvironmentValues = Partial<Record<'subscriptionId' | 'tenantId' | 'resourceGroup' | 'factory', string>>;

/** A plain scalar when YAML reads it back as the same string, else a double-quoted one. */
function yamlScalar(value: string): string {
  return /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(value) && !/^(true|false|null|yes|no|on|off|~|[0-9.e+-]+)$/i.test(value)
    ? value
    : JSON.stringify(value);
}

/** The edits that give `environment` these values; undefined when its map cannot be edited in place (a flow map). */
export function environmentValueEdits(
  at: MetadataLocator,
  environment: Environment,
  values: EnvironmentValues,
): TextEdit[] | undefined {
  const edits: TextEdit[] = [];
  const added: string[] = [];
  for (const [key, value] of Object.entries(values) as [keyof EnvironmentValues, string | undefined][]) {
    if (value === undefined || environment[key] === value) continue;
    if (environment[key] !== undefined) {
      const edit = at.replaceValue(environment.origin, [key], yamlScalar(value));
      if (!edit) return undefined;
      edits.push(edit);
    } else added.push(`${key}: ${yamlScalar(value)}`);
  }
  if (added.length) {
    const edit = at.appendToMap(environment.origin, added);
    if (!edit) return undefined;
    edits.push(edit);
  }
  return edits;
}
