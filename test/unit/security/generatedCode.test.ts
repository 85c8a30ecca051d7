// Issue 9, finding 2: names and descriptions from the metadata written into generated code must
// stay data. The built-in templates render the sample with hostile (but valid, or only warned
// about) values; Python then parses every notebook, and its syntax tree may hold no import and no
// call but the template's own.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, it } from 'node:test';
import { NodeFileHost } from '../../../src/core/files/nodeFileHost';
import { ProjectSession } from '../../../src/core/project/projectSession';
import { findBuiltinTemplatesDir } from '../../../src/core/rendering/builtinTemplates';
import { planRenders } from '../../../src/core/rendering/plan';
import { createJobRenderer, renderJobs } from '../../../src/core/rendering/run';
import { SAMPLE_DIR } from '../helpers/paths';
import { NO_PYTHON_ENV, PYTHON, PYTHON_PROVISIONED } from '../helpers/python';

const INJECTION = 'x"; import os; os.system(\'id\'); y="';

/** The sample with hostile values in every free-text place a template writes. */
async function hostileSample() {
  const root = path.join(SAMPLE_DIR, 'lakehouse.yaml');
  const star = path.join(SAMPLE_DIR, 'metadata', 'star-schema.lakehouse.yaml');
  const session = new ProjectSession(root, new NodeFileHost());
  const rootText = fs
    .readFileSync(root, 'utf8')
    .replace(
      '          - { name: country, type: nvarchar(100) }\n',
      `          - { name: country, type: nvarchar(100) }\n          - { name: ` +
        `${JSON.stringify(INJECTION)}, type: nvarchar(10) }\n          - { name: "it's \\\\ ` +
        `back\`tick", type: nvarchar(10) }\n`,
    );
  const starText = fs
    .readFileSync(star, 'utf8')
    .replace(
      'trackedColumns: [user_name, country, subscription_type]',
      `trackedColumns: [user_name, country, ${JSON.stringify(INJECTION)}, "it's \\\\ ` +
        `back\`tick"]\n      description: "Users\\nimport os; os.system('id')\\n# and more"`,
    )
    .replace(
      '      grain: [stream_id]',
      `      grain: [stream_id]\n      description: "Streams\\r\\nos.system('id')\\u2028x"`,
    );
  assert.notEqual(rootText, fs.readFileSync(root, 'utf8'));
  assert.notEqual(starText, fs.readFileSync(star, 'utf8'));
  session.setOverlay(root, rootText);
  session.setOverlay(star, starText);
  return session.load();
}

const AST_CHECK = String.raw`
import ast, json, sys
allowed_imports = {"dlt", "pyspark", "pyspark.sql", "pyspark.sql.functions", "pyspark.sql.window", "delta.tables"}
report = {}
for path in sys.argv[1:]:
    tree = ast.parse(open(path, encoding="utf-8").read(), path)
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            problems += [a.name for a in node.names if a.name not in allowed_imports]
        elif isinstance(node, ast.ImportFrom) and node.module not in allowed_imports:
            problems.append(node.module)
        elif isinstance(node, ast.Attribute) and node.attr == "system":
            problems.append("os.system")
        elif isinstance(node, ast.Name) and node.id == "os":
            problems.append("os")
    report[path] = problems
print(json.dumps(report))
`;

describe('generated code keeps names as data (issue 9, finding 2)', () => {
  it('hostile column names and descriptions become string literals and comments, never code', async t => {
    const python = spawnSync(PYTHON, ['--version']);
    if (python.error || python.status !== 0) {
      if (PYTHON_PROVISIONED) assert.fail(`LAKEHOUSE_PYTHON=${PYTHON} does not run`);
      return t.skip(NO_PYTHON_ENV);
    }
    const snapshot = await hostileSample();
    const errors = [...snapshot.diagnostics.values()].flat().filter(d => d.severity === 'error');
    assert.deepEqual(
      errors.map(d => `${d.code} ${d.message}`),
      [],
      'the hostile values are valid metadata (a column name with spaces is a warning)',
    );
    const warnings = [...snapshot.diagnostics.values()].flat().filter(d => d.code === 'LH603');
    assert.ok(
      warnings.some(w => /Delta table refuses it unless column mapping/.test(w.message)),
      'Delta would refuse the name: said as a warning',
    );

    const jobs = planRenders(snapshot, { builtinTemplatesDir: findBuiltinTemplatesDir()! });
    const renderer = createJobRenderer({ workerPath: null });
    const outcomes = await renderJobs(jobs, renderer);
    renderer.dispose();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lakehouse-hostile-code-'));
    try {
      const files = outcomes.map(({ job, result }, i) => {
        assert.ok(result.ok, `${job.id}: ${result.ok ? '' : result.error.message}`);
        const file = path.join(dir, `${i}_${path.basename(job.outputFile)}`);
        fs.writeFileSync(file, result.text);
        return file;
      });
      const dimUser = fs.readFileSync(
        files[outcomes.findIndex(o => o.job.id.startsWith('dimension:dim_user:gold/dimension'))]!,
        'utf8',
      );
      assert.match(
        dimUser,
        /track_history_column_list=\['user_name', 'country', 'x"; import os; os\.system\(\\'id\\'\); y="', "it's \\\\ back`tick"\]/,
      );
      assert.match(
        dimUser,
        /^# Gold dimension dim_user: SCD Type 2 from dbo\.DimUser \(Users import os; os\.system\('id'\) # and more\)\.$/m,
        'the description stays in its comment line',
      );
      const check = spawnSync(PYTHON, ['-c', AST_CHECK, ...files], { encoding: 'utf8' });
      assert.equal(check.status, 0, check.stderr);
      const report = JSON.parse(check.stdout) as Record<string, string[]>;
      for (const [file, problems] of Object.entries(report)) assert.deepEqual(problems, [], path.basename(file));
      assert.equal(Object.keys(report).length, jobs.length);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
