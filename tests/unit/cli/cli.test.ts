// The CLI as scripts use it: JSON output, exit codes with one-line reasons, and the store behind it.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { readNpy } from '../../../src/main/engine/data';
import { REPO_ROOT as repo } from '../../helpers/paths';
import { fileTempDir } from '../../helpers/temp';

const demo = path.join(repo, 'resources/demo');

function micro(store: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(repo, 'bin/micro.mjs'), '--store', store, ...args], { encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('micro CLI', () => {
  const dir = fileTempDir('micro-cli-');
  const store = path.join(dir, 'runs.sqlite');

  it('imports a dataset and reports it as JSON', () => {
    const r = micro(store, '--json', 'datasets', 'import', demo, '--name', 'demo-cold', '--setting', 'cold');
    expect(r.code, r.stderr).toBe(0);
    const rec = JSON.parse(r.stdout);
    expect(rec).toMatchObject({ name: 'demo-cold', layout: 'lattice', setting: 'cold' });
    expect(rec.modalities.map((m: { name: string }) => m.name)).toEqual(['visual', 'textual']);
    const info = JSON.parse(micro(store, '--json', 'datasets', 'info', 'demo-cold').stdout);
    expect(info.nItems).toBe(400);
    expect(info.coldItems).toBeGreaterThan(0);
  });

  it('fails with exit code 3 and a one-line reason naming the file for bad data', () => {
    const bad = path.join(dir, 'bad');
    fs.mkdirSync(bad);
    fs.writeFileSync(path.join(bad, 'train.json'), '{"0": [1, 2],\n "1": [3, }');
    fs.writeFileSync(path.join(bad, 'val.json'), '{"0": [3]}');
    const r = micro(store, 'datasets', 'import', bad);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/train\.json/);
    expect(r.stderr).toMatch(/line 2/);
  });

  it('usage errors exit 2; unknown runs exit 1', () => {
    expect(micro(store, 'train').code).toBe(2);
    const r = micro(store, 'runs', 'show', '999');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/run 999 not found/);
  });

  it('trains, lists, evaluates and exports a run', () => {
    const t = micro(store, '--json', 'train', '--dataset', 'demo-cold', '--model', 'micro', '--epochs', '2', '--set', 'evalEvery=1', 'embedDim=16');
    expect(t.code, t.stderr).toBe(0);
    const res = JSON.parse(t.stdout);
    expect(res.run.status).toBe('completed');
    expect(res.run.backend).toBe('wasm');
    expect(res.test['recall@20']).toBeGreaterThan(0);
    // For people, `runs show` is the run page as text, not JSON: provenance, what changed, metrics.
    const show = micro(store, 'runs', 'show', String(res.run.id));
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).not.toMatch(/^\s*\{/);
    expect(show.stdout).toMatch(new RegExp(`^run ${res.run.id} ".*": micro / paper preset, completed`));
    expect(show.stdout).toMatch(/changed from the paper preset/);
    expect(show.stdout).toMatch(/model\.embedDim +16 +64/);
    expect(show.stdout).toMatch(/test +cold +recall@20 +0\.\d{4}/);
    const runs = JSON.parse(micro(store, '--json', 'runs', 'list').stdout);
    expect(runs.map((r: { id: number }) => r.id)).toContain(res.run.id);
    const evs = JSON.parse(micro(store, '--json', 'eval', String(res.run.id)).stdout);
    expect(evs.some((e: { split: string; setting: string; metric: string }) => e.split === 'test' && e.setting === 'cold' && e.metric === 'ndcg_ref')).toBe(true);
    const out = path.join(dir, 'export');
    const ex = micro(store, '--json', 'export', String(res.run.id), '--what', 'embeddings', '--format', 'npy', '--out', out);
    expect(ex.code, ex.stderr).toBe(0);
    const file = JSON.parse(ex.stdout).files[0];
    const npy = readNpy(file);
    expect(npy.shape).toEqual([400, 16]);
    const proj = JSON.parse(micro(store, '--json', 'export', String(res.run.id), '--format', 'projector', '--out', out).stdout).files;
    const tensors = fs.readFileSync(proj[0], 'utf8').trim().split('\n');
    const meta = fs.readFileSync(proj[1], 'utf8').trim().split('\n');
    expect(tensors).toHaveLength(400);
    expect(tensors[0].split('\t')).toHaveLength(16);
    expect(meta).toHaveLength(401); // header + one row per item
    const graphs = JSON.parse(micro(store, '--json', 'export', String(res.run.id), '--what', 'graphs', '--out', out).stdout).files[0];
    const lines = fs.readFileSync(graphs, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('source,target,weight,modality,stage');
    expect(new Set(lines.slice(1).map((l) => l.split(',').slice(3).join('/')))).toEqual(
      new Set(['visual/initial', 'visual/learned', 'visual/combined', 'textual/initial', 'textual/learned', 'textual/combined']),
    );
  });

  it('refuses a store written by a newer version without touching it', async () => {
    const newer = path.join(dir, 'newer.sqlite');
    micro(newer, 'datasets', 'list');
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(newer);
    db.pragma('user_version = 999');
    db.close();
    const before = fs.readFileSync(newer);
    const r = micro(newer, 'runs', 'list');
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/newer/);
    expect(fs.readFileSync(newer).equals(before)).toBe(true);
  });
});
