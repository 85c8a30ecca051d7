// The benchmark's worker: generates projects and measures one project per process, printing one
// JSON line on stdout. scripts/bench.mjs bundles this file with esbuild (importing src/core
// directly), runs it once per size and phase, and prints the report. Progress goes to stderr.
//
//   node out/bench/bench.js generate <tables> <dir> <adf-template> [tables-per-fragment] [seed]
//   node --expose-gc out/bench/bench.js measure <manifest.json> [--quick]
//   node --expose-gc out/bench/bench.js memory  <manifest.json> session|baseline <warm-up lakehouse.yaml>   (baseline: js-yaml values)
//   node --expose-gc out/bench/bench.js phases  <manifest.json> <warm-up lakehouse.yaml>
//   node out/bench/bench.js templates <corpus folder> [--quick] [--python=python3]   (bench/templates.ts)
//   node out/bench/bench.js adf-generate <pipelines> <dir> [seed]                    (bench/adf.ts, bench/generateAdf.ts)
//   node --expose-gc out/bench/bench.js adf <manifest.json> [--quick]               (bench/adf.ts)
//   node out/bench/bench.js adf-generation <manifest.json> [--quick]                 (bench/adfGeneration.ts)
//   node --expose-gc out/bench/bench.js lake-listing [blobs=100000] [--quick]        (bench/lakeListing.ts; starts Azurite)
// The warm-up project (the sample) runs the code once, cheaply, before what is measured.
import { promises as fsp, readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import { performance, PerformanceObserver, type PerformanceEntry } from 'perf_hooks';
import { parse as parseYaml } from 'yaml';
import { load as loadJsYaml, CORE_SCHEMA as JS_YAML_CORE_SCHEMA } from 'js-yaml';
import { ProjectSession, mergeFragments, type ProjectSnapshot } from '../src/core/project/projectSession';
import { NodeFileHost } from '../src/core/files/nodeFileHost';
import { decodeText } from '../src/core/files/fileHost';
import { parseMetadataFile, type MetadataFile } from '../src/core/metadata/metadataFile';
import type { MetadataFileKind } from '../src/core/metadata/schemaValidation';
import { buildFragment, type MetadataFragment } from '../src/core/metadata/buildFragment';
import { checkMetadata } from '../src/core/metadata/semanticRules';
import { checkNames } from '../src/core/metadata/nameRules';
import { checkMeaning } from '../src/core/metadata/meaningRules';
import { parseMetadataFileFast } from '../src/core/metadata/fastMetadataFile';
import { MetadataLocator } from '../src/core/metadata/locator';
import { parseAdfFile, type AdfFile, type AdfKind } from '../src/core/adf/adfFile';
import { findMetadataLoops } from '../src/core/adf/metadataLoops';
import { AdfValidationCache } from '../src/core/adf/validate';
import { compareDiagnostics, type Diagnostic } from '../src/core/diagnostics/diagnostic';
import { generateProject, type GeneratedProject } from './generate';
import { lineReplaced, stats, time } from './stats';
import { templates } from './templates';
import { adf, generateAdf } from './adf';
import { adfGeneration } from './adfGeneration';
import { lakeListing } from './lakeListing';
import { deployPlan } from './deployPlan';
import { backfillBench } from './backfill';
import { runsViewBench } from './runsView';

const gc: () => void = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const log = (msg: string) => process.stderr.write(`    ${msg}\n`);

function readManifest(file: string): GeneratedProject {
  return JSON.parse(readFileSync(file, 'utf8')) as GeneratedProject;
}

/** How many repetitions a size gets: enough for a stable median, few enough for a few minutes in all. */
function plan(tables: number, quick: boolean): { warmup: number; reps: number; edits: number; editWarmup: number } {
  if (quick) return { warmup: 1, reps: 3, edits: 10, editWarmup: 2 };
  if (tables <= 500) return { warmup: 3, reps: 15, edits: 30, editWarmup: 5 };
  if (tables <= 5000) return { warmup: 1, reps: 7, edits: 30, editWarmup: 5 };
  // 10,000 tables: the first load warms up; each repetition takes ~25 s on 2 slow cores.
  return { warmup: 0, reps: 3, edits: 30, editWarmup: 5 };
}

// ---------------------------------------------------------------------------------------------
// The baseline: read the same files and parse each one with the `yaml` package (JSON.parse for ADF JSON).

async function bareParse(p: GeneratedProject): Promise<unknown[]> {
  const values: unknown[] = [];
  // The directory listings the loader needs too (include glob, ADF folders).
  await fsp.readdir(path.join(p.root, 'metadata'));
  await fsp.readdir(path.join(p.root, 'adf'));
  for (const dir of new Set(p.files.adf.map(f => path.dirname(f)))) await fsp.readdir(dir);
  for (const f of p.files.metadata) values.push(parseYaml(await fsp.readFile(f, 'utf8')));
  for (const f of p.files.adf) values.push(JSON.parse(await fsp.readFile(f, 'utf8')));
  return values;
}

/** The target's baseline: the same reads, with js-yaml 4 (its YAML 1.2 core schema) for the YAML. */
async function jsYamlLoad(p: GeneratedProject): Promise<unknown[]> {
  const values: unknown[] = [];
  await fsp.readdir(path.join(p.root, 'metadata'));
  await fsp.readdir(path.join(p.root, 'adf'));
  for (const dir of new Set(p.files.adf.map(f => path.dirname(f)))) await fsp.readdir(dir);
  for (const f of p.files.metadata)
    values.push(loadJsYaml(await fsp.readFile(f, 'utf8'), { schema: JS_YAML_CORE_SCHEMA }));
  for (const f of p.files.adf) values.push(JSON.parse(await fsp.readFile(f, 'utf8')));
  return values;
}

/**
 * The longest synchronous task while fn runs: a setImmediate ticker re-arms itself on every turn
 * of the event loop, so the gap between two ticks is how long the loop was kept from anything
 * else (a slice of work, a GC pause, or several callbacks run back to back: never an under-count).
 */
async function longestTask<T>(fn: () => Promise<T>): Promise<[number, T]> {
  let last = performance.now();
  let longest = 0;
  let running = true;
  const tick = () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  const result = await fn();
  running = false;
  longest = Math.max(longest, performance.now() - last);
  return [longest, result];
}

async function fullValidation(p: GeneratedProject): Promise<ProjectSnapshot> {
  return new ProjectSession(p.rootFile, new NodeFileHost()).load();
}

function allDiagnostics(s: ProjectSnapshot): Diagnostic[] {
  return [...s.diagnostics.values()].flat();
}

function assertValid(
  s: ProjectSnapshot,
  p: GeneratedProject,
  what: string,
): { errors: number; warnings: number; others: number } {
  const all = allDiagnostics(s);
  const errors = all.filter(d => d.severity === 'error');
  if (errors.length) {
    const shown = errors
      .slice(0, 10)
      .map(
        d =>
          `  ${path.relative(p.root, d.file)}:${d.range.start.line + 1}:${d.range.start.character + 1} ${d.code} ${d.message}`,
      );
    throw new Error(
      `${what}: the generated project has ${errors.length} error(s); a benchmark on an invalid project measures the wrong thing:\n${shown.join('\n')}`,
    );
  }
  if (
    s.metadata.tables.length !== p.tables ||
    s.metadata.dimensions.length !== p.dimensions ||
    s.metadata.facts.length !== p.facts
  ) {
    throw new Error(
      `${what}: loaded ${s.metadata.tables.length} tables, ${s.metadata.dimensions.length} ` +
        `dimensions, ${s.metadata.facts.length} facts; generated ${p.tables}, ${p.dimensions}, ` +
        `${p.facts}.`,
    );
  }
  if (!s.adf || s.adf.loops.length !== p.ingestionPipelines)
    throw new Error(
      `${what}: found ${s.adf?.loops.length ?? 0} metadata-driven loop(s) in the ADF folder; generated ${p.ingestionPipelines}.`,
    );
  return {
    errors: 0,
    warnings: all.filter(d => d.severity === 'warning').length,
    others: all.filter(d => d.severity !== 'error' && d.severity !== 'warning').length,
  };
}

async function firstLoad(
  p: GeneratedProject,
): Promise<{ firstLoadMs: number; counts: ReturnType<typeof assertValid> }> {
  const [firstLoadMs, first] = await time(() => fullValidation(p));
  return { firstLoadMs, counts: assertValid(first, p, 'first load') };
}

async function measure(manifestFile: string, quick: boolean): Promise<object> {
  const p = readManifest(manifestFile);
  const n = plan(p.tables, quick);

  // The very first load in a fresh process: ajv compiles the schemas, nothing is JIT-compiled yet.
  // (In a function of its own: a local of this async function would keep that snapshot alive to the end.)
  const { firstLoadMs, counts } = await firstLoad(p);
  log(`first load ${firstLoadMs.toFixed(0)} ms; ${counts.warnings} warning(s), ${counts.others} info/hint`);

  const base: number[] = [];
  const jsYaml: number[] = [];
  const full: number[] = [];
  for (let i = 0; i < n.warmup; i++) {
    await bareParse(p);
    await jsYamlLoad(p);
    await fullValidation(p);
  }
  for (let i = 0; i < n.reps; i++) {
    gc();
    base.push((await time(() => bareParse(p)))[0]);
    gc();
    jsYaml.push((await time(() => jsYamlLoad(p)))[0]);
    gc();
    full.push((await time(() => fullValidation(p)))[0]);
  }
  log(
    `js-yaml load ${stats(jsYaml).median.toFixed(1)} ms, YAML.parse load ` +
      `${stats(base).median.toFixed(1)} ms, full validation ${stats(full).median.toFixed(1)} ms ` +
      `(median of ${n.reps})`,
  );
  // Apart from the timed loads: the ticker itself takes a little of the loop's time.
  gc();
  const [loadLongestMs] = await longestTask(() => fullValidation(p));

  // Re-validation: a warm session, one fragment overlaid with a one-line change, then load().
  const original = readFileSync(p.edit.file, 'utf8');
  const texts = [lineReplaced(original, p.edit.line, p.edit.edited), original];
  const errorTexts = [lineReplaced(original, p.errorEdit.line, p.errorEdit.edited), original];
  const editedFileParse: number[] = [];

  const session = new ProjectSession(p.rootFile, new NodeFileHost());
  assertValid(await session.load(), p, 'warm session');
  // As before each timed load: the edits start on a collected heap, not on the garbage of the loads above.
  gc();
  let editLongestMs = 0;
  const runEdits = async (variants: string[], check: (s: ProjectSnapshot, i: number) => void): Promise<number[]> => {
    const samples: number[] = [];
    for (let i = 0; i < n.editWarmup + n.edits; i++) {
      const t0 = performance.now();
      session.setOverlay(p.edit.file, variants[i % 2]);
      const snapshot = await session.load();
      const ms = performance.now() - t0;
      check(snapshot, i);
      if (i >= n.editWarmup) samples.push(ms);
    }
    // The floor: parsing that one file with YAML.parse, in the same process, after the edits (in
    // between them, the garbage of each whole-file parse was collected during the next edit's load).
    if (variants === texts)
      for (let i = 0; i < n.edits; i++) {
        const t1 = performance.now();
        parseYaml(variants[i % 2] as string);
        editedFileParse.push(performance.now() - t1);
      }
    // The same edits again under the ticker (apart: it slows what it watches a little).
    for (let i = 0; i < n.edits; i++) {
      const [longest] = await longestTask(async () => {
        session.setOverlay(p.edit.file, variants[i % 2]);
        return session.load();
      });
      editLongestMs = Math.max(editLongestMs, longest);
    }
    session.setOverlay(p.edit.file, undefined);
    return samples;
  };
  const editedTable = (s: ProjectSnapshot) =>
    s.metadata.tables.find(t => t.origin.file === p.edit.file && t.name === p.edit.table);
  const edits = await runEdits(texts, (s, i) => {
    assertValid(s, p, `edit ${i}`);
    // The edit must be seen: a cache that served the old text would make this benchmark meaningless.
    if ((editedTable(s)?.cdcColumn === p.edit.cdcColumn) !== (i % 2 === 0))
      throw new Error(`edit ${i}: the re-validated model does not reflect the edit`);
  });
  const errorEdits = await runEdits(errorTexts, (s, i) => {
    const errors = allDiagnostics(s).filter(d => d.severity === 'error');
    const expected = i % 2 === 0 ? 1 : 0;
    if (errors.length !== expected || (expected && errors[0]?.code !== 'LH206')) {
      throw new Error(
        `error edit ${i}: expected ${expected} error (LH206), got ${errors.map(d => `${d.code} ${d.message}`).join('; ') || 'none'}`,
      );
    }
  });
  log(
    `re-validation ${stats(edits).median.toFixed(1)} ms median, ${stats(edits).p95.toFixed(1)} ms p95 (${n.edits} edits)`,
  );

  return {
    tables: p.tables,
    files: p.files.metadata.length + p.files.adf.length,
    bytes: p.bytes,
    editedFileBytes: Buffer.byteLength(original),
    warnings: counts.warnings,
    firstLoadMs,
    bareParse: stats(base),
    jsYamlLoad: stats(jsYaml),
    fullValidation: stats(full),
    loadLongestMs,
    editLongestMs,
    editedFileParse: stats(editedFileParse),
    revalidation: stats(edits),
    revalidationWithError: stats(errorEdits),
  };
}

// ---------------------------------------------------------------------------------------------
// Memory: one load in a fresh process, with the session and snapshot kept, as the extension keeps them.

const retained: unknown[] = [];

/** Loads a small project (the sample) and parses its files, so that the code is loaded and compiled. */
async function warmUp(rootFile: string): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await new ProjectSession(rootFile, new NodeFileHost()).load();
    parseYaml(readFileSync(rootFile, 'utf8'));
    loadJsYaml(readFileSync(rootFile, 'utf8'), { schema: JS_YAML_CORE_SCHEMA });
  }
}

