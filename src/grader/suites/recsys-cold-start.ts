/**
 * Suite of month3/recsys-cold-start: recommending for users and items that
 * have no history at all, from their features.
 *
 * The grader draws a seeded world of interactions with side information
 * (datasets/synthetic/interactions.ts: genre tags per item, a sign-up form of
 * stated interests per user), then holds out 100 users and 60 items
 * entirely: none of their interactions reach the learner, only their
 * features. Two calls:
 * - recommendNewUsers(data): for each new user, k items (among the items with
 *   a history), scored against everything that user went on to touch;
 * - recommendNewItems(data): for each user with a history, the k new items
 *   they are most likely to touch, scored against what they touched.
 * recall_at_k and ndcg_at_k are the LOWER of the two calls' means, so both
 * kinds of cold start must work. Popularity has nothing to say about a new
 * item and a collaborative model has no vector for a new user or item: both
 * stay near the baselines the output prints, which the grader computes here.
 */
import { makeInteractions } from '../../datasets/synthetic/interactions';
import { createRng, deriveSeed, oneWaySeed, shuffleInPlace } from '../../datasets/rng';
import { checkLists, isLists, meanScores, overlap, popularityLists, popularityOrder } from './recsys-implicit';
import type { CaseOutcome, Suite, SuiteCase } from './types';

export const K = 10;
export const NEW_USERS = 100;
export const NEW_ITEMS = 60;

export interface ColdStartData {
  users: number;
  items: number;
  /** Training interactions per user id; empty for new users, and no new item ever appears. */
  train: number[][];
  /** Every user's sign-up form (new users too): stated interests, 0/1. */
  userFeatures: number[][];
  /** Every item's tags (new items too), 0/1. */
  itemFeatures: number[][];
  /** Users with no history, ascending. */
  newUsers: number[];
  /** Items with no history, ascending. */
  newItems: number[];
  /** Users with a history (everyone else), ascending. */
  warmUsers: number[];
  k: number;
  seed: number;
}

interface ColdTag {
  part: 'users' | 'items';
  relevant: Set<number>[];
  popular: number[][];
}

export function coldStartSplit(seed: number): {
  data: ColdStartData;
  newUserItems: Set<number>[];
  newItemUsers: Set<number>[];
} {
  const world = makeInteractions(seed, { users: 500 });
  const rng = createRng(deriveSeed(seed, 'cold-start'));
  const userIds = Array.from({ length: world.users }, (_, u) => u);
  const itemIds = Array.from({ length: world.items }, (_, i) => i);
  shuffleInPlace(userIds, rng);
  shuffleInPlace(itemIds, rng);
  const newUsers = userIds.slice(0, NEW_USERS).sort((a, b) => a - b);
  const newItems = itemIds.slice(0, NEW_ITEMS).sort((a, b) => a - b);
  const isNewUser = new Set(newUsers);
  const isNewItem = new Set(newItems);
  const warmUsers = userIds.filter((u) => !isNewUser.has(u)).sort((a, b) => a - b);
  const train = world.byUser.map((items, u) => (isNewUser.has(u) ? [] : items.filter((i) => !isNewItem.has(i))));
  // Held out: what each new user touched among the items with a history, what each warm user touched among the new items.
  const newUserItems = newUsers.map((u) => new Set(world.byUser[u].filter((i) => !isNewItem.has(i))));
  const newItemUsers = warmUsers.map((u) => new Set(world.byUser[u].filter((i) => isNewItem.has(i))));
  const data: ColdStartData = {
    users: world.users,
    items: world.items,
    train,
    userFeatures: world.userFeatures,
    itemFeatures: world.itemFeatures,
    newUsers,
    newItems,
    warmUsers,
    k: K,
    // Derived, never the world's seed: with that, the generator (public source) would rebuild the held-out interactions.
    seed: oneWaySeed(seed, 'learner-init'),
  };
  return { data, newUserItems, newItemUsers };
}

