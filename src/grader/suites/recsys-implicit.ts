/**
 * Suite of month3/recsys-implicit: recommendations from implicit feedback
 * (who interacted with what, no ratings), graded on whole-catalogue top-k
 * lists.
 *
 * The grader draws a seeded world of interactions (datasets/synthetic/
 * interactions.ts), holds out a fifth of each user's interactions and sends
 * the learner only the rest. The learner's `recommend(data)` returns, for
 * every user, k distinct items they have not interacted with, best first.
 * Here, in the grader's process, those lists are scored against the held-out
 * interactions (recall@k, NDCG@k), and the grader's own popularity list is
 * scored the same way, so the output can say how far above the baseline the
 * learner is. A list that holds an item from the user's training
 * interactions, or lists that are the popularity list, fail with their own
 * message.
 */
import { makeInteractions } from '../../datasets/synthetic/interactions';
import { createRng, deriveSeed, oneWaySeed, shuffleInPlace } from '../../datasets/rng';
import type { CaseOutcome, Suite, SuiteCase } from './types';

export const K = 10;

/** One user's top-k list scored against their held-out items. */
export function listScores(
  list: readonly number[],
  relevant: ReadonlySet<number>,
  k: number,
): { recall: number; ndcg: number } {
  let hits = 0;
  let dcg = 0;
  list.slice(0, k).forEach((item, r) => {
    if (relevant.has(item)) {
      hits++;
      dcg += 1 / Math.log2(r + 2);
    }
  });
  let idcg = 0;
  for (let r = 0; r < Math.min(k, relevant.size); r++) idcg += 1 / Math.log2(r + 2);
  return { recall: hits / Math.min(k, relevant.size), ndcg: dcg / idcg };
}

/** Lists that can be scored (the case may still fail: a seen item, the popularity list). */
export function isLists(value: unknown): value is number[][] {
  return Array.isArray(value) && value.every((l) => Array.isArray(l));
}

/** Mean recall@k and NDCG@k over the users (rows of `relevant`) that have held-out items. */
export function meanScores(
  lists: readonly (readonly number[])[],
  relevant: readonly Set<number>[],
  k: number,
): { recall: number; ndcg: number } {
  let n = 0;
  let recall = 0;
  let ndcg = 0;
  relevant.forEach((rel, u) => {
    if (rel.size === 0) return;
    const s = listScores(lists[u] ?? [], rel, k);
    recall += s.recall;
    ndcg += s.ndcg;
    n++;
  });
  return { recall: n ? recall / n : NaN, ndcg: n ? ndcg / n : NaN };
}

/** Items ordered by how many training interactions they have (ties by id). */
export function popularityOrder(
  train: readonly (readonly number[])[],
  items: number,
  among?: ReadonlySet<number>,
): number[] {
  const counts = new Array<number>(items).fill(0);
  for (const list of train) for (const i of list) counts[i]++;
  return Array.from({ length: items }, (_, i) => i)
    .filter((i) => !among || among.has(i))
    .sort((a, b) => counts[b] - counts[a] || a - b);
}

/** Each user's k most popular items among those they may be recommended. */
export function popularityLists(
  order: readonly number[],
  exclude: readonly (readonly number[])[],
  k: number,
): number[][] {
  return exclude.map((seen) => {
    const s = new Set(seen);
    return order.filter((i) => !s.has(i)).slice(0, k);
  });
}

/** Share of the items in the lists that are also in the popularity lists. */
export function overlap(lists: readonly (readonly number[])[], popular: readonly (readonly number[])[]): number {
  let same = 0;
  let total = 0;
  lists.forEach((list, u) => {
    const p = new Set(popular[u]);
    for (const i of list) {
      total++;
      if (p.has(i)) same++;
    }
  });
  return total ? same / total : 0;
}

/**
 * What is wrong with the shape of `value` as `rows` top-k lists over item ids
 * `allowed`, never repeating an item of `seen[u]`; undefined when it is right.
 */
