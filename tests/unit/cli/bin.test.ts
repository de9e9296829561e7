// The CLI's install name: `micro` on npm is an unrelated web framework, so the package installs
// the bin `micro-workbench` (and keeps `micro` for `npx micro …` inside the repo). `npm exec`
// must resolve both to this project's own bin without asking a registry.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT as repo } from '../../helpers/paths';
import { fileTempDir } from '../../helpers/temp';

const cache = fileTempDir('micro-npx-cache-');

describe('CLI bins', () => {
  it('package.json names micro-workbench and micro, both the same launcher', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(pkg.bin['micro-workbench']).toBe('bin/micro.mjs');
    expect(pkg.bin.micro).toBe('bin/micro.mjs');
    expect(fs.readFileSync(path.join(repo, pkg.bin['micro-workbench']), 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
  });

  it.each(['micro-workbench', 'micro'])('`npx %s --help` runs this CLI inside the repo, with no registry reachable', { timeout: 120_000 }, (bin) => {
    // A dead registry and an empty npm cache: any attempt to fetch a package fails.
    const env = { ...process.env, npm_config_registry: 'http://127.0.0.1:9/', npm_config_cache: cache, npm_config_update_notifier: 'false' };
    const r = spawnSync('npx', ['--yes', bin, '--help'], { cwd: repo, env, encoding: 'utf8', timeout: 110_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/MICRO Workbench: train and inspect MICRO multimedia recommenders/);
  });
});
