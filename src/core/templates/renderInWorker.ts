// Renders off the calling thread with a time limit: a template that never ends (a huge range,
// a runaway recursion) is terminated and reported as a 'timeout' error. The worker script is
// injectable because the extension is bundled (dist/templateWorker.js) while tests run the
// tsc output (out/src/core/templates/worker.js).
import * as path from 'path';
import { Worker } from 'worker_threads';
import type { RenderResult } from './environment';
import type { WorkerRenderRequest } from './worker';

export interface WorkerRenderOptions {
  timeoutMs: number;
  /** The worker script; defaults to worker.js beside this module (tsc output layout). */
  workerPath?: string;
  /** Heap limit for the worker, so a template that builds a huge string cannot exhaust memory. */
  maxHeapMb?: number;
}

export const DEFAULT_WORKER_PATH = path.join(__dirname, 'worker.js');

export function timeoutMessage(timeoutMs: number): string {
  return `rendering took longer than ${timeoutMs} ms: a loop that never ends or a recursive macro?`;
}

/** One render in a fresh worker, terminated when it exceeds the time limit. */
export function renderInWorker(request: WorkerRenderRequest, options: WorkerRenderOptions): Promise<RenderResult> {
  const renderer = new WorkerRenderer(options);
  return renderer.render(request).finally(() => renderer.dispose());
}

/** A reusable worker (previews re-render on every keystroke); replaced after a timeout. */
export class WorkerRenderer {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { worker: Worker; settle: (result: RenderResult) => void }>();

  constructor(private readonly options: WorkerRenderOptions) {}

  render(request: WorkerRenderRequest): Promise<RenderResult> {
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise<RenderResult>(resolve => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.restart();
        resolve({
          ok: false,
          error: {
            kind: 'timeout',
            message: timeoutMessage(this.options.timeoutMs),
            ...(request.file ? { file: request.file } : {}),
          },
        });
      }, this.options.timeoutMs);
      this.pending.set(id, {
        worker,
        settle: result => {
          clearTimeout(timer);
          resolve(result);
        },
      });
      worker.postMessage({ id, request });
    });
  }

  dispose(): void {
    this.restart();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.options.workerPath ?? DEFAULT_WORKER_PATH, {
      resourceLimits: { maxOldGenerationSizeMb: this.options.maxHeapMb ?? 512 },
    });
    worker.on('message', (message: { id: number; result: RenderResult }) => {
      this.pending.get(message.id)?.settle(message.result);
      this.pending.delete(message.id);
    });
    const failAll = (message: string) => {
      // Only this worker's requests: a terminated worker must not fail its replacement's.
      for (const [id, entry] of this.pending) {
        if (entry.worker !== worker) continue;
        entry.settle({ ok: false, error: { kind: 'runtime', message } });
        this.pending.delete(id);
      }
      if (this.worker === worker) this.worker = undefined;
    };
    worker.on('error', error => failAll(`the template worker failed: ${error.message}`));
    worker.on('exit', code => failAll(`the template worker stopped (exit ${code}); out of memory?`));
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private restart(): void {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) void worker.terminate();
  }
}
