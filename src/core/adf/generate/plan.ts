// The round trip: what regenerating would do to each file of the ADF folder. A file that exists
// keeps every byte except the values the metadata owns (rewritten with jsonc-parser in the file's
// own indentation and line endings). A fingerprint file beside the artifacts records the owned
// values as last generated, which tells a metadata change (update) from an edit made in ADF
// Studio (conflict): the caller asks before overwriting those, and before touching files that are
// not recognisably generated (including a pipeline that does not run, with Execute Pipeline, the
// generated pipelines generation runs from it, or whose gold step differs: activities are not
// owned, so such a file is rewritten whole, when forced).
import { createHash } from 'crypto';
import { drain, drainSliced } from '../../text/timeSlices';
import { applyEdits, findNodeAtLocation, modify, parseTree } from 'jsonc-parser';
import * as path from 'path';
import type { LakehouseMetadata } from '../../metadata/model';
import { walkActivities } from '../metadataLoops';
import {
  canonicalJson,
  detectFormatting,
  formatAdfJson,
  jsonEqual,
  sameJsonText,
  samePaths,
  pathText,
  valueAt,
  type JsonObject,
  type JsonPath,
} from './adfJson';
import {
  AdfGenerationError,
  generateAdfArtifacts,
  generateAdfArtifactsSliced,
  type GenerateOptions,
  type GeneratedArtifact,
  type GenerationCache,
} from './artifacts';
import { excerpt } from '../../text/excerpt';
import { GOLD_ACTIVITY } from './pipeline';
import type { BundleDeployment } from './settings';
import { MAX_JSON_DEPTH, offsetPastDepth } from '../adfFile';

/** Beside pipeline/, dataset/, …: the fingerprints of the owned values as last generated. */
export const FINGERPRINT_FILE = 'lakehouse-generated.json';

export type AdfFileStatus = 'create' | 'update' | 'unchanged' | 'conflict';

export type ConflictReason =
  /** Owned values differ from what was last generated: someone changed them by hand. */
  | 'hand-edited'
  /** Not JSON, another artifact, missing an owned path, or never generated here (no fingerprint) with different owned values. */
  | 'unrecognised';

export interface AdfFilePlan {
  artifact: GeneratedArtifact;
  /** Absolute path. */
  file: string;
  status: AdfFileStatus;
  /** What the file holds after generation (the current text when unchanged; what --force writes for a conflict). */
  newText: string;
  /** The owned paths whose values change. */
  changedPaths: JsonPath[];
  conflict?: { reason: ConflictReason; message: string; paths: JsonPath[] };
}

export interface AdfGenerationPlan {
  adfRoot: string;
  /** The environment whose values the artifacts carry. */
  environment: string;
  files: AdfFilePlan[];
  fingerprints: { file: string; status: 'create' | 'update' | 'unchanged'; newText: string };
  /** Files the fingerprints list that are no longer generated (left in place: delete them if they are unused). */
  stale: string[];
  notes: string[];
}

/** Reads a file's text, undefined when it does not exist. */
export type ReadText = (file: string) => Promise<string | undefined> | string | undefined;

/**
 * What an editor keeps between plans of one project, so that a plan after an edit redoes only
 * what the edit changed (a few milliseconds at 10,000 tables, where a whole plan formats, parses
 * and hashes some 16 MiB of JSON, and the garbage pauses the editor's thread): each source
 * system's pipelines and silver notebook paths (see GenerationCache), each file's plan while its artifact, its text on
 * disk, its recorded fingerprints and the set of generated pipelines are the same, and the
 * fingerprints of each artifact value. A plan with a cache equals one without.
 */
export class AdfPlanCache {
  readonly generation: GenerationCache = { systemPipelines: new WeakMap(), silverNotebooks: new WeakMap() };
  readonly files = new Map<string, CachedFilePlan>();
  /** databricks.yml as last read, and what it says (it is read for each plan). */
  bundle?: { text: string; deployment: BundleDeployment };
  /** The ADF folder the file paths are in, and each artifact's file there (checked once to stay in its folder). */
  adfRoot?: string;
  readonly filePaths = new Map<string, string>();
  /** By artifact path: its fingerprints, while its text and owned paths are the same. */
  readonly fingerprints = new Map<string, { artifact: GeneratedArtifact; fingerprints: Record<string, string> }>();
  /** The fingerprint file's text as last made, and the entries it was made from (reused while they are all the same). */
  fingerprintFile?: { entries: Record<string, string>[]; paths: string[]; crlf: boolean; text: string };
  recorded?: { text: string | undefined; fingerprints: Map<string, Fingerprints> };
}

