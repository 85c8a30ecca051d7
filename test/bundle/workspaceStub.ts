// A stand-in for an Azure Databricks workspace, on loopback only, that answers the few REST calls
// `databricks bundle validate` makes, so that the real CLI can check a bundle without a workspace.
//
// How the CLI reaches it: the bundle keeps its real host (https://adb-….azuredatabricks.net), the CLI
// gets HTTPS_PROXY=<this stub> and SSL_CERT_FILE=<a certificate made for those host names at test
// time>. Go's HTTP client then opens `CONNECT host:443` on the stub, which ends the tunnel itself
// (TLS with that certificate) and answers the requests inside it. Nothing is ever forwarded: a
// CONNECT to a host not named when the stub started, or to another port, is refused and recorded.
// Plain http:// requests straight to the stub (a bundle whose host is http://127.0.0.1:<port>) are
// answered the same way.
//
// The calls, as CLI v1.12.1 makes them (see test/bundle/README.md):
//   GET  /.well-known/databricks-config        host metadata (no auth; the SDK tolerates a 404)
//   GET  /api/2.0/preview/scim/v2/Me            the current user: workspace.current_user.*
//   GET  /api/2.0/workspace/get-status?path=    does the bundle's files folder exist
//   POST /api/2.0/workspace/mkdirs              create it (validate does, to list the files to sync)
//   GET  /api/2.0/permissions/directories/{id}  the folder's ACL, when the bundle sets top-level permissions
//   POST /telemetry-ext                         the CLI's usage telemetry
// Anything else is answered 404 ENDPOINT_NOT_FOUND and recorded as unhandled, so that a new CLI
// release that calls something more shows up in the tests instead of passing by accident.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as tls from 'node:tls';

export interface StubUser {
  userName: string;
  displayName?: string;
  /** SCIM groups of the user; `admins` makes the CLI assume write access everywhere. */
  groups?: string[];
}

export interface StubAcl {
  user_name?: string;
  group_name?: string;
  service_principal_name?: string;
  permission_level: string;
}

export interface WorkspaceStubOptions {
  /** Host names the stub serves HTTPS for (through CONNECT); e.g. adb-1111111111111111.1.azuredatabricks.net. */
  hosts: string[];
  user?: StubUser;
  /** The PAT the CLI must send (DATABRICKS_TOKEN). */
  token?: string;
  /** Workspace folders that exist before the run (their parents too). */
  folders?: string[];
  /** The ACL returned for every folder; default: the user and the admins group with CAN_MANAGE. */
  folderAcl?: StubAcl[];
}

export interface RecordedRequest {
  host: string;
  method: string;
  path: string;
  query: string;
  body: string;
  status: number;
  handled: boolean;
}

export interface WorkspaceStub {
  /** http://127.0.0.1:<port>: for HTTPS_PROXY, or as a plain http:// workspace host. */
  url: string;
  /** PEM certificate the CLI must trust (SSL_CERT_FILE). */
  caFile: string;
  token: string;
  user: Required<StubUser>;
  requests: RecordedRequest[];
  /** CONNECT requests refused (not one of `hosts`, or not port 443). */
  refusedTunnels: string[];
  /** Workspace folders that exist now (created by mkdirs included). */
  folders: Set<string>;
  close(): Promise<void>;
}

export const DEFAULT_USER: Required<StubUser> = {
  userName: 'lakehouse.tester@example.com',
  displayName: 'Lakehouse Tester',
  groups: ['users'],
};
export const DEFAULT_TOKEN = 'dapi-lakehouse-workbench-stub-token';

/** True when the openssl command the stub needs for its certificate is there. */
export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A self-signed certificate valid for the given host names (and 127.0.0.1), made with the openssl CLI. */
function makeCertificate(dir: string, hosts: string[]): { key: string; cert: string; certFile: string } {
  const keyFile = path.join(dir, 'stub.key.pem');
  const certFile = path.join(dir, 'stub.cert.pem');
  const san = [...hosts.map(h => `DNS:${h}`), 'DNS:localhost', 'IP:127.0.0.1'].join(',');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=lakehouse-workbench workspace stub',
      '-addext',
      `subjectAltName=${san}`,
      '-addext',
      'basicConstraints=critical,CA:FALSE',
      '-addext',
      'extendedKeyUsage=serverAuth',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return { key: fs.readFileSync(keyFile, 'utf8'), cert: fs.readFileSync(certFile, 'utf8'), certFile };
}

const json = (res: http.ServerResponse, status: number, body: unknown): void => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

function ancestors(p: string): string[] {
  const out: string[] = [];
  for (let cur = path.posix.normalize(p); ; cur = path.posix.dirname(cur)) {
    out.push(cur);
    if (cur === '/' || cur === '.') break;
  }
  return out;
}

