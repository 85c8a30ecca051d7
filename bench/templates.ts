// The templates figures of `npm run bench` (the worker's `templates` command; see bench/bench.ts):
//   - our render time vs raw nunjucks over the corpus (test/templates-corpus), with
//     benchmarkAgainstNunjucks (bench/templateBenchmark.ts): the mean time per render over the
//     templates both engines render, repeated in rounds, median of the rounds;
//   - Python's Jinja2 in a fresh `python3` process per render (interpreter start, import jinja2,
//     Environment + FileSystemLoader, render, print), the way other editor tools preview templates,
//     timed from spawn to exit, over a sample of the corpus; and ours on the same sample.
import { spawnSync } from 'child_process';
import { benchmarkAgainstNunjucks, loadBenchCorpus, type BenchCase } from './templateBenchmark';
import { checkJinja2 } from '../src/core/templates/jinja2Oracle';
import { stats, type Stats } from './stats';

const log = (msg: string) => process.stderr.write(`    ${msg}\n`);

/** One render in a fresh process: the request (search paths, file, context as JSON) on stdin. */
const RENDER_ONE = String.raw`
import json, sys
from jinja2 import Environment, FileSystemLoader
request = json.load(sys.stdin)
env = Environment(loader=FileSystemLoader(request["searchPaths"]))
with open(request["file"], encoding="utf-8", newline="") as handle:
    source = handle.read()
context = json.loads(request["context"]) if request.get("context") else {}
sys.stdout.write(env.from_string(source).render(**context))
`;

export interface TemplatesResult {
  corpus: string;
  corpusCases: number;
  /** Templates both engines render (the only ones timed). */
  timedCases: number;
  iterations: number;
  rounds: number;
  /** Mean time per render over the timed templates, one value per round. */
  oursPerRender: Stats;
  nunjucksPerRender: Stats;
  /** ours / nunjucks: the median of the rounds' ratios (each round times both engines alternately). */
  ratio: number;
  roundRatios: number[];
  /**
   * The same over the corpus's real templates (real_*: the samples' notebooks and SQL). Most other
   * cases test Python semantics that nunjucks does not have (big ints, loop filters, repr): there
   * nunjucks renders something else, often less work (Infinity for 10**4299).
   */
  real?: { timedCases: number; oursPerRender: Stats; nunjucksPerRender: Stats; ratio: number };
  python?: {
    jinja2: string;
    templates: string[];
    repeats: number;
    /** Wall time of one `python3` process rendering one template, spawn to exit. */
    freshProcessPerRender: Stats;
    /** `python3 -c pass`: the interpreter start alone. */
    bareStartup: Stats;
    /** Ours on the same templates, in process (mean per render, median of rounds). */
    oursPerRender: number;
    /** ours / python (fresh process). */
    ratio: number;
  };
  pythonSkipped?: string;
}

function perRender(
  cases: BenchCase[],
  iterations: number,
  rounds: number,
): { ours: number[]; nunjucks: number[]; timed: number } {
  const ours: number[] = [];
  const nunjucks: number[] = [];
  let timed = 0;
  for (let i = 0; i < rounds; i++) {
    const r = benchmarkAgainstNunjucks(cases, iterations);
    timed = r.cases;
    if (!r.cases) break;
    ours.push(r.oursMs / (r.cases * r.iterations));
    nunjucks.push(r.nunjucksMs / (r.cases * r.iterations));
  }
  return { ours, nunjucks, timed };
}

/** Evenly spaced picks, deterministic. */
function sample<T>(items: T[], count: number): T[] {
  if (items.length <= count) return items;
  return Array.from({ length: count }, (_, i) => items[Math.floor((i * items.length) / count)] as T);
}