interface CachedFilePlan {
  current: string | undefined;
  /** The recorded fingerprints' object: the same while the fingerprint file's text is (see AdfPlanCache.recorded). */
  recorded: Fingerprints | undefined;
  generatedKey: string;
  plan: AdfFilePlan;
}

export async function planAdfGeneration(
  metadata: LakehouseMetadata,
  adfRoot: string,
  readFile: ReadText,
  options: GenerateOptions & { pause?: () => Promise<void> | void; cache?: AdfPlanCache } = {},
): Promise<AdfGenerationPlan> {
  const { pause, cache, ...generateOptions } = options;
  // With a pause (an editor's thread), generation gives the event loop back between source systems.
  const generation = pause
    ? await generateAdfArtifactsSliced(metadata, generateOptions, pause, cache?.generation)
    : generateAdfArtifacts(metadata, generateOptions, cache?.generation);
  const fingerprintFile = path.join(adfRoot, FINGERPRINT_FILE);
  const fingerprintText = await readFile(fingerprintFile);
  const recorded =
    cache?.recorded && cache.recorded.text === fingerprintText
      ? cache.recorded.fingerprints
      : parseFingerprints(fingerprintText);
  if (cache) cache.recorded = { text: fingerprintText, fingerprints: recorded };
  // Pipelines generated now or last time: a pipeline that runs one of them where generation does not (or the reverse) has the wrong structure.
  const generatedPipelines = new Set([
    ...generation.artifacts.filter(a => a.kind === 'pipeline').map(a => a.name.toLowerCase()),
    ...[...recorded.keys()]
      .filter(p => p.startsWith('pipeline/') && p.endsWith('.json'))
      .map(p => p.slice('pipeline/'.length, -'.json'.length).toLowerCase()),
  ]);
  const files: AdfFilePlan[] = [];
  let generatedKey: string | undefined;
  if (cache && cache.adfRoot !== adfRoot) {
    cache.adfRoot = adfRoot;
    cache.filePaths.clear();
  }
  for (const artifact of generation.artifacts) {
    const known = cache?.filePaths.get(artifact.relativePath);
    const file = known ?? path.join(adfRoot, ...artifact.relativePath.split('/'));
    // Artifact names are validated (LH604) before generation; a name that still leaves its folder is refused here.
    if (known === undefined && path.dirname(file) !== path.join(adfRoot, artifact.relativePath.split('/')[0]!)) {
      throw new AdfGenerationError(
        `The ${artifact.kind} name '${excerpt(artifact.name)}' is not a plain file name: it would be written outside ${artifact.relativePath.split('/')[0]}/.`,
      );
    }
    cache?.filePaths.set(artifact.relativePath, file);
    const current = await readFile(file);
    const fingerprints = recorded.get(artifact.relativePath);
    if (!cache) {
      files.push(planFile(artifact, file, current, fingerprints, generatedPipelines));
      await pause?.();
      continue;
    }
    generatedKey ??= [...generatedPipelines].sort().join('\n');
    const planned = cache.files.get(file);
    if (
      planned &&
      planned.current === current &&
      planned.recorded === fingerprints &&
      planned.generatedKey === generatedKey &&
      sameArtifact(planned.plan.artifact, artifact)
    ) {
      files.push(planned.plan.artifact === artifact ? planned.plan : { ...planned.plan, artifact });
      await pause?.();
      continue;
    }
    const plan = planFile(artifact, file, current, fingerprints, generatedPipelines);
    cache.files.set(file, { current, recorded: fingerprints, generatedKey, plan });
    files.push(plan);
    await pause?.();
  }
  const generated = new Set(generation.artifacts.map(a => a.relativePath));
  if (cache) {
    const planned = new Set(files.map(f => f.file));
    for (const file of cache.files.keys()) if (!planned.has(file)) cache.files.delete(file);
    for (const relative of cache.filePaths.keys()) if (!generated.has(relative)) cache.filePaths.delete(relative);
  }
  const stale = [...recorded.keys()]
    .filter(p => !generated.has(p))
    .sort()
    .map(p => path.join(adfRoot, ...p.split('/')));
  const fingerprintSteps = fingerprintsText(generation.artifacts, fingerprintText, cache);
  // Hashing every owned value of 600 artifacts is tens of milliseconds: pause points between them.
  const newFingerprints = pause ? await drainSliced(fingerprintSteps, pause) : drain(fingerprintSteps);
  const fingerprintStatus =
    fingerprintText === undefined ? 'create' : newFingerprints === fingerprintText ? 'unchanged' : 'update';
  return {
    adfRoot,
    environment: generation.settings.environment,
    files,
    fingerprints: { file: fingerprintFile, status: fingerprintStatus, newText: newFingerprints },
    stale,
    notes: generation.notes,
  };
}

