/**
 * The child's watch over train() (grader/child/observe.ts), through the train
 * kind as the harness runs it: optimizer steps counted by every route to
 * them, the training data released once train() returns, and the memory a
 * predictor keeps measured.
 */
import type * as T from '@tensorflow/tfjs';
import { initBackend } from '../../../../src/backend/init';
import { recordRegistries, tampering } from '../../../../src/grader/child/intrinsics';
import { prepareObservation } from '../../../../src/grader/child/observe';
import { runTrainKind } from '../../../../src/grader/kinds/train/child';
import type { HarnessContext } from '../../../../src/grader/child/context';
import type {
  LearnerError,
  Observed,
  ObserveRequest,
  ParentMessage,
  TrainPayload,
  WireTensor,
} from '../../../../src/grader/protocol';

type Tf = typeof import('@tensorflow/tfjs');
type Learner = (ctx: {
  tf: Tf;
  data: { xTrain: T.Tensor2D; yTrain: T.Tensor1D };
}) => Promise<{ predict(x: T.Tensor): unknown }>;

let tf: Tf;

beforeAll(async () => {
  tf = (await initBackend('wasm')).tf;
  prepareObservation(tf);
});

function rows(n: number, width: number): { x: Float32Array; y: Int32Array } {
  const x = Float32Array.from({ length: n * width }, (_, i) => ((i * 7919) % 101) / 101);
  const y = Int32Array.from({ length: n }, (_, i) => i % 3);
  return { x, y };
}

interface Outcome {
  observed?: Observed;
  predicted?: WireTensor;
  error?: LearnerError;
}

async function grade(learner: Learner, observe: ObserveRequest | undefined, n = 60, width = 4): Promise<Outcome> {
  const train = rows(n, width);
  const test = rows(5, width);
  const payload: TrainPayload = {
    xTrain: { values: train.x, shape: [n, width], dtype: 'float32' },
    yTrain: { values: train.y, shape: [n], dtype: 'int32' },
    ...(observe ? { observe } : {}),
  };
  const inbox: ParentMessage[] = [
    { type: 'predict', x: { values: test.x, shape: [5, width], dtype: 'float32' } },
    { type: 'done' },
  ];
  const outcome: Outcome = {};
  const ctx = {
    tf,
    learnerTf: tf,
    exports: { default: learner },
    seed: 1,
    budgetSeconds: 60,
    payload,
    sourceRoot: process.cwd(),
    send(msg: { type: string; tensor?: WireTensor; observed?: Observed }) {
      if (msg.type === 'trained') outcome.observed = msg.observed;
      if (msg.type === 'predictions') outcome.predicted = msg.tensor;
    },
    next: async () => inbox.shift()!,
    fail(error: LearnerError): never {
      outcome.error = error;
      throw new Error(error.message);
    },
    describe: (thrown: unknown) => ({
      kind: 'runtime' as const,
      message: thrown instanceof Error ? thrown.message : String(thrown),
    }),
    assertClean() {},
    settle: () => Promise.resolve(),
  } as unknown as HarnessContext;
  await runTrainKind(ctx).catch(() => undefined);
  return outcome;
}

/** A softmax regression over 3 classes; `step` is how one batch trains. */
function softmaxRegression(step: (t: Tf, loss: () => T.Scalar, vars: T.Variable[]) => void, batches = 4): Learner {
  return async ({ tf: t, data }) => {
    const w = t.variable(t.zeros([data.xTrain.shape[1], 3]));
    const b = t.variable(t.zeros([3]));
    const y = t.oneHot(data.yTrain, 3);
    for (let i = 0; i < batches; i++) {
      t.tidy(() =>
        step(t, () => t.losses.softmaxCrossEntropy<T.Tensor, T.Scalar>(y, t.add(t.matMul(data.xTrain, w), b)), [w, b]),
      );
    }
    y.dispose();
    return { predict: (x: T.Tensor) => t.add(t.matMul(x, w), b) };
  };
}

