import type { Node as JsonNode } from 'jsonc-parser';
import type { Diagnostic } from '../../diagnostics/diagnostic';
import { RULES } from '../../diagnostics/rules';
import type { AdfFile, AdfKind } from '../adfFile';
import { FileReport, NameSet, isInactiveActivity } from './context';
import { checkExpressionString, forEachString, type ExpressionScope } from './expressionChecks';
import { describeType, entries, items, prop, span, str } from './jsonTree';
import { checkPipeline, globalParameterNames } from './pipelineRules';
import { checkPassedParameters, checkReferences, type ArtifactIndex } from './referenceRules';
import { adfNameProblem, type AdfArtifactType } from '../../names/naming';
import { excerpt } from '../../text/excerpt';
import { didYouMean } from '../../text/suggest';

export { PIPELINE_LIMITS } from './pipelineRules';
export { MAX_EXPRESSION_LENGTH } from './expressionChecks';

/** What validation needs of a factory folder (AdfFactory satisfies it). */
export interface AdfFolderView {
  files: AdfFile[];
  artifacts: Map<AdfKind, Map<string, AdfFile>>;
}

/**
 * Checks every artifact of a factory folder: shapes, activities, dependencies, references and
 * expressions. Files that did not parse are skipped (their syntax errors are already reported).
 */
export function validateAdfFolder(folder: AdfFolderView): Diagnostic[] {
  const index = artifactIndex(folder);
  const factories = folder.files.filter(f => f.kind === 'factory' && f.tree).map(f => f.tree!);
  const globalParameters = globalParameterNames(factories);
  const out: Diagnostic[] = [];
  for (const file of folder.files) out.push(...validateAdfArtifact(file, index, globalParameters));
  return out;
}

export function artifactIndex(folder: AdfFolderView): ArtifactIndex {
  // ADF names are case-insensitive: 'DS_Sql' and 'ds_sql' are the same artifact.
  const lower = new Map<AdfKind, Map<string, AdfFile>>();
  for (const [kind, byName] of folder.artifacts) {
    const m = new Map<string, AdfFile>();
    for (const [name, file] of byName) if (!m.has(name.toLowerCase())) m.set(name.toLowerCase(), file);
    lower.set(kind, m);
  }
  return {
    get: (kind, name) => folder.artifacts.get(kind)?.get(name) ?? lower.get(kind)?.get(name.toLowerCase()),
    names: kind => [...(folder.artifacts.get(kind)?.keys() ?? [])],
  };
}

/** Checks one artifact in the context of its folder. */
export function validateAdfArtifact(
  file: AdfFile,
  index: ArtifactIndex,
  globalParameters: NameSet | undefined,
): Diagnostic[] {
  const root = file.tree;
  if (!root || file.name === undefined || file.value === undefined) return [];
  const report = new FileReport(file);
  const properties = prop(root, 'properties');
  switch (file.kind) {
    case 'pipeline':
      checkPipeline(report, root, { globalParameters });
      checkExecutePipelineParameters(report, root, index);
      break;
    case 'dataset':
      requireString(report, properties, 'type', `Dataset '${file.name}'`, 'the format, e.g. Parquet or AzureSqlTable');
      requireReference(
        report,
        properties,
        'linkedServiceName',
        `Dataset '${file.name}'`,
        'the linked service it reads through',
      );
      requireObjectIfPresent(report, properties, 'typeProperties', `Dataset '${file.name}'`);
      checkParameterised(report, properties, 'dataset', file.name, globalParameters);
      break;
    case 'linkedService':
      requireString(
        report,
        properties,
        'type',
        `Linked service '${file.name}'`,
        'the kind of store, e.g. AzureSqlDatabase',
      );
      checkParameterised(report, properties, 'linkedService', file.name, globalParameters);
      requireObjectIfPresent(report, properties, 'typeProperties', `Linked service '${file.name}'`);
      checkInlineSecrets(report, prop(properties, 'typeProperties'), file.name);
      break;
    case 'trigger':
      requireString(report, properties, 'type', `Trigger '${file.name}'`, 'e.g. ScheduleTrigger');
      checkTrigger(report, properties, index, file.name);
      break;
    default:
      break;
  }
  checkReferences(report, root, index);
  checkArtifactName(report, root, file);
  return report.diagnostics;
}

