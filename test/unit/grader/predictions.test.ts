import { GradingError } from '../../../src/errors';
import { InvalidOutputError, normalizePredictions, type RawPredictions } from '../../../src/grader/predictions';

function f32(values: number[], shape: number[]): RawPredictions {
  return { values: Float32Array.from(values), shape, dtype: 'float32' };
}

function invalid(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidOutputError);
    expect((err as InvalidOutputError).kind).toBe('invalid-output');
    return (err as Error).message;
  }
  throw new Error('expected an InvalidOutputError');
}

describe('normalizePredictions: classification', () => {
  it('takes the argmax of [n, k] scores, the lowest index on ties', () => {
    const raw = f32([0.1, 0.7, 0.2, 0.5, 0.5, 0, 1, 1, 1, -3, -1, -2], [4, 3]);
    const out = normalizePredictions('classification', raw, 4, 3);
    expect(Array.from(out.classes!)).toEqual([1, 0, 0, 1]);
    expect(out.k).toBe(3);
    expect(out.scores).toHaveLength(12);
    expect(out.scores![1]).toBeCloseTo(0.7);
  });

  it('takes the number of classes from the scores when the dataset does not give it', () => {
    const out = normalizePredictions('classification', f32([0, 1, 1, 0], [2, 2]), 2);
    expect(out.k).toBe(2);
    expect(Array.from(out.classes!)).toEqual([1, 0]);
  });

  it('accepts [n] integer class indices, float32 or int32', () => {
    const a = normalizePredictions('classification', f32([0, 2, 1], [3]), 3, 3);
    expect(Array.from(a.classes!)).toEqual([0, 2, 1]);
    expect(a.scores).toBeUndefined();
    const b = normalizePredictions(
      'classification',
      { values: Int32Array.from([2, 2]), shape: [2], dtype: 'int32' },
      2,
      3,
    );
    expect(Array.from(b.classes!)).toEqual([2, 2]);
    expect(b.k).toBe(3);
  });

  it('accepts plain number arrays', () => {
    const out = normalizePredictions('classification', { values: [1, 0], shape: [2], dtype: 'float32' }, 2, 2);
    expect(Array.from(out.classes!)).toEqual([1, 0]);
  });

  it('accepts an empty held-out set', () => {
    const out = normalizePredictions('classification', f32([], [0, 3]), 0, 3);
    expect(out.n).toBe(0);
    expect(out.classes).toHaveLength(0);
  });

  it('rejects the wrong number of classes, naming both shapes', () => {
    const msg = invalid(() => normalizePredictions('classification', f32(new Array(900).fill(0), [100, 9]), 100, 10));
    expect(msg).toBe(
      'predict returned shape [100, 9] but the held-out set has 100 rows and 10 classes: ' +
        'expected [100, 10] class scores or [100] class indices in 0..9',
    );
  });

  it('rejects the wrong number of rows', () => {
    const msg = invalid(() => normalizePredictions('classification', f32(new Array(30).fill(0), [10, 3]), 12, 3));
    expect(msg).toContain('shape [10, 3]');
    expect(msg).toContain('12 rows');
    expect(msg).toContain('expected [12, 3] class scores or [12] class indices');
    const flat = invalid(() => normalizePredictions('classification', f32([0, 1], [2]), 3, 3));
    expect(flat).toContain('shape [2]');
  });

  it('rejects a single score column', () => {
    const msg = invalid(() => normalizePredictions('classification', f32([0.2, 0.9], [2, 1]), 2));
    expect(msg).toContain('shape [2, 1]');
    expect(msg).toContain('one score column');
  });

  it('rejects scalars and rank 3 tensors', () => {
    expect(invalid(() => normalizePredictions('classification', f32([1], []), 1, 2))).toContain('rank 0');
    expect(invalid(() => normalizePredictions('classification', f32(new Array(8).fill(0), [2, 2, 2]), 2, 2))).toMatch(
      /shape \[2, 2, 2\].*rank 3/,
    );
  });

  it('rejects non-integer class indices, with the count and the first one', () => {
    const msg = invalid(() => normalizePredictions('classification', f32([0, 0.5, 1, 1.5], [4]), 4, 3));
    expect(msg).toContain('2 values are not integers in 0..2');
    expect(msg).toContain('the first is 0.5 at row 1');
  });

  it('rejects out-of-range and negative class indices', () => {
    const high = invalid(() => normalizePredictions('classification', f32([0, 1, 3], [3]), 3, 3));
    expect(high).toContain('1 value is not an integer in 0..2');
    expect(high).toContain('the first is 3 at row 2');
    const low = invalid(() => normalizePredictions('classification', f32([-1, 0], [2]), 2));
    expect(low).toContain('1 value is not a non-negative integer;');
    expect(low).toContain('-1 at row 0');
  });

  it('rejects NaN and Infinity, counting them and locating the first by row and column', () => {
    const msg = invalid(() =>
      normalizePredictions('classification', f32([0, 1, 2, 3, NaN, 5, Infinity, 0, 0], [3, 3]), 3, 3),
    );
    expect(msg).toContain('2 non-finite values (NaN or Infinity) out of 9');
    expect(msg).toContain('the first is NaN at row 1, column 1');
  });

  it('treats null (a NaN that went through JSON) as non-finite', () => {
    const raw = { values: [0, null, 1] as unknown as number[], shape: [3], dtype: 'float32' };
    const msg = invalid(() => normalizePredictions('classification', raw, 3, 2));
    expect(msg).toContain('1 non-finite value');
    expect(msg).toContain('null at row 1');
  });

  it('rejects string, bool and complex dtypes', () => {
    const s = invalid(() =>
      normalizePredictions('classification', { values: ['cat', 'dog'], shape: [2], dtype: 'string' }, 2, 2),
    );
    expect(s).toContain("dtype 'string'");
    expect(s).toContain('float32 or int32');
    const b = invalid(() =>
      normalizePredictions('classification', { values: Uint8Array.from([1, 0]), shape: [2], dtype: 'bool' }, 2, 2),
    );
    expect(b).toContain("dtype 'bool'");
    expect(b).toContain(".cast('int32')");
    expect(
      invalid(() =>
        normalizePredictions('classification', { values: [1, 0, 0, 1], shape: [2], dtype: 'complex64' }, 2, 2),
      ),
    ).toContain("dtype 'complex64'");
  });

  it('rejects non-numbers hidden in a numeric tensor', () => {
    const raw = { values: [0, 'x', 1] as unknown as number[], shape: [3], dtype: 'float32' };
    expect(invalid(() => normalizePredictions('classification', raw, 3, 2))).toContain('non-number ("x" at row 1)');
  });

  it('rejects a value count that does not match the shape', () => {
    expect(invalid(() => normalizePredictions('classification', f32([0, 1, 2], [2, 2]), 2, 2))).toContain(
      'shape [2, 2] (4 values) but 3 values arrived',
    );
  });

  it('rejects missing predictions', () => {
    expect(
      invalid(() => normalizePredictions('classification', undefined as unknown as RawPredictions, 2, 2)),
    ).toContain('predict returned undefined');
  });
});

