import type { Node as JsonNode } from 'jsonc-parser';
import { RULES } from '../../diagnostics/rules';
import { didYouMean } from '../../text/suggest';
import type { AdfFile, AdfKind } from '../adfFile';
import { FileReport, NameSet, isInactiveActivity } from './context';
import { entries, items, prop, span, str } from './jsonTree';

/** The reference types of ADF JSON and the folder their targets live in. */
const REFERENCE_KINDS: Record<string, AdfKind> = {
  DatasetReference: 'dataset',
  LinkedServiceReference: 'linkedService',
  PipelineReference: 'pipeline',
  DataFlowReference: 'dataflow',
  IntegrationRuntimeReference: 'integrationRuntime',
  CredentialReference: 'credential',
  TriggerReference: 'trigger',
};

/** Integration runtimes every factory has without a file. */
const BUILT_IN_RUNTIMES = new Set(['autoresolveintegrationruntime']);

const NOUNS: Record<AdfKind, string> = {
  pipeline: 'pipeline',
  dataset: 'dataset',
  linkedService: 'linked service',
  trigger: 'trigger',
  dataflow: 'data flow',
  integrationRuntime: 'integration runtime',
  credential: 'credential',
  managedVirtualNetwork: 'managed virtual network',
  factory: 'factory',
};

export interface ArtifactIndex {
  get(kind: AdfKind, name: string): AdfFile | undefined;
  names(kind: AdfKind): string[];
}

/** Finds every {referenceName, type: …Reference} in the file and checks that its target exists and gets the parameters it needs. */
export function checkReferences(report: FileReport, root: JsonNode, index: ArtifactIndex): void {
  // A data flow's sources and sinks get their datasets' parameters from the Execute Data Flow
  // activity that runs it (typeProperties.dataflow.datasetParameters), not in the data flow.
  const fromActivity = new Set<JsonNode>();
  if (report.file.kind === 'dataflow') {
    const typeProperties = prop(prop(root, 'properties'), 'typeProperties');
    for (const key of ['sources', 'sinks']) {
      for (const endpoint of items(prop(typeProperties, key))) {
        const dataset = prop(endpoint, 'dataset');
        if (dataset) fromActivity.add(dataset);
      }
    }
  }
  const visit = (node: JsonNode, inactive: boolean): void => {
    if (node.type === 'array') {
      for (const c of node.children ?? []) visit(c, inactive);
      return;
    }
    if (node.type !== 'object') return;
    const typeName = str(prop(node, 'type'));
    const refNode = prop(node, 'referenceName');
    const kind = typeName ? REFERENCE_KINDS[typeName] : undefined;
    if (kind && refNode) checkReference(report, node, refNode, kind, index, inactive, fromActivity.has(node));
    // A deactivated activity (and what it contains) is excluded from ADF's validation and never
    // runs: a reference it makes that does not resolve is worth a warning, not an error.
    const within = inactive || (prop(node, 'name') !== undefined && isInactiveActivity(node));
    for (const p of node.children ?? []) if (p.children?.[1]) visit(p.children[1], within);
  };
  visit(root, false);
}

const INACTIVE_NOTE = ' The activity is deactivated, so ADF neither validates nor runs it.';

function checkReference(
  report: FileReport,
  refObject: JsonNode,
  refNode: JsonNode,
  kind: AdfKind,
  index: ArtifactIndex,
  inactive = false,
  passedElsewhere = false,
): void {
  const name = str(refNode);
  if (name === undefined) return; // a dynamic reference ({"value": "@…", "type": "Expression"}) resolves at run time
  if (kind === 'integrationRuntime' && BUILT_IN_RUNTIMES.has(name.toLowerCase())) return;
  const target = index.get(kind, name);
  if (!target) {
    const candidates = index.names(kind);
    const suggestion = didYouMean(name, candidates);
    report.add(
      span(refNode),
      RULES.adfReferenceUnresolved,
      `There is no ${NOUNS[kind]} '${name}' in this factory (no ${kind}/${name}.json with that ` +
        `name).${suggestion ? ` Did you mean '${suggestion}'?` : ''}${inactive ? INACTIVE_NOTE : ''}`,
      {
        severity: inactive ? 'warning' : undefined,
        fixes: suggestion ? [report.replaceStringFix(refNode, suggestion)] : undefined,
      },
    );
    return;
  }
  if (kind === 'dataset' || kind === 'linkedService' || kind === 'dataflow') {
    checkPassedParameters(report, refNode, prop(refObject, 'parameters'), target, kind, inactive, passedElsewhere);
  }
}

