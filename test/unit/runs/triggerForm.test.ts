// The trigger form: fields from a pipeline's typed parameters with their defaults, per-field
// validation with clear messages, and the createRun parameters (only what differs from defaults).
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fillTriggerForm, parseFieldValue, parseParamPairs, triggerFormOf } from '../../../src/core/runs/triggerForm';

const pipeline = {
  name: 'pl_copy',
  properties: {
    parameters: {
      label: { type: 'String', defaultValue: 'daily' },
      batch: { type: 'int', defaultValue: 10 },
      ratio: { type: 'Float' },
      full: { type: 'Bool', defaultValue: false },
      tables: { type: 'array', defaultValue: [{ schema: 'dbo', table: 'T' }] },
      options: { type: 'Object', defaultValue: { a: 1 } },
      secret: { type: 'securestring', defaultValue: 'hunter2' },
      weird: { type: 'Decimal' },
    },
  },
};

describe('trigger form', () => {
  it('has a field per typed parameter, defaults as text, secure defaults hidden', () => {
    const form = triggerFormOf(pipeline);
    assert.equal(form.pipelineName, 'pl_copy');
    assert.deepEqual(
      form.fields.map(f => [f.name, f.type, f.hasDefault, f.defaultText, f.secure]),
      [
        ['label', 'String', true, 'daily', false],
        ['batch', 'Int', true, '10', false],
        ['ratio', 'Float', false, '', false],
        ['full', 'Bool', true, 'false', false],
        ['tables', 'Array', true, '[{"schema":"dbo","table":"T"}]', false],
        ['options', 'Object', true, '{"a":1}', false],
        ['secret', 'SecureString', true, '', true],
      ],
    );
    assert.match(form.problems[0]!, /weird: type "Decimal" is not one of String, Int/);
    // The SDK's shape (parameters at the top) reads the same.
    assert.equal(triggerFormOf({ parameters: pipeline.properties.parameters }, 'x').fields.length, 7);
    assert.deepEqual(triggerFormOf({ properties: { parameters: 3 } }).problems.length, 1);
  });

  it('checks each type and says what was expected', () => {
    const f = (type: 'Int' | 'Float' | 'Bool' | 'Array' | 'Object') => ({ name: 'p', type });
    assert.deepEqual(parseFieldValue(f('Int'), ' -42 '), { ok: true, value: -42 });
    assert.deepEqual(parseFieldValue(f('Int'), '4.2'), {
      ok: false,
      error: 'p (Int) must be a whole number such as 42; got "4.2".',
    });
    assert.equal(parseFieldValue(f('Int'), '99999999999999999999').ok, false);
    assert.deepEqual(parseFieldValue(f('Float'), '3.5e2'), { ok: true, value: 350 });
    assert.equal(parseFieldValue(f('Float'), 'NaN').ok, false);
    assert.deepEqual(parseFieldValue(f('Bool'), 'TRUE'), { ok: true, value: true });
    assert.equal(parseFieldValue(f('Bool'), 'yes').ok, false);
    assert.deepEqual(parseFieldValue(f('Array'), '[1, "a"]'), { ok: true, value: [1, 'a'] });
    assert.match((parseFieldValue(f('Array'), '{"a":1}') as { error: string }).error, /must be a JSON array/);
    assert.match((parseFieldValue(f('Object'), '[1]') as { error: string }).error, /must be a JSON object/);
    assert.match((parseFieldValue(f('Object'), '{bad') as { error: string }).error, /must be JSON \(/);
  });

  it('sends only what differs from the defaults, requires what has none, and names unknown fields', () => {
    const form = triggerFormOf(pipeline);
    assert.deepEqual(fillTriggerForm(form, {}), {
      parameters: {},
      errors: { ratio: 'ratio (Float) has no default: give a value.' },
    });
    const filled = fillTriggerForm(form, {
      label: 'daily',
      batch: '25',
      ratio: '0.5',
      full: 'true',
      secret: '',
      tables: '[]',
    });
    assert.deepEqual(filled, { parameters: { batch: 25, ratio: 0.5, full: true, tables: [] }, errors: {} });
    const wrong = fillTriggerForm(form, { ratio: 'x', nope: '1' });
    assert.deepEqual(Object.keys(wrong.errors).sort(), ['nope', 'ratio']);
    assert.match(wrong.errors.nope!, /pl_copy has no parameter "nope"; it has label, batch/);
  });

  it('reads --param k=v pairs', () => {
    assert.deepEqual(parseParamPairs(['a=1', 'b=x=y', 'bad', '=v']), {
      texts: { a: '1', b: 'x=y' },
      errors: ['--param "bad": expected NAME=VALUE.', '--param "=v": expected NAME=VALUE.'],
    });
  });
});
