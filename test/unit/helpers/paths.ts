import * as fs from 'fs';
import * as path from 'path';

/** The repository root (this file compiles to out/test/unit/helpers/). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');
export const SAMPLE_DIR = path.join(REPO_ROOT, 'samples', 'spotify');
/** Shared fixtures beside the repository; read in place, never copied in. */
export const SHARED_FIXTURES = path.resolve(REPO_ROOT, '..', 'shared', 'fixtures');
export const REFERENCE_ADF = path.join(SHARED_FIXTURES, 'spotify-reference', 'adf');
export const REAL_WORLD_ADF = path.join(SHARED_FIXTURES, 'adf-real-world');

export const hasSharedFixtures = (): boolean => fs.existsSync(path.join(REFERENCE_ADF, 'pipeline'));
export const SHARED_MISSING = '../shared fixtures not present';
