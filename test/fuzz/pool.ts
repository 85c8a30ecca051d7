// Runner processes, seen from the parent: a case is sent to a runner, timed, and the runner is
// killed and replaced when the case takes too long (a hang) or when the runner dies (a crash of
// the whole process, e.g. out of memory).
import { fork, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { runnerTempDirs, type CaseInput, type CaseResult, type RunnerMessage, type RunnerOptions } from './types';

export const RUNNER_SCRIPT = path.join(__dirname, 'runner.js');

/** Without an answer after this many times the limit, a case is killed even if it is not using the CPU. */
export const MAX_WALL_FACTOR = 5;

/** CPU time a process has used (all threads), from /proc on Linux; undefined elsewhere. */
export function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks (100 a second)
    return Number.isFinite(ticks) ? ticks * 10 : undefined;
  } catch {
    return undefined;
  }
}

export interface RunOutcome {
  result?: CaseResult;
  /** The case did not finish within the limit: the runner was killed in this step. */
  hung?: { stage: string; afterMs: number; cpuMs?: number };
  /** The runner process ended during the case. */
  died?: { code: number | null; signal: string | null; stage: string; stderr: string };
  wallMs: number;
}

export class Runner {
  private child: ChildProcess | undefined;
  private ready: Promise<void> | undefined;
  private stderr = '';
  private nextId = 1;
  private current:
    | { id: number; child: ChildProcess; stage: string; settle: (outcome: Omit<RunOutcome, 'wallMs'>) => void }
    | undefined;
  /** Runner processes started (restarts after hangs and deaths included). */
  starts = 0;
  private readonly killed = new WeakSet<ChildProcess>();
  /** A runner that died after its case had answered (e.g. while a template worker was terminated). */
  private lateDeath: RunOutcome['died'] | undefined;

  private start(): Promise<void> {
    this.starts++;
    this.stderr = '';
    const child = fork(RUNNER_SCRIPT, [], {
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      execArgv: [],
    });
    this.child = child;
    child.stderr?.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString('utf8')).slice(-8000);
    });
    this.ready = new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.on('message', (message: RunnerMessage) => {
        if (message.type === 'ready') resolve();
        else if (this.current && this.current.child === child && message.id === this.current.id) {
          if (message.type === 'stage') this.current.stage = message.stage;
          else if (message.type === 'result') this.current.settle({ result: message.result });
        }
      });
      child.once('exit', (code, signal) => {
        // A killed runner could not remove its temporary folders.
        if (child.pid !== undefined)
          for (const dir of Object.values(runnerTempDirs(child.pid))) fs.rmSync(dir, { recursive: true, force: true });
        if (this.child === child) {
          this.child = undefined;
          this.ready = undefined;
        }
        reject(new Error(`runner exited before it was ready (code ${code}, signal ${signal}): ${this.stderr}`));
        // Only the case this process was running (a killed runner's exit may come after its replacement started).
        if (this.current?.child === child)
          this.current.settle({ died: { code, signal, stage: this.current.stage, stderr: this.stderr } });
        else if (!this.killed.has(child) && !this.disposed)
          this.lateDeath = { code, signal, stage: 'after the case answered', stderr: this.stderr };
      });
    });
    this.ready.catch(() => undefined);
    return this.ready;
  }

  /**
   * Runs a case. When it has used `limitMs` of CPU (read from /proc, so that a machine busy with
   * other work does not make a case look hung; elsewhere, of wall-clock time), or has not answered
   * after MAX_WALL_FACTOR times that, the runner is killed and the case reported as hung.
   */
  async run(input: CaseInput, options: RunnerOptions, limitMs: number): Promise<RunOutcome> {
    await (this.ready ?? this.start());
    const child = this.child!;
    const id = this.nextId++;
    const started = performance.now();
    const cpuAtStart = processCpuMs(child.pid);
    const outcome = await new Promise<Omit<RunOutcome, 'wallMs'>>(resolve => {
      let done = false;
      const check = () => {
        if (done || !this.current) return;
        const wall = performance.now() - started;
        const now = processCpuMs(child.pid);
        const cpu = cpuAtStart === undefined || now === undefined ? undefined : now - cpuAtStart;
        if (cpu !== undefined && cpu < limitMs && wall < limitMs * MAX_WALL_FACTOR) {
          timer = setTimeout(check, Math.max(50, limitMs - cpu));
          return;
        }
        const stage = this.current.stage;
        this.kill();
        finish({ hung: { stage, afterMs: wall, ...(cpu !== undefined ? { cpuMs: cpu } : {}) } });
      };
      let timer = setTimeout(check, limitMs);
      const finish = (o: Omit<RunOutcome, 'wallMs'>) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.current = undefined;
        resolve(o);
      };
      this.current = { id, child, stage: 'sending the case', settle: finish };
      child.send({ id, input, options }, error => {
        if (error)
          finish({
            died: { code: null, signal: null, stage: `sending the case: ${error.message}`, stderr: this.stderr },
          });
      });
    });
    return { ...outcome, wallMs: performance.now() - started };
  }

  /** The death of the runner after the previous case answered, once. */
  takeLateDeath(): RunOutcome['died'] | undefined {
    const death = this.lateDeath;
    this.lateDeath = undefined;
    return death;
  }

  private kill(): void {
    const child = this.child;
    this.child = undefined;
    this.ready = undefined;
    if (child) this.killed.add(child);
    child?.kill('SIGKILL');
  }

  private disposed = false;

  dispose(): void {
    this.disposed = true;
    const child = this.child;
    this.child = undefined;
    this.ready = undefined;
    if (child?.connected) child.disconnect();
    setTimeout(() => child?.kill('SIGKILL'), 2000).unref();
  }
}
