// Paths the tests share, computed once here so a test's depth in tests/unit/ does not matter.
import path from 'node:path';

/** The repository root. */
export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

/** The real datasets next to the checkout (<repo>/../shared/data), when they exist. */
export const SHARED_DATA = path.resolve(REPO_ROOT, '../shared/data');

/** The embedded demo dataset. */
export const DEMO = path.join(REPO_ROOT, 'resources/demo');
