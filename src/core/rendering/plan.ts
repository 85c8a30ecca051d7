// Plans the renders of a project: every binding (declared, or the built-in defaults) times every
// item it renders for, each with its template file, search paths, output file and context.
import * as path from 'path';
import { drain, drainSliced } from '../text/timeSlices';
import type { LakehouseMetadata, TemplateBinding } from '../metadata/model';
import { TableResolver } from '../metadata/semanticRules';
import {
  BUILTIN_TEMPLATE_NAMES,
  bindingTargets,
  effectiveBindings,
  OUTPUT_PLACEHOLDERS,
  outputPathProblem,
  placeholdersOf,
  templateNameProblem,
  type BindingTarget,
} from '../metadata/templateBindings';
import { buildTemplateContext } from './context';

export type RenderLanguage = 'python' | 'sql' | 'yaml' | 'json' | 'plaintext';

export interface RenderJob {
  /** Stable and unique: `kind:name:template` (`table:spotify_sql.dbo.DimUser:silver/autoloader.py.j2`), `project:template` for the project. */
  id: string;
  /** Absolute path of the template (where it would be when it does not exist: rendering then reports TemplateNotFound). */
  templateFile: string;
  /** Folders `{% include %}` / `{% extends %}` names resolve against (Jinja2 FileSystemLoader). */
  searchPaths: string[];
  /** No template may be read from outside this folder (the project folder, or the built-in templates folder). */
  projectRoot: string;
  /** Absolute path the output is written to. */
  outputFile: string;
  language: RenderLanguage;
  /** What the job renders for; name: a table's system.schema.name, a dimension's or fact's name. */
  binding: { kind: 'project' | 'table' | 'dimension' | 'fact'; name?: string };
  /** The template binding the job comes from (origin undefined for the built-in defaults). */
  source: TemplateBinding;
  /** Plain JSON data (see buildTemplateContext). */
  context: Record<string, unknown>;
}

export interface PlanOptions {
  /** The built-in templates folder (findBuiltinTemplatesDir()). */
  builtinTemplatesDir: string;
  /** Environment to render for (default: the first declared, or 'dev'); unknown names throw UnknownEnvironmentError. */
  environment?: string;
  /**
   * Whether a template file exists. Default: what the project's snapshot found in paths.templates
   * (ProjectSnapshot.templateFiles, read through its FileHost) and the built-in template names.
   */
  exists?: (file: string) => boolean;
}

/** What planning needs of a project: a ProjectSnapshot satisfies it. */
export interface RenderPlanInput {
  metadata: LakehouseMetadata;
  /** The template files found in paths.templates (see ProjectSnapshot.templateFiles). */
  templateFiles?: ReadonlySet<string>;
}

/**
 * Every render of the project, in a deterministic order (bindings as declared, items as declared).
 * Bindings that cannot render safely are left out (they are diagnosed: LH501 unsafe template
 * names, LH502 the later of two renders into one file, LH503 invalid output paths).
 */
export function planRenders(snapshot: RenderPlanInput, options: PlanOptions): RenderJob[] {
  return drain(planRenderSteps(snapshot, options));
}

/**
 * planRenders, giving the event loop back whenever `pause` says (an editor plans on its extension
 * host's thread: 10,000 tables are 5,000 renders, a few hundred milliseconds). The same jobs.
 */
export async function planRendersSliced(
  snapshot: RenderPlanInput,
  options: PlanOptions,
  pause: () => Promise<void> | void,
): Promise<RenderJob[]> {
  return drainSliced(planRenderSteps(snapshot, options), pause);
}

/** Pauses (yields) every STEP_TARGETS targets. */
const STEP_TARGETS = 100;

