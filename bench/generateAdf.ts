// Deterministic generator of a synthetic Data Factory folder (ADF's git layout) for the ADF figure of
// `npm run bench` (bench/adf.ts).
//
// A factory of N pipelines (500 by default; N >= 40) is:
//   factory/adf-bench-<N>.json      the factory, with global parameters (URLs, limits, environment)
//   linkedService/                  Key Vault, the control database, ADLS, Databricks, a REST API, an Azure
//                                   Function, a parameterised generic SQL database, and one SQL database per
//                                   source system (N / 20 of them); passwords from Key Vault
//   dataset/                        per source system a parameterised SQL table, a landing CSV and a bronze
//                                   Parquet dataset; generic ones (control table, ADLS Parquet/JSON/folder,
//                                   generic SQL passing linked-service parameters, REST)
//   pipeline/                       N pipelines of 3-40 activities (ingestion, transformation, polling and
//                                   orchestration): Copy, Lookup, SetVariable, AppendVariable, ExecutePipeline,
//                                   WebActivity, SqlServerStoredProcedure, DatabricksNotebook, GetMetadata,
//                                   Filter, Wait, Fail; ForEach and Until holding IfCondition and Switch (ADF's
//                                   nesting rules: no ForEach/Until inside a ForEach/Until, nothing nested inside
//                                   an IfCondition/Switch); dependsOn chains, fan-ins and failure handlers;
//                                   parameters and variables; {"value": "@…", "type": "Expression"} values with
//                                   @{…} interpolation in SQL and paths, activity('X').output of upstream
//                                   activities (and activity('X').error in failure handlers), item() inside
//                                   ForEach, dataset references with parameters, ExecutePipeline calls to
//                                   earlier pipelines with their parameters
//   trigger/                        N / 16 schedule, tumbling-window and storage-event triggers
// Files are written as ADF Studio writes them: JSON.stringify(value, null, '\t'), no final newline.
// Same N + seed => byte-identical files. The factory validates with no errors and no warnings.
import * as fs from 'fs';
import * as path from 'path';
import { Random } from './generate';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

type ParamType = 'string' | 'int' | 'bool' | 'array' | 'object';
interface ParamSpec {
  type: ParamType;
  defaultValue?: Json;
}

/** What a ForEach iterates over: its item() fields. */
type ItemKind = 'table' | 'file' | 'scalar';
const ITEM_FIELDS: Record<ItemKind, string[]> = {
  table: ['SchemaName', 'TableName', 'WatermarkColumn', 'LastWatermark', 'TargetFolder'],
  file: ['name', 'type'],
  scalar: [],
};

/** What an activity's output offers to later expressions (paths after `.output.`). */
interface Outputs {
  strings: string[];
  numbers: string[];
  arrays: [path: string, item: ItemKind][];
  bools: string[];
}

interface Act {
  name: string;
  type: string;
  out?: Outputs;
  json: JsonObject;
  /** Activities of the same container this one runs after (through dependsOn), transitively. */
  upstream: Set<Act>;
}

/** Where a container sits: ADF allows If/Switch inside ForEach/Until, and no control activity inside If/Switch. */
type Level = 'top' | 'loop' | 'branch';

interface Scope {
  level: Level;
  /** The innermost ForEach's items, when inside one. */
  loop?: ItemKind;
  /** Activities whose output may be read here: the upstream of the enclosing activities. */
  visible: Act[];
}

interface DatasetInfo {
  name: string;
  required: string[];
  optional: string[];
}
interface SystemInfo {
  name: string;
  schema: string;
  entities: string[];
  linkedService: string;
  sqlDataset: DatasetInfo;
  landingDataset: DatasetInfo;
  bronzeDataset: DatasetInfo;
}
type PipelineKind = 'ingest' | 'transform' | 'poll' | 'orchestrate';
interface PipelineInfo {
  name: string;
  kind: PipelineKind;
  params: Map<string, ParamSpec>;
  file: string;
}

export interface GeneratedAdf {
  root: string;
  pipelines: number;
  files: string[];
  counts: { pipeline: number; dataset: number; linkedService: number; trigger: number; factory: number };
  /** Activities in all pipelines, nested ones included. */
  activities: number;
  /** JSON strings holding an expression (`@…` or `@{…}`), and the expressions in them. */
  expressionStrings: number;
  expressions: number;
  bytes: number;
  seed: number;
  /** A one-line edit for the re-validation figure: one expression line of one pipeline, written two valid ways. */
  edit: { file: string; line: number; original: string; edited: string };
  /** A one-line edit that introduces an error: activity('X') of an activity that does not exist. */
  errorEdit: { file: string; line: number; original: string; edited: string; code: string };
}

const DOMAINS = [
  'crm',
  'erp',
  'sales',
  'finance',
  'hr',
  'logistics',
  'marketing',
  'inventory',
  'billing',
  'support',
  'iot',
  'web',
];
const SCHEMAS = ['dbo', 'dbo', 'dbo', 'sales', 'core', 'app', 'ops'];
const ENTITIES = [
  'Customer',
  'Account',
  'Address',
  'Product',
  'Category',
  'Supplier',
  'Vendor',
  'Warehouse',
  'Store',
  'Employee',
  'Department',
  'Region',
  'Country',
  'Currency',
  'Channel',
  'Campaign',
  'Promotion',
  'Contract',
  'Policy',
  'Agent',
  'Order',
  'OrderLine',
  'Invoice',
  'InvoiceLine',
  'Payment',
  'Shipment',
  'Return',
  'Refund',
  'Claim',
  'Ticket',
  'Reading',
  'Event',
  'Session',
  'Subscription',
  'Quote',
  'Opportunity',
  'Lead',
  'StockMovement',
  'JournalEntry',
  'Budget',
];
const WATERMARK_COLUMNS = ['ModifiedDate', 'UpdatedAt', 'LastChangedOn', 'RowVersion', 'LoadDate'];
const GLOBALS: [string, 'string' | 'int', Json][] = [
  ['Environment', 'string', 'dev'],
  ['KeyVaultUrl', 'string', 'https://kv-lakehouse-dev.vault.azure.net/'],
  ['DataLakeUrl', 'string', 'https://stlakehousedev.dfs.core.windows.net/'],
  ['ApiBaseUrl', 'string', 'https://api.contoso.com/v2'],
  [
    'AlertWebhookUrl',
    'string',
    'https://prod-12.westeurope.logic.azure.com/workflows/0f3c/triggers/manual/paths/invoke',
  ],
  ['ControlSchema', 'string', 'etl'],
  ['MaxParallelism', 'int', 8],
  ['PollIntervalSeconds', 'int', 30],
];
const STRING_GLOBALS = GLOBALS.filter(g => g[1] === 'string').map(g => g[0]);

const POLICY: JsonObject = {
  timeout: '0.12:00:00',
  retry: 0,
  retryIntervalInSeconds: 30,
  secureOutput: false,
  secureInput: false,
};
const expression = (value: string): JsonObject => ({ value, type: 'Expression' });
const reference = (referenceName: string, type: string, parameters?: JsonObject): JsonObject =>
  parameters && Object.keys(parameters).length ? { referenceName, type, parameters } : { referenceName, type };

/** The factory-wide catalogue the pipelines draw from. */
interface FactoryPlan {
  systems: SystemInfo[];
  control: DatasetInfo;
  genericSql: DatasetInfo;
  adlsParquet: DatasetInfo;
  adlsJson: DatasetInfo;
  adlsFolder: DatasetInfo;
  rest: DatasetInfo;
  pipelines: PipelineInfo[];
}

class PipelineBuilder {
  readonly params = new Map<string, ParamSpec>();
  readonly variables = new Map<string, 'String' | 'Array' | 'Boolean'>();
  private readonly names = new Set<string>();
  activities = 0;

  constructor(
    private readonly r: Random,
    private readonly plan: FactoryPlan,
    readonly system: SystemInfo,
    readonly kind: PipelineKind,
    private readonly budget: number,
  ) {}

  remaining(): number {
    return this.budget - this.activities;
  }

  private unique(base: string): string {
    let name = base.slice(0, 50);
    for (let i = 2; this.names.has(name.toLowerCase()); i++) name = `${base.slice(0, 46)} ${i}`;
    this.names.add(name.toLowerCase());
    return name;
  }

  private entity(): string {
    return this.r.pick(this.system.entities);
  }

  private variable(preferred: string[], type: 'String' | 'Array' | 'Boolean'): string {
    for (const name of preferred) {
      const declared = this.variables.get(name);
      if (declared === type) return name;
      if (declared === undefined) {
        this.variables.set(name, type);
        return name;
      }
    }
    const name = `${preferred[0]}${this.variables.size + 1}`;
    this.variables.set(name, type);
    return name;
  }

  private paramsOf(type: ParamType): string[] {
    return [...this.params].filter(([, p]) => p.type === type).map(([n]) => n);
  }

  private variablesOf(type: 'String' | 'Array' | 'Boolean'): string[] {
    return [...this.variables].filter(([, t]) => t === type).map(([n]) => n);
  }

  // ---- expressions (without the leading '@') ------------------------------------------------

  /** A choice among weighted options whose guards hold. */
  private choose<T>(options: [weight: number, ok: boolean, make: () => T][]): T {
    const usable = options.filter(o => o[1] && o[0] > 0);
    let x = this.r.float() * usable.reduce((a, o) => a + o[0], 0);
    for (const o of usable) {
      x -= o[0];
      if (x < 0) return o[2]();
    }
    return usable[usable.length - 1]![2]();
  }

