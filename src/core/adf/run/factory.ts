// The factory a run reads: pipelines, datasets, linked services, triggers and global parameters,
// by name (case-insensitively, as ADF resolves references), from a loaded ADF folder or from
// plain JSON artifacts.

import type { AdfFactory } from '../adfFolder';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

export interface RunFactory {
  /** The factory's name (pipeline().DataFactory), when known. */
  name?: string;
  pipeline(name: string): Obj | undefined;
  dataset(name: string): Obj | undefined;
  linkedService(name: string): Obj | undefined;
  /** Every trigger artifact. */
  triggers(): Obj[];
  /** The factory's global parameters: name → { type, value }. */
  globalParameters(): Obj;
}

function byName(artifacts: readonly unknown[]): (name: string) => Obj | undefined {
  const map = new Map<string, Obj>();
  for (const a of artifacts) {
    if (!isObj(a) || typeof a.name !== 'string') continue;
    const key = a.name.toLowerCase();
    if (!map.has(key)) map.set(key, a);
  }
  return name => map.get(name.toLowerCase());
}

export interface FactoryJson {
  name?: string;
  pipelines?: unknown[];
  datasets?: unknown[];
  linkedServices?: unknown[];
  triggers?: unknown[];
  /** The factory artifact (factory/<name>.json), for its global parameters. */
  factory?: unknown;
  globalParameters?: Obj;
}

/** A factory from plain JSON artifacts (tests, or pipelines not on disk). */
export function factoryFromJson(json: FactoryJson): RunFactory {
  const factoryProps = isObj(json.factory) && isObj(json.factory.properties) ? json.factory.properties : undefined;
  const globals = json.globalParameters ?? (isObj(factoryProps?.globalParameters) ? factoryProps.globalParameters : {});
  const triggers = (json.triggers ?? []).filter(isObj);
  return {
    name: json.name ?? (isObj(json.factory) && typeof json.factory.name === 'string' ? json.factory.name : undefined),
    pipeline: byName(json.pipelines ?? []),
    dataset: byName(json.datasets ?? []),
    linkedService: byName(json.linkedServices ?? []),
    triggers: () => triggers,
    globalParameters: () => globals,
  };
}

/** A factory from an ADF folder loaded by loadAdfFolder (files that did not parse are left out). */
export function factoryFromFolder(factory: AdfFactory): RunFactory {
  const values = (kind: 'pipeline' | 'dataset' | 'linkedService' | 'trigger' | 'factory') =>
    [...(factory.artifacts.get(kind)?.values() ?? [])].map(f => f.value);
  const factories = values('factory').filter(isObj);
  return factoryFromJson({
    name: typeof factories[0]?.name === 'string' ? factories[0].name : undefined,
    pipelines: values('pipeline'),
    datasets: values('dataset'),
    linkedServices: values('linkedService'),
    triggers: values('trigger'),
    factory: factories[0],
  });
}
