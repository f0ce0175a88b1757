/**
 * The metrics a curriculum can name and the prediction tasks each one
 * scores: one table, read by the curriculum's rules (so `validate` refuses
 * `mse` on a binary task) and by the grader (computeMetric, scoreRanking),
 * so the two cannot disagree.
 *
 * A `ranking` task (a recommender) predicts one rating per held-out
 * (user, item) pair. Those numbers are scored two ways: pointwise against
 * the held-out ratings, like a regression (rmse, mse, mae, r2), and as each
 * user's ranked list (the `_at_k` metrics, which need a cut-off k).
 */
export const TASKS = ['classification', 'binary', 'regression', 'ranking'] as const;
export type Task = (typeof TASKS)[number];

export const METRIC_NAMES = [
  'accuracy',
  'balanced_accuracy',
  'precision',
  'recall',
  'f1',
  'macro_f1',
  'roc_auc',
  'log_loss',
  'mse',
  'rmse',
  'mae',
  'r2',
  'precision_at_k',
  'recall_at_k',
  'ndcg_at_k',
  // Metrics a grading suite computes itself: the share of its cases passed, and monitoring (drift detection).
  'cases_passed',
  'detection_rate',
  'false_alarm_rate',
  'detection_delay',
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

const CLASSES: readonly Task[] = ['classification', 'binary'];
const VALUES: readonly Task[] = ['regression', 'ranking'];

/** Tasks each metric can score; a metric with none is computed by a `functions` suite from all its cases. */
export const METRIC_TASKS: Readonly<Record<MetricName, readonly Task[]>> = {
  accuracy: CLASSES,
  balanced_accuracy: CLASSES,
  precision: CLASSES,
  recall: CLASSES,
  f1: CLASSES,
  macro_f1: CLASSES,
  roc_auc: CLASSES,
  log_loss: CLASSES,
  mse: VALUES,
  rmse: VALUES,
  mae: VALUES,
  r2: VALUES,
  precision_at_k: ['ranking'],
  recall_at_k: ['ranking'],
  ndcg_at_k: ['ranking'],
  cases_passed: [],
  detection_rate: [],
  false_alarm_rate: [],
  detection_delay: [],
};

/** Metrics of each user's ranked list: they need a cut-off `k` and never score one row alone. */
export const RANKED_METRICS: ReadonlySet<MetricName> = new Set(['precision_at_k', 'recall_at_k', 'ndcg_at_k']);

/** Metrics no prediction task has: a `functions` suite computes them from all its cases (drift monitoring). */
export const SUITE_METRICS: ReadonlySet<MetricName> = new Set(
  METRIC_NAMES.filter((name) => METRIC_TASKS[name].length === 0),
);

/** The metrics that can score a task, in the table's order. */
export function metricsForTask(task: Task): MetricName[] {
  return METRIC_NAMES.filter((name) => METRIC_TASKS[name].includes(task));
}
