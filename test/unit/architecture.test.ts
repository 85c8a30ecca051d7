// The import rules of the source tree (DESIGN.md, "Layers, imports point down only"), checked on
// the import statements of every file under src/, so a leak fails here before it spreads.
import { strict as assert } from 'assert';
import { builtinModules } from 'module';
import * as fs from 'fs';
import * as path from 'path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from './helpers/paths';

/**
 * The core's folders, lowest first: a folder may import from its own folder and those before it,
 * never from one after it. text and names are plain helpers; diagnostics the rule registry;
 * files the only folder that touches the disk (fs) and the FileHost; metadata the model and its
 * rules; templates the Jinja2 engine; adf the Data Factory model, checks and generation;
 * lake the Lake view's model (zones, listings, watermarks, Delta logs, parquet footers); project
 * the session that loads and checks a whole project through a FileHost; rendering binds templates
 * to a loaded project (render plans, render all, out of date); runs the pipeline runs (the Runs
 * view's model, live refresh, the trigger form, starting a run at most once) over a port; backfill
 * plans, journals and runs backfills on top of runs and the generated pipelines (adf); deploy plans
 * and applies an ADF folder onto a factory through a port (no SDK) and seeds the watermark files;
 * bundle reads the Databricks CLI's plans and diagnostics for the Databricks side of a deploy.
 */
export const CORE_LAYERS = [
  'text',
  'names',
  'diagnostics',
  'files',
  'metadata',
  'templates',
  'adf',
  'lake',
  'project',
  'rendering',
  'runs',
  'backfill',
  'deploy',
  'bundle',
] as const;

/**
 * The whole tree, lowest first: the core, then the Azure adapters (over the core's ports), then
 * the CLI and the editor, which never import each other. The emulator (the local Data Factory and
 * Azurite) stands on the core alone, with no Azure SDK, so what it serves is never shaped by the
 * client that tests it; the CLI starts it.
 */
const APP_LAYERS: Record<string, readonly string[]> = {
  core: [],
  azure: ['core'],
  emulator: ['core'],
  cli: ['core', 'azure', 'emulator'],
  // The editor starts the emulator as a process (dist/emulator.js) and reads its state file.
  extension: ['core', 'azure', 'emulator'],
};

interface Import {
  file: string;
  line: number;
  specifier: string;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (entry.name.endsWith('.ts')) out.push(full);
  }
  return out;
}

// import … from 'x', export … from 'x', import 'x', import('x'), require('x'); type-only imports count too.
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)'([^']+)'/g;

function importsOf(file: string): Import[] {
  const text = fs.readFileSync(file, 'utf8');
  const found: Import[] = [];
  text.split('\n').forEach((line, i) => {
    if (/^\s*(\/\/|\*)/.test(line)) return;
    for (const m of line.matchAll(IMPORT)) found.push({ file, line: i + 1, specifier: m[1]! });
  });
  return found;
}

const SRC = path.join(REPO_ROOT, 'src');
const ALL = sourceFiles(SRC).flatMap(importsOf);
const where = (i: Import) => `${path.relative(REPO_ROOT, i.file)}:${i.line} imports '${i.specifier}'`;

/** The top folder under src/ (core, cli, extension) and, in the core, the layer folder ('' for src/core/index.ts). */
function placeOf(file: string): { app: string; layer: string } {
  const [app, layer] = path.relative(SRC, file).split(path.sep);
  return { app: app!, layer: app === 'core' && layer && !layer.endsWith('.ts') ? layer : '' };
}

/** Which imports break the layer order (a pure function, so the check itself is tested below). */
export function layerViolations(imports: readonly Import[]): string[] {
  const bad: string[] = [];
  for (const i of imports) {
    if (!i.specifier.startsWith('.')) continue;
    const target = path.resolve(path.dirname(i.file), i.specifier);
    // Data beside src/ (the JSON Schemas in schemas/) is bundled with the product, not a layer.
    if (path.relative(SRC, target).startsWith('..') && target.endsWith('.json')) continue;
    const from = placeOf(i.file);
    const to = placeOf(target);
    if (from.app !== to.app) {
      if (!(APP_LAYERS[from.app] ?? []).includes(to.app))
        bad.push(`${where(i)}: src/${from.app} may not import src/${to.app}`);
      continue;
    }
    if (from.app !== 'core' || from.layer === '' || from.layer === to.layer) continue;
    const rank = (layer: string) => CORE_LAYERS.indexOf(layer as (typeof CORE_LAYERS)[number]);
    if (rank(from.layer) < 0) bad.push(`${where(i)}: src/core/${from.layer} is not in CORE_LAYERS`);
    else if (to.layer === '') bad.push(`${where(i)}: only callers outside the core import src/core/index.ts`);
    else if (rank(to.layer) < 0 || rank(to.layer) > rank(from.layer))
      bad.push(`${where(i)}: ${from.layer} is below ${to.layer} (order: ${CORE_LAYERS.join(' < ')})`);
  }
  return bad;
}

