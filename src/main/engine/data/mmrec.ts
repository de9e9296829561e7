// MMRec layout loader.
//
//   <folder>/<name>.inter   TSV with a header; required columns userID, itemID, x_label
//                           (0 train, 1 valid, 2 test); optional rating, timestamp; any order.
//   <folder>/*_feat.npy     optional features (image_feat.npy, text_feat.npy, or per manifest)
//
// n_users = max userID + 1, n_items = max itemID + 1 over the whole file (raised to the feature
// row count). A dataset with no feature files loads with zero modalities (model code decides).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataError, type Dataset, type SplitSetting } from '../types';
import { userItemsFromPairs } from './csr';
import { makeDataset } from './dataset';
import { discoverModalities, loadFeatureFiles, readManifest, resolveItemCount } from './manifest';
import { parseIdField, splitFields, type Delimiter } from './tabular';
import { checkInputFile, clip, quoted, readTextFile } from './inputs';
import { checkIdSpace } from './validate';

export interface MmrecLoadOptions {
  name?: string;
  /** The .inter file (absolute or relative to the folder); default: manifest, <name>.inter, or the only *.inter. */
  interFile?: string;
  setting?: SplitSetting;
}

export function listInterFiles(folder: string): string[] {
  try {
    return fs
      .readdirSync(folder)
      .filter((f) => f.endsWith('.inter'))
      .sort();
  } catch {
    return [];
  }
}

export interface ParsedInter {
  users: Int32Array;
  items: Int32Array;
  labels: Uint8Array;
  userBound: number;
  itemBound: number;
  /** 1-based lines of the first largest user id and item id (0 if none). */
  maxUserLine: number;
  maxItemLine: number;
}

const REQUIRED = ['userID', 'itemID', 'x_label'] as const;

/** Parse the text of an MMRec .inter file (a char-level fast path; odd rows take the checked path). */
export function parseInter(text: string, file: string): ParsedInter {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const len = src.length;
  let pos = 0;
  let line = 1;
  // header = first non-blank line
  let headText = '';
  while (pos < len) {
    let end = src.indexOf('\n', pos);
    if (end < 0) end = len;
    const t = src.slice(pos, end).replace(/\r$/, '');
    pos = end + 1;
    if (t.trim() !== '') {
      headText = t;
      break;
    }
    line++;
  }
  if (headText === '') throw new DataError(file, 'file is empty (expected a header with userID, itemID, x_label)');
  const headLine = line;
  line++;
  const delim: Delimiter = headText.includes('\t') ? '\t' : headText.includes(',') ? ',' : ' ';
  const cols = splitFields(headText, delim);
  const index: Record<string, number> = {};
  cols.forEach((c, i) => {
    // MMRec headers are sometimes written "userID:token"; accept that form too.
    const key = c.replace(/:.*$/, '');
    if (!(key in index)) index[key] = i;
  });
  const missing = REQUIRED.filter((c) => !(c in index));
  if (missing.length) {
    throw new DataError(
      file,
      `header lacks required column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')} (found: ${clip(cols.join(', '))})`,
      `line ${headLine}`,
    );
  }
  const iu = index.userID;
  const ii = index.itemID;
  const il = index.x_label;
  const ncols = cols.length;

  // Checked path: full error messages (also accepts padded fields such as " 12 ").
  const slow = (t: string, ln: number): [number, number, number] | null => {
    if (t.trim() === '') return null;
    const f = splitFields(t, delim);
    if (f.length < ncols) {
      throw new DataError(file, `expected ${ncols} fields (${cols.join(', ')}), found ${f.length}`, `line ${ln}`);
    }
    const u = parseIdField(f[iu], file, ln, 'userID');
    const it = parseIdField(f[ii], file, ln, 'itemID');
    const lab = f[il];
    if (lab !== '0' && lab !== '1' && lab !== '2') {
      throw new DataError(file, `x_label must be 0 (train), 1 (valid) or 2 (test), got ${quoted(lab ?? '')}`, `line ${ln}, column 'x_label'`);
    }
    return [u, it, lab.charCodeAt(0) - 48];
  };

  let cap = 1;
  for (let p = src.indexOf('\n', pos); p >= 0; p = src.indexOf('\n', p + 1)) cap++;
  let users = new Int32Array(cap);
  let items = new Int32Array(cap);
  let labels = new Uint8Array(cap);
  let k = 0;
  let userBound = 0;
  let itemBound = 0;
  let maxUserLine = 0;
  let maxItemLine = 0;
  const dc = delim === ' ' ? -1 : delim.charCodeAt(0);
  while (pos < len) {
    let end = src.indexOf('\n', pos);
    if (end < 0) end = len;
    let stop = end;
    if (stop > pos && src.charCodeAt(stop - 1) === 13) stop--;
    let u = -1;
    let it = -1;
    let lab = -1;
    let ok = dc >= 0;
    if (ok) {
      let col = 0;
      let val = 0;
      let digits = 0;
      for (let p = pos; p <= stop; p++) {
        const c = p < stop ? src.charCodeAt(p) : dc;
        if (c === dc) {
          if (col === iu || col === ii || col === il) {
            if (digits === 0 || digits > 9) ok = false;
            else if (col === iu) u = val;
            else if (col === ii) it = val;
            else lab = val;
          }
          col++;
          val = 0;
          digits = 0;
        } else if (c >= 48 && c <= 57) {
          val = val * 10 + (c - 48);
          digits++;
        } else if (col === iu || col === ii || col === il) ok = false;
      }
      if (col < ncols || lab > 2) ok = false;
    }
    if (!ok) {
      const r = slow(src.slice(pos, stop), line);
      if (r) [u, it, lab] = r;
      else u = -1;
    }
    if (u >= 0) {
      if (k === cap) {
        cap *= 2;
        const nu = new Int32Array(cap);
        nu.set(users);
        users = nu;
        const ni = new Int32Array(cap);
        ni.set(items);
        items = ni;
        const nl = new Uint8Array(cap);
        nl.set(labels);
        labels = nl;
      }
      users[k] = u;
      items[k] = it;
      labels[k] = lab;
      k++;
      if (u >= userBound) {
        userBound = u + 1;
        maxUserLine = line;
      }
      if (it >= itemBound) {
        itemBound = it + 1;
        maxItemLine = line;
      }
    }
    pos = end + 1;
    line++;
  }
  return { users: users.slice(0, k), items: items.slice(0, k), labels: labels.slice(0, k), userBound, itemBound, maxUserLine, maxItemLine };
}

