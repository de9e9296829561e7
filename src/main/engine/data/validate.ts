// Input validation: every malformed input becomes a DataError naming the file, the place
// (line/column, user key, row/column, header field) and the problem.

import { DataError, type Modality, type UserItems } from '../types';
import { countInteractions } from './csr';
import { MAX_MANIFEST_BYTES, readTextFile } from './inputs';
import { firstSyntaxError, syntaxError } from './jsonscan';

export { readTextFile } from './inputs';

// ---------------------------------------------------------------------------------------------
// JSON with line:column errors

/** Parse JSON text; syntax errors become DataErrors with "line L, column C". */
export function parseJsonText(text: string, file: string): unknown {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(src);
  } catch (e) {
    // Node 20's JSON.parse does not always report a position: the split-file lexer finds it.
    const bytes = Buffer.from(src, 'utf8');
    let off = firstSyntaxError(bytes);
    if (off < 0) {
      const m = /position (\d+)/.exec((e as Error).message);
      off = m ? Buffer.byteLength(src.slice(0, Number(m[1])), 'utf8') : 0;
    }
    throw syntaxError(bytes, off, file);
  }
}

export function readJsonFile(file: string, maxBytes = MAX_MANIFEST_BYTES): unknown {
  return parseJsonText(readTextFile(file, 'JSON file', maxBytes), file);
}

// ---------------------------------------------------------------------------------------------
// Id spaces

/**
 * Refuse an id space far sparser than the ids in use: n = max id + 1 must be at most
 * max(16 x distinct ids, distinct ids + 10,000). (A single item id 2147483646 would otherwise
 * make 2^31 items: gigabytes of per-item arrays for a three-line file.) `lists` hold every id
 * occurrence; distinct ids are counted with a bitmap when n is small next to them, else by
 * sorting a copy, so memory stays proportional to the input.
 */
export function checkIdSpace(
  kind: 'user' | 'item',
  bound: number,
  lists: readonly Int32Array[],
  at: { file: string; where?: string },
): void {
  if (bound <= 10001) return;
  let total = 0;
  for (const l of lists) total += l.length;
  let distinct = 0;
  if (bound <= 16 * total + 10000) {
    const seen = new Uint8Array(bound);
    for (const l of lists) for (let k = 0; k < l.length; k++) seen[l[k]] = 1;
    for (let k = 0; k < bound; k++) distinct += seen[k];
  } else {
    const all = new Int32Array(total);
    let o = 0;
    for (const l of lists) {
      all.set(l, o);
      o += l.length;
    }
    all.sort();
    for (let k = 0; k < total; k++) if (k === 0 || all[k] !== all[k - 1]) distinct++;
  }
  const limit = Math.max(16 * distinct, distinct + 10000);
  if (bound > limit) {
    throw new DataError(
      at.file,
      `${kind} id ${bound - 1} makes ${bound} ${kind}s (max id + 1) for ${distinct} distinct ${kind} ids, ` +
        `over the limit of ${limit} (max of 16 x distinct, distinct + 10000); renumber the ${kind}s densely`,
      at.where,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Features

/** Throw on the first NaN/Inf in a row-major feature matrix, naming its row and column. */
export function checkFiniteFeatures(features: Float32Array, dim: number, file: string): void {
  for (let k = 0; k < features.length; k++) {
    const v = features[k];
    if (v - v !== 0) {
      const row = Math.floor(k / dim);
      const col = k % dim;
      throw new DataError(file, `feature value is ${Number.isNaN(v) ? 'NaN' : v > 0 ? '+Infinity' : '-Infinity'}`, `row ${row}, column ${col}`);
    }
  }
}

export function checkModalities(modalities: readonly Modality[], nItems: number): void {
  const seen = new Set<string>();
  for (const m of modalities) {
    const file = m.sourceFile ?? `modality '${m.name}'`;
    if (seen.has(m.name)) throw new DataError(file, `duplicate modality name '${m.name}'`);
    seen.add(m.name);
    if (m.features.length !== nItems * m.dim) {
      throw new DataError(file, `feature rows (${m.features.length / m.dim}) do not match the item count (${nItems})`, 'shape');
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Splits

export interface SplitCheckInput {
  train: UserItems;
  val: UserItems;
  test: UserItems;
  /** Files to name in errors. */
  files: { train: string; val: string; test: string };
  /** Raw lists have no val split until the caller splits them. */
  requireVal: boolean;
  setting: 'warm' | 'cold';
}

/**
 * Structural checks over loaded splits. Throws for an empty train split, an empty val split
 * (when required) and when *every* val user is absent from train (nothing could be evaluated).
 * Returns warnings for the milder cases (some val/test users without train interactions: the
 * reference evaluates them with untrained embeddings; val/test items that repeat train items in
 * the cold setting).
 */
export function checkSplits(s: SplitCheckInput): string[] {
  const warnings: string[] = [];
  if (countInteractions(s.train) === 0) throw new DataError(s.files.train, 'the train split is empty');
  if (s.requireVal && countInteractions(s.val) === 0) throw new DataError(s.files.val, 'the validation split is empty');

  const hasTrain = (u: number) => u < s.train.nUsers && s.train.indptr[u + 1] > s.train.indptr[u];
  for (const [name, ui, file] of [
    ['validation', s.val, s.files.val],
    ['test', s.test, s.files.test],
  ] as const) {
    let users = 0;
    let absent = 0;
    let firstAbsent = -1;
    for (let u = 0; u < ui.nUsers; u++) {
      if (ui.indptr[u + 1] === ui.indptr[u]) continue;
      users++;
      if (!hasTrain(u)) {
        absent++;
        if (firstAbsent < 0) firstAbsent = u;
      }
    }
    if (users > 0 && absent === users && name === 'validation') {
      throw new DataError(file, `none of the ${users} ${name} users has train interactions (do user ids match train?)`);
    }
    if (absent > 0) {
      warnings.push(`${file}: ${absent} of ${users} ${name} users have no train interactions (first: user ${firstAbsent})`);
    }
    if (s.setting === 'cold' && ui.indices.length > 0) {
      let maxItem = 0;
      for (let k = 0; k < s.train.indices.length; k++) if (s.train.indices[k] > maxItem) maxItem = s.train.indices[k];
      const inTrain = new Uint8Array(maxItem + 1);
      for (let k = 0; k < s.train.indices.length; k++) inTrain[s.train.indices[k]] = 1;
      let overlap = 0;
      for (let k = 0; k < ui.indices.length; k++) if (ui.indices[k] <= maxItem && inTrain[ui.indices[k]]) overlap++;
      if (overlap > 0) {
        warnings.push(`${file}: cold setting, but ${overlap} ${name} interactions are on items that appear in train`);
      }
    }
  }
  return warnings;
}