const NAME_TYPES: Partial<Record<AdfKind, AdfArtifactType>> = {
  pipeline: 'pipeline',
  dataset: 'dataset',
  linkedService: 'linkedService',
  dataflow: 'dataflow',
  trigger: 'trigger',
  integrationRuntime: 'integrationRuntime',
};

/** LH604: Data Factory's naming rules, at the artifact's "name". */
function checkArtifactName(report: FileReport, root: JsonNode, file: AdfFile): void {
  const type = NAME_TYPES[file.kind];
  const nameNode = prop(root, 'name');
  if (!type || !nameNode || file.name === undefined) return;
  const problem = adfNameProblem(file.name, type);
  if (problem) report.add(span(nameNode), RULES.adfNameInvalid, `${problem}; ADF refuses to publish it.`);
}

/** Keys whose plain-string value is a credential (a SecureString or a Key Vault reference is not plain). */
const SECRET_KEY =
  /^(password|pwd|accountKey|sasToken|servicePrincipalKey|clientSecret|accessToken|apiKey|secret|token)$/i;
/** key=value pairs of a connection string that carry a credential. */
const SECRET_PAIR = /(?:^|;)\s*(password|pwd|accountkey|sharedaccesskey|sharedaccesssignature|sig)\s*=\s*([^;]*)/i;
const SIGNED_URL = /[?&]sig=[^&\s]+/i;
/** ADF Studio masks the secrets it exports; a masked, empty or parameterised value is no secret. */
const NOT_A_SECRET = /^(\*+|@.*|\{.*\})?$/s;

/** LH606: credentials written into a linked service in plain text (never echoed in the message). */
function checkInlineSecrets(report: FileReport, typeProperties: JsonNode | undefined, name: string): void {
  const visit = (node: JsonNode | undefined, key: string | undefined, depth: number): void => {
    if (!node || depth > 20) return;
    if (node.type === 'object') {
      const type = str(prop(node, 'type'));
      if (type === 'AzureKeyVaultSecret') return;
      if (type === 'SecureString' && key !== undefined && SECRET_KEY.test(key)) {
        const value = prop(node, 'value');
        const text = str(value);
        if (value && text !== undefined && !NOT_A_SECRET.test(text.trim()))
          report.add(span(value), RULES.adfInlineSecret, secretMessage(name, key));
        return;
      }
      for (const [childKey, , child] of entries(node)) visit(child, childKey, depth + 1);
      return;
    }
    if (node.type === 'array') {
      for (const item of items(node)) visit(item, key, depth + 1);
      return;
    }
    const text = str(node);
    if (text === undefined || key === undefined) return;
    const value = text.trim();
    if (SECRET_KEY.test(key) && !NOT_A_SECRET.test(value)) {
      report.add(span(node), RULES.adfInlineSecret, secretMessage(name, key));
      return;
    }
    const pair = SECRET_PAIR.exec(value);
    if (pair && !NOT_A_SECRET.test((pair[2] ?? '').trim()) && !value.startsWith('@')) {
      report.add(span(node), RULES.adfInlineSecret, secretMessage(name, `${key} (its ${pair[1]}=)`));
      return;
    }
    if (SIGNED_URL.test(value) && !value.startsWith('@'))
      report.add(span(node), RULES.adfInlineSecret, secretMessage(name, `${key} (a URL with a SAS signature, sig=)`));
  };
  visit(typeProperties, undefined, 0);
}

