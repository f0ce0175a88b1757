/**
 * Forbidden methods (`LayersModel.fit`): closed at the implementation on the
 * named class and the classes that inherit it, with advice that fits, while
 * the rest of the class keeps working; no name of theirs is scanned for or
 * hidden. And `tf.linalg`'s advice, which names the lesson it would skip.
 */
import type * as T from '@tensorflow/tfjs';
import { initBackend } from '../../../src/backend/init';
import {
  blockImplementations,
  ForbiddenApiError,
  isMethodEntry,
  restrictNamespace,
  scanSource,
} from '../../../src/grader/forbidden';

type Tf = typeof import('@tensorflow/tfjs');

const FORBID = ['LayersModel.fit', 'LayersModel.fitDataset', 'LayersModel.trainOnBatch'];
let tf: Tf;
const uses: ForbiddenApiError[] = [];

beforeAll(async () => {
  tf = (await initBackend('cpu')).tf;
  blockImplementations(tf, FORBID, (err) => uses.push(err));
});

function model(): T.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [2], units: 1 }));
  m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  return m;
}

describe('method entries', () => {
  it('are told apart from namespace entries', () => {
    expect(isMethodEntry('LayersModel.fit')).toBe(true);
    expect(isMethodEntry('metrics.mse')).toBe(false);
    expect(isMethodEntry('layers')).toBe(false);
  });

  it('close fit on a Sequential and on a functional model, with advice to write the loop', () => {
    const x = tf.zeros([4, 2]);
    const y = tf.zeros([4, 1]);
    expect(() => model().fit(x, y)).toThrow(
      /^model\.fit is not allowed in this exercise: write the training loop yourself/,
    );
    const input = tf.input({ shape: [2] });
    const functional = tf.model({
      inputs: input,
      outputs: tf.layers.dense({ units: 1 }).apply(input) as T.SymbolicTensor,
    });
    functional.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    expect(() => functional.fit(x, y)).toThrow(ForbiddenApiError);
    expect(() => model().trainOnBatch(x, y)).toThrow(/model\.trainOnBatch/);
    expect(uses[0].api).toBe('model.fit');
  });

  it("leave the rest of a model working: predict, apply, and an optimizer step of the learner's own", () => {
    const m = model();
    const x = tf.ones([3, 2]);
    expect((m.predict(x) as T.Tensor).shape).toEqual([3, 1]);
    const optimizer = tf.train.sgd(0.1);
    const before = (m.getWeights()[0].dataSync() as Float32Array).slice();
    optimizer.minimize(() => tf.mean<T.Scalar>(tf.square(tf.sub(m.apply(x) as T.Tensor, 1))));
    expect(Array.from(m.getWeights()[0].dataSync())).not.toEqual(Array.from(before));
  });

  it("are neither scanned for nor hidden in the namespace: `fit` is any object's method", () => {
    expect(scanSource('train.ts', 'await model.fit(x, y);\nconst fit = tf.LayersModel;', FORBID)).toEqual([]);
    const restricted = restrictNamespace(tf, FORBID, () => undefined);
    expect(restricted.LayersModel).toBe(tf.LayersModel);
    expect(restricted.sequential).toBe(tf.sequential);
  });
});

describe('advice that names the lesson', () => {
  it('tf.linalg: the scan and the namespace say a factorisation skips gradient descent', () => {
    const [use] = scanSource('train.ts', 'const [q, r] = tf.linalg.qr(x);', ['tf.linalg']);
    expect(use).toMatchObject({ api: 'tf.linalg', line: 1 });
    expect(use.advice).toMatch(/the lesson is getting there by gradient descent/);
    const restricted = restrictNamespace(tf, ['tf.linalg'], () => undefined);
    expect(() => restricted.linalg).toThrow(
      /tf\.linalg is not allowed in this exercise: a factorisation solves least squares in one go/,
    );
  });
});
