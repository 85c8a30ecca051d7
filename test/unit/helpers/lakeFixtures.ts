// Lake content as real writers make it, for the Lake view's unit and wire tests: Delta commits as
// Spark writes them, parquet files written by hyparquet-writer.
import { parquetWriteBuffer } from 'hyparquet-writer';

/** A Delta log file's 20-digit version. */
export const v = (n: number): string => String(n).padStart(20, '0');

/** A commit as Spark 3.5 / Delta 3 writes it (commitInfo first, then the actions). */
export function sparkCommit(version: number, operation = 'WRITE', adds = 1): string {
  const lines: object[] = [
    {
      commitInfo: {
        timestamp: 1_700_000_000_000 + version * 60_000,
        operation,
        operationParameters:
          operation === 'WRITE' ? { mode: 'Append', partitionBy: '[]' } : { predicate: '["(id = 1)"]' },
        readVersion: version - 1,
        isolationLevel: 'Serializable',
        isBlindAppend: operation === 'WRITE',
        operationMetrics: { numFiles: String(adds), numOutputRows: String(adds * 10), numOutputBytes: '1234' },
        engineInfo: 'Apache-Spark/3.5.1 Delta-Lake/3.2.0',
        txnId: '3c5d9b8e-0000-4000-8000-000000000000',
      },
    },
  ];
  if (version === 0) {
    lines.push({ protocol: { minReaderVersion: 1, minWriterVersion: 2 } });
    lines.push({
      metaData: {
        id: 'x',
        format: { provider: 'parquet', options: {} },
        schemaString: '{}',
        partitionColumns: [],
        configuration: {},
      },
    });
  }
  for (let i = 0; i < adds; i++)
    lines.push({
      add: {
        path: `part-${String(i).padStart(5, '0')}-c000.snappy.parquet`,
        partitionValues: {},
        size: 1000,
        modificationTime: 0,
        dataChange: true,
      },
    });
  return lines.map(l => JSON.stringify(l)).join('\n') + '\n';
}

/** A parquet file of `rows` rows (id, name, ts, amount) in row groups of `rowGroupSize`. */
export function parquetFile(rows: number, rowGroupSize = rows): Uint8Array {
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: 'id', data: BigInt64Array.from({ length: rows }, (_, i) => BigInt(i)), type: 'INT64', nullable: false },
      { name: 'name', data: Array.from({ length: rows }, (_, i) => `user ${i}`), type: 'STRING' },
      {
        name: 'ts',
        data: Array.from({ length: rows }, (_, i) => new Date(Date.UTC(2024, 0, 1) + i * 1000)),
        type: 'TIMESTAMP',
      },
      { name: 'amount', data: Float64Array.from({ length: rows }, (_, i) => i / 4), type: 'DOUBLE' },
    ],
    rowGroupSize,
    createdBy: 'lakehouse-workbench tests',
  });
  return new Uint8Array(buffer);
}
