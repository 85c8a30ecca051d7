// Every generated artifact survives @azure/arm-datafactory 12's models, but for the fields of the
// REST API that those models predate (NEWER_THAN_SDK): deserialised into the SDK's classes and
// serialised back it is the same JSON otherwise. The SDK drops what its models do not know (a field
// inside typeProperties it has no property for, any field of a non-extensible model), and falls
// back to an untyped base class for a `type` it does not know: both are what this catches. The
// newer fields are what a Unity Catalog job cluster and a credential-free Azure SQL connection
// need, so a deploy must send the generated JSON as it is, not through these models.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateAdfArtifacts, type GeneratedArtifact } from '../../../src/core/adf/generate';
import { loadProjectAt } from '../../../src/core/project/loadProject';
import { NodeFileHost } from '../../../src/core/files/nodeFileHost';
import { throughSdkModels, unknownDiscriminators } from '../helpers/adfSdkModels';
import { SAMPLE_DIR } from '../helpers/paths';
import { loadProject } from '../helpers/project';
import { MULTI_SOURCE_PROJECT, wideProject } from './generateFixtures';

/**
 * What the SDK sends: the resource without its read-only fields (name, type, id, etag; a
 * trigger's runtimeState), and UTC times as Date.toISOString() writes them (the same instant).
 */
function expectedOnTheWire(artifact: GeneratedArtifact): unknown {
  const properties = structuredClone(artifact.value.properties) as Record<string, unknown>;
  if (artifact.kind === 'trigger') delete properties.runtimeState;
  return JSON.parse(JSON.stringify({ properties }), (_key, v: unknown) =>
    typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(v) ? new Date(v).toISOString() : v,
  ) as unknown;
}

/** Per linked service type: the typeProperties the service accepts (api-version 2018-06-01) and the SDK 12 models lack. */
const NEWER_THAN_SDK: Record<string, string[]> = {
  AzureSqlDatabase: ['server', 'database', 'encrypt', 'trustServerCertificate', 'authenticationType'],
  AzureSqlDW: ['server', 'database', 'encrypt', 'trustServerCertificate', 'authenticationType'],
  AzureDatabricks: ['dataSecurityMode'],
};

function withoutNewerFields(value: unknown): unknown {
  const copy = structuredClone(value) as { properties?: { type?: string; typeProperties?: Record<string, unknown> } };
  const typeProperties = copy.properties?.typeProperties;
  for (const field of NEWER_THAN_SDK[copy.properties?.type ?? ''] ?? []) delete typeProperties?.[field];
  // The SDK leaves out an object it has nothing left to put in.
  if (typeProperties && Object.keys(typeProperties).length === 0) delete copy.properties!.typeProperties;
  return copy;
}

async function assertSurvives(artifacts: readonly GeneratedArtifact[]): Promise<void> {
  for (const artifact of artifacts) {
    assert.deepEqual(
      await unknownDiscriminators(artifact.value),
      [],
      `${artifact.relativePath}: every type is one the SDK models`,
    );
    assert.deepEqual(
      await throughSdkModels(artifact.kind, structuredClone(artifact.value)),
      withoutNewerFields(expectedOnTheWire(artifact)),
      `${artifact.relativePath} survives the SDK's models, but for the REST fields they predate`,
    );
  }
}

describe('generated ADF artifacts through @azure/arm-datafactory 12 models', () => {
  it('the sample: every pipeline, dataset, linked service and trigger, field for field', async () => {
    const { metadata } = await loadProjectAt(new NodeFileHost(), SAMPLE_DIR);
    const { artifacts } = generateAdfArtifacts(metadata);
    assert.deepEqual([...new Set(artifacts.map(a => a.kind))].sort(), [
      'dataset',
      'linkedService',
      'pipeline',
      'trigger',
    ]);
    await assertSurvives(artifacts);
  });

  it("several source systems of each SQL kind, full loads, an existing cluster and no environment: the orchestrator and each system's pipeline", async () => {
    const { snapshot } = await loadProject(MULTI_SOURCE_PROJECT);
    const { artifacts } = generateAdfArtifacts(snapshot.metadata);
    assert.deepEqual(
      artifacts.filter(a => a.kind === 'pipeline').map(a => a.name),
      [
        'pl_incremental_ingestion',
        'pl_incremental_ingestion_crm',
        'pl_incremental_ingestion_dw',
        'pl_incremental_ingestion_legacy',
      ],
    );
    assert.match(artifacts.find(a => a.name === 'pl_incremental_ingestion')!.text, /"type": "ExecutePipeline"/);
    await assertSurvives(artifacts);
  });

  it("past the limits: batch pipelines, a system split in parts, the orchestrator's gold step (Web activities and an Until)", async () => {
    const { snapshot } = await loadProject(wideProject({ bigTables: 1200, smallSystems: 80 }));
    const { artifacts } = generateAdfArtifacts(snapshot.metadata);
    const names = [
      'pl_incremental_ingestion',
      'pl_incremental_ingestion_batch_1',
      'pl_incremental_ingestion_big_part1',
      'pl_incremental_ingestion_s0001',
    ];
    assert.match(
      artifacts.find(a => a.name === 'pl_incremental_ingestion')!.text,
      /"name": "wait_for_gold_update",\n\t+"type": "Until"/,
    );
    const chosen = artifacts.filter(a => a.kind === 'pipeline' && names.includes(a.name));
    assert.equal(chosen.length, names.length);
    await assertSurvives(chosen);
  });

  it('catches what the SDK would drop or not type: a misspelt field, a field the 2018-06-01 models lack, an unknown activity type', async () => {
    const { metadata } = await loadProjectAt(new NodeFileHost(), SAMPLE_DIR);
    const { artifacts } = generateAdfArtifacts(metadata);
    const pipeline = structuredClone(artifacts.find(a => a.kind === 'pipeline')!);
    const forEach = (pipeline.value.properties as { activities: { typeProperties: Record<string, unknown> }[] })
      .activities[0]!;
    forEach.typeProperties.batchCont = 5;
    assert.notDeepEqual(
      await throughSdkModels('pipeline', structuredClone(pipeline.value)),
      expectedOnTheWire(pipeline),
      'a misspelt typeProperties field is dropped',
    );

    // ADF Studio's newer Azure SQL shape: the SDK's AzureSqlDatabase model has no server/database.
    const modern = {
      name: 'ls',
      properties: {
        type: 'AzureSqlDatabase',
        typeProperties: {
          server: 's.database.windows.net',
          database: 'db',
          authenticationType: 'SystemAssignedManagedIdentity',
        },
      },
    };
    assert.deepEqual(
      await throughSdkModels('linkedService', modern),
      { properties: { type: 'AzureSqlDatabase' } },
      'server, database and authenticationType are all lost',
    );

    const unknownType = {
      name: 'p',
      properties: {
        activities: [
          { name: 'a', type: 'DatabricksJob', dependsOn: [], userProperties: [], typeProperties: { jobId: '1' } },
        ],
      },
    };
    assert.deepEqual(await unknownDiscriminators(unknownType), ['$.properties.activities[0].type = DatabricksJob']);
  });
});