  private outputsOf(visible: Act[], pick: (o: Outputs) => string[]): [Act, string][] {
    const out: [Act, string][] = [];
    for (const a of visible) if (a.out) for (const p of pick(a.out)) out.push([a, p]);
    return out;
  }

  private out(a: Act, p: string): string {
    return `activity('${a.name}').output.${p}`;
  }

  str(scope: Scope, depth = 0): string {
    const strings = this.outputsOf(scope.visible, o => o.strings);
    const numbers = this.outputsOf(scope.visible, o => o.numbers);
    const params = this.paramsOf('string');
    const vars = this.variablesOf('String');
    const fields = scope.loop ? ITEM_FIELDS[scope.loop] : [];
    return this.choose<string>([
      [3, params.length > 0, () => `pipeline().parameters.${this.r.pick(params)}`],
      [1, true, () => `pipeline().globalParameters.${this.r.pick(STRING_GLOBALS)}`],
      [1, vars.length > 0, () => `variables('${this.r.pick(vars)}')`],
      [3, fields.length > 0, () => `item().${this.r.pick(fields)}`],
      [1, scope.loop === 'scalar', () => 'string(item())'],
      [3, strings.length > 0, () => this.out(...this.r.pick(strings))],
      [1, numbers.length > 0, () => `string(${this.out(...this.r.pick(numbers))})`],
      [1, true, () => `pipeline().${this.r.pick(['RunId', 'Pipeline', 'DataFactory', 'TriggerName'])}`],
      [
        1,
        true,
        () =>
          this.r.pick([
            "formatDateTime(utcnow(), 'yyyy-MM-dd')",
            "formatDateTime(pipeline().TriggerTime, 'yyyy/MM/dd')",
            "formatDateTime(adddays(utcNow(), -1), 'yyyyMMdd')",
            "formatDateTime(utcnow(), 'yyyy-MM-ddTHH:mm:ss')",
          ]),
      ],
      [
        1.5,
        depth < 2,
        () =>
          this.r.pick([
            () => `toLower(${this.str(scope, depth + 1)})`,
            () => `concat(${this.str(scope, depth + 1)}, '_', ${this.str(scope, depth + 1)})`,
            () => `replace(${this.str(scope, depth + 1)}, '-', '_')`,
            () => `coalesce(${this.str(scope, depth + 1)}, '')`,
            () =>
              `if(${this.bool(scope, depth + 1)}, ${this.str(scope, depth + 1)}, '${this.r.pick(['n/a', 'none', 'default'])}')`,
            () => `trim(${this.str(scope, depth + 1)})`,
          ])(),
      ],
    ]);
  }

  num(scope: Scope, depth = 0): string {
    const numbers = this.outputsOf(scope.visible, o => o.numbers);
    const arrays = this.outputsOf(scope.visible, o => o.arrays.map(a => a[0]));
    const ints = this.paramsOf('int');
    return this.choose<string>([
      [3, numbers.length > 0, () => this.out(...this.r.pick(numbers))],
      [1, ints.length > 0, () => `pipeline().parameters.${this.r.pick(ints)}`],
      [1, arrays.length > 0, () => `length(${this.out(...this.r.pick(arrays))})`],
      [1, true, () => `pipeline().globalParameters.${this.r.pick(['MaxParallelism', 'PollIntervalSeconds'])}`],
      [0.5, depth < 2, () => `add(${this.num(scope, depth + 1)}, 1)`],
    ]);
  }

  /** A value pipelines branch on, with the values it takes (for equals() and Switch cases). */
  flag(scope: Scope): [string, string[]] {
    const statuses = this.outputsOf(scope.visible, o => o.strings.filter(p => /status$/i.test(p)));
    const statusVars = this.variablesOf('String').filter(v => /Status$/.test(v));
    return this.choose<[string, string[]]>([
      [2, this.params.has('LoadType'), () => ['pipeline().parameters.LoadType', ['full', 'incremental', 'snapshot']]],
      [2, statuses.length > 0, () => [this.out(...this.r.pick(statuses)), ['Succeeded', 'Failed', 'Running']]],
      [
        2,
        statusVars.length > 0,
        () => [`variables('${this.r.pick(statusVars)}')`, ['Succeeded', 'Failed', 'Cancelled']],
      ],
      [1, scope.loop === 'file', () => ['item().type', ['File', 'Folder']]],
      [1, scope.loop === 'table', () => ['toLower(item().TargetFolder)', ['bronze', 'silver', 'archive']]],
      [1, true, () => ['pipeline().globalParameters.Environment', ['dev', 'test', 'prod']]],
      [
        0.5,
        true,
        () => [
          'pipeline().parameters.SourceSystem',
          this.r.sample(
            this.plan.systems.map(x => x.name),
            3,
          ),
        ],
      ],
    ]);
  }

  bool(scope: Scope, depth = 0): string {
    const bools = this.outputsOf(scope.visible, o => o.bools);
    const arrays = this.outputsOf(scope.visible, o => o.arrays.map(a => a[0]));
    const numbers = this.outputsOf(scope.visible, o => o.numbers);
    const boolParams = this.paramsOf('bool');
    const boolVars = this.variablesOf('Boolean');
    return this.choose<string>([
      [
        3,
        true,
        () => {
          const [value, values] = this.flag(scope);
          return this.r.chance(0.2)
            ? `equals(toLower(${value}), '${this.r.pick(values).toLowerCase()}')`
            : `equals(${value}, '${this.r.pick(values)}')`;
        },
      ],
      [2, numbers.length > 0, () => `greater(${this.out(...this.r.pick(numbers))}, ${this.r.pick([0, 0, 1000])})`],
      [1.5, arrays.length > 0, () => `not(empty(${this.out(...this.r.pick(arrays))}))`],
      [1, boolParams.length > 0, () => `pipeline().parameters.${this.r.pick(boolParams)}`],
      [1, boolVars.length > 0, () => `variables('${this.r.pick(boolVars)}')`],
      [1, bools.length > 0, () => this.out(...this.r.pick(bools))],
      [0.7, scope.loop === 'table', () => `startsWith(item().TableName, 'tmp_')`],
      [0.5, this.params.has('TableName'), () => `contains(toLower(pipeline().parameters.TableName), '_hist')`],
      [0.5, true, () => `greater(${this.num(scope, depth + 1)}, 0)`],
      [
        1,
        depth < 2,
        () => `${this.r.pick(['and', 'or'])}(${this.bool(scope, depth + 1)}, ${this.bool(scope, depth + 1)})`,
      ],
    ]);
  }

  arr(scope: Scope): [string, ItemKind] {
    const arrays = this.outputsOf(scope.visible, o => o.arrays.map(a => a[0]));
    const arrayParams = this.paramsOf('array');
    const arrayVars = this.variablesOf('Array');
    const known = arrays.length + arrayParams.length + arrayVars.length > 0;
    return this.choose<[string, ItemKind]>([
      [
        4,
        arrays.length > 0,
        () => {
          const [a, p] = this.r.pick(arrays);
          return [this.out(a, p), a.out!.arrays.find(x => x[0] === p)![1]];
        },
      ],
      [2, arrayParams.length > 0, () => [`pipeline().parameters.${this.r.pick(arrayParams)}`, 'table']],
      [1, arrayVars.length > 0, () => [`variables('${this.r.pick(arrayVars)}')`, 'scalar']],
      [
        known ? 0.3 : 1,
        true,
        () => [
          `split(pipeline().parameters.${this.params.has('TableName') ? 'TableName' : 'SourceSystem'}, ',')`,
          'scalar',
        ],
      ],
      [
        known ? 0.2 : 0.5,
        true,
        () => [`createArray('${this.entity()}', '${this.entity()}', '${this.entity()}')`, 'scalar'],
      ],
    ]);
  }

  /** The lower bound of an incremental load: a watermark read upstream, the loop's, or a date. */
  private watermark(scope: Scope): string {
    const read = this.outputsOf(scope.visible, o =>
      o.strings.filter(p => p === 'firstRow.WatermarkValue' || p === 'firstRow.WindowStart'),
    );
    return this.choose<string>([
      [4, read.length > 0, () => this.out(...this.r.pick(read))],
      [3, scope.loop === 'table', () => 'item().LastWatermark'],
      [1, this.params.has('RunDate'), () => 'pipeline().parameters.RunDate'],
      [1, true, () => "formatDateTime(adddays(utcnow(), -1), 'yyyy-MM-dd')"],
    ]);
  }

