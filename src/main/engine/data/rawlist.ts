// Raw interaction list loader: CSV/TSV (delimiter auto-detected: tab, comma, semicolon or
// whitespace; header optional) with rows `user,item[,rating[,timestamp]]`. Ids are arbitrary
// strings, mapped to dense ids in order of first appearance (Dataset.userIds/itemIds keep the
// originals). Repeated (user, item) pairs are collapsed. Everything goes to the train split;
// the caller splits it (splits.ts) before training.
//
// Features: raw lists carry features only through a manifest (micro.json/dataset.json) with
// `itemOrder`: a text file with one original item id per line, in the row order of the .npy
// feature files. Item dense ids then follow that file (so feature row i = item i), and an
// interaction naming an item not in the file is an error. Without `itemOrder`, *_feat.npy files
// next to the list are ignored (with a warning), since nothing ties their rows to item ids.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataError, type Dataset } from '../types';
import { emptyUserItems, userItemsFromPairs } from './csr';
import { makeDataset } from './dataset';
import { discoverModalities, loadFeatureFiles, readManifest, type LoadedFeatures } from './manifest';
import { clip, quoted, readTextFile } from './inputs';
import { delimiterName, detectDelimiter, LineCursor, parseNumberField, splitFields, splitLines, type Delimiter, type TextLine } from './tabular';

export interface RawLoadOptions {
  name?: string;
  /** Force header / no header (default: detected from column names). */
  header?: boolean;
  delimiter?: Delimiter;
  /** Keep only rows with rating >= minRating (needs a rating column). */
  minRating?: number;
  /** Item-order file (one original item id per line, feature row order); overrides the manifest. */
  itemOrder?: string;
}

export const RAW_EXTENSIONS = ['.csv', '.tsv'] as const;

const USER_NAMES = new Set(['user', 'userid', 'uid', 'users', 'username', 'reviewerid', 'customerid', 'visitorid']);
const ITEM_NAMES = new Set(['item', 'itemid', 'iid', 'items', 'asin', 'movieid', 'productid', 'videoid', 'photoid']);
const RATING_NAMES = new Set(['rating', 'ratings', 'score', 'stars', 'overall', 'label']);

const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
const isNumeric = (s: string | undefined) => s !== undefined && s !== '' && Number.isFinite(Number(s));

export interface ParsedRawList {
  userIds: string[];
  itemIds: string[];
  users: Int32Array;
  items: Int32Array;
  delimiter: Delimiter;
  header: boolean;
  /** Rows dropped by minRating. */
  filtered: number;
}

/**
 * Parse a raw list. When `fixedItems` is given, item dense ids come from it (position in the
 * list) and unknown items are an error.
 */
export function parseRawList(
  text: string,
  file: string,
  opts: RawLoadOptions = {},
  fixedItems?: { ids: string[]; file: string },
): ParsedRawList {
  const cursor = new LineCursor(text);
  const line0 = cursor.next();
  const line1 = cursor.next();
  if (!line0) throw new DataError(file, 'file is empty (expected rows "user,item[,rating,timestamp]")');
  const delimiter = opts.delimiter ?? detectDelimiter([line0]);
  const first = splitFields(line0.text, delimiter);
  const second = line1 ? splitFields(line1.text, delimiter) : undefined;
  const header =
    opts.header ??
    (first.some((f) => USER_NAMES.has(norm(f)) || ITEM_NAMES.has(norm(f))) ||
      (first.length >= 3 && !isNumeric(first[2]) && second !== undefined && isNumeric(second[2])));

  let cu = 0;
  let ci = 1;
  let cr = -1;
  let ncols = first.length;
  if (header) {
    const names = first.map(norm);
    const find = (set: Set<string>) => names.findIndex((n) => set.has(n));
    cu = find(USER_NAMES);
    ci = find(ITEM_NAMES);
    if (cu < 0) cu = 0;
    if (ci < 0) ci = cu === 1 ? 0 : 1;
    cr = find(RATING_NAMES);
    ncols = names.length;
    if (ncols < 2) {
      throw new DataError(file, `header has ${ncols} column; need at least user and item (${delimiterName(delimiter)}-separated)`, `line ${line0.line}`);
    }
  } else {
    cr = first.length >= 3 ? 2 : -1;
    ncols = 2;
  }
  const colName = (c: number) => (header ? clip(first[c]) : ['user', 'item', 'rating'][c] ?? `column ${c + 1}`);
  if (opts.minRating !== undefined && cr < 0) {
    throw new DataError(file, 'minRating was given but the file has no rating column', header ? `line ${line0.line}` : undefined);
  }

  const userMap = new Map<string, number>();
  const itemMap = new Map<string, number>();
  const userIds: string[] = [];
  const itemIds: string[] = fixedItems ? fixedItems.ids : [];
  if (fixedItems) fixedItems.ids.forEach((id, k) => itemMap.set(id, k));
  // typed arrays grown by doubling: 8 bytes per row instead of two JS number arrays
  let users = new Int32Array(1024);
  let items = new Int32Array(1024);
  let n = 0;
  let filtered = 0;
  const pending: (TextLine | null)[] = header ? [line1] : [line0, line1];
  for (let cur = pending.shift() ?? null; cur; cur = pending.length ? pending.shift()! : cursor.next()) {
    const { line, text: t } = cur;
    const f = splitFields(t, delimiter);
    if (f.length < Math.max(ncols, cu + 1, ci + 1)) {
      throw new DataError(
        file,
        `expected at least ${Math.max(ncols, cu + 1, ci + 1)} ${delimiterName(delimiter)}-separated fields, found ${f.length}`,
        `line ${line}`,
      );
    }
    const us = f[cu];
    const is = f[ci];
    if (us === '') throw new DataError(file, 'empty user id', `line ${line}, column '${colName(cu)}'`);
    if (is === '') throw new DataError(file, 'empty item id', `line ${line}, column '${colName(ci)}'`);
    if (cr >= 0 && f[cr] !== undefined && f[cr] !== '') {
      const r = parseNumberField(f[cr], file, line, colName(cr));
      if (opts.minRating !== undefined && r < opts.minRating) {
        filtered++;
        continue;
      }
    }
    let u = userMap.get(us);
    if (u === undefined) {
      u = userIds.length;
      userMap.set(us, u);
      userIds.push(us);
    }
    let it = itemMap.get(is);
    if (it === undefined) {
      if (fixedItems) {
        throw new DataError(file, `item ${quoted(is)} is not listed in the item-order file ${fixedItems.file}`, `line ${line}, column '${colName(ci)}'`);
      }
      it = itemIds.length;
      itemMap.set(is, it);
      itemIds.push(is);
    }
    if (n === users.length) {
      const nu = new Int32Array(2 * n);
      nu.set(users);
      users = nu;
      const nx = new Int32Array(2 * n);
      nx.set(items);
      items = nx;
    }
    users[n] = u;
    items[n++] = it;
  }
  return { userIds, itemIds, users: users.slice(0, n), items: items.slice(0, n), delimiter, header, filtered };
}

