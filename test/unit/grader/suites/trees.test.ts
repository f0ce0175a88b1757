/**
 * The trees suite: its task holds the labels of the held-out rows back, its
 * cases accept the reference (run in-process, values through JSON as the
 * channel does) and reject the starter and four cheap submissions, each for
 * its own reason. The probe of boost's shape accepts sums of stumps whatever
 * their threshold convention and refuses a linear model, a step at every
 * training value, and splits that mix two columns.
 */
import { suiteFor } from '../../../../src/grader/suites';
import {
  fitStump,
  loadSuite,
  makeProbe,
  makeTask,
  refBoost,
  refFolds,
  stumpProblem,
  type TreesData,
} from '../../../../src/grader/suites/trees';
import { loadDataset } from '../../../../src/datasets';
import type { Suite } from '../../../../src/grader/suites/types';
import * as reference from '../../../../solutions/month2/trees/trees';
import * as starter from '../../../../exercises/month2/trees/trees';
import * as leakyCv from '../../../fixtures/submissions/m2-trees-leaky-cv';
import * as unstratified from '../../../fixtures/submissions/m2-trees-unstratified';
import * as trainChoice from '../../../fixtures/submissions/m2-trees-train-choice';
import * as fixedModel from '../../../fixtures/submissions/m2-trees-fixed-model';
import * as logistic from '../../../fixtures/submissions/lesson-trees-logistic';

type Impl = Record<string, unknown>;

let suite: Suite;
beforeAll(async () => {
  suite = await loadSuite();
}, 60_000);

function failures(impl: Impl, seed = 1): string[] {
  const out: string[] = [];
  for (const c of suite.cases(seed)) {
    let value: unknown;
    try {
      const args = JSON.parse(JSON.stringify(c.args)) as unknown[];
      value = (impl[c.fn] as (...a: unknown[]) => unknown)(...args);
    } catch (err) {
      out.push(`${c.fn}: ${c.title}: threw ${(err as Error).message}`);
      continue;
    }
    const problem = c.verify(JSON.parse(JSON.stringify(value ?? null)));
    if (problem) out.push(`${c.fn}: ${c.title}: ${problem}`);
  }
  return out;
}

