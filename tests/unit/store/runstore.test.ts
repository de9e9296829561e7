import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunStore, StoreError, type RunRecord } from '../../../src/main/store';
import { thrown } from '../../helpers/errors';
import { datasetInput, deadPid, tmpDir } from './helpers';

let store: RunStore;
let file: string;

beforeEach(() => {
  file = path.join(tmpDir(), 'runs.sqlite');
  store = RunStore.open(file, { appVersion: '9.9.9' });
});
afterEach(() => store.close());

const code = (fn: () => unknown): string => thrown(StoreError, fn).code;

/** Row count of a table, optionally of one run. */
function n(table: string, runId?: number): number {
  const sql = `SELECT count(*) AS n FROM ${table}${runId === undefined ? '' : ' WHERE run_id = ?'}`;
  const st = store.rawDatabase().prepare<unknown[], { n: number }>(sql);
  return (runId === undefined ? st.get() : st.get(runId))!.n;
}

describe('datasets', () => {
  it('registers, upserts by name and keeps the fingerprint a run trained on', () => {
    const a = store.registerDataset(datasetInput());
    expect(a).toMatchObject({ id: 1, name: 'baby', setting: 'warm', fingerprint: 'fp-aaaa' });
    expect(a.modalities).toEqual([
      { name: 'visual', dim: 4096 },
      { name: 'textual', dim: 384 },
    ]);
    expect(a.stats.interactions).toEqual({ train: 118551, val: 19445, test: 19445 });

    const same = store.registerDataset(datasetInput());
    expect(same.id).toBe(a.id);
    expect(same.updatedAt).toBe(a.updatedAt);

    const run = store.createRun({ model: 'micro', datasetId: a.id });
    expect(run.datasetFingerprint).toBe('fp-aaaa');

    const changed = store.registerDataset(datasetInput({ fingerprint: 'fp-bbbb', stats: { ...a.stats, users: 1 } }));
    expect(changed.id).toBe(a.id);
    expect(changed.fingerprint).toBe('fp-bbbb');
    expect(changed.createdAt).toBe(a.createdAt);
    expect(store.getRun(run.id)!.datasetFingerprint).toBe('fp-aaaa');

    store.registerDataset(datasetInput({ name: 'Amazon-sports', setting: 'cold', fingerprint: 'fp-c' }));
    expect(store.listDatasets().map((d) => d.name)).toEqual(['Amazon-sports', 'baby']);
    expect(store.getDataset('nope')).toBeNull();
    expect(store.getDataset(a.id)!.name).toBe('baby');
  });

  it('refuses to delete a dataset that runs use', () => {
    const ds = store.registerDataset(datasetInput());
    const run = store.createRun({ model: 'mf', datasetId: ds.id });
    expect(code(() => store.deleteDataset(ds.id))).toBe('IN_USE');
    store.deleteRun(run.id);
    expect(store.deleteDataset(ds.id)).toBe(true);
  });

  it('rejects a run for an unknown dataset', () => {
    expect(code(() => store.createRun({ model: 'mf', datasetId: 99 }))).toBe('NOT_FOUND');
  });
});

