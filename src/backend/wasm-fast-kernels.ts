/**
 * Faster replacements for kernels of @tensorflow/tfjs-backend-wasm 4.22
 * that dominate training time, each falling back to the stock kernel outside
 * the case it speeds up:
 *
 * - GatherV2 (model.fit takes every batch with tf.gather): the stock kernel
 *   walks every element through strided index arithmetic; copying whole rows
 *   inside wasm memory is the same bytes, about 100x faster.
 * - BatchMatMul with transposeA or transposeB (both gradients of a dense
 *   layer): wasm sends any transposed product to a scalar loop and only the
 *   plain product to XNNPACK. Transposing the operand first (a copy) and
 *   running the plain product is 5x faster for a 784-128 layer.
 * - BatchMatMul and _FusedMatMul with relu (a relu dense layer's forward
 *   pass outside training: model.predict, validation) with a mostly-zero
 *   left operand: mlpath's sparse kernel adds only the non-zero terms,
 *   bit-identical. A transposed mostly-zero left operand (x in a dense
 *   layer's weight gradient, x^T . dy) is read down its columns in place,
 *   with no transposed copy.
 *   MNIST's 784-128 relu layer: 1.6-1.9x faster than XNNPACK from 32 to
 *   1,000 rows. (Under a gradient tape TensorFlow.js runs relu layers
 *   unfused, as BatchMatMul, Add and Relu.)
 * - Conv2DBackpropInput with stride 1: the stock kernel is a scalar loop; the
 *   input gradient is a 'full' convolution of dy with the flipped filter, which
 *   runs on XNNPACK's Conv2D with the padding as its own.
 * - Add of a bias to every row, and Sum over leading axes (the bias's
 *   gradient): wasm-bias-kernels.ts.
 * - Identity, and Cast to the same dtype (the engine's clone of every tensor
 *   a gradient saves): the new tensor shares the data instead of copying it,
 *   as on the cpu backend (wasm-shared-kernels.ts).
 * - Slice: the stock kernel first copies the WHOLE input out of wasm memory
 *   into a new JavaScript array (backend.readSync), however small the slice:
 *   a 64-row batch sliced from 8,000 MNIST rows copies 25 MB (30 ms, ten
 *   training steps' worth), and model.predict slices every batch of 32 from
 *   its whole input. Copying just the slice's rows inside wasm memory is the
 *   same bytes.
 *
 * The gather and the slice are bit-identical. The matmul and the convolution add the same
 * products in another order (XNNPACK's), so results move at float32 rounding
 * level, like any BLAS change; the bench and the tests measure both against
 * float64.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { simdKernels } from './simd/module';
import { addRowVector, sumLeadingAxes } from './wasm-bias-kernels';
import { castSharing, identitySharing } from './wasm-shared-kernels';

type Tf = typeof tfjs;
type TensorInfo = tfjs.TensorInfo;
type KernelFunc = tfjs.KernelFunc;
type KernelConfig = tfjs.KernelConfig;

const WASM = 'wasm';

/** The parts of tfjs-backend-wasm's BackendWasm mlpath's kernels use (here and in wasm-adam.ts). */
export interface WasmBackend {
  wasm: { HEAPU8: Uint8Array; asm?: unknown };
  dataIdMap: {
    get(dataId: object): { memoryOffset: number; shape: number[]; dtype: tfjs.DataType } | undefined;
    has(dataId: object): boolean;
  };
  makeOutput(shape: number[], dtype: tfjs.DataType): TensorInfo;
  readSync(dataId: object): ArrayLike<number>;
  disposeData(dataId: object): boolean;
  incRef(dataId: object): void;
}

/**
 * Below this many bytes per gathered row, one copyWithin per row costs more
 * than the stock kernel's per-element loop (an embedding lookup of scalars).
 */
const MIN_GATHER_ROW_BYTES = 64;

/** Below this many multiply-adds a product is too small for the extra transpose to pay. */
const MIN_MATMUL_MACS = 16384;

