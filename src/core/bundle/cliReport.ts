// What the Databricks CLI prints about a bundle on stderr (`Error: …` / `Warning: …` /
// `Recommendation: …`, then `  at <config path>` and `  in <file>:<line>:<column>` lines, then
// free text), read into records and placed back into the bundle's files as diagnostics.
import * as path from 'path';
import type { Diagnostic, Severity } from '../diagnostics/diagnostic';
import { RULES } from '../diagnostics/rules';
import { isInside } from '../files/containment';
import { LineIndex } from '../text/lineIndex';

export type BundleCliSeverity = 'Error' | 'Warning' | 'Recommendation';

export interface BundleCliDiagnostic {
  severity: BundleCliSeverity;
  summary: string;
  /** Configuration paths, e.g. `resources.pipelines.gold.libraries[0]`. */
  paths: string[];
  /** `file:line:column`, relative to the bundle root (1-based), as the CLI prints them. */
  locations: string[];
  /** The explanation after the head, if any. */
  detail: string;
}

/** Reads the CLI's diagnostics out of its stderr; other lines (progress, detail) are kept as detail or skipped. */
export function parseBundleDiagnostics(stderr: string): BundleCliDiagnostic[] {
  const out: BundleCliDiagnostic[] = [];
  let current: BundleCliDiagnostic | undefined;
  let last: 'paths' | 'locations' | undefined;
  const detail: string[] = [];
  const flush = (): void => {
    if (current) current.detail = detail.join('\n').trim();
    detail.length = 0;
  };
  for (const line of stderr.replace(/\r\n?/g, '\n').split('\n')) {
    const head = /^(Error|Warning|Recommendation): (.*)$/.exec(line);
    if (head) {
      flush();
      current = { severity: head[1] as BundleCliSeverity, summary: head[2]!, paths: [], locations: [], detail: '' };
      out.push(current);
      last = undefined;
      continue;
    }
    if (!current) continue;
    const at = /^ {2}at ([\w.[\]"'-]+)$/.exec(line);
    const inFile = /^ {2}in (\S+:\d+:\d+)$/.exec(line);
    const morePath = /^ {5}([\w.[\]"'-]+)$/.exec(line);
    const moreLocation = /^ {5}(\S+:\d+:\d+)$/.exec(line);
    if (at) {
      current.paths.push(at[1]!);
      last = 'paths';
    } else if (inFile) {
      current.locations.push(inFile[1]!);
      last = 'locations';
    } else if (last === 'locations' && moreLocation) current.locations.push(moreLocation[1]!);
    else if (last === 'paths' && morePath) current.paths.push(morePath[1]!);
    else {
      last = undefined;
      detail.push(line);
    }
  }
  flush();
  return out;
}

export interface BundleFileLocation {
  /** Absolute path, inside the bundle folder. */
  file: string;
  /** 0-based. */
  line: number;
  character: number;
}

/**
 * The places of a diagnostic as absolute positions inside the bundle folder. A location outside
 * it (the CLI names what the bundle includes, which could be `../x.yml`) is dropped: we never
 * point at, or read, a file outside the project because a tool's output said so.
 */
export function bundleLocations(
  d: BundleCliDiagnostic,
  bundleDir: string,
  projectDir = bundleDir,
): BundleFileLocation[] {
  const out: BundleFileLocation[] = [];
  for (const location of d.locations) {
    const m = /^(.*):(\d+):(\d+)$/.exec(location);
    if (!m) continue;
    const file = path.resolve(bundleDir, m[1]!);
    if (!isInside(file, projectDir)) continue;
    out.push({ file, line: Math.max(0, Number(m[2]) - 1), character: Math.max(0, Number(m[3]) - 1) });
  }
  return out;
}

const SEVERITY: Record<BundleCliSeverity, Severity> = { Error: 'error', Warning: 'warning', Recommendation: 'info' };

/** One line of text for a diagnostic, as a log or a terminal shows it. */
export function bundleDiagnosticText(d: BundleCliDiagnostic): string {
  const where = d.locations.length
    ? ` (${d.locations.join(', ')})`
    : d.paths.length
      ? ` (at ${d.paths.join(', ')})`
      : '';
  return `${d.severity}: ${d.summary}${where}`;
}

/**
 * Where in a bundle file's text a diagnostic without a location most likely points: the value it
 * quotes (`reference does not exist: ${var.x}`, `notebook src/gold/x.py not found`), else the
 * key of the configuration path it names (`at resources.pipelines.gold`). A guess by text only,
 * used when the CLI gave no `in file:line:column`.
 */
export function guessBundleOffset(
  d: BundleCliDiagnostic,
  text: string,
): { offset: number; length: number } | undefined {
  const quoted = d.summary.match(/\$\{[^}\s]+\}|[\w./-]*[/.][\w./-]*\w/g) ?? [];
  for (const token of quoted.sort((a, b) => b.length - a.length)) {
    if (token.length < 4) continue;
    const at = text.indexOf(token);
    if (at >= 0) return { offset: at, length: token.length };
  }
  for (const configPath of d.paths) {
    const keys = configPath
      .replace(/\[\d+\]/g, '')
      .split('.')
      .filter(Boolean);
    let from = 0;
    let found: { offset: number; length: number } | undefined;
    for (const key of keys) {
      const m = new RegExp(`^[ \\t]*${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:`, 'm').exec(text.slice(from));
      if (!m) break;
      const offset = from + m.index + m[0].length - key.length - 1;
      found = { offset, length: key.length };
      from = offset + key.length;
    }
    if (found) return found;
  }
  return undefined;
}

/**
 * The CLI's diagnostics as the product's (LH505), at their first location in the bundle. Those
 * without one are placed in `fallbackFile` (databricks.yml) where `textOf` lets us guess the place
 * (guessBundleOffset), else at its top, so none is lost.
 */
export function bundleCliDiagnostics(
  diagnostics: readonly BundleCliDiagnostic[],
  bundleDir: string,
  fallbackFile: string,
  options: { projectDir?: string; textOf?: (file: string) => string | undefined } = {},
): Diagnostic[] {
  const indexes = new Map<string, LineIndex | undefined>();
  const indexOf = (file: string): LineIndex | undefined => {
    if (!indexes.has(file)) {
      const text = options.textOf?.(file);
      indexes.set(file, text === undefined ? undefined : new LineIndex(text));
    }
    return indexes.get(file);
  };
  return diagnostics.map(d => {
    const [first, ...others] = bundleLocations(d, bundleDir, options.projectDir);
    let range: Diagnostic['range'];
    let file: string;
    if (first) {
      file = first.file;
      const lineText = options.textOf?.(file)?.split(/\r?\n/)[first.line];
      const end = Math.max(first.character + 1, lineText?.trimEnd().length ?? 0);
      range = { start: { line: first.line, character: first.character }, end: { line: first.line, character: end } };
    } else {
      file = fallbackFile;
      const text = options.textOf?.(fallbackFile);
      const guess = text === undefined ? undefined : guessBundleOffset(d, text);
      const lines = indexOf(fallbackFile);
      range =
        guess && lines
          ? lines.rangeOf([guess.offset, guess.offset + guess.length])
          : { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };
    }
    const message = [
      `Databricks CLI: ${d.summary}`,
      d.paths.length ? `at ${d.paths.join(', ')}` : '',
      d.detail ? d.detail.split('\n').filter(Boolean).join(' ') : '',
    ]
      .filter(Boolean)
      .join('\n');
    const diagnostic: Diagnostic = {
      file,
      range,
      severity: SEVERITY[d.severity],
      code: RULES.bundleCliReport.code,
      message,
    };
    if (others.length)
      diagnostic.related = others.map(o => ({
        file: o.file,
        range: { start: { line: o.line, character: o.character }, end: { line: o.line, character: o.character + 1 } },
        message: 'also here',
      }));
    return diagnostic;
  });
}