  /** A SQL text with @{…} parts (the whole value is an interpolated string). */
  private sql(scope: Scope, what: 'source' | 'watermark' | 'control' | 'count' | 'window'): [string, Outputs] {
    const e = this.entity();
    const item = scope.loop === 'table';
    const hasTableParams = this.params.has('SchemaName') && this.params.has('TableName');
    const table = item
      ? '[@{item().SchemaName}].[@{item().TableName}]'
      : hasTableParams
        ? '[@{pipeline().parameters.SchemaName}].[@{pipeline().parameters.TableName}]'
        : `[${this.system.schema}].[${e}]`;
    const column = item
      ? '[@{item().WatermarkColumn}]'
      : this.params.has('WatermarkColumn')
        ? '[@{pipeline().parameters.WatermarkColumn}]'
        : this.r.pick(WATERMARK_COLUMNS);
    const none: Outputs = { strings: [], numbers: [], arrays: [], bools: [] };
    switch (what) {
      case 'source': {
        let text = `SELECT * FROM ${table} WHERE ${column} > '@{${this.watermark(scope)}}'`;
        if (this.r.chance(0.5))
          text += ` AND ${column} <= '@{formatDateTime(${this.r.pick(['utcnow()', 'pipeline().TriggerTime'])}, 'yyyy-MM-dd HH:mm:ss')}'`;
        return [text, none];
      }
      case 'watermark':
        return [
          `SELECT MAX(${column}) AS WatermarkValue FROM ${table}`,
          { ...none, strings: ['firstRow.WatermarkValue'] },
        ];
      case 'count':
        return [
          `SELECT COUNT(*) AS RowCount FROM ${table} WHERE ${column} >= '@{${this.watermark(scope)}}'`,
          { ...none, numbers: ['firstRow.RowCount'] },
        ];
      case 'window':
        return [
          `EXEC [@{pipeline().globalParameters.ControlSchema}].[usp_GetLoadWindow] ` +
            `@SourceSystem = '@{pipeline().parameters.SourceSystem}', ` +
            `@LoadDate = '@{formatDateTime(utcnow(), 'yyyy-MM-dd')}'`,
          { ...none, strings: ['firstRow.WindowStart', 'firstRow.WindowEnd'] },
        ];
      case 'control':
      default:
        return [
          `SELECT SchemaName, TableName, WatermarkColumn, LastWatermark, TargetFolder ` +
            `FROM [@{pipeline().globalParameters.ControlSchema}].[LoadControl] ` +
            `WHERE SourceSystem = '@{pipeline().parameters.SourceSystem}' AND IsEnabled = 1` +
            (this.params.has('LoadType') ? " AND LoadType = '@{pipeline().parameters.LoadType}'" : ''),
          { ...none, arrays: [['value', 'table']], numbers: ['count'] },
        ];
    }
  }

  /** Values for a dataset's parameters: every required one, some optional ones. */
  private datasetParams(ds: DatasetInfo, scope: Scope, values: Record<string, () => Json>): JsonObject {
    const out: JsonObject = {};
    const value = (p: string): Json => values[p]?.() ?? expression(`@${this.str(scope)}`);
    for (const p of ds.required) out[p] = value(p);
    for (const p of ds.optional) if (this.r.chance(0.3)) out[p] = value(p);
    return out;
  }

  /** Dataset parameter values: from item() in a loop over tables, else the pipeline's parameters, else literals. */
  private tableValues(scope: Scope): Record<string, () => Json> {
    const item = scope.loop === 'table';
    const param = (name: string) => this.params.has(name);
    return {
      SchemaName: () =>
        item
          ? expression('@item().SchemaName')
          : param('SchemaName')
            ? expression('@pipeline().parameters.SchemaName')
            : this.system.schema,
      TableName: () =>
        item
          ? expression('@item().TableName')
          : param('TableName')
            ? expression('@pipeline().parameters.TableName')
            : this.entity(),
      FolderPath: () =>
        expression(
          item
            ? "@{item().TargetFolder}/@{formatDateTime(utcnow(), 'yyyy/MM/dd')}"
            : `@{${this.str(scope)}}/@{formatDateTime(pipeline().TriggerTime, 'yyyy/MM/dd')}`,
        ),
      FileName: () =>
        expression(
          item ? '@{item().TableName}_@{pipeline().RunId}.parquet' : `@concat(${this.str(scope)}, '.parquet')`,
        ),
      Container: () => (param('TargetContainer') ? expression('@pipeline().parameters.TargetContainer') : 'bronze'),
    };
  }

  // ---- activities ----------------------------------------------------------------------------

  private dependsOn(deps: Act[], failed = false): Json[] {
    return deps.map(d => ({
      activity: d.name,
      dependencyConditions: [failed ? 'Failed' : this.r.chance(0.06) ? 'Completed' : 'Succeeded'],
    }));
  }

  private make(
    name: string,
    type: string,
    deps: Act[],
    body: JsonObject,
    out?: Outputs,
    options: { policy?: Json; failed?: boolean } = {},
  ): Act {
    this.activities++;
    const json: JsonObject = { name, type, dependsOn: this.dependsOn(deps, options.failed) };
    if (options.policy !== undefined) json.policy = options.policy;
    json.userProperties = [];
    Object.assign(json, body);
    const upstream = new Set<Act>();
    for (const d of deps) {
      upstream.add(d);
      for (const u of d.upstream) upstream.add(u);
    }
    return { name, type, json, out, upstream };
  }

  private lookup(scope: Scope, deps: Act[], force?: 'control'): Act {
    const what =
      force ??
      this.choose<'control' | 'watermark' | 'count' | 'window'>([
        [scope.level === 'top' ? 3 : 0, true, () => 'control'],
        [3, true, () => 'watermark'],
        [1.5, true, () => 'count'],
        [1, true, () => 'window'],
      ]);
    const [text, out] = this.sql(scope, what);
    const control = what === 'control' || what === 'window';
    const ds = control ? this.plan.control : this.system.sqlDataset;
    const typeProperties: JsonObject = {
      source: {
        type: 'AzureSqlSource',
        sqlReaderQuery: expression(text),
        queryTimeout: '02:00:00',
        partitionOption: 'None',
      },
      dataset: reference(ds.name, 'DatasetReference', this.datasetParams(ds, scope, this.tableValues(scope))),
    };
    if (what === 'control') typeProperties.firstRowOnly = false;
    const names = {
      control: 'Get Tables To Load',
      watermark: `Get Watermark ${this.entity()}`,
      count: `Count Rows ${this.entity()}`,
      window: 'Get Load Window',
    };
    return this.make(this.unique(names[what]), 'Lookup', deps, { typeProperties }, out, { policy: POLICY });
  }

  private copy(scope: Scope, deps: Act[]): Act {
    const e = scope.loop === 'table' ? 'Table' : this.entity();
    const variant = this.r.float();
    const translator: JsonObject = {
      type: 'TabularTranslator',
      typeConversion: true,
      typeConversionSettings: { allowDataTruncation: true, treatBooleanAsNumber: false },
    };
    const out: Outputs = {
      strings: ['errors[0].Message'],
      numbers: ['rowsCopied', 'rowsRead', 'copyDuration'],
      arrays: [],
      bools: [],
    };
    const values = this.tableValues(scope);
    if (variant < 0.6) {
      const [text] = this.sql(scope, 'source');
      const sink = this.r.chance(0.6) ? this.system.bronzeDataset : this.plan.adlsParquet;
      return this.make(
        this.unique(`Copy ${e} to Bronze`),
        'Copy',
        deps,
        {
          typeProperties: {
            source: {
              type: 'AzureSqlSource',
              sqlReaderQuery: expression(text),
              queryTimeout: '02:00:00',
              partitionOption: this.r.pick(['None', 'None', 'PhysicalPartitionsOfTable']),
            },
            sink: {
              type: 'ParquetSink',
              storeSettings: { type: 'AzureBlobFSWriteSettings' },
              formatSettings: { type: 'ParquetWriteSettings' },
            },
            enableStaging: false,
            translator,
          },
          inputs: [
            reference(
              this.system.sqlDataset.name,
              'DatasetReference',
              this.datasetParams(this.system.sqlDataset, scope, values),
            ),
          ],
          outputs: [reference(sink.name, 'DatasetReference', this.datasetParams(sink, scope, values))],
        },
        out,
        { policy: POLICY },
      );
    }
    if (variant < 0.85) {
      const landing = this.system.landingDataset;
      const table =
        scope.loop === 'table'
          ? '@{item().TableName}'
          : this.params.has('TableName')
            ? '@{pipeline().parameters.TableName}'
            : e;
      return this.make(
        this.unique(`Load ${e} From Landing`),
        'Copy',
        deps,
        {
          typeProperties: {
            source: {
              type: 'DelimitedTextSource',
              storeSettings: {
                type: 'AzureBlobFSReadSettings',
                recursive: true,
                wildcardFileName: '*.csv',
                enablePartitionDiscovery: false,
              },
              formatSettings: { type: 'DelimitedTextReadSettings' },
            },
            sink: {
              type: 'AzureSqlSink',
              preCopyScript: expression(`TRUNCATE TABLE [stg].[${table}]`),
              writeBehavior: 'insert',
              sqlWriterUseTableLock: false,
              disableMetricsCollection: false,
            },
            enableStaging: false,
            translator,
          },
          inputs: [
            reference(
              landing.name,
              'DatasetReference',
              this.datasetParams(landing, scope, {
                FileName: () =>
                  expression(scope.loop === 'file' ? '@item().name' : `@concat(${this.str(scope)}, '.csv')`),
                FolderPath: () => expression(`@concat('landing/${this.system.name}/', ${this.str(scope)})`),
              }),
            ),
          ],
          outputs: [
            reference(
              this.plan.genericSql.name,
              'DatasetReference',
              this.datasetParams(this.plan.genericSql, scope, {
                ...values,
                Server: () =>
                  expression(
                    `@concat('sql-${this.system.name.replace(/_/g, '-')}-', pipeline().globalParameters.Environment, '.database.windows.net')`,
                  ),
                Database: () => expression('@pipeline().globalParameters.Environment'),
                SchemaName: () => 'stg',
              }),
            ),
          ],
        },
        out,
        { policy: POLICY },
      );
    }
    return this.make(
      this.unique(`Copy ${e} From API`),
      'Copy',
      deps,
      {
        typeProperties: {
          source: {
            type: 'RestSource',
            httpRequestTimeout: '00:01:40',
            requestInterval: '00.00:00:00.010',
            requestMethod: 'GET',
            paginationRules: { AbsoluteUrl: '$.nextLink' },
          },
          sink: {
            type: 'JsonSink',
            storeSettings: { type: 'AzureBlobFSWriteSettings' },
            formatSettings: { type: 'JsonWriteSettings' },
          },
          enableStaging: false,
        },
        inputs: [
          reference(
            this.plan.rest.name,
            'DatasetReference',
            this.datasetParams(this.plan.rest, scope, {
              RelativeUrl: () => expression(`${e.toLowerCase()}s?since=@{${this.str(scope)}}`),
            }),
          ),
        ],
        outputs: [
          reference(this.plan.adlsJson.name, 'DatasetReference', this.datasetParams(this.plan.adlsJson, scope, values)),
        ],
      },
      out,
      { policy: POLICY },
    );
  }

