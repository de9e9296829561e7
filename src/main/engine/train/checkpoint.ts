// Checkpoints: model variables + Adam state + trainer state in one self-describing binary blob
// (magic, JSON header, float32 payload), stored by the run store as an opaque artifact.
import { tf } from '../backend';
import { baseName } from '../models/common';
import { readAll } from '../ops';

const MAGIC = 'MICROCK1';

export interface NamedArray {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface Checkpoint<M = Record<string, unknown>> {
  variables: NamedArray[];
  optimizer: NamedArray[];
  /** Best-validated weights so far (restored at the end of training). */
  best?: NamedArray[];
  meta: M;
}

export function encodeCheckpoint(ck: Checkpoint): Uint8Array {
  const all = [
    ...ck.variables.map((v) => ({ ...v, group: 'v' })),
    ...ck.optimizer.map((v) => ({ ...v, group: 'o' })),
    ...(ck.best ?? []).map((v) => ({ ...v, group: 'b' })),
  ];
  let offset = 0;
  const entries = all.map((a) => {
    const e = { name: a.name, group: a.group, shape: a.shape, offset, length: a.data.length };
    offset += a.data.length;
    return e;
  });
  const header = new TextEncoder().encode(JSON.stringify({ entries, meta: ck.meta }));
  const headerPadded = Math.ceil((header.length + MAGIC.length + 4) / 4) * 4; // keep the payload 4-byte aligned
  const buf = new Uint8Array(headerPadded + offset * 4);
  buf.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(buf.buffer).setUint32(MAGIC.length, header.length, true);
  buf.set(header, MAGIC.length + 4);
  const payload = new Float32Array(buf.buffer, headerPadded, offset);
  for (let i = 0; i < all.length; i++) payload.set(all[i].data, entries[i].offset);
  return buf;
}

export function decodeCheckpoint<M = Record<string, unknown>>(bytes: Uint8Array): Checkpoint<M> {
  const magic = new TextDecoder().decode(bytes.subarray(0, MAGIC.length));
  if (magic !== MAGIC) throw new Error('not a MICRO Workbench checkpoint (bad magic)');
  const copy = bytes.slice(); // aligned private copy
  const len = new DataView(copy.buffer).getUint32(MAGIC.length, true);
  const header = JSON.parse(new TextDecoder().decode(copy.subarray(MAGIC.length + 4, MAGIC.length + 4 + len)));
  const headerPadded = Math.ceil((len + MAGIC.length + 4) / 4) * 4;
  const payload = new Float32Array(copy.buffer, headerPadded, (copy.length - headerPadded) / 4);
  const out: Checkpoint<M> = { variables: [], optimizer: [], meta: header.meta };
  for (const e of header.entries as { name: string; group: string; shape: number[]; offset: number; length: number }[]) {
    const arr = { name: e.name, shape: e.shape, data: payload.slice(e.offset, e.offset + e.length) };
    if (e.group === 'b') (out.best ??= []).push(arr);
    else (e.group === 'v' ? out.variables : out.optimizer).push(arr);
  }
  return out;
}

/** Host copies of the variables (asynchronous reads: the only kind webgpu has in Node). */
export async function snapshotVariables(vars: tf.Variable[]): Promise<NamedArray[]> {
  const data = await readAll(vars);
  return vars.map((v, i) => ({ name: baseName(v.name), shape: v.shape.slice(), data: data[i] }));
}

export function restoreVariables(vars: tf.Variable[], arrays: NamedArray[]): void {
  const byName = new Map(arrays.map((a) => [a.name, a]));
  for (const v of vars) {
    const a = byName.get(baseName(v.name));
    if (!a) throw new Error(`checkpoint has no variable "${baseName(v.name)}"`);
    if (a.shape.join('x') !== v.shape.join('x')) throw new Error(`checkpoint variable "${v.name}" has shape ${a.shape} but the model expects ${v.shape}`);
    const t = tf.tensor(a.data, v.shape);
    v.assign(t);
    t.dispose(); // assign shares the data; the temporary tensor object must still be released
  }
}
