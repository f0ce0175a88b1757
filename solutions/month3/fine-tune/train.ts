// Reference solution for month3/fine-tune: transfer from clothes to digits.
// fashion-cnn was pretrained on Fashion-MNIST; its convolutions (up to the
// `flatten` layer) find strokes and edges that digits have too, while its last
// layer (`features`) is tuned to clothes. So a new softmax head goes on the
// 1,568 convolutional features, the base frozen; then a second copy of the
// base has conv2 unfrozen and trained with that head at a ten times smaller
// learning rate, and the two are compared on validation.
import type { TrainContext, Predictor } from 'mlpath';
import type { LayersModel, SymbolicTensor, Tensor } from '@tensorflow/tfjs';

export default async function train(ctx: TrainContext): Promise<Predictor> {
  const { tf, data, seed } = ctx;
  const yTrain = data.yTrain.toFloat();
  const yVal = data.yVal!.toFloat();

  // 1. Frozen: the base up to `flatten`, its features computed once.
  const base = await ctx.pretrained('fashion-cnn');
  base.trainable = false;
  const convs = tf.model({ inputs: base.inputs, outputs: base.getLayer('flatten').output as SymbolicTensor });
  const features = convs.predict(data.xTrain) as Tensor; // [100, 1568]
  const valFeatures = convs.predict(data.xVal!) as Tensor;
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
  const frozenFit = await head.fit(features, yTrain, {
    epochs: 20,
    batchSize: 32,
    shuffle: true,
    verbose: 0,
    validationData: [valFeatures, yVal],
    callbacks: {
      onEpochEnd: async (epoch, logs) => ctx.log({ epoch: epoch + 1, loss: logs?.loss, valAccuracy: logs?.val_acc }),
    },
  });
  tf.dispose([features, valFeatures]);
  const frozen: LayersModel = tf.model({
    inputs: base.inputs,
    outputs: head.apply(convs.outputs[0]) as SymbolicTensor,
  });
  const frozenVal = frozenFit.history.val_acc.at(-1) as number;

  // 2. Unfrozen: a fresh copy of the base with conv2 trainable (conv1's edges stay as they are),
  //    a copy of the trained head, trained together at a learning rate ten times smaller.
  const base2 = await ctx.pretrained('fashion-cnn');
  base2.trainable = false;
  base2.getLayer('conv2').trainable = true;
  const head2 = tf.layers.dense({ units: 10, activation: 'softmax' });
  const unfrozen: LayersModel = tf.model({
    inputs: base2.inputs,
    outputs: head2.apply(base2.getLayer('flatten').output) as SymbolicTensor,
  });
  head2.setWeights(head.getWeights());
  unfrozen.compile({ optimizer: tf.train.adam(0.001), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const unfrozenFit = await unfrozen.fit(data.xTrain, yTrain, {
    epochs: 4,
    batchSize: 32,
    shuffle: true,
    verbose: 0,
    validationData: [data.xVal!, yVal],
    callbacks: {
      onEpochEnd: async (epoch, logs) => ctx.log({ epoch: 21 + epoch, loss: logs?.loss, valAccuracy: logs?.val_acc }),
    },
  });
  const unfrozenVal = unfrozenFit.history.val_acc.at(-1) as number;

  // 3. Keep the unfrozen one only if it is clearly better on validation: on 100 images one more
  //    right answer is 0.01, well inside the noise (a standard error of about 0.03), so it must
  //    win by 3 images or more; otherwise the simpler, frozen one stays. Free the other.
  const keepUnfrozen = unfrozenVal >= frozenVal + 0.03;
  console.log(
    `validation accuracy: frozen base + head ${frozenVal.toFixed(3)}, conv2 unfrozen ${unfrozenVal.toFixed(3)}: keeping the ${keepUnfrozen ? 'unfrozen' : 'frozen'} one`,
  );
  const kept = keepUnfrozen ? unfrozen : frozen;
  (keepUnfrozen ? frozen : unfrozen).dispose();

  // 4. The choice is made: the 100 validation images are labels too. Train the kept model a few
  //    more epochs on all 200 (for the frozen one, on their features, computed once again).
  const yAll = tf.concat([data.yTrain, data.yVal!]).toFloat();
  if (keepUnfrozen) {
    const xAll = tf.concat([data.xTrain, data.xVal!]);
    await unfrozen.fit(xAll, yAll, { epochs: 2, batchSize: 32, shuffle: true, verbose: 0 });
    tf.dispose(xAll);
  } else {
    const all = tf.tidy(() => convs.predict(tf.concat([data.xTrain, data.xVal!])) as Tensor);
    await head.fit(all, yAll, { epochs: 20, batchSize: 32, shuffle: true, verbose: 0 });
    tf.dispose(all);
  }
  tf.dispose([yTrain, yVal, yAll]);
  return {
    predict: (x: Tensor) => tf.tidy(() => kept.predict(x) as Tensor),
  };
}
