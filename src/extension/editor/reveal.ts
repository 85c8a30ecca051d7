import * as vscode from 'vscode';
import type { Range } from '../../core/index';
import { toRange } from '../diagnostics/convert';

/**
 * Opens a file (or shows an open document) with a range selected and scrolled into view: the one
 * way Go to Definition, Show Problem, Open JSON and Reveal Source Metadata land on a place.
 */
export async function showRange(
  target: vscode.Uri | string,
  range: Range | vscode.Range | undefined,
  options: { select?: 'range' | 'start'; preview?: boolean; viewColumn?: vscode.ViewColumn } = {},
): Promise<vscode.TextEditor> {
  const uri = typeof target === 'string' ? vscode.Uri.file(target) : target;
  const editor = await vscode.window.showTextDocument(uri, {
    preview: options.preview ?? true,
    ...(options.viewColumn !== undefined ? { viewColumn: options.viewColumn } : {}),
  });
  if (range) {
    const r = range instanceof vscode.Range ? range : toRange(range);
    editor.selection =
      options.select === 'start' ? new vscode.Selection(r.start, r.start) : new vscode.Selection(r.start, r.end);
    editor.revealRange(r, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }
  return editor;
}
