// The adapter's errors on the wire, with the real SDK: Azurite for what it can answer (missing
// container or file, a wrong key, a forged SAS), a loopback server for the answers of real accounts
// that Azurite never gives (no data role, firewall, busy), and closed ports for the network. Each
// message names the account and container, says what to do, and carries no secret.
import * as assert from 'node:assert/strict';
import * as http from 'http';
import type { AddressInfo } from 'net';
import { after, before, describe, it } from 'node:test';
import { BlobServiceClient } from '@azure/storage-blob';
import type { TokenCredential } from '@azure/identity';
import { LakeStorage } from '../../src/azure/lake/lakeStorage';
import { LakeStorageError } from '../../src/azure/lake/lakeStorageError';
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite, type Azurite } from './helpers/azurite';

const FAST = { retry: { maxTries: 1, tryTimeoutMs: 5000 } };
const SECRET_SIG = 'c2VjcmV0LXNpZ25hdHVyZQ%3D%3D';

async function failure(promise: Promise<unknown>): Promise<LakeStorageError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof LakeStorageError, `a LakeStorageError, not ${String(e)}`);
    assert.doesNotMatch(e.message, /sig=(?!REDACTED)|AccountKey=|Bearer |eyJ|c2VjcmV0/, 'no secret in the message');
    assert.doesNotMatch(e.message, new RegExp(AZURITE_KEY.slice(0, 12)));
    return e;
  }
  assert.fail('expected a failure');
}

/** A port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>(resolve => server.close(() => resolve()));
  return port;
}

let azurite: Azurite;
let lake: LakeStorage;

before(async () => {
  azurite = await startAzurite();
  await BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('bronze').create();
  lake = LakeStorage.connect({ kind: 'connectionString', connectionString: azurite.connectionString }, FAST);
});

after(async () => {
  await azurite?.stop();
});

describe('lake storage errors (Azurite)', () => {
  it('a missing container or file: notFound, naming account, container and path', async () => {
    const container = await failure(lake.listFolder('gold', ''));
    assert.equal(container.kind, 'notFound');
    assert.equal(container.code, 'ContainerNotFound');
    assert.equal(
      container.message,
      "Cannot list container 'gold' of storage account 'devstoreaccount1': the container does not exist.",
    );
    const file = await failure(lake.readRange('bronze', 'users/none.parquet', 0, 8));
    assert.equal(file.kind, 'notFound');
    assert.equal(file.status, 404);
    assert.match(
      file.message,
      /^Cannot read 'users\/none\.parquet' in container 'bronze' of storage account 'devstoreaccount1': the file does not exist/,
    );
  });

  it('a wrong account key is refused, and the key never shows', async () => {
    const wrong = LakeStorage.connect(
      {
        kind: 'sharedKey',
        accountName: AZURITE_ACCOUNT,
        accountKey: Buffer.from('not the key').toString('base64'),
        blobEndpoint: azurite.blobEndpoint,
      },
      FAST,
    );
    const e = await failure(wrong.listFolder('bronze', ''));
    assert.equal(e.kind, 'forbidden'); // Azurite answers 403 AuthorizationFailure; Azure says AuthenticationFailed (unauthenticated)
    assert.match(e.message, /container 'bronze' of storage account 'devstoreaccount1'/);
  });

  it('a forged SAS is refused, and its signature never shows', async () => {
    const sas = `sv=2025-01-05&ss=b&srt=sco&sp=rl&se=2030-01-01T00:00:00Z&spr=http&sig=${SECRET_SIG}`;
    const forged = LakeStorage.connect(
      {
        kind: 'connectionString',
        connectionString: `BlobEndpoint=${azurite.blobEndpoint};SharedAccessSignature=${sas}`,
      },
      FAST,
    );
    assert.equal(forged.endpoint, azurite.blobEndpoint, 'the endpoint shown has no query');
    const e = await failure(forged.listFolder('bronze', 'x/'));
    assert.equal(e.status, 403);
    assert.doesNotMatch(e.message, new RegExp(SECRET_SIG));
  });

  it('names that cannot reach the service are refused before any request', async () => {
    const e = await failure(lake.listFolder('Bronze_Zone', ''));
    assert.equal(e.kind, 'invalidName');
    assert.match(e.message, /Container name 'Bronze_Zone' is not valid/);
    const folderName = await failure(lake.readRange('bronze', 'users/', 0, 1));
    assert.equal(folderName.kind, 'invalidName');
    assert.throws(
      () =>
        LakeStorage.connect({ kind: 'connectionString', connectionString: `AccountName=x;AccountKey=${AZURITE_KEY}` }),
      (err: unknown) => err instanceof LakeStorageError && !err.message.includes(AZURITE_KEY.slice(0, 12)),
    );
    assert.throws(
      () => LakeStorage.connect({ kind: 'token', accountName: 'Not_An_Account', credential: tokenCredential('t') }),
      /3 to 24 lower-case letters and digits/,
    );
  });

  it('an unreachable endpoint is a network error naming the host', async () => {
    const port = await closedPort();
    const down = LakeStorage.connect(
      {
        kind: 'sharedKey',
        accountName: AZURITE_ACCOUNT,
        accountKey: AZURITE_KEY,
        blobEndpoint: `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`,
      },
      FAST,
    );
    const e = await failure(down.listContainers());
    assert.equal(e.kind, 'network');
    assert.equal(e.code, 'ECONNREFUSED');
    assert.match(
      e.message,
      new RegExp(
        `storage account 'devstoreaccount1': the storage endpoint http://127\\.0\\.0\\.1:${port} cannot be reached \\(ECONNREFUSED\\)`,
      ),
    );
  });
});

function tokenCredential(token: string, fail?: Error): TokenCredential {
  return {
    getToken: async () => {
      if (fail) throw fail;
      return { token, expiresOnTimestamp: Date.now() + 3600_000 };
    },
  };
}

describe('lake storage errors (token credential)', () => {
  it('a sign-in that yields no token says so', async () => {
    const noSignIn = Object.assign(
      new Error('Please sign in: no account (token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcdefghij)'),
      {
        name: 'CredentialUnavailableError',
      },
    );
    const port = await closedPort();
    const storage = LakeStorage.connect(
      {
        kind: 'token',
        accountName: 'stspotifydev',
        credential: tokenCredential('x', noSignIn),
        blobEndpoint: `https://127.0.0.1:${port}/`,
      },
      FAST,
    );
    const e = await failure(storage.listFolder('bronze', ''));
    assert.equal(e.kind, 'unauthenticated');
    assert.match(
      e.message,
      /container 'bronze' of storage account 'stspotifydev': no token could be obtained \(CredentialUnavailableError\)/,
    );
  });

  it('a token sent to an unreachable account never shows in the error', async () => {
    const token = 'eyJ0eXAiOiJKV1QifQ.eyJhdWQiOiJzdG9yYWdlIn0.c2lnbmF0dXJlLW9mLXRva2Vu';
    const port = await closedPort();
    const storage = LakeStorage.connect(
      {
        kind: 'token',
        accountName: 'stspotifydev',
        credential: tokenCredential(token),
        blobEndpoint: `https://127.0.0.1:${port}/`,
      },
      FAST,
    );
    const e = await failure(storage.readRange('bronze', 'users_cdc/cdc.json', 0, 100));
    assert.equal(e.kind, 'network');
    assert.doesNotMatch(e.message, /c2lnbmF0dXJl/);
  });
});

/** Answers every request with one error, as Azure Storage does (x-ms-error-code and an XML body). */
async function errorServer(status: number, code: string, message: string) {
  const server = http.createServer((req, res) => {
    req.resume();
    const trailer = 'RequestId:00000000-0000-0000-0000-000000000000\nTime:2026-12-01T00:00:00.0000000Z';
    const body = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}\n${trailer}</Message></Error>`;
    res.writeHead(status, {
      'content-type': 'application/xml',
      'x-ms-error-code': code,
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const storage = LakeStorage.connect(
    {
      kind: 'sharedKey',
      accountName: 'stspotifyprod',
      accountKey: AZURITE_KEY,
      blobEndpoint: `http://127.0.0.1:${port}/stspotifyprod`,
    },
    FAST,
  );
  return { storage, close: () => new Promise<void>(resolve => server.close(() => resolve())) };
}

