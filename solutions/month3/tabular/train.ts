// Reference solution for month3/tabular: the raw columns plus log and
// square transforms where the price responds non-linearly, one interaction,
// and a log-price target. The model is the starter's ridge regression, unchanged.
import type { Predictor, Tensor, TrainContext } from 'mlpath';

type Tf = TrainContext['tf'];

export function engineer(tf: Tf, x: Tensor, names: string[]): Tensor {
  const column = (name: string): Tensor => tf.slice(x, [0, names.indexOf(name)], [-1, 1]);
  const logLstat = tf.log(column('lstat'));
  return tf.concat([
    x,
    logLstat,
    tf.log(column('crim')),
    tf.log(column('dis')),
    tf.square(column('rm')),
    tf.mul(column('rm'), logLstat),
  ], 1);
}

export function toTarget(tf: Tf, price: Tensor): Tensor {
  return tf.log(price);
}

export function fromTarget(tf: Tf, target: Tensor): Tensor {
  return tf.exp(target);
}

export default async function train(ctx: TrainContext): Promise<Predictor> {
  const { tf, data } = ctx;
  const names = data.featureNames!;
  const features = engineer(tf, data.xTrain, names);
  const model = await fitLinear(ctx, features, toTarget(tf, data.yTrain));
  return {
    predict: (x) => tf.tidy(() => fromTarget(tf, model(engineer(tf, x, names)))),
  };
}

// ---------------------------------------------------------------------------
// Given: the model. Leave it as it is; this exercise is about its inputs.

/**
 * Ridge regression, solved exactly: standardise each column with the
 * training mean and standard deviation, then solve
 * (Z^T Z + l2 I) w = Z^T (y - mean(y)) by Cholesky. Returns the fitted model
 * as a function from raw columns [n, d] to predictions [n].
 */
export async function fitLinear(ctx: TrainContext, x: Tensor, y: Tensor, l2 = 1): Promise<(x: Tensor) => Tensor> {
  const { tf } = ctx;
  const [n, d] = x.shape as [number, number];
  const { mean, variance } = tf.moments(x, 0);
  // A constant column would divide by zero; giving it scale 1 leaves it at 0 after centring.
  const std = tf.where(tf.greater(variance, 1e-12), tf.sqrt(variance), tf.onesLike(variance));
  const z = tf.div(tf.sub(x, mean), std);
  const target = tf.reshape(y, [n, 1]);
  const bias = tf.mean(target);
  const gram = (await tf.matMul(z, z, true, false).array()) as number[][];
  const moment = (await tf.matMul(z, tf.sub(target, bias), true, false).data()) as Float32Array;
  const weights = solveRidge(gram, Array.from(moment), l2);
  const w = tf.tensor2d(weights, [d, 1]);
  const residual = tf.sub(tf.add(tf.matMul(z, w), bias), target);
  const trainRmse = Math.sqrt((await tf.mean(tf.square(residual)).data())[0]);
  ctx.log({ columns: d, rows: n, trainRmse });
  return (input) => tf.tidy(() => tf.reshape(tf.add(tf.matMul(tf.div(tf.sub(input, mean), std), w), bias), [-1]));
}

/** Solves (A + l2 I) w = b for a symmetric positive semi-definite A, in float64. */
function solveRidge(a: number[][], b: number[], l2: number): number[] {
  const d = b.length;
  const l = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i][j] + (i === j ? l2 : 0);
      for (let k = 0; k < j; k++) sum -= l[i][k] * l[j][k];
      l[i][j] = i === j ? Math.sqrt(Math.max(sum, 1e-12)) : sum / l[j][j];
    }
  }
  const forward = new Array<number>(d).fill(0);
  for (let i = 0; i < d; i++) {
    let sum = b[i];
    for (let k = 0; k < i; k++) sum -= l[i][k] * forward[k];
    forward[i] = sum / l[i][i];
  }
  const w = new Array<number>(d).fill(0);
  for (let i = d - 1; i >= 0; i--) {
    let sum = forward[i];
    for (let k = i + 1; k < d; k++) sum -= l[k][i] * w[k];
    w[i] = sum / l[i][i];
  }
  return w;
}
