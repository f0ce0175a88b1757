/**
 * The one metric-task table (src/curriculum/metrics.ts) and the registries
 * validate reads agree with what the grader computes.
 */
import {
  METRIC_NAMES,
  METRIC_TASKS,
  metricsForTask,
  RANKED_METRICS,
  SUITE_METRICS,
  TASKS,
  type Task,
} from '../../../src/curriculum/metrics';
import { GradingError } from '../../../src/errors';
import { computeMetric } from '../../../src/grader/metrics';
import type { NormalizedPredictions } from '../../../src/grader/predictions';
import { scoreRanking } from '../../../src/grader/ranking';
import { SUITE_IDS, suiteFor, suiteMetrics } from '../../../src/grader/suites';

const labels = Float32Array.from([0, 1, 1, 0]);
const classes = Int32Array.from([0, 1, 0, 0]);
const predsFor: Record<Exclude<Task, 'ranking'>, NormalizedPredictions> = {
  classification: {
    task: 'classification',
    n: 4,
    k: 2,
    classes,
    scores: Float32Array.from([0.9, 0.1, 0.2, 0.8, 0.6, 0.4, 0.7, 0.3]),
  },
  binary: { task: 'binary', n: 4, classes, positiveProb: Float32Array.from([0.1, 0.8, 0.4, 0.3]) },
  regression: { task: 'regression', n: 4, values: Float32Array.from([0.1, 0.9, 0.7, 0.2]) },
};

test('a recommender is scored pointwise and as ranked lists; suite metrics have no task', () => {
  expect(metricsForTask('ranking')).toEqual(['mse', 'rmse', 'mae', 'r2', 'precision_at_k', 'recall_at_k', 'ndcg_at_k']);
  for (const name of RANKED_METRICS) expect(METRIC_TASKS[name]).toEqual(['ranking']);
  for (const name of SUITE_METRICS) expect(METRIC_TASKS[name]).toEqual([]);
  const tasks: readonly string[] = TASKS;
  for (const name of METRIC_NAMES) expect(METRIC_TASKS[name].every((t) => tasks.includes(t))).toBe(true);
});

const NOT_RANKING = ['classification', 'binary', 'regression'] as const;
test.each(NOT_RANKING)("computeMetric scores %s with the table's metrics", (task) => {
  for (const name of METRIC_NAMES) {
    const score = (): number => computeMetric(name, predsFor[task], labels);
    if (METRIC_TASKS[name].includes(task)) expect(Number.isFinite(score())).toBe(true);
    else expect(score).toThrow(GradingError);
  }
});

test("scoreRanking scores a ranking task with exactly the table's metrics", () => {
  const pairs = {
    users: Int32Array.from([0, 0, 1, 1]),
    items: Int32Array.from([0, 1, 0, 1]),
    ratings: Float32Array.from([5, 1, 4, 2]),
  };
  const raw = { values: Float32Array.from([4.5, 1.5, 3.5, 2.5]), shape: [4], dtype: 'float32' as const };
  for (const name of METRIC_NAMES) {
    const spec = { name, min: 0, ...(RANKED_METRICS.has(name) ? { k: 1 } : {}) };
    const score = (): Record<string, number> => scoreRanking([spec], raw, pairs);
    if (METRIC_TASKS[name].includes('ranking')) expect(Number.isFinite(score()[name])).toBe(true);
    else expect(score).toThrow(/does not apply to a ranking task/);
  }
});

test.each(SUITE_IDS.map((id) => [id]))('suite %s scores the metrics the registry tells validate', async (id) => {
  const suite = (await suiteFor(id))!;
  expect(suite.id).toBe(id);
  const scored = suite.score ? Object.keys(suite.score([])) : ['cases_passed'];
  expect(suiteMetrics(id)).toEqual(scored);
});

test('an id that is no suite has no metrics and no suite, even one Object.prototype has', async () => {
  expect(suiteMetrics('constructor')).toBeUndefined();
  await expect(suiteFor('toString')).resolves.toBeUndefined();
});
