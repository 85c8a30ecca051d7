import * as vscode from 'vscode';

/**
 * A read-only virtual document's URI: what it shows is JSON in the query; the path ends with the
 * file name the editor picks the language from (.py, .sql, .json).
 */
export function virtualDocumentUri<T>(scheme: string, fileName: string, spec: T): vscode.Uri {
  return vscode.Uri.from({ scheme, path: `/${fileName}`, query: JSON.stringify(spec) });
}

/** The spec a virtualDocumentUri carries, or undefined for a link that is not one. */
export function specOfUri<T>(uri: vscode.Uri): T | undefined {
  try {
    return JSON.parse(uri.query) as T;
  } catch {
    return undefined;
  }
}
