// What Data Factory's triggers impose on a deploy:
// - a Started trigger cannot be updated or deleted: it is stopped first and started again after
//   (its state in the factory is kept); a pipeline can be updated under a running trigger, so a
//   pipeline's change stops nothing;
// - a tumbling-window trigger's startTime, frequency and interval cannot change once published: it
//   is deleted and created again, and the new one runs every window again from its startTime;
// - an event trigger (storage or custom events) starts only once its Event Grid subscription is
//   provisioned: subscribe, wait, then start;
// - times: a UTC trigger's times are passed in UTC (an offset is converted, no zone means UTC); a
//   schedule in another time zone reads its times as that zone's wall clock, passed as written.
import type { JsonObject } from '../adf/generate/adfJson';
import { isJsonObject } from './artifacts';
import { sameInstant } from './compare';

export type TriggerState = 'Started' | 'Stopped' | 'Disabled';

export const EVENT_TRIGGER_TYPES = ['BlobEventsTrigger', 'CustomEventsTrigger'] as const;

export function triggerTypeOf(value: JsonObject): string | undefined {
  const properties = value.properties;
  return isJsonObject(properties) && typeof properties.type === 'string' ? properties.type : undefined;
}

export function isEventTrigger(value: JsonObject): boolean {
  return (EVENT_TRIGGER_TYPES as readonly string[]).includes(triggerTypeOf(value) ?? '');
}

export function isTumblingWindow(value: JsonObject): boolean {
  return triggerTypeOf(value) === 'TumblingWindowTrigger';
}

/** The trigger's runtime state: in the factory, its state now; in a file, the state ADF Studio saw when it was committed. */
export function runtimeStateOf(value: JsonObject): TriggerState | undefined {
  const properties = value.properties;
  const state = isJsonObject(properties) ? properties.runtimeState : undefined;
  return state === 'Started' || state === 'Stopped' || state === 'Disabled' ? state : undefined;
}

function typeProperties(value: JsonObject): JsonObject | undefined {
  const properties = value.properties;
  return isJsonObject(properties) && isJsonObject(properties.typeProperties) ? properties.typeProperties : undefined;
}

const UTC_ZONES = new Set(['utc', 'etc/utc', 'coordinated universal time']);
const WITH_ZONE = /(?:Z|[+-]\d\d:\d\d)$/i;
const WALL_CLOCK = /^\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?$/;

export interface TriggerTimes {
  /** The artifact with its times as they are sent. */
  value: JsonObject;
  notes: string[];
  warnings: string[];
}

/** A trigger's times as a deploy passes them (see the header); other artifacts come back as they are. */
export function triggerTimes(name: string, value: JsonObject): TriggerTimes {
  const result: TriggerTimes = { value, notes: [], warnings: [] };
  const type = triggerTypeOf(value);
  if (type !== 'ScheduleTrigger' && type !== 'TumblingWindowTrigger') return result;
  const copy = structuredClone(value);
  const props = typeProperties(copy);
  const holder = type === 'ScheduleTrigger' ? (isJsonObject(props?.recurrence) ? props.recurrence : undefined) : props;
  if (!holder) return result;
  const zone = type === 'ScheduleTrigger' && typeof holder.timeZone === 'string' ? holder.timeZone : 'UTC';
  const utc = UTC_ZONES.has(zone.toLowerCase());
  for (const field of ['startTime', 'endTime']) {
    const time = holder[field];
    if (typeof time !== 'string') continue;
    const at = `Trigger '${name}': ${field} ${time}`;
    if (utc) {
      if (/Z$/i.test(time)) continue;
      const instant = Date.parse(WALL_CLOCK.test(time) ? `${time}Z` : time);
      if (Number.isNaN(instant)) {
        result.warnings.push(`${at} is not a date and time ADF reads (yyyy-MM-ddTHH:mm:ssZ).`);
        continue;
      }
      const inUtc = utcText(instant, time);
      holder[field] = inUtc;
      if (!WALL_CLOCK.test(time)) result.notes.push(`${at} is passed in UTC, as ${inUtc}.`);
    } else if (WITH_ZONE.test(time)) {
      result.warnings.push(
        `${at} has a zone, but the schedule runs in time zone '${zone}', where ADF expects the local time ` +
          `without one (yyyy-MM-ddTHH:mm:ss); write it without the zone.`,
      );
    } else {
      result.notes.push(
        `${at} is a wall-clock time in '${zone}' (the schedule's time zone); it is passed as written, not converted to UTC.`,
      );
    }
  }
  result.value = copy;
  return result;
}

/** The instant in UTC, keeping the fraction of a second only when the original had one. */
function utcText(instant: number, original: string): string {
  const iso = new Date(instant).toISOString();
  return /\.\d+/.test(original) ? iso : iso.replace(/\.\d{3}Z$/, 'Z');
}

export interface ImmutableChange {
  field: 'startTime' | 'frequency' | 'interval';
  before: unknown;
  after: unknown;
}

/** The tumbling-window fields that cannot change after publish and differ between the factory's trigger and the local one. */
export function tumblingWindowImmutableChanges(local: JsonObject, remote: JsonObject): ImmutableChange[] {
  if (!isTumblingWindow(local) || !isTumblingWindow(remote)) return [];
  const l = typeProperties(local) ?? {};
  const r = typeProperties(remote) ?? {};
  const changes: ImmutableChange[] = [];
  const same = {
    startTime: (a: unknown, b: unknown) => a === b || sameInstant(a, b),
    frequency: (a: unknown, b: unknown) => String(a).toLowerCase() === String(b).toLowerCase(),
    interval: (a: unknown, b: unknown) => Number(a) === Number(b),
  };
  for (const field of ['startTime', 'frequency', 'interval'] as const)
    if (!same[field](l[field], r[field])) changes.push({ field, before: r[field], after: l[field] });
  return changes;
}

/**
 * How many windows a tumbling-window trigger runs from its startTime to its endTime or now, whichever
 * is first: what recreating it replays. Undefined when its times or frequency cannot be read.
 */
export function windowsUntil(value: JsonObject, now: Date): number | undefined {
  const props = typeProperties(value);
  if (!props) return undefined;
  const start = typeof props.startTime === 'string' ? Date.parse(props.startTime) : NaN;
  const end = typeof props.endTime === 'string' ? Date.parse(props.endTime) : NaN;
  const interval = Number(props.interval);
  if (Number.isNaN(start) || !(interval > 0)) return undefined;
  const until = Number.isNaN(end) ? now.getTime() : Math.min(end, now.getTime());
  if (until <= start) return 0;
  const frequency = String(props.frequency).toLowerCase();
  if (frequency === 'minute' || frequency === 'hour') {
    const windowMs = interval * (frequency === 'hour' ? 3_600_000 : 60_000);
    return Math.floor((until - start) / windowMs);
  }
  if (frequency === 'month') {
    const s = new Date(start);
    const u = new Date(until);
    let months = (u.getUTCFullYear() - s.getUTCFullYear()) * 12 + (u.getUTCMonth() - s.getUTCMonth());
    // A month that has not reached the start's day and time is not a whole window yet.
    const startInMonth =
      Date.UTC(u.getUTCFullYear(), u.getUTCMonth(), 1) + (start - Date.UTC(s.getUTCFullYear(), s.getUTCMonth(), 1));
    if (until < startInMonth) months--;
    return Math.max(0, Math.floor(months / interval));
  }
  return undefined;
}
