// The artifacts a deploy sends, read from a local ADF folder (ADF's git layout), and the keys that
// identify them: Data Factory names are case-insensitive, so `Pl_Load` and `pl_load` are one artifact.
import * as path from 'path';
import type { AdfKind } from '../adf/adfFile';
import type { AdfFactory } from '../adf/adfFolder';
import type { JsonObject } from '../adf/generate/adfJson';

/** The kinds of artifact a deploy writes, in the order that breaks ties between independent artifacts. */
export const DEPLOY_KINDS = [
  'integrationRuntime',
  'credential',
  'linkedService',
  'dataset',
  'dataflow',
  'pipeline',
  'trigger',
] as const;

export type DeployKind = (typeof DEPLOY_KINDS)[number];

export function isDeployKind(kind: string): kind is DeployKind {
  return (DEPLOY_KINDS as readonly string[]).includes(kind);
}

/** How a kind reads in a sentence. */
export function kindNoun(kind: DeployKind | AdfKind): string {
  switch (kind) {
    case 'integrationRuntime':
      return 'integration runtime';
    case 'linkedService':
      return 'linked service';
    case 'dataflow':
      return 'data flow';
    case 'managedVirtualNetwork':
      return 'managed virtual network';
    default:
      return kind;
  }
}

/** One artifact as the folder defines it. */
export interface LocalArtifact {
  kind: DeployKind;
  name: string;
  /** The file's JSON: `{name, properties, …}`. */
  value: JsonObject;
  file: string;
}

/** An artifact as the factory returns it (ARM adds id, etag and type; a trigger's properties carry its runtimeState). */
export interface RemoteArtifact {
  kind: DeployKind;
  name: string;
  value: JsonObject;
}

/** What stops a deploy before anything is written, said for the user. */
export interface DeployProblem {
  message: string;
  /** The file or artifact it is about, when there is one. */
  file?: string;
  kind?: DeployKind;
  name?: string;
}

export interface LocalArtifacts {
  root: string;
  artifacts: LocalArtifact[];
  /** Files that cannot be deployed as they are (syntax errors, not an artifact, duplicate names). */
  problems: DeployProblem[];
  /** What the folder holds that a deploy does not write (the factory file, managed virtual networks). */
  notes: string[];
}

/** The identity of an artifact in a factory: its kind and its name in lower case. */
export function artifactKey(kind: DeployKind, name: string): string {
  return `${kind}/${name.toLowerCase()}`;
}

export function describeArtifact(kind: DeployKind, name: string): string {
  return `${kindNoun(kind)} '${name}'`;
}

/** The deployable artifacts of a folder read by loadAdfFolder, with what keeps any of them from deploying. */
export function localArtifactsOf(factory: AdfFactory): LocalArtifacts {
  const result: LocalArtifacts = { root: factory.root, artifacts: [], problems: [], notes: [] };
  const seen = new Map<string, LocalArtifact>();
  const skipped = new Map<AdfKind, number>();
  for (const file of factory.files) {
    const relative = path.relative(factory.root, file.file) || file.file;
    if (!isDeployKind(file.kind)) {
      skipped.set(file.kind, (skipped.get(file.kind) ?? 0) + 1);
      continue;
    }
    const errors = file.diagnostics.filter(d => d.severity === 'error');
    if (file.name === undefined || errors.length > 0 || !isJsonObject(file.value)) {
      const why = errors[0]?.message ?? 'it is not an ADF artifact (a JSON object with "name" and "properties").';
      result.problems.push({ file: file.file, message: `${relative} cannot be deployed: ${why}` });
      continue;
    }
    const key = artifactKey(file.kind, file.name);
    const earlier = seen.get(key);
    if (earlier) {
      result.problems.push({
        file: file.file,
        kind: file.kind,
        name: file.name,
        message:
          `${relative} and ${path.relative(factory.root, earlier.file)} both define ${describeArtifact(file.kind, file.name)}` +
          ` (Data Factory names ignore letter case): keep one.`,
      });
      continue;
    }
    const artifact: LocalArtifact = { kind: file.kind, name: file.name, value: file.value, file: file.file };
    seen.set(key, artifact);
    result.artifacts.push(artifact);
  }
  if (skipped.has('factory'))
    result.notes.push(
      'factory/: the factory itself (its identity, global parameters and git settings) is not deployed; ' +
        'set those on the factory of each environment.',
    );
  if (skipped.has('managedVirtualNetwork'))
    result.notes.push(
      'managedVirtualNetwork/: managed virtual networks and private endpoints are not deployed; ' +
        'create them in the factory first (integration runtimes that use them refer to them).',
    );
  return result;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