describe('runs', () => {
  it('creates with defaults and every field round-trips', () => {
    const ds = store.registerDataset(datasetInput());
    const cfg = { lr: 0.0005, embDim: 64, knnK: 10, lambdaC: 0.03, tau: 0.5, modalities: ['visual', 'textual'] };
    const run = store.createRun({
      model: 'micro',
      datasetId: ds.id,
      preset: 'paper',
      config: cfg,
      backend: 'tfjs-node',
      seed: 2024,
      tags: ['ablation', ' ablation ', 'baby', ''],
      notes: 'first try',
    });
    expect(run).toMatchObject({
      name: `micro-${run.id}`,
      status: 'queued',
      config: cfg,
      backend: 'tfjs-node',
      seed: 2024,
      appVersion: '9.9.9',
      tags: ['ablation', 'baby'],
      notes: 'first try',
      startedAt: null,
      pid: null,
    });
    expect(store.getRun(run.id)).toEqual(run);
    expect(store.getRun(12345)).toBeNull();
  });

  it('goes through start -> heartbeat -> finish with timestamps and wall time', () => {
    const run = store.createRun({ model: 'lightgcn', name: 'lgcn' });
    const t0 = Date.now() - 10_000;
    const started = store.startRun(run.id, { at: t0 });
    expect(started.status).toBe('running');
    expect(started.pid).toBe(process.pid);
    expect(started.host).toBe(os.hostname());
    expect(started.heartbeatAt).toBe(new Date(t0).toISOString());
    expect(store.setHeartbeat(run.id, t0 + 5000)).toBe(true);
    const done = store.finishRun(run.id, 'completed', { bestEpoch: 3, at: t0 + 8000 });
    expect(done).toMatchObject({ status: 'completed', bestEpoch: 3, wallSeconds: 8, error: null });
    expect(done.endedAt).toBe(new Date(t0 + 8000).toISOString());
    expect(store.setHeartbeat(run.id)).toBe(false);
  });

  it('enforces status transitions', () => {
    const run = store.createRun({ model: 'mf' });
    expect(code(() => store.finishRun(run.id, 'completed'))).toBe('INVALID_TRANSITION');
    store.startRun(run.id);
    const failed = store.finishRun(run.id, 'failed', { error: 'NaN loss at epoch 3' });
    expect(failed).toMatchObject({ status: 'failed', error: 'NaN loss at epoch 3' });
    expect(code(() => store.startRun(run.id))).toBe('INVALID_TRANSITION');
    expect(code(() => store.finishRun(run.id, 'completed'))).toBe('INVALID_TRANSITION');
    expect(code(() => store.finishRun(run.id, 'interrupted' as 'failed'))).toBe('INVALID_INPUT');
    const q = store.createRun({ model: 'mf' });
    expect(store.finishRun(q.id, 'cancelled').status).toBe('cancelled');
    expect(store.startRun(q.id).status).toBe('running'); // resuming a cancelled run
    expect(code(() => store.startRun(999))).toBe('NOT_FOUND');
  });

  it('renames, tags and annotates', () => {
    const run = store.createRun({ model: 'vbpr' });
    expect(store.renameRun(run.id, '  vbpr baseline ').name).toBe('vbpr baseline');
    expect(code(() => store.renameRun(run.id, '   '))).toBe('INVALID_INPUT');
    expect(code(() => store.renameRun(404, 'x'))).toBe('NOT_FOUND');
    expect(store.setRunTags(run.id, ['b', 'a', 'b']).tags).toEqual(['b', 'a']);
    expect(store.setRunNotes(run.id, 'note').notes).toBe('note');
  });

  it('lists with filters, sorting and paging', () => {
    const ds = store.registerDataset(datasetInput());
    const mk = (model: string, name: string, recall: number | null, tags: string[] = []): RunRecord => {
      const r = store.createRun({ model, name, datasetId: ds.id, tags });
      if (recall !== null) store.recordEvaluation(r.id, { split: 'test', setting: 'warm', k: 20, metric: 'recall', value: recall });
      return r;
    };
    const a = mk('micro', 'Alpha', 0.09, ['paper']);
    const b = mk('lightgcn', 'beta', 0.07);
    const c = mk('micro', 'gamma', 0.1, ['paper']);
    const d = mk('mf', 'delta', null);
    store.startRun(a.id);
    store.finishRun(a.id, 'completed');

    expect(store.listRuns().map((r) => r.id)).toEqual([d.id, c.id, b.id, a.id]);
    expect(store.listRuns({ order: 'asc' }).map((r) => r.id)).toEqual([a.id, b.id, c.id, d.id]);
    expect(store.listRuns({ model: 'micro' }).map((r) => r.id)).toEqual([c.id, a.id]);
    expect(store.listRuns({ model: ['mf', 'lightgcn'] }).map((r) => r.id)).toEqual([d.id, b.id]);
    expect(store.listRuns({ status: 'completed' }).map((r) => r.id)).toEqual([a.id]);
    expect(store.listRuns({ status: [] })).toEqual([]);
    expect(store.listRuns({ tag: 'paper' }).map((r) => r.id)).toEqual([c.id, a.id]);
    expect(store.listRuns({ search: 'ALP' }).map((r) => r.id)).toEqual([a.id]);
    expect(store.listRuns({ sortBy: 'name', order: 'asc' }).map((r) => r.name)).toEqual(['Alpha', 'beta', 'delta', 'gamma']);
    // Best recall@20 first; runs without the metric last.
    expect(store.listRuns({ sortBy: { metric: 'recall', k: 20 } }).map((r) => r.id)).toEqual([c.id, a.id, b.id, d.id]);
    expect(store.listRuns({ sortBy: { metric: 'recall', k: 20 }, order: 'asc' }).map((r) => r.id)).toEqual([b.id, a.id, c.id, d.id]);
    expect(store.listRuns({ sortBy: 'id', order: 'asc', limit: 2, offset: 1 }).map((r) => r.id)).toEqual([b.id, c.id]);
    expect(store.listRuns({ sortBy: 'id', order: 'asc', offset: 3 }).map((r) => r.id)).toEqual([d.id]);
    expect(code(() => store.listRuns({ sortBy: 'nope; DROP TABLE runs' as 'id' }))).toBe('INVALID_INPUT');
  });
});

