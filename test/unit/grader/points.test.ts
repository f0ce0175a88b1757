import { award } from '../../../src/grader/points';
import type { LoadedExercise } from '../../../src/curriculum';
import type { ExerciseResult } from '../../../src/grader/result';

const exercise = {
  key: 'm/x',
  points: 10,
  partialCredit: [
    { label: 'beats the baseline', points: 3, metrics: [{ name: 'accuracy', min: 0.5 }] },
    {
      label: 'close',
      points: 7,
      metrics: [
        { name: 'accuracy', min: 0.8 },
        { name: 'log_loss', max: 0.6 },
      ],
    },
  ],
} as unknown as LoadedExercise;

function result(status: ExerciseResult['status'], accuracy: number | null, logLoss = 1): ExerciseResult {
  return {
    exercise: 'm/x',
    status,
    seed: 1,
    backend: 'wasm',
    durationMs: 1,
    error: null,
    metrics: [
      { name: 'accuracy', value: accuracy, min: 0.9, passed: false },
      { name: 'log_loss', value: logLoss, max: 0.3, passed: false },
    ],
  };
}

test('a pass earns every point', () => {
  expect(award(exercise, result('passed', 0.95, 0.2))).toEqual({ points: 10 });
});

test('the best tier met counts, and a tier needs all its metrics', () => {
  expect(award(exercise, result('failed', 0.85, 0.5))).toEqual({ points: 7, tier: 'close' });
  expect(award(exercise, result('failed', 0.85, 0.9))).toEqual({ points: 3, tier: 'beats the baseline' });
  expect(award(exercise, result('failed', 0.4))).toEqual({ points: 0 });
});

test('errors and missing values earn nothing', () => {
  expect(award(exercise, result('error', 0.99, 0.1))).toEqual({ points: 0 });
  expect(award(exercise, result('failed', null, 0.1))).toEqual({ points: 0 });
});
