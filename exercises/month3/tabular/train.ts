// month3/tabular: feature engineering for a linear model on Boston house prices.
// Read README.md first. Check your work with:  mlpath check month3/tabular
//
// There is no train() here: the model is fixed. mlpath fits ridge regression
// itself on the columns engineer() returns and the target toTarget() returns,
// then turns its answers back into prices with fromTarget(). Your three
// functions are the only thing that changes the score.
import type { Tensor, TrainContext } from 'mlpath';

type Tf = TrainContext['tf'];

/**
 * TODO 1. Build better columns from the 13 raw ones. `x` is [n, 13], its
 * columns named by `names` (crim, zn, indus, chas, nox, rm, age, dis, rad,
 * tax, ptratio, b, lstat). Return [n, d] with any columns you like, e.g.
 * tf.concat([x, tf.log(column('lstat'))], 1). The same function runs on the
 * training rows and on the held-out rows, so each column must be a fixed
 * formula of the row's own values: no mean, min or max of the rows you get.
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

/**
 * Optional: a look at the data. mlpath calls explore() once your held-out
 * predictions are made, with the training rows, their prices and the column
 * names, so console.log whatever helps you choose transforms (hint 1 shows
 * one way). Nothing it does can change the score.
 */
export function explore(data: { x: number[][]; price: number[]; names: string[] }): void {
  void data;
}