  private storedProcedure(scope: Scope, deps: Act[], failureOf?: Act): Act {
    const numbers = this.outputsOf(scope.visible, o => o.numbers);
    const params: JsonObject = {
      PipelineName: { value: expression('@pipeline().Pipeline'), type: 'String' },
      RunId: { value: expression('@pipeline().RunId'), type: 'Guid' },
    };
    if (failureOf) {
      params.ErrorMessage = { value: expression(`@activity('${failureOf.name}').error.message`), type: 'String' };
      params.Status = { value: 'Failed', type: 'String' };
    } else {
      if (numbers.length && this.r.chance(0.7))
        params.RowsCopied = { value: expression(`@${this.out(...this.r.pick(numbers))}`), type: 'Int64' };
      if (this.r.chance(0.6)) params.TableName = { value: expression(`@${this.str(scope)}`), type: 'String' };
      if (this.r.chance(0.5)) params.LoadDate = { value: expression('@utcnow()'), type: 'DateTime' };
      params.Status = { value: this.r.pick(['Succeeded', 'Running', 'Completed']), type: 'String' };
    }
    const procedure = failureOf
      ? 'usp_LogPipelineFailure'
      : this.r.pick(['usp_LogPipelineRun', 'usp_UpdateWatermark', 'usp_LogCopyResult', 'usp_SetLoadStatus']);
    const name = failureOf
      ? `Log Failure ${failureOf.name}`
      : `${this.r.pick(['Log Run', 'Update Watermark', 'Log Copy Result', 'Set Load Status'])} ${this.entity()}`;
    return this.make(
      this.unique(name),
      'SqlServerStoredProcedure',
      deps,
      {
        typeProperties: { storedProcedureName: `[etl].[${procedure}]`, storedProcedureParameters: params },
        linkedServiceName: reference('ls_sql_control', 'LinkedServiceReference'),
      },
      undefined,
      { policy: POLICY, failed: failureOf !== undefined },
    );
  }

  private setVariable(scope: Scope, deps: Act[]): Act {
    const type = this.choose<'String' | 'Array' | 'Boolean'>([
      [4, true, () => 'String'],
      [1.5, true, () => 'Boolean'],
      [1, scope.level === 'top', () => 'Array'],
    ]);
    const name =
      type === 'String'
        ? this.variable(['TargetPath', 'LoadStatus', 'WatermarkValue', 'RunLabel', 'ErrorMessage'], 'String')
        : type === 'Boolean'
          ? this.variable(['IsValid', 'HasRows', 'IsFullLoad'], 'Boolean')
          : this.variable(['TableList', 'FileList'], 'Array');
    const value: Json =
      type === 'String'
        ? this.r.chance(0.15)
          ? this.r.pick(['Running', 'pending', 'n/a'])
          : expression(this.r.chance(0.3) ? `@{${this.str(scope)}}/@{${this.str(scope)}}` : `@${this.str(scope)}`)
        : type === 'Boolean'
          ? expression(`@${this.bool(scope)}`)
          : expression(`@${this.arr(scope)[0]}`);
    return this.make(
      this.unique(`Set ${name}`),
      'SetVariable',
      deps,
      { typeProperties: { variableName: name, value } },
      undefined,
      { policy: { secureOutput: false, secureInput: false } },
    );
  }

  private appendVariable(scope: Scope, deps: Act[]): Act {
    const name = this.variable(['ProcessedTables', 'ProcessedFiles'], 'Array');
    return this.make(this.unique(`Append ${name}`), 'AppendVariable', deps, {
      typeProperties: { variableName: name, value: expression(`@${this.str(scope)}`) },
    });
  }

  private web(scope: Scope, deps: Act[], purpose: 'notify' | 'start' | 'status' = 'notify', startedBy?: Act): Act {
    const job = this.params.has('JobName')
      ? 'pipeline().parameters.JobName'
      : `'${this.system.name}_${this.entity().toLowerCase()}'`;
    const out: Outputs = { strings: ['status', 'runId'], numbers: [], arrays: [], bools: [] };
    if (purpose === 'start') {
      return this.make(
        this.unique(`Start Job ${this.entity()}`),
        'WebActivity',
        deps,
        {
          typeProperties: {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            url: expression(`@concat(pipeline().globalParameters.ApiBaseUrl, '/jobs/', ${job}, '/run')`),
            body: expression(
              `{"job": "@{${job}}", "runId": "@{pipeline().RunId}", "loadDate": "@{${this.str(scope)}}", "requestedBy": "adf-${this.system.name}@contoso.com"}`,
            ),
            authentication: { type: 'MSI', resource: 'https://api.contoso.com' },
          },
        },
        out,
        { policy: POLICY },
      );
    }
    if (purpose === 'status') {
      return this.make(
        this.unique(`Get Job Status ${this.entity()}`),
        'WebActivity',
        deps,
        {
          typeProperties: {
            method: 'GET',
            url: expression(
              `@concat(pipeline().globalParameters.ApiBaseUrl, '/jobs/runs/', ` +
                `${startedBy ? `activity('${startedBy.name}').output.runId` : 'pipeline().RunId'})`,
            ),
            authentication: { type: 'MSI', resource: 'https://api.contoso.com' },
          },
        },
        out,
        { policy: POLICY },
      );
    }
    const body = this.r.chance(0.5)
      ? expression(
          `@json(concat('{"pipeline":"', pipeline().Pipeline, '","runId":"', pipeline().RunId, ` +
            `'","detail":"', ${this.str(scope)}, '","to":"data-platform@contoso.com"}'))`,
        )
      : expression(
          `{\n  "pipeline": "@{pipeline().Pipeline}",\n  "factory": "@{pipeline().DataFactory}",\n` +
            `  "message": "@{${this.str(scope)}}",\n  "to": "data-platform@contoso.com"\n}`,
        );
    return this.make(
      this.unique(`Notify ${this.r.pick(['Teams', 'Logic App', 'Operations'])}`),
      'WebActivity',
      deps,
      {
        typeProperties: {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          url: expression('@pipeline().globalParameters.AlertWebhookUrl'),
          body,
        },
      },
      out,
      { policy: POLICY },
    );
  }

  private notebook(scope: Scope, deps: Act[]): Act {
    const zone = this.r.pick(['bronze_to_silver', 'silver_to_gold', 'quality_checks', 'optimize']);
    const e = this.entity();
    const baseParameters: JsonObject = {
      source_system: expression(
        this.params.has('SourceSystem') ? '@pipeline().parameters.SourceSystem' : `@toLower('${this.system.name}')`,
      ),
      run_id: expression('@pipeline().RunId'),
      load_date: expression(`@formatDateTime(${this.r.pick(['utcnow()', 'pipeline().TriggerTime'])}, 'yyyy-MM-dd')`),
    };
    if (scope.loop === 'table') baseParameters.table_name = expression('@item().TableName');
    else if (this.r.chance(0.6)) baseParameters.table_name = expression(`@${this.str(scope)}`);
    if (this.r.chance(0.5)) baseParameters.environment = expression('@pipeline().globalParameters.Environment');
    return this.make(
      this.unique(
        `${zone
          .split('_')
          .map(w => w[0]!.toUpperCase() + w.slice(1))
          .join(' ')} ${e}`,
      ),
      'DatabricksNotebook',
      deps,
      {
        typeProperties: { notebookPath: `/Repos/lakehouse/notebooks/${zone}/${e.toLowerCase()}`, baseParameters },
        linkedServiceName: reference('ls_databricks', 'LinkedServiceReference'),
      },
      { strings: ['runPageUrl', 'runOutput.status'], numbers: ['runOutput.rowCount'], arrays: [], bools: [] },
      { policy: { ...POLICY, timeout: '0.02:00:00' } },
    );
  }

  private getMetadata(scope: Scope, deps: Act[]): Act {
    const ds = this.plan.adlsFolder;
    return this.make(
      this.unique(`List Files ${this.entity()}`),
      'GetMetadata',
      deps,
      {
        typeProperties: {
          dataset: reference(
            ds.name,
            'DatasetReference',
            this.datasetParams(ds, scope, {
              FolderPath: () => expression(`@concat('${this.system.name}/', ${this.str(scope)})`),
              Container: () => 'landing',
            }),
          ),
          fieldList: ['childItems', 'lastModified', 'exists'],
          storeSettings: { type: 'AzureBlobFSReadSettings', recursive: true, enablePartitionDiscovery: false },
        },
      },
      { strings: ['lastModified'], numbers: [], arrays: [['childItems', 'file']], bools: ['exists'] },
      { policy: POLICY },
    );
  }

