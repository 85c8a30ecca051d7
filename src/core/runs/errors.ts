// How a call to Data Factory failed, in the terms that decide what to do next. The adapter in
// src/azure turns SDK errors into these; the core never sees an SDK type (or a token).

/**
 * - throttled: 429; nothing happened; try again after retryAfterMs.
 * - unclear: the request may or may not have taken effect (5xx, 408, a timeout, a connection
 *   reset after the request was sent). For a read, try again; for createRun, look for the run first.
 * - notSent: nothing reached the service (connection refused, name not resolved); try again.
 * - rejected: a definite refusal (400, 404, 409, …); trying again gives the same answer.
 * - auth: 401/403 or no token; the user must sign in again or get access.
 */
export type AdfCallFailure = 'throttled' | 'unclear' | 'notSent' | 'rejected' | 'auth';

export class AdfCallError extends Error {
  constructor(
    message: string,
    readonly failure: AdfCallFailure,
    readonly details: { status?: number; code?: string; retryAfterMs?: number; operation?: string } = {},
  ) {
    super(message);
    this.name = 'AdfCallError';
  }

  get status(): number | undefined {
    return this.details.status;
  }

  get retryAfterMs(): number | undefined {
    return this.details.retryAfterMs;
  }
}

const FAILURES: ReadonlySet<string> = new Set<AdfCallFailure>(['throttled', 'unclear', 'notSent', 'rejected', 'auth']);

/**
 * Whether e is an AdfCallError (of that failure). Also true for one made by another copy of this
 * module: the editor's bundles (dist/core.js, dist/azure.js) each carry their own, so an error the
 * adapter throws is not an instance of the class the core's retry and scheduler see.
 */
export function isAdfCallError(e: unknown, failure?: AdfCallFailure): e is AdfCallError {
  const like =
    e instanceof AdfCallError ||
    (e instanceof Error &&
      e.name === 'AdfCallError' &&
      FAILURES.has((e as { failure?: unknown }).failure as string) &&
      typeof (e as { details?: unknown }).details === 'object');
  return like && (failure === undefined || (e as AdfCallError).failure === failure);
}

/** Failures after which the same idempotent request (a read, a cancel) may simply be sent again. */
export function isRetryableRead(e: unknown): e is AdfCallError {
  return isAdfCallError(e) && (e.failure === 'throttled' || e.failure === 'unclear' || e.failure === 'notSent');
}

/** A message for people from any thrown value. */
export function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
