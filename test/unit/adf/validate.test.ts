// ADF validation (LH405–LH416): each rule fires with its exact range and does not fire on the
// close valid case; real ADF Studio factories (read in place from ../shared) produce no errors.
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { describe, it } from 'node:test';
import type { Diagnostic } from '../../../src/core/diagnostics/diagnostic';
import { AdfValidationCache, validateAdfFolder } from '../../../src/core/adf/validate';
import { readAdfFolder } from '../../../src/core/project/loadProject';
import { NodeFileHost } from '../../../src/core/files/nodeFileHost';
import { LineIndex, type Range } from '../../../src/core/text/lineIndex';
import { MemoryHost } from '../helpers/memoryHost';
import { REAL_WORLD_ADF, REFERENCE_ADF, SHARED_MISSING, hasSharedFixtures } from '../helpers/paths';
import { lakehouse } from '../helpers/cli';
import * as os from 'os';

const ROOT = path.resolve('/factory');

type Json = Record<string, unknown>;

/** ADF Studio's own layout: tabs. */
const studio = (value: unknown) => JSON.stringify(value, null, '\t');

function activity(name: string, type: string, extra: Json = {}): Json {
  return { name, type, dependsOn: [], userProperties: [], typeProperties: {}, ...extra };
}
function dep(name: string, ...conditions: string[]): Json {
  return { activity: name, dependencyConditions: conditions.length ? conditions : ['Succeeded'] };
}
function pipeline(name: string, activities: Json[], properties: Json = {}): Json {
  return { name, properties: { activities, annotations: [], ...properties } };
}
const expr = (value: string) => ({ value, type: 'Expression' });

const SQL_LS = {
  name: 'ls_sql',
  properties: { type: 'AzureSqlDatabase', typeProperties: { connectionString: 'Server=x' }, annotations: [] },
};
const SQL_DS = {
  name: 'ds_sql',
  properties: {
    linkedServiceName: { referenceName: 'ls_sql', type: 'LinkedServiceReference' },
    parameters: { schema: { type: 'string' }, table: { type: 'string', defaultValue: 'x' } },
    type: 'AzureSqlTable',
    typeProperties: { schema: expr('@dataset().schema'), table: expr('@dataset().table') },
    annotations: [],
  },
};

/** Validates a factory made of the given files (relative path → JSON value or raw text). */
async function validate(
  files: Record<string, unknown>,
): Promise<{ diagnostics: Diagnostic[]; texts: Map<string, string> }> {
  const texts = new Map<string, string>();
  const content: Record<string, string> = {};
  for (const [rel, value] of Object.entries({
    'linkedService/ls_sql.json': SQL_LS,
    'dataset/ds_sql.json': SQL_DS,
    ...files,
  })) {
    if (value === undefined) continue;
    const text = typeof value === 'string' ? value : studio(value);
    const file = path.join(ROOT, rel);
    content[file] = text;
    texts.set(file, text);
  }
  const result = await readAdfFolder(new MemoryHost(content), ROOT);
  assert.equal(result.status, 'ok');
  if (result.status !== 'ok') throw new Error('unreachable');
  return {
    diagnostics: [...result.factory.files.flatMap(f => f.diagnostics), ...validateAdfFolder(result.factory)],
    texts,
  };
}

/** The range of the n-th occurrence of needle in a file of the factory. */
function rangeOf(texts: Map<string, string>, rel: string, needle: string, occurrence = 1, inner?: string): Range {
  const text = texts.get(path.join(ROOT, rel));
  assert.ok(text, `no file ${rel}`);
  let at = -1;
  for (let i = 0; i < occurrence; i++) {
    at = text.indexOf(needle, at + 1);
    assert.ok(at >= 0, `'${needle}' (#${i + 1}) not in ${rel}`);
  }
  let start = at;
  let length = needle.length;
  if (inner !== undefined) {
    start = at + needle.indexOf(inner);
    length = inner.length;
  }
  const lines = new LineIndex(text);
  return lines.rangeOf([start, start + length]);
}

function only(diagnostics: Diagnostic[], code: string): Diagnostic[] {
  return diagnostics.filter(d => d.code === code);
}

function assertNone(diagnostics: Diagnostic[], code?: string): void {
  const found = code ? only(diagnostics, code) : diagnostics;
  assert.deepEqual(
    found.map(d => `${d.code} ${d.message}`),
    [],
  );
}

function assertOne(
  diagnostics: Diagnostic[],
  code: string,
  range: Range,
  message: RegExp,
  severity?: string,
): Diagnostic {
  const found = only(diagnostics, code);
  assert.equal(
    found.length,
    1,
    `expected one ${code}, got: ${JSON.stringify(diagnostics.map(d => `${d.code} ${d.message}`))}`,
  );
  const d = found[0]!;
  assert.deepEqual(d.range, range);
  assert.match(d.message, message);
  if (severity) assert.equal(d.severity, severity);
  return d;
}

