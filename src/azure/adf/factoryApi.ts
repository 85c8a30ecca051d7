// The deploy's FactoryApi on @azure/arm-datafactory 12's DataFactoryManagementClient.
//
// Artifacts travel as the JSON the folder holds: the SDK's models predate fields the service
// accepts (an Azure SQL linked service's server/database/authenticationType, a Databricks cluster's
// dataSecurityMode, …) and drop them, so the PUT goes through the client's own pipeline (its
// credential, retries, endpoint, api-version) with an operation whose body is passed through
// untouched, and lists read each page's raw body. Trigger start/stop and event subscriptions use
// the SDK's operations as they are. Every failure becomes a FactoryApiError: ARM's error code,
// HTTP status and message, and never a header or a token.
import { DataFactoryManagementClient, type DataFactoryManagementClientOptionalParams } from '@azure/arm-datafactory';
import type { JsonObject } from '../../core/adf/generate/adfJson';
import type { DeployKind, EventSubscriptionStatus, FactoryApi } from '../../core/deploy';
import { excerpt } from '../../core/text/excerpt';

/** What a TokenCredential is to the SDK (the type comes with the client, not from a package of its own). */
export type FactoryCredential = ConstructorParameters<typeof DataFactoryManagementClient>[0];

export interface FactoryConnection {
  subscriptionId: string;
  resourceGroup: string;
  factory: string;
  /** ARM's endpoint: https://management.azure.com (the default), a sovereign cloud's, or the local emulator's. */
  endpoint?: string;
  /** The token's scopes (default: `<endpoint>/.default`). */
  credentialScopes?: string[];
  /** A CA certificate (PEM) to trust: the local emulator's self-signed one. */
  ca?: string | Buffer;
  /** Further client options (retryOptions, additionalPolicies, httpClient). */
  clientOptions?: DataFactoryManagementClientOptionalParams;
}

export const DEFAULT_ARM_ENDPOINT = 'https://management.azure.com';

export function createFactoryClient(
  credential: FactoryCredential,
  connection: Pick<FactoryConnection, 'subscriptionId' | 'endpoint' | 'credentialScopes' | 'ca' | 'clientOptions'>,
): DataFactoryManagementClient {
  const endpoint = (connection.endpoint ?? DEFAULT_ARM_ENDPOINT).replace(/\/+$/, '');
  return new DataFactoryManagementClient(credential, connection.subscriptionId, {
    endpoint,
    credentialScopes: connection.credentialScopes ?? [`${endpoint}/.default`],
    ...(connection.ca ? { tlsOptions: { ca: connection.ca } } : {}),
    ...connection.clientOptions,
  });
}

/** A failed call to the factory, as ARM answered it. */
export class FactoryApiError extends Error {
  constructor(
    message: string,
    /** ARM's error code (e.g. TriggerEnabledCannotUpdate), when it sent one. */
    readonly code: string | undefined,
    readonly statusCode: number | undefined,
  ) {
    super(message);
    this.name = 'FactoryApiError';
  }
}

type OperationSpec = Parameters<DataFactoryManagementClient['sendOperationRequest']>[1];
type OperationArguments = Parameters<DataFactoryManagementClient['sendOperationRequest']>[0];
type OnResponse = NonNullable<NonNullable<OperationArguments['options']>['onResponse']>;

/** Hands bodies through as they are: the artifact's JSON goes out untouched, answers come back parsed. */
const PASS_THROUGH: OperationSpec['serializer'] = {
  modelMappers: {},
  isXML: false,
  validateConstraints: () => undefined,
  serialize: (_mapper, value: unknown) => value,
  deserialize: (_mapper, value: unknown) => value,
};

const ANY = { type: { name: 'any' as const } };
const urlParameter = (name: string, skipEncoding = false) => ({
  parameterPath: name,
  mapper: { serializedName: name, required: true, type: { name: 'String' as const } },
  ...(skipEncoding ? { skipEncoding: true } : {}),
});

/** The URL segment of each kind (ARM's resource type under the factory). */
export const ARM_SEGMENT: Record<DeployKind, string> = {
  integrationRuntime: 'integrationRuntimes',
  credential: 'credentials',
  linkedService: 'linkedservices',
  dataset: 'datasets',
  dataflow: 'dataflows',
  pipeline: 'pipelines',
  trigger: 'triggers',
};