export const FAST_KERNELS = [
  'GatherV2',
  'BatchMatMul',
  '_FusedMatMul',
  'Conv2DBackpropInput',
  'Slice',
  'MaxPoolGrad',
  'Add',
  'Sum',
  'Identity',
  'Cast',
] as const;

type FastConfig = KernelConfig & { mlpathStock?: KernelConfig };

/**
 * Wraps the named wasm kernels with the faster versions. Idempotent: a kernel
 * already wrapped is left alone. Returns the names it wrapped.
 */
export function registerWasmFastKernels(given: Tf): string[] {
  const tf = fixedTf(given);
  const wrapped: string[] = [];
  const makers: Record<(typeof FAST_KERNELS)[number], (stock: KernelFunc) => KernelFunc> = {
    GatherV2: (stock) => gatherByRows(tf, stock),
    BatchMatMul: (stock) => matMulUntransposed(tf, stock),
    _FusedMatMul: (stock) => fusedMatMulSparse(stock),
    Conv2DBackpropInput: (stock) => conv2DBackpropInputAsConv(tf, stock),
    Slice: (stock) => sliceInPlace(tf, stock),
    MaxPoolGrad: (stock) => maxPoolGradNonOverlapping(tf, stock),
    Add: (stock) => addRowVector(tf, stock),
    Sum: (stock) => sumLeadingAxes(tf, stock),
    Identity: (stock) => identitySharing(stock),
    Cast: (stock) => castSharing(stock),
  };
  for (const name of FAST_KERNELS) {
    const stock = tf.getKernel(name, WASM) as FastConfig | undefined;
    if (stock == null || stock.mlpathStock) continue;
    tf.unregisterKernel(name, WASM);
    const config: FastConfig = {
      ...stock,
      kernelFunc: asStored(name, makers[name](stock.kernelFunc)),
      mlpathStock: stock,
    };
    tf.registerKernel(config);
    wrapped.push(name);
  }
  return wrapped;
}

/** Puts the stock kernels back (benchmarks and tests compare both). Returns the names restored. */
export function unregisterWasmFastKernels(tf: Tf): string[] {
  const restored: string[] = [];
  for (const name of FAST_KERNELS) {
    const config = tf.getKernel(name, WASM) as FastConfig | undefined;
    if (config?.mlpathStock == null) continue;
    tf.unregisterKernel(name, WASM);
    tf.registerKernel(config.mlpathStock);
    restored.push(name);
  }
  return restored;
}

/**
 * `kernel`, run only on inputs whose data is what they claim. A tensor made
 * with engine().makeTensorFromDataId can claim a dtype or a size its data does
 * not have, and mlpath's kernels read and write wasm memory as the tensors
 * claim: review 30a's float indices, read as int32 offsets, reached other
 * tensors' memory, and indices larger than their shape wrote past GatherV2's
 * output. Such a call gets an error naming the kernel.
 *
 * engine().runKernel hands kernels the caller's own objects, and learner code
 * that runs between the check and the kernel can change what was checked
 * (reviews 30b and 30c: getters on an input or an attribute, a tensor on a
 * made-up backend whose data moves to wasm). So the attributes are copied
 * first and the inputs next, each field read once; then every input's data
 * is brought to wasm (a move can run such code); and only then, with nothing
 * of the caller's left to run, the copies are checked against the stored data
 * and handed to the kernel. The kernels' helpers are tf's as registration
 * found them (fixedTf), so a replaced tf.util function does not run inside
 * them either.
 */
export function asStored(name: string, kernel: KernelFunc): KernelFunc {
  return (args) => {
    const backend = args.backend as unknown as WasmBackend;
    const attrs = plainValue(name, args.attrs, 0) as tfjs.NamedAttrMap;
    const inputs: Record<string, TensorInfo> = {};
    for (const key of Object.keys(args.inputs)) {
      const given = args.inputs[key];
      // An absent optional input (a fused product's bias) stays absent.
      if (given === undefined || given === null) continue;
      const t = plainTensor(given);
      if (typeof t === 'string') throw new Error(`${name}: ${t}.`);
      inputs[key] = t;
    }
    for (const key of Object.keys(inputs)) backend.dataIdMap.get(inputs[key].dataId);
    for (const key of Object.keys(inputs)) {
      const why = storedOtherwise(backend, inputs[key]);
      if (why !== undefined) throw new Error(`${name}: ${why}.`);
    }
    return kernel({ ...args, inputs, attrs });
  };
}

