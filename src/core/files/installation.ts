// Files of the installation itself (the template worker script, the built-in templates), found
// beside the bundle or the tsc output. Not project files: they are looked up on the disk, never
// through a FileHost (an editor's buffers cannot replace the product's own files).
import * as fs from 'fs';

/** The first candidate that exists on disk, or undefined. */
export function firstExistingFile(candidates: readonly string[]): string | undefined {
  return candidates.find(candidate => fs.existsSync(candidate));
}
