import type { Node as JsonNode } from 'jsonc-parser';
import { RULES } from '../../diagnostics/rules';
import { didYouMean } from '../../text/suggest';
import { FileReport, NameSet, isInactiveActivity } from './context';
import {
  checkExpressionString,
  forEachString,
  type ActivityResolution,
  type ExpressionScope,
} from './expressionChecks';
import { describeType, entries, items, keySpan, prop, propInsensitive, span, str } from './jsonTree';

/** Data Factory's limits (https://learn.microsoft.com/azure/azure-resource-manager/management/azure-subscription-service-limits#azure-data-factory-limits). */
export const PIPELINE_LIMITS = {
  activitiesWarning: 80,
  activitiesError: 120,
  parameters: 50,
  batchCount: 50,
  bytes: 200 * 1024,
  activityName: 55,
} as const;

const DEPENDENCY_CONDITIONS = ['Succeeded', 'Failed', 'Skipped', 'Completed'];
const PARAMETER_TYPES = ['String', 'Int', 'Float', 'Bool', 'Array', 'Object', 'SecureString'];
const VARIABLE_TYPES = ['String', 'Bool', 'Boolean', 'Array', 'Integer'];

/** Properties of an activity that hold no expressions (or hold nested activities, checked on their own). */
const NOT_EVALUATED = new Set(['name', 'type', 'dependsOn', 'description', 'state', 'onInactiveMarkAs']);
const NESTED_ACTIVITY_KEYS = new Set([
  'activities',
  'ifTrueActivities',
  'ifFalseActivities',
  'defaultActivities',
  'cases',
]);

interface Activity {
  name: string;
  node: JsonNode;
  nameNode: JsonNode | undefined;
  type: string;
  container: Container;
  /** `assumed`: the sibling a misspelt name most likely meant, so one typo is reported once, not again at every activity() after it. */
  dependsOn: { name: string; node: JsonNode; assumed?: Activity; caseMatch?: Activity }[];
  containers: Container[];
  upstream?: Set<Activity>;
  /**
   * "state": "Inactive" on the activity or on a container around it. ADF excludes deactivated
   * activities from validation and never runs them ("you don't need to provide all required
   * fields for an inactive activity"), so their shape and expressions are not checked.
   */
  inactive: boolean;
}

interface Container {
  owner: Activity | undefined;
  /** Inside a ForEach (this one or an enclosing one): item() has a value. */
  inLoop: boolean;
  activities: Activity[];
  byName: Map<string, Activity>;
}

export interface PipelineContext {
  /** Names of the factory's global parameters; undefined when unknown. */
  globalParameters?: NameSet;
}