describe('optimizer steps', () => {
  const request: ObserveRequest = { lesson: 'a loop you write' };

  it('counts minimize() once per call, with the loss it returned, whether or not the caller asked for it', async () => {
    const { observed } = await grade(
      softmaxRegression((t, loss) => {
        t.train.sgd(0.5).minimize(loss);
      }),
      request,
    );
    expect(observed?.steps).toBe(4);
    expect(observed?.losses).toHaveLength(4);
    expect(observed!.losses[0]).toBeCloseTo(Math.log(3), 4);
    expect(observed!.losses[3]).toBeLessThan(observed!.losses[0]);
  });

  it('counts applyGradients() after tf.variableGrads, with its value as the loss, and a momentum step once though it extends SGD', async () => {
    const { observed } = await grade(
      softmaxRegression((t, loss, vars) => {
        // Through the base class: tfjs declares MomentumOptimizer's parameter as variables, Optimizer's as tensors.
        const momentum: T.Optimizer = t.train.momentum(0.1, 0.9);
        momentum.applyGradients(t.variableGrads(loss, vars).grads);
      }, 3),
      request,
    );
    expect(observed?.steps).toBe(3);
    expect(observed?.losses).toHaveLength(3);
    expect(observed!.losses[0]).toBeCloseTo(Math.log(3), 4);
  });

  it('does not count a step that moves no trainable variable: an empty map, zero gradients, a frozen variable', async () => {
    const { observed } = await grade(async ({ tf: t }) => {
      const opt = t.train.sgd(0.1);
      const frozen = t.variable(t.ones([2]), false);
      const free = t.variable(t.ones([2]));
      for (let i = 0; i < 5; i++) {
        opt.applyGradients({});
        opt.applyGradients([]);
        opt.applyGradients({ [free.name]: t.zeros([2]) });
        opt.applyGradients({ [frozen.name]: t.ones([2]) });
      }
      return { predict: (x: T.Tensor) => t.clone(x) };
    }, request);
    expect(observed?.steps).toBe(0);
    expect(observed?.losses).toEqual([]);
  });

  it('does not count a gradient named for a fake variable that a getter on Object.prototype answers', async () => {
    const proto = Object.prototype as unknown as Record<string, unknown>;
    const outcome = await grade(async ({ tf: t }) => {
      const opt = t.train.sgd(0.1);
      // TensorFlow.js's map of variables misses 'fakeWeights' and falls through to Object.prototype.
      // The fake is a plain tensor that claims to be trainable and ignores assign(): nothing real moves.
      const fake = Object.assign(t.zeros([2]), { trainable: true, assign: () => undefined });
      Object.defineProperty(Object.prototype, 'fakeWeights', { configurable: true, get: () => fake });
      try {
        for (let i = 0; i < 3; i++) opt.applyGradients({ fakeWeights: t.ones([2]) });
      } finally {
        delete proto.fakeWeights;
      }
      return { predict: (x: T.Tensor) => t.clone(x) };
    }, request);
    expect(outcome.error).toBeUndefined();
    expect(outcome.observed?.steps).toBe(0);
  });

  it('counts each batch of model.fit', async () => {
    const { observed } = await grade(async ({ tf: t, data }) => {
      const model = t.sequential();
      model.add(t.layers.dense({ inputShape: [4], units: 3, activation: 'softmax' }));
      model.compile({ optimizer: t.train.adam(0.05), loss: 'sparseCategoricalCrossentropy' });
      const y = data.yTrain.toFloat();
      await model.fit(data.xTrain, y, { epochs: 2, batchSize: 20, verbose: 0 });
      y.dispose();
      return model;
    }, request);
    expect(observed?.steps).toBe(6);
    expect(observed?.losses).toHaveLength(6);
  });

  it('reports nothing, and releases nothing, for an exercise without a lesson', async () => {
    const outcome = await grade(
      async ({ tf: t, data }) => ({ predict: (x: T.Tensor) => t.add(x, t.sum(data.xTrain)) }),
      undefined,
    );
    expect(outcome.observed).toBeUndefined();
    expect(outcome.error).toBeUndefined();
    expect(outcome.predicted?.shape).toEqual([5, 4]);
  });
});

