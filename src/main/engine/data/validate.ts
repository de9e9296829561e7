// Input validation: every malformed input becomes a DataError naming the file, the place
// (line/column, user key, row/column, header field) and the problem.

import * as fs from 'node:fs';
import { DataError, type Modality, type UserItems } from '../types';
import { countInteractions } from './csr';

// ---------------------------------------------------------------------------------------------
// Files

export function readTextFile(file: string, what = 'file'): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DataError(file, `${what} not found`);
    if (code === 'EISDIR') throw new DataError(file, `expected a ${what}, found a directory`);
    throw new DataError(file, `cannot read ${what}: ${(e as Error).message}`);
  }
}

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

export function readJsonFile(file: string): unknown {
  return parseJsonText(readTextFile(file, 'JSON file'), file);
}

// ---------------------------------------------------------------------------------------------
// Split JSON (LATTICE layout)

export interface ParsedSplit {
  users: Int32Array;
  items: Int32Array;
  /** Max user id + 1 over keys, including users with empty lists (0 if none). */
  userBound: number;
  /** Max item id + 1 (0 if none). */
  itemBound: number;
}

const INT_KEY = /^(0|[1-9]\d*)$/;

/** Validate a parsed `{ "uid": [iid, ...] }` object into parallel id arrays. */
export function parseSplitObject(obj: unknown, file: string): ParsedSplit {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    const got = obj === null ? 'null' : Array.isArray(obj) ? 'an array' : typeof obj;
    throw new DataError(file, `expected a JSON object mapping user id -> list of item ids, got ${got}`);
  }
  const rec = obj as Record<string, unknown>;
  let total = 0;
  for (const key of Object.keys(rec)) {
    const v = rec[key];
    if (!Array.isArray(v)) {
      throw new DataError(file, `expected a list of item ids, got ${v === null ? 'null' : typeof v}`, `user "${key}"`);
    }
    total += v.length;
  }
  const users = new Int32Array(total);
  const items = new Int32Array(total);
  let k = 0;
  let userBound = 0;
  let itemBound = 0;
  for (const key of Object.keys(rec)) {
    if (!INT_KEY.test(key)) {
      throw new DataError(file, `user id must be a non-negative integer, got ${JSON.stringify(key)}`, `user "${key}"`);
    }
    const u = Number(key);
    if (u > 2147483646) throw new DataError(file, `user id ${key} is too large`, `user "${key}"`);
    if (u + 1 > userBound) userBound = u + 1;
    const list = rec[key] as unknown[];
    for (let j = 0; j < list.length; j++) {
      const it = list[j];
      if (typeof it !== 'number' || !Number.isInteger(it)) {
        throw new DataError(file, `item id must be an integer, got ${JSON.stringify(it)}`, `user "${key}", index ${j}`);
      }
      if (it < 0) throw new DataError(file, `item id must be non-negative, got ${it}`, `user "${key}", index ${j}`);
      if (it > 2147483646) throw new DataError(file, `item id ${it} is too large`, `user "${key}", index ${j}`);
      if (it + 1 > itemBound) itemBound = it + 1;
      users[k] = u;
      items[k++] = it;
    }
  }
  return { users, items, userBound, itemBound };
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
