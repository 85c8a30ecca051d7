// The backfill journal: one JSON line per step, appended and on disk (fsync) before the step it
// records happens — a partition's attempt is written before its createRun is sent, so after a
// crash or a kill we know which createRun calls may have started a run, and look for those runs
// before starting anything again. Replaying the lines gives the state back (resume by id). A torn
// last line (the process died mid-write) is dropped; anything else unreadable is an error.
import { isTerminalStatus } from '../runs/model';
import type { Granularity } from './partitions';
import type { BackfillParameterNames, BackfillTarget } from './targets';

/** Where a journal's lines live: a JSON-lines file in the editor's storage or .lakehouse/backfills/. */
export interface JournalFile {
  /** The whole text, or undefined when there is no such journal. */
  read(): Promise<string | undefined>;
  /** Appends the text (whole lines) and resolves once it is on disk (fsync). */
  append(text: string): Promise<void>;
}

export interface JournalFolder {
  /** The journal of a backfill (the file need not exist yet). */
  file(id: string): JournalFile;
  /** The ids of the journals in the folder. */
  list(): Promise<string[]>;
  /** Holds the backfill for this process (refused while another runs it); release() when done. */
  lock?(id: string): Promise<{ release(): Promise<void> }>;
}

export const JOURNAL_VERSION = 1;

/** A backfill id is a file name too: letters, digits, '-' and '_'. */
export const BACKFILL_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export interface PartitionPlan {
  key: string;
  /** Index into the plan's targets. */
  target: number;
  pipeline: string;
  windowStart: string;
  windowEnd: string;
}

/** The first line: everything needed to run (or resume) the backfill. */
export interface PlanEntry {
  t: 'backfill';
  v: number;
  id: string;
  createdAt: number;
  /** Which environment it runs against, for the user. */
  environment?: string;
  /** The factory's ARM id: a resume against another factory is refused (it would find none of the runs). */
  factory?: string;
  from: string;
  to: string;
  granularity: Granularity;
  concurrency: number;
  names: BackfillParameterNames;
  targets: BackfillTarget[];
  partitions: PartitionPlan[];
  notes: string[];
}

export type JournalEntry =
  | PlanEntry
  | { t: 'attempt'; key: string; n: number; at: number }
  | { t: 'created'; key: string; n: number; runId: string; at: number }
  | { t: 'refused'; key: string; n: number; reason: string; retryable: boolean; at: number }
  | { t: 'unclear'; key: string; n: number; reason: string; at: number }
  | { t: 'found'; key: string; runId: string; duplicates: string[]; at: number }
  | { t: 'notFound'; key: string; at: number }
  | { t: 'status'; key: string; runId: string; status: string; message?: string; at: number }
  | { t: 'round'; n: number; keys: string[]; at: number }
  | { t: 'cancel'; cancelRuns: boolean; at: number }
  | { t: 'resume'; at: number }
  | { t: 'stopped'; reason: string; at: number }
  /** Follows a torn line (a crash mid-append), so a later replay knows the damage is only that. */
  | { t: 'torn' };

export type PartitionPhase =
  /** Not attempted in this round (or its attempts made no run). */
  | 'pending'
  /** A createRun whose outcome is unknown: look for its run before anything else. */
  | 'unclear'
  /** Its run exists (status says how far it is). */
  | 'started'
  /** Its run ended (Succeeded, Failed, Cancelled). */
  | 'done'
  /** createRun was refused for good (a 400, a missing pipeline). */
  | 'refused';

export interface PartitionState extends PartitionPlan {
  round: number;
  phase: PartitionPhase;
  /** createRun requests in this round. */
  attempts: number;
  /** The earliest attempt whose outcome is still unknown (ms). */
  unclearSince?: number;
  /** An attempt written whose outcome is not (yet) in the journal (ms). */
  openAttemptAt?: number;
  /** This round's run. */
  runId?: string;
  /** Every run of this partition, all rounds (the runs view's journal source). */
  runIds: string[];
  /** Extra runs found for one attempt (should stay empty: the design's whole point). */
  duplicates: string[];
  status?: string;
  message?: string;
  /** When this round's run was created or found (journal time, ms). */
  startedAt?: number;
  endedAt?: number;
}

/** What the journal knows of one run: for the Runs view once the service has forgotten it (45 days). */
export interface JournalRun {
  runId: string;
  key: string;
  status: string;
  startedAt: number;
  endedAt?: number;
  message?: string;
}

/** The status a run gets when the service no longer has it (older than its 45 days of history). */
export const GONE_STATUS = 'Unknown';

export interface BackfillState {
  plan: PlanEntry;
  partitions: Map<string, PartitionState>;
  runs: Map<string, JournalRun>;
  round: number;
  cancelled: boolean;
  stoppedBecause?: string;
  /** Lines dropped as torn (0 or 1). */
  tornLines: number;
}

export class JournalError extends Error {}

/** The state after these lines (the first must be the plan). */
export function replayJournal(text: string, source = 'the journal'): BackfillState {
  const lines = text.split('\n');
  const entries: JournalEntry[] = [];
  let torn = 0;
  const parse = (line: string): JournalEntry | undefined => {
    try {
      return JSON.parse(line) as JournalEntry;
    } catch {
      return undefined;
    }
  };
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const entry = parse(line);
    if (entry) {
      entries.push(entry);
      return;
    }
    // Only a crash mid-append tears a line: it is then the last line, or the writer marked it
    // (the next line is {"t":"torn"}). Other damage is not ours to guess at.
    const next = lines.slice(i + 1).find(l => l.trim() !== '');
    if (next !== undefined && parse(next)?.t !== 'torn')
      throw new JournalError(`${source}: line ${i + 1} is not JSON; the journal is damaged.`);
    torn++;
  });
  const plan = entries[0];
  if (!plan || plan.t !== 'backfill') throw new JournalError(`${source}: it does not start with a backfill plan.`);
  if (plan.v !== JOURNAL_VERSION)
    throw new JournalError(
      `${source}: journal version ${plan.v} is not ${JOURNAL_VERSION}; it was written by another version.`,
    );
  const state = initialState(plan);
  state.tornLines = torn;
  for (const e of entries.slice(1)) applyEntry(state, e);
  for (const p of state.partitions.values()) {
    // An attempt with no outcome written: the process stopped while createRun was under way.
    if (p.openAttemptAt !== undefined) {
      p.phase = 'unclear';
      p.unclearSince ??= p.openAttemptAt;
      delete p.openAttemptAt;
    }
  }
  return state;
}

