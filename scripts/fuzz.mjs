#!/usr/bin/env node
// npm run fuzz: compiles the tests (tsc, as npm test does) and runs the property-based fuzzer
// (test/fuzz/main.ts): 100,000 cases by default over metadata YAML, incremental re-parsing, ADF
// JSON, the CLI and Jinja2 templates; a minimal reproduction per finding in test-output/fuzz/.
// Exit 0 when every property held, 1 when anything was found, 2 when the fuzzer could not run.
//   npm run fuzz -- --cases=2000 --seed=42          a shorter campaign, a fixed seed
//   npm run fuzz -- --targets=metadata,adf           some targets only
//   npm run fuzz -- --replay=test-output/fuzz/crash-1.txt
//   npm run fuzz -- --no-build                       reuse out/ as built by npm test
import { spawn } from 'child_process';
import path from 'path';
import { fileURLToPath } from 'url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const node = process.execPath;

function run(cmdArgs) {
  return new Promise(resolve => {
    const child = spawn(node, cmdArgs, { cwd: root, stdio: 'inherit' });
    child.on('close', (code, signal) => resolve(code ?? (signal ? 2 : 1)));
  });
}

if (!args.includes('--no-build')) {
  console.log('fuzz: compiling (tsc -p tsconfig.json)…');
  const code = await run([path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']);
  if (code !== 0) {
    console.error('fuzz: the type check failed (above); nothing was fuzzed.');
    process.exit(2);
  }
}
process.exit(await run([path.join(root, 'out', 'test', 'fuzz', 'main.js'), ...args.filter(a => a !== '--no-build')]));