/** Checks a pipeline: shape, activity names, dependencies, expressions and service limits. */
export function checkPipeline(report: FileReport, root: JsonNode, context: PipelineContext): void {
  const properties = prop(root, 'properties');
  if (!properties) return;
  const pipelineName = str(prop(root, 'name')) ?? '';
  const text = report.file.text;

  // The service measures the object it receives, not the indented file: a file over the limit
  // may well be within it once its whitespace is gone.
  const bytes = text.length > PIPELINE_LIMITS.bytes ? Buffer.byteLength(JSON.stringify(report.file.value)) : 0;
  if (bytes > PIPELINE_LIMITS.bytes) {
    const nameNode = prop(root, 'name');
    report.add(
      nameNode ? span(nameNode) : [0, 1],
      RULES.adfServiceLimit,
      `Pipeline '${pipelineName}' is ${Math.round(bytes / 1024)} KB as JSON without indentation; ` +
        `Data Factory accepts pipelines of at most 200 KB. Split it with Execute Pipeline ` +
        `activities.`,
    );
  }

  const parameters = new NameSet();
  const parametersNode = prop(properties, 'parameters');
  checkDeclarations(report, parametersNode, 'parameter', PARAMETER_TYPES, parameters);
  if (parameters.size > PIPELINE_LIMITS.parameters && parametersNode) {
    report.add(
      keySpan(parametersNode),
      RULES.adfServiceLimit,
      `Pipeline '${pipelineName}' declares ${parameters.size} parameters; Data Factory accepts ` +
        `at most ${PIPELINE_LIMITS.parameters}. Pass related values together in one object ` +
        `parameter.`,
    );
  }
  const variables = new NameSet();
  checkDeclarations(report, prop(properties, 'variables'), 'variable', VARIABLE_TYPES, variables);

  const activitiesNode = prop(properties, 'activities');
  if (activitiesNode && activitiesNode.type !== 'array') {
    report.add(
      span(activitiesNode),
      RULES.adfShape,
      `"activities" must be a list of activities; it is ${describeType(activitiesNode)}.`,
    );
    return;
  }
  const top = readContainer(report, activitiesNode, undefined, false);
  const all: Activity[] = [];
  collect(top, all);

  const total = all.length;
  if (total > PIPELINE_LIMITS.activitiesWarning && activitiesNode) {
    const error = total > PIPELINE_LIMITS.activitiesError;
    const limit = error
      ? `accepts at most ${PIPELINE_LIMITS.activitiesError}`
      : `recommends at most ${PIPELINE_LIMITS.activitiesWarning} and stops at ${PIPELINE_LIMITS.activitiesError}`;
    report.add(
      keySpan(activitiesNode),
      RULES.adfServiceLimit,
      `Pipeline '${pipelineName}' has ${total} activities (nested ones included); Data Factory ${limit}. ` +
        `Move a part into its own pipeline and call it with Execute Pipeline.`,
      { severity: error ? 'error' : 'warning' },
    );
  }

  checkUniqueNames(report, all, pipelineName);
  for (const container of containersOf(top)) checkDependencies(report, container);

  const allNames = new NameSet(all.map(a => a.name));
  for (const activity of all) {
    if (activity.inactive) continue; // not validated by ADF, never run
    checkActivityShape(report, activity, variables, pipelineName);
    checkActivityExpressions(
      report,
      activity,
      {
        kind: 'pipeline',
        owner: pipelineName,
        parameters,
        variables,
        globalParameters: context.globalParameters,
        itemAllowed: activity.container.inLoop,
      },
      allNames,
    );
  }
}

function checkDeclarations(
  report: FileReport,
  node: JsonNode | undefined,
  noun: string,
  types: string[],
  out: NameSet,
): void {
  if (!node) return;
  if (node.type !== 'object') {
    report.add(
      span(node),
      RULES.adfShape,
      `"${noun === 'parameter' ? 'parameters' : 'variables'}" must be an object of ${noun}s by name; it is ${describeType(node)}.`,
    );
    return;
  }
  for (const [name, , value] of entries(node)) {
    out.add(name);
    if (value.type !== 'object') {
      report.add(
        span(value),
        RULES.adfShape,
        `The ${noun} '${name}' must be an object with its "type"; it is ${describeType(value)}.`,
      );
      continue;
    }
    const type = prop(value, 'type');
    const typeName = str(type);
    if (!type) {
      report.add(keySpan(value), RULES.adfShape, `The ${noun} '${name}' has no "type" (one of ${types.join(', ')}).`);
    } else if (typeName === undefined || !types.some(t => t.toLowerCase() === typeName.toLowerCase())) {
      const suggestion = typeName ? didYouMean(typeName, types) : undefined;
      report.add(
        span(type),
        RULES.adfShape,
        `'${typeName ?? describeType(type)}' is not a ${noun} type; use one of ${types.join(', ')}.`,
        { fixes: suggestion ? [report.replaceStringFix(type, suggestion)] : undefined },
      );
    }
  }
}

