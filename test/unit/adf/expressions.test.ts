// The ADF expression language: real expressions from the shared fixtures (kind, tree and
// references), syntax errors with exact spans, unknown functions and argument counts, a sweep
// of every string in the real factories (which must give zero problems), and robustness.
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { describe, it, type TestContext } from 'node:test';
import {
  ADF_FUNCTIONS,
  MAX_EXPRESSION_DEPTH,
  collectReferences,
  lookupFunction,
  parseAdfString,
  walkExpr,
  type ExprNode,
  type ExprReference,
  type ParsedAdfString,
} from '../../../src/core/adf/expressions';
import { REAL_WORLD_ADF, REFERENCE_ADF, SHARED_MISSING, hasSharedFixtures } from '../helpers/paths';
import { seededRandom as random } from '../../../src/core/text/random';

/** A tree as one normalized line: calls, 'strings', numbers, `.member`, `?.member`, `[index]`. */
function summarize(node: ExprNode): string {
  switch (node.kind) {
    case 'string':
      return `'${node.value.replace(/'/g, "''")}'`;
    case 'number':
    case 'boolean':
      return String(node.value);
    case 'null':
      return 'null';
    case 'call':
      return `${node.name}(${node.args.map(summarize).join(', ')})`;
    case 'member':
      return `${summarize(node.object)}${node.optional ? '?.' : '.'}${node.property}`;
    case 'index':
      return `${summarize(node.object)}${node.optional ? '?[' : '['}${summarize(node.index)}]`;
  }
}

function describeRef(r: ExprReference): string {
  if (r.kind === 'dynamicName') return `dynamicName ${r.function}`;
  return 'name' in r ? `${r.kind} ${r.name}` : r.kind;
}

function parseClean(value: string): { parsed: ParsedAdfString; trees: string[]; refs: string[] } {
  const parsed = parseAdfString(value);
  assert.deepEqual(parsed.problems, [], value);
  const nodes = parsed.expressions.map(e => e.node!);
  return { parsed, trees: nodes.map(summarize), refs: nodes.flatMap(n => collectReferences(n)).map(describeRef) };
}

/** Spans must point at what they name: call names, member names, reference names. */
function assertSpans(value: string, parsed: ParsedAdfString): void {
  for (const p of parsed.problems)
    assert.ok(p.span.start >= 0 && p.span.start <= p.span.end && p.span.end <= value.length, `${value}: ${p.message}`);
  for (const e of parsed.expressions) {
    assert.ok(e.span.start >= 0 && e.span.start <= e.span.end && e.span.end <= value.length);
    if (!e.node) continue;
    walkExpr(e.node, n => {
      assert.ok(n.span.start >= e.span.start && n.span.end <= e.span.end, `${value}: node outside its expression`);
      if (n.kind === 'call') assert.equal(value.slice(n.nameSpan.start, n.nameSpan.end), n.name);
      if (n.kind === 'member') assert.equal(value.slice(n.propertySpan.start, n.propertySpan.end), n.property);
      if (n.kind === 'string') assert.equal(value.slice(n.span.start + 1, n.span.end - 1).replace(/''/g, "'"), n.value);
    });
    for (const r of collectReferences(e.node)) {
      if ('name' in r)
        assert.equal(value.slice(r.span.start, r.span.end).replace(/''/g, "'"), r.name, `${value}: span of ${r.kind}`);
    }
  }
}

