// Versioned schema of the run store. `PRAGMA user_version` holds the applied version;
// each migration runs in its own IMMEDIATE transaction together with the version bump.
// Never edit a released migration: append a new one.
import type Database from 'better-sqlite3';

/** 'MICR' — written to the SQLite header (PRAGMA application_id) so other tools can recognise the file. */
export const APPLICATION_ID = 0x4d494352;

export interface Migration {
  /** The user_version after this migration. Versions are 1, 2, 3, ... without gaps. */
  version: number;
  description: string;
  up(db: Database.Database): void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'datasets, runs, epochs, evaluations, artifacts',
    up(db) {
      db.exec(`
        CREATE TABLE datasets (
          id            INTEGER PRIMARY KEY,
          name          TEXT    NOT NULL UNIQUE,
          source_paths  TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(source_paths)),
          layout        TEXT    NOT NULL,
          setting       TEXT    NOT NULL CHECK (setting IN ('warm', 'cold')),
          modalities    TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(modalities)),
          stats         TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(stats)),
          fingerprint   TEXT    NOT NULL,
          created_at    INTEGER NOT NULL,
          updated_at    INTEGER NOT NULL
        );

        CREATE TABLE runs (
          id                  INTEGER PRIMARY KEY,
          name                TEXT    NOT NULL,
          dataset_id          INTEGER REFERENCES datasets(id) ON DELETE RESTRICT,
          dataset_fingerprint TEXT,
          model               TEXT    NOT NULL,
          preset              TEXT,
          config              TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(config)),
          backend             TEXT,
          seed                INTEGER,
          app_version         TEXT,
          status              TEXT    NOT NULL DEFAULT 'queued'
                              CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted')),
          error               TEXT,
          created_at          INTEGER NOT NULL,
          started_at          INTEGER,
          ended_at            INTEGER,
          wall_seconds        REAL,
          best_epoch          INTEGER
        );
        CREATE INDEX runs_dataset ON runs(dataset_id);
        CREATE INDEX runs_created ON runs(created_at);

        CREATE TABLE epochs (
          run_id   INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          epoch    INTEGER NOT NULL CHECK (epoch >= 0),
          losses   TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(losses)),
          metrics  TEXT             CHECK (metrics IS NULL OR json_valid(metrics)),
          seconds  REAL,
          at       INTEGER NOT NULL,
          PRIMARY KEY (run_id, epoch)
        ) WITHOUT ROWID;

        CREATE TABLE evaluations (
          id       INTEGER PRIMARY KEY,
          run_id   INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          split    TEXT    NOT NULL CHECK (split IN ('val', 'test')),
          setting  TEXT    NOT NULL CHECK (setting IN ('warm', 'cold')),
          k        INTEGER NOT NULL CHECK (k > 0),
          metric   TEXT    NOT NULL,
          value    REAL,
          epoch    INTEGER,
          at       INTEGER NOT NULL
        );
        -- One value per (run, split, setting, k, metric, epoch); NULL epoch = final evaluation.
        CREATE UNIQUE INDEX evaluations_key
          ON evaluations(run_id, split, setting, k, metric, ifnull(epoch, -1));

        CREATE TABLE artifacts (
          id          INTEGER PRIMARY KEY,
          run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          kind        TEXT    NOT NULL,
          name        TEXT    NOT NULL,
          format      TEXT    NOT NULL,
          epoch       INTEGER,
          payload     BLOB,
          path        TEXT,
          bytes       INTEGER,
          shape       TEXT    CHECK (shape IS NULL OR json_valid(shape)),
          meta        TEXT    CHECK (meta IS NULL OR json_valid(meta)),
          created_at  INTEGER NOT NULL,
          CHECK (payload IS NOT NULL OR path IS NOT NULL),
          UNIQUE (run_id, kind, name)
        );
        CREATE INDEX artifacts_run_kind_epoch ON artifacts(run_id, kind, epoch);
      `);
    },
  },
  {
    version: 2,
    description: 'run ownership (pid, host, heartbeat), resume lineage, tags and notes',
    up(db) {
      db.exec(`
        ALTER TABLE runs ADD COLUMN pid INTEGER;
        ALTER TABLE runs ADD COLUMN host TEXT;
        ALTER TABLE runs ADD COLUMN heartbeat_at INTEGER;
        ALTER TABLE runs ADD COLUMN parent_run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL;
        ALTER TABLE runs ADD COLUMN tags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags));
        ALTER TABLE runs ADD COLUMN notes TEXT;
        CREATE INDEX runs_status ON runs(status);
        CREATE INDEX runs_parent ON runs(parent_run_id);
      `);
    },
  },
  {
    version: 3,
    description: 'item metadata per dataset (+ FTS5 title search), dataset warnings',
    up(db) {
      // The FTS5 index is kept in step with dataset_items by triggers (a cascade from a deleted
      // dataset fires them too), so no write path can leave stale search rows behind.
      db.exec(`
        ALTER TABLE datasets ADD COLUMN warnings TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(warnings));
        ALTER TABLE datasets ADD COLUMN items_root TEXT;

        CREATE TABLE dataset_items (
          id          INTEGER PRIMARY KEY,
          dataset_id  INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
          item        INTEGER NOT NULL CHECK (item >= 0),
          title       TEXT,
          category    TEXT,
          image       TEXT,
          meta        TEXT CHECK (meta IS NULL OR json_valid(meta)),
          UNIQUE (dataset_id, item)
        );
        CREATE INDEX dataset_items_category ON dataset_items(dataset_id, category);

        CREATE VIRTUAL TABLE dataset_items_fts USING fts5(title, category, tokenize = 'unicode61 remove_diacritics 2');
        CREATE TRIGGER dataset_items_ai AFTER INSERT ON dataset_items BEGIN
          INSERT INTO dataset_items_fts(rowid, title, category) VALUES (new.id, ifnull(new.title, ''), ifnull(new.category, ''));
        END;
        CREATE TRIGGER dataset_items_ad AFTER DELETE ON dataset_items BEGIN
          DELETE FROM dataset_items_fts WHERE rowid = old.id;
        END;
        CREATE TRIGGER dataset_items_au AFTER UPDATE ON dataset_items BEGIN
          UPDATE dataset_items_fts SET title = ifnull(new.title, ''), category = ifnull(new.category, '') WHERE rowid = old.id;
        END;
      `);
    },
  },
  {
    version: 4,
    description: 'the last pilot-study result per dataset',
    up(db) {
      // One row per dataset (a new study replaces it), with the fingerprint of the data it was
      // computed on, so a re-imported dataset with other files does not show stale results.
      db.exec(`
        CREATE TABLE dataset_pilots (
          dataset_id   INTEGER PRIMARY KEY REFERENCES datasets(id) ON DELETE CASCADE,
          fingerprint  TEXT    NOT NULL,
          ks           TEXT    NOT NULL CHECK (json_valid(ks)),
          modalities   TEXT    NOT NULL CHECK (json_valid(modalities)),
          seconds      REAL    NOT NULL,
          at           INTEGER NOT NULL
        );
      `);
    },
  },
  {
    version: 5,
    description: 'studies (definition, status) and their cells (variant × seed → run)',
    up(db) {
      // A cell's status is its run's (no run yet: pending); deleting a run returns its cell to
      // pending, deleting a dataset keeps its studies (the definition names the dataset).
      // IF NOT EXISTS: a store rolled back by hand to an older version migrates again cleanly.
      db.exec(`
        CREATE TABLE IF NOT EXISTS studies (
          id          INTEGER PRIMARY KEY,
          name        TEXT    NOT NULL,
          kind        TEXT    NOT NULL CHECK (kind IN ('ablation', 'sweep', 'modalities', 'coldstart', 'compare')),
          dataset_id  INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
          definition  TEXT    NOT NULL CHECK (json_valid(definition)),
          status      TEXT    NOT NULL DEFAULT 'pending'
                      CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled', 'interrupted')),
          error       TEXT,
          pid         INTEGER,
          host        TEXT,
          created_at  INTEGER NOT NULL,
          updated_at  INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS study_cells (
          study_id  INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
          position  INTEGER NOT NULL CHECK (position >= 0),
          variant   TEXT    NOT NULL,
          seed      INTEGER NOT NULL,
          run_id    INTEGER UNIQUE REFERENCES runs(id) ON DELETE SET NULL,
          PRIMARY KEY (study_id, position),
          UNIQUE (study_id, variant, seed)
        ) WITHOUT ROWID;
      `);
    },
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export function readUserVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Apply every migration newer than the file's user_version, each in its own IMMEDIATE
 * transaction with the version bump (so a failed migration leaves the previous version intact,
 * and two processes opening an old file at once do not both migrate it).
 * Returns the versions applied.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration list is not contiguous at index ${i} (version ${m.version})`);
  });
  const applied: number[] = [];
  if (readUserVersion(db) >= migrations.length) return applied;

  // Foreign-key enforcement cannot change inside a transaction; switch it off so a migration
  // may rebuild tables, then verify the result before re-enabling it.
  const fkWasOn = db.pragma('foreign_keys', { simple: true }) === 1;
  db.pragma('foreign_keys = OFF');
  try {
    for (const m of migrations) {
      const run = db.transaction(() => {
        // Re-read inside the write lock: another process may have migrated meanwhile.
        if (readUserVersion(db) >= m.version) return false;
        m.up(db);
        const problems = db.pragma('foreign_key_check') as unknown[];
        if (problems.length > 0) throw new Error(`migration ${m.version} left ${problems.length} foreign-key violations`);
        if (m.version === 1) db.pragma(`application_id = ${APPLICATION_ID}`);
        db.pragma(`user_version = ${m.version}`);
        return true;
      });
      if (run.immediate()) applied.push(m.version);
    }
  } finally {
    if (fkWasOn) db.pragma('foreign_keys = ON');
  }
  return applied;
}
