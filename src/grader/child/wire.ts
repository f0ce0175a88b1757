/**
 * Tensors across the channel, child side: a WireTensor from the grader into a
 * tf.Tensor, and what learner code returned (a tensor or plain numbers) back
 * into a WireTensor. Shared by the kinds and the grader's requests.
 */
import type { Tensor } from '@tensorflow/tfjs';
import type { WireTensor } from '../protocol';
import type { HarnessContext } from './context';
import { copyFloat32, copyInt32, copyUint8, intrinsics } from './intrinsics';
import { isIndexKey } from './own';

// Taken as this module loads, before learner code: what a returned tensor is made of is read through these.
const applyFn = Reflect.apply;
const ownKeys = Reflect.ownKeys;
const describe = Reflect.getOwnPropertyDescriptor;
const protoOf = Reflect.getPrototypeOf;
const isArray = Array.isArray;
const StringOf = String;
const ArrayProto = Array.prototype;

/**
 * Why the tensor learner code returned cannot be read as TensorFlow.js made it: an own getter or function
 * (`data`, `shape`, `dataId` written onto it) would answer the grader with something other than what the
 * checks read, and run learner code in between; undefined when it is a plain tensor.
 */
export function tensorProblem(value: object): string | undefined {
  const proto = protoOf(value);
  if (proto !== intrinsics.tensorProto && proto !== intrinsics.variableProto)
    return 'an object that looks like a tf.Tensor but is not one';
  const keys = ownKeys(value);
  for (let i = 0; i < keys.length; i++) {
    const d = describe(value, keys[i])!;
    if (d.get || d.set || typeof d.value === 'function')
      return `a tensor with its own ${typeof keys[i] === 'symbol' ? 'symbol' : StringOf(keys[i])} (a getter or a function written onto it)`;
  }
  const shape = describe(value, 'shape')?.value as unknown;
  if (!isArray(shape) || protoOf(shape) !== ArrayProto) return 'a tensor whose shape is not an array';
  // Its elements and its length, as TensorFlow.js makes it: an own `join` or getter would run learner code
  // wherever the grader formats or reads the shape (review 20).
  const dims = ownKeys(shape);
  for (let i = 0; i < dims.length; i++) {
    const key = dims[i];
    const d = describe(shape, key)!;
    const index = isIndexKey(key);
    if ((!index && key !== 'length') || d.get || d.set || (index && typeof d.value !== 'number'))
      return 'a tensor whose shape is not a plain array of numbers';
  }
  return undefined;
}

/** The shape of a tensor tensorProblem passed, copied without calling anything of it. */
export function tensorShape(value: object): number[] {
  const shape = describe(value, 'shape')!.value as number[];
  const out: number[] = [];
  const n = describe(shape, 'length')!.value as number;
  for (let i = 0; i < n; i++) out[i] = describe(shape, StringOf(i))!.value as number;
  return out;
}

export function toTensor(tf: HarnessContext['tf'], w: WireTensor): Tensor {
  if (w.dtype === 'string') return tf.tensor(w.values, w.shape, 'string');
  return tf.tensor(w.values, w.shape, w.dtype);
}

function describeElement(tf: HarnessContext['tf'], v: unknown): string {
  if (v instanceof tf.Tensor) return 'a tf.Tensor';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return 'an array';
  if (v !== null && typeof v === 'object') return 'an object';
  return String(v);
}

/**
 * Predictions as plain numbers, which is what ml.js models return: `[n]`
 * values (or a typed array), or `[n][k]` rows of scores. Non-finite numbers
 * pass through on purpose: the parent reports them with the same message as
 * for a tensor.
 */
