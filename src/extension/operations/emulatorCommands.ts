import * as vscode from 'vscode';
import type { Context } from '../context';
import { LOCAL_ENVIRONMENT } from '../project/environments';

/** "Use Local Emulator": the current project's operations go to the local emulator (started if needed). */
export async function useLocalEmulator(ctx: Context): Promise<void> {
  await ctx.projects.whenIdle();
  const snapshot = ctx.currentProject();
  if (!snapshot) {
    void vscode.window.showInformationMessage('Lakehouse: no lakehouse project is open.');
    return;
  }
  if (!ctx.environments.isLocal(snapshot)) await ctx.environments.set(snapshot.rootFile, LOCAL_ENVIRONMENT);
  const state = await ctx.operations.ensureEmulator(snapshot);
  if (state)
    void vscode.window.showInformationMessage(
      `Lakehouse: operations of ${ctx.shown(snapshot.rootFile)} go to the local emulator (no Azure): Data Factory ${state.adf.endpoint}.`,
    );
}

export async function stopLocalEmulator(ctx: Context): Promise<void> {
  const snapshot = ctx.currentProject();
  if (snapshot) await ctx.operations.stopEmulator(snapshot);
}

/** "Sign In to Azure": VS Code's Microsoft account, then the account's subscriptions are known. */
export async function signIn(ctx: Context): Promise<void> {
  const account = ctx.operations.azureAccount();
  if (!(await account.signIn())) return;
  const subscriptions = await account.subscriptions().catch(() => []);
  const pending = await account.tenantsNeedingSignIn().catch(() => []);
  ctx.log.info(
    `Azure: signed in; ${subscriptions.length} subscription(s), ${pending.length} tenant(s) needing their own sign-in`,
  );
  void vscode.window.showInformationMessage(
    subscriptions.length
      ? `Lakehouse: signed in to Azure (${account.cloud}): ${subscriptions.length} subscription(s).`
      : `Lakehouse: signed in, but no subscriptions are visible${pending.length ? `: ${pending.length} tenant(s) need their own sign-in (Deploy asks)` : ''}.`,
  );
}
