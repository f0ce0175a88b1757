// month2/error-analysis: read a classifier's mistakes, not only its accuracy.
// Read README.md first. Check your work with:  mlpath check month2/error-analysis
//
// Classes are numbered 0 .. numClasses - 1. `actual[i]` is row i's true class,
// `probs[i][c]` the probability the model gave class c for row i.

/** One class's numbers; precision or recall is null when its denominator is 0. */
export interface ClassStats {
  precision: number | null;
  recall: number | null;
  /** How many rows truly are this class (the matrix row's sum). */
  support: number;
  /** How many rows the model put in this class (the matrix column's sum). */
  predicted: number;
}

/** An off-diagonal cell of the matrix: `count` rows of class `actual` predicted as `predicted`. */
export interface Pair {
  actual: number;
  predicted: number;
  count: number;
}

/** One row of the data, as the model saw it. */
export interface Example {
  /** The row's position in `probs`. */
  index: number;
  actual: number;
  /** The class with the highest probability; the lowest class number among equal highest. */
  predicted: number;
  /** probs[index][predicted]. */
  confidence: number;
  /** -Math.log(Math.max(probs[index][actual], 1e-15)). */
  loss: number;
}

/** matrix[a][p] = how many rows of true class a were predicted as p; numClasses x numClasses. */
export function confusionMatrix(actual: number[], predicted: number[], numClasses: number): number[][] {
  // TODO: make numClasses rows of numClasses zeros, then count every row once.
  void predicted;
  void numClasses;
  return actual.length ? [[actual.length]] : [];
}

/** One record per class, in class order. */
export function perClass(matrix: number[][]): ClassStats[] {
  // TODO: support is the row's sum, predicted the column's sum; precision = diagonal / column sum,
  //       recall = diagonal / row sum, null when that sum is 0.
  return matrix.map(() => ({ precision: 1, recall: 1, support: 0, predicted: 0 }));
}

/** The k largest off-diagonal cells above 0: by count, highest first; ties by actual, then predicted, lowest first. */
export function confusedPairs(matrix: number[][], k: number): Pair[] {
  // TODO
  void matrix;
  void k;
  return [];
}

/** The k rows with the highest loss, highest first; ties by index, lowest first. */
export function worstExamples(probs: number[][], actual: number[], k: number): Example[] {
  // TODO: describe every row (see Example), sort, keep k.
  void probs;
  void actual;
  void k;
  return [];
}

/** The k wrong rows (predicted !== actual) with the highest confidence, highest first; ties by index, lowest first. */
export function confidentMistakes(probs: number[][], actual: number[], k: number): Example[] {
  // TODO
  void probs;
  void actual;
  void k;
  return [];
}
