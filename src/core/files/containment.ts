// Every path the product reads or writes because of something in the metadata or an ADF folder
// (an include, paths.adf, a template, an output, an artifact's name) must stay inside the project
// folder, or inside a folder the user configured themselves: a hostile repository must not make
// us read /etc/passwd into a message or write ../../.bashrc. Checked lexically first, then with
// symlinks resolved, so a link inside the project that points out is refused too.
import * as path from 'path';

/** Resolves symlinks; undefined when the path does not exist. */
export type RealPath = (file: string) => Promise<string | undefined>;

const caseInsensitive = process.platform === 'win32' || process.platform === 'darwin';

/** Whether `file` is `root` or below it (both absolute). */
export function isInside(file: string, root: string): boolean {
  const a = caseInsensitive ? file.toLowerCase() : file;
  const b = caseInsensitive ? root.toLowerCase() : root;
  const relative = path.relative(b, a);
  return relative === '' || (!relative.startsWith(`..${path.sep}`) && relative !== '..' && !path.isAbsolute(relative));
}

/**
 * The folders a project may read and write: its own folder first, then folders the user allowed
 * (never folders named by the project's own files).
 */
export class Containment {
  readonly roots: readonly string[];
  private realRoots: Promise<string[]> | undefined;

  constructor(
    roots: readonly string[],
    private readonly realPath?: RealPath,
  ) {
    this.roots = [...new Set(roots.map(r => path.resolve(r)))];
  }

  /** The project folder (the first root), for messages. */
  get projectRoot(): string {
    return this.roots[0]!;
  }

  /** Why `file` may not be read or written, or undefined when it is inside. */
  async problem(file: string, what = 'it'): Promise<string | undefined> {
    const absolute = path.resolve(file);
    if (!this.roots.some(root => isInside(absolute, root))) {
      return (
        `${what} is outside the project folder${this.roots.length > 1 ? 's' : ''} ` +
        `(${this.describeRoots()}); files outside the project are not read or ` +
        `written${this.roots.length > 1 ? '' : ' unless you allow their folder (lakehouse.security.allowedFolders, or --allow-folder on the command line)'}.`
      );
    }
    if (!this.realPath) return undefined;
    const real = await this.resolveExisting(absolute);
    const realRoots = await (this.realRoots ??= Promise.all(this.roots.map(root => this.resolveExisting(root))));
    if (realRoots.some(root => isInside(real, root))) return undefined;
    return `${what} leads outside the project folder through a symbolic link (to ${real}); links out of the project are not followed.`;
  }

  /** The real path of the nearest existing ancestor, with the rest of the path appended. */
  private async resolveExisting(absolute: string): Promise<string> {
    const rest: string[] = [];
    let current = absolute;
    for (;;) {
      const real = await this.realPath!(current);
      if (real !== undefined) return rest.length ? path.join(real, ...rest.reverse()) : real;
      const parent = path.dirname(current);
      if (parent === current) return absolute;
      rest.push(path.basename(current));
      current = parent;
    }
  }

  private describeRoots(): string {
    return this.roots.join(', ');
  }
}