describe('epochs and evaluations', () => {
  it('records epochs (NaN/Infinity losses survive) and upserts a re-recorded epoch', () => {
    const run = store.createRun({ model: 'micro' });
    store.recordEpoch(run.id, { epoch: 0, losses: { bpr: 0.69, contrastive: 2.1 }, metrics: null, seconds: 1.25 });
    store.recordEpoch(run.id, { epoch: 1, losses: { bpr: Number.NaN, reg: Number.POSITIVE_INFINITY }, metrics: { 'ndcg@20': 0.03 } });
    const eps = store.getEpochs(run.id);
    expect(eps.map((e) => e.epoch)).toEqual([0, 1]);
    expect(eps[0]).toMatchObject({ losses: { bpr: 0.69, contrastive: 2.1 }, metrics: null, seconds: 1.25 });
    expect(Number.isNaN(eps[1]!.losses.bpr)).toBe(true);
    expect(eps[1]!.losses.reg).toBe(Number.POSITIVE_INFINITY);
    store.recordEpoch(run.id, { epoch: 1, losses: { bpr: 0.5 } });
    expect(store.getEpochs(run.id)[1]!.losses).toEqual({ bpr: 0.5 });
    expect(store.lastEpoch(run.id)).toBe(1);
    expect(store.getEpochs(run.id, { from: 1 }).length).toBe(1);
    expect(code(() => store.recordEpoch(run.id, { epoch: -1, losses: {} }))).toBe('INVALID_INPUT');
    expect(code(() => store.recordEpoch(4242, { epoch: 0, losses: {} }))).toBe('NOT_FOUND');
  });

  it('recording an epoch of a running run refreshes its heartbeat', () => {
    const run = store.createRun({ model: 'micro' });
    const t0 = Date.now() - 60_000;
    store.startRun(run.id, { at: t0 });
    store.recordEpoch(run.id, { epoch: 0, losses: { bpr: 1 }, at: t0 + 30_000 });
    expect(store.getRun(run.id)!.heartbeatAt).toBe(new Date(t0 + 30_000).toISOString());
  });

  it('stores evaluations per split/setting/k/metric, final and per epoch, upserting duplicates', () => {
    const run = store.createRun({ model: 'micro' });
    store.recordEvaluations(run.id, [
      { split: 'test', setting: 'warm', k: 10, metric: 'recall', value: 0.06 },
      { split: 'test', setting: 'warm', k: 20, metric: 'recall', value: 0.09 },
      { split: 'test', setting: 'warm', k: 20, metric: 'ndcg', value: 0.04 },
      { split: 'test', setting: 'warm', k: 20, metric: 'ndcg_ref', value: 0.05 },
      { split: 'val', setting: 'cold', k: 20, metric: 'hit', value: 0.3, epoch: 4 },
    ]);
    store.recordEvaluation(run.id, { split: 'test', setting: 'warm', k: 20, metric: 'recall', value: 0.095 });
    expect(store.getEvaluations(run.id).length).toBe(5);
    expect(store.getEvaluations(run.id, { metric: 'recall', k: 20 })[0]!.value).toBe(0.095);
    expect(store.getEvaluations(run.id, { epoch: null }).length).toBe(4);
    expect(store.getEvaluations(run.id, { epoch: 4 })).toMatchObject([{ split: 'val', setting: 'cold', metric: 'hit', value: 0.3 }]);
    expect(code(() => store.recordEvaluation(run.id, { split: 'test', setting: 'warm', k: 0, metric: 'recall', value: 1 }))).toBe(
      'INVALID_INPUT',
    );
  });
});

