import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalJson } from '../../../src/core/adf/generate/adfJson';

/** The definition the fingerprint files committed by users were written with: keys sorted, joined per level. */
function reference(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(v => reference(v)).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .sort()
    .map(k => `${JSON.stringify(k)}:${reference(obj[k])}`)
    .join(',')}}`;
}

test('canonicalJson gives the same text as its definition (fingerprints on disk stay valid)', () => {
  fc.assert(
    fc.property(fc.jsonValue(), value => {
      assert.equal(canonicalJson(value), reference(value));
    }),
    { numRuns: 500 },
  );
  const odd = { b: [1, undefined, 'x'], a: { '': null, 'é"\n': -0, __proto__x: [] }, c: undefined };
  assert.equal(canonicalJson(odd), reference(odd));
  assert.equal(canonicalJson(odd), '{"a":{"":null,"__proto__x":[],"é\\"\\n":0},"b":[1,null,"x"],"c":null}');
});