function secretMessage(name: string, where: string): string {
  return (
    `Linked service '${excerpt(name)}' holds a credential in plain text in ${where}: it is ` +
    `committed to git and readable by everyone with access to the factory. Reference an Azure ` +
    `Key Vault secret ({"type": "AzureKeyVaultSecret", …}) or use the factory's managed ` +
    `identity.`
  );
}

function requireObjectIfPresent(report: FileReport, properties: JsonNode | undefined, key: string, what: string): void {
  const node = prop(properties, key);
  if (node && node.type !== 'object')
    report.add(
      span(node),
      RULES.adfShape,
      `${what}: "${key}" must be an object, not ${describeType(node)}; ADF refuses it.`,
    );
}

function requireString(
  report: FileReport,
  properties: JsonNode | undefined,
  key: string,
  what: string,
  hint: string,
): void {
  const node = prop(properties, key);
  if (node && str(node) !== undefined && str(node) !== '') return;
  const at = node ? span(node) : properties ? keyOf(properties) : ([0, 1] as const);
  report.add(
    at,
    RULES.adfShape,
    node
      ? `${what}: "${key}" must be a non-empty string; it is ${describeType(node)}.`
      : `${what} has no "${key}" (${hint}).`,
  );
}

function requireReference(
  report: FileReport,
  properties: JsonNode | undefined,
  key: string,
  what: string,
  hint: string,
): void {
  const node = prop(properties, key);
  if (node?.type === 'object' && prop(node, 'referenceName')) return;
  const at = node ? span(node) : properties ? keyOf(properties) : ([0, 1] as const);
  report.add(
    at,
    RULES.adfShape,
    node
      ? `${what}: "${key}" must be {"referenceName": …, "type": …}; it is ${describeType(node)}.`
      : `${what} has no "${key}" (${hint}).`,
  );
}

function keyOf(node: JsonNode): readonly [number, number] {
  const key = node.parent?.type === 'property' ? node.parent.children?.[0] : undefined;
  return key ? [key.offset, key.offset + key.length] : [node.offset, node.offset + 1];
}

/** Datasets and linked services: dataset().X / linkedService().X must be declared parameters. */
function checkParameterised(
  report: FileReport,
  properties: JsonNode | undefined,
  kind: 'dataset' | 'linkedService',
  name: string,
  globalParameters: NameSet | undefined,
): void {
  const parameters = new NameSet();
  for (const [p] of entries(prop(properties, 'parameters'))) parameters.add(p);
  const scope: ExpressionScope = {
    kind,
    owner: name,
    parameters,
    globalParameters,
    itemAllowed: false,
    itemHint: `a ${kind === 'dataset' ? 'dataset' : 'linked service'} gets values through its parameters; pass item() from the activity that uses it`,
  };
  // Only what the service evaluates: the type properties and what is passed on to the linked service.
  forEachString(prop(properties, 'typeProperties'), s => checkExpressionString(report, s, scope));
  forEachString(prop(prop(properties, 'linkedServiceName'), 'parameters'), s =>
    checkExpressionString(report, s, scope),
  );
}

/** ExecutePipeline passes parameters beside the reference, not inside it. */
function checkExecutePipelineParameters(report: FileReport, root: JsonNode, index: ArtifactIndex): void {
  const visit = (activities: JsonNode | undefined, outerInactive: boolean): void => {
    for (const activity of items(activities)) {
      const typeProperties = prop(activity, 'typeProperties');
      const inactive = outerInactive || isInactiveActivity(activity);
      const type = str(prop(activity, 'type'))?.toLowerCase();
      if (type === 'executepipeline') {
        checkPipelineCall(
          report,
          prop(typeProperties, 'pipeline'),
          prop(typeProperties, 'parameters'),
          index,
          inactive,
        );
      } else if (type === 'executedataflow') {
        checkDataFlowDatasets(report, prop(typeProperties, 'dataflow'), index, inactive);
      }
      for (const key of ['activities', 'ifTrueActivities', 'ifFalseActivities', 'defaultActivities'])
        visit(prop(typeProperties, key), inactive);
      for (const c of items(prop(typeProperties, 'cases'))) visit(prop(c, 'activities'), inactive);
    }
  };
  visit(prop(prop(root, 'properties'), 'activities'), false);
}

