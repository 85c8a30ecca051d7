// What a deploy of a project to one environment writes: the project's ADF folder, with the
// generated artifacts as generation makes them for that environment (their owned values are the
// environment's: storage, workspace, catalog; hand edits elsewhere are kept, as `generate` keeps
// them). A project without lakehouse.yaml deploys its folder as it is.
import * as path from 'path';
import type { AdfFolderResult } from '../adf/adfFolder';
import { readAdfFolder } from '../project/loadProject';
import { adfRootOf, planProjectAdf } from '../project/adfGeneration';
import type { ProjectSnapshot } from '../project/projectSession';
import type { FileHost } from '../files/fileHost';
import { localArtifactsOf, type LocalArtifacts } from './artifacts';

export interface ProjectDeployables {
  local: LocalArtifacts;
  /** The folder deployed. */
  adfRoot: string;
  /** Generated artifacts whose files the folder lacks or holds out of date (deployed as generated now). */
  regenerated: string[];
}

export async function deployablesOf(
  snapshot: ProjectSnapshot,
  host: FileHost,
  environment: string | undefined,
  readGenerated: (file: string) => Promise<string | undefined>,
): Promise<ProjectDeployables> {
  const adfRoot = snapshot.adf?.root ?? adfRootOf(snapshot);
  const overrides = new Map<string, string>();
  const regenerated: string[] = [];
  const problems: LocalArtifacts['problems'] = [];
  const generates = snapshot.metadata.adf !== undefined || snapshot.metadata.sources.length > 0;
  if (snapshot.metadataFiles.size > 0 && generates) {
    const planned = await planProjectAdf(snapshot, readGenerated, environment !== undefined ? { environment } : {});
    if (!planned.ok) {
      problems.push({ message: planned.message });
    } else {
      for (const f of planned.plan.files) {
        if (f.status === 'conflict') {
          problems.push({
            file: f.file,
            message:
              `${path.relative(adfRoot, f.file)}: ${f.conflict?.message ?? 'it conflicts with generation'}. Run ` +
              `"lakehouse generate adf" (or Generate ADF Artifacts) and review it before deploying.`,
          });
          continue;
        }
        if (f.status !== 'unchanged') regenerated.push(path.relative(adfRoot, f.file).split(path.sep).join('/'));
        overrides.set(f.file, f.newText);
      }
    }
  }
  const overlay: FileHost = {
    ...host,
    readFile: async (file, options) => overrides.get(file) ?? host.readFile(file, options),
    readDirectory: async dir => {
      const entries = await host.readDirectory(dir);
      const added = [...overrides.keys()].filter(f => path.dirname(f) === dir).map(f => path.basename(f));
      if (!entries && !added.length) return undefined;
      const folders = [...overrides.keys()]
        .filter(f => path.dirname(path.dirname(f)) === dir)
        .map(f => `${path.basename(path.dirname(f))}/`);
      return [...new Set([...(entries ?? []), ...added, ...folders])];
    },
    ...(host.realPath ? { realPath: async (p: string) => (overrides.has(p) ? p : host.realPath!(p)) } : {}),
  };
  const folder: AdfFolderResult = await readAdfFolder(overlay, adfRoot);
  if (folder.status !== 'ok') {
    return {
      adfRoot,
      regenerated,
      local: {
        root: adfRoot,
        artifacts: [],
        problems: [
          ...problems,
          {
            message: `${adfRoot} is ${folder.status === 'missing' ? 'missing' : 'not a Data Factory folder (ADF git layout)'}.`,
          },
        ],
        notes: [],
      },
    };
  }
  const local = localArtifactsOf(folder.factory);
  return { adfRoot, regenerated, local: { ...local, problems: [...problems, ...local.problems] } };
}
