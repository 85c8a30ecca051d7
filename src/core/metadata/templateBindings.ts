// Template bindings: which template renders for what, and where its output goes. Shared by the
// semantic rules (LH502, LH503), the render planner and the editor's previews.
import * as path from 'path';
import type { Dimension, Fact, LakehouseMetadata, Table, TemplateBinding, TemplateTarget } from './model';
import { TableResolver, type TableLookup } from './semanticRules';
import { fileNameProblem } from '../names/naming';

/** The placeholders an output path may use, by what the binding renders for. */
export const OUTPUT_PLACEHOLDERS: Readonly<Record<TemplateTarget, readonly string[]>> = {
  project: ['name', 'project'],
  table: ['name', 'schema', 'system', 'project'],
  dimension: ['name', 'schema', 'system', 'project'],
  fact: ['name', 'schema', 'system', 'project'],
};

/**
 * Every built-in template, by name (relative to the built-in templates folder, templates/ in the
 * repository, shipped with the extension and the CLI).
 */
export const BUILTIN_TEMPLATE_NAMES: readonly string[] = [
  'silver/autoloader.py.j2',
  'gold/dimension.py.j2',
  'gold/fact.py.j2',
  'gold/star_query.py.j2',
];

/**
 * The bindings that apply when lakehouse.yaml has no `templates` section: the built-in templates,
 * written into the Databricks bundle folder (paths.bundle, default databricks/).
 */
export function defaultTemplateBindings(meta: LakehouseMetadata): TemplateBinding[] {
  const bundle =
    toPosix(path.relative(meta.rootDir, meta.paths.bundle ?? path.join(meta.rootDir, 'databricks'))) || '.';
  return [
    { template: 'silver/autoloader.py.j2', for: 'table', output: `${bundle}/src/silver/{name}.py` },
    { template: 'gold/dimension.py.j2', for: 'dimension', output: `${bundle}/src/gold/{name}.py` },
    { template: 'gold/fact.py.j2', for: 'fact', output: `${bundle}/src/gold/{name}.py` },
    { template: 'gold/star_query.py.j2', for: 'fact', output: `${bundle}/src/queries/{name}_star.py` },
  ];
}

/** The bindings in force: the declared ones, or the built-in defaults when none are declared. */
export function effectiveBindings(meta: LakehouseMetadata): TemplateBinding[] {
  return meta.templates ?? defaultTemplateBindings(meta);
}

export interface Placeholder {
  name: string;
  /** Offsets of `{name}` in the output text. */
  start: number;
  end: number;
}

export function placeholdersOf(output: string): Placeholder[] {
  const found: Placeholder[] = [];
  for (const m of output.matchAll(/\{([^{}]*)\}/g))
    found.push({ name: m[1] ?? '', start: m.index ?? 0, end: (m.index ?? 0) + m[0].length });
  return found;
}

/** One thing a binding renders for: the project, or one table, dimension or fact. */
export interface BindingTarget {
  kind: TemplateTarget;
  /** The item's name (undefined for the project). */
  name?: string;
  table?: Table;
  dimension?: Dimension;
  fact?: Fact;
  /** The output path with its placeholders replaced, relative to the project folder ('/' separated). */
  output: string;
}

/**
 * Every target of a binding, in declaration order, with its expanded output path (targets whose
 * names cannot be part of a path are left out: see bindingTargetProblems).
 */
export function bindingTargets(
  binding: TemplateBinding,
  meta: LakehouseMetadata,
  resolver: TableLookup = new TableResolver(meta.tables),
): BindingTarget[] {
  return [...eachBindingTarget(binding, meta, resolver)];
}

/** bindingTargets one at a time (a caller that slices its work pauses between them: 10,000 tables are tens of milliseconds). */
export function* eachBindingTarget(
  binding: TemplateBinding,
  meta: LakehouseMetadata,
  resolver?: TableLookup,
): Generator<BindingTarget, void> {
  for (const target of expandTargets(binding, meta, resolver)) if (!('problem' in target)) yield target;
}

/** The targets whose names cannot be substituted into the output path (LH503), with the reason. */
export function bindingTargetProblems(
  binding: TemplateBinding,
  meta: LakehouseMetadata,
  resolver: TableLookup = new TableResolver(meta.tables),
): { kind: TemplateTarget; name?: string; problem: string }[] {
  return [...expandTargets(binding, meta, resolver)].filter(
    (t): t is { kind: TemplateTarget; name?: string; problem: string } => 'problem' in t,
  );
}

