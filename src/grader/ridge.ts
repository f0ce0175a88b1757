/**
 * Ridge regression solved exactly, in float64 JavaScript: the fixed model of
 * exercises whose lesson is the features (month3/tabular). The child fits it
 * on the columns the learner's engineer() returns (child/fixed-model.ts), so
 * the model is the grader's code, never the learner's.
 *
 * Each column is standardised with its training mean and standard deviation
 * (a constant column gets scale 1, which leaves it at 0 after centring), the
 * target is centred, and (Z^T Z + l2 I) w = Z^T (y - mean(y)) is solved by
 * Cholesky. No TensorFlow.js here.
 */

export interface RidgeModel {
  /** Columns the model was fitted on. */
  columns: number;
  mean: Float64Array;
  scale: Float64Array;
  weights: Float64Array;
  bias: number;
  /** Root mean squared error on the training rows, on the target's scale. */
  trainRmse: number;
}

/** Solves (A + l2 I) w = b for a symmetric positive semi-definite A. */
export function solveRidge(a: number[][], b: number[], l2: number): Float64Array {
  const d = b.length;
  const l = Array.from({ length: d }, () => new Float64Array(d));
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i][j] + (i === j ? l2 : 0);
      for (let k = 0; k < j; k++) sum -= l[i][k] * l[j][k];
      l[i][j] = i === j ? Math.sqrt(Math.max(sum, 1e-12)) : sum / l[j][j];
    }
  }
  const forward = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let sum = b[i];
    for (let k = 0; k < i; k++) sum -= l[i][k] * forward[k];
    forward[i] = sum / l[i][i];
  }
  const w = new Float64Array(d);
  for (let i = d - 1; i >= 0; i--) {
    let sum = forward[i];
    for (let k = i + 1; k < d; k++) sum -= l[k][i] * w[k];
    w[i] = sum / l[i][i];
  }
  return w;
}

/** Fits ridge regression of `y` on the rows of `x` (all of one width). */
export function fitRidge(x: readonly (readonly number[])[], y: readonly number[], l2: number): RidgeModel {
  const n = x.length;
  const d = n ? x[0].length : 0;
  const mean = new Float64Array(d);
  const scale = new Float64Array(d);
  for (const row of x) for (let j = 0; j < d; j++) mean[j] += row[j] / n;
  for (const row of x) for (let j = 0; j < d; j++) scale[j] += (row[j] - mean[j]) ** 2 / n;
  for (let j = 0; j < d; j++) scale[j] = scale[j] > 1e-12 ? Math.sqrt(scale[j]) : 1;
  const bias = y.reduce((a, v) => a + v, 0) / n;
  const z = x.map((row) => row.map((v, j) => (v - mean[j]) / scale[j]));
  const gram = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  const moment = new Array<number>(d).fill(0);
  for (let r = 0; r < n; r++) {
    const row = z[r];
    const t = y[r] - bias;
    for (let i = 0; i < d; i++) {
      moment[i] += row[i] * t;
      for (let j = 0; j <= i; j++) gram[i][j] += row[i] * row[j];
    }
  }
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) gram[j][i] = gram[i][j];
  const weights = solveRidge(gram, moment, l2);
  const model: RidgeModel = { columns: d, mean, scale, weights, bias, trainRmse: 0 };
  const fitted = predictRidge(model, x);
  model.trainRmse = Math.sqrt(fitted.reduce((a, p, i) => a + (p - y[i]) ** 2, 0) / Math.max(n, 1));
  return model;
}

export function predictRidge(model: RidgeModel, x: readonly (readonly number[])[]): Float64Array {
  const out = new Float64Array(x.length);
  for (let r = 0; r < x.length; r++) {
    let sum = model.bias;
    for (let j = 0; j < model.columns; j++) sum += ((x[r][j] - model.mean[j]) / model.scale[j]) * model.weights[j];
    out[r] = sum;
  }
  return out;
}
