// A Delta table's versions, from the names and contents of its _delta_log folder (the Delta
// protocol, PROTOCOL.md): each commit is `<20-digit version>.json`, one action per line, of which
// `commitInfo` carries the time, the operation and its parameters. Checkpoints
// (`<version>.checkpoint.parquet`, multi-part `<version>.checkpoint.<i>.<n>.parquet`, V2
// `<version>.checkpoint.<uuid>.json|parquet`) and `_last_checkpoint` are noted, not parsed beyond
// their names and the small JSON of `_last_checkpoint`. Reading never throws: bad content becomes
// a problem of that version.

export const DELTA_LOG_FOLDER = '_delta_log';
/** How much of a commit file is read for its commitInfo (the first action by the protocol; a big commit lists thousands of files after it). */
export const COMMIT_HEAD_BYTES = 64 * 1024;

export type DeltaLogFile =
  | { kind: 'commit'; version: number; name: string }
  | { kind: 'checkpoint'; version: number; name: string; part?: { index: number; count: number } }
  | { kind: 'checksum'; version: number; name: string }
  | { kind: 'compacted'; from: number; to: number; name: string }
  | { kind: 'lastCheckpoint'; name: string }
  | { kind: 'other'; name: string };

const VERSION = '(\\d{20})';
const PATTERNS: [RegExp, (m: RegExpExecArray, name: string) => DeltaLogFile][] = [
  [new RegExp(`^${VERSION}\\.json$`), (m, name) => ({ kind: 'commit', version: Number(m[1]), name })],
  [
    new RegExp(`^${VERSION}\\.checkpoint\\.parquet$`),
    (m, name) => ({ kind: 'checkpoint', version: Number(m[1]), name }),
  ],
  [
    new RegExp(`^${VERSION}\\.checkpoint\\.(\\d{10})\\.(\\d{10})\\.parquet$`),
    (m, name) => ({
      kind: 'checkpoint',
      version: Number(m[1]),
      name,
      part: { index: Number(m[2]), count: Number(m[3]) },
    }),
  ],
  [
    new RegExp(`^${VERSION}\\.checkpoint\\.[0-9a-fA-F-]{36}\\.(json|parquet)$`),
    (m, name) => ({ kind: 'checkpoint', version: Number(m[1]), name }),
  ],
  [new RegExp(`^${VERSION}\\.crc$`), (m, name) => ({ kind: 'checksum', version: Number(m[1]), name })],
  [
    new RegExp(`^${VERSION}\\.${VERSION}\\.compacted\\.json$`),
    (m, name) => ({ kind: 'compacted', from: Number(m[1]), to: Number(m[2]), name }),
  ],
];

/** What a file of _delta_log is, from its name (the name inside the folder, not the full path). */
export function classifyDeltaLogFile(name: string): DeltaLogFile {
  if (name === '_last_checkpoint') return { kind: 'lastCheckpoint', name };
  for (const [pattern, make] of PATTERNS) {
    const m = pattern.exec(name);
    if (m) return make(m, name);
  }
  return { kind: 'other', name };
}

/** The name of a version's commit file. */
export function commitFileName(version: number): string {
  return `${String(version).padStart(20, '0')}.json`;
}

export interface DeltaCommitFile {
  version: number;
  name: string;
  size?: number;
  lastModified?: Date;
}

/**
 * What a listing of _delta_log tells, gathered page by page while keeping memory bounded: the
 * newest `keep` commits (listings come in name order, which is version order), every checkpoint
 * version (the newest `keep` of them), counts, and whether `_last_checkpoint` exists.
 */
export class DeltaLogListing {
  private readonly newest: DeltaCommitFile[] = [];
  private readonly checkpointVersions: number[] = [];
  commitCount = 0;
  oldestVersion: number | undefined;
  latestVersion: number | undefined;
  hasLastCheckpoint = false;
  otherFiles = 0;

  constructor(private readonly keep = 50) {}

