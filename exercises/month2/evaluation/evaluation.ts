// month2/evaluation: honest train / validation / test evaluation.
// Read README.md first. Check your work with:  mlpath check month2/evaluation

export interface SplitOptions {
  /** Seed of the shuffle: the same seed must give the same split. */
  seed: number;
  /** Fraction of rows for the test part, e.g. 0.2. */
  test: number;
  /** Fraction of rows for the validation part, e.g. 0.2. The rest is train. */
  val: number;
}

/** Row indices (0-based positions in `rows`) of each part. */
export interface Split {
  train: number[];
  val: number[];
  test: number[];
}

/** A trained model, given as its prediction (a class id) for every row. */
export interface Candidate {
  name: string;
  predictions: number[];
}

export interface Selection {
  /** Name of the chosen candidate. */
  chosen: string;
  /** Validation accuracy of every candidate, in the order given. */
  valScores: number[];
  /** Test accuracy of the chosen candidate only. */
  testScore: number;
}

/** mulberry32: a seeded generator of floats in [0, 1). Same seed, same numbers; use it instead of Math.random. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher-Yates: shuffles `items` in place with `random` and returns it. */
function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

export function split(rows: number[][], labels: number[], groups: number[] | null, opts: SplitOptions): Split {
  const random = mulberry32(opts.seed);
  // TODO 1. Blocks: gather the rows that must stay together. Identical rows
  //         (compare JSON.stringify(row)) form one block, all rows of a group
  //         form one block, and a row in two blocks merges them.
  // TODO 2. Stratify: sort the blocks by the class of their first row.
  // TODO 3. For each class: shuffle its blocks with `random`, then deal them
  //         out: to test until it holds round(rows of the class * opts.test),
  //         then to val the same way with opts.val, the rest to train.
  // For now every row goes to train: no validation, no test, nothing honest to report.
  return { train: rows.map((_, i) => i), val: [], test: [] };
}

export function selectModel(candidates: Candidate[], labels: number[], split: Split): Selection {
  // TODO 1. valScores: each candidate's accuracy on the rows of split.val only.
  // TODO 2. chosen: the best valScore; on a tie, the candidate listed first.
  // TODO 3. testScore: the chosen candidate's accuracy on split.test, computed once, after choosing.
  return { chosen: candidates[0].name, valScores: candidates.map(() => 0), testScore: 0 };
}