function readContainer(
  report: FileReport,
  node: JsonNode | undefined,
  owner: Activity | undefined,
  inLoop: boolean,
): Container {
  const container: Container = { owner, inLoop, activities: [], byName: new Map() };
  for (const item of items(node)) {
    if (item.type !== 'object') {
      report.add(
        span(item),
        RULES.adfShape,
        `An activity must be an object with a "name" and a "type"; this is ${describeType(item)}.`,
      );
      continue;
    }
    const nameNode = prop(item, 'name');
    const typeNode = prop(item, 'type');
    const name = str(nameNode);
    const type = str(typeNode) ?? '';
    if (name === undefined || name === '') {
      report.add(
        nameNode ? span(nameNode) : firstKeySpan(item),
        RULES.adfShape,
        'This activity has no "name"; every activity needs a unique name.',
      );
    }
    if (!typeNode || type === '') {
      report.add(
        nameNode ? span(nameNode) : firstKeySpan(item),
        RULES.adfShape,
        `Activity${name ? ` '${name}'` : ''} has no "type" (Copy, Lookup, ForEach, …).`,
      );
    }
    if (name && nameNode && name.length > PIPELINE_LIMITS.activityName) {
      report.add(
        span(nameNode),
        RULES.adfServiceLimit,
        `Activity name '${name}' is ${name.length} characters long; Data Factory accepts at most ` +
          `${PIPELINE_LIMITS.activityName}. Shorten it (and the dependsOn and activity() references ` +
          `to it).`,
      );
    }
    const inactive = (owner?.inactive ?? false) || isInactiveActivity(item);
    const activity: Activity = {
      name: name ?? '',
      node: item,
      nameNode,
      type,
      container,
      dependsOn: [],
      containers: [],
      inactive,
    };
    readDependsOn(report, activity);
    container.activities.push(activity);
    if (name && !container.byName.has(name)) container.byName.set(name, activity);
    readNestedContainers(report, activity, inLoop);
  }
  return container;
}

function firstKeySpan(node: JsonNode): [number, number] {
  return [node.offset, node.offset + 1];
}

function readDependsOn(report: FileReport, activity: Activity): void {
  const dependsOn = prop(activity.node, 'dependsOn');
  if (!dependsOn) return;
  if (dependsOn.type !== 'array') {
    report.add(span(dependsOn), RULES.adfShape, `"dependsOn" must be a list; it is ${describeType(dependsOn)}.`);
    return;
  }
  for (const dep of items(dependsOn)) {
    const target = prop(dep, 'activity');
    const targetName = str(target);
    if (dep.type !== 'object' || targetName === undefined) {
      report.add(
        target ? span(target) : span(dep),
        RULES.adfShape,
        'A dependency needs "activity" (the name of a sibling activity) and "dependencyConditions".',
      );
      continue;
    }
    activity.dependsOn.push({ name: targetName, node: target! });
    const conditions = prop(dep, 'dependencyConditions');
    if (!conditions || conditions.type !== 'array' || !conditions.children?.length) {
      report.add(
        conditions ? span(conditions) : span(target!),
        RULES.adfShape,
        `The dependency on '${targetName}' needs "dependencyConditions": a list of ${DEPENDENCY_CONDITIONS.join(', ')}.`,
      );
      continue;
    }
    for (const c of items(conditions)) {
      const value = str(c);
      if (value !== undefined && DEPENDENCY_CONDITIONS.some(d => d.toLowerCase() === value.toLowerCase())) continue;
      const suggestion = value ? didYouMean(value, DEPENDENCY_CONDITIONS) : undefined;
      report.add(
        span(c),
        RULES.adfDependencyCondition,
        `'${value ?? describeType(c)}' is not a dependency condition; use ${DEPENDENCY_CONDITIONS.join(', ')}.`,
        { fixes: suggestion ? [report.replaceStringFix(c, suggestion)] : undefined },
      );
    }
  }
}