/** Loads and keeps the result in `retained`, in a function of its own so that no local outlives it. */
async function keep(p: GeneratedProject, what: 'session' | 'baseline'): Promise<void> {
  if (what === 'session') {
    const session = new ProjectSession(p.rootFile, new NodeFileHost());
    const snapshot = await session.load();
    assertValid(snapshot, p, 'memory');
    retained.push(session, snapshot);
  } else retained.push(await jsYamlLoad(p));
}

async function memory(manifestFile: string, what: 'session' | 'baseline', warmupRoot: string): Promise<object> {
  const p = readManifest(manifestFile);
  const settle = () => {
    for (let i = 0; i < 4; i++) gc();
    return process.memoryUsage();
  };
  // Run the code once (ajv compiles the schemas) so that the figures are about data.
  await warmUp(warmupRoot);
  const before = settle();
  await keep(p, what);
  const after = settle();
  const maxRss = process.resourceUsage().maxRSS * 1024;
  // What the kept objects hold: the heap with them minus the heap once they are released.
  retained.length = 0;
  const released = settle();
  return {
    tables: p.tables,
    what,
    heapUsedBefore: before.heapUsed,
    heapUsedAfter: after.heapUsed,
    heapUsedReleased: released.heapUsed,
    retainedHeap: after.heapUsed - released.heapUsed,
    rssAfter: after.rss,
    maxRss,
    external: after.external,
  };
}

