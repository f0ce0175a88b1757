/**
 * Model selection re-checked (month2/classical-ml): each candidate's reported
 * validation score is recomputed from its predictions, a baseline and enough
 * models are required, the chosen one must be the best on validation, no
 * candidate may do far better on the validation rows than on rows it cannot
 * have seen, and the predictor returned must be the chosen candidate.
 */
import type { ChildMessage, WireTensor } from '../../../src/grader/protocol';
import {
  judgeCandidates,
  madeUpLabels,
  selectionOf,
  selectionSchema,
  type JudgedEntry,
} from '../../../src/grader/selection';
import { loadDataset, type LoadedDataset } from '../../../src/datasets';
import { createRng } from '../../../src/datasets/rng';
import { GradingError } from '../../../src/errors';

const SPEC = selectionSchema.parse({});
const labels = Float32Array.from([10, 20, 30, 40]);
const val = { n: 4, labels, task: 'regression' as const };
const rmse = (p: number[]): number => Math.sqrt(p.reduce((a, v, i) => a + (v - labels[i]) ** 2, 0) / p.length);

type Answer = Extract<ChildMessage, { type: 'candidates' }>;
function candidate(
  name: string,
  predictions: number[],
  claimed: number | null = rmse(predictions),
  baseline = false,
): Answer['entries'][number] {
  return {
    name,
    baseline,
    claimed,
    tensor: { values: Float32Array.from(predictions), shape: [predictions.length], dtype: 'float32' },
  };
}
function answer(chosen: string | null, entries: Answer['entries']): Answer {
  return { type: 'candidates', token: 't', chosen, entries };
}

const MEAN = [25, 25, 25, 25];
const GOOD = [11, 19, 31, 39];
const FAIR = [14, 18, 33, 36];

test('an honest comparison with a baseline and two models, the best chosen, has no problems', () => {
  const f = judgeCandidates(
    SPEC,
    answer('good', [candidate('mean', MEAN, undefined, true), candidate('good', GOOD), candidate('fair', FAIR)]),
    val,
  );
  expect(f.problems).toEqual([]);
  expect(f).toMatchObject({ models: 2, chosenIsBest: true });
  expect(f.table.join('\n')).toMatch(
    /baseline 'mean': valRmse reported 11\.180, validation rmse of its predictions 11\.180/,
  );
});

