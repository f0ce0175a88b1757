/**
 * The recsys-cold-start suite: 100 users and 60 items are held out entirely
 * (only their features reach the learner); the reference (form-similarity
 * neighbours, tag profiles) passes on several seeds; the starter
 * (popularity, a fixed order), a half-done submission (tags for new items,
 * popularity for new users) and a purely collaborative model fail.
 */
import { loadCurriculum } from '../../../../src/curriculum';
import { makeInteractions } from '../../../../src/datasets/synthetic/interactions';
import { suiteFor } from '../../../../src/grader/suites';
import { coldStartSplit, NEW_ITEMS, NEW_USERS, suite } from '../../../../src/grader/suites/recsys-cold-start';
import type { CaseOutcome } from '../../../../src/grader/suites/types';
import * as reference from '../../../../solutions/month3/recsys-cold-start/recommend';
import * as starter from '../../../../exercises/month3/recsys-cold-start/recommend';
import * as popularUsers from '../../../fixtures/submissions/rec-cold-popular-users';
import * as collaborative from '../../../fixtures/submissions/rec-cold-collaborative';

type Impl = Record<string, unknown>;

jest.setTimeout(120_000);

const exercise = loadCurriculum().exercises.find((e) => e.key === 'month3/recsys-cold-start')!;
const min = (name: string): number => exercise.metrics.find((m) => m.name === name)!.min!;

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
  const problems = outcomes.flatMap((o) => (o.problem ? [`${o.case.fn}: ${o.problem}`] : []));
  const passed =
    problems.length === 0 && scores.recall_at_k >= min('recall_at_k') && scores.ndcg_at_k >= min('ndcg_at_k');
  return { problems, scores, passed, output: suite.describe!(outcomes) };
}

describe('recsys-cold-start suite', () => {
  it('is registered and calls both exports', async () => {
    expect(await suiteFor('recsys-cold-start')).toBe(suite);
    expect(suite.cases(1).map((c) => c.fn)).toEqual(['recommendNewUsers', 'recommendNewItems']);
  });

  it('sends no interaction of a new user or with a new item, only their features', () => {
    const world = makeInteractions(1, { users: 500 });
    const { data } = coldStartSplit(1);
    expect(data.newUsers).toHaveLength(NEW_USERS);
    expect(data.newItems).toHaveLength(NEW_ITEMS);
    const newItems = new Set(data.newItems);
    for (const u of data.newUsers) expect(data.train[u]).toEqual([]);
    for (const list of data.train) expect(list.some((i) => newItems.has(i))).toBe(false);
    expect(data.userFeatures).toEqual(world.userFeatures);
    expect(data.itemFeatures).toEqual(world.itemFeatures);
    // The args are exactly this data: nothing held out rides along.
    for (const c of suite.cases(1)) expect(JSON.stringify(c.args)).toBe(JSON.stringify([data]));
  });

  it('passes the reference on seeds 1-3', () => {
    for (const seed of [1, 2, 3]) {
      const r = grade(reference, seed);
      expect(r.problems).toEqual([]);
      expect(r.passed).toBe(true);
    }
  });

  it('fails the starter: popularity for new users, one order of new items for everyone', () => {
    const r = grade(starter);
    expect(r.passed).toBe(false);
    expect(r.problems.join('\n')).toMatch(/recommendNewUsers: 100% of your recommendations are the most popular items/);
    expect(r.problems.join('\n')).toMatch(/recommendNewItems: every user gets the same new items/);
    expect(r.output).toMatch(/new users: yours recall@10 0\.\d+, NDCG@10 0\.\d+; the popularity baseline/);
  });

  it('fails tags for new items with popularity for new users: the lower part decides', () => {
    const r = grade(popularUsers);
    expect(r.problems).toEqual([]);
    expect(r.passed).toBe(false);
    expect(r.scores.recall_at_k).toBeLessThan(min('recall_at_k') - 0.05);
  });

  it('fails a purely collaborative model, which has nothing to go on for either part', () => {
    const r = grade(collaborative);
    expect(r.problems).toEqual([]);
    expect(r.passed).toBe(false);
    expect(r.scores.recall_at_k).toBeLessThan(min('recall_at_k') - 0.1);
  });

  it('refuses a new item in a new user list and an old item in a new-item list', () => {
    const [users, items] = suite.cases(1);
    const { data } = coldStartSplit(1);
    const old = Array.from({ length: data.items }, (_, i) => i).filter((i) => !data.newItems.includes(i));
    expect(users.verify(data.newUsers.map(() => [...data.newItems.slice(0, 1), ...old.slice(0, 9)]))).toMatch(
      /not an item with a history/,
    );
    expect(items.verify(data.warmUsers.map(() => old.slice(0, 10)))).toMatch(/not a new item/);
  });
});