function readNestedContainers(outerReport: FileReport, activity: Activity, inLoop: boolean): void {
  // A deactivated activity may lack required fields or have them in the wrong shape: read what is
  // there and report nothing about it (the activities it holds still need names, types and dependencies).
  const report = activity.inactive ? silent(outerReport) : outerReport;
  const typeProperties = prop(activity.node, 'typeProperties');
  const type = activity.type.toLowerCase();
  const nested = (key: string, loop: boolean, required: boolean) => {
    const node = prop(typeProperties, key);
    if (!node) {
      if (required)
        report.add(
          activity.nameNode ? span(activity.nameNode) : span(activity.node),
          RULES.adfShape,
          `${activity.type} activity '${activity.name}' has no "typeProperties.${key}".`,
        );
      return;
    }
    if (node.type !== 'array') {
      report.add(span(node), RULES.adfShape, `"${key}" must be a list of activities; it is ${describeType(node)}.`);
      return;
    }
    activity.containers.push(readContainer(outerReport, node, activity, loop));
  };
  if (type === 'foreach') {
    requireTypeProperty(report, activity, typeProperties, 'items');
    nested('activities', true, true);
    const batchCount = prop(typeProperties, 'batchCount');
    if (batchCount?.type === 'number' && (batchCount.value as number) > PIPELINE_LIMITS.batchCount) {
      report.add(
        span(batchCount),
        RULES.adfServiceLimit,
        `batchCount is ${batchCount.value as number}; a ForEach runs at most ` +
          `${PIPELINE_LIMITS.batchCount} iterations in parallel. Use ${PIPELINE_LIMITS.batchCount} ` +
          `or less.`,
      );
    }
  } else if (type === 'until') {
    requireTypeProperty(report, activity, typeProperties, 'expression');
    nested('activities', inLoop, true);
  } else if (type === 'ifcondition') {
    requireTypeProperty(report, activity, typeProperties, 'expression');
    nested('ifTrueActivities', inLoop, false);
    nested('ifFalseActivities', inLoop, false);
  } else if (type === 'switch') {
    requireTypeProperty(report, activity, typeProperties, 'on');
    const cases = prop(typeProperties, 'cases');
    if (cases && cases.type !== 'array')
      report.add(
        span(cases),
        RULES.adfShape,
        `"cases" must be a list of {value, activities}; it is ${describeType(cases)}.`,
      );
    for (const c of items(cases)) {
      const list = prop(c, 'activities');
      if (list?.type === 'array') activity.containers.push(readContainer(outerReport, list, activity, inLoop));
    }
    nested('defaultActivities', inLoop, false);
  } else if (type === 'filter') {
    requireTypeProperty(report, activity, typeProperties, 'items');
    requireTypeProperty(report, activity, typeProperties, 'condition');
  }
}

/** A report that drops what is added to it, for the type properties of deactivated activities. */
function silent(report: FileReport): FileReport {
  const quiet = Object.create(report) as FileReport;
  quiet.add = () => undefined;
  return quiet;
}

function requireTypeProperty(
  report: FileReport,
  activity: Activity,
  typeProperties: JsonNode | undefined,
  key: string,
): void {
  if (prop(typeProperties, key)) return;
  report.add(
    activity.nameNode ? span(activity.nameNode) : span(activity.node),
    RULES.adfShape,
    `${activity.type} activity '${activity.name}' has no "typeProperties.${key}".`,
  );
}

function collect(container: Container, out: Activity[]): void {
  for (const a of container.activities) {
    out.push(a);
    for (const c of a.containers) collect(c, out);
  }
}

function* containersOf(container: Container): Iterable<Container> {
  yield container;
  for (const a of container.activities) for (const c of a.containers) yield* containersOf(c);
}

function checkUniqueNames(report: FileReport, all: Activity[], pipelineName: string): void {
  const first = new Map<string, Activity>();
  for (const activity of all) {
    if (!activity.name) continue;
    const earlier = first.get(activity.name);
    if (!earlier) {
      first.set(activity.name, activity);
      continue;
    }
    const at = activity.nameNode ? span(activity.nameNode) : span(activity.node);
    if (earlier.container === activity.container) {
      report.add(
        at,
        RULES.adfDuplicateActivity,
        `Pipeline '${pipelineName}' already has an activity named '${activity.name}' here (line ${lineOf(report, earlier)}); rename one of them.`,
      );
    } else {
      report.add(
        at,
        RULES.adfDuplicateActivity,
        `Another activity of pipeline '${pipelineName}' is named '${activity.name}' (line ` +
          `${lineOf(report, earlier)}); ADF Studio needs activity names unique in the whole ` +
          `pipeline, and activity('${activity.name}') becomes ambiguous.`,
        { severity: 'warning' },
      );
    }
  }
}

function lineOf(report: FileReport, activity: Activity): number {
  return report.file.lines.positionAt((activity.nameNode ?? activity.node).offset).line + 1;
}