  private filter(scope: Scope, deps: Act[]): Act {
    const [items, kind] = this.arr(scope);
    const condition =
      kind === 'file'
        ? "@equals(item().type, 'File')"
        : kind === 'table'
          ? "@not(startsWith(item().TableName, 'tmp_'))"
          : '@not(empty(item()))';
    return this.make(
      this.unique(`Filter ${kind === 'file' ? 'Files' : 'Items'} ${this.entity()}`),
      'Filter',
      deps,
      {
        typeProperties: { items: expression(`@${items}`), condition: expression(condition) },
      },
      { strings: [], numbers: ['FilteredItemsCount'], arrays: [['value', kind]], bools: [] },
    );
  }

  private wait(deps: Act[]): Act {
    const seconds: Json = this.r.chance(0.5)
      ? this.r.pick([10, 30, 60])
      : expression('@pipeline().globalParameters.PollIntervalSeconds');
    return this.make(this.unique('Wait Before Retry'), 'Wait', deps, {
      typeProperties: { waitTimeInSeconds: seconds },
    });
  }

  private fail(scope: Scope, deps: Act[]): Act {
    return this.make(this.unique(`Fail ${this.entity()}`), 'Fail', deps, {
      typeProperties: {
        message: expression(`@concat('Load of ', ${this.str(scope)}, ' failed in ', pipeline().Pipeline)`),
        errorCode: this.r.pick(['500', '4001', '16']),
      },
    });
  }

  /** Calls an earlier pipeline, passing its parameters. */
  private execute(scope: Scope, deps: Act[]): Act {
    const candidates = this.plan.pipelines.filter(p => p.kind !== 'orchestrate');
    const target = this.r.pick(candidates.length ? candidates : this.plan.pipelines);
    const parameters: JsonObject = {};
    for (const [name, spec] of target.params) {
      if (spec.defaultValue !== undefined && !this.r.chance(0.35)) continue;
      parameters[name] = this.passValue(name, spec, scope);
    }
    const typeProperties: JsonObject = {
      pipeline: reference(target.name, 'PipelineReference'),
      waitOnCompletion: true,
    };
    if (Object.keys(parameters).length) typeProperties.parameters = parameters;
    return this.make(
      this.unique(`Run ${target.name}`),
      'ExecutePipeline',
      deps,
      { typeProperties },
      { strings: ['pipelineRunId'], numbers: [], arrays: [], bools: [] },
      { policy: { secureInput: false } },
    );
  }

  private passValue(name: string, spec: ParamSpec, scope: Scope): Json {
    if (scope.loop === 'table' && ITEM_FIELDS.table.includes(name)) return expression(`@item().${name}`);
    if (this.params.get(name)?.type === spec.type && this.r.chance(0.8))
      return expression(`@pipeline().parameters.${name}`);
    switch (spec.type) {
      case 'string':
        switch (name) {
          case 'SourceSystem':
            return this.system.name;
          case 'SchemaName':
            return this.system.schema;
          case 'TableName':
          case 'JobName':
            return this.entity();
          case 'WatermarkColumn':
            return this.r.pick(WATERMARK_COLUMNS);
          case 'LoadType':
            return this.r.pick(['incremental', 'full']);
          case 'TargetContainer':
            return 'bronze';
          case 'ParentRunId':
            return expression('@pipeline().RunId');
          case 'RunDate':
            return expression("@formatDateTime(pipeline().TriggerTime, 'yyyy-MM-dd')");
          default:
            return expression(`@${this.str(scope)}`);
        }
      case 'int':
        return this.r.chance(0.5) ? this.r.pick([1000, 50000, 100000]) : expression(`@${this.num(scope)}`);
      case 'bool':
        return this.r.chance(0.5) ? this.r.chance(0.5) : expression(`@${this.bool(scope)}`);
      case 'array': {
        const tables = this.outputsOf(scope.visible, o => o.arrays.filter(a => a[1] === 'table').map(a => a[0]));
        return tables.length ? expression(`@${this.out(...this.r.pick(tables))}`) : tableList(this.r, this.system, 2);
      }
      case 'object':
      default:
        return scope.loop === 'table'
          ? expression('@item()')
          : { zone: 'silver', mergeSchema: true, owner: 'data-platform' };
    }
  }

  /** A ForEach over what an upstream Lookup or GetMetadata returned (run first when nothing upstream did), or a parameter. */
  private forEach(scope: Scope, deps: Act[]): Act[] {
    const listed =
      this.outputsOf(scope.visible, o => o.arrays.map(a => a[0])).length + this.paramsOf('array').length > 0;
    if (!listed && this.remaining() >= 4) {
      const source = this.r.chance(0.75) ? this.lookup(scope, deps, 'control') : this.getMetadata(scope, deps);
      return [source, ...this.forEach({ ...scope, visible: [...scope.visible, source, ...source.upstream] }, [source])];
    }
    const [items, kind] = this.arr(scope);
    const act = this.make(
      this.unique(
        `For Each ${kind === 'table' ? 'Table' : kind === 'file' ? 'File' : 'Item'}${this.names.size > 1 ? ` ${this.entity()}` : ''}`,
      ),
      'ForEach',
      deps,
      {},
    );
    const inner: Scope = { level: 'loop', loop: kind, visible: [...scope.visible, ...act.upstream] };
    const sequential = this.r.chance(0.25);
    const activities = this.sequence(inner, this.r.int(1, 6), this.kind === 'orchestrate' ? 'orchestrate' : 'loop');
    const typeProperties: JsonObject = { items: expression(`@${items}`) };
    if (sequential) typeProperties.isSequential = true;
    else {
      typeProperties.isSequential = false;
      typeProperties.batchCount = this.r.pick([4, 8, 10, 20]);
    }
    typeProperties.activities = activities.map(a => a.json);
    act.json.typeProperties = typeProperties;
    return [act];
  }

  private ifCondition(scope: Scope, deps: Act[]): Act {
    const act = this.make(
      this.unique(
        `If ${this.r.pick(['Has Rows', 'Full Load', 'Files Found', 'Is Production', 'Load Needed'])} ${this.entity()}`,
      ),
      'IfCondition',
      deps,
      {},
    );
    const inner: Scope = { level: 'branch', loop: scope.loop, visible: [...scope.visible, ...act.upstream] };
    const condition = this.bool(inner);
    const whenTrue = this.sequence(inner, this.r.int(1, 3), 'branch');
    const whenFalse = this.r.chance(0.6) ? this.sequence(inner, this.r.int(1, 2), 'branch') : [];
    const typeProperties: JsonObject = { expression: expression(`@${condition}`) };
    if (whenFalse.length) typeProperties.ifFalseActivities = whenFalse.map(a => a.json);
    typeProperties.ifTrueActivities = whenTrue.map(a => a.json);
    act.json.typeProperties = typeProperties;
    return act;
  }

  private switchActivity(scope: Scope, deps: Act[]): Act {
    const act = this.make(
      this.unique(`Switch ${this.r.pick(['Load Type', 'Status', 'Target'])} ${this.entity()}`),
      'Switch',
      deps,
      {},
    );
    const inner: Scope = { level: 'branch', loop: scope.loop, visible: [...scope.visible, ...act.upstream] };
    const [on, taken] = this.flag(inner);
    const values = this.r.sample(taken, this.r.int(2, 3));
    const cases = values.map(value => ({
      value,
      activities: this.sequence(inner, this.r.int(1, 2), 'branch').map(a => a.json),
    }));
    const typeProperties: JsonObject = { on: expression(`@${on}`), cases };
    if (this.r.chance(0.5) && this.remaining() > 0) typeProperties.defaultActivities = [this.fail(inner, []).json];
    act.json.typeProperties = typeProperties;
    return act;
  }

  /** Start a job, then poll it: Until (Wait, Web, SetVariable), as the real factories do. */
  private poll(scope: Scope, deps: Act[]): Act[] {
    const start = this.web(scope, deps, 'start');
    const status = this.variable(['JobStatus'], 'String');
    const act = this.make(this.unique(`Until Job Finished ${this.entity()}`), 'Until', [start], {});
    const inner: Scope = { level: 'loop', visible: [...scope.visible, start, ...start.upstream] };
    const wait = this.wait([]);
    const check = this.web(inner, [wait], 'status', start);
    const set = this.make(
      this.unique(`Set ${status}`),
      'SetVariable',
      [check],
      {
        typeProperties: { variableName: status, value: expression(`@${this.out(check, 'status')}`) },
      },
      undefined,
      { policy: { secureOutput: false, secureInput: false } },
    );
    const condition = this.r.chance(0.5)
      ? `or(equals(variables('${status}'), 'Succeeded'), equals(variables('${status}'), 'Failed'))`
      : `not(equals(activity('${check.name}').output.status, 'Running'))`;
    act.json.typeProperties = {
      expression: expression(`@${condition}`),
      activities: [wait.json, check.json, set.json],
      timeout: '0.02:00:00',
    };
    return [start, act];
  }

