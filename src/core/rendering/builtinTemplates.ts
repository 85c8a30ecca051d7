// Where the default templates shipped with Lakehouse Workbench are (the repository's templates/
// folder); their names are BUILTIN_TEMPLATE_NAMES (metadata/templateBindings.ts).
import * as path from 'path';
import { firstExistingFile } from '../files/installation';

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
    if (firstExistingFile([path.join(candidate, 'silver', 'autoloader.py.j2')])) {
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
