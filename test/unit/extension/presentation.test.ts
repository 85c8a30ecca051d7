// The extension layer's logic that needs no VS Code host: how previews are named, what the status
// bar says, and what Generate ADF Artifacts asks before it writes.
import * as assert from 'assert';
import { test } from 'node:test';
import { describeGeneration, statusText } from '../../../src/extension/presentation/generation';
import {
  adfPreviewFileName,
  embeddedPreviewFileName,
  safeTitlePart,
  statusBarText,
  statusBarTooltip,
  templatePreviewFileName,
} from '../../../src/extension/presentation/names';

test('a template preview is named by its output, template, binding and environment, and keeps the language extension', () => {
  const name = templatePreviewFileName({
    outputFile: '/p/databricks/src/gold/dim_user.py',
    templateFile: '/ext/templates/gold/dimension.py.j2',
    binding: { kind: 'dimension', name: 'dim_user' },
    environment: 'dev',
  });
  assert.strictEqual(name, 'dim_user (dimension.py.j2 · dimension dim_user · dev).py');
  assert.ok(name.endsWith('.py'), 'highlighted as Python');
  assert.notStrictEqual(name, 'dim_user.py', 'never the real file name');
});

test('names from metadata cannot add path segments or control characters to a preview title', () => {
  const name = templatePreviewFileName({
    outputFile: '/p/out/x.sql',
    templateFile: '/p/t/a.sql.j2',
    binding: { kind: 'table', name: 'db/../../etc\u0000passwd\nx' },
    environment: 'prod/../x',
  });
  assert.ok(!name.includes('/') && !name.includes('\\'), name);
  // eslint-disable-next-line no-control-regex -- the point of the check
  assert.ok(!/[\u0000-\u001f]/.test(name), name);
  assert.strictEqual(safeTitlePart('x'.repeat(100)).length, 60);
  assert.strictEqual(embeddedPreviewFileName('/p/nb/star_join.py', ''), 'star_join.template (embedded).sql');
  assert.strictEqual(adfPreviewFileName('pl_ingest', 'prod'), 'pl_ingest (generated · prod).json');
  assert.strictEqual(adfPreviewFileName('pl_ingest', undefined), 'pl_ingest (generated).json');
});

test('the status bar names the environment, marks a protected one, counts problems and what is out of date', () => {
  assert.strictEqual(
    statusBarText({ project: 'spotify', environment: 'dev', errors: 0, warnings: 0 }),
    '$(server-environment) dev $(check)',
  );
  assert.strictEqual(
    statusBarText({
      project: 'spotify',
      environment: 'prod',
      protected: true,
      errors: 2,
      warnings: 1,
      outOfDate: 3,
      stale: true,
    }),
    '$(server-environment) prod $(lock) $(error) 2 $(warning) 1 $(sync) 3 $(history)',
  );
  const tooltip = statusBarTooltip({
    project: 'spotify',
    environment: 'prod',
    protected: true,
    errors: 1,
    warnings: 0,
    outOfDate: 0,
  });
  assert.match(tooltip, /Environment: \*\*prod\*\* \(protected/);
  assert.match(tooltip, /1 error, 0 warnings/);
  assert.match(tooltip, /up to date/);
  assert.match(statusBarText({ project: 'p', errors: 0, warnings: 0 }), /no environment/);
});

test('Generate describes each change before writing, and names the hand edits it would overwrite', () => {
  const d = describeGeneration([
    {
      project: 'lakehouse.yaml',
      environment: 'prod',
      protected: true,
      files: [
        { file: 'adf/pipeline/pl_a.json', status: 'update' },
        { file: 'adf/pipeline/pl_b.json', status: 'create' },
        { file: 'adf/linkedService/ls.json', status: 'conflict', conflict: 'properties.url was edited by hand' },
        { file: 'adf/dataset/ds.json', status: 'unchanged' },
      ],
    },
  ]);
  assert.strictEqual(
    d.message,
    'Generate ADF artifacts for environment prod (protected: prod)? 1 to create, 1 to update, 1 edited by hand.',
  );
  assert.deepStrictEqual(d.protected, ['prod']);
  assert.strictEqual(d.writeLabel, 'Overwrite 1 Hand Edit and Write 3 Files');
  const lines = d.detail.split('\n');
  assert.deepStrictEqual(lines.slice(0, 3), [
    '~ adf/pipeline/pl_a.json',
    '+ adf/pipeline/pl_b.json',
    '! adf/linkedService/ls.json',
  ]);
  assert.match(d.detail, /properties\.url was edited by hand/);
  assert.match(d.detail, /1 file up to date, not written\./);

  const many = describeGeneration([
    {
      project: 'a/lakehouse.yaml',
      environment: 'dev',
      protected: false,
      files: Array.from({ length: 20 }, (_, i) => ({ file: `f${i}.json`, status: 'create' as const })),
    },
    {
      project: 'b/lakehouse.yaml',
      environment: 'test',
      protected: false,
      files: [{ file: 'g.json', status: 'update' }],
    },
  ]);
  assert.match(many.message, /^Generate ADF artifacts for environments dev, test\? 20 to create, 1 to update\.$/);
  assert.strictEqual(many.writeLabel, 'Write 21 Files');
  assert.match(many.detail, /^\+ a\/lakehouse\.yaml: f0\.json/);
  assert.match(many.detail, /…and 9 more/);
  assert.deepStrictEqual(many.protected, []);
  assert.strictEqual(statusText('conflict'), 'edited by hand');
});
