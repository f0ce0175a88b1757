import type * as T from '@tensorflow/tfjs';
import { initBackend } from '../../../src/backend/init';
import { values } from '../../helpers/values';
import { registerWasmGapKernels, CPU_BRIDGED_KERNELS } from '../../../src/backend/wasm-kernels';

type Tf = typeof import('@tensorflow/tfjs');
type Pad = 'valid' | 'same' | [[number, number], [number, number], [number, number], [number, number]];
type Nested = number | Nested[];

let tf: Tf;

beforeAll(async () => {
  tf = (await initBackend('wasm')).tf;
});

afterEach(async () => {
  await tf.setBackend('wasm');
});

function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Runs fn on the named backend and returns plain arrays, so nothing outlives the switch. */
async function on<T>(backend: 'wasm' | 'cpu', fn: () => T): Promise<T> {
  await initBackend(backend);
  return fn();
}

function flat(a: Nested): number[] {
  return Array.isArray(a) ? a.flatMap(flat) : [a];
}

/** max |a - b| / max |b|: relative to the gradient's scale, robust to entries near zero. */
function relError(actual: Nested, expected: Nested): number {
  const a = flat(actual);
  const b = flat(expected);
  expect(a.length).toBe(b.length);
  const scale = Math.max(...b.map(Math.abs), 1e-12);
  return Math.max(...a.map((v, i) => Math.abs(v - b[i]))) / scale;
}