/**
 * tf with its helper namespaces (util, slice_util, backend_util) and functions as they are now: learner code can
 * replace a function on tf.util, and mlpath's kernels, which check their inputs before they call such helpers,
 * must not run it.
 */
export function fixedTf(tf: Tf): Tf {
  return Object.freeze({
    ...tf,
    util: Object.freeze({ ...tf.util }),
    slice_util: Object.freeze({ ...tf.slice_util }),
    backend_util: Object.freeze({ ...tf.backend_util }),
  });
}

/** A copy of a TensorInfo with each field read once, or why it is no tensor: a shape of whole numbers >= 0. */
function plainTensor(t: TensorInfo): TensorInfo | string {
  const dataId = t.dataId;
  const dtype = t.dtype;
  const raw = t.shape as unknown;
  if (typeof dtype !== 'string') return 'a tensor whose dtype is not a name';
  if (!Array.isArray(raw)) return 'a tensor whose shape is not a list';
  const shape = Array.from(raw as unknown[]);
  if (!shape.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= 0))
    return `a tensor of shape [${shape.map(String).join(',')}], not whole numbers of at least 0`;
  return { dataId, shape: shape as number[], dtype };
}

/**
 * Attributes as plain data, each field read once: lists (typed arrays as lists) and records copied, 4 levels
 * deep; anything else as it is.
 */
function plainValue(name: string, v: unknown, depth: number): unknown {
  // A function can answer each conversion differently (valueOf, Symbol.toPrimitive) and carry getters of its own.
  if (typeof v === 'function' || typeof v === 'symbol' || typeof v === 'bigint')
    throw new Error(`${name}: an attribute that is a ${typeof v}, which no kernel takes.`);
  if (v === null || typeof v !== 'object' || depth > 4) return v;
  if (Array.isArray(v) || ArrayBuffer.isView(v))
    return Array.from(v as ArrayLike<unknown>, (e) => plainValue(name, e, depth + 1));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(v)) out[key] = plainValue(name, (v as Record<string, unknown>)[key], depth + 1);
  return out;
}

/**
 * Why a tensor's own data is not what the tensor says it is (another dtype or size), if it is not. Looks only at
 * data already on wasm: it moves nothing, so it runs no code of a tensor's other backend.
 */
function storedOtherwise(backend: WasmBackend, t: TensorInfo): string | undefined {
  const stored = backend.dataIdMap.has(t.dataId) ? backend.dataIdMap.get(t.dataId) : undefined;
  if (stored === undefined) return 'a tensor has no data on this backend';
  if (stored.dtype !== t.dtype) return `a tensor of dtype ${t.dtype} holds ${stored.dtype} data`;
  if (sizeOf(stored.shape) !== sizeOf(t.shape))
    return `a tensor of shape [${t.shape}] holds ${sizeOf(stored.shape)} entries, not ${sizeOf(t.shape)}`;
  return undefined;
}

