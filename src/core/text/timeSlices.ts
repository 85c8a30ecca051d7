// Long work on an editor's thread (the extension host, shared by every extension) gives the event
// loop back every few milliseconds: the editor never freezes on a large project.

/**
 * How much work runs between two turns of the event loop (ms). Short: a garbage collection pause
 * can land in any slice (20–40 ms on a busy 2-core machine with the extension host's 64 MiB young
 * generation), and the editor must stay under 50 ms all the same.
 */
export const SLICE_MS = 5;

const schedule = (callback: () => void): void => {
  if (typeof setImmediate === 'function') setImmediate(callback);
  else setTimeout(callback, 0);
};

/**
 * Sliced work waiting for its next slice, oldest first. One resumes per turn of the event loop:
 * were each to wait for its own setImmediate, every task yielding in one turn would run its next
 * slice back to back in the next (a validation, two plans and a view: 40 ms and more without a
 * timer or an I/O callback in between).
 */
const waiting: (() => void)[] = [];
let pumping = false;

function resumeNext(): void {
  const next = waiting.shift();
  if (waiting.length > 0) schedule(resumeNext);
  else pumping = false;
  next?.();
}

/** Resolves on a later turn of the event loop (after I/O and timers that are due), one waiter per turn. */
export const yieldToEventLoop = (): Promise<void> =>
  new Promise(resolve => {
    waiting.push(resolve);
    if (!pumping) {
      pumping = true;
      schedule(resumeNext);
    }
  });

/**
 * A pause function for sliced work: call it between steps; it yields once `sliceMs` of work has
 * run since the last yield, and costs a clock read otherwise.
 */
export function timeSlicer(sliceMs = SLICE_MS): () => Promise<void> | void {
  let sliceStart = performance.now();
  return () => {
    if (performance.now() - sliceStart < sliceMs) return;
    return yieldToEventLoop().then(() => {
      sliceStart = performance.now();
    });
  };
}

/** Runs a step generator (work that yields at its pause points) to its end at once. */
export function drain<T>(steps: Generator<void, T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Runs a step generator to its end, calling `pause` at each of its pause points (see timeSlicer). */
export async function drainSliced<T>(steps: Generator<void, T>, pause: () => Promise<void> | void): Promise<T> {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await pause();
  }
}
