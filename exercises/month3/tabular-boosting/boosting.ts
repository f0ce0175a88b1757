// month3/tabular-boosting: gradient boosting of small trees by hand, for
// probabilities you can trust.
// Read README.md first. Check your work with:  mlpath check month3/tabular-boosting
//
// The starter hands in ONE tree and an evaluate() that computes only the log
// loss: it runs, and the check says what is missing.
import { DecisionTreeRegression } from 'ml-cart';

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/**
 * TODO 2. Boost. x is [n][17] (the column names are in `names`), y is 0/1 (a
 * wage above $10 an hour). Start from base = the log-odds of the training
 * base rate; then, round after round, compute each row's residual
 * y - sigmoid(score), fit a small regression tree to the residuals (ml-cart,
 * maxDepth 3), and add learningRate x its prediction to every row's score.
 * Return the model as data: { base, learningRate, trees: [tree.toJSON(), ...] }.
 */
export function fitBoosting(x: number[][], y: number[], names: string[]) {
  void names;
  const rate = y.reduce((a, b) => a + b, 0) / y.length;
  const base = Math.log(rate / (1 - rate));
  const residual = y.map((v) => v - sigmoid(base));
  const tree = new DecisionTreeRegression({ maxDepth: 3, minNumSamples: 5 });
  tree.train(x, residual);
  return { base, learningRate: 1, trees: [tree.toJSON()] };
}

/**
 * TODO 1. How honest are probabilities p of labels y? Return the mean log
 * loss (clip p to [1e-15, 1 - 1e-15] inside the log), the Brier score (mean
 * of (p - y)^2) and the expected calibration error: put each p in one of 10
 * equal bins ([0, 0.1), ..., [0.9, 1], p = 1 in the last), and sum over the
 * bins |sum of p - sum of y| / n. Use it on validation rows of your own to
 * choose the rounds and the learning rate.
 */
export function evaluate(p: number[], y: number[]) {
  let logLoss = 0;
  p.forEach((q, i) => {
    const c = Math.min(1 - 1e-15, Math.max(1e-15, q));
    logLoss -= y[i] * Math.log(c) + (1 - y[i]) * Math.log(1 - c);
  });
  return { logLoss: logLoss / p.length, brier: 0, ece: 0 };
}
