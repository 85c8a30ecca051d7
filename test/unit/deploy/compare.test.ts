// The comparison of a local artifact with the factory's: what ARM adds or reorders is no change,
// what the user changed is, and the summary says where in a few words.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonObject } from '../../../src/core/adf/generate/adfJson';
import { comparable, compareArtifacts, inOrderOf, summarizeDifferences, sameInstant } from '../../../src/core/deploy';
import { linkedService, pipeline, tumblingTrigger } from './builders';

/** The artifact as ARM answers a GET: id, etag and type added, properties' keys in another order. */
function asArm(value: JsonObject, extra: JsonObject = {}): JsonObject {
  const properties = value.properties as JsonObject;
  const reversed: JsonObject = {};
  for (const key of Object.keys(properties).reverse()) reversed[key] = properties[key]!;
  return {
    id: '/subscriptions/s/x',
    name: value.name!,
    type: 'Microsoft.DataFactory/factories/x',
    properties: { ...reversed, ...extra },
    etag: '"1"',
  };
}

const differencesOf = (kind: Parameters<typeof comparable>[0], local: JsonObject, remote: JsonObject) =>
  compareArtifacts(comparable(kind, local), comparable(kind, remote)).differences;

describe('deploy: comparing an artifact with the factory', () => {
  it('ignores what ARM adds (id, etag, type, runtimeState, lastPublishTime) and its key order', () => {
    const [, p] = pipeline('p', { executes: ['child'], reads: ['ds'] });
    assert.deepEqual(differencesOf('pipeline', p, asArm(p, { lastPublishTime: '2026-01-01T00:00:00Z' })), []);
    const [, t] = tumblingTrigger('t', 'p');
    assert.deepEqual(differencesOf('trigger', t, asArm(t, { runtimeState: 'Started' })), []);
  });

  it('takes an absent key and an empty list or object as the same, and the same instant in another form as equal', () => {
    const [, p] = pipeline('p');
    const remote = asArm(p, { parameters: {}, variables: {} });
    delete (remote.properties as JsonObject).annotations;
    assert.deepEqual(differencesOf('pipeline', p, remote), []);
    assert.ok(sameInstant('2024-01-01T00:00:00Z', '2024-01-01T00:00:00.0000000Z'));
    assert.ok(sameInstant('2024-01-01T01:00:00+01:00', '2024-01-01T00:00:00Z'));
    assert.ok(
      !sameInstant('2024-01-01T00:00:00', '2024-01-01T00:00:00Z'),
      'a time without a zone is text, not an instant',
    );
    const [, t] = tumblingTrigger('t', 'p', { startTime: '2024-01-01T00:00:00Z' });
    const [, t2] = tumblingTrigger('t', 'p', { startTime: '2024-01-01T00:00:00.000Z' });
    assert.deepEqual(differencesOf('trigger', t, asArm(t2)), []);
  });

  it('says where a change is: activities by name, added and removed keys, a reorder', () => {
    const [, before] = pipeline('p', { executes: ['a', 'b'], waitSeconds: 1 });
    const [, after] = pipeline('p', { executes: ['a', 'c'], waitSeconds: 5 });
    (after.properties as JsonObject).parameters = { window: { type: 'string' } };
    const differences = differencesOf('pipeline', after, asArm(before));
    assert.deepEqual(differences, [
      { path: "properties.activities['wait'].typeProperties.waitTimeInSeconds", change: 'changed' },
      { path: "properties.activities['run_c']", change: 'added' },
      { path: "properties.activities['run_b']", change: 'removed' },
      { path: 'properties.parameters', change: 'added' },
    ]);
    assert.equal(
      summarizeDifferences(differences),
      "properties.activities['wait'].typeProperties.waitTimeInSeconds changed; properties.activities['run_c'] added; " +
        "properties.activities['run_b'] removed; properties.parameters added",
    );
    const [, reordered] = pipeline('p', { executes: ['b', 'a'] });
    const [, original] = pipeline('p', { executes: ['a', 'b'] });
    assert.deepEqual(differencesOf('pipeline', reordered, asArm(original)), [
      { path: 'properties.activities', change: 'reordered' },
    ]);
    const many = Array.from({ length: 7 }, (_, i) => ({ path: `properties.x${i}`, change: 'changed' as const }));
    assert.match(summarizeDifferences(many), /properties\.x3 changed; and 3 more$/);
  });

  it('takes a secure string the factory masks as unchanged, and counts it', () => {
    const [, ls] = linkedService('ls');
    ((ls.properties as JsonObject).typeProperties as JsonObject).accountKey = {
      type: 'SecureString',
      value: 'the-real-key',
    };
    const remote = structuredClone(ls);
    ((remote.properties as JsonObject).typeProperties as JsonObject).accountKey = {
      type: 'SecureString',
      value: '**********',
    };
    const comparison = compareArtifacts(comparable('linkedService', ls), comparable('linkedService', asArm(remote)));
    assert.deepEqual(comparison, { differences: [], maskedSecrets: 1 });
  });

  it("orders the factory's artifact like the local one, so a diff shows changes and not ARM's key order", () => {
    const [, p] = pipeline('p', { executes: ['a'] });
    const ordered = inOrderOf(comparable('pipeline', asArm(p)), comparable('pipeline', p));
    assert.equal(JSON.stringify(ordered), JSON.stringify(comparable('pipeline', p)));
  });
});