/** Where a tensor's data starts in wasm memory (a byte offset): read it after the last allocation it must follow. */
export function memoryOffset(backend: WasmBackend, t: TensorInfo): number {
  return backend.dataIdMap.get(t.dataId)!.memoryOffset;
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function bytesPerElement(dtype: tfjs.DataType): number | undefined {
  if (dtype === 'float32' || dtype === 'int32') return 4;
  if (dtype === 'bool') return 1;
  return undefined;
}

/**
 * out[o, i, s] = x[o, indices[i], s] with o the axes before `axis` and s the
 * ones after: one contiguous row of s per (o, i), copied by mlpath's wasm
 * (simd/kernels.c gather_rows), or with copyWithin where that module is absent.
 */
export function gatherByRows(tf: Tf, stock: KernelFunc): KernelFunc {
  return (args) => {
    const { x, indices } = args.inputs as { x: TensorInfo; indices: TensorInfo };
    const { axis, batchDims } = args.attrs as unknown as { axis: number; batchDims: number };
    // tf.gather makes its indices int32; a direct engine().runKernel call may not, and wasm traps on others.
    if (indices.dtype !== 'int32') throw new Error(`GatherV2: indices must be int32, got ${indices.dtype}.`);
    // The stock kernel aborts the wasm module on strings, which it cannot gather.
    if (x.dtype === 'string') throw new Error('GatherV2: the wasm backend cannot gather a string tensor.');
    const bytes = bytesPerElement(x.dtype);
    if (batchDims !== 0 || bytes === undefined) return stock(args);
    const backend = args.backend as unknown as WasmBackend;
    const [ax] = tf.util.parseAxisParam(axis, x.shape);
    const rowBytes = sizeOf(x.shape.slice(ax + 1)) * bytes;
    if (rowBytes < MIN_GATHER_ROW_BYTES) return stock(args);

    const dim = x.shape[ax];
    const idx = backend.readSync(indices.dataId);
    for (let i = 0; i < idx.length; i++) {
      const v = idx[i];
      // The stock kernel's check and message, so errors read the same on both paths.
      if (!(v <= dim - 1 && v >= 0 && Number.isInteger(v)))
        throw new Error(`GatherV2: the index value ${v} is not in [0, ${dim - 1}]`);
    }
    const outer = sizeOf(x.shape.slice(0, ax));
    const outShape = [...x.shape.slice(0, ax), ...indices.shape, ...x.shape.slice(ax + 1)];
    const out = backend.makeOutput(outShape, x.dtype);
    if (sizeOf(outShape) === 0) return out;
    const kernels = simdKernels(backend.wasm);
    if (kernels !== undefined) {
      // The count from the checked shape and the indices as the kernel reads them from memory: readSync is a
      // method of the backend object, which graded code can replace.
      const bad = kernels.gather_rows(
        memoryOffset(backend, out),
        memoryOffset(backend, x),
        memoryOffset(backend, indices),
        outer,
        dim,
        sizeOf(indices.shape),
        rowBytes,
      );
      if (bad >= 0) {
        backend.disposeData(out.dataId);
        throw new Error(`GatherV2: index ${bad} is not in [0, ${dim - 1}]`);
      }
      return out;
    }
    // Read after makeOutput: an allocation that grows wasm memory replaces the view.
    const heap = backend.wasm.HEAPU8;
    const src = memoryOffset(backend, x);
    let dst = memoryOffset(backend, out);
    for (let o = 0; o < outer; o++) {
      const base = src + o * dim * rowBytes;
      for (let i = 0; i < idx.length; i++) {
        const from = base + idx[i] * rowBytes;
        heap.copyWithin(dst, from, from + rowBytes);
        dst += rowBytes;
      }
    }
    return out;
  };
}

/** Below this many bytes per contiguous run, runs are copied element by element rather than with copyWithin. */
const MIN_COPY_RUN_BYTES = 64;

/**
 * out = x[begin : begin + size] along every axis, copied inside wasm memory.
 * The trailing axes the slice takes whole, with the last axis it cuts, form
 * one contiguous run per index of the axes before them.
 */
export function sliceInPlace(tf: Tf, stock: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const attrs = args.attrs as unknown as { begin: number | number[]; size: number | number[] };
    const bytes = bytesPerElement(x.dtype);
    if (bytes === undefined || x.shape.length === 0) return stock(args);
    const [begin, size] = tf.slice_util.parseSliceParams(x, attrs.begin, attrs.size);
    // tf.slice checks these before the kernel runs; a direct engine().runKernel call does not, and copying a
    // slice past the tensor would hand back its neighbours' data.
    tf.slice_util.assertParamsValid(x, begin, size);
    if (![...begin, ...size].every((v) => Number.isInteger(v) && v >= 0)) {
      throw new Error(`Slice: begin [${begin}] and size [${size}] must be whole numbers of at least 0.`);
    }
    const backend = args.backend as unknown as WasmBackend;
    const out = backend.makeOutput(size, x.dtype);
    const total = sizeOf(size);
    if (total === 0) return out;
    const rank = x.shape.length;
    // Axis `cut` and every axis after it are one run of `run` elements in x and in out.
    let cut = rank - 1;
    while (cut > 0 && size[cut] === x.shape[cut]) cut--;
    const run = sizeOf(size.slice(cut));
    const strides = tf.util.computeStrides(x.shape);
    const stride = (axis: number): number => (axis === rank - 1 ? 1 : strides[axis]);
    // Read after makeOutput: an allocation that grows wasm memory replaces the view.
    const heap = backend.wasm.HEAPU8;
    const src = memoryOffset(backend, x);
    let dst = memoryOffset(backend, out);
    const runBytes = run * bytes;
    const copy = (from: number): void => {
      if (runBytes >= MIN_COPY_RUN_BYTES) heap.copyWithin(dst, from, from + runBytes);
      else for (let b = 0; b < runBytes; b++) heap[dst + b] = heap[from + b];
      dst += runBytes;
    };
    // An odometer over the axes before `cut`, in row-major order.
    const index = new Array<number>(cut).fill(0);
    let base = 0;
    for (let axis = 0; axis <= cut; axis++) base += begin[axis] * stride(axis);
    const runs = total / run;
    for (let r = 0; r < runs; r++) {
      let offset = base;
      for (let axis = 0; axis < cut; axis++) offset += index[axis] * stride(axis);
      copy(src + offset * bytes);
      for (let axis = cut - 1; axis >= 0; axis--) {
        if (++index[axis] < size[axis]) break;
        index[axis] = 0;
      }
    }
    return out;
  };
}

