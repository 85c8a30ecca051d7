import * as path from 'path';
import { loadAdfFolder, type AdfFolderResult } from '../adf/adfFolder';
import { decodeText, type FileHost } from './fileHost';
import { findRootFile, ProjectSession, type ProjectSnapshot } from './projectSession';

export class UserError extends Error {}

/** Loads the project in a folder (or from a lakehouse.yaml path) once. */
export async function loadProjectAt(host: FileHost, target: string, shown = target): Promise<ProjectSnapshot> {
  const absolute = path.resolve(target);
  let rootFile: string | undefined;
  if (/\.ya?ml$/i.test(absolute)) {
    if ((await host.readFile(absolute)) === undefined) throw new UserError(`${shown} does not exist.`);
    rootFile = absolute;
  } else {
    if ((await host.readDirectory(absolute)) === undefined) throw new UserError(`${shown} is not a folder.`);
    rootFile = await findRootFile(host, absolute);
    if (!rootFile) throw new UserError(`No lakehouse.yaml in ${shown}. Create one, or import it from an ADF folder: lakehouse import-adf <ADF_DIR>.`);
  }
  return new ProjectSession(rootFile, host).load();
}

/** Reads an ADF folder for import, through a plain host. */
export async function readAdfFolder(host: FileHost, dir: string): Promise<AdfFolderResult> {
  return loadAdfFolder({
    readDirectory: d => host.readDirectory(d),
    readText: async file => {
      const content = await host.readFile(file);
      if (content === undefined) return { missing: true };
      const decoded = decodeText(content);
      return decoded.ok ? { text: decoded.text } : { unreadable: decoded.reason };
    },
  }, path.resolve(dir));
}

/** An ADF git folder checked on its own (no lakehouse.yaml); undefined when dir is not one. */
export async function validateAdfFolderAt(host: FileHost, dir: string): Promise<ProjectSnapshot | undefined> {
  const snapshot = await new ProjectSession(path.resolve(dir), host, { adfOnly: true }).load();
  return snapshot.adf ? snapshot : undefined;
}