function spawnMs(python: string, args: string[], input: string): { ms: number; ok: boolean; error?: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(python, args, { input, encoding: 'utf8', timeout: 30_000, maxBuffer: 16 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ms, ok: !r.error && r.status === 0, error: r.error?.message ?? (r.stderr || '').trim().split('\n').pop() };
}

export function templates(corpusRoot: string, options: { quick: boolean; python: string }): TemplatesResult {
  const cases = loadBenchCorpus(corpusRoot);
  const iterations = options.quick ? 50 : 200;
  const rounds = options.quick ? 3 : 7;
  const corpus = perRender(cases, iterations, rounds);
  if (!corpus.timed)
    throw new Error(`templates: no template of ${corpusRoot} renders with both our renderer and nunjucks`);
  const ours = stats(corpus.ours);
  const nunjucks = stats(corpus.nunjucks);
  const roundRatios = corpus.ours.map((o, i) => o / (corpus.nunjucks[i] as number));
  log(
    `ours ${(ours.median * 1000).toFixed(1)} µs, nunjucks ` +
      `${(nunjucks.median * 1000).toFixed(1)} µs per render (${corpus.timed} of ${cases.length} ` +
      `templates, ${iterations} × ${rounds} rounds)`,
  );
  const result: TemplatesResult = {
    corpus: corpusRoot,
    corpusCases: cases.length,
    timedCases: corpus.timed,
    iterations,
    rounds,
    oursPerRender: ours,
    nunjucksPerRender: nunjucks,
    roundRatios,
    ratio: stats(roundRatios).median,
  };
  const realCases = cases.filter(c => c.id.startsWith('real_'));
  const real = realCases.length ? perRender(realCases, iterations, rounds) : undefined;
  if (real?.timed) {
    result.real = {
      timedCases: real.timed,
      oursPerRender: stats(real.ours),
      nunjucksPerRender: stats(real.nunjucks),
      ratio: stats(real.ours.map((o, i) => o / (real.nunjucks[i] as number))).median,
    };
  }

  const jinja2 = checkJinja2(options.python);
  if (!jinja2.available) {
    result.pythonSkipped = jinja2.reason ?? `${options.python} with Jinja2 is not available`;
    log(`python: skipped: ${result.pythonSkipped}`);
    return result;
  }
  // The sample: templates ours renders (and nunjucks, so that ours is timed the same way), and Jinja2 too.
  const count = options.quick ? 10 : 20;
  const repeats = options.quick ? 2 : 3;
  const renderable = cases.filter(c => benchmarkAgainstNunjucks([c], 1).cases === 1);
  const request = (c: BenchCase) =>
    JSON.stringify({ searchPaths: c.searchPaths, file: c.file, context: c.context ?? null });
  const picked: BenchCase[] = [];
  for (const c of sample(renderable, Math.min(renderable.length, count * 2))) {
    if (picked.length >= count) break;
    const first = spawnMs(options.python, ['-c', RENDER_ONE], request(c)); // also warms the OS file cache
    if (first.ok) picked.push(c);
    else log(`python: ${c.id} does not render with Jinja2 (${first.error}); not sampled`);
  }
  if (!picked.length) {
    result.pythonSkipped = 'no sampled template renders with Jinja2';
    return result;
  }
  const samples: number[] = [];
  for (let r = 0; r < repeats; r++) {
    for (const c of picked) {
      const run = spawnMs(options.python, ['-c', RENDER_ONE], request(c));
      if (!run.ok) throw new Error(`templates: python3 failed on ${c.id}: ${run.error}`);
      samples.push(run.ms);
    }
  }
  const bare: number[] = [];
  for (let i = 0; i < 10; i++) bare.push(spawnMs(options.python, ['-c', 'pass'], '').ms);
  const oursOnSample = stats(perRender(picked, iterations, rounds).ours).median;
  const fresh = stats(samples);
  log(
    `python3 + Jinja2 ${jinja2.version}, fresh process per render: ${fresh.median.toFixed(1)} ` +
      `ms median over ${picked.length} templates × ${repeats}; ours on them ` +
      `${(oursOnSample * 1000).toFixed(1)} µs`,
  );
  result.python = {
    jinja2: jinja2.version ?? '?',
    templates: picked.map(c => c.id),
    repeats,
    freshProcessPerRender: fresh,
    bareStartup: stats(bare),
    oursPerRender: oursOnSample,
    ratio: oursOnSample / fresh.median,
  };
  return result;
}
