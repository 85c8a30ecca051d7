import * as vscode from 'vscode';
import type { Fix, ProjectSnapshot } from '../../core/index';
import { diagnosticKey, toVsDiagnostic } from './convert';

/** Publishes the projects' diagnostics to the Problems panel and remembers their fixes. */
export class DiagnosticsPublisher implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('lakehouse');
  private readonly fixes = new Map<string, Fix[]>();
  private readonly counts = new Map<string, { errors: number; warnings: number }>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  publish(snapshots: readonly ProjectSnapshot[]): void {
    const next = new Map<string, vscode.Diagnostic[]>();
    this.fixes.clear();
    this.counts.clear();
    for (const snapshot of snapshots) {
      for (const [file, diagnostics] of snapshot.diagnostics) {
        const uri = vscode.Uri.file(file);
        const list = next.get(uri.toString()) ?? [];
        let errors = 0;
        let warnings = 0;
        for (const d of diagnostics) {
          const vd = toVsDiagnostic(d);
          list.push(vd);
          if (d.severity === 'error') errors++;
          else if (d.severity === 'warning') warnings++;
          if (d.fixes?.length) this.fixes.set(diagnosticKey(uri, d.code, vd.range, d.message), d.fixes);
        }
        next.set(uri.toString(), list);
        this.counts.set(file, { errors, warnings });
      }
    }
    const stale: vscode.Uri[] = [];
    this.collection.forEach(uri => {
      if (!next.has(uri.toString())) stale.push(uri);
    });
    for (const uri of stale) this.collection.delete(uri);
    for (const [uri, list] of next) this.collection.set(vscode.Uri.parse(uri), list);
    this.changed.fire();
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
