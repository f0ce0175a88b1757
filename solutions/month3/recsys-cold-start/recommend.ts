// Reference solution for month3/recsys-cold-start: content-based and hybrid
// recommendations for users and items with no history.
// - A new user: find the users with a history whose sign-up forms are most
//   like theirs (cosine similarity), and recommend what those neighbours
//   touched, each neighbour's items weighted by how similar they are.
// - A new item: describe each user by the tags of the items they touched
//   (a taste profile, tags weighted by how rare they are), and rank the new
//   items by the cosine between their tags and the profile.

export interface ColdStartData {
  users: number;
  items: number;
  train: number[][];
  userFeatures: number[][];
  itemFeatures: number[][];
  newUsers: number[];
  newItems: number[];
  warmUsers: number[];
  k: number;
  seed: number;
}

const NEIGHBOURS = 40;

function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let j = 0; j < a.length; j++) {
    dot += a[j] * b[j];
    na += a[j] * a[j];
    nb += b[j] * b[j];
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

function topK(scores: ArrayLike<number>, candidates: readonly number[], k: number): number[] {
  return [...candidates].sort((a, b) => scores[b] - scores[a] || a - b).slice(0, k);
}

export function recommendNewUsers(data: ColdStartData): number[][] {
  const { items, train, userFeatures, newUsers, newItems, warmUsers, k } = data;
  const isNew = new Set(newItems);
  const candidates = Array.from({ length: items }, (_, i) => i).filter((i) => !isNew.has(i));
  return newUsers.map((u) => {
    const neighbours = warmUsers
      .map((w) => ({ w, sim: cosine(userFeatures[u], userFeatures[w]) }))
      .sort((a, b) => b.sim - a.sim || a.w - b.w)
      .slice(0, NEIGHBOURS);
    const scores = new Float64Array(items);
    for (const { w, sim } of neighbours) for (const i of train[w]) scores[i] += sim;
    return topK(scores, candidates, k);
  });
}

export function recommendNewItems(data: ColdStartData): number[][] {
  const { train, itemFeatures, newItems, warmUsers, k } = data;
  const tags = itemFeatures[0].length;
  // Rare tags say more about a taste than common ones (inverse document frequency).
  const df = new Array<number>(tags).fill(0);
  for (const f of itemFeatures) f.forEach((x, t) => (df[t] += x));
  const idf = df.map((d) => Math.log((itemFeatures.length + 1) / (d + 1)));
  const weighted = itemFeatures.map((f) => f.map((x, t) => x * idf[t]));
  return warmUsers.map((u) => {
    const profile = new Array<number>(tags).fill(0);
    for (const i of train[u]) weighted[i].forEach((x, t) => (profile[t] += x));
    const scores: Record<number, number> = {};
    for (const i of newItems) scores[i] = cosine(profile, weighted[i]);
    return topK(scores as unknown as ArrayLike<number>, newItems, k);
  });
}
