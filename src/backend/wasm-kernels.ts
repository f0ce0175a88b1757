/**
 * Kernels that @tensorflow/tfjs-backend-wasm 4.22 does not ship but that
 * training needs. Without them a CNN (Conv2DBackpropFilter) or an embedding
 * (UnsortedSegmentSum, the gradient of tf.gather) fails on wasm with
 * "Kernel '...' not registered for backend 'wasm'".
 *
 * The filter gradient of a convolution runs on mlpath's own wasm kernel
 * (simd/kernels.c) where it can, and otherwise as the convolution it also is,
 * on wasm's own (XNNPACK) Conv2D. The rarer kernels are bridged to the cpu
 * backend's implementation: exact, slower, and only where wasm has nothing.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { simdKernels } from './simd/module';
import { asStored, fixedTf, memoryOffset, sizeOf, type WasmBackend } from './wasm-fast-kernels';

type Tf = typeof tfjs;
type TensorInfo = tfjs.TensorInfo;
type KernelBackend = tfjs.KernelBackend;
type KernelFunc = tfjs.KernelFunc;
type Pair = [number, number];

const WASM = 'wasm';

/**
 * Missing on wasm and bridged to cpu. Complex, FFT and friends are absent on
 * purpose: wasm cannot hold complex64 tensors, so a bridge could not return
 * their outputs; Draw needs a canvas.
 */
export const CPU_BRIDGED_KERNELS = [
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'Einsum',
  'RaggedGather',
  'RaggedRange',
  'RaggedTensorToTensor',
  'StaticRegexReplace',
] as const;

/**
 * Registers Conv2DBackpropFilter and the cpu bridges for the wasm backend.
 * A kernel that wasm already has (a later tfjs release, or a second call) is
 * left alone. Returns the names it registered.
 */
export function registerWasmGapKernels(given: Tf): string[] {
  const tf = fixedTf(given);
  const registered: string[] = [];
  const register = (kernelName: string, kernelFunc: KernelFunc): void => {
    if (hasKernel(tf, kernelName, WASM)) return;
    tf.registerKernel({ kernelName, backendName: WASM, kernelFunc });
    registered.push(kernelName);
  };

  register('Conv2DBackpropFilter', asStored('Conv2DBackpropFilter', conv2DBackpropFilterAsConv(tf)));
  register('UnsortedSegmentSum', unsortedSegmentSumAsScatter(tf));
  for (const name of CPU_BRIDGED_KERNELS) {
    if (hasKernel(tf, name, 'cpu')) register(name, cpuBridge(tf, name));
  }
  return registered;
}

function hasKernel(tf: Tf, kernelName: string, backendName: string): boolean {
  return tf.getKernel(kernelName, backendName) != null;
}

interface Conv2DBackpropFilterAttrs {
  strides: number | Pair;
  pad: Parameters<Tf['backend_util']['computeConv2DInfo']>[4];
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
  /** Not part of tfjs's kernel attributes (its conv2d gradient refuses dilations > 1); honoured when given. */
  dilations?: number | Pair;
}

/**
 * dW[p,q,c,o] = sum over b,i,j of xPad[b, i*s + p*d, j*s + q*d, c] * dy[b,i,j,o].
 * Read with c as the batch, b as the channels and dy as the filter, that is a
 * 'valid' convolution whose stride is the forward dilation and whose dilation
 * is the forward stride.
 */
