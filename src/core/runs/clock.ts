// Time as the runs and backfill code sees it: injected, so the refresh scheduler, the backfill's
// waits and its Retry-After handling are deterministic under test (a fake clock) and real in use.

/** A timer that can be cancelled. */
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs fn once after ms (never synchronously). */
  setTimer(fn: () => void, ms: number): TimerHandle;
}

/** The reason a wait ended early: the caller's AbortSignal fired. */
export class AbortedError extends Error {
  constructor(message = 'Stopped.') {
    super(message);
    this.name = 'AbortError';
  }
}

/** Resolves after ms on the clock; rejects with AbortedError as soon as the signal fires. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(new AbortedError());
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      timer.cancel();
      reject(new AbortedError());
    };
    const timer = clock.setTimer(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The machine's clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    const t = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(t) };
  },
};
