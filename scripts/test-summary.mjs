// What `npm test` says on its last line, from what each tier reported. Kept apart from
// scripts/test.mjs so that its wording is tested (test/scripts/testSummary.test.mjs): a line that
// reads like success when a tier did not run has already hidden a broken README command.

/** The reason given by a test skipped for want of ../shared (test/unit/helpers/paths.ts). */
export const SHARED_MISSING = '../shared fixtures not present';

/**
 * The skip reasons in a TAP stream (node --test's tap reporter): `ok N - name # SKIP reason`,
 * subtests indented. Returns reason -> count.
 */
export function skipReasons(tap) {
  const reasons = new Map();
  for (const line of String(tap).split('\n')) {
    const match = /^\s*ok \d+ - .*?# SKIP(?:\s+(.*))?$/.exec(line);
    if (!match) continue;
    const reason = (match[1] ?? '').trim() || 'no reason given';
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  return reasons;
}

/** node --test's own totals (spec or tap reporter). */
export function nodeTestCounts(output) {
  const count = name => Number(new RegExp(`^(?:ℹ|#) ${name} (\\d+)$`, 'm').exec(output)?.[1] ?? 0);
  return { passed: count('pass'), failed: count('fail') + count('cancelled'), skipped: count('skipped') };
}

/** Mocha's totals (the e2e tier), or undefined when mocha never got to report. */
export function mochaCounts(output) {
  const passing = /^\s*(\d+) passing/m.exec(output);
  const failing = /^\s*(\d+) failing/m.exec(output);
  const pending = /^\s*(\d+) pending/m.exec(output);
  if (!passing && !failing) return undefined;
  return { passed: Number(passing?.[1] ?? 0), failed: Number(failing?.[1] ?? 0), skipped: Number(pending?.[1] ?? 0) };
}

/** The reason a provisioning script gave on failure ("<script>: FAILED: <reason>"), else its last line. */
export function failureReason(output, fallback = 'no reason printed') {
  const lines = String(output)
    .split('\n')
    .map(line => line.trim())
    .filter(Boolean);
  for (let i = lines.length - 1; i >= 0; i--) {
    const match = /^[\w-]+: FAILED: (.+)$/.exec(lines[i]);
    if (match) return match[1];
  }
  return lines.at(-1) ?? fallback;
}

/**
 * The last line, and the exit code.
 * @param {{ passed: number, failed: number, skipped: number, skipReasons?: Map<string, number>,
 *   notRun?: { tier: string, reason: string }[], scope?: string }} totals
 */
export function summarize({ passed, failed, skipped, skipReasons: reasons = new Map(), notRun = [], scope }) {
  let line = `tests: ${passed} passed, ${failed} failed`;
  if (skipped) {
    const parts = [...reasons]
      .sort((a, b) => (a[0] === SHARED_MISSING ? -1 : b[0] === SHARED_MISSING ? 1 : b[1] - a[1]))
      .map(([reason, count]) =>
        reason === SHARED_MISSING ? `${count} need ../shared, which is not present` : `${count}: ${reason}`,
      );
    const explained = [...reasons.values()].reduce((a, b) => a + b, 0);
    if (explained < skipped) parts.push(`${skipped - explained} without a reason`);
    line += `, ${skipped} skipped (${parts.join('; ')})`;
  }
  if (scope) line += ` [${scope} only]`;
  for (const { tier, reason } of notRun) line += `; ${tier} NOT RUN: ${reason}`;
  return { line, code: failed || notRun.length ? 1 : 0 };
}
