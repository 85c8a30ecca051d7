// End-to-end: the extension in a real VS Code host, on a copy of the Spotify sample.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { LakehouseApi } from '../../src/extension/extension';
import type { SourcesNode } from '../../src/extension/sources/sourcesTreeDataProvider';
import { checkpoint } from './checkpoint';
import { EXTENSION_ID, outputDir, waitFor, workspaceRoot } from './util';

function lakehouseDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter(d => d.source === 'lakehouse');
}

suite('Lakehouse Workbench in a real VS Code host', () => {
  let api: LakehouseApi;

  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension<LakehouseApi>(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is installed in the host`);
    api = await ext.activate();
    await api.ready;
    await api.ctx.projects.whenIdle();
  });

  test('activates on the sample (workspaceContains:lakehouse.yaml) and finds the project', async () => {
    const ext = vscode.extensions.getExtension<LakehouseApi>(EXTENSION_ID)!;
    assert.strictEqual(ext.isActive, true);
    assert.strictEqual(api.ctx.projects.snapshots.length, 1);
    const snapshot = api.ctx.projects.snapshots[0]!;
    assert.strictEqual(snapshot.rootFile, path.join(workspaceRoot(), 'lakehouse.yaml'));
    const problems = [...snapshot.diagnostics.values()].flat();
    assert.deepStrictEqual(
      problems.map(d => `${d.code} ${d.message}`),
      [],
      'the sample validates with no problems',
    );
    fs.writeFileSync(
      path.join(outputDir(), 'activation.json'),
      JSON.stringify(
        { activationMs: api.activationMs, sinceModuleLoadMs: api.sinceModuleLoadMs, vscode: vscode.version },
        null,
        2,
      ),
    );
    console.log(
      `activation: activate() ${api.activationMs.toFixed(1)} ms, ${api.sinceModuleLoadMs.toFixed(1)} ms since the module loaded (VS Code ${vscode.version})`,
    );
  });

  test('the Sources view lists the five tables of the sample', async () => {
    await vscode.commands.executeCommand('workbench.view.extension.lakehouse');
    const tables = api.ctx.sources
      .all()
      .filter((n): n is Extract<SourcesNode, { kind: 'table' }> => n.kind === 'table');
    assert.deepStrictEqual(tables.map(t => t.table.qualifiedName).sort(), [
      'dbo.DimArtist',
      'dbo.DimDate',
      'dbo.DimTrack',
      'dbo.DimUser',
      'dbo.FactStream',
    ]);
    const fact = tables.find(t => t.table.name === 'FactStream')!;
    const item = api.ctx.sources.getTreeItem(fact);
    assert.strictEqual(item.description, 'CDC stream_timestamp · backfill from 2024-01-01');
    // reveal() needs getParent and a rendered tree: retry until the workbench has fetched the nodes
    await waitFor('the tree to render', async () => {
      try {
        await api.ctx.sourcesView.reveal(fact, { select: true, focus: false, expand: false });
        return true;
      } catch {
        return undefined;
      }
    });
    assert.strictEqual(api.ctx.sourcesView.visible, true);
    await checkpoint('sources-view', { waitForText: 'dbo.FactStream', selector: '#workbench\\.parts\\.sidebar' });
  });

  test('clicking a table reveals its definition', async () => {
    const fact = api.ctx.sources.all().find(n => n.kind === 'table' && n.table.name === 'FactStream')!;
    const command = api.ctx.sources.getTreeItem(fact).command!;
    await vscode.commands.executeCommand(command.command, ...(command.arguments ?? []));
    const editor = await waitFor('lakehouse.yaml to open', () => vscode.window.activeTextEditor);
    assert.strictEqual(editor.document.uri.fsPath, path.join(workspaceRoot(), 'lakehouse.yaml'));
    assert.strictEqual(editor.document.getText(editor.selection), 'FactStream');
  });

  test('an unknown dimension in a fact reference is diagnosed where it is written, and the quick fix repairs it', async () => {
    const uri = vscode.Uri.file(path.join(workspaceRoot(), 'metadata', 'star-schema.lakehouse.yaml'));
    const doc = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(doc);
    const text = doc.getText();
    const needle = 'dimension: dim_track';
    const offset = text.indexOf(needle);
    assert.ok(offset > 0, 'the sample references dim_track');
    const valueStart = doc.positionAt(offset + 'dimension: '.length);
    const valueRange = new vscode.Range(valueStart, valueStart.translate(0, 'dim_track'.length));
    // Type, do not save: diagnostics follow the buffer.
    assert.ok(await editor.edit(b => b.replace(valueRange, 'dim_trak')));
    const expected = new vscode.Range(valueStart, valueStart.translate(0, 'dim_trak'.length));
    const diagnostic = await waitFor('the LH201 diagnostic', () =>
      lakehouseDiagnostics(uri).find(d => d.code === 'LH201'),
    );
    assert.ok(
      diagnostic.range.isEqual(expected),
      `range ${JSON.stringify(diagnostic.range)} is the dimension value ${JSON.stringify(expected)}`,
    );
    assert.strictEqual(diagnostic.severity, vscode.DiagnosticSeverity.Error);
    assert.match(diagnostic.message, /dim_trak.*Did you mean 'dim_track'/);
    await vscode.commands.executeCommand('workbench.actions.view.problems');
    await vscode.window.showTextDocument(doc, { preserveFocus: false });
    editor.selection = new vscode.Selection(expected.start, expected.end);
    editor.revealRange(expected, vscode.TextEditorRevealType.InCenter);
    await checkpoint('unknown-dimension', { waitForText: "Did you mean 'dim_track'?" });

    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      uri,
      expected,
      vscode.CodeActionKind.QuickFix.value,
    );
    const fix = actions.find(a => a.title === "Change to 'dim_track'");
    assert.ok(fix?.edit, `a quick fix is offered (got ${actions.map(a => a.title).join(', ')})`);
    assert.strictEqual(fix.isPreferred, true);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.strictEqual(doc.getText(), text, 'the fix restores the original text');
    await waitFor('the diagnostic to clear', () => (lakehouseDiagnostics(uri).length === 0 ? true : undefined));
    await checkpoint('quick-fix-applied');
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  test('half-typed YAML gives a syntax diagnostic; the views keep the last good model, marked stale; never an exception', async () => {
    const uri = vscode.Uri.file(path.join(workspaceRoot(), 'lakehouse.yaml'));
    const doc = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(doc);
    const original = doc.getText();
    const line = doc.lineAt(
      doc
        .getText()
        .split('\n')
        .findIndex(l => l.startsWith('project:')),
    );
    assert.ok(await editor.edit(b => b.insert(line.range.end, ' [unclosed')));
    const diagnostic = await waitFor('LH001', () => lakehouseDiagnostics(uri).find(d => d.code === 'LH001'));
    assert.strictEqual(diagnostic.severity, vscode.DiagnosticSeverity.Error);
    const message = await waitFor('the stale node', () => api.ctx.sources.all().find(n => n.kind === 'message'));
    assert.match(
      api.ctx.sources.getTreeItem(message).label as string,
      /lakehouse\.yaml does not parse: showing the last good version/,
    );
    assert.strictEqual(
      api.ctx.sources.all().filter(n => n.kind === 'table').length,
      5,
      'the tables stay while the file is half typed',
    );
    const snapshot = api.ctx.projects.snapshots[0]!;
    assert.deepStrictEqual(snapshot.stale?.files, [uri.fsPath]);
    assert.ok(
      ![...snapshot.diagnostics.values()].flat().some(d => d.code === 'LH404'),
      'no loop table turns "not in lakehouse.yaml"',
    );
    await vscode.commands.executeCommand('workbench.view.extension.lakehouse');
    await checkpoint('broken-yaml', { waitForText: 'showing the last good version' });
    assert.ok(
      await editor.edit(b =>
        b.replace(new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), original),
      ),
    );
    await waitFor('the stale mark to go', () => !api.ctx.sources.all().some(n => n.kind === 'message'));
    assert.strictEqual(api.ctx.sources.all().filter(n => n.kind === 'table').length, 5);
    assert.strictEqual(api.ctx.projects.snapshots[0]!.stale, undefined);
    await waitFor('the diagnostics to clear', () => lakehouseDiagnostics(uri).length === 0);
    await vscode.commands.executeCommand('workbench.action.files.revert');
    assert.strictEqual(fs.readFileSync(uri.fsPath, 'utf8'), original, 'nothing was written to disk');
  });

  test('Create lakehouse.yaml from ADF Folder imports the sample factory', async () => {
    // A factory in a folder of its own, imported beside it: lakehouse.yaml reads only inside its folder.
    const out = vscode.Uri.file(path.join(workspaceRoot(), 'imported', 'lakehouse.yaml'));
    const adf = vscode.Uri.file(path.join(workspaceRoot(), 'imported', 'factory'));
    fs.cpSync(path.join(workspaceRoot(), 'adf'), adf.fsPath, { recursive: true });
    const written = await vscode.commands.executeCommand<vscode.Uri>('lakehouse.project.importAdf', adf, out);
    assert.strictEqual(written?.fsPath, out.fsPath);
    const text = fs.readFileSync(out.fsPath, 'utf8');
    for (const table of ['DimUser', 'DimArtist', 'DimTrack', 'DimDate', 'FactStream'])
      assert.match(text, new RegExp(`- name: ${table}\\b`));
    assert.match(text, /adf: factory\n/);
    await api.ctx.projects.whenIdle();
    const imported = await waitFor('the imported project', () =>
      api.ctx.projects.snapshots.find(s => s.rootFile === out.fsPath),
    );
    const errors = [...imported.diagnostics.values()].flat().filter(d => d.severity === 'error');
    assert.deepStrictEqual(
      errors.map(d => d.message),
      [],
    );
    const todos = lakehouseDiagnostics(out).filter(d => d.code === 'LH901');
    assert.ok(todos.length >= 5, 'the TODOs are pointed at');
    await checkpoint('imported', { waitForText: 'TODO' });
    fs.rmSync(path.dirname(out.fsPath), { recursive: true, force: true });
    await vscode.commands.executeCommand('lakehouse.sources.refresh');
    assert.ok(
      api.ctx.projects.snapshots.every(s => s.rootFile !== out.fsPath),
      'a deleted project leaves the views',
    );
  });
});
