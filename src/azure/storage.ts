import { BlobServiceClient } from '@azure/storage-blob';
import type { TokenCredential } from '@azure/core-auth';
import type { OperationsTarget } from './target';

/** The environment's lake account: Azurite's by its (public, well-known) connection string, an Azure account with the signed-in credential. */
export function blobServiceFor(target: OperationsTarget, credential: TokenCredential): BlobServiceClient | undefined {
  if (!target.storage) return undefined;
  if (target.storage.connectionString) return BlobServiceClient.fromConnectionString(target.storage.connectionString);
  return new BlobServiceClient(target.storage.blobEndpoint, credential);
}