/**
 * At most this share of non-zero entries in the left operand sends a product
 * to the sparse kernel: below it, skipping zeros beats XNNPACK's dense
 * product (MNIST pixels are about 19% non-zero, ReLU outputs about half).
 */
const MAX_SPARSE_DENSITY = 0.35;

/**
 * Unbatched float32 products:
 * - when the left operand is mostly zeros (pixels, one-hot rows, ReLU
 *   outputs) and the right one is finite, mlpath's sparse kernel adds only
 *   the non-zero terms (simd/kernels.c), for a plain product and for one
 *   whose left operand is transposed (a dense layer's weight gradient);
 * - otherwise a transposed product is a transpose (wasm's Transpose kernel)
 *   followed by the plain product, which wasm runs on XNNPACK.
 * Batched products keep the stock kernel: its XNNPACK path takes batch 1 only.
 */
export function matMulUntransposed(tf: Tf, stock: KernelFunc): KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const attrs = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return stock(args);
    if (sizeOf(a.shape.slice(0, -2)) !== 1 || sizeOf(b.shape.slice(0, -2)) !== 1) return stock(args);
    const rowsA = a.shape[a.shape.length - 2];
    const colsA = a.shape[a.shape.length - 1];
    const m = attrs.transposeA ? colsA : rowsA;
    const k = attrs.transposeA ? rowsA : colsA;
    const kB = attrs.transposeB ? b.shape[b.shape.length - 1] : b.shape[b.shape.length - 2];
    const n = attrs.transposeB ? b.shape[b.shape.length - 2] : b.shape[b.shape.length - 1];
    if (k !== kB || m * k * n < MIN_MATMUL_MACS) return stock(args);

    const backend = args.backend as unknown as WasmBackend;
    if (!attrs.transposeB) {
      const sparse = sparseProduct(tf, backend, a, b, attrs.transposeA, [m, k, n]);
      if (sparse !== undefined) return sparse;
    }
    if (!attrs.transposeA && !attrs.transposeB) return stock(args);
    const transpose = tf.getKernel('Transpose', WASM).kernelFunc;
    const swapLast = (t: TensorInfo): TensorInfo => {
      const perm = t.shape.map((_, i) => i);
      perm.push(...perm.splice(-2).reverse());
      return transpose({ inputs: { x: t }, backend: args.backend, attrs: { perm } }) as TensorInfo;
    };
    const a2 = attrs.transposeA ? swapLast(a) : a;
    const b2 = attrs.transposeB ? swapLast(b) : b;
    try {
      return stock({
        ...args,
        inputs: { a: a2, b: b2 },
        attrs: { ...args.attrs, transposeA: false, transposeB: false },
      });
    } finally {
      if (a2 !== a) backend.disposeData(a2.dataId);
      if (b2 !== b) backend.disposeData(b2.dataId);
    }
  };
}

