import * as path from 'path';
import { loadAdfFolder, type AdfFolderResult } from '../adf/adfFolder';
import { Containment } from '../files/containment';
import { excerpt } from '../text/excerpt';
import { decodeText, FileRefusedError, type FileHost } from '../files/fileHost';
import { findRootFile, ProjectSession, type ProjectSessionOptions, type ProjectSnapshot } from './projectSession';

export class UserError extends Error {}

/** Loads the project in a folder (or from a lakehouse.yaml path) once. */
export async function loadProjectAt(
  host: FileHost,
  target: string,
  shown = target,
  options: ProjectSessionOptions = {},
): Promise<ProjectSnapshot> {
  const absolute = path.resolve(target);
  let rootFile: string | undefined;
  if (/\.ya?ml$/i.test(absolute)) {
    if ((await host.readFile(absolute)) === undefined) throw new UserError(`${shown} does not exist.`);
    rootFile = absolute;
  } else {
    if ((await host.readDirectory(absolute)) === undefined) throw new UserError(`${shown} is not a folder.`);
    rootFile = await findRootFile(host, absolute);
    if (!rootFile)
      throw new UserError(
        `No lakehouse.yaml in ${shown}. Create one, or import it from an ADF folder: lakehouse import-adf <ADF_DIR>.`,
      );
  }
  return new ProjectSession(rootFile, host, options).load();
}

/**
 * Reads an ADF folder for import, through a plain host: only inside that folder (a link out of it
 * is not followed), regular files only; what cannot be read is reported on the file, never thrown.
 */
export async function readAdfFolder(host: FileHost, dir: string): Promise<AdfFolderResult> {
  const root = path.resolve(dir);
  const containment = new Containment([root], host.realPath ? file => host.realPath!(file) : undefined);
  return loadAdfFolder(
    {
      readDirectory: async d => ((await containment.problem(d)) ? undefined : host.readDirectory(d)),
      readText: async file => {
        const outside = await containment.problem(file, `'${path.relative(root, file)}'`);
        if (outside) return { unreadable: outside };
        let content;
        try {
          content = await host.readFile(file);
        } catch (e) {
          if (e instanceof FileRefusedError) return { unreadable: e.message };
          return { unreadable: `The file cannot be read: ${excerpt((e as Error).message, 300)}` };
        }
        if (content === undefined) return { missing: true };
        const decoded = decodeText(content);
        return decoded.ok ? { text: decoded.text } : { unreadable: decoded.reason };
      },
    },
    root,
  );
}

/** An ADF git folder checked on its own (no lakehouse.yaml); undefined when dir is not one. */
export async function validateAdfFolderAt(
  host: FileHost,
  dir: string,
  options: ProjectSessionOptions = {},
): Promise<ProjectSnapshot | undefined> {
  const snapshot = await new ProjectSession(path.resolve(dir), host, { ...options, adfOnly: true }).load();
  return snapshot.adf ? snapshot : undefined;
}

const ADF_KIND_FOLDERS = ['pipeline/', 'dataset/', 'linkedService/', 'trigger/', 'dataflow/', 'factory/'];

/**
 * Data Factory git folders under dir (dir itself included), for `lakehouse validate` in a
 * repository whose factory lives in a subfolder. A subfolder counts when it holds at least two of
 * ADF's folders (or one and publish_config.json); node_modules and hidden folders are skipped.
 */
export async function findAdfFolders(host: FileHost, dir: string, maxDepth = 4): Promise<string[]> {
  const found: string[] = [];
  const visit = async (folder: string, depth: number): Promise<void> => {
    const entries = await host.readDirectory(folder);
    if (!entries) return;
    const kinds = entries.filter(e => ADF_KIND_FOLDERS.includes(e)).length;
    // The folder named on the command line may be a factory with a single kind of artifact.
    if (kinds >= 2 || (kinds >= 1 && (depth === 0 || entries.includes('publish_config.json')))) {
      found.push(folder);
      return;
    }
    if (depth >= maxDepth) return;
    for (const e of entries.sort()) {
      if (!e.endsWith('/') || e.startsWith('.') || e === 'node_modules/') continue;
      await visit(path.join(folder, e.slice(0, -1)), depth + 1);
    }
  };
  await visit(path.resolve(dir), 0);
  return found;
}
