// Deploy: a local ADF folder (ADF's git layout) onto a factory.
//
//   localArtifactsOf(loadAdfFolder(...).factory) → LocalArtifacts (what can deploy, what cannot, notes)
//   readFactory(api) → FactorySnapshot;  planDeploy(local, snapshot, options) → DeployPlan
//     Per artifact create / update / recreate / unchanged (and delete with deleteMissing), a short
//     summary of what differs, the before/after JSON texts for a diff editor, in the order of
//     references (integration runtimes, credentials, the Key Vault linked service before the linked
//     services using it, child pipelines before parents, triggers after their pipelines; deletes in
//     reverse), the trigger stops and starts, and what blocks it (problems) or must be read before
//     confirming (warnings: a tumbling-window trigger recreated replays its windows).
//   applyDeploy(api, local, options) → DeployReport: plans against the factory as it is now and
//     applies; per artifact created / updated / recreated / unchanged / deleted / failed / skipped,
//     per trigger stopped / subscribed / started. Idempotent; a rerun after a failure converges.
//   watermarkSeeds(metadata) → the watermark files to seed; planWatermarkSeeds / seedWatermarks
//     through a WatermarkStore, never overwriting one that exists.
export * from './artifacts';
export * from './references';
export * from './compare';
export * from './triggers';
export * from './order';
export * from './plan';
export * from './apply';
export * from './watermarks';
export * from './projectArtifacts';
