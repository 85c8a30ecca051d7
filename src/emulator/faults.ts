// Fault injection, per operation (the SDK's names: pipelines.createRun, pipelineRuns.queryByFactory,
// pipelines.createOrUpdate, …, or * for all): an HTTP status (429 with Retry-After, 500, 503), a
// connection reset, before or after the operation takes effect (a createRun whose run exists but
// whose answer is lost), and slow answers. Each rule fires on the next N matching calls or with a
// probability drawn from a seeded generator, so a test's sequence of faults is repeatable.
import { seededRandom } from '../core/text/random';

export interface FaultRule {
  /** The operation (case-insensitive), e.g. pipelines.createRun; * matches every ADF operation. */
  operation: string;
  /** status: answer with `status`; reset: destroy the connection; delay: answer `delayMs` later. */
  kind: 'status' | 'reset' | 'delay';
  /** For kind status: 429, 500, 503, … */
  status?: number;
  /** Sent as Retry-After (seconds) with a status fault (ADF sends it with 429). */
  retryAfterSeconds?: number;
  /** Before the operation (nothing happened) or after it (it happened, its answer is lost). Default before. */
  phase?: 'before' | 'after';
  /** For kind delay. */
  delayMs?: number;
  /** Fires on the next N matching calls, then is removed. */
  times?: number;
  /** Fires on each matching call with this probability (0–1). Every matching call when neither times nor probability is given. */
  probability?: number;
}

export interface FaultDecision {
  delayMs: number;
  before?: FaultRule;
  after?: FaultRule;
}

export { seededRandom };

export class FaultBook {
  private rules: FaultRule[] = [];
  private random: () => number;
  /** How many times each rule kind fired, per operation: for tests that check what they injected. */
  private readonly fired = new Map<string, number>();

  constructor(rules: readonly FaultRule[] = [], seed = 1) {
    this.random = seededRandom(seed);
    for (const r of rules) this.add(r);
  }

  add(rule: FaultRule): void {
    this.rules.push(checkFault(rule));
  }

  clear(): void {
    this.rules = [];
  }

  reseed(seed: number): void {
    this.random = seededRandom(seed);
  }

  list(): FaultRule[] {
    return this.rules.map(r => ({ ...r }));
  }

  resetFired(): void {
    this.fired.clear();
  }

  /** Faults fired so far, by "operation kind[:status]" (e.g. "pipelines.createRun status:429"). */
  firedCounts(): Record<string, number> {
    return Object.fromEntries(this.fired);
  }

  /** Which faults this call meets; each matching rule draws (and uses up one of its times) once. */
  decide(operation: string): FaultDecision {
    const decision: FaultDecision = { delayMs: 0 };
    for (const rule of [...this.rules]) {
      if (rule.operation !== '*' && rule.operation.toLowerCase() !== operation.toLowerCase()) continue;
      if (rule.probability !== undefined && this.random() >= rule.probability) continue;
      const phase = rule.phase ?? 'before';
      if (rule.kind !== 'delay' && decision[phase]) continue; // one failure per phase
      if (rule.times !== undefined) {
        rule.times--;
        if (rule.times <= 0) this.rules = this.rules.filter(r => r !== rule);
      }
      const label = `${operation} ${rule.kind}${rule.kind === 'status' ? `:${rule.status}` : ''}${rule.kind === 'delay' ? '' : `:${phase}`}`;
      this.fired.set(label, (this.fired.get(label) ?? 0) + 1);
      if (rule.kind === 'delay') decision.delayMs += rule.delayMs ?? 0;
      else decision[phase] = rule;
    }
    return decision;
  }
}

/** A fault from a test or the control API, checked so a typo fails loudly instead of never firing. */
export function checkFault(value: unknown): FaultRule {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new TypeError('A fault must be an object.');
  const r = value as Record<string, unknown>;
  const known = ['operation', 'kind', 'status', 'retryAfterSeconds', 'phase', 'delayMs', 'times', 'probability'];
  for (const k of Object.keys(r))
    if (!known.includes(k)) throw new TypeError(`Unknown field '${k}' in a fault (known: ${known.join(', ')}).`);
  if (typeof r['operation'] !== 'string' || r['operation'] === '')
    throw new TypeError("A fault needs an 'operation' (e.g. pipelines.createRun, or *).");
  if (r['kind'] !== 'status' && r['kind'] !== 'reset' && r['kind'] !== 'delay')
    throw new TypeError(`A fault's 'kind' is status, reset or delay, not ${JSON.stringify(r['kind'])}.`);
  if (
    r['kind'] === 'status' &&
    (!Number.isInteger(r['status']) || (r['status'] as number) < 400 || (r['status'] as number) > 599)
  )
    throw new TypeError("A status fault needs a 'status' from 400 to 599.");
  if (r['kind'] === 'delay' && (typeof r['delayMs'] !== 'number' || !(r['delayMs'] >= 0)))
    throw new TypeError("A delay fault needs 'delayMs' (0 or more).");
  if (r['phase'] !== undefined && r['phase'] !== 'before' && r['phase'] !== 'after')
    throw new TypeError(`A fault's 'phase' is before or after, not ${JSON.stringify(r['phase'])}.`);
  if (r['times'] !== undefined && (!Number.isInteger(r['times']) || (r['times'] as number) < 1))
    throw new TypeError("A fault's 'times' must be a whole number of at least 1.");
  if (
    r['probability'] !== undefined &&
    (typeof r['probability'] !== 'number' || !(r['probability'] >= 0 && r['probability'] <= 1))
  )
    throw new TypeError("A fault's 'probability' must be between 0 and 1.");
  if (
    r['retryAfterSeconds'] !== undefined &&
    (typeof r['retryAfterSeconds'] !== 'number' || !(r['retryAfterSeconds'] >= 0))
  )
    throw new TypeError("A fault's 'retryAfterSeconds' must be 0 or more.");
  return { ...(r as unknown as FaultRule) };
}
