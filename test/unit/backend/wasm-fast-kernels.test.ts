import type * as T from '@tensorflow/tfjs';
import { initBackend } from '../../../src/backend/init';
import { bitsOf, differing, values } from '../../helpers/values';
import {
  FAST_KERNELS,
  fusedMatMulSparse,
  registerWasmFastKernels,
  unregisterWasmFastKernels,
} from '../../../src/backend/wasm-fast-kernels';

type Tf = typeof import('@tensorflow/tfjs');

let tf: Tf;

beforeAll(async () => {
  tf = (await initBackend('wasm')).tf;
});

afterEach(async () => {
  registerWasmFastKernels(tf);
  await tf.setBackend('wasm');
});

/** Runs fn with tfjs-backend-wasm's own kernels in place, then puts mlpath's back. */
function stock<R>(fn: () => R): R {
  unregisterWasmFastKernels(tf);
  try {
    return fn();
  } finally {
    registerWasmFastKernels(tf);
  }
}

/** max |a - b| / max |b|. */
function relError(actual: number[], expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let diff = 0;
  let scale = 1e-30;
  for (let i = 0; i < actual.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return diff / scale;
}

function matMul64(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  ta: boolean,
  tb: boolean,
): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
      out[i * n + j] = s;
    }
  }
  return out;
}

describe('registration', () => {
  it('wraps the kernels once and can put the stock ones back', () => {
    expect(registerWasmFastKernels(tf)).toEqual([]);
    const wrapped = FAST_KERNELS.map((k) => tf.getKernel(k, 'wasm').kernelFunc);
    expect(unregisterWasmFastKernels(tf).sort()).toEqual([...FAST_KERNELS].sort());
    FAST_KERNELS.forEach((k, i) => expect(tf.getKernel(k, 'wasm').kernelFunc).not.toBe(wrapped[i]));
    expect(registerWasmFastKernels(tf).sort()).toEqual([...FAST_KERNELS].sort());
  });
});

