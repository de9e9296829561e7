// Reads a model's named embedding tables back to host memory in one go (the export format).
import { tf } from '../../backend';
import { readAll } from '../../ops';
import type { EmbeddingTable } from '../types';

/**
 * Runs `build` (a forward pass) without keeping its intermediates, reads the named tables and
 * releases them; the tables may be variables (they are cloned, which shares their data).
 */
export async function readEmbeddingTables(build: () => [string, tf.Tensor2D][]): Promise<Record<string, EmbeddingTable>> {
  const named = tf.tidy(() => build().map(([name, t]) => [name, tf.keep(tf.clone(t))] as [string, tf.Tensor2D]));
  try {
    const data = await readAll(named.map(([, t]) => t));
    return Object.fromEntries(named.map(([name, t], q) => [name, { data: data[q], rows: t.shape[0], cols: t.shape[1] }]));
  } finally {
    tf.dispose(named.map(([, t]) => t));
  }
}
