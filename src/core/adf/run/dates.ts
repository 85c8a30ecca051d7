// Timestamps as ADF's date functions see them: .NET DateTime values with 100-nanosecond ticks and
// a kind. Strings are parsed the way DateTime.Parse reads them (ISO 8601, M/d/yyyy, month names,
// RFC 1123); a timestamp with an offset is converted to UTC and kept as a "local" time of the
// service (which runs in UTC, so it prints as +00:00), with 'Z' it is UTC (prints Z), without a
// zone it is unspecified (prints no zone) — as the engine does. Formatting implements .NET's
// standard ("o", "D", "s", …) and custom ("yyyy-MM-dd HH:mm:ss.fff", …) format strings, with en-US
// names and patterns by default (ADF's culture: formatDateTime(…, 'D') is "Thursday, March 15, 2018").

import { isUtcZone, windowsZone, zoneOffsetMinutes } from './timeZones';

export type DateKind = 'utc' | 'local' | 'unspecified';

export interface Timestamp {
  /** 100-nanosecond intervals since 0001-01-01T00:00:00 (the wall clock of the kind). */
  ticks: bigint;
  kind: DateKind;
}

/** A date that cannot be parsed, formatted or computed; the message says why. */
export class DateError extends Error {}

export const TICKS_PER_MS = 10_000n;
export const TICKS_PER_SECOND = 10_000_000n;
export const TICKS_PER_MINUTE = 60n * TICKS_PER_SECOND;
export const TICKS_PER_HOUR = 60n * TICKS_PER_MINUTE;
export const TICKS_PER_DAY = 24n * TICKS_PER_HOUR;
export const MAX_TICKS = 3155378975999999999n;
/** Ticks of 1970-01-01T00:00:00. */
export const UNIX_EPOCH_TICKS = 621355968000000000n;

// ---- the calendar ----

/** Days from 0001-01-01 to y-m-d (proleptic Gregorian). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468 + 719162; // days since 1970-03-01 based, shifted to 0001-01-01
}

function civilFromDays(days: number): { y: number; m: number; d: number } {
  const z = days - 719162 + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d };
}

export const isLeapYear = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
export const daysInMonth = (y: number, m: number): number =>
  [31, isLeapYear(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;

export interface DateParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 .. 9,999,999 */
  fraction: number;
  /** 0 = Sunday */
  dayOfWeek: number;
  /** 1 .. 366 */
  dayOfYear: number;
}

export function partsOf(ticks: bigint): DateParts {
  const days = Number(ticks / TICKS_PER_DAY);
  let rest = ticks % TICKS_PER_DAY;
  const { y, m, d } = civilFromDays(days);
  const hour = Number(rest / TICKS_PER_HOUR);
  rest %= TICKS_PER_HOUR;
  const minute = Number(rest / TICKS_PER_MINUTE);
  rest %= TICKS_PER_MINUTE;
  const second = Number(rest / TICKS_PER_SECOND);
  const fraction = Number(rest % TICKS_PER_SECOND);
  return {
    year: y,
    month: m,
    day: d,
    hour,
    minute,
    second,
    fraction,
    dayOfWeek: (days + 1) % 7,
    dayOfYear: days - daysFromCivil(y, 1, 1) + 1,
  };
}

export function ticksOf(
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
  fraction = 0,
): bigint {
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month))
    throw new DateError('the date is not valid');
  if (hour > 23 || minute > 59 || second > 59) throw new DateError('the time is not valid');
  return (
    BigInt(daysFromCivil(year, month, day)) * TICKS_PER_DAY +
    BigInt(hour) * TICKS_PER_HOUR +
    BigInt(minute) * TICKS_PER_MINUTE +
    BigInt(second) * TICKS_PER_SECOND +
    BigInt(fraction)
  );
}

export function checkRange(ticks: bigint): bigint {
  if (ticks < 0n || ticks > MAX_TICKS)
    throw new DateError('the result is outside the range of dates (0001-01-01 to 9999-12-31)');
  return ticks;
}

export function timestampFromMs(ms: number, kind: DateKind = 'utc'): Timestamp {
  return { ticks: checkRange(BigInt(Math.trunc(ms)) * TICKS_PER_MS + UNIX_EPOCH_TICKS), kind };
}

