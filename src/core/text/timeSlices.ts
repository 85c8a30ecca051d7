// Long work on an editor's thread (the extension host, shared by every extension) gives the event
// loop back every few milliseconds: the editor never freezes on a large project.

/** Resolves on the next turn of the event loop (after I/O and timers that are due). */
export const yieldToEventLoop = (): Promise<void> =>
  new Promise(resolve => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));

/**
 * A pause function for sliced work: call it between steps; it yields once `sliceMs` of work has
 * run since the last yield, and costs a clock read otherwise.
 */
export function timeSlicer(sliceMs = 10): () => Promise<void> | void {
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