describe('ADF validation: shapes (LH405)', () => {
  it('an activity without a type, at its name', async () => {
    const { diagnostics, texts } = await validate({
      'pipeline/p.json': pipeline('p', [{ name: 'Wait1', dependsOn: [] }]),
    });
    assertOne(diagnostics, 'LH405', rangeOf(texts, 'pipeline/p.json', '"Wait1"'), /Activity 'Wait1' has no "type"/);
  });

  it('an unknown activity type is accepted; only its common fields are checked', async () => {
    const ok = await validate({
      'pipeline/p.json': pipeline('p', [activity('x', 'SomeFutureActivity', { typeProperties: { anything: [1, 2] } })]),
    });
    assertNone(ok.diagnostics);
    const bad = await validate({
      'pipeline/p.json': pipeline('p', [activity('x', 'SomeFutureActivity', { dependsOn: 'y' })]),
    });
    assertOne(
      bad.diagnostics,
      'LH405',
      rangeOf(bad.texts, 'pipeline/p.json', '"y"'),
      /"dependsOn" must be a list; it is a string/,
    );
  });

  it('a parameter type ADF does not know, with the fix; any casing of a known one is fine', async () => {
    const { diagnostics, texts } = await validate({
      'pipeline/p.json': pipeline('p', [], {
        parameters: { a: { type: 'Strng' }, b: { type: 'string' }, c: { type: 'SecureString' } },
      }),
    });
    const d = assertOne(
      diagnostics,
      'LH405',
      rangeOf(texts, 'pipeline/p.json', '"Strng"'),
      /'Strng' is not a parameter type/,
    );
    assert.equal(d.fixes?.[0]?.edits[0]?.newText, '"String"');
  });

  it('a dataset without its linked service', async () => {
    const ds = { name: 'ds', properties: { type: 'Parquet', typeProperties: {} } };
    const { diagnostics, texts } = await validate({ 'dataset/ds.json': ds });
    assertOne(
      diagnostics,
      'LH405',
      rangeOf(texts, 'dataset/ds.json', '"properties"'),
      /Dataset 'ds' has no "linkedServiceName"/,
    );
  });

  it('a ForEach without activities, an If without an expression', async () => {
    const { diagnostics } = await validate({
      'pipeline/p.json': pipeline('p', [
        activity('loop', 'ForEach', { typeProperties: { items: expr('@createArray(1)') } }),
        activity('if', 'IfCondition'),
      ]),
    });
    assert.deepEqual(
      only(diagnostics, 'LH405').map(d => d.message),
      [
        `ForEach activity 'loop' has no "typeProperties.activities".`,
        `IfCondition activity 'if' has no "typeProperties.expression".`,
      ],
    );
  });
});

describe('ADF validation: activity names and dependencies (LH406–LH409)', () => {
  it('two activities with one name in a container: an error at the second', async () => {
    const { diagnostics, texts } = await validate({
      'pipeline/p.json': pipeline('p', [activity('Wait', 'Wait'), activity('Wait', 'Wait')]),
    });
    assertOne(
      diagnostics,
      'LH406',
      rangeOf(texts, 'pipeline/p.json', '"Wait"', 3),
      /already has an activity named 'Wait'.*line 6/,
      'error',
    );
  });

  it('the same name in different containers: a warning', async () => {
    const { diagnostics } = await validate({
      'pipeline/p.json': pipeline('p', [
        activity('Wait', 'Wait'),
        activity('loop', 'ForEach', {
          typeProperties: { items: expr('@createArray(1)'), activities: [activity('Wait', 'Wait')] },
        }),
      ]),
    });
    const d = only(diagnostics, 'LH406');
    assert.equal(d.length, 1);
    assert.equal(d[0]!.severity, 'warning');
  });

  it('dependsOn a missing sibling, with a did-you-mean fix', async () => {
    const { diagnostics, texts } = await validate({
      'pipeline/p.json': pipeline('p', [
        activity('read_watermark', 'Lookup'),
        activity('copy', 'Copy', {
          dependsOn: [dep('read_watermak')],
          typeProperties: { q: expr("@activity('read_watermark').output.firstRow") },
        }),
      ]),
    });
    // One typo, one diagnostic: the reader's activity('read_watermark') is not reported as well.
    assertNone(diagnostics, 'LH414');
    const d = assertOne(
      diagnostics,
      'LH407',
      rangeOf(texts, 'pipeline/p.json', '"read_watermak"'),
      /'copy' depends on 'read_watermak'.*Did you mean 'read_watermark'/,
    );
    assert.equal(d.fixes?.[0]?.edits[0]?.newText, '"read_watermark"');
  });

  it('dependsOn a sibling in another letter case is accepted (ADF compares names case-insensitively elsewhere)', async () => {
    const { diagnostics } = await validate({
      'pipeline/p.json': pipeline('p', [
        activity('Read Watermark', 'Lookup', {
          typeProperties: {
            dataset: { referenceName: 'ds_sql', type: 'DatasetReference', parameters: { schema: 'dbo' } },
          },
        }),
        activity('copy', 'Copy', {
          dependsOn: [dep('read watermark')],
          typeProperties: { q: expr("@activity('Read Watermark').output.firstRow") },
        }),
      ]),
    });
    assertNone(diagnostics);
  });

  it('dependsOn an activity of another container is not a sibling', async () => {
    const { diagnostics, texts } = await validate({
      'pipeline/p.json': pipeline('p', [
        activity('outer', 'Wait'),
        activity('loop', 'ForEach', {
          typeProperties: {
            items: expr('@createArray(1)'),
            activities: [activity('inner', 'Wait', { dependsOn: [dep('outer')] })],
          },
        }),
      ]),
    });
    assertOne(diagnostics, 'LH407', rangeOf(texts, 'pipeline/p.json', '"outer"', 2), /not an activity inside 'loop'/);
  });

  it('dependency conditions: the four ADF knows, in any case; others with a fix', async () => {
    const ok = await validate({
      'pipeline/p.json': pipeline('p', [
        activity('a', 'Wait'),
        activity('b', 'Wait', { dependsOn: [dep('a', 'Succeeded', 'Failed', 'Skipped', 'completed')] }),
      ]),
    });
    assertNone(ok.diagnostics);
    const { diagnostics, texts } = await validate({
      'pipeline/p.json': pipeline('p', [
        activity('a', 'Wait'),
        activity('b', 'Wait', { dependsOn: [dep('a', 'Succeed')] }),
      ]),
    });
    const d = assertOne(
      diagnostics,
      'LH408',
      rangeOf(texts, 'pipeline/p.json', '"Succeed"'),
      /'Succeed' is not a dependency condition/,
    );
    assert.equal(d.fixes?.[0]?.edits[0]?.newText, '"Succeeded"');
  });

  it('a dependency cycle, reported once with its path; a self-dependency', async () => {
    const { diagnostics, texts } = await validate({
      'pipeline/p.json': pipeline('p', [
        activity('a', 'Wait', { dependsOn: [dep('c')] }),
        activity('b', 'Wait', { dependsOn: [dep('a')] }),
        activity('c', 'Wait', { dependsOn: [dep('b')] }),
        activity('d', 'Wait'),
      ]),
      'pipeline/q.json': pipeline('q', [activity('self', 'Wait', { dependsOn: [dep('self')] })]),
    });
    const cycles = only(diagnostics, 'LH409');
    assert.equal(cycles.length, 2);
    assert.deepEqual(cycles[0]!.range, rangeOf(texts, 'pipeline/p.json', '"activity": "a"', 1, '"a"'));
    assert.match(cycles[0]!.message, /a → c → b → a/);
    assert.match(cycles[1]!.message, /'self' depends on itself/);
  });
});

