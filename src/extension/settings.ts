import * as vscode from 'vscode';

/** The extension's settings, read when used (a change applies at once), with the defaults package.json declares. */
export class Settings {
  private get config(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration('lakehouse');
  }

  /** Milliseconds after the last keystroke before the metadata is checked again. */
  get debounceMs(): number {
    return this.config.get<number>('validation.debounceMs', 200);
  }

  /** Globs of folders whose lakehouse.yaml files are not projects. */
  get exclude(): string[] {
    return this.config.get<string[]>('validation.exclude', ['**/node_modules/**']);
  }

  get renderTimeoutMs(): number {
    return this.config.get<number>('templates.renderTimeoutMs', 5000);
  }

  /** How much of a text file the Lake view's preview reads (bytes; the rest is not downloaded). */
  get lakePreviewLimitBytes(): number {
    const kib = this.config.get<number>('lake.previewLimitKiB', 1024);
    return Math.round(Math.min(65536, Math.max(16, Number.isFinite(kib) ? kib : 1024)) * 1024);
  }

  /** Folders outside a project that its files may name: the user's own setting, ignored in Restricted Mode. */
  get allowedFolders(): string[] {
    if (!vscode.workspace.isTrusted) return [];
    const folders = this.config.get<unknown>('security.allowedFolders', []);
    return Array.isArray(folders) ? folders.filter((f): f is string => typeof f === 'string' && f.trim() !== '') : [];
  }
}
