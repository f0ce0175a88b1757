/**
 * The scoring call recomputed by the grader (grader/child/recompute.ts): a
 * model's answers move when one of its weight matrices is zeroed in the
 * recomputation; answers that JavaScript inside predict() chose (a lookup, a
 * branch on the weights' values) do not, whatever predict() does when it
 * runs, because it never runs again.
 */
import type * as T from '@tensorflow/tfjs';
import { initBackend } from '../../../../src/backend/init';
import { prepareObservation } from '../../../../src/grader/child/observe';
import { recordCall, relianceOfRecording } from '../../../../src/grader/child/recompute';

const noOther = { x: undefined, predict: () => undefined };

type Tf = typeof import('@tensorflow/tfjs');
let tf: Tf;

beforeAll(async () => {
  tf = (await initBackend('wasm')).tf;
  prepareObservation(tf);
});

/** A fixed small network (seeded weights and biases, so every answer of every test is the same on every run). */
function mlp(): { model: T.Sequential; vars: T.Variable[] } {
  const model = tf.sequential();
  const init = (seed: number) => ({
    kernelInitializer: tf.initializers.glorotUniform({ seed }),
    biasInitializer: tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: seed + 100 }),
  });
  model.add(tf.layers.dense({ inputShape: [8], units: 16, activation: 'relu', ...init(1) }));
  model.add(tf.layers.dense({ units: 4, ...init(2) }));
  return { model, vars: model.trainableWeights.map((w) => (w as unknown as { val: T.Variable }).val) };
}

test("a layers model's predict() (batched, concatenated, fused dense kernels) is recomputed and relies on its weights", async () => {
  const { model, vars } = mlp();
  const x = tf.randomUniform([70, 8], -1, 1, 'float32', 7);
  const out = await recordCall(() => model.predict(x, { batchSize: 32 }), x, vars);
  const r = await relianceOfRecording(tf, out, noOther);
  expect(r?.why).toBeUndefined();
  // An untrained network: zeroing its output matrix leaves the bias's class, which a third of the rows had (0.33 here).
  expect(r!.least).toBeGreaterThan(0.25);
});

test('a weight matrix read only by JavaScript to pick the answers: nothing changes when it is zeroed', async () => {
  const { model, vars } = mlp();
  const lookup = tf.tensor1d([3, 1, 2], 'int32');
  const x = tf.randomUniform([30, 8], -1, 1, 'float32', 3);
  // A probe that zeroes the weights would be seen here; the recomputation is not.
  const predict = (input: T.Tensor): T.Tensor => {
    const zeroed = vars[0].dataSync().every((v) => v === 0);
    return zeroed ? (model.predict(input) as T.Tensor) : tf.oneHot(tf.tile(lookup, [10]), 4);
  };
  const out = await recordCall(() => predict(x), x, vars);
  // Nothing moves, and the input never reached a kernel: the answers were chosen beside it.
  expect(await relianceOfRecording(tf, out, noOther)).toEqual({
    least: 0,
    refused: expect.stringMatching(/never passed its input x to a TensorFlow\.js operation/) as unknown,
  });
});

test('answers made from JavaScript numbers, or beside the model with its weights times zero, do not rely on them', async () => {
  const { model, vars } = mlp();
  const x = tf.randomUniform([30, 8], -1, 1, 'float32', 5);
  const constant = await recordCall(() => tf.tensor1d(Array.from({ length: 30 }, (_, i) => i % 4)), x, vars);
  expect(await relianceOfRecording(tf, constant, noOther)).toEqual({ least: 0 });
  const laundered = await recordCall(
    () =>
      tf.tidy(() =>
        tf.add(
          tf.oneHot(tf.tensor1d(new Int32Array(30).fill(2), 'int32'), 4).mul(10),
          tf.mul(model.predict(x) as T.Tensor, 0),
        ),
      ),
    x,
    vars,
  );
  expect((await relianceOfRecording(tf, laundered, noOther))?.least).toBe(0);
});

test('plain numbers from predict() cannot be recomputed, and the finding says so', async () => {
  const { model, vars } = mlp();
  const x = tf.randomUniform([10, 8]);
  const out = await recordCall(() => Array.from((model.predict(x) as T.Tensor).argMax(-1).dataSync()), x, vars);
  expect(await relianceOfRecording(tf, out, noOther)).toEqual({
    least: 0,
    why: expect.stringMatching(/plain numbers/),
  });
});

