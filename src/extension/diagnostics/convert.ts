import * as vscode from 'vscode';
import type { Diagnostic, Range, Severity } from '../../core/index';

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

export function toRange(r: Range): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

export function toVsDiagnostic(d: Diagnostic): vscode.Diagnostic {
  const diagnostic = new vscode.Diagnostic(toRange(d.range), d.message, SEVERITY[d.severity]);
  diagnostic.source = 'lakehouse';
  diagnostic.code = d.code;
  if (d.related?.length) {
    diagnostic.relatedInformation = d.related.map(
      r =>
        new vscode.DiagnosticRelatedInformation(
          new vscode.Location(vscode.Uri.file(r.file), toRange(r.range)),
          r.message,
        ),
    );
  }
  return diagnostic;
}

/** Identity of a diagnostic that survives the round trip through the workbench (code actions get copies). */
export function diagnosticKey(uri: vscode.Uri, code: string | undefined, range: vscode.Range, message: string): string {
  return `${uri.toString()}|${code ?? ''}|${range.start.line}:${range.start.character}-${range.end.line}:${range.end.character}|${message}`;
}
