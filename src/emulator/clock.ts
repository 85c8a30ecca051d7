// The emulator's time: wall-clock time plus an offset that tests can move (runs 46 days old, a
// token bucket refilled), and a scheduler of simulated work (a run leaving the queue, an
// activity finishing) on that time. In manual mode time stands still until advance() is called,
// so a test can step a run through its states without waiting at all.

export interface ClockOptions {
  /** Time stands still until advance()/set(); scheduled work runs only then. Default false (wall time). */
  manual?: boolean;
  /** Where manual time starts (ms since the epoch); default Date.now(). */
  start?: number;
}

interface Task {
  id: number;
  at: number;
  run: () => void;
}

export class SimClock {
  readonly manual: boolean;
  private offsetMs = 0;
  private manualNow: number;
  private tasks: Task[] = [];
  private nextId = 1;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private running = false;

  constructor(options: ClockOptions = {}) {
    this.manual = options.manual ?? false;
    this.manualNow = options.start ?? Date.now();
  }

  /** The emulator's current time, ms since the epoch. */
  now(): number {
    return this.manual ? this.manualNow : Date.now() + this.offsetMs;
  }

  /**
   * Moves time forward (or back, for a negative amount). Work that falls due on the way runs at
   * its own time, in order, so a run queued before a jump of 46 days also ended 46 days ago.
   */
  advance(ms: number): void {
    if (!Number.isFinite(ms)) throw new RangeError(`The clock cannot move by ${ms} ms.`);
    const target = this.now() + ms;
    if (!this.running) {
      this.running = true;
      try {
        while (!this.stopped && this.tasks.length > 0 && this.tasks[0]!.at <= target) {
          const task = this.tasks.shift()!;
          if (task.at > this.now()) this.setNow(task.at);
          this.runTask(task);
        }
      } finally {
        this.running = false;
      }
    }
    this.setNow(target);
    this.runDue();
  }

  private setNow(time: number): void {
    if (this.manual) this.manualNow = time;
    else this.offsetMs = time - Date.now();
  }

  /** Sets the time (ms since the epoch) and runs the work that became due. */
  set(time: number): void {
    if (!Number.isFinite(time)) throw new RangeError(`The clock cannot be set to ${time}.`);
    this.advance(time - this.now());
  }

  /** Runs fn once the clock reaches now + delayMs; returns an id for cancel(). */
  after(delayMs: number, run: () => void): number {
    const task: Task = { id: this.nextId++, at: this.now() + Math.max(0, delayMs), run };
    // Keep the list sorted by time, ties in order of scheduling.
    let i = this.tasks.length;
    while (i > 0 && this.tasks[i - 1]!.at > task.at) i--;
    this.tasks.splice(i, 0, task);
    this.arm();
    return task.id;
  }

  cancel(id: number): void {
    this.tasks = this.tasks.filter(t => t.id !== id);
  }

  /** Work scheduled and not yet run. */
  get pending(): number {
    return this.tasks.length;
  }

  /** Drops all scheduled work and the timer; the clock still tells the time. */
  stop(): void {
    this.stopped = true;
    this.tasks = [];
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private runDue(): void {
    if (this.running) return; // a task that schedules or advances is picked up by the loop below
    this.running = true;
    try {
      while (!this.stopped && this.tasks.length > 0 && this.tasks[0]!.at <= this.now()) {
        this.runTask(this.tasks.shift()!);
      }
    } finally {
      this.running = false;
    }
    this.arm();
  }

  private runTask(task: Task): void {
    try {
      task.run();
    } catch (e) {
      // One run's bug must not stop the others: say it and go on.
      console.error(`emulator: scheduled work failed: ${(e as Error).stack ?? String(e)}`);
    }
  }

  private arm(): void {
    if (this.manual || this.stopped || this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const first = this.tasks[0];
    if (!first) return;
    this.timer = setTimeout(() => this.runDue(), Math.max(0, first.at - this.now()));
    // The HTTP server keeps a process alive; pending simulation alone must not.
    this.timer.unref();
  }
}
