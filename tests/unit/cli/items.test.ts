// `micro datasets items`, `datasets info` warnings, `micro explore --item`, `micro export --what
// recommendations`: the analyst's commands on the demo dataset and its synthetic metadata.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../helpers/paths';
import { tempDir } from '../../helpers/temp';

const demo = path.join(REPO_ROOT, 'resources/demo');

function micro(store: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/micro.mjs'), '--store', store, ...args], { encoding: 'utf8', timeout: 300_000, env: { ...process.env, MICRO_BACKEND: 'wasm' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('item metadata on the command line', () => {
  const dir = tempDir('micro-cli-items-');
  const store = path.join(dir, 'runs.sqlite');

  it('imports the demo with its metadata and searches titles', () => {
    expect(micro(store, 'datasets', 'import', demo).code).toBe(0);
    const r = micro(store, 'datasets', 'items', 'demo', '--search', 'sourdough');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/item\(s\) matching "sourdough" in "demo" \(400 with metadata\)/);
    const j = JSON.parse(micro(store, '--json', 'datasets', 'items', 'demo', '--search', 'sourdough', '--limit', '3').stdout);
    expect(j.items.length).toBeGreaterThan(0);
    expect(j.items.length).toBeLessThanOrEqual(3);
    for (const it of j.items) {
      expect(it.title.toLowerCase()).toContain('sourdough');
      expect(it.image).toBe(`images/${it.item}.svg`);
      expect(it.meta).toHaveProperty('group');
    }
  });

  it('shows the import warnings in `datasets info`, and refuses a malformed items file naming its line', () => {
    const copy = path.join(dir, 'copy');
    fs.cpSync(demo, copy, { recursive: true });
    fs.writeFileSync(path.join(copy, 'items.csv'), 'item,title,image\n0,ok,images/0.svg\n0,dup,\n4000,unknown,\n5,gone,images/none.svg\n');
    expect(micro(store, 'datasets', 'import', copy, '--name', 'copy').code).toBe(0);
    const info = micro(store, 'datasets', 'info', 'copy');
    expect(info.stdout).toMatch(/3 warning\(s\):/);
    expect(info.stdout).toContain(`${path.join(copy, 'items.csv')} (line 3): duplicate row for item "0" (first on line 2)`);
    expect(info.stdout).toContain('(line 4): unknown item id "4000"');
    expect(info.stdout).toContain('(line 5): image file not found');
    expect(JSON.parse(micro(store, '--json', 'datasets', 'info', 'copy').stdout).warnings).toHaveLength(3);
    fs.writeFileSync(path.join(copy, 'items.csv'), 'item,title\n0,"open\n');
    const bad = micro(store, 'datasets', 'import', copy, '--name', 'copy');
    expect(bad.code).toBe(3);
    expect(bad.stderr.trim().split('\n')[0]).toBe(`micro: ${path.join(copy, 'items.csv')} (line 2): unterminated quoted field (a quoted value may not span lines)`);
  });

  it("prints an item's neighbours per modality with weights and titles, and exports recommendations", () => {
    const t = micro(store, '--json', '-q', 'train', '--dataset', 'demo', '--model', 'micro', '--epochs', '1', '--set', 'embedDim=8');
    expect(t.code, t.stderr).toBe(0);
    const runId = JSON.parse(t.stdout).run.id as number;
    const r = micro(store, 'explore', String(runId), '--item', '0', '--stage', 'initial');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^item 0 "[^"]+" \([^)]+\) — run \d+, initial graph/);
    expect(r.stdout).toMatch(/\nvisual:\n/);
    expect(r.stdout).toMatch(/\ntextual:\n/);
    const j = JSON.parse(micro(store, '--json', 'explore', String(runId), '--item', '0', '--modality', 'textual').stdout);
    expect(j.modalities.map((m: { modality: string }) => m.modality)).toEqual(['textual']);
    expect(j.title).toBeTruthy();
    for (const n of j.modalities[0].neighbours) expect(n).toMatchObject({ title: expect.any(String), category: expect.any(String), image: `images/${n.item}.svg` });
    expect(micro(store, 'explore', String(runId), '--item', '400').stderr).toMatch(/item: expected an item id between 0 and 399/);

    const out = path.join(dir, 'recs');
    const e = micro(store, '--json', 'export', String(runId), '--what', 'recommendations', '--k', '5', '--out', out);
    expect(e.code, e.stderr).toBe(0);
    const lines = fs.readFileSync(JSON.parse(e.stdout).files[0], 'utf8').trim().split('\n');
    expect(lines[0]).toBe('user,item,rank,score');
    expect(micro(store, 'export', String(runId), '--what', 'recommendations', '--format', 'npy', '--out', out).stderr).toMatch(/recommendations export as csv or jsonl/);
  });
});
