// End-to-end: ADF JSON checked as you type, the Data Factory view, and the generated preview, in a
// real VS Code host on a copy of the Spotify sample.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { LakehouseApi } from '../../src/extension/extension';
import { answer, checkpoint } from './checkpoint';
import { EXTENSION_ID, revertAndCloseEditors, waitFor, workspaceRoot } from './util';

const PIPELINE = 'pl_incremental_ingestion';

interface GenerateResult {
  written: number;
  unchanged: number;
  refused: number;
}

/** Reveals a pipeline in the Data Factory view; the tree may be rebuilt meanwhile, so it looks the node up again. */
async function revealPipeline(api: LakehouseApi, name: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    await api.ctx.projects.whenIdle();
    const node = await waitFor(`${name} in the Data Factory view`, () =>
      api.ctx.pipelines.all().find(n => n.kind === 'pipeline' && n.name === name),
    );
    try {
      await api.ctx.pipelinesView.reveal(node, { expand: true, focus: false, select: true });
      return;
    } catch (e) {
      if (attempt >= 5) throw e;
      await new Promise(r => setTimeout(r, 200));
    }
  }
}

function openDoc(uri: vscode.Uri): vscode.TextDocument | undefined {
  return vscode.workspace.textDocuments.find(d => d.uri.toString() === uri.toString());
}

