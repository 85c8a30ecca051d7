// A dry run as text (an indented tree of activity runs with the values that matter: SQL queries,
// notebook paths, URLs and bodies, dataset locations, what a Copy of literals writes; unknown
// values as ‹…›) and as JSON (the whole trace, Unknowns as { "$unknown": text }).

import type { DryRunResult } from './dryRun';
import type { ActivityRun, DatasetUse, IterationStep } from './runPipeline';
import type { JsonPath } from './evaluate';
import { stringify, toJson, Unknown, type AdfValue, type JsonLike } from './values';

const MAX_SHORT = 160;

function short(s: string, max = MAX_SHORT): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** A value in a line of text: strings as they are, Unknown as ‹…›, the rest as compact JSON. */
export function displayValue(v: AdfValue): string {
  if (v instanceof Unknown) return v.render();
  return stringify(v);
}

/** A value as a literal: strings quoted, so that '' and ' x ' are visible. */
function literal(v: AdfValue): string {
  if (typeof v === 'string') return `'${v}'`;
  if (v instanceof Unknown) return v.render();
  return stringify(v);
}

function pathText(path: JsonPath): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p;
  return out;
}

function indentLines(text: string, indent: string): string {
  return text.split('\n').join(`\n${indent}`);
}

function datasetText(d: DatasetUse): string {
  const params =
    d.parameters instanceof Map && d.parameters.size
      ? `(${[...d.parameters].map(([k, v]) => `${k}: ${short(literal(v), 120)}`).join(', ')})`
      : '';
  return `${d.role === 'dataset' ? 'dataset' : d.role} ${d.name}${params}`;
}

/** `SELECT 'x' AS a, 'y' AS b` (no FROM): the row a Copy of literals writes. */
export function literalSelect(sql: string): { column: string; value: string }[] | undefined {
  const m = /^\s*SELECT\s+([\s\S]*?)\s*;?\s*$/i.exec(sql);
  if (!m || /\bFROM\b/i.test(m[1]!)) return undefined;
  const columns: { column: string; value: string }[] = [];
  const re = /\s*('(?:[^']|'')*'|‹[^›]*›|-?\d+(?:\.\d+)?|NULL)\s+AS\s+(\[[^\]]+\]|"[^"]+"|\w+)\s*(,|$)/giy;
  let match: RegExpExecArray | null;
  let consumed = 0;
  while ((match = re.exec(m[1]!))) {
    columns.push({ column: match[2]!.replace(/^[["]|[\]"]$/g, ''), value: match[1]! });
    consumed = re.lastIndex;
    if (match[3] === '') break;
  }
  return columns.length && consumed >= m[1]!.length ? columns : undefined;
}

function statusText(run: ActivityRun): string {
  return run.status === 'Failed' ? 'FAILED' : run.status;
}

function stepHeader(step: IterationStep): string {
  if (step.pipeline !== undefined) return `pipeline ${step.pipeline}`;
  if (step.branch !== undefined)
    return step.branch === 'true' || step.branch === 'false'
      ? `[${step.branch}]`
      : step.branch === 'default'
        ? '[default]'
        : `[case '${step.branch}']`;
  if (step.index !== undefined) {
    if (step.item === undefined) return `[iteration ${step.index}]`;
    return `[${step.index}] item: ${short(displayValue(step.item))}`;
  }
  return step.activity;
}

function stepKey(step: IterationStep | undefined): string {
  if (!step) return '';
  return `${step.activity}|${step.index ?? ''}|${step.branch ?? ''}|${step.pipeline ?? ''}`;
}

/** The lines under a run: datasets, evaluated expressions, what it writes, output, error, notes. */
function details(run: ActivityRun): string[] {
  const lines: string[] = [];
  const type = run.type.toLowerCase();
  const inputs = run.inputs instanceof Map ? run.inputs : undefined;
  if ((type === 'webactivity' || type === 'web' || type === 'webhook') && inputs) {
    const method = inputs.get('method');
    const url = inputs.get('url');
    if (url !== undefined) lines.push(`${typeof method === 'string' ? method : 'GET'} ${displayValue(url)}`);
  }
  for (const d of run.datasets) lines.push(datasetText(d));
  for (const e of run.expressions) {
    // Dataset parameters are shown on the dataset's line; a ForEach's items by their count.
    if (e.path[0] === 'inputs' || e.path[0] === 'outputs' || e.path[0] === 'dataset' || type === 'foreach') continue;
    if ((type === 'webactivity' || type === 'web' || type === 'webhook') && e.path.length === 1 && e.path[0] === 'url')
      continue;
    const key = pathText(e.path);
    // Strings (queries, messages, paths) in full; arrays and objects shortened.
    lines.push(
      `${key}: ${typeof e.value === 'string' || e.value instanceof Unknown ? displayValue(e.value) : short(displayValue(e.value), 300)}`,
    );
    if (type === 'copy' && /sqlReaderQuery|query$/i.test(key)) {
      const row = literalSelect(displayValue(e.value));
      if (row) lines.push(`writes: ${row.map(c => `${c.column} = ${c.value}`).join(', ')}`);
    }
  }
  for (const e of run.evaluationErrors)
    lines.push(`${pathText(e.path) || 'expression'}: EVALUATION ERROR: ${e.error.message}`);
  if (run.output !== undefined && !(run.output instanceof Unknown) && type !== 'ifcondition' && type !== 'switch') {
    lines.push(`output: ${short(displayValue(run.output), 400)}`);
  }
  if (run.error && run.evaluationErrors.length === 0)
    lines.push(`error: ${run.error.message}${run.error.errorCode ? ` (errorCode ${run.error.errorCode})` : ''}`);
  for (const n of run.notes) lines.push(`(${n})`);
  return lines;
}

