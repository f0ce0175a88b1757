import type * as T from '@tensorflow/tfjs';
import { initBackend } from '../../../src/backend/init';
import { registerReduceGradients, unregisterReduceGradients } from '../../../src/backend/reduce-gradients';
import { awkward, values } from '../../helpers/values';

type Tf = typeof import('@tensorflow/tfjs');

let tf: Tf;

beforeAll(async () => {
  tf = (await initBackend('wasm')).tf;
});

afterEach(() => {
  registerReduceGradients(tf);
});

const bitsOf = (t: T.Tensor): string[] =>
  Array.from(t.dataSync()).map((v) => (Object.is(v, -0) ? '-0' : Number.isNaN(v) ? 'NaN' : String(v)));

/** The entries where two readings differ, at most 5 of them: a failure prints those, not a diff of 245,760 entries. */
function differences(a: string[], b: string[]): string[] {
  const out: string[] = [];
  if (a.length !== b.length) out.push(`length ${a.length} against ${b.length}`);
  for (let i = 0; i < Math.min(a.length, b.length) && out.length < 5; i++)
    if (a[i] !== b[i]) out.push(`[${i}] ${a[i]} against ${b[i]}`);
  return out;
}

/** The gradient of sum(w * reduce(x)) with respect to x, with mlpath's gradient and then with the stock one. */
function bothWays(reduce: (x: T.Tensor) => T.Tensor, x: T.Tensor, w: T.Tensor): [string[], string[]] {
  const read = (): string[] => {
    const g = tf.grad((v: T.Tensor) => tf.sum(tf.mul(reduce(v), w)))(x);
    const out = bitsOf(g);
    g.dispose();
    return out;
  };
  const ours = read();
  unregisterReduceGradients(tf);
  try {
    return [ours, read()];
  } finally {
    registerReduceGradients(tf);
  }
}

describe('the gradients of Mean and Sum', () => {
  const cases: Array<[number[], number | number[] | null, boolean]> = [
    [[128, 120, 16], 1, false],
    [[32, 7, 7, 8], [1, 2], false],
    [[32, 7, 7, 8], [2, 1], true],
    [[64, 10], -1, false],
    [[64, 10], 0, true],
    [[5, 6, 7], null, false],
    [[5, 6, 7], [0, 2], true],
    [[3, 1, 4], 1, false],
    [[9], 0, false],
    [[2, 3, 4, 5, 6, 7], [1, 3, 5], false],
  ];
  it.each(cases)('are the stock gradients bit for bit: x %j over axis %j (keepDims %s)', (shape, axis, keepDims) => {
    const size = shape.reduce((p, q) => p * q, 1);
    const x = tf.tensor(awkward(size, 11), shape);
    const reduced = tf.tidy(() => tf.mean(x, axis ?? undefined, keepDims));
    // Weights with special values too, so dy itself holds NaN, infinities and signed zeros.
    // (A reduction to one entry gets a plain weight: awkward's first entry is 0, which would zero the gradient.)
    const w = tf.tensor((reduced.size > 1 ? awkward : values)(reduced.size, 12), reduced.shape);
    for (const reduce of [
      (v: T.Tensor) => tf.mean(v, axis ?? undefined, keepDims),
      (v: T.Tensor) => tf.sum(v, axis ?? undefined, keepDims),
    ]) {
      const [ours, theirs] = bothWays(reduce, x, w);
      expect(ours).toHaveLength(size);
      expect(differences(ours, theirs)).toEqual([]);
    }
    tf.dispose([x, reduced, w]);
  });

  it('train a layers model to the same weights as the stock gradients (globalAveragePooling1d averages with Mean)', async () => {
    const fit = async (): Promise<string[]> => {
      const model = tf.sequential();
      model.add(tf.layers.embedding({ inputDim: 50, outputDim: 8, inputLength: 12, embeddingsInitializer: 'zeros' }));
      model.add(tf.layers.globalAveragePooling1d());
      model.add(tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.ones() }));
      model.compile({ optimizer: tf.train.adam(0.05), loss: 'binaryCrossentropy' });
      const ids = tf.tensor2d(
        Int32Array.from(values(40 * 12, 13), (v) => Math.floor((v + 1) * 25)),
        [40, 12],
        'int32',
      );
      const ys = tf.tensor2d(
        Float32Array.from(values(40, 14), (v) => (v > 0 ? 1 : 0)),
        [40, 1],
      );
      await model.fit(ids, ys, { epochs: 3, batchSize: 8, shuffle: false, verbose: 0 });
      const out = model.getWeights().flatMap(bitsOf);
      tf.dispose([ids, ys]);
      model.dispose();
      return out;
    };
    const ours = await fit();
    unregisterReduceGradients(tf);
    const theirs = await fit();
    registerReduceGradients(tf);
    expect(differences(ours, theirs)).toEqual([]);
  });

  it('spread dy without a tensor of ones the size of x', async () => {
    const x = tf.tensor(values(128 * 120 * 16, 15), [128, 120, 16]);
    const peak = async (): Promise<number> => {
      const p = await tf.profile(() => tf.grad((v: T.Tensor) => tf.sum(tf.mean(v, 1)))(x));
      return p.peakBytes;
    };
    const ours = await peak();
    unregisterReduceGradients(tf);
    const theirs = await peak();
    registerReduceGradients(tf);
    // The stock gradient holds x's size in ones beside dy spread over it: twice the gradient's own bytes.
    expect(ours).toBeLessThan(theirs - x.size * 4 * 0.9);
    x.dispose();
  });

  it('leave a non-float32 dy to the stock gradient, and registering twice keeps one stock gradient', () => {
    expect(registerReduceGradients(tf)).toEqual([]);
    expect(unregisterReduceGradients(tf)).toEqual(['Mean', 'Sum']);
    expect(unregisterReduceGradients(tf)).toEqual([]);
    expect(registerReduceGradients(tf)).toEqual(['Mean', 'Sum']);
    const x = tf.tensor([1, 2, 3, 4], [2, 2], 'int32');
    const g = tf.grad((v: T.Tensor) => tf.sum(tf.sum(v, 1)))(x);
    expect(Array.from(g.dataSync())).toEqual([1, 1, 1, 1]);
    tf.dispose([x, g]);
  });
});