describe('Conv2DBackpropFilter on wasm', () => {
  it('is registered on wasm after initBackend', () => {
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });

  const cases: Array<{ name: string; x: number[]; f: number[]; strides: number | [number, number]; pad: Pad }> = [
    { name: 'valid, stride 1', x: [2, 9, 8, 3], f: [3, 3, 3, 4], strides: 1, pad: 'valid' },
    { name: 'same, stride 1', x: [2, 9, 8, 3], f: [3, 3, 3, 4], strides: 1, pad: 'same' },
    { name: 'valid, stride 2', x: [3, 11, 10, 2], f: [3, 3, 2, 5], strides: 2, pad: 'valid' },
    { name: 'same, stride 2, even input', x: [3, 10, 12, 2], f: [4, 3, 2, 5], strides: 2, pad: 'same' },
    { name: 'same, strides [2, 1], 5x5 filter', x: [2, 13, 7, 1], f: [5, 5, 1, 3], strides: [2, 1], pad: 'same' },
    {
      name: 'explicit padding',
      x: [2, 7, 6, 2],
      f: [3, 2, 2, 3],
      strides: 1,
      pad: [
        [0, 0],
        [1, 2],
        [0, 1],
        [0, 0],
      ],
    },
  ];

  type Conv = (typeof cases)[number];

  /** The filter gradient of sum(conv2d(x, f)^2), on whichever backend is active, as nested arrays. */
  function filterGradOf({ x, f, strides, pad }: Conv, seed: number): () => Nested {
    const xv = values(size(x), seed);
    const fv = values(size(f), seed + 1);
    return () =>
      tf.tidy(() => {
        const input = tf.tensor4d(xv, x as [number, number, number, number]);
        const loss = (w: T.Tensor) =>
          tf
            .conv2d(input, w as T.Tensor4D, strides, pad)
            .square()
            .sum();
        return tf
          .grad(loss)(tf.tensor4d(fv, f as [number, number, number, number]))
          .arraySync();
      });
  }

  it.each(cases)('matches the cpu filter gradient of a CNN loss: $name', async (conv) => {
    const grad = filterGradOf(conv, 1);
    const wasm = await on('wasm', grad);
    const cpu = await on('cpu', grad);
    expect(relError(wasm, cpu)).toBeLessThan(1e-4);
  });

  // Output channels in multiples of 4 go to mlpath's direct kernel (simd/kernels.c conv2d_filter_grad): 4, 8 and
  // 16 at a time, input channels two at a time and one for an odd tail.
  const direct: Conv[] = [
    { name: 'valid, stride 1, one input channel', x: [3, 12, 11, 1], f: [3, 3, 1, 8], strides: 1, pad: 'valid' },
    { name: 'same, stride 1, 28 outputs (16 + 8 + 4)', x: [2, 9, 8, 3], f: [3, 3, 3, 28], strides: 1, pad: 'same' },
    { name: 'same, stride 2, even input', x: [3, 10, 12, 2], f: [4, 3, 2, 12], strides: 2, pad: 'same' },
    { name: 'same, strides [2, 1], 5x5 filter', x: [2, 13, 7, 5], f: [5, 5, 5, 20], strides: [2, 1], pad: 'same' },
    {
      name: 'explicit padding',
      x: [2, 7, 6, 4],
      f: [3, 2, 4, 16],
      strides: 1,
      pad: [
        [0, 0],
        [2, 1],
        [0, 3],
        [0, 0],
      ],
    },
  ];

  it.each(direct)('runs its own kernel and matches cpu: $name', async (conv) => {
    const grad = filterGradOf(conv, 8);
    const ran = await on('wasm', async () => (await tf.profile(grad)).kernelNames);
    expect(ran).toContain('Conv2DBackpropFilter');
    expect(ran.filter((k) => k === 'Conv2D')).toHaveLength(1); // the forward pass only
    const wasm = await on('wasm', grad);
    const cpu = await on('cpu', grad);
    expect(relError(wasm, cpu)).toBeLessThan(1e-4);
    expect(flat(cpu).every((v) => v !== 0)).toBe(true);
  });

  it('gives the same bits run after run, and keeps the convolution path for a dy with an infinity', async () => {
    const xShape: [number, number, number, number] = [2, 8, 8, 3];
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 3, 8] };
    const run = (dyv: Float32Array) =>
      tf.tidy(() => {
        const x = tf.tensor4d(values(size(xShape), 10), xShape);
        const dy = tf.tensor4d(dyv, [2, 8, 8, 8]);
        return Array.from(tf.engine().runKernel<T.Tensor>('Conv2DBackpropFilter', { x, dy }, attrs).dataSync());
      });
    const dyv = values(2 * 8 * 8 * 8, 11);
    expect(run(dyv)).toEqual(run(dyv));
    const names = async (v: Float32Array) => (await tf.profile(() => run(v))).kernelNames;
    expect(await names(dyv)).not.toContain('Conv2D');
    // In 'same' padding the border's terms are 0 * dy: with an infinite dy they are NaN, which only the
    // convolution path (it multiplies the padding's zeros) keeps.
    const inf = dyv.slice();
    inf[0] = Infinity;
    expect(await names(inf)).toContain('Conv2D');
    expect(run(inf).some(Number.isNaN)).toBe(true);
  });

  it('reads nothing outside x for attributes a direct kernel call makes up: a negative stride or a broken filterShape', () => {
    // A tensor of other data in the same wasm memory, before x: a negative stride would walk back to it.
    const other = tf.fill([64], 31337);
    const x = tf.zeros([1, 1, 1, 1]);
    const attrs = (filterShape: number[], strides: number[]) => ({
      strides,
      pad: 'valid',
      dataFormat: 'NHWC',
      filterShape,
    });
    const call = (dy: T.Tensor, filterShape: number[], strides: number[]) => () =>
      tf.engine().runKernel<T.Tensor>('Conv2DBackpropFilter', { x, dy }, attrs(filterShape, strides)).dataSync();
    for (const k of [1, 7, 40]) {
      const filterShape = [1, 2 * k + 1, 1, 4];
      const info = tf.backend_util.computeConv2DInfo([1, 1, 1, 1], filterShape as never, [1, -k], 1, 'valid');
      const dy = tf.ones([1, info.outHeight, info.outWidth, 4]);
      // Refused, as the convolution path refused it before the direct kernel: no values from `other` come back.
      expect(call(dy, filterShape, [1, -k])).toThrow(/Dilated rates|strides and dilations must be positive/);
      dy.dispose();
    }
    // A stride and padding whose offsets wrap past 2^31, and a filter whose size wraps past 2^32 bytes (batch 0
    // makes x and dy empty whatever their other sizes): refused, where wasm read other tensors or wrote past one.
    const wrapping = tf.engine().runKernel.bind(tf.engine());
    const ones = tf.ones([1, 4, 3, 4]);
    const wide = tf.zeros([1, 4, 4, 8]);
    const stride = {
      strides: [1, 2 ** 31 - 1],
      pad: [
        [0, 0],
        [0, 0],
        [0, 2 ** 32 - 5],
        [0, 0],
      ],
      dataFormat: 'NHWC',
      filterShape: [1, 1, 8, 4],
    };
    expect(() => wrapping('Conv2DBackpropFilter', { x: wide, dy: ones }, stride)).toThrow(/reach past/);
    const empty = tf.zeros([0, 17, 15790321, 1]);
    const emptyDy = tf.zeros([0, 1, 1, 4]);
    const huge = { strides: 1, pad: 'valid', dataFormat: 'NHWC', filterShape: [17, 15790321, 1, 4] };
    expect(() => wrapping('Conv2DBackpropFilter', { x: empty, dy: emptyDy }, huge)).toThrow(/reach past/);
    tf.dispose([ones, wide, empty, emptyDy]);
    const dy = tf.zeros([1, 1, 1, 16]);
    for (const filterShape of [
      [-1, -1, 4, 16],
      [2.5, 1, 2, 4],
      [3, -1, 2, 4],
      [0, 0, 1, 4],
    ]) {
      expect(call(dy, filterShape, [1, 1])).toThrow(/filterShape must be 4 positive whole numbers/);
    }
    expect(Array.from(other.dataSync()).every((v) => v === 31337)).toBe(true);
    tf.dispose([other, x, dy]);
  });

  it('matches cpu for a fused conv2d with bias and relu, as tf.layers.conv2d runs it', async () => {
    const xShape: [number, number, number, number] = [4, 10, 10, 2];
    const fShape: [number, number, number, number] = [3, 3, 2, 6];
    const xv = values(size(xShape), 3);
    const fv = values(size(fShape), 4);
    const bv = values(6, 5);
    const grads = () =>
      tf.tidy(() => {
        const x = tf.tensor4d(xv, xShape);
        const loss = (w: T.Tensor, b: T.Tensor) =>
          tf.fused
            .conv2d({ x, filter: w as T.Tensor4D, bias: b, strides: 2, pad: 'same', activation: 'relu' })
            .square()
            .sum();
        return tf
          .grads(loss)([tf.tensor4d(fv, fShape), tf.tensor1d(bv)])
          .map((g) => g.arraySync() as Nested);
      });
    const [wasmFilter, wasmBias] = await on('wasm', grads);
    const [cpuFilter, cpuBias] = await on('cpu', grads);
    expect(relError(wasmFilter, cpuFilter)).toBeLessThan(1e-4);
    expect(relError(wasmBias, cpuBias)).toBeLessThan(1e-4);
    expect(flat(cpuFilter).some((v) => v !== 0)).toBe(true);
  });

  it.each([3, 8])('honours dilation 2 when the kernel is called with it (%i output channels)', async (outC) => {
    // tfjs's own conv2d gradient refuses dilations > 1, so the kernel is run
    // directly. Reference: a dilated 3x3 filter is a 5x5 filter with zeros
    // between its taps, so its gradient is every other tap of the 5x5 one.
    const xShape: [number, number, number, number] = [2, 9, 9, 2];
    const xv = values(size(xShape), 6);
    const fv = values(3 * 3 * 2 * outC, 7);
    const wasm = await on('wasm', () =>
      tf.tidy(() => {
        const x = tf.tensor4d(xv, xShape);
        const f = tf.tensor4d(fv, [3, 3, 2, outC]);
        const dy = tf.conv2d(x, f, 1, 'valid', 'NHWC', 2).mul(2);
        const attrs = { strides: 1, pad: 'valid', dataFormat: 'NHWC', filterShape: [3, 3, 2, outC], dilations: 2 };
        const g = tf.engine().runKernel<T.Tensor>('Conv2DBackpropFilter', { x, dy }, attrs);
        return g.arraySync();
      }),
    );
    const cpu = await on('cpu', () =>
      tf.tidy(() => {
        const x = tf.tensor4d(xv, xShape);
        const f = tf.tensor4d(fv, [3, 3, 2, outC]);
        const dilated = tf.stack(
          [0, 1, 2, 3, 4].map((r) =>
            tf.stack(
              [0, 1, 2, 3, 4].map((c) =>
                r % 2 || c % 2 ? tf.zeros([2, outC]) : f.slice([r / 2, c / 2], [1, 1]).reshape([2, outC]),
              ),
            ),
          ),
        ) as T.Tensor4D;
        const g = tf.grad((w: T.Tensor) =>
          tf
            .conv2d(x, w as T.Tensor4D, 1, 'valid')
            .square()
            .sum(),
        )(dilated);
        return g.stridedSlice([0, 0, 0, 0], [5, 5, 2, outC], [2, 2, 1, 1]).arraySync();
      }),
    );
    expect(relError(wasm, cpu)).toBeLessThan(1e-4);
  });

  it('rejects NCHW with a message that says what to do', () => {
    const run = () =>
      tf.tidy(() =>
        tf
          .engine()
          .runKernel(
            'Conv2DBackpropFilter',
            { x: tf.zeros([1, 2, 5, 5]), dy: tf.zeros([1, 3, 3, 3]) },
            { strides: 1, pad: 'valid', dataFormat: 'NCHW', filterShape: [3, 3, 2, 3] },
          ),
      );
    expect(run).toThrow(/'NHWC' only/);
  });
});

