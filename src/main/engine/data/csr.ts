// Helpers to build and inspect UserItems (CSR user -> sorted unique items).

import type { UserItems } from '../types';

export function emptyUserItems(nUsers: number): UserItems {
  return { nUsers, indptr: new Int32Array(nUsers + 1), indices: new Int32Array(0) };
}

export interface FromPairsResult {
  ui: UserItems;
  /** Number of (user, item) pairs dropped because they repeated an earlier pair. */
  duplicates: number;
}

/**
 * Build a CSR from parallel (user, item) arrays. Ids must already be valid non-negative ints
 * with user < nUsers. Items per user are sorted ascending and duplicates collapsed.
 */
export function userItemsFromPairs(
  nUsers: number,
  users: ArrayLike<number>,
  items: ArrayLike<number>,
): FromPairsResult {
  const n = users.length;
  const counts = new Int32Array(nUsers + 1);
  for (let k = 0; k < n; k++) counts[users[k] + 1]++;
  for (let u = 0; u < nUsers; u++) counts[u + 1] += counts[u];
  const fill = counts.slice(0, nUsers);
  const tmp = new Int32Array(n);
  for (let k = 0; k < n; k++) tmp[fill[users[k]]++] = items[k];
  const indptr = new Int32Array(nUsers + 1);
  const out = new Int32Array(n);
  let w = 0;
  for (let u = 0; u < nUsers; u++) {
    const seg = tmp.subarray(counts[u], counts[u + 1]);
    seg.sort();
    for (let j = 0; j < seg.length; j++) {
      if (j > 0 && seg[j] === seg[j - 1]) continue;
      out[w++] = seg[j];
    }
    indptr[u + 1] = w;
  }
  return { ui: { nUsers, indptr, indices: w === n ? out : out.slice(0, w) }, duplicates: n - w };
}

/** Build a CSR from per-user lists (index = user id; missing entries mean no items). */
export function userItemsFromLists(nUsers: number, lists: ReadonlyArray<ArrayLike<number> | undefined>): UserItems {
  let total = 0;
  for (let u = 0; u < nUsers; u++) total += lists[u]?.length ?? 0;
  const users = new Int32Array(total);
  const items = new Int32Array(total);
  let k = 0;
  for (let u = 0; u < nUsers; u++) {
    const l = lists[u];
    if (!l) continue;
    for (let j = 0; j < l.length; j++) {
      users[k] = u;
      items[k++] = l[j];
    }
  }
  return userItemsFromPairs(nUsers, users, items).ui;
}

/** Items of user u (a view, do not modify). */
export function itemsOf(ui: UserItems, u: number): Int32Array {
  return ui.indices.subarray(ui.indptr[u], ui.indptr[u + 1]);
}

export function countInteractions(ui: UserItems): number {
  return ui.indptr[ui.nUsers];
}

/** Number of users with at least one item. */
export function countActiveUsers(ui: UserItems): number {
  let n = 0;
  for (let u = 0; u < ui.nUsers; u++) if (ui.indptr[u + 1] > ui.indptr[u]) n++;
  return n;
}

/** Return a CSR with nUsers rows (extra users get empty lists). nUsers must be >= ui.nUsers. */
export function resizeUsers(ui: UserItems, nUsers: number): UserItems {
  if (nUsers === ui.nUsers) return ui;
  if (nUsers < ui.nUsers) throw new RangeError(`resizeUsers: cannot shrink from ${ui.nUsers} to ${nUsers}`);
  const indptr = new Int32Array(nUsers + 1);
  indptr.set(ui.indptr);
  indptr.fill(ui.indptr[ui.nUsers], ui.nUsers + 1);
  return { nUsers, indptr, indices: ui.indices };
}

/** Union of several CSRs over the same users (sorted, unique). */
export function mergeUserItems(...parts: UserItems[]): UserItems {
  const nUsers = Math.max(0, ...parts.map((p) => p.nUsers));
  const lists: Int32Array[] = [];
  for (let u = 0; u < nUsers; u++) {
    let len = 0;
    for (const p of parts) if (u < p.nUsers) len += p.indptr[u + 1] - p.indptr[u];
    const l = new Int32Array(len);
    let o = 0;
    for (const p of parts) {
      if (u >= p.nUsers) continue;
      const s = itemsOf(p, u);
      l.set(s, o);
      o += s.length;
    }
    lists.push(l);
  }
  return userItemsFromLists(nUsers, lists);
}

/** Per-user plain arrays (for JSON export). */
export function userItemsToLists(ui: UserItems): number[][] {
  const out: number[][] = [];
  for (let u = 0; u < ui.nUsers; u++) out.push(Array.from(itemsOf(ui, u)));
  return out;
}

/** Max item id + 1 over a CSR (0 when empty). */
export function maxItemPlusOne(ui: UserItems): number {
  let m = -1;
  for (let k = 0; k < ui.indices.length; k++) if (ui.indices[k] > m) m = ui.indices[k];
  return m + 1;
}

/** Per-item interaction counts. */
export function itemDegrees(ui: UserItems, nItems: number): Int32Array {
  const d = new Int32Array(nItems);
  for (let k = 0; k < ui.indices.length; k++) d[ui.indices[k]]++;
  return d;
}
