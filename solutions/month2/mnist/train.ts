// Reference solution for month2/mnist: a 784-128-10 MLP trained with Adam.
import type { TrainContext, Predictor } from 'mlpath';

export default async function train(ctx: TrainContext): Promise<Predictor> {
  const { tf, data, seed } = ctx;
  const model = tf.sequential();
  model.add(tf.layers.dense({
    inputShape: [784], units: 128, activation: 'relu',
    kernelInitializer: tf.initializers.heNormal({ seed }),
  }));
  model.add(tf.layers.dense({
    units: 10, activation: 'softmax',
    kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
  }));
  model.compile({ optimizer: tf.train.adam(0.001), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

  const yTrain = tf.oneHot(data.yTrain.toInt(), 10);
  const validationData = data.xVal && data.yVal ? [data.xVal, tf.oneHot(data.yVal.toInt(), 10)] as [typeof data.xVal, typeof yTrain] : undefined;
  await model.fit(data.xTrain, yTrain, {
    epochs: 10,
    batchSize: 64,
    shuffle: true,
    validationData,
    verbose: 0,
    callbacks: {
      onEpochEnd: async (epoch, logs) => ctx.log({ epoch: epoch + 1, loss: logs?.loss, valAccuracy: logs?.val_acc }),
    },
  });
  yTrain.dispose();
  return model;
}
