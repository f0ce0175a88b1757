// Reference solution for month3/fine-tune: the pretrained fashion-cnn base,
// frozen, with a new softmax head trained on its features.
import type { TrainContext, Predictor } from 'mlpath';
import type { Tensor } from '@tensorflow/tfjs';

export default async function train(ctx: TrainContext): Promise<Predictor> {
  const { tf, data, seed } = ctx;
  const base = await ctx.pretrained('fashion-cnn');
  base.trainable = false;

  // The base is frozen, so its features never change: compute them once
  // instead of running the convolutions again in every epoch.
  const features = base.predict(data.xTrain) as Tensor;
  const valFeatures = data.xVal ? (base.predict(data.xVal) as Tensor) : undefined;

  const head = tf.sequential();
  head.add(
    tf.layers.dense({
      inputShape: [features.shape[1] as number],
      units: 10,
      activation: 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed }),
    }),
  );
  head.compile({ optimizer: tf.train.adam(0.01), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  await head.fit(features, data.yTrain.toFloat(), {
    epochs: 20,
    batchSize: 32,
    shuffle: true,
    verbose: 0,
    validationData: valFeatures && data.yVal ? [valFeatures, data.yVal.toFloat()] : undefined,
    callbacks: {
      onEpochEnd: async (epoch, logs) => ctx.log({ epoch: epoch + 1, loss: logs?.loss, valAccuracy: logs?.val_acc }),
    },
  });
  tf.dispose([features, valFeatures].filter((t): t is Tensor => t !== undefined));

  return {
    predict: (x: Tensor) => tf.tidy(() => head.predict(base.predict(x) as Tensor) as Tensor),
  };
}