describe('releasing the training data', () => {
  it('makes predict() that looks the training data up fail with a message that names it and the lesson', async () => {
    const outcome = await grade(
      async ({ tf: t, data }) => ({ predict: (x: T.Tensor) => t.matMul(x, data.xTrain, false, true) }),
      { release: true, lesson: 'a trained network, not a lookup' },
    );
    expect(outcome.error?.kind).toBe('invalid-output');
    expect(outcome.error?.message).toMatch(
      /^predict\(x\) used ctx\.data\.xTrain, which was released when train\(\) returned: .*the lesson is a trained network, not a lookup$/,
    );
  });

  it('counts a copy of the training data that predict() keeps, and not a small model', async () => {
    const n = 4000;
    const width = 100;
    const dataBytes = n * width * 4;
    // The child holds next to nothing once the data is released; this test process holds jest's own buffers: measure them first.
    const floor = (
      await grade(async ({ tf: t }) => ({ predict: (x: T.Tensor) => t.clone(x) }), { measure: true }, n, width)
    ).observed!.retainedBytes!;
    const copy = await grade(
      async ({ tf: t, data }) => {
        const kept = data.xTrain.dataSync().slice();
        return { predict: (x: T.Tensor) => t.add(x, kept[0]) };
      },
      { measure: true },
      n,
      width,
    );
    const model = await grade(
      softmaxRegression((t, loss) => {
        t.train.adam(0.1).minimize(loss);
      }),
      { measure: true },
      n,
      width,
    );
    expect(copy.observed!.retainedBytes! - floor).toBeGreaterThanOrEqual(0.9 * dataBytes);
    expect(model.observed!.retainedBytes! - floor).toBeLessThan(dataBytes / 2);
    expect(model.observed?.tensorBytes).toBeGreaterThan(0);
  });
});

test('after prepareObservation, TensorFlow.js methods the grader calls through `this` cannot be replaced', () => {
  const proto = tf.Tensor.prototype as unknown as Record<string, unknown>;
  expect(() => {
    'use strict';
    proto.throwIfDisposed = () => undefined;
  }).toThrow(TypeError);
  const engine = tf.engine() as unknown as Record<string, unknown>;
  expect(() => Object.defineProperty(engine, 'readSync', { value: () => new Float32Array(1) })).toThrow(TypeError);
  // The backend instance too: a readSync of the learner's would see, and could rewrite, every value the grader reads.
  const backend = tf.backend() as unknown as Record<string, unknown>;
  const readSync = backend.readSync;
  expect(() => {
    'use strict';
    backend.readSync = () => new Float32Array(1);
  }).toThrow(TypeError);
  expect(() => Object.defineProperty(backend, 'readSync', { value: () => new Float32Array(1) })).toThrow(TypeError);
  expect(backend.readSync).toBe(readSync);
});

test('a variable whose prototype was swapped for one carrying an accessor is refused', () => {
  const v = tf.variable(tf.zeros([2]));
  let id = (v as unknown as { dataId: object }).dataId;
  delete (v as unknown as { dataId?: object }).dataId;
  Object.setPrototypeOf(
    v,
    Object.create(Object.getPrototypeOf(v) as object, {
      dataId: { get: () => id, set: (x: object) => (id = x), configurable: true },
    }) as object,
  );
  expect(tampering(v)).toMatch(/a prototype of its own/);
});

test("a kernel added to, replaced in or removed from TensorFlow.js's registry is named", () => {
  const record = recordRegistries();
  expect(record.changed()).toBeUndefined();
  const config = tf.getKernel('Square', tf.getBackend());
  const original = config.kernelFunc;
  (config as { kernelFunc: unknown }).kernelFunc = () => ({ dataId: {}, shape: [], dtype: 'float32' });
  expect(record.changed()).toMatch(/Square.kernelFunc in its kernelRegistry/);
  (config as { kernelFunc: unknown }).kernelFunc = original;
  expect(record.changed()).toBeUndefined();
  tf.registerKernel({ kernelName: 'MlpathTestKernel', backendName: tf.getBackend(), kernelFunc: original });
  expect(record.changed()).toMatch(/an entry added or removed/);
  tf.unregisterKernel('MlpathTestKernel', tf.getBackend());
  expect(record.changed()).toBeUndefined();
});

test('a variable carrying its own accessor or method is refused as not TensorFlow.js own', () => {
  const plain = tf.variable(tf.zeros([2]));
  expect(tampering(plain)).toBeUndefined();
  const spied = tf.variable(tf.zeros([2]));
  let id = (spied as unknown as { dataId: object }).dataId;
  Object.defineProperty(spied, 'dataId', { get: () => id, set: (v: object) => (id = v) });
  expect(tampering(spied)).toMatch(/accessor for its dataId/);
  const shadowed = tf.variable(tf.zeros([2]));
  Object.defineProperty(shadowed, 'dataSync', { value: () => new Float32Array(2) });
  expect(tampering(shadowed)).toMatch(/its own dataSync\(\)/);
  for (const v of [plain, shadowed]) v.dispose();
});
