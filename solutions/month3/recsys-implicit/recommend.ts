// Reference solution for month3/recsys-implicit: weighted matrix factorisation
// for implicit feedback (Hu, Koren and Volinsky 2008). Every cell of the
// users x items matrix is a target: 1 where the user interacted, 0 where they
// did not; an observed 1 weighs ALPHA times more than an unobserved 0, since
// "not clicked" is weak evidence (unseen, not disliked). Fit by full-batch
// Adam on the dense matrix, then rank every item the user has not touched.
import * as tf from '@tensorflow/tfjs';

const RANK = 16;
const ALPHA = 8;
const L2 = 0.05;
const STEPS = 150;
const LEARNING_RATE = 0.05;

export interface ImplicitData {
  users: number;
  items: number;
  train: number[][];
  k: number;
  seed: number;
}

export function recommend(data: ImplicitData): number[][] {
  const { users, items, train, k, seed } = data;
  const cells = new Float32Array(users * items);
  train.forEach((list, u) => list.forEach((i) => (cells[u * items + i] = 1)));
  const scores = tf.tidy(() => {
    const target = tf.tensor2d(cells, [users, items]);
    const weight = tf.add(1, tf.mul(ALPHA, target));
    const userFactors = tf.variable(tf.randomNormal([users, RANK], 0, 0.1, 'float32', seed));
    const itemFactors = tf.variable(tf.randomNormal([items, RANK], 0, 0.1, 'float32', seed + 1));
    const opt = tf.train.adam(LEARNING_RATE);
    const count = users * items;
    for (let step = 0; step < STEPS; step++) {
      opt.minimize(() => {
        const predicted = tf.matMul(userFactors, itemFactors, false, true);
        const fit = tf.sum(tf.mul(weight, tf.square(tf.sub(target, predicted))));
        const penalty = tf.mul(L2, tf.add(tf.sum(tf.square(userFactors)), tf.sum(tf.square(itemFactors))));
        return tf.div(tf.add(fit, penalty), count) as tf.Scalar;
      });
    }
    const out = tf.matMul(userFactors, itemFactors, false, true);
    opt.dispose();
    userFactors.dispose();
    itemFactors.dispose();
    return out;
  });
  const all = scores.dataSync();
  scores.dispose();
  return train.map((seen, u) => {
    const skip = new Set(seen);
    const candidates: number[] = [];
    for (let i = 0; i < items; i++) if (!skip.has(i)) candidates.push(i);
    candidates.sort((a, b) => all[u * items + b] - all[u * items + a] || a - b);
    return candidates.slice(0, k);
  });
}
