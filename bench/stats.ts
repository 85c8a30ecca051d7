// Summary statistics of timing samples, and the timing helpers the benchmark's workers share.
import { performance } from 'perf_hooks';

export interface Stats {
  median: number;
  p95: number;
  min: number;
  max: number;
  n: number;
}

export function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const rank = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] as number;
  const mid =
    s.length % 2
      ? (s[(s.length - 1) / 2] as number)
      : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
  return { median: mid, p95: rank(0.95), min: s[0] as number, max: s[s.length - 1] as number, n: s.length };
}

/** Runs fn and returns how long it took (ms) with its result. */
export async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const r = await fn();
  return [performance.now() - t0, r];
}

/** The text with one line (0-based) replaced: the one-line edits re-validation is timed on. */
export function lineReplaced(text: string, line: number, replacement: string): string {
  const lines = text.split('\n');
  lines[line] = replacement;
  return lines.join('\n');
}
