// Seeding the watermark files before the first run. The generated pipeline keeps each incremental
// table's watermark in `<bronze container>/<bronze folder>_cdc/cdc.json` ({"cdc": …}, the JSON sink's
// one row) and writes the first one itself when the file is missing (see firstWatermark). Deploy
// writes that same first value beforehand, so the lake shows every table's starting point and the
// first run reads a file like any later one. A watermark that exists is data (how far the table
// was copied): it is never overwritten, only files that do not exist are created.
import type { LakehouseMetadata } from '../metadata/model';
import { firstWatermark, keepsWatermark, watermarkPath } from '../adf/generate/pipeline';
import { resolveAdfSettings } from '../adf/generate/settings';
import { excerpt } from '../text/excerpt';

export interface WatermarkSeed {
  /** system.schema.table */
  table: string;
  container: string;
  /** The blob path in the container. */
  path: string;
  /** The file's content, as the pipeline's JSON sink writes it. */
  text: string;
}

export interface WatermarkSeeds {
  seeds: WatermarkSeed[];
  notes: string[];
}

/** Every watermark file the generated pipelines keep, with the first value each gets (UnknownAdfEnvironmentError for an undeclared environment). */
export function watermarkSeeds(metadata: LakehouseMetadata, options: { environment?: string } = {}): WatermarkSeeds {
  const settings = resolveAdfSettings(
    metadata,
    options.environment !== undefined ? { environment: options.environment } : {},
  );
  const notes: string[] = [];
  const seeds: WatermarkSeed[] = [];
  for (const table of metadata.tables) {
    if (!keepsWatermark(table)) continue;
    seeds.push({
      table: `${table.system}.${table.schema}.${table.name}`,
      container: settings.bronzeContainer,
      path: watermarkPath(metadata, table),
      text: JSON.stringify({ cdc: firstWatermark(table, settings) }),
    });
  }
  const zone = settings.schedule.timeZone;
  if (
    metadata.tables.some(t => keepsWatermark(t) && t.cdcMode === 'watermark' && t.backfillFrom) &&
    zone.toUpperCase() !== 'UTC' &&
    !/(?:Z|[+-]\d\d:\d\d)$/i.test(settings.schedule.startTime)
  )
    notes.push(
      `The backfilled tables' watermarks start at the schedule's start ${settings.schedule.startTime}, a wall-clock ` +
        `time in '${zone}': written as it is, not converted to UTC. Give adf.schedule.startTime in UTC to be exact.`,
    );
  return { seeds, notes };
}

/** The lake operations seeding needs (an adapter over the storage account). */
export interface WatermarkStore {
  exists(container: string, path: string): Promise<boolean>;
  /** Creates the file only if there is none, atomically (an existing one is never replaced); false when one exists. */
  createIfAbsent(container: string, path: string, text: string): Promise<boolean>;
}

export type SeedOutcome = 'created' | 'exists' | 'failed';

export interface SeedResult {
  seed: WatermarkSeed;
  outcome: SeedOutcome;
  message?: string;
}

export interface SeedPlanEntry {
  seed: WatermarkSeed;
  /** create: no file yet; exists: left as it is; unknown: the lake could not be read (message says why). */
  action: 'create' | 'exists' | 'unknown';
  message?: string;
}

const PARALLEL_REQUESTS = 16;

/** Which seeds a deploy would write: only where no watermark exists. */
export async function planWatermarkSeeds(
  store: WatermarkStore,
  seeds: readonly WatermarkSeed[],
): Promise<SeedPlanEntry[]> {
  return inParallel(seeds, async seed => {
    try {
      return { seed, action: (await store.exists(seed.container, seed.path)) ? 'exists' : 'create' };
    } catch (e) {
      return { seed, action: 'unknown', message: messageOf(e) };
    }
  });
}

/** Writes the seeds whose files do not exist; each result says what happened to its file. */
export async function seedWatermarks(store: WatermarkStore, seeds: readonly WatermarkSeed[]): Promise<SeedResult[]> {
  return inParallel(seeds, async seed => {
    try {
      const created = await store.createIfAbsent(seed.container, seed.path, seed.text);
      return { seed, outcome: created ? 'created' : 'exists' };
    } catch (e) {
      return { seed, outcome: 'failed', message: messageOf(e) };
    }
  });
}

async function inParallel<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_REQUESTS, items.length) }, worker));
  return results;
}

function messageOf(e: unknown): string {
  return excerpt(e instanceof Error ? e.message : String(e), 300);
}