type Expanded = BindingTarget | { kind: TemplateTarget; name?: string; problem: string };

function* expandTargets(
  binding: TemplateBinding,
  meta: LakehouseMetadata,
  given: TableLookup | undefined,
): Generator<Expanded, void> {
  const project = meta.project?.name ?? path.basename(meta.rootDir);
  const used = new Set(placeholdersOf(binding.output).map(p => p.name));
  // Names are data: one that is not a plain file name is never put into a path (a table named
  // '../../x' would write elsewhere), and never reaches path functions that are slow on it.
  const expand = (values: Record<string, string>): { output: string } | { problem: string } => {
    for (const [key, value] of Object.entries(values)) {
      if (!used.has(key)) continue;
      const problem = fileNameProblem(value, `{${key}}`);
      if (problem) return { problem };
    }
    return { output: binding.output.replace(/\{([^{}]*)\}/g, (whole, name: string) => values[name] ?? whole) };
  };
  // Only dimensions and facts resolve a source table: a table binding makes no resolver (10,000 tables' keys).
  let resolver = given;
  const sourceParts = (source: string) => {
    resolver ??= new TableResolver(meta.tables);
    const table = resolver.resolve(source)[0];
    if (table) return { table, schema: table.schema, system: table.system };
    const parts = source.split('.');
    return {
      table: undefined,
      schema: parts.length >= 2 ? (parts[parts.length - 2] ?? '') : 'dbo',
      system: parts.length >= 3 ? (parts[0] ?? '') : '',
    };
  };
  switch (binding.for) {
    case 'project':
      yield { kind: 'project', ...expand({ name: project, project }) };
      return;
    case 'table':
      for (const table of uniqueBy(meta.tables, t => `${t.system}.${t.schema}.${t.name}`.toLowerCase()))
        yield {
          kind: 'table',
          name: table.name,
          table,
          ...expand({ name: table.name, schema: table.schema, system: table.system, project }),
        };
      return;
    case 'dimension':
      yield* [...uniqueBy(meta.dimensions, d => d.name.toLowerCase())].map((dimension): Expanded => {
        const { table, schema, system } = sourceParts(dimension.source);
        return {
          kind: 'dimension',
          name: dimension.name,
          dimension,
          ...(table ? { table } : {}),
          ...expand({ name: dimension.name, schema, system, project }),
        };
      });
      return;
    case 'fact':
      yield* [...uniqueBy(meta.facts, f => f.name.toLowerCase())].map((fact): Expanded => {
        const { table, schema, system } = sourceParts(fact.source);
        return {
          kind: 'fact',
          name: fact.name,
          fact,
          ...(table ? { table } : {}),
          ...expand({ name: fact.name, schema, system, project }),
        };
      });
  }
}

/** Why an output path cannot be used, or undefined when it can. */
export function outputPathProblem(output: string): string | undefined {
  const normalized = output.replace(/\\/g, '/');
  if (path.isAbsolute(output) || /^[a-zA-Z]:/.test(output) || normalized.startsWith('/'))
    return 'it is absolute; outputs are written relative to lakehouse.yaml';
  if (normalized.split('/').includes('..'))
    return "it leaves the project folder ('..'); outputs stay inside the project";
  if (normalized.endsWith('/')) return 'it names a folder, not a file';
  return undefined;
}

/** Why a template name cannot be resolved safely, or undefined when it can. */
export function templateNameProblem(name: string): string | undefined {
  const normalized = name.replace(/\\/g, '/');
  if (path.isAbsolute(name) || /^[a-zA-Z]:/.test(name) || normalized.startsWith('/'))
    return 'template names are relative to paths.templates (or the built-in templates), not absolute';
  if (normalized.split('/').includes('..')) return "template names may not leave the templates folder ('..')";
  return undefined;
}

export function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

function* uniqueBy<T>(items: readonly T[], key: (item: T) => string): Generator<T, void> {
  const seen = new Set<string>();
  for (const item of items) {
    const k = key(item);
    if (seen.has(k)) continue;
    seen.add(k);
    yield item;
  }
}