/** Read an item-order file: one id per non-blank line, no duplicates. */
export function readItemOrder(file: string): string[] {
  return readIdList(file, 'item-order file');
}

/** One id per non-blank line, no duplicates (item-order files, id maps of splits). */
export function readIdList(file: string, what: string): string[] {
  const lines = splitLines(readTextFile(file, what));
  const seen = new Map<string, number>();
  const ids: string[] = [];
  for (const { line, text } of lines) {
    const id = text.trim();
    const prev = seen.get(id);
    if (prev !== undefined) throw new DataError(file, `duplicate ${/user/.test(what) ? 'user' : 'item'} id ${quoted(id)} (first on line ${prev})`, `line ${line}`);
    seen.set(id, line);
    ids.push(id);
  }
  if (ids.length === 0) throw new DataError(file, `${what} is empty`);
  return ids;
}

/** Raw list files in a folder (.csv/.tsv). */
export function listRawFiles(folder: string): string[] {
  try {
    return fs
      .readdirSync(folder)
      .filter((f) => RAW_EXTENSIONS.some((e) => f.toLowerCase().endsWith(e)))
      .sort();
  } catch {
    return [];
  }
}

export function loadRawList(fileOrFolder: string, opts: RawLoadOptions = {}): Dataset {
  let target = path.resolve(fileOrFolder);
  let root: string;
  if (fs.existsSync(target) && fs.statSync(target).isDirectory()) {
    root = target;
    const man = readManifest(root);
    const given = man?.manifest.interactionsFile;
    if (given) target = path.resolve(root, given);
    else {
      const files = listRawFiles(root);
      if (files.length === 0) throw new DataError(root, 'no .csv/.tsv interaction list found');
      if (files.length > 1) {
        throw new DataError(root, `several interaction lists (${files.join(', ')}); name one with the manifest 'interactionsFile'`);
      }
      target = path.join(root, files[0]);
    }
  } else {
    root = path.dirname(target);
  }
  const man = readManifest(root);
  const manifest = man?.manifest;
  const warnings: string[] = [];

  const orderRel = opts.itemOrder ?? manifest?.itemOrder;
  const orderFile = orderRel ? path.resolve(root, orderRel) : undefined;
  const fixed = orderFile ? { ids: readItemOrder(orderFile), file: orderFile } : undefined;

  const parsed = parseRawList(readTextFile(target, 'interaction list'), target, opts, fixed);
  if (parsed.users.length === 0) throw new DataError(target, 'no interactions (every row was filtered out or the file has only a header)');

  let feats: LoadedFeatures = { modalities: [], rows: 0 };
  const specs = discoverModalities(root, manifest);
  if (fixed) {
    feats = loadFeatureFiles(root, specs);
    if (feats.modalities.length > 0 && feats.rows !== fixed.ids.length) {
      throw new DataError(
        feats.modalities[0].sourceFile!,
        `feature rows (${feats.rows}) must equal the number of ids in ${fixed.file} (${fixed.ids.length})`,
        'shape',
      );
    }
  } else if (specs.length > 0) {
    warnings.push(
      `${root}: feature files (${specs.map((s) => s.file).join(', ')}) ignored: a raw list needs a manifest 'itemOrder' file to map feature rows to items`,
    );
  }
  const nUsers = parsed.userIds.length;
  const nItems = parsed.itemIds.length;
  const r = userItemsFromPairs(nUsers, parsed.users, parsed.items);
  if (r.duplicates > 0) warnings.push(`${target}: ${r.duplicates} duplicate interactions collapsed`);
  if (parsed.filtered > 0) warnings.push(`${target}: ${parsed.filtered} rows below minRating ${opts.minRating} dropped`);

  return makeDataset({
    name: opts.name ?? manifest?.name ?? path.basename(target).replace(/\.[^.]+$/, ''),
    layout: 'raw',
    setting: 'warm',
    sourcePaths: [target, ...(orderFile ? [orderFile] : []), ...feats.modalities.map((m) => m.sourceFile!), ...(man ? [man.file] : [])],
    nUsers,
    nItems,
    train: r.ui,
    val: emptyUserItems(nUsers),
    test: emptyUserItems(nUsers),
    modalities: feats.modalities,
    userIds: parsed.userIds,
    itemIds: parsed.itemIds,
    files: { train: target, val: target, test: target },
    requireVal: false,
    warnings,
  });
}
