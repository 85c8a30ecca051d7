// Azurite (npm, the blob service only) for wire tests and the bench: the emulator's own launcher
// (src/emulator/azurite.ts) on a free loopback port with its data in memory, with the connection
// strings the tests use.
import { startAzurite as startAzuriteProcess } from '../../../src/emulator/azurite';
import { DEV_STORAGE_ACCOUNT, DEV_STORAGE_KEY } from '../../../src/emulator/constants';

/** Azurite's well-known development account (public, documented by Microsoft). */
export const AZURITE_ACCOUNT = DEV_STORAGE_ACCOUNT;
export const AZURITE_KEY = DEV_STORAGE_KEY;

export interface Azurite {
  port: number;
  /** http://127.0.0.1:<port>/devstoreaccount1 */
  blobEndpoint: string;
  connectionString: string;
  /** A connection string for the same account through another endpoint (e.g. a counting proxy). */
  connectionStringFor(blobEndpoint: string): string;
  stop(): Promise<void>;
}

export async function startAzurite(options: { timeoutMs?: number } = {}): Promise<Azurite> {
  const azurite = await startAzuriteProcess(
    options.timeoutMs !== undefined ? { startTimeoutMs: options.timeoutMs } : {},
  );
  const connectionStringFor = (endpoint: string) =>
    `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${endpoint};`;
  return {
    port: azurite.port,
    blobEndpoint: azurite.blobEndpoint,
    connectionString: connectionStringFor(azurite.blobEndpoint),
    connectionStringFor,
    stop: () => azurite.stop(),
  };
}
