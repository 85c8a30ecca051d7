import type { Severity } from './diagnostic';

export interface RuleInfo {
  code: string;
  /** Short kebab-case name, stable like the code. */
  name: string;
  severity: Severity;
  /** Why the rule exists: what goes wrong downstream when it is ignored. */
  rationale: string;
}

function rule(code: string, name: string, severity: Severity, rationale: string): RuleInfo {
  return { code, name, severity, rationale };
}

/**
 * Every diagnostic the product reports. Codes never change meaning; retired codes are not
 * reused. docs/rules.md is generated from this table (and a test keeps them in step).
 */
export const RULES = {
  yamlSyntax: rule(
    'LH001',
    'yaml-syntax',
    'error',
    'A file that does not parse cannot be read at all: nothing after the error is checked, generated or deployed.',
  ),
  unreadableFile: rule(
    'LH002',
    'unreadable-file',
    'error',
    'Binary, non-UTF-8 or oversized files are not metadata; reading them would freeze the editor or produce garbage.',
  ),
  includeProblem: rule(
    'LH003',
    'include-problem',
    'error',
    'A split project is only complete when every include resolves exactly once; a missing or circular include silently drops or doubles definitions.',
  ),
  schemaType: rule(
    'LH101',
    'schema-type',
    'error',
    'A value of the wrong type (a number where a list is expected, say) is read differently by every tool downstream.',
  ),
  schemaUnknownKey: rule(
    'LH102',
    'schema-unknown-key',
    'error',
    'An unknown key is almost always a typo of a known one, whose setting is then silently ignored.',
  ),
  schemaMissingKey: rule(
    'LH103',
    'schema-missing-key',
    'error',
    'Required keys are what generation and deployment cannot guess.',
  ),
  schemaInvalidValue: rule(
    'LH104',
    'schema-invalid-value',
    'error',
    'Values outside the allowed set or format (an SCD type 3, a date that is not YYYY-MM-DD) fail later, far from where they were written.',
  ),
  factUnknownDimension: rule(
    'LH201',
    'fact-unknown-dimension',
    'error',
    'A fact reference to a dimension that does not exist produces a join to nothing: the gold model would not build.',
  ),
  factReferenceColumnUnknown: rule(
    'LH202',
    'fact-reference-column-unknown',
    'error',
    "The foreign-key column of a reference must exist in the fact's source table, or the join condition refers to nothing.",
  ),
  scd2MissingBusinessKey: rule(
    'LH203',
    'scd2-missing-business-key',
    'error',
    'An SCD Type 2 dimension keys its history on the business key; without one, every change becomes a new entity.',
  ),
  scd2MissingSequenceColumn: rule(
    'LH204',
    'scd2-missing-sequence-column',
    'error',
    'Auto-CDC needs a sequence column to order changes; without it, SCD Type 2 history is written in arbitrary order.',
  ),
  dimensionColumnUnknown: rule(
    'LH205',
    'dimension-column-unknown',
    'error',
    "Business keys, tracked columns and sequence columns are read from the dimension's source table; a column it does not have fails the pipeline at run time.",
  ),
  cdcColumnUnknown: rule(
    'LH206',
    'cdc-column-unknown',
    'error',
    'The incremental copy filters on the CDC (watermark) column; a column the table does not have makes every run fail.',
  ),
  duplicateTable: rule(
    'LH207',
    'duplicate-table',
    'error',
    'Two definitions of one table make it ambiguous which one is copied and modelled.',
  ),
  duplicateDimension: rule(
    'LH208',
    'duplicate-dimension',
    'error',
    'Dimension names become table names in the gold zone; two with one name overwrite each other.',
  ),
  duplicateFact: rule(
    'LH209',
    'duplicate-fact',
    'error',
    'Fact names become table names in the gold zone; duplicates overwrite each other (a fact and a dimension may not share a name either).',
  ),
  factWithoutGrain: rule(
    'LH210',
    'fact-without-grain',
    'error',
    'The grain says what one fact row means; without it, deduplication and SCD1 merges have no key.',
  ),
  measureNotNumeric: rule(
    'LH211',
    'measure-not-numeric',
    'error',
    'Summing or averaging a text or date column fails in Spark or gives meaningless results; count it instead, or pick a numeric column.',
  ),
  sourceTableUndeclared: rule(
    'LH212',
    'source-table-undeclared',
    'error',
    'Dimensions and facts are built from declared source tables; a table nobody copies into bronze never reaches gold.',
  ),
  factColumnUnknown: rule(
    'LH213',
    'fact-column-unknown',
    'error',
    "Grain columns and measures are read from the fact's source table; a column it does not have fails the pipeline at run time.",
  ),
  tableColumnUnknown: rule(
    'LH214',
    'table-column-unknown',
    'error',
    "A table's primary key must be among its declared columns.",
  ),
  duplicateColumn: rule(
    'LH215',
    'duplicate-column',
    'error',
    'Column names are unique in SQL tables and Spark data frames.',
  ),
  duplicateSourceSystem: rule(
    'LH216',
    'duplicate-source-system',
    'error',
    'Source system names name linked services and folders; duplicates collide.',
  ),
  dateDimensionUnknown: rule(
    'LH217',
    'date-dimension-unknown',
    'error',
    'The date dimension must be one of the declared dimensions.',
  ),
  tableWithoutColumns: rule(
    'LH218',
    'table-without-columns',
    'warning',
    'Without columns, none of the column checks can run and templates have nothing to select; list them (lakehouse import-adf leaves them as a TODO).',
  ),
  ambiguousTableReference: rule(
    'LH219',
    'ambiguous-table-reference',
    'error',
    'A table reference that matches tables in several schemas or systems could mean any of them; qualify it.',
  ),
  scd1WithTrackedColumns: rule(
    'LH220',
    'scd1-tracked-columns-ignored',
    'warning',
    'Tracked columns only matter for SCD Type 2 history; on a Type 1 dimension they are ignored, which is rarely what was meant.',
  ),
  cdcColumnType: rule(
    'LH221',
    'cdc-column-type',
    'error',
    'A watermark is compared as a time and a rowversion as a rowversion: a CDC column of ' +
      "another type (an identity number, SQL Server's timestamp, text) makes every run fail, or " +
      'compares text and skips rows.',
  ),
  cdcColumnNullable: rule(
    'LH222',
    'cdc-column-nullable',
    'warning',
    'A row whose watermark column is NULL is never past the watermark, so it is never copied ' +
      'and nothing says so. The column must be NOT NULL, or the table must use rowversion or ' +
      'Change Tracking.',
  ),
  changeTrackingWithoutKey: rule(
    'LH223',
    'change-tracking-without-key',
    'error',
    'SQL Server Change Tracking reports changes by primary key; without one, the changes cannot be joined back to their rows or merged in silver.',
  ),
  referenceJoinKey: rule(
    'LH224',
    'reference-join-key',
    'error',
    'A fact joins a dimension on its business key: one column against a key of several matches ' +
      'every row sharing one part, multiplying fact rows; a column the dimension does not have ' +
      'matches nothing.',
  ),
  joinTypeMismatch: rule(
    'LH225',
    'join-type-mismatch',
    'error',
    'Joining a number to text (or a date to a number) makes Spark cast one side: in ANSI mode ' +
      'the query fails on the first value that does not convert, otherwise rows silently match ' +
      'nothing.',
  ),
  measureNameCollision: rule(
    'LH226',
    'measure-name-collision',
    'error',
    "Each measure becomes a column of the fact's measures view, beside the columns it is " +
      'grouped by; two of one name (or a view named like another table) fail the pipeline or ' +
      'overwrite a table.',
  ),
  asOfJoinTime: rule(
    'LH227',
    'as-of-join-time',
    'error',
    'An SCD Type 2 dimension keeps history so that each fact gets the version valid when it ' +
      "happened: that needs the fact's event time and the dimension's versions to be times. " +
      "Without them every past row gets today's attributes, silently.",
  ),
  timeImplausible: rule(
    'LH228',
    'time-implausible',
    'error',
    'Backfill dates after the schedule starts, windows that end before they begin, a calendar ' +
      'that misses the history: each deploys without complaint and copies or joins nothing for ' +
      'those dates.',
  ),
  lakeFolderCollision: rule(
    'LH229',
    'lake-folder-collision',
    'error',
    "Two tables writing to one lake folder mix their files: Autoloader reads both into one silver table and the watermark of one overwrites the other's.",
  ),
  placeholderNotSubstituted: rule(
    'LH230',
    'placeholder-not-substituted',
    'error',
    'A placeholder that nothing substitutes (${VAR}, {{ var }}, an unknown {name}) is used ' +
      'literally: a folder or server named after it, the same for every table or environment.',
  ),
  environmentIncomplete: rule(
    'LH301',
    'environment-incomplete',
    'warning',
    'Deploying to an environment needs its subscription, resource group, data factory and storage account; an incomplete one cannot be deployed to.',
  ),
  noEnvironment: rule(
    'LH302',
    'no-environment',
    'warning',
    'Without an environment nothing can be deployed, triggered or backfilled.',
  ),
  environmentSharedResource: rule(
    'LH303',
    'environment-shared-resource',
    'error',
    'Environments exist to keep development away from production: two that share a storage ' +
      "account, factory, catalog or bundle target read and overwrite each other's data and " +
      'deployments.',
  ),
  alertUrlSecret: rule(
    'LH304',
    'alert-url-secret',
    'warning',
    'A Logic App URL carries its signature (sig=): written in lakehouse.yaml it is committed ' +
      'to git and copied into the pipeline, where anyone who can read either can call it. Key ' +
      'Vault keeps it secret.',
  ),
  adfFolderMissing: rule(
    'LH401',
    'adf-folder-missing',
    'error',
    'paths.adf names the Data Factory folder in ADF git layout; a folder that is not there cannot be read, generated into or deployed.',
  ),
  adfJsonSyntax: rule(
    'LH402',
    'adf-json-syntax',
    'error',
    'ADF Studio and the deployment both refuse a file that is not valid JSON.',
  ),
  adfNotAnArtifact: rule(
    'LH403',
    'adf-not-an-artifact',
    'warning',
    'Files in the ADF folders must be ADF artifacts (a name and properties); anything else is refused by ADF Studio and by deployment.',
  ),
  adfLoopTableUndeclared: rule(
    'LH404',
    'adf-loop-table-undeclared',
    'warning',
    'The metadata-driven pipeline copies a table lakehouse.yaml does not declare, so the ' +
      'metadata is no longer the single source of truth; declare it (or regenerate the ' +
      "pipeline's parameter).",
  ),
  adfShape: rule(
    'LH405',
    'adf-shape',
    'error',
    'ADF refuses an artifact whose required properties are missing or of the wrong type (an ' +
      'activity without a type, dependsOn that is not a list); ADF Studio will not open it and ' +
      'deployment fails.',
  ),
  adfDuplicateActivity: rule(
    'LH406',
    'adf-duplicate-activity',
    'error',
    'Activity names identify activities in dependsOn, in activity() expressions and in run monitoring; ADF rejects a pipeline where two activities share one.',
  ),
  adfDependencyUnknown: rule(
    'LH407',
    'adf-dependency-unknown',
    'error',
    'dependsOn names a sibling activity in the same container; a name that is not there (usually a rename) makes the pipeline fail to publish.',
  ),
  adfDependencyCondition: rule(
    'LH408',
    'adf-dependency-condition',
    'error',
    'A dependency waits for Succeeded, Failed, Skipped or Completed; any other condition is rejected when the pipeline is published.',
  ),
  adfDependencyCycle: rule(
    'LH409',
    'adf-dependency-cycle',
    'error',
    'Activities that depend on each other in a circle can never start; ADF refuses the pipeline.',
  ),
  adfReferenceUnresolved: rule(
    'LH410',
    'adf-reference-unresolved',
    'error',
    'A pipeline, dataset, linked service, data flow or integration runtime referenced by name ' +
      'must exist in the factory; otherwise publishing fails (or, for a trigger, the run never ' +
      'starts).',
  ),
  adfReferenceParameters: rule(
    'LH411',
    'adf-reference-parameters',
    'error',
    'A reference should pass the parameters its target declares, by their names: a misspelt ' +
      'one leaves the intended parameter null (an error when it has no default value), and a ' +
      'value for an undeclared or a missing parameter is usually a mistake the run does not ' +
      'report (a warning).',
  ),
  adfExpressionSyntax: rule(
    'LH412',
    'adf-expression-syntax',
    'error',
    'An expression that does not parse, calls an unknown function or passes the wrong number ' +
      'of arguments fails the activity at run time, often hours into a pipeline run.',
  ),
  adfExpressionUndeclared: rule(
    'LH413',
    'adf-expression-undeclared',
    'error',
    'An expression that reads a parameter or variable that is not declared fails at run time ' +
      '("The parameter … was not found"); it is usually a typo or a rename.',
  ),
  adfExpressionActivity: rule(
    'LH414',
    'adf-expression-activity',
    'error',
    "activity('X') can only read the output of an activity that exists and runs before this " +
      'one (an ancestor through dependsOn); otherwise ADF rejects the pipeline or the output is ' +
      'not there yet.',
  ),
  adfExpressionItemScope: rule(
    'LH415',
    'adf-expression-item-scope',
    'error',
    'item() is the current element of a ForEach (or of a Filter); anywhere else it has no value and the activity fails.',
  ),
  adfServiceLimit: rule(
    'LH416',
    'adf-service-limit',
    'error',
    'Data Factory limits a pipeline to 80 activities (120 at most, nested ones included), 50 ' +
      'parameters, a ForEach batchCount of 50, expressions of 8,192 characters, activity names ' +
      'of 55 characters and 200 KB per pipeline; past them publishing or the run fails.',
  ),
  templateMissing: rule(
    'LH501',
    'template-missing',
    'error',
    'A binding whose template file does not exist renders nothing: its notebooks are never ' +
      'generated, and `lakehouse render --check` cannot tell whether they are up to date.',
  ),
  templateOutputCollision: rule(
    'LH502',
    'template-output-collision',
    'error',
    'Two renders writing one file overwrite each other, so which notebook ends up on disk ' +
      'depends on the order; give each output a distinct path (per-item bindings need {name}).',
  ),
  templateOutputInvalid: rule(
    'LH503',
    'template-output-invalid',
    'error',
    'An output path with an unknown {placeholder} writes a file literally named after it, and ' +
      'one that is absolute or climbs out with .. writes outside the project; neither is what ' +
      'was meant.',
  ),
  bundleGoldPipeline: rule(
    'LH504',
    'bundle-gold-pipeline',
    'warning',
    "The built-in gold notebooks are Delta Live Tables code, which only the bundle's DLT " +
      "pipeline runs, and Data Factory's gold step starts that pipeline by name: without it the " +
      'gold step fails, and a notebook it does not list is never built.',
  ),
  bundleCliReport: rule(
    'LH505',
    'bundle-cli-report',
    'error',
    'What the Databricks CLI reported about the bundle when it planned or deployed it (`databricks bundle ' +
      'plan|deploy`), at the place of databricks.yml it names: the CLI decides what a workspace accepts, so ' +
      'its errors block the deploy and its warnings are worth reading before the next one.',
  ),
  // LH510-LH516: a template does not render, one code per kind of failure the renderer reports
  // (RenderError.kind); templates/renderDiagnostic.ts turns a failure into a diagnostic.
  templateSyntax: rule(
    'LH510',
    'template-syntax',
    'error',
    'A template that does not parse (an unclosed tag, an unknown filter or test) renders nothing: ' +
      'no notebook or query is generated from it, and Jinja2 refuses it the same way.',
  ),
  templateUndefined: rule(
    'LH511',
    'template-undefined',
    'error',
    'A name or attribute the render context does not have (a misspelt variable, a key the metadata ' +
      'does not give) fails the render, as in Jinja2: the output would be missing or wrong.',
  ),
  templateType: rule(
    'LH512',
    'template-type',
    'error',
    'An operation on a value of the wrong type (a string added to a number, a loop over a number) ' +
      'fails in Jinja2 too: the output is not produced.',
  ),
  templateUnsupported: rule(
    'LH513',
    'template-unsupported',
    'error',
    'A Jinja2 feature Lakehouse Workbench does not implement: the preview cannot show what Jinja2 ' +
      'would render, so nothing is written from it rather than something different.',
  ),
  templateSecurity: rule(
    'LH514',
    'template-security',
    'error',
    'Templates come from the workspace: one that names a file outside the project (.., an absolute ' +
      'path, a link out) or reaches into the host (constructor, __proto__) is refused, never run.',
  ),
  templateTimeout: rule(
    'LH515',
    'template-timeout',
    'error',
    'A render that does not finish in time (a loop that never ends, a runaway recursion) is stopped, ' +
      'so neither the editor nor CI hangs on a template.',
  ),
  templateRuntime: rule(
    'LH516',
    'template-runtime',
    'error',
    'Anything else that stops a render (an error the template raises, a resource limit such as a ' +
      'huge range or output, a missing template) leaves the output unwritten.',
  ),
  pathOutsideProject: rule(
    'LH601',
    'path-outside-project',
    'error',
    "The project's files may only name files inside the project folder (or a folder you " +
      'allowed in your own settings): a path to ../../.ssh or /etc, or a symbolic link that ' +
      'leads out, would make validation, rendering or generation read or write files that are ' +
      "not the project's.",
  ),
  sqlNameInvalid: rule(
    'LH602',
    'sql-name-invalid',
    'error',
    'A schema, table or column name SQL Server cannot hold (empty, over 128 characters, or ' +
      'with a control character such as a line break) fails the copy, and a line break in a name ' +
      'breaks out of the comments and strings it is written into.',
  ),
  lakeNameInvalid: rule(
    'LH603',
    'lake-name-invalid',
    'error',
    "A table's name names its folders in the lake, its notebook file and its Unity Catalog " +
      "table: a '/', '..' or ':' would write elsewhere or fail, and Unity Catalog refuses " +
      'periods, spaces and slashes. Column names Delta refuses (spaces, commas, parentheses) ' +
      'fail the silver write unless column mapping is enabled (a warning).',
  ),
  adfNameInvalid: rule(
    'LH604',
    'adf-name-invalid',
    'error',
    'Data Factory refuses artifact names with . + ? / < > * % & : \\ # or control characters, ' +
      'dashes in linked services, datasets and data flows, and more than 260 characters; the ' +
      "name is also the artifact's file name in the ADF folder, so a '/' or '..' would write " +
      'outside it.',
  ),
  connectionValueInvalid: rule(
    'LH605',
    'connection-value-invalid',
    'error',
    "The server and database are written into the linked service's connection string: a ';' or " +
      "'=' in them adds settings (a user, a password, another server) that nobody reviewed.",
  ),
  adfInlineSecret: rule(
    'LH606',
    'adf-inline-secret',
    'warning',
    'A password, account key, SAS signature or token written in plain text in an ADF file is ' +
      'committed to git and visible to everyone who can read the factory; reference a Key Vault ' +
      'secret or use a managed identity instead.',
  ),
  todo: rule(
    'LH901',
    'todo',
    'warning',
    'A TODO marks what an import could not know; until it is filled in, the checks that need it cannot run.',
  ),
} as const satisfies Record<string, RuleInfo>;

export type RuleKey = keyof typeof RULES;

export const ALL_RULES: readonly RuleInfo[] = Object.values(RULES);
