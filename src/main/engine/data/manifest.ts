// Optional dataset manifest (`micro.json` or `dataset.json` in the dataset folder) and the
// feature-file (modality) loading shared by the LATTICE and MMRec loaders.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { DataError, type Modality } from '../types';
import { readNpy } from './npy';
import { checkFiniteFeatures, readJsonFile } from './validate';

export const MANIFEST_FILES = ['micro.json', 'dataset.json'] as const;

export const ModalitySpecSchema = z.object({
  /** Modality name used everywhere downstream (e.g. "visual"). */
  name: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'modality names start with a letter and use letters, digits, _ or -'),
  /** .npy file, relative to the dataset folder. */
  file: z.string().min(1),
});

export const DatasetManifestSchema = z.object({
  name: z.string().min(1).optional(),
  description: z.string().optional(),
  layout: z.enum(['lattice', 'mmrec', 'raw']).optional(),
  /** 'cold' = val/test items are disjoint from train items. */
  setting: z.enum(['warm', 'cold']).optional(),
  /** LATTICE: the folder holding train/val/test.json (e.g. "5-core"). */
  splitDir: z.string().min(1).optional(),
  /** MMRec: the .inter file. */
  interFile: z.string().min(1).optional(),
  /** Raw: the interaction list file. */
  interactionsFile: z.string().min(1).optional(),
  /** Raw: text file with one original item id per line, in feature-row order. */
  itemOrder: z.string().min(1).optional(),
  /** Item metadata (CSV/TSV/JSONL with an `item` column); default items.csv/.tsv/.jsonl. */
  items: z.string().min(1).optional(),
  /** LATTICE splits of raw lists: original user / item ids, one per line in dense-id order. */
  userIds: z.string().min(1).optional(),
  itemIds: z.string().min(1).optional(),
  modalities: z.array(ModalitySpecSchema).optional(),
});

export type ModalitySpec = z.infer<typeof ModalitySpecSchema>;
export type DatasetManifest = z.infer<typeof DatasetManifestSchema>;

export interface LoadedManifest {
  file: string;
  manifest: DatasetManifest;
}

/** Read and validate the manifest of a dataset folder, if there is one. */
export function readManifest(folder: string): LoadedManifest | null {
  for (const name of MANIFEST_FILES) {
    const file = path.join(folder, name);
    if (!fs.existsSync(file)) continue;
    const raw = readJsonFile(file);
    const r = DatasetManifestSchema.safeParse(raw);
    if (!r.success) {
      const issue = r.error.issues[0];
      const where = issue.path.length ? `field '${issue.path.join('.')}'` : undefined;
      throw new DataError(file, `invalid dataset manifest: ${issue.message}`, where);
    }
    const names = new Set<string>();
    for (const [i, m] of (r.data.modalities ?? []).entries()) {
      if (names.has(m.name)) throw new DataError(file, `duplicate modality name '${m.name}'`, `field 'modalities.${i}.name'`);
      names.add(m.name);
    }
    return { file, manifest: r.data };
  }
  return null;
}

const FEAT_RE = /^(.+)_feat\.npy$/;

function modalityRank(name: string): number {
  const n = name.toLowerCase();
  if (['image', 'visual', 'v', 'img', 'vision'].includes(n)) return 0;
  if (['text', 'textual', 't', 'txt'].includes(n)) return 1;
  if (['audio', 'acoustic', 'a', 'sound'].includes(n)) return 2;
  return 3;
}

/**
 * Modalities of a folder: those the manifest names, else every `<name>_feat.npy`
 * (image_feat.npy -> "image"). Ordered visual, textual, acoustic, then others by name.
 */
export function discoverModalities(folder: string, manifest: DatasetManifest | undefined): ModalitySpec[] {
  if (manifest?.modalities) return manifest.modalities;
  let entries: string[] = [];
  try {
    entries = fs.readdirSync(folder);
  } catch {
    return [];
  }
  const specs: ModalitySpec[] = [];
  for (const f of entries) {
    const m = FEAT_RE.exec(f);
    if (m && fs.statSync(path.join(folder, f)).isFile()) specs.push({ name: m[1], file: f });
  }
  specs.sort((a, b) => modalityRank(a.name) - modalityRank(b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return specs;
}

export interface LoadedFeatures {
  modalities: Modality[];
  /** Common row count (0 when there are no modalities). */
  rows: number;
}

/** Load the .npy feature files: 2-D, finite, float32 in memory, equal row counts. */
export function loadFeatureFiles(folder: string, specs: readonly ModalitySpec[]): LoadedFeatures {
  const modalities: Modality[] = [];
  let rows = -1;
  let rowsFile = '';
  for (const spec of specs) {
    const file = path.resolve(folder, spec.file);
    if (!fs.existsSync(file)) throw new DataError(file, `feature file for modality '${spec.name}' not found`);
    const arr = readNpy(file);
    if (arr.shape.length !== 2) {
      throw new DataError(file, `features must be a 2-D array (items x dim), got shape (${arr.shape.join(', ')})`, 'shape');
    }
    const [r, dim] = arr.shape;
    if (dim === 0) throw new DataError(file, 'features have zero columns', 'shape');
    const features = arr.data instanceof Float32Array ? arr.data : Float32Array.from(arr.data);
    checkFiniteFeatures(features, dim, file);
    if (rows >= 0 && r !== rows) {
      throw new DataError(file, `has ${r} rows but ${rowsFile} has ${rows}; all modalities must cover the same items`, 'shape');
    }
    rows = r;
    rowsFile = file;
    modalities.push({ name: spec.name, dim, features, sourceFile: file });
  }
  return { modalities, rows: Math.max(rows, 0) };
}

/**
 * n_items = max(item bound from interactions, feature rows); feature rows fewer than the item
 * bound is an error naming the feature file.
 */
export function resolveItemCount(itemBound: number, feats: LoadedFeatures, interactionsFile: string): number {
  if (feats.modalities.length === 0) return itemBound;
  if (feats.rows < itemBound) {
    const f = feats.modalities[0].sourceFile ?? feats.modalities[0].name;
    throw new DataError(
      f,
      `feature rows (${feats.rows}) are fewer than the item count (${itemBound}, max item id ${itemBound - 1} in ${interactionsFile})`,
      'shape',
    );
  }
  return feats.rows;
}
