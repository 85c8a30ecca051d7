import * as path from 'path';
import type { Diagnostic } from '../core/diagnostics/diagnostic';

export interface JsonDiagnostic {
  file: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  severity: Diagnostic['severity'];
  code: string;
  message: string;
}

/** The documented JSON shape: files relative to DIR (with '/'), 0-based LSP positions. */
export function toJson(diagnostics: readonly Diagnostic[], baseDir: string): JsonDiagnostic[] {
  return diagnostics.map(d => ({
    file: relative(baseDir, d.file),
    range: { start: { ...d.range.start }, end: { ...d.range.end } },
    severity: d.severity,
    code: d.code,
    message: d.message,
  }));
}

export function relative(baseDir: string, file: string): string {
  return path.relative(baseDir, file).split(path.sep).join('/') || path.basename(file);
}

/** file:line:column (1-based, as compilers and terminals' link detection expect). */
export function toText(diagnostics: readonly Diagnostic[], baseDir: string, color: boolean): string {
  const paint = (code: string, s: string) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const sev = {
    error: paint('31', 'error'),
    warning: paint('33', 'warning'),
    info: paint('36', 'info'),
    hint: paint('2', 'hint'),
  };
  return diagnostics
    .map(
      d =>
        `${relative(baseDir, d.file)}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${sev[d.severity]} ${paint('2', d.code)} ${d.message}`,
    )
    .join('\n');
}
