// How the bundle tests read the Databricks CLI's diagnostics (stderr text), on output captured from
// CLI v1.12.1: needs no CLI.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDiagnostics } from '../../bundle/databricksCli';

describe("parseDiagnostics (the Databricks CLI's stderr)", () => {
  it('reads severity, summary, paths, locations and detail', () => {
    const stderr = [
      'Warning: expected sequence, found string',
      '  at resources.schemas.gold.grants[2].privileges',
      '  in databricks.yml:11:23',
      '',
      'Error: multiple resources or scripts have been defined with the same key: gold',
      '  at resources.pipelines.gold',
      '     resources.schemas.gold',
      '  in databricks.yml:5:7',
      '     databricks.yml:16:7',
      '',
      'Warning: the bundle root path /Workspace/Shared/.bundle/b/prod is writable by all workspace users',
      '',
      'The bundle is configured to use /Workspace/Shared, which will give read/write access to all users.',
      '',
      '',
    ].join('\n');
    assert.deepEqual(parseDiagnostics(stderr), [
      {
        severity: 'Warning',
        summary: 'expected sequence, found string',
        paths: ['resources.schemas.gold.grants[2].privileges'],
        locations: ['databricks.yml:11:23'],
        detail: '',
      },
      {
        severity: 'Error',
        summary: 'multiple resources or scripts have been defined with the same key: gold',
        paths: ['resources.pipelines.gold', 'resources.schemas.gold'],
        locations: ['databricks.yml:5:7', 'databricks.yml:16:7'],
        detail: '',
      },
      {
        severity: 'Warning',
        summary: 'the bundle root path /Workspace/Shared/.bundle/b/prod is writable by all workspace users',
        paths: [],
        locations: [],
        detail: 'The bundle is configured to use /Workspace/Shared, which will give read/write access to all users.',
      },
    ]);
  });

  it('takes a summary that spans lines (its location comes after it) as first line + detail', () => {
    const stderr = [
      "Recommendation: permissions section should explicitly include the current deployment identity 'a@example.com' or one of its groups",
      'If it is not included, CAN_MANAGE permissions are only applied if the present identity is used to deploy.',
      '',
      '  permissions:',
      '    - user_name: a@example.com',
      '      level: CAN_MANAGE',
      '  in databricks.yml:90:7',
      '',
      'Error: notebook src/gold/x.py not found',
      '',
    ].join('\n');
    const [rec, err] = parseDiagnostics(stderr);
    assert.equal(
      rec!.summary,
      "permissions section should explicitly include the current deployment identity 'a@example.com' or one of its groups",
    );
    assert.deepEqual(rec!.locations, ['databricks.yml:90:7']);
    assert.match(rec!.detail, /^If it is not included[\s\S]*level: CAN_MANAGE$/);
    assert.deepEqual(err, {
      severity: 'Error',
      summary: 'notebook src/gold/x.py not found',
      paths: [],
      locations: [],
      detail: '',
    });
  });

  it('ignores what comes before the first diagnostic', () => {
    assert.deepEqual(parseDiagnostics('Name: b\nTarget: t\n'), []);
  });
});
