// ADF JSON: structural mutations of real artifacts (any value replaced by null, a number, a
// string, an array, an object, a huge string or a deeply nested value; keys dropped or renamed;
// expressions `@…` / `@{…}` with random function calls injected) and raw text damage.
import fc from 'fast-check';
import { ADF_FUNCTIONS } from '../../src/core/adf/expressions/functions';
import { hostileName } from './yaml';

export type JsonValueSpec =
  | { t: 'json'; value: unknown }
  /** Written as is in the JSON text: 1e400, -0, 12345678901234567890, NaN, undefined… */
  | { t: 'raw'; text: string }
  | { t: 'huge'; unit: string; count: number }
  | { t: 'deep'; kind: 'array' | 'object'; depth: number }
  /** An expression string, or wrapped as {"value": "@…", "type": "Expression"}. */
  | { t: 'expression'; text: string; wrap: boolean };

export type JsonOp =
  /** Replace the value of the node-th node (depth-first, the root is node 0). */
  | { op: 'set'; node: number; value: JsonValueSpec }
  | { op: 'drop'; node: number }
  | { op: 'rename'; node: number; key: string }
  /** Repeat an array element (duplicate activities, duplicate dependsOn…). */
  | { op: 'duplicate'; node: number };

export type RawOp =
  | { op: 'insert'; at: number; text: string }
  | { op: 'delete'; at: number; length: number }
  | { op: 'truncate'; at: number }
  | { op: 'newlines'; style: '\r\n' | '\r' }
  /** Repeat a line: duplicate keys. */
  | { op: 'duplicateLine'; line: number };

export interface FileEdit {
  /** Index of the file in the factory (modulo its number of files). */
  file: number;
  ops: JsonOp[];
  raw: RawOp[];
  /** JSON.stringify's indentation when re-serialised: 2, 4, 0 (one line) or -1 (tabs). */
  indent: number;
}

// --- applying -----------------------------------------------------------------------------------

type Path = (string | number)[];
type Container = Record<string, unknown> | unknown[];

const MAX_NODES = 20_000;

function nodePaths(root: unknown): Path[] {
  const out: Path[] = [];
  const walk = (value: unknown, path: Path): void => {
    if (out.length >= MAX_NODES) return;
    out.push(path);
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i]));
    else if (value && typeof value === 'object')
      for (const k of Object.keys(value)) walk((value as Record<string, unknown>)[k], [...path, k]);
  };
  walk(root, []);
  return out;
}

function parentOf(root: unknown, path: Path): Container | undefined {
  let node: unknown = root;
  for (const s of path.slice(0, -1)) {
    if (!node || typeof node !== 'object') return undefined;
    node = Array.isArray(node)
      ? node[s as number]
      : Object.prototype.hasOwnProperty.call(node, s)
        ? (node as Record<string, unknown>)[s as string]
        : undefined;
  }
  return node && typeof node === 'object' ? (node as Container) : undefined;
}

function define(target: Record<string, unknown>, k: string, v: unknown): void {
  // Own data properties even for '__proto__': never the prototype.
  Object.defineProperty(target, k, { value: v, enumerable: true, writable: true, configurable: true });
}

function setAt(root: unknown, path: Path, value: unknown): unknown {
  if (!path.length) return value;
  const parent = parentOf(root, path);
  const last = path[path.length - 1] as string | number;
  if (Array.isArray(parent)) parent[last as number] = value;
  else if (parent) define(parent, String(last), value);
  return root;
}

/** Expressions, raw numbers and deep values go through placeholders replaced in the serialised text. */
class Placeholders {
  readonly texts: string[] = [];
  add(text: string): string {
    this.texts.push(text);
    return `\u0001RAW${this.texts.length - 1}\u0001`;
  }
  apply(json: string): string {
    return json.replace(/"\\u0001RAW(\d+)\\u0001"/g, (_m, i: string) => this.texts[Number(i)] ?? 'null');
  }
}

function valueOf(spec: JsonValueSpec, placeholders: Placeholders): unknown {
  switch (spec.t) {
    case 'json':
      return JSON.parse(JSON.stringify(spec.value ?? null));
    case 'raw':
      return placeholders.add(spec.text);
    case 'huge':
      return spec.unit.repeat(spec.count);
    case 'deep':
      return placeholders.add(
        spec.kind === 'array'
          ? `${'['.repeat(spec.depth)}${']'.repeat(spec.depth)}`
          : `${'{"a":'.repeat(spec.depth)}1${'}'.repeat(spec.depth)}`,
      );
    case 'expression':
      return spec.wrap ? { value: spec.text, type: 'Expression' } : spec.text;
  }
}