describe('normalizePredictions: binary', () => {
  it('reads [n] and [n, 1] probabilities, class 1 from p >= 0.5', () => {
    for (const shape of [[4], [4, 1]]) {
      const out = normalizePredictions('binary', f32([0, 0.5, 0.49, 1], shape), 4);
      expect(Array.from(out.classes!)).toEqual([0, 1, 0, 1]);
      expect(Array.from(out.positiveProb!)).toEqual([0, 0.5, Math.fround(0.49), 1]);
      expect(out.task).toBe('binary');
    }
  });

  it('accepts int32 0/1 predictions as probabilities', () => {
    const out = normalizePredictions('binary', { values: Int32Array.from([1, 0]), shape: [2], dtype: 'int32' }, 2);
    expect(Array.from(out.classes!)).toEqual([1, 0]);
  });

  it('rejects probabilities outside [0, 1] and points at a sigmoid', () => {
    const msg = invalid(() => normalizePredictions('binary', f32([0.2, 1.7, -0.1, 0.9], [4]), 4));
    expect(msg).toContain('2 values are outside it; the first is');
    expect(msg).toContain('at row 1');
    expect(msg).toContain('sigmoid');
  });

  it('rejects [n, 2] with advice on keeping the positive column', () => {
    const msg = invalid(() => normalizePredictions('binary', f32([0.3, 0.7, 0.6, 0.4], [2, 2]), 2));
    expect(msg).toContain('shape [2, 2]');
    expect(msg).toContain('second column');
    expect(msg).toContain('expected [2] or [2, 1] probabilities of the positive class');
  });

  it('rejects booleans, asking for probabilities', () => {
    const raw = { values: Uint8Array.from([1, 0]) as unknown as number[], shape: [2], dtype: 'bool' };
    expect(invalid(() => normalizePredictions('binary', raw, 2))).toContain('not a thresholded boolean');
  });

  it('rejects Infinity before the range check', () => {
    expect(invalid(() => normalizePredictions('binary', f32([0.1, -Infinity], [2]), 2))).toContain(
      '-Infinity at row 1',
    );
  });

  it('rejects the wrong row count', () => {
    expect(invalid(() => normalizePredictions('binary', f32([0.1, 0.2], [2, 1]), 3))).toContain(
      'predict returned shape [2, 1] but the held-out set has 3 rows',
    );
  });
});

describe('normalizePredictions: regression', () => {
  it('reads [n] and [n, 1] values', () => {
    expect(Array.from(normalizePredictions('regression', f32([1.5, -2], [2]), 2).values!)).toEqual([1.5, -2]);
    expect(Array.from(normalizePredictions('regression', f32([3, 4, 5], [3, 1]), 3).values!)).toEqual([3, 4, 5]);
  });

  it('rejects several outputs per row', () => {
    const msg = invalid(() => normalizePredictions('regression', f32([1, 2, 3, 4, 5, 6], [2, 3]), 2));
    expect(msg).toContain('shape [2, 3]');
    expect(msg).toContain('one value per row');
  });

  it('rejects a value that overflows float32', () => {
    const raw = { values: [1, 1e40], shape: [2], dtype: 'float32' };
    expect(invalid(() => normalizePredictions('regression', raw, 2))).toContain('1e+40 at row 1');
  });

  it('rejects a single-row output for a one-row set only when the rank is wrong', () => {
    expect(normalizePredictions('regression', f32([7], [1]), 1).values![0]).toBe(7);
    expect(invalid(() => normalizePredictions('regression', f32([7], []), 1))).toContain('rank 0');
  });
});

describe('normalizePredictions: misuse by the grader', () => {
  it('throws GradingError, not InvalidOutputError, for mlpath mistakes', () => {
    expect(() => normalizePredictions('ranking', f32([1], [1]), 1)).toThrow(GradingError);
    expect(() => normalizePredictions('regression', f32([1], [1]), -1)).toThrow(GradingError);
    expect(() => normalizePredictions('classification', f32([1], [1]), 1, 1)).toThrow(GradingError);
  });
});