  /** Builds a container's activities: a chain with fan-ins, parallel starts and failure handlers. */
  sequence(scope: Scope, want: number, flavour: PipelineKind | 'loop' | 'branch' = this.kind): Act[] {
    const placed: Act[] = [];
    const handlers: Act[] = [];
    for (let k = 0; k < want && this.remaining() > 0; k++) {
      let deps: Act[] = [];
      if (placed.length) {
        const x = this.r.float();
        deps =
          x < 0.72
            ? [placed[placed.length - 1]!]
            : x < 0.9 && placed.length >= 2
              ? this.r.sample(placed.slice(-3), 2)
              : x < 0.95
                ? [this.r.pick(placed)]
                : [];
      }
      const visibleNow: Scope = {
        ...scope,
        visible: [...scope.visible, ...deps, ...deps.flatMap(d => [...d.upstream])],
      };
      const room = this.remaining();
      const control = scope.level !== 'branch';
      const top = scope.level === 'top';
      const w = (weights: Partial<Record<PipelineKind | 'loop' | 'branch', number>>) => weights[flavour] ?? 0;
      const made = this.choose<Act[]>([
        [
          w({ ingest: 3, transform: 1, poll: 0.5, orchestrate: 1, loop: 2, branch: 1 }),
          true,
          () => [this.lookup(visibleNow, deps)],
        ],
        [
          w({ ingest: 4, transform: 1, poll: 0.3, orchestrate: 0.3, loop: 3, branch: 2 }),
          true,
          () => [this.copy(visibleNow, deps)],
        ],
        [
          w({ ingest: 2, transform: 2, poll: 1, orchestrate: 1, loop: 2, branch: 2 }),
          true,
          () => [this.storedProcedure(visibleNow, deps)],
        ],
        [
          w({ ingest: 1.5, transform: 1, poll: 1.5, orchestrate: 1, loop: 1, branch: 1.5 }),
          true,
          () => [this.setVariable(visibleNow, deps)],
        ],
        [
          w({ ingest: 0.3, transform: 0.3, orchestrate: 0.5, loop: 1, branch: 0.5 }),
          !top,
          () => [this.appendVariable(visibleNow, deps)],
        ],
        [
          w({ ingest: 0.5, transform: 1, poll: 2, orchestrate: 1, loop: 0.5, branch: 1 }),
          true,
          () => [this.web(visibleNow, deps)],
        ],
        [
          w({ ingest: 0.5, transform: 4, poll: 0.5, orchestrate: 0.5, loop: 1, branch: 1 }),
          true,
          () => [this.notebook(visibleNow, deps)],
        ],
        [
          w({ ingest: 1, transform: 0.5, poll: 0.3, orchestrate: 0.3, loop: 0.3 }),
          true,
          () => [this.getMetadata(visibleNow, deps)],
        ],
        [w({ ingest: 0.5, transform: 0.3, orchestrate: 0.3, loop: 0.3 }), true, () => [this.filter(visibleNow, deps)]],
        [w({ poll: 0.5, orchestrate: 0.3, branch: 0.3 }), true, () => [this.wait(deps)]],
        [
          w({ ingest: 0.5, transform: 0.5, poll: 1, orchestrate: 5, loop: 0.5, branch: 1 }),
          this.plan.pipelines.length > 0,
          () => [this.execute(visibleNow, deps)],
        ],
        [w({ poll: 0.5, branch: 0.5 }), !top, () => [this.fail(visibleNow, deps)]],
        [
          w({ ingest: 2, transform: 0.7, poll: 0.5, orchestrate: 1.5 }),
          top && room >= 3,
          () => this.forEach(visibleNow, deps),
        ],
        [
          w({ ingest: 1.5, transform: 1.5, poll: 1, orchestrate: 1, loop: 1.5 }),
          control && room >= 2,
          () => [this.ifCondition(visibleNow, deps)],
        ],
        [
          w({ ingest: 0.5, transform: 0.7, poll: 1, orchestrate: 0.7, loop: 0.5 }),
          control && room >= 3,
          () => [this.switchActivity(visibleNow, deps)],
        ],
        [
          w({ ingest: 0.2, transform: 0.5, poll: 3, orchestrate: 0.5 }),
          top && room >= 5,
          () => this.poll(visibleNow, deps),
        ],
      ]);
      placed.push(...made);
      // A failure handler on an activity that moves data or calls out.
      const last = made[made.length - 1]!;
      if (
        top &&
        this.remaining() > 0 &&
        ['Copy', 'DatabricksNotebook', 'ExecutePipeline', 'WebActivity', 'Until'].includes(last.type) &&
        this.r.chance(0.25)
      ) {
        handlers.push(this.r.chance(0.7) ? this.storedProcedure(visibleNow, [last], last) : this.failureNotice(last));
      }
    }
    return [...placed, ...handlers];
  }

  private failureNotice(failed: Act): Act {
    return this.make(
      this.unique(`Alert On Failure ${failed.name}`),
      'WebActivity',
      [failed],
      {
        typeProperties: {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          url: expression('@pipeline().globalParameters.AlertWebhookUrl'),
          body: expression(
            `{"pipeline": "@{pipeline().Pipeline}", "activity": "${failed.name}", ` +
              `"error": "@{activity('${failed.name}').error.message}", "runId": "@{pipeline().RunId}"}`,
          ),
        },
      },
      undefined,
      { policy: POLICY, failed: true },
    );
  }
}

function tableList(r: Random, system: SystemInfo, n: number): Json[] {
  return r.sample(system.entities, n).map(e => ({
    SchemaName: system.schema,
    TableName: e,
    WatermarkColumn: r.pick(WATERMARK_COLUMNS),
    LastWatermark: '1900-01-01T00:00:00Z',
    TargetFolder: `${system.name}/${e.toLowerCase()}`,
  }));
}

function pipelineParameters(r: Random, kind: PipelineKind, system: SystemInfo): Map<string, ParamSpec> {
  const p = new Map<string, ParamSpec>();
  p.set('SourceSystem', r.chance(0.5) ? { type: 'string' } : { type: 'string', defaultValue: system.name });
  const optional = (name: string, spec: ParamSpec, chance: number) => {
    if (r.chance(chance)) p.set(name, spec);
  };
  if (kind === 'ingest') {
    if (r.chance(0.5)) {
      p.set('SchemaName', { type: 'string' });
      p.set('TableName', { type: 'string' });
      p.set('WatermarkColumn', {
        type: 'string',
        ...(r.chance(0.5) ? { defaultValue: r.pick(WATERMARK_COLUMNS) } : {}),
      });
    } else {
      p.set('Tables', { type: 'array', defaultValue: tableList(r, system, r.int(2, 4)) });
    }
    p.set('LoadType', { type: 'string', defaultValue: r.pick(['incremental', 'full']) });
    optional('TargetContainer', { type: 'string', defaultValue: 'bronze' }, 0.5);
    optional('BatchSize', { type: 'int', defaultValue: 100000 }, 0.3);
    optional('FullLoad', { type: 'bool', defaultValue: false }, 0.3);
  } else if (kind === 'transform') {
    optional('TableName', { type: 'string' }, 0.4);
    optional(
      'Config',
      { type: 'object', defaultValue: { zone: 'silver', mergeSchema: true, partitionBy: ['LoadDate'] } },
      0.5,
    );
    optional('FullLoad', { type: 'bool', defaultValue: false }, 0.5);
  } else if (kind === 'poll') {
    p.set('JobName', { type: 'string' });
    optional('LoadType', { type: 'string', defaultValue: 'incremental' }, 0.4);
  } else {
    optional('Tables', { type: 'array', defaultValue: tableList(r, system, 3) }, 0.5);
    optional('NotifyOnSuccess', { type: 'bool', defaultValue: true }, 0.5);
    optional('ParentRunId', { type: 'string', defaultValue: '' }, 0.4);
    optional('LoadType', { type: 'string', defaultValue: 'incremental' }, 0.4);
  }
  optional('RunDate', { type: 'string', defaultValue: '' }, 0.5);
  return p;
}

/** Counts the strings holding an expression and the expressions in them (as parseAdfString classifies them). */
function countExpressions(value: Json, acc: { strings: number; expressions: number }): void {
  if (typeof value === 'string') {
    if (value.startsWith('@') && !value.startsWith('@{')) {
      if (!value.startsWith('@@')) {
        acc.strings++;
        acc.expressions++;
      }
      return;
    }
    const n = (value.match(/(?<!@)@\{/g) ?? []).length;
    if (n) {
      acc.strings++;
      acc.expressions += n;
    }
  } else if (Array.isArray(value)) {
    for (const v of value) countExpressions(v, acc);
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) countExpressions(v, acc);
  }
}

function countActivities(activities: Json[]): number {
  let n = 0;
  for (const a of activities) {
    n++;
    const tp = (a as JsonObject).typeProperties as JsonObject | undefined;
    if (!tp) continue;
    for (const key of ['activities', 'ifTrueActivities', 'ifFalseActivities', 'defaultActivities']) {
      if (Array.isArray(tp[key])) n += countActivities(tp[key] as Json[]);
    }
    for (const c of (tp.cases as Json[] | undefined) ?? [])
      n += countActivities((c as JsonObject).activities as Json[]);
  }
  return n;
}

export interface GenerateAdfOptions {
  pipelines: number;
  seed?: number;
}

