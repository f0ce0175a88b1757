/**
 * The tensor methods the child's own measurements call (observe, replay,
 * reliance), captured once from TensorFlow.js after the forbidden APIs are
 * closed and before learner code loads: a learner who later patches
 * `Tensor.prototype.dataSync` or `Variable.prototype.assign` changes
 * neither what the grader reads nor what it writes.
 */
import type { Tensor, Variable } from '@tensorflow/tfjs';

type Tf = typeof import('@tensorflow/tfjs');

// Taken as this module loads, before any learner code: a static `from` of a typed array constructor (an own
// `Float32Array.from` shadows the inherited one) or a replaced `set` cannot change what the grader copies.
const applyFn = Reflect.apply;
const isView = ArrayBuffer.isView;
const typedProto = Reflect.getPrototypeOf(Uint8Array.prototype) as object;
const typedSet = Reflect.getOwnPropertyDescriptor(typedProto, 'set')!.value as (src: ArrayLike<number>) => void;
const typedTag = Reflect.getOwnPropertyDescriptor(typedProto, Symbol.toStringTag)!.get as () => string | undefined;
const typedLength = Reflect.getOwnPropertyDescriptor(typedProto, 'length')!.get as () => number;
const F32 = Float32Array;
const F64 = Float64Array;
const I32 = Int32Array;
const U8 = Uint8Array;

type Numeric = Float32Array | Float64Array | Int32Array | Uint8Array;

function copyInto<T extends Numeric>(make: (n: number) => T, src: ArrayLike<number>): T {
  // A typed array's elements are read without its prototype; anything else (a plain array) index by index.
  if (isView(src) && applyFn(typedTag, src, []) !== undefined) {
    const out = make(applyFn(typedLength, src, []));
    applyFn(typedSet, out, [src]);
    return out;
  }
  const n = src.length;
  const out = make(n);
  for (let i = 0; i < n; i++) out[i] = src[i];
  return out;
}

/** `src` as a new Float32Array, copied with built-ins captured at load (what `Float32Array.from` does). */
export function copyFloat32(src: ArrayLike<number>): Float32Array {
  return copyInto((n) => new F32(n), src);
}

export function copyFloat64(src: ArrayLike<number>): Float64Array {
  return copyInto((n) => new F64(n), src);
}

export function copyInt32(src: ArrayLike<number>): Int32Array {
  return copyInto((n) => new I32(n), src);
}

/** A bool tensor's values, as TensorFlow.js keeps them. */
export function copyUint8(src: ArrayLike<number>): Uint8Array {
  return copyInto((n) => new U8(n), src);
}

export const intrinsics = {
  /** Variable.assign as TensorFlow.js implements it (replay wraps the public one; this stays unwrapped). */
  assign: undefined as ((this: Variable, value: Tensor) => void) | undefined,
  dataSync: undefined as ((this: Tensor) => ArrayLike<number>) | undefined,
  dispose: undefined as ((this: Tensor) => void) | undefined,
  isDisposed: undefined as ((this: Tensor) => boolean) | undefined,
  tensor: undefined as Tf['tensor'] | undefined,
  zeros: undefined as Tf['zeros'] | undefined,
  reshape: undefined as Tf['reshape'] | undefined,
  /** Tensor's and Variable's prototypes: a measured tensor must have exactly one of them. */
  tensorProto: undefined as object | undefined,
  variableProto: undefined as object | undefined,
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
  intrinsics.reshape = tf.reshape;
  intrinsics.tensorProto = tf.Tensor.prototype;
  intrinsics.variableProto = tf.Variable.prototype;
}

/** Pins the methods of `target`'s prototype chain (below Object.prototype) on the chain and on `target` itself. */
function pinChain(target: Record<string | symbol, unknown>): void {
  for (
    let proto = Object.getPrototypeOf(target) as Record<string | symbol, unknown> | null;
    proto && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto) as Record<string | symbol, unknown> | null
  ) {
    pinMethods(proto);
    for (const key of Reflect.ownKeys(proto)) {
      const d = Object.getOwnPropertyDescriptor(proto, key);
      if (
        key === 'constructor' ||
        !d ||
        typeof d.value !== 'function' ||
        Object.prototype.hasOwnProperty.call(target, key)
      )
        continue;
      Object.defineProperty(target, key, {
        value: d.value as unknown,
        writable: false,
        configurable: false,
        enumerable: false,
      });
    }
  }
  pinMethods(target);
}