function checkDependencies(report: FileReport, container: Container): void {
  for (const activity of container.activities) {
    for (const dep of activity.dependsOn) {
      if (container.byName.has(dep.name)) {
        if (dep.name === activity.name)
          report.add(
            span(dep.node),
            RULES.adfDependencyCycle,
            `Activity '${activity.name}' depends on itself; it could never start.`,
          );
        continue;
      }
      // ADF resolves names case-insensitively elsewhere (activity(), parameters); a dependency
      // differing only in case is not flagged without evidence that the service refuses it.
      const lower = dep.name.toLowerCase();
      dep.caseMatch = container.activities.find(a => a.name.toLowerCase() === lower);
      if (dep.caseMatch) {
        if (dep.caseMatch === activity)
          report.add(
            span(dep.node),
            RULES.adfDependencyCycle,
            `Activity '${activity.name}' depends on itself; it could never start.`,
          );
        continue;
      }
      const siblings = container.activities.map(a => a.name).filter(n => n && n !== activity.name);
      const suggestion = didYouMean(dep.name, siblings);
      if (suggestion) dep.assumed = container.byName.get(suggestion);
      const where = container.owner ? `inside '${container.owner.name}'` : 'at the top level of the pipeline';
      const there = `${siblings.slice(0, 6).join(', ')}${siblings.length > 6 ? ', …' : ''}`;
      const hint = suggestion
        ? `. Did you mean '${suggestion}'?`
        : `${siblings.length ? ` (there: ${there}).` : '.'} dependsOn can only name activities in the same container.`;
      report.add(
        span(dep.node),
        RULES.adfDependencyUnknown,
        `'${activity.name}' depends on '${dep.name}', which is not an activity ${where}${hint}`,
        { fixes: suggestion ? [report.replaceStringFix(dep.node, suggestion)] : undefined },
      );
    }
  }
  // Cycles: a depth-first search over the container's dependency graph.
  const state = new Map<Activity, 'visiting' | 'done'>();
  const stack: Activity[] = [];
  const visit = (a: Activity): void => {
    state.set(a, 'visiting');
    stack.push(a);
    for (const dep of a.dependsOn) {
      const target = container.byName.get(dep.name) ?? dep.caseMatch;
      if (!target || target === a) continue;
      const s = state.get(target);
      if (s === 'visiting') {
        const cycle = stack.slice(stack.indexOf(target)).map(x => x.name);
        report.add(
          span(dep.node),
          RULES.adfDependencyCycle,
          `These activities depend on each other in a circle, so none of them can start: ` +
            `${[...cycle, target.name].join(' → ')}. Remove one of the dependencies.`,
        );
      } else if (s === undefined) {
        visit(target);
      }
    }
    stack.pop();
    state.set(a, 'done');
  };
  for (const a of container.activities) if (!state.has(a)) visit(a);
}

function checkActivityShape(report: FileReport, activity: Activity, variables: NameSet, pipelineName: string): void {
  const type = activity.type.toLowerCase();
  if (type !== 'setvariable' && type !== 'appendvariable') return;
  const typeProperties = prop(activity.node, 'typeProperties');
  const variableName = prop(typeProperties, 'variableName');
  const name = str(variableName);
  if (!variableName || name === undefined) {
    report.add(
      activity.nameNode ? span(activity.nameNode) : span(activity.node),
      RULES.adfShape,
      `${activity.type} activity '${activity.name}' has no "typeProperties.variableName".`,
    );
    return;
  }
  // The pipeline return value is a system variable, not a declared one.
  if (prop(typeProperties, 'setSystemVariable')?.value === true) return;
  if (variables.has(name)) return;
  const suggestion = didYouMean(name, variables.names);
  report.add(
    span(variableName),
    RULES.adfExpressionUndeclared,
    `Variable '${name}' is not declared in pipeline '${pipelineName}'` +
      `${variables.size ? ` (declared: ${variables.names.slice(0, 8).join(', ')})` : ' (it declares none)'}.` +
      (suggestion ? ` Did you mean '${suggestion}'?` : ' Declare it under "variables".'),
    { fixes: suggestion ? [report.replaceStringFix(variableName, suggestion)] : undefined },
  );
}

