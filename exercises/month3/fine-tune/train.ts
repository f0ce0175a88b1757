// month3/fine-tune: adapt a pretrained model to a task with few labels.
// Read README.md first. Check your work with:  mlpath check month3/fine-tune
import type { TrainContext, Predictor } from 'mlpath';

export default async function train(ctx: TrainContext): Promise<Predictor> {
  const { tf, data, seed } = ctx;
  const { xTrain, yTrain } = data; // xTrain: [800, 784] pixels in 0..1, yTrain: [800] classes 0..9

  // This starter trains a small network FROM SCRATCH on the 800 labelled images.
  // It runs, and it falls short: 800 examples are not enough to learn what
  // clothes look like. Run `mlpath check month3/fine-tune` once to see the
  // from-scratch score, then replace it with the pretrained model.
  const model = tf.sequential();
  model.add(
    tf.layers.dense({
      inputShape: [784],
      units: 128,
      activation: 'relu',
      kernelInitializer: tf.initializers.heNormal({ seed }),
    }),
  );
  model.add(
    tf.layers.dense({
      units: 10,
      activation: 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
    }),
  );

  // TODO 1. Load the pretrained base instead: const base = await ctx.pretrained('fashion-cnn');
  //         It maps [n, 784] pixels to [n, 64] features (see README.md).
  // TODO 2. Freeze it (base.trainable = false) and put a new head on top:
  //         one dense layer from 64 features to 10 classes with a softmax.
  // TODO 3. Train only the head on the 800 labelled images (tip: the frozen base gives the
  //         same features every epoch, so compute base.predict(xTrain) once and fit the
  //         head on those), and watch ctx.data.xVal / yVal to choose the number of epochs.
  // TODO 4. Return a predictor whose predict(x) runs the base, then the head.

  model.compile({ optimizer: tf.train.adam(0.001), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  await model.fit(xTrain, yTrain.toFloat(), {
    epochs: 20,
    batchSize: 32,
    shuffle: true,
    verbose: 0,
    callbacks: { onEpochEnd: async (epoch, logs) => ctx.log({ epoch: epoch + 1, loss: logs?.loss }) },
  });
  console.log(
    'starter: this network was trained from scratch on 800 images; see the TODOs in train.ts to use the pretrained model instead',
  );
  return model;
}
