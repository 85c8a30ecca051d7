// Just enough of the Blob REST API to seed Azurite: create a container, put a block blob,
// signed with the account's Shared Key. The emulator layer uses no Azure SDK (so what it serves
// and seeds is never shaped by the client under test, and the emulator process stays small);
// two operations and the Shared Key signature are a few dozen lines over node:http.
import { createHmac } from 'crypto';
import * as http from 'http';

export interface BlobAccount {
  /** Path-style endpoint, e.g. http://127.0.0.1:10000/devstoreaccount1 */
  blobEndpoint: string;
  accountName: string;
  accountKey: string;
}

const API_VERSION = '2021-08-06';
/** One connection pool for all seeding calls: a new TCP connection per blob doubles the time. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

export class BlobRestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Creates a container; false when it already exists. */
export async function createContainer(account: BlobAccount, container: string): Promise<boolean> {
  const res = await send(
    account,
    'PUT',
    `/${encodeURIComponent(container)}`,
    { restype: 'container' },
    {},
    Buffer.alloc(0),
  );
  if (res.status === 201) return true;
  if (res.status === 409 && res.code === 'ContainerAlreadyExists') return false;
  throw failure(res, `create container ${container}`);
}

/** Writes a block blob (replacing it). */
export async function putBlob(
  account: BlobAccount,
  container: string,
  blobPath: string,
  body: Buffer,
  contentType: string,
): Promise<void> {
  const path = `/${encodeURIComponent(container)}/${blobPath.split('/').map(encodeURIComponent).join('/')}`;
  const res = await send(
    account,
    'PUT',
    path,
    {},
    { 'x-ms-blob-type': 'BlockBlob', 'content-type': contentType },
    body,
  );
  if (res.status !== 201) throw failure(res, `write ${container}/${blobPath}`);
}

function failure(res: { status: number; code: string; text: string }, what: string): BlobRestError {
  return new BlobRestError(
    res.status,
    res.code,
    `Azurite refused to ${what}: ${res.status} ${res.code} ${res.text.slice(0, 300)}`,
  );
}

async function send(
  account: BlobAccount,
  method: string,
  path: string,
  query: Record<string, string>,
  headers: Record<string, string>,
  body: Buffer,
): Promise<{ status: number; code: string; text: string }> {
  const base = new URL(account.blobEndpoint);
  const url = new URL(base.toString().replace(/\/$/, '') + path);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const all: Record<string, string> = {
    ...headers,
    'x-ms-date': new Date().toUTCString(),
    'x-ms-version': API_VERSION,
    'content-length': String(body.length),
  };
  all['authorization'] = `SharedKey ${account.accountName}:${sharedKeySignature(account, method, url, all)}`;
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: all, agent }, res => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const code = String(res.headers['x-ms-error-code'] ?? /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? '');
        resolve({ status: res.statusCode ?? 0, code, text });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * The Shared Key signature of the Blob service (version 2015-02-21 and later): the verb, the
 * standard headers in their fixed order (Content-Length empty when 0), the x-ms- headers sorted,
 * then /account + the URL path (path-style URLs repeat the account) and the query, sorted.
 */
export function sharedKeySignature(
  account: BlobAccount,
  method: string,
  url: URL,
  headers: Record<string, string>,
): string {
  const h = (name: string) => headers[name] ?? '';
  const length = h('content-length') === '0' ? '' : h('content-length');
  const standard = [
    method,
    h('content-encoding'),
    h('content-language'),
    length,
    h('content-md5'),
    h('content-type'),
    '', // Date: x-ms-date is sent instead
    h('if-modified-since'),
    h('if-match'),
    h('if-none-match'),
    h('if-unmodified-since'),
    h('range'),
  ];
  const msHeaders = Object.keys(headers)
    .filter(k => k.startsWith('x-ms-'))
    .sort()
    .map(k => `${k}:${headers[k]!.trim()}\n`)
    .join('');
  const params = [...url.searchParams.keys()]
    .map(k => k.toLowerCase())
    .filter((k, i, all) => all.indexOf(k) === i)
    .sort()
    .map(k => `\n${k}:${url.searchParams.getAll(k).sort().join(',')}`)
    .join('');
  const resource = `/${account.accountName}${url.pathname}${params}`;
  const text = `${standard.join('\n')}\n${msHeaders}${resource}`;
  return createHmac('sha256', Buffer.from(account.accountKey, 'base64')).update(text, 'utf8').digest('base64');
}
