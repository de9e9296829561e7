// Studies in the run store (schema v5): a study with its cells in queue order, each cell linked to
// its run and showing that run's status, a deleted run returning its cell to pending, a study whose
// process died recovered as interrupted on open, and the migration of a v4 store.
import { rollBack } from '../../helpers/rollback';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, RunStore } from '../../../src/main/store';
import { datasetInput, deadPid, tmpDir } from './helpers';

const cells = [
  { variant: 'full', seed: 1 },
  { variant: 'full', seed: 2 },
  { variant: 'no-fusion', seed: 1 },
  { variant: 'no-fusion', seed: 2 },
];

describe('studies in the run store', () => {
  it('stores a definition and its cells; a cell shows its run status; deleting the run makes it pending again', () => {
    const store = RunStore.open(path.join(tmpDir(), 'runs.sqlite'));
    const ds = store.registerDataset(datasetInput());
    const st = store.createStudy({ name: 'abl', kind: 'ablation', datasetId: ds.id, definition: { seeds: [1, 2] }, cells });
    expect(st).toMatchObject({ id: 1, name: 'abl', kind: 'ablation', status: 'pending', datasetId: ds.id, definition: { seeds: [1, 2] } });
    expect(store.getStudyCells(st.id).map((c) => [c.position, c.variant, c.seed, c.status, c.runId])).toEqual([
      [0, 'full', 1, 'pending', null],
      [1, 'full', 2, 'pending', null],
      [2, 'no-fusion', 1, 'pending', null],
      [3, 'no-fusion', 2, 'pending', null],
    ]);
    const run = store.createRun({ model: 'micro', datasetId: ds.id });
    store.setStudyCellRun(st.id, 1, run.id);
    expect(store.getStudyCells(st.id)[1]).toMatchObject({ runId: run.id, status: 'queued' });
    store.startRun(run.id);
    store.finishRun(run.id, 'completed');
    expect(store.getStudyCells(st.id)[1]).toMatchObject({ status: 'completed' });
    expect(store.getStudyCells(st.id)[1].wallSeconds).not.toBeNull();
    // One run belongs to one cell.
    expect(() => store.setStudyCellRun(st.id, 2, run.id)).toThrow(/UNIQUE/);
    store.deleteRun(run.id);
    expect(store.getStudyCells(st.id)[1]).toMatchObject({ runId: null, status: 'pending' });
    // The study outlives its dataset record (the definition names it).
    store.deleteDataset(ds.id);
    expect(store.getStudy(st.id)?.datasetId).toBeNull();
    expect(store.deleteStudy(st.id)).toBe(true);
    expect(store.getStudyCells(st.id)).toEqual([]);
    store.close();
  });

  it('refuses a study without cells, with an unknown kind, or with a duplicated cell', () => {
    const store = RunStore.open(path.join(tmpDir(), 'runs.sqlite'));
    expect(() => store.createStudy({ name: 'x', kind: 'ablation', datasetId: null, definition: {}, cells: [] })).toThrow(/no cells/);
    expect(() => store.createStudy({ name: 'x', kind: 'grid' as never, datasetId: null, definition: {}, cells })).toThrow(/unknown study kind/);
    expect(() => store.createStudy({ name: 'x', kind: 'sweep', datasetId: null, definition: {}, cells: [cells[0], cells[0]] })).toThrow(/UNIQUE/);
    expect(store.listStudies()).toEqual([]); // nothing half-written
    store.close();
  });

  it('a running study whose process is gone is interrupted on the next open; a live one is left alone', () => {
    const file = path.join(tmpDir(), 'runs.sqlite');
    const a = RunStore.open(file);
    const dead = a.createStudy({ name: 'dead', kind: 'compare', datasetId: null, definition: {}, cells });
    const live = a.createStudy({ name: 'live', kind: 'compare', datasetId: null, definition: {}, cells });
    a.setStudyStatus(dead.id, 'running', { pid: deadPid() });
    a.setStudyStatus(live.id, 'running');
    expect(a.getStudy(live.id)).toMatchObject({ status: 'running', pid: process.pid });
    a.close();
    const b = RunStore.open(file);
    expect(b.getStudy(dead.id)).toMatchObject({ status: 'interrupted', pid: null });
    expect(b.getStudy(dead.id)?.error).toMatch(/process \d+ .* is gone/);
    expect(b.getStudy(live.id)?.status).toBe('running');
    b.setStudyStatus(live.id, 'cancelled', { error: 'x' });
    expect(b.getStudy(live.id)).toMatchObject({ status: 'cancelled', pid: null, host: null, error: 'x' });
    b.close();
  });

  it('migrates a v4 store: its runs stay, studies can be added', () => {
    const file = path.join(tmpDir(), 'runs.sqlite');
    const made = RunStore.open(file);
    const run = made.createRun({ model: 'mf' });
    made.close();
    rollBack(file, 'DROP TABLE study_cells; DROP TABLE studies;', 4);
    const store = RunStore.open(file);
    expect(store.schemaVersion).toBe(MIGRATIONS.length);
    expect(store.getRun(run.id)?.model).toBe('mf');
    const st = store.createStudy({ name: 's', kind: 'sweep', datasetId: null, definition: {}, cells });
    store.setStudyCellRun(st.id, 0, run.id);
    expect(store.getStudyCells(st.id)[0].runId).toBe(run.id);
    store.close();
  });
});