function putSpec(client: DataFactoryManagementClient, segment: string): OperationSpec {
  return {
    path:
      '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.DataFactory' +
      `/factories/{factoryName}/${segment}/{artifactName}`,
    httpMethod: 'PUT',
    responses: { 200: { bodyMapper: ANY }, default: { bodyMapper: ANY } },
    requestBody: { parameterPath: 'body', mapper: { ...ANY, serializedName: 'body', required: true } },
    queryParameters: [
      {
        parameterPath: 'apiVersion',
        mapper: {
          defaultValue: client.apiVersion,
          isConstant: true,
          serializedName: 'api-version',
          type: { name: 'String' },
        },
      },
    ],
    urlParameters: [
      urlParameter('$host', true),
      urlParameter('subscriptionId'),
      urlParameter('resourceGroupName'),
      urlParameter('factoryName'),
      urlParameter('artifactName'),
    ],
    headerParameters: [
      {
        parameterPath: 'accept',
        mapper: {
          defaultValue: 'application/json',
          isConstant: true,
          serializedName: 'Accept',
          type: { name: 'String' },
        },
      },
    ],
    mediaType: 'json',
    serializer: PASS_THROUGH,
  };
}

const SUBSCRIPTION_STATES = new Set<EventSubscriptionStatus>([
  'Enabled',
  'Provisioning',
  'Deprovisioning',
  'Disabled',
  'Unknown',
]);

/** The FactoryApi of one factory through a DataFactoryManagementClient. */
export class ArmFactoryApi implements FactoryApi {
  private readonly putSpecs = new Map<DeployKind, OperationSpec>();

  constructor(
    readonly client: DataFactoryManagementClient,
    readonly resourceGroup: string,
    readonly factory: string,
    /** Where the client sends its requests, for messages (default: the client's $host). */
    readonly endpoint: string = client.$host,
  ) {}

  static connect(credential: FactoryCredential, connection: FactoryConnection): ArmFactoryApi {
    return new ArmFactoryApi(
      createFactoryClient(credential, connection),
      connection.resourceGroup,
      connection.factory,
      (connection.endpoint ?? DEFAULT_ARM_ENDPOINT).replace(/\/+$/, ''),
    );
  }

  async list(kind: DeployKind): Promise<JsonObject[]> {
    const values: JsonObject[] = [];
    // Every page's own body: the SDK's models would drop what they do not know.
    const onResponse: OnResponse = raw => {
      const page = raw.bodyAsText ? (JSON.parse(raw.bodyAsText) as { value?: unknown }) : {};
      if (Array.isArray(page.value)) values.push(...(page.value as JsonObject[]));
    };
    const options = { onResponse };
    await this.call(`list the ${ARM_SEGMENT[kind]}`, async () => {
      for await (const page of this.pages(kind, options)) void page;
    });
    return values;
  }

  private pages(kind: DeployKind, options: { onResponse: OnResponse }): AsyncIterable<unknown> {
    const { client, resourceGroup: rg, factory: f } = this;
    switch (kind) {
      case 'integrationRuntime':
        return client.integrationRuntimes.listByFactory(rg, f, options).byPage();
      case 'credential':
        return client.credentialOperations.listByFactory(rg, f, options).byPage();
      case 'linkedService':
        return client.linkedServices.listByFactory(rg, f, options).byPage();
      case 'dataset':
        return client.datasets.listByFactory(rg, f, options).byPage();
      case 'dataflow':
        return client.dataFlows.listByFactory(rg, f, options).byPage();
      case 'pipeline':
        return client.pipelines.listByFactory(rg, f, options).byPage();
      case 'trigger':
        return client.triggers.listByFactory(rg, f, options).byPage();
    }
  }

  async put(kind: DeployKind, name: string, body: JsonObject): Promise<void> {
    let spec = this.putSpecs.get(kind);
    if (!spec) this.putSpecs.set(kind, (spec = putSpec(this.client, ARM_SEGMENT[kind])));
    const args = {
      $host: this.client.$host,
      subscriptionId: this.client.subscriptionId,
      resourceGroupName: this.resourceGroup,
      factoryName: this.factory,
      artifactName: name,
      body,
    } as OperationArguments;
    await this.call(`write ${kind} '${name}'`, () => this.client.sendOperationRequest(args, spec));
  }

