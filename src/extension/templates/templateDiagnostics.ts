import * as vscode from 'vscode';
import type { TemplateRenderFailure } from '../../core/index';
import { toVsDiagnostic } from '../diagnostics/convert';
import { loadCore } from '../lazyCore';

/**
 * Render failures of previewed templates, on the template's (or the notebook's) line, with the
 * registry's codes (LH510–LH516, the same as `lakehouse render`). A collection of its own: they come
 * from rendering, not from validating the project.
 */
export class TemplateDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('lakehouse-templates');

  /** Shows a failure of the template (or notebook) `source`, or clears its diagnostics after a successful render. */
  update(source: string, failure: TemplateRenderFailure | undefined): void {
    if (!failure) {
      // Only when there is something to clear: each call is a message to the window, on the keystroke path.
      const uri = vscode.Uri.file(source);
      if (this.collection.has(uri)) this.collection.delete(uri);
      return;
    }
    const diagnostic = loadCore().templateRenderDiagnostic(failure);
    this.collection.set(vscode.Uri.file(diagnostic.file), [toVsDiagnostic(diagnostic)]);
  }

  dispose(): void {
    this.collection.dispose();
  }
}
