// A subset of a row-major table's rows (the embedding map's samples), without copying when all.

/** Rows `rows` of `data` (cols per row), in that order; `data` itself when `rows` is undefined. */
export function pickRows(data: Float32Array, cols: number, rows: readonly number[] | undefined): Float32Array {
  if (!rows) return data;
  const out = new Float32Array(rows.length * cols);
  rows.forEach((r, q) => out.set(data.subarray(r * cols, r * cols + cols), q * cols));
  return out;
}
