// The Python the tests use. `npm test` provisions the project's venv (scripts/provision-python.mjs)
// and names it in LAKEHOUSE_PYTHON: there, a missing Jinja2 is a failure of the run, not a reason
// to skip. Run on their own (node --test) without it, the tests skip and say why.
import type { TestContext } from 'node:test';
import { checkJinja2, defaultPython, type Jinja2Availability } from '../../../src/core/templates/jinja2Oracle';

export const PYTHON = defaultPython();
/** Set by `npm test`, which installs the pinned packages itself. */
export const PYTHON_PROVISIONED = !!process.env.LAKEHOUSE_PYTHON;
export const NO_PYTHON_ENV =
  'Python test environment not provisioned (npm test installs it: node scripts/provision-python.mjs)';

let cached: Jinja2Availability | undefined;
export function jinja2(): Jinja2Availability {
  return (cached ??= checkJinja2(PYTHON));
}

/**
 * True when Jinja2 is there. Otherwise skips the test (returns false), or throws when `npm test`
 * promised a provisioned Python.
 */
export function needJinja2(t: TestContext): boolean {
  const availability = jinja2();
  if (availability.available) return true;
  if (PYTHON_PROVISIONED)
    throw new Error(`LAKEHOUSE_PYTHON=${PYTHON} should have Jinja2: ${availability.reason ?? ''}`);
  t.skip(`${NO_PYTHON_ENV}; ${availability.reason ?? ''}`);
  return false;
}
