/**
 * The metrics the grader scores held-out predictions with: pure functions on
 * plain arrays, computed in float64 whatever the input precision.
 *
 * Conventions, chosen to match scikit-learn where it has one, so a learner who
 * checks a number in a notebook gets the same number here:
 * - Labels are class indices (0, 1, ...); binary labels are 0 or 1.
 * - precision / recall / F1 with 0/0 (no predicted positives, or no actual
 *   positives) are 0, as scikit-learn's default `zero_division` gives.
 * - "binary" averaging scores class 1 only; "macro" is the unweighted mean
 *   over every class that occurs in the labels or in the predictions (a class
 *   in neither has nothing to score and would only drag the mean to 0).
 * - Balanced accuracy is the mean recall over the classes in the labels.
 * - ROC AUC is the Mann-Whitney statistic with average ranks for tied
 *   scores (a tie between a positive and a negative counts one half). Labels
 *   holding a single class make it undefined: that throws a GradingError, as
 *   scikit-learn raises, rather than returning NaN, because the held-out set
 *   is the curriculum's doing and no learner can fix it.
 *   Multi-class ROC AUC is the macro mean of one-vs-rest AUCs over the classes
 *   in the labels, on the scores turned into probabilities (see below).
 * - Log loss clips probabilities to [1e-15, 1 - 1e-15] so one confident
 *   mistake costs a large but finite amount.
 * - Multi-class scores are taken as probabilities when every row is
 *   non-negative and sums to 1 (within 1e-3; rows are then rescaled to sum to
 *   exactly 1); otherwise every row goes through a softmax, as logits would.
 *   The decision is made for the whole matrix so that a logit row that
 *   happens to sum to 1 is not read differently from its neighbours.
 * - R^2 of a constant target is 1 for perfect predictions and 0 otherwise
 *   (scikit-learn's `force_finite`), since SS_tot = 0 leaves it undefined.
 * - Empty inputs and length mismatches throw a GradingError: they are mlpath
 *   or curriculum bugs, never a learner's.
 */
import { GradingError } from '../errors';
import { METRIC_TASKS, RANKED_METRICS, type MetricName } from '../curriculum/metrics';
import { InvalidOutputError, type NormalizedPredictions } from './predictions';

export type Values = ArrayLike<number>;
export type Average = 'binary' | 'macro';

export const LOG_LOSS_EPS = 1e-15;
const PROBABILITY_ROW_TOLERANCE = 1e-3;

function checkPair(metric: string, yTrue: Values, yPred: Values): number {
  if (yTrue.length !== yPred.length) {
    throw new GradingError(`${metric}: ${yTrue.length} labels but ${yPred.length} predictions`);
  }
  if (yTrue.length === 0) throw new GradingError(`${metric}: cannot score an empty set`);
  return yTrue.length;
}

function checkClassLabels(metric: string, what: string, y: Values): void {
  for (let i = 0; i < y.length; i++) {
    if (!Number.isInteger(y[i]) || y[i] < 0) {
      throw new GradingError(
        `${metric}: ${what} must be class indices (non-negative integers), got ${y[i]} at row ${i}`,
      );
    }
  }
}

function checkBinaryLabels(metric: string, y: Values): void {
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 0 && y[i] !== 1) {
      throw new GradingError(`${metric}: binary labels must be 0 or 1, got ${y[i]} at row ${i}`);
    }
  }
}

function checkK(metric: string, k: number, size: number, n: number): void {
  if (!Number.isInteger(k) || k < 2 || size !== n * k) {
    throw new GradingError(`${metric}: ${size} scores do not make ${n} rows of k=${k} classes`);
  }
}

function ratio(num: number, den: number): number {
  return den === 0 ? 0 : num / den;
}

export function accuracy(yTrue: Values, yPred: Values): number {
  const n = checkPair('accuracy', yTrue, yPred);
  let correct = 0;
  for (let i = 0; i < n; i++) if (yTrue[i] === yPred[i]) correct++;
  return correct / n;
}

