// Item metadata in the run store: FTS5 title search, replacement on re-import, cleanup with the
// dataset, and the v2 → v3 migration.
import { rollBack } from '../../helpers/rollback';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, RunStore, type ItemRecord } from '../../../src/main/store';
import { datasetInput, tmpDir } from './helpers';

const row = (item: number, title: string | null, category: string | null = null, image: string | null = null): ItemRecord => ({ item, title, category, image, meta: null });

function storeWithItems() {
  const store = RunStore.open(path.join(tmpDir(), 'runs.sqlite'));
  const ds = store.registerDataset(datasetInput());
  store.replaceItems(ds.id, {
    rows: [row(0, 'Sourdough Rye Loaf', 'Kitchen / Baking'), row(1, 'Crème brûlée torch', 'Kitchen'), row(2, 'Rye whiskey glass', 'Bar'), row(3, 'Alpine summit map', 'Travel', 'img/3.svg'), row(4, null, 'Travel')],
    root: '/data/baby',
    warnings: ['items.csv (line 7): unknown item id "x"'],
  });
  return { store, ds };
}

const items = (r: ItemRecord[]) => r.map((x) => x.item);

describe('item metadata in the run store', () => {
  it('runs on an SQLite with FTS5', () => {
    const db = new Database(':memory:');
    expect(db.prepare("SELECT sqlite_compileoption_used('ENABLE_FTS5') AS f").get()).toEqual({ f: 1 });
    db.close();
  });

  it('searches titles and categories by word prefix, all words required, best match first', () => {
    const { store, ds } = storeWithItems();
    try {
      expect(items(store.searchItems(ds.id, { query: 'rye' }))).toEqual(expect.arrayContaining([0, 2]));
      expect(items(store.searchItems(ds.id, { query: 'rye' }))).toHaveLength(2);
      expect(items(store.searchItems(ds.id, { query: 'sour' }))).toEqual([0]);
      expect(items(store.searchItems(ds.id, { query: 'RYE loaf' }))).toEqual([0]);
      expect(items(store.searchItems(ds.id, { query: 'creme brulee' }))).toEqual([1]); // diacritics folded
      expect(items(store.searchItems(ds.id, { query: 'travel' })).sort()).toEqual([3, 4]);
      expect(items(store.searchItems(ds.id, { query: 'nothing-like-it' }))).toEqual([]);
      // no query: every item by id; limit and offset page through them
      expect(items(store.searchItems(ds.id))).toEqual([0, 1, 2, 3, 4]);
      expect(items(store.searchItems(ds.id, { limit: 2, offset: 2 }))).toEqual([2, 3]);
      // an exact id comes first
      expect(items(store.searchItems(ds.id, { query: '3', item: 3 }))).toEqual([3]);
      expect(store.getItems(ds.id, [3, 99]).get(3)).toEqual(row(3, 'Alpine summit map', 'Travel', 'img/3.svg'));
      expect(store.countItems(ds.id)).toBe(5);
    } finally {
      store.close();
    }
  });

  it('treats FTS syntax in user input as plain words', () => {
    const { store, ds } = storeWithItems();
    try {
      for (const q of ['"', 'rye"', 'rye AND', 'NEAR(rye', 'title:rye', '*', '-rye', '(', "rye' OR 1=1 --"]) {
        expect(() => store.searchItems(ds.id, { query: q }), q).not.toThrow();
      }
      expect(items(store.searchItems(ds.id, { query: 'title:rye' }))).toEqual([]); // "title" and "rye" both required
      expect(items(store.searchItems(ds.id, { query: 'rye"' }))).toHaveLength(2);
    } finally {
      store.close();
    }
  });

  it('replaces the rows (and the search index) on re-import, and stores the warnings', () => {
    const { store, ds } = storeWithItems();
    try {
      expect(store.getDataset(ds.id)!.warnings).toEqual(['items.csv (line 7): unknown item id "x"']);
      expect(store.getDataset(ds.id)!.itemsRoot).toBe('/data/baby');
      store.replaceItems(ds.id, { rows: [row(7, 'Tennis racket')], root: '/data/baby2', warnings: [] });
      expect(items(store.searchItems(ds.id, { query: 'rye' }))).toEqual([]);
      expect(items(store.searchItems(ds.id, { query: 'tennis' }))).toEqual([7]);
      expect(store.getDataset(ds.id)).toMatchObject({ warnings: [], itemsRoot: '/data/baby2' });
      const db = store.rawDatabase();
      expect(db.prepare('SELECT count(*) AS n FROM dataset_items_fts').get()).toEqual({ n: 1 });
    } finally {
      store.close();
    }
  });

  it('copies rows to a split and drops them (search index included) with the dataset', () => {
    const { store, ds } = storeWithItems();
    try {
      const split = store.registerDataset(datasetInput({ name: 'baby-warm', fingerprint: 'fp-split' }));
      expect(store.copyItems(ds.id, split.id)).toBe(5);
      expect(items(store.searchItems(split.id, { query: 'alpine' }))).toEqual([3]);
      expect(store.getDataset(split.id)!.itemsRoot).toBe('/data/baby');
      store.deleteDataset(ds.id);
      const db = store.rawDatabase();
      expect(db.prepare('SELECT count(*) AS n FROM dataset_items').get()).toEqual({ n: 5 });
      expect(db.prepare('SELECT count(*) AS n FROM dataset_items_fts').get()).toEqual({ n: 5 });
      expect(items(store.searchItems(split.id, { query: 'rye' })).sort()).toEqual([0, 2]);
    } finally {
      store.close();
    }
  });

  it('migrates a v2 store: existing datasets get no warnings and no items', () => {
    const file = path.join(tmpDir(), 'v2.sqlite');
    const old = RunStore.open(file);
    old.registerDataset(datasetInput());
    old.close();
    // Roll the file back to v2 as an older build left it.
    rollBack(file, 'DROP TABLE dataset_pilots; DROP TRIGGER dataset_items_ai; DROP TRIGGER dataset_items_ad; DROP TRIGGER dataset_items_au; DROP TABLE dataset_items_fts; DROP TABLE dataset_items; ALTER TABLE datasets DROP COLUMN warnings; ALTER TABLE datasets DROP COLUMN items_root;', 2);
    const store = RunStore.open(file);
    try {
      expect(store.schemaVersion).toBe(MIGRATIONS.length);
      const rec = store.getDataset('baby')!;
      expect(rec).toMatchObject({ warnings: [], itemsRoot: null });
      expect(store.searchItems(rec.id, { query: 'x' })).toEqual([]);
      store.replaceItems(rec.id, { rows: [row(0, 'Baby stroller')], root: '/d', warnings: [] });
      expect(items(store.searchItems(rec.id, { query: 'strol' }))).toEqual([0]);
    } finally {
      store.close();
    }
  });

  it('refuses items of a dataset that does not exist, and negative ids', () => {
    const { store, ds } = storeWithItems();
    try {
      expect(() => store.replaceItems(999, { rows: [], root: null, warnings: [] })).toThrow(/dataset 999 not found/);
      expect(() => store.replaceItems(ds.id, { rows: [row(-1, 'x')], root: null, warnings: [] })).toThrow(/item must be an integer >= 0/);
      expect(store.countItems(ds.id)).toBe(5); // the failed replacement changed nothing
    } finally {
      store.close();
    }
  });
});
