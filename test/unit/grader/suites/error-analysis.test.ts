/**
 * The error-analysis suite: its inputs hold the edge cases the README names,
 * its cases accept the reference (run in-process, values through JSON as the
 * channel does) and reject the starter and four cheap submissions, each for
 * its own reason.
 */
import { suiteFor } from '../../../../src/grader/suites';
import {
  edgeScores,
  fashionScores,
  loadSuite,
  refMatrix,
  refPairs,
  refPerClass,
} from '../../../../src/grader/suites/error-analysis';
import { FASHION_CLASS_NAMES } from '../../../../src/datasets/loaders/fashion-mnist';
import { runCases } from '../../../helpers/suite-outcomes';
import type { Suite } from '../../../../src/grader/suites/types';
import { loadDataset } from '../../../../src/datasets';
import * as reference from '../../../../solutions/month2/error-analysis/error-analysis';
import * as starter from '../../../../exercises/month2/error-analysis/error-analysis';
import * as transposed from '../../../fixtures/submissions/m2-ea-transposed';
import * as seenClasses from '../../../fixtures/submissions/m2-ea-seen-classes';
import * as wrongSort from '../../../fixtures/submissions/m2-ea-wrong-sort';
import * as mistakesByLoss from '../../../fixtures/submissions/m2-ea-mistakes-by-loss';

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

describe('error-analysis suite', () => {
  it('is registered, and its cases call every export', async () => {
    expect(await suiteFor('error-analysis')).toBe(suite);
    const cases = suite.cases(1);
    expect([...new Set(cases.map((c) => c.fn))].sort()).toEqual([...suite.exports].sort());
    expect(cases).toHaveLength(20);
  });

  it('draws the same cases from the same seed and others from another', () => {
    const args = (seed: number): string => JSON.stringify(suite.cases(seed).map((c) => c.args));
    expect(args(3)).toBe(args(3));
    expect(args(3)).not.toBe(args(4));
  });

  it('scores the images the same from their pixel bytes as from their floats, without making floats of them all', async () => {
    const d = await loadDataset('fashion-mnist');
    expect(d.pixels).toBeDefined();
    const fromBytes = fashionScores({ pixels: d.pixels!, labels: d.labels, n: d.n }, 7);
    // Still bytes: the dataset turns into floats, and drops its bytes, only when `features` is read.
    expect(d.pixels).toBeDefined();
    expect(fashionScores({ features: d.features, labels: d.labels, n: d.n }, 7)).toEqual(fromBytes);
  });

  it('scores real images with real mistakes: shirts are the class recalled worst', async () => {
    const d = await loadDataset('fashion-mnist');
    for (const seed of [1, 2, 3]) {
      const s = fashionScores({ features: d.features, labels: d.labels, n: d.n }, seed);
      const stats = refPerClass(refMatrix(s.actual, s.predicted, 10));
      const accuracy = s.actual.filter((a, i) => a === s.predicted[i]).length / s.actual.length;
      expect(accuracy).toBeGreaterThan(0.55);
      expect(accuracy).toBeLessThan(0.85);
      const recalls = stats.map((c) => c.recall!);
      expect(recalls.indexOf(Math.min(...recalls))).toBe(6);
      expect(s.probs.every((p) => p.every((v) => v >= 0 && v <= 1))).toBe(true);
    }
  });

  it('builds edge tables with an absent class, a class never right, and tied rows', () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const s = edgeScores(seed);
      const m = refMatrix(s.actual, s.predicted, s.numClasses);
      const stats = refPerClass(m);
      const last = stats[s.numClasses - 1];
      expect(last).toEqual({ precision: null, recall: null, support: 0, predicted: 0 });
      expect(stats[1].precision).toBe(0);
      expect(stats[1].recall).toBeNull();
      expect(m[0][2]).toBeGreaterThan(m[2][0]);
      const keys = s.probs.map((p, i) => `${s.actual[i]}:${p.join(',')}`);
      expect(new Set(keys).size).toBeLessThan(keys.length);
    }
  });

  it('passes the reference on several seeds', () => {
    for (const seed of [1, 2, 3]) expect(failures(reference, seed)).toEqual([]);
  });

  it('fails the starter on nearly every case', () => {
    expect(failures(starter).length).toBeGreaterThanOrEqual(18);
  });

  it('fails a transposed matrix, and says so', () => {
    const f = failures(transposed);
    expect(f.some((m) => m.startsWith('confusionMatrix') && /looks transposed/.test(m))).toBe(true);
  });

  it('fails a matrix sized from the labels seen instead of numClasses', () => {
    const f = failures(seenClasses);
    expect(f.some((m) => m.startsWith('confusionMatrix') && /must be \d+ x \d+/.test(m))).toBe(true);
    expect(f.every((m) => m.startsWith('confusionMatrix'))).toBe(true);
  });

  it('fails rankings sorted the wrong way', () => {
    const f = failures(wrongSort);
    expect(f.some((m) => m.startsWith('worstExamples') && /expected row/.test(m))).toBe(true);
    expect(f.some((m) => m.startsWith('confidentMistakes'))).toBe(true);
  });

  it('fails "confident mistakes" that are the highest-loss rows, right ones included', () => {
    const f = failures(mistakesByLoss);
    expect(f.length).toBeGreaterThan(0);
    expect(f.every((m) => m.startsWith('confidentMistakes'))).toBe(true);
    expect(f.some((m) => /a classifier without a mistake/.test(m))).toBe(true);
  });
});

describe('error-analysis findings', () => {
  it("read the real classifier's mistakes from the reference's answers", () => {
    const found = suite.findings!(runCases(suite, reference, 1));
    expect(found).toHaveLength(3);
    const real = suite.cases(1).find((c) => c.fn === 'confusedPairs')!;
    const top = refPairs(real.args[0] as number[][], 10)[0];
    expect(found[0]).toContain(
      `${FASHION_CLASS_NAMES[top.actual]} taken for ${FASHION_CLASS_NAMES[top.predicted]} ${top.count} times`,
    );
    expect(found[1]).toMatch(/lowest recall: \w/);
    expect(found[2]).toMatch(/most confident mistake: row \d+/);
  });

  it('never repeat an answer that did not verify', () => {
    expect(suite.findings!(runCases(suite, starter, 1))).toEqual([]);
    const outcomes = runCases(suite, reference, 1).map((o) =>
      o.case.fn === 'perClass' ? { ...o, problem: 'class 0: recall is 1, expected 0.8' } : o,
    );
    const found = suite.findings!(outcomes);
    expect(found).toHaveLength(2);
    expect(found.join('\n')).not.toContain('recall');
  });
});
