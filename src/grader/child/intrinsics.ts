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

/**
 * Makes every method of `target` (its own data properties holding functions) non-writable and
 * non-configurable: the captured methods above call others through `this` (dataSync calls
 * `this.throwIfDisposed()`, then the engine's `readSync`), so those must stay TensorFlow.js's own.
 * A property already pinned (by the lockdown or by observe) is left as it is.
 */
function pinMethods(target: object, except: string[] = []): void {
  for (const key of Reflect.ownKeys(target)) {
    const d = Object.getOwnPropertyDescriptor(target, key);
    if (!d || !d.configurable || typeof d.value !== 'function' || key === 'constructor') continue;
    if (typeof key === 'string' && except.includes(key)) continue;
    Object.defineProperty(target, key, {
      value: d.value as unknown,
      writable: false,
      configurable: false,
      enumerable: d.enumerable,
    });
  }
}

/** Captures the methods above. Call once, after the forbidden APIs are closed and before anything wraps them. */
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

/**
 * Pins Tensor's and Variable's methods (not assign: replay wraps and pins it) and the engine's, on its prototype
 * and on the engine itself (an own property of the same name would shadow one). Call once, after observe and
 * replay have wrapped what they wrap and before learner code loads.
 */
export function pinIntrinsics(tf: Tf): void {
  pinMethods(tf.Tensor.prototype);
  pinMethods(tf.Variable.prototype, ['assign']);
  const engine = tf.engine() as unknown as Record<string | symbol, unknown>;
  const engineProto = Object.getPrototypeOf(engine) as Record<string | symbol, unknown>;
  pinMethods(engineProto);
  for (const key of Reflect.ownKeys(engineProto)) {
    const d = Object.getOwnPropertyDescriptor(engineProto, key);
    if (
      key === 'constructor' ||
      !d ||
      typeof d.value !== 'function' ||
      Object.prototype.hasOwnProperty.call(engine, key)
    )
      continue;
    Object.defineProperty(engine, key, {
      value: d.value as unknown,
      writable: false,
      configurable: false,
      enumerable: false,
    });
  }
}

/**
 * Why the grader cannot measure tensor `t`, or undefined: an own accessor (a getter on `dataId` sees, and can
 * redirect, every read and write the grader makes) or an own method shadowing TensorFlow.js's. A tensor
 * TensorFlow.js made has neither.
 */
export function tampering(t: object): string | undefined {
  const keys = Reflect.ownKeys(t);
  for (let i = 0; i < keys.length; i++) {
    const d = Object.getOwnPropertyDescriptor(t, keys[i]);
    if (!d) continue;
    if (d.get || d.set) return `an accessor for its ${String(keys[i])}`;
    if (typeof d.value === 'function') return `its own ${String(keys[i])}()`;
  }
  return undefined;
}
