// The command table and the manifest agree: every command package.json contributes has one entry in
// src/extension/commands.ts, every entry is contributed, and every menu names a contributed command.
// (commands.ts imports vscode, so it is read as text here: its entries are `'id': ctx =>` lines.)
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { test } from 'node:test';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  activationEvents: string[];
  contributes: {
    commands: { command: string; title: string; icon?: string }[];
    menus: Record<string, { command: string }[]>;
  };
};
const table = fs.readFileSync(path.join(ROOT, 'src', 'extension', 'commands.ts'), 'utf8');

test('every contributed command has one handler in the command table, and every handler is contributed', () => {
  const contributed = manifest.contributes.commands.map(c => c.command).sort();
  const handled = [...table.matchAll(/^\s*'(lakehouse\.[\w.]+)': ctx =>/gm)].map(m => m[1]!).sort();
  assert.ok(handled.length > 10, 'the table was read');
  assert.deepStrictEqual(handled, contributed);
  assert.strictEqual(new Set(handled).size, handled.length, 'no command twice');
});

test('every menu entry names a contributed command', () => {
  const contributed = new Set(manifest.contributes.commands.map(c => c.command));
  for (const [menu, entries] of Object.entries(manifest.contributes.menus))
    for (const entry of entries) assert.ok(contributed.has(entry.command), `${menu}: ${entry.command}`);
});

test('Generate and Render All do not wear a run icon (ADF users read ▷ as "run the pipeline")', () => {
  for (const id of ['lakehouse.adf.generate', 'lakehouse.templates.renderAll']) {
    const command = manifest.contributes.commands.find(c => c.command === id)!;
    assert.ok(!/\$\((run|play|debug-start)/.test(command.icon ?? ''), `${id}: ${command.icon}`);
  }
});
