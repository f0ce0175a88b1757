// Reference solution for month2/evaluation: a seeded, stratified, leak-free
// train / val / test split, and model selection on validation rows only.

export interface SplitOptions {
  seed: number;
  test: number;
  val: number;
}

export interface Split {
  train: number[];
  val: number[];
  test: number[];
}

export interface Candidate {
  name: string;
  predictions: number[];
}

export interface Selection {
  chosen: string;
  valScores: number[];
  testScore: number;
}

/** mulberry32: a seeded generator of floats in [0, 1). Same seed, same numbers, on every machine. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/**
 * Rows that must stay together, as lists of row indices: identical rows, and
 * rows of one group. Union-find, so the two relations chain: a row repeated in
 * two groups ties those groups together.
 */
function blocksOf(rows: number[][], groups: number[] | null): number[][] {
  const parent = rows.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  const join = (a: number, b: number): void => {
    parent[find(b)] = find(a);
  };
  const firstRow = new Map<string, number>();
  const firstOfGroup = new Map<number, number>();
  rows.forEach((row, i) => {
    const key = JSON.stringify(row);
    if (firstRow.has(key)) join(firstRow.get(key)!, i);
    else firstRow.set(key, i);
    if (groups) {
      if (firstOfGroup.has(groups[i])) join(firstOfGroup.get(groups[i])!, i);
      else firstOfGroup.set(groups[i], i);
    }
  });
  const blocks = new Map<number, number[]>();
  rows.forEach((_, i) => {
    const root = find(i);
    if (!blocks.has(root)) blocks.set(root, []);
    blocks.get(root)!.push(i);
  });
  return [...blocks.values()];
}

export function split(rows: number[][], labels: number[], groups: number[] | null, opts: SplitOptions): Split {
  const random = mulberry32(opts.seed);
  // Stratify blocks by the label of their first row, classes in a fixed order.
  const byClass = new Map<number, number[][]>();
  for (const block of blocksOf(rows, groups)) {
    const y = labels[block[0]];
    if (!byClass.has(y)) byClass.set(y, []);
    byClass.get(y)!.push(block);
  }
  const out: Split = { train: [], val: [], test: [] };
  for (const y of [...byClass.keys()].sort((a, b) => a - b)) {
    const blocks = shuffle(byClass.get(y)!, random);
    const size = blocks.reduce((sum, b) => sum + b.length, 0);
    const testQuota = Math.round(size * opts.test);
    const valQuota = Math.round(size * opts.val);
    let inTest = 0;
    let inVal = 0;
    for (const block of blocks) {
      if (inTest < testQuota) {
        out.test.push(...block);
        inTest += block.length;
      } else if (inVal < valQuota) {
        out.val.push(...block);
        inVal += block.length;
      } else {
        out.train.push(...block);
      }
    }
  }
  return out;
}

function accuracy(predictions: number[], labels: number[], rows: number[]): number {
  let right = 0;
  for (const i of rows) if (predictions[i] === labels[i]) right++;
  return right / rows.length;
}

export function selectModel(candidates: Candidate[], labels: number[], split: Split): Selection {
  // Only validation rows decide. Strict > keeps the first listed on a tie.
  const valScores = candidates.map((c) => accuracy(c.predictions, labels, split.val));
  let best = 0;
  for (let i = 1; i < candidates.length; i++) if (valScores[i] > valScores[best]) best = i;
  // The test rows are looked at once, for the model already chosen.
  return {
    chosen: candidates[best].name,
    valScores,
    testScore: accuracy(candidates[best].predictions, labels, split.test),
  };
}
