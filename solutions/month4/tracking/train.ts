// Reference solution for month4/tracking: a learning-rate x width sweep, one
// tracked run per configuration with its model and its data lock logged, the
// winner chosen on validation accuracy.
import { createHash } from 'node:crypto';
import type { TrackingContext, Predictor, TrackedRun, TrainData } from 'mlpath';
import type * as tfjs from '@tensorflow/tfjs';

interface Config {
  learningRate: number;
  hidden: number;
}

const SWEEP: Config[] = [
  { learningRate: 0.0003, hidden: 32 },
  { learningRate: 0.003, hidden: 32 },
  { learningRate: 0.03, hidden: 32 },
  { learningRate: 0.003, hidden: 128 },
];
const EPOCHS = 6;

const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

/**
 * The lock hash of the data a run trains on, as month4/data-versioning builds
 * one: the four tensors as the files train/x, train/y, val/x, val/y (the raw
 * bytes of their values), one `<sha256>  <path>` line per file sorted by
 * path, and the sha256 of that manifest.
 */
function dataLock(data: TrainData): string {
  const files: Record<string, tfjs.Tensor> = {
    'train/x': data.xTrain,
    'train/y': data.yTrain,
    'val/x': data.xVal!,
    'val/y': data.yVal!,
  };
  let manifest = '';
  for (const p of Object.keys(files).sort()) {
    const values = files[p].dataSync();
    manifest += `${sha256(new Uint8Array(values.buffer, values.byteOffset, values.byteLength))}  ${p}\n`;
  }
  return sha256(manifest);
}

async function trainOne(ctx: TrackingContext, config: Config, run: TrackedRun): Promise<tfjs.LayersModel> {
  const { tf, data, seed } = ctx;
  const model = tf.sequential();
  model.add(
    tf.layers.dense({
      inputShape: [784],
      units: config.hidden,
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
  model.compile({
    optimizer: tf.train.adam(config.learningRate),
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });
  run.logParams({
    learning_rate: config.learningRate,
    hidden_units: config.hidden,
    epochs: EPOCHS,
    optimizer: 'adam',
    batch_size: 64,
  });
  // Which data this model learned from: with the lock, the run can be traced to one version of the data.
  run.setTag('mlpath.data_lock', dataLock(data));
  const yTrain = tf.oneHot(data.yTrain.toInt(), 10);
  const yVal = tf.oneHot(data.yVal!.toInt(), 10);
  await model.fit(data.xTrain, yTrain, {
    epochs: EPOCHS,
    batchSize: 64,
    shuffle: true,
    validationData: [data.xVal!, yVal],
    verbose: 0,
    callbacks: {
      onEpochEnd: async (epoch, logs) => {
        run.logMetrics(
          { loss: logs?.loss, accuracy: logs?.acc, val_loss: logs?.val_loss, val_accuracy: logs?.val_acc },
          epoch + 1,
        );
        ctx.log({ epoch: epoch + 1, loss: logs?.loss, valAccuracy: logs?.val_acc });
      },
    },
  });
  yTrain.dispose();
  yVal.dispose();
  // The model the last val_accuracy describes, kept with the run: the grader re-scores it.
  await run.logModel(model);
  return model;
}

export default async function train(ctx: TrackingContext): Promise<Predictor> {
  const trained = new Map<string, { run: TrackedRun; model: tfjs.LayersModel }>();
  for (const config of SWEEP) {
    const name = `lr=${config.learningRate} hidden=${config.hidden}`;
    await ctx.tracker.withRun({ name }, async (run) => {
      trained.set(run.id, { run, model: await trainOne(ctx, config, run) });
    });
  }
  // Choose on validation only: the held-out test set is for the final report, never for choosing.
  const finished = ctx.tracker.runs().filter((r) => r.status === 'FINISHED');
  const best = finished.reduce((a, b) => (b.metrics.val_accuracy > a.metrics.val_accuracy ? b : a));
  const chosen = trained.get(best.id)!;
  chosen.run.setTag('mlpath.chosen', 'true');
  for (const [id, { model }] of trained) if (id !== best.id) model.dispose();
  return chosen.model;
}
