/**
 * Reads what a learner's `predict` returned into one shape per task, or says
 * exactly what was wrong with it. Runs in the grader's parent process on the
 * plain arrays that crossed the process boundary; no TensorFlow.js here.
 *
 * Accepted (SPEC "Learner code contract / Predictions"):
 *   classification  [n, k] class scores (argmax, ties -> lowest index)
 *                   or [n] integer class indices in 0..k-1
 *   binary          [n] or [n, 1] probability of the positive class, in [0, 1]
 *                   (predicted class = p >= 0.5)
 *   regression      [n] or [n, 1]
 */
import { GradingError } from '../errors';
import type { Task } from '../curriculum/schema';

/** A tensor as the harness sent it back; a `WireTensor` qualifies. */
export interface RawPredictions {
  values: Float32Array | Int32Array | Uint8Array | number[] | string[];
  shape: number[];
  dtype: string;
}

export interface NormalizedPredictions {
  task: Task;
  n: number;
  /** Predicted class per row (classification and binary). */
  classes?: Int32Array;
  /** n*k class scores, row-major, when the learner returned scores. */
  scores?: Float32Array;
  /** Number of classes, when known (from the scores or from the dataset). */
  k?: number;
  /** Probability of class 1 per row (binary). */
  positiveProb?: Float32Array;
  /** Predicted value per row (regression). */
  values?: Float32Array;
}

/**
 * The learner's predictions cannot be scored. The message is for the learner:
 * what came back, what was expected, and where to look.
 */
export class InvalidOutputError extends Error {
  readonly kind = 'invalid-output' as const;

  constructor(message: string) {
    super(message);
    this.name = 'InvalidOutputError';
  }
}

const NUMERIC_DTYPES = new Set(['float32', 'int32']);

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function plural(count: number, one: string, many: string = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

function expectedShapes(task: Task, n: number, k: number | undefined): string {
  switch (task) {
    case 'classification':
      return k === undefined
        ? `[${n}, k] class scores or [${n}] class indices`
        : `[${n}, ${k}] class scores or [${n}] class indices in 0..${k - 1}`;
    case 'binary':
      return `[${n}] or [${n}, 1] probabilities of the positive class`;
    default:
      return `[${n}] or [${n}, 1] predicted values`;
  }
}

function heldOut(task: Task, n: number, k: number | undefined): string {
  const rows = plural(n, 'row');
  return task === 'classification' && k !== undefined ? `${rows} and ${plural(k, 'class', 'classes')}` : rows;
}

/** "row 3" or "row 3, column 1", so the learner can find the value. */
function position(index: number, cols: number | undefined): string {
  if (cols === undefined) return `row ${index}`;
  return `row ${Math.floor(index / cols)}, column ${index % cols}`;
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  // JSON.stringify gives undefined for a function, a symbol or undefined: never a plain object here.
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- see above
  return JSON.stringify(v) ?? String(v);
}

/**
 * Copies the values into a Float32Array after checking that every one is a
 * finite number. `null` counts as non-finite: a NaN that went through JSON on
 * its way here arrives as null. A plain number too large for float32 counts
 * too, since it would become Infinity here.
 */
function finiteValues(raw: RawPredictions, cols: number | undefined): Float32Array {
  const { values } = raw;
  const out = new Float32Array(values.length);
  let bad = 0;
  let first = -1;
  for (let i = 0; i < values.length; i++) {
    const v: unknown = values[i];
    if (typeof v !== 'number' && v !== null) {
      throw new InvalidOutputError(
        `predict returned a non-number (${describeValue(v)} at ${position(i, cols)}); predictions must be a numeric tensor (float32 or int32)`,
      );
    }
    if (v !== null) out[i] = v;
    if (v === null || !Number.isFinite(out[i])) {
      bad++;
      if (first < 0) first = i;
    }
  }
  if (bad > 0) {
    throw new InvalidOutputError(
      `predict returned ${plural(bad, 'non-finite value')} (NaN or Infinity) out of ${values.length}; ` +
        `the first is ${describeValue(values[first])} at ${position(first, cols)}. ` +
        'Check the training loss: a learning rate that is too high, or a log of 0, makes a model diverge',
    );
  }
  return out;
}

function checkDtype(task: Task, raw: RawPredictions): void {
  if (NUMERIC_DTYPES.has(raw.dtype)) return;
  const advice =
    raw.dtype === 'bool'
      ? task === 'binary'
        ? ': return the probability of the positive class (e.g. the sigmoid output), not a thresholded boolean'
        : ": cast it with .cast('float32') or .cast('int32')"
      : '';
  throw new InvalidOutputError(
    `predict returned a tensor of dtype '${raw.dtype}', but a ${task} task needs numbers (float32 or int32)${advice}`,
  );
}

function checkShape(raw: RawPredictions): void {
  const { shape } = raw;
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new InvalidOutputError(`predict returned a tensor with an invalid shape ${JSON.stringify(shape)}`);
  }
  const size = shape.reduce((a, b) => a * b, 1);
  if (raw.values == null || typeof raw.values.length !== 'number' || raw.values.length !== size) {
    throw new InvalidOutputError(
      `predict returned shape ${formatShape(shape)} (${size} values) but ${raw.values?.length ?? 0} values arrived`,
    );
  }
}

