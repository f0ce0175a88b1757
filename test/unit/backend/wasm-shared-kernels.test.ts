import type * as T from '@tensorflow/tfjs';
import { initBackend } from '../../../src/backend/init';
import { awkward, bitsOf, differing, values } from '../../helpers/values';
import { registerWasmFastKernels, unregisterWasmFastKernels } from '../../../src/backend/wasm-fast-kernels';

type Tf = typeof import('@tensorflow/tfjs');

let tf: Tf;

beforeAll(async () => {
  tf = (await initBackend('wasm')).tf;
});

afterEach(() => {
  registerWasmFastKernels(tf);
});

/** Puts tfjs-backend-wasm's own (copying) Identity and Cast back, leaving mlpath's other kernels in place. */
function copying(): void {
  for (const name of ['Identity', 'Cast']) {
    const config = tf.getKernel(name, 'wasm') as T.KernelConfig & { mlpathStock?: T.KernelConfig };
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(config.mlpathStock!);
  }
}

const dataIdOf = (t: T.Tensor): object => (t as unknown as { dataId: object }).dataId;

describe('Identity and Cast to the same dtype share their input data', () => {
  it('clone and a same-dtype cast hold the same data, which outlives the original and is freed with the last', () => {
    const before = tf.engine().backend.numDataIds();
    const x = tf.tensor2d(awkward(64 * 32, 1), [64, 32]);
    const c = tf.clone(x);
    const f = tf.cast(x, 'float32');
    expect(dataIdOf(c)).toBe(dataIdOf(x));
    expect(dataIdOf(f)).toBe(dataIdOf(x));
    const expected = bitsOf(x);
    x.dispose();
    expect(differing(bitsOf(c), expected)).toBe(0);
    c.dispose();
    expect(differing(bitsOf(f), expected)).toBe(0);
    expect(tf.engine().backend.numDataIds()).toBe(before + 1);
    f.dispose();
    expect(tf.engine().backend.numDataIds()).toBe(before);
  });

  it('keeps the stock kernels for a cast to another dtype and for strings', () => {
    const x = tf.tensor1d([1.5, -2.5, 0, 3]);
    const i = tf.cast(x, 'int32');
    expect(dataIdOf(i)).not.toBe(dataIdOf(x));
    expect(Array.from(i.dataSync())).toEqual([1, -2, 0, 3]);
    const s = tf.tensor1d(['a', 'bc']);
    const sc = tf.clone(s);
    expect(sc.arraySync()).toEqual(['a', 'bc']);
    tf.dispose([x, i, s, sc]);
    // With the stock kernels in place, a clone is a copy.
    unregisterWasmFastKernels(tf);
    const y = tf.tensor1d([1, 2]);
    const yc = tf.clone(y);
    expect(dataIdOf(yc)).not.toBe(dataIdOf(y));
    tf.dispose([y, yc]);
  });

  it('trains a dense network to the same bits as the copying kernels, under minimize and fit', async () => {
    const run = async (): Promise<Uint32Array[]> => {
      const model = tf.sequential();
      model.add(
        tf.layers.dense({
          inputShape: [40],
          units: 24,
          activation: 'relu',
          kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }),
        }),
      );
      model.add(tf.layers.dense({ units: 5, kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }));
      const x = tf.tensor2d(values(96 * 40, 5), [96, 40]);
      const y = tf.oneHot(
        tf.tensor1d(
          Int32Array.from({ length: 96 }, (_, r) => r % 5),
          'int32',
        ),
        5,
      );
      const optimizer = tf.train.adam(0.01);
      for (let step = 0; step < 5; step++)
        tf.tidy(() => {
          optimizer.minimize(() => tf.losses.softmaxCrossEntropy<T.Tensor, T.Scalar>(y, model.apply(x) as T.Tensor));
        });
      model.compile({ optimizer: tf.train.sgd(0.05), loss: 'categoricalCrossentropy' });
      await model.fit(x, y, { epochs: 2, batchSize: 32, shuffle: false, verbose: 0 });
      const weights = model.getWeights().map(bitsOf);
      tf.dispose([x, y]);
      optimizer.dispose();
      model.dispose();
      return weights;
    };
    const ours = await run();
    copying();
    const theirs = await run();
    registerWasmFastKernels(tf);
    expect(ours.length).toBe(theirs.length);
    expect(ours.map((w, i) => differing(w, theirs[i]))).toEqual(ours.map(() => 0));
  });

  it('a training step under a gradient tape frees the clones it saved: no data is left behind', () => {
    const w = tf.variable(tf.tensor2d(values(30 * 8, 6), [30, 8]));
    const x = tf.tensor2d(values(16 * 30, 7), [16, 30]);
    const step = (): void =>
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => tf.sum<T.Scalar>(tf.relu(tf.matMul(x, w))), [w]);
        w.assign(tf.sub(w, tf.mul(grads[w.name], 0.01)));
      });
    step();
    const before = tf.engine().backend.numDataIds();
    step();
    expect(tf.engine().backend.numDataIds()).toBe(before);
    tf.dispose([w, x]);
  });
});
