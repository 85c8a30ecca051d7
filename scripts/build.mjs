// Bundles the extension and the CLI with esbuild. Type checking is `npm run typecheck` (tsc --noEmit).
//   node scripts/build.mjs [--watch] [--dev]
import * as esbuild from 'esbuild';
import { readFileSync } from 'fs';
import { fileURLToPath } from 'url';
import path from 'path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const watch = process.argv.includes('--watch');
const dev = process.argv.includes('--dev') || watch;

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  minify: !dev,
  keepNames: true,
  legalComments: 'linked',
  logLevel: 'warning',
  define: { __VERSION__: JSON.stringify(pkg.version) },
  absWorkingDir: root,
  // jsonc-parser's main entry is a UMD build whose dynamic requires esbuild cannot follow; its ESM build bundles.
  mainFields: ['module', 'main'],
  // yaml's Node build reads process.env for debug hooks once per token; its browser build is the
  // same parser without them, and parses about a quarter faster.
  alias: { yaml: './node_modules/yaml/browser/index.js' },
};

// The extension's activation path is dist/extension.js alone; the core (YAML, JSON Schema,
// rules) is dist/core.js, required by src/extension/lazyCore.ts on first use.
const lazyCore = {
  name: 'lazy-core',
  setup(build) {
    build.onResolve({ filter: /^(\.\/core\.js|\.\.\/core\/index)$/ }, args =>
      args.importer.endsWith(path.join('src', 'extension', 'lazyCore.ts'))
        ? { path: './core.js', external: true }
        : undefined,
    );
  },
};

const builds = [
  {
    ...common,
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.js',
    external: ['vscode'],
    plugins: [lazyCore],
    metafile: true,
  },
  { ...common, entryPoints: ['src/core/index.ts'], outfile: 'dist/core.js', metafile: true },
  { ...common, entryPoints: ['src/cli/index.ts'], outfile: 'dist/cli.js' },
  // The local emulator as a process of its own (`lakehouse emulator start`); Azurite stays a
  // package it spawns from node_modules, not bundled.
  { ...common, entryPoints: ['src/emulator/main.ts'], outfile: 'dist/emulator.js', external: ['azurite'] },
  // Templates render in a worker thread with a time limit (src/core/templates/renderInWorker.ts).
  { ...common, entryPoints: ['src/core/templates/worker.ts'], outfile: 'dist/templateWorker.js' },
];

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
  console.log('watching…');
} else {
  const t0 = Date.now();
  const results = await Promise.all(builds.map(b => esbuild.build(b)));
  const size = (r, f) => `${(r.metafile.outputs[f].bytes / 1024).toFixed(0)} KiB`;
  console.log(
    `built dist/extension.js (${size(results[0], 'dist/extension.js')}, the activation path), ` +
      `dist/core.js (${size(results[1], 'dist/core.js')}), dist/cli.js and dist/emulator.js in ${Date.now() - t0} ` +
      `ms`,
  );
}