export function checkLists(
  value: unknown,
  rows: number,
  k: number,
  allowed: (item: number) => boolean,
  allowedText: string,
  seen?: readonly (readonly number[])[],
  who = 'user',
): string | undefined {
  if (!Array.isArray(value)) return `expected an array of ${rows} lists (one per ${who}), got ${typeof value}`;
  if (value.length !== rows) return `expected ${rows} lists (one per ${who}), got ${value.length}`;
  for (let u = 0; u < rows; u++) {
    const list: unknown = value[u];
    if (!Array.isArray(list) || list.length !== k) {
      return `the list for ${who} ${u} must hold exactly k = ${k} item ids, got ${Array.isArray(list) ? list.length : typeof list}`;
    }
    const distinct = new Set<number>();
    for (const item of list as unknown[]) {
      if (typeof item !== 'number' || !Number.isInteger(item) || !allowed(item)) {
        return `the list for ${who} ${u} holds ${JSON.stringify(item)}, which is not ${allowedText}`;
      }
      if (distinct.has(item)) return `the list for ${who} ${u} holds item ${item} twice`;
      distinct.add(item);
    }
    if (seen) {
      const s = new Set(seen[u]);
      const again = (list as number[]).find((i) => s.has(i));
      if (again !== undefined) {
        return (
          `the list for ${who} ${u} recommends item ${again}, which they already interacted with in the training data: ` +
          `score every item, then drop the ones in data.train[${u}] before taking the top ${k} (the held-out ` +
          `interactions are all with items the user has not touched in training)`
        );
      }
    }
  }
  return undefined;
}

export interface ImplicitData {
  users: number;
  items: number;
  /** The training interactions: the item ids each user touched, ascending. */
  train: number[][];
  k: number;
  seed: number;
}

interface ImplicitTag {
  heldOut: Set<number>[];
  popular: number[][];
}

/** The learner's world: training interactions; the held-out ones stay here. */
export function implicitSplit(seed: number): { data: ImplicitData; heldOut: Set<number>[] } {
  const world = makeInteractions(seed);
  const rng = createRng(deriveSeed(seed, 'implicit-holdout'));
  const train: number[][] = [];
  const heldOut: Set<number>[] = [];
  for (const items of world.byUser) {
    const shuffled = [...items];
    shuffleInPlace(shuffled, rng);
    const n = Math.max(2, Math.round(0.2 * items.length));
    heldOut.push(new Set(shuffled.slice(0, n)));
    train.push(shuffled.slice(n).sort((a, b) => a - b));
  }
  // The learner's seed is derived, never the world's: with it, the generator (public source) would rebuild the held-out clicks.
  return {
    data: { users: world.users, items: world.items, train, k: K, seed: oneWaySeed(seed, 'learner-init') },
    heldOut,
  };
}

/** Lists this close to the popularity lists are the popularity baseline, whatever the score. */
export const POPULARITY_OVERLAP = 0.9;

function implicitCase(seed: number): SuiteCase {
  const { data, heldOut } = implicitSplit(seed);
  const popular = popularityLists(popularityOrder(data.train, data.items), data.train, K);
  const tag: ImplicitTag = { heldOut, popular };
  return {
    fn: 'recommend',
    title: `top-${K} lists for ${data.users} users over ${data.items} items`,
    args: [data],
    tag,
    verify(value) {
      const problem = checkLists(
        value,
        data.users,
        K,
        (i) => i >= 0 && i < data.items,
        `an item id in 0..${data.items - 1}`,
        data.train,
      );
      if (problem) return problem;
      const share = overlap(value as number[][], popular);
      if (share >= POPULARITY_OVERLAP) {
        return (
          `${(100 * share).toFixed(0)}% of your recommendations are each user's most popular unseen items: that is ` +
          `the popularity baseline, the same list for everyone. Learn from each user's own interactions`
        );
      }
      return undefined;
    },
  };
}

function scoreOf(
  outcome: CaseOutcome | undefined,
): { recall: number; ndcg: number; popular: { recall: number; ndcg: number } } | undefined {
  if (!outcome) return undefined;
  const tag = outcome.case.tag as ImplicitTag;
  const popular = meanScores(tag.popular, tag.heldOut, K);
  if (!isLists(outcome.value)) return { recall: NaN, ndcg: NaN, popular };
  return { ...meanScores(outcome.value, tag.heldOut, K), popular };
}

export const suite: Suite = {
  id: 'recsys-implicit',
  exports: ['recommend'],
  cases: (seed) => [implicitCase(seed)],
  score(outcomes) {
    const s = scoreOf(outcomes[0]);
    return { recall_at_k: s?.recall ?? NaN, ndcg_at_k: s?.ndcg ?? NaN };
  },
  describe(outcomes) {
    const s = scoreOf(outcomes[0]);
    if (!s) return '';
    const yours = Number.isFinite(s.recall)
      ? `recall@${K} ${s.recall.toFixed(3)}, NDCG@${K} ${s.ndcg.toFixed(3)}`
      : 'not scored';
    return (
      `on the held-out interactions: yours ${yours}; ` +
      `the grader's popularity baseline recall@${K} ${s.popular.recall.toFixed(3)}, NDCG@${K} ${s.popular.ndcg.toFixed(3)}`
    );
  },
};
