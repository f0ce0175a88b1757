/**
 * No tensor outlives a training run: train the month2/mnist reference model
 * (and a CNN, for the convolution kernels) for one seed, then for another,
 * in one process, and compare tf.memory() and the wasm backend's own data
 * ids before and after. The grader's child-side train kind is run twice in
 * one process too, as a watch re-run or a second seed would if the child
 * were reused.
 */
import type * as T from '@tensorflow/tfjs';
import { initBackend } from '../../../src/backend/init';
import { captureIntrinsics } from '../../../src/grader/child/intrinsics';
import { runTrainKind } from '../../../src/grader/kinds/train/child';
import type { HarnessContext } from '../../../src/grader/child/context';
import type { ParentMessage, TrainPayload, WireTensor } from '../../../src/grader/protocol';

type Tf = typeof import('@tensorflow/tfjs');

let tf: Tf;

beforeAll(async () => {
  tf = (await initBackend('wasm')).tf;
  // As the harness does before learner code loads: the train kind reads what predict() returned through these.
  captureIntrinsics(tf);
});

/** Deterministic pixels in [0, 1) and labels 0..9: tensors must be equal across seeds, not random. */
function digits(n: number, seed: number): { x: Float32Array; y: Int32Array } {
  let s = seed >>> 0;
  const next = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const x = Float32Array.from({ length: n * 784 }, next);
  const y = Int32Array.from({ length: n }, () => Math.floor(next() * 10));
  return { x, y };
}

