// month3/tabular: feature engineering for a linear model on Boston house prices.
// Read README.md first. Check your work with:  mlpath check month3/tabular
import type { Predictor, Tensor, TrainContext } from 'mlpath';

type Tf = TrainContext['tf'];

/**
 * TODO 1. Build better columns from the 13 raw ones. `x` is [n, 13], its
 * columns named by `names` (crim, zn, indus, chas, nox, rm, age, dis, rad,
 * tax, ptratio, b, lstat). Return [n, d] with any columns you like, e.g.
 * tf.concat([x, tf.log(column('lstat'))], 1). The same function runs on the
 * training rows and on the held-out rows, so use no statistic of the data here.
 */
export function engineer(tf: Tf, x: Tensor, names: string[]): Tensor {
  const column = (name: string): Tensor => tf.slice(x, [0, names.indexOf(name)], [-1, 1]);
  void column;
  return x;
}

/** TODO 2. The target the model learns: prices are skewed, so try a log scale. */
export function toTarget(tf: Tf, price: Tensor): Tensor {
  return price;
}

/** TODO 3. The inverse of toTarget: the grader scores prices in $1000s. */
export function fromTarget(tf: Tf, target: Tensor): Tensor {
  return target;
}

export default async function train(ctx: TrainContext): Promise<Predictor> {
  const { tf, data } = ctx;
  const names = data.featureNames!;
  const features = engineer(tf, data.xTrain, names);
  const model = await fitLinear(ctx, features, toTarget(tf, data.yTrain));
  console.log(`linear model on ${features.shape[1]} columns: ${features.shape[1] === names.length ? 'the raw features, nothing engineered yet (see the TODOs in train.ts)' : 'engineered'}`);
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
