// month2/trees: k-fold cross-validation and gradient-boosted stumps, written by hand.
// Read README.md first. Check your work with:  mlpath check month2/trees
//
// Rows are number[] (13 columns of a Boston tract), labels 0 or 1 (1: a median home of $25k or more).

export interface BoostParams {
  /** How many stumps to add. 0 rounds: the model is the prior alone. */
  rounds: number;
  /** How much of each stump's answer is added (shrinkage), e.g. 0.1. */
  learningRate: number;
}

export interface CvResult {
  /** Accuracy (probability >= 0.5 counts as class 1) on each fold's rows, fold 0 first. */
  foldScores: number[];
  mean: number;
  /** Standard deviation of foldScores, dividing by k. */
  std: number;
  /** Out-of-fold probability of class 1 for every row, in row order. */
  oof: number[];
}

export interface Choice {
  /** Index in `grid` of the setting with the highest cross-validated mean (the first of equal ones). */
  chosen: number;
  /** crossValidate(x, y, folds, grid[g]).mean for every g. */
  means: number[];
  /** boost(x, y, xTest, grid[chosen]): the chosen setting refitted on every training row. */
  testProbs: number[];
}

/** mulberry32: a seeded generator of floats in [0, 1). Same seed, same numbers; use it instead of Math.random. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher-Yates: shuffles `items` in place with `random` and returns it. */
function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** A fold id in 0..k-1 for every row; each class spread over the folds within one row. */
export function stratifiedFolds(labels: number[], k: number, seed: number): number[] {
  const random = mulberry32(seed);
  void shuffle;
  void random;
  // TODO: for each class, shuffle its row indices with `random`, then deal them out 0, 1, ..., k-1, 0, 1, ...
  return labels.map((_, i) => i % k);
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** Gradient boosting of decision stumps on the log loss; returns P(class 1) for every row of xPredict. */
export function boost(xTrain: number[][], yTrain: number[], xPredict: number[][], params: BoostParams): number[] {
  const rate = yTrain.reduce((s, v) => s + v, 0) / yTrain.length;
  const start = Math.log(rate / (1 - rate));
  const fPredict = xPredict.map(() => start);
  // TODO: keep a score for every training row too; each round, fit a stump (one column, one threshold, a mean on
  //       each side) to the residuals y - sigmoid(score) by least squares, and add learningRate x its answer to
  //       every training and every xPredict score.
  void xTrain;
  void params;
  return fPredict.map(sigmoid);
}

/** k-fold cross-validation of boost(params) on the folds given. */
export function crossValidate(x: number[][], y: number[], folds: number[], params: BoostParams): CvResult {
  // TODO: for each fold f, train boost on the rows of the other folds, predict fold f's rows, score them.
  void folds;
  const oof = boost(x, y, x, params);
  return { foldScores: [], mean: 0, std: 0, oof };
}

/** Chooses a setting of `grid` on the folds, then refits it on every row and predicts xTest. */
export function choose(x: number[][], y: number[], folds: number[], grid: BoostParams[], xTest: number[][]): Choice {
  // TODO: the cross-validated mean of every setting; the best one; its refit's answers for xTest.
  void folds;
  return { chosen: 0, means: grid.map(() => 0), testProbs: boost(x, y, xTest, grid[0]) };
}
