import { tightestMargin, verifyRow } from '../../../src/commands/verify';
import type { ExerciseResult } from '../../../src/grader/result';
import { formatVerifyRow, formatVerifySummary } from '../../../src/reporters/verify';

const ex = {
  key: 'm/digits',
  seeds: [1, 2, 3],
  metrics: [{ name: 'accuracy', min: 0.9 }],
  baseline: { label: 'majority class', metrics: { accuracy: 0.11 } },
};

function result(status: ExerciseResult['status'], values: number[] | null): ExerciseResult {
  return {
    exercise: 'm/digits',
    status,
    seed: 1,
    seeds: [1, 2, 3],
    backend: 'wasm',
    durationMs: 2500,
    error: status === 'error' ? { kind: 'timeout', message: 'did not finish within the 10 s budget' } : null,
    metrics: values
      ? [{ name: 'accuracy', value: Math.min(...values), min: 0.9, passed: values.every((v) => v >= 0.9), values }]
      : [],
  };
}

test('a verified exercise: baseline, the reference on each seed, and the margin of its worst seed', () => {
  const row = verifyRow(ex, result('failed', [0.1, 0.12, 0.11]), result('passed', [0.95, 0.94, 0.96]));
  expect(row.ok).toBe(true);
  expect(row.metrics).toEqual([
    {
      name: 'accuracy',
      min: 0.9,
      max: undefined,
      baseline: 0.11,
      starter: 0.1,
      reference: [0.95, 0.94, 0.96],
      margin: expect.closeTo(0.04, 10),
    },
  ]);
  const text = formatVerifyRow(row);
  expect(text.split('\n')[0]).toMatch(/^ok {3}m\/digits/);
  expect(text).toMatch(/accuracy\s+0\.1100\s+0\.1000\s+0\.9500 0\.9400 0\.9600\s+>= 0\.9000\s+\+0\.0400/);
  expect(text).toContain('baseline: majority class');
});

test('a reference that misses on one seed fails, with a negative margin', () => {
  const row = verifyRow(ex, result('failed', [0.1, 0.1, 0.1]), result('failed', [0.95, 0.89, 0.96]));
  expect(row.ok).toBe(false);
  expect(row.metrics[0].margin).toBeCloseTo(-0.01, 10);
  expect(row.problems).toEqual(['the reference solution fails: it misses accuracy on at least one seed']);
  expect(formatVerifyRow(row)).toMatch(
    /^FAIL m\/digits[\s\S]*-0\.0100[\s\S]*! the reference solution fails: it misses accuracy/,
  );
});

test("checks a kind adds of its own are listed after the curriculum's, with their margins", () => {
  const reference = result('failed', [0.95, 0.95, 0.95]);
  reference.metrics.push({ name: 'sweep_runs', value: 2, min: 4, passed: false });
  reference.output = 'the sweep has 2 counted runs with distinct params; it needs at least 4';
  const row = verifyRow(ex, result('failed', [0.1, 0.1, 0.1]), reference);
  expect(row.metrics.map((m) => [m.name, m.margin])).toEqual([
    ['accuracy', expect.closeTo(0.05, 10)],
    ['sweep_runs', -2],
  ]);
  expect(row.problems).toEqual([
    'the reference solution fails: it misses sweep_runs on at least one seed (the sweep has 2 counted runs with distinct params; it needs at least 4)',
  ]);
});

test('a starter that passes fails, and a reference that errs says why', () => {
  const row = verifyRow(ex, result('passed', [0.95, 0.95, 0.95]), result('error', null));
  expect(row.ok).toBe(false);
  expect(row.problems).toEqual([
    'the starter passes: it must fail until the learner does the work',
    'the reference solution errs (timeout: did not finish within the 10 s budget)',
  ]);
  expect(row.metrics[0]).toMatchObject({ reference: [], margin: undefined });
});

test('the summary counts verified exercises and names the tightest margin, relative to its threshold', () => {
  const rows = [
    verifyRow(ex, result('failed', [0.1]), result('passed', [0.95, 0.94, 0.96])),
    verifyRow({ key: 'm/houses', seeds: [1], metrics: [{ name: 'rmse', max: 4 }] }, result('failed', null), {
      ...result('passed', null),
      exercise: 'm/houses',
      metrics: [{ name: 'rmse', value: 3.9, max: 4, passed: true }],
    }),
    verifyRow({ key: 'm/suite', seeds: [1], metrics: [{ name: 'accuracy', min: 1 }] }, result('failed', null), {
      ...result('passed', null),
      exercise: 'm/suite',
      metrics: [{ name: 'accuracy', value: 1, min: 1, passed: true }],
    }),
  ];
  const tightest = tightestMargin(rows);
  expect(tightest).toMatchObject({ exercise: 'm/houses', metric: 'rmse' });
  expect(formatVerifySummary({ file: 'c.yaml', rows, verified: 3, tightest })).toBe(
    '3/3 exercises verified; tightest margin: m/houses rmse +0.1000 (2.5% of its threshold)',
  );
});
