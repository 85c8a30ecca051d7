// A small stand-in for what the generated pipelines talk to, as dry-run outcomes: SQL tables (MAX
// of a column, row counts, copies that can be made to fail), the lake (JSON and Parquet files by
// container/folder/file, read from the datasets' evaluated locations), Databricks (notebook runs,
// the REST calls of the gold step) and Key Vault. It decides by what an activity does (its type,
// its query, its dataset's location), not by the activity's name, so that the tests built on it
// keep working when the generator renames or reorders activities.
import type { DatasetUse, ExternalCall, ExternalOutcome } from '../../../../src/core/adf/run/runPipeline';
import { stringify, toJson, type AdfObject, type AdfValue, type JsonLike } from '../../../../src/core/adf/run/values';
import { literalSelect } from '../../../../src/core/adf/run/report';

export interface FakeTable {
  rows: number;
  /** MAX of the CDC column, as SQL Server returns a datetime2 in JSON. */
  max: string | null;
}

const get = (v: AdfValue | undefined, ...path: string[]): AdfValue | undefined => {
  let x = v;
  for (const p of path) x = x instanceof Map ? x.get(p) : undefined;
  return x;
};

export class FakeAzure {
  readonly tables = new Map<string, FakeTable>();
  /** JSON files of the lake: rows, by container/folder/file. */
  readonly files = new Map<string, JsonLike[]>();
  readonly parquet = new Map<string, number>();
  readonly failCopyFrom = new Set<string>();
  /** Silver notebooks (by the table their path ends with, lower case) that fail. */
  readonly failNotebookOf = new Set<string>();
  /** Updates of the gold pipeline started. */
  goldStarts = 0;
  readonly queries: { table: string; sql: string; path: string }[] = [];
  readonly notebooks: { path: string; activity: string }[] = [];
  readonly posts: { url: string; body: JsonLike }[] = [];
  goldState = 'COMPLETED';
  readonly alertUrl = 'https://alerts.example/hook';

  table(schema: string, name: string, t: FakeTable): this {
    this.tables.set(`${schema}.${name}`.toLowerCase(), t);
    return this;
  }

  /** A new run: what the last one recorded is forgotten, the lake and the tables stay. */
  reset(): void {
    this.queries.length = 0;
    this.notebooks.length = 0;
    this.posts.length = 0;
    this.goldStarts = 0;
  }

  static location(d: DatasetUse | undefined): string | undefined {
    const loc = get(d?.properties, 'location');
    if (!(loc instanceof Map)) return undefined;
    return [get(loc, 'fileSystem'), get(loc, 'folderPath'), get(loc, 'fileName')]
      .map(x => (x === undefined ? '' : stringify(x)))
      .join('/');
  }

