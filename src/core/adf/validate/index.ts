import type { Node as JsonNode } from 'jsonc-parser';
import type { Diagnostic } from '../../diagnostics/diagnostic';
import { RULES } from '../../diagnostics/rules';
import type { AdfFile, AdfKind } from '../adfFile';
import { FileReport, NameSet, isInactiveActivity } from './context';
import { checkExpressionString, forEachString, type ExpressionScope } from './expressionChecks';
import { describeType, entries, items, prop, span, str } from './jsonTree';
import { checkPipeline, globalParameterNames } from './pipelineRules';
import { checkPassedParameters, checkReferences, type ArtifactIndex } from './referenceRules';

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
export function validateAdfArtifact(file: AdfFile, index: ArtifactIndex, globalParameters: NameSet | undefined): Diagnostic[] {
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
      requireReference(report, properties, 'linkedServiceName', `Dataset '${file.name}'`, 'the linked service it reads through');
      checkParameterised(report, properties, 'dataset', file.name, globalParameters);
      break;
    case 'linkedService':
      requireString(report, properties, 'type', `Linked service '${file.name}'`, 'the kind of store, e.g. AzureSqlDatabase');
      checkParameterised(report, properties, 'linkedService', file.name, globalParameters);
      break;
    case 'trigger':
      requireString(report, properties, 'type', `Trigger '${file.name}'`, 'e.g. ScheduleTrigger');
      checkTrigger(report, properties, index, file.name);
      break;
    default:
      break;
  }
  checkReferences(report, root, index);
  return report.diagnostics;
}

function requireString(report: FileReport, properties: JsonNode | undefined, key: string, what: string, hint: string): void {
  const node = prop(properties, key);
  if (node && str(node) !== undefined && str(node) !== '') return;
  const at = node ? span(node) : properties ? keyOf(properties) : [0, 1] as const;
  report.add(at, RULES.adfShape, node ? `${what}: "${key}" must be a non-empty string; it is ${describeType(node)}.` : `${what} has no "${key}" (${hint}).`);
}

function requireReference(report: FileReport, properties: JsonNode | undefined, key: string, what: string, hint: string): void {
  const node = prop(properties, key);
  if (node?.type === 'object' && prop(node, 'referenceName')) return;
  const at = node ? span(node) : properties ? keyOf(properties) : [0, 1] as const;
  report.add(at, RULES.adfShape, node ? `${what}: "${key}" must be {"referenceName": …, "type": …}; it is ${describeType(node)}.` : `${what} has no "${key}" (${hint}).`);
}

function keyOf(node: JsonNode): readonly [number, number] {
  const key = node.parent?.type === 'property' ? node.parent.children?.[0] : undefined;
  return key ? [key.offset, key.offset + key.length] : [node.offset, node.offset + 1];
}

/** Datasets and linked services: dataset().X / linkedService().X must be declared parameters. */
function checkParameterised(report: FileReport, properties: JsonNode | undefined, kind: 'dataset' | 'linkedService', name: string, globalParameters: NameSet | undefined): void {
  const parameters = new NameSet();
  for (const [p] of entries(prop(properties, 'parameters'))) parameters.add(p);
  const scope: ExpressionScope = { kind, owner: name, parameters, globalParameters, itemAllowed: false, itemHint: `a ${kind === 'dataset' ? 'dataset' : 'linked service'} gets values through its parameters; pass item() from the activity that uses it` };
  // Only what the service evaluates: the type properties and what is passed on to the linked service.
  forEachString(prop(properties, 'typeProperties'), s => checkExpressionString(report, s, scope));
  forEachString(prop(prop(properties, 'linkedServiceName'), 'parameters'), s => checkExpressionString(report, s, scope));
}

/** ExecutePipeline passes parameters beside the reference, not inside it. */
function checkExecutePipelineParameters(report: FileReport, root: JsonNode, index: ArtifactIndex): void {
  const visit = (activities: JsonNode | undefined, outerInactive: boolean): void => {
    for (const activity of items(activities)) {
      const typeProperties = prop(activity, 'typeProperties');
      const inactive = outerInactive || isInactiveActivity(activity);
      if (str(prop(activity, 'type'))?.toLowerCase() === 'executepipeline') {
        checkPipelineCall(report, prop(typeProperties, 'pipeline'), prop(typeProperties, 'parameters'), index, inactive);
      }
      for (const key of ['activities', 'ifTrueActivities', 'ifFalseActivities', 'defaultActivities']) visit(prop(typeProperties, key), inactive);
      for (const c of items(prop(typeProperties, 'cases'))) visit(prop(c, 'activities'), inactive);
    }
  };
  visit(prop(prop(root, 'properties'), 'activities'), false);
}

function checkPipelineCall(report: FileReport, reference: JsonNode | undefined, parameters: JsonNode | undefined, index: ArtifactIndex, inactive = false): void {
  const refNode = prop(reference, 'referenceName');
  const name = str(refNode);
  if (!refNode || name === undefined) return;
  const target = index.get('pipeline', name);
  if (target) checkPassedParameters(report, refNode, parameters, target, 'pipeline', inactive);
}

function checkTrigger(report: FileReport, properties: JsonNode | undefined, index: ArtifactIndex, name: string): void {
  const scope: ExpressionScope = { kind: 'trigger', owner: name, parameters: new NameSet(), itemAllowed: false, itemHint: 'a trigger passes values to a pipeline; use trigger().outputs or trigger().scheduledTime' };
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
    const index = artifactIndex(folder);
    const factories = folder.files.filter(f => f.kind === 'factory' && f.tree).map(f => f.tree!);
    const globalParameters = globalParameterNames(factories);
    const globals = globalParameters?.names.join('\u0000');
    const signatures = new Map<AdfKind, string>();
    const signature = (kind: AdfKind) => {
      let s = signatures.get(kind);
      if (s === undefined) signatures.set(kind, s = index.names(kind).join('\u0000'));
      return s;
    };
    const out: Diagnostic[] = [];
    for (const file of folder.files) {
      const cached = this.cache.get(file);
      if (cached && cached.globals === globals
        && cached.lookups.every(l => index.get(l.kind, l.name) === l.file)
        && cached.nameLists.every(l => signature(l.kind) === l.signature)) {
        out.push(...cached.diagnostics);
        continue;
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
    }
    return out;
  }
}
