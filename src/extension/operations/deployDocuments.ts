import * as vscode from 'vscode';

export const DEPLOY_SCHEME = 'lakehouse-deploy';

/** The before/after JSON of a deploy plan's changes, as read-only documents for the diff editor. */
export class DeployDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private next = 0;

  uriFor(title: string, text: string): vscode.Uri {
    const uri = vscode.Uri.from({
      scheme: DEPLOY_SCHEME,
      path: `/${++this.next}/${title.replace(/[\\/?#]/g, '_')}.json`,
    });
    this.texts.set(uri.toString(), text);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }
}
