// The core (YAML, JSON Schema, rules) is a separate bundle, dist/core.js, loaded on first use
// after activation returns, so activating the extension stays cheap. The build keeps this
// require as it is; tests that run the TypeScript output resolve the source module instead.
export type Core = typeof import('../core/index');

let core: Core | undefined;

export function loadCore(): Core {
  if (!core) {
    try {
      core = require('./core.js') as Core;
    } catch {
      core = require('../core/index') as Core;
    }
  }
  return core;
}