describe('trees suite', () => {
  it('is registered, and its cases call every export', async () => {
    expect(await suiteFor('trees')).toBe(suite);
    const cases = suite.cases(1);
    expect([...new Set(cases.map((c) => c.fn))].sort()).toEqual([...suite.exports].sort());
    expect(cases).toHaveLength(16);
  });

  it('never hands the held-out labels to the learner', () => {
    const choose = suite.cases(1).find((c) => c.fn === 'choose')!;
    const [x, y, folds, , xTest] = choose.args as [number[][], number[], number[], unknown, number[][]];
    expect(x.length + xTest.length).toBe(506);
    expect(y).toHaveLength(x.length);
    expect(folds).toHaveLength(x.length);
    for (const c of suite.cases(1))
      expect(c.args.filter((a) => Array.isArray(a) && a.length === xTest.length && typeof a[0] === 'number')).toEqual(
        [],
      );
  });

  it("deals the grader's stratified folds evenly", () => {
    const labels = Array.from({ length: 37 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const folds = refFolds(labels, 5, 7);
    for (const c of [0, 1]) {
      const counts = [0, 1, 2, 3, 4].map((f) => folds.filter((g, i) => g === f && labels[i] === c).length);
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    }
  });

  it('passes the reference on several seeds', () => {
    for (const seed of [1, 2]) expect(failures(reference, seed)).toEqual([]);
  }, 60_000);

  it('fails the starter', () => {
    expect(failures(starter).length).toBeGreaterThanOrEqual(8);
  }, 60_000);

  it('fails cross-validation whose models saw their own fold', () => {
    const f = failures(leakyCv);
    expect(f.some((m) => /shuffling fold 0's labels changed fold 0's out-of-fold answers/.test(m))).toBe(true);
    expect(f.some((m) => /differ from boost trained on the other folds/.test(m))).toBe(true);
  }, 60_000);

  it('fails folds dealt without regard to the class', () => {
    const f = failures(unstratified);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatch(/^stratifiedFolds: .*a stratified split puts the same number/);
  }, 60_000);

  it('fails a choice made on the training rows', () => {
    const f = failures(trainChoice);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatch(/^choose: .*choose on the folds' scores, not on the training rows/);
  }, 60_000);

  it('fails one fixed model whatever the settings', () => {
    const f = failures(fixedModel);
    expect(f.some((m) => /before any round the model is the prior/.test(m))).toBe(true);
    expect(f.some((m) => /training log loss .* with fewer/.test(m))).toBe(true);
  }, 60_000);
});

describe("the probe of boost's shape", () => {
  let data: TreesData;
  beforeAll(async () => {
    const d = await loadDataset('boston');
    const w = d.featureShape[0];
    data = {
      x: Array.from({ length: d.n }, (_, i) => Array.from(d.features.subarray(i * w, (i + 1) * w))),
      y: Array.from(d.labels, (v) => (v >= 25 ? 1 : 0)),
    };
  }, 60_000);

  const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));
  const logit = (p: number): number => Math.log(p / (1 - p));

  function setup(seed = 1): { x: number[][]; y: number[]; probe: ReturnType<typeof makeProbe> } {
    const t = makeTask(data, seed);
    return { x: t.train.x, y: t.train.y, probe: makeProbe(t.train.x, t.test.x, seed) };
  }

  it('shuffles the held-out rows in among rows that vary one column of a training row', () => {
    const t = makeTask(data, 1);
    const probe = makeProbe(t.train.x, t.test.x, 1);
    expect(probe.heldAt.map((i) => probe.rows[i])).toEqual(t.test.x);
    // Not all at the front or the back, where a boost could tell them apart by position.
    expect(Math.min(...probe.heldAt)).toBeLessThan(probe.rows.length / 4);
    expect(Math.max(...probe.heldAt)).toBeGreaterThan((3 * probe.rows.length) / 4);
    for (const [j, line] of probe.lines.entries())
      for (const [m, i] of line.at.entries()) {
        const want = t.train.x[0].slice();
        want[j] = line.values[m];
        expect(probe.rows[i]).toEqual(want);
      }
    expect(probe.lines.every((l) => l.gaps.length > 0 && l.gaps.every((g) => g.length === 4))).toBe(true);
  });

  it('accepts boosted stumps, with thresholds at the midpoint, at the training value below, or elsewhere in the gap', () => {
    const { x, y, probe } = setup();
    for (const rounds of [5, 40, 150])
      expect(stumpProblem(refBoost(x, y, probe.rows, { rounds, learningRate: 0.3 }), probe, rounds)).toBeUndefined();
    // The same stumps split elsewhere between the two training values around each midpoint: at the one below
    // (rows going left when x <= it), or 30 % of the way across the gap (a bin edge, say).
    const seen = x[0].map((_, j) => [...new Set(x.map((r) => r[j]))].sort((a, b) => a - b));
    const rate = y.reduce((s, v) => s + v, 0) / y.length;
    for (const across of [0, 0.3]) {
      const f = x.map(() => logit(rate));
      const g = probe.rows.map(() => logit(rate));
      for (let t = 0; t < 20; t++) {
        const s = fitStump(
          x,
          y.map((v, i) => v - sigmoid(f[i])),
        );
        const below = Math.max(...seen[s.feature].filter((v) => v <= s.threshold));
        const above = Math.min(...seen[s.feature].filter((v) => v > s.threshold));
        const at = below + across * (above - below);
        const step = (r: number[]): number => 0.3 * (r[s.feature] <= at ? s.left : s.right);
        x.forEach((r, i) => (f[i] += step(r)));
        probe.rows.forEach((r, i) => (g[i] += step(r)));
      }
      expect(stumpProblem(g.map(sigmoid), probe, 20)).toBeUndefined();
    }
  }, 60_000);

  it('refuses a linear model: it moves between two training values, by as many digits as show it', () => {
    const { probe } = setup();
    // A slope so small that six digits would print the two answers alike.
    const p = probe.rows.map((r) => sigmoid(-1 + 1e-6 * r[5] - 2e-7 * r[12]));
    const problem = stumpProblem(p, probe, 150);
    expect(problem).toMatch(
      /^not a sum of stumps: along column \d+ your answer changes 3 times between \S+ and \S+ \(\S+ to \S+\), with no training value between them/,
    );
    const [, from, to] = /\((\S+) to (\S+)\)/.exec(problem!)!;
    expect(from).not.toBe(to);
  });

  it('refuses steps at every training value, one per column: more steps than stumps', () => {
    const { x, probe } = setup();
    // A linear model on each column rounded to its nearest training value: flat between, additive, but stepped everywhere.
    const seen = x[0].map((_, j) => [...new Set(x.map((r) => r[j]))].sort((a, b) => a - b));
    const snap = (v: number, j: number): number =>
      seen[j].reduce((best, s) => (Math.abs(s - v) < Math.abs(best - v) ? s : best), seen[j][0]);
    const p = probe.rows.map((r) => sigmoid(-1 + 0.3 * snap(r[5], 5) - 0.05 * snap(r[12], 12)));
    expect(stumpProblem(p, probe, 150)).toMatch(
      /^not a sum of 150 stumps: your answer steps at \d+ places along the columns, more than 150 rounds/,
    );
  });

  it('refuses splits that mix two columns: not additive', () => {
    const { x, y, probe } = setup();
    const p = refBoost(x, y, probe.rows, { rounds: 40, learningRate: 0.3 });
    const median = (j: number): number => x.map((r) => r[j]).sort((a, b) => a - b)[x.length >> 1];
    const [t5, t12] = [median(5), median(12)];
    // One depth-2 tree on top of the stumps: 0.8 where rooms <= median and lower status <= median, both at once.
    const mixed = p.map((v, i) => sigmoid(logit(v) + (probe.rows[i][5] <= t5 && probe.rows[i][12] <= t12 ? 0.8 : 0)));
    expect(stumpProblem(mixed, probe, 42)).toMatch(
      /^not a sum of stumps: held-out row \d+ gets .*, but the sum of your model's steps along each column gives/,
    );
  });

  it("fails a logistic regression in boost's place on every seed, whatever its score", () => {
    for (const seed of [1, 3]) {
      const f = failures(logistic, seed);
      const shape = f.filter((m) => /^boost: trained on every training row/.test(m));
      expect(shape).toHaveLength(3);
      expect(shape.every((m) => /: not a sum of stumps: along column \d+ your answer changes 3 times/.test(m))).toBe(
        true,
      );
    }
  }, 60_000);
});
