import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalJson, formatAdfJson, sameJsonText, type JsonValue } from '../../../src/core/adf/generate/adfJson';

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

/** The same value with every object's keys in reverse order. */
function keysReversed(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(keysReversed);
  const obj = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(obj)
      .reverse()
      .map(k => [k, keysReversed(obj[k])]),
  );
}

test('sameJsonText is true exactly when the formatted texts are the same (an equal value, keys in the same order)', () => {
  fc.assert(
    fc.property(fc.jsonValue(), fc.jsonValue(), (a, other) => {
      assert.equal(sameJsonText(a, structuredClone(a)), true);
      const text = (v: unknown) => formatAdfJson(v as JsonValue);
      for (const b of [other, keysReversed(a)]) assert.equal(sameJsonText(a, b), text(a) === text(b));
    }),
    { numRuns: 1000 },
  );
  assert.equal(sameJsonText({ a: 1, b: [1, { c: 2 }] }, { a: 1, b: [1, { c: 2 }] }), true);
  assert.equal(sameJsonText({ a: 1, b: 2 }, { b: 2, a: 1 }), false, 'the same keys in another order are another text');
  assert.equal(sameJsonText({ a: 1 }, { a: 1, b: 2 }), false);
  assert.equal(sameJsonText({ a: 1, b: 2 }, { a: 1 }), false);
  assert.equal(sameJsonText([1, 2], { 0: 1, 1: 2 }), false);
  assert.equal(sameJsonText({ a: [] }, { a: {} }), false);
  assert.equal(sameJsonText(0, -0), true);
  assert.equal(sameJsonText(NaN, NaN), false, 'a value JSON cannot write is called different: only work is redone');
  // Long objects (keys from metadata) are compared another way: the same answers, in linear time.
  const long = (n: number, last = 'x') =>
    Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i === n - 1 ? last : i]));
  assert.equal(sameJsonText(long(5000), long(5000)), true);
  assert.equal(sameJsonText(long(5000), long(5000, 'y')), false);
  assert.equal(sameJsonText(long(5000), long(4999)), false);
  assert.equal(sameJsonText(long(40), keysReversed(long(40))), false);
  assert.equal(sameJsonText({ ...long(17), extra: 1 }, long(17)), false);
});
