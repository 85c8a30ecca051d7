// Lake files opened read-only, as virtual documents of their own scheme: text formats (JSON, CSV,
// text…) up to the preview's size cap, with a first line and a tab name that say when the file was
// cut; parquet as its footer's summary (schema, row count, row groups) in Markdown; anything else
// refused with a message that says why. Nothing is written back: the scheme has no file system.
import * as vscode from 'vscode';
import { formatBytes } from '../../core/text/bytes';
import { specOfUri, virtualDocumentUri } from '../virtualDocuments';
import { parquetDocument, previewFileName } from './lakePresentation';
import type { LakeBrowser } from './lakeTreeModel';

export const LAKE_SCHEME = 'lakehouse-lake';

/** What a preview document shows: carried in its URI, so a tab restored after a reload can be read again. */
export interface LakeDocumentSpec {
  /** The project's lakehouse.yaml. */
  root: string;
  environment: string;
  account: string;
  container: string;
  path: string;
}

/** The lake a project's view is connected to, for reading a file. */
export interface ConnectedLake {
  browser: LakeBrowser;
  environment: string;
}

type Rendered = { ok: true; text: string; fileName: string } | { ok: false; message: string };

/** What opening a file did: the document shown, or the message shown instead. */
export interface LakeOpenResult {
  uri?: string;
  message?: string;
}

const MAX_KEPT = 32;

export class LakeDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  /** The text of each open preview, by URI (the newest MAX_KEPT; a closed one is read again if reopened). */
  private readonly contents = new Map<string, string>();
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(
    private readonly lakeOf: (root: string) => ConnectedLake | undefined,
    private readonly log: vscode.LogOutputChannel,
    private readonly progressViewId: string,
    /** The preview's size cap (the setting lakehouse.lake.previewLimitKiB). */
    private readonly limitBytes: () => number,
  ) {
    this.disposables.push(vscode.workspace.onDidCloseTextDocument(doc => this.contents.delete(doc.uri.toString())));
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const kept = this.contents.get(uri.toString());
    if (kept !== undefined) return kept;
    const spec = specOfUri<LakeDocumentSpec>(uri);
    if (!spec || typeof spec.container !== 'string' || typeof spec.path !== 'string' || typeof spec.root !== 'string')
      return 'This is not a Lake view preview (its address is damaged). Open the file again from the Lake view.';
    // A tab restored after a reload: read again only from the same account, and never connect from here.
    const lake = this.lakeOf(spec.root);
    if (!lake || lake.browser.accountName !== spec.account || lake.environment !== spec.environment)
      return (
        `${spec.container}/${spec.path} was previewed from ${spec.environment} (storage account ${spec.account}). ` +
        `Connect the Lake view to ${spec.environment} and open the file again to read it.`
      );
    try {
      const rendered = await this.render(spec, lake);
      return rendered.ok ? rendered.text : rendered.message;
    } catch (e) {
      return (e as Error)?.message ?? String(e);
    }
  }

  /** Reads a file of the lake and shows it read-only (or says why not). */
  async open(
    root: string,
    lake: ConnectedLake,
    file: { container: string; path: string; size?: number },
  ): Promise<LakeOpenResult> {
    const spec: LakeDocumentSpec = {
      root,
      environment: lake.environment,
      account: lake.browser.accountName,
      container: file.container,
      path: file.path,
    };
    let rendered: Rendered;
    try {
      rendered = await vscode.window.withProgress({ location: { viewId: this.progressViewId } }, () =>
        this.render(spec, lake, file.size),
      );
    } catch (e) {
      if ((e as { name?: unknown })?.name !== 'LakeStorageError') throw e;
      const message = (e as Error).message;
      this.log.warn(`Lake: ${message}`);
      void vscode.window.showErrorMessage(`Lakehouse: ${message}`);
      return { message };
    }
    if (!rendered.ok) {
      void vscode.window.showInformationMessage(`Lakehouse: ${rendered.message}`);
      return { message: rendered.message };
    }
    const uri = virtualDocumentUri(LAKE_SCHEME, rendered.fileName, spec);
    const key = uri.toString();
    const reopened = this.contents.has(key);
    this.contents.delete(key);
    this.contents.set(key, rendered.text);
    while (this.contents.size > MAX_KEPT) this.contents.delete(this.contents.keys().next().value!);
    // Opened before: its text was read again, and the open document shows the new one.
    if (reopened) this.changed.fire(uri);
    await vscode.window.showTextDocument(uri, { preview: true });
    return { uri: key };
  }

  private async render(spec: LakeDocumentSpec, lake: ConnectedLake, size?: number): Promise<Rendered> {
    const name = spec.path.slice(spec.path.lastIndexOf('/') + 1);
    const limitBytes = this.limitBytes();
    const preview = await lake.browser.previewFile(spec.container, spec.path, {
      limitBytes,
      ...(size !== undefined ? { size } : {}),
    });
    if (preview.kind === 'refused') return { ok: false, message: preview.message };
    if (preview.kind === 'parquet') {
      if (!preview.reading.ok) return { ok: false, message: preview.reading.message };
      return {
        ok: true,
        text: parquetDocument({ ...spec, name, account: spec.account }, preview.reading.summary),
        fileName: previewFileName(name, spec.container, spec.environment, { kind: 'parquet' }),
      };
    }
    if (!preview.ok) return { ok: false, message: preview.message };
    if (!preview.truncated)
      return {
        ok: true,
        text: preview.text,
        fileName: previewFileName(name, spec.container, spec.environment, { kind: 'text', language: preview.language }),
      };
    // Cut: plain text whose first line and tab name say so (a cut JSON or CSV is not valid as its language).
    const shown = limitBytes;
    this.log.info(
      `Lake: ${spec.container}/${spec.path}: preview cut at ${formatBytes(shown)} (lakehouse.lake.previewLimitKiB)`,
    );
    return {
      ok: true,
      text: `[Lakehouse: ${preview.note ?? 'truncated preview'}]\n${preview.text}`,
      fileName: previewFileName(name, spec.container, spec.environment, {
        kind: 'text',
        language: preview.language,
        truncatedAt: shown,
      }),
    };
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
