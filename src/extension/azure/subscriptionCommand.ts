// "Select Azure Subscription…": the subscriptions VS Code's Microsoft account can see, by tenant
// (tenants that need their own sign-in listed to sign in to), and the chosen one written into the
// environment in lakehouse.yaml (subscriptionId and tenantId, in place, as an undoable edit).
import * as vscode from 'vscode';
import type { Context } from '../context';
import { toRange } from '../diagnostics/convert';
import { requireTrust } from '../trust';

type Item = vscode.QuickPickItem & {
  subscription?: { subscriptionId: string; tenantId: string; name: string };
  tenant?: string;
};

export async function selectSubscription(ctx: Context): Promise<void> {
  if (!(await requireTrust('Choosing a subscription', 'it edits lakehouse.yaml'))) return;
  await ctx.projects.whenIdle();
  const snapshot = ctx.currentProject();
  if (!snapshot) {
    void vscode.window.showInformationMessage('Lakehouse: no lakehouse project is open.');
    return;
  }
  const environment = ctx.environments.of(snapshot);
  if (!environment || ctx.environments.isLocal(snapshot)) {
    void vscode.window.showInformationMessage(
      'Lakehouse: choose an Azure environment first (Select Environment…): the local emulator needs no subscription.',
    );
    return;
  }
  const account = ctx.operations.azureAccount();
  if (!(await account.isSignedIn()) && !(await account.signIn())) return;
  for (;;) {
    const [subscriptions, pending] = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: 'Listing Azure subscriptions…' },
      () => Promise.all([account.subscriptions(), account.tenantsNeedingSignIn().catch(() => [])]),
    );
    const byTenant = new Map<string, typeof subscriptions>();
    for (const s of subscriptions) byTenant.set(s.tenantId, [...(byTenant.get(s.tenantId) ?? []), s]);
    const items: Item[] = [];
    for (const [tenant, list] of byTenant) {
      items.push({ label: `Tenant ${tenant}`, kind: vscode.QuickPickItemKind.Separator });
      for (const s of [...list].sort((a, b) => a.name.localeCompare(b.name)))
        items.push({
          label: s.name,
          description: s.subscriptionId,
          ...(s.subscriptionId === environment.subscriptionId
            ? { detail: `$(check) ${environment.name} uses it now` }
            : {}),
          subscription: { subscriptionId: s.subscriptionId, tenantId: s.tenantId, name: s.name },
        });
    }
    if (pending.length) {
      items.push({ label: 'Tenants that need their own sign-in', kind: vscode.QuickPickItemKind.Separator });
      for (const t of pending)
        items.push({ label: `$(sign-in) Sign in to ${t.name}`, description: t.tenantId, tenant: t.tenantId });
    }
    if (!subscriptions.length && !pending.length) {
      const again = 'Sign In with Another Account';
      const answer = await vscode.window.showWarningMessage(
        `Lakehouse: the account ${account.accountLabel ?? ''} sees no Azure subscriptions (it needs a role on one, e.g. Reader).`,
        again,
      );
      if (answer === again && (await account.signIn())) continue;
      return;
    }
    const picked = await vscode.window.showQuickPick(items, {
      title: `Azure subscription of environment '${environment.name}'`,
      placeHolder: environment.subscriptionId
        ? `${environment.name} uses ${environment.subscriptionId}; choose another to write it into lakehouse.yaml`
        : `Choose the subscription of ${environment.name}: it is written into lakehouse.yaml`,
      matchOnDescription: true,
    });
    if (!picked) return;
    if (picked.tenant) {
      if (!(await account.signInToTenant(picked.tenant))) return;
      continue;
    }
    if (!picked.subscription) return;
    const edits = ctx.core.environmentValueEdits(snapshot.locator, environment, {
      subscriptionId: picked.subscription.subscriptionId,
      tenantId: picked.subscription.tenantId,
    });
    if (!edits) {
      void vscode.window.showErrorMessage(
        `Lakehouse: environment '${environment.name}' is written in a form that cannot be edited in place; set subscriptionId ` +
          `${picked.subscription.subscriptionId} and tenantId ${picked.subscription.tenantId} by hand.`,
      );
      return;
    }
    if (!edits.length) {
      void vscode.window.showInformationMessage(
        `Lakehouse: ${environment.name} already uses ${picked.subscription.name}.`,
      );
      return;
    }
    const edit = new vscode.WorkspaceEdit();
    for (const e of edits) edit.replace(vscode.Uri.file(e.file), toRange(e.range), e.newText);
    if (!(await vscode.workspace.applyEdit(edit))) return;
    ctx.log.info(
      `${ctx.shown(edits[0]!.file)}: environment ${environment.name} uses subscription ${picked.subscription.subscriptionId} ` +
        `(${picked.subscription.name}), tenant ${picked.subscription.tenantId}`,
    );
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(edits[0]!.file));
    await vscode.window.showTextDocument(document, { selection: toRange(edits[0]!.range), preview: true });
    void vscode.window.showInformationMessage(
      `Lakehouse: environment ${environment.name} now uses ${picked.subscription.name} (unsaved edit of ${ctx.shown(edits[0]!.file)}).`,
    );
    return;
  }
}
