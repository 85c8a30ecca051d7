// The outcomes a dry run gives external activities, from a JSON document (`lakehouse dry-run
// --outputs FILE.json`):
//
//   {
//     "triggerTime": "2024-01-02T02:00:00Z",             (optional: the run's time)
//     "runId": "…",                                       (optional)
//     "activities": {
//       "read_watermark": { "output": { "firstRow": { "cdc": "2024-05-01T00:00:00" } } },
//       "for_each_table[table=FactStream]/copy_new_rows": { "status": "Failed", "error": { "message": "Timeout", "errorCode": "2200" } },
//       "for_each_table[2]/max_watermark": { "output": { "resultSets": [{ "rows": [{ "cdc": "2024-06-01" }] }] } },
//       "poll_job": [ { "output": { "state": "Running" } }, { "output": { "state": "Done" } } ]
//     }
//   }
//
// A key selects activity runs: its last segment is the activity's name; the segments before it
// are containers the run is inside, in order (not necessarily every one): a ForEach or Until as
// `name` (any iteration), `name[3]` (iteration 3, from 0), `name[field=value]` (the ForEach item
// whose field is value) or `name[value]` (the item itself); an If or Switch by name; an Execute
// Pipeline activity by its name or the pipeline's. Names ignore case. The most specific key wins
// (most segments, then most bracket filters), then the first written. A value is an outcome —
// "status" (Succeeded or Failed; Failed when only "error" is given), "output" (any JSON),
// "error" ({ "message", "errorCode", "failureType" }) — or a list of outcomes given to the
// matching runs in turn (the last one repeats).

import { parseLenientJson } from './json';
import type { ExternalCall, ExternalOutcome, OutcomeFn } from './runPipeline';
import { getProperty, stringify, type AdfObject, type AdfValue } from './values';

interface Segment {
  name: string;
  filter?:
    | { kind: 'index'; index: number }
    | { kind: 'field'; field: string; value: string }
    | { kind: 'item'; value: string }
    | { kind: 'any' };
}

interface Rule {
  key: string;
  segments: Segment[];
  outcomes: ExternalOutcome[];
  order: number;
  used: number;
}

export interface OutcomeFile {
  outcome: OutcomeFn;
  triggerTime?: string;
  runId?: string;
  /** Keys that matched no activity run, after the run (typos). */
  unused(): string[];
}

export class OutcomeFileError extends Error {}

function parseSegment(text: string, key: string): Segment {
  const m = /^([^[\]]+?)\s*(?:\[([^\]]*)\])?$/.exec(text.trim());
  if (!m)
    throw new OutcomeFileError(`"${key}": '${text}' is not a segment (name, name[3], name[field=value] or name[*]).`);
  const name = m[1]!.trim();
  const inner = m[2]?.trim();
  if (inner === undefined) return { name };
  if (inner === '*') return { name, filter: { kind: 'any' } };
  if (/^\d+$/.test(inner)) return { name, filter: { kind: 'index', index: Number(inner) } };
  const eq = inner.indexOf('=');
  if (eq > 0)
    return { name, filter: { kind: 'field', field: inner.slice(0, eq).trim(), value: inner.slice(eq + 1).trim() } };
  return { name, filter: { kind: 'item', value: inner } };
}

function parseOutcome(v: AdfValue, where: string): ExternalOutcome {
  if (!(v instanceof Map))
    throw new OutcomeFileError(`${where}: an outcome is an object with "status", "output" and/or "error".`);
  const out: ExternalOutcome = {};
  for (const [k, x] of v) {
    switch (k) {
      case 'status':
        if (x !== 'Succeeded' && x !== 'Failed')
          throw new OutcomeFileError(
            `${where}: "status" is "Succeeded" or "Failed", not ${JSON.stringify(stringify(x))}.`,
          );
        out.status = x;
        break;
      case 'output':
        out.output = x;
        break;
      case 'error': {
        if (!(x instanceof Map))
          throw new OutcomeFileError(`${where}: "error" is an object: { "message": …, "errorCode": … }.`);
        const e: NonNullable<ExternalOutcome['error']> = {};
        for (const [ek, ev] of x) {
          if (typeof ev !== 'string') throw new OutcomeFileError(`${where}: error.${ek} must be a string.`);
          if (ek === 'message') e.message = ev;
          else if (ek === 'errorCode') e.errorCode = ev;
          else if (ek === 'failureType') e.failureType = ev;
          else throw new OutcomeFileError(`${where}: error has "message", "errorCode" and "failureType", not "${ek}".`);
        }
        out.error = e;
        break;
      }
      default:
        throw new OutcomeFileError(`${where}: an outcome has "status", "output" and "error", not "${k}".`);
    }
  }
  if (out.status === undefined && out.error) out.status = 'Failed';
  return out;
}