test('no candidates at all names the lesson and the shape to return', () => {
  const f = judgeCandidates(SPEC, { ...answer(null, []), problem: 'train() returned no `candidates`' }, val);
  expect(f.problems[0]).toMatch(
    /^train\(\) returned no `candidates`: the lesson is choosing a model on validation data, among a baseline and other candidates\. .*return \{ predict, chosen, candidates/,
  );
  expect(f.chosenIsBest).toBe(false);
});

test('a reported score the predictions do not earn is refused', () => {
  const f = judgeCandidates(
    SPEC,
    answer('fair', [candidate('mean', MEAN, undefined, true), candidate('good', GOOD), candidate('fair', FAIR, 0.5)]),
    val,
  );
  expect(f.problems.join('\n')).toMatch(
    /candidate 'fair' reports valRmse 0\.500, but its predictions on the validation rows give 3\.354/,
  );
  expect(f.problems.join('\n')).toMatch(
    /you chose 'fair' .* but 'good' has 1\.000: keep the candidate that is best on the validation rows, lowest wins/,
  );
});

test('a missing baseline, too few models, a missing score and an unknown choice are each named', () => {
  const f = judgeCandidates(SPEC, answer('forest', [candidate('good', GOOD, null)]), val);
  const text = f.problems.join('\n');
  expect(text).toMatch(/candidate 'good' reports no valRmse/);
  expect(text).toMatch(/no candidate is marked baseline: true/);
  expect(text).toMatch(/only 1 model was compared besides the baseline; compare at least 2/);
  expect(text).toMatch(/chosen is 'forest', but no candidate has that name \('good'\)/);
});

test('the best of too few candidates is no choice', () => {
  const f = judgeCandidates(SPEC, answer('mean', [candidate('mean', MEAN, undefined, true)]), val);
  expect(f.chosenIsBest).toBe(false);
});

test('a candidate that could not predict is reported with why', () => {
  const f = judgeCandidates(
    SPEC,
    answer('good', [
      candidate('mean', MEAN, undefined, true),
      candidate('good', GOOD),
      { name: 'knn', baseline: false, claimed: 3, error: 'its predict(x) failed: boom' },
    ]),
    val,
  );
  expect(f.problems).toEqual([
    "candidate 'knn': its predict(x) failed: boom",
    'only 1 model was compared besides the baseline; compare at least 2 (the lesson is choosing a model on validation data, among a baseline and other candidates)',
  ]);
});

test('options are read from the curriculum and nonsense is refused', () => {
  expect(selectionOf({ key: 'm/x', options: {} })).toBeUndefined();
  expect(selectionOf({ key: 'm/x', options: { selection: { minModels: 3 } } })).toMatchObject({
    metric: 'rmse',
    claim: 'valRmse',
    minModels: 3,
  });
  expect(() => selectionOf({ key: 'm/x', options: { selection: { metric: 'speed' } } })).toThrow(GradingError);
});

describe('on rows the candidates cannot have seen', () => {
  // Held-out rows: their labels never reach the child.
  const heldLabels = Float32Array.from([12, 22, 28, 42, 35]);
  const wire = (values: number[]): WireTensor => ({
    values: Float32Array.from(values),
    shape: [values.length],
    dtype: 'float32',
  });
  const withHeld = (entry: Answer['entries'][number], held: number[]): JudgedEntry => ({
    ...entry,
    unseen: wire(held),
  });
  const unseen = (returned?: number[]) => ({
    n: 5,
    labels: heldLabels,
    returned: returned ? wire(returned) : undefined,
  });
  const meanHeld = [25, 25, 25, 25, 25];
  const goodHeld = [13, 21, 29, 41, 36];
  const fairHeld = [15, 19, 31, 39, 33];

  test('an honest comparison, the chosen candidate returned, has no problems', () => {
    const entries = [
      withHeld(candidate('mean', MEAN, undefined, true), meanHeld),
      withHeld(candidate('good', GOOD), goodHeld),
      withHeld(candidate('fair', FAIR), fairHeld),
    ];
    const f = judgeCandidates(SPEC, answer('good', entries), val, unseen(goodHeld));
    expect(f.problems).toEqual([]);
    expect(f).toMatchObject({ models: 2, chosenIsBest: true });
  });

  test('a candidate far better on the validation rows than on unseen rows has seen them: refused, and it does not count', () => {
    const lookup = [10, 20, 30, 40];
    const entries = [
      withHeld(candidate('mean', MEAN, undefined, true), meanHeld),
      withHeld(candidate('good', GOOD), goodHeld),
      withHeld(candidate('fair', FAIR), fairHeld),
      withHeld(candidate('lookup', lookup), meanHeld),
    ];
    const f = judgeCandidates(SPEC, answer('lookup', entries), val, unseen(goodHeld));
    expect(f.problems.join('\n')).toMatch(
      /candidate 'lookup' scores rmse 0\.000 on the validation rows but \d+\.\d{3} on rows it cannot have seen .*it has seen the validation rows.*Fit every candidate on xTrain \/ yTrain only \(the lesson is choosing a model on validation data/,
    );
    expect(f.chosenIsBest).toBe(false);
    expect(f.models).toBe(2);
  });

  test('a predictor that is not the chosen candidate (a refit, another model) is named with the first row where they differ', () => {
    const entries = [
      withHeld(candidate('mean', MEAN, undefined, true), meanHeld),
      withHeld(candidate('good', GOOD), goodHeld),
      withHeld(candidate('fair', FAIR), fairHeld),
    ];
    const f = judgeCandidates(SPEC, answer('good', entries), val, unseen([13, 21, 30, 41, 36]));
    expect(f.problems).toEqual([
      expect.stringMatching(
        /^predict\(x\) is not the chosen candidate 'good': on held-out row 2 it answers 30\.000 where the candidate answers 29\.000 \(1 of 5 rows differ\)\. Return the chosen candidate's own predict, as it was compared/,
      ),
    ]);
    expect(f.chosenIsBest).toBe(false);
  });

  test('the check of unseen rows is an option: seenRatio 0 turns it off', () => {
    const lookup = [10, 20, 30, 40];
    const entries = [
      withHeld(candidate('mean', MEAN, undefined, true), meanHeld),
      withHeld(candidate('good', GOOD), goodHeld),
      withHeld(candidate('lookup', lookup), goodHeld),
    ];
    const f = judgeCandidates({ ...SPEC, seenRatio: 0 }, answer('lookup', entries), val, unseen(goodHeld));
    expect(f.problems).toEqual([]);
  });
});

test('a constant not marked baseline is not a model: one real model beside it is too few (review 21)', () => {
  const f = judgeCandidates(
    SPEC,
    answer('good', [
      candidate('mean', MEAN, undefined, true),
      candidate('good', GOOD),
      candidate('median', [24, 24, 24, 24]),
    ]),
    val,
  );
  expect(f.models).toBe(1);
  expect(f.chosenIsBest).toBe(false);
  expect(f.problems).toEqual([
    expect.stringMatching(
      /^candidate 'median' gives every validation row the same answer: a constant is what the baseline is for/,
    ),
    expect.stringMatching(/^only 1 model was compared besides the baseline; compare at least 2/),
  ]);
});

describe('the probe run: prices the grader makes up from the rows', () => {
  let boston: LoadedDataset;
  beforeAll(async () => {
    boston = await loadDataset('boston');
  });

  const draw = (seed: number, skip: ReadonlySet<number> = new Set([11])): Float32Array =>
    madeUpLabels(boston.features, boston.n, 13, boston.labels, createRng(seed), skip);
  const mean = (v: ArrayLike<number>): number => Array.from(v).reduce((a, b) => a + b, 0) / v.length;
  const sd = (v: ArrayLike<number>): number => {
    const m = mean(v);
    return Math.sqrt(Array.from(v).reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
  };
  const correlation = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
    const ma = mean(a);
    const mb = mean(b);
    let s = 0;
    for (let i = 0; i < a.length; i++) s += (a[i] - ma) * (b[i] - mb);
    return s / a.length / (sd(a) * sd(b));
  };

  test('they look like prices (the real mean and spread) but share next to nothing with the real ones, on every draw', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const made = draw(seed);
      expect(mean(made)).toBeCloseTo(mean(boston.labels), 3);
      expect(sd(made)).toBeCloseTo(sd(boston.labels), 3);
      // So a table of the real prices, even mapped onto the made-up ones as well as a line can, explains at most 4%.
      expect(Math.abs(correlation(made, boston.labels))).toBeLessThanOrEqual(0.2);
    }
  });

  test('they are drawn from the randomness given: the same draws, the same prices; other draws, other prices', () => {
    expect(draw(7)).toEqual(draw(7));
    expect(Math.abs(correlation(draw(7), draw(8)))).toBeLessThan(0.9);
  });

  test('a model fitted on the rows can follow them: least squares on the squashed columns explains most of them', () => {
    // The shape the grader draws from, fitted by least squares on 329 rows, scored on the other 177: what any model
    // that fits its rows comes near. The noise (0.35 of the signal) caps R² at about 0.89.
    const x = Array.from({ length: boston.n }, (_, i) => {
      const row = Array.from(boston.features.subarray(i * 13, i * 13 + 13));
      return [1, ...row.map((v, j) => Math.log1p(v - Math.min(...column(j))))];
    });
    function column(j: number): number[] {
      return Array.from({ length: boston.n }, (_, i) => boston.features[i * 13 + j]);
    }
    for (const seed of [1, 2, 3]) {
      const y = Array.from(draw(seed));
      const w = leastSquares(x.slice(0, 329), y.slice(0, 329));
      const held = y.slice(329);
      const pred = x.slice(329).map((r) => r.reduce((a, v, j) => a + v * w[j], 0));
      const miss = Math.sqrt(held.reduce((a, v, i) => a + (v - pred[i]) ** 2, 0) / held.length);
      expect(miss / sd(held)).toBeLessThan(0.6);
    }
  });

  test('a column in skip is never used: changing it changes nothing', () => {
    const changed = Float32Array.from(boston.features);
    for (let i = 0; i < boston.n; i++) changed[i * 13 + 11] = (i * 7919) % 400;
    for (const seed of [1, 2, 3, 4, 5])
      expect(madeUpLabels(changed, boston.n, 13, boston.labels, createRng(seed), new Set([11]))).toEqual(draw(seed));
  });

  test('without two columns to build on there is nothing to make up, and the grader says so', () => {
    const flags = Float32Array.from({ length: 20 }, (_, i) => i % 2);
    expect(() => madeUpLabels(flags, 10, 2, new Float32Array(10), createRng(1))).toThrow(GradingError);
  });
});

/** Least squares by the normal equations, solved by Gaussian elimination: small, for the test above. */
function leastSquares(x: number[][], y: number[]): number[] {
  const k = x[0].length;
  const a = Array.from({ length: k }, (_, i) => [
    ...Array.from({ length: k }, (_, j) => x.reduce((s, r) => s + r[i] * r[j], 0) + (i === j && i > 0 ? 1e-6 : 0)),
    x.reduce((s, r, n) => s + r[i] * y[n], 0),
  ]);
  for (let c = 0; c < k; c++) {
    let p = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    [a[c], a[p]] = [a[p], a[c]];
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = a[r][c] / a[c][c];
      for (let j = c; j <= k; j++) a[r][j] -= f * a[c][j];
    }
  }
  return a.map((row, i) => row[k] / row[i]);
}
