// The runs port over @azure/arm-datafactory 12: query pipeline runs (one page per call,
// continuation tokens), get a run, query activity runs (one page per call), createRun, cancel,
// and the pipeline definitions the trigger form reads. The SDK client is built WITHOUT its
// automatic retries (its pipeline retries 408, 5xx, resets and 429 on any method, createRun
// included, so one call could start two runs): every method makes exactly one request and turns
// failures into AdfCallError; the core retries reads itself, honouring Retry-After, and never
// retries a createRun blindly (core/runs/startRun.ts).
import { DataFactoryManagementClient, type DataFactoryManagementClientOptionalParams } from '@azure/arm-datafactory';
import type { ActivityRun, PipelineRun, RunFilterParameters, RunQueryFilter } from '@azure/arm-datafactory';
import type { ActivityRunRecord, PipelineRunRecord } from '../../core/runs/model';
import type {
  ActivityRunsPage,
  ActivityRunsQuery,
  AdfRunsPort,
  CreateRunRequest,
  RunsPage,
  RunsQuery,
} from '../../core/runs/ports';
import { AdfCallError } from '../../core/runs/errors';
import { toAdfCallError } from './runsErrors';
import { createFactoryClient } from './factoryApi';

/** What getToken() is asked for and returns: the credential type the SDK takes. */
export type AdfCredential = ConstructorParameters<typeof DataFactoryManagementClient>[0];

export interface AdfFactoryRef {
  subscriptionId: string;
  resourceGroup: string;
  factoryName: string;
}

export interface AdfConnectionOptions {
  /** ARM's endpoint (sovereign clouds, or the local emulator). Default: the SDK's (public Azure). */
  endpoint?: string;
  /** The token scope (default: <endpoint>/.default as the SDK picks it). */
  credentialScopes?: string[];
  /** The local emulator's self-signed certificate. */
  tlsOptions?: { ca: string | Buffer };
  /** Per request (ms): an answer later than this is an unclear outcome. Default 60 s. */
  timeoutMs?: number;
  /** Further SDK options (a test's httpClient, user agent). Retry options are ignored: there are no retries. */
  sdk?: DataFactoryManagementClientOptionalParams;
}

const RETRY_POLICIES = [
  'defaultRetryPolicy',
  'exponentialRetryPolicy',
  'throttlingRetryPolicy',
  'systemErrorRetryPolicy',
  'retryPolicy',
];

/** Removes the SDK pipeline's retry policies; throws if any policy that retries is left (a future SDK). */
export function removeAutomaticRetries(client: DataFactoryManagementClient): DataFactoryManagementClient {
  client.pipeline.removePolicy({ phase: 'Retry' });
  for (const name of RETRY_POLICIES) client.pipeline.removePolicy({ name });
  const left = client.pipeline.getOrderedPolicies().filter(p => /retry/i.test(p.name));
  if (left.length > 0)
    throw new Error(
      `The Data Factory client still has retry policies (${left.map(p => p.name).join(', ')}); refusing to use it.`,
    );
  return client;
}

/** A Data Factory client whose every call is exactly one request. */
export function createDataFactoryClientWithoutRetries(
  credential: AdfCredential,
  subscriptionId: string,
  options: AdfConnectionOptions = {},
): DataFactoryManagementClient {
  // The one client constructor (endpoint, scopes, the emulator's CA), with no retries at all.
  return removeAutomaticRetries(
    createFactoryClient(credential, {
      subscriptionId,
      endpoint: options.endpoint,
      credentialScopes: options.credentialScopes,
      ca: options.tlsOptions?.ca,
      clientOptions: { ...options.sdk, retryOptions: { maxRetries: 0 } },
    }),
  );
}

const iso = (d: Date | string | undefined): string | undefined =>
  d === undefined ? undefined : d instanceof Date ? (Number.isNaN(d.getTime()) ? undefined : d.toISOString()) : d;

function textMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value as Record<string, unknown>))
      out[k] = typeof v === 'string' ? v : (JSON.stringify(v) ?? '');
  return out;
}

