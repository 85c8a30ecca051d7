/**
 * A valid project in the sample's shape, small enough to read in a test: one source system
 * with four tables, three dimensions (one SCD Type 2), one fact. It validates with no
 * diagnostics; each rule test changes it minimally (with `edit`, which checks that the changed
 * text occurs exactly once).
 */
export const BASELINE = `version: 1

project:
  name: mini_spotify
  owner: data-platform

environments:
  dev:
    subscriptionId: 00000000-0000-0000-0000-000000000000
    resourceGroup: rg-mini-dev
    factory: adf-mini-dev
    storageAccount: stminidev

lake:
  zones:
    bronze:
      container: bronze
      path: "{table}"
      format: parquet

sources:
  - name: spotify_sql
    type: azureSql
    linkedService: ls_spotify_sql
    tables:
      - name: DimUser
        schema: dbo
        primaryKey: [user_id]
        cdcColumn: updated_at
        loadType: incremental
        columns:
          - { name: user_id, type: int, nullable: false }
          - { name: user_name, type: nvarchar(255) }
          - { name: country, type: nvarchar(100) }
          - { name: updated_at, type: datetime2, nullable: false }
      - name: DimTrack
        schema: dbo
        primaryKey: [track_id]
        cdcColumn: updated_at
        columns:
          - { name: track_id, type: int }
          - { name: track_name, type: nvarchar(255) }
          - { name: updated_at, type: datetime2, nullable: false }
      - name: DimDate
        schema: dbo
        primaryKey: [date_key]
        loadType: full
        columns:
          - { name: date_key, type: int }
          - { name: date, type: date }
      - name: FactStream
        schema: dbo
        primaryKey: [stream_id]
        cdcColumn: stream_timestamp
        backfillFrom: 2024-01-01
        columns:
          - { name: stream_id, type: bigint }
          - { name: user_id, type: int }
          - { name: track_id, type: int }
          - { name: date_key, type: int }
          - { name: listen_duration, type: int }
          - { name: device_type, type: nvarchar(50) }
          - { name: stream_timestamp, type: datetime2, nullable: false }

starSchema:
  dateDimension: dim_date
  dimensions:
    - name: dim_user
      source: dbo.DimUser
      businessKey: [user_id]
      scdType: 2
      trackedColumns: [user_name, country]
      sequenceBy: updated_at
    - name: dim_track
      source: DimTrack
      businessKey: [track_id]
      scdType: 1
    - name: dim_date
      source: spotify_sql.dbo.DimDate
      businessKey: [date_key]
  facts:
    - name: fact_stream
      source: dbo.FactStream
      grain: [stream_id]
      sequenceBy: stream_timestamp
      measures:
        - column: listen_duration
          aggregation: sum
        - column: stream_id
          aggregation: count
          name: stream_count
      references:
        - column: user_id
          dimension: dim_user
        - column: track_id
          dimension: dim_track
        - column: date_key
          dimension: dim_date

adf:
  schedule:
    startTime: 2026-12-07T02:00:00Z
`;

/** A minimal ADF folder in git layout whose metadata-driven loop copies the baseline's four tables. */
export function adfFolder(
  tables: { schema: string; table: string; cdc_col?: string }[] = [
    { schema: 'dbo', table: 'DimUser', cdc_col: 'updated_at' },
    { schema: 'dbo', table: 'DimTrack', cdc_col: 'updated_at' },
    { schema: 'dbo', table: 'DimDate' },
    { schema: 'dbo', table: 'FactStream', cdc_col: 'stream_timestamp' },
  ],
): Record<string, string> {
  const pipeline = {
    name: 'pl_incremental',
    properties: {
      activities: [
        {
          name: 'ForEachTable',
          type: 'ForEach',
          typeProperties: {
            items: { value: '@pipeline().parameters.loop_input', type: 'Expression' },
            activities: [
              {
                name: 'Copy',
                type: 'Copy',
                typeProperties: { source: { type: 'AzureSqlSource' }, sink: { type: 'ParquetSink' } },
                inputs: [{ referenceName: 'ds_sql', type: 'DatasetReference' }],
                outputs: [
                  { referenceName: 'ds_parquet', type: 'DatasetReference', parameters: { container: 'bronze' } },
                ],
              },
            ],
          },
        },
      ],
      parameters: { loop_input: { type: 'array', defaultValue: tables } },
    },
  };
  const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
  return {
    'adf/pipeline/pl_incremental.json': json(pipeline),
    'adf/dataset/ds_sql.json': json({
      name: 'ds_sql',
      properties: {
        type: 'AzureSqlTable',
        linkedServiceName: { referenceName: 'ls_spotify_sql', type: 'LinkedServiceReference' },
      },
    }),
    'adf/dataset/ds_parquet.json': json({
      name: 'ds_parquet',
      properties: {
        type: 'Parquet',
        linkedServiceName: { referenceName: 'ls_adls', type: 'LinkedServiceReference' },
        parameters: { container: { type: 'string' } },
      },
    }),
    'adf/linkedService/ls_spotify_sql.json': json({
      name: 'ls_spotify_sql',
      properties: {
        type: 'AzureSqlDatabase',
        typeProperties: { server: 'sql.database.windows.net', database: 'spotify' },
      },
    }),
    'adf/linkedService/ls_adls.json': json({
      name: 'ls_adls',
      properties: { type: 'AzureBlobFS', typeProperties: { url: 'https://stminidev.dfs.core.windows.net/' } },
    }),
    'adf/factory/adf-mini-dev.json': json({ name: 'adf-mini-dev', location: 'westeurope' }),
  };
}
