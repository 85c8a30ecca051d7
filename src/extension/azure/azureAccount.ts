// Sign-in through VS Code's built-in Microsoft authentication provider, as a TokenCredential
// (@microsoft/vscode-azext-azureauth; @azure/identity-vscode is deprecated). Part of the lazily
// loaded Azure bundle (dist/azure.js): activation never loads it.
import * as vscode from 'vscode';
import type { TokenCredential } from '@azure/core-auth';
import {
  VSCodeAzureSubscriptionProvider,
  getConfiguredAzureEnv,
  getUnauthenticatedTenants,
  isNotSignedInError,
  type AzureSubscription,
} from '@microsoft/vscode-azext-azureauth';

export interface SignedIn {
  credential: TokenCredential;
  subscriptionId: string;
  subscriptionName: string;
  tenantId: string;
  account: string;
  /** The cloud's Resource Manager endpoint (public Azure, or a sovereign cloud the user chose). */
  resourceManagerEndpoint: string;
  /** The cloud's storage suffix (core.windows.net in public Azure; sovereign clouds have their own). */
  storageEndpointSuffix?: string;
  cloud: string;
}

/** The reason no credential could be had, worded for the user, with what to do next. */
export class SignInNeeded extends Error {
  constructor(
    message: string,
    readonly action?: 'signIn' | 'signInToTenant' | 'chooseCloud',
  ) {
    super(message);
  }
}

export class AzureAccount implements vscode.Disposable {
  private readonly provider: VSCodeAzureSubscriptionProvider;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  /** The account shown in the status bar, once known. */
  accountLabel: string | undefined;

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.provider = new VSCodeAzureSubscriptionProvider(log);
    this.disposables.push(
      this.provider,
      this.changed,
      this.provider.onDidSignIn(() => this.changed.fire()),
      this.provider.onDidSignOut(() => {
        this.accountLabel = undefined;
        this.changed.fire();
      }),
    );
  }

  get cloud(): string {
    return getConfiguredAzureEnv().name;
  }

  async isSignedIn(): Promise<boolean> {
    return this.provider.isSignedIn();
  }

  /** Asks VS Code for a Microsoft account (the user picks or adds one); false when they cancel. */
  async signIn(): Promise<boolean> {
    const ok = await this.provider.signIn();
    if (ok) this.changed.fire();
    return ok;
  }

  /** Every subscription the account can see, in every tenant it is signed in to. */
  async subscriptions(): Promise<AzureSubscription[]> {
    try {
      return await this.provider.getSubscriptions(false);
    } catch (e) {
      if (isNotSignedInError(e)) throw new SignInNeeded('Sign in to Azure first.', 'signIn');
      throw e;
    }
  }

  /** Tenants the account belongs to but has not signed in to (each needs its own sign-in, often for MFA). */
  async tenantsNeedingSignIn(): Promise<{ tenantId: string; name: string }[]> {
    const tenants = await getUnauthenticatedTenants(this.provider);
    return tenants.map(t => ({ tenantId: t.tenantId ?? '', name: t.displayName ?? t.tenantId ?? 'tenant' }));
  }

  async signInToTenant(tenantId: string): Promise<boolean> {
    const ok = await this.provider.signIn(tenantId);
    if (ok) this.changed.fire();
    return ok;
  }

  /**
   * The credential for an environment's subscription. Empty lists and subscriptions in tenants the
   * user has not signed in to are the common failures of this provider: both get a message that says
   * which and what to do.
   */
  async credentialFor(subscriptionId: string | undefined, environment: string): Promise<SignedIn> {
    if (!(await this.isSignedIn())) throw new SignInNeeded('Sign in to Azure first.', 'signIn');
    const all = await this.subscriptions();
    const pending = await this.tenantsNeedingSignIn().catch(() => []);
    if (all.length === 0) {
      throw new SignInNeeded(
        pending.length
          ? `No subscriptions are visible yet: ${pending.length} tenant(s) of this account need their own sign-in ` +
              `(${pending.map(t => t.name).join(', ')}).`
          : `The account sees no subscriptions in ${this.cloud}. Choose another account, or another cloud ` +
              `(setting microsoft-sovereign-cloud.environment) if yours is sovereign.`,
        pending.length ? 'signInToTenant' : 'chooseCloud',
      );
    }
    const wanted = subscriptionId?.toLowerCase();
    const match = wanted ? all.find(s => s.subscriptionId.toLowerCase() === wanted) : undefined;
    if (wanted && !match) {
      throw new SignInNeeded(
        `Subscription ${subscriptionId} (environment '${environment}' in lakehouse.yaml) is not among the ` +
          `${all.length} subscription(s) this account sees` +
          (pending.length ? `; ${pending.length} tenant(s) still need their own sign-in.` : '.'),
        pending.length ? 'signInToTenant' : 'signIn',
      );
    }
    const chosen = match ?? all[0]!;
    this.accountLabel = chosen.account.label;
    this.changed.fire();
    this.log.info(
      `Azure: ${chosen.account.label} · subscription ${chosen.name} (${chosen.subscriptionId}) · ${this.cloud}`,
    );
    return {
      credential: chosen.credential,
      subscriptionId: chosen.subscriptionId,
      subscriptionName: chosen.name,
      tenantId: chosen.tenantId,
      account: chosen.account.label,
      resourceManagerEndpoint: chosen.environment.resourceManagerEndpointUrl,
      ...(chosen.environment.storageEndpointSuffix
        ? { storageEndpointSuffix: chosen.environment.storageEndpointSuffix.replace(/^\./, '') }
        : {}),
      cloud: chosen.environment.name,
    };
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
