import { loadDataset, type LoadedDataset } from '../../../src/datasets';

/** Least squares with an intercept, by the normal equations and Gauss-Jordan elimination. */
function leastSquares(ds: LoadedDataset): number[] {
  const d = ds.featureShape[0];
  const p = d + 1;
  const a = Array.from({ length: p }, () => new Array<number>(p + 1).fill(0));
  for (let i = 0; i < ds.n; i++) {
    const x = [...Array.from(ds.features.subarray(i * d, (i + 1) * d)), 1];
    for (let r = 0; r < p; r++) {
      for (let c = 0; c < p; c++) a[r][c] += x[r] * x[c];
      a[r][p] += x[r] * ds.labels[i];
    }
  }
  for (let col = 0; col < p; col++) {
    const pivot = a[col][col];
    for (let c = col; c <= p; c++) a[col][c] /= pivot;
    for (let r = 0; r < p; r++) {
      if (r === col) continue;
      const f = a[r][col];
      for (let c = col; c <= p; c++) a[r][c] -= f * a[col][c];
    }
  }
  return a.map((row) => row[p]);
}

function accuracyOf(ds: LoadedDataset, w: number[], from: number, to: number): number {
  const d = w.length;
  let right = 0;
  for (let i = from; i < to; i++) {
    let z = 0;
    for (let j = 0; j < d; j++) z += ds.features[i * d + j] * w[j];
    if ((z > 0 ? 1 : 0) === ds.labels[i]) right++;
  }
  return right / (to - from);
}

function positiveRate(ds: LoadedDataset, from: number, to: number): number {
  let ones = 0;
  for (let i = from; i < to; i++) ones += ds.labels[i];
  return ones / (to - from);
}

describe('synthetic-linear', () => {
  it('least squares recovers the coefficients in meta', async () => {
    const ds = await loadDataset('synthetic-linear', { n: 3000, d: 4, noise: 0.5, seed: 2 });
    const fit = leastSquares(ds);
    const truth = [...(ds.meta!.coefficients as number[]), ds.meta!.intercept as number];
    fit.forEach((v, j) => expect(Math.abs(v - truth[j])).toBeLessThan(0.1));
  });

  it('without noise the labels are exactly the linear function of the float32 features', async () => {
    const ds = await loadDataset('synthetic-linear', { n: 100, d: 3, noise: 0 });
    const w = ds.meta!.coefficients as number[];
    const b = ds.meta!.intercept as number;
    for (let i = 0; i < ds.n; i++) {
      const y = ds.features[i * 3] * w[0] + ds.features[i * 3 + 1] * w[1] + ds.features[i * 3 + 2] * w[2] + b;
      expect(ds.labels[i]).toBe(Math.fround(y));
    }
  });
});

describe('synthetic-logistic', () => {
  it('the true model scores about the Bayes accuracy given in meta', async () => {
    const ds = await loadDataset('synthetic-logistic', { n: 5000, d: 3, seed: 4 });
    const w = ds.meta!.coefficients as number[];
    const b = ds.meta!.intercept as number;
    let right = 0;
    for (let i = 0; i < ds.n; i++) {
      let z = b;
      for (let j = 0; j < 3; j++) z += ds.features[i * 3 + j] * w[j];
      if ((z > 0 ? 1 : 0) === ds.labels[i]) right++;
    }
    const bayes = ds.meta!.bayesAccuracy as number;
    expect(bayes).toBeGreaterThan(0.5);
    expect(bayes).toBeLessThan(1);
    expect(Math.abs(right / ds.n - bayes)).toBeLessThan(0.03);
  });
});

describe('drift-stream', () => {
  const n = 4000;

  it('none: one concept throughout', async () => {
    const ds = await loadDataset('drift-stream', { kind: 'none', n });
    const w = ds.meta!.conceptBefore as number[];
    expect(ds.meta!.driftAt).toBeUndefined();
    expect(accuracyOf(ds, w, 0, n / 2)).toBeGreaterThan(0.9);
    expect(accuracyOf(ds, w, n / 2, n)).toBeGreaterThan(0.9);
  });

  it('sudden: the old concept fails right after driftAt, the new one holds', async () => {
    const ds = await loadDataset('drift-stream', { kind: 'sudden', n, at: 0.6 });
    const at = ds.meta!.driftAt as number;
    expect(at).toBe(2400);
    const before = ds.meta!.conceptBefore as number[];
    const after = ds.meta!.conceptAfter as number[];
    expect(accuracyOf(ds, before, 0, at)).toBeGreaterThan(0.9);
    expect(accuracyOf(ds, before, at, n)).toBeLessThan(0.65);
    expect(accuracyOf(ds, after, at, n)).toBeGreaterThan(0.9);
  });

  it('gradual: the old concept degrades across the ramp', async () => {
    const ds = await loadDataset('drift-stream', { kind: 'gradual', n, width: 0.4 });
    const start = ds.meta!.driftStart as number;
    const end = ds.meta!.driftEnd as number;
    expect([start, end]).toEqual([1200, 2800]);
    const before = ds.meta!.conceptBefore as number[];
    const early = accuracyOf(ds, before, start, start + 400);
    const late = accuracyOf(ds, before, end - 400, end);
    expect(accuracyOf(ds, before, 0, start)).toBeGreaterThan(early - 0.02);
    expect(early).toBeGreaterThan(late + 0.1);
    expect(accuracyOf(ds, before, end, n)).toBeLessThan(0.65);
  });

  it('prior: the share of positives moves to priorAfter', async () => {
    const ds = await loadDataset('drift-stream', { kind: 'prior', n, priorAfter: 0.85, noise: 0 });
    const at = ds.meta!.driftAt as number;
    expect(Math.abs(positiveRate(ds, 0, at) - 0.5)).toBeLessThan(0.05);
    expect(Math.abs(positiveRate(ds, at, n) - 0.85)).toBeLessThan(0.05);
  });
});

describe('ratings', () => {
  it('integer stars 1..5 for unique (user, item) pairs, every user rated', async () => {
    const ds = await loadDataset('ratings', { users: 60, items: 40, density: 0.25, seed: 3 });
    const pairs = new Set<string>();
    const users = new Set<number>();
    for (let r = 0; r < ds.n; r++) {
      const u = ds.features[2 * r];
      const i = ds.features[2 * r + 1];
      expect(Number.isInteger(u) && u >= 0 && u < 60).toBe(true);
      expect(Number.isInteger(i) && i >= 0 && i < 40).toBe(true);
      pairs.add(`${u},${i}`);
      users.add(u);
    }
    expect(pairs.size).toBe(ds.n);
    expect(users.size).toBe(60);
    expect(ds.labels.every((y) => Number.isInteger(y) && y >= 1 && y <= 5)).toBe(true);
    expect(Math.abs(ds.n / (60 * 40) - 0.25)).toBeLessThan(0.04);
    expect(new Set(ds.labels).size).toBeGreaterThanOrEqual(4);
  });
});
