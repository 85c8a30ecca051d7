// Pipeline runs: the Runs view's model (grouping, live refresh with budget and back-off, failure
// detection), the trigger form, and starting, rerunning and cancelling runs, over one port
// (ports.ts) that src/azure/adf/runsClient.ts implements with the Azure SDK.
export * from './clock';
export * from './errors';
export * from './events';
export * from './failures';
export * from './grouping';
export * from './model';
export * from './monitor';
export * from './ports';
export * from './queries';
export * from './retry';
export * from './scheduler';
export * from './startRun';
export * from './studio';
export * from './triggerForm';
