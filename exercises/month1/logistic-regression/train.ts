// month1/logistic-regression: logistic regression from scratch, gradient by hand.
// Read README.md first. Check your work with:  mlpath check month1/logistic-regression
//
// Off limits here: tf.layers, tf.train (optimizers) and autograd (tf.grad and
// friends). Everything below is tensor arithmetic you write yourself.
import type { TrainContext, Predictor } from 'mlpath';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs';

const STEPS = 1000;
const LEARNING_RATE = 0.5;

export default async function train(ctx: TrainContext): Promise<Predictor> {
  const { tf, data } = ctx;
  const x = data.xTrain as Tensor2D; // [n, 13] features of census tracts
  const y = data.yTrain.toFloat().reshape([-1, 1]); // [n, 1] labels: 1 when the tract's home value is above the median
  const [n, d] = x.shape;

  // 1. Standardise with the training columns' mean and std (as in linear regression):
  // the columns range from 0/1 (chas) to hundreds (tax), and gradient descent
  // with one learning rate needs them on one scale.
  const { mean, variance } = tf.moments(x, 0);
  const std = tf.sqrt(variance);
  const scale = (input: Tensor): Tensor => tf.div(tf.sub(input, mean), std);
  const xs = scale(x);

  // TODO 2. The sigmoid squashes any score z into a probability in (0, 1):
  // sigmoid(z) = 1 / (1 + exp(-z)). This placeholder is not it.
  const sigmoid = (z: Tensor): Tensor => tf.mul(z, 0);

  const w = tf.variable(tf.zeros([d, 1]));
  const b = tf.variable(tf.zeros([1]));
  for (let step = 1; step <= STEPS; step++) {
    const loss = tf.tidy(() => {
      const p = sigmoid(tf.add(tf.matMul(xs, w), b)); // [n, 1] probability of class 1
      // TODO 3. The gradient of the mean binary cross-entropy, by hand. Hint:
      // per row, the derivative of the loss with respect to the score z is p - y.
      const gradW = tf.zerosLike(w);
      const gradB = tf.scalar(0);
      w.assign(tf.sub(w, tf.mul(gradW, LEARNING_RATE)));
      b.assign(tf.sub(b, tf.mul(gradB, LEARNING_RATE)));
      // TODO 4. Report the real loss: -mean(y log p + (1 - y) log(1 - p)).
      return tf.scalar(0);
    });
    if (step % 50 === 0 || step === 1) ctx.log({ epoch: step, loss: (await loss.data())[0] });
    loss.dispose();
  }
  void n;

  // predict() returns the probability of class 1 for each row: shape [rows].
  return {
    predict: (input) => tf.tidy(() => tf.reshape(sigmoid(tf.add(tf.matMul(scale(input), w), b)), [-1])),
  };
}
