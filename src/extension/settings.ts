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

  /** The Databricks CLI a user named (ignored in Restricted Mode: a workspace must not pick the binary we run). */
  get databricksCliPath(): string | undefined {
    const inspected = this.config.inspect<string>('databricks.cliPath');
    const value = vscode.workspace.isTrusted
      ? this.config.get<string>('databricks.cliPath', '')
      : (inspected?.globalValue ?? '');
    return value.trim() || undefined;
  }

  get databricksAuthentication(): 'microsoftAccount' | 'databricksCli' {
    return this.config.get<string>('databricks.authentication') === 'databricksCli'
      ? 'databricksCli'
      : 'microsoftAccount';
  }

  /** The environment a project works in until one is chosen (`local`: the local emulator). */
  get defaultEnvironment(): string | undefined {
    return this.config.get<string>('defaultEnvironment', '').trim() || undefined;
  }
}