/** The SDK's PipelineRun as the core's record. */
export function pipelineRunRecord(run: PipelineRun): PipelineRunRecord {
  const r: PipelineRunRecord = {
    runId: run.runId ?? '',
    pipelineName: run.pipelineName ?? '',
    status: run.status ?? 'Unknown',
    parameters: textMap(run.parameters),
    source: 'service',
  };
  const set = <K extends keyof PipelineRunRecord>(k: K, v: PipelineRunRecord[K] | undefined) => {
    if (v !== undefined && v !== null) r[k] = v;
  };
  set('runStart', iso(run.runStart));
  set('runEnd', iso(run.runEnd));
  set('lastUpdated', iso(run.lastUpdated));
  set('durationMs', typeof run.durationInMs === 'number' ? run.durationInMs : undefined);
  set('message', run.message || undefined);
  set('runGroupId', run.runGroupId || undefined);
  set('isLatest', typeof run.isLatest === 'boolean' ? run.isLatest : undefined);
  if (run.invokedBy) {
    const by: NonNullable<PipelineRunRecord['invokedBy']> = {};
    if (run.invokedBy.name) by.name = run.invokedBy.name;
    if (run.invokedBy.invokedByType) by.type = run.invokedBy.invokedByType;
    if (run.invokedBy.pipelineName) by.pipelineName = run.invokedBy.pipelineName;
    if (run.invokedBy.pipelineRunId) by.pipelineRunId = run.invokedBy.pipelineRunId;
    r.invokedBy = by;
  }
  return r;
}

/** The SDK's ActivityRun as the core's record (its error reduced to message, code, type, target). */
export function activityRunRecord(a: ActivityRun): ActivityRunRecord {
  const r: ActivityRunRecord = {
    activityRunId: a.activityRunId ?? '',
    activityName: a.activityName ?? '',
    pipelineRunId: a.pipelineRunId ?? '',
    status: a.status ?? 'Unknown',
  };
  if (a.activityType) r.activityType = a.activityType;
  const start = iso(a.activityRunStart);
  const end = iso(a.activityRunEnd);
  if (start) r.activityRunStart = start;
  if (end) r.activityRunEnd = end;
  if (typeof a.durationInMs === 'number') r.durationMs = a.durationInMs;
  const err = a.error as Record<string, unknown> | undefined;
  if (err && typeof err.message === 'string' && err.message !== '') {
    r.error = { message: err.message };
    if (typeof err.errorCode === 'string' && err.errorCode) r.error.errorCode = err.errorCode;
    if (typeof err.failureType === 'string' && err.failureType) r.error.failureType = err.failureType;
    if (typeof err.target === 'string' && err.target) r.error.target = err.target;
  }
  if (a.input !== undefined) r.input = a.input;
  if (a.output !== undefined) r.output = a.output;
  return r;
}

function dateOf(text: string, what: string): Date {
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) throw new AdfCallError(`${what} ${JSON.stringify(text)} is not a time.`, 'rejected');
  return d;
}

function filtersOf(query: RunsQuery): RunQueryFilter[] {
  const filters: RunQueryFilter[] = [];
  const list = (operand: string, values: readonly string[] | undefined) => {
    if (!values || values.length === 0) return;
    filters.push({ operand, operator: values.length === 1 ? 'Equals' : 'In', values: [...values] });
  };
  list('PipelineName', query.pipelineNames);
  list('Status', query.statuses);
  if (query.latestOnly) filters.push({ operand: 'LatestOnly', operator: 'Equals', values: ['true'] });
  return filters;
}

export class AdfRunsClient implements AdfRunsPort {
  private readonly timeoutMs: number;

  constructor(
    /** A client without automatic retries (createDataFactoryClientWithoutRetries). */
    private readonly client: DataFactoryManagementClient,
    readonly factory: AdfFactoryRef,
    options: { timeoutMs?: number } = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 60_000;
    removeAutomaticRetries(client);
  }

  /** A client for a factory: the SDK client without retries, pointed where `options` say. */
  static connect(credential: AdfCredential, factory: AdfFactoryRef, options: AdfConnectionOptions = {}): AdfRunsClient {
    for (const [k, v] of Object.entries(factory))
      if (typeof v !== 'string' || v.trim() === '') throw new Error(`The factory's ${k} is empty.`);
    const client = createDataFactoryClientWithoutRetries(credential, factory.subscriptionId, options);
    return new AdfRunsClient(client, factory, options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {});
  }

  /**
   * Runs one SDK call with our own timeout: an AbortSignal that fires after timeoutMs or when the
   * caller's does. (Not the SDK's requestOptions.timeout: its timer outlives a request that fails
   * to connect, and would keep a CLI process alive for its whole length.)
   */
  private async call<T>(
    operation: string,
    fn: (options: { abortSignal: AbortSignal }) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    const forward = () => controller.abort();
    if (signal?.aborted) controller.abort();
    else signal?.addEventListener('abort', forward, { once: true });
    try {
      return await fn({ abortSignal: controller.signal });
    } catch (e) {
      if (timedOut)
        throw new AdfCallError(`${operation}: no answer within ${Math.round(this.timeoutMs / 1000)} s.`, 'unclear', {
          operation,
        });
      throw toAdfCallError(e, operation);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', forward);
    }
  }