export function balancedAccuracy(yTrue: Values, yPred: Values): number {
  const n = checkPair('balanced_accuracy', yTrue, yPred);
  checkClassLabels('balanced_accuracy', 'labels', yTrue);
  const support = new Map<number, number>();
  const hits = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const c = yTrue[i];
    support.set(c, (support.get(c) ?? 0) + 1);
    if (yPred[i] === c) hits.set(c, (hits.get(c) ?? 0) + 1);
  }
  let sum = 0;
  for (const [c, count] of support) sum += (hits.get(c) ?? 0) / count;
  return sum / support.size;
}

interface ClassCounts {
  tp: number;
  fp: number;
  fn: number;
}

function classCounts(metric: string, yTrue: Values, yPred: Values, average: Average): Map<number, ClassCounts> {
  const n = checkPair(metric, yTrue, yPred);
  if (average === 'binary') {
    checkBinaryLabels(metric, yTrue);
    checkBinaryLabels(`${metric} (predictions)`, yPred);
  } else {
    checkClassLabels(metric, 'labels', yTrue);
    checkClassLabels(metric, 'predictions', yPred);
  }
  const counts = new Map<number, ClassCounts>();
  const get = (c: number): ClassCounts => {
    let entry = counts.get(c);
    if (!entry) counts.set(c, (entry = { tp: 0, fp: 0, fn: 0 }));
    return entry;
  };
  for (let i = 0; i < n; i++) {
    if (yTrue[i] === yPred[i]) {
      get(yTrue[i]).tp++;
    } else {
      get(yPred[i]).fp++;
      get(yTrue[i]).fn++;
    }
  }
  if (average === 'binary') {
    const positive = counts.get(1) ?? { tp: 0, fp: 0, fn: 0 };
    return new Map([[1, positive]]);
  }
  return counts;
}

function averaged(counts: Map<number, ClassCounts>, score: (c: ClassCounts) => number): number {
  let sum = 0;
  for (const c of counts.values()) sum += score(c);
  return sum / counts.size;
}

/** Precision of class 1 (`binary`) or the macro mean over classes. */
export function precision(yTrue: Values, yPred: Values, average: Average = 'binary'): number {
  return averaged(classCounts('precision', yTrue, yPred, average), (c) => ratio(c.tp, c.tp + c.fp));
}

/** Recall of class 1 (`binary`) or the macro mean over classes. */
export function recall(yTrue: Values, yPred: Values, average: Average = 'binary'): number {
  return averaged(classCounts('recall', yTrue, yPred, average), (c) => ratio(c.tp, c.tp + c.fn));
}

/**
 * F1 of class 1 (`binary`) or the macro mean of per-class F1 (not the F1 of
 * macro precision and macro recall), as scikit-learn's `f1_score`.
 */
export function f1(yTrue: Values, yPred: Values, average: Average = 'binary'): number {
  return averaged(classCounts('f1', yTrue, yPred, average), (c) => ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn));
}

/** AUC of `scores` for the rows where `positive` holds, from average ranks. */
function aucOf(metric: string, positive: (i: number) => boolean, scores: Values): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(scores[i])) throw new GradingError(`${metric}: score ${scores[i]} at row ${i} is not finite`);
  }
  order.sort((a, b) => scores[a] - scores[b]);
  let nPos = 0;
  let rankSum = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    const averageRank = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) {
      if (positive(order[t])) {
        nPos++;
        rankSum += averageRank;
      }
    }
    i = j + 1;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) {
    throw new GradingError(
      `${metric}: ROC AUC is undefined when the held-out labels hold a single class (${nPos === 0 ? 'no' : 'only'} positives)`,
    );
  }
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** Binary ROC AUC: labels 0/1, any real-valued score where higher means class 1. */
export function rocAuc(yTrue: Values, scores: Values): number {
  checkPair('roc_auc', yTrue, scores);
  checkBinaryLabels('roc_auc', yTrue);
  return aucOf('roc_auc', (i) => yTrue[i] === 1, scores);
}