/**
 * Pins Tensor's and Variable's methods (not assign: replay wraps and pins it), and the engine's and the backend's,
 * on their prototypes and on the instances themselves (an own property of the same name would shadow one). Call once, after observe and
 * replay have wrapped what they wrap and before learner code loads.
 */
export function pinIntrinsics(tf: Tf): void {
  pinMethods(tf.Tensor.prototype);
  pinMethods(tf.Variable.prototype, ['assign']);
  pinChain(tf.engine() as unknown as Record<string | symbol, unknown>);
  // The backend instance too: every value the grader reads and writes goes through its readSync, write, move...
  pinChain(tf.backend() as unknown as Record<string | symbol, unknown>);
}

/**
 * Why the grader cannot measure tensor `t`, or undefined: a prototype other than Tensor's or Variable's, an own
 * accessor (a getter on `dataId` sees, and can redirect, every read and write the grader makes) or an own method
 * shadowing TensorFlow.js's. A tensor TensorFlow.js made has none of them.
 */
export function tampering(t: object): string | undefined {
  // An accessor or a method on a prototype of the learner's own between the tensor and TensorFlow.js's is as good as an own one.
  const proto = Object.getPrototypeOf(t) as object | null;
  if (proto !== intrinsics.variableProto && proto !== intrinsics.tensorProto) return 'a prototype of its own';
  const keys = Reflect.ownKeys(t);
  for (let i = 0; i < keys.length; i++) {
    const d = Object.getOwnPropertyDescriptor(t, keys[i]);
    if (!d) continue;
    if (d.get || d.set) return `an accessor for its ${String(keys[i])}`;
    if (typeof d.value === 'function') return `its own ${String(keys[i])}()`;
  }
  return undefined;
}

/** The first entry of TensorFlow.js's kernel or gradient registries added, removed or changed since the record, or undefined. */
export interface RegistryRecord {
  changed(): string | undefined;
}

/**
 * Records TensorFlow.js's kernel and gradient registries (kept in `globalThis._tfGlobals`, where any code can
 * reach them): a kernel graded code registered, removed or edited would compute, or lie about, what the grader
 * measures with it. Call once mlpath's own kernels are in place, before learner code loads.
 */
export function recordRegistries(): RegistryRecord {
  const globals = (globalThis as { _tfGlobals?: unknown })._tfGlobals;
  const recorded: { name: string; map: Map<unknown, unknown>; entries: [unknown, unknown, [string, unknown][]][] }[] =
    [];
  if (globals instanceof Map) {
    for (const name of ['kernelRegistry', 'gradRegistry']) {
      const map = globals.get(name) as unknown;
      if (!(map instanceof Map)) continue;
      const entries: [unknown, unknown, [string, unknown][]][] = [];
      for (const [key, config] of map as Map<unknown, unknown>) {
        const fields =
          config !== null && typeof config === 'object'
            ? Object.keys(config).map((k): [string, unknown] => [k, (config as Record<string, unknown>)[k]])
            : [];
        entries.push([key, config, fields]);
      }
      recorded.push({ name, map: map as Map<unknown, unknown>, entries });
    }
  }
  return {
    changed(): string | undefined {
      if ((globalThis as { _tfGlobals?: unknown })._tfGlobals !== globals) return 'its registries';
      for (const { name, map, entries } of recorded) {
        if ((globals as Map<unknown, unknown>).get(name) !== map) return `its ${name}`;
        if (map.size !== entries.length) return `its ${name} (an entry added or removed)`;
        for (const [key, config, fields] of entries) {
          const now = map.get(key);
          if (now !== config) return `${String(key)} in its ${name}`;
          for (const [k, v] of fields)
            if ((config as Record<string, unknown>)[k] !== v) return `${String(key)}.${k} in its ${name}`;
        }
      }
      return undefined;
    },
  };
}