/**
 * a . b (or transpose(a) . b) by the sparse kernel, or undefined when a is
 * too dense for it to pay, b holds an infinity or NaN (zero times either is
 * NaN, a term the kernel would skip), or the kernels are not available.
 */
function sparseProduct(
  tf: Tf,
  backend: WasmBackend,
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  [m, k, n]: [number, number, number],
): TensorInfo | undefined {
  const kernels = simdKernels(backend.wasm);
  if (kernels === undefined) return undefined;
  if (kernels.nonzeros(memoryOffset(backend, a), m * k) > MAX_SPARSE_DENSITY * m * k) return undefined;
  if (!kernels.all_finite(memoryOffset(backend, b), k * n)) return undefined;
  const outer = tf.backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const idx = backend.makeOutput([k], 'int32');
  try {
    const out = backend.makeOutput([...outer, m, n], 'float32');
    // Offsets taken after every allocation: growing wasm memory moves no tensor, but read them last all the same.
    // A transposed a is read down its columns where it lies (its terms in the same order as from a transposed copy).
    const product = transposeA ? 'matmul_sparse_at' : 'matmul_sparse_a';
    kernels[product](
      memoryOffset(backend, out),
      memoryOffset(backend, a),
      memoryOffset(backend, b),
      m,
      k,
      n,
      memoryOffset(backend, idx),
    );
    return out;
  } finally {
    backend.disposeData(idx.dataId);
  }
}

/**
 * A relu dense layer's forward pass outside training (tf.layers.dense, tf.fused.matMul; under a gradient tape
 * TensorFlow.js runs relu unfused): relu(a . b + bias) by the sparse kernel when the left operand is mostly
 * zeros (pixels, one-hot rows) and the right one finite, and the bias is absent or one value per output
 * column. Each output starts at its bias and adds the non-zero terms in order (simd/kernels.c). Only relu:
 * a skipped zero term can change the sign of an exact zero, which relu makes +0 as XNNPACK does, so the
 * result is the stock kernel's bit for bit, NaN included; a linear layer's -0 could come out +0 or the
 * reverse. Anything else keeps the stock kernel (XNNPACK).
 */
export function fusedMatMulSparse(stock: KernelFunc): KernelFunc {
  return (args) => {
    const { a, b, bias, preluActivationWeights } = args.inputs as {
      a: TensorInfo;
      b: TensorInfo;
      bias?: TensorInfo;
      preluActivationWeights?: TensorInfo;
    };
    const attrs = args.attrs as unknown as { transposeA: boolean; transposeB: boolean; activation?: string };
    if (attrs.transposeA || attrs.transposeB || preluActivationWeights != null) return stock(args);
    if (attrs.activation !== 'relu') return stock(args);
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || (bias != null && bias.dtype !== 'float32'))
      return stock(args);
    if (sizeOf(a.shape.slice(0, -2)) !== 1 || sizeOf(b.shape.slice(0, -2)) !== 1) return stock(args);
    const [m, k] = a.shape.slice(-2);
    const [kB, n] = b.shape.slice(-2);
    if (k !== kB || m * k * n < MIN_MATMUL_MACS) return stock(args);
    if (bias != null && (bias.shape.length !== 1 || bias.shape[0] !== n)) return stock(args);

    const backend = args.backend as unknown as WasmBackend;
    const kernels = simdKernels(backend.wasm);
    if (kernels === undefined) return stock(args);
    let asked = clampsLikeUs.get(stock);
    if (!asked) clampsLikeUs.set(stock, (asked = new WeakMap()));
    let same = asked.get(backend);
    if (same === undefined) asked.set(backend, (same = stockReluOfNaNIsZero(backend, stock)));
    if (!same) return stock(args);
    if (kernels.nonzeros(memoryOffset(backend, a), m * k) > MAX_SPARSE_DENSITY * m * k) return stock(args);
    if (!kernels.all_finite(memoryOffset(backend, b), k * n)) return stock(args);
    const outer = a.shape.length > b.shape.length ? a.shape.slice(0, -2) : b.shape.slice(0, -2);
    const idx = backend.makeOutput([k], 'int32');
    try {
      const out = backend.makeOutput([...outer, m, n], 'float32');
      kernels.matmul_sparse_a_fused(
        memoryOffset(backend, out),
        memoryOffset(backend, a),
        memoryOffset(backend, b),
        m,
        k,
        n,
        memoryOffset(backend, idx),
        bias != null ? memoryOffset(backend, bias) : 0,
        1,
      );
      return out;
    } finally {
      backend.disposeData(idx.dataId);
    }
  };
}