export function msOf(ticks: bigint): number {
  return Number((ticks - UNIX_EPOCH_TICKS) / TICKS_PER_MS);
}

// ---- arithmetic ----

export type TimeUnit = 'Second' | 'Minute' | 'Hour' | 'Day' | 'Week' | 'Month' | 'Year';
const UNITS: readonly TimeUnit[] = ['Second', 'Minute', 'Hour', 'Day', 'Week', 'Month', 'Year'];

/** A unit name as addToTime takes it: singular, any case ('day', 'Day', 'DAY'). */
export function parseTimeUnit(s: string): TimeUnit | undefined {
  return UNITS.find(u => u.toLowerCase() === s.toLowerCase());
}

export function addTime(t: Timestamp, amount: bigint, unit: TimeUnit): Timestamp {
  const fixed: Partial<Record<TimeUnit, bigint>> = {
    Second: TICKS_PER_SECOND,
    Minute: TICKS_PER_MINUTE,
    Hour: TICKS_PER_HOUR,
    Day: TICKS_PER_DAY,
    Week: 7n * TICKS_PER_DAY,
  };
  const step = fixed[unit];
  if (step !== undefined) return { ticks: checkRange(t.ticks + amount * step), kind: t.kind };
  // Months and years keep the time of day and clamp the day to the month's length (Jan 31 + 1 month = Feb 28).
  const p = partsOf(t.ticks);
  const months = unit === 'Month' ? amount : amount * 12n;
  const total = BigInt(p.year) * 12n + BigInt(p.month - 1) + months;
  const year = Number(total / 12n);
  const month = Number(total % 12n) + 1;
  if (total < 0n || year < 1 || year > 9999)
    throw new DateError('the result is outside the range of dates (0001-01-01 to 9999-12-31)');
  const day = Math.min(p.day, daysInMonth(year, month));
  return { ticks: ticksOf(year, month, day) + (t.ticks % TICKS_PER_DAY), kind: t.kind };
}

// ---- parsing ----

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

function monthNumber(name: string): number | undefined {
  const n = name.toLowerCase();
  const i = MONTHS.findIndex(
    m => m === n || (n.length === 3 && m.startsWith(n)) || (n === 'sept' && m === 'september'),
  );
  return i === -1 ? undefined : i + 1;
}

/** Fraction digits as ticks: up to 7 kept, the rest rounded (.12345678 is 1234568 ticks). */
function fractionTicks(digits: string | undefined): number {
  if (!digits) return 0;
  if (digits.length <= 7) return Number(digits.padEnd(7, '0'));
  const whole = Number(digits.slice(0, 7));
  return Number(digits[7]) >= 5 ? whole + 1 : whole;
}

interface Clock {
  hour: number;
  minute: number;
  second: number;
  fraction: number;
}

/** h:mm[:ss[.fffffff]] [AM|PM] */
function parseClock(s: string | undefined, ampm: string | undefined): Clock | undefined {
  if (s === undefined) return { hour: 0, minute: 0, second: 0, fraction: 0 };
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?$/.exec(s);
  if (!m) return undefined;
  let hour = Number(m[1]);
  if (ampm) {
    if (hour < 1 || hour > 12) return undefined;
    const pm = ampm.toUpperCase().startsWith('P');
    hour = (hour % 12) + (pm ? 12 : 0);
  }
  return { hour, minute: Number(m[2]), second: Number(m[3] ?? 0), fraction: fractionTicks(m[4]) };
}

