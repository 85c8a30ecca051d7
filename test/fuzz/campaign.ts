// A fuzz campaign: for each target, fast-check generates cases (from a fixed seed, in one shard
// per runner process), every case runs in a runner process and every property is checked and
// counted; then each distinct finding is replayed and shrunk by fast-check, reduced line by line,
// and written out as a reproduction.
import fc from 'fast-check';
import { loadCorpus } from './corpus';
import { Runner, type RunOutcome } from './pool';
import { ALL_TARGETS } from './targets';
import {
  FINDING_KINDS,
  TARGETS,
  type CaseInput,
  type Finding,
  type FindingKind,
  type RunnerOptions,
  type TargetName,
} from './types';

export interface FuzzOptions {
  seed: number;
  /** Cases per target (targets left out do not run). */
  cases: Partial<Record<TargetName, number>>;
  /** Runner processes (and shards per target). */
  jobs: number;
  /** A case over this is a hang (template renders: this much past the renderer's own limit). */
  hangMs: number;
  /** The template renderer's time limit, as the editor sets it by default. */
  renderTimeoutMs: number;
  /** Replay and shrink each distinct finding. */
  shrink: boolean;
  /** Time for shrinking, in all. */
  shrinkBudgetMs: number;
  /** Run the known-hostile seeds first (fast-check examples). */
  examples: boolean;
  log: (line: string) => void;
  progressEveryMs: number;
}

export interface TargetStats {
  cases: number;
  /** Cases with at least one finding of each kind. */
  counts: Record<FindingKind, number>;
  /** Wall-clock time of the target's phase. */
  wallMs: number;
  /** Time the cases took in the runners (summed over runners). */
  busyMs: number;
  /** Things counted that are not findings (render timeouts, incremental comparisons…). */
  notes: Record<string, number>;
}

export interface Minimal {
  input: CaseInput;
  finding: Finding;
  /** fast-check's shrink steps. */
  shrinks: number;
  /** Lines (and files) removed after shrinking. */
  reduced: number;
  reproducedOnReplay: boolean;
}

export interface FindingRecord {
  kind: FindingKind;
  signature: string;
  target: TargetName;
  message: string;
  detail?: string;
  cases: number;
  /** Cases from random generation (not from the known-hostile seeds). */
  randomCases: number;
  first: {
    seed: number;
    path: string;
    numRuns: number;
    examples: boolean;
    value: unknown;
    input: CaseInput;
    fromExample: boolean;
  };
  minimal?: Minimal;
}

export interface FuzzReport {
  seed: number;
  stats: Partial<Record<TargetName, TargetStats>>;
  findings: FindingRecord[];
  notes: string[];
  elapsedMs: number;
}

export const DEFAULT_OPTIONS: Omit<FuzzOptions, 'seed' | 'cases' | 'log'> = {
  jobs: 2,
  hangMs: 2000,
  renderTimeoutMs: 5000,
  shrink: true,
  shrinkBudgetMs: 5 * 60_000,
  examples: true,
  progressEveryMs: 10_000,
};

/** Slack for the round trip to the runner, on top of the time limit, before a runner is killed. */
const KILL_SLACK_MS = 300;

export function limitFor(target: TargetName, options: Pick<FuzzOptions, 'hangMs' | 'renderTimeoutMs'>): number {
  return target === 'templates' ? options.renderTimeoutMs + options.hangMs : options.hangMs;
}

