import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import { afterEach } from 'vitest';
import type { DatasetInput } from '../../../src/main/store';

const dirs: string[] = [];

/** A fresh temp directory, removed after the current test. */
export function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'micro-store-'));
  dirs.push(d);
  return d;
}

afterEach(() => {
  while (dirs.length) fs.rmSync(dirs.pop()!, { recursive: true, force: true });
});

export function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** The pid of a process that has exited and been reaped. */
export function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  return r.pid!;
}

export function datasetInput(over: Partial<DatasetInput> = {}): DatasetInput {
  return {
    name: 'baby',
    sourcePaths: ['/data/baby/train.txt', '/data/baby/image_feat.npy'],
    layout: 'lattice',
    setting: 'warm',
    modalities: [
      { name: 'visual', dim: 4096 },
      { name: 'textual', dim: 384 },
    ],
    stats: { users: 19445, items: 7050, interactions: { train: 118551, val: 19445, test: 19445 }, density: 0.00117, coldItems: 0 },
    fingerprint: 'fp-aaaa',
    ...over,
  };
}

export const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
