// A loopback HTTP proxy in front of a test server that records every request and the bytes of
// every response body: what the client really downloaded, measured outside the code under test.
import * as http from 'http';
import type { AddressInfo } from 'net';

export interface ProxiedRequest {
  method: string;
  /** The path and query as sent (percent-encoded). */
  url: string;
  /** The x-ms-range or Range header, when any. */
  range?: string;
  status: number;
  /** Bytes of the response body. */
  bytes: number;
}

export interface CountingProxy {
  port: number;
  requests: ProxiedRequest[];
  /** Forgets the requests recorded so far. */
  reset(): void;
  close(): Promise<void>;
}

export async function startCountingProxy(targetPort: number): Promise<CountingProxy> {
  const requests: ProxiedRequest[] = [];
  const server = http.createServer((req, res) => {
    const upstream = http.request(
      { host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers },
      answer => {
        const record: ProxiedRequest = {
          method: req.method ?? '',
          url: req.url ?? '',
          status: answer.statusCode ?? 0,
          bytes: 0,
        };
        const range = req.headers['x-ms-range'] ?? req.headers.range;
        if (typeof range === 'string') record.range = range;
        answer.on('data', (chunk: Buffer) => (record.bytes += chunk.byteLength));
        answer.on('end', () => requests.push(record));
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    reset: () => void requests.splice(0),
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
