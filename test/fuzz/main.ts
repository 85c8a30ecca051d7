// `npm run fuzz`: the long campaign (100,000 cases by default), with progress, a summary per
// target, and a minimal reproduction per distinct finding in test-output/fuzz/. Exit 1 when any
// property failed on any case.
//
//   npm run fuzz -- [--cases=N] [--seed=S] [--jobs=J] [--targets=metadata,adf,…] [--no-shrink]
//                   [--shrink-budget=SECONDS] [--render-timeout-ms=MS] [--hang-ms=MS] [--out=DIR]
//                   [--no-examples]
//   npm run fuzz -- --replay=test-output/fuzz/crash-1.txt
import * as os from 'os';
import * as path from 'path';
import { DEFAULT_OPTIONS, limitFor, outcomeFindings, runFuzz, type FuzzOptions } from './campaign';
import { Runner } from './pool';
import { findingList, readReproduction, summaryTable, totalFindings, writeFindings, describeInput } from './report';
import { TARGETS, type TargetName } from './types';

/**
 * Share of the cases per target: metadata and ADF, where most of the product is, get most; the
 * incremental and CLI cases cost 3 to 5 times more each (several loads, files on disk).
 */
export const WEIGHTS: Record<TargetName, number> = {
  metadata: 32,
  incremental: 6,
  adf: 20,
  cli: 2.5,
  templates: 20,
  'template-parser': 19.5,
};

export function distribute(total: number, targets: readonly TargetName[]): Partial<Record<TargetName, number>> {
  const sum = targets.reduce((n, t) => n + WEIGHTS[t], 0);
  const out: Partial<Record<TargetName, number>> = {};
  let given = 0;
  targets.forEach((t, i) => {
    const n = i === targets.length - 1 ? total - given : Math.round((total * WEIGHTS[t]) / sum);
    out[t] = n;
    given += n;
  });
  return out;
}

function option(args: string[], name: string): string | undefined {
  const prefix = `--${name}=`;
  return args.find(a => a.startsWith(prefix))?.slice(prefix.length);
}

function numberOption(args: string[], name: string, fallback: number): number {
  const raw = option(args, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, not '${raw}'`);
  return n;
}

async function replay(file: string, args: string[]): Promise<number> {
  const input = readReproduction(file);
  const options = {
    hangMs: numberOption(args, 'hang-ms', DEFAULT_OPTIONS.hangMs),
    renderTimeoutMs: numberOption(args, 'render-timeout-ms', DEFAULT_OPTIONS.renderTimeoutMs),
  };
  console.log(`replaying ${file} (${input.target}):\n${describeInput(input)}\n`);
  const runner = new Runner();
  try {
    const outcome = await runner.run(
      input,
      { renderTimeoutMs: options.renderTimeoutMs },
      limitFor(input.target, options) + 300,
    );
    const findings = outcomeFindings(input.target, outcome, options);
    console.log(`${Math.round(outcome.wallMs)} ms; ${findings.length} finding(s)`);
    for (const f of findings)
      console.log(
        `- [${f.kind}] ${f.message}\n  ${f.signature}${
          f.detail
            ? `\n${f.detail
                .split('\n')
                .map(l => `    ${l}`)
                .join('\n')}`
            : ''
        }`,
      );
    return findings.length ? 1 : 0;
  } finally {
    runner.dispose();
  }
}

async function mainFuzz(args: string[]): Promise<number> {
  const replayFile = option(args, 'replay');
  if (replayFile) return replay(replayFile, args);
  const targets = (option(args, 'targets') ?? option(args, 'target'))?.split(',').map(t => t.trim()) ?? [...TARGETS];
  for (const t of targets)
    if (!TARGETS.includes(t as TargetName)) throw new Error(`unknown target '${t}' (targets: ${TARGETS.join(', ')})`);
  const total = numberOption(args, 'cases', 100_000);
  const seed = numberOption(args, 'seed', Date.now() % 2 ** 31) | 0;
  const jobs = numberOption(args, 'jobs', Math.max(1, Math.min(2, os.availableParallelism?.() ?? os.cpus().length)));
  const outDir = path.resolve(option(args, 'out') ?? path.join('test-output', 'fuzz'));
  const options: FuzzOptions = {
    ...DEFAULT_OPTIONS,
    seed,
    cases: distribute(total, targets as TargetName[]),
    jobs,
    hangMs: numberOption(args, 'hang-ms', DEFAULT_OPTIONS.hangMs),
    renderTimeoutMs: numberOption(args, 'render-timeout-ms', DEFAULT_OPTIONS.renderTimeoutMs),
    shrink: !args.includes('--no-shrink'),
    shrinkBudgetMs: numberOption(args, 'shrink-budget', DEFAULT_OPTIONS.shrinkBudgetMs / 1000) * 1000,
    examples: !args.includes('--no-examples'),
    log: line => console.log(line),
  };
  console.log(
    `fuzz: seed ${seed} (replay this campaign with --seed=${seed} --cases=${total}), ${total} cases over ${targets.join(', ')}, ${jobs} runner process(es)`,
  );
  console.log(
    `fuzz: a case over ${options.hangMs} ms is a hang when an immediate rerun is over it too ` +
      `(template renders: over the renderer's ${options.renderTimeoutMs} ms limit + ` +
      `${options.hangMs} ms); findings go to ${path.relative(process.cwd(), outDir) || outDir}/`,
  );
  const report = await runFuzz(options);
  const files = writeFindings(report, outDir);
  console.log(`\n${summaryTable(report)}\n`);
  for (const [t, s] of Object.entries(report.stats)) {
    const notes = Object.entries(s?.notes ?? {})
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    if (notes) console.log(`  ${t}: ${notes}`);
  }
  console.log(`\n${report.findings.length} distinct finding(s)${report.findings.length ? ':' : '.'}`);
  if (report.findings.length) console.log(findingList(report, files));
  const n = totalFindings(report);
  const outcome = n === 0 ? 'every property held on every case' : `${n} finding(s) in all (cases × kinds)`;
  console.log(`\nfuzz: ${outcome}; seed ${seed}; ${(report.elapsedMs / 1000).toFixed(0)} s`);
  return n === 0 ? 0 : 1;
}

mainFuzz(process.argv.slice(2)).then(
  code => process.exit(code),
  error => {
    console.error(`fuzz: ${(error as Error)?.stack ?? String(error)}`);
    process.exit(2);
  },
);
