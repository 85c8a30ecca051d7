// A template that does not render, as a diagnostic of the rule registry (LH510-LH516, one per
// kind of failure), for the editor's Problems and the CLI's messages alike.
import type { Diagnostic } from '../diagnostics/diagnostic';
import { RULES, type RuleInfo } from '../diagnostics/rules';
import type { TemplateErrorKind } from './pyValue';

/** The rule of each kind of render failure (RenderError.kind). */
export const TEMPLATE_RENDER_RULES: Readonly<Record<TemplateErrorKind, RuleInfo>> = {
  syntax: RULES.templateSyntax,
  undefined: RULES.templateUndefined,
  type: RULES.templateType,
  unsupported: RULES.templateUnsupported,
  security: RULES.templateSecurity,
  timeout: RULES.templateTimeout,
  runtime: RULES.templateRuntime,
};

export interface TemplateRenderFailure {
  /** The template that was rendered; for a template embedded in a notebook, the notebook. */
  templateFile: string;
  kind: TemplateErrorKind;
  message: string;
  /** The file the error is in when it is another one (an included template); default templateFile. */
  file?: string;
  /** 1-based line of the error in its file (for an embedded template: in the template's text). */
  line?: number;
  /**
   * For a template embedded in a notebook: the 0-based line of the notebook where the template's
   * text starts (EmbeddedTemplate.line). Its lines are then counted from there.
   */
  embeddedLine?: number;
}

/**
 * The diagnostic of a render failure: the rule of its kind, on the whole line of the error (the
 * first line when the renderer names none), "Template does not render: …" or "Embedded template
 * does not render: …". With the text of the file the error is in, the range ends where the line's
 * text does; without it, at character Number.MAX_SAFE_INTEGER (editors clamp it to the line).
 */
export function templateRenderDiagnostic(failure: TemplateRenderFailure, fileText?: string): Diagnostic {
  const file = failure.file ?? failure.templateFile;
  const embedded = failure.embeddedLine !== undefined;
  // Only the embedded template's own lines are offset: an included file counts its own.
  const offset = embedded && file === failure.templateFile ? failure.embeddedLine! : 0;
  let line = Math.max(0, (failure.line ?? 1) - 1) + offset;
  let end = Number.MAX_SAFE_INTEGER;
  if (fileText !== undefined) {
    const lines = fileText.split(/\r\n|\r|\n/);
    line = Math.min(line, lines.length - 1);
    end = lines[line]!.length;
  }
  const rule = TEMPLATE_RENDER_RULES[failure.kind] ?? RULES.templateRuntime;
  return {
    file,
    range: { start: { line, character: 0 }, end: { line, character: end } },
    severity: rule.severity,
    code: rule.code,
    message: `${embedded ? 'Embedded template' : 'Template'} does not render: ${failure.message}`,
  };
}