  async queryRuns(query: RunsQuery, signal?: AbortSignal): Promise<RunsPage> {
    const { resourceGroup, factoryName } = this.factory;
    const filter: RunFilterParameters = {
      lastUpdatedAfter: dateOf(query.lastUpdatedAfter, 'lastUpdatedAfter'),
      lastUpdatedBefore: dateOf(query.lastUpdatedBefore, 'lastUpdatedBefore'),
    };
    const filters = filtersOf(query);
    if (filters.length > 0) filter.filters = filters;
    if (query.orderBy) filter.orderBy = [{ orderBy: query.orderBy, order: query.order ?? 'DESC' }];
    if (query.continuationToken) filter.continuationToken = query.continuationToken;
    const response = await this.call(
      'Query pipeline runs',
      o => this.client.pipelineRuns.queryByFactory(resourceGroup, factoryName, filter, o),
      signal,
    );
    const page: RunsPage = { runs: (response.value ?? []).map(pipelineRunRecord) };
    if (response.continuationToken) page.continuationToken = response.continuationToken;
    return page;
  }

  async getRun(runId: string, signal?: AbortSignal): Promise<PipelineRunRecord> {
    const { resourceGroup, factoryName } = this.factory;
    const run = await this.call(
      `Get run ${runId}`,
      o => this.client.pipelineRuns.get(resourceGroup, factoryName, nonEmpty(runId, 'run id'), o),
      signal,
    );
    return pipelineRunRecord(run);
  }

  async queryActivityRuns(runId: string, query: ActivityRunsQuery, signal?: AbortSignal): Promise<ActivityRunsPage> {
    const { resourceGroup, factoryName } = this.factory;
    const filter: RunFilterParameters = {
      lastUpdatedAfter: dateOf(query.lastUpdatedAfter, 'lastUpdatedAfter'),
      lastUpdatedBefore: dateOf(query.lastUpdatedBefore, 'lastUpdatedBefore'),
      orderBy: [{ orderBy: 'ActivityRunStart', order: 'ASC' }],
    };
    if (query.continuationToken) filter.continuationToken = query.continuationToken;
    const response = await this.call(
      `Query the activity runs of ${runId}`,
      o =>
        this.client.activityRuns.queryByPipelineRun(resourceGroup, factoryName, nonEmpty(runId, 'run id'), filter, o),
      signal,
    );
    const page: ActivityRunsPage = { activityRuns: (response.value ?? []).map(activityRunRecord) };
    if (response.continuationToken) page.continuationToken = response.continuationToken;
    return page;
  }

  async createRun(pipelineName: string, request: CreateRunRequest, signal?: AbortSignal): Promise<{ runId: string }> {
    const { resourceGroup, factoryName } = this.factory;
    const response = await this.call(
      `Start ${pipelineName}`,
      o =>
        this.client.pipelines.createRun(resourceGroup, factoryName, nonEmpty(pipelineName, 'pipeline name'), {
          ...request,
          ...o,
        }),
      signal,
    );
    if (!response.runId)
      throw new AdfCallError(`Start ${pipelineName}: the service answered without a run id.`, 'unclear', {
        operation: 'createRun',
      });
    return { runId: response.runId };
  }

  async cancelRun(runId: string, options: { recursive: boolean }, signal?: AbortSignal): Promise<void> {
    const { resourceGroup, factoryName } = this.factory;
    await this.call(
      `Cancel run ${runId}`,
      o =>
        this.client.pipelineRuns.cancel(resourceGroup, factoryName, nonEmpty(runId, 'run id'), {
          ...o,
          isRecursive: options.recursive,
        }),
      signal,
    );
  }

  /** A pipeline's definition as the service has it (for the trigger form: its parameters). */
  async getPipeline(
    pipelineName: string,
    signal?: AbortSignal,
  ): Promise<{ name: string; parameters: Record<string, unknown> }> {
    const { resourceGroup, factoryName } = this.factory;
    const p = await this.call(
      `Read pipeline ${pipelineName}`,
      o => this.client.pipelines.get(resourceGroup, factoryName, nonEmpty(pipelineName, 'pipeline name'), o),
      signal,
    );
    return { name: p.name ?? pipelineName, parameters: (p.parameters ?? {}) as Record<string, unknown> };
  }

  /** The factory's pipeline names (every page), for the trigger's pick. */
  async listPipelineNames(signal?: AbortSignal): Promise<string[]> {
    const { resourceGroup, factoryName } = this.factory;
    return this.call(
      'List pipelines',
      async o => {
        const names: string[] = [];
        for await (const p of this.client.pipelines.listByFactory(resourceGroup, factoryName, o))
          if (p.name) names.push(p.name);
        return names.sort((a, b) => a.localeCompare(b));
      },
      signal,
    );
  }
}

function nonEmpty(value: string, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new AdfCallError(`The ${what} is empty.`, 'rejected');
  return value;
}
