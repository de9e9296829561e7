import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import {
  APPLICATION_ID,
  LATEST_SCHEMA_VERSION,
  MIGRATIONS,
  RunStore,
  StoreError,
  migrate,
} from '../../../src/main/store';
import { thrown } from '../../helpers/errors';
import { sha256, tmpDir } from './helpers';

const V1_SQL = fs.readFileSync(path.join(import.meta.dirname, 'fixtures/schema-v1.sql'), 'utf8');

const catchError = (fn: () => unknown): StoreError => thrown(StoreError, fn);

function columns(db: Database.Database, table: string): string[] {
  return (db.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name);
}

/** A store file made by hand with the frozen v1 schema and some rows, in rollback-journal mode. */
function makeV1(file: string): void {
  const db = new Database(file);
  db.exec(V1_SQL);
  db.pragma('user_version = 1');
  db.pragma(`application_id = ${APPLICATION_ID}`);
  const t = Date.UTC(2024, 0, 2, 3, 4, 5);
  db.prepare(
    `INSERT INTO datasets (id, name, source_paths, layout, setting, modalities, stats, fingerprint, created_at, updated_at)
     VALUES (1, 'baby', '["/d/baby"]', 'lattice', 'warm', '[{"name":"visual","dim":4096}]',
             '{"users":3,"items":4,"interactions":{"train":5,"val":1,"test":1},"density":0.4,"coldItems":0}', 'fp1', ?, ?)`,
  ).run(t, t);
  db.prepare(
    `INSERT INTO runs (id, name, dataset_id, dataset_fingerprint, model, preset, config, backend, seed, app_version,
                       status, created_at, started_at, ended_at, wall_seconds, best_epoch)
     VALUES (7, 'old micro', 1, 'fp1', 'micro', 'paper', '{"lr":0.0005,"knnK":10}', 'cpu', 42, '0.0.1',
             'completed', ?, ?, ?, 12.5, 1)`,
  ).run(t, t + 1000, t + 13500);
  db.prepare(`INSERT INTO epochs (run_id, epoch, losses, metrics, seconds, at) VALUES (7, 0, '{"bpr":0.69}', NULL, 1.5, ?)`).run(t);
  db.prepare(
    `INSERT INTO epochs (run_id, epoch, losses, metrics, seconds, at) VALUES (7, 1, '{"bpr":0.5}', '{"recall@20":0.07}', 1.4, ?)`,
  ).run(t);
  db.prepare(
    `INSERT INTO evaluations (run_id, split, setting, k, metric, value, epoch, at) VALUES (7, 'test', 'warm', 20, 'recall', 0.081, NULL, ?)`,
  ).run(t);
  db.prepare(
    `INSERT INTO artifacts (run_id, kind, name, format, epoch, payload, bytes, shape, meta, created_at)
     VALUES (7, 'checkpoint', 'epoch-1', 'weights', 1, x'01020304', 4, '[4]', '{"note":"v1"}', ?)`,
  ).run(t);
  db.close();
}