function matchesFilter(filter: Segment['filter'], step: ExternalCall['iteration'][number]): boolean {
  if (!filter || filter.kind === 'any') return true;
  if (filter.kind === 'index') return step.index === filter.index;
  const item = step.item;
  if (item === undefined) return false;
  if (filter.kind === 'item') return stringify(item) === filter.value;
  if (!(item instanceof Map)) return false;
  const found = getProperty(item as AdfObject, filter.field);
  return found !== undefined && stringify(found.value) === filter.value;
}

/** True when the rule's segments select this run (see the file comment). */
function matches(rule: Rule, call: ExternalCall): boolean {
  const last = rule.segments[rule.segments.length - 1]!;
  if (last.name.toLowerCase() !== call.activity.toLowerCase() || last.filter) return false;
  let at = 0;
  for (const seg of rule.segments.slice(0, -1)) {
    const lower = seg.name.toLowerCase();
    let found = false;
    while (at < call.iteration.length) {
      const step = call.iteration[at++]!;
      if (
        (step.activity.toLowerCase() === lower || step.pipeline?.toLowerCase() === lower) &&
        matchesFilter(seg.filter, step)
      ) {
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

const specificity = (r: Rule) =>
  r.segments.length * 100 + r.segments.filter(s => s.filter && s.filter.kind !== 'any').length;

/** Reads an outcomes document (see the file comment); throws OutcomeFileError saying what is wrong. */
export function parseOutcomeFile(text: string): OutcomeFile {
  const parsed = parseLenientJson(text);
  if (!parsed.ok) throw new OutcomeFileError(`not valid JSON: ${parsed.message}.`);
  const root = parsed.value;
  if (!(root instanceof Map)) throw new OutcomeFileError('the file must hold a JSON object with "activities".');
  const rules: Rule[] = [];
  let triggerTime: string | undefined;
  let runId: string | undefined;
  for (const [k, v] of root) {
    if (k === 'activities') {
      if (!(v instanceof Map))
        throw new OutcomeFileError('"activities" must be an object: { "<activity or path>": <outcome>, … }.');
      for (const [key, value] of v) {
        const segments = key.split('/').map(s => parseSegment(s, key));
        if (segments.length === 0 || segments[segments.length - 1]!.filter)
          throw new OutcomeFileError(`"${key}": the last segment is the activity's name, without brackets.`);
        const outcomes = Array.isArray(value)
          ? value.map((x, i) => parseOutcome(x, `"${key}"[${i}]`))
          : [parseOutcome(value, `"${key}"`)];
        if (outcomes.length === 0) throw new OutcomeFileError(`"${key}": the list of outcomes is empty.`);
        rules.push({ key, segments, outcomes, order: rules.length, used: 0 });
      }
    } else if (k === 'triggerTime') {
      if (typeof v !== 'string') throw new OutcomeFileError('"triggerTime" must be a timestamp string.');
      triggerTime = v;
    } else if (k === 'runId') {
      if (typeof v !== 'string') throw new OutcomeFileError('"runId" must be a string.');
      runId = v;
    } else {
      throw new OutcomeFileError(`unknown key "${k}": the file has "activities", "triggerTime" and "runId".`);
    }
  }
  const outcome: OutcomeFn = call => {
    let best: Rule | undefined;
    for (const r of rules) {
      if (!matches(r, call)) continue;
      if (!best || specificity(r) > specificity(best)) best = r;
    }
    if (!best) return undefined;
    const o = best.outcomes[Math.min(best.used, best.outcomes.length - 1)]!;
    best.used++;
    return o;
  };
  return {
    outcome,
    ...(triggerTime !== undefined ? { triggerTime } : {}),
    ...(runId !== undefined ? { runId } : {}),
    unused: () => rules.filter(r => r.used === 0).map(r => r.key),
  };
}