// Copied verbatim from the shared fixtures (ref = spotify-reference, others adf-real-world/<repo>).
const REAL: { from: string; value: string; kind: ParsedAdfString['kind']; trees: string[]; refs: string[] }[] = [
  {
    from: 'ref pipeline/Incremental-ingestion.json (Lookup query)',
    value:
      'SELECT * FROM @{pipeline().parameters.schema}.@{pipeline().parameters.table} WHERE ' +
      '@{pipeline().parameters.cdc_col} > ' +
      "'@{if(empty(pipeline().parameters.from_date),activity('last_cdc').output.value[0].cdc,pipeline().parameters.from_date)}'",
    kind: 'interpolated',
    trees: [
      'pipeline().parameters.schema',
      'pipeline().parameters.table',
      'pipeline().parameters.cdc_col',
      "if(empty(pipeline().parameters.from_date), activity('last_cdc').output.value[0].cdc, pipeline().parameters.from_date)",
    ],
    refs: [
      'pipelineParameter schema',
      'pipelineParameter table',
      'pipelineParameter cdc_col',
      'pipelineParameter from_date',
      'activity last_cdc',
      'pipelineParameter from_date',
    ],
  },
  {
    from: 'ref pipeline/Incremental_loop.json (ForEach item)',
    value: 'select max (@{item().cdc_col}) as cdc from @{item().schema}.@{item().table}',
    kind: 'interpolated',
    trees: ['item().cdc_col', 'item().schema', 'item().table'],
    refs: ['item', 'item', 'item'],
  },
  {
    from: 'ref pipeline/Incremental_loop.json (JSON body with double quotes around interpolations)',
    value: '{\n    "pipeline_name" : "@{pipeline().Pipeline}",\n    "pipeline_runId" : "@{pipeline().RunId}"\n}',
    kind: 'interpolated',
    trees: ['pipeline().Pipeline', 'pipeline().RunId'],
    refs: ['pipelineSystem Pipeline', 'pipelineSystem RunId'],
  },
  {
    from: 'ref pipeline/Incremental-ingestion.json (If condition)',
    value: "@greater(activity('AzureSQLtoLake').output.dataRead,0)",
    kind: 'expression',
    trees: ["greater(activity('AzureSQLtoLake').output.dataRead, 0)"],
    refs: ['activity AzureSQLtoLake'],
  },
  {
    from: 'Serdia dataset/AzureBlobDataset.json (upper-case function name)',
    value: "@CONCAT(pipeline().RunId, '.txt')",
    kind: 'expression',
    trees: ["CONCAT(pipeline().RunId, '.txt')"],
    refs: ['pipelineSystem RunId'],
  },
  {
    from: 'Azure-Player pipeline/PL_Wait5sec.json (hyphen in a global parameter name)',
    value: '@pipeline().globalParameters.GP-Int',
    kind: 'expression',
    trees: ['pipeline().globalParameters.GP-Int'],
    refs: ['globalParameter GP-Int'],
  },
  {
    from: "jessmjohnson pipeline/Bronze_Load.json (multi-line, '' escapes, SQL call inside a string)",
    value:
      "@concat(\n  'UPDATE Control.FileList SET Status=''Completed'', EndTime = " +
      "SYSUTCDATETIME(), RowsProcessed = ',\n  string(activity('Copy Src to Bronze " +
      "Table').output.rowsCopied),\n  ' WHERE FileListId = ',\n  string(item().FileListId),\n  " +
      "';'\n)\n",
    kind: 'expression',
    trees: [
      "concat('UPDATE Control.FileList SET Status=''Completed'', EndTime = SYSUTCDATETIME(), " +
        "RowsProcessed = ', string(activity('Copy Src to Bronze Table').output.rowsCopied), ' " +
        "WHERE FileListId = ', string(item().FileListId), ';')",
    ],
    refs: ['activity Copy Src to Bronze Table', 'item'],
  },
  {
    from: 'jessmjohnson pipeline/Control_Ingestion_ProcessFolder.json (Filter condition, item() outside a ForEach)',
    value: "@and(\n  equals(item().type,'File'),\n  endsWith(item().name,'.csv')\n)\n",
    kind: 'expression',
    trees: ["and(equals(item().type, 'File'), endsWith(item().name, '.csv'))"],
    refs: ['item', 'item'],
  },
  {
    from: 'procfwk pipeline/Check For Running Pipeline.json (nested and/or/not)',
    value:
      "@and(not(equals(item().runId,pipeline().parameters.ThisRunId)),or(equals(item().status,'InProgress'),equals(item().status,'Queued')))",
    kind: 'expression',
    trees: [
      "and(not(equals(item().runId, pipeline().parameters.ThisRunId)), or(equals(item().status, 'InProgress'), equals(item().status, 'Queued')))",
    ],
    refs: ['item', 'pipelineParameter ThisRunId', 'item', 'item'],
  },
  {
    from: 'procfwk pipeline/Check For Running Pipeline.json (Web activity body: JSON text, lower-case adddays/utcnow)',
    value:
      '{\n  "lastUpdatedAfter": "@{adddays(utcnow(),int(variables(\'QueryRunDays\')))}",\n  ' +
      '"lastUpdatedBefore": "@{utcnow()}",\n  "filters": [\n    {\n      "operand": ' +
      '"PipelineName",\n      "operator": "Equals",\n      "values": [\n        ' +
      '"@{pipeline().parameters.PipelineName}"\n      ]\n    }\n  ]\n}',
    kind: 'interpolated',
    trees: ["adddays(utcnow(), int(variables('QueryRunDays')))", 'utcnow()', 'pipeline().parameters.PipelineName'],
    refs: ['variable QueryRunDays', 'pipelineParameter PipelineName'],
  },
  {
    from: 'EPS-Datalake pipeline/TrackGuzzleStageRun.json (index by a parameter)',
    value:
      "@if(or(equals(activity('GetStageStatus').output.firstRow[pipeline().parameters.stage], " +
      "'SUCCESS'), equals(activity('GetStageStatus').output.firstRow[pipeline().parameters.stage], 'WARNING')), 'SUCCESS', 1)",
    kind: 'expression',
    trees: [
      "if(or(equals(activity('GetStageStatus').output.firstRow[pipeline().parameters.stage], " +
        "'SUCCESS'), equals(activity('GetStageStatus').output.firstRow[pipeline().parameters.stage], 'WARNING')), 'SUCCESS', 1)",
    ],
    refs: ['activity GetStageStatus', 'pipelineParameter stage', 'activity GetStageStatus', 'pipelineParameter stage'],
  },
  {
    from: "EPS-Datalake pipeline/InitializeGuzzleBatchRun.json (SQL with '' and '''' inside interpolations)",
    value:
      'select count(*) as count from dbo.batch_control where ' +
      "business_date='@{pipeline().parameters.business_date}' and " +
      "system='@{variables('system')}' @{if(equals(variables('location'), 'NA'), '', concat('and " +
      "location', if(equals(variables('location'), 'null'), ' is null', concat('=''', " +
      "variables('location'), ''''))))}",
    kind: 'interpolated',
    trees: [
      'pipeline().parameters.business_date',
      "variables('system')",
      "if(equals(variables('location'), 'NA'), '', concat('and location', " +
        "if(equals(variables('location'), 'null'), ' is null', concat('=''', " +
        "variables('location'), ''''))))",
    ],
    refs: [
      'pipelineParameter business_date',
      'variable system',
      'variable location',
      'variable location',
      'variable location',
    ],
  },
  {
    from: "EPS-Datalake pipeline/InitializeGuzzleBatchRun.json (['key'] on a call result)",
    value: "@json(variables('contextParams'))['system']",
    kind: 'expression',
    trees: ["json(variables('contextParams'))['system']"],
    refs: ['variable contextParams'],
  },
  {
    from: 'Serdia pipeline/ingestFromS3toADLS.json (CRLF line breaks)',
    value:
      "@concat(\r\n    formatDateTime(utcnow(), 'yyyy'), \r\n    '/', \r\n    " +
      "formatDateTime(utcnow(), 'MM'), \r\n    '/', \r\n    formatDateTime(utcnow(), 'dd'), \r\n " +
      "   '/' )",
    kind: 'expression',
    trees: [
      "concat(formatDateTime(utcnow(), 'yyyy'), '/', formatDateTime(utcnow(), 'MM'), '/', formatDateTime(utcnow(), 'dd'), '/')",
    ],
    refs: [],
  },
  {
    from: 'EPS-Datalake dataset/Parquet1.json (dataset parameter, negative-free addhours)',
    value: "@concat(dataset().filename,'_',formatDateTime(addhours(utcnow(),8),'yyyyMMdd'),'_000000.parquet')",
    kind: 'expression',
    trees: ["concat(dataset().filename, '_', formatDateTime(addhours(utcnow(), 8), 'yyyyMMdd'), '_000000.parquet')"],
    refs: ['datasetParameter filename'],
  },
  {
    from: 'Serdia linkedService/LS_SQLDB.json (connection string)',
    value:
      'integrated security=False;encrypt=True;connection timeout=30;data ' +
      'source=os-sqldbserver.database.windows.net;initial catalog=@{linkedService().dbname};user ' +
      'id=oserdyuk',
    kind: 'interpolated',
    trees: ['linkedService().dbname'],
    refs: ['linkedServiceParameter dbname'],
  },
  {
    from: 'pchenga trigger/event_trigger.json (storage event trigger)',
    value: '@triggerBody().folderPath',
    kind: 'expression',
    trees: ['triggerBody().folderPath'],
    refs: ['trigger'],
  },
  {
    from: 'suravenkat trigger/TumblingTrigger.json',
    value: '@trigger().outputs.windowStartTime',
    kind: 'expression',
    trees: ['trigger().outputs.windowStartTime'],
    refs: ['trigger'],
  },
  {
    from: 'Serdia pipeline/deleteOldFiles2.json: a leading newline makes the value a literal (" @" is literal text)',
    value:
      "\n@less(activity('Get Metadata2').output.lastModified,\nformatDateTime(adddays(utcNow(), -20), 'yyyy-MM-ddThh:mm:ssZ'))\n",
    kind: 'literal',
    trees: [],
    refs: [],
  },
  {
    from: 'AbePabbathi (redacted notebook path with an e-mail address)',
    value: '/Users/user@example.com/test_pm',
    kind: 'literal',
    trees: [],
    refs: [],
  },
  {
    from: 'Azure-Player (T-SQL variables)',
    value: 'select * from Cricket where PlayerName=@Name AND Team=@Team',
    kind: 'literal',
    trees: [],
    refs: [],
  },
];