  add(name: string, size?: number, lastModified?: Date): void {
    const file = classifyDeltaLogFile(name);
    switch (file.kind) {
      case 'commit': {
        this.commitCount++;
        if (this.oldestVersion === undefined || file.version < this.oldestVersion) this.oldestVersion = file.version;
        if (this.latestVersion === undefined || file.version > this.latestVersion) this.latestVersion = file.version;
        this.newest.push({
          version: file.version,
          name,
          ...(size !== undefined ? { size } : {}),
          ...(lastModified ? { lastModified } : {}),
        });
        // Trim in batches: a long log costs O(n), not O(n × keep).
        if (this.newest.length >= this.keep * 2) this.trim();
        break;
      }
      case 'checkpoint':
        if (this.checkpointVersions[this.checkpointVersions.length - 1] !== file.version) {
          this.checkpointVersions.push(file.version);
          if (this.checkpointVersions.length > this.keep * 2)
            this.checkpointVersions.splice(0, this.checkpointVersions.length - this.keep);
        }
        break;
      case 'lastCheckpoint':
        this.hasLastCheckpoint = true;
        break;
      case 'checksum':
      case 'compacted':
        break;
      default:
        this.otherFiles++;
    }
  }

  /** The newest commits, newest first. */
  newestCommits(): DeltaCommitFile[] {
    this.trim();
    return [...this.newest].reverse();
  }

  /** Checkpoint versions, newest first (at most `keep`). */
  checkpoints(): number[] {
    return [...new Set(this.checkpointVersions)].sort((a, b) => b - a).slice(0, this.keep);
  }

  private trim(): void {
    this.newest.sort((a, b) => a.version - b.version);
    if (this.newest.length > this.keep) this.newest.splice(0, this.newest.length - this.keep);
  }
}

export interface DeltaVersion {
  version: number;
  /** The commit file's name in _delta_log (`00000000000000000002.json`), when read from a listing. */
  file?: string;
  /** Milliseconds since the epoch: commitInfo's inCommitTimestamp, else its timestamp, else the file's last-modified time. */
  timestamp?: number;
  timestampSource?: 'inCommitTimestamp' | 'commitInfo' | 'fileLastModified';
  /** WRITE, MERGE, STREAMING UPDATE, CREATE TABLE, OPTIMIZE, … */
  operation?: string;
  /** commitInfo.operationParameters in one line: `mode=Append, partitionBy=[]`. */
  parameters?: string;
  /** operationMetrics in one line, the usual ones first: `numOutputRows=10, numFiles=1`. */
  metrics?: string;
  /** engineInfo (Spark, Databricks) or clientVersion (delta-rs). */
  engine?: string;
  /** Counts of the actions read (of the part read when the file was cut). */
  actions?: { add: number; remove: number; metaData: number; protocol: number; other: number };
  /** Only the first COMMIT_HEAD_BYTES were read: counts are partial. */
  partial?: boolean;
  size?: number;
  /** Why the version's details are missing or partial. */
  problem?: string;
}

/**
 * A commit file's summary from its text (the whole file or its head). `truncated` says the text is
 * a head: its last line may be cut, and is then left out.
 */
export function parseDeltaCommit(
  version: number,
  text: string,
  options: { truncated?: boolean; lastModified?: Date; size?: number } = {},
): DeltaVersion {
  const result: DeltaVersion = { version, ...(options.size !== undefined ? { size: options.size } : {}) };
  const actions = { add: 0, remove: 0, metaData: 0, protocol: 0, other: 0 };
  let lines = text.replace(/^\uFEFF/, '').split('\n');
  if (options.truncated && lines.length > 0) lines = lines.slice(0, -1);
  let commitInfo: Record<string, unknown> | undefined;
  let badLines = 0;
  for (const raw of lines) {
    const line = raw.trim();
    if (!line) continue;
    let action: unknown;
    try {
      action = JSON.parse(line);
    } catch {
      badLines++;
      continue;
    }
    if (!isRecord(action)) {
      badLines++;
      continue;
    }
    if (isRecord(action.commitInfo)) commitInfo ??= action.commitInfo;
    else if ('add' in action) actions.add++;
    else if ('remove' in action) actions.remove++;
    else if ('metaData' in action) actions.metaData++;
    else if ('protocol' in action) actions.protocol++;
    else actions.other++;
  }
  result.actions = actions;
  if (options.truncated) result.partial = true;
  if (commitInfo) {
    const ict = commitInfo.inCommitTimestamp;
    const ts = commitInfo.timestamp;
    if (typeof ict === 'number' && Number.isFinite(ict)) {
      result.timestamp = ict;
      result.timestampSource = 'inCommitTimestamp';
    } else if (typeof ts === 'number' && Number.isFinite(ts)) {
      result.timestamp = ts;
      result.timestampSource = 'commitInfo';
    }
    if (typeof commitInfo.operation === 'string') result.operation = commitInfo.operation;
    if (isRecord(commitInfo.operationParameters))
      result.parameters = summarizeParameters(commitInfo.operationParameters);
    if (isRecord(commitInfo.operationMetrics)) result.metrics = summarizeMetrics(commitInfo.operationMetrics);
    const engine = commitInfo.engineInfo ?? commitInfo.clientVersion;
    if (typeof engine === 'string') result.engine = engine;
  }
  if (result.timestamp === undefined && options.lastModified) {
    result.timestamp = options.lastModified.getTime();
    result.timestampSource = 'fileLastModified';
  }
  const problems: string[] = [];
  if (!commitInfo)
    problems.push(
      options.truncated
        ? `No commitInfo in the first ${Math.round(COMMIT_HEAD_BYTES / 1024)} KiB of the commit file.`
        : 'The commit has no commitInfo (written by an engine that does not record it).',
    );
  if (badLines) problems.push(`${badLines} line(s) of the commit file are not JSON actions.`);
  if (problems.length) result.problem = problems.join(' ');
  return result;
}

