// The local Data Factory: an HTTPS server on loopback that answers the ARM operations
// @azure/arm-datafactory 12 sends (api-version 2018-06-01, same paths and bodies), with a bearer
// token required, ARM's and ADF's limits, fault injection, and a control API under /_emulator/
// for tests and the demo (faults, outcomes, clock, request counts, runs).
import { randomBytes, timingSafeEqual } from 'crypto';
import type { IncomingMessage, ServerResponse } from 'http';
import * as https from 'https';
import type { AddressInfo } from 'net';
import {
  ArtifactStore,
  ARTIFACT_KINDS,
  artifactKindOf,
  isEventTrigger,
  type Artifact,
  type ArtifactKind,
} from './artifacts';
import { SimClock } from './clock';
import { FaultBook, type FaultRule } from './faults';
import { ArmError, badRequest, isRecord, notFound, parseJsonBody, readBody, sendReply, type Reply } from './http';
import { ARM_BUCKETS, MinuteBudget, MONITORING_QUERIES_PER_MINUTE, TokenBucket, type BucketSpec } from './limits';
import { OutcomeBook, type OutcomeRule } from './outcomes';
import {
  RunEngine,
  TEST_TIMING,
  type CreateRunRequest,
  type HistoricalRun,
  type PipelineRunRecord,
  type RunTiming,
} from './runs';
import { makeCertificate, type Certificate } from './tls';
import { checkTumblingWindowUpdate, TriggerRunner } from './triggers';

export const API_VERSION = '2018-06-01';

export interface AdfServerOptions {
  subscriptionId: string;
  resourceGroup: string;
  /** Factories that exist from the start (empty: deploy PUTs the artifacts). A PUT of a factory adds one. */
  factories: string[];
  location?: string;
  /** 0 (default): a free port. */
  port?: number;
  timing?: RunTiming;
  clock?: SimClock;
  faults?: FaultRule[];
  outcomes?: OutcomeRule[];
  /** Seed of the generator behind fault probabilities. */
  seed?: number;
  /** Page size of artifact lists (nextLink); ADF's is larger, a small one exercises paging. Default 50. */
  listPageSize?: number;
  /** Page size of activity runs (continuation token). Default 100. */
  activityPageSize?: number;
  /** ARM's token buckets; false turns them off (e.g. a bench measuring something else). */
  armBuckets?: { reads: BucketSpec; writes: BucketSpec; deletes: BucketSpec } | false;
  /** ADF's monitoring budget per factory and minute; false turns it off. */
  monitoringQueriesPerMinute?: number | false;
  /** How long an event trigger's subscription takes to provision (real ms). Default: timing.activityMs. */
  eventSubscriptionMs?: number;
  /** A certificate to reuse (e.g. one per test file); one is made at start otherwise. */
  certificate?: Certificate;
  /** Refuse a PUT that names a missing artifact and a DELETE of one still named, as ADF does (default true). */
  validateReferences?: boolean;
  /** The control API (/_emulator/) answers only requests with this key in x-emulator-key; a random one when absent. */
  controlKey?: string;
}

export interface RequestLogEntry {
  at: string;
  method: string;
  path: string;
  operation: string;
  status: number | 'reset';
}

interface FactoryState {
  name: string;
  createTime: number;
  artifacts: ArtifactStore;
  engine: RunEngine;
  triggers: TriggerRunner;
  monitoring?: MinuteBudget;
}

/** An operation on one factory (most), or above the factories (their lists). */
type Route = FactoryRoute | AboveFactoryRoute;

interface FactoryRoute {
  operation: string;
  /** Monitoring queries count against ADF's per-factory budget. */
  monitoring?: boolean;
  handle: (ctx: RequestContext) => Reply;
}

interface AboveFactoryRoute {
  operation: string;
  aboveFactory: (url: URL) => Reply;
}

interface RequestContext {
  url: URL;
  body: unknown;
  headers: IncomingMessage['headers'];
  factory: FactoryState;
}

const ARM_PREFIX =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.DataFactory\/factories(?:\/([^/]+)(\/.*)?)?$/i;
const SUBSCRIPTION_FACTORIES = /^\/subscriptions\/([^/]+)\/providers\/Microsoft\.DataFactory\/factories$/i;
const MAX_LOG = 10_000;

export class AdfServer {
  readonly clock: SimClock;
  readonly faults: FaultBook;
  readonly outcomes: OutcomeBook;
  private readonly factories = new Map<string, FactoryState>();
  private readonly counts = new Map<string, number>();
  private readonly log: RequestLogEntry[] = [];
  private readonly buckets?: { reads: TokenBucket; writes: TokenBucket; deletes: TokenBucket };
  private readonly tokensFirstSeen = new Map<string, number>();
  private tokensExpireBefore = -Infinity;
  private server?: https.Server;
  private port = 0;
  /** Required by the control API: in the state file (readable by its owner only) and the in-process handle. */
  readonly controlKey: string;
  private certificate?: Certificate;

