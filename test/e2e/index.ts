// Entry point of the e2e tests, loaded by the VS Code extension host through --extensionTestsPath
// (scripts/run-e2e.mjs passes <repo>/out/test/e2e/index.js). Runs every *.test.js beside it with
// mocha's tdd UI; with E2E_MODE=restricted (a host with Workspace Trust on and the workspace not
// trusted) the *.restricted.js files instead. E2E_GREP filters tests by title.
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000, reporter: 'spec' });
  const grep = process.env['E2E_GREP'];
  if (grep) mocha.grep(grep);
  const suffix = process.env['E2E_MODE'] === 'restricted' ? '.restricted.js' : '.test.js';
  for (const f of fs.readdirSync(__dirname).sort()) {
    if (f.endsWith(suffix)) mocha.addFile(path.join(__dirname, f));
  }
  return new Promise<void>((resolve, reject) => {
    try {
      mocha.run(failures => {
        const summary = `MOCHA DONE: ${failures} failure(s)`;
        console.log(summary);
        const sync = process.env['VSHOST_SYNC'];
        if (sync) fs.writeFileSync(path.join(sync, 'mocha-result.txt'), `${summary}\n`);
        if (failures > 0) reject(new Error(`${failures} test(s) failed.`));
        else resolve();
      });
    } catch (e) {
      console.error(e);
      reject(e instanceof Error ? e : new Error(String(e)));
    }
  });
}
