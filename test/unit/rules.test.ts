// Every rule in RULES: one case where it fires (exact range, code, severity, a message that says
// what to do) and one close case where it does not. The table is checked against RULES, so a new
// rule without tests fails this suite.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as path from 'path';
import { bundleCliDiagnostics, parseBundleDiagnostics } from '../../src/core/bundle';
import { ALL_RULES } from '../../src/core/diagnostics/rules';
import { createTemplateEnvironment, type RenderResult } from '../../src/core/templates/environment';
import { WorkerRenderer } from '../../src/core/templates/renderInWorker';
import { templateRenderDiagnostic } from '../../src/core/templates/renderDiagnostic';
import { adfFolder, BASELINE } from './helpers/baseline';
import {
  abs,
  applyEdits,
  assertClean,
  assertFires,
  assertNo,
  edit,
  loadProject,
  type LoadedProject,
} from './helpers/project';

const ZERO = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** The baseline with one change (the changed text must occur exactly once). */
const base = (from: string, to: string): string => edit(BASELINE, from, to);
const root = (text: string): Promise<LoadedProject> => loadProject({ 'lakehouse.yaml': text });

interface RuleCase {
  fires: string;
  quiet: string;
  fire(): Promise<void>;
  notFire(): Promise<void>;
}

const CRM_SOURCE = `  - name: crm
    tables:
      - name: DimTrack
        schema: sales
        columns: [{ name: track_id, type: int }]

starSchema:`;
const PROD = (storageAccount: string) => `  prod:
    subscriptionId: 00000000-0000-0000-0000-000000000000
    resourceGroup: rg-mini-prod
    factory: adf-mini-prod
    storageAccount: ${storageAccount}
    catalog: mini_prod
    protected: true
`;
/** Two systems may declare one table name when the lake keeps their folders apart (LH229). */
const bySystem = (text: string) => edit(text, 'path: "{table}"', 'path: "{system}/{table}"');

const PIPELINE = 'adf/pipeline/pl_incremental.json';
/** The baseline project with its pipeline edited (each change's text must occur exactly once). */
function withPipeline(...changes: [string, string][]): Promise<LoadedProject> {
  const adf = adfFolder();
  let text = adf[PIPELINE] as string;
  for (const [from, to] of changes) text = edit(text, from, to);
  return loadProject({ 'lakehouse.yaml': BASELINE, ...adf, [PIPELINE]: text });
}
const LOOP_BODY = '"activities": [\n            {\n              "name": "Copy"';
/** One more activity (JSON text) in the loop, beside Copy. */
const addActivity = (json: string): [string, string] => [
  LOOP_BODY,
  `"activities": [ ${json},\n            {\n              "name": "Copy"`,
];
const wait = (name: string, extra = '') =>
  `{ "name": ${name}, "type": "Wait", "typeProperties": { "waitTimeInSeconds": 1 }${extra} }`;

/** A bundle whose gold DLT pipeline lists the given notebooks (the baseline's default gold outputs are src/gold/<name>.py). */
const bundle = (libraries: string[], name = 'mini_spotify_gold') => `bundle:
  name: mini_spotify
resources:
  pipelines:
    gold:
      name: ${name}
      ⟦libraries⟧:
${libraries.map(l => `        - notebook:\n            path: ${l}`).join('\n')}
`;
const ALL_GOLD = ['src/gold/dim_user.py', 'src/gold/dim_track.py', 'src/gold/dim_date.py', 'src/gold/fact_stream.py'];

/** LH510-LH516: a template (on its own second line) fails to render with the rule's kind; the quiet one renders. */
const TEMPLATE = path.resolve('/virtual/lakehouse/tpl/t.j2');
const WORKER = path.resolve(__dirname, '..', '..', 'src', 'core', 'templates', 'worker.js');

async function renderTemplate(source: string, inWorker: boolean, timeoutMs = 10_000): Promise<RenderResult> {
  if (!inWorker) {
    const env = createTemplateEnvironment({
      searchPaths: [path.dirname(TEMPLATE)],
      projectRoot: path.dirname(TEMPLATE),
      readFile: f => (f === TEMPLATE ? source : undefined),
    });
    return env.renderFile(TEMPLATE, { items: [1, 2] });
  }
  const worker = new WorkerRenderer({ timeoutMs, workerPath: WORKER });
  try {
    return await worker.render({ environment: { searchPaths: [], projectRoot: '/' }, text: source, context: {} });
  } finally {
    worker.dispose();
  }
}

function templateCase(code: string, what: string, failing: string, message: RegExp, inWorker = false): RuleCase {
  return {
    fires: `on a template with ${what}, on the whole line of the error`,
    quiet: 'on a template that renders',
    async fire() {
      const source = `first line\n${failing}\nlast line`;
      // A short limit for the loop that never ends; the quiet render gets room for a busy machine.
      const result = await renderTemplate(source, inWorker, 1000);
      assert.ok(!result.ok, 'the template fails');
      const d = templateRenderDiagnostic({ templateFile: TEMPLATE, ...result.error }, source);
      assert.equal(d.code, code);
      assert.match(d.message, message);
      if (!inWorker)
        assert.deepEqual(d.range, { start: { line: 1, character: 0 }, end: { line: 1, character: failing.length } });
    },
    async notFire() {
      const result = await renderTemplate('{% for i in items %}{{ i }}{% endfor %}', inWorker);
      assert.ok(result.ok, result.ok ? '' : result.error.message);
    },
  };
}

