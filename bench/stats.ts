// Summary statistics of timing samples, shared by the benchmark's workers.
export interface Stats { median: number; p95: number; min: number; max: number; n: number }

export function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const rank = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] as number;
  const mid = s.length % 2 ? (s[(s.length - 1) / 2] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
  return { median: mid, p95: rank(0.95), min: s[0] as number, max: s[s.length - 1] as number, n: s.length };
}
