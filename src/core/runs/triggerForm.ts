// The trigger form: a pipeline's typed parameters (from its JSON `properties.parameters`) as
// fields with their defaults, and typed-in text checked per field (Int a whole number, Float a
// number, Bool true/false, Array/Object JSON of that shape) into createRun's parameters, with a
// clear message per field. Only values that differ from the default are sent (a default array of
// 2,000 tables is not sent back), and every parameter without a default must be given.

export type AdfParameterType = 'String' | 'Int' | 'Float' | 'Bool' | 'Array' | 'Object' | 'SecureString';

const TYPES: Record<string, AdfParameterType> = {
  string: 'String',
  int: 'Int',
  float: 'Float',
  bool: 'Bool',
  array: 'Array',
  object: 'Object',
  securestring: 'SecureString',
};

export interface TriggerField {
  name: string;
  type: AdfParameterType;
  /** Whether the pipeline gives a default (else the field must be filled). */
  hasDefault: boolean;
  defaultValue?: unknown;
  /** The default as text in the form (JSON for arrays and objects; empty for a secure string). */
  defaultText: string;
  /** A secure string: shown masked, never logged, its default never shown. */
  secure: boolean;
  /** A short hint of what to type. */
  placeholder: string;
}

export interface TriggerForm {
  pipelineName: string;
  fields: TriggerField[];
  /** Parameters the form cannot offer (an unknown type), said plainly. */
  problems: string[];
}

const PLACEHOLDERS: Record<AdfParameterType, string> = {
  String: 'text',
  SecureString: 'secret text',
  Int: 'a whole number, e.g. 42',
  Float: 'a number, e.g. 3.5',
  Bool: 'true or false',
  Array: 'a JSON array, e.g. ["a", "b"]',
  Object: 'a JSON object, e.g. {"key": "value"}',
};

/** The form of a pipeline's JSON: `{ name, properties: { parameters } }` (ADF's git layout) or the SDK's `{ parameters }`. */
export function triggerFormOf(pipeline: unknown, pipelineName?: string): TriggerForm {
  const problems: string[] = [];
  const obj = isObject(pipeline) ? pipeline : {};
  const name = pipelineName ?? (typeof obj.name === 'string' ? obj.name : 'pipeline');
  const props = isObject(obj.properties) ? obj.properties : obj;
  const params = props.parameters;
  const fields: TriggerField[] = [];
  if (params !== undefined && !isObject(params)) {
    problems.push(`${name}: "parameters" is not an object; the pipeline takes no parameters from this form.`);
    return { pipelineName: name, fields, problems };
  }
  for (const [paramName, spec] of Object.entries(params ?? {})) {
    const rawType = isObject(spec) && typeof spec.type === 'string' ? spec.type : undefined;
    const type = rawType ? TYPES[rawType.toLowerCase()] : undefined;
    if (!type) {
      problems.push(
        `${paramName}: type ${rawType === undefined ? '(none)' : JSON.stringify(rawType)} is not one of ` +
          `String, Int, Float, Bool, Array, Object, SecureString; it keeps its default.`,
      );
      continue;
    }
    const hasDefault = isObject(spec) && 'defaultValue' in spec && spec.defaultValue !== null;
    const defaultValue = hasDefault ? (spec as Record<string, unknown>).defaultValue : undefined;
    const secure = type === 'SecureString';
    const field: TriggerField = {
      name: paramName,
      type,
      hasDefault,
      defaultText: secure || !hasDefault ? '' : textOf(defaultValue),
      secure,
      placeholder: PLACEHOLDERS[type],
    };
    if (hasDefault) field.defaultValue = defaultValue;
    fields.push(field);
  }
  return { pipelineName: name, fields, problems };
}

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? '';
}

export type FieldResult = { ok: true; value: unknown } | { ok: false; error: string };

/** The value of one field's text, or why it is not one. */
export function parseFieldValue(field: Pick<TriggerField, 'name' | 'type'>, text: string): FieldResult {
  const t = text.trim();
  const bad = (what: string): FieldResult => ({
    ok: false,
    error: `${field.name} (${field.type}) must be ${what}; got ${JSON.stringify(text.length > 60 ? text.slice(0, 57) + '…' : text)}.`,
  });
  switch (field.type) {
    case 'String':
    case 'SecureString':
      return { ok: true, value: text };
    case 'Int': {
      if (!/^[+-]?\d+$/.test(t)) return bad('a whole number such as 42');
      const n = Number(t);
      if (!Number.isSafeInteger(n))
        return bad(`a whole number between ${Number.MIN_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}`);
      return { ok: true, value: n };
    }
    case 'Float': {
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) || !Number.isFinite(Number(t)))
        return bad('a number such as 3.5');
      return { ok: true, value: Number(t) };
    }
    case 'Bool': {
      const lower = t.toLowerCase();
      if (lower !== 'true' && lower !== 'false') return bad('true or false');
      return { ok: true, value: lower === 'true' };
    }
    case 'Array':
    case 'Object': {
      let value: unknown;
      try {
        value = JSON.parse(t);
      } catch (e) {
        return bad(`JSON (${e instanceof Error ? e.message : String(e)})`);
      }
      if (field.type === 'Array' && !Array.isArray(value)) return bad('a JSON array such as ["a", "b"]');
      if (field.type === 'Object' && !isObject(value)) return bad('a JSON object such as {"key": "value"}');
      return { ok: true, value };
    }
  }
}

export interface FilledForm {
  /** createRun's parameters: what was typed where it differs from the default, and every required one. */
  parameters: Record<string, unknown>;
  /** By field name: what is wrong with it. Empty when the form can be sent. */
  errors: Record<string, string>;
}

/**
 * The parameters of a filled form. `texts` holds what was typed per field; a field left out (or
 * undefined) keeps its default; a field without default must be given. An unknown name is an error.
 */
export function fillTriggerForm(form: TriggerForm, texts: Record<string, string | undefined>): FilledForm {
  const parameters: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  const byName = new Map(form.fields.map(f => [f.name, f]));
  for (const name of Object.keys(texts)) {
    if (!byName.has(name))
      errors[name] =
        `${form.pipelineName} has no parameter ${JSON.stringify(name)}; it has ${[...byName.keys()].join(', ') || 'none'}.`;
  }
  for (const field of form.fields) {
    const text = texts[field.name];
    if (text === undefined) {
      if (!field.hasDefault) errors[field.name] = `${field.name} (${field.type}) has no default: give a value.`;
      continue;
    }
    // Unchanged from the default (for a secure string: left empty): the pipeline's default applies.
    if (field.hasDefault && text === field.defaultText) continue;
    const result = parseFieldValue(field, text);
    if (!result.ok) errors[field.name] = result.error;
    else parameters[field.name] = result.value;
  }
  return { parameters, errors };
}

/** `--param k=v` pairs (the CLI) as texts for fillTriggerForm; a pair without '=' is reported. */
export function parseParamPairs(pairs: readonly string[]): { texts: Record<string, string>; errors: string[] } {
  const texts: Record<string, string> = {};
  const errors: string[] = [];
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) errors.push(`--param ${JSON.stringify(pair)}: expected NAME=VALUE.`);
    else texts[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return { texts, errors };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
