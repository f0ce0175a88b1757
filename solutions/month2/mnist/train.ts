// Reference solution for month2/mnist: a 784-128-10 MLP and the training
// loop written out: shuffled mini-batches, the loss, a gradient step with
// Adam, ten epochs, validation accuracy after each.
import type { TrainContext, Predictor } from 'mlpath';
import type { Tensor, Tensor1D, Tensor2D, Scalar } from '@tensorflow/tfjs';

const EPOCHS = 10;
const BATCH_SIZE = 64;
const LEARNING_RATE = 0.001;

export default async function train(ctx: TrainContext): Promise<Predictor> {
  const { tf, data, seed } = ctx;
  const xTrain = data.xTrain as Tensor2D;
  const yTrain = data.yTrain as Tensor1D;
  const n = xTrain.shape[0];

  const model = tf.sequential();
  model.add(
    tf.layers.dense({
      inputShape: [784],
      units: 128,
      activation: 'relu',
      kernelInitializer: tf.initializers.heNormal({ seed }),
    }),
  );
  // Raw scores (logits): the loss applies the softmax itself, more stably.
  model.add(tf.layers.dense({ units: 10, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }));
  const optimizer = tf.train.adam(LEARNING_RATE);

  for (let epoch = 1; epoch <= EPOCHS; epoch++) {
    // A new order every epoch, so no two epochs see the same batches.
    const order = tf.util.createShuffledIndices(n);
    let lossSum = 0;
    let batches = 0;
    for (let start = 0; start < n; start += BATCH_SIZE) {
      const rows = tf.tensor1d(Int32Array.from(order.subarray(start, start + BATCH_SIZE)), 'int32');
      const loss = tf.tidy(() => {
        const xb = tf.gather(xTrain, rows);
        const yb = tf.oneHot(tf.gather(yTrain, rows), 10);
        // Forward, loss, backward and step: minimize does the last two.
        return optimizer.minimize(() => tf.losses.softmaxCrossEntropy(yb, model.apply(xb) as Tensor) as Scalar, true)!;
      });
      lossSum += (await loss.data())[0];
      batches++;
      tf.dispose([rows, loss]);
    }
    const valAccuracy =
      data.xVal && data.yVal ? accuracy(ctx, model.predict(data.xVal) as Tensor, data.yVal) : undefined;
    ctx.log({ epoch, loss: lossSum / batches, valAccuracy });
  }
  optimizer.dispose();
  return model;
}

function accuracy(ctx: TrainContext, scores: Tensor, labels: Tensor): number {
  const { tf } = ctx;
  const value = tf.tidy(() => tf.mean(tf.equal(tf.argMax(scores, -1), labels.toInt()).toFloat()).dataSync()[0]);
  scores.dispose();
  return value;
}
