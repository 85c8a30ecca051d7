// The rules on `templates`: LH502 (two renders writing one file), LH503 (an output path that
// cannot be used) here, pure; LH501 (template file missing) needs the file system and lives in
// checkTemplateFiles, called by the project session.
import * as path from 'path';
import type { Diagnostic } from '../diagnostics/diagnostic';
import { RULES } from '../diagnostics/rules';
import { didYouMean, quoteList } from '../text/suggest';
import { excerpt } from '../text/excerpt';
import type { MetadataLocator } from './locator';
import type { LakehouseMetadata, TemplateBinding } from './model';
import { TableResolver, type TableLookup } from './semanticRules';
import {
  bindingTargetProblems,
  bindingTargets,
  OUTPUT_PLACEHOLDERS,
  outputPathProblem,
  placeholdersOf,
  templateNameProblem,
  toPosix,
} from './templateBindings';

/** LH502 and LH503 on the declared bindings. */
export function checkTemplateBindings(
  meta: LakehouseMetadata,
  at: MetadataLocator,
  resolver?: TableLookup,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (!meta.templates) return out;
  resolver ??= new TableResolver(meta.tables);
  const writers = new Map<string, { binding: TemplateBinding; label: string }>();
  for (const binding of meta.templates) {
    if (!binding.origin) continue;
    if (outputProblems(binding, at, out)) continue;
    const unusable = bindingTargetProblems(binding, meta, resolver);
    if (unusable.length) {
      const first = unusable[0]!;
      const more = unusable.length > 1 ? ` (and ${unusable.length - 1} more)` : '';
      out.push(
        at.diagnostic(
          RULES.templateOutputInvalid,
          binding.origin,
          'output',
          `Output '${excerpt(binding.output, 120)}' cannot be written for ${first.kind} ` +
            `'${excerpt(first.name ?? '')}'${more}: ${first.problem}. ` +
            `${capitalize(first.kind)}s whose names cannot be part of a path are not rendered.`,
        ),
      );
    }
    let reported = false;
    for (const target of bindingTargets(binding, meta, resolver)) {
      const key = path.posix.normalize(target.output).toLowerCase();
      const label = target.name ? `${target.kind} '${target.name}'` : 'the project';
      const first = writers.get(key);
      if (!first) {
        writers.set(key, { binding, label });
        continue;
      }
      if (reported) continue;
      reported = true;
      const message =
        first.binding === binding
          ? `${capitalize(first.label)} and ${label} both render into '${target.output}': add {name} to the output so each ${binding.for} gets its own file.`
          : `'${target.output}' (${label}) is also written by the binding of ` +
            `'${first.binding.template}' (${first.label}); give one of them another output path.`;
      out.push(
        at.diagnostic(
          RULES.templateOutputCollision,
          binding.origin,
          'output',
          message,
          first.binding !== binding && first.binding.origin
            ? { related: [{ origin: first.binding.origin, field: 'output', message: 'also writes this file' }] }
            : undefined,
        ),
      );
    }
  }
  return out;
}

/** LH503 for one binding; true when its output cannot be expanded. */
function outputProblems(binding: TemplateBinding, at: MetadataLocator, out: Diagnostic[]): boolean {
  const origin = binding.origin!;
  const problem = outputPathProblem(binding.output);
  if (problem) {
    out.push(
      at.diagnostic(
        RULES.templateOutputInvalid,
        origin,
        'output',
        `Output '${binding.output}' cannot be used: ${problem}.`,
      ),
    );
    return true;
  }
  const allowed = OUTPUT_PLACEHOLDERS[binding.for];
  let bad = false;
  for (const placeholder of placeholdersOf(binding.output)) {
    if (allowed.includes(placeholder.name)) continue;
    bad = true;
    const suggestion =
      didYouMean(placeholder.name, allowed) ??
      (placeholder.name === 'table' || placeholder.name === binding.for ? 'name' : undefined);
    const span = at.span(origin, 'output');
    const raw = at.text(origin, 'output') ?? '';
    const inside = raw.indexOf(`{${placeholder.name}}`);
    const range =
      inside >= 0
        ? at.lines(origin.file).rangeOf([span[0] + inside, span[0] + inside + placeholder.end - placeholder.start])
        : at.range(origin, 'output');
    out.push({
      file: origin.file,
      range,
      severity: RULES.templateOutputInvalid.severity,
      code: RULES.templateOutputInvalid.code,
      message:
        `Unknown placeholder {${placeholder.name}} in output '${binding.output}'` +
        `${suggestion ? `. Did you mean {${suggestion}}?` : '.'} ` +
        `A binding for ${binding.for} may use ${quoteList(allowed.map(a => `{${a}}`))}.`,
    });
  }
  return bad;
}

/** Reads whether a file exists, through the project's file host (so editor buffers count). */
export type FileExists = (file: string) => Promise<boolean>;

/**
 * LH501: every declared binding's template exists, in paths.templates or among the built-in
 * templates (`builtinTemplatesDir`; checked on the real disk, they ship with the product).
 */
export async function checkTemplateFiles(
  meta: LakehouseMetadata,
  at: MetadataLocator,
  exists: FileExists,
  builtinExists: (name: string) => boolean,
  builtinNames: readonly string[],
): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  for (const binding of meta.templates ?? []) {
    if (!binding.origin) continue;
    const unsafe = templateNameProblem(binding.template);
    if (unsafe) {
      out.push(
        at.diagnostic(
          RULES.templateMissing,
          binding.origin,
          'template',
          `Template '${binding.template}' cannot be used: ${unsafe}.`,
        ),
      );
      continue;
    }
    const name = binding.template.replace(/\\/g, '/');
    const projectDir = meta.paths.templates;
    if (projectDir && (await exists(path.join(projectDir, ...name.split('/'))))) continue;
    if (builtinExists(name)) continue;
    const where = projectDir
      ? `in paths.templates ('${toPosix(path.relative(meta.rootDir, projectDir)) || '.'}') nor among the built-in templates`
      : 'among the built-in templates, and paths.templates is not set';
    const suggestion = didYouMean(name, builtinNames);
    out.push(
      at.diagnostic(
        RULES.templateMissing,
        binding.origin,
        'template',
        `Template '${binding.template}' was not found ${where}.` +
          (suggestion ? ` Did you mean '${suggestion}'?` : ` Built-in templates: ${quoteList(builtinNames)}.`),
      ),
    );
  }
  return out;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
