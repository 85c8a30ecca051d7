// A minimal event source for the core's models (the editor wraps it in its own events).

export interface Subscription {
  dispose(): void;
}

export class Listeners<T> {
  private readonly listeners = new Set<(event: T) => void>();

  /** Adds a listener; dispose() removes it. */
  on(listener: (event: T) => void): Subscription {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Calls every listener; one that throws does not stop the others. */
  fire(event: T): void {
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch {
        // A listener's failure is its own; the model goes on.
      }
    }
  }

  get size(): number {
    return this.listeners.size;
  }
}