export async function startWorkspaceStub(options: WorkspaceStubOptions): Promise<WorkspaceStub> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lhwb-dbx-stub-'));
  const { key, cert, certFile } = makeCertificate(dir, options.hosts);
  const token = options.token ?? DEFAULT_TOKEN;
  const user: Required<StubUser> = { ...DEFAULT_USER, ...options.user };
  const userId = '4242424242424242';
  const requests: RecordedRequest[] = [];
  const refusedTunnels: string[] = [];

  // The workspace tree: path -> object id. /Workspace/Users/<user> exists, as in a real workspace.
  const folders = new Map<string, number>();
  let nextId = 1000;
  const addFolder = (p: string): void => {
    for (const a of ancestors(p).reverse()) if (!folders.has(a)) folders.set(a, nextId++);
  };
  for (const p of ['/Workspace/Shared', `/Workspace/Users/${user.userName}`, ...(options.folders ?? [])]) addFolder(p);
  const folderById = (id: string): string | undefined => [...folders].find(([, v]) => String(v) === id)?.[0];
  const acl = options.folderAcl ?? [
    { user_name: user.userName, permission_level: 'CAN_MANAGE' },
    { group_name: 'admins', permission_level: 'CAN_MANAGE' },
  ];

  const handle =
    (host: string) =>
    (req: http.IncomingMessage, res: http.ServerResponse): void => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', chunk => {
        body += chunk;
      });
      req.on('end', () => {
        const url = new URL(req.url ?? '/', `https://${host}`);
        const record: RecordedRequest = {
          host,
          method: req.method ?? '',
          path: url.pathname,
          query: url.search,
          body,
          status: 0,
          handled: true,
        };
        requests.push(record);
        const reply = (status: number, payload: unknown): void => {
          record.status = status;
          json(res, status, payload);
        };
        const route = `${req.method} ${url.pathname}`;

        if (route === 'GET /.well-known/databricks-config') {
          return reply(200, {
            oidc_endpoint: `https://${host}/oidc`,
            workspace_id: /^adb-(\d+)\./.exec(host)?.[1] ?? '1234567890',
            cloud: host.endsWith('.azuredatabricks.net') ? 'Azure' : 'AWS',
            host_type: 'WORKSPACE_HOST',
          });
        }
        if (req.headers.authorization !== `Bearer ${token}`) {
          return reply(401, {
            error_code: 'UNAUTHENTICATED',
            message: 'stub: expected the PAT given in DATABRICKS_TOKEN',
          });
        }
        if (route === 'GET /api/2.0/preview/scim/v2/Me') {
          return reply(200, {
            schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
            id: userId,
            userName: user.userName,
            displayName: user.displayName,
            active: true,
            emails: [{ value: user.userName, type: 'work', primary: true }],
            groups: user.groups.map((g, i) => ({ display: g, type: 'direct', value: String(100 + i) })),
          });
        }
        if (route === 'GET /api/2.0/workspace/get-status') {
          const p = url.searchParams.get('path') ?? '';
          const id = folders.get(path.posix.normalize(p));
          if (id === undefined)
            return reply(404, { error_code: 'RESOURCE_DOES_NOT_EXIST', message: `Path (${p}) doesn't exist.` });
          return reply(200, { object_type: 'DIRECTORY', path: p, object_id: id, resource_id: String(id) });
        }
        if (route === 'POST /api/2.0/workspace/mkdirs') {
          let p = '';
          try {
            p = String((JSON.parse(body) as { path?: unknown }).path ?? '');
          } catch {
            /* below */
          }
          if (!p.startsWith('/'))
            return reply(400, {
              error_code: 'INVALID_PARAMETER_VALUE',
              message: `stub: mkdirs needs an absolute path, got ${JSON.stringify(p)}`,
            });
          addFolder(p);
          return reply(200, {});
        }
        const perms = /^\/api\/2\.0\/permissions\/directories\/(\d+)$/.exec(url.pathname);
        if (req.method === 'GET' && perms) {
          const folder = folderById(perms[1]!);
          if (!folder)
            return reply(404, {
              error_code: 'RESOURCE_DOES_NOT_EXIST',
              message: `Directory ${perms[1]} does not exist.`,
            });
          return reply(200, {
            object_id: `/directories/${perms[1]}`,
            object_type: 'directory',
            access_control_list: acl.map(a => ({
              ...a,
              all_permissions: [{ permission_level: a.permission_level, inherited: false }],
            })),
          });
        }
        if (route === 'POST /telemetry-ext') return reply(200, { errors: [], numProtoSuccess: 1 });

        record.handled = false;
        return reply(404, { error_code: 'ENDPOINT_NOT_FOUND', message: `stub: no handler for ${route}` });
      });
    };

  const allowed = new Set(options.hosts.map(h => h.toLowerCase()));
  // The HTTPS side never listens: it only takes the sockets of the CONNECT tunnels it is handed. The
  // host a request is for is the TLS server name (SNI), which Go sends and checks the certificate for.
  const tlsServer = https.createServer({ key, cert }, (req, res) => {
    const sni = (req.socket as tls.TLSSocket).servername;
    handle(typeof sni === 'string' && sni ? sni : String(req.headers.host ?? '').replace(/:\d+$/, ''))(req, res);
  });
  tlsServer.on('tlsClientError', () => {
    /* the client gave up; nothing to answer */
  });

  const server = http.createServer((req, res) => {
    // a plain request: a bundle whose host is this stub's own http:// address
    handle(String(req.headers.host ?? '127.0.0.1'))(req, res);
  });
  const sockets = new Set<Socket>();
  server.on('connection', s => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('connect', (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
    const target = String(req.url ?? '');
    const m = /^([^:]+):(\d+)$/.exec(target);
    if (!m || m[2] !== '443' || !allowed.has(m[1]!.toLowerCase())) {
      refusedTunnels.push(target);
      socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length) socket.unshift(head);
    tlsServer.emit('connection', socket);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    caFile: certFile,
    token,
    user,
    requests,
    refusedTunnels,
    get folders() {
      return new Set(folders.keys());
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>(resolve => server.close(() => resolve()));
      tlsServer.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