export function conv2DBackpropFilterAsConv(tf: Tf): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const a = attrs as unknown as Conv2DBackpropFilterAttrs;
    if (a.dataFormat === 'NCHW') {
      throw new Error(
        "Conv2DBackpropFilter on wasm supports dataFormat 'NHWC' only; tf.layers always uses it, so transpose NCHW input to NHWC first.",
      );
    }
    // Checked here: a shape a kernel call (engine().runKernel) makes up would otherwise reach wasm's Transpose.
    const shape: unknown = a.filterShape;
    if (!Array.isArray(shape) || shape.length !== 4 || !shape.every((v) => Number.isInteger(v) && v > 0)) {
      throw new Error(
        `Conv2DBackpropFilter: filterShape must be 4 positive whole numbers, got ${JSON.stringify(shape)}.`,
      );
    }
    const kernelBackend = backend as KernelBackend;
    const [fh, fw, inC, outC] = a.filterShape;
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      a.filterShape,
      a.strides,
      a.dilations ?? 1,
      a.pad,
      a.dimRoundingMode,
      false,
      'channelsLast',
    );
    const unusable = outOfRange(x, dy, info, a.filterShape);
    if (unusable) throw new Error(`Conv2DBackpropFilter: ${unusable}.`);
    const direct = filterGradInPlace(kernelBackend, x, dy, info, a.filterShape);
    if (direct !== undefined) return direct;
    const [, height, width] = x.shape;
    const [, outH, outW] = dy.shape;
    const { top, left } = info.padInfo;
    const needH = (outH - 1) * info.strideHeight + (fh - 1) * info.dilationHeight + 1;
    const needW = (outW - 1) * info.strideWidth + (fw - 1) * info.dilationWidth + 1;
    const keepH = Math.min(height, needH - top);
    const keepW = Math.min(width, needW - left);

    const grad = tf.tidy(() => {
      if (keepH <= 0 || keepW <= 0) return tf.zeros(a.filterShape, x.dtype);
      let xs = borrow(tf, kernelBackend, x) as tfjs.Tensor4D;
      if (keepH < height || keepW < width) xs = tf.slice(xs, [0, 0, 0, 0], [-1, keepH, keepW, -1]);
      const padBottom = needH - top - keepH;
      const padRight = needW - left - keepW;
      if (top || left || padBottom || padRight) {
        xs = tf.pad(xs, [
          [0, 0],
          [top, padBottom],
          [left, padRight],
          [0, 0],
        ]);
      }
      const images = tf.transpose(xs, [3, 1, 2, 0]);
      const filter = tf.transpose(borrow(tf, kernelBackend, dy) as tfjs.Tensor4D, [1, 2, 0, 3]);
      const g = tf.conv2d(images, filter, [info.dilationHeight, info.dilationWidth], 'valid', 'NHWC', [
        info.strideHeight,
        info.strideWidth,
      ]);
      return tf.transpose(g, [1, 2, 0, 3]);
    });
    if (grad.shape.join() !== [fh, fw, inC, outC].join()) {
      grad.dispose();
      throw new Error(`Conv2DBackpropFilter on wasm computed shape [${grad.shape}], expected [${a.filterShape}].`);
    }
    return keep(kernelBackend, grad);
  };
}

/** 2^30 entries, the 4 GB of wasm memory: nothing real reaches it, and sizes past it wrap in wasm's arithmetic. */
const MAX_ENTRIES = 2 ** 30;

/** 2^28 entries: the direct kernel's int offsets, three of these added, stay below 2^31. */
const MAX_DIRECT_ENTRIES = 2 ** 28;

type ConvInfo = ReturnType<Tf['backend_util']['computeConv2DInfo']>;

/**
 * Entries a filter gradient's arithmetic spans: the filter, one image of x and of dy, all of x and of dy, and a
 * padded column and row of x as far as the strided, dilated filter reaches (times the channels).
 */
function extents(x: TensorInfo, dy: TensorInfo, info: ConvInfo, filterShape: number[]): number[] {
  const [fh, fw, inC, outC] = filterShape;
  const [, inH, inW] = x.shape;
  const reach = (out: number, stride: number, taps: number, dilation: number, pad: number, size: number) =>
    (Math.max(out - 1, 0) * stride + (taps - 1) * dilation + pad + size) * inC;
  return [
    fh * fw * inC * outC,
    inH * inW * inC,
    info.outHeight * info.outWidth * outC,
    sizeOf(x.shape),
    sizeOf(dy.shape),
    reach(info.outHeight, info.strideHeight, fh, info.dilationHeight, info.padInfo.top, inH),
    reach(info.outWidth, info.strideWidth, fw, info.dilationWidth, info.padInfo.left, inW),
  ];
}

/**
 * Why attributes that reach the kernel unchecked (engine().runKernel) cannot be a filter gradient, if they
 * cannot: strides and dilations below 1, padding below 0, or sizes past wasm's memory. tf.layers and tf.grad
 * never make such a call; wasm would trap on it, or worse, read or write past the tensors.
 */
