// The models of @azure/arm-datafactory 12, as its own operations serialise them. The package
// exports no mappers, but every operation hands its OperationSpec (whose serializer holds the
// package's Mappers) to ServiceClient.sendOperationRequest: intercept one call to get them,
// through public @azure/core-client types only and without a request leaving the process.
import type { CompositeMapper, Mapper, OperationArguments, OperationSpec, Serializer } from '@azure/core-client';
import { createSerializer } from '@azure/core-client';

type Models = { serializer: Serializer; mappers: Record<string, Mapper> & { discriminators: Record<string, Mapper> } };

let models: Promise<Models> | undefined;

export function dataFactoryModels(): Promise<Models> {
  models ??= (async () => {
    // Loaded lazily, as product code will load it: it is a large module.
    const { DataFactoryManagementClient } = await import('@azure/arm-datafactory');
    const client = new DataFactoryManagementClient(
      { getToken: async () => ({ token: 'unused', expiresOnTimestamp: Date.now() + 3600_000 }) },
      '00000000-0000-0000-0000-000000000000',
    );
    let captured: Serializer | undefined;
    client.sendOperationRequest = async <T>(_args: OperationArguments, spec: OperationSpec): Promise<T> => {
      captured = spec.serializer;
      throw new Error('captured');
    };
    await client.pipelines.get('rg', 'factory', 'pipeline').catch(() => undefined);
    if (!captured) throw new Error('@azure/arm-datafactory did not hand its serializer to sendOperationRequest');
    const mappers = captured.modelMappers as Models['mappers'];
    return { serializer: createSerializer(mappers, false), mappers };
  })();
  return models;
}

export const RESOURCE_MAPPER = {
  pipeline: 'PipelineResource',
  dataset: 'DatasetResource',
  linkedService: 'LinkedServiceResource',
  trigger: 'TriggerResource',
} as const;

/** The artifact as the SDK hands it to the service: deserialised into the models and serialised back (read-only fields dropped). */
export async function throughSdkModels(kind: keyof typeof RESOURCE_MAPPER, value: unknown): Promise<unknown> {
  const { serializer, mappers } = await dataFactoryModels();
  const mapper = mappers[RESOURCE_MAPPER[kind]] as CompositeMapper;
  const model: unknown = serializer.deserialize(mapper, value, 'artifact');
  return serializer.serialize(mapper, model, 'artifact');
}

/** Keys whose object (or array of objects) is a polymorphic model, chosen by its `type`. */
const POLYMORPHIC_KEYS = new Set([
  'properties',
  'activities',
  'ifTrueActivities',
  'ifFalseActivities',
  'source',
  'sink',
  'storeSettings',
  'formatSettings',
  'location',
  'translator',
]);

/**
 * Every polymorphic `type` in the artifact that the SDK does not know: a model it falls back to
 * the base class for, keeping what it cannot name as untyped extra properties.
 */
export async function unknownDiscriminators(value: unknown): Promise<string[]> {
  const { mappers } = await dataFactoryModels();
  const known = new Set(Object.keys(mappers.discriminators).map(k => k.slice(k.indexOf('.') + 1)));
  const unknown: string[] = [];
  const visit = (node: unknown, where: string, polymorphic: boolean) => {
    if (Array.isArray(node)) node.forEach((n, i) => visit(n, `${where}[${i}]`, polymorphic));
    else if (node && typeof node === 'object') {
      const obj = node as Record<string, unknown>;
      if (polymorphic && typeof obj.type === 'string' && !known.has(obj.type))
        unknown.push(`${where}.type = ${obj.type}`);
      for (const [k, v] of Object.entries(obj)) visit(v, `${where}.${k}`, POLYMORPHIC_KEYS.has(k));
    }
  };
  visit(value, '$', false);
  return unknown;
}
