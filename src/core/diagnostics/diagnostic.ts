import type { LineIndex, Range, Span } from '../text/lineIndex';
import type { RuleInfo } from './rules';

export type Severity = 'error' | 'warning' | 'info' | 'hint';

export interface TextEdit {
  /** Absolute path of the file to change. */
  file: string;
  range: Range;
  newText: string;
}

/** A quick fix: the core decides what the fix is; editors and the CLI only apply it. */
export interface Fix {
  title: string;
  edits: TextEdit[];
  /** The fix a user most likely wants (VS Code's "preferred" quick fix). */
  preferred?: boolean;
}

export interface Diagnostic {
  /** Absolute path of the file the diagnostic is in. */
  file: string;
  range: Range;
  severity: Severity;
  /** Stable rule code, e.g. LH201. */
  code: string;
  message: string;
  fixes?: Fix[];
  /** Other places that explain the problem (the duplicate's first definition, say). */
  related?: { file: string; range: Range; message: string }[];
}

/** A diagnostic of a rule at a span of a file's text (offsets, turned into a range by the file's line index). */
export function makeDiagnostic(
  file: string,
  lines: LineIndex,
  span: Span,
  rule: RuleInfo,
  message: string,
  extra?: { severity?: Severity; fixes?: Fix[] },
): Diagnostic {
  const d: Diagnostic = {
    file,
    range: lines.rangeOf(span),
    severity: extra?.severity ?? rule.severity,
    code: rule.code,
    message,
  };
  if (extra?.fixes?.length) d.fixes = extra.fixes;
  return d;
}

const severityOrder: Record<Severity, number> = { error: 0, warning: 1, info: 2, hint: 3 };

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  if (a.range.start.line !== b.range.start.line) return a.range.start.line - b.range.start.line;
  if (a.range.start.character !== b.range.start.character) return a.range.start.character - b.range.start.character;
  if (a.severity !== b.severity) return severityOrder[a.severity] - severityOrder[b.severity];
  return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
}

export function countBySeverity(diagnostics: Iterable<Diagnostic>): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0, hint: 0 };
  for (const d of diagnostics) counts[d.severity]++;
  return counts;
}