describe('kernels bridged to cpu', () => {
  it('registers every bridged kernel and nothing twice', () => {
    for (const name of CPU_BRIDGED_KERNELS) expect(tf.getKernel(name, 'wasm')).toBeDefined();
    expect(registerWasmGapKernels(tf)).toEqual([]);
  });

  it('trains an embedding: the gradient of tf.gather matches cpu', async () => {
    const table = values(10 * 4, 8);
    const ids = [3, 1, 3, 9, 0, 3, 7, 1];
    const grad = () =>
      tf.tidy(() => {
        const idx = tf.tensor1d(ids, 'int32');
        const loss = (t: T.Tensor) => tf.gather(t, idx).sin().sum();
        return tf
          .grad(loss)(tf.tensor2d(table, [10, 4]))
          .arraySync() as number[][];
      });
    const wasm = await on('wasm', grad);
    const cpu = await on('cpu', grad);
    expect(relError(wasm, cpu)).toBeLessThan(1e-6);
    // Rows never looked up get no gradient; row 3, looked up three times, does.
    expect(wasm[2].every((v) => v === 0)).toBe(true);
    expect(wasm[3].some((v) => v !== 0)).toBe(true);
  });

  it('UnsortedSegmentSum (as a scatter) matches cpu for rows of any rank and out-of-range ids', async () => {
    const run = () =>
      tf.tidy(
        () =>
          [
            tf
              .unsortedSegmentSum(
                tf.tensor3d(values(5 * 3 * 4, 9), [5, 3, 4]),
                tf.tensor1d([0, 2, 0, 2, 2], 'int32'),
                3,
              )
              .arraySync(),
            tf
              .unsortedSegmentSum(
                tf.tensor2d([
                  [1, 1],
                  [2, 2],
                  [3, 3],
                  [4, 4],
                ]),
                tf.tensor1d([0, -1, 5, 1], 'int32'),
                2,
              )
              .arraySync(),
          ] as Nested[],
      );
    const wasm = await on('wasm', run);
    const cpu = await on('cpu', run);
    expect(relError(wasm[0], cpu[0])).toBeLessThan(1e-6);
    expect(wasm[1]).toEqual(cpu[1]);
    expect(wasm[1]).toEqual([
      [1, 1],
      [4, 4],
    ]);
  });

  it('matches cpu for both gradients of a depthwise convolution', async () => {
    const xShape: [number, number, number, number] = [2, 8, 8, 3];
    const fShape: [number, number, number, number] = [3, 3, 3, 2];
    const xv = values(size(xShape), 9);
    const fv = values(size(fShape), 10);
    const grads = () =>
      tf.tidy(() => {
        const loss = (x: T.Tensor, w: T.Tensor) =>
          tf
            .depthwiseConv2d(x as T.Tensor4D, w as T.Tensor4D, 2, 'same')
            .square()
            .sum();
        return tf
          .grads(loss)([tf.tensor4d(xv, xShape), tf.tensor4d(fv, fShape)])
          .map((g) => g.arraySync() as Nested);
      });
    const [wasmX, wasmF] = await on('wasm', grads);
    const [cpuX, cpuF] = await on('cpu', grads);
    expect(relError(wasmX, cpuX)).toBeLessThan(1e-5);
    expect(relError(wasmF, cpuF)).toBeLessThan(1e-5);
  });

  it('runs einsum with several inputs', async () => {
    const a = values(2 * 3 * 4, 11);
    const b = values(2 * 4 * 5, 12);
    const run = () =>
      tf.tidy(() => tf.einsum('bij,bjk->bik', tf.tensor3d(a, [2, 3, 4]), tf.tensor3d(b, [2, 4, 5])).arraySync());
    const wasm = await on('wasm', run);
    const cpu = await on('cpu', run);
    expect(wasm).toEqual(cpu);
  });

  it('runs the ragged and string kernels, whose inputs nest arrays, like cpu', async () => {
    const run = () =>
      tf.tidy(() => {
        const range = tf.raggedRange(
          tf.tensor1d([0, 5], 'int32'),
          tf.tensor1d([3, 8], 'int32'),
          tf.tensor1d([1, 1], 'int32'),
        );
        const gathered = tf.raggedGather(
          [tf.tensor1d([0, 2, 3], 'int32')],
          tf.tensor1d([1, 2, 3]),
          tf.tensor1d([1, 0], 'int32'),
          1,
        );
        const dense = tf.raggedTensorToTensor(
          [2, 3],
          tf.tensor1d([1, 2, 3]),
          tf.scalar(0),
          [tf.tensor1d([0, 2, 3], 'int32')],
          ['ROW_SPLITS'],
        );
        const replaced = tf.string.staticRegexReplace(tf.tensor1d(['aXb', 'XX'], 'string'), 'X', 'y');
        return {
          range: [range.rtNestedSplits.arraySync(), range.rtDenseValues.arraySync()],
          gathered: [gathered.outputNestedSplits.map((t) => t.arraySync()), gathered.outputDenseValues.arraySync()],
          dense: dense.arraySync(),
          replaced: replaced.arraySync(),
        };
      });
    const wasm = await on('wasm', run);
    expect(wasm).toEqual(await on('cpu', run));
    expect(wasm.replaced).toEqual(['ayb', 'yy']);
  });
});