describe('architecture', () => {
  it('every folder of src/core has its place in the layer order', () => {
    const folders = fs
      .readdirSync(path.join(SRC, 'core'), { withFileTypes: true })
      .filter(e => e.isDirectory())
      .map(e => e.name)
      .sort();
    assert.deepEqual(folders, [...CORE_LAYERS].sort());
  });

  it('imports point down the layers only', () => {
    assert.deepEqual(layerViolations(ALL), []);
  });

  it('the layer check catches an import that points up, and accepts one that points down', () => {
    const at = (file: string, specifier: string): Import => ({ file: path.join(SRC, file), line: 1, specifier });
    assert.deepEqual(layerViolations([at('core/rendering/run.ts', '../files/fileHost')]), []);
    assert.deepEqual(layerViolations([at('core/rendering/plan.ts', '../project/projectSession')]), []);
    assert.equal(layerViolations([at('core/project/projectSession.ts', '../rendering/builtinTemplates')]).length, 1);
    assert.equal(layerViolations([at('core/adf/generate/plan.ts', '../../project/projectSession')]).length, 1);
    assert.equal(layerViolations([at('core/files/fileHost.ts', '../metadata/model')]).length, 1);
    assert.equal(layerViolations([at('core/metadata/model.ts', '../index')]).length, 1);
    assert.equal(layerViolations([at('cli/main.ts', '../extension/extension')]).length, 1);
    assert.equal(layerViolations([at('core/index.ts', '../cli/main')]).length, 1);
    assert.deepEqual(layerViolations([at('cli/emulatorCommand.ts', '../emulator/index')]), []);
    assert.equal(layerViolations([at('emulator/emulator.ts', '../cli/main')]).length, 1);
  });

  it('the emulator uses no Azure SDK (it serves what the SDK sends, and must not be shaped by it)', () => {
    const sdk = ALL.filter(i => placeOf(i.file).app === 'emulator' && i.specifier.startsWith('@azure/'));
    assert.deepEqual(sdk.map(where), []);
  });

  it('the core and the Azure adapters never import the editor, and the core no Azure SDK', () => {
    const bad = ALL.filter(
      i =>
        (placeOf(i.file).app === 'core' && (i.specifier === 'vscode' || i.specifier.startsWith('@azure/'))) ||
        (placeOf(i.file).app === 'azure' && (i.specifier === 'vscode' || i.specifier.startsWith('@microsoft/vscode'))),
    );
    assert.deepEqual(bad.map(where), []);
  });

  it('only src/core/files touches the disk in the core (everything else goes through a FileHost)', () => {
    const fsImports = ALL.filter(
      i =>
        placeOf(i.file).app === 'core' &&
        placeOf(i.file).layer !== 'files' &&
        /^(node:)?fs(\/promises)?$/.test(i.specifier),
    );
    assert.deepEqual(fsImports.map(where), []);
  });

  it('the core imports no Azure SDK (the adapters in src/azure wrap them)', () => {
    const azureInCore = ALL.filter(i => placeOf(i.file).app === 'core' && i.specifier.startsWith('@azure/'));
    assert.deepEqual(azureInCore.map(where), []);
  });

  it('src/ imports only Node built-ins, its dependencies and the editor host (never a devDependency)', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    const allowed = new Set([...Object.keys(pkg.dependencies ?? {}), ...builtinModules]);
    const packageOf = (s: string) =>
      s
        .replace(/^node:/, '')
        .split('/')
        .slice(0, s.startsWith('@') ? 2 : 1)
        .join('/');
    const bad = ALL.filter(i => !i.specifier.startsWith('.'))
      // The editor's API is provided by the host that loads the extension, not installed.
      .filter(i => !(i.specifier === 'vscode' && placeOf(i.file).app === 'extension'))
      .filter(i => !allowed.has(packageOf(i.specifier)));
    assert.deepEqual(bad.map(where), []);
    assert.ok(
      ALL.some(i => i.specifier === 'yaml'),
      'the scan finds package imports at all',
    );
  });
});
