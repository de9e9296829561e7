// Tensor memory without the copies, for the JS/SIMD ops of ops.ts on the wasm backend. There,
// dataSync() copies a tensor out of the wasm heap into a fresh array and tf.tensor() copies an
// array in: for 6,710×64 tables, several such copies per op and several MB of garbage per batch.
// A view into the heap is valid only until the backend allocates again (any TF.js op or tensor
// creation may grow the heap, which detaches it): read it at once, never keep it. Other backends
// get dataSync() and tf.tensor() (the cpu backend's dataSync does not copy either).
import { tf } from './backend';

/** The two methods of the wasm backend its own kernels use to read inputs and allocate outputs. */
interface WasmHeap {
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
}

function wasmHeap(): WasmHeap | null {
  return tf.getBackend() === 'wasm' ? (tf.backend() as unknown as WasmHeap) : null;
}

/**
 * The values of a float32 tensor: on wasm a view into the heap (valid until the next TF.js call:
 * read it at once, never keep it), else its dataSync().
 */
export function valuesView(t: tf.Tensor): Float32Array {
  if (t.dtype !== 'float32') throw new TypeError(`valuesView: float32 tensors only, got ${t.dtype}`);
  const heap = wasmHeap();
  return heap ? heap.typedArrayFromHeap(t) : (t.dataSync() as Float32Array);
}

/**
 * A new float32 tensor whose values `write` fills in place. `write` must set every element (the
 * memory is not cleared) and must not call TF.js (its target would detach); it may read inputs
 * through valuesView, taken inside it.
 */
export function tensorFrom<R extends tf.Rank>(shape: number[], write: (out: Float32Array) => void): tf.Tensor<R> {
  const heap = wasmHeap();
  if (!heap) {
    const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
    write(out);
    return tf.tensor(out, shape, 'float32') as unknown as tf.Tensor<R>;
  }
  const info = heap.makeOutput(shape, 'float32');
  write(heap.typedArrayFromHeap(info));
  return tf.engine().makeTensorFromTensorInfo(info) as unknown as tf.Tensor<R>;
}