// ---------------------------------------------------------------------------------------------
// Phases: the steps of ProjectSession.load(), timed one by one (same options as the core).

interface PhaseTimes {
  [phase: string]: number;
}

const gcEntries: PerformanceEntry[] = [];
new PerformanceObserver(list => gcEntries.push(...list.getEntries())).observe({ entryTypes: ['gc'] });

async function phasesOnce(
  p: GeneratedProject,
  editText: string | undefined,
  cached?: { files: MetadataFile[]; fragments: MetadataFragment[]; adf: AdfFile[]; adfValidation: AdfValidationCache },
) {
  const t: PhaseTimes = {};
  const add = (k: string, ms: number) => (t[k] = (t[k] ?? 0) + ms);
  const clock = () => performance.now();
  const host = new NodeFileHost();
  const kindOf = (f: string): MetadataFileKind => (f === p.rootFile ? 'root' : 'fragment');

  let files: MetadataFile[];
  let fragments: MetadataFragment[];
  let adfFiles: AdfFile[];
  if (!cached || editText === undefined) {
    files = [];
    fragments = [];
    adfFiles = [];
    // Reading first, all files (the session interleaves reads and parses; apart, GC pauses of the parses stay out of it).
    let t0 = clock();
    const texts: string[] = [];
    for (const f of [...p.files.metadata, ...p.files.adf]) {
      await host.fileSize(f);
      const decoded = decodeText((await host.readFile(f))!);
      texts.push(decoded.ok ? decoded.text : '');
    }
    add('read files (stat + read + decode)', clock() - t0);
    for (const [i, f] of p.files.metadata.entries()) {
      const text = texts[i] as string;
      t0 = clock();
      const file = parseMetadataFileFast(f, kindOf(f), text);
      add('parse: js-yaml + ajv (parseMetadataFileFast)', clock() - t0);
      t0 = clock();
      fragments.push(buildFragment(file));
      add('buildFragment (incl. TODO scan)', clock() - t0);
      files.push(file);
    }
    for (const [i, f] of p.files.adf.entries()) {
      const text = texts[p.files.metadata.length + i] as string;
      t0 = clock();
      adfFiles.push(parseAdfFile(f, path.basename(path.dirname(f)) as AdfKind, text));
      add('ADF: parseAdfFile (jsonc parseTree + JSON.parse)', clock() - t0);
    }
  } else {
    files = [...cached.files];
    fragments = [...cached.fragments];
    adfFiles = cached.adf;
    const i = p.files.metadata.indexOf(p.edit.file);
    let t0 = clock();
    const parsed = parseMetadataFile(p.edit.file, 'fragment', editText);
    add('parseMetadataFile (edited file: parse, toJS, ajv)', clock() - t0);
    t0 = clock();
    fragments[i] = buildFragment(parsed);
    add('buildFragment (edited file)', clock() - t0);
    files[i] = parsed;
  }

  let t0 = clock();
  const metadata = mergeFragments(p.rootFile, p.root, fragments);
  add('mergeFragments', clock() - t0);
  t0 = clock();
  const locator = new MetadataLocator(new Map(files.map(f => [f.file, f])));
  const diagnostics = checkMetadata(metadata, locator);
  add('checkMetadata (cross-file rules)', clock() - t0);
  t0 = clock();
  diagnostics.push(...checkNames(metadata, locator));
  add('checkNames', clock() - t0);
  t0 = clock();
  diagnostics.push(...checkMeaning(metadata, locator));
  add('checkMeaning', clock() - t0);
  t0 = clock();
  const pipelines = adfFiles.filter(f => f.kind === 'pipeline');
  const loops = pipelines.flatMap(pl => findMetadataLoops(pl, new Map()));
  const declared = new Set(metadata.tables.map(tb => tb.qualifiedName.toLowerCase()));
  let undeclared = 0;
  for (const loop of loops)
    for (const item of loop.items) if (!declared.has(`${item.schema}.${item.table}`.toLowerCase())) undeclared++;
  add('ADF: metadata loops + loop check', clock() - t0);
  // As the session does: the folder's artifacts by kind and name (the first file wins), then its validation cache.
  t0 = clock();
  const adfValidation = cached && editText !== undefined ? cached.adfValidation : new AdfValidationCache();
  const artifacts = new Map<AdfKind, Map<string, AdfFile>>();
  for (const f of adfFiles) {
    let byName = artifacts.get(f.kind);
    if (!byName) artifacts.set(f.kind, (byName = new Map()));
    if (f.name !== undefined && !byName.has(f.name)) byName.set(f.name, f);
  }
  diagnostics.push(...adfValidation.validate({ files: adfFiles, artifacts }));
  add('ADF: validation (AdfValidationCache)', clock() - t0);
  t0 = clock();
  const byFile = new Map<string, Diagnostic[]>();
  for (const f of files) byFile.set(f.file, []);
  for (const d of diagnostics) byFile.get(d.file)?.push(d);
  for (const list of byFile.values()) list.sort(compareDiagnostics);
  add('group and sort diagnostics', clock() - t0);
  if (diagnostics.some(d => d.severity === 'error') && editText === undefined)
    throw new Error('phases: unexpected errors');
  return { t, cache: { files, fragments, adf: adfFiles, adfValidation }, undeclared };
}

