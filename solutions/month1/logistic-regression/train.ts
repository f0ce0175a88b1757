// Reference solution for month1/logistic-regression: standardised features,
// a sigmoid of a linear score, and full-batch gradient descent on the binary
// cross-entropy with the gradient derived by hand.
import type { TrainContext, Predictor } from 'mlpath';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs';

// About 1,000 steps reach the exact (Newton) fit's training loss on these standardised features.
const STEPS = 1000;
const LEARNING_RATE = 0.5;

export default async function train(ctx: TrainContext): Promise<Predictor> {
  const { tf, data } = ctx;
  const x = data.xTrain as Tensor2D;
  const y = data.yTrain.toFloat().reshape([-1, 1]);
  const [n, d] = x.shape;

  const { mean, variance } = tf.moments(x, 0);
  const std = tf.tidy(() => {
    const s = tf.sqrt(variance);
    return tf.where(tf.greater(s, 0), s, tf.onesLike(s));
  });
  const scale = (input: Tensor): Tensor => tf.div(tf.sub(input, mean), std);
  const xs = scale(x);
  const sigmoid = (z: Tensor): Tensor => tf.div(1, tf.add(1, tf.exp(tf.neg(z))));

  const w = tf.variable(tf.zeros([d, 1]));
  const b = tf.variable(tf.zeros([1]));
  for (let step = 1; step <= STEPS; step++) {
    const loss = tf.tidy(() => {
      const p = sigmoid(tf.add(tf.matMul(xs, w), b));
      // For the mean binary cross-entropy, d/dz = p - y per row, so
      // d/dw = X^T (p - y) / n and d/db = mean(p - y).
      const error = tf.sub(p, y);
      const gradW = tf.div(tf.matMul(xs, error, true, false), n);
      const gradB = tf.mean(error);
      w.assign(tf.sub(w, tf.mul(gradW, LEARNING_RATE)));
      b.assign(tf.sub(b, tf.mul(gradB, LEARNING_RATE)));
      const clipped = tf.clipByValue(p, 1e-7, 1 - 1e-7);
      return tf.neg(tf.mean(tf.add(tf.mul(y, tf.log(clipped)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, clipped))))));
    });
    if (step % 50 === 0 || step === 1) ctx.log({ epoch: step, loss: (await loss.data())[0] });
    loss.dispose();
  }
  xs.dispose();

  return {
    predict: (input) => tf.tidy(() => tf.reshape(sigmoid(tf.add(tf.matMul(scale(input), w), b)), [-1])),
  };
}
