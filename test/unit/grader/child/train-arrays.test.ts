import * as tf from '@tensorflow/tfjs';
import { captureIntrinsics } from '../../../../src/grader/child/intrinsics';
import { fromTensor } from '../../../../src/grader/child/wire';
import type { HarnessContext } from '../../../../src/grader/child/context';
import type { LearnerError } from '../../../../src/grader/protocol';
import { normalizePredictions, InvalidOutputError } from '../../../../src/grader/predictions';

class Failed extends Error {
  constructor(readonly error: LearnerError) {
    super(error.message);
  }
}

const ctx = {
  tf,
  fail(error: LearnerError): never {
    throw new Failed(error);
  },
} as unknown as HarnessContext;

async function failure(value: unknown): Promise<LearnerError> {
  try {
    await fromTensor(ctx, value, 'predict(x)');
  } catch (err) {
    if (err instanceof Failed) return err.error;
    throw err;
  }
  throw new Error('expected fromTensor to fail');
}

beforeAll(async () => {
  // IS_TEST keeps tfjs from advising the native backend on the first tensor.
  tf.env().set('IS_TEST', true);
  await tf.setBackend('cpu');
  // As the harness does before learner code loads: returned tensors are read through these.
  captureIntrinsics(tf);
});

describe('fromTensor with plain numbers', () => {
  it('reads a flat array as one value per row', async () => {
    const w = await fromTensor(ctx, [1.5, 2, -3], 'predict(x)');
    expect(w.shape).toEqual([3]);
    expect(w.dtype).toBe('float32');
    expect(Array.from(w.values as Float32Array)).toEqual([1.5, 2, -3]);
  });

  it('reads an array of rows as [n, k] scores', async () => {
    const w = await fromTensor(
      ctx,
      [
        [0.1, 0.9],
        [0.7, 0.3],
        [0.5, 0.5],
      ],
      'predict(x)',
    );
    expect(w.shape).toEqual([3, 2]);
    expect(Array.from(w.values as Float32Array).map((v) => Math.round(v * 10))).toEqual([1, 9, 7, 3, 5, 5]);
  });

  it('reads typed arrays', async () => {
    const w = await fromTensor(ctx, Float64Array.from([4, 5]), 'predict(x)');
    expect(w.shape).toEqual([2]);
    expect(Array.from(w.values as Float32Array)).toEqual([4, 5]);
  });

  it('reads an empty array as zero rows, so the parent reports the row count', async () => {
    const w = await fromTensor(ctx, [], 'predict(x)');
    expect(w.shape).toEqual([0]);
    expect(() => normalizePredictions('regression', w, 3)).toThrow(/shape \[0\].*3 rows/);
  });

  it('gives plain-number class indices to the parent as valid classification predictions', async () => {
    const w = await fromTensor(ctx, [2, 0, 1], 'predict(x)');
    const p = normalizePredictions('classification', w, 3, 3);
    expect(Array.from(p.classes!)).toEqual([2, 0, 1]);
  });

  it('lets NaN through for the parent to report like a NaN tensor', async () => {
    const w = await fromTensor(ctx, [1, Number.NaN], 'predict(x)');
    expect(() => normalizePredictions('regression', w, 2)).toThrow(InvalidOutputError);
    expect(() => normalizePredictions('regression', w, 2)).toThrow(/non-finite value/);
  });

  it('names the row of a non-number', async () => {
    const e = await failure([0, 'setosa', 1]);
    expect(e.kind).toBe('invalid-output');
    expect(e.message).toMatch(/non-number \("setosa" at row 1\)/);
  });

  it('names row and column of a non-number inside a row', async () => {
    const e = await failure([
      [0, 1],
      [null, 1],
    ]);
    expect(e.message).toMatch(/null at row 1, column 0/);
  });

  it('rejects ragged rows', async () => {
    const e = await failure([[0, 1], [1]]);
    expect(e.kind).toBe('invalid-output');
    expect(e.message).toMatch(/ragged array: row 0 has 2 values but row 1 has 1 values/);
  });

  it('rejects a row that is not an array among rows', async () => {
    const e = await failure([[0, 1], 3]);
    expect(e.message).toMatch(/ragged array: .*row 1 has 3/);
  });
});

describe('fromTensor keeps its messages for what it still refuses', () => {
  it('still reads tensors', async () => {
    const w = await fromTensor(ctx, tf.tensor1d([1, 2], 'int32'), 'predict(x)');
    expect(w.dtype).toBe('int32');
    expect(w.shape).toEqual([2]);
  });

  it('null and other non-tensors', async () => {
    expect((await failure(null)).message).toBe('predict(x) must return a tf.Tensor, but it returned null');
    expect((await failure({ a: 1 })).message).toBe('predict(x) must return a tf.Tensor, but it returned object');
    expect((await failure(undefined)).message).toBe('predict(x) must return a tf.Tensor, but it returned undefined');
  });

  it('an array of tensors (a model with several outputs)', async () => {
    const e = await failure([tf.tensor1d([1]), tf.tensor1d([2])]);
    expect(e.message).toBe(
      'predict(x) must return a tf.Tensor, but it returned an array of 2 tensors (a model with several outputs): return one',
    );
  });

  it('a disposed tensor', async () => {
    const t = tf.tensor1d([1]);
    t.dispose();
    expect((await failure(t)).message).toBe('predict(x) returned a tensor that was already disposed');
  });

  it('a string tensor', async () => {
    expect((await failure(tf.tensor1d(['a'], 'string'))).message).toMatch(/returned a string tensor; expected float32/);
  });

  it('a tensor mixed into an array of numbers', async () => {
    const e = await failure([1, tf.scalar(2)]);
    expect(e.message).toMatch(/non-number \(a tf.Tensor at row 1\)/);
  });
});

describe('fromTensor reads a returned tensor as TensorFlow.js made it (review 18)', () => {
  it('an own data() that answers other values than the tensor holds is refused, not read', async () => {
    const t = tf.tensor2d([[0.1, 0.9]]);
    let called = false;
    Object.defineProperty(t, 'data', {
      value: async () => {
        called = true;
        return new Float32Array([1, 0]);
      },
    });
    expect((await failure(t)).message).toBe(
      'predict(x) returned a tensor with its own data (a getter or a function written onto it); return the tensor TensorFlow.js made, as it made it',
    );
    expect(called).toBe(false);
  });

  it('a getter on the shape, or an object made from the prototype, is refused', async () => {
    const t = tf.tensor1d([1, 2]);
    Object.defineProperty(t, 'shape', { get: () => [2] });
    expect((await failure(t)).message).toMatch(/with its own shape/);
    const fake = Object.create(tf.Tensor.prototype) as object;
    expect((await failure(fake)).message).toMatch(
      /^predict\(x\) returned a tensor whose shape is not an array; return the tensor/,
    );
  });

  it("a plain tensor's values are a copy: later writes to its data do not reach what was read", async () => {
    const t = tf.tensor1d([1, 2, 3]);
    const w = await fromTensor(ctx, t, 'predict(x)');
    (t.dataSync() as Float32Array).fill(0);
    expect(Array.from(w.values as Float32Array)).toEqual([1, 2, 3]);
  });
});
