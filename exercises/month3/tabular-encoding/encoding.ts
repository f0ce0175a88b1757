// month3/tabular-encoding: turn a mixed-type table into numbers a model can
// learn from, without letting the target leak into them.
// Read README.md first. Check your work with:  mlpath check month3/tabular-encoding
//
// The starter keeps the number columns and drops every category: it runs,
// and the check says which lesson each failing case is about.

/** A worker: numbers (education, experience, age, south, married, union) and strings (gender, race, job). */
export type Row = Record<string, number | string>;

export const NUMBERS = ['education', 'experience', 'age', 'south', 'married', 'union'];

/** Given: a seeded generator of floats in [0, 1). Draw your folds from it, never from Math.random. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * TODO 2. The rows a model is FITTED on: one array of numbers per training
 * row. gender and race one-hot (a column per level the training rows have);
 * job by the mean log wage of its training rows, shrunk towards the overall
 * mean, computed OUT OF FOLD: split the rows into 5 folds with
 * mulberry32(seed), and encode the rows of each fold from the other four
 * folds only (their job means and their prior). A row's columns must not
 * change when only its own log wage does.
 */
export function encodeTraining(rows: Row[], logWage: number[], seed: number): number[][] {
  void logWage;
  void seed;
  return rows.map((r) => NUMBERS.map((c) => Number(r[c])));
}

/**
 * TODO 1. The rows a model PREDICTS for (rows never seen in training; their
 * wages are not given). Learn everything from trainRows and trainLogWage
 * alone: the one-hot levels, each job's smoothed mean, the prior. Encode
 * each row on its own: mlpath sends rows alone, in random subsets and mixed
 * with training rows, and a row must get the same columns every time. A
 * level no training row has gets all zeros (one-hot) or the prior (job).
 * Same columns, same order as encodeTraining.
 */
export function encodeNew(trainRows: Row[], trainLogWage: number[], rows: Row[]): number[][] {
  void trainRows;
  void trainLogWage;
  return rows.map((r) => NUMBERS.map((c) => Number(r[c])));
}
