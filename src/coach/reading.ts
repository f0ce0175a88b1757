/**
 * The coach's view of a run: the training curve split into the series the
 * rules ask about (training loss, validation loss, validation metrics mapped
 * to the grader's metric names), and the held-out value each one compares to.
 */
import type { ExerciseKind, MetricName } from '../curriculum/schema';
import type { ExerciseResult, InputScale, NonFiniteLog } from '../grader/result';

/** What the coach reads: a graded outcome, or the attempt record written from it. */
export interface CoachInput {
  /** How the exercise is graded: only kinds that train are expected to log a curve. */
  kind: ExerciseKind;
  result: Pick<ExerciseResult, 'status' | 'metrics' | 'seed' | 'seeds' | 'error'>;
  curve: Record<string, number>[];
  nonFinite?: NonFiniteLog[];
  confusion?: number[][];
  classNames?: string[];
  inputScale?: InputScale;
}

export interface Point {
  /** Index of the step in the curve. */
  i: number;
  v: number;
}

export interface Series {
  key: string;
  points: Point[];
}

/** A validation metric the learner logged, and the grader's name for it. */
export interface LoggedMetric extends Series {
  metric: MetricName;
  higherIsBetter: boolean;
}

export interface Reading {
  input: CoachInput;
  /** `epoch 3`, or `step 3` when the steps carry no position. */
  at(i: number): string;
  loss?: Series;
  valLoss?: Series;
  logged: LoggedMetric[];
}

/** Keys are compared without case or separators: valAccuracy, val_accuracy and VAL-ACCURACY are one key. */
function norm(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** What follows `val` in a logged key, as the grader's metric name. */
const METRIC_ALIASES: Record<string, MetricName> = {
  acc: 'accuracy',
  accuracy: 'accuracy',
  balancedacc: 'balanced_accuracy',
  balancedaccuracy: 'balanced_accuracy',
  f1: 'f1',
  f1score: 'f1',
  fscore: 'f1',
  macrof1: 'macro_f1',
  prec: 'precision',
  precision: 'precision',
  recall: 'recall',
  auc: 'roc_auc',
  rocauc: 'roc_auc',
  r2: 'r2',
  mse: 'mse',
  rmse: 'rmse',
  mae: 'mae',
  logloss: 'log_loss',
};

const LOWER_IS_BETTER = new Set<MetricName>(['mse', 'rmse', 'mae', 'log_loss']);
const VALIDATION = /^(?:validation|val)(.+)$|^(.+?)(?:validation|val)$/;
const TRAIN_LOSS = new Set(['loss', 'trainloss', 'trainingloss']);
const VAL_LOSS = new Set(['valloss', 'validationloss']);
const POSITION_KEYS = ['epoch', 'step', 'iteration', 'batch'];

/** The grader's metric a logged key measures on validation data, if any. */
export function loggedMetric(key: string): { metric: MetricName; higherIsBetter: boolean } | undefined {
  const m = VALIDATION.exec(norm(key));
  const metric = m ? METRIC_ALIASES[m[1] ?? m[2]] : undefined;
  return metric ? { metric, higherIsBetter: !LOWER_IS_BETTER.has(metric) } : undefined;
}

function seriesOf(curve: Record<string, number>[], key: string): Series {
  const points: Point[] = [];
  curve.forEach((step, i) => {
    const v = step[key];
    if (typeof v === 'number' && Number.isFinite(v)) points.push({ i, v });
  });
  return { key, points };
}

export function read(input: CoachInput): Reading {
  const { curve } = input;
  const keys: string[] = [];
  for (const step of curve) for (const k of Object.keys(step)) if (!keys.includes(k)) keys.push(k);
  const position = POSITION_KEYS.find((k) => curve.length > 0 && curve.every((s) => typeof s[k] === 'number'));
  const lossKey =
    keys.find((k) => TRAIN_LOSS.has(norm(k))) ??
    keys.find((k) => /loss/.test(norm(k)) && !VALIDATION.test(norm(k)) && !/^test/.test(norm(k)));
  const valLossKey = keys.find((k) => VAL_LOSS.has(norm(k)));
  const logged: LoggedMetric[] = [];
  for (const key of keys) {
    const found = loggedMetric(key);
    if (found) logged.push({ ...seriesOf(curve, key), ...found });
  }
  return {
    input,
    at: (i) => (position ? `${position} ${curve[i][position]}` : `step ${i + 1}`),
    loss: lossKey ? seriesOf(curve, lossKey) : undefined,
    valLoss: valLossKey ? seriesOf(curve, valLossKey) : undefined,
    logged: logged.filter((s) => s.points.length > 0),
  };
}

/**
 * The held-out counterpart of a logged metric: the graded metric of that
 * name, or for accuracy, the one the confusion matrix gives. Both are the
 * first seed's, whose curve the run keeps.
 */
export function heldOut(input: CoachInput, metric: MetricName): number | undefined {
  const graded = input.result.metrics.find((m) => m.name === metric && m.k === undefined);
  const value = graded?.values?.[0] ?? graded?.value;
  if (value !== undefined && value !== null && Number.isFinite(value)) return value;
  if (metric === 'accuracy' && input.confusion?.length) {
    let right = 0;
    let total = 0;
    input.confusion.forEach((row, t) =>
      row.forEach((count, p) => {
        total += count;
        if (t === p) right += count;
      }),
    );
    return total > 0 ? right / total : undefined;
  }
  return undefined;
}

/** A number for a sentence: three significant digits, exponent form when very large or small. */
export function num(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
  return Number(v.toPrecision(3)).toString();
}

export function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}