/** The same artifact: generated the same (a reused system pipeline is the same object), or regenerated to the same text and owned paths. */
function sameArtifact(a: GeneratedArtifact, b: GeneratedArtifact): boolean {
  return a.value === b.value || (sameJsonText(a.value, b.value) && samePaths(a.ownedPaths, b.ownedPaths));
}

function planFile(
  artifact: GeneratedArtifact,
  file: string,
  current: string | undefined,
  recorded: Fingerprints | undefined,
  generatedPipelines: ReadonlySet<string>,
): AdfFilePlan {
  const base = { artifact, file };
  if (current === undefined)
    return { ...base, status: 'create', newText: artifact.text, changedPaths: artifact.ownedPaths };
  const text = current.charCodeAt(0) === 0xfeff ? current.slice(1) : current;
  const unrecognised = (message: string, paths: JsonPath[] = []): AdfFilePlan => ({
    ...base,
    status: 'conflict',
    newText: artifact.text,
    changedPaths: artifact.ownedPaths,
    conflict: { reason: 'unrecognised', message, paths },
  });
  if (offsetPastDepth(text) !== undefined) return unrecognised(`it nests more than ${MAX_JSON_DEPTH} levels deep`);
  // Strict JSON (no comments, no trailing commas), as ADF writes it. JSON.parse is ~10× jsonc-parser's
  // tree, and a generated pipeline at 10,000 tables is a megabyte: the tree is made only to rewrite.
  let existing: unknown;
  try {
    existing = JSON.parse(text);
  } catch {
    return unrecognised('it is not a JSON object');
  }
  if (existing === null || typeof existing !== 'object' || Array.isArray(existing))
    return unrecognised('it is not a JSON object');
  const identity = identityProblem(artifact, existing) ?? structureProblem(artifact, existing, generatedPipelines);
  if (identity) return unrecognised(identity);

  // A value that is not an object where generation writes inside it (`typeProperties: null`) cannot be edited in place.
  for (const owned of artifact.ownedPaths) {
    const blocked = blockedPrefix(existing, owned);
    if (blocked)
      return unrecognised(
        `its ${pathText(blocked)} is ${describeJson(valueAt(existing, blocked).value)}, where generation writes an object`,
        [blocked],
      );
  }
  const missing: JsonPath[] = [];
  const changed: JsonPath[] = [];
  for (const owned of artifact.ownedPaths) {
    const now = valueAt(existing, owned);
    if (!now.found) missing.push(owned);
    else if (!jsonEqual(now.value, valueAt(artifact.value, owned).value)) changed.push(owned);
  }
  let newText: string;
  try {
    newText = missing.length + changed.length === 0 ? current : rewriteOwned(text, artifact, [...changed, ...missing]);
  } catch (e) {
    return unrecognised(`its owned values cannot be rewritten in place (${excerpt((e as Error).message, 120)})`);
  }
  const plan: AdfFilePlan = {
    ...base,
    status: changed.length + missing.length ? 'update' : 'unchanged',
    newText,
    changedPaths: [...changed, ...missing],
  };
  if (missing.length) {
    return {
      ...plan,
      status: 'conflict',
      conflict: {
        reason: 'unrecognised',
        message: `it has no ${missing.map(pathText).join(', ')}, which generation writes`,
        paths: missing,
      },
    };
  }
  if (changed.length === 0) return plan;
  if (recorded === undefined) {
    return {
      ...plan,
      status: 'conflict',
      conflict: {
        reason: 'unrecognised',
        message: `it was not generated here (no fingerprint in ${FINGERPRINT_FILE}) and its ${changed.map(pathText).join(', ')} differ`,
        paths: changed,
      },
    };
  }
  const now = fingerprintsOf(existing, changed);
  const handEdited = changed.filter(p => recorded.get(pathText(p)) !== now.get(pathText(p)));
  if (handEdited.length > 0) {
    return {
      ...plan,
      status: 'conflict',
      conflict: {
        reason: 'hand-edited',
        message: `${handEdited.map(pathText).join(', ')} ${handEdited.length > 1 ? 'were' : 'was'} edited by hand since the last generation`,
        paths: handEdited,
      },
    };
  }
  return plan;
}

