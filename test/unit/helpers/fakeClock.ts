// A clock for tests: time moves only when the test says, timers fire in order, and the
// promises they release run before time moves again.
import type { Clock, TimerHandle } from '../../../src/core/runs/clock';

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
}

/** Lets pending promise callbacks (and the I/O-free work they start) run. */
export async function flush(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>(resolve => setImmediate(resolve));
}

export class FakeClock implements Clock {
  private timers: Timer[] = [];
  private seq = 0;

  constructor(public t = Date.UTC(2024, 5, 1, 12, 0, 0)) {}

  now(): number {
    return this.t;
  }

  setTimer(fn: () => void, ms: number): TimerHandle {
    const timer: Timer = { at: this.t + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return { cancel: () => (this.timers = this.timers.filter(t => t !== timer)) };
  }

  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Moves time forward by ms, firing each timer due on the way at its own time. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    await flush();
    for (;;) {
      const next = this.nextTimer();
      if (!next || next.at > end) break;
      await this.fire(next);
    }
    this.t = end;
    await flush();
  }

  /** Fires timers one after the other until the promise settles (or limitMs of fake time pass). */
  async run<T>(promise: Promise<T>, limitMs = 24 * 3_600_000): Promise<T> {
    let settled = false;
    let value: T | undefined;
    let error: unknown;
    let failed = false;
    promise.then(
      v => {
        settled = true;
        value = v;
      },
      e => {
        settled = true;
        failed = true;
        error = e;
      },
    );
    const end = this.t + limitMs;
    await flush();
    while (!settled) {
      const next = this.nextTimer();
      if (!next) {
        await flush(20);
        if (settled) break;
        if (!this.nextTimer()) throw new Error('FakeClock.run: nothing left to fire and the promise is still pending');
        continue;
      }
      if (next.at > end) throw new Error(`FakeClock.run: still pending after ${limitMs} ms of fake time`);
      await this.fire(next);
    }
    if (failed) throw error;
    return value as T;
  }

  private nextTimer(): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers) if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    return best;
  }

  private async fire(timer: Timer): Promise<void> {
    this.timers = this.timers.filter(t => t !== timer);
    this.t = Math.max(this.t, timer.at);
    timer.fn();
    await flush();
  }
}