test('answers chosen in JavaScript plus a term that vanishes at the trained weights: other rows give them away', async () => {
  const { model, vars } = mlp();
  const x = tf.randomUniform([30, 8], -1, 1, 'float32', 11);
  // One number kept beside the model (too small to count as data): the weights' sum at the trained values.
  const frozen = tf.scalar(tf.sum(vars[0]).dataSync()[0]);
  // Zeroing the weights moves these answers a lot; at the trained weights the second term is exactly zero.
  const predict = (input: T.Tensor): T.Tensor => {
    const chosen = tf.oneHot(tf.tensor1d(new Int32Array(input.shape[0]).fill(1), 'int32'), 16);
    const read = tf.mul(tf.sum(input), 0);
    return tf.add(tf.add(chosen, read), tf.mul(tf.sub(tf.sum(vars[0]), frozen), 1000));
  };
  const out = await recordCall(() => predict(x), x, vars);
  const other = {
    x: tf.randomUniform([30, 8], -1, 1, 'float32', 12),
    predict: (rows: T.Tensor) => model.predict(rows),
  };
  const r = await relianceOfRecording(tf, out, other);
  expect(r?.refused).toMatch(
    /on other rows, the operations of the scored call and predict\(\) itself answer differently/,
  );
});

test('a model asked about other rows answers as its recorded operations do', async () => {
  const { model, vars } = mlp();
  const x = tf.randomUniform([40, 8], -1, 1, 'float32', 13);
  const out = await recordCall(() => model.predict(x), x, vars);
  const other = {
    x: tf.randomUniform([40, 8], -1, 1, 'float32', 14),
    predict: (rows: T.Tensor) => model.predict(rows),
  };
  const r = await relianceOfRecording(tf, out, other);
  expect(r?.why).toBeUndefined();
  expect(r!.least).toBeGreaterThan(0);
});

test('a trained weight given new data inside predict() is refused: the recomputation would zero whatever was put there', async () => {
  const { model, vars } = mlp();
  const x = tf.randomUniform([10, 8]);
  const out = await recordCall(
    () => {
      const answers = model.predict(x);
      vars[0].assign(tf.zerosLike(vars[0]));
      return answers;
    },
    x,
    vars,
  );
  expect(await relianceOfRecording(tf, out, noOther)).toEqual({
    least: 0,
    why: expect.stringMatching(/new values for a trained weight/),
  });
});