/** The first proper prefix of `owned` whose value exists but is not an object (null, a string, a list). */
function blockedPrefix(existing: unknown, owned: JsonPath): JsonPath | undefined {
  let node: unknown = existing;
  for (let i = 0; i < owned.length - 1; i++) {
    const key = owned[i]!;
    if (node === null || typeof node !== 'object' || Array.isArray(node) !== (typeof key === 'number'))
      return undefined;
    if (!Object.prototype.hasOwnProperty.call(node, key)) return undefined;
    node = (node as Record<string | number, unknown>)[key];
    const nextKey = owned[i + 1]!;
    if (node === null || typeof node !== 'object' || Array.isArray(node) !== (typeof nextKey === 'number'))
      return owned.slice(0, i + 1);
  }
  return undefined;
}

function describeJson(value: unknown): string {
  return value === null
    ? 'null'
    : Array.isArray(value)
      ? 'a list'
      : typeof value === 'object'
        ? 'an object'
        : `a ${typeof value}`;
}

/** Why an existing file is not the artifact generation would write (another name or type). */
function identityProblem(artifact: GeneratedArtifact, existing: unknown): string | undefined {
  const value = existing as Record<string, unknown>;
  if (value.name !== artifact.name) return `its name is ${JSON.stringify(value.name)}, not "${artifact.name}"`;
  const wanted = (artifact.value.properties as JsonObject | undefined)?.type;
  const props = value.properties;
  if (
    wanted !== undefined &&
    (props === null || typeof props !== 'object' || (props as Record<string, unknown>).type !== wanted)
  ) {
    return `it is not ${article(String(wanted))} ${wanted} ${artifact.kind === 'linkedService' ? 'linked service' : artifact.kind}`;
  }
  if (artifact.kind === 'pipeline' && (props === null || typeof props !== 'object')) return 'it has no properties';
  return undefined;
}

/**
 * Which generated pipelines a pipeline runs is its structure, which the round trip does not edit
 * (activities are not owned): an orchestrator written before a source system was added, or before
 * the ingestion was split into one pipeline per source system, is not what generation writes now.
 */
function structureProblem(
  artifact: GeneratedArtifact,
  existing: unknown,
  generatedPipelines: ReadonlySet<string>,
): string | undefined {
  if (artifact.kind !== 'pipeline') return undefined;
  const wanted = pipelinesRun(artifact.value);
  const runs = pipelinesRun(existing);
  const quote = (names: string[]) => names.map(n => `'${n}'`).join(', ');
  const missing = [...wanted].filter(([key]) => !runs.has(key)).map(([, name]) => name);
  if (missing.length) {
    return (
      `it does not run pipeline${missing.length > 1 ? 's' : ''} ${quote(missing)} (Execute Pipeline), as generation now does: its activities predate ` +
      'a source system, or the split of the ingestion into one pipeline per source system (forced, the whole file is rewritten)'
    );
  }
  const extra = [...runs].filter(([key]) => !wanted.has(key) && generatedPipelines.has(key)).map(([, name]) => name);
  if (extra.length) {
    return (
      `it runs generated pipeline${extra.length > 1 ? 's' : ''} ${quote(extra)} (Execute ` +
      `Pipeline), which generation no longer runs from here (forced, the whole file is rewritten)`
    );
  }
  return goldStepProblem(artifact.value, existing);
}

/**
 * The gold step is one notebook activity (GOLD_ACTIVITY) that runs the gold Delta Live Tables
 * pipeline. A pipeline that runs the gold notebooks one by one (the ForEach loops over
 * dimension_notebooks / fact_notebooks generation once wrote: DLT code does nothing there), or
 * lacks the gold step generation now writes, or has one generation no longer writes, is not what
 * generation writes now.
 */