describe('memory', () => {
  it('leaks no tensor over 20 training steps that use the new kernels', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor4d(values(8 * 12 * 12 * 2, 13), [8, 12, 12, 2]);
    const ids = tf.tensor1d([1, 4, 4, 2, 0, 1, 3, 4], 'int32');
    const filter = tf.variable(tf.tensor4d(values(3 * 3 * 2 * 4, 14), [3, 3, 2, 4]));
    const embedding = tf.variable(tf.tensor2d(values(5 * 4, 15), [5, 4]));
    const depthwise = tf.variable(tf.tensor4d(values(3 * 3 * 2 * 1, 16), [3, 3, 2, 1]));
    const optimizer = tf.train.sgd(0.001);
    const step = () =>
      optimizer.minimize(() => {
        const conv = tf.conv2d(x, filter, 2, 'same').relu().mean([1, 2]);
        const dw = tf.depthwiseConv2d(x, depthwise, 1, 'valid').mean([1, 2, 3]).reshape([8, 1]);
        return conv.mul(tf.gather(embedding, ids)).add(dw).square().mean<T.Scalar>();
      });

    const wasmBackend = tf.backend();
    const cpuBackend = tf.findBackend('cpu');
    step();
    const before = { ...tf.memory(), wasmIds: wasmBackend.numDataIds(), cpuIds: cpuBackend.numDataIds() };
    for (let i = 0; i < 20; i++) step();
    const after = { ...tf.memory(), wasmIds: wasmBackend.numDataIds(), cpuIds: cpuBackend.numDataIds() };

    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
    expect(after.numDataBuffers).toBe(before.numDataBuffers);
    expect(after.wasmIds).toBe(before.wasmIds);
    expect(after.cpuIds).toBe(before.cpuIds);
    tf.dispose([x, ids, filter, embedding, depthwise]);
    optimizer.dispose();
  });

  it('leaks nothing when the kernels run outside any tidy', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor4d(values(2 * 6 * 6 * 2, 18), [2, 6, 6, 2]);
    const dy = tf.tensor4d(values(2 * 4 * 4 * 3, 19), [2, 4, 4, 3]);
    const table = tf.tensor2d(values(6, 20), [6, 1]);
    const segments = tf.tensor1d([0, 2, 2, 1, 0, 2], 'int32');
    const runBoth = () => {
      const attrs = { strides: 1, pad: 'valid', dataFormat: 'NHWC', filterShape: [3, 3, 2, 3] };
      tf.engine().runKernel<T.Tensor>('Conv2DBackpropFilter', { x, dy }, attrs).dispose();
      tf.unsortedSegmentSum(table, segments, 3).dispose();
    };
    runBoth();
    const before = { ...tf.memory(), wasmIds: tf.backend().numDataIds() };
    for (let i = 0; i < 20; i++) runBoth();
    expect({ ...tf.memory(), wasmIds: tf.backend().numDataIds() }).toEqual(before);
    tf.dispose([x, dy, table, segments]);
  });
});

