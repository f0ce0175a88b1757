/**
 * mlpath's own wasm kernels (kernels.c), instantiated on the wasm backend's
 * memory so they work on tensors in place. Absent (undefined) where that
 * memory cannot be imported: the threaded build shares it between workers,
 * and a backend that does not expose it leaves nothing to import. Callers
 * then keep the stock kernels.
 */
import * as v8 from 'node:v8';
import { KERNELS_WASM_BASE64 } from './kernels-wasm';

/** Pointers are byte offsets into the backend's memory; float arguments are rounded to float32 on the way in. */
export interface SimdKernels {
  nonzeros(a: number, n: number): number;
  all_finite(b: number, n: number): number;
  /** idx: room for k int32 the kernel may write. */
  matmul_sparse_a(out: number, a: number, b: number, m: number, k: number, n: number, idx: number): void;
  /** out[m x n] = transpose(a[k x m]) . b[k x n]; idx: room for k int32 the kernel may write. */
  matmul_sparse_at(out: number, a: number, b: number, m: number, k: number, n: number, idx: number): void;
  /** bias: 0 for none; relu: 1 to set negative sums to 0. */
  matmul_sparse_a_fused(
    out: number,
    a: number,
    b: number,
    m: number,
    k: number,
    n: number,
    idx: number,
    bias: number,
    relu: number,
  ): void;
  max_pool_grad(
    dx: number,
    x: number,
    dy: number,
    batch: number,
    inH: number,
    inW: number,
    ch: number,
    outH: number,
    outW: number,
    fh: number,
    fw: number,
    sh: number,
    sw: number,
    padTop: number,
    padLeft: number,
  ): void;
  /** dw[fh, fw, inC, outC] of a stride (sh, sw), dilation (dh, dw) convolution; outC a multiple of 4. */
  conv2d_filter_grad(
    dw: number,
    x: number,
    dy: number,
    batch: number,
    inH: number,
    inW: number,
    inC: number,
    outH: number,
    outW: number,
    outC: number,
    fh: number,
    fw: number,
    sh: number,
    sw: number,
    dh: number,
    dwid: number,
    top: number,
    left: number,
  ): void;
  /** out[n] = the sum of the rows of x[rows x n]. */
  sum_leading(out: number, x: number, rows: number, n: number): void;
  /**
   * out = for each of outer blocks of dim rows of x, the rows idx[0..nIdx) (int32), rowBytes each. -1, or the
   * position of the first index outside [0, dim), and nothing copied.
   */
  gather_rows(out: number, x: number, idx: number, outer: number, dim: number, nIdx: number, rowBytes: number): number;
  /** out[rows x n] = x[rows x n] + v[n] on every row (v + x with vFirst 1). */
  add_row_vector(out: number, x: number, v: number, rows: number, n: number, vFirst: number): void;
  adam(
    w: number,
    g: number,
    m: number,
    v: number,
    wo: number,
    mo: number,
    vo: number,
    n: number,
    b1: number,
    omb1: number,
    b2: number,
    omb2: number,
    c1: number,
    c2: number,
    eps: number,
    neglr: number,
  ): void;
}

/** The part of tfjs-backend-wasm's emscripten module that holds its memory. */
interface EmscriptenModule {
  asm?: { memory?: unknown };
}

/** WebAssembly as Node.js has it (the project's TypeScript lib has no DOM types). */
interface Wasm {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
// Taken when the backend loads: the grader's child later replaces these to keep learner code from making wasm memory.
const { Module, Instance } = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;

const cache = new WeakMap<object, SimdKernels | null>();

/**
 * The kernels for this backend's wasm module, compiled once per module
 * (backend/init.ts compiles them as the backend starts, before any learner
 * code loads).
 */
export function simdKernels(wasm: object): SimdKernels | undefined {
  let kernels = cache.get(wasm);
  if (kernels === undefined) {
    kernels = instantiate(wasm);
    cache.set(wasm, kernels);
  }
  return kernels ?? undefined;
}

/**
 * Compiles with V8's optimizing compiler from the start. By default V8 runs
 * new wasm code through its baseline compiler until it is hot: for kernels
 * that a grader child calls for one training run, that warm-up was a third of
 * the run. The flag is set for this one small module and put back at once.
 */
function optimized<T>(compile: () => T): T {
  v8.setFlagsFromString('--no-liftoff');
  try {
    return compile();
  } finally {
    v8.setFlagsFromString('--liftoff');
  }
}

function instantiate(wasm: EmscriptenModule): SimdKernels | null {
  const memory = wasm.asm?.memory;
  // Tags, not instanceof: under a test runner the backend's memory may come from another realm.
  if (Object.prototype.toString.call(memory) !== '[object WebAssembly.Memory]') return null;
  if (Object.prototype.toString.call((memory as { buffer: unknown }).buffer) !== '[object ArrayBuffer]') return null;
  try {
    const module = optimized(() => new Module(Buffer.from(KERNELS_WASM_BASE64, 'base64')));
    const instance = new Instance(module, { env: { memory } });
    return instance.exports as SimdKernels;
  } catch {
    // A runtime without wasm SIMD: the stock kernels.
    return null;
  }
}