function goldStepProblem(generated: JsonObject, existing: unknown): string | undefined {
  const properties = (existing as { properties?: { activities?: unknown; parameters?: unknown } }).properties;
  const parameters =
    properties?.parameters !== null && typeof properties?.parameters === 'object'
      ? Object.keys(properties.parameters).map(k => k.toLowerCase())
      : [];
  const names = (activities: unknown) =>
    (Array.isArray(activities) ? activities : []).map(a =>
      a !== null && typeof a === 'object' && typeof (a as { name?: unknown }).name === 'string'
        ? (a as { name: string }).name.toLowerCase()
        : '',
    );
  const has = names(properties?.activities).includes(GOLD_ACTIVITY);
  const wants = names((generated.properties as JsonObject).activities).includes(GOLD_ACTIVITY);
  if (parameters.includes('dimension_notebooks') || parameters.includes('fact_notebooks')) {
    return (
      'it runs the gold notebooks one by one (dimension_notebooks, fact_notebooks), where their Delta Live Tables code loads nothing: generation now runs ' +
      `the gold DLT pipeline with one notebook activity, ${GOLD_ACTIVITY} (forced, the whole file is rewritten)`
    );
  }
  if (wants && !has)
    return `it has no gold step (${GOLD_ACTIVITY}), which generation now writes (forced, the whole file is rewritten)`;
  if (!wants && has)
    return (
      `it has a gold step (${GOLD_ACTIVITY}), which generation no longer writes: the project has ` +
      `no dimensions and no facts (forced, the whole file is rewritten)`
    );
  return undefined;
}

/** The pipelines a pipeline runs with Execute Pipeline, by lower-case name (ADF names are case-insensitive). */
function pipelinesRun(pipeline: unknown): Map<string, string> {
  const runs = new Map<string, string>();
  const properties = (pipeline as { properties?: { activities?: unknown } }).properties;
  for (const { activity } of walkActivities(properties?.activities, [])) {
    if (typeof activity.type !== 'string' || activity.type.toLowerCase() !== 'executepipeline') continue;
    const name = (activity.typeProperties as { pipeline?: { referenceName?: unknown } } | undefined)?.pipeline
      ?.referenceName;
    if (typeof name === 'string' && !runs.has(name.toLowerCase())) runs.set(name.toLowerCase(), name);
  }
  return runs;
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}

/**
 * Sets the owned values in the existing text, formatted like the rest of the file; every other
 * byte stays. jsonc-parser's modify() makes the structural edits (a missing property, with its
 * commas); the values themselves are serialised here, indented from their line, because
 * modify()'s own formatting takes seconds on a parameter listing thousands of tables.
 */
function rewriteOwned(text: string, artifact: GeneratedArtifact, paths: JsonPath[]): string {
  const formatting = detectFormatting(text);
  let out = text;
  const targets: JsonPath[] = [];
  const covered = (p: JsonPath) => targets.some(t => t.length <= p.length && t.every((segment, i) => p[i] === segment));
  let tree = parseTree(out);
  for (const owned of paths) {
    if (covered(owned)) continue;
    // A missing owned path (forced onto an unrecognised file) is created at its nearest existing ancestor.
    let at = owned;
    while (at.length > 1 && tree && !findNodeAtLocation(tree, at.slice(0, -1))) at = at.slice(0, -1);
    if (tree && !findNodeAtLocation(tree, at)) {
      out = applyEdits(out, modify(out, at, null, { formattingOptions: formatting }));
      tree = parseTree(out);
    }
    targets.push(at);
  }
  if (!tree) return out;
  const root = tree;
  const unit = formatting.insertSpaces ? ' '.repeat(formatting.tabSize) : '\t';
  const edits = targets.flatMap(at => {
    const node = findNodeAtLocation(root, at);
    if (!node) return [];
    const lineStart = out.lastIndexOf('\n', node.offset - 1) + 1;
    const indent = /^[ \t]*/.exec(out.slice(lineStart, node.offset))?.[0] ?? '';
    const content = JSON.stringify(valueAt(artifact.value, at).value, null, unit).replace(
      /\n/g,
      `${formatting.eol}${indent}`,
    );
    return [{ offset: node.offset, length: node.length, content }];
  });
  return applyEdits(out, edits);
}

/** Per owned path, a short hash of its value (a missing path hashes as such). */
type Fingerprints = Map<string, string>;

function fingerprintsOf(value: unknown, ownedPaths: readonly JsonPath[]): Fingerprints {
  const map: Fingerprints = new Map();
  for (const p of ownedPaths) {
    const at = valueAt(value, p);
    map.set(
      pathText(p),
      createHash('sha256')
        .update(at.found ? canonicalJson(at.value) : '<missing>')
        .digest('hex')
        .slice(0, 16),
    );
  }
  return map;
}

