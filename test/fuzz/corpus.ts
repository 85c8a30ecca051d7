// The realistic inputs the fuzzer starts from: the Spotify sample, the unit tests' baseline
// project, and (when ../shared is there) the real-world Data Factory folders, read in place.
import * as fs from 'fs';
import * as path from 'path';
import { adfFolder, BASELINE } from '../unit/helpers/baseline';
import { REAL_WORLD_ADF, SAMPLE_DIR } from '../unit/helpers/paths';

export interface Factory {
  /** 'samples/spotify/adf', or the real-world folder's name. */
  name: string;
  /** Files relative to the factory folder (pipeline/x.json…). */
  files: Record<string, string>;
}

export interface Corpus {
  /** The sample's files that loading reads (lakehouse.yaml, metadata/, adf/, databricks/databricks.yml). */
  sample: Record<string, string>;
  baseline: string;
  baselineAdf: Record<string, string>;
  /** The sample's factory first, then the real-world ones. */
  factories: Factory[];
  /** Why there are no real-world factories, when there are none. */
  realWorldMissing?: string;
}

function readTree(dir: string, filter: (rel: string) => boolean): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else {
        const rel = path.relative(dir, p).split(path.sep).join('/');
        if (filter(rel)) out[rel] = fs.readFileSync(p, 'utf8');
      }
    }
  };
  walk(dir);
  return out;
}

let cached: Corpus | undefined;

export function loadCorpus(): Corpus {
  if (cached) return cached;
  const sample = readTree(SAMPLE_DIR, rel => /\.(ya?ml|json)$/.test(rel) && !rel.startsWith('databricks/src/'));
  const sampleAdf: Record<string, string> = {};
  for (const [rel, text] of Object.entries(sample)) if (rel.startsWith('adf/')) sampleAdf[rel.slice(4)] = text;
  const factories: Factory[] = [{ name: 'samples/spotify/adf', files: sampleAdf }];
  let realWorldMissing: string | undefined;
  if (fs.existsSync(REAL_WORLD_ADF)) {
    for (const entry of fs
      .readdirSync(REAL_WORLD_ADF, { withFileTypes: true })
      .sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (!entry.isDirectory()) continue;
      const files = readTree(path.join(REAL_WORLD_ADF, entry.name), rel => rel.endsWith('.json'));
      if (Object.keys(files).length) factories.push({ name: entry.name, files });
    }
  } else {
    realWorldMissing = `real-world ADF fixtures not present (${REAL_WORLD_ADF}): fuzzing ADF from the sample only`;
  }
  const baselineAdf: Record<string, string> = {};
  for (const [rel, text] of Object.entries(adfFolder())) baselineAdf[rel] = text;
  cached = { sample, baseline: BASELINE, baselineAdf, factories, ...(realWorldMissing ? { realWorldMissing } : {}) };
  return cached;
}

/** Where a corpus text came from, so that a reproduction can say "unchanged from …" instead of repeating it. */
export function corpusOrigins(): Map<string, string> {
  const corpus = loadCorpus();
  const origins = new Map<string, string>();
  for (const [rel, text] of Object.entries(corpus.sample)) origins.set(text, `samples/spotify/${rel}`);
  origins.set(corpus.baseline, 'test/unit/helpers/baseline.ts BASELINE');
  for (const [rel, text] of Object.entries(corpus.baselineAdf))
    if (!origins.has(text)) origins.set(text, `test/unit/helpers/baseline.ts adfFolder() ${rel}`);
  for (const f of corpus.factories.slice(1)) {
    for (const [rel, text] of Object.entries(f.files))
      if (!origins.has(text)) origins.set(text, `../shared/fixtures/adf-real-world/${f.name}/${rel}`);
  }
  return origins;
}
