// Errors of the lake adapter, in words a user can act on: which account, which container or file,
// what went wrong (no data role, firewall, missing, unreachable) and what to do. Never a secret:
// the SDK's own texts can quote URLs with a SAS or headers, so only our words, the service's error
// code and a redacted excerpt reach the message.
import { isRestError } from '@azure/storage-blob';
import { redactSecrets } from '../../core/text/redact';

export type LakeStorageErrorKind =
  'forbidden' | 'unauthenticated' | 'notFound' | 'network' | 'throttled' | 'invalidName' | 'invalidRange' | 'unknown';

export interface LakeTarget {
  account: string;
  /** The blob endpoint without query (never a SAS). */
  endpoint: string;
  container?: string;
  path?: string;
}

export class LakeStorageError extends Error {
  override readonly name = 'LakeStorageError';

  constructor(
    readonly kind: LakeStorageErrorKind,
    message: string,
    readonly target: LakeTarget,
    /** HTTP status, when the service answered. */
    readonly status?: number,
    /** The service's error code (AuthorizationPermissionMismatch, BlobNotFound, …) or the network error code. */
    readonly code?: string,
  ) {
    super(redactSecrets(message));
  }
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
]);

/** What the target is, for a message: `container 'bronze' of storage account 'stspotifydev'`. */
export function describeTarget(target: LakeTarget): string {
  const account = `storage account '${target.account}'`;
  if (target.container && target.path) return `'${target.path}' in container '${target.container}' of ${account}`;
  if (target.container) return `container '${target.container}' of ${account}`;
  return account;
}

/** The error of an SDK call (`action`: "list", "read", …) as a LakeStorageError; never throws. */
export function toLakeStorageError(error: unknown, action: string, target: LakeTarget): LakeStorageError {
  if (error instanceof LakeStorageError) return error;
  const what = `Cannot ${action} ${describeTarget(target)}`;
  const host = hostOf(target.endpoint);
  if (isRestError(error)) {
    const status = error.statusCode;
    const code = serviceCode(error);
    if (status === undefined) {
      // The request never got an answer: the cause's errno says why.
      const errno = networkCode(error);
      return new LakeStorageError(
        'network',
        `${what}: the storage endpoint ${host} cannot be reached (${errno ?? code ?? 'no answer'}). ` +
          'Check the network, a proxy or VPN, or that the local emulator is running.',
        target,
        undefined,
        errno ?? code,
      );
    }
    const make = (kind: LakeStorageErrorKind, reason: string) =>
      new LakeStorageError(kind, `${what}: ${reason}`, target, status, code);
    if (status === 403 && code === 'AuthorizationPermissionMismatch')
      return make(
        'forbidden',
        'the signed-in identity has no data access (AuthorizationPermissionMismatch). Reading the lake needs a data role ' +
          'such as Storage Blob Data Reader on the account or container; Owner or Contributor alone manages the account ' +
          'but does not read its data.',
      );
    if (status === 403 && code === 'AuthorizationFailure')
      return make(
        'forbidden',
        "the request was refused (AuthorizationFailure): the account's firewall or private endpoint does not let this " +
          'network in, or the key or shared access signature does not allow it.',
      );
    if (status === 401 || code === 'AuthenticationFailed' || code === 'InvalidAuthenticationInfo')
      return make(
        'unauthenticated',
        `the credentials were rejected (${code ?? status}): the sign-in expired, the key or SAS is wrong or expired, ` +
          "or this machine's clock is off. Sign in again.",
      );
    if (status === 403)
      return make(
        'forbidden',
        `access is denied (${code ?? '403'}). Ask for a data role such as Storage Blob Data Reader.`,
      );
    if (status === 404) {
      if (code === 'ContainerNotFound') return make('notFound', 'the container does not exist.');
      if (code === 'BlobNotFound' || code === 'PathNotFound')
        return make('notFound', 'the file does not exist (deleted or moved since it was listed?).');
      return make('notFound', `it was not found (${code ?? '404'}).`);
    }
    if (status === 416 || code === 'InvalidRange')
      return make(
        'invalidRange',
        'the range asked is beyond the end of the file (it changed since it was listed?). Refresh.',
      );
    if (status === 429 || status === 503 || code === 'ServerBusy')
      return make('throttled', `the account is busy (${code ?? status}) and asks to slow down. Try again in a moment.`);
    if (status === 400 && (code === 'InvalidResourceName' || code === 'InvalidUri' || code === 'OutOfRangeInput'))
      return make('invalidName', `the name is not valid for Azure Storage (${code}).`);
    return make('unknown', `the service answered ${status}${code ? ` ${code}` : ''}: ${excerpt(error.message)}`);
  }
  const name = (error as { name?: unknown } | undefined)?.name;
  if (name === 'CredentialUnavailableError' || name === 'AuthenticationRequiredError' || name === 'AuthenticationError')
    return new LakeStorageError(
      'unauthenticated',
      `${what}: no token could be obtained (${String(name)}): ${excerpt((error as Error).message)} Sign in again.`,
      target,
      undefined,
      String(name),
    );
  if (name === 'AbortError')
    return new LakeStorageError(
      'network',
      `${what}: the request was cancelled or timed out.`,
      target,
      undefined,
      'AbortError',
    );
  const errno = networkCode(error);
  if (errno)
    return new LakeStorageError(
      'network',
      `${what}: the storage endpoint ${host} cannot be reached (${errno}).`,
      target,
      undefined,
      errno,
    );
  return new LakeStorageError(
    'unknown',
    `${what}: ${excerpt(error instanceof Error ? error.message : String(error))}`,
    target,
  );
}

function serviceCode(error: { code?: string; details?: unknown }): string | undefined {
  const details = error.details as { errorCode?: unknown } | undefined;
  if (details && typeof details.errorCode === 'string') return details.errorCode;
  return typeof error.code === 'string' ? error.code : undefined;
}

/** The errno code of a failed request (ECONNREFUSED…), from the error or its causes. */
function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    const message = (current as { message?: unknown }).message;
    if (typeof message === 'string') {
      const m = /\b(E[A-Z_]{3,}|CERT_[A-Z_]+|[A-Z_]*SELF_SIGNED[A-Z_]*)\b/.exec(message);
      if (m && NETWORK_CODES.has(m[1]!)) return m[1];
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function hostOf(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    return `${url.protocol}//${url.host}`;
  } catch {
    return 'the storage endpoint';
  }
}

/** The first line of a foreign message, redacted and short. */
function excerpt(message: string): string {
  const first = redactSecrets(message.split('\n')[0] ?? '').trim();
  return first.length > 200 ? `${first.slice(0, 199)}…` : first;
}
