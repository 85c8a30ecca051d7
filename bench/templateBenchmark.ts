// Render time of our renderer vs raw nunjucks (the issue's target: at most 1.5x) over a set of
// templates, for `npm run bench`. Only templates both engines render are timed. It lives in bench/,
// not src/: nunjucks is a devDependency, and the product never loads it.
import * as fs from 'fs';
import * as path from 'path';
import * as nunjucks from 'nunjucks';
import { createTemplateEnvironment } from '../src/core/templates/environment';
import { parsePythonJson } from '../src/core/templates/pythonJson';
import { fromJs, type PyValue } from '../src/core/templates/pyValue';

export interface BenchCase {
  id: string;
  file: string;
  searchPaths: string[];
  projectRoot: string;
  context?: string;
}

export interface BenchResult {
  cases: number;
  iterations: number;
  oursMs: number;
  nunjucksMs: number;
  /** ours / nunjucks: below 1 means faster. */
  ratio: number;
}

export function benchmarkAgainstNunjucks(cases: BenchCase[], iterations = 200): BenchResult {
  const timed: { run: () => void; runNunjucks: () => void }[] = [];
  for (const testCase of cases) {
    const ours = createTemplateEnvironment({ searchPaths: testCase.searchPaths, projectRoot: testCase.projectRoot });
    const raw = new nunjucks.Environment(new nunjucks.FileSystemLoader(testCase.searchPaths), { autoescape: false });
    const pyContext = testCase.context
      ? (parsePythonJson(testCase.context) as Map<string, PyValue>)
      : new Map<string, PyValue>();
    const jsContext = testCase.context ? (JSON.parse(testCase.context) as Record<string, unknown>) : {};
    const name = path.relative(testCase.searchPaths[0]!, testCase.file);
    // Ours first: the corpus holds templates our resource caps refuse (range(10**8)|list…), which raw
    // nunjucks, without caps, would render until the process dies.
    const first = ours.renderFile(testCase.file, pyContext);
    if (!first.ok) continue;
    try {
      raw.render(name, jsContext);
    } catch {
      continue;
    }
    timed.push({
      run: () => ours.renderFile(testCase.file, pyContext),
      runNunjucks: () => raw.render(name, jsContext),
    });
  }
  const time = (action: () => void) => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) action();
    return Number(process.hrtime.bigint() - start) / 1e6;
  };
  // Warm both up, then alternate to even out JIT and GC effects.
  for (const t of timed) {
    time(t.run);
    time(t.runNunjucks);
  }
  let oursMs = 0,
    nunjucksMs = 0;
  for (const t of timed) {
    oursMs += time(t.run);
    nunjucksMs += time(t.runNunjucks);
  }
  return { cases: timed.length, iterations, oursMs, nunjucksMs, ratio: oursMs / nunjucksMs };
}

/** Reads a corpus folder laid out like test/templates-corpus (cases/*.j2 + optional .json). */
export function loadBenchCorpus(corpusRoot: string): BenchCase[] {
  const casesDir = path.join(corpusRoot, 'cases');
  return fs
    .readdirSync(casesDir)
    .filter(f => f.endsWith('.j2'))
    .sort()
    .map(f => {
      const contextFile = path.join(casesDir, f.replace(/\.j2$/, '.json'));
      return {
        id: f.slice(0, -3),
        file: path.join(casesDir, f),
        searchPaths: [casesDir, path.join(corpusRoot, 'templates')],
        projectRoot: corpusRoot,
        ...(fs.existsSync(contextFile) ? { context: fs.readFileSync(contextFile, 'utf8') } : {}),
      };
    });
}

export { fromJs };