describe('artifacts', () => {
  it('puts, replaces, lists without payload and reads payload on demand', () => {
    const run = store.createRun({ model: 'micro' });
    const emb = new Float32Array([1, 2, 3, 4, 5, 6]);
    const a = store.putArtifact(run.id, {
      kind: 'embeddings',
      name: 'items',
      format: 'f32',
      payload: emb,
      shape: [3, 2],
      meta: { modality: 'fused' },
    });
    expect(a).toMatchObject({ kind: 'embeddings', bytes: 24, shape: [3, 2], meta: { modality: 'fused' } });
    expect(a.payload).toBeUndefined();
    const got = store.getArtifact(a.id, { payload: true })!;
    expect(new Float32Array(got.payload!.buffer.slice(got.payload!.byteOffset, got.payload!.byteOffset + 24))).toEqual(emb);

    const replaced = store.putArtifact(run.id, { kind: 'embeddings', name: 'items', format: 'f32', payload: new Uint8Array(8) });
    expect(replaced.id).toBe(a.id);
    expect(replaced.bytes).toBe(8);

    store.putArtifact(run.id, { kind: 'attention', name: 'modality-weights', format: 'json', path: '/tmp/att.json' });
    store.putNeighbours(run.id, { modality: 'visual', stage: 'initial', payload: new Int32Array([1, 2, 0, 2]), shape: [2, 2] });
    store.putNeighbours(run.id, { modality: 'visual', stage: 'learned', payload: new Int32Array([2, 1, 2, 0]), shape: [2, 2] });
    store.putNeighbours(run.id, { modality: 'textual', stage: 'combined', payload: new Int32Array([0, 0, 0, 0]), shape: [2, 2] });
    expect(store.listArtifacts(run.id).map((x) => `${x.kind}:${x.name}`)).toEqual([
      'attention:modality-weights',
      'embeddings:items',
      'neighbours:textual/combined',
      'neighbours:visual/initial',
      'neighbours:visual/learned',
    ]);
    expect(store.listArtifacts(run.id).every((x) => x.payload === undefined)).toBe(true);
    const learned = store.findArtifact(run.id, 'neighbours', 'visual/learned', { payload: true })!;
    expect(learned.meta).toEqual({ modality: 'visual', stage: 'learned' });
    expect([...new Int32Array(learned.payload!.buffer, learned.payload!.byteOffset, 4)]).toEqual([2, 1, 2, 0]);
    expect(store.listArtifacts(run.id, { kind: 'neighbours' }).length).toBe(3);
    expect(code(() => store.putArtifact(run.id, { kind: 'x', name: 'y', format: 'z' }))).toBe('INVALID_INPUT');
  });

  it('latestCheckpoint picks the highest epoch', () => {
    const run = store.createRun({ model: 'micro' });
    for (const e of [0, 2, 1]) {
      store.putArtifact(run.id, { kind: 'checkpoint', name: `epoch-${e}`, format: 'w', epoch: e, payload: Buffer.from([e]) });
    }
    const ck = store.latestCheckpoint(run.id, { payload: true })!;
    expect(ck.epoch).toBe(2);
    expect([...ck.payload!]).toEqual([2]);
    expect(store.latestCheckpoint(run.id)!.payload).toBeUndefined();
  });
});