/** Per stock kernel and wasm backend, whether the kernel's relu clamps a NaN to 0 (stockReluOfNaNIsZero). */
const clampsLikeUs = new WeakMap<KernelFunc, WeakMap<object, boolean>>();

/**
 * Asks the active wasm backend's stock kernel how its relu clamps, now: backend/init.ts calls this as the
 * backend starts, so the answer is settled before any learner code could patch what the question uses.
 */
export function settleFusedReluProbe(tf: Tf): void {
  if (tf.getBackend() !== WASM) return;
  tf.tidy(() => tf.fused.matMul({ a: tf.zeros([2, 128]), b: tf.ones([128, 64]), activation: 'relu' }));
}

/**
 * Whether the stock kernel's relu turns a NaN sum into 0, as the sparse kernel does. XNNPACK's wasm build
 * picks its clamp when it starts: pmax(0, x) on x86 hosts (NaN becomes 0), a NaN-keeping max elsewhere
 * (Apple Silicon, Graviton), where a NaN in predict() must stay the invalid output it is with the stock
 * kernel. Asked once per backend, of the stock kernel itself, on a product of the size the sparse path takes.
 */
function stockReluOfNaNIsZero(backend: WasmBackend, stock: KernelFunc): boolean {
  const [m, k, n] = [2, 128, 64];
  const a = backend.makeOutput([1, m, k], 'float32');
  const b = backend.makeOutput([1, k, n], 'float32');
  const made: TensorInfo[] = [a, b];
  try {
    const view = (t: TensorInfo, size: number): Float32Array =>
      new Float32Array(backend.wasm.HEAPU8.buffer, memoryOffset(backend, t), size);
    view(a, m * k).fill(0)[0] = NaN;
    view(b, k * n).fill(0.5);
    const out = stock({
      inputs: { a, b },
      backend: backend,
      attrs: { transposeA: false, transposeB: false, activation: 'relu' },
    }) as TensorInfo;
    made.push(out);
    const values = backend.readSync(out.dataId);
    return values[0] === 0 && values[n] === 0;
  } catch {
    return false;
  } finally {
    for (const t of made) backend.disposeData(t.dataId);
  }
}

interface Conv2DBackpropInputAttrs {
  strides: number | [number, number];
  pad: Parameters<Tf['backend_util']['computeConv2DInfo']>[4];
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
}

/**
 * dx[b,u,v,c] = sum over p,q,o of dyPad[b, u+p, v+q, o] * W[fh-1-p, fw-1-q, c, o]:
 * a stride-1 convolution of dy, padded by (filter size - 1 - forward padding)
 * before (and what makes dx's size after), with the filter flipped in space
 * and its channel axes swapped. Strided or NCHW gradients keep the stock
 * kernel.
 */
