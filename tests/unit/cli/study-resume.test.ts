// `micro study` survives its process: kill -9 the CLI mid-study, and `micro study resume` finishes
// it without re-running a finished cell (same run ids, same number of runs; the cell that was
// training continues its own run from its checkpoint). Ctrl-C cancels a study (exit 130).
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { RunStore } from '../../../src/main/store';
import { REPO_ROOT as repo } from '../../helpers/paths';
import { fileTempDir } from '../../helpers/temp';

const cli = path.join(repo, 'bin/micro.mjs');
const dir = fileTempDir('micro-study-resume-');

function micro(store: string, ...args: string[]) {
  return spawnSync(process.execPath, [cli, '--store', store, ...args], { encoding: 'utf8', timeout: 500_000 });
}

/** A read-only look at the store (SQLite, never fs), closed again. */
function peek<T>(store: string, f: (s: RunStore) => T): T {
  const s = RunStore.open(store, { readonly: true });
  try {
    return f(s);
  } finally {
    s.close();
  }
}

const STUDY = ['study', 'compare', '--dataset', 'demo', '--models', 'popularity,itemknn,mf', '--seeds', '2', '--epochs', '40', '--set', 'embedDim=8', 'evalEvery=1', 'patience=1000'];

describe('micro study after kill -9', () => {
  it('resumes without re-running finished cells', { timeout: 600_000 }, async () => {
    const store = path.join(dir, 'kill.sqlite');
    expect(micro(store, 'datasets', 'import', path.join(repo, 'resources/demo'), '--name', 'demo', '--setting', 'warm').status).toBe(0);
    const child = spawn(process.execPath, [cli, '--store', store, ...STUDY], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    // Kill once four cells are done and the first MF cell has committed two epochs.
    const killed = await new Promise<boolean>((resolve) => {
      const poll = setInterval(() => {
        if (child.exitCode !== null) {
          clearInterval(poll);
          resolve(false);
          return;
        }
        let ready = false;
        try {
          ready = peek(store, (s) => {
            const cells = s.listStudies().length ? s.getStudyCells(1) : [];
            const mf = cells[4];
            return cells.filter((c) => c.status === 'completed').length === 4 && mf?.runId != null && (s.lastEpoch(mf.runId) ?? 0) >= 2;
          });
        } catch {
          // the store may be busy or not created yet
        }
        if (ready) {
          clearInterval(poll);
          child.kill('SIGKILL');
          resolve(true);
        }
      }, 100);
    });
    await exited;
    expect(killed, `the study ended before it could be killed: ${err}`).toBe(true);

    const before = (() => {
      const s = RunStore.open(store); // recovery on open: the study and its running cell are interrupted
      try {
        return { study: s.getStudy(1)!, cells: s.getStudyCells(1), runs: s.listRuns().length, mfEpochs: s.getEpochs(s.getStudyCells(1)[4].runId!).length };
      } finally {
        s.close();
      }
    })();
    expect(before.study.status).toBe('interrupted');
    expect(before.cells.map((c) => c.status)).toEqual(['completed', 'completed', 'completed', 'completed', 'interrupted', 'pending']);
    expect(before.runs).toBe(5);

    const res = micro(store, '--json', 'study', 'resume', '1');
    expect(res.status, res.stderr).toBe(0);
    const outJson = JSON.parse(res.stdout) as { study: { study: { status: string } }; table: { rows: { variant: string; seeds: number }[] } };
    expect(outJson.study.study.status).toBe('completed');
    expect(outJson.table.rows.map((r) => [r.variant, r.seeds])).toEqual([
      ['popularity', 2],
      ['itemknn', 2],
      ['mf', 2],
    ]);
    peek(store, (s) => {
      const cells = s.getStudyCells(1);
      expect(cells.every((c) => c.status === 'completed')).toBe(true);
      // The four finished cells keep their runs; the interrupted one continued its own run.
      expect(cells.slice(0, 5).map((c) => c.runId)).toEqual(before.cells.slice(0, 5).map((c) => c.runId));
      expect(s.listRuns().length).toBe(6);
      const epochs = s.getEpochs(cells[4].runId!).map((e) => e.epoch);
      expect(epochs).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      expect(epochs.length).toBeGreaterThan(before.mfEpochs);
    });
  });

  it('Ctrl-C cancels the study (exit 130) and says how to continue', { timeout: 300_000 }, async () => {
    const store = path.join(dir, 'sigint.sqlite');
    expect(micro(store, 'datasets', 'import', path.join(repo, 'resources/demo'), '--name', 'demo', '--setting', 'warm').status).toBe(0);
    const child = spawn(process.execPath, [cli, '--store', store, ...STUDY], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    let sent = false;
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (!sent && /study 1: 1\/6 cells done/.test(err)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    const guard = setTimeout(() => child.kill('SIGKILL'), 200_000);
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    clearTimeout(guard);
    expect(sent, err).toBe(true);
    expect(code, err).toBe(130);
    expect(err).toMatch(/study 1 cancelled with \d of 6 cells done; continue it with: micro study resume 1/);
    peek(store, (s) => {
      expect(s.getStudy(1)!.status).toBe('cancelled');
      expect(s.getStudyCells(1).some((c) => c.status === 'pending')).toBe(true);
    });
    // The study is re-opened later: listed, shown with its (partial) table in every format.
    const list = micro(store, '--json', 'study', 'list');
    expect(JSON.parse(list.stdout)).toMatchObject([{ id: 1, kind: 'compare', status: 'cancelled', cells: 6 }]);
    const tex = micro(store, 'study', 'show', '1', '--format', 'latex');
    expect(tex.status, tex.stderr).toBe(0);
    expect(tex.stdout).toContain('\\toprule');
    expect(tex.stdout).toMatch(/Popularity \(ref\.\) & [12] & /);
    expect(micro(store, 'study', 'show', '1', '--format', 'csv').stdout.split('\n')[0]).toMatch(/^variant,label,reference,seeds,recall@20_mean/);
    // Mistakes are usage errors naming the option or field, in one line.
    const sweep = micro(store, 'study', 'sweep', '--dataset', 'demo');
    expect(sweep.status).toBe(2);
    expect(sweep.stderr).toMatch(/^micro: --param and --values: a sweep needs both/);
    const cold = micro(store, 'study', 'coldstart', '--dataset', 'demo');
    expect(cold.status).toBe(2);
    expect(cold.stderr.split('\n')[0]).toMatch(/^micro: dataset: a coldstart study needs a cold-start split; "demo" is warm/);
    expect(micro(store, 'study', 'show', 'x').status).toBe(2);
    expect(micro(store, 'study', 'show', '9').stderr).toMatch(/study 9 not found/);
  });
});
