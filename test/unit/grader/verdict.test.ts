import { annotateResult, margin, seedVerdict, SEED_RULE, worstSeed } from '../../../src/grader/verdict';
import { exerciseResultSchema, type ExerciseResult } from '../../../src/grader/result';

describe('the every-seed rule', () => {
  test('passes only when every seed meets the threshold, and the value is the worst seed', () => {
    const lucky = seedVerdict({ name: 'accuracy', min: 0.8 }, [0.95, 0.3, 0.3]);
    expect(lucky.passed).toBe(false);
    expect(lucky.value).toBe(0.3);
    expect(lucky.values).toEqual([0.95, 0.3, 0.3]);
    // The mean of these three would pass a 0.8 bar; one seed below it still fails.
    const oneMiss = seedVerdict({ name: 'accuracy', min: 0.8 }, [0.95, 0.95, 0.79]);
    expect(oneMiss.mean).toBeGreaterThan(0.8);
    expect(oneMiss.passed).toBe(false);
    const honest = seedVerdict({ name: 'accuracy', min: 0.8 }, [0.85, 0.83, 0.84]);
    expect(honest).toMatchObject({ passed: true, value: 0.83, values: [0.85, 0.83, 0.84] });
    expect(honest.mean).toBeCloseTo(0.84, 10);
    expect(honest.std).toBeCloseTo(0.01, 10);
  });

  test('the worst seed of an error metric is the largest', () => {
    const v = seedVerdict({ name: 'rmse', max: 3.8 }, [3.0, 3.45, 3.05]);
    expect(v).toMatchObject({ value: 3.45, passed: true });
    expect(seedVerdict({ name: 'rmse', max: 3.8 }, [3.0, 3.9, 3.05]).passed).toBe(false);
  });

  test('with min and max, the worst seed is the one closest to either side', () => {
    expect(worstSeed({ min: 0, max: 10 }, [5, 1, 9.5])).toBe(9.5);
    expect(margin({ min: 0, max: 10 }, 9.5)).toBeCloseTo(0.5, 10);
  });

  test('a seed without a finite value fails the metric and leaves no value', () => {
    const v = seedVerdict({ name: 'accuracy', min: 0.5 }, [0.9, NaN, 0.9]);
    expect(v.passed).toBe(false);
    expect(v.value).toBeNull();
    expect(v.mean).toBeUndefined();
  });

  test('one seed is the plain value, without seed fields', () => {
    expect(seedVerdict({ name: 'accuracy', min: 0.5 }, [0.7])).toEqual({
      name: 'accuracy',
      min: 0.5,
      max: undefined,
      k: undefined,
      value: 0.7,
      passed: true,
    });
  });

  test('margin is signed so that positive is safe, for min and for max', () => {
    expect(margin({ min: 0.9 }, 0.95)).toBeCloseTo(0.05, 10);
    expect(margin({ min: 0.9 }, 0.85)).toBeCloseTo(-0.05, 10);
    expect(margin({ max: 3.8 }, 3.45)).toBeCloseTo(0.35, 10);
    expect(margin({}, 1)).toBeUndefined();
  });
});

describe('annotateResult', () => {
  const result = (seeds?: number[]): ExerciseResult => ({
    exercise: 'm/x',
    status: 'failed',
    seed: 1,
    seeds,
    backend: 'wasm',
    durationMs: 1,
    error: null,
    metrics: [
      { name: 'accuracy', value: 0.5, min: 0.9, passed: false },
      { name: 'ndcg_at_k', k: 5, value: 0.6, min: 0.8, passed: false },
    ],
  });
  const ex = { baseline: { label: 'majority class', metrics: { accuracy: 0.11, 'ndcg_at_k@5': 0.5 } } };

  test('puts the baseline beside each metric, by name or name@k, and names the seed rule', () => {
    const r = annotateResult(ex, result([1, 2, 3]));
    expect(r.baselineLabel).toBe('majority class');
    expect(r.metrics.map((m) => m.baseline)).toEqual([0.11, 0.5]);
    expect(r.seedRule).toBe(SEED_RULE);
    expect(exerciseResultSchema.safeParse(r).success).toBe(true);
  });

  test('one seed has no rule, and an exercise without a baseline gets none', () => {
    const r = annotateResult({}, result());
    expect(r.seedRule).toBeUndefined();
    expect(r.baselineLabel).toBeUndefined();
    expect(r.metrics.every((m) => m.baseline === undefined)).toBe(true);
  });
});