/** The month2/mnist reference solution's model and loop, in small. */
async function trainMlp(t: Tf, xTrain: T.Tensor, yTrain: T.Tensor, seed: number): Promise<T.LayersModel> {
  const model = t.sequential();
  model.add(
    t.layers.dense({
      inputShape: [784],
      units: 32,
      activation: 'relu',
      kernelInitializer: t.initializers.heNormal({ seed }),
    }),
  );
  model.add(
    t.layers.dense({
      units: 10,
      activation: 'softmax',
      kernelInitializer: t.initializers.glorotUniform({ seed: seed + 1 }),
    }),
  );
  model.compile({ optimizer: t.train.adam(0.001), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const yOneHot = t.tidy(() => t.oneHot(yTrain.toInt(), 10));
  await model.fit(xTrain, yOneHot, { epochs: 2, batchSize: 16, shuffle: true, validationSplit: 0.25, verbose: 0 });
  yOneHot.dispose();
  return model;
}

async function trainCnn(t: Tf, xTrain: T.Tensor, yTrain: T.Tensor, seed: number): Promise<T.LayersModel> {
  const model = t.sequential();
  model.add(t.layers.reshape({ inputShape: [784], targetShape: [28, 28, 1] }));
  model.add(
    t.layers.conv2d({
      filters: 4,
      kernelSize: 3,
      activation: 'relu',
      kernelInitializer: t.initializers.glorotUniform({ seed }),
    }),
  );
  model.add(t.layers.maxPooling2d({ poolSize: 2 }));
  model.add(
    t.layers.conv2d({
      filters: 8,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: t.initializers.glorotUniform({ seed: seed + 1 }),
    }),
  );
  model.add(t.layers.flatten());
  model.add(
    t.layers.dense({
      units: 10,
      activation: 'softmax',
      kernelInitializer: t.initializers.glorotUniform({ seed: seed + 2 }),
    }),
  );
  model.compile({ optimizer: t.train.adam(0.001), loss: 'sparseCategoricalCrossentropy' });
  const yFloat = yTrain.toFloat();
  await model.fit(xTrain, yFloat, { epochs: 1, batchSize: 16, verbose: 0 });
  yFloat.dispose();
  return model;
}

function usage(): Record<string, number> {
  const m = tf.memory();
  return {
    numTensors: m.numTensors,
    numBytes: m.numBytes,
    numDataBuffers: m.numDataBuffers,
    wasmDataIds: tf.backend().numDataIds(),
  };
}

describe('training for two seeds in one process', () => {
  it.each([
    ['the month2/mnist MLP', trainMlp],
    ['a small CNN', trainCnn],
  ])('%s leaves tf.memory() and the wasm backend as it found them', async (_name, trainFn) => {
    const { x, y } = digits(64, 7);
    const runSeed = async (seed: number): Promise<void> => {
      const xTrain = tf.tensor2d(x, [64, 784]);
      const yTrain = tf.tensor1d(y, 'int32');
      const model = await trainFn(tf, xTrain, yTrain, seed);
      const scores = model.predict(xTrain) as T.Tensor;
      await scores.data();
      tf.dispose([xTrain, yTrain, scores]);
      // model.dispose() leaves an optimizer it did not create (compile was
      // given tf.train.adam(...)), with its moment estimates.
      model.optimizer.dispose();
      model.dispose();
    };

    const before = usage();
    await runSeed(1);
    const afterFirst = usage();
    await runSeed(2);
    expect(afterFirst).toEqual(before);
    expect(usage()).toEqual(before);
  });
});

describe("the grader's train kind, run twice in one process", () => {
  function wire(values: Float32Array | Int32Array, shape: number[], dtype: 'float32' | 'int32'): WireTensor {
    return { values, shape, dtype };
  }

  async function gradeOnce(seed: number): Promise<void> {
    const { x, y } = digits(48, 11);
    const test = digits(16, 12);
    const payload: TrainPayload = { xTrain: wire(x, [48, 784], 'float32'), yTrain: wire(y, [48], 'int32') };
    const inbox: ParentMessage[] = [{ type: 'predict', x: wire(test.x, [16, 784], 'float32') }, { type: 'done' }];
    let predicted: WireTensor | undefined;
    const trained: { model?: T.LayersModel } = {};
    const ctx = {
      tf,
      learnerTf: tf,
      exports: {
        default: async (c: { data: { xTrain: T.Tensor; yTrain: T.Tensor }; seed: number }) => {
          trained.model = await trainMlp(tf, c.data.xTrain, c.data.yTrain, c.seed);
          return trained.model;
        },
      },
      seed,
      budgetSeconds: 60,
      payload,
      sourceRoot: process.cwd(),
      send(msg: { type: string; tensor?: WireTensor }) {
        if (msg.type === 'predictions') predicted = msg.tensor;
      },
      next: async () => inbox.shift()!,
      fail(error: { message: string }): never {
        throw new Error(error.message);
      },
      describe: (thrown: unknown) => ({ kind: 'runtime' as const, message: String(thrown) }),
      assertClean() {},
      settle: () => Promise.resolve(),
    } as unknown as HarnessContext;
    await runTrainKind(ctx);
    expect(predicted?.shape).toEqual([16, 10]);
    trained.model?.optimizer.dispose();
    trained.model?.dispose();
  }

  it('does not accumulate tensors from one run to the next', async () => {
    const before = usage();
    await gradeOnce(1);
    const afterFirst = usage();
    await gradeOnce(2);
    const afterSecond = usage();
    // The child leaves at most the tensors it made for the learner (xTrain,
    // yTrain, the held-out x, the predictions), which its exit frees; nothing
    // from training, and a second run leaves exactly as much again.
    const leftByFirst = afterFirst.numTensors - before.numTensors;
    expect(leftByFirst).toBeLessThanOrEqual(4);
    expect(afterFirst.wasmDataIds - before.wasmDataIds).toBeLessThanOrEqual(4);
    expect(afterSecond.numTensors - afterFirst.numTensors).toBe(leftByFirst);
    expect(afterSecond.numBytes - afterFirst.numBytes).toBe(afterFirst.numBytes - before.numBytes);
    expect(afterSecond.wasmDataIds - afterFirst.wasmDataIds).toBe(afterFirst.wasmDataIds - before.wasmDataIds);
  });
});
