// The core (YAML, JSON Schema, rules) is a separate bundle, dist/core.js, loaded on first use
// after activation returns, so activating the extension stays cheap. The build keeps this
// require as it is; tests that run the TypeScript output resolve the source module instead.
export type Core = typeof import('../core/index');

let core: Core | undefined;

export function loadCore(): Core {
  if (!core) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a deliberate lazy load of the second bundle
      core = require('./core.js') as Core;
    } catch {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- unbundled (tsc) output: the source module
      core = require('../core/index') as Core;
    }
  }
  return core;
}