function applyJsonOp(root: unknown, op: JsonOp, placeholders: Placeholders): unknown {
  const paths = nodePaths(root);
  const path = paths[op.node % paths.length] as Path;
  switch (op.op) {
    case 'set':
      return setAt(root, path, valueOf(op.value, placeholders));
    case 'drop': {
      if (!path.length) return {};
      const parent = parentOf(root, path);
      const last = path[path.length - 1] as string | number;
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else if (parent) delete parent[String(last)];
      return root;
    }
    case 'rename': {
      const parent = parentOf(root, path);
      if (!parent || Array.isArray(parent)) return root;
      const from = String(path[path.length - 1]);
      const entries = Object.keys(parent).map(k => [k === from ? op.key : k, parent[k]] as const);
      for (const k of Object.keys(parent)) delete parent[k];
      for (const [k, v] of entries) define(parent, k, v);
      return root;
    }
    case 'duplicate': {
      const parent = parentOf(root, path);
      const last = path[path.length - 1];
      if (Array.isArray(parent) && typeof last === 'number')
        parent.splice(last + 1, 0, JSON.parse(JSON.stringify(parent[last] ?? null)));
      return root;
    }
  }
}

function applyRawOp(text: string, op: RawOp): string {
  switch (op.op) {
    case 'insert': {
      const at = op.at % (text.length + 1);
      return text.slice(0, at) + op.text + text.slice(at);
    }
    case 'delete': {
      const at = op.at % (text.length + 1);
      return text.slice(0, at) + text.slice(at + op.length);
    }
    case 'truncate':
      return text.slice(0, op.at % (text.length + 1));
    case 'newlines':
      return text.replace(/\r?\n/g, op.style);
    case 'duplicateLine': {
      const lines = text.split('\n');
      const i = op.line % lines.length;
      lines.splice(i, 0, lines[i] as string);
      return lines.join('\n');
    }
  }
}

/** The file's text after the edit: the original bytes when only raw ops apply, else re-serialised. */
export function applyFileEdit(original: string, edit: Pick<FileEdit, 'ops' | 'raw' | 'indent'>): string {
  let text = original;
  if (edit.ops.length) {
    let value: unknown;
    try {
      value = JSON.parse(original);
    } catch {
      value = undefined; // not JSON (an earlier raw edit), or too deep: only raw edits apply
    }
    if (value !== undefined) {
      try {
        const placeholders = new Placeholders();
        for (const op of edit.ops) value = applyJsonOp(value, op, placeholders);
        text = placeholders.apply(JSON.stringify(value, null, edit.indent < 0 ? '\t' : edit.indent) ?? 'null');
        if (original.endsWith('\n')) text += '\n';
      } catch (e) {
        // A value nested too deeply for JSON.stringify (an earlier edit's): keep the text as it is.
        if (!(e instanceof RangeError)) throw e;
      }
    }
  }
  for (const op of edit.raw) text = applyRawOp(text, op);
  return text;
}

/** The index of a node by its path (for hand-written examples), as applyJsonOp numbers them. */
export function nodeIndex(text: string, path: Path): number {
  const paths = nodePaths(JSON.parse(text));
  const i = paths.findIndex(p => p.length === path.length && p.every((s, j) => s === path[j]));
  if (i < 0) throw new Error(`no node ${JSON.stringify(path)}`);
  return i;
}

// --- arbitraries --------------------------------------------------------------------------------

const FUNCTION_NAMES = ADF_FUNCTIONS.map(f => f.name);

const functionName = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(...FUNCTION_NAMES) },
  { weight: 1, arbitrary: fc.constantFrom(...FUNCTION_NAMES).map(n => n.toUpperCase()) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'nope',
      'constructor',
      '__proto__',
      'toString',
      'hasOwnProperty',
      'eval',
      '',
      'concat concat',
      '1abc',
    ),
  },
);

const stringLiteral = fc.oneof(
  fc.constantFrom(
    "'x'",
    "''",
    "'it''s'",
    "'@{x}'",
    "'\\'",
    "'unterminated",
    "'a'",
    "'dbo'",
    "'DimUser'",
    "'yyyy-MM-dd'",
  ),
  hostileName.map(s => `'${s.replace(/'/g, "''")}'`),
);

