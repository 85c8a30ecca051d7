// The default templates shipped with Lakehouse Workbench (the repository's templates/ folder).
import * as fs from 'fs';
import * as path from 'path';

/** Every built-in template, by name (relative to the built-in templates folder). */
export const BUILTIN_TEMPLATE_NAMES: readonly string[] = [
  'silver/autoloader.py.j2',
  'gold/dimension.py.j2',
  'gold/fact.py.j2',
  'gold/star_query.py.j2',
];

let found: string | null | undefined;

/**
 * The built-in templates folder: templates/ beside the extension or CLI bundle (dist/../templates)
 * or above the tsc output (out/src/core/rendering/../../../../templates). Undefined when missing.
 */
export function findBuiltinTemplatesDir(start: string = __dirname): string | undefined {
  if (start === __dirname && found !== undefined) return found ?? undefined;
  let dir = path.resolve(start);
  let result: string | undefined;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'templates');
    if (fs.existsSync(path.join(candidate, 'silver', 'autoloader.py.j2'))) {
      result = candidate;
      break;
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  if (start === __dirname) found = result ?? null;
  return result;
}