function resolveInterFile(root: string, opts: MmrecLoadOptions, manifestInter?: string): string {
  const given = opts.interFile ?? manifestInter;
  if (given) {
    const f = path.resolve(root, given);
    if (!fs.existsSync(f)) throw new DataError(f, 'interaction file not found');
    return f;
  }
  const all = listInterFiles(root);
  if (opts.name && all.includes(`${opts.name}.inter`)) return path.join(root, `${opts.name}.inter`);
  if (all.length === 1) return path.join(root, all[0]);
  if (all.length === 0) throw new DataError(root, 'no *.inter file found (MMRec layout)');
  throw new DataError(root, `several .inter files (${all.join(', ')}); name one with the manifest 'interFile' or the dataset name`);
}

export function loadMmrec(folderOrFile: string, opts: MmrecLoadOptions = {}): Dataset {
  let root = path.resolve(folderOrFile);
  const st = fs.existsSync(root) ? fs.statSync(root) : undefined;
  if (st && !st.isDirectory()) checkInputFile(root, 'interaction file'); // FIFOs and devices are refused
  const isFile = st?.isFile() ?? false;
  if (isFile) root = path.dirname(root);
  const man = readManifest(root);
  const manifest = man?.manifest;
  const interFile = isFile ? path.resolve(folderOrFile) : resolveInterFile(root, opts, manifest?.interFile);
  const parsed = parseInter(readTextFile(interFile, 'interaction file'), interFile);

  checkIdSpace('user', parsed.userBound, [parsed.users], { file: interFile, where: `line ${parsed.maxUserLine}, column 'userID'` });
  const specs = discoverModalities(root, manifest);
  const feats = loadFeatureFiles(root, specs);
  // with features the item count is the feature table's; without, refuse an absurd id space
  const itemWhere = `line ${parsed.maxItemLine}, column 'itemID'`;
  if (feats.modalities.length === 0) checkIdSpace('item', parsed.itemBound, [parsed.items], { file: interFile, where: itemWhere });
  const nItems = resolveItemCount(parsed.itemBound, feats, `${interFile} (${itemWhere})`);
  const nUsers = parsed.userBound;

  const warnings: string[] = [];
  const splitOf = (label: number) => {
    let c = 0;
    for (let k = 0; k < parsed.labels.length; k++) if (parsed.labels[k] === label) c++;
    const us = new Int32Array(c);
    const is = new Int32Array(c);
    let w = 0;
    for (let k = 0; k < parsed.labels.length; k++) {
      if (parsed.labels[k] === label) {
        us[w] = parsed.users[k];
        is[w++] = parsed.items[k];
      }
    }
    const r = userItemsFromPairs(nUsers, us, is);
    if (r.duplicates > 0) warnings.push(`${interFile}: ${r.duplicates} duplicate x_label=${label} interactions collapsed`);
    return r.ui;
  };
  const ds = makeDataset({
    name: opts.name ?? manifest?.name ?? path.basename(interFile, '.inter'),
    layout: 'mmrec',
    setting: manifest?.setting,
    sourcePaths: [interFile, ...feats.modalities.map((m) => m.sourceFile!), ...(man ? [man.file] : [])],
    nUsers,
    nItems,
    train: splitOf(0),
    val: splitOf(1),
    test: splitOf(2),
    modalities: feats.modalities,
    files: { train: interFile, val: interFile, test: interFile },
    requireVal: true,
    warnings,
  });
  if (opts.setting && ds.setting !== opts.setting) {
    throw new DataError(interFile, `asked for the ${opts.setting} split, but this split is ${ds.setting}`);
  }
  return ds;
}
