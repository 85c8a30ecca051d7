// The CLI's credentials, for terminals and Azure DevOps. The editor signs in through VS Code's
// Microsoft authentication provider instead (src/extension/azure).
import type { AccessToken, TokenCredential } from '@azure/core-auth';

export interface CredentialChoice {
  credential: TokenCredential;
  /** What the credential is, for the log (never a secret). */
  description: string;
}

/**
 * In an Azure DevOps job with a workload-identity service connection (the AZURESUBSCRIPTION_*
 * variables and SYSTEM_ACCESSTOKEN mapped into the step's environment), AzurePipelinesCredential;
 * otherwise DefaultAzureCredential: a service principal from AZURE_TENANT_ID / AZURE_CLIENT_ID /
 * AZURE_CLIENT_SECRET (or a certificate), a workload or managed identity, then the Azure CLI's
 * sign-in, Azure PowerShell's and the Azure Developer CLI's.
 */
export async function cliCredential(
  env: NodeJS.ProcessEnv = process.env,
  authorityHost?: string,
): Promise<CredentialChoice> {
  // @azure/identity is loaded only when a command reaches Azure: validate and render never pay for it.
  const identity = await import('@azure/identity');
  const options = authorityHost ? { authorityHost } : {};
  const tenantId = env['AZURESUBSCRIPTION_TENANT_ID'];
  const clientId = env['AZURESUBSCRIPTION_CLIENT_ID'];
  const connectionId = env['AZURESUBSCRIPTION_SERVICE_CONNECTION_ID'];
  const systemToken = env['SYSTEM_ACCESSTOKEN'];
  if (tenantId && clientId && connectionId) {
    if (!systemToken) {
      throw new Error(
        'An Azure DevOps service connection is configured (AZURESUBSCRIPTION_* variables) but SYSTEM_ACCESSTOKEN is not ' +
          'set: map it into the step (env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)).',
      );
    }
    return {
      credential: new identity.AzurePipelinesCredential(tenantId, clientId, connectionId, systemToken, options),
      description: `Azure Pipelines service connection ${connectionId} (workload identity federation)`,
    };
  }
  return {
    credential: new identity.DefaultAzureCredential(options),
    description: env['AZURE_CLIENT_ID']
      ? `DefaultAzureCredential (service principal or identity ${env['AZURE_CLIENT_ID']} from the environment first)`
      : 'DefaultAzureCredential (environment, workload identity, managed identity, Azure CLI, Azure PowerShell, azd)',
  };
}

/**
 * The local emulator's credential: it checks that a bearer token is sent, not who signed it. The
 * token expires like a real one, so clients that cache tokens are exercised.
 */
export class EmulatorCredential implements TokenCredential {
  constructor(private readonly lifetimeMs = 60 * 60 * 1000) {}

  async getToken(): Promise<AccessToken> {
    const expiresOnTimestamp = Date.now() + this.lifetimeMs;
    return { token: `local-emulator.${expiresOnTimestamp}`, expiresOnTimestamp };
  }
}
