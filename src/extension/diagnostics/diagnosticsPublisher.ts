import * as vscode from 'vscode';
import type { Diagnostic, Fix, ProjectSnapshot } from '../../core/index';
import { diagnosticKey, toVsDiagnostic } from './convert';

/** Publishes the projects' diagnostics to the Problems panel and remembers their fixes. */
export class DiagnosticsPublisher implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('lakehouse');
  private readonly fixes = new Map<string, Fix[]>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  /** What was last sent per file: its diagnostics arrays, as the snapshots gave them. */
  private sent = new Map<string, readonly (readonly Diagnostic[])[]>();

  publish(snapshots: readonly ProjectSnapshot[]): void {
    const next = new Map<string, (readonly Diagnostic[])[]>();
    for (const snapshot of snapshots) {
      for (const [file, diagnostics] of snapshot.diagnostics) {
        if (!diagnostics.length) continue;
        const lists = next.get(file) ?? [];
        lists.push(diagnostics);
        next.set(file, lists);
      }
    }
    // Only files whose diagnostics changed are sent: after a keystroke in a 10,000-table project
    // that is one or two files, not all of them (each set() is a message to the window).
    for (const file of this.sent.keys()) {
      if (next.has(file)) continue;
      const uri = vscode.Uri.file(file);
      this.collection.delete(uri);
      this.forget(file);
    }
    for (const [file, lists] of next) {
      const before = this.sent.get(file);
      if (before && sameLists(before, lists)) continue;
      const uri = vscode.Uri.file(file);
      this.forget(file);
      const converted: vscode.Diagnostic[] = [];
      for (const diagnostics of lists) {
        for (const d of diagnostics) {
          const vd = toVsDiagnostic(d);
          converted.push(vd);
          if (d.fixes?.length) this.fixes.set(diagnosticKey(uri, d.code, vd.range, d.message), d.fixes);
        }
      }
      this.collection.set(uri, converted);
    }
    this.sent = next;
    this.changed.fire();
  }

  private forget(file: string): void {
    const prefix = `${vscode.Uri.file(file).toString()}|`;
    for (const key of this.fixes.keys()) if (key.startsWith(prefix)) this.fixes.delete(key);
  }

  fixesFor(uri: vscode.Uri, diagnostic: vscode.Diagnostic): Fix[] {
    const code =
      typeof diagnostic.code === 'object'
        ? String(diagnostic.code.value)
        : diagnostic.code === undefined
          ? undefined
          : String(diagnostic.code);
    return this.fixes.get(diagnosticKey(uri, code, diagnostic.range, diagnostic.message)) ?? [];
  }

  dispose(): void {
    this.collection.dispose();
    this.changed.dispose();
  }
}

/** Whether two files' diagnostics are the same (the core's arrays are compared by content: a re-parse makes new ones). */
function sameLists(a: readonly (readonly Diagnostic[])[], b: readonly (readonly Diagnostic[])[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    if (x.length !== y.length) return false;
    for (let j = 0; j < x.length; j++) if (!sameDiagnostic(x[j]!, y[j]!)) return false;
  }
  return true;
}

function sameDiagnostic(a: Diagnostic, b: Diagnostic): boolean {
  return (
    a === b ||
    (a.code === b.code &&
      a.severity === b.severity &&
      a.message === b.message &&
      a.range.start.line === b.range.start.line &&
      a.range.start.character === b.range.start.character &&
      a.range.end.line === b.range.end.line &&
      a.range.end.character === b.range.end.character &&
      JSON.stringify(a.related ?? null) === JSON.stringify(b.related ?? null) &&
      JSON.stringify(a.fixes ?? null) === JSON.stringify(b.fixes ?? null))
  );
}
