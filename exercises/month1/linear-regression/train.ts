// month1/linear-regression: linear regression from scratch, gradient by hand.
// Read README.md first. Check your work with:  mlpath check month1/linear-regression
//
// Off limits here: tf.layers, tf.train (optimizers) and autograd (tf.grad and
// friends). Everything below is tensor arithmetic you write yourself.
import type { TrainContext, Predictor } from 'mlpath';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs';

const STEPS = 500;
const LEARNING_RATE = 0.01;

export default async function train(ctx: TrainContext): Promise<Predictor> {
  const { tf, data } = ctx;
  const x = data.xTrain as Tensor2D; // [n, 13] features of each census tract
  const y = data.yTrain.reshape([-1, 1]); // [n, 1] median home value, in $1000s
  const [n, d] = x.shape;

  // TODO 1. Standardise: compute each column's mean and standard deviation on
  // the training data (tf.moments(x, 0)), and scale every input the same way,
  // including the held-out inputs predict() receives later.
  const scale = (input: Tensor): Tensor => input;
  const xs = scale(x);

  // The model: prediction = xs w + b, with one weight per feature and a bias.
  const w = tf.variable(tf.zeros([d, 1]));
  const b = tf.variable(tf.zeros([1]));

  for (let step = 1; step <= STEPS; step++) {
    const loss = tf.tidy(() => {
      const predictions = tf.add(tf.matMul(xs, w), b); // [n, 1]
      const residual = tf.sub(predictions, y); // [n, 1]
      // TODO 2. The gradient of the loss mean(residual^2), derived by hand:
      // with respect to w it is a [d, 1] tensor, with respect to b a scalar.
      const gradW = tf.zerosLike(w);
      const gradB = tf.scalar(0);
      // 3. The step: move each parameter a little against its gradient.
      w.assign(tf.sub(w, tf.mul(gradW, LEARNING_RATE)));
      b.assign(tf.sub(b, tf.mul(gradB, LEARNING_RATE)));
      return tf.mean(tf.square(residual));
    });
    if (step % 50 === 0 || step === 1) ctx.log({ epoch: step, loss: (await loss.data())[0] });
    loss.dispose();
  }
  void n;

  // Predictions for new rows: scale them like the training rows, then xs w + b.
  return {
    predict: (input) => tf.tidy(() => tf.reshape(tf.add(tf.matMul(scale(input), w), b), [-1])),
  };
}
