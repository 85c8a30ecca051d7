import type * as vscode from 'vscode';
import { redactSecrets } from '../core/text/redact';

const WRITERS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'append', 'appendLine', 'replace']);

/**
 * The log with every message passed through redactSecrets: a SAS URL, a bearer token or a
 * connection string in an SDK error or a CLI's output never reaches the Output panel (or a bug
 * report pasted from it).
 */
export function redactingLog(channel: vscode.LogOutputChannel): vscode.LogOutputChannel {
  return new Proxy(channel, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof property !== 'string' || !WRITERS.has(property) || typeof value !== 'function') {
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      }
      return (message: unknown, ...args: unknown[]) =>
        (value as (...a: unknown[]) => unknown).call(
          target,
          typeof message === 'string'
            ? redactSecrets(message)
            : message instanceof Error
              ? redactError(message)
              : message,
          ...args.map(a => (typeof a === 'string' ? redactSecrets(a) : a instanceof Error ? redactError(a) : a)),
        );
    },
  });
}

function redactError(e: Error): Error {
  const copy = new Error(redactSecrets(e.message));
  copy.name = e.name;
  if (e.stack) copy.stack = redactSecrets(e.stack);
  return copy;
}