describe('ADF expressions: real expressions from the fixtures', () => {
  for (const row of REAL) {
    it(row.from, () => {
      const { parsed, trees, refs } = parseClean(row.value);
      assert.equal(parsed.kind, row.kind);
      assert.deepEqual(trees, row.trees);
      assert.deepEqual(refs, row.refs);
      assertSpans(row.value, parsed);
    });
  }
});

describe('ADF expressions: classification and grammar', () => {
  it('escapes: @@ at the start is a literal, @@{ is a literal @{, @{ inside a quoted string is text', () => {
    assert.deepEqual(parseAdfString('@@pipeline().RunId'), { kind: 'literal', expressions: [], problems: [] });
    assert.deepEqual(parseAdfString('@@'), { kind: 'literal', expressions: [], problems: [] });
    assert.deepEqual(parseAdfString('Answer is: @@{pipeline().parameters.myNumber}'), {
      kind: 'literal',
      expressions: [],
      problems: [],
    });
    const inside = parseClean("@concat('a@{b}', 'c')");
    assert.equal(inside.parsed.kind, 'expression');
    assert.deepEqual(inside.trees, ["concat('a@{b}', 'c')"]);
    const escapedThenReal = parseClean('x @@{literal} @{item().y}');
    assert.deepEqual(escapedThenReal.trees, ['item().y']);
  });

  it('expression spans exclude the delimiters', () => {
    const whole = parseAdfString('@item().a');
    assert.deepEqual(
      whole.expressions.map(e => e.span),
      [{ start: 1, end: 9 }],
    );
    const value = 'a @{ item().b } c @{utcNow()}';
    const interpolated = parseAdfString(value);
    assert.equal(interpolated.kind, 'interpolated');
    assert.deepEqual(
      interpolated.expressions.map(e => value.slice(e.span.start, e.span.end)),
      [' item().b ', 'utcNow()'],
    );
    assert.deepEqual(
      interpolated.expressions.map(e => e.span),
      [
        { start: 4, end: 14 },
        { start: 20, end: 28 },
      ],
    );
    assert.equal(
      parseAdfString('@{item()}').kind,
      'interpolated',
      'a lone @{...} is interpolation (its result is a string)',
    );
  });

  it('literals: strings with doubled quotes, integers, floats, negatives, booleans and null in any case', () => {
    const { trees } = parseClean("@createArray('it''s', 42, -7, 1.5, -0.25, .3, 1e3, true, FALSE, Null)");
    assert.deepEqual(trees, ["createArray('it''s', 42, -7, 1.5, -0.25, 0.3, 1000, true, false, null)"]);
    const node = parseAdfString("@'it''s'").expressions[0]!.node!;
    assert.deepEqual(node, { kind: 'string', value: "it's", span: { start: 1, end: 8 } });
  });

  it('member and index access, null-safe ?. and ?[, brackets with spaces and expressions', () => {
    const { trees, refs } = parseClean(
      "@concat(pipeline()?.TriggeredByPipelineName, pipeline().parameters['my param'], activity('Look up')?.output?['value'][add(0, 1)].x)",
    );
    assert.deepEqual(trees, [
      "concat(pipeline()?.TriggeredByPipelineName, pipeline().parameters['my param'], activity('Look up')?.output?['value'][add(0, 1)].x)",
    ]);
    assert.deepEqual(refs, [
      'pipelineSystem TriggeredByPipelineName',
      'pipelineParameter my param',
      'activity Look up',
    ]);
  });

  it('whitespace and newlines between every token', () => {
    const { trees } = parseClean("@ concat (\n\t'a' ,\r\n  pipeline ( ) . parameters [ 'p' ] ,\n  item() ?. x\n)  \n");
    assert.deepEqual(trees, ["concat('a', pipeline().parameters['p'], item()?.x)"]);
  });

  it('references: dynamic names, dataset and linked service parameters, case-insensitive containers', () => {
    const { refs } = parseClean(
      "@concat(variables(concat('v', '1')), activity(item().name).output, " +
        "pipeline().parameters[variables('k')], pipeline().Parameters.Upper, " +
        "pipeline().GlobalParameters['g'], dataset().folder, linkedService()['url'], " +
        "Variables('x'))",
    );
    assert.deepEqual(refs, [
      'dynamicName variables',
      'dynamicName activity',
      'item',
      'dynamicName pipeline().parameters',
      'variable k',
      'pipelineParameter Upper',
      'globalParameter g',
      'datasetParameter folder',
      'linkedServiceParameter url',
      'variable x',
    ]);
    const value = "@variables('my var')";
    const ref = collectReferences(parseAdfString(value).expressions[0]!.node!)[0]!;
    assert.deepEqual(ref, { kind: 'variable', name: 'my var', span: { start: 12, end: 18 } });
    assert.equal(value.slice(ref.span.start, ref.span.end), 'my var');
  });

  it('whole containers are no references: pipeline().parameters alone, dataset() alone', () => {
    assert.deepEqual(parseClean('@string(pipeline().parameters)').refs, []);
    assert.deepEqual(parseClean('@json(string(dataset()))').refs, []);
  });
});

