import chalk from 'chalk';
import { formatResult, metricTable } from '../../../src/reporters/terminal';
import type { ExerciseResult } from '../../../src/grader/result';

const plain = new chalk.Instance({ level: 0 });

function result(over: Partial<ExerciseResult>): ExerciseResult {
  return {
    exercise: 'm/x',
    status: 'failed',
    seed: 1,
    backend: 'wasm',
    durationMs: 1000,
    error: null,
    metrics: [{ name: 'accuracy', value: 0.5, min: 0.9, passed: false }],
    ...over,
  };
}

/** The cells of a table line, split on the runs of spaces between columns. */
const cells = (line: string): string[] => line.trim().split(/\s{2,}/);

test('one seed, no baseline: the table is metric, value, threshold, margin, verdict', () => {
  const [head, row] = metricTable(result({}).metrics, plain);
  expect(cells(head)).toEqual(['metric', 'value', 'threshold', 'margin']);
  expect(cells(row)).toEqual(['accuracy', '0.5000', '>= 0.9000', '-0.4000', 'miss']);
});

test('the baseline stands beside the value and the threshold, and its label is said', () => {
  const r = result({
    baselineLabel: 'majority class',
    metrics: [{ name: 'accuracy', value: 0.93, min: 0.9, passed: true, baseline: 0.11 }],
    status: 'passed',
  });
  const [head, row] = metricTable(r.metrics, plain);
  expect(cells(head)).toEqual(['metric', 'baseline', 'value', 'threshold', 'margin']);
  expect(cells(row)).toEqual(['accuracy', '0.1100', '0.9300', '>= 0.9000', '+0.0300', 'pass']);
  expect(formatResult(r, { color: false, cwd: '/' })).toContain('  baseline: majority class');
});

test('several seeds: the worst seed is the value and the margin, each seed is shown, and the rule is said', () => {
  const r = result({
    seeds: [1, 2, 3],
    seedRule: 'every-seed',
    metrics: [
      {
        name: 'rmse',
        value: 3.9,
        max: 3.8,
        passed: false,
        values: [3.0, 3.9, 3.1],
        mean: 3.33,
        std: 0.49,
        baseline: 8.8,
      },
      {
        name: 'ndcg_at_k',
        k: 5,
        value: 0.9,
        min: 0.85,
        passed: true,
        values: [0.92, 0.9, 0.91],
        mean: 0.91,
        std: 0.01,
      },
    ],
  });
  const [head, rmse, ndcg] = metricTable(r.metrics, plain);
  expect(cells(head)).toEqual(['metric', 'baseline', 'value (worst seed)', 'per seed', 'threshold', 'margin']);
  expect(cells(rmse)).toEqual(['rmse', '8.8000', '3.9000', '3.0000 3.9000 3.1000', '<= 3.8000', '-0.1000', 'miss']);
  expect(cells(ndcg)).toEqual(['ndcg_at_k@5', 'n/a', '0.9000', '0.9200 0.9000 0.9100', '>= 0.8500', '+0.0500', 'pass']);
  expect(formatResult(r, { color: false, cwd: '/' })).toContain(
    'graded on seeds 1, 2, 3: every seed must meet each threshold',
  );
});

test("a result's findings are shown whatever the verdict, one item a line, wrapped to the terminal", () => {
  const findings = [
    'On the real classifier, the most confused: Pullover taken for Coat 21 times.',
    'Its lowest recall: Shirt, 0.20.',
  ];
  for (const status of ['passed', 'failed'] as const) {
    const text = formatResult(result({ status, findings }), { color: false, cwd: '/', columns: 40 });
    const at = text.indexOf('  what your answers show:');
    expect(at).toBeGreaterThan(0);
    const block = text.slice(at).split('\n').slice(1, 5);
    expect(block[0]).toBe('    - On the real classifier, the most');
    expect(block.slice(1, 3).every((l) => l.startsWith('      ') && l.length <= 40)).toBe(true);
    expect(block[3]).toBe('    - Its lowest recall: Shirt, 0.20.');
  }
  expect(formatResult(result({ status: 'passed' }), { color: false, cwd: '/' })).not.toContain(
    'what your answers show',
  );
});
