import * as vscode from 'vscode';
import type { Context } from '../context';

/** An error with, when the Problems panel explains it, a button to it. */
export function offerProblems(message: string, withProblems: boolean): void {
  const show = 'Show Problems';
  void vscode.window.showErrorMessage(message, ...(withProblems ? [show] : [])).then(choice => {
    if (choice === show) void vscode.commands.executeCommand('workbench.actions.view.problems');
  });
}

/**
 * Asks before writing anything for a protected environment (`protected: true` in lakehouse.yaml):
 * the user types the environment's name, as cloud consoles ask before a destructive change.
 * Escape, or leaving the box, writes nothing.
 */
export async function confirmProtectedEnvironment(environment: string, action: string): Promise<boolean> {
  const typed = await vscode.window.showInputBox({
    title: `${action}: '${environment}' is a protected environment`,
    prompt:
      `lakehouse.yaml marks '${environment}' protected: true. ${action} writes files with its settings ` +
      `(storage, workspace, catalogs). Type ${environment} to go on, or Escape to stop; the status bar ` +
      `chooses another environment.`,
    placeHolder: `Type ${environment} to confirm`,
    validateInput: text => (text === environment || text === '' ? undefined : `Type ${environment} exactly.`),
  });
  return typed === environment;
}

/**
 * The end of a command that wrote files: the summary in the log and in a notification that offers
 * the files written (opened from a list) and the log, so a result is never only a passing toast.
 */
export function reportWritten(ctx: Context, summary: string, written: readonly string[], warn: boolean): void {
  ctx.log.info(summary);
  const open = written.length === 1 ? 'Open File' : 'Show Written Files';
  const log = 'Show Log';
  const show = warn ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  void show(`Lakehouse: ${summary}`, ...(written.length ? [open] : []), log).then(async choice => {
    if (choice === log) ctx.log.show();
    if (choice !== open) return;
    const file =
      written.length === 1
        ? written[0]
        : (
            await vscode.window.showQuickPick(
              written.map(f => ({ label: ctx.shown(f), file: f })),
              { placeHolder: 'Open a written file' },
            )
          )?.file;
    if (file) await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: true });
  });
  // The log lists every file written: shown (without taking focus), so the result outlives the toast.
  if (written.length) ctx.log.show(true);
}