describe('lake storage errors (answers of real accounts that Azurite never gives)', () => {
  const cases: [number, string, string, string, RegExp][] = [
    [
      403,
      'AuthorizationPermissionMismatch',
      'This request is not authorized to perform this operation using this permission.',
      'forbidden',
      /no data access \(AuthorizationPermissionMismatch\).*Storage Blob Data Reader.*Owner or Contributor alone/,
    ],
    [
      403,
      'AuthorizationFailure',
      'This request is not authorized to perform this operation.',
      'forbidden',
      /firewall or private endpoint/,
    ],
    [
      403,
      'AuthenticationFailed',
      'Server failed to authenticate the request.',
      'unauthenticated',
      /credentials were rejected.*Sign in again/,
    ],
    [503, 'ServerBusy', 'The server is busy.', 'throttled', /busy \(ServerBusy\)/],
    [
      500,
      'InternalError',
      'The server encountered an internal error. sig=leaked',
      'unknown',
      /answered 500 InternalError/,
    ],
  ];
  for (const [status, code, text, kind, pattern] of cases)
    it(`${status} ${code}`, async () => {
      const server = await errorServer(status, code, text);
      try {
        const e = await failure(server.storage.listFolder('bronze', 'users/'));
        assert.equal(e.kind, kind);
        assert.equal(e.status, status);
        assert.equal(e.code, code);
        assert.match(e.message, /^Cannot list 'users\/' in container 'bronze' of storage account 'stspotifyprod': /);
        assert.match(e.message, pattern);
        assert.doesNotMatch(e.message, /leaked/);
      } finally {
        await server.close();
      }
    });
});
