// Reference solution for month3/recsys: matrix factorisation with biases,
//   rating(u, i) = mean + userBias[u] + itemBias[i] + userFactors[u] . itemFactors[i],
// fit on the observed cells of the dense users x items matrix with Adam,
// squared error plus an L2 penalty on the factors.
import type { Predictor, Tensor, TrainContext } from 'mlpath';

const RANK = 3;
const STEPS = 400;
const LEARNING_RATE = 0.05;
const L2 = 0.05;

export default async function train(ctx: TrainContext): Promise<Predictor> {
  const { tf, data, seed } = ctx;
  const pairs = (await data.xTrain.array()) as number[][];
  const ratings = Array.from(await data.yTrain.data());
  const users = Math.max(...pairs.map((p) => p[0])) + 1;
  const items = Math.max(...pairs.map((p) => p[1])) + 1;

  // The ratings as a matrix, and a mask of the cells that were observed.
  const matrix = new Float32Array(users * items);
  const observed = new Float32Array(users * items);
  pairs.forEach(([u, i], r) => {
    matrix[u * items + i] = ratings[r];
    observed[u * items + i] = 1;
  });
  const target = tf.tensor2d(matrix, [users, items]);
  const mask = tf.tensor2d(observed, [users, items]);
  const count = pairs.length;
  const mean = ratings.reduce((a, b) => a + b, 0) / count;

  const userFactors = tf.variable(tf.randomNormal([users, RANK], 0, 0.1, 'float32', seed));
  const itemFactors = tf.variable(tf.randomNormal([items, RANK], 0, 0.1, 'float32', seed + 1));
  const userBias = tf.variable(tf.zeros([users, 1]));
  const itemBias = tf.variable(tf.zeros([1, items]));
  // The mean is added as a scalar: it broadcasts, and no [users, items] table of it is made.
  const predictAll = (): Tensor =>
    tf.add(tf.add(tf.matMul(userFactors, itemFactors, false, true), tf.add(userBias, itemBias)), mean);

  const valPairs = data.xVal ? ((await data.xVal.array()) as number[][]) : [];
  const valRatings = data.yVal ? await data.yVal.data() : new Float32Array(0);
  const optimizer = tf.train.adam(LEARNING_RATE);
  for (let step = 1; step <= STEPS; step++) {
    const loss = optimizer.minimize(() => {
      const squared = tf.sum(tf.mul(mask, tf.square(tf.sub(predictAll(), target))));
      const penalty = tf.add(tf.sum(tf.square(userFactors)), tf.sum(tf.square(itemFactors)));
      return tf.div(tf.add(squared, tf.mul(L2, penalty)), count) as ReturnType<typeof tf.scalar>;
    }, true)!;
    if (step % 25 === 0) {
      const all = tf.tidy(predictAll).dataSync();
      let sum = 0;
      valPairs.forEach(([u, i], r) => {
        const p = u < users && i < items ? all[u * items + i] : mean;
        sum += (p - valRatings[r]) ** 2;
      });
      ctx.log({
        epoch: step,
        loss: loss.dataSync()[0],
        valRmse: valPairs.length ? Math.sqrt(sum / valPairs.length) : undefined,
      });
    }
    loss.dispose();
  }

  target.dispose();
  mask.dispose();
  optimizer.dispose();
  return {
    // The answers are computed from the trained vectors with tensor operations, row by row: each pair's user
    // and item rows are gathered and their dot product taken, so the grader can see they come from the factors.
    predict(x) {
      return tf.tidy(() => {
        const ids = x.toInt();
        const u = ids.slice([0, 0], [-1, 1]).reshape([-1]);
        const i = ids.slice([0, 1], [-1, 1]).reshape([-1]);
        // A user or item never seen in training gets the mean rating: its row is clipped into range and masked out.
        const known = tf.logicalAnd(tf.less(u, users), tf.less(i, items)).toFloat();
        const uu = tf.minimum(u, tf.scalar(users - 1, 'int32'));
        const ii = tf.minimum(i, tf.scalar(items - 1, 'int32'));
        const dot = tf.sum(tf.mul(tf.gather(userFactors, uu), tf.gather(itemFactors, ii)), 1);
        const biases = tf.add(tf.gather(userBias.reshape([-1]), uu), tf.gather(itemBias.reshape([-1]), ii));
        return tf.add(tf.mul(known, tf.add(dot, biases)), mean);
      });
    },
  };
}
