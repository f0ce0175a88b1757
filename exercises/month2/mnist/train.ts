// month2/mnist: a real training loop on handwritten digits.
// Read README.md first. Check your work with:  mlpath check month2/mnist
import type { TrainContext, Predictor } from 'mlpath';

export default async function train(ctx: TrainContext): Promise<Predictor> {
  const { tf, data } = ctx;
  const { xTrain, yTrain } = data; // xTrain: [n, 784] pixels in 0..1, yTrain: [n] digits 0..9

  // 1. The model: a function from 784 pixels to 10 scores, one per digit.
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [784], units: 10, activation: 'softmax' }));

  // TODO 2. Compile it with an optimizer and a loss (hint: 'adam' and 'categoricalCrossentropy').
  // TODO 3. Turn the labels into one-hot rows: tf.oneHot(yTrain, 10).
  // TODO 4. Train: model.fit(...) for a few epochs, calling ctx.log({ epoch, loss }) after each.
  console.log(`starter: the model has ${model.countParams()} weights but has not been trained yet (see the TODOs in train.ts)`);
  void xTrain;
  void yTrain;

  // 5. Return something with predict(x): a trained model qualifies.
  return model;
}
