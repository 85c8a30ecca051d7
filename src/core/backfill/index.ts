// Backfill: a date range cut into partitions (windows × the generated pipelines that copy the
// chosen tables), run at most once each with bounded concurrency, journalled so it survives a
// restart and resumes, with a summary and a rerun of the failed partitions. See docs/backfill.md.
export * from './history';
export * from './journal';
export * from './partitions';
export * from './plan';
export * from './runner';
export * from './session';
export * from './summary';
export * from './targets';
