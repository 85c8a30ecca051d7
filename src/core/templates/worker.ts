// Worker-thread entry: renders one request at a time, so the caller can stop a template that
// loops forever (terminate) without blocking the extension host's main thread.
import { parentPort } from 'worker_threads';
import {
  createTemplateEnvironment,
  readWithOverlays,
  type RenderResult,
  type TemplateEnvironmentOptions,
} from './environment';
import { parsePythonJson } from './pythonJson';
import type { PyValue } from './pyValue';

export interface WorkerRenderRequest {
  environment: Omit<TemplateEnvironmentOptions, 'readFile' | 'realPath'>;
  /** Template file to render, or text (with an optional name for messages). */
  file?: string;
  text?: string;
  name?: string;
  /** The context: plain data, or JSON text read with Python's float/int distinction. */
  context?: Record<string, unknown>;
  contextJson?: string;
  /** Unsaved editor contents by absolute path, used instead of the disk. */
  overlays?: Record<string, string>;
}

export function renderRequest(request: WorkerRenderRequest): RenderResult {
  const overlays = request.overlays ?? {};
  const environment = createTemplateEnvironment({
    ...request.environment,
    ...(Object.keys(overlays).length ? { readFile: readWithOverlays(overlays) } : {}),
  });
  const context =
    request.contextJson !== undefined
      ? (parsePythonJson(request.contextJson) as Map<string, PyValue>)
      : (request.context ?? {});
  if (request.file !== undefined) return environment.renderFile(request.file, context);
  return environment.renderString(request.text ?? '', context, request.name);
}

parentPort?.on('message', (message: { id: number; request: WorkerRenderRequest }) => {
  let result: RenderResult;
  try {
    result = renderRequest(message.request);
  } catch (error) {
    result = { ok: false, error: { kind: 'runtime', message: error instanceof Error ? error.message : String(error) } };
  }
  parentPort!.postMessage({ id: message.id, result });
});
