// Shared helpers of the dry-run tests: evaluate an ADF string to a comparable text, and a fixed
// clock so that utcNow() and pipeline().TriggerTime are reproducible.
import { evaluateAdfString, type ExpressionContext } from '../../../../src/core/adf/run/evaluate';
import { parseTimestamp } from '../../../../src/core/adf/run/dates';
import { toJsonText, Unknown, type AdfValue } from '../../../../src/core/adf/run/values';

export const NOW = parseTimestamp('2018-04-15T13:00:00.0000000Z');

let guids = 0;
export const FIXED_CONTEXT: ExpressionContext = {
  now: NOW,
  newGuid: () => `00000000-0000-4000-8000-${String(++guids).padStart(12, '0')}`,
  random: min => min,
};

/**
 * Evaluates an ADF string value ('@expr', text with '@{…}', or a literal) and returns the value as
 * the engine serialises it to JSON (floats with '.0', so 2 and 2.0 differ), `‹…›` for an Unknown,
 * or `error: <message>`.
 */
export function ev(value: string, ctx: ExpressionContext = FIXED_CONTEXT): string {
  const r = evaluateAdfString(value, ctx);
  if (r.error) return `error: ${r.error.message}`;
  return show(r.value);
}

export function show(v: AdfValue): string {
  if (v instanceof Unknown) return v.render();
  return toJsonText(v);
}

/** The JSON text of a string result, for readable expectations: js('abc') is '"abc"'. */
export const js = (v: unknown): string => JSON.stringify(v);