describe('ADF expressions: problems', () => {
  /** [value, kind, message (exact), text the span covers, span start]. */
  const CASES: [string, string, string, string, number][] = [
    ['@', 'syntax', "'@' alone is not an expression: write an expression after it, or '@@' for a literal '@'", '@', 0],
    [
      '@  \n',
      'syntax',
      "'@' alone is not an expression: write an expression after it, or '@@' for a literal '@'",
      '@',
      0,
    ],
    [
      'x @{} y',
      'syntax',
      "Empty expression '@{}': put an expression between the braces, or write '@@{' for a literal '@{'",
      '@{}',
      2,
    ],
    ['a @{ item().x', 'syntax', "This '@{' is never closed: add '}'", '@{', 2],
    [
      "@concat('a', 'b",
      'syntax',
      "Unterminated string: this quote is never closed (to put a quote inside a string, double it: '')",
      "'b",
      13,
    ],
    ["@concat('a', 'b'", 'syntax', "The '(' of concat( is never closed: add ')'", '(', 7],
    ["@{concat('a'} tail", 'syntax', "The '(' of concat( is never closed: add ')'", '(', 8],
    ["@concat('a'))", 'syntax', "Unexpected ')': there are more ')' than '('", ')', 12],
    ["@concat('a') 'b'", 'syntax', 'Unexpected "\'b\'" after the end of the expression', "'b'", 13],
    ["@concat('a',,'b')", 'syntax', 'Missing argument of concat: nothing between two commas', ',,', 11],
    ["@concat(,'b')", 'syntax', "Missing first argument of concat: nothing before ','", ',', 8],
    ["@concat('a', )", 'syntax', "Missing argument of concat after the last ','", ',', 11],
    ["@concat('a' 'b')", 'syntax', "Expected ',' or ')' after an argument of concat, found \"'b'\"", "'b'", 12],
    ['@concat("a")', 'syntax', 'Strings in expressions use single quotes: \'text\', not "text"', '"a"', 8],
    [
      '@add(1 + 2)',
      'syntax',
      "Unexpected '+': ADF expressions have no operators; use functions such as add(), sub(), equals(), and(), or(), not()",
      '+',
      7,
    ],
    [
      "@concat('x', @pipeline().RunId)",
      'syntax',
      "Unexpected '@' inside an expression: functions inside it are written without '@' (concat(pipeline().RunId, 'x'))",
      '@',
      13,
    ],
    [
      '@pipeline.parameters.x',
      'syntax',
      "'pipeline' is a function: call it with parentheses, pipeline()",
      'pipeline',
      1,
    ],
    [
      '@foo',
      'syntax',
      "Unexpected 'foo': expected a function call such as foo(...), a 'string' in single quotes, a number, true, false or null",
      'foo',
      1,
    ],
    ['@item().', 'syntax', "Expected a property name after '.' (use ['name'] for names with other characters)", '.', 7],
    ['@item()[0', 'syntax', "This '[' is never closed: add ']'", '[', 7],
    ['@item()[]', 'syntax', "Empty index '[]': put a position or a 'key' between the brackets", '[]', 7],
    ['@item()?x', 'syntax', "'?' must be followed by '.' or '[' (null-safe access: x?.name or x?['name'])", '?', 7],
    [
      "@activity('a').output.value(0)",
      'syntax',
      "Unexpected '(': only a function name can be called, not a property or a function's result",
      '(',
      27,
    ],
    ['@(1)', 'syntax', "Unexpected '(': parentheses only follow a function name, as in concat(...)", '(', 1],
    ['@utcnw()', 'unknown-function', "Unknown function 'utcnw'; did you mean 'utcNow'?", 'utcnw', 1],
    [
      "@{formatDatetime(utcnow(), 'yyyy')}/@{concatt('a', 'b')}",
      'unknown-function',
      "Unknown function 'concatt'; did you mean 'concat'?",
      'concatt',
      38,
    ],
    ['@frobnicate(1)', 'unknown-function', "Unknown function 'frobnicate'", 'frobnicate', 1],
    [
      "@parameters('p')",
      'unknown-function',
      "Unknown function 'parameters': pipeline parameters are read with " +
        'pipeline().parameters.name (in a dataset, dataset().name; in a linked service, ' +
        'linkedService().name)',
      'parameters',
      1,
    ],
    [
      "@formatDateTime(utcNow(), 'yyyy', 'en-us', 'x')",
      'arity',
      'formatDateTime takes 1 to 3 arguments; this call has 4',
      "'x'",
      43,
    ],
    ["@replace('a', 'b')", 'arity', 'replace takes 3 arguments; this call has 2', "replace('a', 'b')", 1],
    ['@and(true, false, true)', 'arity', 'and takes 2 arguments; this call has 3', 'true', 18],
    ['@concat()', 'arity', 'concat takes at least 1 argument; this call has 0', 'concat()', 1],
    ["@item('x')", 'arity', 'item takes no arguments; this call has 1', "'x'", 6],
    ['@addDays(utcNow())', 'arity', 'addDays takes 2 to 3 arguments; this call has 1', 'addDays(utcNow())', 1],
    ['@variables()', 'arity', 'variables takes 1 argument; this call has 0', 'variables()', 1],
  ];

  for (const [value, kind, message, text, start] of CASES) {
    it(`${JSON.stringify(value)}: ${kind}`, () => {
      const parsed = parseAdfString(value);
      assert.equal(parsed.problems.length, 1, JSON.stringify(parsed.problems));
      const p = parsed.problems[0]!;
      assert.equal(p.kind, kind);
      assert.equal(p.message, message);
      assert.equal(value.slice(p.span.start, p.span.end), text);
      assert.equal(p.span.start, start);
      assertSpans(value, parsed);
      // A syntax error leaves no tree; unknown functions and arity keep it (the parse succeeded).
      assert.equal(
        parsed.expressions.some(e => e.node === undefined),
        kind === 'syntax',
      );
    });
  }

  it('one bad interpolation does not hide the next one', () => {
    const parsed = parseAdfString("@{concat('a'} and @{frob()} and @{item().x}");
    assert.deepEqual(
      parsed.problems.map(p => p.kind),
      ['syntax', 'unknown-function'],
    );
    assert.deepEqual(
      parsed.expressions.map(e => (e.node ? summarize(e.node) : '-')),
      ['-', 'frob()', 'item().x'],
    );
  });

  it('a case-only difference is no problem: utcnow, UTCNOW, CONCAT, adddays, formatdatetime', () => {
    for (const name of ['utcnow', 'UTCNOW', 'CONCAT', 'adddays', 'formatdatetime', 'Pipeline', 'ITEM']) {
      assert.ok(lookupFunction(name), name);
    }
    parseClean("@formatdatetime(adddays(UTCNOW(), -1), 'yyyy')");
  });
});

