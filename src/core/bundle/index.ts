// The Databricks side of a deploy: which bundle target an environment deploys, what the Databricks
// CLI's plan says, and its diagnostics placed back into databricks.yml. The CLI itself runs in
// src/azure/databricks (a process); bundles are never re-implemented here.
export * from './cliReport';
export * from './plan';
export * from './targets';
export { bundleFileOf } from '../metadata/bundleRules';
