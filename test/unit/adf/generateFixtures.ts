// Projects for the ADF generation tests (in memory, see helpers/project.ts).
import * as fs from 'fs';
import * as path from 'path';
import { generateAdfArtifacts, readBundleDeployment, type AdfGeneration } from '../../../src/core/adf/generate';
import type { LakehouseMetadata } from '../../../src/core/metadata/model';
import { SAMPLE_DIR } from '../helpers/paths';

/** The sample's generation as `lakehouse generate adf` does it (databricks.yml says where notebooks deploy). */
export function generateSample(metadata: LakehouseMetadata): AdfGeneration {
  const bundle = readBundleDeployment(fs.readFileSync(path.join(SAMPLE_DIR, 'databricks', 'databricks.yml'), 'utf8'));
  return generateAdfArtifacts(metadata, { bundle });
}

const columns = '[{ name: id, type: int }, { name: modified_at, type: datetime2 }]';

/** Three source systems (Azure SQL, Synapse, SQL Server), incremental and full loads, an existing cluster, no environment. */
export const MULTI_SOURCE_PROJECT = {
  'lakehouse.yaml': `version: 1
project:
  name: multi
lake:
  zones:
    bronze: { container: raw, path: "{system}/{schema}/{table}", format: parquet }
adf:
  batchCount: 1
  databricks:
    cluster: { existingClusterId: 0101-000000-abcdefgh }
sources:
  - name: crm
    type: azureSql
    linkedService: ls_crm
    server: crm.database.windows.net
    database: crm
    tables:
      - { name: Customer, cdcColumn: modified_at, loadType: incremental, backfillFrom: 2023-06-01, columns: ${columns} }
      - { name: Country, loadType: full, columns: ${columns} }
  - name: dw
    type: synapse
    linkedService: ls_dw
    server: dw.sql.azuresynapse.net
    database: dw
    tables:
      - { name: Sales, schema: fact, cdcColumn: modified_at, columns: ${columns} }
  - name: legacy
    type: sqlServer
    server: legacy01
    database: erp
    tables:
      - { name: Item, loadType: full, columns: ${columns} }
`,
};

/** The sample's shape in one file, for edits: two incremental tables, one dimension. */
export function smallProject(extraTables = '', adf = ''): Record<string, string> {
  return {
    'lakehouse.yaml': `version: 1
project:
  name: small
environments:
  dev:
    subscriptionId: 00000000-0000-0000-0000-000000000000
    resourceGroup: rg
    factory: adf-small
    storageAccount: stsmall
    databricksHost: https://adb-1.1.azuredatabricks.net
    alertUrl: https://example.invalid/alert
lake:
  zones:
    bronze: { container: bronze, path: "{table}", format: parquet }
${adf}sources:
  - name: app
    type: azureSql
    linkedService: ls_app
    server: app.database.windows.net
    database: app
    tables:
      - { name: Users, primaryKey: [id], cdcColumn: modified_at, columns: ${columns} }
      - { name: Orders, primaryKey: [id], cdcColumn: modified_at, columns: ${columns} }
${extraTables}starSchema:
  dimensions:
    - { name: dim_users, source: dbo.Users, businessKey: [id], scdType: 1 }
`,
  };
}

/**
 * Past every limit of one pipeline at once, for the splitting: source system `big` with
 * bigTables tables (more than one pipeline's text holds), smallSystems systems of one table each
 * (more than the orchestrator has room to run), a dimension per table of `big` (more notebooks
 * than the orchestrator can list). Flow style, two columns: quick to load.
 */
export function wideProject(options: { bigTables: number; smallSystems: number }): Record<string, string> {
  const pad = (n: number) => String(n).padStart(4, '0');
  const lines = [
    'version: 1',
    'project:',
    '  name: wide',
    'lake:',
    '  zones:',
    '    bronze: { container: bronze, path: "{system}/{table}", format: parquet }',
    'sources:',
  ];
  const system = (name: string, tables: string[]) => {
    lines.push(
      `  - name: ${name}`,
      '    type: azureSql',
      `    linkedService: ls_${name}`,
      `    server: ${name}.database.windows.net`,
      `    database: ${name}`,
      '    tables:',
    );
    for (const t of tables)
      lines.push(`      - { name: ${t}, cdcColumn: modified_at, backfillFrom: 2024-01-01, columns: ${columns} }`);
  };
  system(
    'big',
    Array.from({ length: options.bigTables }, (_, i) => `Table${pad(i + 1)}`),
  );
  for (let s = 1; s <= options.smallSystems; s++) system(`s${pad(s)}`, ['Item']);
  lines.push('starSchema:', '  dimensions:');
  for (let i = 1; i <= options.bigTables; i++)
    lines.push(`    - { name: dim_table${pad(i)}, source: big.dbo.Table${pad(i)}, businessKey: [id], scdType: 1 }`);
  return { 'lakehouse.yaml': `${lines.join('\n')}\n` };
}