  async delete(kind: DeployKind, name: string): Promise<void> {
    const { client, resourceGroup: rg, factory: f } = this;
    await this.call(`delete ${kind} '${name}'`, () => {
      switch (kind) {
        case 'integrationRuntime':
          return client.integrationRuntimes.delete(rg, f, name);
        case 'credential':
          return client.credentialOperations.delete(rg, f, name);
        case 'linkedService':
          return client.linkedServices.delete(rg, f, name);
        case 'dataset':
          return client.datasets.delete(rg, f, name);
        case 'dataflow':
          return client.dataFlows.delete(rg, f, name);
        case 'pipeline':
          return client.pipelines.delete(rg, f, name);
        case 'trigger':
          return client.triggers.delete(rg, f, name);
      }
    });
  }

  async startTrigger(name: string): Promise<void> {
    await this.call(`start trigger '${name}'`, () =>
      this.client.triggers.beginStartAndWait(this.resourceGroup, this.factory, name),
    );
  }

  async stopTrigger(name: string): Promise<void> {
    await this.call(`stop trigger '${name}'`, () =>
      this.client.triggers.beginStopAndWait(this.resourceGroup, this.factory, name),
    );
  }

  async subscribeTriggerToEvents(name: string): Promise<EventSubscriptionStatus> {
    const answer = await this.call(`subscribe trigger '${name}' to its events`, () =>
      this.client.triggers.beginSubscribeToEventsAndWait(this.resourceGroup, this.factory, name),
    );
    return subscriptionStatus(answer.status);
  }

  async eventSubscriptionStatus(name: string): Promise<EventSubscriptionStatus> {
    const answer = await this.call(`read the event subscription of trigger '${name}'`, () =>
      this.client.triggers.getEventSubscriptionStatus(this.resourceGroup, this.factory, name),
    );
    return subscriptionStatus(answer.status);
  }

  private async call<T>(what: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (e) {
      throw factoryError(e, what, this.endpoint);
    }
  }
}

function subscriptionStatus(status: string | undefined): EventSubscriptionStatus {
  return status !== undefined && SUBSCRIPTION_STATES.has(status as EventSubscriptionStatus)
    ? (status as EventSubscriptionStatus)
    : 'Unknown';
}

interface RestErrorLike {
  name?: string;
  message?: string;
  code?: string;
  statusCode?: number;
  details?: unknown;
}

/**
 * A clear message for a failed call: ARM's code, the HTTP status and ARM's message; for a
 * connection that failed, where it was going. Only these fields are read: the SDK's error also
 * holds the request, whose headers carry the bearer token.
 */
export function factoryError(e: unknown, what: string, endpoint?: string): FactoryApiError {
  if (e instanceof FactoryApiError) return e;
  const error = (e ?? {}) as RestErrorLike;
  const status = typeof error.statusCode === 'number' ? error.statusCode : undefined;
  const armCode =
    typeof error.code === 'string' && !/^(ECONN|ENOTFOUND|ETIMEDOUT|EAI_|REQUEST_SEND_ERROR|ERR_)/.test(error.code)
      ? error.code
      : undefined;
  const message = excerpt(withoutSecrets(error.message ?? String(e)), 400);
  if (status === undefined) {
    const where = endpoint ? ` at ${endpoint}` : '';
    return new FactoryApiError(
      `Could not ${what}: the factory${where} cannot be reached (${message}).`,
      error.code,
      undefined,
    );
  }
  const code = armCode ?? (status === 404 ? 'NotFound' : `HTTP ${status}`);
  const hint =
    status === 401 || status === 403
      ? ' Check the signed-in account and its role on the factory (Data Factory Contributor).'
      : status === 404 && /ResourceNotFound|ResourceGroupNotFound|FactoryNotFound/i.test(code)
        ? " Check the environment's subscription, resource group and factory."
        : '';
  return new FactoryApiError(`Could not ${what}: ${code} (HTTP ${status}): ${message}${hint}`, armCode, status);
}

/** Bearer tokens and SAS signatures never reach a message. */
function withoutSecrets(text: string): string {
  return text.replace(/Bearer\s+[A-Za-z0-9._~+/=-]+/gi, 'Bearer ***').replace(/([?&]sig=)[^&\s"']+/gi, '$1***');
}