const cases: Record<string, RuleCase> = {
  LH001: {
    fires: 'on a plain value starting with a reserved character, at that character',
    quiet: 'when the same value is quoted',
    async fire() {
      const p = await root(base('  owner: data-platform', '  owner: ⟦@⟧data-platform'));
      assertFires(p, 'LH001', { message: ['reserved character @'] });
    },
    async notFire() {
      assertClean(await root(base('  owner: data-platform', '  owner: "@data-platform"')));
    },
  },
  LH002: {
    fires: 'on a lakehouse.yaml with NUL bytes, at the start of the file',
    quiet: 'on the same text as UTF-8 bytes with a byte-order mark',
    async fire() {
      const bytes = Buffer.from(BASELINE.replace('mini_spotify', 'mini\u0000spotify'), 'utf8');
      const p = await loadProject({ 'lakehouse.yaml': new Uint8Array(bytes) });
      assertFires(p, 'LH002', { at: ZERO, message: ['binary'] });
      assert.equal(p.diagnostics.length, 1, 'nothing else is reported about a file that cannot be read');
    },
    async notFire() {
      const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(BASELINE, 'utf8')]);
      assertClean(await loadProject({ 'lakehouse.yaml': new Uint8Array(bytes) }));
    },
  },
  LH003: {
    fires: 'on an include that does not exist, at the include entry',
    quiet: 'when the included file exists',
    async fire() {
      const p = await root(base('version: 1\n', 'version: 1\ninclude:\n  - ⟦metadata/extra.lakehouse.yaml⟧\n'));
      assertFires(p, 'LH003', {
        message: ["'metadata/extra.lakehouse.yaml' does not exist", abs('metadata/extra.lakehouse.yaml')],
      });
    },
    async notFire() {
      assertClean(
        await loadProject({
          'lakehouse.yaml': base('version: 1\n', 'version: 1\ninclude:\n  - metadata/extra.lakehouse.yaml\n'),
          'metadata/extra.lakehouse.yaml': 'sources: []\n',
        }),
      );
    },
  },
  LH101: {
    fires: 'on columns: 5, at the number',
    quiet: 'on columns: [] (a list, if empty)',
    async fire() {
      const p = await root(
        base(
          '        cdcColumn: updated_at\n        columns:\n          - { name: track_id, type: int ' +
            '}\n          - { name: track_name, type: nvarchar(255) }\n          - { name: updated_at, ' +
            'type: datetime2, nullable: false }',
          '        cdcColumn: updated_at\n        columns: ⟦5⟧',
        ),
      );
      assertFires(p, 'LH101', { message: ["'columns' in table 'DimTrack' must be a list, not the number 5"] });
    },
    async notFire() {
      const p = await root(
        base(
          '        cdcColumn: updated_at\n        columns:\n          - { name: track_id, type: int ' +
            '}\n          - { name: track_name, type: nvarchar(255) }\n          - { name: updated_at, ' +
            'type: datetime2, nullable: false }',
          '        cdcColumn: updated_at\n        columns: []',
        ),
      );
      assertNo(p, 'LH101');
    },
  },
  LH102: {
    fires: 'on a misspelt key, at the key, suggesting the right one',
    quiet: 'on a known key in the same place',
    async fire() {
      const p = await root(base('      scdType: 1\n', '      ⟦scdTyp⟧: 1\n'));
      assertFires(p, 'LH102', {
        message: ["Unknown key 'scdTyp' in dimension 'dim_track'", "Did you mean 'scdType'?"],
      });
    },
    async notFire() {
      assertClean(
        await root(base('      scdType: 1\n', '      scdType: 1\n      description: Tracks, overwritten in place\n')),
      );
    },
  },
  LH103: {
    fires: "on a dimension without 'source', at the dimension's first line",
    quiet: 'when the dimension has its source',
    async fire() {
      const p = await root(base('    - name: dim_track\n      source: DimTrack\n', '    - ⟦name: dim_track⟧\n'));
      assertFires(p, 'LH103', { message: ["Missing required key 'source' in dimension 'dim_track'"] });
    },
    async notFire() {
      assertClean(
        await root(
          base(
            '    - name: dim_track\n      source: DimTrack\n',
            '    - name: dim_track\n      source: dbo.DimTrack\n',
          ),
        ),
      );
    },
  },
  LH104: {
    fires: 'on scdType: 3, at the value, listing the allowed values',
    quiet: 'on scdType: 2',
    async fire() {
      const p = await root(base('      scdType: 1\n', '      scdType: ⟦3⟧\n'));
      assertFires(p, 'LH104', {
        message: ["'scdType' in dimension 'dim_track' must be one of 1, 2", 'got the number 3'],
      });
    },
    async notFire() {
      assertNo(await root(base('      scdType: 1\n', '      scdType: 2\n')), 'LH104');
    },
  },
  LH201: {
    fires: 'on a reference to an undeclared dimension, at the dimension name, with did-you-mean',
    quiet: 'on the same dimension in other letter case',
    async fire() {
      const p = await root(base('          dimension: dim_track', '          dimension: ⟦dim_trak⟧'));
      assertFires(p, 'LH201', {
        message: [
          "Fact 'fact_stream' references dimension 'dim_trak', which is not declared",
          "Did you mean 'dim_track'?",
        ],
      });
    },
    async notFire() {
      assertClean(await root(base('          dimension: dim_track', '          dimension: DIM_Track')));
    },
  },
  LH202: {
    fires: "on a reference column the fact's table does not have, at the column",
    quiet: 'on the column in other letter case',
    async fire() {
      const p = await root(base('        - column: track_id\n', '        - column: ⟦trackid⟧\n'));
      assertFires(p, 'LH202', {
        message: ["Reference column 'trackid' of fact 'fact_stream'", "'dbo.FactStream'", "Did you mean 'track_id'?"],
      });
    },
    async notFire() {
      assertClean(await root(base('        - column: track_id\n', '        - column: TRACK_ID\n')));
    },
  },
  LH203: {
    fires: "on an SCD2 dimension without businessKey, at 'scdType: 2', naming the primary key",
    quiet: 'when the dimension carries a todo instead (LH901 reports it)',
    async fire() {
      const p = await root(base('      businessKey: [user_id]\n      scdType: 2\n', '      ⟦scdType: 2⟧\n'));
      assertFires(p, 'LH203', {
        message: ["SCD Type 2 dimension 'dim_user' has no businessKey", "primary key is 'user_id'"],
      });
    },
    async notFire() {
      const p = await root(
        base(
          '      businessKey: [user_id]\n      scdType: 2\n',
          '      scdType: 2\n      todo: Name the business key\n',
        ),
      );
      assertNo(p, 'LH203');
      assert.deepEqual(
        p.diagnostics.map(d => d.code),
        ['LH901'],
      );
    },
  },
  LH204: {
    fires: "on an SCD2 dimension without sequenceBy, at 'scdType: 2', naming the CDC column",
    quiet: 'when sequenceBy names the CDC column in other letter case',
    async fire() {
      const p = await root(
        base(
          '      scdType: 2\n      trackedColumns: [user_name, country]\n      sequenceBy: updated_at\n',
          '      ⟦scdType: 2⟧\n      trackedColumns: [user_name, country]\n',
        ),
      );
      assertFires(p, 'LH204', {
        message: ["SCD Type 2 dimension 'dim_user' has no sequenceBy", "CDC column is 'updated_at'"],
      });
    },
    async notFire() {
      assertClean(await root(base('      sequenceBy: updated_at\n', '      sequenceBy: UPDATED_AT\n')));
    },
  },
  LH205: {
    fires: "on a business key column the dimension's table does not have, at the column",
    quiet: 'on the column in other letter case',
    async fire() {
      const p = await root(base('      businessKey: [track_id]', '      businessKey: [⟦trak_id⟧]'));
      assertFires(p, 'LH205', {
        message: [
          "Business key column 'trak_id' of dimension 'dim_track'",
          "'dbo.DimTrack'",
          "Did you mean 'track_id'?",
        ],
      });
    },
    async notFire() {
      assertClean(await root(base('      businessKey: [track_id]', '      businessKey: [Track_Id]')));
    },
  },
  LH206: {
    fires: 'on a CDC column the table does not have, at the column',
    quiet: 'on the CDC column in other letter case',
    async fire() {
      const p = await root(base('        cdcColumn: stream_timestamp', '        cdcColumn: ⟦stream_ts⟧'));
      assertFires(p, 'LH206', { message: ["CDC column 'stream_ts' is not a column of table 'dbo.FactStream'"] });
    },
    async notFire() {
      assertClean(await root(base('        cdcColumn: stream_timestamp', '        cdcColumn: Stream_Timestamp')));
    },
  },
  LH207: {
    fires: 'on a table declared twice in one source, at the second name, related to the first',
    quiet: 'on a table of the same name in another schema',
    async fire() {
      const text = edit(
        base('      - name: DimTrack\n', '      - name: ⟦DimTrack⟧\n'),
        '      - name: DimDate\n',
        '      - name: ⟦DimTrack⟧\n        columns: [{ name: track_id, type: int }]\n      - name: DimDate\n',
      );
      const p = await root(text);
      const d = assertFires(p, 'LH207', {
        at: 1,
        message: ["Table 'dbo.DimTrack' is declared twice in source 'spotify_sql'", 'remove one'],
      });
      assert.deepEqual(d.related, [{ file: abs('lakehouse.yaml'), range: p.marker(0), message: 'first definition' }]);
      assert.deepEqual(
        p.diagnostics.map(x => x.code),
        ['LH207'],
        'references to the table resolve to its first definition',
      );
    },
    async notFire() {
      const p = await root(
        base(
          '      - name: DimDate\n',
          '      - name: DimTrack\n        schema: staging\n        columns: [{ name: track_id, type: int }]\n      - name: DimDate\n',
        ),
      );
      assertNo(p, 'LH207');
    },
  },
  LH208: {
    fires: 'on a dimension defined twice, at the second name, related to the first',
    quiet: 'on a second dimension with its own name',
    async fire() {
      const text = edit(
        base('    - name: dim_user\n', '    - name: ⟦dim_user⟧\n'),
        '    - name: dim_date\n',
        '    - name: ⟦Dim_User⟧\n      source: DimUser\n      businessKey: [user_id]\n    - name: dim_date\n',
      );
      const p = await root(text);
      const d = assertFires(p, 'LH208', { at: 1, message: ["Dimension 'Dim_User' is defined twice"] });
      assert.deepEqual(d.related, [{ file: abs('lakehouse.yaml'), range: p.marker(0), message: 'first definition' }]);
    },
    async notFire() {
      assertClean(
        await root(
          base(
            '    - name: dim_date\n',
            '    - name: dim_user_type1\n      source: DimUser\n      businessKey: [user_id]\n    - name: dim_date\n',
          ),
        ),
      );
    },
  },
  LH209: {
    fires: 'on a fact defined twice, at the second name, related to the first',
    quiet: 'on a second fact with its own name',
    async fire() {
      const text = edit(
        base('    - name: fact_stream\n', '    - name: ⟦fact_stream⟧\n'),
        '  facts:\n',
        '  facts:\n    - name: ⟦fact_stream⟧\n      source: FactStream\n      grain: [stream_id]\n',
      );
      const p = await root(text);
      // The inserted fact comes first in the file, so it is the first definition.
      const d = assertFires(p, 'LH209', { at: 1, message: ["Fact 'fact_stream' is defined twice"] });
      assert.deepEqual(d.related, [{ file: abs('lakehouse.yaml'), range: p.marker(0), message: 'first definition' }]);
    },
    async notFire() {
      assertClean(
        await root(
          base(
            '  facts:\n',
            '  facts:\n    - name: fact_stream_daily\n      source: FactStream\n      grain: [stream_id]\n',
          ),
        ),
      );
    },
  },
  LH210: {
    fires: "on a fact without grain, at the fact's name, naming the primary key",
    quiet: 'when the fact carries a todo instead',
    async fire() {
      const p = await root(
        edit(base('      grain: [stream_id]\n', ''), '    - name: fact_stream\n', '    - name: ⟦fact_stream⟧\n'),
      );
      assertFires(p, 'LH210', { message: ["Fact 'fact_stream' has no grain", "primary key is 'stream_id'"] });
    },
    async notFire() {
      const p = await root(base('      grain: [stream_id]\n', '      todo: Decide the grain\n'));
      assertNo(p, 'LH210');
    },
  },
  LH211: {
    fires: 'on summing a text column, at the measure column, suggesting count',
    quiet: 'on counting distinct values of the same column',
    async fire() {
      const p = await root(
        base(
          '        - column: listen_duration\n          aggregation: sum',
          '        - column: ⟦device_type⟧\n          aggregation: sum',
        ),
      );
      assertFires(p, 'LH211', {
        message: [
          "Measure 'device_type' of fact 'fact_stream' is nvarchar(50), not numeric",
          'cannot be summed',
          'aggregation: count',
        ],
      });
    },
    async notFire() {
      assertClean(
        await root(
          base(
            '        - column: listen_duration\n          aggregation: sum',
            '        - column: device_type\n          aggregation: countDistinct',
          ),
        ),
      );
    },
  },
  LH212: {
    fires: 'on a source table that is not declared, at the reference, with did-you-mean',
    quiet: 'on the table in other letter case',
    async fire() {
      const p = await root(base('      source: DimTrack', '      source: ⟦DimTrak⟧'));
      assertFires(p, 'LH212', {
        message: ["Source table 'DimTrak' of dimension 'dim_track' is not declared under sources"],
      });
    },
    async notFire() {
      assertClean(await root(base('      source: DimTrack', '      source: dimtrack')));
    },
  },
  LH213: {
    fires: "on a grain column the fact's table does not have, at the column",
    quiet: 'on the grain column in other letter case',
    async fire() {
      const p = await root(base('      grain: [stream_id]', '      grain: [⟦streamid⟧]'));
      assertFires(p, 'LH213', {
        message: ["Grain column 'streamid' of fact 'fact_stream'", "Did you mean 'stream_id'?"],
      });
    },
    async notFire() {
      assertClean(await root(base('      grain: [stream_id]', '      grain: [STREAM_ID]')));
    },
  },
  LH214: {
    fires: 'on a primary key column the table does not have, at the column',
    quiet: 'on the primary key in other letter case',
    async fire() {
      const p = await root(base('        primaryKey: [date_key]', '        primaryKey: [⟦datekey⟧]'));
      assertFires(p, 'LH214', {
        message: ["Primary key column 'datekey' is not a column of table 'dbo.DimDate'", "Did you mean 'date_key'?"],
      });
    },
    async notFire() {
      assertClean(await root(base('        primaryKey: [date_key]', '        primaryKey: [DATE_KEY]')));
    },
  },
  LH215: {
    fires: 'on a column listed twice (in other letter case), at the second, related to the first',
    quiet: 'on two distinct columns',
    async fire() {
      const p = await root(
        base(
          '          - { name: date, type: date }',
          '          - { name: ⟦date⟧, type: date }\n          - { name: ⟦DATE⟧, type: date }',
        ),
      );
      const d = assertFires(p, 'LH215', { at: 1, message: ["Column 'DATE' appears twice in table 'dbo.DimDate'"] });
      assert.deepEqual(d.related, [{ file: abs('lakehouse.yaml'), range: p.marker(0), message: 'first definition' }]);
    },
    async notFire() {
      assertClean(
        await root(
          base(
            '          - { name: date, type: date }',
            '          - { name: date, type: date }\n          - { name: date_2, type: date }',
          ),
        ),
      );
    },
  },
  LH216: {
    fires: 'on a source system declared twice (in other letter case), at the second name',
    quiet: 'on a second source system with its own name',
    async fire() {
      const p = await root(base('\nstarSchema:', '  - name: ⟦Spotify_SQL⟧\n    tables: []\n\nstarSchema:'));
      assertFires(p, 'LH216', { message: ["Source system 'Spotify_SQL' is defined twice"] });
    },
    async notFire() {
      assertClean(await root(base('\nstarSchema:', '  - name: crm\n    tables: []\n\nstarSchema:')));
    },
  },
  LH217: {
    fires: 'on a date dimension that is not declared, at the name, with did-you-mean',
    quiet: 'on the date dimension in other letter case',
    async fire() {
      const p = await root(base('  dateDimension: dim_date', '  dateDimension: ⟦dim_dates⟧'));
      assertFires(p, 'LH217', {
        message: ["Date dimension 'dim_dates' is not a declared dimension", "Did you mean 'dim_date'?"],
      });
    },
    async notFire() {
      assertClean(await root(base('  dateDimension: dim_date', '  dateDimension: DIM_DATE')));
    },
  },
  LH218: {
    fires: 'on a table without columns, at its name, as a warning',
    quiet: 'when the table carries a todo for its columns',
    async fire() {
      const p = await root(base('\nstarSchema:', '      - name: ⟦Extra⟧\n\nstarSchema:'));
      assertFires(p, 'LH218', { message: ["Table 'dbo.Extra' lists no columns", 'Add its columns (name and type)'] });
    },
    async notFire() {
      const p = await root(base('\nstarSchema:', '      - name: Extra\n        todo: List the columns\n\nstarSchema:'));
      assertNo(p, 'LH218');
    },
  },
  LH219: {
    fires: 'on an unqualified table name two systems declare, at the reference',
    quiet: 'on the same reference qualified as system.schema.table',
    async fire() {
      const p = await root(
        edit(bySystem(base('\nstarSchema:', CRM_SOURCE)), '      source: DimTrack', '      source: ⟦DimTrack⟧'),
      );
      assertFires(p, 'LH219', {
        message: [
          "Source 'DimTrack' of dimension 'dim_track' matches 2 tables",
          "'spotify_sql.dbo.DimTrack', 'crm.sales.DimTrack'",
          'qualify it as system.schema.table',
        ],
      });
    },
    async notFire() {
      assertClean(
        await root(
          edit(
            bySystem(base('\nstarSchema:', CRM_SOURCE)),
            '      source: DimTrack',
            '      source: spotify_sql.dbo.DimTrack',
          ),
        ),
      );
    },
  },
  LH220: {
    fires: 'on trackedColumns of an SCD1 dimension, at the key, as a warning',
    quiet: 'on trackedColumns of an SCD2 dimension',
    async fire() {
      const p = await root(base('      scdType: 1\n', '      scdType: 1\n      ⟦trackedColumns⟧: [track_name]\n'));
      assertFires(p, 'LH220', {
        message: [
          "Dimension 'dim_track' is SCD Type 1, so its trackedColumns are ignored",
          'Set scdType: 2',
          'or remove trackedColumns',
        ],
      });
    },
    async notFire() {
      assertClean(
        await root(
          base(
            '      scdType: 1\n',
            '      scdType: 2\n      trackedColumns: [track_name]\n      sequenceBy: updated_at\n',
          ),
        ),
      );
    },
  },
  LH221: {
    fires:
      "on a watermark column of SQL Server's timestamp type (a rowversion), at cdcColumn, with a fix to cdcMode: rowversion",
    quiet: 'on the same column with cdcMode: rowversion',
    async fire() {
      const p = await root(
        edit(
          base(
            'track_name, type: nvarchar(255) }\n          - { name: updated_at, type: datetime2, nullable: false }',
            'track_name, type: nvarchar(255) }\n          - { name: updated_at, type: timestamp }',
          ),
          'primaryKey: [track_id]\n        cdcColumn: updated_at',
          'primaryKey: [track_id]\n        cdcColumn: ⟦updated_at⟧',
        ),
      );
      const d = assertFires(p, 'LH221', {
        message: [
          "CDC column updated_at (timestamp) of table 'dbo.DimTrack' cannot be a watermark",
          'a rowversion the database assigns, not a time',
          'set cdcMode: rowversion',
        ],
      });
      assert.equal(d.fixes?.[0]?.title, 'Set cdcMode: rowversion');
    },
    async notFire() {
      assertClean(
        await root(
          edit(
            base(
              'track_name, type: nvarchar(255) }\n          - { name: updated_at, type: datetime2, nullable: false }',
              'track_name, type: nvarchar(255) }\n          - { name: updated_at, type: timestamp }',
            ),
            'primaryKey: [track_id]\n        cdcColumn: updated_at',
            'primaryKey: [track_id]\n        cdcColumn: updated_at\n        cdcMode: rowversion',
          ),
        ),
      );
    },
  },
  LH222: {
    fires: 'on a watermark column whose nullability is not declared, at the column name, as a warning with a fix',
    quiet: 'on the same column declared nullable: false',
    async fire() {
      const p = await root(
        base(
          '{ name: stream_timestamp, type: datetime2, nullable: false }',
          '{ name: ⟦stream_timestamp⟧, type: datetime2 }',
        ),
      );
      const d = assertFires(p, 'LH222', {
        message: [
          "CDC column 'stream_timestamp' of table 'dbo.FactStream' may be NULL",
          'is never copied',
          'declare nullable: false',
        ],
      });
      assert.equal(d.fixes?.[0]?.title, 'Declare nullable: false (the source column is NOT NULL)');
    },
    async notFire() {
      assertClean(await root(BASELINE));
    },
  },
  LH223: {
    fires: 'on Change Tracking without a primary key, at cdcMode',
    quiet: 'on Change Tracking with one',
    async fire() {
      const p = await root(
        base('        primaryKey: [track_id]\n        cdcColumn: updated_at\n', '        cdcMode: ⟦changeTracking⟧\n'),
      );
      assertFires(p, 'LH223', {
        message: [
          "Table 'dbo.DimTrack' uses SQL Server Change Tracking, which reports changes by primary key: list its primaryKey",
        ],
      });
    },
    async notFire() {
      assertClean(
        await root(
          base(
            '        primaryKey: [track_id]\n        cdcColumn: updated_at\n',
            '        primaryKey: [track_id]\n        cdcMode: changeTracking\n',
          ),
        ),
      );
    },
  },
  LH224: {
    fires: 'on a reference to a dimension with a composite business key, at the reference column',
    quiet: 'on a reference to a single-column key',
    async fire() {
      const p = await root(
        edit(
          base('      businessKey: [user_id]\n', '      businessKey: [user_id, country]\n'),
          '        - column: user_id\n',
          '        - column: ⟦user_id⟧\n',
        ),
      );
      assertFires(p, 'LH224', {
        message: ["Dimension 'dim_user' is keyed on 'user_id', 'country' together", 'multiplying the fact'],
      });
    },
    async notFire() {
      assertClean(await root(BASELINE));
    },
  },
  LH225: {
    fires: 'on a text column joined to an integer key, at the reference column',
    quiet: 'on bigint joined to int (both numbers)',
    async fire() {
      const p = await root(
        edit(
          base(
            '{ name: track_id, type: int }\n          - { name: date_key',
            '{ name: track_id, type: nvarchar(20) }\n          - { name: date_key',
          ),
          '        - column: track_id\n',
          '        - column: ⟦track_id⟧\n',
        ),
      );
      assertFires(p, 'LH225', {
        message: [
          'fact_stream.track_id (nvarchar(20)) is joined to dim_track.track_id (int)',
          'Join columns of one type',
        ],
      });
    },
    async notFire() {
      assertClean(
        await root(
          base(
            '{ name: track_id, type: int }\n          - { name: date_key',
            '{ name: track_id, type: bigint }\n          - { name: date_key',
          ),
        ),
      );
    },
  },
  LH226: {
    fires: 'on a measure named like a column the measures are grouped by, at the name',
    quiet: 'on a distinct name',
    async fire() {
      const p = await root(base('          name: stream_count', '          name: ⟦user_id⟧'));
      assertFires(p, 'LH226', {
        message: [
          "Measure count(stream_id) of fact_stream is named 'user_id', as is the reference column 'user_id'",
          'Give it another name',
        ],
      });
    },
    async notFire() {
      assertClean(await root(base('          name: stream_count', '          name: streams')));
    },
  },
  LH227: {
    fires: 'on an event time that is not a time, joining an SCD2 dimension as of it, at eventTime',
    quiet: 'on an event time that is a time',
    async fire() {
      const p = await root(
        base(
          '      sequenceBy: stream_timestamp\n',
          '      sequenceBy: stream_timestamp\n      eventTime: ⟦listen_duration⟧\n',
        ),
      );
      assertFires(p, 'LH227', {
        message: [
          'The event time of fact_stream, listen_duration (int), is not a date or time',
          "version of 'dim_user' valid when the fact happened",
        ],
      });
    },
    async notFire() {
      assertClean(
        await root(
          base(
            '      sequenceBy: stream_timestamp\n',
            '      sequenceBy: stream_timestamp\n      eventTime: stream_timestamp\n',
          ),
        ),
      );
    },
  },
  LH228: {
    fires: 'on a backfillFrom after the schedule starts, at the date',
    quiet: 'on a backfillFrom before it',
    async fire() {
      const p = await root(base('        backfillFrom: 2024-01-01', '        backfillFrom: ⟦2027-01-01⟧'));
      assertFires(p, 'LH228', {
        message: [
          "Table 'dbo.FactStream' is backfilled from 2027-01-01, not before the schedule starts (adf.schedule.startTime 2026-12-07T02:00:00Z)",
          'copy nothing',
        ],
      });
    },
    async notFire() {
      assertClean(await root(base('        backfillFrom: 2024-01-01', '        backfillFrom: 2026-12-06')));
    },
  },
  LH229: {
    fires: "on two systems' tables of one name in the folder layout {table}, at the second table's name",
    quiet: 'with the layout {system}/{table}',
    async fire() {
      const p = await root(base('\nstarSchema:', CRM_SOURCE.replace('- name: DimTrack', '- name: ⟦DimTrack⟧')));
      assertFires(p, 'LH229', {
        message: [
          "Table 'crm.sales.DimTrack' writes its files to folder DimTrack of zone 'bronze', where table 'spotify_sql.dbo.DimTrack' writes its files",
          'Give the zone a path with {schema} or {system}',
        ],
      });
    },
    async notFire() {
      assertNo(await root(bySystem(base('\nstarSchema:', CRM_SOURCE))), 'LH229');
    },
  },
  LH230: {
    fires: 'on ${VAR} in an environment value, at the value',
    quiet: 'on the value written out',
    async fire() {
      const p = await root(base('    resourceGroup: rg-mini-dev', '    resourceGroup: ⟦rg-mini-${ENV}⟧'));
      assertFires(p, 'LH230', {
        message: ["resourceGroup of environment 'dev' contains ${ENV}, which nothing substitutes"],
      });
    },
    async notFire() {
      assertClean(await root(BASELINE));
    },
  },
  LH301: {
    fires: 'on an environment without storageAccount, at its name, as a warning',
    quiet: 'on a complete environment (databricksHost is only needed with a bundle)',
    async fire() {
      const p = await root(edit(base('    storageAccount: stminidev\n', ''), '  dev:\n', '  ⟦dev⟧:\n'));
      assertFires(p, 'LH301', { message: ["Environment 'dev' cannot be deployed to: it has no storageAccount."] });
    },
    async notFire() {
      assertClean(await root(base('\nsources:', 'paths:\n  templates: templates\n\nsources:')));
    },
  },
  LH302: {
    fires: "on a project without environments, at the 'project' key, as a warning",
    quiet: 'when an environment exists, even an incomplete one',
    async fire() {
      const p = await root(
        edit(
          base(
            'environments:\n  dev:\n    subscriptionId: 00000000-0000-0000-0000-000000000000\n    ' +
              'resourceGroup: rg-mini-dev\n    factory: adf-mini-dev\n    storageAccount: stminidev\n\n',
            '',
          ),
          'project:\n',
          '⟦project⟧:\n',
        ),
      );
      assertFires(p, 'LH302', { message: ["No environments are declared: add one under 'environments'"] });
    },
    async notFire() {
      const p = await root(base('    storageAccount: stminidev\n', ''));
      assertNo(p, 'LH302');
      assert.deepEqual(
        p.diagnostics.map(d => d.code),
        ['LH301'],
      );
    },
  },
  LH303: {
    fires: "on production using development's storage account, at prod's storageAccount, as an error",
    quiet: 'on production with its own',
    async fire() {
      const p = await root(base('\nlake:', `${PROD('⟦stminidev⟧')}\nlake:`));
      const d = assertFires(p, 'LH303', {
        message: [
          "Environments 'dev' and 'prod' use the same storage account (the lake), stminidev",
          "dev's runs would read and write prod's lake",
        ],
      });
      assert.equal(d.related?.[0]?.message, "storage account (the lake) of 'dev'");
    },
    async notFire() {
      assertClean(await root(base('\nlake:', `${PROD('stminiprod')}\nlake:`)));
    },
  },
  LH304: {
    fires: 'on an alert URL with its signature in lakehouse.yaml, at the URL, as a warning',
    quiet: 'when the URL is read from Key Vault',
    async fire() {
      const p = await root(
        base(
          '    storageAccount: stminidev\n',
          '    storageAccount: stminidev\n    alertUrl: ' +
            '⟦https://prod-1.westeurope.logic.azure.com/workflows/x/triggers/manual/paths/invoke?api-version=2016-10-01&sig=abc⟧\n',
        ),
      );
      assertFires(p, 'LH304', {
        message: [
          "The alert URL of environment 'dev' carries its signature (sig=…)",
          'Put it in Key Vault (keyVault and alertUrlSecret)',
        ],
      });
    },
    async notFire() {
      assertClean(
        await root(
          base(
            '    storageAccount: stminidev\n',
            '    storageAccount: stminidev\n    keyVault: kv-mini-dev\n    alertUrlSecret: alert-url\n',
          ),
        ),
      );
    },
  },
  LH401: {
    fires: 'on paths.adf naming a folder that does not exist, at the value',
    quiet: 'when the folder exists in ADF git layout',
    async fire() {
      const p = await root(base('\nsources:', 'paths:\n  adf: ⟦factory⟧\n\nsources:'));
      assertFires(p, 'LH401', {
        message: ["The ADF folder 'factory' does not exist", 'Point paths.adf at the folder'],
      });
    },
    async notFire() {
      const adf = Object.fromEntries(Object.entries(adfFolder()).map(([f, t]) => [f.replace(/^adf\//, 'factory/'), t]));
      assertClean(
        await loadProject({ 'lakehouse.yaml': base('\nsources:', 'paths:\n  adf: factory\n\nsources:'), ...adf }),
      );
    },
  },
  LH402: {
    fires: "on ADF JSON missing a comma, at the token where ',' was expected",
    quiet: 'on the same JSON with the comma',
    async fire() {
      const p = await loadProject({
        'lakehouse.yaml': BASELINE,
        ...adfFolder(),
        'adf/pipeline/broken.json': '{\n  "name": "broken"\n  ⟦"properties"⟧: {}\n}\n',
      });
      assertFires(p, 'LH402', { file: 'adf/pipeline/broken.json', message: ["JSON syntax error: ',' is expected."] });
    },
    async notFire() {
      assertClean(
        await loadProject({
          'lakehouse.yaml': BASELINE,
          ...adfFolder(),
          'adf/pipeline/broken.json': '{\n  "name": "broken",\n  "properties": {}\n}\n',
        }),
      );
    },
  },
  LH403: {
    fires: 'on JSON in pipeline/ that is not an artifact, at its first line, as a warning',
    quiet: 'on an artifact with name and properties',
    async fire() {
      const p = await loadProject({
        'lakehouse.yaml': BASELINE,
        ...adfFolder(),
        'adf/pipeline/notes.json': '⟦{ "description": "my notes" }⟧\n',
      });
      assertFires(p, 'LH403', {
        file: 'adf/pipeline/notes.json',
        message: ['This is not an ADF pipeline: it has no "name"', 'move other JSON out of the pipeline/ folder'],
      });
    },
    async notFire() {
      assertClean(
        await loadProject({
          'lakehouse.yaml': BASELINE,
          ...adfFolder(),
          'adf/pipeline/notes.json': '{ "name": "notes", "properties": { "description": "my notes" } }\n',
        }),
      );
    },
  },
  LH404: {
    fires: 'on a loop item lakehouse.yaml does not declare, at its table value, as a warning',
    quiet: 'on a loop item naming a declared table in other letter case',
    async fire() {
      const adf = adfFolder([
        { schema: 'dbo', table: 'DimUser' },
        { schema: 'sales', table: 'Orders' },
      ]);
      const pipeline = 'adf/pipeline/pl_incremental.json';
      adf[pipeline] = edit(adf[pipeline] as string, '"table": "Orders"', '"table": ⟦"Orders"⟧');
      const p = await loadProject({ 'lakehouse.yaml': BASELINE, ...adf });
      assertFires(p, 'LH404', {
        file: pipeline,
        message: [
          "Pipeline 'pl_incremental' copies sales.Orders (parameter 'loop_input'), which lakehouse.yaml does not declare",
          'Declare it under sources',
        ],
      });
    },
    async notFire() {
      assertClean(
        await loadProject({ 'lakehouse.yaml': BASELINE, ...adfFolder([{ schema: 'DBO', table: 'dimuser' }]) }),
      );
    },
  },
  LH405: {
    fires: 'on an activity without a type, at its name',
    quiet: 'on an activity of a type we do not model (only its common fields are checked)',
    async fire() {
      const p = await withPipeline(['"name": "Copy",\n              "type": "Copy",', '"name": ⟦"Copy"⟧,']);
      assertFires(p, 'LH405', { file: PIPELINE, message: [`Activity 'Copy' has no "type"`] });
    },
    async notFire() {
      assertClean(await withPipeline(['"type": "Copy",', '"type": "SomeFutureActivity",']));
    },
  },
  LH406: {
    fires: 'on a second activity with the same name in one container, at its name',
    quiet: 'on two activities with different names',
    async fire() {
      const p = await withPipeline([
        LOOP_BODY,
        `"activities": [ ${wait('"Copy"')},\n            {\n              "name": ⟦"Copy"⟧`,
      ]);
      assertFires(p, 'LH406', {
        file: PIPELINE,
        message: ["already has an activity named 'Copy'", 'rename one of them'],
      });
    },
    async notFire() {
      assertClean(await withPipeline(addActivity(wait('"Wait"'))));
    },
  },
  LH407: {
    fires: 'on dependsOn naming an activity that is not a sibling, at the name, with did-you-mean',
    quiet: 'on dependsOn naming a sibling',
    async fire() {
      const p = await withPipeline(
        addActivity(wait('"Wait"', ', "dependsOn": [{ "activity": ⟦"Cpy"⟧, "dependencyConditions": ["Succeeded"] }]')),
      );
      const d = assertFires(p, 'LH407', {
        file: PIPELINE,
        message: ["'Wait' depends on 'Cpy'", "Did you mean 'Copy'?"],
      });
      assert.equal(d.fixes?.[0]?.edits[0]?.newText, '"Copy"');
    },
    async notFire() {
      assertClean(
        await withPipeline(
          addActivity(wait('"Wait"', ', "dependsOn": [{ "activity": "Copy", "dependencyConditions": ["Succeeded"] }]')),
        ),
      );
    },
  },
  LH408: {
    fires: 'on a dependency condition ADF does not know, at the condition, with a fix',
    quiet: 'on Completed',
    async fire() {
      const p = await withPipeline(
        addActivity(wait('"Wait"', ', "dependsOn": [{ "activity": "Copy", "dependencyConditions": [⟦"Finished"⟧] }]')),
      );
      assertFires(p, 'LH408', {
        file: PIPELINE,
        message: ["'Finished' is not a dependency condition; use Succeeded, Failed, Skipped, Completed."],
      });
    },
    async notFire() {
      assertClean(
        await withPipeline(
          addActivity(wait('"Wait"', ', "dependsOn": [{ "activity": "Copy", "dependencyConditions": ["Completed"] }]')),
        ),
      );
    },
  },
  LH409: {
    fires: 'on two activities that depend on each other, at the dependency that closes the circle',
    quiet: 'on a one-way dependency',
    async fire() {
      const p = await withPipeline(
        [
          '"name": "Copy",\n              "type": "Copy",',
          '"name": "Copy", "type": "Copy", "dependsOn": [{ "activity": ⟦"Wait"⟧, "dependencyConditions": ["Succeeded"] }],',
        ],
        addActivity(wait('"Wait"', ', "dependsOn": [{ "activity": "Copy", "dependencyConditions": ["Succeeded"] }]')),
      );
      assertFires(p, 'LH409', { file: PIPELINE, message: ['depend on each other in a circle', 'Wait → Copy → Wait'] });
    },
    async notFire() {
      assertClean(
        await withPipeline(
          addActivity(wait('"Wait"', ', "dependsOn": [{ "activity": "Copy", "dependencyConditions": ["Succeeded"] }]')),
        ),
      );
    },
  },
  LH410: {
    fires: 'on a dataset reference that is not in the factory, at its name, with did-you-mean',
    quiet: 'on the same name in another letter case (ADF names are case-insensitive)',
    async fire() {
      const p = await withPipeline(['"referenceName": "ds_sql"', '"referenceName": ⟦"ds_sqll"⟧']);
      assertFires(p, 'LH410', {
        file: PIPELINE,
        message: ["There is no dataset 'ds_sqll' in this factory", "Did you mean 'ds_sql'?"],
      });
    },
    async notFire() {
      assertClean(await withPipeline(['"referenceName": "ds_sql"', '"referenceName": "DS_SQL"']));
    },
  },
  LH411: {
    fires: 'on a misspelt dataset parameter, at its key, with did-you-mean',
    quiet: 'on the declared parameter',
    async fire() {
      const p = await withPipeline(['"container": "bronze"', '⟦"containr"⟧: "bronze"']);
      assertFires(p, 'LH411', {
        file: PIPELINE,
        message: ["Dataset 'ds_parquet' has no parameter 'containr'", "Did you mean 'container'?"],
      });
    },
    async notFire() {
      assertClean(await withPipeline(['"container": "bronze"', '"CONTAINER": "bronze"']));
    },
  },
  LH412: {
    fires: 'on an expression calling an unknown function, at the name, with did-you-mean',
    quiet: 'on the function in other letter case',
    async fire() {
      const p = await withPipeline(['"@pipeline().parameters.loop_input"', '"@⟦pipelin⟧().parameters.loop_input"']);
      assertFires(p, 'LH412', { file: PIPELINE, message: ['pipelin', 'pipeline'] });
    },
    async notFire() {
      assertClean(await withPipeline(['"@pipeline().parameters.loop_input"', '"@PIPELINE().parameters.loop_input"']));
    },
  },
  LH413: {
    fires: 'on a pipeline parameter that is not declared, at its name, with did-you-mean',
    quiet: 'on the declared parameter in other letter case',
    async fire() {
      const p = await withPipeline(['"@pipeline().parameters.loop_input"', '"@pipeline().parameters.⟦loop_inputs⟧"']);
      const d = assertFires(p, 'LH413', {
        file: PIPELINE,
        message: ["Parameter 'loop_inputs' is not declared in pipeline 'pl_incremental'", "Did you mean 'loop_input'?"],
      });
      assert.equal(d.fixes?.[0]?.edits[0]?.newText, 'loop_input');
    },
    async notFire() {
      assertClean(await withPipeline(['"@pipeline().parameters.loop_input"', '"@pipeline().parameters.Loop_Input"']));
    },
  },
  LH414: {
    fires: "on activity('X') where X does not run before the reader, at the name",
    quiet: 'when the reader depends on X',
    async fire() {
      const p = await withPipeline(
        addActivity(
          wait(
            '"Wait"',
            `, "description": "", "userProperties": [{ "name": "rows", "value": "@activity('⟦Copy⟧').output.rowsCopied" }]`,
          ),
        ),
      );
      assertFires(p, 'LH414', {
        file: PIPELINE,
        message: ["activity('Copy') is not an ancestor of 'Wait'", "Make 'Wait' depend on 'Copy'"],
      });
    },
    async notFire() {
      assertClean(
        await withPipeline(
          addActivity(
            wait(
              '"Wait"',
              `, "dependsOn": [{ "activity": "Copy", "dependencyConditions": ["Succeeded"] }], ` +
                `"userProperties": [{ "name": "rows", "value": "@activity('Copy').output.rowsCopied" }]`,
            ),
          ),
        ),
      );
    },
  },
  LH415: {
    fires: 'on item() outside a ForEach, at item()',
    quiet: 'on item() inside the ForEach',
    async fire() {
      const p = await withPipeline(['"@pipeline().parameters.loop_input"', '"@⟦item()⟧.tables"']);
      assertFires(p, 'LH415', { file: PIPELINE, message: ['item() has no value here', 'not inside one'] });
    },
    async notFire() {
      assertClean(await withPipeline(['"container": "bronze"', '"container": "@item().table"']));
    },
  },
  LH416: {
    fires: 'on a ForEach batchCount over 50, at the number',
    quiet: 'on batchCount 50',
    async fire() {
      const p = await withPipeline([
        '"typeProperties": {\n          "items"',
        '"typeProperties": {\n          "batchCount": ⟦51⟧,\n          "items"',
      ]);
      assertFires(p, 'LH416', {
        file: PIPELINE,
        message: ['batchCount is 51; a ForEach runs at most 50 iterations in parallel'],
      });
    },
    async notFire() {
      assertClean(
        await withPipeline([
          '"typeProperties": {\n          "items"',
          '"typeProperties": {\n          "batchCount": 50,\n          "items"',
        ]),
      );
    },
  },
  LH501: {
    fires:
      'on a binding whose template exists neither in paths.templates nor among the built-ins, at the template, with did-you-mean',
    quiet: 'on a built-in template, and on a template in paths.templates',
    async fire() {
      const p = await root(
        base(
          '\nsources:',
          'templates:\n  - template: ⟦silver/autoloadr.py.j2⟧\n    for: table\n    output: out/{name}.py\n\nsources:',
        ),
      );
      assertFires(p, 'LH501', {
        message: [
          "Template 'silver/autoloadr.py.j2' was not found among the built-in templates",
          "Did you mean 'silver/autoloader.py.j2'?",
        ],
      });
    },
    async notFire() {
      assertClean(
        await root(
          base(
            '\nsources:',
            'templates:\n  - template: silver/autoloader.py.j2\n    for: table\n    output: out/{name}.py\n\nsources:',
          ),
        ),
      );
      assertClean(
        await loadProject({
          'lakehouse.yaml': base(
            '\nsources:',
            'paths:\n  templates: tpl\n\ntemplates:\n  - template: mine/list.txt.j2\n    for: project\n    output: out/{name}.txt\n\nsources:',
          ),
          'tpl/mine/list.txt.j2': '{{ project.name }}\n',
        }),
      );
    },
  },
  LH502: {
    fires: 'on a per-table binding whose output has no {name}, at the output',
    quiet: 'when the output has {name}',
    async fire() {
      const p = await root(
        base(
          '\nsources:',
          'templates:\n  - template: silver/autoloader.py.j2\n    for: table\n    output: ⟦out/silver.py⟧\n\nsources:',
        ),
      );
      assertFires(p, 'LH502', {
        message: ["Table 'DimUser' and table 'DimTrack' both render into 'out/silver.py'", 'add {name} to the output'],
      });
    },
    async notFire() {
      assertClean(
        await root(
          base(
            '\nsources:',
            'templates:\n  - template: silver/autoloader.py.j2\n    for: table\n    output: out/{name}.py\n\nsources:',
          ),
        ),
      );
    },
  },
  LH503: {
    fires: 'on an unknown placeholder, at the placeholder, with did-you-mean',
    quiet: 'on the known placeholders of a per-table binding',
    async fire() {
      const p = await root(
        base(
          '\nsources:',
          'templates:\n  - template: silver/autoloader.py.j2\n    for: table\n    output: out/⟦{nme}⟧.py\n\nsources:',
        ),
      );
      assertFires(p, 'LH503', { message: ['Unknown placeholder {nme}', 'Did you mean {name}?'] });
    },
    async notFire() {
      assertClean(
        await root(
          base(
            '\nsources:',
            'templates:\n  - template: silver/autoloader.py.j2\n    for: table\n    output: out/{project}/{system}/{schema}/{name}.py\n\nsources:',
          ),
        ),
      );
    },
  },
  LH504: {
    fires:
      'on a bundle whose gold DLT pipeline does not list a gold notebook, at libraries, as a warning, with the fix',
    quiet: 'on a bundle that lists every gold notebook, and on a project without databricks.yml',
    async fire() {
      const p = await loadProject({
        'lakehouse.yaml': BASELINE,
        'databricks/databricks.yml': bundle(ALL_GOLD.filter(l => !l.includes('dim_date'))),
      });
      const d = assertFires(p, 'LH504', {
        file: 'databricks/databricks.yml',
        message: ["The gold pipeline 'mini_spotify_gold' does not list src/gold/dim_date.py (dimension dim_date)"],
      });
      assert.equal(d.fixes?.[0]?.edits[0]?.newText, '        - notebook:\n            path: src/gold/dim_date.py\n');
    },
    async notFire() {
      assertClean(
        await loadProject({
          'lakehouse.yaml': BASELINE,
          'databricks/databricks.yml': bundle(ALL_GOLD).replace(/⟦|⟧/g, ''),
        }),
      );
      assertClean(await root(BASELINE));
    },
  },
  LH505: {
    fires:
      'on what the Databricks CLI reported while planning or deploying the bundle, at the place of databricks.yml it names',
    quiet: 'on a CLI run that reported nothing',
    async fire() {
      const bundleDir = path.join(path.sep, 'p', 'databricks');
      const file = path.join(bundleDir, 'databricks.yml');
      const [d] = bundleCliDiagnostics(
        parseBundleDiagnostics(
          'Warning: unknown field: continuousx\n  at resources.pipelines.gold\n  in databricks.yml:6:7\n',
        ),
        bundleDir,
        file,
      );
      assert.equal(d?.code, 'LH505');
      assert.equal(d?.file, file);
      assert.deepEqual(d?.range.start, { line: 5, character: 6 });
      assert.match(d?.message ?? '', /^Databricks CLI: unknown field: continuousx/);
    },
    async notFire() {
      const output = 'Uploading bundle files to /Workspace/x...\nDeploying resources...\nDeployment complete!\n';
      assert.deepEqual(bundleCliDiagnostics(parseBundleDiagnostics(output), '/p', '/p/databricks.yml'), []);
    },
  },
  LH510: templateCase(
    'LH510',
    'an unknown filter',
    '{{ items | nosuchfilter }}',
    /^Template does not render: No filter/,
  ),
  LH511: templateCase('LH511', 'an attribute of an undefined name', '{{ nothing.here }}', /'nothing' is undefined/),
  LH512: templateCase('LH512', 'a number added to a string', '{{ 1 + "x" }}', /unsupported operand|TypeError|can only/),
  LH513: templateCase('LH513', 'the random filter', '{{ items | random }}', /random filter/),
  LH514: templateCase(
    'LH514',
    'an include that leaves the template folders',
    '{% include "../x.j2" %}',
    /leaves the template folders/,
  ),
  LH515: templateCase(
    'LH515',
    'a loop that does not end in time (in the worker)',
    '{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}',
    /took longer than 1000 ms/,
    true,
  ),
  LH516: templateCase('LH516', 'a range over the limit', '{{ range(10**9) | list }}', /OverflowError: Range too big/),
  LH601: {
    fires: 'on paths.adf leading out of the project folder, at the value, and nothing is read from there',
    quiet: 'on paths inside the project, and on a path outside that the user allowed',
    async fire() {
      const p = await loadProject({
        'lakehouse.yaml': base('\nsources:', 'paths:\n  adf: ⟦../elsewhere/adf⟧\n\nsources:'),
        '../elsewhere/adf/pipeline/p.json': '{ "name": "p", "properties": { "activities": [] } }',
      });
      assertFires(p, 'LH601', {
        message: [
          "paths.adf ('../elsewhere/adf') is outside the project folder",
          'Nothing is read from it or written to it.',
        ],
      });
      assert.equal(p.snapshot.adf, undefined, 'the folder outside is not read');
    },
    async notFire() {
      assertClean(
        await loadProject({
          'lakehouse.yaml': base('\nsources:', 'paths:\n  adf: ./adf\n  templates: tpl/../tpl\n\nsources:'),
          ...adfFolder(),
          'tpl/x.j2': 'x',
        }),
      );
      const allowed = await loadProject(
        {
          'lakehouse.yaml': base('\nsources:', 'paths:\n  templates: ../shared-templates\n\nsources:'),
          '../shared-templates/x.j2': 'x',
        },
        { allowedFolders: ['../shared-templates'] },
      );
      assertClean(allowed);
    },
  },
  LH602: {
    fires: 'on a column name with a line break, at the name',
    quiet: 'on names SQL Server delimits: spaces, quotes, brackets, non-ASCII',
    async fire() {
      const p = await root(
        base(
          '          - { name: country, type: nvarchar(100) }',
          '          - { name: ⟦"coun\\ntry"⟧, type: nvarchar(100) }',
        ),
      );
      assertFires(p, 'LH602', { message: ["The column name 'coun try' contains a line break"] });
    },
    async notFire() {
      const p = await root(
        base(
          '          - { name: country, type: nvarchar(100) }',
          '          - { name: "Land\'s ]name[ é", type: nvarchar(100) }',
        ),
      );
      assertNo(p, 'LH602');
    },
  },
  LH603: {
    fires: 'on a table name that climbs out of the lake folder, at the name',
    quiet: 'on table names a folder, a notebook and Unity Catalog can all hold',
    async fire() {
      const p = await root(
        base('      - name: DimDate\n', '      - name: ⟦../../../../tmp/pwn⟧\n').replace(
          'source: dbo.DimDate',
          'source: dbo.DimTrack',
        ),
      );
      assertFires(p, 'LH603', {
        message: [
          "The table name '../../../../tmp/pwn' contains '/', which cannot be in a file or folder name",
          "it names the table's folders in the lake and its notebook",
        ],
      });
    },
    async notFire() {
      assertNo(
        await root(
          base('      - name: DimDate\n', '      - name: Dim-Date_2024\n').replace(
            'source: dbo.DimDate',
            'source: dbo.Dim-Date_2024',
          ),
        ),
        'LH603',
      );
    },
  },
  LH604: {
    fires: 'on a linked service name that is a path, at the name',
    quiet: 'on the names Data Factory accepts',
    async fire() {
      const p = await root(base('    linkedService: ls_spotify_sql', '    linkedService: ⟦../../../X⟧'));
      assertFires(p, 'LH604', {
        message: ["The linked service name '../../../X' contains '.', which Data Factory does not allow in names"],
      });
    },
    async notFire() {
      assertClean(await root(base('    linkedService: ls_spotify_sql', '    linkedService: LS_Spotify_SQL_2')));
    },
  },
  LH605: {
    fires: 'on a database name that adds connection-string settings, at the value',
    quiet: 'on a plain server and database',
    async fire() {
      const p = await root(
        base(
          '    linkedService: ls_spotify_sql',
          '    linkedService: ls_spotify_sql\n    server: sql-x.database.windows.net\n    database: ⟦"db;User ID=sa;Password=hunter2"⟧',
        ),
      );
      assertFires(p, 'LH605', {
        message: ["Database name 'db;User ID=sa;Password=hunter2' contains ';'", 'connection string'],
      });
    },
    async notFire() {
      assertClean(
        await root(
          base(
            '    linkedService: ls_spotify_sql',
            '    linkedService: ls_spotify_sql\n    server: tcp:sql-x.database.windows.net,1433\n    database: spotify-prod_01',
          ),
        ),
      );
    },
  },
  LH606: {
    fires: 'on a password in a connection string, at the value, as a warning that does not repeat it',
    quiet: 'on a Key Vault reference, a masked SecureString, a managed identity and a parameterised value',
    async fire() {
      const ls =
        '{\n  "name": "ls_spotify_sql",\n  "properties": {\n    "type": "AzureSqlDatabase",\n    ' +
        '"typeProperties": {\n      "connectionString": ⟦"Data ' +
        'Source=sql.database.windows.net;Initial Catalog=spotify;User ID=etl;Password=hunter2"⟧\n  ' +
        '  }\n  }\n}\n';
      const p = await loadProject({
        'lakehouse.yaml': BASELINE,
        ...adfFolder(),
        'adf/linkedService/ls_spotify_sql.json': ls,
      });
      const d = assertFires(p, 'LH606', {
        file: 'adf/linkedService/ls_spotify_sql.json',
        message: [
          "Linked service 'ls_spotify_sql' holds a credential in plain text in connectionString (its Password=)",
          'Key Vault',
        ],
      });
      assert.doesNotMatch(d.message, /hunter2/);
    },
    async notFire() {
      const keyVault = JSON.stringify(
        {
          name: 'ls_spotify_sql',
          properties: {
            type: 'AzureSqlDatabase',
            typeProperties: {
              connectionString: 'Data Source=sql.database.windows.net;Initial Catalog=spotify;User ID=etl',
              password: {
                type: 'AzureKeyVaultSecret',
                store: { referenceName: 'ls_kv', type: 'LinkedServiceReference' },
                secretName: 'sql-password',
              },
              servicePrincipalKey: { type: 'SecureString', value: '**********' },
              accountKey: '@{linkedService().key}',
            },
            parameters: { key: { type: 'String', defaultValue: '' } },
          },
        },
        null,
        2,
      );
      const vault = JSON.stringify({
        name: 'ls_kv',
        properties: { type: 'AzureKeyVault', typeProperties: { baseUrl: 'https://kv-mini.vault.azure.net/' } },
      });
      assertClean(
        await loadProject({
          'lakehouse.yaml': BASELINE,
          ...adfFolder(),
          'adf/linkedService/ls_spotify_sql.json': keyVault,
          'adf/linkedService/ls_kv.json': vault,
        }),
      );
    },
  },
  LH901: {
    fires: 'on a todo, at its text, as a warning',
    quiet: 'on text that mentions TODO but does not start with it',
    async fire() {
      const p = await root(base('  owner: data-platform', '  owner: data-platform\n  todo: ⟦Name the owner⟧'));
      assertFires(p, 'LH901', { message: ['TODO: Name the owner'] });
    },
    async notFire() {
      assertClean(
        await root(base('  owner: data-platform', '  owner: data-platform\n  description: Nothing is TODO here')),
      );
    },
  },
};

describe('rules', () => {
  it('has a firing and a quiet case for every code in RULES, and none for unknown codes', () => {
    assert.deepEqual(Object.keys(cases).sort(), ALL_RULES.map(r => r.code).sort());
  });

  it('starts from a baseline project with no diagnostics', async () => {
    assertClean(await root(BASELINE));
    assertClean(await loadProject({ 'lakehouse.yaml': BASELINE, ...adfFolder() }));
  });

  for (const rule of ALL_RULES) {
    const c = cases[rule.code];
    if (!c) continue;
    describe(`${rule.code} ${rule.name}`, () => {
      it(`fires ${c.fires}`, () => c.fire());
      it(`does not fire ${c.quiet}`, () => c.notFire());
    });
  }
});

describe('rule variants', () => {
  it('LH504 when the bundle defines no gold pipeline of that name, at resources.pipelines', async () => {
    const p = await loadProject({
      'lakehouse.yaml': BASELINE,
      'databricks/databricks.yml': bundle(ALL_GOLD, 'other')
        .replace(/⟦|⟧/g, '')
        .replace('  pipelines:', '  ⟦pipelines⟧:'),
    });
    assertFires(p, 'LH504', {
      file: 'databricks/databricks.yml',
      message: ["No Delta Live Tables pipeline named 'mini_spotify_gold' under resources.pipelines"],
    });
  });

  it('LH504 quick fix: applied, the bundle checks clean', async () => {
    const text = bundle(ALL_GOLD.slice(0, 2)).replace(/⟦|⟧/g, '');
    const p = await loadProject({ 'lakehouse.yaml': BASELINE, 'databricks/databricks.yml': text });
    const edit = p.withCode('LH504')[0]?.fixes?.[0]?.edits[0];
    assert.ok(edit);
    const lines = text.split('\n');
    const at =
      lines.slice(0, edit.range.start.line).join('\n').length +
      (edit.range.start.line ? 1 : 0) +
      edit.range.start.character;
    const fixed = text.slice(0, at) + edit.newText + text.slice(at);
    assertClean(await loadProject({ 'lakehouse.yaml': BASELINE, 'databricks/databricks.yml': fixed }));
  });

  it('LH001 reports a duplicate key at the second key', async () => {
    const p = await root(base('  owner: data-platform', '  owner: data-platform\n  ⟦owner⟧: platform-team'));
    assertFires(p, 'LH001', {
      message: ['Map keys must be unique', 'defined twice in the same mapping; remove or rename one'],
    });
  });

  it('LH003 for an include pattern that matches nothing is a warning', async () => {
    const p = await root(base('version: 1\n', 'version: 1\ninclude:\n  - ⟦metadata/*.lakehouse.yaml⟧\n'));
    assertFires(p, 'LH003', { severity: 'warning', message: ["No file matches include 'metadata/*.lakehouse.yaml'"] });
  });

  it('LH103 for an incremental table without cdcColumn, at loadType', async () => {
    const p = await root(base('        loadType: full\n', '        loadType: ⟦incremental⟧\n'));
    assertFires(p, 'LH103', {
      message: ["Table 'dbo.DimDate' loads incrementally but has no cdcColumn", 'or set loadType: full'],
    });
  });

  it('LH103 for an empty lakehouse.yaml, at the start, saying how it starts', async () => {
    const p = await root('');
    assertFires(p, 'LH103', { at: ZERO, message: ["starts with 'version: 1'"] });
  });

  it('LH104 for a date that is not YYYY-MM-DD, at the value', async () => {
    const p = await root(base('backfillFrom: 2024-01-01', 'backfillFrom: ⟦2024-13-01⟧'));
    assertFires(p, 'LH104', {
      message: ["'backfillFrom' in table 'FactStream' is not valid: expected a date, YYYY-MM-DD."],
    });
  });

  it('LH104 for a storage account name says the rule (3 to 24 lowercase letters and digits), acronym kept', async () => {
    const p = await root(base('storageAccount: stminidev', 'storageAccount: ⟦St-Mini-Dev⟧'));
    assertFires(p, 'LH104', {
      message: [
        "'storageAccount' in environment 'dev' is not valid: expected ADLS Gen2 storage account name (3 to 24 lowercase letters and digits).",
      ],
    });
  });

  it('LH104 for an environment name that is not an identifier: one diagnostic, at the name', async () => {
    const p = await root(base('  dev:\n', '  ⟦2dev⟧:\n'));
    assertFires(p, 'LH104', { message: ["'2dev' is not a valid name", "use letters, digits, '_' and '-'"] });
  });

  it('LH209 for a fact named like a dimension', async () => {
    const p = await root(
      edit(
        base('    - name: dim_date\n', '    - name: ⟦dim_date⟧\n'),
        '    - name: fact_stream\n',
        '    - name: ⟦dim_date⟧\n',
      ),
    );
    const d = assertFires(p, 'LH209', {
      at: 1,
      message: ["Fact 'dim_date' has the name of a dimension; gold table names must be unique."],
    });
    assert.deepEqual(
      d.related?.map(r => r.range),
      [p.marker(0)],
    );
  });

  it('LH211 for averaging a date column says it cannot be averaged', async () => {
    const p = await root(
      base(
        '        - column: listen_duration\n          aggregation: sum',
        '        - column: ⟦stream_timestamp⟧\n          aggregation: avg',
      ),
    );
    assertFires(p, 'LH211', { message: ['is datetime2, not numeric, so it cannot be averaged'] });
  });

  it('LH211 applies to the default aggregation (sum) when none is given', async () => {
    const p = await root(
      base('        - column: listen_duration\n          aggregation: sum', '        - column: ⟦device_type⟧'),
    );
    assertFires(p, 'LH211', { message: ['cannot be summed'] });
  });

  it('LH213 for a measure column and a sequenceBy column the table does not have', async () => {
    const p = await root(
      edit(
        base('        - column: listen_duration\n', '        - column: ⟦listen_secs⟧\n'),
        '      sequenceBy: stream_timestamp',
        '      sequenceBy: ⟦streamed_at⟧',
      ),
    );
    const found = p.withCode('LH213');
    assert.deepEqual(
      found.map(d => d.range),
      [p.marker(0), p.marker(1)],
      'sequenceBy comes before the measures in the file',
    );
    assert.match(found[0]?.message ?? '', /Sequence column 'streamed_at' of fact 'fact_stream'/);
    assert.match(found[1]?.message ?? '', /Measure column 'listen_secs' of fact 'fact_stream'/);
  });

  it('LH301 with a Databricks bundle also needs databricksHost', async () => {
    const p = await root(
      edit(base('\nsources:', 'paths:\n  bundle: databricks\n\nsources:'), '  dev:\n', '  ⟦dev⟧:\n'),
    );
    assertFires(p, 'LH301', { message: ['it has no databricksHost.'] });
    const withHost = await root(
      edit(
        base('\nsources:', 'paths:\n  bundle: databricks\n\nsources:'),
        '    storageAccount: stminidev\n',
        '    storageAccount: stminidev\n    databricksHost: https://adb-1.1.azuredatabricks.net\n',
      ),
    );
    assertClean(withHost);
  });

  it('LH401 for a paths.adf folder that is not in ADF git layout is a warning', async () => {
    const p = await loadProject({
      'lakehouse.yaml': base('\nsources:', 'paths:\n  adf: ⟦docs⟧\n\nsources:'),
      'docs/README.md': '# notes\n',
    });
    assertFires(p, 'LH401', {
      severity: 'warning',
      message: ["'docs' is not an ADF git folder: it has none of pipeline/"],
    });
  });

  it('LH401 is not reported when paths.adf is not set and ./adf does not exist', async () => {
    assertClean(await root(BASELINE));
  });

  it('LH403 for an artifact without properties, and for an array', async () => {
    const p = await loadProject({
      'lakehouse.yaml': BASELINE,
      ...adfFolder(),
      'adf/dataset/ds_empty.json': '⟦{ "name": "ds_empty" }⟧\n',
      'adf/trigger/list.json': '⟦[1, 2]⟧\n',
    });
    const found = p.withCode('LH403');
    assert.deepEqual(
      found.map(d => [d.file, d.range, d.severity]),
      [
        [abs('adf/dataset/ds_empty.json'), p.marker(0, 'adf/dataset/ds_empty.json'), 'warning'],
        [abs('adf/trigger/list.json'), p.marker(0, 'adf/trigger/list.json'), 'warning'],
      ],
    );
    assert.match(found[0]?.message ?? '', /ADF dataset 'ds_empty' has no "properties" object/);
    assert.match(
      found[1]?.message ?? '',
      /not an ADF trigger: .* this file holds an array\. Move it out of the trigger\/ folder/,
    );
  });

  it('LH501 with paths.templates set names the folder it looked in', async () => {
    const p = await root(
      base(
        '\nsources:',
        'paths:\n  templates: tpl\n\ntemplates:\n  - template: ⟦mine.sql.j2⟧\n    for: project\n    output: out.sql\n\nsources:',
      ),
    );
    assertFires(p, 'LH501', {
      message: [
        "Template 'mine.sql.j2' was not found in paths.templates ('tpl') nor among the built-in templates",
        "Built-in templates: 'silver/autoloader.py.j2'",
      ],
    });
  });

  it('LH501 for a template name that leaves the templates folder', async () => {
    const p = await root(
      base('\nsources:', 'templates:\n  - template: ⟦../secret.j2⟧\n    for: project\n    output: out.txt\n\nsources:'),
    );
    assertFires(p, 'LH501', { message: ["may not leave the templates folder ('..')"] });
  });

  it('LH502 when two bindings write one file, with the first as related information', async () => {
    const p = await root(
      base(
        '\nsources:',
        'templates:\n  - template: gold/dimension.py.j2\n    for: dimension\n    output: ' +
          'gold/{name}.py\n  - template: gold/fact.py.j2\n    for: fact\n    output: ' +
          'gold/{name}.py\n  - template: gold/star_query.py.j2\n    for: fact\n    output: ' +
          '⟦gold/{name}.py⟧\n\nsources:',
      ),
    );
    const d = assertFires(p, 'LH502', {
      message: [
        "'gold/fact_stream.py' (fact 'fact_stream') is also written by the binding of 'gold/fact.py.j2' (fact 'fact_stream')",
      ],
    });
    assert.equal(d.related?.length, 1);
  });

  it('LH503 for an output outside the project and for a placeholder the binding does not have', async () => {
    const p = await root(
      base(
        '\nsources:',
        'templates:\n  - template: gold/fact.py.j2\n    for: fact\n    output: ' +
          '⟦../elsewhere/{name}.py⟧\n  - template: gold/fact.py.j2\n    for: project\n    output: ' +
          'out/⟦{schema}⟧.py\n\nsources:',
      ),
    );
    const found = p.withCode('LH503');
    assert.deepEqual(
      found.map(d => d.range),
      [p.marker(0), p.marker(1)],
    );
    assert.match(found[0]?.message ?? '', /it leaves the project folder/);
    assert.match(
      found[1]?.message ?? '',
      /Unknown placeholder \{schema\} .* A binding for project may use '\{name\}', '\{project\}'/,
    );
  });

  it('LH901 reports text values starting with TODO, not only todo keys', async () => {
    const p = await root(base('    resourceGroup: rg-mini-dev', '    resourceGroup: ⟦TODO the resource group⟧'));
    assertFires(p, 'LH901', { message: ['TODO: the resource group'] });
  });
});

describe('what the metadata means (LH221–LH230, LH303, LH304): the cases a deploying engineer meets', () => {
  const fixed = (p: LoadedProject, code: string, title?: string): string => {
    const d = p.withCode(code)[0];
    assert.ok(d, `a ${code}`);
    const fix = title ? d.fixes?.find(f => f.title === title) : d.fixes?.[0];
    assert.ok(fix, `${code} offers a fix${title ? ` '${title}'` : ''}`);
    return applyEdits(p.texts.get(abs('lakehouse.yaml'))!, abs('lakehouse.yaml'), fix.edits);
  };

  it(
    'LH222: a watermark column declared nullable is an error at nullable; the fix for an ' +
      'undeclared one declares nullable: false in the flow mapping, and then all is clean',
    async () => {
      const declared = await root(
        base(
          '{ name: stream_timestamp, type: datetime2, nullable: false }',
          '{ name: stream_timestamp, type: datetime2, nullable: ⟦true⟧ }',
        ),
      );
      assertFires(declared, 'LH222', {
        severity: 'error',
        message: ['is nullable: a row whose stream_timestamp is NULL is never past the watermark'],
      });
      const undeclared = await root(
        base(
          '{ name: stream_timestamp, type: datetime2, nullable: false }',
          '{ name: stream_timestamp, type: datetime2 }',
        ),
      );
      const text = fixed(undeclared, 'LH222');
      assert.ok(text.includes('{ name: stream_timestamp, type: datetime2, nullable: false }'), text);
      assertClean(await root(text));
      // rowversion and Change Tracking do not read the column's NULLs: no warning.
      assertNo(
        await root(
          edit(
            base(
              '{ name: stream_timestamp, type: datetime2, nullable: false }',
              '{ name: stream_timestamp, type: rowversion }',
            ),
            '        cdcColumn: stream_timestamp\n',
            '        cdcColumn: stream_timestamp\n        cdcMode: rowversion\n',
          ),
        ),
        'LH222',
      );
    },
  );

  it('LH221: an identity number as a watermark, and a datetime2 column read as a rowversion', async () => {
    const number = await root(
      base(
        '{ name: stream_timestamp, type: datetime2, nullable: false }',
        '{ name: stream_timestamp, type: bigint, nullable: false }',
      ),
    );
    assert.match(number.withCode('LH221')[0]?.message ?? '', /A number \(an identity, say\) is not a time/);
    const rowversion = await root(
      base(
        '        cdcColumn: stream_timestamp\n',
        '        cdcColumn: stream_timestamp\n        cdcMode: rowversion\n',
      ),
    );
    assert.match(
      rowversion.withCode('LH221')[0]?.message ?? '',
      /stream_timestamp \(datetime2\) of table 'dbo.FactStream' is not a rowversion/,
    );
    // binary(8) holds a rowversion as well.
    assertNo(
      await root(
        edit(
          base(
            '{ name: stream_timestamp, type: datetime2, nullable: false }',
            '{ name: stream_timestamp, type: binary(8) }',
          ),
          '        cdcColumn: stream_timestamp\n',
          '        cdcColumn: stream_timestamp\n        cdcMode: rowversion\n',
        ),
      ),
      'LH221',
    );
  });

  it(
    'LH227: an SCD2 dimension sequenced by a number cannot be joined as of a time (fix: ' +
      'version: current); without any event time the current version is joined, a warning',
    async () => {
      const p = await root(
        edit(
          base('      sequenceBy: updated_at\n', '      sequenceBy: user_id\n'),
          '        - column: user_id\n          dimension: dim_user\n',
          '        - column: user_id\n          dimension: ⟦dim_user⟧\n',
        ),
      );
      assertFires(p, 'LH227', {
        message: [
          "The versions of 'dim_user' start at its sequenceBy, user_id (int), which is not a time",
          'join its current version (version: current)',
        ],
      });
      const text = fixed(p, 'LH227');
      assert.ok(text.includes('          dimension: dim_user\n          version: current\n'), text);
      assertNo(await root(text), 'LH227');

      // FactStream copied whole (no CDC column) and the fact without sequenceBy: no event time.
      const noTime = await root(
        edit(
          edit(
            base('        cdcColumn: stream_timestamp\n        backfillFrom: 2024-01-01\n', '        loadType: full\n'),
            '      sequenceBy: stream_timestamp\n',
            '',
          ),
          '        - column: user_id\n          dimension: dim_user\n',
          '        - column: user_id\n          dimension: ⟦dim_user⟧\n',
        ),
      );
      assertFires(noTime, 'LH227', {
        severity: 'warning',
        message: ['fact_stream has no event time', "every past row gets today's attributes", 'Set eventTime'],
      });
    },
  );

  it('LH213: an eventTime the fact table does not have', async () => {
    const p = await root(
      base(
        '      sequenceBy: stream_timestamp\n',
        '      sequenceBy: stream_timestamp\n      eventTime: ⟦streamed_at⟧\n',
      ),
    );
    assertFires(p, 'LH213', {
      message: [
        "Event time column 'streamed_at' of fact 'fact_stream' is not a column of its source table 'dbo.FactStream'",
      ],
    });
  });

  it(
    "LH228: backfill windows that end before they start, that start after a table's history, a " +
      'Z time in another time zone, a calendar that ends before it starts or misses the history, ' +
      'an overlap that is not used',
    async () => {
      const schedule = (lines: string) =>
        base(
          'adf:\n  schedule:\n    startTime: 2026-12-07T02:00:00Z\n',
          `adf:\n  schedule:\n    startTime: 2026-12-07T02:00:00Z\n${lines}`,
        );
      const backwards = await root(
        schedule('  backfill:\n    startTime: 2024-01-01T00:00:00Z\n    endTime: ⟦2023-01-01T00:00:00Z⟧\n'),
      );
      assertFires(backwards, 'LH228', {
        message: [
          'The backfill windows start at 2024-01-01T00:00:00Z and end at 2023-01-01T00:00:00Z',
          'no window fits',
        ],
      });
      const late = await root(schedule('  backfill:\n    startTime: ⟦2025-01-01T00:00:00Z⟧\n'));
      assertFires(late, 'LH228', {
        severity: 'warning',
        message: ["after table 'dbo.FactStream''s backfillFrom (2024-01-01)", 'never copied'],
      });
      const zone = await root(
        base(
          '    startTime: 2026-12-07T02:00:00Z\n',
          '    startTime: ⟦2026-12-07T02:00:00Z⟧\n    timeZone: W. Europe Standard Time\n',
        ),
      );
      assertFires(zone, 'LH228', {
        message: ["ends with Z (UTC), but the schedule's time zone is W. Europe Standard Time"],
      });
      const calendar = await root(
        base(
          '  dateDimension: dim_date\n',
          '  dateDimension: dim_date\n  calendar:\n    from: 2025-01-01\n    to: ⟦2024-12-31⟧\n',
        ),
      );
      assertFires(calendar, 'LH228', { message: ['The calendar ends (2024-12-31) before it starts (2025-01-01)'] });
      const short = await root(
        base('  dateDimension: dim_date\n', '  dateDimension: dim_date\n  calendar:\n    from: ⟦2025-01-01⟧\n'),
      );
      assertFires(short, 'LH228', {
        severity: 'warning',
        message: [
          "after fact_stream's history begins (its table is backfilled from 2024-01-01)",
          'Start the calendar at 2024-01-01 or earlier',
        ],
      });
      // Without adf.schedule.startTime the schedule starts at the default, 2024-01-01T02:00:00Z.
      const noSchedule = await root(
        edit(
          base('\nadf:\n  schedule:\n    startTime: 2026-12-07T02:00:00Z\n', '\n'),
          '        backfillFrom: 2024-01-01',
          '        backfillFrom: ⟦2025-06-01⟧',
        ),
      );
      assertFires(noSchedule, 'LH228', {
        message: [
          'not before the schedule starts (2024-01-01T02:00:00Z, the default: adf.schedule.startTime is not set)',
          'Set adf.schedule.startTime',
        ],
      });
      assertNo(await root(base('\nadf:\n  schedule:\n    startTime: 2026-12-07T02:00:00Z\n', '\n')), 'LH228');
      const overlap = await root(
        base(
          '        primaryKey: [date_key]\n        loadType: full\n',
          '        primaryKey: [date_key]\n        loadType: full\n        ⟦cdcOverlap⟧: PT2H\n',
        ),
      );
      assertFires(overlap, 'LH228', {
        severity: 'warning',
        message: ['copied whole every run (loadType: full), so its cdcOverlap is not used'],
      });
    },
  );

  it("LH229: a table whose name is another table's watermark folder (<table>_cdc)", async () => {
    const p = await root(base('      - name: DimDate\n', '      - name: ⟦DimUser_cdc⟧\n'));
    assertFires(p, 'LH229', {
      message: [
        "writes its files to folder DimUser_cdc of zone 'bronze', where table 'spotify_sql.dbo.DimUser' writes its watermark",
      ],
    });
  });

  it('LH230: an unknown {placeholder} in a folder layout or in adf.databricks.notebookFolder, {{ }} in a server name', async () => {
    const zone = await root(base('      path: "{table}"', '      path: ⟦"{tabel}/{date}"⟧'));
    assertFires(zone, 'LH230', {
      message: ["The folder layout of zone 'bronze' uses {tabel}, which is not one of {table}, {schema}, {system}"],
    });
    const folder = await root(
      base(
        '    startTime: 2026-12-07T02:00:00Z\n',
        '    startTime: 2026-12-07T02:00:00Z\n  databricks:\n    notebookFolder: ⟦/Workspace/{env}/files⟧\n',
      ),
    );
    assertFires(folder, 'LH230', {
      message: [
        'adf.databricks.notebookFolder uses {env}, which is not one of {subscriptionId}, {resourceGroup}, {environment}, {bundleTarget}, {project}',
      ],
    });
    assertNo(
      await root(
        base(
          '    startTime: 2026-12-07T02:00:00Z\n',
          '    startTime: 2026-12-07T02:00:00Z\n  databricks:\n    notebookFolder: /Workspace/{environment}/files\n',
        ),
      ),
      'LH230',
    );
    const server = await root(
      base(
        '    linkedService: ls_spotify_sql\n',
        '    linkedService: ls_spotify_sql\n    server: ⟦"{{ sql_server }}.database.windows.net"⟧\n',
      ),
    );
    assertFires(server, 'LH230', { message: ["The server of source 'spotify_sql' contains {{ sql_server }}"] });
  });

  it(
    "LH303: two environments without a catalog share the zones' one (an error with a protected " +
      'one); unprotected environments may share a Key Vault, not with production',
    async () => {
      const shared = await root(
        edit(
          base('\nlake:', `${PROD('stminiprod').replace('    catalog: mini_prod\n', '')}\nlake:`),
          '  prod:\n',
          '  ⟦prod⟧:\n',
        ),
      );
      assertFires(shared, 'LH303', {
        at: 'any',
        message: [
          "Environments 'dev' and 'prod' use the same Unity Catalog catalog, main (neither sets catalog, so both use the zones' catalog)",
          "dev's pipelines would write prod's tables",
        ],
      });
      assert.equal(shared.withCode('LH303')[0]!.range.start.line, shared.marker(0).start.line, 'at prod');
      const test =
        `  test:\n    subscriptionId: 00000000-0000-0000-0000-000000000000\n    resourceGroup: ` +
        `rg-mini-test\n    factory: adf-mini-test\n    storageAccount: stminitest\n    catalog: ` +
        `mini_test\n    keyVault: kv-mini\n`;
      const devVault = (text: string) =>
        edit(
          text,
          '    storageAccount: stminidev\n',
          '    storageAccount: stminidev\n    catalog: mini_dev\n    keyVault: kv-mini\n',
        );
      assertClean(await root(devVault(base('\nlake:', `${test}\nlake:`))));
      const withProd = await root(devVault(base('\nlake:', `${PROD('stminiprod')}    keyVault: ⟦kv-mini⟧\n\nlake:`)));
      assertFires(withProd, 'LH303', { message: ["use the same Key Vault, kv-mini: dev could read prod's secrets"] });
    },
  );

  it('LH304: adf.alertUrl with its signature', async () => {
    const p = await root(
      base(
        '    startTime: 2026-12-07T02:00:00Z\n',
        '    startTime: 2026-12-07T02:00:00Z\n  alertUrl: ' +
          '⟦https://x.logic.azure.com/workflows/1/triggers/manual/paths/invoke?sp=%2Ftriggers&sv=1.0&sig=s3cr3t⟧\n',
      ),
    );
    assertFires(p, 'LH304', { message: ['adf.alertUrl carries its signature'] });
  });
});
