// Seeds Azurite from a project: loads it with the core's project model, plans its lake
// (lakeSeed.ts) and writes the blobs over the Blob REST API. A zone whose container already
// exists is left alone: a demo restarted on its --location keeps what deploys and runs wrote.
import { loadProjectAt } from '../core/project/loadProject';
import { NodeFileHost } from '../core/files/nodeFileHost';
import { createContainer, putBlob, type BlobAccount } from './blobRest';
import { planLakeSeed, type LakeSeedPlan } from './lakeSeed';

export interface SeedReport {
  project: string;
  containersCreated: string[];
  /** Containers that existed already, and were left as they were. */
  containersKept: string[];
  blobsWritten: number;
  watermarks: LakeSeedPlan['watermarks'];
  deltaTables: LakeSeedPlan['deltaTables'];
}

export async function seedStorage(project: string, account: BlobAccount, now: number): Promise<SeedReport> {
  const snapshot = await loadProjectAt(new NodeFileHost(), project);
  const plan = planLakeSeed(snapshot.metadata, now);
  const report: SeedReport = {
    project: snapshot.rootFile,
    containersCreated: [],
    containersKept: [],
    blobsWritten: 0,
    watermarks: plan.watermarks,
    deltaTables: plan.deltaTables,
  };
  for (const container of plan.containers) {
    if (await createContainer(account, container)) report.containersCreated.push(container);
    else report.containersKept.push(container);
  }
  const fresh = new Set(report.containersCreated);
  const blobs = plan.blobs.filter(b => fresh.has(b.container));
  // A few at a time: Azurite is one process on a small machine.
  let next = 0;
  const worker = async () => {
    while (next < blobs.length) {
      const blob = blobs[next++]!;
      await putBlob(account, blob.container, blob.path, blob.body, blob.contentType);
      report.blobsWritten++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(6, blobs.length) }, worker));
  return report;
}