function outOfRange(x: TensorInfo, dy: TensorInfo, info: ConvInfo, filterShape: number[]): string | undefined {
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw, outHeight, outWidth } = info;
  const { top, left } = info.padInfo;
  if (![sh, sw, dh, dw].every((v) => Number.isInteger(v) && v > 0))
    return `strides and dilations must be positive whole numbers, got [${sh}, ${sw}] and [${dh}, ${dw}]`;
  if (![top, left, outHeight, outWidth].every((v) => Number.isInteger(v) && v >= 0))
    return `the padding must be at least 0, got top ${top} and left ${left}`;
  if (!extents(x, dy, info, filterShape).every((v) => v <= MAX_ENTRIES))
    return `its sizes, strides and padding reach past ${MAX_ENTRIES} entries, the most wasm memory holds`;
  return undefined;
}

/**
 * The filter gradient from its definition, by mlpath's wasm kernel
 * (simd/kernels.c conv2d_filter_grad), on the tensors where they lie: no
 * transposed copies, and no convolution whose "filter" is the whole image,
 * which XNNPACK runs at a fraction of its speed. Undefined, for the
 * convolution path, when the kernels are absent, the tensors are not float32,
 * the output channels are not a multiple of 4 or dy holds an infinity or NaN
 * (the direct sums leave out the zero padding's terms, which are NaN there).
 * The attributes are in range (outOfRange), and the kernel runs only where
 * its int offsets stay below 2^31.
 */
function filterGradInPlace(
  kernelBackend: KernelBackend,
  x: TensorInfo,
  dy: TensorInfo,
  info: ConvInfo,
  filterShape: [number, number, number, number],
): TensorInfo | undefined {
  const backend = kernelBackend as unknown as WasmBackend;
  const kernels = backend.wasm ? simdKernels(backend.wasm) : undefined;
  const [fh, fw, inC, outC] = filterShape;
  if (kernels === undefined || x.dtype !== 'float32' || dy.dtype !== 'float32' || outC % 4 !== 0) return undefined;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw, outHeight, outWidth } = info;
  const { top, left } = info.padInfo;
  const [batch, inH, inW] = x.shape;
  const expected = [batch, outHeight, outWidth, outC];
  if (x.shape.length !== 4 || x.shape[3] !== inC || dy.shape.join() !== expected.join()) return undefined;
  if (!extents(x, dy, info, filterShape).every((v) => v <= MAX_DIRECT_ENTRIES)) return undefined;
  if (!kernels.all_finite(memoryOffset(backend, dy), sizeOf(dy.shape))) return undefined;
  const out = backend.makeOutput([fh, fw, inC, outC], 'float32');
  kernels.conv2d_filter_grad(
    memoryOffset(backend, out),
    memoryOffset(backend, x),
    memoryOffset(backend, dy),
    batch,
    inH,
    inW,
    inC,
    outHeight,
    outWidth,
    outC,
    fh,
    fw,
    sh,
    sw,
    dh,
    dw,
    top,
    left,
  );
  return out;
}

/**
 * UnsortedSegmentSum (the gradient of tf.gather, so of every embedding) as a
 * ScatterNd, which wasm has and which sums rows that share an index. Ids
 * outside [0, numSegments) are dropped, as TensorFlow does. Bridging to the
 * cpu kernel instead cost ~800 ms for a 1000x32 gradient; this takes ~2 ms.
 */
export function unsortedSegmentSumAsScatter(tf: Tf): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
    const numSegments = (attrs as unknown as { numSegments: number }).numSegments;
    const kernelBackend = backend as KernelBackend;
    const idRank = segmentIds.shape.length;
    const rowShape = x.shape.slice(idRank);
    const rows = segmentIds.shape.reduce((a, b) => a * b, 1);
    const sum = tf.tidy(() => {
      let ids = tf.reshape(borrow(tf, kernelBackend, segmentIds), [rows]).toInt();
      const updates = tf.reshape(borrow(tf, kernelBackend, x), [rows, ...rowShape]);
      const valid = tf.logicalAnd(tf.greaterEqual(ids, 0), tf.less(ids, numSegments));
      if (!valid.all().dataSync()[0]) {
        // Park invalid rows on an extra segment that is sliced away.
        ids = tf.where(valid, ids, tf.fill([rows], numSegments, 'int32'));
        const padded = tf.scatterND(tf.reshape(ids, [rows, 1]), updates, [numSegments + 1, ...rowShape]);
        return tf.slice(padded, 0, numSegments);
      }
      return tf.scatterND(tf.reshape(ids, [rows, 1]), updates, [numSegments, ...rowShape]);
    });
    return keep(kernelBackend, sum);
  };
}