function* planRenderSteps(snapshot: RenderPlanInput, options: PlanOptions): Generator<void, RenderJob[]> {
  const meta = snapshot.metadata;
  const builtinFiles = new Set(
    BUILTIN_TEMPLATE_NAMES.map(name => path.join(options.builtinTemplatesDir, ...name.split('/'))),
  );
  const exists =
    options.exists ?? ((file: string) => builtinFiles.has(file) || (snapshot.templateFiles?.has(file) ?? false));
  const base = buildTemplateContext(meta, {
    ...(options.environment !== undefined ? { environment: options.environment } : {}),
  });
  const resolver = new TableResolver(meta.tables);
  const jobs: RenderJob[] = [];
  const ids = new Set<string>();
  const outputs = new Set<string>();
  let sinceStep = 0;
  for (const binding of effectiveBindings(meta)) {
    if (templateNameProblem(binding.template) || outputPathProblem(binding.output)) continue;
    if (placeholdersOf(binding.output).some(p => !OUTPUT_PLACEHOLDERS[binding.for].includes(p.name))) continue;
    const template = locateTemplate(binding.template, meta, options.builtinTemplatesDir, exists);
    for (const target of bindingTargets(binding, meta, resolver)) {
      if (++sinceStep >= STEP_TARGETS) {
        sinceStep = 0;
        yield;
      }
      const outputFile = path.resolve(meta.rootDir, ...target.output.split(/[\\/]/));
      const outputKey = outputFile.toLowerCase();
      if (outputs.has(outputKey)) continue;
      outputs.add(outputKey);
      const name =
        target.kind === 'table' && target.table
          ? `${target.table.system}.${target.table.schema}.${target.table.name}`
          : target.name;
      let id = name === undefined ? `${target.kind}:${binding.template}` : `${target.kind}:${name}:${binding.template}`;
      if (ids.has(id)) id = `${id}:${target.output}`;
      ids.add(id);
      jobs.push({
        id,
        templateFile: template.file,
        searchPaths: template.searchPaths,
        projectRoot: template.projectRoot,
        outputFile,
        language: languageOf(outputFile),
        binding: name === undefined ? { kind: target.kind } : { kind: target.kind, name },
        source: binding,
        context: withTarget(base, target),
      });
    }
  }
  return jobs;
}

/** The jobs that render a given template file (for "preview this template for which table?"). */
export function jobsForTemplate(snapshot: RenderPlanInput, templateFile: string, options: PlanOptions): RenderJob[] {
  const wanted = path.resolve(templateFile);
  const same =
    process.platform === 'win32' || process.platform === 'darwin'
      ? (a: string) => a.toLowerCase() === wanted.toLowerCase()
      : (a: string) => a === wanted;
  return planRenders(snapshot, options).filter(job => same(job.templateFile));
}

/** The language of an output file, by its extension. */
export function languageOf(file: string): RenderLanguage {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.py') return 'python';
  if (ext === '.sql') return 'sql';
  if (ext === '.yml' || ext === '.yaml') return 'yaml';
  if (ext === '.json' || ext === '.ipynb') return 'json';
  return 'plaintext';
}

interface LocatedTemplate {
  file: string;
  searchPaths: string[];
  projectRoot: string;
}

/** A template name resolves in paths.templates first, then among the built-in templates. */
function locateTemplate(
  name: string,
  meta: LakehouseMetadata,
  builtinDir: string,
  exists: (file: string) => boolean,
): LocatedTemplate {
  const pieces = name
    .replace(/\\/g, '/')
    .split('/')
    .filter(p => p && p !== '.');
  const projectDir = meta.paths.templates;
  const inProject = (): LocatedTemplate => {
    const dir = projectDir!;
    const relative = path.relative(meta.rootDir, dir);
    const root = relative.startsWith('..') || path.isAbsolute(relative) ? dir : meta.rootDir;
    return { file: path.join(dir, ...pieces), searchPaths: [dir], projectRoot: root };
  };
  if (projectDir && exists(path.join(projectDir, ...pieces))) return inProject();
  const builtin = path.join(builtinDir, ...pieces);
  if (exists(builtin) || !projectDir) return { file: builtin, searchPaths: [builtinDir], projectRoot: builtinDir };
  return inProject();
}

function withTarget(base: Record<string, unknown>, target: BindingTarget): Record<string, unknown> {
  const context = { ...base };
  if (target.kind === 'table' && target.table) {
    const full = `${target.table.system}.${target.table.schema}.${target.table.name}`;
    context.table = (base.tables as { fullName: string }[]).find(t => t.fullName === full) ?? null;
  } else if (target.kind === 'dimension') {
    context.dimension = (base.dimensions as { name: string }[]).find(d => d.name === target.name) ?? null;
  } else if (target.kind === 'fact') {
    context.fact = (base.facts as { name: string }[]).find(f => f.name === target.name) ?? null;
  }
  return context;
}
