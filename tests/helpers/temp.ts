// Temporary folders that clean themselves up: each test file that imports this registers the hooks.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';

const perFile: string[] = [];
const perTest: string[] = [];
afterEach(() => {
  while (perTest.length) fs.rmSync(perTest.pop()!, { recursive: true, force: true });
});
afterAll(() => {
  while (perFile.length) fs.rmSync(perFile.pop()!, { recursive: true, force: true });
});

/** A fresh folder under the OS temp dir, removed after the test file ('file') or the current test ('test'). */
export function tempDir(prefix: string, lifetime: 'file' | 'test' = 'file'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  (lifetime === 'test' ? perTest : perFile).push(d);
  return d;
}

/**
 * For a test file's top level: the folder's path now, the folder itself in a beforeAll (made at
 * import, it would be left behind by `vitest list`, which runs no hooks); removed after the file.
 */
export function fileTempDir(prefix: string): string {
  const d = path.join(os.tmpdir(), `${prefix}${crypto.randomBytes(6).toString('hex')}`);
  beforeAll(() => {
    fs.mkdirSync(d, { mode: 0o700 });
    perFile.push(d);
  });
  return d;
}