export function initialState(plan: PlanEntry): BackfillState {
  const partitions = new Map<string, PartitionState>();
  for (const p of plan.partitions)
    partitions.set(p.key, { ...p, round: 1, phase: 'pending', attempts: 0, runIds: [], duplicates: [] });
  return { plan, partitions, runs: new Map(), round: 1, cancelled: false, tornLines: 0 };
}

/** Applies one entry to the state (the runner applies each entry as it writes it, so memory and disk agree). */
export function applyEntry(state: BackfillState, e: JournalEntry): void {
  if (e.t === 'backfill') throw new JournalError('A journal has one plan, on its first line.');
  if (e.t === 'round') {
    state.round = e.n;
    state.cancelled = false;
    delete state.stoppedBecause;
    for (const key of e.keys) {
      const p = state.partitions.get(key);
      if (!p) continue;
      p.round = e.n;
      p.phase = 'pending';
      p.attempts = 0;
      delete p.runId;
      delete p.status;
      delete p.message;
      delete p.unclearSince;
      delete p.startedAt;
      delete p.endedAt;
      delete p.openAttemptAt;
    }
    return;
  }
  if (e.t === 'cancel') {
    state.cancelled = true;
    return;
  }
  if (e.t === 'resume') {
    state.cancelled = false;
    delete state.stoppedBecause;
    return;
  }
  if (e.t === 'stopped') {
    state.stoppedBecause = e.reason;
    return;
  }
  if (e.t === 'torn') return;
  const p = state.partitions.get(e.key);
  if (!p) throw new JournalError(`The journal names a partition ${JSON.stringify(e.key)} its plan does not have.`);
  switch (e.t) {
    case 'attempt':
      p.attempts = Math.max(p.attempts, e.n);
      p.openAttemptAt = e.at;
      if (p.phase === 'refused') p.phase = 'pending';
      break;
    case 'created':
      delete p.openAttemptAt;
      startedWith(state, p, e.runId, e.at);
      break;
    case 'found':
      delete p.openAttemptAt;
      startedWith(state, p, e.runId, e.at);
      for (const d of e.duplicates) if (!p.duplicates.includes(d)) p.duplicates.push(d);
      break;
    case 'refused':
      delete p.openAttemptAt;
      if (!e.retryable) {
        p.phase = 'refused';
        p.message = e.reason;
      }
      break;
    case 'unclear': {
      const at = p.openAttemptAt ?? e.at;
      delete p.openAttemptAt;
      p.phase = 'unclear';
      p.unclearSince ??= at;
      break;
    }
    case 'notFound':
      p.phase = 'pending';
      delete p.unclearSince;
      break;
    case 'status': {
      if (!p.runIds.includes(e.runId)) p.runIds.push(e.runId);
      const run = state.runs.get(e.runId) ?? { runId: e.runId, key: p.key, status: e.status, startedAt: e.at };
      run.status = e.status;
      if (e.message) run.message = e.message;
      if (isTerminalStatus(e.status) || e.status === GONE_STATUS) run.endedAt = e.at;
      state.runs.set(e.runId, run);
      if (e.runId !== p.runId) break;
      p.status = e.status;
      if (e.message) p.message = e.message;
      if (isTerminalStatus(e.status) || e.status === GONE_STATUS) {
        p.phase = 'done';
        p.endedAt = e.at;
      }
      break;
    }
  }
}

function startedWith(state: BackfillState, p: PartitionState, runId: string, at: number): void {
  p.phase = 'started';
  p.runId = runId;
  p.startedAt = at;
  p.status = 'Queued';
  delete p.message;
  delete p.unclearSince;
  if (!p.runIds.includes(runId)) p.runIds.push(runId);
  if (!state.runs.has(runId)) state.runs.set(runId, { runId, key: p.key, status: 'Queued', startedAt: at });
}

/**
 * Appends entries in order, several callers' entries in one write and one fsync when they come
 * together (group commit); each append resolves once its entry is on disk.
 */
export class JournalWriter {
  private queue: { line: string; done: () => void; failed: (e: unknown) => void }[] = [];
  private writing = false;
  private needsNewline: boolean;
  /** Writes (fsyncs) done, for tests and the bench. */
  writes = 0;

  constructor(
    private readonly file: JournalFile,
    existingText: string | undefined,
  ) {
    this.needsNewline = existingText !== undefined && existingText !== '' && !existingText.endsWith('\n');
  }

  append(entry: JournalEntry): Promise<void> {
    return new Promise((done, failed) => {
      this.queue.push({ line: JSON.stringify(entry) + '\n', done, failed });
      if (!this.writing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.writing = true;
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      const text = (this.needsNewline ? `\n${JSON.stringify({ t: 'torn' })}\n` : '') + batch.map(b => b.line).join('');
      try {
        await this.file.append(text);
        this.needsNewline = false;
        this.writes++;
        for (const b of batch) b.done();
      } catch (e) {
        for (const b of batch) b.failed(e);
      }
    }
    this.writing = false;
  }
}