/** ±hh[:mm] / ±hhmm as minutes, Z as 0 (utc), GMT as 0 (utc). */
function parseZone(z: string | undefined): { kind: DateKind; offset: number } | undefined {
  if (!z) return { kind: 'unspecified', offset: 0 };
  if (z === 'Z' || z === 'z' || z.toUpperCase() === 'GMT') return { kind: 'utc', offset: 0 };
  const m = /^([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(z);
  if (!m) return undefined;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  if (Number(m[2]) > 14 || Number(m[3] ?? 0) > 59) return undefined;
  return { kind: 'local', offset: m[1] === '-' ? -minutes : minutes };
}

const ZONE = String.raw`(Z|z|[+-]\d{1,2}(?::?\d{2})?)`;
const CLOCK = String.raw`(\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)`;
const AMPM = String.raw`(AM|PM|am|pm|A\.M\.|P\.M\.)`;

const PATTERNS: {
  re: RegExp;
  read: (
    m: RegExpExecArray,
  ) => { y: number; mo: number; d: number; clock?: string; ampm?: string; zone?: string } | undefined;
}[] = [
  // 2018-03-15T13:05:09.1234567Z (the hour has two digits after a 'T')
  {
    re: new RegExp(String.raw`^(\d{4})-(\d{1,2})-(\d{1,2})T(\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*${ZONE}?$`),
    read: m => ({ y: +m[1]!, mo: +m[2]!, d: +m[3]!, clock: m[4], zone: m[5] }),
  },
  // 2018-03-15, 2018-03-15 1:05 PM, 2018/03/15 13:05:09 +05:00
  {
    re: new RegExp(String.raw`^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:\s+${CLOCK}(?:\s*${AMPM})?)?\s*${ZONE}?$`),
    read: m => ({ y: +m[1]!, mo: +m[2]!, d: +m[3]!, clock: m[4], ampm: m[5], zone: m[6] }),
  },
  // 03/15/2018, 3/5/2018 1:02:03 PM (the invariant culture's M/d/yyyy)
  {
    re: new RegExp(String.raw`^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+${CLOCK}(?:\s*${AMPM})?)?\s*${ZONE}?$`),
    read: m => ({ y: +m[3]!, mo: +m[1]!, d: +m[2]!, clock: m[4], ampm: m[5], zone: m[6] }),
  },
  // March 15, 2018 / Mar 15 2018 [10:00]
  {
    re: new RegExp(
      String.raw`^(?:[A-Za-z]+,?\s+)?([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})(?:\s+${CLOCK}(?:\s*${AMPM})?)?\s*${ZONE}?$`,
    ),
    read: m => {
      const mo = monthNumber(m[1]!);
      return mo ? { y: +m[3]!, mo, d: +m[2]!, clock: m[4], ampm: m[5], zone: m[6] } : undefined;
    },
  },
  // 15 March 2018 [10:00], 15-Mar-2018, Thu, 15 Mar 2018 13:05:09 GMT
  {
    re: new RegExp(
      String.raw`^(?:([A-Za-z]+),?\s+)?(\d{1,2})[\s-]([A-Za-z]{3,9})\.?[\s-](\d{4})(?:\s+${CLOCK}(?:\s*${AMPM})?)?\s*(${ZONE.slice(1, -1)}|GMT|UTC)?$`,
    ),
    read: m => {
      if (m[1] && !DAYS.some(d => d === m[1]!.toLowerCase() || d.slice(0, 3) === m[1]!.toLowerCase())) return undefined;
      const mo = monthNumber(m[3]!);
      if (!mo) return undefined;
      if (m[7]?.toUpperCase() === 'UTC') return undefined;
      return { y: +m[4]!, mo, d: +m[2]!, clock: m[5], ampm: m[6], zone: m[7] };
    },
  },
];

/**
 * Parses a timestamp as the engine does (see the file comment). `today` supplies the date of a
 * time without one ('12:30'). Throws DateError for anything else.
 */
export function parseTimestamp(text: string, today?: Timestamp): Timestamp {
  const s = text.trim();
  const timeOnly = new RegExp(String.raw`^${CLOCK}(?:\s*${AMPM})?\s*${ZONE}?$`).exec(s);
  if (timeOnly) {
    const base = partsOf((today ?? { ticks: 0n }).ticks);
    return build(base.year, base.month, base.day, timeOnly[1], timeOnly[2], timeOnly[3], text);
  }
  for (const p of PATTERNS) {
    const m = p.re.exec(s);
    if (!m) continue;
    const r = p.read(m);
    if (!r) continue;
    return build(r.y, r.mo, r.d, r.clock, r.ampm, r.zone, text);
  }
  throw new DateError(`The string '${text}' was not recognized as a valid DateTime.`);
}

function build(
  y: number,
  mo: number,
  d: number,
  clockText: string | undefined,
  ampm: string | undefined,
  zoneText: string | undefined,
  text: string,
): Timestamp {
  const clock = parseClock(clockText, ampm?.replace(/\./g, ''));
  const zone = parseZone(zoneText);
  const invalid = () => new DateError(`The string '${text}' was not recognized as a valid DateTime.`);
  if (!clock || !zone) throw invalid();
  let ticks: bigint;
  try {
    ticks = ticksOf(y, mo, d, clock.hour, clock.minute, clock.second, clock.fraction);
  } catch {
    throw invalid();
  }
  if (zone.kind === 'local') ticks -= BigInt(zone.offset) * TICKS_PER_MINUTE;
  return { ticks: checkRange(ticks), kind: zone.kind };
}

// ---- cultures ----

interface Culture {
  name: string;
  monthNames: string[];
  monthAbbr: string[];
  dayNames: string[];
  dayAbbr: string[];
  am: string;
  pm: string;
  dateSeparator: string;
  timeSeparator: string;
  patterns: { d: string; D: string; t: string; T: string; M: string; Y: string };
}

const EN_MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const EN_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const EN_US: Culture = {
  name: 'en-US',
  monthNames: EN_MONTHS,
  monthAbbr: EN_MONTHS.map(m => m.slice(0, 3)),
  dayNames: EN_DAYS,
  dayAbbr: EN_DAYS.map(d => d.slice(0, 3)),
  am: 'AM',
  pm: 'PM',
  dateSeparator: '/',
  timeSeparator: ':',
  patterns: { d: 'M/d/yyyy', D: 'dddd, MMMM d, yyyy', t: 'h:mm tt', T: 'h:mm:ss tt', M: 'MMMM d', Y: 'MMMM yyyy' },
};

const INVARIANT: Culture = {
  ...EN_US,
  name: '',
  patterns: { d: 'MM/dd/yyyy', D: 'dddd, dd MMMM yyyy', t: 'HH:mm', T: 'HH:mm:ss', M: 'MMMM dd', Y: 'yyyy MMMM' },
};

/** Standard patterns of some common cultures; names come from the runtime's Intl data. */
const PATTERNS_BY_CULTURE: Readonly<Record<string, Partial<Culture> & { patterns: Culture['patterns'] }>> = {
  'en-gb': {
    am: 'am',
    pm: 'pm',
    patterns: { d: 'dd/MM/yyyy', D: 'dd MMMM yyyy', t: 'HH:mm', T: 'HH:mm:ss', M: 'd MMMM', Y: 'MMMM yyyy' },
  },
  'de-de': {
    dateSeparator: '.',
    am: 'AM',
    pm: 'PM',
    patterns: { d: 'dd.MM.yyyy', D: 'dddd, d. MMMM yyyy', t: 'HH:mm', T: 'HH:mm:ss', M: 'd. MMMM', Y: 'MMMM yyyy' },
  },
  'fr-fr': {
    patterns: { d: 'dd/MM/yyyy', D: 'dddd d MMMM yyyy', t: 'HH:mm', T: 'HH:mm:ss', M: 'd MMMM', Y: 'MMMM yyyy' },
  },
  'es-es': {
    am: 'a. m.',
    pm: 'p. m.',
    patterns: {
      d: 'dd/MM/yyyy',
      D: "dddd, d 'de' MMMM 'de' yyyy",
      t: 'H:mm',
      T: 'H:mm:ss',
      M: "d 'de' MMMM",
      Y: "MMMM 'de' yyyy",
    },
  },
  'nl-nl': {
    dateSeparator: '-',
    patterns: { d: 'd-M-yyyy', D: 'dddd d MMMM yyyy', t: 'HH:mm', T: 'HH:mm:ss', M: 'd MMMM', Y: 'MMMM yyyy' },
  },
  'it-it': {
    patterns: { d: 'dd/MM/yyyy', D: 'dddd d MMMM yyyy', t: 'HH:mm', T: 'HH:mm:ss', M: 'd MMMM', Y: 'MMMM yyyy' },
  },
  'pt-br': {
    patterns: {
      d: 'dd/MM/yyyy',
      D: "dddd, d 'de' MMMM 'de' yyyy",
      t: 'HH:mm',
      T: 'HH:mm:ss',
      M: "d 'de' MMMM",
      Y: "MMMM 'de' yyyy",
    },
  },
};

const cultures = new Map<string, Culture>([
  ['en-us', EN_US],
  ['', INVARIANT],
]);

/** The culture of formatDateTime's locale argument (en-US without one). */
export function cultureOf(locale: string | undefined): Culture {
  const key = (locale ?? 'en-US').trim().toLowerCase();
  const cached = cultures.get(key);
  if (cached) return cached;
  let canonical: string;
  try {
    canonical = Intl.getCanonicalLocales(key)[0]!;
  } catch {
    throw new DateError(`Culture '${locale}' is not supported.`);
  }
  const names = (options: Intl.DateTimeFormatOptions, count: number, at: (i: number) => Date) => {
    const f = new Intl.DateTimeFormat(canonical, { ...options, timeZone: 'UTC' });
    return Array.from({ length: count }, (_, i) => f.format(at(i)).replace(/\.$/, ''));
  };
  const month = (i: number) => new Date(Date.UTC(2018, i, 15));
  const day = (i: number) => new Date(Date.UTC(2018, 2, 18 + i)); // 2018-03-18 was a Sunday
  const known = PATTERNS_BY_CULTURE[key];
  const culture: Culture = {
    ...INVARIANT,
    name: canonical,
    monthNames: names({ month: 'long' }, 12, month),
    monthAbbr: names({ month: 'short' }, 12, month),
    dayNames: names({ weekday: 'long' }, 7, day),
    dayAbbr: names({ weekday: 'short' }, 7, day),
    ...(known ?? {}),
  };
  cultures.set(key, culture);
  return culture;
}

// ---- formatting ----

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Expands a one-character standard format to its custom pattern; undefined when it is not one. */
function standardPattern(c: string, culture: Culture): string | undefined {
  const p = culture.patterns;
  switch (c) {
    case 'd':
      return p.d;
    case 'D':
      return p.D;
    case 'f':
      return `${p.D} ${p.t}`;
    case 'F':
      return `${p.D} ${p.T}`;
    case 'g':
      return `${p.d} ${p.t}`;
    case 'G':
      return `${p.d} ${p.T}`;
    case 'm':
    case 'M':
      return p.M;
    case 'o':
    case 'O':
      return "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK";
    case 'r':
    case 'R':
      return "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'";
    case 's':
      return "yyyy'-'MM'-'dd'T'HH':'mm':'ss";
    case 't':
      return p.t;
    case 'T':
      return p.T;
    case 'u':
      return "yyyy'-'MM'-'dd HH':'mm':'ss'Z'";
    case 'U':
      return `${p.D} ${p.T}`;
    case 'y':
    case 'Y':
      return p.Y;
    default:
      return undefined;
  }
}

/**
 * .NET's DateTime.ToString(format, culture). Throws DateError for a format .NET refuses (an
 * unknown one-letter standard format, an unterminated quote, more than seven f's, …).
 */
export function formatTimestamp(t: Timestamp, format: string, culture: Culture = EN_US): string {
  let pattern = format;
  if (format.length === 0) pattern = standardPattern('G', culture)!;
  else if (format.length === 1) {
    const expanded = standardPattern(format, culture);
    if (expanded === undefined)
      throw new DateError(
        `The format '${format}' is not a valid date and time format: one letter is a standard format (d, D, f, F, g, G, M, O, R, s, t, T, u, U, Y).`,
      );
    // 'o', 'r', 's' and 'u' are culture-independent.
    pattern = expanded;
  }
  return formatCustom(t, pattern, /^[oOrRsu]$/.test(format) ? INVARIANT : culture);
}

function invalidFormat(format: string, why: string): DateError {
  return new DateError(`The format '${format}' is not a valid date and time format: ${why}.`);
}

function formatCustom(t: Timestamp, format: string, culture: Culture): string {
  const p = partsOf(t.ticks);
  let out = '';
  let i = 0;
  const run = (c: string) => {
    let n = 1;
    while (format[i + n] === c) n++;
    return n;
  };
  while (i < format.length) {
    const c = format[i]!;
    let n = 1;
    switch (c) {
      case 'd':
        n = run(c);
        out +=
          n === 1
            ? String(p.day)
            : n === 2
              ? pad(p.day, 2)
              : n === 3
                ? culture.dayAbbr[p.dayOfWeek]
                : culture.dayNames[p.dayOfWeek];
        break;
      case 'f':
      case 'F': {
        n = run(c);
        if (n > 7) throw invalidFormat(format, 'at most seven f or F');
        let digits = pad(p.fraction, 7).slice(0, n);
        if (c === 'F') {
          digits = digits.replace(/0+$/, '');
          if (digits === '' && out.endsWith('.')) out = out.slice(0, -1);
        }
        out += digits;
        break;
      }
      case 'g':
        n = run(c);
        out += 'A.D.';
        break;
      case 'h':
        n = run(c);
        out += n === 1 ? String(p.hour % 12 || 12) : pad(p.hour % 12 || 12, 2);
        break;
      case 'H':
        n = run(c);
        out += n === 1 ? String(p.hour) : pad(p.hour, 2);
        break;
      case 'K':
        out += t.kind === 'utc' ? 'Z' : t.kind === 'local' ? '+00:00' : '';
        break;
      case 'm':
        n = run(c);
        out += n === 1 ? String(p.minute) : pad(p.minute, 2);
        break;
      case 'M':
        n = run(c);
        out +=
          n === 1
            ? String(p.month)
            : n === 2
              ? pad(p.month, 2)
              : n === 3
                ? culture.monthAbbr[p.month - 1]
                : culture.monthNames[p.month - 1];
        break;
      case 's':
        n = run(c);
        out += n === 1 ? String(p.second) : pad(p.second, 2);
        break;
      case 't': {
        n = run(c);
        const designator = p.hour < 12 ? culture.am : culture.pm;
        out += n === 1 ? designator.slice(0, 1) : designator;
        break;
      }
      case 'y':
        n = run(c);
        out += n === 1 ? String(p.year % 100) : n === 2 ? pad(p.year % 100, 2) : pad(p.year, n);
        break;
      case 'z':
        // The service runs in UTC: every offset it prints is zero.
        n = run(c);
        out += n === 1 ? '+0' : n === 2 ? '+00' : '+00:00';
        break;
      case ':':
        out += culture.timeSeparator;
        break;
      case '/':
        out += culture.dateSeparator;
        break;
      case "'":
      case '"': {
        const close = format.indexOf(c, i + 1);
        if (close === -1) throw invalidFormat(format, `the quote ${c} is never closed`);
        out += format.slice(i + 1, close).replace(/\\(.)/g, '$1');
        n = close - i + 1;
        break;
      }
      case '%': {
        const next = format[i + 1];
        if (next === undefined || next === '%')
          throw invalidFormat(format, "'%' must be followed by one format letter");
        out += formatCustom(t, next, culture);
        n = 2;
        break;
      }
      case '\\':
        if (i + 1 >= format.length) throw invalidFormat(format, "a '\\' at the end escapes nothing");
        out += format[i + 1];
        n = 2;
        break;
      default:
        out += c;
    }
    i += n;
  }
  return out;
}

/** The round-trip form, 2018-03-15T13:05:09.1234567Z: what the date functions return without a format. */
export function formatRoundTrip(t: Timestamp): string {
  return formatCustom(t, "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK", INVARIANT);
}

// ---- time zones ----

/** The IANA zone of a Windows time zone id; a DateError naming the problem otherwise. */
export function zoneOf(id: string): { windows: string; iana: string } {
  const zone = windowsZone(id);
  if (!zone) {
    throw new DateError(
      `The time zone '${id}' is not a Windows time zone id, which ADF needs (such as 'UTC', 'W. Europe Standard Time' or 'Pacific Standard Time').`,
    );
  }
  return zone;
}

/** A UTC instant as the wall-clock time of a zone. */
export function utcToZone(utcTicks: bigint, iana: string): bigint {
  if (isUtcZone(iana)) return utcTicks;
  const offset = zoneOffsetMinutes(iana, msOf(utcTicks));
  return checkRange(utcTicks + BigInt(offset) * TICKS_PER_MINUTE);
}

/** A zone's wall-clock time as the UTC instant (the later one when the clock goes back, the shifted one in a gap). */
export function zoneToUtc(localTicks: bigint, iana: string): bigint {
  if (isUtcZone(iana)) return localTicks;
  const guess = zoneOffsetMinutes(iana, msOf(localTicks));
  let utc = localTicks - BigInt(guess) * TICKS_PER_MINUTE;
  const second = zoneOffsetMinutes(iana, msOf(utc));
  if (second !== guess) utc = localTicks - BigInt(second) * TICKS_PER_MINUTE;
  return checkRange(utc);
}