describe('recordEpochWithCheckpoint', () => {
  it('writes epoch, checkpoint, evaluations and best epoch together', () => {
    const run = store.createRun({ model: 'micro' });
    const res = store.recordEpochWithCheckpoint(
      run.id,
      { epoch: 5, losses: { bpr: 0.3 }, metrics: { 'recall@20': 0.08 } },
      { payload: new Uint8Array([9, 9, 9]) },
      { evaluations: [{ split: 'val', setting: 'warm', k: 20, metric: 'recall', value: 0.08 }], bestEpoch: 5 },
    );
    expect(res.checkpoint).toMatchObject({ kind: 'checkpoint', name: 'epoch-5', epoch: 5, bytes: 3 });
    expect(store.getEvaluations(run.id)).toMatchObject([{ epoch: 5, value: 0.08 }]);
    expect(store.getRun(run.id)!.bestEpoch).toBe(5);
    expect(store.recordEpochWithCheckpoint(run.id, { epoch: 6, losses: { bpr: 0.2 } }).checkpoint).toBeNull();
  });

  it('a failure in the middle (bad evaluation row) leaves nothing half-written', () => {
    const run = store.createRun({ model: 'micro' });
    store.recordEpochWithCheckpoint(run.id, { epoch: 0, losses: { bpr: 1 } }, { payload: new Uint8Array([0]) }, { bestEpoch: 0 });
    const before = { e: n('epochs'), a: n('artifacts'), v: n('evaluations') };
    expect(() =>
      store.recordEpochWithCheckpoint(
        run.id,
        { epoch: 1, losses: { bpr: 0.5 } },
        { payload: new Uint8Array(1024) },
        {
          bestEpoch: 1,
          evaluations: [
            { split: 'val', setting: 'warm', k: 20, metric: 'recall', value: 0.1 },
            { split: 'validation' as 'val', setting: 'warm', k: 20, metric: 'ndcg', value: 0.1 },
          ],
        },
      ),
    ).toThrow(/CHECK constraint/);
    expect({ e: n('epochs'), a: n('artifacts'), v: n('evaluations') }).toEqual(before);
    expect(store.lastEpoch(run.id)).toBe(0);
    expect(store.latestCheckpoint(run.id)!.epoch).toBe(0);
    expect(store.getRun(run.id)!.bestEpoch).toBe(0);
  });

  it('a failure while storing the checkpoint rolls back the epoch row', () => {
    const run = store.createRun({ model: 'micro' });
    store.rawDatabase().exec(
      "CREATE TEMP TRIGGER fail_ckpt BEFORE INSERT ON artifacts WHEN NEW.kind = 'checkpoint' BEGIN SELECT RAISE(ABORT, 'disk on fire'); END",
    );
    expect(() =>
      store.recordEpochWithCheckpoint(run.id, { epoch: 0, losses: { bpr: 1 } }, { payload: new Uint8Array([1]) }),
    ).toThrow('disk on fire');
    expect(store.getEpochs(run.id)).toEqual([]);
    expect(store.rawDatabase().inTransaction).toBe(false);
    store.rawDatabase().exec('DROP TRIGGER fail_ckpt');
    store.recordEpochWithCheckpoint(run.id, { epoch: 0, losses: { bpr: 1 } }, { payload: new Uint8Array([1]) });
    expect(store.getEpochs(run.id).length).toBe(1);
  });

  it('prunes old checkpoints in the same transaction, keeping the last N and the best', () => {
    const run = store.createRun({ model: 'micro' });
    for (let e = 0; e < 8; e++) {
      store.recordEpochWithCheckpoint(
        run.id,
        { epoch: e, losses: { bpr: 1 / (e + 1) } },
        { payload: Buffer.from([e]) },
        { bestEpoch: e === 2 ? 2 : undefined, retainCheckpoints: { last: 2, keepBest: true } },
      );
    }
    expect(store.listArtifacts(run.id, { kind: 'checkpoint' }).map((a) => a.epoch)).toEqual([2, 6, 7]);
    expect(store.getEpochs(run.id).length).toBe(8);
  });
});

describe('deleting runs', () => {
  function populate(model: string, parentRunId?: number): number {
    const r = store.createRun({ model, parentRunId });
    store.recordEpochWithCheckpoint(
      r.id,
      { epoch: 0, losses: { bpr: 1 } },
      { payload: new Uint8Array([1, 2]) },
      { evaluations: [{ split: 'test', setting: 'warm', k: 20, metric: 'recall', value: 0.1 }] },
    );
    store.putNeighbours(r.id, { modality: 'visual', stage: 'learned', payload: new Int32Array(4), shape: [2, 2] });
    return r.id;
  }

  it('cascades to the run’s rows only and never deletes other runs', () => {
    const a = populate('micro');
    const b = populate('lightgcn');
    const child = populate('micro', a);
    expect(store.deleteRun(a)).toBe(true);
    expect(store.getRun(a)).toBeNull();
    for (const t of ['epochs', 'evaluations', 'artifacts']) expect(n(t, a)).toBe(0);
    for (const id of [b, child]) {
      expect(store.getRun(id)).not.toBeNull();
      expect(n('epochs', id)).toBe(1);
      expect(n('evaluations', id)).toBe(1);
      expect(n('artifacts', id)).toBe(2);
    }
    expect(store.getRun(child)!.parentRunId).toBeNull();
    expect(store.deleteRun(a)).toBe(false);
    expect(store.rawDatabase().pragma('foreign_key_check')).toEqual([]);
  });

  it('refuses to delete a running run unless forced', () => {
    const a = populate('micro');
    store.startRun(a);
    expect(code(() => store.deleteRun(a))).toBe('RUN_ACTIVE');
    expect(store.getRun(a)).not.toBeNull();
    expect(store.deleteRun(a, { force: true })).toBe(true);
  });
});

