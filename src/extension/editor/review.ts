import * as vscode from 'vscode';

export interface ReviewSection<T> {
  label: string;
  items: (vscode.QuickPickItem & { value?: T })[];
}

export interface Review<T> {
  title: string;
  placeholder: string;
  /** The item that goes ahead ("Write 3 Files", "Deploy 9 Changes"), and what it does in a line of its own. */
  proceed: string;
  proceedDetail?: string;
  /** What Show Diffs compares, as its description (no Show Diffs item without showDiffs). */
  diffs?: string;
  /** What Cancel leaves alone, as its description ("write nothing"). */
  cancel: string;
  /** Cancel's own words where "Cancel" is ambiguous ("Keep Running" before cancelling a run). */
  cancelLabel?: string;
  sections: ReviewSection<T>[];
  /** Choosing an item with a value (a file, a change): its diff, beside; the list stays open. */
  open?(value: T): void;
  showDiffs?(): void;
}

/**
 * What a command will change, for review before anything is: a list with Cancel first (the
 * default: Enter or Escape changes nothing), the action, Show Diffs, then the sections; choosing
 * an item opens its diff and keeps the list open. Used by Generate ADF Artifacts, Deploy, Backfill
 * (which has no diffs: what it starts is listed) and the Runs view's questions (runs/confirm.ts).
 */
export function review<T>(r: Review<T>): Promise<boolean> {
  type Item = vscode.QuickPickItem & { action?: 'proceed' | 'cancel' | 'diffs'; value?: T };
  const pick = vscode.window.createQuickPick<Item>();
  pick.title = r.title;
  pick.placeholder = r.placeholder;
  pick.ignoreFocusOut = true;
  const cancel: Item = { label: r.cancelLabel ?? '$(close) Cancel', description: r.cancel, action: 'cancel' };
  pick.items = [
    cancel,
    { label: r.proceed, ...(r.proceedDetail ? { detail: r.proceedDetail } : {}), action: 'proceed', alwaysShow: true },
    ...(r.showDiffs
      ? [{ label: '$(diff-multiple) Show Diffs', description: r.diffs ?? '', action: 'diffs' as const }]
      : []),
    ...r.sections.flatMap<Item>(section => [
      { label: section.label, kind: vscode.QuickPickItemKind.Separator },
      ...section.items,
    ]),
  ];
  pick.activeItems = [cancel];
  return new Promise(resolve => {
    let proceed = false;
    pick.onDidAccept(() => {
      const item = pick.selectedItems[0] ?? pick.activeItems[0];
      if (item?.value !== undefined) r.open?.(item.value);
      else if (item?.action === 'diffs') r.showDiffs?.();
      else if (item?.action || !item) {
        proceed = item?.action === 'proceed';
        pick.hide();
      }
    });
    pick.onDidHide(() => {
      pick.dispose();
      resolve(proceed);
    });
    pick.show();
  });
}
