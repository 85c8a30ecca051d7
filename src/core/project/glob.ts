import * as path from 'path';
import type { FileHost } from '../files/fileHost';

export function hasGlob(pattern: string): boolean {
  return /[*?[\]{}]/.test(pattern);
}

/**
 * Whether a file name matches one segment of a pattern ('*' any run of characters, '?' one).
 * The classic two-pointer match with backtracking to the last '*': linear in practice, and no
 * RegExp, whose size a long pattern could blow up.
 */
export function matchSegment(pattern: string, name: string): boolean {
  let p = 0;
  let n = 0;
  let star = -1;
  let mark = 0;
  while (n < name.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === name[n])) {
      p++;
      n++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      mark = n;
    } else if (star !== -1) {
      p = star + 1;
      n = ++mark;
    } else return false;
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

const SKIPPED_DIRS = new Set(['node_modules', '.git']);

/**
 * Expands a relative include pattern with '*', '?' and '**' segments against a folder, in
 * sorted order so a project loads the same way everywhere. No brace or class syntax: include
 * patterns are simple by design.
 */
export async function expandGlob(
  host: Pick<FileHost, 'readDirectory'>,
  baseDir: string,
  pattern: string,
  limit = 10_000,
): Promise<string[]> {
  // '**/**' matches what '**' matches: one of a run is enough.
  const segments = pattern
    .split(/[\\/]+/)
    .filter(s => s !== '' && s !== '.')
    .filter((s, i, all) => !(s === '**' && all[i - 1] === '**'));
  const results = new Set<string>();
  // Each folder is listed once, and walked once per pattern position: several '**' segments would
  // otherwise revisit the same folders in every combination (exponential in their number).
  const listings = new Map<string, Promise<string[] | undefined>>();
  const visited = new Set<string>();
  const walk = async (dir: string, i: number): Promise<void> => {
    if (results.size >= limit) return;
    if (i === segments.length) return;
    const key = `${i}\0${dir}`;
    if (visited.has(key)) return;
    visited.add(key);
    const segment = segments[i] as string;
    if (segment === '..') return walk(path.dirname(dir), i + 1);
    let listing = listings.get(dir);
    if (!listing) listings.set(dir, (listing = host.readDirectory(dir).then(e => e?.slice().sort())));
    const entries = await listing;
    if (!entries) return;
    const last = i === segments.length - 1;
    if (segment === '**') {
      await walk(dir, i + 1);
      for (const e of entries) {
        if (e.endsWith('/') && !SKIPPED_DIRS.has(e.slice(0, -1)) && !e.startsWith('.'))
          await walk(path.join(dir, e.slice(0, -1)), i);
      }
      return;
    }
    for (const e of entries) {
      const isDir = e.endsWith('/');
      const name = isDir ? e.slice(0, -1) : e;
      if (!matchSegment(segment, name)) continue;
      if (last && !isDir) results.add(path.join(dir, name));
      else if (!last && isDir) await walk(path.join(dir, name), i + 1);
    }
  };
  await walk(baseDir, 0);
  return [...results].sort();
}
