// samples/spotify/databricks/databricks.yml checked by the real Databricks CLI (`databricks bundle
// validate`), and what that CLI enforces, recorded on small bundles, so that the project's own checks
// can mirror it. The CLI is built from source by scripts/provision-databricks-cli.sh; it talks to a
// loopback stand-in for the workspace (test/bundle/workspaceStub.ts). Without the CLI, every test
// here skips and says how to provision it.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import Ajv2020 from 'ajv/dist/2020';
import { parse as parseYaml } from 'yaml';
import {
  REPO_ROOT,
  bundleTargets,
  bundleValidate,
  copyBundle,
  describeRun,
  hostName,
  needDatabricksCli,
  runCli,
  writeBundle,
  type ValidateResult,
} from '../../bundle/databricksCli';
import {
  DEFAULT_USER,
  hasOpenssl,
  startWorkspaceStub,
  type StubUser,
  type WorkspaceStub,
  type WorkspaceStubOptions,
} from '../../bundle/workspaceStub';

const SAMPLE_BUNDLE = path.join(REPO_ROOT, 'samples', 'spotify', 'databricks');
const SAMPLE_YML = path.join(SAMPLE_BUNDLE, 'databricks.yml');
const NO_OPENSSL = 'openssl not found (apt-get install openssl): the workspace stub makes its TLS certificate with it';
const HOST = 'adb-3333333333333333.3.azuredatabricks.net';
const USER = DEFAULT_USER.userName; // lakehouse.tester@example.com
const SHORT = 'lakehouse_tester'; // the CLI's short_name of that user
const NOTEBOOK = '# Databricks notebook source\nimport dlt\n';
const USERS_ROOT = '/Workspace/Users/${workspace.current_user.userName}/.bundle/${bundle.name}/${bundle.target}';
const SHARED_ROOT = '/Workspace/Shared/.bundle/${bundle.name}/${bundle.target}';

interface Run extends ValidateResult {
  stub: WorkspaceStub;
}

/** The CLI and openssl, or undefined after skipping the test. */
function prerequisites(t: TestContext): string | undefined {
  const cli = needDatabricksCli(t);
  if (!cli) return undefined;
  if (!hasOpenssl()) {
    t.skip(NO_OPENSSL);
    return undefined;
  }
  return cli;
}

/** Validates a bundle folder against a new stub; checks the CLI talked to nothing else. */
async function validateDir(
  t: TestContext,
  cli: string,
  dir: string,
  target: string | undefined,
  stubOptions: WorkspaceStubOptions,
  extra: string[] = [],
): Promise<Run> {
  assert.ok(
    !path.resolve(dir).startsWith(path.join(REPO_ROOT, 'samples')),
    'never validate in samples/: validate writes .databricks/ into the bundle',
  );
  const stub = await startWorkspaceStub(stubOptions);
  try {
    const result = await bundleValidate(cli, dir, target, stub, extra);
    t.diagnostic(`databricks bundle validate${target ? ` -t ${target}` : ''}: ${describeRun(result)}`);
    assert.deepEqual(stub.refusedTunnels, [], 'the CLI tried to reach a host the stub does not serve');
    const unhandled = stub.requests.filter(r => !r.handled).map(r => `${r.method} ${r.path}`);
    assert.deepEqual(
      unhandled,
      [],
      `the CLI called workspace APIs the stub does not know (a new CLI release?):\n${result.stderr}`,
    );
    assert.ok(!/ 401 |UNAUTHENTICATED/.test(result.stderr), `authentication failed:\n${result.stderr}`);
    return { ...result, stub };
  } finally {
    await stub.close();
  }
}

