// month3/fine-tune: transfer a model pretrained on clothes to handwritten digits.
// Read README.md first. Check your work with:  mlpath check month3/fine-tune
import type { TrainContext, Predictor } from 'mlpath';

export default async function train(ctx: TrainContext): Promise<Predictor> {
  const { tf, data, seed } = ctx;
  const { xTrain, yTrain } = data; // xTrain: [100, 784] pixels in 0..1, yTrain: [100] digits 0..9

  // This starter trains a small network FROM SCRATCH on the 100 labelled digits.
  // It runs, and it falls short: 100 examples are not enough to learn what
  // strokes look like. Run `mlpath check month3/fine-tune` once to see the
  // from-scratch score, then reuse the pretrained model instead.
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
  //         It was trained on clothes and never saw a digit (see README.md).
  // TODO 2. Pick the layer whose features transfer: try a head on base.predict(x) (its last,
  //         64-unit layer) and on the 1,568 features of its `flatten` layer,
  //         tf.model({ inputs: base.inputs, outputs: base.getLayer('flatten').output }),
  //         and compare them on ctx.data.xVal / yVal.
  // TODO 3. Freeze the base (base.trainable = false) and train a new head (a dense layer to
  //         10 classes with a softmax) on the features you picked, computed once.
  // TODO 4. Compare with an unfrozen variant on validation (README.md, steps 3 and 4), keep the better.
  // TODO 5. The choice made, train the kept head some more on all 200 labelled digits
  //         (xTrain with xVal; README.md, step 5): with ten labels a class, 100 more is a lot.
  // TODO 6. Return a predictor whose predict(x) takes raw pixels: the base, then the head.

  model.compile({ optimizer: tf.train.adam(0.001), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  await model.fit(xTrain, yTrain.toFloat(), {
    epochs: 20,
    batchSize: 32,
    shuffle: true,
    verbose: 0,
    callbacks: { onEpochEnd: async (epoch, logs) => ctx.log({ epoch: epoch + 1, loss: logs?.loss }) },
  });
  console.log(
    'starter: this network was trained from scratch on 100 digits; see the TODOs in train.ts to reuse the pretrained model instead',
  );
  return model;
}