const CONTEXT_REFERENCES = [
  'pipeline().parameters.loop_input',
  'pipeline().parameters.missing',
  'pipeline().globalParameters.g',
  'pipeline().DataFactory',
  'pipeline().RunId',
  'pipeline().TriggerTime',
  "activity('Copy').output.rowsCopied",
  "activity('Missing').output",
  "activity('ForEachTable').output.value[0]",
  "activity('Lookup Watermark').output.firstRow.watermark",
  'item()',
  'item().table',
  'item()?.schema',
  "variables('v')",
  "variables('missing')",
  'dataset().container',
  'linkedService().url',
  'trigger().startTime',
  'trigger().outputs.windowStartTime',
  'pipeline()',
  'activity()',
  'item(1)',
  'pipeline().parameters',
  "pipeline()['parameters']",
];

export const adfExpression: fc.Arbitrary<string> = fc.letrec<{ expr: string }>(tie => ({
  expr: fc.oneof(
    { depthSize: 'small', maxDepth: 4, withCrossShrink: true },
    {
      weight: 3,
      arbitrary: fc.oneof(
        stringLiteral,
        fc.integer().map(String),
        fc.constantFrom('1.5', 'true', 'false', 'null', '-1', '1e400'),
      ),
    },
    { weight: 3, arbitrary: fc.constantFrom(...CONTEXT_REFERENCES) },
    {
      weight: 4,
      arbitrary: fc
        .tuple(functionName, fc.array(tie('expr'), { maxLength: 5 }))
        .map(([f, args]) => `${f}(${args.join(', ')})`),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          tie('expr'),
          fc.constantFrom('.x', '[0]', "['k']", '?.y', '.output', '[-1]', "['__proto__']", '.constructor'),
        )
        .map(([e, a]) => `${e}${a}`),
    },
  ),
})).expr;

/** A string ADF evaluates: '@expr', text with '@{expr}' interpolations, and broken or enormous ones. */
export const adfExpressionString: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: adfExpression.map(e => `@${e}`) },
  {
    weight: 4,
    arbitrary: fc
      .array(fc.tuple(fc.constantFrom('', 'text ', 'SELECT * FROM ', "WHERE x > '"), adfExpression), {
        minLength: 1,
        maxLength: 3,
      })
      .map(parts => parts.map(([t, e]) => `${t}@{${e}}`).join(' ')),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '@@literal',
      '@{',
      '@{}',
      '@',
      '@{@{x}}',
      '@concat(',
      "@concat('a'",
      '@)',
      '@{pipeline().parameters.x',
      '@ ',
      '@{ }',
      '@pipeline().parameters.',
      '@activity(',
      "@item().'x'",
    ),
  },
  { weight: 1, arbitrary: adfExpression.map(e => `@${e})`) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(10, 100, 1000, 10000, 100000).map(n => `@${'concat('.repeat(n)}'x'${')'.repeat(n)}`),
  },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 20000 }).map(n => `@concat('${'a'.repeat(n)}')`) },
  { weight: 1, arbitrary: fc.constantFrom(100, 1000, 10000, 100000).map(n => `@${'['.repeat(n)}`) },
);

const ADF_STRINGS = [
  'ForEach',
  'Copy',
  'ExecutePipeline',
  'IfCondition',
  'Switch',
  'Until',
  'Lookup',
  'SetVariable',
  'Succeeded',
  'Failed',
  'Skipped',
  'Completed',
  'Expression',
  'DatasetReference',
  'PipelineReference',
  'LinkedServiceReference',
  'IntegrationRuntimeReference',
  'AzureSqlDatabase',
  'AzureBlobFS',
  'Parquet',
  'ScheduleTrigger',
  'Started',
  'string',
  'array',
  'object',
  'int',
  'bool',
  'SecureString',
  'ls_adls',
  'ds_sql_table',
  'pl_incremental_ingestion',
  'ForEachTable',
  'Copy',
  'loop_input',
  'Inactive',
];

