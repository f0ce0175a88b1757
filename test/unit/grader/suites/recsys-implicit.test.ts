/**
 * The recsys-implicit suite: the learner gets the training interactions and
 * never the held-out ones; the reference (weighted matrix factorisation)
 * passes the curriculum's thresholds on several seeds, and the shortcuts
 * fail for their own reason: the popularity list (the starter), popularity
 * shuffled per user, random unseen items, and a good model that forgets to
 * drop the items a user already touched.
 */
import type * as T from '@tensorflow/tfjs';
import { initBackend } from '../../../../src/backend/init';
import { loadCurriculum } from '../../../../src/curriculum';
import { makeInteractions } from '../../../../src/datasets/synthetic/interactions';
import { suiteFor } from '../../../../src/grader/suites';
import { implicitSplit, suite } from '../../../../src/grader/suites/recsys-implicit';
import type { CaseOutcome } from '../../../../src/grader/suites/types';
import * as reference from '../../../../solutions/month3/recsys-implicit/recommend';
import * as starter from '../../../../exercises/month3/recsys-implicit/recommend';
import * as popularShuffled from '../../../fixtures/submissions/rec-implicit-popular-shuffled';
import * as random from '../../../fixtures/submissions/rec-implicit-random';
import * as seen from '../../../fixtures/submissions/rec-implicit-seen';

type Impl = Record<string, unknown>;

jest.setTimeout(120_000);

let tf: typeof T;
beforeAll(async () => {
  tf = (await initBackend('wasm')).tf;
});

const exercise = loadCurriculum().exercises.find((e) => e.key === 'month3/recsys-implicit')!;
const min = (name: string): number => exercise.metrics.find((m) => m.name === name)!.min!;

/** Grades `impl` as the functions kind does: args through JSON, verify, then the suite's score. */
function grade(
  impl: Impl,
  seed = 1,
): { problems: string[]; scores: Record<string, number>; passed: boolean; output: string } {
  const outcomes: CaseOutcome[] = suite.cases(seed).map((c) => {
    const args = JSON.parse(JSON.stringify(c.args)) as unknown[];
    const value = JSON.parse(JSON.stringify((impl[c.fn] as (...a: unknown[]) => unknown)(...args))) as unknown;
    return { case: c, value, problem: c.verify(value) };
  });
  const scores = suite.score!(outcomes);
  const problems = outcomes.flatMap((o) => (o.problem ? [o.problem] : []));
  const passed =
    problems.length === 0 && scores.recall_at_k >= min('recall_at_k') && scores.ndcg_at_k >= min('ndcg_at_k');
  return { problems, scores, passed, output: suite.describe!(outcomes) };
}

describe('recsys-implicit suite', () => {
  it('is registered and calls recommend once, with the same data for the same seed', async () => {
    expect(await suiteFor('recsys-implicit')).toBe(suite);
    const cases = suite.cases(1);
    expect(cases.map((c) => c.fn)).toEqual(['recommend']);
    expect(JSON.stringify(suite.cases(2)[0].args)).toBe(JSON.stringify(suite.cases(2)[0].args));
    expect(JSON.stringify(suite.cases(2)[0].args)).not.toBe(JSON.stringify(cases[0].args));
  });

  it('sends the training interactions only: the held-out ones never reach the learner', () => {
    const world = makeInteractions(1);
    const { data, heldOut } = implicitSplit(1);
    const sent = JSON.stringify(suite.cases(1)[0].args);
    expect(sent).toBe(JSON.stringify([data]));
    data.train.forEach((train, u) => {
      expect(train.some((i) => heldOut[u].has(i))).toBe(false);
      expect([...train, ...heldOut[u]].sort((a, b) => a - b)).toEqual(world.byUser[u]);
      expect(heldOut[u].size).toBeGreaterThanOrEqual(2);
    });
  });

  it('passes the reference on seeds 1-3, above the popularity baseline', () => {
    for (const seed of [1, 2, 3]) {
      const r = grade(reference, seed);
      expect(r.problems).toEqual([]);
      expect(r.passed).toBe(true);
    }
    expect(tf.memory().numTensors).toBeLessThan(10);
  });

  it('fails the starter (the popularity list) and says it is the popularity baseline', () => {
    const r = grade(starter);
    expect(r.passed).toBe(false);
    expect(r.problems[0]).toMatch(/most popular unseen items: that is the popularity baseline/);
    expect(r.scores.recall_at_k).toBeLessThan(min('recall_at_k'));
    expect(r.output).toMatch(/popularity baseline recall@10 0\.1/);
  });

  it('fails popularity shuffled per user on the threshold, well-formed as it is', () => {
    const r = grade(popularShuffled);
    expect(r.problems).toEqual([]);
    expect(r.passed).toBe(false);
    expect(r.scores.recall_at_k).toBeLessThan(min('recall_at_k') - 0.1);
  });

  it('fails random unseen items on the threshold', () => {
    const r = grade(random);
    expect(r.problems).toEqual([]);
    expect(r.scores.recall_at_k).toBeLessThan(0.1);
    expect(r.passed).toBe(false);
  });

  it('fails a model that scores the items a user already touched, naming the item', () => {
    const r = grade(seen);
    expect(r.passed).toBe(false);
    expect(r.problems[0]).toMatch(/the list for user 0 recommends item \d+, which they already interacted with/);
  });

  it('refuses malformed lists with a message', () => {
    const c = suite.cases(1)[0];
    expect(c.verify([])).toMatch(/expected 400 lists/);
    expect(c.verify(Array.from({ length: 400 }, () => [1, 1, 2, 3, 4, 5, 6, 7, 8, 9]))).toMatch(/twice|already/);
    expect(c.verify(Array.from({ length: 400 }, () => [1, 2]))).toMatch(/exactly k = 10/);
  });
});