describe('schema creation', () => {
  it('creates every table at the latest version, WAL, foreign keys on, busy timeout set', () => {
    const file = path.join(tmpDir(), 'nested', 'dir', 'runs.sqlite');
    const store = RunStore.open(file);
    expect(fs.existsSync(file)).toBe(true);
    expect(store.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    expect(LATEST_SCHEMA_VERSION).toBe(MIGRATIONS.length);
    const db = store.rawDatabase();
    const tables = (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map(
      (r) => r.name,
    );
    expect(tables).toEqual([
      'artifacts',
      'dataset_items',
      'dataset_items_fts',
      'dataset_items_fts_config',
      'dataset_items_fts_content',
      'dataset_items_fts_data',
      'dataset_items_fts_docsize',
      'dataset_items_fts_idx',
      'dataset_pilots',
      'datasets',
      'epochs',
      'evaluations',
      'runs',
      'studies',
      'study_cells',
    ]);
    expect(columns(db, 'runs')).toEqual(
      expect.arrayContaining(['pid', 'host', 'heartbeat_at', 'parent_run_id', 'tags', 'notes', 'config', 'dataset_fingerprint']),
    );
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    store.close();
  });

  it('reopening an up-to-date store applies nothing and keeps data', () => {
    const file = path.join(tmpDir(), 'runs.sqlite');
    const a = RunStore.open(file);
    const run = a.createRun({ model: 'mf' });
    a.close();
    const b = RunStore.open(file);
    expect(b.getRun(run.id)?.model).toBe('mf');
    expect(migrate(b.rawDatabase())).toEqual([]);
    b.close();
  });

  it('in-memory stores work', () => {
    const s = RunStore.open(':memory:');
    expect(s.createRun({ model: 'popularity' }).name).toBe('popularity-1');
    s.close();
  });
});

describe('migrations', () => {
  it('upgrades a hand-made v1 database to the latest version and keeps every row', () => {
    const file = path.join(tmpDir(), 'v1.sqlite');
    makeV1(file);
    const store = RunStore.open(file);
    expect(store.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    expect(store.rawDatabase().pragma('journal_mode', { simple: true })).toBe('wal');

    const ds = store.getDataset('baby')!;
    expect(ds.id).toBe(1);
    expect(ds.modalities).toEqual([{ name: 'visual', dim: 4096 }]);
    expect(ds.stats.interactions.train).toBe(5);

    const run = store.getRun(7)!;
    expect(run).toMatchObject({
      name: 'old micro',
      datasetId: 1,
      datasetFingerprint: 'fp1',
      model: 'micro',
      preset: 'paper',
      config: { lr: 0.0005, knnK: 10 },
      backend: 'cpu',
      seed: 42,
      appVersion: '0.0.1',
      status: 'completed',
      wallSeconds: 12.5,
      bestEpoch: 1,
      // new v2 columns get their defaults
      pid: null,
      host: null,
      heartbeatAt: null,
      parentRunId: null,
      tags: [],
      notes: null,
    });
    expect(run.createdAt).toBe('2024-01-02T03:04:05.000Z');
    expect(store.getEpochs(7).map((e) => [e.epoch, e.losses.bpr, e.metrics])).toEqual([
      [0, 0.69, null],
      [1, 0.5, { 'recall@20': 0.07 }],
    ]);
    expect(store.getEvaluations(7).map((e) => [e.metric, e.k, e.value])).toEqual([['recall', 20, 0.081]]);
    const ck = store.latestCheckpoint(7, { payload: true })!;
    expect([...ck.payload!]).toEqual([1, 2, 3, 4]);
    expect(ck.meta).toEqual({ note: 'v1' });

    // The new columns are usable on old rows.
    store.setRunTags(7, ['legacy']);
    expect(store.listRuns({ tag: 'legacy' }).map((r) => r.id)).toEqual([7]);
    const child = store.createRun({ model: 'micro', parentRunId: 7 });
    expect(child.parentRunId).toBe(7);
    store.close();
  });

  it('a failing migration rolls back completely and leaves the previous version', () => {
    const file = path.join(tmpDir(), 'runs.sqlite');
    RunStore.open(file).close();
    const db = new Database(file);
    const broken = [
      ...MIGRATIONS,
      {
        version: LATEST_SCHEMA_VERSION + 1,
        description: 'broken',
        up(d: Database.Database) {
          d.exec('CREATE TABLE half_done (x INTEGER); ALTER TABLE runs ADD COLUMN half INTEGER;');
          throw new Error('boom');
        },
      },
    ];
    expect(() => migrate(db, broken)).toThrow('boom');
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'half_done'").get()).toEqual({ n: 0 });
    expect(columns(db, 'runs')).not.toContain('half');
    db.close();
  });

  it('rejects a migration list with gaps', () => {
    const db = new Database(':memory:');
    expect(() => migrate(db, [MIGRATIONS[1]!])).toThrow(/not contiguous/);
    db.close();
  });
});

describe('refusing files it must not touch', () => {
  it('a store from a newer schema is refused and left byte-identical', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'runs.sqlite');
    const s = RunStore.open(file);
    s.createRun({ model: 'micro' });
    s.close();
    const db = new Database(file);
    db.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 7}`);
    db.close();
    const before = sha256(file);
    const listing = fs.readdirSync(dir).sort();

    for (const readonly of [false, true]) {
      const err = catchError(() => RunStore.open(file, { readonly }));
      expect(err.code).toBe('NEWER_SCHEMA');
      expect(err.message).toContain(file);
      expect(err.message).toContain(
        `created by a newer MICRO Workbench (schema v${LATEST_SCHEMA_VERSION + 7}, this build knows v${LATEST_SCHEMA_VERSION}); not modified`,
      );
    }
    expect(sha256(file)).toBe(before);
    expect(fs.readdirSync(dir).sort()).toEqual(listing);
  });

  it('a non-SQLite file is refused with its path named and left byte-identical', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'runs.sqlite');
    fs.writeFileSync(file, Buffer.concat([Buffer.from('this is not a database\n'), Buffer.alloc(8192, 0xab)]));
    const before = sha256(file);
    const err = catchError(() => RunStore.open(file));
    expect(err.code).toBe('CORRUPT');
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/not modified/);
    expect(sha256(file)).toBe(before);
    expect(fs.readdirSync(dir)).toEqual(['runs.sqlite']);
  });

  it('a truncated SQLite file is refused and left byte-identical', () => {
    const file = path.join(tmpDir(), 'runs.sqlite');
    fs.writeFileSync(file, Buffer.from('SQLite format 3\0abc', 'latin1'));
    const before = sha256(file);
    expect(catchError(() => RunStore.open(file)).code).toBe('CORRUPT');
    expect(sha256(file)).toBe(before);
  });

  it('a store whose pages are damaged is refused (path named) and left byte-identical', () => {
    const file = path.join(tmpDir(), 'runs.sqlite');
    const s = RunStore.open(file);
    s.createRun({ model: 'micro' });
    s.close();
    const bytes = fs.readFileSync(file);
    // Keep the 100-byte header (valid magic, our version), trash the schema b-tree page.
    bytes.fill(0xee, 100, bytes.length);
    fs.writeFileSync(file, bytes);
    const before = sha256(file);
    const err = catchError(() => RunStore.open(file));
    expect(err.code).toBe('CORRUPT');
    expect(err.message).toContain(file);
    expect(sha256(file)).toBe(before);
  });

  it("another application's SQLite database is refused and left byte-identical", () => {
    const file = path.join(tmpDir(), 'other.sqlite');
    const db = new Database(file);
    db.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('hi');");
    db.close();
    const before = sha256(file);
    const err = catchError(() => RunStore.open(file));
    expect(err.code).toBe('NOT_A_STORE');
    expect(err.message).toContain(file);
    expect(sha256(file)).toBe(before);

    const tagged = path.join(tmpDir(), 'tagged.sqlite');
    const db2 = new Database(tagged);
    db2.pragma('application_id = 1234');
    db2.exec('CREATE TABLE t (x)');
    db2.close();
    const before2 = sha256(tagged);
    expect(catchError(() => RunStore.open(tagged)).code).toBe('NOT_A_STORE');
    expect(sha256(tagged)).toBe(before2);
  });

  it('a directory is refused with a clear error', () => {
    const dir = tmpDir();
    const err = catchError(() => RunStore.open(dir));
    expect(err.code).toBe('OPEN_FAILED');
    expect(err.message).toContain(dir);
  });

  it('an empty file is initialised as a new store', () => {
    const file = path.join(tmpDir(), 'empty.sqlite');
    fs.writeFileSync(file, '');
    const s = RunStore.open(file);
    expect(s.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    s.close();
  });
});

describe('read-only mode', () => {
  it('does not create a missing file', () => {
    const file = path.join(tmpDir(), 'missing', 'runs.sqlite');
    expect(catchError(() => RunStore.open(file, { readonly: true })).code).toBe('MISSING_FILE');
    expect(fs.existsSync(path.dirname(file))).toBe(false);
  });

  it('reads but refuses writes', () => {
    const file = path.join(tmpDir(), 'runs.sqlite');
    const w = RunStore.open(file);
    const run = w.createRun({ model: 'lightgcn' });
    const r = RunStore.open(file, { readonly: true });
    expect(r.getRun(run.id)?.model).toBe('lightgcn');
    expect(catchError(() => r.createRun({ model: 'mf' })).code).toBe('READONLY');
    expect(catchError(() => r.recordEpoch(run.id, { epoch: 0, losses: {} })).code).toBe('READONLY');
    r.close();
    w.close();
  });

  it('refuses an old schema that it may not upgrade', () => {
    const file = path.join(tmpDir(), 'v1.sqlite');
    makeV1(file);
    const before = sha256(file);
    const err = catchError(() => RunStore.open(file, { readonly: true }));
    expect(err.code).toBe('OLDER_SCHEMA');
    expect(sha256(file)).toBe(before);
  });
});
