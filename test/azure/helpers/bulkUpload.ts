// Many small blobs, fast, for seeding listings of 10,000s of entries: plain HTTP PUTs on keep-alive
// connections with one container SAS (made by the SDK), instead of the SDK's pipeline per blob,
// which costs milliseconds of CPU each on these shared 2-core machines. Seeding only: the code
// under test always goes through the SDK.
import * as http from 'http';
import { ContainerSASPermissions, type ContainerClient } from '@azure/storage-blob';

/** Uploads `content` (default empty) under each name, `concurrency` at a time; resolves when all are stored. */
export async function uploadBlobs(
  container: ContainerClient,
  names: readonly string[],
  options: { concurrency?: number; content?: Buffer } = {},
): Promise<void> {
  const sasUrl = await container.generateSasUrl({
    permissions: ContainerSASPermissions.parse('cw'),
    expiresOn: new Date(Date.now() + 3600_000),
  });
  const base = new URL(sasUrl);
  if (base.protocol !== 'http:') throw new Error('uploadBlobs speaks plain HTTP (Azurite on loopback)');
  const concurrency = options.concurrency ?? 32;
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const content = options.content ?? Buffer.alloc(0);
  const put = (name: string) =>
    new Promise<void>((resolve, reject) => {
      const path = `${base.pathname}/${name.split('/').map(encodeURIComponent).join('/')}${base.search}`;
      const req = http.request(
        {
          host: base.hostname,
          port: base.port,
          method: 'PUT',
          path,
          agent,
          headers: {
            'x-ms-blob-type': 'BlockBlob',
            'x-ms-version': '2025-01-05',
            'content-length': content.byteLength,
          },
        },
        res => {
          res.resume();
          res.on('end', () =>
            res.statusCode === 201 ? resolve() : reject(new Error(`PUT ${name}: ${res.statusCode ?? '?'}`)),
          );
        },
      );
      req.on('error', reject);
      req.end(content);
    });
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: Math.min(concurrency, names.length) }, async () => {
        while (next < names.length) await put(names[next++]!);
      }),
    );
  } finally {
    agent.destroy();
  }
}