/**
 * A Tensor view of a kernel input, for running ops on it inside a kernel.
 * The extra reference is released when the surrounding tidy disposes the view,
 * so the caller's tensor survives.
 */
function borrow(tf: Tf, backend: KernelBackend, info: TensorInfo): tfjs.Tensor {
  backend.incRef(info.dataId);
  return tf.engine().makeTensorFromTensorInfo(info, backend);
}

/** Hands a tensor's data to the engine as a kernel output, dropping the Tensor wrapper. */
function keep(backend: KernelBackend, t: tfjs.Tensor): TensorInfo {
  backend.incRef(t.dataId);
  const out: TensorInfo = { dataId: t.dataId, shape: t.shape.slice(), dtype: t.dtype };
  t.dispose();
  return out;
}

/**
 * Runs the cpu backend's kernel on copies of the wasm inputs and copies the
 * outputs back into wasm memory.
 */
export function cpuBridge(tf: Tf, kernelName: string): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const cpuKernel = tf.getKernel(kernelName, 'cpu');
    if (cpuKernel == null) throw new Error(`Kernel '${kernelName}' is registered for neither wasm nor cpu.`);
    const cpu = cpuBackend(tf);
    const wasm = backend as KernelBackend;

    const written: TensorInfo[] = [];
    const toCpu = (t: TensorInfo): TensorInfo => {
      const copy = { dataId: cpu.write(wasm.readSync(t.dataId), t.shape, t.dtype), shape: t.shape, dtype: t.dtype };
      written.push(copy);
      return copy;
    };
    // Einsum receives an array of tensors and the Ragged kernels a map whose
    // entries may be arrays; the cpu kernels index them as such.
    const convert = (v: TensorInfo | TensorInfo[]) => (Array.isArray(v) ? v.map(toCpu) : toCpu(v));
    const cpuInputs = Array.isArray(inputs)
      ? (inputs as TensorInfo[]).map(toCpu)
      : Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, convert(v as TensorInfo | TensorInfo[])]));

    let cpuOutputs: TensorInfo[] = [];
    try {
      const out = cpuKernel.kernelFunc({
        inputs: cpuInputs as tfjs.NamedTensorInfoMap,
        backend: cpu,
        attrs,
      });
      cpuOutputs = Array.isArray(out) ? out : [out];
      const wasmOutputs = cpuOutputs.map((o) => {
        if (o.dtype === 'complex64') {
          throw new Error(`Kernel '${kernelName}' returns complex64, which the wasm backend cannot hold.`);
        }
        return { dataId: wasm.write(cpu.readSync(o.dataId), o.shape, o.dtype), shape: o.shape, dtype: o.dtype };
      });
      return Array.isArray(out) ? wasmOutputs : wasmOutputs[0];
    } finally {
      // An output may alias an input (refcounted by the cpu backend), so every
      // reference is dropped once, inputs and outputs alike.
      for (const t of [...written, ...cpuOutputs]) cpu.disposeData(t.dataId);
    }
  };
}

/**
 * The engine's own cpu backend instance, created on first use. Its one-time
 * "install the node backend" banner is switched off: on wasm it would be
 * misleading, and `mlpath doctor` gives the exact advice instead.
 */
export function cpuBackend(tf: Tf): KernelBackend {
  const cpu = tf.findBackend('cpu');
  if (cpu == null) throw new Error('The cpu backend of TensorFlow.js is not registered.');
  silenceCpuBanner(cpu);
  return cpu;
}

export function silenceCpuBanner(backend: KernelBackend): void {
  if ('firstUse' in backend) (backend as { firstUse: boolean }).firstUse = false;
}
