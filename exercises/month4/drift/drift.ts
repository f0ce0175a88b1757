// month4/drift: a drift detector for a model in production.
// Read README.md first. Check your work with:  mlpath check month4/drift
//
// detectDrift(reference, current) gets the rows the model was validated on
// and one new batch, and says whether the batch comes from a different
// distribution. The starter never alarms, so it never detects anything.

export interface Batch {
  /** One row per example, one number per feature (2 features here). */
  x: number[][];
  /** The true label of each row, 0 or 1 (it arrived later, as labels do). */
  y: number[];
}

export interface DriftReport {
  drift: boolean;
  /** Optional: which test fired, e.g. "x1 | y=0". Useful when you debug. */
  feature?: string;
  pValue?: number;
}

/**
 * 1. The two-sample Kolmogorov-Smirnov statistic: the largest vertical gap
 * between the empirical CDFs of a and b (a number in [0, 1]).
 */
export function ksStatistic(a: number[], b: number[]): number {
  // TODO: sort both; walk through them together, and after each distinct
  // value v compare (count of a <= v) / a.length with (count of b <= v) / b.length.
  void a;
  void b;
  return 0;
}

/**
 * Given: the p-value of a KS statistic d for samples of sizes n and m, that
 * is the chance of a gap at least d when both samples come from the same
 * distribution (Kolmogorov's limit with Stephens' small-sample correction).
 */
export function ksPValue(d: number, n: number, m: number): number {
  const en = Math.sqrt((n * m) / (n + m));
  const lambda = (en + 0.12 + 0.11 / en) * d;
  let sum = 0;
  for (let k = 1; k <= 100; k++) {
    const term = 2 * (k % 2 === 1 ? 1 : -1) * Math.exp(-2 * k * k * lambda * lambda);
    sum += term;
    if (Math.abs(term) < 1e-12) break;
  }
  return Math.min(1, Math.max(0, sum));
}

/** Given: the two-sided p-value of a standard normal z score. */
export function normalPValue(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return poly * Math.exp(-x * x);
}

/**
 * 2. Did the share of label 1 change? A two-proportion z-test: with pooled
 * share p, z = (share in a - share in b) / sqrt(p (1 - p) (1/|a| + 1/|b|)).
 */
export function labelPValue(a: number[], b: number[]): number {
  // TODO: count the 1s in each, compute z, return normalPValue(z) (and 1 when the denominator is 0).
  void a;
  void b;
  return 1;
}

/**
 * 3. The detector. Run one test per thing that can move, keep the smallest
 * p-value, and alarm when it is below ALPHA / (number of tests).
 */
export function detectDrift(reference: Batch, current: Batch): DriftReport {
  // TODO: the tests, each giving a p-value:
  //   - the labels: labelPValue(reference.y, current.y)
  //   - every feature j: KS on column j of reference.x against column j of current.x
  //   - and whatever catches the drift those two miss (README: "Three ways a stream drifts")
  // Then: const drift = smallest p < 0.01 / tests.length (the Bonferroni correction).
  void reference;
  void current;
  return { drift: false };
}