export function generateAdfFactory(outDir: string, options: GenerateAdfOptions): GeneratedAdf {
  const total = options.pipelines;
  if (!Number.isInteger(total) || total < 40)
    throw new Error(`The pipeline count must be an integer of at least 40; got ${total}.`);
  const seed = options.seed ?? 20240101;
  const r = new Random(seed ^ (total * 7919));
  fs.rmSync(outDir, { recursive: true, force: true });
  const files: string[] = [];
  const counts = { pipeline: 0, dataset: 0, linkedService: 0, trigger: 0, factory: 0 };
  const tally = { strings: 0, expressions: 0 };
  let bytes = 0;
  const write = (kind: keyof typeof counts, name: string, value: JsonObject): string => {
    const file = path.join(outDir, kind, `${name}.json`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const text = JSON.stringify(value, null, '\t');
    fs.writeFileSync(file, text);
    files.push(file);
    counts[kind]++;
    bytes += Buffer.byteLength(text);
    countExpressions(value, tally);
    return file;
  };
  const factoryName = `adf-bench-${total}`;

  // ---- factory, linked services -------------------------------------------------------------
  write('factory', factoryName, {
    name: factoryName,
    properties: { globalParameters: Object.fromEntries(GLOBALS.map(([n, type, value]) => [n, { type, value }])) },
    location: 'westeurope',
    identity: {
      type: 'SystemAssigned',
      principalId: '5b7b4f0e-8c1a-4a9b-9d3e-2f6f0c1d2e3a',
      tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
    },
  });
  const linkedService = (name: string, properties: JsonObject) =>
    write('linkedService', name, {
      name,
      type: 'Microsoft.DataFactory/factories/linkedservices',
      properties: { annotations: [], ...properties },
    });
  const secret = (secretName: string): JsonObject => ({
    type: 'AzureKeyVaultSecret',
    store: reference('ls_keyvault', 'LinkedServiceReference'),
    secretName,
  });
  linkedService('ls_keyvault', {
    type: 'AzureKeyVault',
    typeProperties: { baseUrl: 'https://kv-lakehouse-dev.vault.azure.net/' },
  });
  linkedService('ls_sql_control', {
    type: 'AzureSqlDatabase',
    typeProperties: {
      connectionString:
        'Integrated Security=False;Encrypt=True;Connection Timeout=30;' +
        'Data Source=sql-lakehouse-control.database.windows.net;Initial Catalog=control;User ID=adf_etl',
      password: secret('sql-control-password'),
    },
  });
  linkedService('ls_sql_generic', {
    parameters: { Server: { type: 'String' }, Database: { type: 'String' } },
    type: 'AzureSqlDatabase',
    typeProperties: {
      connectionString:
        'Integrated Security=False;Encrypt=True;Connection Timeout=30;Data Source=@{linkedService().Server};Initial Catalog=@{linkedService().Database}',
    },
    connectVia: reference('AutoResolveIntegrationRuntime', 'IntegrationRuntimeReference'),
  });
  linkedService('ls_adls', {
    type: 'AzureBlobFS',
    typeProperties: { url: 'https://stlakehousedev.dfs.core.windows.net/' },
  });
  linkedService('ls_databricks', {
    type: 'AzureDatabricks',
    typeProperties: {
      domain: 'https://adb-1111111111111111.1.azuredatabricks.net',
      authentication: 'MSI',
      workspaceResourceId:
        '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-lakehouse-dev/providers/Microsoft.Databricks/workspaces/dbw-lakehouse-dev',
      existingClusterId: '0101-120000-abcd1234',
    },
  });
  linkedService('ls_function', {
    type: 'AzureFunction',
    typeProperties: {
      functionAppUrl: 'https://func-lakehouse-dev.azurewebsites.net',
      authentication: 'Anonymous',
      functionKey: secret('function-key'),
    },
  });
  linkedService('ls_rest_api', {
    type: 'RestService',
    typeProperties: {
      url: 'https://api.contoso.com/v2/',
      enableServerCertificateValidation: true,
      authenticationType: 'Anonymous',
    },
  });

  // ---- source systems and datasets ----------------------------------------------------------
  const dataset = (name: string, properties: JsonObject) =>
    write('dataset', name, { name, properties: { ...properties }, type: 'Microsoft.DataFactory/factories/datasets' });
  const systems: SystemInfo[] = [];
  const systemCount = Math.max(4, Math.round(total / 20));
  for (let i = 0; i < systemCount; i++) {
    const name = `${DOMAINS[i % DOMAINS.length]}_${String(i + 1).padStart(3, '0')}`;
    const schema = r.pick(SCHEMAS);
    const system: SystemInfo = {
      name,
      schema,
      entities: r.sample(ENTITIES, 8),
      linkedService: `ls_src_${name}`,
      sqlDataset: { name: `ds_src_${name}`, required: ['SchemaName', 'TableName'], optional: [] },
      landingDataset: { name: `ds_${name}_landing_csv`, required: ['FileName'], optional: ['FolderPath'] },
      bronzeDataset: { name: `ds_${name}_bronze_parquet`, required: ['FolderPath', 'FileName'], optional: [] },
    };
    systems.push(system);
    linkedService(system.linkedService, {
      type: 'AzureSqlDatabase',
      typeProperties: {
        connectionString:
          `Integrated Security=False;Encrypt=True;Connection Timeout=30;` +
          `Data Source=sql-${name.replace(/_/g, '-')}.database.windows.net;Initial Catalog=${name};User ID=adf_reader`,
        password: secret(`sql-${name.replace(/_/g, '-')}-password`),
      },
    });
    dataset(system.sqlDataset.name, {
      linkedServiceName: reference(system.linkedService, 'LinkedServiceReference'),
      parameters: { SchemaName: { type: 'string' }, TableName: { type: 'string' } },
      folder: { name: `Sources/${name}` },
      annotations: [],
      type: 'AzureSqlTable',
      schema: [],
      typeProperties: { schema: expression('@dataset().SchemaName'), table: expression('@dataset().TableName') },
    });
    dataset(system.landingDataset.name, {
      linkedServiceName: reference('ls_adls', 'LinkedServiceReference'),
      parameters: { FileName: { type: 'string' }, FolderPath: { type: 'string', defaultValue: `landing/${name}` } },
      folder: { name: `Landing/${name}` },
      annotations: [],
      type: 'DelimitedText',
      typeProperties: {
        location: {
          type: 'AzureBlobFSLocation',
          fileName: expression('@dataset().FileName'),
          folderPath: expression('@dataset().FolderPath'),
          fileSystem: 'landing',
        },
        columnDelimiter: ',',
        escapeChar: '\\',
        firstRowAsHeader: true,
        quoteChar: '"',
      },
      schema: [],
    });
    dataset(system.bronzeDataset.name, {
      linkedServiceName: reference('ls_adls', 'LinkedServiceReference'),
      parameters: { FolderPath: { type: 'string' }, FileName: { type: 'string' } },
      folder: { name: `Bronze/${name}` },
      annotations: [],
      type: 'Parquet',
      typeProperties: {
        location: {
          type: 'AzureBlobFSLocation',
          fileName: expression('@dataset().FileName'),
          folderPath: expression(`@concat('${name}/', dataset().FolderPath)`),
          fileSystem: 'bronze',
        },
        compressionCodec: 'snappy',
      },
      schema: [],
    });
  }
  const plan: FactoryPlan = {
    systems,
    control: { name: 'ds_control_sql', required: [], optional: [] },
    genericSql: { name: 'ds_generic_sql', required: ['Server', 'Database', 'SchemaName', 'TableName'], optional: [] },
    adlsParquet: { name: 'ds_adls_parquet', required: ['FolderPath', 'FileName'], optional: ['Container'] },
    adlsJson: { name: 'ds_adls_json', required: ['FolderPath', 'FileName'], optional: [] },
    adlsFolder: { name: 'ds_adls_folder', required: ['FolderPath'], optional: ['Container'] },
    rest: { name: 'ds_rest_api', required: ['RelativeUrl'], optional: [] },
    pipelines: [],
  };
  dataset(plan.control.name, {
    linkedServiceName: reference('ls_sql_control', 'LinkedServiceReference'),
    folder: { name: 'Control' },
    annotations: [],
    type: 'AzureSqlTable',
    schema: [],
    typeProperties: { schema: 'etl', table: 'LoadControl' },
  });
  dataset(plan.genericSql.name, {
    linkedServiceName: reference('ls_sql_generic', 'LinkedServiceReference', {
      Server: expression('@dataset().Server'),
      Database: expression('@dataset().Database'),
    }),
    parameters: {
      Server: { type: 'string' },
      Database: { type: 'string' },
      SchemaName: { type: 'string' },
      TableName: { type: 'string' },
    },
    folder: { name: 'Generic' },
    annotations: [],
    type: 'AzureSqlTable',
    schema: [],
    typeProperties: { schema: expression('@dataset().SchemaName'), table: expression('@dataset().TableName') },
  });
  dataset(plan.adlsParquet.name, {
    linkedServiceName: reference('ls_adls', 'LinkedServiceReference'),
    parameters: {
      Container: { type: 'string', defaultValue: 'bronze' },
      FolderPath: { type: 'string' },
      FileName: { type: 'string' },
    },
    folder: { name: 'Generic' },
    annotations: [],
    type: 'Parquet',
    typeProperties: {
      location: {
        type: 'AzureBlobFSLocation',
        fileName: expression('@dataset().FileName'),
        folderPath: expression('@dataset().FolderPath'),
        fileSystem: expression('@dataset().Container'),
      },
      compressionCodec: 'snappy',
    },
    schema: [],
  });
  dataset(plan.adlsJson.name, {
    linkedServiceName: reference('ls_adls', 'LinkedServiceReference'),
    parameters: { FolderPath: { type: 'string' }, FileName: { type: 'string' } },
    folder: { name: 'Generic' },
    annotations: [],
    type: 'Json',
    typeProperties: {
      location: {
        type: 'AzureBlobFSLocation',
        fileName: expression('@dataset().FileName'),
        folderPath: expression("@concat('api/', dataset().FolderPath)"),
        fileSystem: 'raw',
      },
    },
    schema: {},
  });
  dataset(plan.adlsFolder.name, {
    linkedServiceName: reference('ls_adls', 'LinkedServiceReference'),
    parameters: { Container: { type: 'string', defaultValue: 'landing' }, FolderPath: { type: 'string' } },
    folder: { name: 'Generic' },
    annotations: [],
    type: 'Binary',
    typeProperties: {
      location: {
        type: 'AzureBlobFSLocation',
        folderPath: expression('@dataset().FolderPath'),
        fileSystem: expression('@dataset().Container'),
      },
    },
  });
  dataset(plan.rest.name, {
    linkedServiceName: reference('ls_rest_api', 'LinkedServiceReference'),
    parameters: { RelativeUrl: { type: 'string' } },
    folder: { name: 'Generic' },
    annotations: [],
    type: 'RestResource',
    typeProperties: { relativeUrl: expression('@dataset().RelativeUrl') },
    schema: [],
  });

  // ---- pipelines ----------------------------------------------------------------------------
  let activities = 0;
  const texts = new Map<string, string>();
  for (let i = 0; i < total; i++) {
    const system = systems[i % systems.length]!;
    const kind =
      r.float() < (i < total / 10 ? 0 : 0.28)
        ? 'orchestrate'
        : r.pick<PipelineKind>(['ingest', 'ingest', 'ingest', 'transform', 'transform', 'poll']);
    const x = r.float();
    const budget = x < 0.55 ? r.int(3, 10) : x < 0.9 ? r.int(11, 24) : r.int(25, 40);
    const builder = new PipelineBuilder(r, plan, system, kind, budget);
    for (const [n, spec] of pipelineParameters(r, kind, system)) builder.params.set(n, spec);
    const top = builder.sequence({ level: 'top', visible: [] }, budget);
    // At least 3 activities: top up with logging.
    while (builder.activities < 3) top.push(...builder.sequence({ level: 'top', visible: [] }, 1, 'transform'));
    const name = `pl_${kind}_${system.name}_${String(i + 1).padStart(3, '0')}`;
    const properties: JsonObject = {};
    if (r.chance(0.4)) {
      const verb =
        ({ ingest: 'Loads', transform: 'Transforms', poll: 'Runs and monitors' } as Record<string, string>)[kind] ??
        'Orchestrates';
      properties.description = `${verb} ${system.name} (${system.entities.slice(0, 3).join(', ')}).`;
    }
    properties.activities = top.map(a => a.json);
    properties.parameters = Object.fromEntries(
      [...builder.params].map(([n, p]): [string, Json] => [
        n,
        p.defaultValue === undefined ? { type: p.type } : { type: p.type, defaultValue: p.defaultValue },
      ]),
    );
    if (builder.variables.size)
      properties.variables = Object.fromEntries(
        [...builder.variables].map(([n, type]): [string, Json] => [
          n,
          type === 'Array' ? { type, defaultValue: [] } : { type },
        ]),
      );
    properties.folder = {
      name: `${kind === 'orchestrate' ? 'Orchestration' : kind === 'ingest' ? 'Ingestion' : kind === 'poll' ? 'Jobs' : 'Transformation'}/${system.name}`,
    };
    properties.annotations = [];
    const two = (n: number) => String(n).padStart(2, '0');
    // In this order: the seeded generator's draws make the same factory every time.
    const [month, day, hour, minute, second] = [r.int(1, 12), r.int(1, 28), r.int(0, 23), r.int(10, 59), r.int(10, 59)];
    properties.lastPublishTime = `2024-${two(month)}-${two(day)}T${two(hour)}:${minute}:${second}Z`;
    const value: JsonObject = { name, properties, type: 'Microsoft.DataFactory/factories/pipelines' };
    const file = write('pipeline', name, value);
    texts.set(file, JSON.stringify(value, null, '\t'));
    activities += countActivities(properties.activities as Json[]);
    plan.pipelines.push({ name, kind, params: builder.params, file });
  }

  // ---- triggers -----------------------------------------------------------------------------
  const triggerCount = Math.max(3, Math.round(total / 16));
  const orchestrators = plan.pipelines.filter(p => p.kind === 'orchestrate');
  const triggerParams = (target: PipelineInfo, value: (name: string) => string): JsonObject => {
    const out: JsonObject = {};
    for (const [name, spec] of target.params) {
      if (spec.defaultValue !== undefined && !r.chance(0.3)) continue;
      out[name] =
        spec.type === 'string'
          ? value(name)
          : spec.type === 'int'
            ? 50000
            : spec.type === 'bool'
              ? false
              : spec.type === 'array'
                ? tableList(r, systems[0]!, 2)
                : { zone: 'silver' };
    }
    return out;
  };
  const pipelineCall = (target: PipelineInfo, value: (name: string) => string): JsonObject => {
    const parameters = triggerParams(target, value);
    return Object.keys(parameters).length
      ? { pipelineReference: reference(target.name, 'PipelineReference'), parameters }
      : { pipelineReference: reference(target.name, 'PipelineReference') };
  };
  for (let i = 0; i < triggerCount; i++) {
    const x = r.float();
    const target = () => r.pick(orchestrators.length && r.chance(0.8) ? orchestrators : plan.pipelines);
    if (x < 0.6) {
      const hour = r.int(0, 23);
      const name = `tr_daily_${String(hour).padStart(2, '0')}00_${String(i + 1).padStart(2, '0')}`;
      const value = (p: string) =>
        p === 'RunDate'
          ? "@formatDateTime(trigger().scheduledTime, 'yyyy-MM-dd')"
          : p === 'SourceSystem'
            ? r.pick(systems).name
            : p === 'ParentRunId'
              ? '@trigger().runId'
              : r.pick(ENTITIES);
      write('trigger', name, {
        name,
        properties: {
          annotations: [],
          runtimeState: r.chance(0.8) ? 'Started' : 'Stopped',
          pipelines: Array.from({ length: r.int(1, 3) }, () => pipelineCall(target(), value)),
          type: 'ScheduleTrigger',
          typeProperties: {
            recurrence: {
              frequency: 'Day',
              interval: 1,
              startTime: '2024-01-01T00:00:00Z',
              timeZone: 'UTC',
              schedule: { minutes: [r.pick([0, 15, 30])], hours: [hour] },
            },
          },
        },
      });
    } else if (x < 0.85) {
      const name = `tr_window_${String(i + 1).padStart(2, '0')}`;
      const value = (p: string) =>
        p === 'RunDate'
          ? "@formatDateTime(trigger().outputs.windowStartTime, 'yyyy-MM-dd')"
          : p === 'SourceSystem'
            ? r.pick(systems).name
            : r.pick(ENTITIES);
      write('trigger', name, {
        name,
        properties: {
          annotations: [],
          runtimeState: 'Started',
          pipeline: pipelineCall(target(), value),
          type: 'TumblingWindowTrigger',
          typeProperties: {
            frequency: 'Hour',
            interval: r.pick([1, 6, 24]),
            startTime: '2024-01-01T00:00:00Z',
            delay: '00:00:00',
            maxConcurrency: 1,
            retryPolicy: { intervalInSeconds: 30 },
            dependsOn: [],
          },
        },
      });
    } else {
      const system = r.pick(systems);
      const name = `tr_landing_${system.name}_${String(i + 1).padStart(2, '0')}`;
      const value = (p: string) =>
        p === 'SourceSystem'
          ? system.name
          : p === 'TableName' || p === 'JobName'
            ? '@triggerBody().fileName'
            : p === 'RunDate'
              ? '@trigger().startTime'
              : '@triggerBody().folderPath';
      write('trigger', name, {
        name,
        properties: {
          annotations: [],
          runtimeState: 'Started',
          pipelines: [pipelineCall(target(), value)],
          type: 'BlobEventsTrigger',
          typeProperties: {
            blobPathBeginsWith: `/landing/blobs/${system.name}/`,
            blobPathEndsWith: '.csv',
            ignoreEmptyBlobs: true,
            scope:
              '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-lakehouse-dev/providers/Microsoft.Storage/storageAccounts/stlakehousedev',
            events: ['Microsoft.Storage.BlobCreated'],
          },
        },
      });
    }
  }

  // ---- the edits ----------------------------------------------------------------------------
  // In a pipeline past the middle: an interpolated SQL line (SELECT -> SELECT DISTINCT, both valid),
  // and a line reading activity('X').output (X misspelt: LH414).
  let edit: GeneratedAdf['edit'] | undefined;
  let errorEdit: GeneratedAdf['errorEdit'] | undefined;
  const ordered = [...plan.pipelines.slice(Math.floor(total / 2)), ...plan.pipelines.slice(0, Math.floor(total / 2))];
  for (const p of ordered) {
    const lines = texts.get(p.file)!.split('\n');
    const sqlLine = lines.findIndex(l => /"value": "SELECT \* FROM .*@\{/.test(l));
    const refLine = lines.findIndex(l => /activity\('[^']+'\)\.output/.test(l));
    if (sqlLine === -1 || refLine === -1) continue;
    const original = lines[sqlLine]!;
    edit = {
      file: p.file,
      line: sqlLine,
      original,
      edited: original.replace('SELECT * FROM', 'SELECT DISTINCT * FROM'),
    };
    const refOriginal = lines[refLine]!;
    const [, referenced] = /activity\('([^']+)'\)\.output/.exec(refOriginal)!;
    errorEdit = {
      file: p.file,
      line: refLine,
      original: refOriginal,
      edited: refOriginal.replace(`activity('${referenced}')`, `activity('${referenced}_old')`),
      code: 'LH414',
    };
    break;
  }
  if (!edit || !errorEdit) throw new Error('no pipeline to edit');

  return {
    root: outDir,
    pipelines: total,
    files,
    counts,
    activities,
    expressionStrings: tally.strings,
    expressions: tally.expressions,
    bytes,
    seed,
    edit,
    errorEdit,
  };
}
