// The last line of `npm test`: what ran, what did not and why, never a line that reads like
// success when a tier could not run.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  failureReason,
  mochaCounts,
  nodeTestCounts,
  SHARED_MISSING,
  skipReasons,
  summarize,
} from '../../scripts/test-summary.mjs';

describe('npm test summary line', () => {
  it('all ran and passed: exit 0, nothing else said', () => {
    assert.deepEqual(summarize({ passed: 490, failed: 0, skipped: 0 }), {
      line: 'tests: 490 passed, 0 failed',
      code: 0,
    });
  });

  it('a tier that could not run is named with its reason, and the run fails', () => {
    const { line, code } = summarize({
      passed: 478,
      failed: 0,
      skipped: 0,
      notRun: [
        {
          tier: 'end-to-end',
          reason: 'the VS Code host could not be provisioned: code-server 9.9.9 cannot be installed',
        },
      ],
    });
    assert.equal(
      line,
      'tests: 478 passed, 0 failed; end-to-end NOT RUN: the VS Code host could not be provisioned: code-server 9.9.9 cannot be installed',
    );
    assert.equal(code, 1);
  });

  it('tests skipped for want of ../shared are counted and said first; other reasons follow', () => {
    const reasons = new Map([
      ['Jinja2 missing', 1],
      [SHARED_MISSING, 12],
    ]);
    const { line, code } = summarize({ passed: 470, failed: 0, skipped: 13, skipReasons: reasons });
    assert.equal(
      line,
      'tests: 470 passed, 0 failed, 13 skipped (12 need ../shared, which is not present; 1: Jinja2 missing)',
    );
    assert.equal(code, 0);
  });

  it('failures fail the run; a partial run says which tier it covered', () => {
    assert.equal(summarize({ passed: 1, failed: 2, skipped: 0 }).code, 1);
    assert.equal(
      summarize({ passed: 3, failed: 0, skipped: 0, scope: 'unit tier' }).line,
      'tests: 3 passed, 0 failed [unit tier only]',
    );
  });

  it('reads skip reasons from node --test TAP, subtests included', () => {
    const tap = [
      'TAP version 13',
      '# Subtest: adf',
      '    ok 1 - finds the loop # SKIP ../shared fixtures not present',
      '    ok 2 - counts \\# hashes # SKIP ../shared fixtures not present',
      '    ok 3 - runs',
      'ok 1 - adf',
      'ok 2 - bare # SKIP',
      'not ok 3 - broken',
    ].join('\n');
    assert.deepEqual(
      [...skipReasons(tap)],
      [
        [SHARED_MISSING, 2],
        ['no reason given', 1],
      ],
    );
  });

  it('reads the counts of node --test and mocha, and knows when mocha never reported', () => {
    assert.deepEqual(nodeTestCounts('ℹ tests 5\nℹ pass 3\nℹ fail 1\nℹ cancelled 1\nℹ skipped 2\n'), {
      passed: 3,
      failed: 2,
      skipped: 2,
    });
    assert.deepEqual(mochaCounts('  12 passing (14s)\n  1 pending\n'), { passed: 12, failed: 0, skipped: 1 });
    assert.equal(mochaCounts('code-server exited (1)\n'), undefined);
  });

  it('takes the reason a provisioning script gave on failure, else its last line', () => {
    assert.equal(
      failureReason('[provision 0s] provisioning\nprovision-vscode-host: FAILED: no registry\n'),
      'no registry',
    );
    assert.equal(failureReason('a\nprovision-python: FAILED: pip failed\ntrailing noise\n'), 'pip failed');
    assert.equal(failureReason('one\ntwo\n'), 'two');
    assert.equal(failureReason(''), 'no reason printed');
  });
});