  private sqlTable(sql: string): string | undefined {
    const m = /\bFROM\s+\[((?:[^\]]|\]\])+)\]\.\[((?:[^\]]|\]\])+)\]/i.exec(sql);
    return m ? `${m[1]!.replace(/\]\]/g, ']')}.${m[2]!.replace(/\]\]/g, ']')}`.toLowerCase() : undefined;
  }

  readonly outcome = (call: ExternalCall): ExternalOutcome => {
    const tp = call.typeProperties instanceof Map ? call.typeProperties : new Map<string, AdfValue>();
    const dataset = call.datasets.find(d => d.role === 'dataset');
    const output = call.datasets.find(d => d.role === 'output');
    switch (call.type.toLowerCase()) {
      case 'getmetadata': {
        const at = FakeAzure.location(dataset) ?? '';
        return { output: { exists: this.files.has(at) || this.parquet.has(at), itemName: at.split('/').pop() ?? '' } };
      }
      case 'lookup': {
        const at = FakeAzure.location(dataset) ?? '';
        const rows = this.files.get(at);
        if (!rows)
          return {
            status: 'Failed',
            error: { message: `ErrorCode=UserErrorFileNotFound,'The file ${at} does not exist.'`, errorCode: '2200' },
          };
        return {
          output: get(tp, 'firstRowOnly') === false ? { count: rows.length, value: rows } : { firstRow: rows[0] ?? {} },
        };
      }
      case 'script': {
        const scripts = get(tp, 'scripts');
        const sql = Array.isArray(scripts) ? stringify(get(scripts[0], 'text') ?? '') : '';
        const table = this.tables.get(this.sqlTable(sql) ?? '');
        if (!table)
          return { status: 'Failed', error: { message: `Invalid object name in: ${sql}`, errorCode: '2011' } };
        const alias = /\bAS\s+\[?(\w+)\]?/i.exec(sql)?.[1] ?? 'value';
        return { output: { resultSetCount: 1, resultSets: [{ rowCount: 1, rows: [{ [alias]: table.max }] }] } };
      }
      case 'copy': {
        const source = get(tp, 'source');
        const sql = stringify(get(source, 'sqlReaderQuery') ?? get(source, 'query') ?? '');
        const at = FakeAzure.location(output) ?? '';
        const literal = literalSelect(sql);
        if (literal) {
          const row: Record<string, JsonLike> = {};
          for (const c of literal)
            row[c.column] = c.value.startsWith("'") ? c.value.slice(1, -1).replace(/''/g, "'") : c.value;
          this.files.set(at, [row]);
          return { output: { rowsRead: 1, rowsCopied: 1 } };
        }
        const key = this.sqlTable(sql) ?? '';
        this.queries.push({ table: key, sql, path: call.path });
        if (this.failCopyFrom.has(key))
          return {
            status: 'Failed',
            error: {
              message: `Failure happened on 'Source' side reading ${key}: the connection was reset.`,
              errorCode: '2200',
            },
          };
        const table = this.tables.get(key);
        if (!table) return { status: 'Failed', error: { message: `Invalid object name '${key}'.`, errorCode: '2200' } };
        this.parquet.set(at, table.rows);
        return { output: { rowsRead: table.rows, rowsCopied: table.rows } };
      }
      case 'delete': {
        const at = FakeAzure.location(dataset) ?? '';
        const existed = this.files.delete(at) || this.parquet.delete(at);
        return { output: { filesDeleted: existed ? 1 : 0 } };
      }
      case 'databricksnotebook': {
        const notebook = stringify(get(tp, 'notebookPath') ?? '');
        this.notebooks.push({ path: notebook, activity: call.activity });
        if (this.failNotebookOf.has((notebook.split('/').pop() ?? '').toLowerCase())) {
          return {
            status: 'Failed',
            error: {
              message: `Notebook ${notebook} failed: AnalysisException: [DELTA_FAILED_TO_MERGE_FIELDS] Failed to merge fields.`,
              errorCode: '3204',
            },
          };
        }
        return { output: { runPageUrl: 'https://adb.example/run/1' } };
      }
      case 'webactivity':
      case 'web': {
        const url = stringify(get(tp, 'url') ?? '');
        const method = stringify(get(tp, 'method') ?? 'GET').toUpperCase();
        if (url.includes('.vault.azure.net/secrets/')) return { output: { value: this.alertUrl } };
        if (method === 'GET' && /\/api\/2\.0\/pipelines\?/.test(url)) {
          const filter = decodeURIComponent(/filter=([^&]*)/.exec(url)?.[1] ?? '');
          const name = /%([^']*)'/.exec(filter)?.[1] ?? '';
          return { output: { statuses: [{ pipeline_id: 'pipeline-1', name: `[dev] ${name}` }] } };
        }
        if (method === 'POST' && /\/api\/2\.0\/pipelines\/[^/]+\/updates$/.test(url)) {
          this.goldStarts++;
          return { output: { update_id: 'update-1' } };
        }
        if (method === 'GET' && /\/updates\/[^/]+$/.test(url)) return { output: { update: { state: this.goldState } } };
        if (method === 'POST') this.posts.push({ url, body: toJson(get(tp, 'body') ?? null) });
        return { output: {} };
      }
      default:
        return { output: {} };
    }
  };
}

/** The first string value of a JSON row. */
export function firstValue(row: JsonLike | undefined): string | undefined {
  if (row === null || typeof row !== 'object' || Array.isArray(row)) return undefined;
  const v = Object.values(row)[0];
  return typeof v === 'string' ? v : undefined;
}

export type { AdfObject };
