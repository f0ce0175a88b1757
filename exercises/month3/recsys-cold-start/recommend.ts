// month3/recsys-cold-start: recommendations for users and items with no history.
// Read README.md first. Check your work with:  mlpath check month3/recsys-cold-start
//
// The starter does what a collaborative model can do for them: nothing
// personal. New users get the most popular items, and new items come in one
// fixed order for everyone. It runs, and the check fails it. Replace both
// with recommendations built from the features.

export interface ColdStartData {
  /** Users are 0..users-1, items 0..items-1. */
  users: number;
  items: number;
  /** train[u]: the items user u touched, ascending; [] for a new user, and no new item ever appears. */
  train: number[][];
  /** userFeatures[u]: user u's sign-up form (stated interests), 0/1, for every user, new ones too. */
  userFeatures: number[][];
  /** itemFeatures[i]: item i's tags, 0/1, for every item, new ones too. */
  itemFeatures: number[][];
  /** The users with no history, ascending. */
  newUsers: number[];
  /** The items with no history, ascending. */
  newItems: number[];
  /** The users with a history (everyone else), ascending. */
  warmUsers: number[];
  /** How many items per list. */
  k: number;
  seed: number;
}

/** For each newUsers[j] (in order): k distinct items with a history (not in newItems), best first. */
export function recommendNewUsers(data: ColdStartData): number[][] {
  const { items, train, newUsers, newItems, k } = data;
  // TODO: a new user has a form but no interactions. Find the users with a history whose forms
  //   are most like theirs (cosine similarity of the 0/1 vectors), and score each item by how
  //   many of those neighbours touched it, weighted by similarity.
  const isNew = new Set(newItems);
  const counts = new Array<number>(items).fill(0);
  for (const list of train) for (const i of list) counts[i]++;
  const byPopularity = Array.from({ length: items }, (_, i) => i)
    .filter((i) => !isNew.has(i))
    .sort((a, b) => counts[b] - counts[a] || a - b);
  return newUsers.map(() => byPopularity.slice(0, k));
}

/** For each warmUsers[j] (in order): the k new items (from newItems) they are most likely to touch, best first. */
export function recommendNewItems(data: ColdStartData): number[][] {
  const { newItems, warmUsers, k } = data;
  // TODO: a new item has tags but no interactions. Describe each user by the tags of the items
  //   they touched (a taste profile), then rank the new items by how well their tags match it.
  return warmUsers.map(() => newItems.slice(0, k));
}
