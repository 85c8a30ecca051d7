// The embedded sample project is the product's showcase: it must validate with no diagnostics of
// any severity. And the rules table stays in step with its generated documentation.
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { describe, it } from 'node:test';
import { ALL_RULES } from '../../src/core/diagnostics/rules';
import { renderRulesMarkdown } from '../../src/core/diagnostics/rulesDoc';
import { loadProjectAt } from '../../src/core/project/loadProject';
import { NodeFileHost } from '../../src/core/files/nodeFileHost';
import { REPO_ROOT, SAMPLE_DIR } from './helpers/paths';
import { flatten, list } from './helpers/project';

describe('samples/spotify', () => {
  it('validates with zero diagnostics of any severity', async () => {
    const snapshot = await loadProjectAt(new NodeFileHost(), SAMPLE_DIR);
    assert.equal(list(flatten(snapshot)), '(none)');
    const files = [...snapshot.diagnostics.keys()]
      .map(f => path.relative(SAMPLE_DIR, f).split(path.sep).join('/'))
      .sort();
    assert.ok(
      files.includes('lakehouse.yaml') && files.includes('metadata/star-schema.lakehouse.yaml'),
      files.join(', '),
    );
    assert.ok(
      files.some(f => f.startsWith('adf/pipeline/')),
      'the ADF folder is part of the project',
    );
  });

  it('models 5 tables, 4 dimensions (dim_user and dim_track SCD Type 2) and 1 fact', async () => {
    const { metadata, adf } = await loadProjectAt(new NodeFileHost(), SAMPLE_DIR);
    assert.deepEqual(
      metadata.tables.map(t => t.qualifiedName),
      ['dbo.DimUser', 'dbo.DimArtist', 'dbo.DimTrack', 'dbo.DimDate', 'dbo.FactStream'],
    );
    assert.deepEqual(
      metadata.dimensions.map(d => [d.name, d.scdType]),
      [
        ['dim_user', 2],
        ['dim_track', 2],
        ['dim_artist', 1],
        ['dim_date', 1],
      ],
    );
    assert.deepEqual(
      metadata.facts.map(f => [f.name, f.source, f.grain]),
      [['fact_stream', 'dbo.FactStream', ['stream_id']]],
    );
    assert.equal(metadata.dateDimension?.name, 'dim_date');
    assert.deepEqual(
      metadata.environments.map(e => e.name),
      ['dev', 'prod'],
    );
    assert.deepEqual(
      metadata.templates?.map(b => [b.template, b.for, b.output]),
      [
        ['silver/autoloader.py.j2', 'table', 'databricks/src/silver/{name}.py'],
        ['gold/dimension.py.j2', 'dimension', 'databricks/src/gold/{name}.py'],
        ['gold/fact.py.j2', 'fact', 'databricks/src/gold/{name}.py'],
        ['gold/star_query.py.j2', 'fact', 'databricks/src/queries/{name}_star.py'],
      ],
    );
    assert.ok(adf && adf.loops.length > 0, 'the sample pipeline is a metadata-driven loop');
    const declared = new Set(metadata.tables.map(t => t.qualifiedName.toLowerCase()));
    for (const item of adf.loops.flatMap(l => l.items))
      assert.ok(declared.has(`${item.schema}.${item.table}`.toLowerCase()), `${item.schema}.${item.table} is declared`);
  });
});

describe('the rules table', () => {
  it('has unique LHnnn codes and kebab-case names, each with a rationale', () => {
    const codes = ALL_RULES.map(r => r.code);
    assert.equal(new Set(codes).size, codes.length, 'codes are unique');
    assert.equal(new Set(ALL_RULES.map(r => r.name)).size, codes.length, 'names are unique');
    for (const rule of ALL_RULES) {
      assert.match(rule.code, /^LH\d{3}$/);
      assert.match(rule.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
      assert.ok(rule.rationale.length > 30, `${rule.code} explains why it matters`);
    }
  });

  it('docs/rules.md is the generated table (regenerate with `lakehouse rules > docs/rules.md`)', t => {
    const doc = path.join(REPO_ROOT, 'docs', 'rules.md');
    if (!fs.existsSync(doc)) return t.skip('docs/rules.md does not exist yet');
    const text = fs.readFileSync(doc, 'utf8').replace(/\r\n/g, '\n');
    assert.equal(text, renderRulesMarkdown());
    for (const rule of ALL_RULES)
      assert.ok(text.includes(`| ${rule.code} | \`${rule.name}\` | ${rule.severity} |`), rule.code);
  });
});
