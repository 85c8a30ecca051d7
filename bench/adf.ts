// The ADF figures of `npm run bench` (the worker's `adf-generate` and `adf` commands; see bench/bench.ts),
// over a synthetic factory folder (bench/generateAdf.ts; 500 pipelines by default), in a fresh process:
//   - the baseline: the folder's directory listings, every file read (fs.promises.readFile) and parsed
//     with jsonc-parser's parseTree, with the options src/core/adf/adfFile.ts uses;
//   - ours: the product's validation of an ADF folder from disk: readAdfFolder (src/core/project/loadProject.ts:
//     directory listings, read + decode, parseAdfFile, the metadata loops) through a new NodeFileHost, then
//     validateAdfFolder (src/core/adf/validate) over it: every file is read, parsed and validated again in
//     each round, nothing is reused between rounds;
//   - re-validation after a one-line edit to one pipeline, what the editor runs per keystroke: a warm
//     AdfValidationCache, then per edit parseAdfFile of the edited text and cache.validate over the
//     folder with the new file swapped in (the edited pipeline and the files that reference it are
//     re-checked); two texts alternating (median, p95); and an edit that introduces an error (LH414),
//     which must be reported.
// Baseline and ours alternate in each round, after warm-up rounds, with gc() before each.
import { promises as fsp, readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { parseTree, type ParseError } from 'jsonc-parser';
import { ADF_FOLDERS, parseAdfFile, type AdfFile, type AdfKind } from '../src/core/adf/adfFile';
import type { AdfFactory } from '../src/core/adf/adfFolder';
import { AdfValidationCache, validateAdfFolder, type AdfFolderView } from '../src/core/adf/validate';
import { readAdfFolder } from '../src/core/project/loadProject';
import { NodeFileHost } from '../src/core/files/nodeFileHost';
import type { Diagnostic } from '../src/core/diagnostics/diagnostic';
import { generateAdfFactory, type GeneratedAdf } from './generateAdf';
import { lineReplaced, stats, time, type Stats } from './stats';

const gc: () => void = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const log = (msg: string) => process.stderr.write(`    ${msg}\n`);

/** As parseAdfFile parses (src/core/adf/adfFile.ts). */
const PARSE_OPTIONS = { allowTrailingComma: false, disallowComments: true, allowEmptyContent: false };

export interface AdfResult {
  pipelines: number;
  files: number;
  bytes: number;
  counts: GeneratedAdf['counts'];
  activities: number;
  expressionStrings: number;
  expressions: number;
  warnings: number;
  /** The first validation in a fresh process (nothing JIT-compiled yet). */
  firstRunMs: number;
  bareParse: Stats;
  fullValidation: Stats;
  /** fullValidation.median / bareParse.median. */
  ratio: number;
  editedFile: string;
  editedFileBytes: number;
  /** parseTree of the edited file alone, under the same conditions as the re-validation. */
  editedFileParse: Stats;
  revalidation: Stats;
  revalidationWithError: Stats;
}

export function generateAdf(pipelines: number, dir: string, seed?: number): GeneratedAdf & { manifestFile: string } {
  const manifest = generateAdfFactory(dir, { pipelines, seed });
  const manifestFile = `${manifest.root}.manifest.json`;
  writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));
  return { ...manifest, manifestFile };
}

function plan(quick: boolean): { warmup: number; reps: number; edits: number; editWarmup: number } {
  return quick ? { warmup: 1, reps: 3, edits: 10, editWarmup: 2 } : { warmup: 3, reps: 15, edits: 30, editWarmup: 5 };
}

async function bareParse(m: GeneratedAdf): Promise<unknown[]> {
  const trees: unknown[] = [];
  // The directory listings the loader needs too: the root, then each artifact folder.
  const folders = (await fsp.readdir(m.root)).filter(n => n in ADF_FOLDERS);
  for (const folder of folders) await fsp.readdir(path.join(m.root, folder));
  for (const f of m.files) {
    const errors: ParseError[] = [];
    trees.push(parseTree(await fsp.readFile(f, 'utf8'), errors, PARSE_OPTIONS));
  }
  return trees;
}

interface Validated {
  factory: AdfFactory;
  diagnostics: Diagnostic[];
}

async function fullValidation(m: GeneratedAdf): Promise<Validated> {
  const loaded = await readAdfFolder(new NodeFileHost(), m.root);
  if (loaded.status !== 'ok') throw new Error(`${m.root} is not an ADF folder (${loaded.status})`);
  const diagnostics = loaded.factory.files.flatMap(f => f.diagnostics);
  diagnostics.push(...validateAdfFolder(loaded.factory));
  return { factory: loaded.factory, diagnostics };
}

function describe(m: GeneratedAdf, d: Diagnostic): string {
  return `  ${path.relative(m.root, d.file)}:${d.range.start.line + 1}:${d.range.start.character + 1} ${d.code} ${d.message}`;
}

function assertValid(m: GeneratedAdf, diagnostics: Diagnostic[], what: string): { warnings: number } {
  const errors = diagnostics.filter(d => d.severity === 'error');
  if (errors.length) {
    throw new Error(
      `${what}: the generated factory has ${errors.length} error(s); a benchmark on an invalid factory measures the wrong thing:\n${errors
        .slice(0, 10)
        .map(d => describe(m, d))
        .join('\n')}`,
    );
  }
  return { warnings: diagnostics.filter(d => d.severity === 'warning').length };
}