/** Macro one-vs-rest ROC AUC over the classes in the labels; `scores` is n*k, row-major. */
export function rocAucOvr(yTrue: Values, scores: Values, k: number): number {
  const n = yTrue.length;
  if (n === 0) throw new GradingError('roc_auc: cannot score an empty set');
  checkK('roc_auc', k, scores.length, n);
  checkClassLabels('roc_auc', 'labels', yTrue);
  const probs = classProbabilities(scores, k);
  const present = [...new Set(Array.from(yTrue))].sort((a, b) => a - b);
  if (present.length < 2) {
    throw new GradingError(
      `roc_auc: ROC AUC is undefined when the held-out labels hold a single class (${present[0]})`,
    );
  }
  let sum = 0;
  const column = new Float64Array(n);
  for (const c of present) {
    if (c >= k) throw new GradingError(`roc_auc: label ${c} has no score column (k=${k})`);
    for (let i = 0; i < n; i++) column[i] = probs[i * k + c];
    sum += aucOf('roc_auc', (i) => yTrue[i] === c, column);
  }
  return sum / present.length;
}

/**
 * Scores as class probabilities, n*k row-major: kept (rescaled to sum to 1)
 * when every row already is a distribution, softmaxed otherwise.
 */
export function classProbabilities(scores: Values, k: number): Float64Array {
  const n = Math.floor(scores.length / k);
  checkK('classProbabilities', k, scores.length, n);
  const out = new Float64Array(n * k);
  let distributions = true;
  for (let i = 0; i < n && distributions; i++) {
    let sum = 0;
    for (let j = 0; j < k; j++) {
      const v = scores[i * k + j];
      if (v < 0) distributions = false;
      sum += v;
    }
    if (Math.abs(sum - 1) > PROBABILITY_ROW_TOLERANCE) distributions = false;
  }
  for (let i = 0; i < n; i++) {
    const row = i * k;
    if (distributions) {
      let sum = 0;
      for (let j = 0; j < k; j++) sum += scores[row + j];
      for (let j = 0; j < k; j++) out[row + j] = scores[row + j] / sum;
      continue;
    }
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, scores[row + j]);
    let sum = 0;
    for (let j = 0; j < k; j++) sum += out[row + j] = Math.exp(scores[row + j] - max);
    for (let j = 0; j < k; j++) out[row + j] /= sum;
  }
  return out;
}

function clip(p: number): number {
  return Math.min(Math.max(p, LOG_LOSS_EPS), 1 - LOG_LOSS_EPS);
}

/** Binary log loss (natural log); `p` is the probability of class 1. */
export function logLoss(yTrue: Values, p: Values): number {
  const n = checkPair('log_loss', yTrue, p);
  checkBinaryLabels('log_loss', yTrue);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const q = clip(p[i]);
    sum -= yTrue[i] === 1 ? Math.log(q) : Math.log(1 - q);
  }
  return sum / n;
}

/** Multi-class log loss; `scores` is n*k row-major probabilities or logits. */
export function logLossMulticlass(yTrue: Values, scores: Values, k: number): number {
  const n = yTrue.length;
  if (n === 0) throw new GradingError('log_loss: cannot score an empty set');
  checkK('log_loss', k, scores.length, n);
  checkClassLabels('log_loss', 'labels', yTrue);
  const probs = classProbabilities(scores, k);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const c = yTrue[i];
    if (c >= k) throw new GradingError(`log_loss: label ${c} at row ${i} has no score column (k=${k})`);
    sum -= Math.log(clip(probs[i * k + c]));
  }
  return sum / n;
}

export function mse(yTrue: Values, yPred: Values): number {
  const n = checkPair('mse', yTrue, yPred);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += (yTrue[i] - yPred[i]) ** 2;
  return sum / n;
}

export function rmse(yTrue: Values, yPred: Values): number {
  checkPair('rmse', yTrue, yPred);
  return Math.sqrt(mse(yTrue, yPred));
}

export function mae(yTrue: Values, yPred: Values): number {
  const n = checkPair('mae', yTrue, yPred);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.abs(yTrue[i] - yPred[i]);
  return sum / n;
}

