import * as vscode from 'vscode';
import type { DiagnosticsPublisher } from './diagnosticsPublisher';
import { toRange } from './convert';

/** Offers the fixes the core computed for each diagnostic; the glue only turns them into edits. */
export class QuickFixProvider implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(private readonly publisher: DiagnosticsPublisher) {}

  provideCodeActions(
    document: vscode.TextDocument,
    _range: vscode.Range,
    context: vscode.CodeActionContext,
  ): vscode.CodeAction[] {
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      if (diagnostic.source !== 'lakehouse') continue;
      for (const fix of this.publisher.fixesFor(document.uri, diagnostic)) {
        const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
        const edit = new vscode.WorkspaceEdit();
        for (const e of fix.edits) edit.replace(vscode.Uri.file(e.file), toRange(e.range), e.newText);
        action.edit = edit;
        action.diagnostics = [diagnostic];
        action.isPreferred = !!fix.preferred;
        actions.push(action);
      }
    }
    return actions;
  }
}
