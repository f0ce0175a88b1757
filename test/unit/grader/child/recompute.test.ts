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

type Tf = typeof import('@tensorflow/tfjs');
let tf: Tf;

beforeAll(async () => {
  tf = (await initBackend('wasm')).tf;
  prepareObservation(tf);
});

function mlp(): { model: T.Sequential; vars: T.Variable[] } {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [8], units: 16, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 4 }));
  return { model, vars: model.trainableWeights.map((w) => (w as unknown as { val: T.Variable }).val) };
}

test("a layers model's predict() (batched, concatenated, fused dense kernels) is recomputed and relies on its weights", async () => {
  const { model, vars } = mlp();
  const x = tf.randomUniform([70, 8], -1, 1, 'float32', 7);
  const out = await recordCall(() => model.predict(x, { batchSize: 32 }));
  const r = relianceOfRecording(tf, out, vars);
  expect(r?.why).toBeUndefined();
  expect(r!.least).toBeGreaterThan(0.5);
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
  const out = await recordCall(() => predict(x));
  expect(relianceOfRecording(tf, out, vars)).toEqual({ least: 0 });
});

test('answers made from JavaScript numbers, or beside the model with its weights times zero, do not rely on them', async () => {
  const { model, vars } = mlp();
  const x = tf.randomUniform([30, 8], -1, 1, 'float32', 5);
  const constant = await recordCall(() => tf.tensor1d(Array.from({ length: 30 }, (_, i) => i % 4)));
  expect(relianceOfRecording(tf, constant, vars)).toEqual({ least: 0 });
  const laundered = await recordCall(() =>
    tf.tidy(() =>
      tf.add(
        tf.oneHot(tf.tensor1d(new Int32Array(30).fill(2), 'int32'), 4).mul(10),
        tf.mul(model.predict(x) as T.Tensor, 0),
      ),
    ),
  );
  expect(relianceOfRecording(tf, laundered, vars)?.least).toBe(0);
});

test('plain numbers from predict() cannot be recomputed, and the finding says so', async () => {
  const { model, vars } = mlp();
  const x = tf.randomUniform([10, 8]);
  const out = await recordCall(() => Array.from((model.predict(x) as T.Tensor).argMax(-1).dataSync()));
  expect(relianceOfRecording(tf, out, vars)).toEqual({ least: 0, why: expect.stringMatching(/plain numbers/) });
});
