/**
 * A layer's bias on wasm, both ways, where TensorFlow.js 4.22's wasm backend
 * spends far more than the arithmetic (registered by wasm-fast-kernels.ts,
 * which puts the stock kernel back outside these cases):
 *
 * - Add of a vector to every row (the forward pass of a bias under a
 *   gradient tape, which tf.layers runs unfused): the stock kernel broadcasts
 *   entry by entry. mlpath's wasm adds the vector row by row.
 * - Sum over a tensor's leading axes (the bias's gradient, a convolution's
 *   summed over batch, height and width): the stock kernel first transposes
 *   the whole tensor so that those axes come last. mlpath's wasm sums the rows
 *   where they lie.
 *
 * Both are bit-identical to the stock kernels, a NaN's sign and payload aside
 * (NaN stays NaN): one float32 addition per entry for the add, its operands in
 * the stock kernel's order, and for the sum the same additions in the same
 * order (each output starts at 0 and adds the rows in order).
 */
import type * as tfjs from '@tensorflow/tfjs';
import { simdKernels } from './simd/module';
import { memoryOffset, type WasmBackend } from './wasm-fast-kernels';

type Tf = typeof tfjs;
type TensorInfo = tfjs.TensorInfo;
type KernelFunc = tfjs.KernelFunc;

/** Below this many entries the stock kernel is as quick: the saving is the transpose or the broadcast loop. */
const MIN_ENTRIES = 1024;

/** a + b where one is float32 [n] and the other float32 [..., n]. */
export function addRowVector(tf: Tf, stock: KernelFunc): KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const backend = args.backend as unknown as WasmBackend;
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return stock(args);
    const [x, v] = b.shape.length === 1 && a.shape.length > 1 ? [a, b] : [b, a];
    const n = v.shape.length === 1 ? v.shape[0] : -1;
    if (n <= 0 || x.shape.length < 2 || x.shape[x.shape.length - 1] !== n) return stock(args);
    const size = tf.util.sizeFromShape(x.shape);
    if (size < MIN_ENTRIES) return stock(args);
    const kernels = simdKernels(backend.wasm);
    if (kernels === undefined) return stock(args);
    const out = backend.makeOutput([...x.shape], 'float32');
    kernels.add_row_vector(
      memoryOffset(backend, out),
      memoryOffset(backend, x),
      memoryOffset(backend, v),
      size / n,
      n,
      v === a ? 1 : 0,
    );
    return out;
  };
}

/** Sum of a float32 tensor over its first k axes, named in order (k below its rank), keepDims or not. */
export function sumLeadingAxes(tf: Tf, stock: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const backend = args.backend as unknown as WasmBackend;
    if (x.dtype !== 'float32' || x.shape.length < 2) return stock(args);
    // Axes in another order, or repeated, are summed in another order by the stock kernel: it keeps them.
    const axes = tf.util.parseAxisParam(axis, x.shape);
    const k = axes.length;
    if (k === 0 || k >= x.shape.length || axes.some((ax, i) => ax !== i)) return stock(args);
    const size = tf.util.sizeFromShape(x.shape);
    if (size < MIN_ENTRIES) return stock(args);
    const kernels = simdKernels(backend.wasm);
    if (kernels === undefined) return stock(args);
    const kept = x.shape.slice(k);
    const out = backend.makeOutput(keepDims ? [...x.shape.slice(0, k).map(() => 1), ...kept] : kept, 'float32');
    const n = tf.util.sizeFromShape(kept);
    kernels.sum_leading(memoryOffset(backend, out), memoryOffset(backend, x), size / n, n);
    return out;
  };
}
