// Custom-gradient ops: TF.js's customGrad with usable typing, and a scope without the tape.
import { tf } from './backend';

/**
 * Runs `f` with the gradient tape paused and returns its (non-tensor) result. TF.js has no public
 * no-grad scope, but it never records kernels run inside a custom-gradient forward: we run `f`
 * there. Needed for work whose result is constant w.r.t. the loss (e.g. top-k selection): under a
 * tape, every tile op would otherwise be recorded with its inputs kept until backprop, and on 23k
 * items that aborted the wasm backend.
 */
export function untaped<T>(f: () => T): T {
  let result: T | undefined;
  const probe = tf.scalar(0);
  const op = customOp<tf.Scalar>(() => {
    result = f(); // the forward runs synchronously, before op() returns
    return { value: tf.scalar(0), gradFunc: () => [tf.scalar(0)] };
  });
  try {
    op(probe).dispose();
  } finally {
    probe.dispose();
  }
  return result as T;
}

/** tf.customGrad with the loose typing its overloads cannot express for multi-input ops. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function customOp<T extends tf.Tensor>(f: (...args: any[]) => { value: T; gradFunc: (dy: tf.Tensor, saved?: tf.Tensor[]) => tf.Tensor[] }) {
  return tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (...inputs: tf.Tensor[]) => T;
}
