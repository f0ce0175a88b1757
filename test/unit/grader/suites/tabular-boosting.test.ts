/**
 * The tabular-boosting suite: it reads ml-cart trees as ml-cart does, scores
 * calibration as documented, keeps held-out rows out of every call, passes the
 * reference, and fails the starter and the cheap models (the base rate alone,
 * trees fitted to the labels, a few deep trees) for what they skipped.
 */
import { DecisionTreeRegression } from 'ml-cart';
import { suiteFor } from '../../../../src/grader/suites';
import {
  calibration,
  checkBoosting,
  HELD_OUT,
  makeTable,
  readTree,
  suite,
} from '../../../../src/grader/suites/tabular-boosting';
import type { SuiteCase } from '../../../../src/grader/suites/types';
import * as reference from '../../../../solutions/month3/tabular-boosting/boosting';
import * as starter from '../../../../exercises/month3/tabular-boosting/boosting';
import * as constant from '../../../fixtures/submissions/tab-boosting-constant';
import * as labels from '../../../fixtures/submissions/tab-boosting-labels';
import * as deep from '../../../fixtures/submissions/tab-boosting-deep';

type Submission = Record<'fitBoosting' | 'evaluate', (...a: never[]) => unknown>;

/** The failing cases as `title: problem`, each value going through JSON as it does from the child. */
function failures(sub: Submission): string[] {
  const cases: SuiteCase[] = suite.cases(1);
  return cases.flatMap((c) => {
    const f = sub[c.fn as keyof Submission] as (...a: unknown[]) => unknown;
    const value: unknown = JSON.parse(JSON.stringify(f(...c.args)));
    const problem = c.verify(value);
    return problem ? [`${c.title}: ${problem}`] : [];
  });
}

const fits = (list: string[]): string[] => list.filter((f) => f.startsWith('table'));

describe('tabular-boosting suite', () => {
  jest.setTimeout(600_000);

  it('is registered, with 3 evaluate cases and one fit per table, no held-out row sent', async () => {
    expect(await suiteFor('tabular-boosting')).toBe(suite);
    const cases = suite.cases(1);
    expect(cases.map((c) => c.fn)).toEqual(['evaluate', 'evaluate', 'evaluate', 'fitBoosting', 'fitBoosting']);
    for (const c of cases.filter((k) => k.fn === 'fitBoosting')) {
      expect((c.args[0] as number[][]).length).toBe(534 - HELD_OUT);
      expect((c.args[1] as number[]).length).toBe(534 - HELD_OUT);
    }
  });

  it("evaluates an ml-cart tree's JSON exactly as ml-cart predicts", () => {
    const t = makeTable(3);
    const tree = new DecisionTreeRegression({ maxDepth: 3, minNumSamples: 5 });
    tree.train(t.x, t.y);
    const read = readTree(JSON.parse(JSON.stringify(tree.toJSON())), t.x[0].length);
    if (typeof read === 'string') throw new Error(read);
    const want = tree.predict(t.heldX);
    t.heldX.forEach((row, i) => expect(read.leaves[read.leafOf(row)]).toBeCloseTo(want[i], 12));
    expect(readTree({ root: { splitColumn: 99, splitValue: 1, left: {}, right: {} } }, 17)).toMatch(/splitColumn/);
  });

  it('scores calibration: a perfect, a constant and an overconfident model', () => {
    expect(calibration([1, 0, 1], [1, 0, 1]).ece).toBe(0);
    expect(calibration([0.5, 0.5], [1, 0])).toEqual({ logLoss: Math.log(2), brier: 0.25, ece: 0 });
    expect(calibration([0.95, 0.95], [1, 0]).ece).toBeCloseTo(0.45, 12);
  });

  it('passes the reference on every case', () => {
    expect(failures(reference)).toEqual([]);
  });

  it('fails the starter on every case: one tree, and an evaluate() without Brier or ECE', () => {
    const f = failures(starter);
    expect(f).toHaveLength(5);
    expect(fits(f).every((x) => /1 tree: boosting is many rounds/.test(x))).toBe(true);
  });

  it('fails the base rate alone for having no rounds', () => {
    const f = fits(failures(constant));
    expect(f).toHaveLength(2);
    expect(f.every((x) => /0 trees/.test(x))).toBe(true);
    // ...and the base rate's own scores are the bar's zero: it could never pass them either.
    const t = makeTable(7);
    const rate = t.y.reduce((a, b) => a + b, 0) / t.y.length;
    const c = checkBoosting({ base: Math.log(rate / (1 - rate)), learningRate: 0.1, trees: [] }, t);
    expect(c.rounds).toBe(0);
  });

  it('fails trees fitted to the labels on the residual check', () => {
    const f = fits(failures(labels));
    expect(f).toHaveLength(2);
    expect(f.every((x) => /does not fit the residuals/.test(x))).toBe(true);
  });

  it('fails a few deep trees for their size', () => {
    const f = fits(failures(deep));
    expect(f).toHaveLength(2);
    expect(f.every((x) => /leaves; boosting adds up SMALL trees/.test(x))).toBe(true);
  });
});
