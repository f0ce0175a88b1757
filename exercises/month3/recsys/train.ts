// month3/recsys: recommendations by matrix factorisation.
// Read README.md first. Check your work with:  mlpath check month3/recsys
import type { Predictor, TrainContext } from 'mlpath';

export default async function train(ctx: TrainContext): Promise<Predictor> {
  const { tf, data } = ctx;
  const pairs = (await data.xTrain.array()) as number[][]; // [n, 2]: [user, item] ids, from 0
  const ratings = Array.from(await data.yTrain.data()); // [n]: 1..5 stars
  const users = Math.max(...pairs.map((p) => p[0])) + 1;
  const items = Math.max(...pairs.map((p) => p[1])) + 1;
  const mean = ratings.reduce((a, b) => a + b, 0) / ratings.length;
  console.log(
    `starter: ${ratings.length} ratings by ${users} users of ${items} items; predicting the mean rating ${mean.toFixed(2)} for everyone (see the TODOs in train.ts)`,
  );

  // TODO 1. Put the ratings in a [users, items] matrix, with a 0/1 mask of the observed cells.
  // TODO 2. Make the parameters with tf.variable: a bias per user ([users, 1]) and per item
  //         ([1, items]), and a factor vector per user ([users, rank]) and per item ([items, rank]),
  //         factors started small and random: tf.randomNormal(shape, 0, 0.1, 'float32', ctx.seed).
  // TODO 3. The model's guess for every cell: mean + userBias + itemBias + userFactors x itemFactors^T
  //         (tf.matMul(userFactors, itemFactors, false, true) is [users, items]).
  // TODO 4. Train with tf.train.adam(0.05): each step, optimizer.minimize(() => loss), where the loss is
  //         the squared error on observed cells only (multiply by the mask), divided by the number of
  //         ratings, plus a small L2 penalty on the factors. Call ctx.log({ epoch: step, loss, valRmse })
  //         now and then (the RMSE on ctx.data.xVal / yVal): the check watches the steps and the loss.
  // TODO 5. predict(x) gets [m, 2] (user, item) pairs: return [m] predicted ratings, computed inside
  //         predict() from the trained variables with tensor operations (the check zeroes them and
  //         expects the answers to move): tf.gather the cells u * items + i of the fitted matrix
  //         reshaped to [-1], or the pairs' rows of each variable. An id your model never saw in
  //         training should get the mean.

  return {
    predict(x) {
      return tf.fill([x.shape[0]], mean);
    },
  };
}