function checkActivityExpressions(
  report: FileReport,
  activity: Activity,
  base: ExpressionScope,
  allNames: NameSet,
): void {
  const type = activity.type.toLowerCase();
  const typeProperties = prop(activity.node, 'typeProperties');
  const scopeFor = (node: JsonNode): ExpressionScope => {
    // The Filter's condition runs per element (item() is the element); an Until's condition may read its own activities.
    const filterCondition = type === 'filter' && node === prop(typeProperties, 'condition');
    const untilCondition = type === 'until' && node === prop(typeProperties, 'expression');
    return {
      ...base,
      itemAllowed: base.itemAllowed || filterCondition,
      resolveActivity: name => resolveActivity(activity, name, allNames, untilCondition),
    };
  };
  const plainScope = scopeFor(activity.node);
  const visitIn = (node: JsonNode | undefined, scope: ExpressionScope) =>
    forEachString(
      node,
      s => checkExpressionString(report, s, scope),
      (key, owner) => owner === typeProperties && NESTED_ACTIVITY_KEYS.has(key),
    );
  for (const [key, , value] of entries(activity.node)) {
    if (NOT_EVALUATED.has(key)) continue;
    if (value === typeProperties) {
      for (const [tpKey, , tpValue] of entries(typeProperties)) {
        if (NESTED_ACTIVITY_KEYS.has(tpKey)) {
          // Switch cases hold a value (an expression-free literal) beside their activities.
          continue;
        }
        visitIn(tpValue, tpKey === 'condition' || tpKey === 'expression' ? scopeFor(tpValue) : plainScope);
      }
    } else {
      visitIn(value, plainScope);
    }
  }
}

/** Where activity('name') may read from `from`: its ancestors through dependsOn, and those of every enclosing activity. */
function resolveActivity(
  from: Activity,
  name: string,
  allNames: NameSet,
  ownActivitiesToo: boolean,
): ActivityResolution {
  const matches = (a: Activity) => a.name === name || a.name.toLowerCase() === name.toLowerCase();
  if (ownActivitiesToo) {
    for (const c of from.containers) for (const a of descendants(c)) if (matches(a)) return { status: 'ok' };
  }
  // Real, deployed pipelines also read activities nested inside an upstream container (an Until's
  // last Lookup, say): once the container has finished, so have they.
  for (let a: Activity | undefined = from; a; a = a.container.owner) {
    for (const up of upstreamOf(a)) {
      if (matches(up)) return { status: 'ok' };
      for (const c of up.containers) for (const d of descendants(c)) if (matches(d)) return { status: 'ok' };
    }
  }
  if (!allNames.has(name)) return { status: 'missing', candidates: allNames.names };
  if (matches(from)) {
    return {
      status: 'not-upstream',
      reason: `Activity '${from.name}' reads its own output; activity('${name}') has no value until the activity has finished.`,
    };
  }
  return {
    status: 'not-upstream',
    reason:
      `activity('${name}') is not an ancestor of '${from.name}', so its output may not exist yet ` +
      `when '${from.name}' runs. Make '${from.name}' depend on '${name}' (directly or through ` +
      `other activities)${from.container.owner ? `, or on the container that holds it` : ''}.`,
  };
}

function* descendants(container: Container): Iterable<Activity> {
  for (const a of container.activities) {
    yield a;
    for (const c of a.containers) yield* descendants(c);
  }
}

function upstreamOf(activity: Activity): Set<Activity> {
  if (activity.upstream) return activity.upstream;
  const result = new Set<Activity>();
  activity.upstream = result; // set first: a dependency cycle ends here instead of recursing forever
  for (const dep of activity.dependsOn) {
    const target = activity.container.byName.get(dep.name) ?? dep.caseMatch ?? dep.assumed;
    if (!target || result.has(target)) continue;
    result.add(target);
    for (const up of upstreamOf(target)) result.add(up);
  }
  return result;
}

/** The global parameter names of the factory files. */
export function globalParameterNames(factories: JsonNode[]): NameSet | undefined {
  // Without a globalParameters object in any factory file, they are managed elsewhere (an ARM
  // parameter file, a deployment tool): unknown here, so not checked.
  const declared = factories
    .map(f => propInsensitive(prop(f, 'properties'), 'globalParameters'))
    .filter((g): g is JsonNode => g?.type === 'object');
  if (declared.length === 0) return undefined;
  const names = new NameSet();
  for (const g of declared) for (const [name] of entries(g)) names.add(name);
  return names;
}