export function conv2DBackpropInputAsConv(tf: Tf, stock: KernelFunc): KernelFunc {
  return (args) => {
    const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
    const a = args.attrs as unknown as Conv2DBackpropInputAttrs;
    // tf.conv2d's gradient passes x's shape; a direct engine().runKernel call may pass one wasm cannot allocate.
    const shape: unknown = a.inputShape;
    if (
      !Array.isArray(shape) ||
      shape.length !== 4 ||
      !shape.every((v) => Number.isInteger(v) && v >= 0) ||
      sizeOf(shape as number[]) > 2 ** 30
    ) {
      throw new Error(
        `Conv2DBackpropInput: inputShape must be 4 whole numbers of at least 0 within wasm's memory, got ${JSON.stringify(shape)}.`,
      );
    }
    if (a.dataFormat === 'NCHW' || dy.dtype !== 'float32' || filter.dtype !== 'float32') return stock(args);
    const info = tf.backend_util.computeConv2DInfo(
      a.inputShape,
      filter.shape as [number, number, number, number],
      a.strides,
      1,
      a.pad,
      a.dimRoundingMode,
      false,
      'channelsLast',
    );
    if (info.strideHeight !== 1 || info.strideWidth !== 1) return stock(args);
    const [fh, fw] = filter.shape;
    const [, inH, inW] = a.inputShape;
    const [, outH, outW] = dy.shape;
    const { top, left } = info.padInfo;
    const pads = [fh - 1 - top, inH - outH + top, fw - 1 - left, inW - outW + left];
    if (pads.some((p) => p < 0)) return stock(args);

    const backend = args.backend as unknown as WasmBackend;
    const run = (name: string, inputs: Record<string, TensorInfo>, attrs: object): TensorInfo =>
      tf
        .getKernel(name, WASM)
        .kernelFunc({ inputs, backend: args.backend, attrs: attrs as tfjs.NamedAttrMap }) as TensorInfo;
    const temps: TensorInfo[] = [];
    try {
      const flipped = run('Reverse', { x: filter }, { dims: [0, 1] });
      temps.push(flipped);
      const w = run('Transpose', { x: flipped }, { perm: [0, 1, 3, 2] });
      temps.push(w);
      // The padding goes to XNNPACK as the convolution's own (it reads zeros there), not as a padded copy of dy.
      const pad = [
        [0, 0],
        [pads[0], pads[1]],
        [pads[2], pads[3]],
        [0, 0],
      ];
      return run('Conv2D', { x: dy, filter: w }, { strides: [1, 1], pad, dataFormat: 'NHWC', dilations: [1, 1] });
    } finally {
      for (const t of temps) backend.disposeData(t.dataId);
    }
  };
}

interface MaxPoolGradAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: Parameters<Tf['backend_util']['computePool2DInfo']>[4];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * The gradient of a max pool whose windows do not overlap (tf.layers'
 * maxPooling2d with its default strides): one pass over the windows
 * (simd/kernels.c), where the stock kernel visits every input entry and
 * searches each window that covers it. Same outputs, bit for bit, the stock
 * kernel's choice among tied entries included. Overlapping windows, and a dy
 * with an infinity or NaN, keep the stock kernel.
 */
export function maxPoolGradNonOverlapping(tf: Tf, stock: KernelFunc): KernelFunc {
  return (args) => {
    const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
    const a = args.attrs as unknown as MaxPoolGradAttrs;
    if (dy.dtype !== 'float32' || input.dtype !== 'float32' || input.shape.length !== 4) return stock(args);
    const backend = args.backend as unknown as WasmBackend;
    const kernels = simdKernels(backend.wasm);
    if (kernels === undefined) return stock(args);
    const info = tf.backend_util.computePool2DInfo(
      input.shape as [number, number, number, number],
      a.filterSize,
      a.strides,
      1,
      a.pad,
      a.dimRoundingMode,
    );
    const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
    if (sh < fh || sw < fw || info.dilationHeight !== 1 || info.dilationWidth !== 1) return stock(args);
    if (dy.shape.join() !== [info.batchSize, info.outHeight, info.outWidth, info.outChannels].join())
      return stock(args);
    if (!kernels.all_finite(memoryOffset(backend, dy), sizeOf(dy.shape))) return stock(args);
    const out = backend.makeOutput([...input.shape], 'float32');
    kernels.max_pool_grad(
      memoryOffset(backend, out),
      memoryOffset(backend, input),
      memoryOffset(backend, dy),
      info.batchSize,
      info.inHeight,
      info.inWidth,
      info.inChannels,
      info.outHeight,
      info.outWidth,
      fh,
      fw,
      sh,
      sw,
      info.padInfo.top,
      info.padInfo.left,
    );
    return out;
  };
}
