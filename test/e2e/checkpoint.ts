// Screenshot checkpoints for e2e tests running in the code-server host (test/e2e/host/run-tests.mjs).
// The test writes <name>.req into $VSHOST_SYNC; the driver optionally waits until `waitForText` is
// visible in the workbench (inside `selector` when both are given), saves
// <SHOT_DIR>/<name>.png (+ <name>.element.png for `selector`) and answers with <name>.ack.
// Rejects when the text never became visible, so a checkpoint doubles as an assertion on what a
// person sees. Outside that host (desktop VS Code) it does nothing.
import * as fs from 'fs';
import * as path from 'path';

export interface CheckpointOptions {
  /** Wait until this text is visible in the workbench (any frame, webviews included) before the shot. */
  waitForText?: string;
  /** CSS selector of an element to also save as <name>.element.png; scopes waitForText when both are given. */
  selector?: string;
  /** How long the driver waits for the text / element (ms, default 30000: a 2-core machine under load is slow to draw). */
  timeoutMs?: number;
  /** Save no screenshot (the checkpoint only waits and acts). */
  screenshot?: boolean;
  /** Done in the page after the screenshot, as a person would: drive quick picks, input boxes and dialogs. */
  actions?: UiAction[];
}

export type UiAction = { type: string } | { fill: string } | { press: string } | { click: string };

/** True when tests run in the code-server host and checkpoints take screenshots. */
export function checkpointsEnabled(): boolean {
  return !!process.env['VSHOST_SYNC'];
}

export async function checkpoint(name: string, opts: CheckpointOptions = {}): Promise<void> {
  const dir = process.env['VSHOST_SYNC'];
  if (!dir) return;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name))
    throw new Error(`checkpoint name must be a plain file name: ${JSON.stringify(name)}`);
  const ack = path.join(dir, `${name}.ack`);
  fs.rmSync(ack, { force: true }); // the same name may be used twice in a run
  const req = path.join(dir, `${name}.req`);
  // write then rename: the driver never reads a half-written request
  fs.writeFileSync(`${req}.tmp`, JSON.stringify(opts));
  fs.renameSync(`${req}.tmp`, req);
  const limit = (opts.timeoutMs ?? 30_000) + 30_000;
  const t0 = Date.now();
  while (!fs.existsSync(ack)) {
    if (Date.now() - t0 > limit) throw new Error(`checkpoint ${name}: the driver did not answer within ${limit} ms`);
    await new Promise(r => setTimeout(r, 100));
  }
  const answer = JSON.parse(fs.readFileSync(ack, 'utf8') || '{"ok":true}') as { ok: boolean; error?: string };
  if (!answer.ok) throw new Error(`checkpoint ${name}: ${answer.error ?? 'failed'}`);
}

/**
 * Drives the real workbench UI: waits until `waitForText` is visible (a quick pick's placeholder,
 * a dialog's message), takes the screenshot `name`, then does the actions. Tests use it for every
 * question a command asks, instead of passing the answers as arguments.
 */
export async function answer(name: string, waitForText: string, ...actions: UiAction[]): Promise<void> {
  if (!checkpointsEnabled()) throw new Error(`answer(${name}): driving the UI needs the code-server host`);
  await checkpoint(name, { waitForText, actions });
}
