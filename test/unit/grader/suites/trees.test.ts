/**
 * The trees suite: its task holds the labels of the held-out rows back, its
 * cases accept the reference (run in-process, values through JSON as the
 * channel does) and reject the starter and four cheap submissions, each for
 * its own reason.
 */
import { suiteFor } from '../../../../src/grader/suites';
import { loadSuite, refFolds } from '../../../../src/grader/suites/trees';
import type { Suite } from '../../../../src/grader/suites/types';
import * as reference from '../../../../solutions/month2/trees/trees';
import * as starter from '../../../../exercises/month2/trees/trees';
import * as leakyCv from '../../../fixtures/submissions/m2-trees-leaky-cv';
import * as unstratified from '../../../fixtures/submissions/m2-trees-unstratified';
import * as trainChoice from '../../../fixtures/submissions/m2-trees-train-choice';
import * as fixedModel from '../../../fixtures/submissions/m2-trees-fixed-model';

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
