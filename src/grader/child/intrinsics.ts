/**
 * The tensor methods the child's own measurements call (observe, replay,
 * reliance), captured once from TensorFlow.js after the forbidden APIs are
 * closed and before learner code loads: a learner who later patches
 * `Tensor.prototype.dataSync` or `Variable.prototype.assign` changes
 * neither what the grader reads nor what it writes.
 */
import type { Tensor, Variable } from '@tensorflow/tfjs';

type Tf = typeof import('@tensorflow/tfjs');

export const intrinsics = {
  /** Variable.assign as TensorFlow.js implements it (replay wraps the public one; this stays unwrapped). */
  assign: undefined as ((this: Variable, value: Tensor) => void) | undefined,
  dataSync: undefined as ((this: Tensor) => ArrayLike<number>) | undefined,
  dispose: undefined as ((this: Tensor) => void) | undefined,
  isDisposed: undefined as ((this: Tensor) => boolean) | undefined,
  tensor: undefined as Tf['tensor'] | undefined,
  zeros: undefined as Tf['zeros'] | undefined,
};

/** Captures the methods above. Call once, before anything wraps them and before learner code loads. */
export function captureIntrinsics(tf: Tf): void {
  const variableProto = tf.Variable.prototype as unknown as Record<string, unknown>;
  const tensorProto = tf.Tensor.prototype as unknown as Record<string, unknown>;
  intrinsics.assign = variableProto.assign as typeof intrinsics.assign;
  intrinsics.dataSync = tensorProto.dataSync as typeof intrinsics.dataSync;
  intrinsics.dispose = tensorProto.dispose as typeof intrinsics.dispose;
  intrinsics.isDisposed = Object.getOwnPropertyDescriptor(tensorProto, 'isDisposed')
    ?.get as typeof intrinsics.isDisposed;
  intrinsics.tensor = tf.tensor;
  intrinsics.zeros = tf.zeros;
}
