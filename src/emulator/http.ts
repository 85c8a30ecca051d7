// What the emulator's handlers answer: a status, a JSON body and headers, built before anything
// is written, so a fault can replace the answer after the effect (a lost answer, a 500).
import { randomUUID } from 'crypto';
import type { IncomingMessage, ServerResponse } from 'http';

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** ARM's error body: { error: { code, message } }. */
export function armError(status: number, code: string, message: string, headers?: Record<string, string>): Reply {
  return { status, body: { error: { code, message, target: null, details: null } }, ...(headers ? { headers } : {}) };
}

/** A handler's refusal, turned into ARM's error body by the server. */
export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }

  toReply(): Reply {
    return armError(this.status, this.code, this.message, this.headers);
  }
}

export const badRequest = (code: string, message: string) => new ArmError(400, code, message);
export const notFound = (code: string, message: string) => new ArmError(404, code, message);

export const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** The request body as text; refuses bodies over MAX_BODY_BYTES (ADF refuses pipelines over 200 KB long before that). */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ArmError(413, 'RequestEntityTooLarge', `The request body is larger than ${MAX_BODY_BYTES} bytes.`));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The body as JSON ({} when empty); a body that is not JSON is ARM's 400. */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw badRequest(
      'InvalidRequestContent',
      `The request content was invalid and could not be deserialized: ${(e as Error).message}`,
    );
  }
}

export function sendReply(res: ServerResponse, reply: Reply): void {
  const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'x-ms-request-id': randomUUID(),
    'x-ms-correlation-request-id': randomUUID(),
    ...(reply.headers ?? {}),
  });
  res.end(text);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