function checkPipelineCall(
  report: FileReport,
  reference: JsonNode | undefined,
  parameters: JsonNode | undefined,
  index: ArtifactIndex,
  inactive = false,
): void {
  const refNode = prop(reference, 'referenceName');
  const name = str(refNode);
  if (!refNode || name === undefined) return;
  const target = index.get('pipeline', name);
  if (target) checkPassedParameters(report, refNode, parameters, target, 'pipeline', inactive);
}

/**
 * An Execute Data Flow activity passes the parameters of the data flow's source and sink datasets
 * in dataflow.datasetParameters, keyed by the source's or sink's name.
 */
function checkDataFlowDatasets(
  report: FileReport,
  reference: JsonNode | undefined,
  index: ArtifactIndex,
  inactive: boolean,
): void {
  const refNode = prop(reference, 'referenceName');
  const name = str(refNode);
  const flow = name === undefined ? undefined : index.get('dataflow', name);
  if (!refNode || !flow?.tree) return;
  const endpoints = new Map<string, { dataset: AdfFile; name: string; kind: string }>();
  const typeProperties = prop(prop(flow.tree, 'properties'), 'typeProperties');
  for (const key of ['sources', 'sinks']) {
    for (const endpoint of items(prop(typeProperties, key))) {
      const endpointName = str(prop(endpoint, 'name'));
      const datasetName = str(prop(prop(endpoint, 'dataset'), 'referenceName'));
      const dataset = datasetName === undefined ? undefined : index.get('dataset', datasetName);
      if (endpointName !== undefined && dataset)
        endpoints.set(endpointName.toLowerCase(), {
          dataset,
          name: endpointName,
          kind: key === 'sources' ? 'source' : 'sink',
        });
    }
  }
  const passedNode = prop(reference, 'datasetParameters');
  const given = new Set<string>();
  if (passedNode?.type === 'object') {
    for (const [endpointName, keyNode, value] of entries(passedNode)) {
      const endpoint = endpoints.get(endpointName.toLowerCase());
      if (!endpoint) {
        // A source without a dataset (inline) or with a parameterless one is not in the map either.
        const all = [...items(prop(typeProperties, 'sources')), ...items(prop(typeProperties, 'sinks'))]
          .map(e => str(prop(e, 'name')))
          .filter((n): n is string => n !== undefined);
        if (all.some(n => n.toLowerCase() === endpointName.toLowerCase())) continue;
        const suggestion = didYouMean(endpointName, all);
        report.add(
          span(keyNode),
          RULES.adfReferenceParameters,
          `Data flow '${name}' has no source or sink ` +
            `'${excerpt(endpointName)}'${all.length ? ` (it has ${all.join(', ')})` : ''}, so the ` +
            `dataset parameters passed here are not ` +
            `used.${suggestion ? ` Did you mean '${suggestion}'?` : ''}`,
          {
            severity: 'warning',
            fixes: suggestion && isPlainKey(endpointName) ? [report.replaceStringFix(keyNode, suggestion)] : undefined,
          },
        );
        continue;
      }
      given.add(endpointName.toLowerCase());
      checkPassedParameters(report, keyNode, value, endpoint.dataset, 'dataset', inactive);
    }
  }
  for (const [endpointName, endpoint] of endpoints) {
    if (given.has(endpointName)) continue;
    const required = [...entries(prop(prop(endpoint.dataset.tree, 'properties'), 'parameters'))]
      .filter(([, , value]) => prop(value, 'defaultValue') === undefined)
      .map(([p]) => p);
    if (!required.length) continue;
    report.add(
      span(refNode),
      RULES.adfReferenceParameters,
      `Dataset '${endpoint.dataset.name}' of ${endpoint.kind} '${endpoint.name}' in data flow ` +
        `'${name}' needs ${required.map(r => `'${r}'`).join(', ')}, which ` +
        `${required.length === 1 ? 'has' : 'have'} no default value and ` +
        `${required.length === 1 ? 'is' : 'are'} not passed in dataflow.datasetParameters; ` +
        `${required.length === 1 ? 'it is' : 'they are'} null at run time.`,
      { severity: 'warning' },
    );
  }
}

