// The properties' checks that do not depend on how a case ran: positions inside their file,
// files that belong to the project, crash signatures.
import * as path from 'path';
import type { Diagnostic } from '../../src/core/diagnostics/diagnostic';
import type { Range } from '../../src/core/text/lineIndex';
import type { Finding, TargetName } from './types';

/** Lengths of the lines of a text, line breaks as LineIndex counts them (\n, \r\n, \r). */
export function lineLengths(text: string): number[] {
  return text.split(/\r\n|\r|\n/).map(l => l.length);
}

const isPosition = (p: unknown): p is { line: number; character: number } =>
  !!p &&
  typeof p === 'object' &&
  Number.isInteger((p as { line: unknown }).line) &&
  Number.isInteger((p as { character: unknown }).character);

/** Why a range does not fit in a text with these line lengths (undefined when it fits). */
export function rangeProblem(range: Range | undefined, lengths: number[]): string | undefined {
  if (!range || !isPosition(range.start) || !isPosition(range.end)) return 'not a range of integer positions';
  for (const [which, p] of [
    ['start', range.start],
    ['end', range.end],
  ] as const) {
    if (p.line < 0 || p.character < 0) return `negative ${which}`;
    if (p.line >= lengths.length) return `${which} line beyond the last line`;
    if (p.character > (lengths[p.line] as number)) return `${which} character beyond the line's length`;
  }
  if (
    range.end.line < range.start.line ||
    (range.end.line === range.start.line && range.end.character < range.start.character)
  )
    return 'end before start';
  return undefined;
}

const describeRange = (r: Range | undefined) =>
  r && isPosition(r.start) && isPosition(r.end)
    ? `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`
    : JSON.stringify(r);

/**
 * Every range of a diagnostic (its own, its related places', its fixes' edits) inside its file,
 * and every file one of the project's. `textOf` gives a project file's text as the core read it
 * (undefined: not a file of the project).
 */
export function checkDiagnostic(
  target: TargetName,
  d: Diagnostic,
  textOf: (file: string) => string | undefined,
  rel: (file: string) => string,
  out: Finding[],
): void {
  const places: { where: string; file: string; range: Range | undefined }[] = [
    { where: 'range', file: d.file, range: d.range },
  ];
  for (const r of d.related ?? []) places.push({ where: 'related', file: r.file, range: r.range });
  for (const f of d.fixes ?? [])
    for (const e of f.edits) places.push({ where: 'fix edit', file: e.file, range: e.range });
  for (const p of places) {
    const text = typeof p.file === 'string' ? textOf(p.file) : undefined;
    if (text === undefined) {
      out.push({
        kind: 'range',
        signature: `range:${target}:${d.code}:${p.where}:file not of the project`,
        message: `${d.code} ${p.where} in ${JSON.stringify(p.file)}, which is not a file of the project: ${d.message}`,
        detail: JSON.stringify(d, null, 1).slice(0, 4000),
      });
      continue;
    }
    const lengths = lineLengths(text);
    const problem = rangeProblem(p.range, lengths);
    if (!problem) continue;
    const line = p.range && isPosition(p.range.start) ? p.range.start.line : -1;
    out.push({
      kind: 'range',
      signature: `range:${target}:${d.code}:${p.where}:${problem}`,
      message:
        `${d.code} ${p.where} ${rel(p.file)}:${describeRange(p.range)}: ${problem} (the file has ` +
        `${lengths.length} line(s)${line >= 0 && line < lengths.length ? `, line ${line} has ${lengths[line]} character(s)` : ''}): ${d.message.slice(0, 300)}`,
      detail: JSON.stringify(d, null, 1).slice(0, 4000),
    });
  }
}

/** A message without the parts that vary between occurrences of one bug (names, numbers, paths). */
export function normaliseMessage(message: string): string {
  return (message.split('\n')[0] ?? '')
    .replace(/'[^']*'|"[^"]*"|`[^`]*`/g, '…')
    .replace(/(?:[A-Za-z]:)?[\\/][^\s:,)]+/g, '<path>')
    .replace(/\d+/g, 'N')
    .slice(0, 140);
}

/** The frames of a stack trace, innermost first, as "function (file)" without line numbers (Node's own frames left out). */
export function stackFrames(stack: string | undefined): string[] {
  const frames: string[] = [];
  for (const line of (stack ?? '').split('\n')) {
    const m = /^\s*at (?:(.+?) \()?(.*?):\d+:\d+\)?$/.exec(line);
    if (!m) continue;
    const file = m[2] ?? '';
    if (file.startsWith('node:')) continue;
    const dep = /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(file);
    frames.push(`${m[1] ?? '<anonymous>'} (${dep ? `${dep[1]}/${path.basename(file)}` : path.basename(file)})`);
  }
  return frames;
}

/**
 * The frame that names a failure: the innermost one. For a stack overflow, where the stack
 * happens to run out varies; what does not is the set of functions that recur in the (10) frames
 * of the trace, so that set names it (alphabetically, at most 3), or else the innermost file.
 */
export function signatureFrame(stack: string | undefined, overflow: boolean): string {
  const frames = stackFrames(stack);
  if (!frames.length) return 'unknown frame';
  if (!overflow) return frames[0] as string;
  const counts = new Map<string, number>();
  for (const f of frames) counts.set(f, (counts.get(f) ?? 0) + 1);
  const recurring = [...counts]
    .filter(([, n]) => n >= 2)
    .map(([f]) => f)
    .sort();
  return recurring.length
    ? `recursion through ${recurring.slice(0, 3).join(' + ')}`
    : `recursion in ${/\((.*)\)$/.exec(frames[0] as string)?.[1] ?? frames[0]}`;
}

export const isStackOverflow = (message: string) => /maximum call stack size exceeded/i.test(message);

export function crashFinding(target: TargetName, step: string, error: unknown): Finding {
  const e = error instanceof Error ? error : new Error(`non-Error thrown: ${String(error)}`);
  return {
    kind: 'crash',
    signature: `crash:${target}:${step}:${e.name}:${normaliseMessage(e.message)}@${signatureFrame(e.stack, isStackOverflow(e.message))}`,
    message: `${step} threw ${e.name}: ${(e.message.split('\n')[0] ?? '').slice(0, 300)}`,
    detail: (e.stack ?? String(e)).split('\n').slice(0, 25).join('\n'),
  };
}
