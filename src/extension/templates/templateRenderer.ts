import * as path from 'path';
import * as vscode from 'vscode';
import type { JobRenderer, RenderJob, RenderResult, WorkerRenderer } from '../../core/index';
import type { EditorFileHost } from '../files/editorFileHost';
import { loadCore } from '../lazyCore';
import type { Settings } from '../settings';

export interface TextRenderRequest {
  text: string;
  /** The file the text comes from, for messages. */
  name: string;
  searchPaths: string[];
  projectRoot: string;
  /** JSON text read with Python's float/int distinction. */
  contextJson: string;
}

/**
 * The template worker: one per window, off the extension host's thread, stopped and replaced when
 * a render exceeds the time limit. Every render reads templates through the editor file host's
 * unsaved buffers, like everything else.
 */
export class TemplateRenderer implements vscode.Disposable {
  private worker: WorkerRenderer | undefined;
  private workerTimeoutMs = 0;

  constructor(
    private readonly extensionPath: string,
    private readonly files: EditorFileHost,
    private readonly settings: Settings,
  ) {}

  private ensureWorker(): WorkerRenderer {
    const timeoutMs = this.settings.renderTimeoutMs;
    if (this.worker && this.workerTimeoutMs !== timeoutMs) this.dispose();
    this.workerTimeoutMs = timeoutMs;
    this.worker ??= new (loadCore().WorkerRenderer)({
      timeoutMs,
      workerPath: path.join(this.extensionPath, 'dist', 'templateWorker.js'),
    });
    return this.worker;
  }

  renderJob(job: RenderJob): Promise<RenderResult> {
    return this.ensureWorker().render({
      environment: { searchPaths: job.searchPaths, projectRoot: job.projectRoot },
      file: job.templateFile,
      context: job.context,
      overlays: this.files.unsavedTexts(),
    });
  }

  renderText(request: TextRenderRequest): Promise<RenderResult> {
    return this.ensureWorker().render({
      environment: { searchPaths: request.searchPaths, projectRoot: request.projectRoot },
      text: request.text,
      name: request.name,
      contextJson: request.contextJson,
      overlays: this.files.unsavedTexts(),
    });
  }

  /** The core's renderer interface (Render All uses the core's renderJobs with it). */
  asJobRenderer(): JobRenderer {
    return { render: job => this.renderJob(job), dispose: () => undefined };
  }

  dispose(): void {
    this.worker?.dispose();
    this.worker = undefined;
  }
}