async function phases(manifestFile: string, warmupRoot: string): Promise<object> {
  const p = readManifest(manifestFile);
  const reps = p.tables >= 5000 ? 1 : 3;
  await warmUp(warmupRoot);
  if (p.tables < 5000) await phasesOnce(p, undefined);
  const cold: PhaseTimes[] = [];
  let cache: Awaited<ReturnType<typeof phasesOnce>>['cache'] | undefined;
  const GC = 'garbage collection (inside the phases above)';
  const withGc = async (run: () => ReturnType<typeof phasesOnce>) => {
    const t0 = performance.now();
    const r = await run();
    const t1 = performance.now();
    await new Promise(resolve => setTimeout(resolve, 0)); // gc entries arrive asynchronously
    r.t[GC] = gcEntries.filter(e => e.startTime >= t0 && e.startTime < t1).reduce((sum, e) => sum + e.duration, 0);
    return r;
  };
  for (let i = 0; i < reps; i++) {
    gc();
    const r = await withGc(() => phasesOnce(p, undefined));
    cold.push(r.t);
    cache = r.cache;
  }
  const original = readFileSync(p.edit.file, 'utf8');
  const texts = [lineReplaced(original, p.edit.line, p.edit.edited), original];
  const warm: PhaseTimes[] = [];
  for (let i = 0; i < 25; i++) {
    const r = await withGc(() => phasesOnce(p, texts[i % 2], cache));
    if (i >= 5) warm.push(r.t);
  }
  const medians = (runs: PhaseTimes[]) =>
    Object.fromEntries(Object.keys(runs[0] ?? {}).map(k => [k, stats(runs.map(r => r[k] ?? 0)).median]));
  return { tables: p.tables, full: medians(cold), revalidation: medians(warm) };
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  let result: object;
  switch (command) {
    case 'generate': {
      const [tables, dir, template, perSystem, seed] = args;
      const manifest = generateProject(path.resolve(dir!), {
        tables: Number(tables),
        adfTemplate: path.resolve(template!),
        tablesPerSystem: perSystem ? Number(perSystem) : undefined,
        seed: seed ? Number(seed) : undefined,
      });
      const manifestFile = `${manifest.root}.manifest.json`;
      writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));
      result = { ...manifest, manifestFile };
      break;
    }
    case 'measure':
      result = await measure(args[0]!, args.includes('--quick'));
      break;
    case 'memory':
      result = await memory(args[0]!, args[1] === 'baseline' ? 'baseline' : 'session', args[2]!);
      break;
    case 'phases':
      result = await phases(args[0]!, args[1]!);
      break;
    case 'templates':
      result = templates(path.resolve(args[0]!), {
        quick: args.includes('--quick'),
        python: args.find(a => a.startsWith('--python='))?.slice('--python='.length) ?? 'python3',
      });
      break;
    case 'adf-generate':
      result = generateAdf(Number(args[0]), path.resolve(args[1]!), args[2] ? Number(args[2]) : undefined);
      break;
    case 'adf':
      result = await adf(args[0]!, { quick: args.includes('--quick') });
      break;
    case 'adf-generation':
      result = await adfGeneration(args[0]!, { quick: args.includes('--quick') });
      break;
    case 'deploy-plan':
      result = await deployPlan(args[0]!, { quick: args.includes('--quick') });
      break;
    case 'backfill':
      result = await backfillBench();
      break;
    case 'runs-view':
      result = await runsViewBench();
      break;
    case 'lake-listing':
      result = await lakeListing({
        blobs: args[0] && !args[0].startsWith('--') ? Number(args[0]) : undefined,
        quick: args.includes('--quick'),
      });
      break;
    default:
      throw new Error(`unknown command ${command ?? '(none)'}; see the top of bench/bench.ts`);
  }
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch(e => {
  process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(1);
});
