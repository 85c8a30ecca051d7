// Which activity runs fail, and how long they take: a list of rules set by a test or the demo
// (start option or control API). Deterministic: the first rule that matches decides, and a rule
// with `times` applies to that many activity runs only (a failure that a rerun then fixes).

export interface OutcomeRule {
  /** Pipeline name (case-insensitive); any pipeline when absent. */
  pipeline?: string;
  /** Activity name (case-insensitive); any activity of the pipeline when absent, so its first activity decides. */
  activity?: string;
  /** Only runs whose parameter `name` has this value (compared as text). */
  parameter?: { name: string; value: string };
  /** Default Failed. */
  status?: 'Failed' | 'Succeeded';
  /** ADF's error code of the activity (default 2200, the Copy activity's user error). */
  errorCode?: string;
  message?: string;
  /** How long the activity runs (real ms), instead of the emulator's activityMs. */
  durationMs?: number;
  /** Applies to this many activity runs, then no more; unlimited when absent. */
  times?: number;
}

export interface ActivityOutcome {
  status: 'Succeeded' | 'Failed';
  errorCode: string;
  message: string;
  durationMs?: number;
}

export interface OutcomeSubject {
  pipelineName: string;
  activityName: string;
  parameters: Record<string, string>;
}

const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export class OutcomeBook {
  private rules: OutcomeRule[] = [];

  constructor(rules: readonly OutcomeRule[] = []) {
    this.set(rules);
  }

  set(rules: readonly OutcomeRule[]): void {
    this.rules = rules.map(r => checkRule(r));
  }

  add(rule: OutcomeRule): void {
    this.rules.push(checkRule(rule));
  }

  clear(): void {
    this.rules = [];
  }

  list(): OutcomeRule[] {
    return this.rules.map(r => ({ ...r }));
  }

  /** The outcome of one activity run (and uses up one of its rule's `times`). */
  decide(subject: OutcomeSubject): ActivityOutcome {
    const rule = this.rules.find(r => matches(r, subject));
    if (!rule) return { status: 'Succeeded', errorCode: '', message: '' };
    if (rule.times !== undefined) {
      rule.times--;
      if (rule.times <= 0) this.rules = this.rules.filter(r => r !== rule);
    }
    const status = rule.status ?? 'Failed';
    return {
      status,
      errorCode: status === 'Failed' ? (rule.errorCode ?? '2200') : '',
      message:
        status === 'Failed'
          ? (rule.message ?? `Failure injected by the local emulator for activity '${subject.activityName}'.`)
          : '',
      ...(rule.durationMs !== undefined ? { durationMs: rule.durationMs } : {}),
    };
  }
}

function matches(rule: OutcomeRule, s: OutcomeSubject): boolean {
  if (rule.pipeline !== undefined && !sameName(rule.pipeline, s.pipelineName)) return false;
  if (rule.activity !== undefined && !sameName(rule.activity, s.activityName)) return false;
  if (rule.parameter && s.parameters[rule.parameter.name] !== String(rule.parameter.value)) return false;
  return true;
}

/** A rule from a test or the control API, checked so a typo fails loudly instead of matching nothing. */
export function checkRule(value: unknown): OutcomeRule {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new TypeError('An outcome rule must be an object.');
  const r = value as Record<string, unknown>;
  const known = new Set(['pipeline', 'activity', 'parameter', 'status', 'errorCode', 'message', 'durationMs', 'times']);
  for (const key of Object.keys(r))
    if (!known.has(key))
      throw new TypeError(`Unknown field '${key}' in an outcome rule (known: ${[...known].join(', ')}).`);
  const text = (key: string) => {
    if (r[key] !== undefined && typeof r[key] !== 'string') throw new TypeError(`Outcome rule: '${key}' must be text.`);
  };
  text('pipeline');
  text('activity');
  text('errorCode');
  text('message');
  if (r['status'] !== undefined && r['status'] !== 'Failed' && r['status'] !== 'Succeeded')
    throw new TypeError(`Outcome rule: 'status' must be Failed or Succeeded, not ${JSON.stringify(r['status'])}.`);
  for (const key of ['durationMs', 'times'])
    if (r[key] !== undefined && (typeof r[key] !== 'number' || !Number.isFinite(r[key]) || (r[key] as number) < 0))
      throw new TypeError(`Outcome rule: '${key}' must be a number of at least 0.`);
  const p = r['parameter'];
  if (p !== undefined) {
    const param = p as Record<string, unknown>;
    if (typeof p !== 'object' || p === null || typeof param['name'] !== 'string' || param['value'] === undefined)
      throw new TypeError("Outcome rule: 'parameter' must be { name, value }.");
    return { ...(r as OutcomeRule), parameter: { name: param['name'], value: String(param['value']) } };
  }
  return { ...(r as OutcomeRule) };
}