export async function adf(manifestFile: string, options: { quick: boolean }): Promise<AdfResult> {
  const m = JSON.parse(readFileSync(manifestFile, 'utf8')) as GeneratedAdf;
  const n = plan(options.quick);

  const [firstRunMs, first] = await time(() => fullValidation(m));
  const firstDiagnostics = first.diagnostics;
  const { warnings } = assertValid(m, firstDiagnostics, 'first validation');
  if (first.factory.files.length !== m.files.length)
    throw new Error(`validated ${first.factory.files.length} files; generated ${m.files.length}`);
  log(
    `first validation ${firstRunMs.toFixed(0)} ms; ${warnings} warning(s)${
      warnings
        ? `:\n${firstDiagnostics
            .filter(d => d.severity === 'warning')
            .slice(0, 5)
            .map(d => describe(m, d))
            .join('\n')}`
        : ''
    }`,
  );

  for (let i = 0; i < n.warmup; i++) {
    await bareParse(m);
    await fullValidation(m);
  }
  const base: number[] = [];
  const full: number[] = [];
  for (let i = 0; i < n.reps; i++) {
    gc();
    base.push((await time(() => bareParse(m)))[0]);
    gc();
    const [ms, snapshot] = await time(() => fullValidation(m));
    full.push(ms);
    assertValid(m, snapshot.diagnostics, `round ${i}`);
  }
  log(
    `bare parse ${stats(base).median.toFixed(1)} ms, full validation ${stats(full).median.toFixed(1)} ms (median of ${n.reps})`,
  );

  // Re-validation: a warm cache over the folder as loaded, then per edit the edited pipeline re-parsed
  // and swapped into a new view of the folder.
  const loaded = await readAdfFolder(new NodeFileHost(), m.root);
  if (loaded.status !== 'ok') throw new Error(`${m.root} is not an ADF folder`);
  const factory = loaded.factory;
  const cache = new AdfValidationCache();
  assertValid(m, [...factory.files.flatMap(f => f.diagnostics), ...cache.validate(factory)], 'warm cache');
  const at = factory.files.findIndex(f => f.file === m.edit.file);
  const before = factory.files[at];
  if (!before?.name) throw new Error(`the edited pipeline ${m.edit.file} was not loaded`);
  const original = readFileSync(m.edit.file, 'utf8');
  const texts = [lineReplaced(original, m.edit.line, m.edit.edited), original];
  const errorTexts = [lineReplaced(original, m.errorEdit.line, m.errorEdit.edited), original];
  const viewWith = (edited: AdfFile): AdfFolderView => {
    const files = factory.files.slice();
    files[at] = edited;
    const artifacts = new Map<AdfKind, Map<string, AdfFile>>(factory.artifacts);
    const pipelines = new Map(artifacts.get('pipeline'));
    pipelines.set(before.name!, edited);
    artifacts.set('pipeline', pipelines);
    return { files, artifacts };
  };
  const editedFileParse: number[] = [];
  const runEdits = (
    variants: string[],
    check: (diagnostics: Diagnostic[], edited: AdfFile, i: number) => void,
  ): number[] => {
    const samples: number[] = [];
    for (let i = 0; i < n.editWarmup + n.edits; i++) {
      const text = variants[i % 2] as string;
      const t0 = performance.now();
      const edited = parseAdfFile(m.edit.file, 'pipeline', text);
      const diagnostics = [...edited.diagnostics, ...cache.validate(viewWith(edited))];
      const ms = performance.now() - t0;
      check(diagnostics, edited, i);
      // The floor: parseTree of that one file, under the same conditions.
      const t1 = performance.now();
      parseTree(text, [], PARSE_OPTIONS);
      const parseMs = performance.now() - t1;
      if (i >= n.editWarmup) {
        samples.push(ms);
        if (variants === texts) editedFileParse.push(parseMs);
      }
    }
    return samples;
  };
  const edits = runEdits(texts, (diagnostics, edited, i) => {
    assertValid(m, diagnostics, `edit ${i}`);
    // The edit must be seen: the model validated is the edited text.
    if (edited.text.includes(m.edit.edited) !== (i % 2 === 0))
      throw new Error(`edit ${i}: the re-validated pipeline does not reflect the edit`);
  });
  const errorEdits = runEdits(errorTexts, (diagnostics, _edited, i) => {
    const errors = diagnostics.filter(d => d.severity === 'error');
    const expected = i % 2 === 0 ? 1 : 0;
    if (errors.length !== expected || (expected && errors[0]?.code !== m.errorEdit.code)) {
      throw new Error(
        `error edit ${i}: expected ${expected} error (${m.errorEdit.code}), got ${errors.map(d => `${d.code} ${d.message}`).join('; ') || 'none'}`,
      );
    }
  });
  log(
    `re-validation ${stats(edits).median.toFixed(2)} ms median, ${stats(edits).p95.toFixed(2)} ms p95 (${n.edits} edits)`,
  );

  return {
    pipelines: m.pipelines,
    files: m.files.length,
    bytes: m.bytes,
    counts: m.counts,
    activities: m.activities,
    expressionStrings: m.expressionStrings,
    expressions: m.expressions,
    warnings,
    firstRunMs,
    bareParse: stats(base),
    fullValidation: stats(full),
    ratio: stats(full).median / stats(base).median,
    editedFile: path.relative(m.root, m.edit.file),
    editedFileBytes: Buffer.byteLength(original),
    editedFileParse: stats(editedFileParse),
    revalidation: stats(edits),
    revalidationWithError: stats(errorEdits),
  };
}