function parseFingerprints(text: string | undefined): Map<string, Fingerprints> {
  const map = new Map<string, Fingerprints>();
  if (text === undefined) return map;
  try {
    const value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as {
      artifacts?: Record<string, unknown>;
    };
    for (const [file, paths] of Object.entries(value.artifacts ?? {})) {
      if (paths === null || typeof paths !== 'object') continue;
      map.set(file, new Map(Object.entries(paths).filter((e): e is [string, string] => typeof e[1] === 'string')));
    }
  } catch {
    // An unreadable fingerprint file counts as none: every changed file becomes a conflict to confirm.
  }
  return map;
}

function* fingerprintsText(
  artifacts: readonly GeneratedArtifact[],
  current: string | undefined,
  cache?: AdfPlanCache,
): Generator<void, string> {
  const sorted = [...artifacts].sort((x, y) => (x.relativePath < y.relativePath ? -1 : 1));
  const list: Record<string, string>[] = [];
  for (const a of sorted) {
    const known = cache?.fingerprints.get(a.relativePath);
    if (known && sameArtifact(known.artifact, a)) {
      list.push(known.fingerprints);
      continue;
    }
    const fingerprints = Object.fromEntries(fingerprintsOf(a.value, a.ownedPaths));
    cache?.fingerprints.set(a.relativePath, { artifact: a, fingerprints });
    list.push(fingerprints);
    yield;
  }
  const crlf = current !== undefined && detectFormatting(current).eol === '\r\n';
  const paths = sorted.map(a => a.relativePath);
  const last = cache?.fingerprintFile;
  if (
    last &&
    last.crlf === crlf &&
    last.entries.length === list.length &&
    last.entries.every((e, i) => e === list[i] && last.paths[i] === paths[i])
  )
    return last.text;
  if (cache) {
    const planned = new Set(paths);
    for (const p of cache.fingerprints.keys()) if (!planned.has(p)) cache.fingerprints.delete(p);
  }
  const entries: JsonObject = {};
  sorted.forEach((a, i) => (entries[a.relativePath] = list[i]!));
  const value: JsonObject = {
    generator: 'Lakehouse Workbench: lakehouse generate adf',
    about:
      'Fingerprints of the values lakehouse.yaml owns in each generated artifact, as last ' +
      'generated. Regeneration compares them to tell a metadata change from an edit in ADF ' +
      'Studio. Commit this file with the artifacts.',
    artifacts: entries,
  };
  const formatted = formatAdfJson(value);
  const text = crlf ? formatted.replace(/\n/g, '\r\n') : formatted;
  if (cache) cache.fingerprintFile = { entries: list, paths, crlf, text };
  return text;
}

export interface WritePlanOptions {
  /** Write conflicting files too (their owned values, or the whole file when it is not recognisable). */
  force?: boolean;
  /** Writes one file (a FileHost's writeFile, or writeContained): this module does no I/O of its own. */
  write: (file: string, text: string) => Promise<void>;
}

export interface WritePlanReport {
  written: AdfFilePlan[];
  unchanged: AdfFilePlan[];
  /** Conflicts left alone (without force). */
  refused: AdfFilePlan[];
  fingerprintsWritten: boolean;
}

/** Whether writing the plan needs --force (some file is a conflict). */
export function conflictsOf(plan: AdfGenerationPlan): AdfFilePlan[] {
  return plan.files.filter(f => f.status === 'conflict');
}

/**
 * Writes the files that change, each atomically (a temporary file and a rename: never half a
 * file). With conflicts and without force nothing at all is written, so a refused run leaves
 * the folder as it was.
 */
export async function writeAdfPlan(plan: AdfGenerationPlan, options: WritePlanOptions): Promise<WritePlanReport> {
  const write = options.write;
  const conflicts = conflictsOf(plan);
  if (conflicts.length > 0 && !options.force) {
    return {
      written: [],
      unchanged: plan.files.filter(f => f.status === 'unchanged'),
      refused: conflicts,
      fingerprintsWritten: false,
    };
  }
  const report: WritePlanReport = { written: [], unchanged: [], refused: [], fingerprintsWritten: false };
  for (const f of plan.files) {
    if (f.status === 'unchanged') report.unchanged.push(f);
    else {
      await write(f.file, f.newText);
      report.written.push(f);
    }
  }
  if (plan.fingerprints.status !== 'unchanged') {
    await write(plan.fingerprints.file, plan.fingerprints.newText);
    report.fingerprintsWritten = true;
  }
  return report;
}

/** True when the folder is what generation would write (for --check). */
export function isUpToDate(plan: AdfGenerationPlan): boolean {
  return plan.files.every(f => f.status === 'unchanged') && plan.fingerprints.status === 'unchanged';
}