export function r2(yTrue: Values, yPred: Values): number {
  const n = checkPair('r2', yTrue, yPred);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += yTrue[i];
  mean /= n;
  let ssRes = 0;
  let ssTot = 0;
  let constant = true;
  for (let i = 0; i < n; i++) {
    ssRes += (yTrue[i] - yPred[i]) ** 2;
    ssTot += (yTrue[i] - mean) ** 2;
    if (yTrue[i] !== yTrue[0]) constant = false;
  }
  // Compared directly: the mean of equal values can be off by an ulp, leaving SS_tot a tiny non-zero.
  if (constant) return ssRes === 0 ? 1 : 0;
  return 1 - ssRes / ssTot;
}

export interface ScoredItem {
  item: number;
  score: number;
}

export interface RankingResult {
  precisionAtK: number;
  recallAtK: number;
  ndcgAtK: number;
  /** Users averaged over: those with at least one relevant item. */
  users: number;
}

/**
 * precision@k, recall@k and NDCG@k with binary relevance, averaged over the
 * users that have at least one relevant item (a user the recommender left
 * out counts, with an empty list and so 0 on all three).
 * - Each user's items are ranked by score, highest first; tied scores are
 *   ordered by item id so the result never depends on input order.
 * - precision@k divides the hits in the top k by k, even when fewer than k
 *   items were recommended: recommending less is not rewarded.
 * - recall@k divides those hits by the user's number of relevant items.
 * - NDCG@k = DCG@k / IDCG@k with DCG = sum over ranks r = 1..k of
 *   rel_r / log2(r + 1), and IDCG the DCG of min(k, |relevant|) hits.
 * A list with a non-finite score or an item twice is the learner's output
 * gone wrong and throws InvalidOutputError.
 */
export function rankingMetrics(
  scoresByUser: Map<number, ScoredItem[]>,
  relevantByUser: Map<number, Set<number>>,
  k: number,
): RankingResult {
  if (!Number.isInteger(k) || k < 1) throw new GradingError(`ranking metrics: k must be a positive integer, got ${k}`);
  let users = 0;
  let precisionSum = 0;
  let recallSum = 0;
  let ndcgSum = 0;
  for (const [user, relevant] of relevantByUser) {
    if (relevant.size === 0) continue;
    users++;
    const top = rankedItems(user, scoresByUser.get(user) ?? []).slice(0, k);
    let hits = 0;
    let dcg = 0;
    top.forEach((item, r) => {
      if (relevant.has(item)) {
        hits++;
        dcg += 1 / Math.log2(r + 2);
      }
    });
    let idcg = 0;
    for (let r = 0; r < Math.min(k, relevant.size); r++) idcg += 1 / Math.log2(r + 2);
    precisionSum += hits / k;
    recallSum += hits / relevant.size;
    ndcgSum += dcg / idcg;
  }
  if (users === 0) throw new GradingError('ranking metrics: no user in the held-out set has a relevant item');
  return { precisionAtK: precisionSum / users, recallAtK: recallSum / users, ndcgAtK: ndcgSum / users, users };
}

function rankedItems(user: number, list: ScoredItem[]): number[] {
  const seen = new Set<number>();
  for (const { item, score } of list) {
    if (!Number.isFinite(score)) {
      throw new InvalidOutputError(
        `the recommendations for user ${user} give item ${item} the score ${score}; scores must be finite numbers`,
      );
    }
    if (seen.has(item)) {
      throw new InvalidOutputError(
        `the recommendations for user ${user} list item ${item} more than once; recommend each item at most once`,
      );
    }
    seen.add(item);
  }
  return [...list].sort((a, b) => b.score - a.score || a.item - b.item).map((s) => s.item);
}

// The metric-task table is the curriculum's (validate checks exercises against it); re-exported for the grader.
export { METRIC_TASKS, RANKED_METRICS, SUITE_METRICS } from '../curriculum/metrics';