describe('ADF expressions: the function catalogue', () => {
  it('has unique names, sane argument counts and the context functions', () => {
    const lower = ADF_FUNCTIONS.map(f => f.name.toLowerCase());
    assert.equal(new Set(lower).size, lower.length);
    for (const f of ADF_FUNCTIONS) assert.ok(f.minArgs >= 0 && f.minArgs <= f.maxArgs, f.name);
    assert.equal(ADF_FUNCTIONS.length, 93);
    for (const name of [
      'pipeline',
      'activity',
      'variables',
      'item',
      'dataset',
      'linkedService',
      'trigger',
      'triggerBody',
    ]) {
      assert.equal(lookupFunction(name)?.category, 'context', name);
    }
    assert.deepEqual(lookupFunction('FORMATDATETIME'), {
      name: 'formatDateTime',
      minArgs: 1,
      maxArgs: 3,
      category: 'date',
    });
    assert.equal(lookupFunction('concat')?.maxArgs, Number.POSITIVE_INFINITY);
    assert.equal(lookupFunction('parameters'), undefined, 'a Logic Apps function, not an ADF one');
  });
});

describe('ADF expressions: every string of the real factories parses with zero problems', () => {
  const FOLDERS = new Set(['pipeline', 'dataset', 'linkedService', 'trigger']);

  function* jsonFiles(dir: string): Generator<string> {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'dataflow') yield* jsonFiles(p);
      } else if (e.name.endsWith('.json') && FOLDERS.has(path.basename(dir))) {
        yield p;
      }
    }
  }

  function* strings(v: unknown): Generator<string> {
    if (typeof v === 'string') yield v;
    else if (Array.isArray(v)) for (const x of v) yield* strings(x);
    else if (v && typeof v === 'object') for (const x of Object.values(v)) yield* strings(x);
  }

  it('adf-real-world and spotify-reference/adf', (t: TestContext) => {
    if (!hasSharedFixtures()) {
      t.skip(SHARED_MISSING);
      return;
    }
    const totals = { files: 0, strings: 0, expressionStrings: 0, expressions: 0, references: 0 };
    const failures: string[] = [];
    for (const root of [REAL_WORLD_ADF, REFERENCE_ADF]) {
      for (const file of jsonFiles(root)) {
        totals.files++;
        for (const value of strings(JSON.parse(fs.readFileSync(file, 'utf8')))) {
          totals.strings++;
          const parsed = parseAdfString(value);
          if (parsed.kind !== 'literal') totals.expressionStrings++;
          totals.expressions += parsed.expressions.length;
          for (const p of parsed.problems)
            failures.push(`${path.relative(root, file)}: ${p.message} in ${JSON.stringify(value.slice(0, 120))}`);
          for (const e of parsed.expressions) if (e.node) totals.references += collectReferences(e.node).length;
          assertSpans(value, parsed);
        }
      }
    }
    t.diagnostic(JSON.stringify(totals));
    assert.deepEqual(failures, []);
    assert.ok(totals.files > 450, `${totals.files} files`);
    assert.ok(totals.expressionStrings > 1600, `${totals.expressionStrings} expression strings`);
  });
});

