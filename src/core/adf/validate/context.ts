import type { Node as JsonNode } from 'jsonc-parser';
import type { RuleInfo } from '../../diagnostics/rules';
import { makeDiagnostic, type Diagnostic, type Fix, type Severity } from '../../diagnostics/diagnostic';
import type { Span } from '../../text/lineIndex';
import type { AdfFile } from '../adfFile';
import { prop, str } from './jsonTree';

/** Collects the diagnostics of one file. */
export class FileReport {
  readonly diagnostics: Diagnostic[] = [];
  constructor(readonly file: AdfFile) {}

  add(span: Span, rule: RuleInfo, message: string, extra?: { severity?: Severity; fixes?: Fix[] }): void {
    this.diagnostics.push(makeDiagnostic(this.file.file, this.file.lines, span, rule, message, extra));
  }

  /** A fix that replaces a JSON string value (quotes included) with another string. */
  replaceStringFix(node: JsonNode, replacement: string, title?: string): Fix {
    return {
      title: title ?? `Change to '${replacement}'`,
      preferred: true,
      edits: [
        {
          file: this.file.file,
          range: this.file.lines.rangeOf([node.offset, node.offset + node.length]),
          newText: JSON.stringify(replacement),
        },
      ],
    };
  }

  /** A fix that replaces raw text (already JSON-escaped) at a span. */
  replaceSpanFix(span: Span, newText: string, title: string): Fix {
    return { title, preferred: true, edits: [{ file: this.file.file, range: this.file.lines.rangeOf(span), newText }] };
  }
}

/** A JSON string that holds no characters JSON must escape, so a name can be swapped in place. */
export function isPlainName(name: string): boolean {
  return !/["\\]/.test(name) && ![...name].some(c => c.charCodeAt(0) < 0x20);
}

/** Case-insensitive lookup: ADF resolves parameter, variable and activity names that way (real pipelines rely on it). */
export class NameSet {
  private readonly lower = new Map<string, string>();
  constructor(names: Iterable<string> = []) {
    for (const n of names) this.add(n);
  }
  add(name: string): void {
    if (!this.lower.has(name.toLowerCase())) this.lower.set(name.toLowerCase(), name);
  }
  has(name: string): boolean {
    return this.lower.has(name.toLowerCase());
  }
  get names(): string[] {
    return [...this.lower.values()];
  }
  get size(): number {
    return this.lower.size;
  }
}

/**
 * An activity deactivated in ADF Studio: "state": "Inactive" ("InActive" in Fabric). ADF excludes
 * it from validation and never runs it ("you don't need to provide all required fields for an
 * inactive activity"), so its shape, expressions and references are not held against the pipeline.
 */
export function isInactiveActivity(activity: JsonNode | undefined): boolean {
  return str(prop(activity, 'state'))?.toLowerCase() === 'inactive';
}