function fromNumbers(ctx: HarnessContext, value: ArrayLike<unknown>, what: string): WireTensor {
  const rows = value.length;
  const nested = rows > 0 && Array.isArray(value[0]);
  const cols = nested ? (value[0] as unknown[]).length : 1;
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const row = nested ? value[i] : [value[i]];
    if (!Array.isArray(row) || row.length !== cols) {
      const got = Array.isArray(row) ? `${row.length} values` : describeElement(ctx.tf, row);
      ctx.fail({
        kind: 'invalid-output',
        message: `${what} returned a ragged array: row 0 has ${cols} values but row ${i} has ${got}; return one number per row, or rows of equal length`,
      });
    }
    for (let j = 0; j < cols; j++) {
      const v: unknown = (row as unknown[])[j];
      if (typeof v !== 'number') {
        const where = nested ? `row ${i}, column ${j}` : `row ${i}`;
        ctx.fail({
          kind: 'invalid-output',
          message: `${what} returned an array holding a non-number (${describeElement(ctx.tf, v)} at ${where}); return numbers (class indices, probabilities or values) or a tf.Tensor`,
        });
      }
      out[i * cols + j] = v;
    }
  }
  return { values: out, shape: nested ? [rows, cols] : [rows], dtype: 'float32' };
}

function isTensorList(tf: HarnessContext['tf'], value: unknown[]): boolean {
  return value.length > 0 && value.every((v) => v instanceof tf.Tensor);
}

/**
 * What `predict` returned, ready to cross to the parent: a tf.Tensor, or
 * plain numbers (an array, nested one level for scores, or a typed array).
 */
export async function fromTensor(ctx: HarnessContext, value: unknown, what: string): Promise<WireTensor> {
  const tf = ctx.tf;
  if (Array.isArray(value) && !isTensorList(tf, value)) return fromNumbers(ctx, value, what);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView))
    return fromNumbers(ctx, value as unknown as ArrayLike<unknown>, what);
  if (!(value instanceof tf.Tensor)) {
    // Arrays of numbers were read above, so an array here holds only tensors.
    const got =
      value === null
        ? 'null'
        : Array.isArray(value)
          ? `an array of ${value.length} tensors (a model with several outputs): return one`
          : typeof value;
    ctx.fail({ kind: 'invalid-output', message: `${what} must return a tf.Tensor, but it returned ${got}` });
  }
  const t = value as Tensor;
  const problem = tensorProblem(t);
  if (problem)
    ctx.fail({
      kind: 'invalid-output',
      message: `${what} returned ${problem}; return the tensor TensorFlow.js made, as it made it`,
    });
  if (applyFn(intrinsics.isDisposed!, t, []))
    ctx.fail({ kind: 'invalid-output', message: `${what} returned a tensor that was already disposed` });
  const dtype = t.dtype;
  if (dtype !== 'float32' && dtype !== 'int32' && dtype !== 'bool') {
    ctx.fail({
      kind: 'invalid-output',
      message: `${what} returned a ${dtype} tensor; expected float32 (scores, probabilities, values) or int32 (class indices)`,
    });
  }
  // Read once, through TensorFlow.js's own methods taken before learner code loaded: what the checks of this
  // call read is what the grader scores.
  const shape = tensorShape(t);
  const read: ArrayLike<number> = applyFn(intrinsics.dataSync!, t, []);
  const data: Float32Array | Int32Array | Uint8Array =
    dtype === 'float32' ? copyFloat32(read) : dtype === 'int32' ? copyInt32(read) : copyUint8(read);
  let dimsOk = true;
  for (let i = 0; i < shape.length; i++) dimsOk &&= typeof shape[i] === 'number' && shape[i] >= 0 && shape[i] % 1 === 0;
  const dims = dimsOk ? shape : undefined;
  let size = 1;
  for (let i = 0; i < shape.length; i++) size *= shape[i];
  // A real tensor always passes; an object dressed up as one may not, and must not reach the grader as a message it cannot read.
  if (!dims || size !== data.length) {
    ctx.fail({
      kind: 'invalid-output',
      message: `${what} returned an object that looks like a tf.Tensor but is not one (its shape or data() do not agree); return a tensor made by TensorFlow.js`,
    });
  }
  return {
    values: data,
    shape: dims,
    dtype: dtype as WireTensor['dtype'],
  };
}
