// Reference solution for month4/drift: two-sample Kolmogorov-Smirnov tests on
// every feature, overall and within each class, a two-proportion z-test on
// the labels, and a Bonferroni correction so that all the tests together
// alarm on at most ALPHA of the batches without drift.

export interface Batch {
  x: number[][];
  y: number[];
}

export interface DriftReport {
  drift: boolean;
  feature?: string;
  pValue?: number;
}

const ALPHA = 0.01;

/** Largest gap between the two empirical CDFs. */
export function ksStatistic(a: number[], b: number[]): number {
  const x = Float64Array.from(a).sort();
  const y = Float64Array.from(b).sort();
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i], y[j]);
    while (i < x.length && x[i] <= v) i++;
    while (j < y.length && y[j] <= v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  return d;
}

/** P(D >= d) for samples of sizes n and m when both come from one distribution (Kolmogorov's limit, Stephens' correction). */
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

/** Two-sided p-value of a standard normal z. */
function normalPValue(z: number): number {
  // Abramowitz-Stegun 7.1.26 for erfc.
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return poly * Math.exp(-x * x);
}

/** Two-proportion z-test: did the share of label 1 change? */
export function labelPValue(a: number[], b: number[]): number {
  const k1 = a.filter((v) => v === 1).length;
  const k2 = b.filter((v) => v === 1).length;
  const p = (k1 + k2) / (a.length + b.length);
  const se = Math.sqrt(p * (1 - p) * (1 / a.length + 1 / b.length));
  return se === 0 ? 1 : normalPValue((k1 / a.length - k2 / b.length) / se);
}

function column(rows: number[][], j: number, keep: (i: number) => boolean = () => true): number[] {
  const out: number[] = [];
  rows.forEach((r, i) => {
    if (keep(i)) out.push(r[j]);
  });
  return out;
}

export function detectDrift(reference: Batch, current: Batch): DriftReport {
  const d = reference.x[0].length;
  const tests: { feature: string; p: number }[] = [{ feature: 'y', p: labelPValue(reference.y, current.y) }];
  for (let j = 0; j < d; j++) {
    const a = column(reference.x, j);
    const b = column(current.x, j);
    tests.push({ feature: `x${j + 1}`, p: ksPValue(ksStatistic(a, b), a.length, b.length) });
    // Within each class: a turned decision boundary leaves P(x) alone but moves P(x | y).
    for (const c of [0, 1]) {
      const ac = column(reference.x, j, (i) => reference.y[i] === c);
      const bc = column(current.x, j, (i) => current.y[i] === c);
      if (ac.length < 10 || bc.length < 10) continue;
      tests.push({ feature: `x${j + 1} | y=${c}`, p: ksPValue(ksStatistic(ac, bc), ac.length, bc.length) });
    }
  }
  const worst = tests.reduce((a, b) => (b.p < a.p ? b : a));
  return { drift: worst.p < ALPHA / tests.length, feature: worst.feature, pValue: worst.p };
}
