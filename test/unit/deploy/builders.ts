// Typed builders of ADF artifacts for the deploy tests: what ADF Studio writes, reduced to what matters.
import type { JsonObject } from '../../../src/core/adf/generate/adfJson';
import type { DeployKind, LocalArtifact, LocalArtifacts } from '../../../src/core/deploy';

export const ref = (type: string, referenceName: string): JsonObject => ({ referenceName, type });

export function integrationRuntime(name: string): [DeployKind, JsonObject] {
  return ['integrationRuntime', { name, properties: { type: 'SelfHosted', typeProperties: {} } }];
}

export function credential(name: string): [DeployKind, JsonObject] {
  return [
    'credential',
    { name, properties: { type: 'ManagedIdentity', typeProperties: { resourceId: `/subscriptions/s/uami/${name}` } } },
  ];
}

export function linkedService(
  name: string,
  options: { connectVia?: string; keyVault?: string; credential?: string; url?: string } = {},
): [DeployKind, JsonObject] {
  const typeProperties: JsonObject = { url: options.url ?? `https://${name}.example.net/` };
  if (options.keyVault)
    typeProperties.password = {
      type: 'AzureKeyVaultSecret',
      store: ref('LinkedServiceReference', options.keyVault),
      secretName: 'pw',
    };
  if (options.credential) typeProperties.credential = ref('CredentialReference', options.credential);
  return [
    'linkedService',
    {
      name,
      type: 'Microsoft.DataFactory/factories/linkedservices',
      properties: {
        annotations: [],
        type: 'AzureBlobFS',
        typeProperties,
        ...(options.connectVia ? { connectVia: ref('IntegrationRuntimeReference', options.connectVia) } : {}),
      },
    },
  ];
}

export function dataset(name: string, linked: string): [DeployKind, JsonObject] {
  return [
    'dataset',
    {
      name,
      properties: {
        linkedServiceName: ref('LinkedServiceReference', linked),
        annotations: [],
        type: 'Json',
        typeProperties: { location: { type: 'AzureBlobFSLocation', fileSystem: 'bronze' } },
      },
    },
  ];
}

export function pipeline(
  name: string,
  options: { executes?: string[]; reads?: string[]; waitSeconds?: number; dataflow?: string } = {},
): [DeployKind, JsonObject] {
  const activities: JsonObject[] = [
    {
      name: 'wait',
      type: 'Wait',
      dependsOn: [],
      userProperties: [],
      typeProperties: { waitTimeInSeconds: options.waitSeconds ?? 1 },
    },
  ];
  for (const child of options.executes ?? [])
    activities.push({
      name: `run_${child}`,
      type: 'ExecutePipeline',
      dependsOn: [],
      userProperties: [],
      typeProperties: { pipeline: ref('PipelineReference', child), waitOnCompletion: true },
    });
  for (const ds of options.reads ?? [])
    activities.push({
      name: `read_${ds}`,
      type: 'Lookup',
      dependsOn: [],
      userProperties: [],
      typeProperties: { source: { type: 'JsonSource' }, dataset: ref('DatasetReference', ds) },
    });
  if (options.dataflow)
    activities.push({
      name: 'flow',
      type: 'ExecuteDataFlow',
      dependsOn: [],
      userProperties: [],
      typeProperties: { dataflow: ref('DataFlowReference', options.dataflow) },
    });
  return ['pipeline', { name, properties: { activities, annotations: [] } }];
}

export function dataflow(name: string, source: string, sink: string): [DeployKind, JsonObject] {
  return [
    'dataflow',
    {
      name,
      properties: {
        type: 'MappingDataFlow',
        typeProperties: {
          sources: [{ dataset: ref('DatasetReference', source), name: 'src' }],
          sinks: [{ dataset: ref('DatasetReference', sink), name: 'snk' }],
          script: 'source(...) ~> src',
        },
      },
    },
  ];
}

export function scheduleTrigger(
  name: string,
  pipelines: string[],
  options: { startTime?: string; timeZone?: string; runtimeState?: 'Started' | 'Stopped'; interval?: number } = {},
): [DeployKind, JsonObject] {
  return [
    'trigger',
    {
      name,
      properties: {
        annotations: [],
        runtimeState: options.runtimeState ?? 'Stopped',
        pipelines: pipelines.map(p => ({ pipelineReference: ref('PipelineReference', p) })),
        type: 'ScheduleTrigger',
        typeProperties: {
          recurrence: {
            frequency: 'Day',
            interval: options.interval ?? 1,
            startTime: options.startTime ?? '2026-12-07T02:00:00Z',
            timeZone: options.timeZone ?? 'UTC',
          },
        },
      },
    },
  ];
}

export function tumblingTrigger(
  name: string,
  pipelineName: string,
  options: {
    startTime?: string;
    endTime?: string;
    frequency?: string;
    interval?: number;
    maxConcurrency?: number;
    runtimeState?: 'Started' | 'Stopped';
  } = {},
): [DeployKind, JsonObject] {
  return [
    'trigger',
    {
      name,
      properties: {
        annotations: [],
        runtimeState: options.runtimeState ?? 'Stopped',
        pipeline: { pipelineReference: ref('PipelineReference', pipelineName), parameters: {} },
        type: 'TumblingWindowTrigger',
        typeProperties: {
          frequency: options.frequency ?? 'Hour',
          interval: options.interval ?? 24,
          startTime: options.startTime ?? '2024-01-01T00:00:00Z',
          ...(options.endTime ? { endTime: options.endTime } : {}),
          delay: '00:00:00',
          maxConcurrency: options.maxConcurrency ?? 1,
          retryPolicy: { intervalInSeconds: 30 },
          dependsOn: [],
        },
      },
    },
  ];
}

export function blobEventsTrigger(
  name: string,
  pipelineName: string,
  runtimeState: 'Started' | 'Stopped' = 'Started',
): [DeployKind, JsonObject] {
  return [
    'trigger',
    {
      name,
      properties: {
        annotations: [],
        runtimeState,
        pipelines: [{ pipelineReference: ref('PipelineReference', pipelineName) }],
        type: 'BlobEventsTrigger',
        typeProperties: {
          blobPathBeginsWith: '/landing/blobs/',
          ignoreEmptyBlobs: true,
          scope: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st',
          events: ['Microsoft.Storage.BlobCreated'],
        },
      },
    },
  ];
}

/** A folder of these artifacts (files named as ADF Studio names them). */
export function folder(...artifacts: [DeployKind, JsonObject][]): LocalArtifacts {
  return {
    root: '/adf',
    artifacts: artifacts.map(([kind, value]): LocalArtifact => ({
      kind,
      name: value.name as string,
      value,
      file: `/adf/${kind}/${value.name as string}.json`,
    })),
    problems: [],
    notes: [],
  };
}

/** The same artifact with a change made by a function on a copy. */
export function edited(
  artifact: [DeployKind, JsonObject],
  edit: (value: JsonObject) => void,
): [DeployKind, JsonObject] {
  const copy = structuredClone(artifact[1]);
  edit(copy);
  return [artifact[0], copy];
}
