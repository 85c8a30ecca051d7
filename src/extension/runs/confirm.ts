import * as vscode from 'vscode';

export interface Confirmation {
  title: string;
  /** The question, where the list's filter would be. */
  placeholder: string;
  /** The item that goes ahead ("Cancel Run", "Rerun from Failure"). */
  proceed: { label: string; detail?: string };
  /** The item that changes nothing, first and active: Enter or Escape goes nowhere. */
  keep: { label: string; description?: string };
  /** What to read before choosing, listed under `notesTitle`; choosing one does nothing. */
  notesTitle?: string;
  notes?: { label: string; description?: string }[];
}

/**
 * A question before a command changes something in the factory, as a list (no modal dialog): the
 * way Deploy's review asks. True only when the user chose the proceed item.
 */
export function confirmPick(c: Confirmation): Promise<boolean> {
  type Item = vscode.QuickPickItem & { action?: 'proceed' | 'keep' };
  const pick = vscode.window.createQuickPick<Item>();
  pick.title = c.title;
  pick.placeholder = c.placeholder;
  pick.ignoreFocusOut = true;
  const keep: Item = { ...c.keep, action: 'keep' };
  pick.items = [
    keep,
    { ...c.proceed, action: 'proceed' },
    ...(c.notes?.length
      ? [{ label: c.notesTitle ?? 'Read first', kind: vscode.QuickPickItemKind.Separator }, ...c.notes]
      : []),
  ];
  pick.activeItems = [keep];
  return new Promise(resolve => {
    let proceed = false;
    pick.onDidAccept(() => {
      const item = pick.selectedItems[0] ?? pick.activeItems[0];
      if (!item?.action && item) return;
      proceed = item?.action === 'proceed';
      pick.hide();
    });
    pick.onDidHide(() => {
      pick.dispose();
      resolve(proceed);
    });
    pick.show();
  });
}