/** Checks the parameters passed with a reference against the target's declarations. */
export function checkPassedParameters(
  report: FileReport,
  refNode: JsonNode,
  passed: JsonNode | undefined,
  target: AdfFile,
  kind: AdfKind,
  inactive = false,
  /** The required ones may be passed by someone else (a data flow's datasets, by the activity): do not report them missing. */
  passedElsewhere = false,
): void {
  if (!target.tree) return;
  const declaredNode = prop(prop(target.tree, 'properties'), 'parameters');
  // A mapping data flow declares its parameters in its script ("parameters{ p as string }"),
  // not in properties.parameters: without that object, what it declares is not known here.
  if (kind === 'dataflow' && declaredNode === undefined) return;
  if (declaredNode?.type !== 'object') {
    if (passed?.type === 'object' && passed.children?.length) {
      report.add(
        span(passed.children[0]!.children![0]!),
        RULES.adfReferenceParameters,
        `${capitalize(NOUNS[kind])} '${target.name}' declares no parameters, so the ones passed here are not used.`,
        { severity: 'warning' },
      );
    }
    return;
  }
  const declared = new NameSet();
  const required: string[] = [];
  const requiredSet = new NameSet();
  for (const [name, , value] of entries(declaredNode)) {
    declared.add(name);
    if (prop(value, 'defaultValue') === undefined) {
      required.push(name);
      requiredSet.add(name);
    }
  }
  const given = new NameSet();
  for (const [name] of entries(passed)) given.add(name);
  const misspelt = new NameSet();
  for (const [name, keyNode] of entries(passed)) {
    if (declared.has(name)) continue;
    // Extra values are ignored by the service (real factories have them): a warning. A near miss
    // of a required parameter not passed otherwise is a typo that leaves it null: an error.
    const close = didYouMean(name, declared.names);
    const suggestion = close && !given.has(close) ? close : undefined;
    if (suggestion) misspelt.add(suggestion);
    const leavesRequiredUnset = suggestion !== undefined && requiredSet.has(suggestion);
    report.add(
      span(keyNode),
      RULES.adfReferenceParameters,
      `${capitalize(NOUNS[kind])} '${target.name}' has no parameter '${name}' (it declares ` +
        `${declared.names.join(', ')}), so the value passed here is not ` +
        `used${suggestion && !leavesRequiredUnset ? ` and '${suggestion}' keeps its default` : ''}.${suggestion ? ` Did you mean '${suggestion}'?` : ''}`,
      {
        severity: leavesRequiredUnset && !inactive ? 'error' : 'warning',
        fixes: suggestion ? [report.replaceStringFix(keyNode, suggestion)] : undefined,
      },
    );
  }
  const missing = required.filter(r => !given.has(r) && !misspelt.has(r)); // a misspelt one is reported already
  if (missing.length && !passedElsewhere) {
    report.add(
      span(refNode),
      RULES.adfReferenceParameters,
      `${capitalize(NOUNS[kind])} '${target.name}' needs ` +
        `${missing.length === 1 ? 'parameter' : 'parameters'} ` +
        `${missing.map(m => `'${m}'`).join(', ')}, which ${missing.length === 1 ? 'has' : 'have'} ` +
        `no default value and ${missing.length === 1 ? 'is' : 'are'} not passed here; ` +
        `${missing.length === 1 ? 'it is' : 'they are'} null at run time.`,
      { severity: 'warning' },
    );
  }
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