/** The dry run as text, for the terminal and the editor. */
export function renderDryRunText(dry: DryRunResult): string {
  const r = dry.result;
  const out: string[] = [];
  out.push(`Dry run of pipeline ${r.pipeline}`);
  const trigger = dry.trigger ? `trigger ${dry.trigger}` : 'manual run';
  out.push(`  ${trigger} at ${r.triggerTime}, run id ${r.runId}`);
  if (r.parameters.size) {
    out.push('  parameters:');
    for (const [k, v] of r.parameters) {
      const count = Array.isArray(v) ? ` (${v.length} item${v.length === 1 ? '' : 's'})` : '';
      out.push(`    ${k} = ${short(literal(v), 120)}${count}`);
    }
  }
  for (const n of [...dry.notes, ...r.notes]) out.push(`  note: ${n}`);
  const undescribed = r.runs.filter(x => x.undescribed).length;
  if (undescribed)
    out.push(
      `  note: ${undescribed} external activity run${undescribed === 1 ? ' has' : 's have'} no ` +
        `described outcome: they succeed, their outputs unknown (describe them with --outputs)`,
    );
  out.push('');
  const children = new Map<number | undefined, ActivityRun[]>();
  for (const run of r.runs) {
    const list = children.get(run.parent) ?? [];
    list.push(run);
    children.set(run.parent, list);
  }
  const render = (parent: number | undefined, indent: string) => {
    let lastKey: string | undefined;
    for (const run of children.get(parent) ?? []) {
      let ind = indent;
      if (parent !== undefined) {
        const step = run.iteration[run.iteration.length - 1];
        const key = stepKey(step);
        if (key !== lastKey && step) out.push(`${indent}${stepHeader(step)}`);
        lastKey = key;
        ind = `${indent}  `;
      }
      out.push(`${ind}${run.name}  ${run.type}  ${statusText(run)}${run.assumed ? '  (assumed branch)' : ''}`);
      for (const line of details(run)) out.push(`${ind}    ${indentLines(line, `${ind}      `)}`);
      render(run.order, `${ind}  `);
    }
  };
  render(undefined, '');
  out.push('');
  if (r.variables.size) {
    out.push('Variables at the end:');
    for (const [k, v] of r.variables) out.push(`  ${k} = ${short(literal(v), 200)}`);
  }
  if (r.returnValue) out.push(`Return value: ${short(displayValue(r.returnValue), 400)}`);
  const errors = r.evaluationErrors
    ? `, ${r.evaluationErrors} evaluation error${r.evaluationErrors === 1 ? '' : 's'}`
    : '';
  const counts = `${r.runs.length} activity run${r.runs.length === 1 ? '' : 's'}${errors}`;
  out.push(
    r.status === 'Succeeded'
      ? `Result: Succeeded (${counts})`
      : `Result: Failed (${counts}): ${r.error?.message ?? 'the pipeline failed'}`,
  );
  return `${out.join('\n')}\n`;
}

function stepJson(s: IterationStep): JsonLike {
  return {
    activity: s.activity,
    ...(s.index !== undefined ? { index: s.index } : {}),
    ...(s.item !== undefined ? { item: toJson(s.item) } : {}),
    ...(s.branch !== undefined ? { branch: s.branch } : {}),
    ...(s.pipeline !== undefined ? { pipeline: s.pipeline } : {}),
  };
}

/** The dry run as JSON: every activity run with its evaluated inputs, expressions, output and error. */
export function dryRunJson(dry: DryRunResult): JsonLike {
  const r = dry.result;
  const obj = (m: Map<string, AdfValue>): JsonLike => toJson(m);
  return {
    pipeline: r.pipeline,
    runId: r.runId,
    triggerTime: r.triggerTime,
    ...(dry.trigger ? { trigger: dry.trigger } : {}),
    status: r.status,
    ...(r.error ? { error: { ...r.error } as JsonLike } : {}),
    parameters: obj(r.parameters),
    variables: obj(r.variables),
    ...(r.returnValue ? { returnValue: obj(r.returnValue) } : {}),
    notes: [...dry.notes, ...r.notes],
    evaluationErrors: r.evaluationErrors,
    runs: r.runs.map(run => ({
      order: run.order,
      name: run.name,
      type: run.type,
      pipeline: run.pipeline,
      ...(run.parent !== undefined ? { parent: run.parent } : {}),
      path: run.path,
      iteration: run.iteration.map(stepJson),
      status: run.status,
      ...(run.inactive ? { inactive: true } : {}),
      ...(run.assumed ? { assumed: true } : {}),
      ...(run.undescribed ? { undescribed: true } : {}),
      ...(run.inputs !== undefined ? { inputs: toJson(run.inputs) } : {}),
      expressions: run.expressions.map(e => ({ path: e.path, source: e.source, value: toJson(e.value) })),
      evaluationErrors: run.evaluationErrors.map(e => ({
        path: e.path,
        source: e.source,
        message: e.error.message,
        span: { ...e.error.span },
      })),
      datasets: run.datasets.map(d => ({
        role: d.role,
        name: d.name,
        parameters: toJson(d.parameters),
        ...(d.properties !== undefined ? { properties: toJson(d.properties) } : {}),
      })),
      ...(run.output !== undefined ? { output: toJson(run.output) } : {}),
      ...(run.error ? { error: { ...run.error } as JsonLike } : {}),
      notes: run.notes,
    })),
  };
}
