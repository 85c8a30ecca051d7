import * as vscode from 'vscode';
import type { RenderError } from '../../core/index';

/**
 * Render failures of previewed templates, on the template's (or the notebook's) line, with the
 * registry's codes. A separate collection: they come from rendering, not from validating the project.
 */
export class TemplateDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('lakehouse-templates');

  /** Shows a failure (or clears the file's diagnostics after a successful render of it). */
  update(file: string, error: RenderError | undefined, embedded: boolean): void {
    const uri = vscode.Uri.file(error?.file ?? file);
    if (!error) {
      // Only when there is something to clear: each call is a message to the window, on the keystroke path.
      if (this.collection.has(vscode.Uri.file(file))) this.collection.delete(vscode.Uri.file(file));
      return;
    }
    // TODO(merge leaks): the core's registry function replaces this.
    const line = Math.max(0, (error.line ?? 1) - 1);
    const d = new vscode.Diagnostic(
      new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER),
      `${embedded ? 'Embedded template' : 'Template'} does not render: ${error.message}`,
      vscode.DiagnosticSeverity.Error,
    );
    d.source = 'lakehouse';
    d.code = `template-${error.kind}`;
    this.collection.set(uri, [d]);
  }

  get(uri: vscode.Uri): readonly vscode.Diagnostic[] {
    return this.collection.get(uri) ?? [];
  }

  dispose(): void {
    this.collection.dispose();
  }
}
