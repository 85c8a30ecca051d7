// The deploy's WatermarkStore on @azure/storage-blob: the Blob API, which real ADLS Gen2 accounts
// and Azurite both serve. A seed is written with If-None-Match: *, so the service itself refuses to
// replace a watermark that exists (even one the pipeline wrote a moment ago).
import type { BlobServiceClient } from '@azure/storage-blob';
import type { WatermarkStore } from '../../core/deploy';
import { excerpt } from '../../core/text/excerpt';

interface StorageErrorLike {
  statusCode?: number;
  code?: string;
  message?: string;
}

export class BlobWatermarkStore implements WatermarkStore {
  constructor(private readonly service: BlobServiceClient) {}

  async exists(container: string, path: string): Promise<boolean> {
    try {
      return await this.service.getContainerClient(container).getBlockBlobClient(path).exists();
    } catch (e) {
      throw storageError(e, `read ${container}/${path}`, this.service.accountName);
    }
  }

  async createIfAbsent(container: string, path: string, text: string): Promise<boolean> {
    const blob = this.service.getContainerClient(container).getBlockBlobClient(path);
    try {
      await blob.upload(text, Buffer.byteLength(text), {
        conditions: { ifNoneMatch: '*' },
        blobHTTPHeaders: { blobContentType: 'application/json' },
      });
      return true;
    } catch (e) {
      const error = (e ?? {}) as StorageErrorLike;
      if (error.statusCode === 409 || error.statusCode === 412) return false; // BlobAlreadyExists / ConditionNotMet
      throw storageError(e, `write ${container}/${path}`, this.service.accountName);
    }
  }
}

/** A message with the storage error's code and status; never the request (its URL may carry a SAS signature). */
function storageError(e: unknown, what: string, account: string): Error {
  const error = (e ?? {}) as StorageErrorLike;
  if (error.code === 'ContainerNotFound')
    return new Error(
      `Could not ${what}: the container does not exist in storage account '${account}'. Create the lake's containers first.`,
    );
  const message = excerpt(
    String(error.message ?? e)
      .split('\n')[0]!
      .replace(/([?&]sig=)[^&\s"']+/gi, '$1***'),
    300,
  );
  const status = typeof error.statusCode === 'number' ? ` (HTTP ${error.statusCode})` : '';
  return new Error(`Could not ${what} in storage account '${account}': ${error.code ?? 'error'}${status}: ${message}`);
}