describe('recovering interrupted runs', () => {
  it('marks running runs whose process is gone or whose heartbeat is stale, and leaves live ones', () => {
    const now = Date.now();
    const dead = store.createRun({ model: 'micro', name: 'dead' });
    store.startRun(dead.id, { pid: deadPid(), at: now - 1000 });
    const live = store.createRun({ model: 'micro', name: 'live' });
    store.startRun(live.id, { pid: process.pid, at: now - 1000 });
    const stale = store.createRun({ model: 'micro', name: 'stale' });
    store.startRun(stale.id, { pid: process.pid, at: now - 60 * 60_000 });
    const remote = store.createRun({ model: 'micro', name: 'remote' });
    store.startRun(remote.id, { pid: deadPid(), host: 'some-other-host', at: now - 1000 });
    const queued = store.createRun({ model: 'micro', name: 'queued' });

    const rec = store.recoverInterruptedRuns({ now });
    expect(rec).toEqual(
      expect.arrayContaining([
        { id: dead.id, reason: 'process-gone' },
        { id: stale.id, reason: 'stale-heartbeat' },
      ]),
    );
    expect(rec.length).toBe(2);
    expect(store.getRun(dead.id)!.status).toBe('interrupted');
    expect(store.getRun(dead.id)!.error).toMatch(/process \d+ .* is gone/);
    expect(store.getRun(dead.id)!.endedAt).toBe(new Date(now - 1000).toISOString());
    expect(store.getRun(stale.id)!.status).toBe('interrupted');
    expect(store.getRun(live.id)!.status).toBe('running');
    expect(store.getRun(remote.id)!.status).toBe('running');
    expect(store.getRun(queued.id)!.status).toBe('queued');
    // Idempotent.
    expect(store.recoverInterruptedRuns({ now })).toEqual([]);
    // Past the threshold the remote run is interrupted too.
    expect(store.recoverInterruptedRuns({ now: now + 60 * 60_000 }).map((r) => r.id)).toEqual(
      expect.arrayContaining([remote.id, live.id]),
    );
  });

  it('a run marked stale is revived by its own process beating again; a dead one is not', () => {
    const now = Date.now();
    const r = store.createRun({ model: 'micro' });
    store.startRun(r.id, { at: now - 60 * 60_000 });
    store.recoverInterruptedRuns({ now });
    expect(store.getRun(r.id)!.status).toBe('interrupted');
    expect(store.setHeartbeat(r.id)).toBe(true);
    expect(store.getRun(r.id)).toMatchObject({ status: 'running', error: null, endedAt: null });

    const d = store.createRun({ model: 'micro' });
    store.startRun(d.id, { pid: deadPid() });
    store.recoverInterruptedRuns();
    expect(store.setHeartbeat(d.id)).toBe(false);
    expect(store.getRun(d.id)!.status).toBe('interrupted');
  });

  it('runs on open, and interrupted runs with a checkpoint are resumable', () => {
    const r = store.createRun({ model: 'micro' });
    store.startRun(r.id, { pid: deadPid() });
    for (let e = 0; e < 4; e++) {
      store.recordEpochWithCheckpoint(r.id, { epoch: e, losses: { bpr: 1 } }, e < 3 ? { payload: Buffer.from([e, 7]) } : null);
    }
    const noCkpt = store.createRun({ model: 'mf' });
    store.startRun(noCkpt.id, { pid: deadPid() });
    store.close();

    store = RunStore.open(file);
    expect(store.recovered.map((x) => x.id).sort()).toEqual([r.id, noCkpt.id].sort());
    expect(store.resumableRuns().map((x) => x.id)).toEqual([r.id]);
    const info = store.getResumeInfo(r.id)!;
    expect(info.checkpointEpoch).toBe(2);
    expect(info.lastRecordedEpoch).toBe(3);
    expect([...info.checkpoint.payload!]).toEqual([2, 7]);
    expect(info.run.status).toBe('interrupted');
    expect(store.getResumeInfo(noCkpt.id)).toBeNull();

    // Resuming creates a child run; the parent is then no longer offered.
    const child = store.createRun({ model: 'micro', parentRunId: r.id });
    expect(store.resumableRuns()).toEqual([]);
    expect(store.resumableRuns({ includeResumed: true }).map((x) => x.id)).toEqual([r.id]);
    expect(store.listRuns({ parentRunId: r.id }).map((x) => x.id)).toEqual([child.id]);
  });

  it('open with recover: false leaves running runs alone', () => {
    const r = store.createRun({ model: 'micro' });
    store.startRun(r.id, { pid: deadPid() });
    store.close();
    store = RunStore.open(file, { recover: false });
    expect(store.recovered).toEqual([]);
    expect(store.getRun(r.id)!.status).toBe('running');
  });
});
