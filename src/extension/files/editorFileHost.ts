import * as vscode from 'vscode';
import type { EntryType, FileHost, GeneratedTextCache, ReadOptions } from '../../core/index';
import { loadCore } from '../lazyCore';

export interface FileChange {
  file: string;
  /** 'buffer': an editor's unsaved text changed (or was discarded); the others: the disk. */
  kind: 'buffer' | 'change' | 'create' | 'delete';
}

/**
 * The one view of the project's files that every feature reads through: the disk (the core's
 * checked reader: regular files only, the size limit in bytes), with each unsaved editor buffer
 * winning over its file. A buffer without unsaved changes is not used: it may not have caught up
 * yet with a change made on disk. The same edit is therefore seen by validation, previews,
 * generation and dry runs alike.
 */
export class EditorFileHost implements FileHost, vscode.Disposable {
  private disk: FileHost | undefined;
  private readonly changed = new vscode.EventEmitter<FileChange>();
  /** Fires when what this host returns for a file may have changed (a keystroke, a save, a revert, a close, a change on disk). */
  readonly onDidChangeFile = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  /** Generated files as last read from the disk (a plan after each pause in typing reads the whole ADF folder). */
  private generatedTexts: GeneratedTextCache | undefined;

  constructor() {
    const watcher = vscode.workspace.createFileSystemWatcher('**/*');
    const fire = (uri: vscode.Uri, kind: FileChange['kind']) => {
      if (uri.scheme !== 'file') return;
      if (kind !== 'buffer') this.generatedTexts?.forget(uri.fsPath);
      this.changed.fire({ file: uri.fsPath, kind });
    };
    this.disposables.push(
      watcher,
      watcher.onDidChange(uri => fire(uri, 'change')),
      watcher.onDidCreate(uri => fire(uri, 'create')),
      watcher.onDidDelete(uri => fire(uri, 'delete')),
      // A change that only flips the dirty flag (undo to the saved text) still changes what wins.
      vscode.workspace.onDidChangeTextDocument(e => fire(e.document.uri, 'buffer')),
      vscode.workspace.onDidSaveTextDocument(doc => fire(doc.uri, 'change')),
      // Closing a buffer with unsaved changes discards them: the disk wins again.
      vscode.workspace.onDidCloseTextDocument(doc => fire(doc.uri, 'buffer')),
    );
  }

  private diskHost(): FileHost {
    this.disk ??= new (loadCore().NodeFileHost)();
    return this.disk;
  }

  /** The unsaved text of a file, when an editor holds changes to it. */
  unsavedText(file: string): string | undefined {
    const doc = this.dirtyDocument(file);
    return doc?.getText();
  }

  /** Every unsaved buffer, by path (the template worker reads includes through these). */
  unsavedTexts(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const doc of vscode.workspace.textDocuments)
      if (doc.uri.scheme === 'file' && doc.isDirty) out[doc.uri.fsPath] = doc.getText();
    return out;
  }

  private dirtyDocument(file: string): vscode.TextDocument | undefined {
    return vscode.workspace.textDocuments.find(d => d.isDirty && d.uri.scheme === 'file' && d.uri.fsPath === file);
  }

  async readFile(file: string, options?: ReadOptions): Promise<Uint8Array | string | undefined> {
    const unsaved = this.unsavedText(file);
    // The core decodes a string as it would the file's bytes: the same size limit and checks.
    if (unsaved !== undefined) return unsaved;
    return this.diskHost().readFile(file, options);
  }

  /**
   * The file as text (unsaved changes win); undefined when it does not exist. Throws the core's
   * FileRefusedError for what must not be read (a FIFO, a device, over the size limit, binary).
   */
  async readText(file: string): Promise<string | undefined> {
    const content = await this.readFile(file);
    if (content === undefined) return undefined;
    const core = loadCore();
    const decoded = core.decodeText(content);
    if (!decoded.ok) throw new core.FileRefusedError(decoded.reason);
    return decoded.text;
  }

  /**
   * A generated file (an output, an ADF artifact) as text, unsaved changes winning; undefined when it
   * does not exist or cannot be read. Generated files may be larger than the metadata's limit.
   */
  async readGenerated(file: string): Promise<string | undefined> {
    try {
      const core = loadCore();
      if (this.unsavedText(file) !== undefined) return await core.readGeneratedText(this, file);
      this.generatedTexts ??= new core.GeneratedTextCache();
      return await this.generatedTexts.read(this, file);
    } catch {
      return undefined;
    }
  }

  entryType(file: string): Promise<EntryType | undefined> {
    return this.diskHost().entryType?.(file) ?? loadCore().entryTypeOnDisk(file);
  }

  /**
   * Writes atomically. A file with unsaved changes in an editor is not written: the write would
   * lose them (or they would overwrite it); the message says to save or revert it first.
   */
  async writeFile(file: string, text: string): Promise<void> {
    if (this.dirtyDocument(file)) {
      const core = loadCore();
      throw new core.WriteRefusedError(
        `${vscode.workspace.asRelativePath(file)} has unsaved changes in the editor: save or revert it first.`,
      );
    }
    await this.diskHost().writeFile(file, text);
    this.generatedTexts?.forget(file);
  }

  readDirectory(dir: string): Promise<string[] | undefined> {
    return this.diskHost().readDirectory(dir);
  }

  async fileSize(file: string): Promise<number | undefined> {
    const unsaved = this.unsavedText(file);
    if (unsaved !== undefined) return Buffer.byteLength(unsaved, 'utf8');
    return this.diskHost().fileSize?.(file);
  }

  async realPath(file: string): Promise<string | undefined> {
    return this.diskHost().realPath?.(file);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