const ADF_KEYS = [
  'name',
  'type',
  'properties',
  'typeProperties',
  'activities',
  'dependsOn',
  'dependencyConditions',
  'activity',
  'referenceName',
  'parameters',
  'defaultValue',
  'value',
  'expression',
  'items',
  'isSequential',
  'batchCount',
  'linkedServiceName',
  'inputs',
  'outputs',
  'source',
  'sink',
  'pipeline',
  'pipelines',
  'variables',
  'annotations',
  'folder',
  'policy',
  'userProperties',
  'state',
  'onInactiveMarkAs',
  'ifTrueActivities',
  'ifFalseActivities',
  'cases',
  'defaultActivities',
  'condition',
  'on',
  'recurrence',
  'runtimeState',
  'connectVia',
  'globalParameters',
  '__proto__',
  'constructor',
  'toString',
  'Name',
  'TYPE',
  '',
  ' ',
  'properties ',
];

export const jsonValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>(tie => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 3, withCrossShrink: true },
    { weight: 3, arbitrary: fc.constant(null) },
    { weight: 2, arbitrary: fc.boolean() },
    { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.constantFrom(0, -1, 50, 51, 1e308, 2 ** 53 + 2, 0.5)) },
    { weight: 4, arbitrary: fc.oneof(fc.constantFrom(...ADF_STRINGS), hostileName) },
    { weight: 2, arbitrary: fc.array(tie('value'), { maxLength: 4 }) },
    {
      weight: 2,
      arbitrary: fc.array(fc.tuple(fc.constantFrom(...ADF_KEYS), tie('value')), { maxLength: 4 }).map(entries => {
        const o: Record<string, unknown> = {};
        for (const [k, v] of entries) define(o, k, v);
        return o;
      }),
    },
  ),
})).value;

export const jsonValueSpec: fc.Arbitrary<JsonValueSpec> = fc.oneof(
  { weight: 20, arbitrary: fc.record({ t: fc.constant('json' as const), value: jsonValue }) },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('raw' as const),
      text: fc.constantFrom(
        '1e400',
        '-0',
        '12345678901234567890',
        '-1e-400',
        '1.0',
        '0.1e1',
        '[]',
        '{}',
        '""',
        '"\\ud800"',
        '"\\u0000"',
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('huge' as const),
      unit: fc.constantFrom('x', '../', '@', '@{', ' ', 'é', '\\\\'),
      count: fc.integer({ min: 1, max: 150_000 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('deep' as const),
      kind: fc.constantFrom<'array' | 'object'>('array', 'object'),
      depth: fc.oneof(fc.integer({ min: 1, max: 600 }), fc.constantFrom(511, 512, 513, 5000, 100000)),
    }),
  },
  {
    weight: 8,
    arbitrary: fc.record({ t: fc.constant('expression' as const), text: adfExpressionString, wrap: fc.boolean() }),
  },
);

const node = fc.nat();

export const jsonOp: fc.Arbitrary<JsonOp> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ op: fc.constant('set' as const), node, value: jsonValueSpec }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('drop' as const), node }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('rename' as const),
      node,
      key: fc.oneof(fc.constantFrom(...ADF_KEYS), hostileName),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('duplicate' as const), node }) },
);

const RAW_TOKENS = [
  ',',
  '}',
  ']',
  '{',
  '[',
  '"',
  ':',
  '//x\n',
  '/*',
  '*/',
  '\\',
  '\\u',
  '\u0000',
  '\ufeff',
  '\uD800',
  'null',
  'NaN',
  'Infinity',
  '-',
  '.',
  'e',
  '\t',
  '\n',
  '\r',
  "'",
  '@{',
  '🎵',
  ',,',
  '"a":1,',
];

export const rawOp: fc.Arbitrary<RawOp> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('insert' as const),
      at: fc.nat(),
      text: fc.oneof(fc.constantFrom(...RAW_TOKENS), fc.string({ unit: 'binary', minLength: 1, maxLength: 6 })),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 30 }) }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('newlines' as const), style: fc.constantFrom<'\r\n' | '\r'>('\r\n', '\r') }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('duplicateLine' as const), line: fc.nat({ max: 10_000 }) }) },
);

export const fileEdit: fc.Arbitrary<FileEdit> = fc.record({
  file: fc.nat(),
  ops: fc.array(jsonOp, { minLength: 0, maxLength: 3 }),
  // Raw damage is rarer: most cases should parse, so that the checks behind the parser run.
  raw: fc.oneof(
    { weight: 6, arbitrary: fc.constant([] as RawOp[]) },
    { weight: 1, arbitrary: fc.array(rawOp, { minLength: 1, maxLength: 2 }) },
  ),
  indent: fc.constantFrom(2, 4, 0, -1),
});