describe('tf.layers on wasm', () => {
  it('trains a small CNN with model.fit and the loss goes down', async () => {
    await tf.setBackend('wasm');
    // Class 1 when the left half of the image is brighter than the right.
    const n = 64;
    const pixels = values(n * 8 * 8, 17);
    const labels = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      let diff = 0;
      for (let r = 0; r < 8; r++) for (let c = 0; c < 8; c++) diff += (c < 4 ? 1 : -1) * pixels[i * 64 + r * 8 + c];
      labels[i] = diff > 0 ? 1 : 0;
    }
    const xs = tf.tensor4d(pixels, [n, 8, 8, 1]);
    const ys = tf.tensor2d(labels, [n, 1]);

    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({
          inputShape: [8, 8, 1],
          filters: 4,
          kernelSize: 3,
          activation: 'relu',
          kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
        }),
        tf.layers.conv2d({
          filters: 4,
          kernelSize: 3,
          strides: 2,
          padding: 'same',
          activation: 'relu',
          kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
        }),
        tf.layers.flatten(),
        tf.layers.dense({
          units: 1,
          activation: 'sigmoid',
          kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }),
        }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.02), loss: 'binaryCrossentropy' });
    const filtersBefore = model.layers[0].getWeights()[0].arraySync();
    const history = await model.fit(xs, ys, { epochs: 8, batchSize: 16, shuffle: false, verbose: 0 });
    const losses = history.history.loss as number[];

    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
    expect(model.layers[0].getWeights()[0].arraySync()).not.toEqual(filtersBefore);
    tf.dispose([xs, ys]);
    model.dispose();
  });
});