const stageKey = (stage: string) => stage.replace(/\s*\(.*$/s, '');

/** The findings of one run: the runner's own, plus a hang or the death of the runner. */
export function outcomeFindings(
  target: TargetName,
  outcome: RunOutcome,
  options: Pick<FuzzOptions, 'hangMs' | 'renderTimeoutMs'>,
): Finding[] {
  const limit = limitFor(target, options);
  const findings = [...(outcome.result?.findings ?? [])];
  const over = target === 'templates' ? ` (the renderer's limit is ${options.renderTimeoutMs} ms)` : '';
  if (outcome.hung) {
    const cpu = outcome.hung.cpuMs !== undefined ? ` (${Math.round(outcome.hung.cpuMs)} ms of CPU)` : '';
    findings.push({
      kind: 'hang',
      signature: `hang:${target}:${stageKey(outcome.hung.stage)}`,
      message: `no answer after ${Math.round(outcome.hung.afterMs)} ms${cpu}${over}; killed in: ${outcome.hung.stage.slice(0, 300)}`,
    });
  } else if (outcome.result && Math.min(outcome.result.cpuMs, outcome.result.elapsedMs) > limit) {
    findings.push({
      kind: 'hang',
      signature: `hang:${target}:finished late`,
      message: `the case took ${Math.round(outcome.result.elapsedMs)} ms (${Math.round(outcome.result.cpuMs)} ms of CPU; limit ${limit} ms${over})`,
    });
  }
  if (outcome.died) {
    const kind: FindingKind = target === 'templates' ? 'template' : 'crash';
    const how = outcome.died.signal ?? `exit ${outcome.died.code}`;
    const lastLine = outcome.died.stderr
      .trim()
      .split('\n')
      .filter(l => /error|fatal|abort/i.test(l))
      .slice(0, 2)
      .join(' | ');
    findings.push({
      kind,
      signature: `${kind}:${target}:the runner process died (${how}):${stageKey(outcome.died.stage)}`,
      message: `the whole process died (${how}) in: ${outcome.died.stage.slice(0, 200)}${lastLine ? ` — ${lastLine.slice(0, 300)}` : ''}`,
      detail: outcome.died.stderr.slice(-4000),
    });
  }
  return findings;
}

function shardSeed(seed: number, target: TargetName, shard: number): number {
  return (seed ^ Math.imul(TARGETS.indexOf(target) + 1, 0x9e3779b1) ^ Math.imul(shard + 1, 0x85ebca77)) | 0;
}

function emptyStats(): TargetStats {
  return {
    cases: 0,
    counts: { crash: 0, hang: 0, range: 0, incremental: 0, template: 0 },
    wallMs: 0,
    busyMs: 0,
    notes: {},
  };
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const started = Date.now();
  const corpus = loadCorpus();
  const notes: string[] = [];
  if (corpus.realWorldMissing) {
    notes.push(corpus.realWorldMissing);
    options.log(`note: ${corpus.realWorldMissing}`);
  } else
    notes.push(
      `ADF: the sample's factory and ${corpus.factories.length - 1} real-world factories (../shared/fixtures/adf-real-world)`,
    );
  const runnerOptions: RunnerOptions = { renderTimeoutMs: options.renderTimeoutMs };
  const runners = Array.from({ length: Math.max(1, options.jobs) }, () => new Runner());
  const records = new Map<string, FindingRecord>();
  const stats: Partial<Record<TargetName, TargetStats>> = {};

  try {
    for (const name of TARGETS) {
      const total = options.cases[name] ?? 0;
      if (total <= 0) continue;
      const target = ALL_TARGETS[name];
      const s = (stats[name] = emptyStats());
      const phaseStart = Date.now();
      const limit = limitFor(name, options);
      const shards = Math.min(runners.length, total);
      const examples = options.examples ? target.examples() : [];
      const progress = setInterval(() => {
        const secs = (Date.now() - phaseStart) / 1000;
        const found =
          FINDING_KINDS.filter(k => s.counts[k])
            .map(k => `${k} ${s.counts[k]}`)
            .join(', ') || 'none';
        options.log(
          `[fuzz] ${name}: ${s.cases}/${total} cases, ${(s.cases / secs).toFixed(0)}/s; cases with findings: ${found}`,
        );
      }, options.progressEveryMs);
      progress.unref();
      await Promise.all(
        Array.from({ length: shards }, async (_, shard) => {
          const runner = runners[shard] as Runner;
          const numRuns = Math.floor(total / shards) + (shard < total % shards ? 1 : 0);
          const seed = shardSeed(options.seed, name, shard);
          const withExamples = shard === 0 && examples.length > 0;
          const record = (f: Finding, i: number, value: unknown, input: CaseInput, fromExample: boolean): void => {
            let r = records.get(f.signature);
            if (!r) {
              r = {
                kind: f.kind,
                signature: f.signature,
                target: name,
                message: f.message,
                ...(f.detail !== undefined ? { detail: f.detail } : {}),
                cases: 0,
                randomCases: 0,
                first: { seed, path: String(i), numRuns, examples: withExamples, value, input, fromExample },
              };
              records.set(f.signature, r);
              options.log(
                `[fuzz] new finding (${name}, ${f.kind}${fromExample ? ', known-hostile seed' : ''}): ${f.message.slice(0, 240)}`,
              );
            }
            r.cases++;
            if (!fromExample) r.randomCases++;
          };
          let index = 0;
          let previous: { i: number; value: unknown; input: CaseInput; fromExample: boolean } | undefined;
          const details = await fc.check(
            fc.asyncProperty(target.arbitrary, async value => {
              const i = index++;
              const fromExample = withExamples && i < examples.length;
              let input: CaseInput;
              let findings: Finding[];
              try {
                input = target.materialize(value);
                let outcome = await runner.run(input, runnerOptions, limit + KILL_SLACK_MS);
                findings = outcomeFindings(name, outcome, options);
                if (findings.some(f => f.kind === 'hang')) {
                  // A hang must happen again: a case that waited seconds without using the CPU and then
                  // runs in time is the machine stalling (disk writeback, scheduling), not our code. A
                  // blocking read (a FIFO, a device) hangs every time.
                  const retry = await runner.run(input, runnerOptions, limit + KILL_SLACK_MS);
                  const again = outcomeFindings(name, retry, options);
                  if (!again.some(f => f.kind === 'hang')) {
                    const note =
                      'hang not confirmed by an immediate rerun (the machine stalled; counted once here, not as a hang)';
                    s.notes[note] = (s.notes[note] ?? 0) + 1;
                    options.log(
                      `[fuzz] ${name}: ${findings.find(f => f.kind === 'hang')?.message.slice(0, 160)} — not ` +
                        `again on a rerun (${Math.round(retry.result?.elapsedMs ?? retry.wallMs)} ms): not counted ` +
                        `as a hang`,
                    );
                    outcome = retry;
                    findings = again;
                  }
                }
                const late = runner.takeLateDeath();
                if (late && previous) {
                  // The runner died after the previous case had answered: that case's finding.
                  const [death] = outcomeFindings(name, { died: late, wallMs: 0 }, options);
                  if (death) {
                    s.counts[death.kind]++;
                    record(death, previous.i, previous.value, previous.input, previous.fromExample);
                  }
                }
                s.busyMs += outcome.result?.elapsedMs ?? outcome.wallMs;
                for (const note of outcome.result?.notes ?? []) s.notes[note] = (s.notes[note] ?? 0) + 1;
              } catch (e) {
                // The fuzzer's own failure (it could not build the case): reported, never hidden.
                input = { target: 'template-parser', text: '' };
                findings = [
                  {
                    kind: 'crash',
                    signature: `crash:${name}:fuzz harness:${String(e)}`,
                    message: `the fuzzer failed on this case: ${String(e)}`,
                    detail: (e as Error).stack ?? '',
                  },
                ];
              }
              s.cases++;
              for (const kind of new Set(findings.map(f => f.kind))) s.counts[kind]++;
              const seen = new Set<string>();
              for (const f of findings) {
                if (seen.has(f.signature)) continue;
                seen.add(f.signature);
                record(f, i, value, input, fromExample);
              }
              previous = { i, value, input, fromExample };
              return true;
            }),
            { seed, numRuns, examples: withExamples ? examples.map(e => [e] as [unknown]) : [], endOnFailure: true },
          );
          // The property always holds (findings are counted, not thrown): a failure is the harness's.
          if (details.failed)
            throw new Error(`the fuzz harness failed on ${name} (seed ${seed}): ${String(details.errorInstance)}`);
        }),
      );
      clearInterval(progress);
      s.wallMs = Date.now() - phaseStart;
      const found =
        FINDING_KINDS.filter(k => s.counts[k])
          .map(k => `${k} ${s.counts[k]}`)
          .join(', ') || 'none';
      options.log(
        `[fuzz] ${name}: ${s.cases} cases in ${(s.wallMs / 1000).toFixed(1)} s; cases with findings: ${found}`,
      );
    }

    const findings = [...records.values()];
    if (options.shrink && findings.length) await shrinkAll(findings, runners, options, runnerOptions);
    return { seed: options.seed, stats, findings, notes, elapsedMs: Date.now() - started };
  } finally {
    for (const r of runners) r.dispose();
  }
}

// --- shrinking ----------------------------------------------------------------------------------

// Hangs last: each try of a hang takes seconds, the others milliseconds.
const KIND_ORDER: FindingKind[] = ['crash', 'template', 'range', 'incremental', 'hang'];

async function shrinkAll(
  findings: FindingRecord[],
  runners: Runner[],
  options: FuzzOptions,
  runnerOptions: RunnerOptions,
): Promise<void> {
  const queue = [...findings].sort(
    (a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || b.cases - a.cases,
  );
  const deadline = Date.now() + options.shrinkBudgetMs;
  options.log(
    `[fuzz] shrinking ${queue.length} distinct finding(s) (at most ${Math.round(options.shrinkBudgetMs / 1000)} s)…`,
  );
  await Promise.all(
    runners.map(async runner => {
      for (;;) {
        const record = queue.shift();
        if (!record) return;
        const remaining = deadline - Date.now();
        if (remaining < 1000) {
          options.log(`[fuzz] no time left to shrink: ${record.signature}`);
          continue;
        }
        const budget = Math.min(remaining, record.kind === 'hang' ? 120_000 : 30_000);
        try {
          record.minimal = await shrinkOne(record, runner, options, runnerOptions, Date.now() + budget);
          options.log(
            `[fuzz] shrunk (${record.minimal.shrinks} fast-check steps, ${record.minimal.reduced} lines/files removed): ${record.signature.slice(0, 160)}`,
          );
        } catch (e) {
          options.log(`[fuzz] could not shrink ${record.signature}: ${String(e)}`);
        }
      }
    }),
  );
}

async function shrinkOne(
  record: FindingRecord,
  runner: Runner,
  options: FuzzOptions,
  runnerOptions: RunnerOptions,
  deadline: number,
): Promise<Minimal> {
  const target = ALL_TARGETS[record.target];
  // A hang shrinks toward the time limit, where it stops reproducing reliably: while shrinking, a
  // candidate must take 1.5 times the limit, so that the minimal case is well over it.
  const strict = record.kind === 'hang';
  const shrinking = strict ? { ...options, hangMs: options.hangMs * 1.5 } : options;
  const stage = (signature: string) => signature.split(':').slice(2).join(':');
  const matches = (f: Finding) =>
    f.signature === record.signature ||
    (strict &&
      f.kind === 'hang' &&
      (stage(f.signature) === stage(record.signature) ||
        f.signature.endsWith(':finished late') ||
        record.signature.endsWith(':finished late')));
  const reproduce = async (
    input: CaseInput,
    limits: Pick<FuzzOptions, 'hangMs' | 'renderTimeoutMs'>,
  ): Promise<Finding | undefined> => {
    const outcome = await runner.run(input, runnerOptions, limitFor(record.target, limits) + KILL_SLACK_MS);
    return outcomeFindings(record.target, outcome, limits).find(matches);
  };
  const examples = record.first.examples && options.examples ? target.examples().map(e => [e] as [unknown]) : [];
  const details = await fc.check(
    fc.asyncProperty(target.arbitrary, async value => {
      if (Date.now() > deadline) return true; // out of time: keep the smallest case so far
      let input: CaseInput;
      try {
        input = target.materialize(value);
      } catch {
        return true;
      }
      return (await reproduce(input, shrinking)) === undefined;
    }),
    { seed: record.first.seed, path: record.first.path, numRuns: record.first.numRuns, examples },
  );
  let input = record.first.input;
  let shrinks = 0;
  const reproducedOnReplay = details.failed && !!details.counterexample;
  if (reproducedOnReplay) {
    input = target.materialize(details.counterexample![0]);
    shrinks = details.numShrinks;
  }
  const reduced = await reduceLines(
    input,
    async candidate => Date.now() < deadline && (await reproduce(candidate, shrinking)) !== undefined,
  );
  // The minimal case, confirmed under the campaign's own limits (twice, for timing).
  for (const [candidate, removed] of [
    [reduced.input, reduced.removed],
    [input, 0],
    [record.first.input, 0],
  ] as const) {
    for (let attempt = 0; attempt < 2; attempt++) {
      const finding = await reproduce(candidate, options);
      if (finding)
        return {
          input: candidate,
          finding,
          shrinks: candidate === record.first.input ? 0 : shrinks,
          reduced: removed,
          reproducedOnReplay,
        };
    }
  }
  return {
    input,
    finding: {
      kind: record.kind,
      signature: record.signature,
      message: `${record.message} (not reproduced when replayed: flaky?)`,
    },
    shrinks,
    reduced: 0,
    reproducedOnReplay,
  };
}

/** Removes files, then repetitions, then chunks of lines, as long as the finding stays (delta debugging, bounded by `still`'s deadline). */
async function reduceLines(
  input: CaseInput,
  still: (input: CaseInput) => Promise<boolean>,
): Promise<{ input: CaseInput; removed: number }> {
  let removed = 0;
  let current = input;
  for (const slot of textSlots(input)) {
    if (slot.removable) {
      const candidate = slot.set(current, undefined);
      if (await still(candidate)) {
        current = candidate;
        removed++;
        continue;
      }
    }
    // First the longest run of a repeated unit ('../' × 80000): the fewest repetitions that still
    // reproduce, found by bisection (to 5%).
    for (let round = 0; round < 3; round++) {
      const text = slot.get(current) ?? '';
      let best: { start: number; unit: string; count: number } | undefined;
      for (const m of text.matchAll(/([\s\S]{1,16}?)\1{15,}/g)) {
        const unit = m[1] as string;
        if (!best || m[0].length > best.unit.length * best.count)
          best = { start: m.index, unit, count: m[0].length / unit.length };
      }
      if (!best) break;
      const run = best;
      const build = (n: number) =>
        slot.set(
          current,
          text.slice(0, run.start) + run.unit.repeat(n) + text.slice(run.start + run.unit.length * run.count),
        );
      let hi = run.count;
      let lo = 0;
      while (hi - lo > Math.max(1, Math.floor(hi / 20))) {
        const mid = Math.floor((lo + hi) / 2);
        if (await still(build(mid))) hi = mid;
        else lo = mid;
      }
      if (hi === run.count) break;
      current = build(hi);
      removed++;
    }
    // Then chunks of lines, halving the chunk size.
    let lines = (slot.get(current) ?? '').split('\n');
    if (lines.length < 2) continue;
    for (let chunk = Math.ceil(lines.length / 2); chunk >= 1; chunk = chunk === 1 ? 0 : Math.ceil(chunk / 2)) {
      for (let i = 0; i < lines.length;) {
        const candidateLines = [...lines.slice(0, i), ...lines.slice(i + chunk)];
        const candidate = slot.set(current, candidateLines.join('\n'));
        if (candidateLines.length < lines.length && (await still(candidate))) {
          current = candidate;
          removed += lines.length - candidateLines.length;
          lines = candidateLines;
        } else i += chunk;
      }
    }
  }
  return { input: current, removed };
}

interface TextSlot {
  removable: boolean;
  get(input: CaseInput): string | undefined;
  set(input: CaseInput, text: string | undefined): CaseInput;
}

function textSlots(input: CaseInput): TextSlot[] {
  switch (input.target) {
    case 'metadata':
    case 'adf':
    case 'cli': {
      const names = Object.keys(input.files).filter(f => typeof input.files[f] === 'string');
      // Other files first (dropping them is cheap), lakehouse.yaml last.
      names.sort((a, b) => Number(a === 'lakehouse.yaml') - Number(b === 'lakehouse.yaml'));
      return names.map(name => ({
        removable: name !== 'lakehouse.yaml' || input.target === 'cli',
        get: i => ('files' in i ? (i.files[name] as string | undefined) : undefined),
        set: (i, text) => {
          const files = { ...(i as typeof input).files };
          if (text === undefined) delete files[name];
          else files[name] = text;
          return { ...(i as typeof input), files };
        },
      }));
    }
    case 'templates':
      return [
        ...Object.keys(input.snippets).map(name => ({
          removable: true,
          get: (i: CaseInput) => (i as typeof input).snippets[name],
          set: (i: CaseInput, text: string | undefined) => {
            const snippets = { ...(i as typeof input).snippets };
            if (text === undefined) delete snippets[name];
            else snippets[name] = text;
            return { ...(i as typeof input), snippets };
          },
        })),
        {
          removable: false,
          get: (i: CaseInput) => (i as typeof input).main,
          set: (i: CaseInput, text: string | undefined) => ({ ...(i as typeof input), main: text ?? '' }),
        },
      ];
    case 'template-parser':
      return [
        {
          removable: false,
          get: i => (i as typeof input).text,
          set: (i, text) => ({ ...(i as typeof input), text: text ?? '' }),
        },
      ];
    case 'incremental':
      return []; // edits are offsets into the text: removing lines would move them
  }
}