describe('ADF expressions: robustness', () => {
  function timed(value: string): { parsed: ParsedAdfString; ms: number } {
    const t0 = process.hrtime.bigint();
    const parsed = parseAdfString(value);
    return { parsed, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
  }

  it('a 100 KB expression and a 100 KB interpolated string parse fast', () => {
    const args = Array.from({ length: 8000 }, (_, i) => `'part${i}''s'`).join(', ');
    const whole = `@concat(${args})`;
    assert.ok(whole.length > 100_000);
    const a = timed(whole);
    assert.deepEqual(a.parsed.problems, []);
    assert.equal((a.parsed.expressions[0]!.node as { args: unknown[] }).args.length, 8000);
    const text = 'SELECT @{item().schema}.@{item().table} WHERE x = 1; '.repeat(2000);
    const b = timed(text);
    assert.equal(b.parsed.expressions.length, 4000);
    assert.deepEqual(b.parsed.problems, []);
    // Pathological inputs: unclosed interpolations and strings everywhere.
    const c = timed('@{'.repeat(50_000));
    const d = timed("@concat('".repeat(12_000));
    const e = timed('@@{'.repeat(40_000));
    for (const r of [a, b, c, d, e]) assert.ok(r.ms < 2000, `${r.ms} ms`);
    assert.ok(c.parsed.problems.length > 0 && d.parsed.problems.length === 1 && e.parsed.problems.length === 0);
  });

  it(`nesting deeper than ${MAX_EXPRESSION_DEPTH} is a syntax problem, not a stack overflow`, () => {
    const deep = (n: number) => `@${'not('.repeat(n)}true${')'.repeat(n)}`;
    assert.deepEqual(parseAdfString(deep(MAX_EXPRESSION_DEPTH)).problems, []);
    for (const n of [MAX_EXPRESSION_DEPTH + 1, 100_000]) {
      const parsed = parseAdfString(deep(n));
      assert.equal(parsed.problems.length, 1);
      assert.equal(
        parsed.problems[0]!.message,
        `This expression is nested more than ${MAX_EXPRESSION_DEPTH} levels deep`,
      );
    }
    const brackets = parseAdfString(`@item()${'[item()'.repeat(50_000)}`);
    assert.equal(brackets.problems[0]!.kind, 'syntax');
  });

  it('random strings and mutated real expressions never throw (seeded fuzz)', () => {
    const next = random(20261115);
    const atoms = [
      '@',
      '@{',
      '}',
      '{',
      '(',
      ')',
      "'",
      "''",
      ',',
      '.',
      '?',
      '?.',
      '[',
      ']',
      ' ',
      '\n',
      '"',
      '-',
      '1',
      '2.5',
      'concat',
      'item',
      'pipeline',
      'variables',
      'utcnow',
      'x',
      'é',
      '\u00a0',
      '@@',
      '+',
    ];
    const seeds = REAL.map(r => r.value);
    for (let i = 0; i < 20_000; i++) {
      let value: string;
      if (i % 2 === 0) {
        const n = Math.floor(next() * 30);
        value = Array.from({ length: n }, () => atoms[Math.floor(next() * atoms.length)]).join('');
        if (next() < 0.5) value = `@${value}`;
      } else {
        value = seeds[Math.floor(next() * seeds.length)]!;
        for (let k = 0; k < 3; k++) {
          const at = Math.floor(next() * (value.length + 1));
          const atom = atoms[Math.floor(next() * atoms.length)]!;
          value = next() < 0.5 ? value.slice(0, at) + atom + value.slice(at) : value.slice(0, at) + value.slice(at + 1);
        }
      }
      const parsed = parseAdfString(value);
      assertSpans(value, parsed);
      for (const p of parsed.problems) assert.ok(p.message.length > 0);
      for (const e of parsed.expressions) if (e.node) collectReferences(e.node);
      if (parsed.problems.some(p => p.kind === 'syntax'))
        assert.ok(
          parsed.expressions.some(e => !e.node),
          value,
        );
    }
  });
});