describe('GatherV2 by row copies', () => {
  const cases: Array<{
    name: string;
    shape: number[];
    dtype: 'float32' | 'int32' | 'bool';
    indices: number[] | number[][];
    axis: number;
  }> = [
    {
      name: 'rows of a matrix, repeated and out of order',
      shape: [50, 40],
      dtype: 'float32',
      indices: [7, 0, 49, 7, 3],
      axis: 0,
    },
    { name: 'axis 1 of a 3-d tensor', shape: [3, 20, 16], dtype: 'float32', indices: [19, 2, 2, 0], axis: 1 },
    {
      name: '2-d indices',
      shape: [10, 32],
      dtype: 'int32',
      indices: [
        [1, 2],
        [9, 0],
      ],
      axis: 0,
    },
    { name: 'bool rows', shape: [6, 80], dtype: 'bool', indices: [5, 1], axis: 0 },
    {
      name: 'rows of 83 bytes (a copy that ends off a 16-byte step)',
      shape: [6, 83],
      dtype: 'bool',
      indices: [5, 1, 5],
      axis: 0,
    },
    {
      name: 'an embedding lookup: 2-d ids into rows of 16',
      shape: [400, 16],
      dtype: 'float32',
      indices: Array.from({ length: 12 }, (_, r) => Array.from({ length: 30 }, (_, c) => (r * 131 + c * 17) % 400)),
      axis: 0,
    },
    {
      name: 'axis 1 with 3 outer blocks of 17-float rows',
      shape: [3, 9, 17],
      dtype: 'float32',
      indices: [8, 0, 4],
      axis: 1,
    },
    { name: 'rows too small to copy (stock path)', shape: [30, 3], dtype: 'float32', indices: [4, 29, 0], axis: 0 },
  ];
  it.each(cases)('is bit-identical to the stock kernel: $name', ({ shape, dtype, indices, axis }) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const raw = values(size, 3);
    const x =
      dtype === 'bool'
        ? tf.tensor(
            raw.map((v) => (v > 0 ? 1 : 0)),
            shape,
            'bool',
          )
        : dtype === 'int32'
          ? tf.tensor(
              raw.map((v) => Math.round(v * 1000)),
              shape,
              'int32',
            )
          : tf.tensor(raw, shape);
    const idx = tf.tensor(indices, undefined, 'int32');
    const ours = tf.gather(x, idx, axis);
    const theirs = stock(() => tf.gather(x, idx, axis));
    expect(ours.shape).toEqual(theirs.shape);
    expect(ours.dtype).toBe(theirs.dtype);
    expect(Array.from(ours.dataSync())).toEqual(Array.from(theirs.dataSync()));
    tf.dispose([x, idx, ours, theirs]);
  });

  it('rejects an index out of range with the stock message', () => {
    const x = tf.tensor2d(values(400, 4), [20, 20]);
    expect(() => tf.gather(x, tf.tensor1d([3, 20], 'int32'))).toThrow('GatherV2: the index value 20 is not in [0, 19]');
    expect(() => tf.gather(x, tf.tensor1d([-1], 'int32'))).toThrow('GatherV2: the index value -1 is not in [0, 19]');
    x.dispose();
  });

  it('refuses tensors whose data is not the dtype or size they claim (made with makeTensorFromDataId), and goes on working', () => {
    const x = tf.tensor2d(values(4 * 16, 8), [4, 16]);
    const floats = tf.tensor1d([1, 2], 'float32');
    const many = tf.tensor1d(new Int32Array(64), 'int32');
    const small = tf.tensor2d(values(16, 9), [1, 16]);
    const claim = (t: T.Tensor, shape: number[], dtype: T.DataType): T.Tensor =>
      tf.engine().makeTensorFromDataId(t.dataId, shape, dtype);
    expect(() => tf.gather(x, claim(floats, [2], 'int32'))).toThrow(
      'GatherV2: a tensor of dtype int32 holds float32 data.',
    );
    expect(() => tf.gather(x, claim(many, [1], 'int32'))).toThrow(
      'GatherV2: a tensor of shape [1] holds 64 entries, not 1.',
    );
    expect(() => tf.gather(claim(small, [4096, 16], 'float32'), tf.tensor1d([3000], 'int32'))).toThrow(
      'GatherV2: a tensor of shape [4096,16] holds 16 entries, not 65536.',
    );
    // Every kernel mlpath adds checks its inputs so: a bias add, a sum, the filter gradient.
    const big = claim(small, [4096, 16], 'float32');
    expect(() => tf.add(big, tf.tensor1d(values(16, 10)))).toThrow('Add: a tensor of shape [4096,16] holds 16 entries');
    expect(() => tf.sum(big, 0)).toThrow('Sum: a tensor of shape [4096,16] holds 16 entries');
    const image = claim(small, [1, 64, 64, 4], 'float32');
    const dy = tf.zeros([1, 62, 62, 4]);
    expect(() =>
      tf.engine().runKernel(
        'Conv2DBackpropFilter',
        { x: image, dy },
        {
          strides: 1,
          pad: 'valid',
          dataFormat: 'NHWC',
          dilations: 1,
          filterShape: [3, 3, 4, 4],
        },
      ),
    ).toThrow('Conv2DBackpropFilter: a tensor of shape [1,64,64,4] holds 16 entries');
    dy.dispose();
    // A reshape shares its data under another shape of the same size: still gathered.
    const rows = tf.gather(tf.reshape(x, [2, 2, 16]), tf.tensor1d([1], 'int32'));
    expect(Array.from(rows.dataSync())).toEqual(Array.from(x.dataSync().slice(32)));
    expect(tf.sum(x).dataSync()[0]).toBeCloseTo(
      values(64, 8).reduce((a, b) => a + b, 0),
      3,
    );
    tf.dispose([x, floats, many, small, rows]);
  });

  it('reads each input of a direct kernel call once: getters cannot show the check one tensor and the copy another', () => {
    const real = tf.tensor2d(new Float32Array(8 * 16).fill(1), [8, 16]);
    const tiny = tf.tensor2d(new Float32Array(16).fill(5), [1, 16]);
    const secret = tf.tensor1d(new Float32Array(4096).fill(4242.5));
    let reads = 0;
    const x = {
      shape: [8, 16],
      dtype: 'float32',
      get dataId() {
        return reads++ === 0 ? real.dataId : tiny.dataId;
      },
    };
    const run = (inputs: object, attrs: object): T.Tensor =>
      tf.engine().runKernel<T.Tensor>('GatherV2', inputs as T.NamedTensorMap, attrs as T.NamedAttrMap);
    const out = run({ x, indices: tf.tensor1d([7], 'int32') }, { axis: 0, batchDims: 0 });
    expect(reads).toBe(1);
    expect(Array.from(out.dataSync())).toEqual(new Array(16).fill(1));
    // Indices whose shape shrinks after the check: the output and the copy follow the one shape read.
    const many = tf.tensor1d(new Int32Array(256), 'int32');
    let shapeReads = 0;
    const indices = {
      dataId: many.dataId,
      dtype: 'int32',
      get shape() {
        return shapeReads++ === 0 ? [256] : [1];
      },
    };
    const rows = run({ x: real, indices }, { axis: 0, batchDims: 0 });
    expect(rows.shape).toEqual([256, 16]);
    expect(Array.from(secret.dataSync().slice(0, 4))).toEqual([4242.5, 4242.5, 4242.5, 4242.5]);
    expect(() =>
      tf.engine().runKernel(
        'GatherV2',
        {
          x: tf.engine().makeTensorFromDataId(real.dataId, [0.5, 16, 16], 'float32'),
          indices: tf.tensor1d([0], 'int32'),
        },
        { axis: 1, batchDims: 0 },
      ),
    ).toThrow('GatherV2: a tensor of shape [0.5,16,16], not whole numbers of at least 0.');
    expect(() =>
      run({ x: tf.tensor1d(['a', 'b']), indices: tf.tensor1d([1], 'int32') }, { axis: 0, batchDims: 0 }),
    ).toThrow('GatherV2: the wasm backend cannot gather a string tensor.');
    tf.dispose([real, tiny, secret, out, many, rows]);
  });

  it("runs none of the caller's code after its check: attributes are copied first, tf.util as registration found it", () => {
    const x = tf.tensor2d(values(8 * 16, 11), [8, 16]);
    const util = tf.util as unknown as Record<string, unknown>;
    const stockParse = util.parseAxisParam;
    let ran = 0;
    util.parseAxisParam = (...a: unknown[]) => {
      ran++;
      return (stockParse as (...b: unknown[]) => unknown)(...a);
    };
    let order = '';
    const attrs = {
      get axis() {
        order += 'attrs ';
        return 0;
      },
      batchDims: 0,
    };
    const indices = {
      get dataId() {
        order += 'inputs ';
        return idx.dataId;
      },
      shape: [2],
      dtype: 'int32',
    };
    const idx = tf.tensor1d([7, 0], 'int32');
    try {
      const out = tf.engine().runKernel<T.Tensor>('GatherV2', { x, indices } as never, attrs);
      expect(Array.from(out.dataSync())).toEqual([...x.dataSync().slice(112), ...x.dataSync().slice(0, 16)]);
      out.dispose();
    } finally {
      util.parseAxisParam = stockParse;
    }
    expect(ran).toBe(0);
    expect(order).toBe('attrs inputs ');
    tf.dispose([x, idx]);
  });

  it('refuses an attribute that is a function, and copies the indices the checks read, not a replaced readSync', () => {
    const x = tf.tensor2d(values(8 * 16, 12), [8, 16]);
    const idx = tf.tensor1d([5], 'int32');
    const axis = Object.assign(() => 0, { valueOf: () => 0 });
    expect(() => tf.gather(x, idx, axis as unknown as number)).toThrow(
      'GatherV2: an attribute that is a function, which no kernel takes.',
    );
    const backend = tf.backend() as unknown as { readSync: (id: object) => unknown };
    const readSync = backend.readSync;
    backend.readSync = () => Int32Array.of(0);
    try {
      const rows = tf.gather(x, tf.tensor1d([100000000], 'int32'));
      rows.dispose();
      throw new Error('an index past x was gathered');
    } catch (err) {
      expect(String(err)).toContain('GatherV2: index 0 is not in [0, 7]');
    } finally {
      backend.readSync = readSync;
    }
    tf.dispose([x, idx]);
  });

  it('refuses what only a direct kernel call can pass: float indices, on which wasm traps', () => {
    const x = tf.tensor2d(values(64 * 8, 5), [64, 8]);
    const run = (indices: T.Tensor) => () =>
      tf.engine().runKernel('GatherV2', { x, indices }, { axis: 0, batchDims: 0 });
    expect(run(tf.tensor1d([1.5, 2], 'float32'))).toThrow('GatherV2: indices must be int32, got float32.');
    expect(tf.add(x, 1).dataSync()[0]).toBe(x.dataSync()[0] + 1);
    x.dispose();
  });

  it('takes the batches of model.fit', async () => {
    const xs = tf.tensor2d(values(40 * 30, 5), [40, 30]);
    const ys = tf.tensor2d(values(40 * 2, 6), [40, 2]);
    const fitOnce = async (): Promise<number[]> => {
      const model = tf.sequential({
        layers: [
          tf.layers.dense({
            inputShape: [30],
            units: 2,
            kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
          }),
        ],
      });
      model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      // model.fit shuffles with Math.random: the same order for both runs.
      const random = jest.spyOn(Math, 'random').mockReturnValue(0.25);
      try {
        const h = await model.fit(xs, ys, { epochs: 2, batchSize: 8, shuffle: true, verbose: 0 });
        return h.history.loss.map(Number);
      } finally {
        random.mockRestore();
        model.dispose();
      }
    };
    const ours = await fitOnce();
    unregisterWasmFastKernels(tf);
    const theirs = await fitOnce();
    registerWasmFastKernels(tf);
    tf.dispose([xs, ys]);
    expect(ours.length).toBe(2);
    expect(relError(ours, theirs)).toBeLessThan(1e-5);
  });
});

