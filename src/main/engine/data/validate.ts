// Input validation: every malformed input becomes a DataError naming the file, the place
// (line/column, user key, row/column, header field) and the problem.

import { DataError, type Modality, type UserItems } from '../types';
import { countInteractions } from './csr';
import { MAX_MANIFEST_BYTES, readTextFile } from './inputs';

export { readTextFile } from './inputs';

// ---------------------------------------------------------------------------------------------
// JSON with line:column errors

/** Convert a character offset into 1-based line and column. */
export function offsetToLineCol(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

/**
 * Locate the first JSON syntax error in `text` (character offset), or -1 if it is valid.
 * Node 20's JSON.parse does not always report a position, so this small scanner does.
 */
export function findJsonSyntaxError(text: string): number {
  let i = 0;
  const n = text.length;
  const ws = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };
  class Fail extends Error {
    constructor(public at: number) {
      super('json');
    }
  }
  const fail = (at = i): never => {
    throw new Fail(at);
  };
  const str = () => {
    i++; // opening quote
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return;
      }
      if (c < 32) fail();
      if (c === 92) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail(i + 1);
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else fail(i + 1);
      } else i++;
    }
    fail(n);
  };
  const num = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0] === '' || m[0] === '-') fail();
    i += m![0].length;
  };
  const value = (depth: number): void => {
    if (depth > 10000) fail();
    ws();
    if (i >= n) fail(n);
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        str();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        fail();
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        fail();
      }
    } else if (c === '"') str();
    else if (c === '-' || (c >= '0' && c <= '9')) num();
    else if (text.startsWith('true', i)) i += 4;
    else if (text.startsWith('false', i)) i += 5;
    else if (text.startsWith('null', i)) i += 4;
    else fail();
  };
  try {
    // a BOM is tolerated by our reader (stripped before parsing)
    value(0);
    ws();
    if (i < n) fail();
    return -1;
  } catch (e) {
    if (e instanceof Fail) return e.at;
    throw e;
  }
}

/** Parse JSON text; syntax errors become DataErrors with "line L, column C". */
export function parseJsonText(text: string, file: string): unknown {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(src);
  } catch (e) {
    let off = findJsonSyntaxError(src);
    if (off < 0) {
      const m = /position (\d+)/.exec((e as Error).message);
      off = m ? Number(m[1]) : 0;
    }
    const { line, column } = offsetToLineCol(src, off);
    const near = src.slice(off, off + 20).split('\n')[0];
    const what = off >= src.length ? 'unexpected end of input' : `unexpected ${JSON.stringify(near.slice(0, 1))}`;
    throw new DataError(file, `invalid JSON: ${what}${near.length > 1 ? ` near ${JSON.stringify(near)}` : ''}`, `line ${line}, column ${column}`);
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
