import * as path from 'path';
import type { FileHost } from './fileHost';

export function hasGlob(pattern: string): boolean {
  return /[*?[\]{}]/.test(pattern);
}

function segmentRegExp(segment: string): RegExp {
  let re = '';
  for (const ch of segment) {
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

const SKIPPED_DIRS = new Set(['node_modules', '.git']);

/**
 * Expands a relative include pattern with '*', '?' and '**' segments against a folder, in
 * sorted order so a project loads the same way everywhere. No brace or class syntax: include
 * patterns are simple by design.
 */
export async function expandGlob(host: FileHost, baseDir: string, pattern: string, limit = 10_000): Promise<string[]> {
  const segments = pattern.split(/[\\/]+/).filter(s => s !== '' && s !== '.');
  const results = new Set<string>();
  const walk = async (dir: string, i: number): Promise<void> => {
    if (results.size >= limit) return;
    if (i === segments.length) return;
    const segment = segments[i] as string;
    if (segment === '..') return walk(path.dirname(dir), i + 1);
    const entries = await host.readDirectory(dir);
    if (!entries) return;
    entries.sort();
    const last = i === segments.length - 1;
    if (segment === '**') {
      await walk(dir, i + 1);
      for (const e of entries) {
        if (e.endsWith('/') && !SKIPPED_DIRS.has(e.slice(0, -1)) && !e.startsWith('.')) await walk(path.join(dir, e.slice(0, -1)), i);
      }
      return;
    }
    const re = segmentRegExp(segment);
    for (const e of entries) {
      const isDir = e.endsWith('/');
      const name = isDir ? e.slice(0, -1) : e;
      if (!re.test(name)) continue;
      if (last && !isDir) results.add(path.join(dir, name));
      else if (!last && isDir) await walk(path.join(dir, name), i + 1);
    }
  };
  await walk(baseDir, 0);
  return [...results].sort();
}
