// The functions of the ADF pipeline expression language, from Microsoft's "Expressions and
// functions in Azure Data Factory and Azure Synapse Analytics" reference, plus the context
// functions (pipeline(), activity(), item(), ...). Argument counts follow that page; where the
// Logic Apps reference (the same expression engine) documents a wider signature, the wider one
// is used, because a too-narrow rule is a false positive on a working pipeline.

export interface FunctionInfo {
  /** Canonical casing, as Microsoft's reference spells it. */
  name: string;
  minArgs: number;
  /** Infinity for variadic functions. */
  maxArgs: number;
  category: string;
}

const ANY = Number.POSITIVE_INFINITY;

function group(category: string, rows: [name: string, minArgs: number, maxArgs: number][]): FunctionInfo[] {
  return rows.map(([name, minArgs, maxArgs]) => ({ name, minArgs, maxArgs, category }));
}

export const ADF_FUNCTIONS: readonly FunctionInfo[] = Object.freeze(
  [
    ...group('string', [
      // The reference says "at least two strings"; concat('x') is harmless, so one is accepted.
      ['concat', 1, ANY],
      ['endsWith', 2, 2],
      ['guid', 0, 1],
      ['indexOf', 2, 2],
      ['lastIndexOf', 2, 2],
      ['replace', 3, 3],
      ['split', 2, 2],
      ['startsWith', 2, 2],
      // ADF documents three arguments; Logic Apps makes the length optional.
      ['substring', 2, 3],
      ['toLower', 1, 1],
      ['toUpper', 1, 1],
      ['trim', 1, 1],
    ]),
    ...group('collection', [
      ['contains', 2, 2],
      ['empty', 1, 1],
      ['first', 1, 1],
      ['intersection', 1, ANY],
      ['join', 2, 2],
      ['last', 1, 1],
      ['length', 1, 1],
      ['skip', 2, 2],
      ['take', 2, 2],
      ['union', 1, ANY],
    ]),
    ...group('logical', [
      // ADF's and/or take exactly two operands (unlike Logic Apps); longer chains are nested.
      ['and', 2, 2],
      ['equals', 2, 2],
      ['greater', 2, 2],
      ['greaterOrEquals', 2, 2],
      ['if', 3, 3],
      ['less', 2, 2],
      ['lessOrEquals', 2, 2],
      ['not', 1, 1],
      ['or', 2, 2],
    ]),
    ...group('conversion', [
      ['array', 1, 1],
      ['base64', 1, 1],
      ['base64ToBinary', 1, 1],
      ['base64ToString', 1, 1],
      ['binary', 1, 1],
      ['bool', 1, 1],
      ['coalesce', 1, ANY],
      ['createArray', 1, ANY],
      ['dataUri', 1, 1],
      ['dataUriToBinary', 1, 1],
      ['dataUriToString', 1, 1],
      ['decodeBase64', 1, 1],
      ['decodeDataUri', 1, 1],
      ['decodeUriComponent', 1, 1],
      ['encodeUriComponent', 1, 1],
      // Logic Apps adds an optional locale.
      ['float', 1, 2],
      ['int', 1, 1],
      ['json', 1, 1],
      ['string', 1, 1],
      ['uriComponent', 1, 1],
      ['uriComponentToBinary', 1, 1],
      ['uriComponentToString', 1, 1],
      ['xml', 1, 1],
      ['xpath', 2, 2],
    ]),
    ...group('math', [
      ['add', 2, 2],
      ['div', 2, 2],
      // max(1, 2, 3) or max(createArray(1, 2, 3)).
      ['max', 1, ANY],
      ['min', 1, ANY],
      ['mod', 2, 2],
      ['mul', 2, 2],
      ['rand', 2, 2],
      ['range', 2, 2],
      ['sub', 2, 2],
    ]),
    ...group('date', [
      ['addDays', 2, 3],
      ['addHours', 2, 3],
      ['addMinutes', 2, 3],
      ['addSeconds', 2, 3],
      ['addToTime', 3, 4],
      ['convertFromUtc', 2, 3],
      ['convertTimeZone', 3, 4],
      ['convertToUtc', 2, 3],
      ['dayOfMonth', 1, 1],
      ['dayOfWeek', 1, 1],
      ['dayOfYear', 1, 1],
      // formatDateTime(timestamp, format?, locale?): the locale came later than the format.
      ['formatDateTime', 1, 3],
      ['getFutureTime', 2, 3],
      ['getPastTime', 2, 3],
      ['startOfDay', 1, 2],
      ['startOfHour', 1, 2],
      ['startOfMonth', 1, 2],
      ['subtractFromTime', 3, 4],
      ['ticks', 1, 1],
      ['utcNow', 0, 1],
    ]),
    ...group('context', [
      ['activity', 1, 1],
      ['dataset', 0, 0],
      ['item', 0, 0],
      ['linkedService', 0, 0],
      ['pipeline', 0, 0],
      ['trigger', 0, 0],
      // Storage and custom event triggers: @triggerBody().fileName, .folderPath, .event.
      ['triggerBody', 0, 0],
      ['triggerOutputs', 0, 0],
      ['variables', 1, 1],
    ]),
  ].map(f => Object.freeze(f)),
);

const BY_LOWER_NAME = new Map(ADF_FUNCTIONS.map(f => [f.name.toLowerCase(), f]));

/** Function names are case-insensitive in ADF: utcnow, utcNow and UTCNOW are one function. */
export function lookupFunction(name: string): FunctionInfo | undefined {
  return BY_LOWER_NAME.get(name.toLowerCase());
}

/** "formatDateTime takes 1 to 3 arguments", "item takes no arguments", "concat takes at least 1 argument". */
export function describeArity(f: FunctionInfo): string {
  const n = (k: number) => `${k} argument${k === 1 ? '' : 's'}`;
  if (f.maxArgs === 0) return `${f.name} takes no arguments`;
  if (f.maxArgs === ANY) return `${f.name} takes at least ${n(f.minArgs)}`;
  if (f.minArgs === f.maxArgs) return `${f.name} takes ${n(f.minArgs)}`;
  return `${f.name} takes ${f.minArgs} to ${n(f.maxArgs)}`;
}

/**
 * The system variables of pipeline(), for `pipeline().X` references. The last two are null
 * unless an Execute Pipeline activity started the run (written `pipeline()?.X`).
 */
export const PIPELINE_SYSTEM_VARIABLES: readonly string[] = Object.freeze([
  'DataFactory',
  'Pipeline',
  'RunId',
  'TriggerType',
  'TriggerId',
  'TriggerName',
  'TriggerTime',
  'GroupId',
  'TriggeredByPipelineName',
  'TriggeredByPipelineRunId',
]);
