// Rendering off the main thread: runaway templates are stopped with a clear 'timeout' error.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as os from 'os';
import * as path from 'path';
import { renderInWorker, WorkerRenderer } from '../../../src/core/templates/renderInWorker';

// Tests run the tsc output, where worker.js sits beside renderInWorker.js.
const workerPath = path.join(__dirname, '..', '..', '..', 'src', 'core', 'templates', 'worker.js');
const environment = { searchPaths: [os.tmpdir()], projectRoot: os.tmpdir() };
/** Ten billion iterations: ranges stop at 100,000 items (Jinja2's sandbox MAX_RANGE), loops in loops do not. */
const NEVER_ENDS = '{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}';

test('a loop that never ends is stopped with a timeout error', async () => {
  const started = Date.now();
  const result = await renderInWorker({ environment, text: NEVER_ENDS }, { timeoutMs: 500, workerPath });
  assert.equal(result.ok, false);
  assert.equal(!result.ok && result.error.kind, 'timeout');
  assert.equal(
    !result.ok && result.error.message,
    'rendering took longer than 500 ms: a loop that never ends or a recursive macro?',
  );
  assert.ok(Date.now() - started < 5000);
});

test("a macro that calls itself without end fails fast, like Python's RecursionError", async () => {
  const result = await renderInWorker(
    { environment, text: '{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(0) }}' },
    { timeoutMs: 5000, workerPath },
  );
  assert.equal(result.ok, false);
  assert.equal(!result.ok && result.error.kind, 'runtime');
  assert.match(!result.ok ? result.error.message : '', /recursion/);
});

test('a reusable worker renders with Python JSON contexts and recovers after a timeout', async () => {
  const renderer = new WorkerRenderer({ timeoutMs: 400, workerPath });
  try {
    assert.deepEqual(
      await renderer.render({ environment, text: '{{ x }} {{ y }}', contextJson: '{"x": 2.0, "y": [1, null]}' }),
      { ok: true, text: '2.0 [1, None]' },
    );
    const stuck = await renderer.render({ environment, text: NEVER_ENDS });
    assert.equal(!stuck.ok && stuck.error.kind, 'timeout');
    assert.deepEqual(await renderer.render({ environment, text: 'still {{ "ok" }}' }), { ok: true, text: 'still ok' });
  } finally {
    renderer.dispose();
  }
});