describe('Slice inside wasm memory', () => {
  const make = (shape: number[], dtype: 'float32' | 'int32' | 'bool', seed: number): T.Tensor => {
    const raw = values(
      shape.reduce((a, b) => a * b, 1),
      seed,
    );
    if (dtype === 'bool')
      return tf.tensor(
        Array.from(raw, (v) => (v > 0 ? 1 : 0)),
        shape,
        'bool',
      );
    if (dtype === 'int32')
      return tf.tensor(
        Array.from(raw, (v) => Math.round(v * 1000)),
        shape,
        'int32',
      );
    return tf.tensor(raw, shape);
  };
  const cases: Array<{
    name: string;
    shape: number[];
    dtype: 'float32' | 'int32' | 'bool';
    begin: number[];
    size: number[];
  }> = [
    { name: 'a batch of rows', shape: [100, 40], dtype: 'float32', begin: [64, 0], size: [32, -1] },
    { name: 'one column (runs of one element)', shape: [30, 7], dtype: 'float32', begin: [0, 3], size: [-1, 1] },
    { name: 'a block of a matrix', shape: [20, 30], dtype: 'int32', begin: [3, 5], size: [10, 20] },
    { name: 'whole tensor', shape: [5, 6], dtype: 'float32', begin: [0, 0], size: [-1, -1] },
    {
      name: 'inner block of a 4-d tensor',
      shape: [3, 8, 9, 4],
      dtype: 'float32',
      begin: [1, 2, 3, 0],
      size: [2, 5, 4, 4],
    },
    { name: 'last axis cut in 4-d', shape: [2, 5, 6, 7], dtype: 'int32', begin: [0, 1, 0, 2], size: [2, 3, 6, 4] },
    { name: 'bool rows', shape: [10, 70], dtype: 'bool', begin: [4, 0], size: [3, 70] },
    { name: 'a vector', shape: [50], dtype: 'float32', begin: [7], size: [30] },
    { name: 'empty', shape: [10, 4], dtype: 'float32', begin: [2, 0], size: [0, 4] },
  ];
  it.each(cases)('is bit-identical to the stock kernel: $name', ({ shape, dtype, begin, size }) => {
    const x = make(shape, dtype, 7);
    const ours = tf.slice(x, begin, size);
    const theirs = stock(() => tf.slice(x, begin, size));
    expect(ours.shape).toEqual(theirs.shape);
    expect(ours.dtype).toBe(theirs.dtype);
    expect(Array.from(ours.dataSync())).toEqual(Array.from(theirs.dataSync()));
    tf.dispose([x, ours, theirs]);
  });

  it('matches the stock kernel on random slices of random shapes', () => {
    let s = 12345;
    const next = (n: number): number => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return s % n;
    };
    for (let t = 0; t < 200; t++) {
      const rank = 1 + next(5);
      const shape = Array.from({ length: rank }, () => 1 + next(6));
      const begin = shape.map((d) => next(d));
      const size = shape.map((d, i) => 1 + next(d - begin[i]));
      const x = make(shape, t % 3 === 0 ? 'int32' : 'float32', t);
      const ours = tf.slice(x, begin, size);
      const theirs = stock(() => tf.slice(x, begin, size));
      expect(Array.from(ours.dataSync())).toEqual(Array.from(theirs.dataSync()));
      tf.dispose([x, ours, theirs]);
    }
  });

  it('refuses a slice past the tensor or with a negative or fractional start that only a direct kernel call can ask for', () => {
    // The tensor just before x in wasm memory: a slice starting before x would read it.
    const before = tf.fill([64], 4242);
    const x = tf.tensor2d(values(64 * 8, 6), [64, 8]);
    const slice = (begin: number[], size: number[]) => () =>
      tf.engine().runKernel<T.Tensor>('Slice', { x }, { begin, size }).dispose();
    expect(slice([-2, 0], [2, 8])).toThrow(/must be whole numbers of at least 0/);
    expect(slice([0.5, 0], [2, 8])).toThrow(/must be whole numbers of at least 0/);
    expect(slice([63, 0], [4, 8])).toThrow(/would overflow input.shape\[0\]/);
    expect(slice([0, 6], [3, 4])).toThrow(/would overflow input.shape\[1\]/);
    expect(Array.from(before.dataSync()).every((v) => v === 4242)).toBe(true);
    tf.dispose([before, x]);
  });

  it('keeps the stock kernel for strings', () => {
    const words = tf.tensor(['a', 'bb', 'ccc', 'd'], [4], 'string');
    const part = tf.slice(words, [1], [2]);
    expect(part.arraySync()).toEqual(['bb', 'ccc']);
    tf.dispose([words, part]);
  });

  it('leaves the input intact and frees the slice on dispose', () => {
    const x = make([40, 30], 'float32', 9);
    const before = Array.from(x.dataSync());
    const tensors = tf.memory().numTensors;
    const part = tf.slice(x, [10, 0], [5, -1]);
    part.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(Array.from(x.dataSync())).toEqual(before);
    x.dispose();
  });

  it('gives model.predict the same batches', () => {
    const model = tf.sequential();
    model.add(
      tf.layers.dense({ inputShape: [12], units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
    );
    const xs = tf.tensor2d(values(70 * 12, 8), [70, 12]);
    const ours = model.predict(xs, { batchSize: 16 }) as T.Tensor;
    const theirs = stock(() => model.predict(xs, { batchSize: 16 }) as T.Tensor);
    expect(Array.from(ours.dataSync())).toEqual(Array.from(theirs.dataSync()));
    tf.dispose([xs, ours, theirs]);
    model.dispose();
  });
});

describe('BatchMatMul with a transposed operand', () => {
  const cases: Array<[number, number, number, boolean, boolean]> = [
    [784, 64, 128, true, false], // the gradient of a dense layer's kernel
    [64, 128, 784, false, true], // the gradient of a dense layer's input
    [96, 80, 70, true, true],
  ];
  it.each(cases)(
    'm=%i k=%i n=%i transposeA=%s transposeB=%s agrees with float64 as closely as the stock kernel',
    (m, k, n, ta, tb) => {
      const a = tf.tensor2d(values(m * k, 7), ta ? [k, m] : [m, k]);
      const b = tf.tensor2d(values(k * n, 8), tb ? [n, k] : [k, n]);
      const exact = matMul64(a.dataSync() as Float32Array, b.dataSync() as Float32Array, m, k, n, ta, tb);
      const ours = tf.matMul(a, b, ta, tb);
      const theirs = stock(() => tf.matMul(a, b, ta, tb));
      expect(ours.shape).toEqual([m, n]);
      const oursErr = relError(Array.from(ours.dataSync()), exact);
      // float32 accumulation over k terms: a few ulps times sqrt(k).
      expect(oursErr).toBeLessThan(4 * 2 ** -24 * Math.sqrt(k) * 4);
      expect(relError(Array.from(ours.dataSync()), theirs.dataSync())).toBeLessThan(1e-5);
      tf.dispose([a, b, ours, theirs]);
    },
  );

  it('keeps the stock kernel for batched and tiny products, with the same results', () => {
    const a = tf.tensor3d(values(2 * 5 * 4, 9), [2, 5, 4]);
    const b = tf.tensor3d(values(2 * 5 * 3, 10), [2, 5, 3]);
    const ours = tf.matMul(a, b, true, false);
    const theirs = stock(() => tf.matMul(a, b, true, false));
    expect(Array.from(ours.dataSync())).toEqual(Array.from(theirs.dataSync()));
    tf.dispose([a, b, ours, theirs]);
  });

  it('handles an unbatched rank-3 product ([1, m, k])', () => {
    const a = tf.tensor3d(values(1 * 40 * 60, 11), [1, 40, 60]);
    const b = tf.tensor3d(values(1 * 50 * 60, 12), [1, 50, 60]);
    const ours = tf.matMul(a, b, false, true);
    const exact = matMul64(a.dataSync() as Float32Array, b.dataSync() as Float32Array, 40, 60, 50, false, true);
    expect(ours.shape).toEqual([1, 40, 50]);
    expect(relError(Array.from(ours.dataSync()), exact)).toBeLessThan(1e-5);
    tf.dispose([a, b, ours]);
  });
});

describe('Conv2DBackpropInput as a convolution', () => {
  type Pad = 'valid' | 'same' | number;
  const cases: Array<{
    name: string;
    x: [number, number, number, number];
    f: [number, number, number, number];
    strides: number;
    pad: Pad;
  }> = [
    { name: 'valid 3x3, as in the small CNN', x: [4, 13, 13, 8], f: [3, 3, 8, 16], strides: 1, pad: 'valid' },
    { name: 'same 3x3', x: [2, 9, 8, 3], f: [3, 3, 3, 4], strides: 1, pad: 'same' },
    // Square filter: tfjs computes the output width of a numeric padding from the filter height.
    { name: 'explicit padding 1, 5x5 filter', x: [2, 10, 7, 2], f: [5, 5, 2, 3], strides: 1, pad: 1 },
    { name: 'stride 2 (stock path)', x: [2, 9, 9, 3], f: [3, 3, 3, 4], strides: 2, pad: 'same' },
  ];
  it.each(cases)('matches the cpu backend: $name', async ({ x, f, strides, pad }) => {
    const grads = (): number[] =>
      tf.tidy(() => {
        const xs = tf.tensor4d(
          values(
            x.reduce((a, b) => a * b, 1),
            13,
          ),
          x,
        );
        const w = tf.tensor4d(
          values(
            f.reduce((a, b) => a * b, 1),
            14,
          ),
          f,
        );
        const dx = tf.grad((input: T.Tensor) =>
          tf
            .conv2d(input as T.Tensor4D, w, strides, pad as 'same')
            .square()
            .sum(),
        )(xs);
        return Array.from(dx.dataSync());
      });
    const ours = grads();
    await initBackend('cpu');
    const cpu = grads();
    await initBackend('wasm');
    expect(relError(ours, cpu)).toBeLessThan(1e-5);
  });

  it('leaves no temporary behind', () => {
    const dy = tf.tensor4d(values(2 * 6 * 6 * 4, 15), [2, 6, 6, 4]);
    const w = tf.tensor4d(values(3 * 3 * 2 * 4, 16), [3, 3, 2, 4]);
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', inputShape: [2, 6, 6, 2] };
    tf.engine().runKernel<T.Tensor>('Conv2DBackpropInput', { dy, filter: w }, attrs).dispose();
    const before = { ...tf.memory(), ids: tf.backend().numDataIds() };
    for (let i = 0; i < 5; i++)
      tf.engine().runKernel<T.Tensor>('Conv2DBackpropInput', { dy, filter: w }, attrs).dispose();
    expect({ ...tf.memory(), ids: tf.backend().numDataIds() }).toEqual(before);
    tf.dispose([dy, w]);
  });

  it('refuses an inputShape past wasm memory, which only a direct kernel call can pass, and takes an empty batch', () => {
    const dy = tf.ones([1, 1, 1, 4]);
    const w = tf.ones([1, 1, 1, 4]);
    const attrs = (inputShape: number[]) => ({ strides: 1, pad: 'valid', dataFormat: 'NHWC', inputShape });
    const run = (inputShape: number[]) => () =>
      tf.engine().runKernel<T.Tensor>('Conv2DBackpropInput', { dy, filter: w }, attrs(inputShape)).dispose();
    expect(run([1, 65537, 16384, 1])).toThrow(/inputShape must be 4 whole numbers/);
    expect(run([1, -1, 1, 1])).toThrow(/inputShape must be 4 whole numbers/);
    expect(tf.add(dy, 1).dataSync()[0]).toBe(2);
    // The gradient of a convolution of an empty batch is empty, as before the check.
    const x = tf.zeros<T.Rank.R4>([0, 5, 5, 2]);
    const g = tf.grad((t: T.Tensor) => tf.conv2d(t as T.Tensor4D, tf.ones([3, 3, 2, 4]), 1, 'same').sum())(x);
    expect(g.shape).toEqual([0, 5, 5, 2]);
    tf.dispose([dy, w, x, g]);
  });
});

describe('BatchMatMul with a mostly-zero left operand (the sparse kernel)', () => {
  /** values() with all but about `density` of them set to zero, as pixels or ReLU outputs are. */
  function sparse(n: number, seed: number, density: number): Float32Array {
    const v = values(n, seed);
    const keep = values(n, seed + 1000);
    return v.map((x, i) => (Math.abs(keep[i]) < density ? x : 0));
  }

  it('gives the stock product bit for bit, plain and with the left operand transposed', () => {
    const x = tf.tensor2d(sparse(64 * 784, 21, 0.2), [64, 784]);
    const w = tf.tensor2d(values(784 * 128, 22), [784, 128]);
    const dy = tf.tensor2d(values(64 * 128, 23), [64, 128]);
    const ours = tf.matMul(x, w);
    const theirs = stock(() => tf.matMul(x, w));
    expect(Array.from(ours.dataSync())).toEqual(Array.from(theirs.dataSync()));
    // transpose(x) . dy: the stock path here is a transpose, then XNNPACK's plain product.
    const xt = tf.transpose(x);
    const oursT = tf.matMul(x, dy, true, false);
    const theirsT = stock(() => tf.matMul(xt, dy));
    expect(oursT.shape).toEqual([784, 128]);
    expect(Array.from(oursT.dataSync())).toEqual(Array.from(theirsT.dataSync()));
    tf.dispose([x, w, dy, ours, theirs, xt, oursT, theirsT]);
  });

  it('agrees with float64 on odd sizes (column tails of 4 and of 1)', () => {
    const [m, k, n] = [37, 300, 45];
    const a = tf.tensor2d(sparse(m * k, 24, 0.1), [m, k]);
    const b = tf.tensor2d(values(k * n, 25), [k, n]);
    const exact = matMul64(a.dataSync() as Float32Array, b.dataSync() as Float32Array, m, k, n, false, false);
    const ours = tf.matMul(a, b);
    expect(relError(Array.from(ours.dataSync()), exact)).toBeLessThan(1e-6);
    tf.dispose([a, b, ours]);
  });

  it('reads a transposed left operand down its columns with the terms of a transposed copy, on odd sizes', () => {
    // [k, m] read as its transpose [m, k]: m = 45 leaves output rows past any multiple of 4 in the input's rows.
    for (const [k, m, n] of [
      [37, 45, 45],
      [64, 784, 128],
      [300, 33, 7],
    ]) {
      const a = tf.tensor2d(sparse(k * m, 30 + k, 0.2), [k, m]);
      const b = tf.tensor2d(values(k * n, 31 + k), [k, n]);
      const at = tf.transpose(a);
      const ours = tf.matMul(a, b, true, false);
      // The plain sparse kernel on a transposed copy, and the stock kernel: the same bits.
      const copied = tf.matMul(at, b);
      const theirs = stock(() => tf.matMul(at, b));
      expect(ours.shape).toEqual([m, n]);
      expect(differing(bitsOf(ours), bitsOf(copied))).toBe(0);
      expect(differing(bitsOf(ours), bitsOf(theirs))).toBe(0);
      tf.dispose([a, b, at, ours, copied, theirs]);
    }
  });

  it('keeps the NaN that zero times an infinite or NaN right operand makes', () => {
    const a = tf.tensor2d(sparse(32 * 600, 26, 0.1), [32, 600]);
    const bValues = values(600 * 16, 27);
    bValues[5 * 16 + 3] = Infinity;
    bValues[7 * 16 + 9] = NaN;
    const b = tf.tensor2d(bValues, [600, 16]);
    const ours = Array.from(tf.matMul(a, b).dataSync());
    const theirs = Array.from(stock(() => tf.matMul(a, b)).dataSync());
    expect(ours.filter(Number.isNaN).length).toBeGreaterThan(0);
    expect(ours.map(Number.isNaN)).toEqual(theirs.map(Number.isNaN));
    tf.dispose([a, b]);
  });

  it('keeps the shape of an unbatched rank-3 product', () => {
    const a = tf.tensor3d(sparse(40 * 600, 28, 0.1), [1, 40, 600]);
    const b = tf.tensor2d(values(600 * 20, 29), [600, 20]);
    const ours = tf.matMul(a, b);
    const theirs = stock(() => tf.matMul(a, b));
    expect(ours.shape).toEqual(theirs.shape);
    expect(Array.from(ours.dataSync())).toEqual(Array.from(theirs.dataSync()));
    tf.dispose([a, b, ours, theirs]);
  });
});

describe("_FusedMatMul with a mostly-zero left operand (a dense layer's forward pass)", () => {
  function sparse(n: number, seed: number, density: number): Float32Array {
    const v = values(n, seed);
    const keep = values(n, seed + 1000);
    return v.map((x, i) => (Math.abs(keep[i]) < density ? x : 0));
  }

  it.each([
    ['relu with a bias', 'relu', true, 64, 128],
    ['relu with a bias, ten outputs', 'relu', true, 300, 10],
    ['relu without a bias', 'relu', false, 2000, 130],
    ['relu without a bias, odd sizes', 'relu', false, 37, 45],
    ['linear (the stock kernel)', 'linear', true, 64, 20],
  ] as const)('gives the stock result bit for bit: %s', (_, activation, withBias, m, n) => {
    const x = tf.tensor2d(sparse(m * 784, 31, 0.2), [m, 784]);
    const w = tf.tensor2d(values(784 * n, 32), [784, n]);
    const bias = withBias ? tf.tensor1d(values(n, 33)) : undefined;
    const ours = tf.fused.matMul({ a: x, b: w, bias, activation });
    const theirs = stock(() => tf.fused.matMul({ a: x, b: w, bias, activation }));
    expect(ours.shape).toEqual([m, n]);
    expect(Array.from(ours.dataSync())).toEqual(Array.from(theirs.dataSync()));
    if (activation === 'relu') {
      const got = Array.from(ours.dataSync());
      expect(got.every((v) => v >= 0) && got.some((v) => v === 0)).toBe(true);
    }
    tf.dispose([x, w, ours, theirs, ...(bias ? [bias] : [])]);
  });

  it('gives relu of a NaN, infinite or exactly zero sum as the stock kernel does: +0', () => {
    const [m, k, n] = [8, 784, 32];
    const left = sparse(m * k, 39, 0.2);
    left[3] = NaN; // row 0: a NaN sum
    left[k + 5] = Infinity; // row 1: an infinite sum, of either sign
    left.fill(0, 2 * k, 3 * k); // row 2: only the bias
    const a = tf.tensor2d(left, [m, k]);
    const b = tf.tensor2d(values(k * n, 40), [k, n]);
    const biasValues = values(n, 41);
    biasValues[0] = -0;
    biasValues[1] = NaN;
    const bias = tf.tensor1d(biasValues);
    const ours = tf.fused.matMul({ a, b, bias, activation: 'relu' });
    const theirs = stock(() => tf.fused.matMul({ a, b, bias, activation: 'relu' }));
    const bits = (t: T.Tensor): number[] => Array.from(new Uint32Array((t.dataSync() as Float32Array).slice().buffer));
    expect(bits(ours)).toEqual(bits(theirs));
    expect(Object.is(ours.dataSync()[2 * n], 0)).toBe(true);
    tf.dispose([a, b, bias, ours, theirs]);
  });

  it("stays off where the stock kernel's relu keeps a NaN (XNNPACK's clamp on hosts other than x86)", () => {
    const stockConfig = (tf.getKernel('_FusedMatMul', 'wasm') as T.KernelConfig & { mlpathStock: T.KernelConfig })
      .mlpathStock;
    // A stand-in for such a host's stock kernel: its relu passes everything through, NaN included.
    const keepsNaN: T.KernelFunc = (args) =>
      stockConfig.kernelFunc({ ...args, attrs: { ...args.attrs, activation: 'linear' } });
    const a = tf.tensor2d(sparse(64 * 784, 42, 0.2), [64, 784]);
    const b = tf.tensor2d(values(784 * 32, 43), [784, 32]);
    const run = (kernelFunc: T.KernelFunc): number[] => {
      tf.unregisterKernel('_FusedMatMul', 'wasm');
      tf.registerKernel({ ...stockConfig, kernelFunc: fusedMatMulSparse(kernelFunc) });
      try {
        const out = tf.fused.matMul({ a, b, activation: 'relu' });
        const got = Array.from(out.dataSync());
        out.dispose();
        return got;
      } finally {
        tf.unregisterKernel('_FusedMatMul', 'wasm');
        tf.registerKernel(stockConfig);
      }
    };
    // With x86's stock kernel the sparse path runs and clamps; with the stand-in it never runs.
    expect(run(stockConfig.kernelFunc).some((v) => v < 0)).toBe(false);
    expect(run(keepsNaN).some((v) => v < 0)).toBe(true);
    tf.dispose([a, b]);
  });

  it('is what model.predict of a dense relu layer runs, and it predicts as the stock kernel does', () => {
    const model = tf.sequential();
    model.add(
      tf.layers.dense({ inputShape: [784], units: 64, activation: 'relu', kernelInitializer: 'glorotUniform' }),
    );
    model.add(tf.layers.dense({ units: 10 }));
    const x = tf.tensor2d(sparse(500 * 784, 34, 0.2), [500, 784]);
    const ours = model.predict(x) as T.Tensor;
    const theirs = stock(() => model.predict(x) as T.Tensor);
    expect(Array.from(ours.dataSync())).toEqual(Array.from(theirs.dataSync()));
    tf.dispose([x, ours, theirs]);
    model.dispose();
  });

  it('keeps the stock kernel for an infinite right operand, a dense left one, or another activation', () => {
    const a = tf.tensor2d(sparse(32 * 600, 35, 0.1), [32, 600]);
    const bValues = values(600 * 16, 36);
    bValues[5 * 16 + 3] = Infinity;
    const b = tf.tensor2d(bValues, [600, 16]);
    const dense = tf.tensor2d(values(32 * 600, 37), [32, 600]);
    const finite = tf.tensor2d(values(600 * 16, 38), [600, 16]);
    for (const [left, right, activation] of [
      [a, b, 'relu'],
      [dense, finite, 'relu'],
      [a, finite, 'elu'],
    ] as const) {
      const ours = tf.fused.matMul({ a: left, b: right, activation });
      const theirs = stock(() => tf.fused.matMul({ a: left, b: right, activation }));
      expect(Array.from(ours.dataSync()).map(String)).toEqual(Array.from(theirs.dataSync()).map(String));
      tf.dispose([ours, theirs]);
    }
    tf.dispose([a, b, dense, finite]);
  });
});

describe('MaxPoolGrad of windows that do not overlap', () => {
  /** The gradient of sum(maxPool(x) * w) with respect to x, on whichever kernels are registered. */
  function poolGrad(x: T.Tensor4D, size: number, stride: number, pad: 'valid' | 'same'): number[] {
    const g = tf.grad((t: T.Tensor) => {
      const y = tf.maxPool(t as T.Tensor4D, size, stride, pad);
      return tf.sum(tf.mul(y, tf.tensor(values(y.size, 42), y.shape)));
    })(x);
    const out = Array.from(g.dataSync());
    g.dispose();
    return out;
  }

  const cases: Array<[string, number[], number, number, 'valid' | 'same']> = [
    ['2x2 stride 2 (tf.layers default)', [3, 28, 28, 8], 2, 2, 'valid'],
    ['2x2 stride 2, odd size, same padding', [2, 13, 13, 5], 2, 2, 'same'],
    ['3x3 stride 3, odd size, valid', [2, 14, 11, 3], 3, 3, 'valid'],
    ['2x2 stride 3 (gaps between windows)', [2, 12, 12, 4], 2, 3, 'valid'],
    ['3x3 stride 2 (overlapping: the stock kernel)', [2, 12, 12, 4], 3, 2, 'valid'],
  ];
  it.each(cases)('%s: the stock gradient bit for bit, ties included', (_, shape, size, stride, pad) => {
    const n = shape.reduce((p, q) => p * q, 1);
    // Rounded values and a ReLU: windows full of equal values and zeros, where which entry wins decides the output.
    const x = tf.tidy(() => tf.relu(tf.round(tf.mul(tf.tensor(values(n, 43), shape), 3))) as T.Tensor4D);
    const ours = poolGrad(x, size, stride, pad);
    const theirs = stock(() => poolGrad(x, size, stride, pad));
    expect(ours).toEqual(theirs);
    expect(ours.some((v) => v !== 0)).toBe(true);
    x.dispose();
  });

  it.each([3, 6])(
    'sends the gradient of windows with no positive entry where the stock kernel does (%i channels)',
    (channels) => {
      // The stock kernel starts its search at FLT_MIN: such a window points at the tensor's first entry.
      const shape: [number, number, number, number] = [2, 6, 7, channels];
      const x = tf.tidy(() => tf.neg<T.Tensor4D>(tf.abs(tf.tensor4d(values(2 * 6 * 7 * channels, 45), shape))));
      for (const pad of ['valid', 'same'] as const) {
        const ours = poolGrad(x, 2, 2, pad);
        expect(ours).toEqual(stock(() => poolGrad(x, 2, 2, pad)));
        expect(ours.filter((v) => v !== 0).length).toBe(1);
      }
      x.dispose();
    },
  );

  it('searches four channels at once as the stock kernel searches one: NaN, -infinity, ties and FLT_MIN per channel', () => {
    // 9 channels: two groups of four and a tail of one; each channel of a window holds another mix.
    const channels = 9;
    const data = values(2 * 4 * 6 * channels, 46);
    for (let i = 0; i < data.length; i++) {
      const pick = (i * 7 + (i >> 3)) % 6;
      if (pick === 0) data[i] = NaN;
      else if (pick === 1) data[i] = -Infinity;
      else if (pick === 2) data[i] = 1;
      else if (pick === 3)
        data[i] = 1.1754943508222875e-38; // FLT_MIN, which the search starts at
      else if (pick === 4) data[i] = 0;
    }
    const x = tf.tensor4d(data, [2, 4, 6, channels]);
    for (const pad of ['valid', 'same'] as const) {
      for (const [size, stride] of [
        [2, 2],
        [3, 3],
        [2, 3],
      ]) {
        const ours = poolGrad(x, size, stride, pad);
        expect(ours).toEqual(stock(() => poolGrad(x, size, stride, pad)));
        expect(ours.some((v) => v !== 0)).toBe(true);
      }
    }
    x.dispose();
  });

  it('passes nothing from a window of NaN or -infinity, as the stock kernel does', () => {
    const data = values(1 * 4 * 4 * 1, 44);
    data.set([NaN, NaN, NaN, NaN], 0);
    data[10] = -Infinity;
    data[11] = -Infinity;
    data[14] = -Infinity;
    data[15] = -Infinity;
    const x = tf.tensor4d(data, [1, 4, 4, 1]);
    expect(poolGrad(x, 2, 2, 'valid')).toEqual(stock(() => poolGrad(x, 2, 2, 'valid')));
    x.dispose();
  });
});