function isPlainKey(name: string): boolean {
  return !/["\\]/.test(name);
}

function checkTrigger(report: FileReport, properties: JsonNode | undefined, index: ArtifactIndex, name: string): void {
  const scope: ExpressionScope = {
    kind: 'trigger',
    owner: name,
    parameters: new NameSet(),
    itemAllowed: false,
    itemHint: 'a trigger passes values to a pipeline; use trigger().outputs or trigger().scheduledTime',
  };
  const calls: JsonNode[] = [...items(prop(properties, 'pipelines'))];
  const single = prop(properties, 'pipeline'); // tumbling-window triggers run one pipeline
  if (single) calls.push(single);
  for (const call of calls) {
    const parameters = prop(call, 'parameters');
    checkPipelineCall(report, prop(call, 'pipelineReference'), parameters, index);
    forEachString(parameters, s => checkExpressionString(report, s, scope));
  }
}

interface CachedResult {
  diagnostics: Diagnostic[];
  lookups: { kind: AdfKind; name: string; file: AdfFile | undefined }[];
  nameLists: { kind: AdfKind; signature: string }[];
  globals: string | undefined;
}

/**
 * Validates a folder, re-checking only files that changed or whose references resolve
 * differently: an edit to one pipeline re-checks that pipeline (and the files that referenced it).
 */
export class AdfValidationCache {
  private cache = new WeakMap<AdfFile, CachedResult>();

  validate(folder: AdfFolderView): Diagnostic[] {
    const out: Diagnostic[] = [];
    for (const _ of this.run(folder, out));
    return out;
  }

  /** validate(), calling pause() between files (a time-sliced load yields there). */
  async validateSliced(folder: AdfFolderView, pause: () => Promise<void>): Promise<Diagnostic[]> {
    const out: Diagnostic[] = [];
    for (const _ of this.run(folder, out)) await pause();
    return out;
  }

  /** Validates file after file into out, yielding after each. */
  private *run(folder: AdfFolderView, out: Diagnostic[]): Generator<void> {
    const index = artifactIndex(folder);
    const factories = folder.files.filter(f => f.kind === 'factory' && f.tree).map(f => f.tree!);
    const globalParameters = globalParameterNames(factories);
    const globals = globalParameters?.names.join('\u0000');
    const signatures = new Map<AdfKind, string>();
    const signature = (kind: AdfKind) => {
      let s = signatures.get(kind);
      if (s === undefined) signatures.set(kind, (s = index.names(kind).join('\u0000')));
      return s;
    };
    for (const file of folder.files) {
      const cached = this.cache.get(file);
      if (
        cached &&
        cached.globals === globals &&
        cached.lookups.every(l => index.get(l.kind, l.name) === l.file) &&
        cached.nameLists.every(l => signature(l.kind) === l.signature)
      ) {
        out.push(...cached.diagnostics);
        continue; // no pause: a cached file costs nothing
      }
      const entry: CachedResult = { diagnostics: [], lookups: [], nameLists: [], globals };
      const recording: ArtifactIndex = {
        get: (kind, name) => {
          const f = index.get(kind, name);
          entry.lookups.push({ kind, name, file: f });
          return f;
        },
        names: kind => {
          entry.nameLists.push({ kind, signature: signature(kind) });
          return index.names(kind);
        },
      };
      entry.diagnostics = validateAdfArtifact(file, recording, globalParameters);
      this.cache.set(file, entry);
      out.push(...entry.diagnostics);
      yield;
    }
  }
}