function shapeError(task: Task, shape: number[], n: number, k: number | undefined, why?: string): InvalidOutputError {
  const reason = why ?? `the held-out set has ${heldOut(task, n, k)}`;
  return new InvalidOutputError(
    `predict returned shape ${formatShape(shape)} but ${reason}: expected ${expectedShapes(task, n, k)}`,
  );
}

/**
 * Checks the learner's predictions against the task and the held-out set
 * (`n` rows, `numClasses` classes when the dataset knows them) and returns
 * them in one shape per task. Throws InvalidOutputError with a message for
 * the learner; throws GradingError when mlpath itself asks for the impossible.
 */
export function normalizePredictions(
  task: Task,
  raw: RawPredictions,
  n: number,
  numClasses?: number,
): NormalizedPredictions {
  if (!Number.isInteger(n) || n < 0)
    throw new GradingError(`held-out row count must be a non-negative integer, got ${n}`);
  if (numClasses !== undefined && (!Number.isInteger(numClasses) || numClasses < 2)) {
    throw new GradingError(`number of classes must be an integer >= 2, got ${numClasses}`);
  }
  if (task === 'ranking') {
    throw new GradingError('ranking predictions are per-user lists, not one tensor: score them with rankingMetrics');
  }
  if (raw == null || typeof raw !== 'object') {
    throw new InvalidOutputError(
      `predict returned ${describeValue(raw)}; expected a tensor of ${expectedShapes(task, n, numClasses)}`,
    );
  }
  checkDtype(task, raw);
  checkShape(raw);

  const { shape } = raw;
  const k = task === 'classification' ? numClasses : undefined;
  if (shape.length === 0 || shape.length > 2) {
    throw shapeError(task, shape, n, k, `a tensor of rank ${shape.length} cannot be read as one prediction per row`);
  }
  if (shape[0] !== n) throw shapeError(task, shape, n, k);

  if (task === 'classification') return classification(raw, n, numClasses);

  if (shape.length === 2 && shape[1] !== 1) {
    const why =
      task === 'binary' && shape[1] === 2
        ? 'a binary task takes one probability per row (of class 1): keep only the second column of a 2-way softmax'
        : `a ${task} task takes one value per row`;
    throw shapeError(task, shape, n, k, why);
  }
  const values = finiteValues(raw, undefined);
  if (task === 'regression') return { task, n, values };
  return binary(values, n);
}

function binary(p: Float32Array, n: number): NormalizedPredictions {
  let bad = 0;
  let first = -1;
  for (let i = 0; i < n; i++) {
    if (p[i] < 0 || p[i] > 1) {
      bad++;
      if (first < 0) first = i;
    }
  }
  if (bad > 0) {
    throw new InvalidOutputError(
      `a binary task needs the probability of the positive class in [0, 1] for each row, but ` +
        `${plural(bad, 'value')} ${bad === 1 ? 'is' : 'are'} outside it; the first is ${p[first]} at row ${first}. ` +
        'Apply a sigmoid to the raw scores (logits)',
    );
  }
  const classes = new Int32Array(n);
  for (let i = 0; i < n; i++) classes[i] = p[i] >= 0.5 ? 1 : 0;
  return { task: 'binary', n, positiveProb: p, classes, k: 2 };
}

function classification(raw: RawPredictions, n: number, numClasses: number | undefined): NormalizedPredictions {
  const { shape } = raw;
  if (shape.length === 2) {
    const k = shape[1];
    if (numClasses !== undefined && k !== numClasses) throw shapeError('classification', shape, n, numClasses);
    if (k < 2) {
      throw shapeError('classification', shape, n, numClasses, 'one score column cannot tell classes apart');
    }
    const scores = finiteValues(raw, k);
    const classes = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let best = 0;
      // Strict > keeps the lowest index among tied scores.
      for (let j = 1; j < k; j++) if (scores[i * k + j] > scores[i * k + best]) best = j;
      classes[i] = best;
    }
    return { task: 'classification', n, classes, scores, k };
  }

  const values = finiteValues(raw, undefined);
  const upper = numClasses ?? Infinity;
  let bad = 0;
  let first = -1;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0 || v >= upper) {
      bad++;
      if (first < 0) first = i;
    }
  }
  if (bad > 0) {
    const kind = numClasses === undefined ? 'non-negative integer' : 'integer';
    const range = numClasses === undefined ? '' : ` in 0..${numClasses - 1}`;
    const isNot = bad === 1 ? `is not ${numClasses === undefined ? 'a' : 'an'} ${kind}` : `are not ${kind}s`;
    throw new InvalidOutputError(
      `predict returned shape ${formatShape(shape)}, read as class indices, but ${plural(bad, 'value')} ` +
        `${isNot}${range}; the first is ${values[first]} at row ${first}. ` +
        `Expected ${expectedShapes('classification', n, numClasses)} (e.g. scores.argMax(-1))`,
    );
  }
  return { task: 'classification', n, classes: Int32Array.from(values), k: numClasses };
}
