// The clients of an operations target (an environment's Azure factory and lake account, or the
// local emulator's), made one way for the CLI and the editor.
import { BlobServiceClient } from '@azure/storage-blob';
import type { TokenCredential } from '@azure/core-auth';
import type { LakehouseMetadata } from '../core/metadata/model';
import { seedWatermarks, watermarkSeeds, type SeedResult } from '../core/deploy/watermarks';
import type { PipelineJson } from '../core/backfill/targets';
import { factoryResourceId } from '../core/runs/studio';
import { ArmFactoryApi } from './adf/factoryApi';
import { AdfRunsClient } from './adf/runsClient';
import { BlobWatermarkStore } from './adf/watermarkStore';
import { LakeStorage, type LakeStorageOptions } from './lake/lakeStorage';
import type { OperationsTarget } from './target';

export function factoryApiFor(target: OperationsTarget, credential: TokenCredential): ArmFactoryApi {
  return ArmFactoryApi.connect(credential, {
    subscriptionId: target.factory.subscriptionId,
    resourceGroup: target.factory.resourceGroup,
    factory: target.factory.name,
    ...(target.factory.endpoint ? { endpoint: target.factory.endpoint } : {}),
    ...(target.factory.ca ? { ca: target.factory.ca } : {}),
  });
}

/**
 * The runs port of a target's factory (the Runs view, Trigger, the CLI's runs and trigger): the SDK
 * client without automatic retries, so a createRun is one request; reads are retried by the core.
 */
/** The runs port of the environment's factory: every call exactly one request (createRun never retried by the SDK). */
export function runsClientFor(target: OperationsTarget, credential: TokenCredential): AdfRunsClient {
  return AdfRunsClient.connect(
    credential,
    {
      subscriptionId: target.factory.subscriptionId,
      resourceGroup: target.factory.resourceGroup,
      factoryName: target.factory.name,
    },
    {
      ...(target.factory.endpoint ? { endpoint: target.factory.endpoint } : {}),
      ...(target.factory.ca ? { tlsOptions: { ca: target.factory.ca } } : {}),
    },
  );
}

/** The factory's ARM id (what a backfill journal records, so it is never resumed against another factory). */
export function factoryIdOf(target: OperationsTarget): string {
  return factoryResourceId({
    subscriptionId: target.factory.subscriptionId,
    resourceGroup: target.factory.resourceGroup,
    factoryName: target.factory.name,
  });
}

/** The factory's pipelines as deployed (what a backfill or a trigger really runs), every page. */
export async function factoryPipelinesFor(
  target: OperationsTarget,
  credential: TokenCredential,
): Promise<PipelineJson[]> {
  const values = await factoryApiFor(target, credential).list('pipeline');
  return values.filter(v => typeof v.name === 'string') as unknown as PipelineJson[];
}

/** The environment's lake account: Azurite's by its (public, well-known) connection string, an Azure account with the signed-in credential. */
export function blobServiceFor(target: OperationsTarget, credential: TokenCredential): BlobServiceClient | undefined {
  if (!target.storage) return undefined;
  if (target.storage.connectionString) return BlobServiceClient.fromConnectionString(target.storage.connectionString);
  return new BlobServiceClient(target.storage.blobEndpoint, credential);
}

/**
 * The environment's lake as the Lake view reads it (paged listings, ranged reads): the emulator's
 * Azurite by its connection string, an Azure account with the signed-in credential; undefined
 * when the environment names no storage account. A bad name throws a LakeStorageError.
 */
export function lakeStorageFor(
  target: OperationsTarget,
  credential: TokenCredential,
  options: LakeStorageOptions = {},
): LakeStorage | undefined {
  if (!target.storage) return undefined;
  if (target.storage.connectionString)
    return LakeStorage.connect(
      { kind: 'connectionString', connectionString: target.storage.connectionString },
      options,
    );
  return LakeStorage.connect(
    {
      kind: 'token',
      accountName: target.storage.account,
      credential,
      blobEndpoint: target.storage.blobEndpoint,
    },
    options,
  );
}

/**
 * Before the first run, after a deploy: each incremental table's watermark file where none exists
 * (never replaced: it is data). Nothing when the target has no lake account.
 */
export async function seedTargetWatermarks(
  target: OperationsTarget,
  credential: TokenCredential,
  metadata: LakehouseMetadata,
): Promise<SeedResult[]> {
  const blobs = blobServiceFor(target, credential);
  if (!blobs) return [];
  const planned = watermarkSeeds(
    metadata,
    target.artifactsEnvironment ? { environment: target.artifactsEnvironment } : {},
  );
  return seedWatermarks(new BlobWatermarkStore(blobs), planned.seeds);
}
