// Retrying idempotent calls (reads, cancel) ourselves, since the adapter's SDK client has its
// automatic retries removed: 429 waits as long as Retry-After says (never less), other transient
// failures back off exponentially; a rejection or an auth failure is thrown at once.
import { sleep, type Clock } from './clock';
import { AdfCallError, isRetryableRead } from './errors';

export interface RetryOptions {
  clock: Clock;
  signal?: AbortSignal;
  /** Attempts in all (the first included). */
  maxAttempts?: number;
  /** Back-off after the first transient failure; doubles each time up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Told of each wait (for progress and the refresh scheduler's back-off). */
  onWait?: (info: { error: AdfCallError; delayMs: number; attempt: number }) => void;
}

export const DEFAULT_RETRY = { maxAttempts: 6, baseDelayMs: 1000, maxDelayMs: 60_000 } as const;

/** How long to wait before attempt `attempt + 1` after `error`: Retry-After when the service gave one. */
export function retryDelayMs(error: AdfCallError, attempt: number, base: number, max: number): number {
  const backoff = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  if (error.failure === 'throttled' && error.retryAfterMs !== undefined) return Math.max(error.retryAfterMs, 0);
  return backoff;
}

/** Calls fn until it succeeds, a failure is not retryable, or the attempts run out (the last error is thrown). */
export async function withRetries<T>(fn: () => Promise<T>, options: RetryOptions): Promise<T> {
  const max = options.maxAttempts ?? DEFAULT_RETRY.maxAttempts;
  const base = options.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs;
  const cap = options.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!isRetryableRead(e) || attempt >= max) throw e;
      const delayMs = retryDelayMs(e, attempt, base, cap);
      options.onWait?.({ error: e, delayMs, attempt });
      await sleep(options.clock, delayMs, options.signal);
    }
  }
}
