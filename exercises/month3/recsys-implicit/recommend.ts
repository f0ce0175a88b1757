// month3/recsys-implicit: recommendations from clicks, not ratings.
// Read README.md first. Check your work with:  mlpath check month3/recsys-implicit
//
// The starter recommends each user the most popular items they have not
// touched yet: the baseline. It runs, and the check fails it, because
// everyone gets (nearly) the same list. Replace it with a model of each
// user's own taste, learnt from the interactions alone.
import * as tf from '@tensorflow/tfjs';

export interface ImplicitData {
  /** Users are 0..users-1, items 0..items-1. */
  users: number;
  items: number;
  /** The training interactions: train[u] lists the item ids user u touched, ascending. */
  train: number[][];
  /** How many items to recommend per user. */
  k: number;
  /** A seed for your random initialisation, so the same code gives the same lists. */
  seed: number;
}

/** For every user u (in order), k distinct items they have NOT touched in train[u], best first. */
export function recommend(data: ImplicitData): number[][] {
  const { users, items, train, k } = data;
  void tf;
  void users;

  // TODO 1: a dense [users, items] matrix of 0s with a 1 where a user touched an item
  //   (a Float32Array of users * items, index u * items + i, then tf.tensor2d).
  // TODO 2: user and item factor matrices (tf.variable of tf.randomNormal, [users, rank] and
  //   [items, rank], a rank around 16) whose product predicts that matrix. Every cell counts:
  //   a touched cell should come out near 1, an untouched one near 0, and a touched cell weighs
  //   more in the loss than an untouched one (untouched is weak evidence: maybe never seen).
  // TODO 3: minimise the weighted squared error plus a small L2 penalty on the factors with
  //   tf.train.adam for a hundred or so steps.
  // TODO 4: score every item for every user, drop the items in train[u], keep the top k.

  // The baseline: count each item's interactions and give everyone the most popular unseen ones.
  const counts = new Array<number>(items).fill(0);
  for (const list of train) for (const i of list) counts[i]++;
  const byPopularity = Array.from({ length: items }, (_, i) => i).sort((a, b) => counts[b] - counts[a] || a - b);
  return train.map((seen) => {
    const skip = new Set(seen);
    return byPopularity.filter((i) => !skip.has(i)).slice(0, k);
  });
}
