/**
 * The ranking path of the train kind: held-out (user, item, rating) rows
 * grouped per user and scored pointwise and as rankings. Expected values are
 * worked out by hand in the comments.
 */
import { makeDataset } from '../../../src/datasets/dataset';
import { GradingError } from '../../../src/errors';
import { InvalidOutputError } from '../../../src/grader/predictions';
import {
  DEFAULT_RELEVANT_MIN,
  groupByUser,
  ratedPairs,
  relevantMinOf,
  scoreRanking,
  type RatedPairs,
} from '../../../src/grader/ranking';
import type { MetricSpec } from '../../../src/curriculum/schema';

const f32 = (values: number[]): Float32Array => Float32Array.from(values);
const wire = (values: number[], shape: number[] = [values.length]) => ({
  values: f32(values),
  shape,
  dtype: 'float32',
});

// user 0: item 10 rated 5, item 11 rated 2, item 12 rated 4; user 1: item 10 rated 3, item 13 rated 4.
const pairs: RatedPairs = {
  users: Int32Array.from([0, 0, 0, 1, 1]),
  items: Int32Array.from([10, 11, 12, 10, 13]),
  ratings: f32([5, 2, 4, 3, 4]),
};
const spec = (name: MetricSpec['name'], k?: number): MetricSpec => ({ name, max: 100, ...(k ? { k } : {}) });

describe('ratedPairs', () => {
  it('reads [user, item] rows and their ratings', () => {
    const ds = makeDataset({ id: 'r', features: f32([3, 7, 0, 2]), featureShape: [2], labels: f32([4, 1]) });
    const p = ratedPairs(ds);
    expect(Array.from(p.users)).toEqual([3, 0]);
    expect(Array.from(p.items)).toEqual([7, 2]);
    expect(Array.from(p.ratings)).toEqual([4, 1]);
  });

  it('refuses rows that are not [user, item] pairs', () => {
    const ds = makeDataset({ id: 'wide', features: f32([1, 2, 3]), featureShape: [3], labels: f32([1]) });
    expect(() => ratedPairs(ds)).toThrow(GradingError);
  });
});

describe('groupByUser', () => {
  it("lists each user's scored items and the ones rated at least relevantMin", () => {
    const { scoresByUser, relevantByUser } = groupByUser(pairs, [0.1, 0.9, 0.5, 0.2, 0.3]);
    expect(scoresByUser.get(0)).toEqual([
      { item: 10, score: 0.1 },
      { item: 11, score: 0.9 },
      { item: 12, score: 0.5 },
    ]);
    expect([...relevantByUser.get(0)!].sort()).toEqual([10, 12]);
    expect([...relevantByUser.get(1)!]).toEqual([13]);
  });

  it('moves the relevance cut with relevantMin', () => {
    const { relevantByUser } = groupByUser(pairs, [0, 0, 0, 0, 0], 5);
    expect([...relevantByUser.get(0)!]).toEqual([10]);
    expect(relevantByUser.get(1)!.size).toBe(0);
  });

  it('needs one score per pair', () => {
    expect(() => groupByUser(pairs, [1, 2])).toThrow(GradingError);
  });
});

describe('scoreRanking', () => {
  it('scores a hand-worked example', () => {
    // user 0 ranks 11 (0.9), 12 (0.5), 10 (0.1); top 2 = {11, 12}: one hit of relevant {10, 12}
    //   recall 1/2, precision 1/2, DCG = 1/log2(3), IDCG = 1 + 1/log2(3)
    // user 1 ranks 13 (0.3), 10 (0.2); top 2 holds its one relevant item at rank 1: recall 1, NDCG 1
    const scores = scoreRanking(
      [spec('recall_at_k', 2), spec('precision_at_k', 2), spec('ndcg_at_k', 2), spec('mae')],
      wire([0.1, 0.9, 0.5, 0.2, 0.3]),
      pairs,
    );
    const ndcg0 = 1 / Math.log2(3) / (1 + 1 / Math.log2(3));
    expect(scores.recall_at_k).toBeCloseTo((0.5 + 1) / 2, 12);
    expect(scores.precision_at_k).toBeCloseTo((0.5 + 0.5) / 2, 12);
    expect(scores.ndcg_at_k).toBeCloseTo((ndcg0 + 1) / 2, 6);
    // |5-0.1| + |2-0.9| + |4-0.5| + |3-0.2| + |4-0.3| = 4.9 + 1.1 + 3.5 + 2.8 + 3.7 = 16
    expect(scores.mae).toBeCloseTo(16 / 5, 5);
  });

  it('gives perfect scores to the true ratings and worse ones to reversed ratings', () => {
    const specs = [spec('rmse'), spec('ndcg_at_k', 1), spec('r2')];
    const truth = scoreRanking(specs, wire(Array.from(pairs.ratings)), pairs);
    expect(truth.rmse).toBe(0);
    expect(truth.ndcg_at_k).toBe(1);
    expect(truth.r2).toBe(1);
    const reversed = scoreRanking(specs, wire(Array.from(pairs.ratings, (r) => 6 - r)), pairs);
    expect(reversed.ndcg_at_k).toBeLessThan(1);
    expect(reversed.rmse).toBeGreaterThan(0);
  });

  it('accepts [n, 1] predictions', () => {
    const scores = scoreRanking([spec('rmse')], wire([5, 2, 4, 3, 4], [5, 1]), pairs);
    expect(scores.rmse).toBe(0);
  });

  it("reports the learner's wrong shapes and non-finite scores as invalid output", () => {
    expect(() => scoreRanking([spec('rmse')], wire([1, 2, 3]), pairs)).toThrow(InvalidOutputError);
    expect(() => scoreRanking([spec('rmse')], wire(new Array(10).fill(1), [5, 2]), pairs)).toThrow(InvalidOutputError);
    expect(() => scoreRanking([spec('ndcg_at_k', 2)], wire([1, NaN, 1, 1, 1]), pairs)).toThrow(InvalidOutputError);
  });

  it('refuses metrics that do not fit a ranking task, and ranking metrics without k', () => {
    expect(() => scoreRanking([{ name: 'accuracy', min: 0.5 }], wire([1, 1, 1, 1, 1]), pairs)).toThrow(GradingError);
    expect(() => scoreRanking([spec('recall_at_k')], wire([1, 1, 1, 1, 1]), pairs)).toThrow(/needs k/);
  });
});

describe('relevantMinOf', () => {
  it('defaults to 4 stars and reads options.relevantMin', () => {
    expect(DEFAULT_RELEVANT_MIN).toBe(4);
    expect(relevantMinOf(undefined)).toBe(4);
    expect(relevantMinOf({ relevantMin: 3.5 })).toBe(3.5);
  });

  it('refuses a value that is not a number', () => {
    expect(() => relevantMinOf({ relevantMin: 'four' })).toThrow(GradingError);
  });
});
