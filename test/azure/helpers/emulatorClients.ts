// The real Azure SDK clients, pointed at the local emulator: what product code does for the
// `local` environment (endpoint, credentialScopes, tlsOptions: { ca }), with a test credential.
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { DataFactoryManagementClient, type DataFactoryManagementClientOptionalParams } from '@azure/arm-datafactory';
import { LOCAL_CREDENTIAL_SCOPE, type EmulatorHandle } from '../../../src/emulator';

/** A credential that hands out a new opaque token on each getToken (so an expired one is replaced), and counts them. */
export class TestCredential implements TokenCredential {
  issued = 0;
  constructor(private readonly lifetimeMs = 3_600_000) {}
  async getToken(): Promise<AccessToken> {
    this.issued++;
    return {
      token: `test-token-${this.issued}`,
      expiresOnTimestamp: Date.now() + this.lifetimeMs,
      tokenType: 'Bearer',
    };
  }
}

export function adfClient(
  emulator: Pick<EmulatorHandle, 'adf'>,
  options: DataFactoryManagementClientOptionalParams = {},
  credential: TokenCredential = new TestCredential(),
): DataFactoryManagementClient {
  return new DataFactoryManagementClient(credential, emulator.adf.subscriptionId, {
    endpoint: emulator.adf.endpoint,
    credentialScopes: [LOCAL_CREDENTIAL_SCOPE],
    tlsOptions: { ca: emulator.adf.ca },
    // Short backoff for 5xx without Retry-After, so retry tests stay fast.
    retryOptions: { retryDelayInMs: 5, maxRetryDelayInMs: 20 },
    ...options,
  });
}

/** Polls until check() returns a value (not undefined), or fails after timeoutMs. */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 5_000,
  what = 'the condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise(r => setTimeout(r, 5));
  }
}

/** A raw HTTPS call to the emulator (what the SDK would refuse to send), with a bearer token. */
export async function rawRequest(
  emulator: Pick<EmulatorHandle, 'adf'>,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = { authorization: 'Bearer raw-test' },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: unknown }> {
  const https = await import('https');
  const url = new URL(path, emulator.adf.endpoint);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      { method, ca: emulator.adf.ca, headers: { 'content-type': 'application/json', ...headers } },
      res => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', c => (text += c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: text ? (JSON.parse(text) as unknown) : undefined,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** The ARM path of the emulator's factory. */
export const factoryPath = (emulator: Pick<EmulatorHandle, 'adf'>) =>
  `/subscriptions/${emulator.adf.subscriptionId}/resourceGroups/${emulator.adf.resourceGroup}` +
  `/providers/Microsoft.DataFactory/factories/${emulator.adf.factory}`;
