import * as path from 'path';
import * as vscode from 'vscode';
import type { TokenCredential } from '@azure/core-auth';
import type { ProjectSnapshot } from '../../core/index';
import { resolveTarget, TargetError, type OperationsTarget } from '../../azure/target';
import { emulatorStateDir, launchEmulator, stopEmulator } from '../../emulator/launch';
import { readStateFile, type EmulatorState } from '../../emulator/stateFile';
import type { Context } from '../context';
import { loadAzure } from '../azure/lazyAzure';
import type { AzureAccount } from '../azure/azureAccount';
import { DeployDocuments } from './deployDocuments';

export interface OpenedTarget {
  snapshot: ProjectSnapshot;
  target: OperationsTarget;
  credential: TokenCredential;
}

/**
 * Where the editor's operations go for a project: its environment's Azure factory (signed in with
 * VS Code's Microsoft account), or the local emulator, which is started on demand.
 */
export class Operations implements vscode.Disposable {
  private account: AzureAccount | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  /** The before/after texts of deploy plans, for the diff editor. */
  readonly documents = new DeployDocuments();
  /** What the Databricks CLI reported about the bundle at the last deploy, in its files. */
  readonly bundleDiagnostics = vscode.languages.createDiagnosticCollection('lakehouse-databricks');

  constructor(private readonly ctx: Context) {}

  /** The Microsoft account, created (and the Azure bundle loaded) on first use. */
  azureAccount(): AzureAccount {
    if (!this.account) {
      this.account = new (loadAzure().AzureAccount)(this.ctx.log);
      this.account.onDidChange(() => this.changed.fire());
    }
    return this.account;
  }

  get accountLabel(): string | undefined {
    return this.account?.accountLabel;
  }

  emulatorState(snapshot: ProjectSnapshot): EmulatorState | undefined {
    const read = readStateFile(emulatorStateDir(path.dirname(snapshot.rootFile)));
    return read.kind === 'running' ? read.state : undefined;
  }

  /** Starts the project's local emulator unless it runs; undefined (and a message) when it cannot. */
  async ensureEmulator(snapshot: ProjectSnapshot): Promise<EmulatorState | undefined> {
    const running = this.emulatorState(snapshot);
    if (running) return running;
    const launched = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: 'Starting the local emulator (Data Factory and Azurite on this machine)…',
      },
      () =>
        launchEmulator({
          entry: path.join(this.ctx.extension.extensionPath, 'dist', 'emulator.js'),
          projectDir: path.dirname(snapshot.rootFile),
        }),
    );
    if (!launched.ok) {
      this.ctx.log.error(launched.message);
      void vscode.window.showErrorMessage(`Lakehouse: ${launched.message}`);
      return undefined;
    }
    this.ctx.log.info(
      `local emulator (pid ${launched.state.pid}): Data Factory ${launched.state.adf.endpoint}, blob ${launched.state.storage?.blobEndpoint ?? 'none'}`,
    );
    this.changed.fire();
    return launched.state;
  }

  async stopEmulator(snapshot: ProjectSnapshot): Promise<void> {
    const stopped = await stopEmulator(path.dirname(snapshot.rootFile));
    if (!stopped) void vscode.window.showWarningMessage('Lakehouse: the local emulator did not stop within 20 s.');
    this.changed.fire();
  }

  /** The project's operations target and a credential for it; undefined after telling the user why not. */
  async open(snapshot: ProjectSnapshot): Promise<OpenedTarget | undefined> {
    const name = this.ctx.environments.operationsName(snapshot) ?? snapshot.metadata.environments[0]?.name;
    if (!name) {
      void vscode.window.showWarningMessage(
        `Lakehouse: ${this.ctx.shown(snapshot.rootFile)} declares no environments; choose the local emulator (Select Environment…) or declare one.`,
      );
      return undefined;
    }
    const local = this.ctx.environments.isLocal(snapshot);
    const emulator = local ? await this.ensureEmulator(snapshot) : undefined;
    if (local && !emulator) return undefined;
    let target: OperationsTarget;
    try {
      target = resolveTarget(snapshot.metadata.environments, name, emulator);
    } catch (e) {
      if (!(e instanceof TargetError)) throw e;
      void vscode.window.showErrorMessage(`Lakehouse: ${e.message}`);
      return undefined;
    }
    if (target.local) return { snapshot, target, credential: new (loadAzure().EmulatorCredential)() };
    const azure = loadAzure();
    const account = this.azureAccount();
    for (;;) {
      try {
        const signedIn = await account.credentialFor(target.factory.subscriptionId, target.environment);
        if (signedIn.resourceManagerEndpoint && !/management\.azure\.com\/?$/.test(signedIn.resourceManagerEndpoint))
          target = { ...target, factory: { ...target.factory, endpoint: signedIn.resourceManagerEndpoint } };
        // A sovereign cloud's storage accounts are not under core.windows.net.
        const suffix = signedIn.storageEndpointSuffix;
        if (target.storage && suffix && suffix !== 'core.windows.net' && /^[a-z0-9.-]+$/i.test(suffix))
          target = {
            ...target,
            storage: { ...target.storage, blobEndpoint: `https://${target.storage.account}.blob.${suffix}` },
          };
        return { snapshot, target, credential: signedIn.credential };
      } catch (e) {
        if (!(e instanceof azure.SignInNeeded)) throw e;
        const action =
          e.action === 'signInToTenant'
            ? 'Sign In to Tenant…'
            : e.action === 'chooseCloud'
              ? 'Choose Cloud…'
              : 'Sign In';
        const answer = await vscode.window.showWarningMessage(`Lakehouse: ${e.message}`, action);
        if (answer === 'Sign In') {
          if (!(await account.signIn())) return undefined;
        } else if (answer === 'Sign In to Tenant…') {
          const tenants = await account.tenantsNeedingSignIn();
          const tenant = await vscode.window.showQuickPick(
            tenants.map(t => ({ label: t.name, description: t.tenantId, tenantId: t.tenantId })),
            { placeHolder: 'Sign in to which tenant?' },
          );
          if (!tenant || !(await account.signInToTenant(tenant.tenantId))) return undefined;
        } else if (answer === 'Choose Cloud…') {
          await vscode.commands.executeCommand(
            'workbench.action.openSettings',
            'microsoft-sovereign-cloud.environment',
          );
          return undefined;
        } else return undefined;
      }
    }
  }

  dispose(): void {
    this.account?.dispose();
    this.changed.dispose();
    this.bundleDiagnostics.dispose();
  }
}
