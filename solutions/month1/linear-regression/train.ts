// Reference solution for month1/linear-regression: standardised features and
// full-batch gradient descent on the mean squared error, gradient by hand.
import type { TrainContext, Predictor } from 'mlpath';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs';

const STEPS = 2000;
const LEARNING_RATE = 0.1;

export default async function train(ctx: TrainContext): Promise<Predictor> {
  const { tf, data } = ctx;
  const x = data.xTrain as Tensor2D;
  const y = data.yTrain.reshape([-1, 1]);
  const [n, d] = x.shape;

  const { mean, variance } = tf.moments(x, 0);
  // A constant column would divide by zero; leave it unscaled instead.
  const std = tf.tidy(() => {
    const s = tf.sqrt(variance);
    return tf.where(tf.greater(s, 0), s, tf.onesLike(s));
  });
  const scale = (input: Tensor): Tensor => tf.div(tf.sub(input, mean), std);
  const xs = scale(x);

  const w = tf.variable(tf.zeros([d, 1]));
  const b = tf.variable(tf.zeros([1]));
  for (let step = 1; step <= STEPS; step++) {
    const loss = tf.tidy(() => {
      const residual = tf.sub(tf.add(tf.matMul(xs, w), b), y);
      // d/dw mean(r^2) = (2/n) X^T r and d/db mean(r^2) = 2 mean(r).
      const gradW = tf.mul(tf.matMul(xs, residual, true, false), 2 / n);
      const gradB = tf.mul(tf.mean(residual), 2);
      w.assign(tf.sub(w, tf.mul(gradW, LEARNING_RATE)));
      b.assign(tf.sub(b, tf.mul(gradB, LEARNING_RATE)));
      return tf.mean(tf.square(residual));
    });
    if (step % 100 === 0 || step === 1) ctx.log({ epoch: step, loss: (await loss.data())[0] });
    loss.dispose();
  }
  xs.dispose();

  return {
    predict: (input) => tf.tidy(() => tf.reshape(tf.add(tf.matMul(scale(input), w), b), [-1])),
  };
}