describe('ADF validation: references (LH410, LH411)', () => {
  it('a dataset that is not in the factory, with a did-you-mean fix', async () => {
    const { diagnostics, texts } = await validate({
      'pipeline/p.json': pipeline('p', [
        activity('look', 'Lookup', {
          typeProperties: {
            dataset: { referenceName: 'ds_sq', type: 'DatasetReference', parameters: { schema: 'dbo' } },
          },
        }),
      ]),
    });
    const d = assertOne(
      diagnostics,
      'LH410',
      rangeOf(texts, 'pipeline/p.json', '"ds_sq"'),
      /no dataset 'ds_sq'.*Did you mean 'ds_sql'/,
    );
    assert.equal(d.fixes?.[0]?.edits[0]?.newText, '"ds_sql"');
  });

  it('built-in runtimes, dynamic references and names in another case resolve', async () => {
    const ls = {
      name: 'ls_x',
      properties: {
        type: 'AzureBlobFS',
        connectVia: { referenceName: 'AutoResolveIntegrationRuntime', type: 'IntegrationRuntimeReference' },
        typeProperties: { url: 'https://x' },
      },
    };
    const { diagnostics } = await validate({
      'linkedService/ls_x.json': ls,
      'pipeline/p.json': pipeline(
        'p',
        [
          activity('look', 'Lookup', {
            typeProperties: {
              dataset: { referenceName: 'DS_SQL', type: 'DatasetReference', parameters: { schema: 'dbo' } },
            },
          }),
          activity('run', 'ExecutePipeline', {
            typeProperties: {
              pipeline: { referenceName: expr('@pipeline().parameters.child'), type: 'PipelineReference' },
            },
          }),
        ],
        { parameters: { child: { type: 'String' } } },
      ),
    });
    assertNone(diagnostics);
  });

  it('a parameter the dataset does not declare, and a required one not passed', async () => {
    const { diagnostics, texts } = await validate({
      'pipeline/p.json': pipeline('p', [
        activity('look', 'Lookup', {
          typeProperties: { dataset: { referenceName: 'ds_sql', type: 'DatasetReference', parameters: { tabl: 't' } } },
        }),
      ]),
    });
    const found = only(diagnostics, 'LH411');
    assert.equal(found.length, 2);
    assert.deepEqual(found[0]!.range, rangeOf(texts, 'pipeline/p.json', '"tabl"'));
    assert.match(
      found[0]!.message,
      /Dataset 'ds_sql' has no parameter 'tabl'.*'table' keeps its default.*Did you mean 'table'/,
    );
    assert.equal(found[0]!.severity, 'warning', "'table' has a default: the run goes on with it");
    assert.equal(found[1]!.severity, 'warning');
    // A near miss of a parameter without a default leaves it null: an error, reported once.
    const typo = await validate({
      'pipeline/p.json': pipeline('p', [
        activity('look', 'Lookup', {
          typeProperties: {
            dataset: { referenceName: 'ds_sql', type: 'DatasetReference', parameters: { schem: 'dbo' } },
          },
        }),
      ]),
    });
    assert.deepEqual(
      only(typo.diagnostics, 'LH411').map(d => [d.severity, d.message.replace(/ \(.*/, '')]),
      [['error', "Dataset 'ds_sql' has no parameter 'schem'"]],
    );
    assert.deepEqual(found[1]!.range, rangeOf(texts, 'pipeline/p.json', '"ds_sql"'));
    assert.match(found[1]!.message, /needs parameter 'schema', which has no default value/);
  });

  it('Execute Pipeline and triggers pass the parameters the pipeline declares', async () => {
    const child = pipeline('child', [], { parameters: { run_date: { type: 'String' } } });
    const parent = pipeline('parent', [
      activity('call', 'ExecutePipeline', {
        typeProperties: {
          pipeline: { referenceName: 'child', type: 'PipelineReference' },
          waitOnCompletion: true,
          parameters: { run_dat: '@utcNow()' },
        },
      }),
    ]);
    const trigger = {
      name: 'tr',
      properties: {
        type: 'ScheduleTrigger',
        typeProperties: {},
        pipelines: [
          {
            pipelineReference: { referenceName: 'child', type: 'PipelineReference' },
            parameters: { run_date: '@trigger().scheduledTime' },
          },
        ],
      },
    };
    const { diagnostics, texts } = await validate({
      'pipeline/child.json': child,
      'pipeline/parent.json': parent,
      'trigger/tr.json': trigger,
    });
    const found = only(diagnostics, 'LH411');
    assert.deepEqual(
      found.map(d => [d.file.endsWith('parent.json'), d.message.replace(/\(.*/, '')]),
      [[true, "Pipeline 'child' has no parameter 'run_dat' "]],
    );
    assert.match(found[0]!.message, /Did you mean 'run_date'/);
    // Not passing a parameter without a default: real factories do (it is null), so a warning.
    const { diagnostics: quiet } = await validate({
      'pipeline/child.json': child,
      'pipeline/parent.json': pipeline('parent', [
        activity('call', 'ExecutePipeline', {
          typeProperties: { pipeline: { referenceName: 'child', type: 'PipelineReference' } },
        }),
      ]),
    });
    assert.deepEqual(
      only(quiet, 'LH411').map(d => [d.severity, d.message]),
      [
        [
          'warning',
          "Pipeline 'child' needs parameter 'run_date', which has no default value and is not passed here; it is null at run time.",
        ],
      ],
    );
    assert.deepEqual(found[0]!.range, rangeOf(texts, 'pipeline/parent.json', '"run_dat"'));
  });

  it('a data flow declares its parameters in its script, so what an Execute Data Flow passes is not flagged', async () => {
    const flow = {
      name: 'df_x',
      properties: {
        type: 'MappingDataFlow',
        typeProperties: {
          sources: [],
          sinks: [],
          transformations: [],
          scriptLines: ['parameters{', '     load_date as string', '}', 'source(allowSchemaDrift: true) ~> src'],
        },
      },
    };
    const { diagnostics } = await validate({
      'dataflow/df_x.json': flow,
      'pipeline/p.json': pipeline('p', [
        activity('run flow', 'ExecuteDataFlow', {
          typeProperties: {
            dataflow: {
              referenceName: 'df_x',
              type: 'DataFlowReference',
              parameters: { load_date: expr("'@{utcNow()}'") },
            },
            compute: { coreCount: 8, computeType: 'General' },
          },
        }),
      ]),
    });
    assertNone(diagnostics);
  });

  it("a data flow's source and sink datasets get their parameters from the activity's datasetParameters, keyed by source or sink name", async () => {
    // ds_sql needs 'schema' (no default). In the data flow the dataset reference carries no
    // parameters: that is how ADF writes it, not a mistake.
    const flow = {
      name: 'df_x',
      properties: {
        type: 'MappingDataFlow',
        typeProperties: {
          sources: [{ name: 'orders', dataset: { referenceName: 'ds_sql', type: 'DatasetReference' } }],
          sinks: [{ name: 'lake', dataset: { referenceName: 'ds_sql', type: 'DatasetReference' } }],
          transformations: [],
          scriptLines: ['source() ~> orders', 'orders sink() ~> lake'],
        },
      },
    };
    const run = (datasetParameters: unknown) =>
      pipeline('p', [
        activity('run flow', 'ExecuteDataFlow', {
          typeProperties: {
            dataflow: { referenceName: 'df_x', type: 'DataFlowReference', datasetParameters },
            compute: { coreCount: 8, computeType: 'General' },
          },
        }),
      ]);
    const passed = await validate({
      'dataflow/df_x.json': flow,
      'pipeline/p.json': run({ orders: { schema: 'dbo', table: 'orders' }, lake: { schema: 'stage' } }),
    });
    assertNone(passed.diagnostics);

    const { diagnostics, texts } = await validate({
      'dataflow/df_x.json': flow,
      'pipeline/p.json': run({ order: { schema: 'dbo' }, lake: { schem: 'stage' } }),
    });
    const found = only(diagnostics, 'LH411');
    assert.deepEqual(
      found.map(d => [d.file.endsWith('p.json'), d.severity, d.message.replace(/ \(.*/, '')]),
      [
        [true, 'warning', "Data flow 'df_x' has no source or sink 'order'"],
        [true, 'error', "Dataset 'ds_sql' has no parameter 'schem'"],
        [
          true,
          'warning',
          "Dataset 'ds_sql' of source 'orders' in data flow 'df_x' needs 'schema', which has no " +
            'default value and is not passed in dataflow.datasetParameters; it is null at run time.',
        ],
      ],
    );
    assert.match(found[0]!.message, /Did you mean 'orders'/);
    assert.deepEqual(found[0]!.range, rangeOf(texts, 'pipeline/p.json', '"order"'));
    assert.equal(found[0]!.fixes?.[0]?.edits[0]?.newText, '"orders"');
    assert.deepEqual(found[1]!.range, rangeOf(texts, 'pipeline/p.json', '"schem"'));
  });

  it('a trigger that starts a pipeline that is not there', async () => {
    const trigger = {
      name: 'tr',
      properties: {
        type: 'ScheduleTrigger',
        typeProperties: {},
        pipelines: [{ pipelineReference: { referenceName: 'gone', type: 'PipelineReference' } }],
      },
    };
    const { diagnostics, texts } = await validate({ 'trigger/tr.json': trigger });
    assertOne(diagnostics, 'LH410', rangeOf(texts, 'trigger/tr.json', '"gone"'), /There is no pipeline 'gone'/);
  });
});

describe('ADF validation: expressions (LH412–LH415)', () => {
  it('a syntax error at its exact place, also after JSON escapes', async () => {
    const { diagnostics, texts } = await validate({
      'pipeline/p.json': pipeline('p', [
        activity('w', 'Wait', { typeProperties: { waitTimeInSeconds: expr("@concat('a\"b\\n\u00e9', 'c') )") } }),
      ]),
    });
    const found = only(diagnostics, 'LH412');
    assert.equal(found.length, 1, JSON.stringify(diagnostics));
    // The stray ')' is the character before the closing quote, past the escaped \", \\ and é.
    assert.deepEqual(found[0]!.range, rangeOf(texts, 'pipeline/p.json', ')"', 1, ')'));
  });

  it('an unknown function with a suggestion; a wrong argument count', async () => {
    const { diagnostics, texts } = await validate({
      'pipeline/p.json': pipeline('p', [
        activity('w', 'Wait', {
          typeProperties: { a: expr("@formatDateTim(utcnow(), 'yyyy')"), b: expr('@addDays(utcNow())') },
        }),
      ]),
    });
    const found = only(diagnostics, 'LH412');
    assert.equal(found.length, 2, JSON.stringify(found));
    assert.deepEqual(found[0]!.range, rangeOf(texts, 'pipeline/p.json', 'formatDateTim'));
    assert.match(found[0]!.message, /formatDateTime/);
    assert.match(found[1]!.message, /addDays/);
  });

  it('undeclared parameters and variables; names in another case are accepted (real pipelines rely on it)', async () => {
    const { diagnostics, texts } = await validate({
      'pipeline/p.json': pipeline(
        'p',
        [
          activity('set', 'SetVariable', {
            typeProperties: {
              variableName: 'current',
              value: expr(
                "@concat(pipeline().parameters.Load_Date, pipeline().parameters.load_dat, variables('Current'), variables('nope'))",
              ),
            },
          }),
          activity('set2', 'SetVariable', { typeProperties: { variableName: 'curent', value: 'x' } }),
        ],
        { parameters: { load_date: { type: 'String' } }, variables: { current: { type: 'String' } } },
      ),
    });
    const found = only(diagnostics, 'LH413');
    assert.deepEqual(
      found.map(d => d.message.replace(/ \(.*/, '')),
      [
        "Parameter 'load_dat' is not declared in pipeline 'p'",
        "Variable 'nope' is not declared in pipeline 'p'",
        "Variable 'curent' is not declared in pipeline 'p'",
      ],
    );
    assert.deepEqual(found[0]!.range, rangeOf(texts, 'pipeline/p.json', 'load_dat,', 1, 'load_dat'));
    assert.equal(found[0]!.fixes?.[0]?.edits[0]?.newText, 'load_date');
    assert.equal(found[2]!.fixes?.[0]?.edits[0]?.newText, '"current"');
  });

  it("dataset().X must be one of the dataset's parameters", async () => {
    const ds = {
      ...SQL_DS,
      name: 'ds2',
      properties: { ...SQL_DS.properties, typeProperties: { schema: expr('@dataset().shema') } },
    };
    const { diagnostics, texts } = await validate({ 'dataset/ds2.json': ds });
    assertOne(
      diagnostics,
      'LH413',
      rangeOf(texts, 'dataset/ds2.json', 'shema'),
      /Parameter 'shema' is not declared in dataset 'ds2'.*Did you mean 'schema'/,
    );
  });

  it('global parameters are checked against the factory file when there is one', async () => {
    const factory = { name: 'f', properties: { globalParameters: { 'GP-Int': { type: 'int', value: 1 } } } };
    const p = pipeline('p', [
      activity('w', 'Wait', {
        typeProperties: {
          waitTimeInSeconds: expr('@add(pipeline().globalParameters.GP-Int, pipeline().globalParameters.Other)'),
        },
      }),
    ]);
    const { diagnostics } = await validate({ 'factory/f.json': factory, 'pipeline/p.json': p });
    assert.deepEqual(
      only(diagnostics, 'LH413').map(d => d.message.replace(/ \(.*/, '')),
      ["Global parameter 'Other' is not declared in the factory"],
    );
    const withoutFactory = await validate({ 'pipeline/p.json': p });
    assertNone(withoutFactory.diagnostics);
    // A factory file without globalParameters: they are managed elsewhere (a deployment tool), not unknown.
    const managedElsewhere = await validate({ 'factory/f.json': { name: 'f', properties: {} }, 'pipeline/p.json': p });
    assertNone(managedElsewhere.diagnostics);
  });

  it("activity('X') must exist and run before the activity that reads it", async () => {
    const { diagnostics, texts } = await validate({
      'pipeline/p.json': pipeline('p', [
        activity('look', 'Lookup', {
          typeProperties: {
            dataset: { referenceName: 'ds_sql', type: 'DatasetReference', parameters: { schema: 'dbo' } },
          },
        }),
        activity('ok', 'Wait', {
          dependsOn: [dep('look')],
          typeProperties: { waitTimeInSeconds: expr("@activity('look').output.count") },
        }),
        activity('early', 'Wait', { typeProperties: { waitTimeInSeconds: expr("@activity('look').output.count") } }),
        activity('typo', 'Wait', {
          dependsOn: [dep('look')],
          typeProperties: { waitTimeInSeconds: expr("@activity('lok').output.count") },
        }),
      ]),
    });
    const found = only(diagnostics, 'LH414');
    assert.equal(found.length, 2, JSON.stringify(found.map(d => d.message)));
    assert.match(found[0]!.message, /activity\('look'\) is not an ancestor of 'early'/);
    assert.deepEqual(found[0]!.range, rangeOf(texts, 'pipeline/p.json', "'look').output.count", 2, 'look'));
    assert.match(found[1]!.message, /There is no activity 'lok'.*Did you mean 'look'/);
  });

  it('inside a container, the ancestors of the container count; an Until may read its own activities', async () => {
    const { diagnostics } = await validate({
      'pipeline/p.json': pipeline('p', [
        activity('look', 'Lookup', {
          typeProperties: {
            dataset: { referenceName: 'ds_sql', type: 'DatasetReference', parameters: { schema: 'dbo' } },
          },
        }),
        activity('loop', 'ForEach', {
          dependsOn: [dep('look')],
          typeProperties: {
            items: expr("@activity('look').output.value"),
            activities: [
              activity('inner', 'Wait', {
                typeProperties: { waitTimeInSeconds: expr("@add(activity('look').output.count, item().n)") },
              }),
            ],
          },
        }),
        activity('poll', 'Until', {
          typeProperties: {
            expression: expr("@equals(activity('check').output.status, 'done')"),
            activities: [activity('check', 'WebActivity', { typeProperties: { url: 'https://x', method: 'GET' } })],
          },
        }),
      ]),
    });
    assertNone(diagnostics);
  });

  it('item() outside a ForEach is an error; in a Filter condition it is the element', async () => {
    const { diagnostics, texts } = await validate({
      'pipeline/p.json': pipeline('p', [
        activity('filter', 'Filter', {
          typeProperties: { items: expr('@createArray(1, 2)'), condition: expr('@greater(item(), 1)') },
        }),
        activity('w', 'Wait', { typeProperties: { waitTimeInSeconds: expr('@item().seconds') } }),
        activity('loop', 'ForEach', {
          typeProperties: {
            items: expr('@item().list'),
            activities: [activity('in', 'Wait', { typeProperties: { waitTimeInSeconds: expr('@item()') } })],
          },
        }),
      ]),
    });
    const found = only(diagnostics, 'LH415');
    assert.equal(found.length, 2, JSON.stringify(found));
    assert.deepEqual(found[0]!.range, rangeOf(texts, 'pipeline/p.json', 'item().seconds', 1, 'item()'));
    assert.deepEqual(found[1]!.range, rangeOf(texts, 'pipeline/p.json', 'item().list', 1, 'item()'));
  });

  it('plain literals with @ (e-mail addresses) and escaped @@ are not expressions', async () => {
    const { diagnostics } = await validate({
      'pipeline/p.json': pipeline('p', [
        activity('mail', 'WebActivity', {
          typeProperties: { url: 'https://x', method: 'POST', body: 'to user@example.com', b: '@@notAnExpression(' },
        }),
      ]),
    });
    assertNone(diagnostics);
  });
});

describe('ADF validation: deactivated activities', () => {
  // ADF excludes an activity with "state": "Inactive" from validation and never runs it; its
  // required fields may be missing and its expressions left over from an earlier design.
  const inactive = (a: Json, markAs = 'Succeeded'): Json => ({ ...a, state: 'Inactive', onInactiveMarkAs: markAs });

  it('their shape, expressions and variables are not checked; nested activities of a deactivated container neither', async () => {
    const { diagnostics } = await validate({
      'pipeline/p.json': pipeline('p', [
        activity('start', 'Wait', { typeProperties: { waitTimeInSeconds: 1 } }),
        inactive(
          activity('old copy', 'Copy', {
            dependsOn: [dep('start')],
            typeProperties: {
              source: {
                type: 'AzureSqlSource',
                sqlReaderQuery: expr(
                  "@concat(item().t, activity('gone').output.x, variables('gone'), pipeline().parameters.gone, nope(1))",
                ),
              },
            },
          }),
        ),
        inactive(
          activity('old set', 'SetVariable', { typeProperties: { variableName: 'undeclared', value: 'x' } }),
          'Skipped',
        ),
        inactive(activity('old loop', 'ForEach'), 'Failed'),
        {
          ...activity('branch', 'IfCondition', {
            typeProperties: {
              expression: expr('@equals(item().kind, 1)'),
              ifTrueActivities: [
                activity('inner', 'SetVariable', {
                  typeProperties: { variableName: 'other', value: expr("@activity('elsewhere').output") },
                }),
              ],
            },
          }),
          state: 'InActive',
          onInactiveMarkAs: 'Succeeded',
        },
      ]),
    });
    assertNone(diagnostics);
  });

  it('a reference one of them makes that does not resolve is a warning, not an error', async () => {
    const { diagnostics, texts } = await validate({
      'pipeline/p.json': pipeline('p', [
        inactive(
          activity('old lookup', 'Lookup', {
            typeProperties: { dataset: { referenceName: 'ds_removed', type: 'DatasetReference' } },
          }),
        ),
        inactive(
          activity('old call', 'ExecutePipeline', {
            typeProperties: {
              pipeline: { referenceName: 'child', type: 'PipelineReference' },
              parameters: { tabl: 'x' },
            },
          }),
        ),
      ]),
      'pipeline/child.json': pipeline('child', [], { parameters: { table: { type: 'string' } } }),
    });
    assertOne(
      diagnostics,
      'LH410',
      rangeOf(texts, 'pipeline/p.json', '"ds_removed"'),
      /no dataset 'ds_removed'.*deactivated/,
      'warning',
    );
    // A near miss of a declared parameter is an error in an active activity (see above), a warning here.
    assertOne(
      diagnostics,
      'LH411',
      rangeOf(texts, 'pipeline/p.json', '"tabl"'),
      /no parameter 'tabl'.*Did you mean 'table'/,
      'warning',
    );
    assert.equal(diagnostics.filter(d => d.severity === 'error').length, 0);
  });

  it('an active activity is still checked, and so are the dependencies of a deactivated one', async () => {
    const { diagnostics, texts } = await validate({
      'pipeline/p.json': pipeline('p', [
        inactive(activity('off', 'Wait', { dependsOn: [dep('renamed')], typeProperties: { waitTimeInSeconds: 1 } })),
        activity('on', 'SetVariable', { typeProperties: { variableName: 'undeclared', value: 'x' } }),
        activity('on too', 'Lookup', {
          typeProperties: { dataset: { referenceName: 'ds_removed', type: 'DatasetReference' } },
        }),
      ]),
    });
    assertOne(diagnostics, 'LH407', rangeOf(texts, 'pipeline/p.json', '"renamed"'), /depends on 'renamed'/);
    assertOne(
      diagnostics,
      'LH413',
      rangeOf(texts, 'pipeline/p.json', '"undeclared"'),
      /Variable 'undeclared' is not declared/,
    );
    assertOne(
      diagnostics,
      'LH410',
      rangeOf(texts, 'pipeline/p.json', '"ds_removed"'),
      /no dataset 'ds_removed'/,
      'error',
    );
  });
});

describe('ADF validation: service limits (LH416)', () => {
  it('81 activities warn, 121 are an error, nested ones included', async () => {
    const waits = (n: number) =>
      Array.from({ length: n }, (_, i) => activity(`w${i}`, 'Wait', { typeProperties: { waitTimeInSeconds: 1 } }));
    const warn = await validate({
      'pipeline/p.json': pipeline('p', [
        ...waits(70),
        activity('loop', 'ForEach', {
          typeProperties: {
            items: expr('@createArray(1)'),
            activities: waits(10).map(a => ({ ...a, name: `in_${a.name as string}` })),
          },
        }),
      ]),
    });
    const d = assertOne(
      warn.diagnostics,
      'LH416',
      rangeOf(warn.texts, 'pipeline/p.json', '"activities"'),
      /81 activities/,
      'warning',
    );
    assert.match(d.message, /recommends at most 80/);
    const error = await validate({ 'pipeline/p.json': pipeline('p', waits(121)) });
    assertOne(
      error.diagnostics,
      'LH416',
      rangeOf(error.texts, 'pipeline/p.json', '"activities"'),
      /121 activities/,
      'error',
    );
    const fine = await validate({ 'pipeline/p.json': pipeline('p', waits(80)) });
    assertNone(fine.diagnostics);
  });

  it('51 parameters, batchCount 51, an expression of 8,193 characters', async () => {
    const parameters = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`p${i}`, { type: 'String' }]));
    const long = `@concat('${'x'.repeat(8200)}')`;
    const { diagnostics, texts } = await validate({
      'pipeline/p.json': pipeline(
        'p',
        [
          activity('loop', 'ForEach', {
            typeProperties: {
              items: expr('@createArray(1)'),
              batchCount: 51,
              activities: [activity('w', 'Wait', { typeProperties: { waitTimeInSeconds: expr(long) } })],
            },
          }),
        ],
        { parameters },
      ),
    });
    const found = only(diagnostics, 'LH416');
    assert.deepEqual(
      found.map(d => d.message.slice(0, 40)),
      [
        "Pipeline 'p' declares 51 parameters; Dat",
        'batchCount is 51; a ForEach runs at most',
        'This expression is 8,211 characters long',
      ],
    );
    assert.deepEqual(found[1]!.range, rangeOf(texts, 'pipeline/p.json', '51'));
  });

  it('an activity name of 56 characters; 55 is fine', async () => {
    const long = `w${'x'.repeat(55)}`;
    const { diagnostics, texts } = await validate({
      'pipeline/p.json': pipeline('p', [
        activity(long, 'Wait', { typeProperties: { waitTimeInSeconds: 1 } }),
        activity(long.slice(1), 'Wait', { typeProperties: { waitTimeInSeconds: 1 } }),
      ]),
    });
    assertOne(
      diagnostics,
      'LH416',
      rangeOf(texts, 'pipeline/p.json', `"${long}"`),
      /is 56 characters long; Data Factory accepts at most 55/,
    );
  });

  it('a 300 KB pipeline: one limit diagnostic, no crash', async () => {
    const activities = Array.from({ length: 60 }, (_, i) =>
      activity(`w${i}`, 'Wait', { description: 'd'.repeat(5000), typeProperties: { waitTimeInSeconds: 1 } }),
    );
    const { diagnostics } = await validate({ 'pipeline/p.json': pipeline('p', activities) });
    const found = only(diagnostics, 'LH416');
    assert.equal(found.length, 1);
    assert.match(
      found[0]!.message,
      /Pipeline 'p' is 30\d KB as JSON without indentation; Data Factory accepts pipelines of at most 200 KB/,
    );
  });

  it("the size limit is the object's, not the indented file's: a file over 250 KB of which 60 KB is JSON is fine", async () => {
    const userProperties = Array.from({ length: 1500 }, (_, i) => ({ name: `n${i}`, value: 'v' }));
    const text = JSON.stringify(
      pipeline('p', [activity('w', 'Wait', { userProperties, typeProperties: { waitTimeInSeconds: 1 } })]),
      null,
      ' '.repeat(10),
    ); // wide indentation
    assert.ok(text.length > 250 * 1024 && JSON.stringify(JSON.parse(text)).length < 200 * 1024, `${text.length} bytes`);
    const { diagnostics } = await validate({ 'pipeline/p.json': text });
    assertNone(diagnostics, 'LH416');
  });
});

describe('ADF validation: bad input', () => {
  it('malformed JSON, an unknown artifact shape, a missing reference: precise diagnostics, no crash', async () => {
    const { diagnostics } = await validate({
      'pipeline/broken.json': '{ "name": "broken", "properties": { "activities": [ } }',
      'pipeline/array.json': '[1, 2]',
      'trigger/t.json': studio({
        name: 't',
        properties: {
          type: 'ScheduleTrigger',
          pipelines: [{ pipelineReference: { referenceName: 'missing', type: 'PipelineReference' } }],
        },
      }),
      'linkedService/odd.json': studio({ name: 'odd', properties: { type: 42 } }),
    });
    assert.deepEqual([...new Set(diagnostics.map(d => d.code))].sort(), ['LH402', 'LH403', 'LH405', 'LH410']);
  });
});

describe('ADF validation: files ADF Studio commits', () => {
  it('managedVirtualNetwork/default.json without properties is not flagged', async () => {
    const { diagnostics } = await validate({
      'managedVirtualNetwork/default.json': {
        name: 'default',
        type: 'Microsoft.DataFactory/factories/managedvirtualnetworks',
      },
    });
    assertNone(diagnostics);
  });
});

describe('ADF validation: the revalidation cache', () => {
  it('gives the same diagnostics as a fresh validation after an edit to a referenced file', async () => {
    const host = new MemoryHost({
      [path.join(ROOT, 'linkedService/ls_sql.json')]: studio(SQL_LS),
      [path.join(ROOT, 'dataset/ds_sql.json')]: studio(SQL_DS),
      [path.join(ROOT, 'pipeline/p.json')]: studio(
        pipeline('p', [
          activity('look', 'Lookup', {
            typeProperties: {
              dataset: { referenceName: 'ds_sql', type: 'DatasetReference', parameters: { schema: 'dbo' } },
            },
          }),
        ]),
      ),
    });
    const cache = new AdfValidationCache();
    const first = await readAdfFolder(host, ROOT);
    assert.ok(first.status === 'ok');
    assert.deepEqual(cache.validate(first.factory), []);
    // The dataset loses its 'schema' parameter: the (unchanged) pipeline now passes an unknown one.
    const ds = structuredClone(SQL_DS) as { properties: { parameters: Record<string, unknown> } };
    delete ds.properties.parameters.schema;
    host.write(path.join(ROOT, 'dataset/ds_sql.json'), studio(ds));
    const second = await readAdfFolder(host, ROOT);
    assert.ok(second.status === 'ok');
    const cached = cache.validate(second.factory);
    assert.deepEqual(cached, validateAdfFolder(second.factory));
    assert.ok(
      cached.some(d => d.code === 'LH411'),
      JSON.stringify(cached),
    );
  });
});

describe('ADF validation: no false positives on real factories', () => {
  it('the reference project and ten ADF Studio factories: zero errors', async t => {
    if (!hasSharedFixtures()) return t.skip(SHARED_MISSING);
    const roots = [REFERENCE_ADF, ...findAdfRoots(REAL_WORLD_ADF)];
    assert.ok(roots.length >= 11, `found ${roots.length} factories`);
    let files = 0;
    const problems: string[] = [];
    const warnings: string[] = [];
    for (const root of roots) {
      const result = await readAdfFolder(new NodeFileHost(), root);
      assert.equal(result.status, 'ok', root);
      if (result.status !== 'ok') continue;
      files += result.factory.files.length;
      for (const d of [...result.factory.files.flatMap(f => f.diagnostics), ...validateAdfFolder(result.factory)]) {
        const line = `${path.relative(REAL_WORLD_ADF, d.file)}:${d.range.start.line + 1} ${d.code} ${d.message}`;
        (d.severity === 'error' ? problems : warnings).push(line);
      }
    }
    assert.ok(files >= 500, `read ${files} files`);
    assert.deepEqual(problems, []);
    t.diagnostic(`${files} files, ${warnings.length} warnings${warnings.length ? `:\n${warnings.join('\n')}` : ''}`);
  });
});

describe('lakehouse validate on an ADF folder without lakehouse.yaml', () => {
  it('checks the factory on its own and exits 1 on errors', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-adf-'));
    try {
      fs.mkdirSync(path.join(dir, 'pipeline'));
      fs.writeFileSync(
        path.join(dir, 'pipeline', 'p.json'),
        studio(pipeline('p', [activity('a', 'Wait'), activity('b', 'Wait', { dependsOn: [dep('c')] })])),
      );
      const result = await lakehouse(['validate', dir], dir);
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.match(result.stdout, /pipeline[\\/]p\.json:\d+:\d+: error LH407 /);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('lakehouse validate in a repository whose Data Factory folders are in subfolders', () => {
  it('finds and checks each of them', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-repo-'));
    try {
      const adf = path.join(dir, 'infra', 'adf');
      for (const f of ['pipeline', 'linkedService']) fs.mkdirSync(path.join(adf, f), { recursive: true });
      fs.writeFileSync(
        path.join(adf, 'linkedService', 'ls.json'),
        studio({ name: 'ls', properties: { type: 'AzureBlobFS', typeProperties: { url: 'https://x' } } }),
      );
      fs.writeFileSync(
        path.join(adf, 'pipeline', 'p.json'),
        studio(
          pipeline('p', [
            activity('w', 'Wait', { typeProperties: { waitTimeInSeconds: expr('@pipeline().parameters.missing') } }),
          ]),
        ),
      );
      fs.mkdirSync(path.join(dir, 'node_modules', 'x', 'pipeline'), { recursive: true }); // never searched
      const result = await lakehouse(['validate', dir], dir);
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.match(result.stdout, /^infra[\\/]adf[\\/]pipeline[\\/]p\.json:\d+:\d+: error LH413 Parameter 'missing'/m);
      assert.match(result.stdout, /1 error\(s\), 0 warning\(s\), 0 info in 2 file\(s\)/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('on the ten real-world factories: no errors', async t => {
    if (!hasSharedFixtures()) return t.skip(SHARED_MISSING);
    const result = await lakehouse(['validate', REAL_WORLD_ADF], REAL_WORLD_ADF);
    assert.equal(result.code, 0, result.stdout.slice(-2000));
    assert.match(result.stdout, /0 error\(s\), \d+ warning\(s\), 0 info in \d{3} file\(s\)/);
  });
});

function findAdfRoots(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    const names = fs.readdirSync(d);
    if (names.includes('pipeline') || names.includes('dataset') || names.includes('linkedService')) {
      out.push(d);
      return;
    }
    for (const n of names) if (fs.statSync(path.join(d, n)).isDirectory()) walk(path.join(d, n));
  };
  walk(dir);
  return out;
}