suite('Data Factory JSON in a real VS Code host', () => {
  let api: LakehouseApi;

  suiteSetup(async () => {
    api = await vscode.extensions.getExtension<LakehouseApi>(EXTENSION_ID)!.activate();
    await api.ready;
    await api.ctx.projects.whenIdle();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  teardown(revertAndCloseEditors);

  test('a broken dependsOn in a pipeline is reported on its name as you type, with a quick fix', async () => {
    const file = vscode.Uri.file(path.join(workspaceRoot(), 'adf', 'pipeline', `${PIPELINE}.json`));
    const doc = await vscode.workspace.openTextDocument(file);
    const editor = await vscode.window.showTextDocument(doc);
    assert.deepStrictEqual(
      vscode.languages.getDiagnostics(file).filter(d => d.source === 'lakehouse'),
      [],
      'the generated pipeline is clean',
    );
    // The first dependency in the file: rename its target (unsaved), as a typo would.
    const match = /"activity": "([^"]+)"/.exec(doc.getText());
    assert.ok(match, 'the pipeline has a dependency');
    const target = match[1]!;
    const start = match.index + '"activity": "'.length;
    assert.ok(
      await editor.edit(b =>
        b.replace(new vscode.Range(doc.positionAt(start), doc.positionAt(start + target.length)), `${target}x`),
      ),
    );
    const diagnostic = await waitFor('the LH407 diagnostic', () =>
      vscode.languages
        .getDiagnostics(file)
        .find(d => d.source === 'lakehouse' && String(typeof d.code === 'object' ? d.code.value : d.code) === 'LH407'),
    );
    assert.strictEqual(diagnostic.severity, vscode.DiagnosticSeverity.Error);
    assert.deepStrictEqual(
      [diagnostic.range.start, diagnostic.range.end].map(p => doc.offsetAt(p)),
      [start - 1, start + target.length + 2],
      'on the quoted name',
    );
    assert.match(diagnostic.message, new RegExp(`depends on '${target}x'.*Did you mean '${target}'`));
    editor.selection = new vscode.Selection(diagnostic.range.start, diagnostic.range.end);
    editor.revealRange(diagnostic.range, vscode.TextEditorRevealType.InCenter);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      file,
      diagnostic.range,
    );
    const fix = actions.find(a => a.title === `Change to '${target}'`);
    assert.ok(fix?.edit, `a quick fix renames it back (offered: ${actions.map(a => a.title).join(', ')})`);
    await vscode.commands.executeCommand('editor.action.marker.next');
    // The problem's peek widget shows the message under the line, as a person sees it.
    await checkpoint('adf-broken-dependson', { waitForText: `Did you mean '${target}'` });
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    await waitFor(
      'the diagnostic to go away',
      () => !vscode.languages.getDiagnostics(file).some(d => d.source === 'lakehouse'),
    );
  });

  test('the Data Factory view lists the pipelines; the generated preview follows the metadata and compares with the file on disk', async () => {
    // The view computes its content only while it is visible.
    await vscode.commands.executeCommand('lakehouse.pipelines.focus');
    const pipelineNode = await waitFor('the pipeline in the Data Factory view', () =>
      api.ctx.pipelines.all().find(n => n.kind === 'pipeline' && n.name === PIPELINE),
    );
    assert.ok(
      pipelineNode.kind === 'pipeline' && pipelineNode.plan?.status === 'unchanged',
      'generated, and up to date on disk',
    );
    const parameters = api.ctx.pipelines.getChildren(pipelineNode);
    assert.ok(
      parameters.some(p => p.kind === 'parameter' && p.name === 'loop_input' && p.owned),
      'loop_input comes from the metadata',
    );
    await revealPipeline(api, PIPELINE);
    await checkpoint('adf-pipelines-view', { waitForText: 'from metadata' });

    const uri = await vscode.commands.executeCommand<vscode.Uri>('lakehouse.adf.preview', pipelineNode);
    assert.ok(uri);
    const onDisk = fs.readFileSync(path.join(workspaceRoot(), 'adf', 'pipeline', `${PIPELINE}.json`), 'utf8');
    const preview = await waitFor('the preview document', () => openDoc(uri));
    assert.strictEqual(preview.languageId, 'json');
    assert.strictEqual(preview.getText(), onDisk, 'the preview is what generation writes: the committed file');

    // Declare a new table (unsaved): the preview's loop parameter follows, nothing else changes.
    const yaml = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(workspaceRoot(), 'lakehouse.yaml')));
    const editor = await vscode.window.showTextDocument(yaml, { viewColumn: vscode.ViewColumn.One });
    const anchor = '      - name: DimArtist\n';
    const at = yaml.getText().indexOf(anchor);
    assert.ok(at > 0);
    const table =
      '      - name: DimPodcast\n        schema: dbo\n        primaryKey: [podcast_id]\n        ' +
      'cdcColumn: updated_at\n        loadType: incremental\n        columns:\n          - { ' +
      'name: podcast_id, type: int, nullable: false }\n          - { name: updated_at, type: ' +
      'datetime2 }\n';
    assert.ok(await editor.edit(b => b.insert(yaml.positionAt(at), table)));
    await waitFor('the preview to copy DimPodcast', () => openDoc(uri)?.getText().includes('"table": "DimPodcast"'));
    const updated = openDoc(uri)!;
    const podcast = updated.getText().indexOf('"table": "DimPodcast"');
    const previewEditor = vscode.window.visibleTextEditors.find(e => e.document.uri.toString() === uri.toString());
    previewEditor?.revealRange(
      new vscode.Range(updated.positionAt(podcast), updated.positionAt(podcast)),
      vscode.TextEditorRevealType.InCenter,
    );
    await checkpoint('adf-preview-after-metadata-edit', { waitForText: 'DimPodcast' });

    await vscode.commands.executeCommand('lakehouse.adf.compareWithDisk', uri);
    await waitFor('the diff editor', () =>
      vscode.window.tabGroups.all.some(g =>
        g.tabs.some(t => t.input instanceof vscode.TabInputTextDiff && t.input.modified.toString() === uri.toString()),
      ),
    );
    await checkpoint('adf-compare-with-disk', { waitForText: 'generated' });
  });

  test("Dry Run Pipeline shows a backfill window's copy query and follows an unsaved edit of the pipeline", async () => {
    await revealPipeline(api, PIPELINE);
    const node = api.ctx.pipelines.all().find(n => n.kind === 'pipeline' && n.name === PIPELINE);
    const running = vscode.commands.executeCommand<vscode.Uri>('lakehouse.adf.dryRun', node);
    await answer('adf-dry-run-how', `Dry run ${PIPELINE}`, { type: 'Backfill a window' }, { press: 'Enter' });
    await answer(
      'adf-dry-run-window',
      'START/END (timestamps)',
      { fill: '2026-11-01T00:00:00Z/2026-11-02T00:00:00Z' },
      { press: 'Enter' },
    );
    const uri = await running;
    assert.ok(uri, 'the dry run opened');
    const window =
      'SELECT * FROM [dbo].[FactStream] WHERE [stream_timestamp] >= ' +
      "CAST('2026-11-01T00:00:00.0000000' AS datetime2(7)) AND [stream_timestamp] < " +
      "CAST('2026-11-02T00:00:00.0000000' AS datetime2(7))";
    const report = await waitFor('the dry run report', () => openDoc(uri)?.getText().includes(window) && openDoc(uri));
    assert.ok(!/write_watermark[^\n]*\bSucceeded/.test(report.getText()), 'a window run writes no watermark');
    const shown = vscode.window.visibleTextEditors.find(e => e.document.uri.toString() === uri.toString());
    assert.ok(shown, 'the report is shown');
    const at = report.getText().indexOf(window);
    shown.revealRange(
      new vscode.Range(report.positionAt(at), report.positionAt(at)),
      vscode.TextEditorRevealType.InCenter,
    );
    await checkpoint('adf-dry-run', { waitForText: 'dry run' });

    // An unsaved edit of the pipeline's query: the report follows it.
    const json = await vscode.workspace.openTextDocument(
      vscode.Uri.file(path.join(workspaceRoot(), 'adf', 'pipeline', `${PIPELINE}.json`)),
    );
    const editor = await vscode.window.showTextDocument(json, { viewColumn: vscode.ViewColumn.One });
    const from = json.getText().indexOf("'SELECT * FROM '");
    assert.ok(from > 0, 'the copy query is in the pipeline');
    assert.ok(
      await editor.edit(b =>
        b.replace(
          new vscode.Range(json.positionAt(from), json.positionAt(from + "'SELECT * FROM '".length)),
          "'SELECT TOP 10 * FROM '",
        ),
      ),
    );
    await waitFor('the dry run to follow the edit', () =>
      openDoc(uri)?.getText().includes('SELECT TOP 10 * FROM [dbo].[FactStream]'),
    );
  });

  test('Generate ADF Artifacts shows what it will write and asks; Cancel is the default; the edits by hand are named', async () => {
    const file = path.join(workspaceRoot(), 'adf', 'pipeline', `${PIPELINE}.json`);
    const original = fs.readFileSync(file, 'utf8');
    const edited = original.replace('"defaultValue": "bronze"', '"defaultValue": "bronze-by-hand"');
    assert.notStrictEqual(edited, original, 'the pipeline has the bronze container parameter');
    try {
      fs.writeFileSync(file, edited);
      await api.ctx.projects.filesChanged([file]);
      let running = vscode.commands.executeCommand<GenerateResult>('lakehouse.adf.generate');
      // The review lists what will be written; Enter takes the default, Cancel: nothing is written without a choice.
      await answer('adf-generate-confirm', 'Review what will be written', { press: 'Enter' });
      const kept = await running;
      assert.deepStrictEqual({ written: kept?.written, refused: kept?.refused }, { written: 0, refused: 1 });
      assert.strictEqual(fs.readFileSync(file, 'utf8'), edited, 'nothing is written without consent');

      running = vscode.commands.executeCommand<GenerateResult>('lakehouse.adf.generate');
      await answer(
        'adf-generate-overwrite',
        'edited by hand',
        { type: 'Overwrite 1 Hand Edit and Write 1 File' },
        { press: 'Enter' },
      );
      const overwritten = await running;
      assert.strictEqual(overwritten?.written, 1);
      assert.strictEqual(
        fs.readFileSync(file, 'utf8'),
        original,
        'the owned value is generated again, every other byte kept',
      );
    } finally {
      fs.writeFileSync(file, original);
      await api.ctx.projects.filesChanged([file]);
    }
  });

  test('one environment for every feature: chosen in the status bar, named in preview titles, and a protected one asks before Generate writes', async () => {
    await vscode.commands.executeCommand('lakehouse.pipelines.focus');
    const node = await waitFor('the pipeline in the Data Factory view', () =>
      api.ctx.pipelines.all().find(n => n.kind === 'pipeline' && n.name === PIPELINE),
    );
    const devPreview = await vscode.commands.executeCommand<vscode.Uri>('lakehouse.adf.preview', node);
    assert.strictEqual(path.basename(devPreview.path), `${PIPELINE} (generated · dev).json`);
    await checkpoint('status-bar-dev', { waitForText: 'dev', selector: '#workbench\\.parts\\.statusbar' });

    const selecting = vscode.commands.executeCommand('lakehouse.project.selectEnvironment');
    await answer('select-environment', 'Environment for previews', { type: 'prod' }, { press: 'Enter' });
    await selecting;
    const prodTitle = `${PIPELINE} (generated · prod).json`;
    const prodTab = await waitFor('the preview reopened for prod', () =>
      vscode.window.tabGroups.all
        .flatMap(g => g.tabs)
        .find(t => t.input instanceof vscode.TabInputText && path.basename(t.input.uri.path) === prodTitle),
    );
    const prodUri = (prodTab.input as vscode.TabInputText).uri;
    const prodText = await waitFor('the prod preview', () => openDoc(prodUri)?.getText());
    assert.match(prodText, /stspotifyprod|adf-spotify-prod|spotify_prod/, "the preview has prod's values");
    await waitFor('the dev preview to be replaced, not left beside it', () =>
      vscode.window.tabGroups.all.flatMap(g => g.tabs).every(t => !t.label.includes('· dev)')),
    );
    await checkpoint('status-bar-prod', { waitForText: 'prod', selector: '#workbench\\.parts\\.statusbar' });

    const file = path.join(workspaceRoot(), 'adf', 'pipeline', `${PIPELINE}.json`);
    const before = fs.readFileSync(file, 'utf8');
    try {
      const running = vscode.commands.executeCommand<GenerateResult>('lakehouse.adf.generate');
      await answer('adf-generate-prod', 'protected: prod', { type: 'Write' }, { press: 'Enter' });
      // A protected environment: the name must be typed; a wrong one is refused, Escape writes nothing.
      await answer('adf-generate-protected', 'Type prod to confirm', { type: 'pro' }, { press: 'Enter' });
      await answer('adf-generate-protected-escape', 'Type prod exactly', { press: 'Escape' });
      const result = await running;
      assert.strictEqual(result?.written, 0, 'nothing is written for a protected environment without a yes');
      assert.strictEqual(fs.readFileSync(file, 'utf8'), before);
    } finally {
      const back = vscode.commands.executeCommand('lakehouse.project.selectEnvironment');
      await answer('select-environment-dev', 'Environment for previews', { type: 'dev' }, { press: 'Enter' });
      await back;
    }
  });

  test("a Data Factory folder outside any project is checked on its own; the project's own ADF folder is not checked twice", async () => {
    const root = path.join(workspaceRoot(), 'other-factory');
    const pipeline = path.join(root, 'pipeline', 'pl_other.json');
    fs.mkdirSync(path.dirname(pipeline), { recursive: true });
    fs.mkdirSync(path.join(root, 'factory'), { recursive: true });
    fs.writeFileSync(
      path.join(root, 'factory', 'adf-other.json'),
      JSON.stringify({ name: 'adf-other', location: 'westeurope' }, null, '\t'),
    );
    fs.writeFileSync(
      pipeline,
      JSON.stringify(
        {
          name: 'pl_other',
          properties: {
            activities: [
              {
                name: 'wait',
                type: 'Wait',
                dependsOn: [],
                typeProperties: { waitTimeInSeconds: '@pipeline().parameters.seconds' },
              },
            ],
            annotations: [],
          },
        },
        null,
        '\t',
      ),
    );
    try {
      await vscode.commands.executeCommand('lakehouse.sources.refresh');
      const diagnostic = await waitFor('LH413 in the other factory', () =>
        vscode.languages
          .getDiagnostics(vscode.Uri.file(pipeline))
          .find(d => String(typeof d.code === 'object' ? d.code.value : d.code) === 'LH413'),
      );
      assert.match(diagnostic.message, /Parameter 'seconds' is not declared in pipeline 'pl_other'/);
      const snapshots = api.ctx.projects.snapshots;
      assert.ok(
        snapshots.some(s => s.adfOnly && s.rootFile === root),
        'the other factory is checked on its own',
      );
      assert.ok(
        !snapshots.some(s => s.adfOnly && s.rootFile === path.join(workspaceRoot(), 'adf')),
        "the project's adf/ folder belongs to the project",
      );
      await vscode.commands.executeCommand('lakehouse.pipelines.focus');
      await waitFor('pl_other in the Data Factory view, as hand-written', () =>
        api.ctx.pipelines.all().some(n => n.kind === 'pipeline' && n.name === 'pl_other' && !n.plan),
      );
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
      await vscode.commands.executeCommand('lakehouse.sources.refresh');
    }
  });
});