/** Validates a bundle written by the test (databricks.yml + a notebook) in a temp folder. */
async function validate(
  t: TestContext,
  yml: string,
  more: Record<string, string> = {},
  stubOptions: Partial<WorkspaceStubOptions> = {},
): Promise<Run | undefined> {
  const cli = prerequisites(t);
  if (!cli) return undefined;
  const dir = writeBundle({ 'databricks.yml': yml, 'src/gold/dim_user.py': NOTEBOOK, ...more });
  try {
    return await validateDir(t, cli, dir, undefined, { hosts: [HOST], ...stubOptions });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const summaries = (r: ValidateResult, severity?: string): string[] =>
  r.diagnostics.filter(d => !severity || d.severity === severity).map(d => `${d.severity}: ${d.summary}`);

/** A bundle with the gold pipeline; `pipelineExtra` is indented under the pipeline, `top` at the top level. */
function bundle({
  mode,
  rootPath,
  notebook = 'src/gold/dim_user.py',
  pipelineExtra = '',
  resourcesExtra = '',
  top = '',
}: {
  mode?: string;
  rootPath?: string;
  notebook?: string;
  pipelineExtra?: string;
  resourcesExtra?: string;
  top?: string;
}): string {
  return `bundle:
  name: b
resources:
  pipelines:
    gold:
      name: gold
      catalog: main
      schema: gold
      serverless: true
      libraries:
        - notebook:
            path: ${notebook}
${pipelineExtra}${resourcesExtra}${top}
targets:
  t:
    default: true
${mode ? `    mode: ${mode}\n` : ''}    workspace:
      host: https://${HOST}
${rootPath ? `      root_path: ${rootPath}\n` : ''}`;
}

const pipeline = (r: ValidateResult): Record<string, unknown> =>
  (r.config?.resources as Record<string, Record<string, Record<string, unknown>>>)?.pipelines?.gold ?? {};

// -------------------------------------------------------------------------------------------------
describe('databricks bundle validate: samples/spotify/databricks/databricks.yml', () => {
  const targets = fs.existsSync(SAMPLE_YML) ? bundleTargets(fs.readFileSync(SAMPLE_YML, 'utf8')) : [];

  it('has targets, each with a workspace host', () => {
    assert.ok(targets.length > 0, `${SAMPLE_YML} declares no targets`);
    for (const target of targets) assert.ok(target.host, `target ${target.name} has no workspace.host`);
  });

  for (const target of targets) {
    it(`target ${target.name} validates without errors`, async t => {
      const cli = prerequisites(t);
      if (!cli) return;
      // a copy: validate writes .databricks/ into the bundle root
      const dir = copyBundle(SAMPLE_BUNDLE);
      try {
        const check = async (user: StubUser | undefined, who: string): Promise<ValidateResult> => {
          const r = await validateDir(t, cli, dir, target.name, {
            hosts: [hostName(target.host!)],
            ...(user ? { user } : {}),
          });
          t.diagnostic(`deployed by ${who}`);
          assert.deepEqual(
            summaries(r, 'Error'),
            [],
            `databricks bundle validate -t ${target.name} (deployed by ${who}) rejects ${path.relative(REPO_ROOT, SAMPLE_YML)}:\n${r.stderr}`,
          );
          assert.equal(r.exitCode, 0, r.stderr);
          // what a deploy would then get: every library of every pipeline resolved under the bundle's files
          const pipelines =
            (r.config?.resources as { pipelines?: Record<string, { libraries?: { notebook?: { path: string } }[] }> })
              ?.pipelines ?? {};
          const root = (r.config?.workspace as { root_path?: string })?.root_path ?? '';
          for (const [key, p] of Object.entries(pipelines)) {
            for (const lib of p.libraries ?? []) {
              if (lib.notebook)
                assert.ok(
                  lib.notebook.path.startsWith(`${root}/files/`),
                  `${key}: ${lib.notebook.path} is not under ${root}/files`,
                );
            }
          }
          return r;
        };
        const r = await check(undefined, `a user (${USER})`);
        // A target that runs as a service principal is deployed by it: check that deployment too.
        const runAs = (r.config?.run_as as { service_principal_name?: string } | undefined)?.service_principal_name;
        if (runAs && !runAs.includes('${'))
          await check(
            { userName: runAs, displayName: 'deploying service principal', groups: [] },
            `its run_as service principal (${runAs})`,
          );
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

// -------------------------------------------------------------------------------------------------
describe('what databricks bundle validate enforces (small bundles in a temp folder)', () => {
  it('talks only to the stub, with PAT auth: host metadata, SCIM Me, workspace get-status / mkdirs', async t => {
    const r = await validate(t, bundle({ mode: 'production', rootPath: USERS_ROOT }));
    if (!r) return;
    assert.equal(r.exitCode, 0, r.stderr);
    assert.deepEqual(
      r.stub.requests.map(
        q =>
          `${q.status} ${q.method} ${q.path}${q.method === 'GET' && q.path.endsWith('get-status') ? ` ${new URLSearchParams(q.query).get('path')}` : ''}`,
      ),
      [
        '200 GET /.well-known/databricks-config',
        '200 GET /api/2.0/preview/scim/v2/Me',
        `404 GET /api/2.0/workspace/get-status /Workspace/Users/${USER}/.bundle/b/t/files`,
        '200 POST /api/2.0/workspace/mkdirs',
        `200 GET /api/2.0/workspace/get-status /Workspace/Users/${USER}/.bundle/b/t/files`,
      ],
    );
    assert.ok(r.stub.requests.every(q => q.host === HOST));
  });

  describe('mode: development', () => {
    it('rejects a shared root_path (one without the user name)', async t => {
      const r = await validate(t, bundle({ mode: 'development', rootPath: SHARED_ROOT }));
      if (!r) return;
      assert.deepEqual(summaries(r), [
        "Error: root_path must start with '~/' or contain the current username to ensure uniqueness when using 'mode: development'",
      ]);
      assert.deepEqual(r.errors[0]!.locations, [], 'the CLI gives this error no file location');
      assert.equal(r.exitCode, 1);
      // it stops before touching the workspace's files
      assert.deepEqual(
        r.stub.requests.map(q => q.path),
        ['/.well-known/databricks-config', '/api/2.0/preview/scim/v2/Me'],
      );
    });

    it('accepts root_path under /Workspace/Users/${workspace.current_user.userName}/…, and prefixes names with the user', async t => {
      const r = await validate(t, bundle({ mode: 'development', rootPath: USERS_ROOT }));
      if (!r) return;
      assert.deepEqual(summaries(r), []);
      assert.equal(r.exitCode, 0, r.stderr);
      assert.equal((r.config?.workspace as { root_path?: string }).root_path, `/Workspace/Users/${USER}/.bundle/b/t`);
      assert.equal(pipeline(r).name, `[dev ${SHORT}] gold`);
      assert.equal(pipeline(r).development, true);
    });

    it("prefixes the names of schema resources with dev_<short_name>_ (a pipeline's ${resources.schemas…} follows at deploy)", async t => {
      const schemas =
        '  schemas:\n    silver:\n      catalog_name: main\n      name: silver\n    gold_schema:\n      catalog_name: main\n      name: gold\n';
      const r = await validate(
        t,
        bundle({ mode: 'development', rootPath: USERS_ROOT, resourcesExtra: schemas }).replace(
          'schema: gold',
          'schema: ${resources.schemas.gold_schema.name}',
        ),
      );
      if (!r) return;
      assert.deepEqual(summaries(r), []);
      const schemaNames = Object.values(
        (r.config?.resources as { schemas: Record<string, { name: string }> }).schemas,
      ).map(x => x.name);
      assert.deepEqual(schemaNames.sort(), [`dev_${SHORT}_gold`, `dev_${SHORT}_silver`]);
      assert.equal(pipeline(r).schema, '${resources.schemas.gold_schema.name}');
    });

    it('accepts a shared root that contains ${workspace.current_user.short_name} (warning: writable by all users)', async t => {
      const r = await validate(
        t,
        bundle({
          mode: 'development',
          rootPath: '/Workspace/Shared/.bundle/${bundle.name}/${workspace.current_user.short_name}/${bundle.target}',
        }),
      );
      if (!r) return;
      assert.deepEqual(summaries(r), [
        `Warning: the bundle root path /Workspace/Shared/.bundle/b/${SHORT}/t is writable by all workspace users`,
      ]);
      assert.equal(r.exitCode, 0, r.stderr);
    });
  });

  describe('mode: production', () => {
    it('without root_path, run_as or permissions, and no job: only a recommendation to set root_path', async t => {
      const r = await validate(t, bundle({ mode: 'production' }));
      if (!r) return;
      assert.deepEqual(summaries(r), [
        "Recommendation: target with 'mode: production' should set 'workspace.root_path' to make sure only one copy is deployed",
      ]);
      assert.match(
        r.recommendations[0]!.detail,
        new RegExp(
          `root_path: /Workspace/Users/${USER.replace(/\./g, '\\.')}/\\.bundle/\\$\\{bundle\\.name\\}/\\$\\{bundle\\.target\\}`,
        ),
      );
      assert.equal(r.exitCode, 0, r.stderr);
    });

    it('without root_path, with a job that has no run_as: an error', async t => {
      const job =
        '  jobs:\n    run_gold:\n      name: run_gold\n      tasks:\n        - task_key: gold\n    ' +
        '      pipeline_task:\n            pipeline_id: ${resources.pipelines.gold.id}\n';
      const r = await validate(t, bundle({ mode: 'production', resourcesExtra: job }));
      if (!r) return;
      assert.deepEqual(summaries(r), [
        "Error: target with 'mode: production' must set 'workspace.root_path' to make sure only one copy is deployed",
      ]);
      assert.equal(r.exitCode, 1);
    });

    it('with root_path under /Workspace/Users and no run_as or permissions: clean, names unprefixed', async t => {
      const r = await validate(t, bundle({ mode: 'production', rootPath: USERS_ROOT }));
      if (!r) return;
      assert.deepEqual(summaries(r), []);
      assert.equal(r.exitCode, 0, r.stderr);
      assert.equal(pipeline(r).permissions, undefined, 'no permissions added when the bundle sets none');
      assert.equal(pipeline(r).name, 'gold');
      assert.equal(pipeline(r).development, undefined);
    });

    it('with a /Workspace/Shared root_path: a warning (writable by all users) unless the users group gets CAN_MANAGE', async t => {
      const r = await validate(t, bundle({ mode: 'production', rootPath: SHARED_ROOT }));
      if (!r) return;
      assert.deepEqual(summaries(r), [
        'Warning: the bundle root path /Workspace/Shared/.bundle/b/t is writable by all workspace users',
      ]);
      assert.match(r.warnings[0]!.detail, /add CAN_MANAGE for 'group_name: users' permission/);
      assert.equal(r.exitCode, 0, r.stderr);
      const ok = await validate(
        t,
        bundle({
          mode: 'production',
          rootPath: SHARED_ROOT,
          top: 'permissions:\n  - group_name: users\n    level: CAN_MANAGE\n',
        }),
      );
      assert.deepEqual(summaries(ok!), []);
    });
  });

  describe('pipeline libraries', () => {
    it('a notebook file that does not exist is an error', async t => {
      const r = await validate(
        t,
        bundle({ mode: 'production', rootPath: USERS_ROOT, notebook: 'src/gold/does_not_exist.py' }),
      );
      if (!r) return;
      assert.deepEqual(summaries(r), ['Error: notebook src/gold/does_not_exist.py not found']);
      assert.equal(r.exitCode, 1);
    });

    it('a .py file without the "# Databricks notebook source" header is not a notebook: an error', async t => {
      const r = await validate(t, bundle({ mode: 'production', rootPath: USERS_ROOT, notebook: 'src/plain.py' }), {
        'src/plain.py': 'import dlt\n',
      });
      if (!r) return;
      assert.equal(r.errors.length, 1, r.stderr);
      assert.match(
        r.errors[0]!.summary,
        /^expected a notebook for "resources\.pipelines\.gold\.libraries\[0\]\.notebook\.path" but got a file: file at .*\/src\/plain\.py is not a notebook$/,
      );
      assert.equal(r.exitCode, 1);
    });

    it('a notebook path is deployed without its extension, under <root_path>/files', async t => {
      const r = await validate(t, bundle({ mode: 'production', rootPath: USERS_ROOT }));
      if (!r) return;
      assert.deepEqual(pipeline(r).libraries, [
        { notebook: { path: `/Workspace/Users/${USER}/.bundle/b/t/files/src/gold/dim_user` } },
      ]);
    });

    it('an absolute workspace path is taken as it is (not checked)', async t => {
      const r = await validate(
        t,
        bundle({ mode: 'production', rootPath: USERS_ROOT, notebook: '/Workspace/Shared/nowhere/x' }),
      );
      if (!r) return;
      assert.deepEqual(summaries(r), []);
    });
  });

  describe('schemas and grants', () => {
    const schema = (grants: string, key = 'gold_schema'): string =>
      `  schemas:\n    ${key}:\n      catalog_name: main\n      name: gold\n      comment: the star schema\n      grants:\n${grants}`;

    it("a schema with grants validates; a pipeline's reference to it stays unresolved until deploy", async t => {
      const grants =
        '        - principal: data-engineers\n          privileges: [USE_SCHEMA, SELECT, CREATE_TABLE]\n' +
        '        - principal: 11111111-2222-3333-4444-555555555555\n          privileges: [ALL_PRIVILEGES]\n';
      const r = await validate(
        t,
        bundle({ mode: 'production', rootPath: USERS_ROOT, resourcesExtra: schema(grants) }).replace(
          'schema: gold',
          'schema: ${resources.schemas.gold_schema.name}',
        ),
      );
      if (!r) return;
      assert.deepEqual(summaries(r), []);
      assert.equal(pipeline(r).schema, '${resources.schemas.gold_schema.name}');
    });

    it('resource keys are unique across resource types: a schema and a pipeline both keyed gold is an error', async t => {
      const r = await validate(
        t,
        bundle({
          mode: 'production',
          rootPath: USERS_ROOT,
          resourcesExtra: schema('        - principal: g\n          privileges: [SELECT]\n', 'gold'),
        }),
      );
      if (!r) return;
      assert.deepEqual(summaries(r), [
        'Error: multiple resources or scripts have been defined with the same key: gold',
      ]);
      assert.deepEqual(r.errors[0]!.paths, ['resources.pipelines.gold', 'resources.schemas.gold']);
      assert.equal(r.errors[0]!.locations.length, 2);
      assert.equal(r.exitCode, 1);
    });

    it('a grant needs a principal and privileges (errors); privilege names and catalog_name are not checked', async t => {
      const yml = bundle({
        mode: 'production',
        rootPath: USERS_ROOT,
        resourcesExtra:
          '  schemas:\n    gold_schema:\n      name: gold\n      grants:\n' +
          '        - principal: data-engineers\n          privileges: [NOT_A_PRIVILEGE]\n' +
          '        - privileges: [SELECT]\n' +
          '        - principal: analysts\n',
      });
      const r = await validate(t, yml);
      if (!r) return;
      assert.deepEqual(summaries(r).sort(), [
        'Error: grant principal is required',
        'Error: grant privileges is required',
      ]);
      assert.deepEqual(r.errors.map(e => e.paths[0]).sort(), [
        'resources.schemas.gold_schema.grants[1]',
        'resources.schemas.gold_schema.grants[2]',
      ]);
      assert.ok(
        r.errors.every(e => /^databricks\.yml:\d+:\d+$/.test(e.locations[0] ?? '')),
        'with a file location',
      );
      assert.equal(r.exitCode, 1);
    });

    it('privileges given as a string instead of a list: a warning, then "privileges is required"', async t => {
      const r = await validate(
        t,
        bundle({
          mode: 'production',
          rootPath: USERS_ROOT,
          resourcesExtra: schema('        - principal: g\n          privileges: SELECT\n'),
        }),
      );
      if (!r) return;
      assert.deepEqual(summaries(r), [
        'Warning: expected sequence, found string',
        'Error: grant privileges is required',
      ]);
    });
  });

  describe('permissions', () => {
    const perms = (...entries: string[]): string =>
      `      permissions:\n${entries.map(e => `        - ${e.split(', ').join('\n          ')}\n`).join('')}`;
    const SP1 = '11111111-2222-3333-4444-555555555555';
    const SP2 = '66666666-7777-8888-9999-000000000000';

    it('CAN_RUN and CAN_MANAGE for service principals on the pipeline validate; in production the deployer is added as IS_OWNER', async t => {
      const r = await validate(
        t,
        bundle({
          mode: 'production',
          rootPath: USERS_ROOT,
          pipelineExtra: perms(
            `service_principal_name: ${SP1}, level: CAN_RUN`,
            `service_principal_name: ${SP2}, level: CAN_MANAGE`,
            'group_name: data-engineers, level: CAN_VIEW',
          ),
        }),
      );
      if (!r) return;
      assert.deepEqual(summaries(r), []);
      assert.deepEqual(pipeline(r).permissions, [
        { level: 'CAN_RUN', service_principal_name: SP1 },
        { level: 'CAN_MANAGE', service_principal_name: SP2 },
        { level: 'CAN_VIEW', group_name: 'data-engineers' },
        { level: 'IS_OWNER', user_name: USER },
      ]);
    });

    it('a level pipelines do not have (CAN_EDIT) is only a warning, with the valid levels', async t => {
      const r = await validate(
        t,
        bundle({
          mode: 'production',
          rootPath: USERS_ROOT,
          pipelineExtra: perms(`service_principal_name: ${SP1}, level: CAN_EDIT`),
        }),
      );
      if (!r) return;
      assert.deepEqual(summaries(r), [
        'Warning: invalid value "CAN_EDIT" for enum field. Valid values are [CAN_MANAGE CAN_RUN CAN_VIEW IS_OWNER]',
      ]);
      assert.deepEqual(r.warnings[0]!.paths, ['resources.pipelines.gold.permissions[0].level']);
      assert.equal(r.exitCode, 0);
    });

    it('an entry without a principal is dropped without a word; of user_name and group_name only user_name is kept', async t => {
      const r = await validate(
        t,
        bundle({
          mode: 'production',
          rootPath: USERS_ROOT,
          pipelineExtra: perms('level: CAN_RUN', 'user_name: a@example.com, group_name: g, level: CAN_RUN'),
        }),
      );
      if (!r) return;
      assert.deepEqual(summaries(r), []);
      assert.deepEqual(pipeline(r).permissions, [
        { level: 'CAN_RUN', user_name: 'a@example.com' },
        { level: 'IS_OWNER', user_name: USER },
      ]);
    });

    it("top-level permissions: the CLI reads the root folder's ACL and compares (warning), and recommends naming the deployer", async t => {
      const r = await validate(
        t,
        bundle({
          mode: 'production',
          rootPath: USERS_ROOT,
          top: `permissions:\n  - service_principal_name: ${SP1}\n    level: CAN_MANAGE\n`,
        }),
        {},
        { folders: [`/Workspace/Users/${USER}/.bundle/b/t`] },
      );
      if (!r) return;
      assert.deepEqual(summaries(r), [
        `Recommendation: permissions section should explicitly include the current deployment identity '${USER}' or one of its groups`,
        'Warning: workspace folder has permissions not configured in bundle',
      ]);
      assert.match(r.warnings[0]!.detail, new RegExp(`- level: CAN_MANAGE, user_name: ${USER.replace(/\./g, '\\.')}`));
      assert.ok(
        r.stub.requests.some(q => /^\/api\/2\.0\/permissions\/directories\/\d+$/.test(q.path)),
        'the folder ACL was read',
      );
      assert.equal(r.exitCode, 0);
    });
  });

  it('unknown fields are warnings, at the field, with its file location', async t => {
    const r = await validate(
      t,
      bundle({ mode: 'production', rootPath: USERS_ROOT, pipelineExtra: '      catalgo: main\n' }),
    );
    if (!r) return;
    assert.deepEqual(summaries(r), ['Warning: unknown field: catalgo']);
    assert.deepEqual(r.warnings[0]!.paths, ['resources.pipelines.gold']);
    assert.match(r.warnings[0]!.locations[0] ?? '', /^databricks\.yml:\d+:7$/);
    assert.equal(r.exitCode, 0);
  });

  it('--strict makes warnings fail the run', async t => {
    const cli = prerequisites(t);
    if (!cli) return;
    const dir = writeBundle({
      'databricks.yml': bundle({ mode: 'production', rootPath: USERS_ROOT, pipelineExtra: '      catalgo: main\n' }),
      'src/gold/dim_user.py': NOTEBOOK,
    });
    try {
      const r = await validateDir(t, cli, dir, undefined, { hosts: [HOST] }, ['--strict']);
      assert.equal(r.exitCode, 1);
      assert.match(r.stderr, /1 warning was found\. Warnings are not allowed in strict mode/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

// -------------------------------------------------------------------------------------------------
describe('databricks bundle schema (the JSON Schema the CLI publishes for databricks.yml)', () => {
  it('is a JSON Schema that Ajv compiles, and the sample bundle is valid against it', async t => {
    const cli = prerequisites(t);
    if (!cli) return;
    const stub = await startWorkspaceStub({ hosts: [] }); // not called: the command is offline
    try {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lhwb-bundle-schema-'));
      const run = await runCli(cli, ['bundle', 'schema'], dir, stub);
      fs.rmSync(dir, { recursive: true, force: true });
      assert.equal(run.exitCode, 0, run.stderr);
      assert.deepEqual(stub.requests, [], 'bundle schema is offline');
      const schema = JSON.parse(run.stdout) as Record<string, unknown>;
      t.diagnostic(
        `bundle schema: ${run.stdout.length} characters, $schema: ${String(schema.$schema)}, top-level keys: ${Object.keys(schema).join(', ')}`,
      );
      assert.ok(schema.$defs && schema.properties, 'has $defs and properties');
      const ajv = new Ajv2020({ strict: false, allErrors: true });
      const check = ajv.compile(schema);
      const sample = parseYaml(fs.readFileSync(SAMPLE_YML, 'utf8')) as unknown;
      assert.ok(check(sample), `the sample does not match the CLI's schema: ${ajv.errorsText(check.errors)}`);
      const typo = parseYaml('bundle: {name: b}\nresources:\n  pipelines:\n    g:\n      catalgo: x\n') as unknown;
      assert.equal(check(typo), false);
      assert.ok(
        check.errors?.some(e => e.keyword === 'additionalProperties' && e.instancePath === '/resources/pipelines/g'),
      );
    } finally {
      await stub.close();
    }
  });
});