function need<T>(value: T | undefined, name: MetricName, field: string): T {
  if (value === undefined) throw new GradingError(`${name}: normalized predictions lack '${field}'`);
  return value;
}

function scoresFor(name: MetricName, preds: NormalizedPredictions): { scores: Float32Array; k: number } {
  if (preds.scores === undefined || preds.k === undefined) {
    throw new InvalidOutputError(
      `${name} needs a score per class: predict returned [${preds.n}] class indices, ` +
        `return [${preds.n}, k] class probabilities or logits instead (e.g. the model's softmax output)`,
    );
  }
  return { scores: preds.scores, k: preds.k };
}

/**
 * Scores normalized predictions against the held-out labels. precision,
 * recall and f1 score class 1 on a binary task and are macro averages on a
 * multi-class one; macro_f1 is macro on both. Ranking metrics take per-user
 * lists rather than one prediction per row: use rankingMetrics for them.
 * Throws GradingError when the metric does not fit the task (a curriculum
 * bug), InvalidOutputError when the predictions lack what the metric needs
 * (class indices where log_loss or roc_auc need scores).
 */
export function computeMetric(
  name: MetricName,
  preds: NormalizedPredictions,
  labels: Float32Array,
  opts: { k?: number } = {},
): number {
  const tasks = METRIC_TASKS[name];
  if (tasks === undefined) throw new GradingError(`unknown metric '${String(name)}'`);
  if (RANKED_METRICS.has(name)) {
    throw new GradingError(
      `${name}${opts.k === undefined ? '' : ` (k=${opts.k})`} scores per-user ranked lists, not one prediction per row: use rankingMetrics`,
    );
  }
  if (!tasks.includes(preds.task)) {
    const fitting = (Object.keys(METRIC_TASKS) as MetricName[]).filter((m) => METRIC_TASKS[m].includes(preds.task));
    throw new GradingError(
      `${name} does not apply to a ${preds.task} task; a ${preds.task} task can be scored with ${fitting.join(', ')}`,
    );
  }
  if (labels.length !== preds.n) {
    throw new GradingError(
      `${name}: the held-out set has ${labels.length} labels but ${preds.n} predictions were normalized`,
    );
  }

  const binary = preds.task === 'binary';
  const average: Average = binary ? 'binary' : 'macro';
  switch (name) {
    case 'accuracy':
      return accuracy(labels, need(preds.classes, name, 'classes'));
    case 'balanced_accuracy':
      return balancedAccuracy(labels, need(preds.classes, name, 'classes'));
    case 'precision':
      return precision(labels, need(preds.classes, name, 'classes'), average);
    case 'recall':
      return recall(labels, need(preds.classes, name, 'classes'), average);
    case 'f1':
      return f1(labels, need(preds.classes, name, 'classes'), average);
    case 'macro_f1':
      return f1(labels, need(preds.classes, name, 'classes'), 'macro');
    case 'roc_auc': {
      if (binary) return rocAuc(labels, need(preds.positiveProb, name, 'positiveProb'));
      const { scores, k } = scoresFor(name, preds);
      return rocAucOvr(labels, scores, k);
    }
    case 'log_loss': {
      if (binary) return logLoss(labels, need(preds.positiveProb, name, 'positiveProb'));
      const { scores, k } = scoresFor(name, preds);
      return logLossMulticlass(labels, scores, k);
    }
    case 'mse':
      return mse(labels, need(preds.values, name, 'values'));
    case 'rmse':
      return rmse(labels, need(preds.values, name, 'values'));
    case 'mae':
      return mae(labels, need(preds.values, name, 'values'));
    case 'r2':
      return r2(labels, need(preds.values, name, 'values'));
    default:
      throw new GradingError(`${name} has no scorer`);
  }
}

/** Whether a metric value meets its thresholds (both inclusive); NaN never does. */
export function checkThreshold(value: number, spec: { min?: number; max?: number }): boolean {
  if (Number.isNaN(value)) return false;
  if (spec.min !== undefined && !(value >= spec.min)) return false;
  if (spec.max !== undefined && !(value <= spec.max)) return false;
  return true;
}