const MAX_VALUE = 120;
const MAX_SUMMARY = 400;

/**
 * operationParameters in one line. Delta stores most values as JSON text ("[]", "\"Append\"");
 * they are shown decoded, each cut at 120 characters, the whole at 400.
 */
export function summarizeParameters(parameters: Record<string, unknown>): string {
  const parts = Object.entries(parameters).map(([key, value]) => `${key}=${shortValue(value)}`);
  return cut(parts.join(', '), MAX_SUMMARY);
}

const KEY_METRICS = [
  'numOutputRows',
  'numTargetRowsInserted',
  'numTargetRowsUpdated',
  'numTargetRowsDeleted',
  'numDeletedRows',
  'numUpdatedRows',
  'numAddedFiles',
  'numRemovedFiles',
  'numFiles',
  'numOutputBytes',
];

function summarizeMetrics(metrics: Record<string, unknown>): string {
  const keys = Object.keys(metrics).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return cut(keys.map(k => `${k}=${shortValue(metrics[k])}`).join(', '), MAX_SUMMARY);
}

function rank(key: string): number {
  const i = KEY_METRICS.indexOf(key);
  return i < 0 ? KEY_METRICS.length : i;
}

function shortValue(value: unknown): string {
  let shown: string;
  if (typeof value === 'string') {
    // "\"Append\"" → Append; "[]" stays []; plain text stays as it is.
    try {
      const decoded: unknown = JSON.parse(value);
      shown = typeof decoded === 'string' ? decoded : value;
    } catch {
      shown = value;
    }
  } else shown = JSON.stringify(value) ?? String(value);
  return cut(shown.replace(/\s+/g, ' '), MAX_VALUE);
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export interface LastCheckpoint {
  version: number;
  size?: number;
  parts?: number;
}

/** `_last_checkpoint`: {"version": 10, "size": 13, …}; a message when it is not that. */
export function parseLastCheckpoint(text: string): LastCheckpoint | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, '').trim());
  } catch {
    return { problem: '_last_checkpoint is not JSON.' };
  }
  if (
    !isRecord(value) ||
    typeof value.version !== 'number' ||
    !Number.isSafeInteger(value.version) ||
    value.version < 0
  )
    return { problem: '_last_checkpoint has no version number.' };
  return {
    version: value.version,
    ...(typeof value.size === 'number' ? { size: value.size } : {}),
    ...(typeof value.parts === 'number' ? { parts: value.parts } : {}),
  };
}

export interface DeltaHistory {
  /** The versions read, newest first (at most the limit asked). */
  versions: DeltaVersion[];
  latestVersion?: number;
  /** The oldest commit still in the log (older ones were cleaned up after a checkpoint). */
  oldestVersion?: number;
  commitCount: number;
  checkpoints: number[];
  lastCheckpoint?: LastCheckpoint;
  /** Things the view should say (no log, log cut short, unreadable _last_checkpoint). */
  notes: string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
