// month2/mnist: a real training loop on handwritten digits.
// Read README.md first. Check your work with:  mlpath check month2/mnist
//
// model.fit is off limits here: the loop below is the lesson. The model and
// the optimizer are ready; the TODOs are the batches, the step and validation.
import type { TrainContext, Predictor } from 'mlpath';
import type { Tensor1D, Tensor2D } from '@tensorflow/tfjs';

const EPOCHS = 10;
const BATCH_SIZE = 64;

export default async function train(ctx: TrainContext): Promise<Predictor> {
  const { tf, data, seed } = ctx;
  const xTrain = data.xTrain as Tensor2D; // [n, 784] pixels in 0..1
  const yTrain = data.yTrain as Tensor1D; // [n] digits 0..9
  const n = xTrain.shape[0];

  // 1. The model: 784 pixels -> 128 hidden units -> 10 scores (logits), one per digit.
  const model = tf.sequential();
  model.add(
    tf.layers.dense({
      inputShape: [784],
      units: 128,
      activation: 'relu',
      kernelInitializer: tf.initializers.heNormal({ seed }),
    }),
  );
  model.add(tf.layers.dense({ units: 10, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }));
  // 2. The optimizer turns each batch's gradients into a step on every weight.
  const optimizer = tf.train.adam(0.001);
  const firstLayerWeights = (): number => tf.tidy(() => tf.sum(tf.abs(model.getWeights()[0])).dataSync()[0]);
  const untrained = firstLayerWeights();

  for (let epoch = 1; epoch <= EPOCHS; epoch++) {
    // TODO 3. A new order of the n rows every epoch: tf.util.createShuffledIndices(n).
    let lossSum = 0;
    let batches = 0;
    for (let start = 0; start < n; start += BATCH_SIZE) {
      // TODO 4. The batch: the next BATCH_SIZE rows of that order, as an int32 tensor of
      //         row numbers; tf.gather(xTrain, rows) and tf.oneHot(tf.gather(yTrain, rows), 10).
      // TODO 5. Forward, loss, backward and step in one call, inside tf.tidy:
      //         optimizer.minimize(() => tf.losses.softmaxCrossEntropy(yBatch, model.apply(xBatch)), true)
      //         returns the batch's loss: add (await loss.data())[0] to lossSum, and dispose it.
      batches++;
    }
    // TODO 6. Validation: the accuracy of model.predict(data.xVal) on data.yVal, logged as valAccuracy.
    ctx.log({ epoch, loss: lossSum / batches });
  }
  if (firstLayerWeights() === untrained) {
    console.log(
      `starter: the model has ${model.countParams()} weights but has not been trained yet (see the TODOs in train.ts)`,
    );
  }
  void [xTrain, yTrain, optimizer]; // used once the TODOs are done

  // 7. A tf.LayersModel is a valid predictor: predict(x) gives [n, 10] scores.
  return model;
}