test('a table read beside the model (a lookup written in TensorFlow.js operations) is held to a budget of values', async () => {
  const { model, vars } = mlp();
  const x = tf.randomUniform([20, 8], -1, 1, 'float32', 21);
  const table = tf.randomUniform([2000, 8], -1, 1, 'float32', 22);
  // A stand-in for nearest neighbours: the table is read, its answers do not show (times zero).
  const predict = (input: T.Tensor): T.Tensor =>
    tf.add(model.predict(input) as T.Tensor, tf.mul(tf.sum(tf.matMul(input, table, false, true)), 0));
  const r = await relianceOfRecording(tf, await recordCall(() => predict(x), x, vars), noOther);
  expect(r?.refused).toMatch(
    /the call read 16,001 values that are neither its input nor the trained weights \(at most 1,056/,
  );
  // Normalisation statistics fit: a mean and a scale per column.
  const mean = tf.randomUniform([8], -0.1, 0.1, 'float32', 23);
  const scale = tf.randomUniform([8], 0.9, 1.1, 'float32', 24);
  const normalised = (input: T.Tensor): T.Tensor => model.predict(tf.div(tf.sub(input, mean), scale)) as T.Tensor;
  const ok = await relianceOfRecording(tf, await recordCall(() => normalised(x), x, vars), noOther);
  expect(ok?.refused).toBeUndefined();
  expect(ok!.least).toBeGreaterThan(0);
});

test('answers kept in entries training never moved change when those entries are zeroed; a model barely does', async () => {
  const { model, vars } = mlp();
  const x = tf.randomUniform([40, 8], -1, 1, 'float32', 31);
  const finals = vars.map((v) => v.dataSync().slice() as Float32Array);
  // Training moved every entry: nothing is zeroed.
  const moved = (v: T.Variable): Float32Array => finals[vars.indexOf(v)].map((a) => a + 0.01);
  const honest = await relianceOfRecording(tf, await recordCall(() => model.predict(x), x, vars), {
    ...noOther,
    initialOf: moved,
  });
  expect(honest?.refused).toBeUndefined();
  // Training never moved the first layer: the answers were put there, not learned.
  const firstUnmoved = (v: T.Variable): Float32Array => (v === vars[0] ? finals[0] : moved(v));
  const kept = await relianceOfRecording(tf, await recordCall(() => model.predict(x), x, vars), {
    ...noOther,
    initialOf: firstUnmoved,
  });
  expect(kept?.refused).toMatch(
    /of the answers changed when the grader set to zero the 128 entries of the trained weights that training never moved/,
  );
  // Unmoved entries that only read a column every row has at zero (a border pixel) change nothing.
  const zeroColumn = tf.concat([tf.zeros([40, 1]), tf.randomUniform([40, 7], -1, 1, 'float32', 32)], 1);
  const firstRowUnmoved = (v: T.Variable): Float32Array => {
    if (v !== vars[0]) return moved(v);
    const first = moved(v);
    for (let j = 0; j < 16; j++) first[j] = finals[0][j];
    return first;
  };
  const border = await relianceOfRecording(tf, await recordCall(() => model.predict(zeroColumn), zeroColumn, vars), {
    ...noOther,
    initialOf: firstRowUnmoved,
  });
  expect(border?.refused).toBeUndefined();
});

test("a predict() that answers the replay's training rows otherwise than the scored call's operations is refused", async () => {
  const { model, vars } = mlp();
  const x = tf.randomUniform([10, 8], -1, 1, 'float32', 41);
  const rows = tf.randomUniform([25, 8], -1, 1, 'float32', 42);
  const values = rows.dataSync().slice() as Float32Array;
  // One column, as the replay's regressions answer: the first score of the model.
  const predict = (input: T.Tensor): T.Tensor => tf.slice(model.predict(input) as T.Tensor, [0, 0], [-1, 1]);
  const own = Float64Array.from(predict(rows).dataSync());
  const same = await relianceOfRecording(tf, await recordCall(() => predict(x), x, vars), {
    ...noOther,
    train: { values, shape: [25, 8], answers: own },
  });
  expect(same?.refused).toBeUndefined();
  const other = await relianceOfRecording(tf, await recordCall(() => predict(x), x, vars), {
    ...noOther,
    train: { values, shape: [25, 8], answers: own.map((a) => a * 2 + 1) },
  });
  expect(other?.refused).toMatch(
    /on the training rows the grader replayed the descent on, predict\(\) answered otherwise/,
  );
});

test('values kept beside the model may scale the input column by column, never be multiplied with it or mixed into trained weights', async () => {
  const { model, vars } = mlp();
  const x = tf.randomUniform([20, 8], -1, 1, 'float32', 51);
  const theta = tf.randomUniform([8, 4], -1, 1, 'float32', 52);
  // Weights solved beside the model, plus a trained term: the kept matrix meets the input in a MatMul.
  const solved = (input: T.Tensor): T.Tensor => tf.add(tf.matMul(input, theta), model.predict(input) as T.Tensor);
  const r = await relianceOfRecording(tf, await recordCall(() => solved(x), x, vars), noOther);
  expect(r?.refused).toMatch(/^(Batch)?MatMul multiplies the input by values kept beside the model/);
  // A model trained by hand (strict, as with a replayed descent): a kept vector added to a trained weight is refused.
  const w = tf.variable(tf.randomUniform([8, 1], -1, 1, 'float32', 53));
  const c = tf.randomUniform([8, 1], -1, 1, 'float32', 54);
  const rows = tf.randomUniform([12, 8], -1, 1, 'float32', 55);
  const shifted = (input: T.Tensor): T.Tensor => tf.matMul(input, tf.sub(w, c));
  const train = {
    values: rows.dataSync().slice() as Float32Array,
    shape: [12, 8],
    answers: Float64Array.from(shifted(rows).dataSync()),
  };
  const strict = await relianceOfRecording(tf, await recordCall(() => shifted(x), x, [w]), { ...noOther, train });
  expect(strict?.refused).toMatch(/^Sub combines the trained weights with values kept beside the model/);
});

test('data written as kernel attributes counts as kept data, and a product with the input summed up is a contraction', async () => {
  const { model, vars } = mlp();
  const x = tf.randomUniform([20, 8], -1, 1, 'float32', 71);
  // 8 x 4 weights from tf.fill numbers, stacked: no leaf holds them.
  const filled = (): T.Tensor =>
    tf.concat(Array.from({ length: 32 }, (_, i) => tf.fill([1], (i % 7) / 7 - 0.4))).reshape([8, 4]);
  const viaFill = (input: T.Tensor): T.Tensor => tf.add(tf.matMul(input, filled()), model.predict(input) as T.Tensor);
  const r = await relianceOfRecording(tf, await recordCall(() => viaFill(x), x, vars), noOther);
  expect(r?.refused).toMatch(/MatMul multiplies the input by values kept beside the model/);
  // The same weights as a leaf, applied as an elementwise product and a sum over the columns.
  const w = tf.randomUniform([8], -1, 1, 'float32', 72);
  const mulSum = (input: T.Tensor): T.Tensor =>
    tf.add(tf.sum(tf.mul(input, w), 1, true), model.predict(input) as T.Tensor);
  const s = await relianceOfRecording(tf, await recordCall(() => mulSum(x), x, vars), noOther);
  expect(s?.refused).toMatch(/^Sum sums the input scaled by values kept beside the model/);
  // Multiplying kept data by onesLike(input) does not make it the input's.
  const laundered = (input: T.Tensor): T.Tensor =>
    tf.add(
      tf.matMul(input, tf.mul(filled(), tf.onesLike(tf.slice(input, [0, 0], [8, 4])))),
      model.predict(input) as T.Tensor,
    );
  const l = await relianceOfRecording(tf, await recordCall(() => laundered(x), x, vars), noOther);
  expect(l?.refused).toMatch(/MatMul multiplies the input by values kept beside the model/);
});

test('under a frozen base, each zeroed head weight gives the share of answers that zeroing it in the model changes', async () => {
  // The base's layers read no trained variable: the recomputations that zero a head weight reuse its outputs.
  const { model, vars: all } = mlp();
  const head = all.slice(2);
  const x = tf.randomUniform([60, 8], -1, 1, 'float32', 11);
  const answers = (m: T.Sequential): Int32Array => (m.predict(x) as T.Tensor).argMax(-1).dataSync() as Int32Array;
  const before = answers(model);
  const out = await recordCall(() => model.predict(x), x, head);
  const r = await relianceOfRecording(tf, out, noOther);
  expect(r?.why).toBeUndefined();
  // The truth, from the model itself: zero the head's kernel and count the rows whose class moved.
  const kernel = head[0];
  const kept = kernel.clone();
  kernel.assign(tf.zerosLike(kernel));
  const after = answers(model);
  kernel.assign(kept);
  const moved = before.filter((c, i) => c !== after[i]).length / before.length;
  expect(moved).toBeGreaterThan(0);
  expect(r!.least).toBeCloseTo(moved, 10);
  expect(Array.from(answers(model))).toEqual(Array.from(before));
});

/** Runs `f` with the wasm backend's allocations watched; returns the most bytes they held at once beyond the start. */
async function peakAllocated(f: () => Promise<void>): Promise<number> {
  const wasm = (tf.backend() as unknown as { wasm: { _malloc: (n: number) => number; _free: (p: number) => void } })
    .wasm;
  const { _malloc: malloc, _free: free } = wasm;
  const sizes = new Map<number, number>();
  let live = 0;
  let peak = 0;
  wasm._malloc = (n: number) => {
    const p = malloc(n);
    sizes.set(p, n);
    live += n;
    peak = Math.max(peak, live);
    return p;
  };
  wasm._free = (p: number) => {
    live -= sizes.get(p) ?? 0;
    sizes.delete(p);
    free(p);
  };
  try {
    await f();
  } finally {
    wasm._malloc = malloc;
    wasm._free = free;
  }
  return peak;
}

test("a batched predict() is recomputed batch by batch: each batch's activations are freed once read, none leak", async () => {
  // 2,048 rows in batches of 32 through a 256-unit layer: 2 MB of hidden activations over the whole call, 32 KB
  // in one batch. Held to the end of each recomputation, they would all be in memory at once.
  // Seeded, so every run recomputes the same network.
  const init = (seed: number) => ({
    kernelInitializer: tf.initializers.glorotUniform({ seed }),
    biasInitializer: tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: seed + 100 }),
  });
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [8], units: 256, activation: 'relu', ...init(3) }));
  model.add(tf.layers.dense({ units: 4, ...init(4) }));
  const vars = model.trainableWeights.map((w) => (w as unknown as { val: T.Variable }).val);
  const x = tf.randomUniform([2048, 8], -1, 1, 'float32', 5);
  const spare = tf.randomUniform([2048, 8], -1, 1, 'float32', 6);
  const out = await recordCall(() => model.predict(x, { batchSize: 32 }), x, vars);
  const before = tf.memory().numTensors;
  const other = { x: spare, predict: (input: T.Tensor) => model.predict(input, { batchSize: 32 }) };
  let r: Awaited<ReturnType<typeof relianceOfRecording>>;
  const peak = await peakAllocated(async () => {
    r = await relianceOfRecording(tf, out, other);
  });
  expect(r!.why).toBeUndefined();
  expect(r!.refused).toBeUndefined();
  // Zeroing a weight matrix of this untrained network moves the rows whose class the biases alone do not give (13%).
  expect(r!.least).toBeGreaterThan(0.1);
  expect(peak).toBeLessThan((2048 * 256 * 4) / 4);
  // What the other rows' predict() returned is the grader's to free; nothing else stays.
  expect(tf.memory().numTensors - before).toBeLessThanOrEqual(1);
});
