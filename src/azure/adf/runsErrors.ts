// SDK failures as the core's AdfCallError: what happened (throttled, unclear, not sent, rejected,
// auth) decides what the caller may do next. Messages say the operation, the status and the
// service's own words; never a token, a signature or a request's headers.
import { redactSecrets } from '../../core/text/redact';
import { AdfCallError, isAdfCallError, type AdfCallFailure } from '../../core/runs/errors';

/** A connection that failed before the request left: nothing can have happened. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);
/** TLS failures: nothing was sent, and sending again will not help. */
const TLS = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/;

interface SdkError {
  name?: string;
  message?: string;
  code?: string;
  statusCode?: number;
  response?: { headers?: { get(name: string): string | undefined } };
  cause?: unknown;
}

/** Retry-After as ms: retry-after-ms, x-ms-retry-after-ms, or Retry-After in seconds or as an HTTP date. */
export function retryAfterMsOf(get: (name: string) => string | undefined, now = Date.now()): number | undefined {
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const v = Number(get(name));
    if (get(name) !== undefined && Number.isFinite(v) && v >= 0) return v;
  }
  const header = get('retry-after');
  if (header === undefined) return undefined;
  const seconds = Number(header);
  if (header.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

function codeOf(e: SdkError): string | undefined {
  if (e.code) return e.code;
  const cause = e.cause as SdkError | undefined;
  return cause?.code;
}

/** The AdfCallError for whatever the SDK threw during `operation` (e.g. "createRun of pl_ingest"). */
export function toAdfCallError(error: unknown, operation: string): AdfCallError {
  if (isAdfCallError(error)) return error;
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as SdkError;
  const status = e.statusCode;
  const code = codeOf(e);
  const said = redactSecrets((e.message ?? String(error)).trim()).slice(0, 500);
  const make = (failure: AdfCallFailure, message: string, retryAfterMs?: number) =>
    new AdfCallError(redactSecrets(message), failure, {
      operation,
      ...(status !== undefined ? { status } : {}),
      ...(code !== undefined ? { code } : {}),
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  if (
    e.name === 'CredentialUnavailableError' ||
    e.name === 'AuthenticationRequiredError' ||
    e.name === 'AuthenticationError'
  )
    return make('auth', `${operation}: no token (${e.name}): ${said} Sign in again.`);
  if (status !== undefined) {
    if (status === 429) {
      const get = (n: string) => e.response?.headers?.get(n);
      const after = retryAfterMsOf(get);
      return make('throttled', `${operation}: throttled (429${code ? ` ${code}` : ''}): ${said}`, after);
    }
    if (status === 401 || status === 403)
      return make(
        'auth',
        `${operation}: not allowed (${status}${code ? ` ${code}` : ''}): ${said} ` +
          (status === 401 ? 'Sign in again.' : 'Check your role on the factory (Data Factory Contributor).'),
      );
    if (status === 408 || status >= 500)
      return make('unclear', `${operation}: the service failed (${status}${code ? ` ${code}` : ''}): ${said}`);
    return make('rejected', `${operation}: refused (${status}${code ? ` ${code}` : ''}): ${said}`);
  }
  if (e.name === 'AbortError') return make('unclear', `${operation}: stopped before the answer came (${said}).`);
  if (code && NOT_SENT.has(code)) return make('notSent', `${operation}: could not connect (${code}): ${said}`);
  if (code && TLS.test(code))
    return make('rejected', `${operation}: the server's certificate is not trusted (${code}): ${said}`);
  // A reset, a timeout, a socket hang-up: the request may have been processed.
  return make('unclear', `${operation}: no answer (${code ?? e.name ?? 'error'}): ${said}`);
}
