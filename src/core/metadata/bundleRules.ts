// The gold notebooks rendered from the built-in gold templates are Declarative Pipelines (Delta
// Live Tables) source code: only the bundle's pipeline runs them, and Data Factory's gold step
// starts an update of that pipeline by name. This checks that databricks.yml defines it and lists
// every gold notebook, so a new dimension is not silently left out of the star schema.
import * as path from 'path';
import { isMap, isScalar, isSeq, parseDocument, type Document, type Node as YamlNode, type Pair } from 'yaml';
import { RULES } from '../diagnostics/rules';
import { LineIndex, type Span } from '../text/lineIndex';
import { makeDiagnostic, type Diagnostic, type Fix } from '../diagnostics/diagnostic';
import type { LakehouseMetadata } from './model';
import { bindingTargets, effectiveBindings, toPosix } from './templateBindings';

const DLT_TEMPLATES = new Set(['gold/dimension.py.j2', 'gold/fact.py.j2']);

/** The gold pipeline's name, which Data Factory's gold step looks for. */
export function goldPipelineName(meta: LakehouseMetadata): string {
  return `${meta.project?.name ?? 'lakehouse'}_gold`;
}

export function bundleFileOf(meta: LakehouseMetadata): string {
  return path.join(meta.paths.bundle ?? path.join(meta.rootDir, 'databricks'), 'databricks.yml');
}

/**
 * Diagnostics on databricks.yml (none when the project has no gold runner binding, or no
 * databricks.yml: a project may deploy its notebooks another way).
 */
export function checkBundleGoldPipeline(meta: LakehouseMetadata, bundleText: string | undefined): Diagnostic[] {
  if (bundleText === undefined) return [];
  const bindings = effectiveBindings(meta);
  const file = bundleFileOf(meta);
  const bundleDir = path.dirname(file);
  const gold = bindings
    .filter(b => DLT_TEMPLATES.has(b.template))
    .flatMap(b =>
      bindingTargets(b, meta).map(t => ({
        relative: toPosix(path.relative(bundleDir, path.resolve(meta.rootDir, ...t.output.split('/')))),
        what: `${t.kind} ${t.name ?? ''}`.trim(),
      })),
    );
  if (gold.length === 0) return [];
  const doc = parseDocument(bundleText, { keepSourceTokens: false });
  if (doc.errors.length) return []; // the YAML extension reports syntax; nothing to check against
  const lines = new LineIndex(bundleText);
  const name = goldPipelineName(meta);
  const pipelines = doc.getIn(['resources', 'pipelines'], true) as YamlNode | undefined;
  const pair = isMap(pipelines)
    ? (pipelines.items as Pair[]).find(p => {
        const value = p.value as YamlNode | null;
        const declared = isMap(value) ? value.get('name') : undefined;
        return declared === name || (declared === undefined && isScalar(p.key) && p.key.value === name);
      })
    : undefined;
  if (!pair) {
    const at = keySpan(doc, ['resources', 'pipelines']) ??
      keySpan(doc, ['resources']) ??
      keySpan(doc, ['bundle']) ?? [0, 0];
    return [
      makeDiagnostic(
        file,
        lines,
        at,
        RULES.bundleGoldPipeline,
        `No Delta Live Tables pipeline named '${name}' under resources.pipelines. The gold ` +
          `notebooks (${gold.map(g => g.relative).join(', ')}) are DLT code, which only that ` +
          `pipeline runs, and Data Factory's gold step starts it by this name: add it with the gold ` +
          `notebooks as libraries.`,
      ),
    ];
  }
  const pipeline = pair.value as YamlNode;
  const libraries = isMap(pipeline) ? (pipeline.get('libraries', true) as YamlNode | undefined) : undefined;
  const listed = new Set<string>();
  if (isSeq(libraries)) {
    for (const item of libraries.items) {
      if (!isMap(item)) continue;
      for (const kind of ['notebook', 'file']) {
        const ref = item.get(kind, true) as YamlNode | undefined;
        const p = isMap(ref) ? ref.get('path') : undefined;
        if (typeof p === 'string') listed.add(normalize(p));
      }
    }
  }
  const missing = gold.filter(g => !listed.has(normalize(g.relative)));
  if (missing.length === 0) return [];
  const pipelineKey = pair.key as YamlNode;
  const at: Span =
    libraries && isMap(pipeline) ? (keySpanOf(pipeline, 'libraries') ?? rangeOf(pipelineKey)) : rangeOf(pipelineKey);
  const fix = isSeq(libraries)
    ? appendLibrariesFix(
        file,
        bundleText,
        lines,
        libraries,
        missing.map(m => m.relative),
      )
    : undefined;
  return [
    makeDiagnostic(
      file,
      lines,
      at,
      RULES.bundleGoldPipeline,
      `The gold pipeline '${name}' does not list ` +
        `${missing.map(m => `${m.relative} (${m.what})`).join(', ')}: DLT never builds ` +
        `${missing.length === 1 ? 'that table' : 'those tables'}. Add ` +
        `${missing.length === 1 ? 'it' : 'them'} to its libraries.`,
      { fixes: fix ? [fix] : undefined },
    ),
  ];
}

function normalize(p: string): string {
  return toPosix(path.posix.normalize(p.replace(/^\.\//, ''))).toLowerCase();
}

function rangeOf(node: YamlNode | null | undefined): Span {
  const r = node?.range;
  return r ? [r[0], r[1]] : [0, 0];
}

function keySpan(doc: Document, keys: string[]): Span | undefined {
  const parent =
    keys.length > 1
      ? (doc.getIn(keys.slice(0, -1), true) as YamlNode | undefined)
      : (doc.contents as YamlNode | undefined);
  return isMap(parent) ? keySpanOf(parent, keys[keys.length - 1]!) : undefined;
}

function keySpanOf(map: YamlNode, key: string): Span | undefined {
  if (!isMap(map)) return undefined;
  const pair = (map.items as Pair[]).find(p => isScalar(p.key) && p.key.value === key);
  return pair ? rangeOf(pair.key as YamlNode) : undefined;
}

/** Appends `- notebook: { path }` items after the last library, in the list's own indentation. */
function appendLibrariesFix(
  file: string,
  text: string,
  lines: LineIndex,
  libraries: YamlNode,
  paths: string[],
): Fix | undefined {
  if (!isSeq(libraries) || libraries.items.length === 0) return undefined;
  const first = libraries.items[0] as YamlNode;
  const last = libraries.items[libraries.items.length - 1] as YamlNode;
  const firstStart = rangeOf(first)[0];
  const lineStart = text.lastIndexOf('\n', firstStart - 1) + 1;
  const prefix = text.slice(lineStart, firstStart); // e.g. "        - "
  if (!/^ *- $/.test(prefix)) return undefined;
  const dashIndent = prefix.slice(0, -2);
  const lastEnd = rangeOf(last)[1];
  const insertAt = text.charCodeAt(lastEnd - 1) === 10 ? lastEnd : text.indexOf('\n', lastEnd) + 1 || text.length;
  const block = paths.map(p => `${dashIndent}- notebook:\n${dashIndent}    path: ${p}\n`).join('');
  const position = lines.positionAt(insertAt);
  return {
    title: `Add ${paths.length === 1 ? paths[0] : `${paths.length} notebooks`} to the gold pipeline's libraries`,
    preferred: true,
    edits: [
      {
        file,
        range: { start: position, end: position },
        newText: insertAt === text.length && !text.endsWith('\n') ? `\n${block}` : block,
      },
    ],
  };
}