  constructor(private readonly options: AdfServerOptions) {
    this.clock = options.clock ?? new SimClock();
    this.controlKey = options.controlKey ?? randomBytes(24).toString('base64url');
    this.faults = new FaultBook(options.faults ?? [], options.seed ?? 1);
    this.outcomes = new OutcomeBook(options.outcomes ?? []);
    const now = () => this.clock.now();
    const specs = options.armBuckets === undefined ? ARM_BUCKETS : options.armBuckets;
    if (specs)
      this.buckets = {
        reads: new TokenBucket(specs.reads, now),
        writes: new TokenBucket(specs.writes, now),
        deletes: new TokenBucket(specs.deletes, now),
      };
    for (const name of options.factories) this.addFactory(name);
  }

  get timing(): RunTiming {
    return this.options.timing ?? TEST_TIMING;
  }

  /** https://127.0.0.1:PORT, once started. */
  get endpoint(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** The PEM certificate clients trust (tlsOptions: { ca }). */
  get ca(): string {
    if (!this.certificate) throw new Error('The emulator has not started yet.');
    return this.certificate.cert;
  }

  async start(): Promise<void> {
    this.certificate = this.options.certificate ?? (await makeCertificate());
    const server = https.createServer({ key: this.certificate.key, cert: this.certificate.cert }, (req, res) => {
      this.handle(req, res).catch(e => {
        // A bug here must not take the emulator down: answer 500 and say it.
        console.error(`emulator: ${(e as Error).stack ?? String(e)}`);
        if (!res.headersSent)
          sendReply(res, { status: 500, body: { error: { code: 'InternalServerError', message: String(e) } } });
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.clock.stop();
    for (const f of this.factories.values()) f.engine.stop();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>(resolve => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  // ---- what tests and the control API read and set ----

  /** Requests per operation since start (or the last resetCounts), faulted ones included. */
  requestCounts(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort());
  }

  /** Forgets request counts, the request log and the faults fired. */
  resetCounts(): void {
    this.counts.clear();
    this.log.length = 0;
    this.faults.resetFired();
  }

  requests(): readonly RequestLogEntry[] {
    return this.log;
  }

  /** Every run of every factory (past ADF's 45 days too), as the API shows them, with their activity runs. */
  runs(factory?: string): (Record<string, unknown> & { activityRuns: unknown[] })[] {
    const out: (Record<string, unknown> & { activityRuns: unknown[] })[] = [];
    for (const f of this.factories.values()) {
      if (factory && f.name.toLowerCase() !== factory.toLowerCase()) continue;
      for (const run of f.engine.all())
        out.push({ ...f.engine.toApi(run), factory: f.name, activityRuns: run.activityRuns.map(a => ({ ...a })) });
    }
    return out;
  }

  /** The run engine of a factory, for in-process callers (listeners, the demo). */
  engine(factory: string): RunEngine {
    return this.factoryOrThrow(factory).engine;
  }

  /** Tokens first presented before this time (or JWTs issued before it) are refused as expired from now on. */
  expireTokensIssuedBefore(time: number): void {
    this.tokensExpireBefore = time;
  }

  /** Accepts every token again. */
  clearTokenExpiry(): void {
    this.tokensExpireBefore = -Infinity;
  }

  addFactory(name: string): void {
    if (this.factories.has(name.toLowerCase())) return;
    const now = () => this.clock.now();
    const artifacts = new ArtifactStore(now, this.options.validateReferences ?? true);
    const factoryId = this.factoryId(name);
    const limit = this.options.monitoringQueriesPerMinute ?? MONITORING_QUERIES_PER_MINUTE;
    const engine = new RunEngine({
      clock: this.clock,
      artifacts,
      outcomes: this.outcomes,
      timing: this.timing,
      factoryId,
      ...(this.options.activityPageSize ? { activityPageSize: this.options.activityPageSize } : {}),
    });
    this.factories.set(name.toLowerCase(), {
      name,
      createTime: this.clock.now(),
      artifacts,
      engine,
      triggers: new TriggerRunner(this.clock, artifacts, engine),
      ...(limit === false ? {} : { monitoring: new MinuteBudget(limit, now) }),
    });
  }

  private factoryOrThrow(name: string): FactoryState {
    const f = this.factories.get(name.toLowerCase());
    if (!f)
      throw notFound(
        'ResourceNotFound',
        `The Resource 'Microsoft.DataFactory/factories/${name}' under resource group '${this.options.resourceGroup}' was not found. ` +
          'For more details please go to https://aka.ms/ARMResourceNotFoundFix',
      );
    return f;
  }

  // ---- the request path ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const method = req.method ?? 'GET';
    if (url.pathname.startsWith('/_emulator/') || url.pathname === '/_emulator') return this.control(req, res, url);

    let text = '';
    try {
      text = await readBody(req);
    } catch (e) {
      return sendReply(res, e instanceof ArmError ? e.toReply() : { status: 400 });
    }
    const resolved = this.resolve(method, url.pathname);
    const operation = resolved.operation;
    this.counts.set(operation, (this.counts.get(operation) ?? 0) + 1);
    const record = (status: number | 'reset') => {
      this.log.push({ at: new Date(this.clock.now()).toISOString(), method, path: url.pathname, operation, status });
      if (this.log.length > MAX_LOG) this.log.splice(0, this.log.length - MAX_LOG);
    };
    const answer = (reply: Reply) => {
      record(reply.status);
      sendReply(res, reply);
    };
    const reset = () => {
      record('reset');
      req.socket.destroy();
    };

    const auth = this.authenticate(req.headers.authorization);
    if (auth) return answer(auth);
    const fault = this.faults.decide(operation);
    if (fault.delayMs > 0) await new Promise(r => setTimeout(r, fault.delayMs));
    if (fault.before) return fault.before.kind === 'reset' ? reset() : answer(faultReply(fault.before));

    let reply: Reply;
    try {
      reply = this.execute(method, url, text, req.headers, resolved);
    } catch (e) {
      if (!(e instanceof ArmError)) throw e;
      reply = e.toReply();
    }
    if (fault.after) return fault.after.kind === 'reset' ? reset() : answer(faultReply(fault.after));
    answer(reply);
  }

  private execute(
    method: string,
    url: URL,
    text: string,
    headers: IncomingMessage['headers'],
    resolved: ResolvedRoute,
  ): Reply {
    const version = url.searchParams.get('api-version');
    if (!version)
      throw badRequest(
        'MissingApiVersionParameter',
        'The api-version query parameter (?api-version=) is required for all requests.',
      );
    if (version !== API_VERSION)
      throw badRequest(
        'InvalidApiVersionParameter',
        `The api-version '${version}' is invalid. The supported versions are '${API_VERSION}'.`,
      );
    if (resolved.subscriptionId.toLowerCase() !== this.options.subscriptionId.toLowerCase())
      throw notFound('SubscriptionNotFound', `The subscription '${resolved.subscriptionId}' could not be found.`);
    if (
      resolved.resourceGroup !== undefined &&
      resolved.resourceGroup.toLowerCase() !== this.options.resourceGroup.toLowerCase()
    )
      throw notFound('ResourceGroupNotFound', `Resource group '${resolved.resourceGroup}' could not be found.`);
    if (!resolved.route) throw notFound('NotFound', `The emulator does not implement ${method} ${url.pathname}.`);

    // Monitoring queries are POSTs that change nothing: they spend ARM's read tokens (and ADF's budget below).
    const limited = this.takeArmToken(
      method === 'GET' || ('monitoring' in resolved.route && resolved.route.monitoring)
        ? 'reads'
        : method === 'DELETE'
          ? 'deletes'
          : 'writes',
    );
    if ('reply' in limited) return limited.reply;
    const body = parseJsonBody(text);
    const route = resolved.route;
    if ('aboveFactory' in route) return withHeaders(route.aboveFactory(url), limited.headers);
    if (resolved.factory === undefined)
      throw notFound('NotFound', `The emulator does not implement ${method} ${url.pathname}.`);
    if (resolved.operation === 'factories.createOrUpdate') this.addFactory(resolved.factory);
    const factory = this.factoryOrThrow(resolved.factory);
    if (route.monitoring && factory.monitoring) {
      const budget = factory.monitoring.take();
      if (!budget.ok)
        return armErrorReply(
          429,
          'TooManyRequests',
          `The factory '${factory.name}' has reached its limit of monitoring queries per minute. Retry after ${budget.retryAfterSeconds} seconds.`,
          budget.retryAfterSeconds,
        );
    }
    return withHeaders(route.handle({ url, body, headers, factory }), limited.headers);
  }

  private takeArmToken(kind: 'reads' | 'writes' | 'deletes'): { headers: Record<string, string> } | { reply: Reply } {
    if (!this.buckets) return { headers: {} };
    const taken = this.buckets[kind].take();
    if (!taken.ok)
      return {
        reply: armErrorReply(
          429,
          'SubscriptionRequestsThrottled',
          `Number of '${kind}' requests for subscription '${this.options.subscriptionId}' exceeded the limit. ` +
            `Please try again after '${taken.retryAfterSeconds}' seconds.`,
          taken.retryAfterSeconds,
        ),
      };
    return { headers: { [`x-ms-ratelimit-remaining-subscription-${kind}`]: String(taken.remaining) } };
  }

  private authenticate(header: string | undefined): Reply | undefined {
    const challenge = (description: string) => ({
      'www-authenticate': `Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token", error_description="${description}"`,
    });
    if (!header)
      return armErrorReply(
        401,
        'AuthenticationFailed',
        "Authentication failed. The 'Authorization' header is missing.",
        undefined,
        challenge('The authentication failed because of missing Authorization header.'),
      );
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m)
      return armErrorReply(
        401,
        'AuthenticationFailed',
        "Authentication failed. The 'Authorization' header is provided in an invalid format.",
        undefined,
        challenge('The authentication failed because of an invalid Authorization header.'),
      );
    const token = m[1]!;
    const now = this.clock.now();
    let issued = this.tokensFirstSeen.get(token);
    if (issued === undefined) {
      issued = issuedAtOf(token) ?? now;
      this.tokensFirstSeen.set(token, issued);
    }
    if (issued < this.tokensExpireBefore)
      return armErrorReply(
        401,
        'ExpiredAuthenticationToken',
        `The access token expiry UTC time '${new Date(this.tokensExpireBefore).toISOString()}' ` +
          `is earlier than current UTC time '${new Date(now).toISOString()}'.`,
        undefined,
        challenge('The access token has expired.'),
      );
    return undefined;
  }

  // ---- routing ----

  private resolve(method: string, pathname: string): ResolvedRoute {
    const path = pathname.replace(/\/+$/, '');
    const sub = SUBSCRIPTION_FACTORIES.exec(path);
    if (sub && method === 'GET')
      return {
        operation: 'factories.list',
        subscriptionId: decode(sub[1]!),
        route: { operation: 'factories.list', aboveFactory: url => this.listFactories(url) },
      };
    const m = ARM_PREFIX.exec(path);
    if (!m) return { operation: `unknown ${method}`, subscriptionId: '' };
    const subscriptionId = decode(m[1]!);
    const resourceGroup = decode(m[2]!);
    const base = { subscriptionId, resourceGroup };
    if (m[3] === undefined) {
      if (method !== 'GET') return { ...base, operation: `unknown ${method}` };
      return {
        ...base,
        operation: 'factories.listByResourceGroup',
        route: { operation: 'factories.listByResourceGroup', aboveFactory: url => this.listFactories(url) },
      };
    }
    const factory = decode(m[3]);
    const rest = (m[4] ?? '')
      .split('/')
      .filter(s => s !== '')
      .map(decode);
    const route = this.routeUnder(method, rest);
    return {
      ...base,
      factory,
      operation: route?.operation ?? `unknown ${method} ${rest[0] ?? 'factory'}`,
      ...(route ? { route } : {}),
    };
  }

  private routeUnder(method: string, rest: string[]): Route | undefined {
    const [first, second, third, fourth] = rest;
    if (first === undefined) {
      if (method === 'GET')
        return { operation: 'factories.get', handle: ctx => ({ status: 200, body: this.factoryBody(ctx.factory) }) };
      if (method === 'PUT')
        return {
          operation: 'factories.createOrUpdate',
          handle: ctx => ({ status: 200, body: this.factoryBody(ctx.factory) }),
        };
      return undefined;
    }
    const lower = first.toLowerCase();
    if (lower === 'querypipelineruns' && method === 'POST' && rest.length === 1)
      return {
        operation: 'pipelineRuns.queryByFactory',
        monitoring: true,
        handle: ctx => ({ status: 200, body: ctx.factory.engine.query(filterOf(ctx.body)) }),
      };
    if (lower === 'querytriggerruns' && method === 'POST' && rest.length === 1)
      return { operation: 'triggerRuns.queryByFactory', monitoring: true, handle: ctx => this.queryTriggerRuns(ctx) };
    if (lower === 'triggers' && rest.length === 5 && method === 'POST' && third!.toLowerCase() === 'triggerruns') {
      const action = rest[4]!.toLowerCase();
      const triggerName = second!;
      const runId = fourth!;
      if (action === 'rerun')
        return {
          operation: 'triggerRuns.rerun',
          handle: ctx => (ctx.factory.triggers.rerun(triggerName, runId), { status: 200 }),
        };
      if (action === 'cancel')
        return {
          operation: 'triggerRuns.cancel',
          handle: ctx => (ctx.factory.triggers.cancel(triggerName, runId), { status: 200 }),
        };
      return undefined;
    }
    if (lower === 'querytriggers' && method === 'POST' && rest.length === 1)
      return { operation: 'triggers.queryByFactory', handle: ctx => this.queryTriggers(ctx) };
    if (lower === 'pipelineruns' && second !== undefined) {
      if (rest.length === 2 && method === 'GET')
        return {
          operation: 'pipelineRuns.get',
          monitoring: true,
          handle: ctx => ({ status: 200, body: ctx.factory.engine.toApi(ctx.factory.engine.visibleRun(second)) }),
        };
      if (rest.length === 3 && method === 'POST' && third!.toLowerCase() === 'cancel')
        return {
          operation: 'pipelineRuns.cancel',
          handle: ctx => {
            ctx.factory.engine.cancel(second, flag(ctx.url, 'isRecursive') === true);
            return { status: 200 };
          },
        };
      if (rest.length === 3 && method === 'POST' && third!.toLowerCase() === 'queryactivityruns')
        return {
          operation: 'activityRuns.queryByPipelineRun',
          monitoring: true,
          handle: ctx => ({ status: 200, body: ctx.factory.engine.queryActivities(second, filterOf(ctx.body)) }),
        };
      return undefined;
    }
    const kind = artifactKindOf(first);
    if (!kind) return undefined;
    const group = ARTIFACT_KINDS[kind].group;
    if (second === undefined)
      return method === 'GET'
        ? { operation: `${group}.listByFactory`, handle: ctx => this.list(ctx, kind) }
        : undefined;
    if (third === undefined) {
      if (method === 'PUT') return { operation: `${group}.createOrUpdate`, handle: ctx => this.put(ctx, kind, second) };
      if (method === 'GET') return { operation: `${group}.get`, handle: ctx => this.getArtifact(ctx, kind, second) };
      if (method === 'DELETE')
        return {
          operation: `${group}.delete`,
          handle: ctx => {
            const existed = ctx.factory.artifacts.delete(kind, second);
            if (kind === 'triggers') ctx.factory.triggers.removed(second);
            return { status: existed ? 200 : 204 };
          },
        };
      return undefined;
    }
    if (fourth !== undefined || method !== 'POST') return undefined;
    const action = third.toLowerCase();
    if (kind === 'pipelines' && action === 'createrun')
      return { operation: 'pipelines.createRun', handle: ctx => this.createRun(ctx, second) };
    if (kind === 'triggers') {
      const triggerActions: Record<string, [string, (ctx: RequestContext) => Reply]> = {
        start: ['triggers.start', ctx => this.startTrigger(ctx, second)],
        stop: ['triggers.stop', ctx => this.stopTrigger(ctx, second)],
        subscribetoevents: ['triggers.subscribeToEvents', ctx => this.subscribe(ctx, second, true)],
        unsubscribefromevents: ['triggers.unsubscribeFromEvents', ctx => this.subscribe(ctx, second, false)],
        geteventsubscriptionstatus: [
          'triggers.getEventSubscriptionStatus',
          ctx => this.subscriptionStatus(ctx, second),
        ],
      };
      const found = triggerActions[action];
      if (found) return { operation: found[0], handle: found[1] };
    }
    if (kind === 'integrationruntimes' && action === 'getstatus')
      return { operation: 'integrationRuntimes.getStatus', handle: ctx => this.integrationRuntimeStatus(ctx, second) };
    return undefined;
  }

  // ---- handlers ----

  private factoryId(name: string): string {
    return `/subscriptions/${this.options.subscriptionId}/resourceGroups/${this.options.resourceGroup}/providers/Microsoft.DataFactory/factories/${name}`;
  }

  private factoryBody(f: FactoryState): Record<string, unknown> {
    return {
      id: this.factoryId(f.name),
      name: f.name,
      type: 'Microsoft.DataFactory/factories',
      location: this.options.location ?? 'local',
      tags: { environment: 'local', emulator: 'lakehouse-workbench' },
      eTag: `"${f.createTime.toString(16)}"`,
      properties: {
        provisioningState: 'Succeeded',
        createTime: new Date(f.createTime).toISOString(),
        version: API_VERSION,
        publicNetworkAccess: 'Enabled',
      },
    };
  }

  private listFactories(url: URL): Reply {
    const all = [...this.factories.values()].map(f => this.factoryBody(f));
    return { status: 200, body: this.pageOf(url, all) };
  }

  /** A page of a list, with ARM's nextLink (an absolute URL with a skip token) when more follow. */
  private pageOf(url: URL, items: unknown[]): { value: unknown[]; nextLink?: string } {
    const size = this.options.listPageSize ?? 50;
    const skip = Number(url.searchParams.get('$skipToken') ?? '0');
    if (!Number.isInteger(skip) || skip < 0)
      throw badRequest('BadRequest', 'The $skipToken of the nextLink is not valid.');
    const value = items.slice(skip, skip + size);
    if (skip + size >= items.length) return { value };
    const next = new URL(url.pathname, this.endpoint);
    next.searchParams.set('api-version', API_VERSION);
    next.searchParams.set('$skipToken', String(skip + size));
    return { value, nextLink: next.toString() };
  }

  private artifactBody(f: FactoryState, kind: ArtifactKind, a: Artifact): Record<string, unknown> {
    const properties =
      kind === 'triggers' ? { ...a.properties, runtimeState: f.artifacts.triggerRuntimeState(a.name) } : a.properties;
    return {
      id: `${this.factoryId(f.name)}/${ARTIFACT_KINDS[kind].type}/${a.name}`,
      name: a.name,
      type: `Microsoft.DataFactory/factories/${ARTIFACT_KINDS[kind].type}`,
      etag: a.etag,
      properties,
    };
  }

  private list(ctx: RequestContext, kind: ArtifactKind): Reply {
    const items = ctx.factory.artifacts.list(kind).map(a => this.artifactBody(ctx.factory, kind, a));
    return { status: 200, body: this.pageOf(ctx.url, items) };
  }

  private getArtifact(ctx: RequestContext, kind: ArtifactKind, name: string): Reply {
    const a = ctx.factory.artifacts.getOrThrow(kind, name);
    const ifNoneMatch = ctx.headers['if-none-match'];
    if (ifNoneMatch && ifNoneMatch === a.etag) return { status: 304 };
    return { status: 200, body: this.artifactBody(ctx.factory, kind, a) };
  }

  private put(ctx: RequestContext, kind: ArtifactKind, name: string): Reply {
    const existing = kind === 'triggers' ? ctx.factory.artifacts.get('triggers', name) : undefined;
    if (
      existing &&
      isRecord(ctx.body) &&
      isRecord(ctx.body['properties']) &&
      ctx.factory.artifacts.triggerRuntimeState(name) !== 'Started'
    )
      checkTumblingWindowUpdate(existing, ctx.body['properties']);
    const ifMatch = ctx.headers['if-match'];
    const { artifact } = ctx.factory.artifacts.put(
      kind,
      name,
      ctx.body,
      typeof ifMatch === 'string' ? ifMatch : undefined,
    );
    return { status: 200, body: this.artifactBody(ctx.factory, kind, artifact) };
  }

  private createRun(ctx: RequestContext, pipeline: string): Reply {
    const q = ctx.url.searchParams;
    if (!isRecord(ctx.body)) throw badRequest('BadRequest', 'The body of createRun is the parameters: a JSON object.');
    const request: CreateRunRequest = {
      parameters: ctx.body,
      ...(q.get('referencePipelineRunId') ? { referencePipelineRunId: q.get('referencePipelineRunId')! } : {}),
      ...(flag(ctx.url, 'isRecovery') ? { isRecovery: true } : {}),
      ...(q.get('startActivityName') ? { startActivityName: q.get('startActivityName')! } : {}),
      ...(flag(ctx.url, 'startFromFailure') ? { startFromFailure: true } : {}),
    };
    const run: PipelineRunRecord = ctx.factory.engine.createRun(pipeline, request);
    return { status: 200, body: { runId: run.runId } };
  }

  private startTrigger(ctx: RequestContext, name: string): Reply {
    const trigger = ctx.factory.artifacts.getOrThrow('triggers', name);
    if (isEventTrigger(trigger) && ctx.factory.artifacts.eventSubscription(name) !== 'Enabled')
      throw badRequest(
        'TriggerEventSubscriptionNotEnabled',
        `Trigger '${trigger.name}' cannot start: its event subscription is ${ctx.factory.artifacts.eventSubscription(name)}. ` +
          'Subscribe it to events and wait until getEventSubscriptionStatus says Enabled.',
      );
    ctx.factory.triggers.check(name);
    if (ctx.factory.artifacts.triggerRuntimeState(name) === 'Started') return { status: 200 };
    ctx.factory.artifacts.setTriggerRuntimeState(name, 'Started');
    ctx.factory.triggers.started(name);
    return { status: 200 };
  }

  private stopTrigger(ctx: RequestContext, name: string): Reply {
    ctx.factory.artifacts.getOrThrow('triggers', name);
    ctx.factory.artifacts.setTriggerRuntimeState(name, 'Stopped');
    ctx.factory.triggers.stopped(name);
    return { status: 200 };
  }

  private subscribe(ctx: RequestContext, name: string, on: boolean): Reply {
    const trigger = ctx.factory.artifacts.getOrThrow('triggers', name);
    if (!isEventTrigger(trigger))
      throw badRequest(
        'BadRequest',
        `Trigger '${trigger.name}' is a ${String(trigger.properties['type'])}: only event triggers subscribe to events.`,
      );
    if (!on && ctx.factory.artifacts.triggerRuntimeState(name) === 'Started')
      throw badRequest(
        'TriggerEnabledCannotUpdate',
        'Cannot update enabled Trigger; the trigger needs to be disabled first. ',
      );
    const artifacts = ctx.factory.artifacts;
    artifacts.setEventSubscription(name, on ? 'Provisioning' : 'Deprovisioning');
    const transition = on ? 'Provisioning' : 'Deprovisioning';
    this.clock.after(this.options.eventSubscriptionMs ?? this.timing.activityMs, () => {
      // Unless the trigger was deleted (its state goes with it) or the opposite was asked meanwhile.
      if (artifacts.eventSubscription(name) === transition)
        artifacts.setEventSubscription(name, on ? 'Enabled' : 'Disabled');
    });
    return { status: 200, body: { triggerName: trigger.name, status: artifacts.eventSubscription(name) } };
  }

  private subscriptionStatus(ctx: RequestContext, name: string): Reply {
    const trigger = ctx.factory.artifacts.getOrThrow('triggers', name);
    return { status: 200, body: { triggerName: trigger.name, status: ctx.factory.artifacts.eventSubscription(name) } };
  }

  private queryTriggerRuns(ctx: RequestContext): Reply {
    const body = filterOf(ctx.body);
    const parse = (name: string) => {
      const t = typeof body[name] === 'string' ? Date.parse(body[name] as string) : NaN;
      if (Number.isNaN(t))
        throw badRequest('BadRequest', `'${name}' is required: trigger runs are queried on their last-updated time.`);
      return t;
    };
    let names: Set<string> | undefined;
    for (const f of Array.isArray(body['filters']) ? body['filters'] : []) {
      if (
        !isRecord(f) ||
        String(f['operand']).toLowerCase() !== 'triggername' ||
        !['Equals', 'In'].includes(String(f['operator']))
      )
        throw badRequest('BadRequest', 'Trigger runs filter on TriggerName with Equals or In only, here.');
      names = new Set((Array.isArray(f['values']) ? f['values'] : []).map(v => String(v).toLowerCase()));
    }
    const all = ctx.factory.triggers.query(parse('lastUpdatedAfter'), parse('lastUpdatedBefore'), names);
    const token =
      typeof body['continuationToken'] === 'string'
        ? Number(Buffer.from(body['continuationToken'], 'base64url').toString())
        : 0;
    if (!Number.isInteger(token) || token < 0) throw badRequest('BadRequest', 'The continuation token is not valid.');
    const page = all.slice(token, token + 100).map(r => ctx.factory.triggers.toApi(r));
    const next = token + 100 < all.length ? Buffer.from(String(token + 100)).toString('base64url') : undefined;
    return { status: 200, body: { value: page, ...(next ? { continuationToken: next } : {}) } };
  }

  private queryTriggers(ctx: RequestContext): Reply {
    const body = isRecord(ctx.body) ? ctx.body : {};
    const parent = typeof body['parentTriggerName'] === 'string' ? body['parentTriggerName'].toLowerCase() : undefined;
    const all = ctx.factory.artifacts
      .list('triggers')
      .filter(t => {
        const ref = t.properties['parentTrigger'];
        return parent === undefined || (typeof ref === 'string' && ref.toLowerCase().endsWith(parent));
      })
      .map(t => this.artifactBody(ctx.factory, 'triggers', t));
    return { status: 200, body: { value: all } };
  }

  private integrationRuntimeStatus(ctx: RequestContext, name: string): Reply {
    const ir = ctx.factory.artifacts.getOrThrow('integrationruntimes', name);
    return {
      status: 200,
      body: {
        name: ir.name,
        properties: {
          type: String(ir.properties['type'] ?? 'Managed'),
          dataFactoryName: ctx.factory.name,
          state: 'Online',
        },
      },
    };
  }

  // ---- control API (/_emulator/…): for tests and the demo, on loopback only ----

  private async control(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    const path = url.pathname.replace(/^\/_emulator\/?/, '').replace(/\/+$/, '');
    let body: unknown;
    try {
      // Loopback is shared by every local user and process: the control API wants the key of this instance.
      const key = Buffer.from(String(req.headers['x-emulator-key'] ?? ''));
      const expected = Buffer.from(this.controlKey);
      if (key.length !== expected.length || !timingSafeEqual(key, expected)) {
        req.resume();
        return sendReply(res, {
          status: 401,
          body: {
            error: {
              code: 'ControlKeyRequired',
              message: "The control API needs this emulator's key in x-emulator-key (see its state file).",
            },
          },
        });
      }
      body = parseJsonBody(await readBody(req));
      sendReply(res, { status: 200, body: this.controlAction(method, path, body, url) ?? { ok: true } });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      sendReply(
        res,
        e instanceof ArmError ? e.toReply() : { status: 400, body: { error: { code: 'BadRequest', message } } },
      );
    }
  }

  private controlAction(method: string, path: string, body: unknown, url: URL): unknown {
    const many = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : [value as T]);
    switch (`${method} ${path}`) {
      case 'GET health':
        return {
          ok: true,
          label: 'local emulator',
          endpoint: this.endpoint,
          now: new Date(this.clock.now()).toISOString(),
        };
      case 'GET counts':
        return { counts: this.requestCounts(), faultsFired: this.faults.firedCounts() };
      case 'DELETE counts':
        this.resetCounts();
        return undefined;
      case 'GET requests':
        return { requests: this.log };
      case 'GET runs':
        return { runs: this.runs(url.searchParams.get('factory') ?? undefined) };
      case 'POST runs/import': {
        const factory = url.searchParams.get('factory') ?? this.options.factories[0] ?? '';
        const engine = this.factoryOrThrow(factory).engine;
        return { runIds: many<HistoricalRun>(body).map(r => engine.importRun(historicalRun(r)).runId) };
      }
      case 'GET faults':
        return { faults: this.faults.list() };
      case 'POST faults':
        for (const f of many(body)) this.faults.add(f as FaultRule);
        return { faults: this.faults.list() };
      case 'DELETE faults':
        this.faults.clear();
        return undefined;
      case 'GET outcomes':
        return { outcomes: this.outcomes.list() };
      case 'POST outcomes':
        for (const o of many(body)) this.outcomes.add(o as OutcomeRule);
        return { outcomes: this.outcomes.list() };
      case 'PUT outcomes':
        this.outcomes.set(many(body));
        return { outcomes: this.outcomes.list() };
      case 'DELETE outcomes':
        this.outcomes.clear();
        return undefined;
      case 'GET clock':
        return { now: new Date(this.clock.now()).toISOString(), manual: this.clock.manual };
      case 'POST clock': {
        const b = isRecord(body) ? body : {};
        if (typeof b['advanceMs'] === 'number') this.clock.advance(b['advanceMs']);
        else if (typeof b['set'] === 'string' && !Number.isNaN(Date.parse(b['set'])))
          this.clock.set(Date.parse(b['set']));
        else throw new TypeError('POST /_emulator/clock takes { "advanceMs": number } or { "set": "<ISO time>" }.');
        return { now: new Date(this.clock.now()).toISOString() };
      }
      case 'POST tokens/expire': {
        const b = isRecord(body) ? body : {};
        const before = typeof b['before'] === 'string' ? Date.parse(b['before']) : this.clock.now();
        if (Number.isNaN(before)) throw new TypeError('"before" must be an ISO time.');
        this.expireTokensIssuedBefore(before);
        return { expiredBefore: new Date(before).toISOString() };
      }
      default:
        throw notFound('NotFound', `No control operation ${method} /_emulator/${path}.`);
    }
  }
}

interface ResolvedRoute {
  operation: string;
  subscriptionId: string;
  resourceGroup?: string;
  factory?: string;
  route?: Route;
}

/** A historical run from the control API: times as ISO text or ms. */
function historicalRun(value: unknown): HistoricalRun {
  if (!isRecord(value) || typeof value['pipelineName'] !== 'string')
    throw new TypeError('Each imported run needs a pipelineName.');
  const time = (name: string) => {
    const v = value[name];
    const t = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : NaN;
    if (Number.isNaN(t)) throw new TypeError(`Imported run: '${name}' must be a time (ISO text or ms).`);
    return t;
  };
  return {
    pipelineName: value['pipelineName'],
    status: value['status'] as HistoricalRun['status'],
    runStart: time('runStart'),
    runEnd: time('runEnd'),
    ...(isRecord(value['parameters']) ? { parameters: value['parameters'] } : {}),
    ...(typeof value['message'] === 'string' ? { message: value['message'] } : {}),
    ...(typeof value['runGroupId'] === 'string' ? { runGroupId: value['runGroupId'] } : {}),
  };
}

function withHeaders(reply: Reply, headers: Record<string, string>): Reply {
  return { ...reply, headers: { ...headers, ...(reply.headers ?? {}) } };
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function flag(url: URL, name: string): boolean | undefined {
  const v = url.searchParams.get(name);
  return v === null ? undefined : v.toLowerCase() === 'true';
}

function filterOf(body: unknown): Record<string, unknown> {
  if (!isRecord(body)) throw badRequest('BadRequest', 'The body must be the filter parameters: a JSON object.');
  return body;
}

function armErrorReply(
  status: number,
  code: string,
  message: string,
  retryAfterSeconds?: number,
  headers: Record<string, string> = {},
): Reply {
  return {
    status,
    body: { error: { code, message, target: null, details: null } },
    headers: { ...headers, ...(retryAfterSeconds !== undefined ? { 'retry-after': String(retryAfterSeconds) } : {}) },
  };
}

function faultReply(rule: FaultRule): Reply {
  const status = rule.status ?? 500;
  const code =
    status === 429
      ? 'TooManyRequests'
      : status === 503
        ? 'ServiceUnavailable'
        : status === 500
          ? 'InternalServerError'
          : 'Fault';
  return armErrorReply(
    status,
    code,
    `Fault injected by the local emulator (${status}).`,
    rule.retryAfterSeconds ?? (status === 429 ? 1 : undefined),
  );
}

/** The iat claim of a JWT (seconds → ms), when the token is one. */
function issuedAtOf(token: string): number | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { iat?: unknown };
    return typeof claims.iat === 'number' ? claims.iat * 1000 : undefined;
  } catch {
    return undefined;
  }
}
