// Resource limits: templates that would exhaust memory (a huge range, a string or list bomb, a
// width of a billion, growth through loops) fail fast with a clear error on their line, in the
// worker and in-process alike, and the process that rendered them lives on with bounded memory.
import { after, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as os from 'os';
import * as path from 'path';
import { createTemplateEnvironment, type RenderResult } from '../../../src/core/templates/environment';
import { WorkerRenderer } from '../../../src/core/templates/renderInWorker';
import { MAX_ITEMS, MAX_OUTPUT, MAX_RANGE, MAX_STRING } from '../../../src/core/templates/limits';

// Tests run the tsc output, where worker.js sits beside renderInWorker.js.
const workerPath = path.join(__dirname, '..', '..', '..', 'src', 'core', 'templates', 'worker.js');
const environment = { searchPaths: [os.tmpdir()], projectRoot: os.tmpdir() };
const NAME = 'bomb.j2';
/** Every bomb sits on line 2, after this line, so that the reported line means something. */
const FIRST_LINE = 'line one\n';

const OURS = " \\(a limit of Lakehouse Workbench's renderer\\)$";
const RANGE_TOO_BIG = /^OverflowError: Range too big\. The sandbox blocks ranges larger than MAX_RANGE \(100000\)\.$/;
const SSIZE = /^OverflowError: Python int too large to convert to C ssize_t$/;
const LIST = new RegExp(`^MemoryError: the template builds a list of more than 1,000,000 items${OURS}`);
const STRING = new RegExp(
  `^MemoryError: the template builds a string of more than 16 MB \\(16,777,216 characters\\)${OURS}`,
);
const OUTPUT = new RegExp(`^MemoryError: the rendered output is larger than 64 MB \\(67,108,864 characters\\)${OURS}`);
const INTEGER = new RegExp(`^MemoryError: the template computes an integer of more than 1,048,576 bits${OURS}`);
const HEAP = new RegExp(`^MemoryError: the template holds more than \\d+ MB of data while rendering${OURS}`);

interface Bomb {
  template: string;
  message: RegExp;
  /** The rss growth allowed (the heap backstop lets the heap grow by 256 MB before it stops a render). */
  maxRssGrowthMb?: number;
}

const BOMBS: Record<string, Bomb> = {
  // The security review's nine forms, and range(10**100)|length (1e+100 before).
  'range(10**8)|list': { template: '{{ range(10**8)|list|length }}', message: RANGE_TOO_BIG },
  'range(10**8)|sum': { template: '{{ range(10**8)|sum }}', message: RANGE_TOO_BIG },
  'range(10**8)|join': { template: '{{ range(10**8)|join(",")|length }}', message: RANGE_TOO_BIG },
  'range(10**8)|sort': { template: '{{ range(10**8)|sort|first }}', message: RANGE_TOO_BIG },
  'range(10**8)|reverse': { template: '{{ range(10**8)|reverse|first }}', message: RANGE_TOO_BIG },
  'range(10**8)|last': { template: '{{ range(10**8)|last }}', message: RANGE_TOO_BIG },
  'range(10**100)[5]': { template: '{{ range(10**100)[5] }}', message: SSIZE },
  'a range slice': { template: '{{ range(10**8)[::2]|length }}', message: RANGE_TOO_BIG },
  'batch(10**8) of a range': { template: '{{ range(10**8)|batch(3)|list|length }}', message: RANGE_TOO_BIG },
  'range(10**100)|length': { template: '{{ range(10**100)|length }}', message: SSIZE },
  'range(MAX_RANGE + 1)': { template: `{{ range(${MAX_RANGE + 1})|length }}`, message: RANGE_TOO_BIG },
  // The same filters over lists within MAX_RANGE but past MAX_ITEMS.
  'batch(10**8) padding a short list': { template: "{{ range(3)|batch(10**8, 'x')|list }}", message: LIST },
  'list * n': { template: '{{ ((range(100000)|list) * 11)|length }}', message: LIST },
  'list + list': { template: '{% set l = (range(100000)|list) * 10 %}{{ (l + [1])|length }}', message: LIST },
  'list * 10**100': {
    template: '{{ [1] * 10**100 }}',
    message: /^OverflowError: cannot fit 'int' into an index-sized integer$/,
  },
  'list doubling in a loop': {
    template:
      '{% set ns = namespace(l=[1]) %}{% for i in range(40) %}{% set ns.l = ns.l + ns.l %}{% endfor %}{{ ns.l|length }}',
    message: LIST,
  },
  'list.append past the limit': {
    template: '{% set l = (range(100000)|list) * 10 %}{% if l.append(1) %}{% endif %}',
    message: LIST,
  },
  'list.extend past the limit': {
    template: '{% set l = (range(100000)|list) * 6 %}{% if l.extend(l) %}{% endif %}',
    message: LIST,
  },
  'a string|list past the limit': { template: "{{ ('x' * 2000000)|list|length }}", message: LIST },
  'str.split past the limit': { template: "{{ ('x' * 2000000).split('x')|length }}", message: LIST },
  // Width and string bombs.
  "'x'|center(10**9)": { template: "{{ 'x'|center(10**9) }}", message: STRING },
  "'a' * 10**9": { template: "{{ 'a' * 10**9 }}", message: STRING },
  "'%*s'|format(10**9, 'x')": { template: "{{ '%*s'|format(10**9, 'x') }}", message: STRING },
  "'%.1000000000f'|format(1.0)": { template: "{{ '%.1000000000f'|format(1.0) }}", message: STRING },
  "'{:>1000000000}'.format('x')": { template: "{{ '{:>1000000000}'.format('x') }}", message: STRING },
  'indent(width=10**9)': { template: "{{ 'a\\nb'|indent(width=10**9) }}", message: STRING },
  'ljust / zfill': { template: "{{ 'x'.ljust(10**9) }}{{ 'x'.zfill(10**9) }}", message: STRING },
  'tojson(indent=10**9)': { template: '{{ [1]|tojson(indent=10**9) }}', message: STRING },
  "'x' * 10**5 * 10**5": { template: "{{ ('x' * 10**5) * 10**5 }}", message: STRING },
  'string doubling through ~ in a loop': {
    template:
      "{% set ns = namespace(s='x' * 10**5) %}{% for i in range(1000) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}",
    message: STRING,
  },
  'string doubling through + in a loop': {
    template: "{% set ns = namespace(s='ab') %}{% for i in range(100) %}{% set ns.s = ns.s + ns.s %}{% endfor %}",
    message: STRING,
  },
  'join of 10**5 strings of 10**5': { template: "{{ (['x' * 10**5] * 10**5)|join }}", message: STRING },
  'replace growing a string': { template: "{{ ('a ' * 8000000)|replace(' ', '__')|length }}", message: STRING },
  'repr of a list of big strings': { template: "{{ ['x' * 10**7] * 3 }}", message: STRING },
  'a macro output through a loop': {
    template: "{% macro m() %}{% for i in range(100000) %}{{ 'x' * 1000 }}{% endfor %}{% endmacro %}{{ m()|length }}",
    message: STRING,
  },
  'the total output': { template: "{% for i in range(100000) %}{{ 'x' * 10**6 }}{% endfor %}", message: OUTPUT },
  'the total output, in many small pieces': {
    template: `{% for i in range(100000) %}{% for j in range(100000) %}${'x'.repeat(1000)}{% endfor %}{% endfor %}`,
    message: OUTPUT,
  },
  // Integers, recursion and the heap backstop.
  'an integer squared in a loop': {
    template:
      '{% set ns = namespace(x=2**100000) %}{% for i in range(30) %}{% set ns.x = ns.x * ns.x %}{% endfor %}{{ ns.x > 0 }}',
    message: INTEGER,
  },
  'printing an int of more than 4300 digits': {
    template: '{{ 10**5000 }}',
    message:
      /^ValueError: Exceeds the limit \(4300 digits\) for integer string conversion; use sys\.set_int_max_str_digits\(\) to increase the limit$/,
  },
  'a macro that calls itself': {
    template: '{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(0) }}',
    message: /^maximum recursion depth exceeded: more than 300 nested/,
  },
  'a list nested 100,000 deep': {
    template: '{% set ns = namespace(l=[]) %}{% for i in range(100000) %}{% set ns.l = [ns.l] %}{% endfor %}{{ ns.l }}',
    message: /^maximum recursion depth exceeded/,
  },
  'many values each within the limits': {
    template:
      "{% set keep = [] %}{% for i in range(100000) %}{% if keep.append(('x' * 10**6 ~ i)|upper) %}{% endif %}{% endfor %}",
    message: HEAP,
    maxRssGrowthMb: 400,
  },
};

function assertStopped(result: RenderResult, bomb: Bomb, context: string): void {
  assert.equal(result.ok, false, `${context} rendered`);
  if (result.ok) return;
  assert.match(result.error.message, bomb.message, `${context}: ${JSON.stringify(result.error)}`);
  assert.equal(result.error.kind, 'runtime', context);
  assert.equal(result.error.file, NAME, `${context}: ${JSON.stringify(result.error)}`);
  assert.equal(result.error.line, 2, `${context}: ${JSON.stringify(result.error)}`);
}

async function measured<T>(action: () => T | Promise<T>): Promise<{ value: T; ms: number; rssGrowthMb: number }> {
  const rss = process.memoryUsage().rss;
  const started = Date.now();
  const value = await action();
  return { value, ms: Date.now() - started, rssGrowthMb: (process.memoryUsage().rss - rss) / 1048576 };
}

/**
 * A hang detector, not a benchmark: each stops in well under a second alone, but the unit tier
 * runs two files at a time on two cores, so the bound leaves room for a loaded machine.
 */
const HANG_MS = 10_000;

const renderer = new WorkerRenderer({ timeoutMs: 10000, workerPath });
after(() => renderer.dispose());

for (const [name, bomb] of Object.entries(BOMBS)) {
  const text = FIRST_LINE + bomb.template;
  const maxGrowth = bomb.maxRssGrowthMb ?? 300;

  test(`limit, in-process: ${name}`, async () => {
    const env = createTemplateEnvironment(environment);
    const { value, ms, rssGrowthMb } = await measured(() => env.renderString(text, {}, NAME));
    assertStopped(value, bomb, 'in-process');
    assert.ok(ms < HANG_MS, `took ${ms} ms`);
    assert.ok(rssGrowthMb < maxGrowth, `rss grew by ${rssGrowthMb.toFixed(0)} MB`);
  });

  test(`limit, in the worker: ${name}`, async () => {
    const { value, ms, rssGrowthMb } = await measured(() => renderer.render({ environment, text, name: NAME }));
    assertStopped(value, bomb, 'in the worker');
    assert.ok(ms < HANG_MS, `took ${ms} ms`);
    assert.ok(rssGrowthMb < maxGrowth, `rss grew by ${rssGrowthMb.toFixed(0)} MB`);
    // The same worker lives on and renders the next template.
    assert.deepEqual(await renderer.render({ environment, text: 'still {{ "alive" }}' }), {
      ok: true,
      text: 'still alive',
    });
  });
}

test('the limits are generous: values just within them render', () => {
  const env = createTemplateEnvironment(environment);
  const render = (text: string) => env.renderString(text, {}, NAME);
  assert.deepEqual(
    render(
      `{{ range(${MAX_RANGE})|length }} {{ range(0, ${2 * MAX_RANGE}, 2)|last }} {{ range(${MAX_RANGE}, 0, -1)|first }}`,
    ),
    { ok: true, text: `${MAX_RANGE} ${2 * MAX_RANGE - 2} ${MAX_RANGE}` },
  );
  assert.deepEqual(render(`{{ ((range(100000)|list) * ${MAX_ITEMS / 100000})|length }}`), {
    ok: true,
    text: String(MAX_ITEMS),
  });
  assert.deepEqual(render(`{{ ('x' * ${MAX_STRING})|length }} {{ ('x' * ${MAX_STRING - 1} ~ 'y')|length }}`), {
    ok: true,
    text: `${MAX_STRING} ${MAX_STRING}`,
  });
  assert.equal(render(`{{ 'x' * ${MAX_STRING + 1} }}`).ok, false);
  const output = render("{% for i in range(40) %}{{ 'x' * 1000000 }}{% endfor %}");
  assert.ok(output.ok && output.text.length === 40_000_000 && output.text.length < MAX_OUTPUT);
  // A big notebook built in a macro and indented: within MAX_STRING.
  const notebook = render(
    '{% macro body() %}{% for i in range(100000) %}print({{ i }})\n{% endfor %}{% endmacro %}{{ body()|indent(4)|length }}',
  );
  assert.ok(notebook.ok && Number(notebook.text) > 1_000_000, JSON.stringify(notebook).slice(0, 200));
});

test('per-character work on strings near the limit stays within memory and time', async () => {
  const env = createTemplateEnvironment(environment);
  const big = "{% set s = '中é 😀x' * 2500000 %}"; // 15 million UTF-16 units
  for (const expression of [
    's|reverse',
    's[::-1]',
    's[::3]',
    's[5:-5]',
    's|title',
    's|capitalize',
    's.swapcase()',
    's|truncate(10**7)',
    's.count("é")',
    's.find("y")',
    "s.strip('中')",
    's|wordcount',
    's|striptags',
    's|urlencode',
    's|e',
    's|tojson',
    's|sql_str',
    's|one_line',
    's.replace("x", "y")',
    's|indent(2)',
    's[-1]',
    's[10000000]',
  ]) {
    const { value, ms, rssGrowthMb } = await measured(() =>
      env.renderString(`${big}{{ (${expression})|string|length }}`, {}, NAME),
    );
    assert.ok(
      value.ok || /^MemoryError/.test(value.error.message),
      `${expression}: ${JSON.stringify(value).slice(0, 300)}`,
    );
    assert.ok(ms < 2 * HANG_MS, `${expression} took ${ms} ms`);
    assert.ok(rssGrowthMb < 300, `${expression}: rss grew by ${rssGrowthMb.toFixed(0)} MB`);
  }
});