function coldCases(seed: number): SuiteCase[] {
  const { data, newUserItems, newItemUsers } = coldStartSplit(seed);
  const isNewItem = new Set(data.newItems);
  const warmOrder = popularityOrder(data.train, data.items).filter((i) => !isNewItem.has(i));
  const usersTag: ColdTag = {
    part: 'users',
    relevant: newUserItems,
    popular: popularityLists(
      warmOrder,
      data.newUsers.map(() => []),
      K,
    ),
  };
  // New items have no interactions: the best popularity can do is one fixed order (by id), the same for everyone.
  const itemsTag: ColdTag = {
    part: 'items',
    relevant: newItemUsers,
    popular: data.warmUsers.map(() => data.newItems.slice(0, K)),
  };
  return [
    {
      fn: 'recommendNewUsers',
      title: `top-${K} lists for ${data.newUsers.length} new users`,
      args: [data],
      tag: usersTag,
      verify(value) {
        const problem = checkLists(
          value,
          data.newUsers.length,
          K,
          (i) => i >= 0 && i < data.items && !isNewItem.has(i),
          'an item with a history (an id in 0..items-1 not in data.newItems)',
          undefined,
          'new user (index in data.newUsers)',
        );
        if (problem) return problem;
        const share = overlap(value as number[][], usersTag.popular);
        if (share >= 0.9) {
          return (
            `${(100 * share).toFixed(0)}% of your recommendations are the most popular items, the same list for every ` +
            `new user: that is the popularity baseline. Use what each new user's form says about them`
          );
        }
        return undefined;
      },
    },
    {
      fn: 'recommendNewItems',
      title: `top-${K} new items for ${data.warmUsers.length} users with a history`,
      args: [data],
      tag: itemsTag,
      verify(value) {
        const problem = checkLists(
          value,
          data.warmUsers.length,
          K,
          (i) => isNewItem.has(i),
          'a new item (an id in data.newItems)',
          undefined,
          'user (index in data.warmUsers)',
        );
        if (problem) return problem;
        const lists = value as number[][];
        const first = JSON.stringify(lists[0]);
        if (lists.every((l) => JSON.stringify(l) === first)) {
          return (
            'every user gets the same new items: with no interactions, a new item can only be placed by its tags. ' +
            "Compare each new item's tags with the tags of the items each user touched"
          );
        }
        return undefined;
      },
    },
  ];
}

interface PartScore {
  recall: number;
  ndcg: number;
  popular: { recall: number; ndcg: number };
}

function partScore(outcome: CaseOutcome | undefined): PartScore | undefined {
  if (!outcome) return undefined;
  const tag = outcome.case.tag as ColdTag;
  const popular = meanScores(tag.popular, tag.relevant, K);
  if (!isLists(outcome.value)) return { recall: NaN, ndcg: NaN, popular };
  return { ...meanScores(outcome.value, tag.relevant, K), popular };
}

function parts(outcomes: CaseOutcome[]): { users?: PartScore; items?: PartScore } {
  const find = (part: ColdTag['part']): CaseOutcome | undefined =>
    outcomes.find((o) => (o.case.tag as ColdTag).part === part);
  return { users: partScore(find('users')), items: partScore(find('items')) };
}

export const suite: Suite = {
  id: 'recsys-cold-start',
  exports: ['recommendNewUsers', 'recommendNewItems'],
  cases: (seed) => coldCases(seed),
  score(outcomes) {
    const { users, items } = parts(outcomes);
    if (!users || !items) return { recall_at_k: NaN, ndcg_at_k: NaN };
    return { recall_at_k: Math.min(users.recall, items.recall), ndcg_at_k: Math.min(users.ndcg, items.ndcg) };
  },
  describe(outcomes) {
    const { users, items } = parts(outcomes);
    const line = (what: string, p: PartScore | undefined, baseline: string): string => {
      if (!p) return `${what}: not run`;
      const yours = Number.isFinite(p.recall)
        ? `recall@${K} ${p.recall.toFixed(3)}, NDCG@${K} ${p.ndcg.toFixed(3)}`
        : 'not scored';
      return `${what}: yours ${yours}; ${baseline} recall@${K} ${p.popular.recall.toFixed(3)}, NDCG@${K} ${p.popular.ndcg.toFixed(3)}`;
    };
    return [
      'recall_at_k and ndcg_at_k are the lower of the two parts:',
      line('new users', users, 'the popularity baseline'),
      line('new items', items, 'one fixed order for everyone'),
    ].join('\n');
  },
};
