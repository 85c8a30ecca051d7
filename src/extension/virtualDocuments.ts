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

/**
 * Replaces each open tab of a scheme with the document `replacement` names for it (undefined: keep
 * the tab), in the same editor group: a preview follows a change of what it shows (an environment).
 */
export async function replaceTabs(
  scheme: string,
  replacement: (uri: vscode.Uri) => Promise<vscode.Uri | undefined> | vscode.Uri | undefined,
): Promise<void> {
  for (const group of vscode.window.tabGroups.all) {
    for (const tab of group.tabs) {
      if (!(tab.input instanceof vscode.TabInputText) || tab.input.uri.scheme !== scheme) continue;
      const uri = await replacement(tab.input.uri);
      if (!uri || uri.toString() === tab.input.uri.toString()) continue;
      await vscode.window.showTextDocument(uri, { viewColumn: group.viewColumn, preview: false, preserveFocus: true });
      await vscode.window.tabGroups.close(tab, true);
    }
  }
}
