// month4/tracking: a hyperparameter sweep you can compare, tracked like MLflow.
// Read README.md first. Check your work with:  mlpath check month4/tracking
// Then compare your runs with:  mlpath runs --exercise month4/tracking
import type { TrackingContext, Predictor, TrackedRun, TrainData } from 'mlpath';
import type * as tfjs from '@tensorflow/tfjs';

interface Config {
  learningRate: number;
  hidden: number;
}

// TODO 1: the sweep. One configuration is a guess, not an experiment: list at
// least four, each different (try learning rates a factor of 10 apart, and a
// wider hidden layer).
const SWEEP: Config[] = [{ learningRate: 0.0003, hidden: 32 }];
const EPOCHS = 6;

/**
 * The lock hash of the data a run trains on (README.md, "The data lock"): the
 * month4/data-versioning lock of a folder holding the files train/x, train/y,
 * val/x and val/y, each the raw bytes of that tensor's values.
 */
function dataLock(data: TrainData): string {
  // TODO 2b: for each path in sorted order, the sha256 (node:crypto) of the bytes of
  // data.xTrain / yTrain / xVal / yVal .dataSync(), as a `<sha256>  <path>\n` line of a
  // manifest; return the sha256 of the manifest.
  void data;
  return '';
}

/** Trains one small network with one configuration. `run` is where its params and metrics go. */
async function trainOne(ctx: TrackingContext, config: Config, run?: TrackedRun): Promise<tfjs.LayersModel> {
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

  // TODO 2: record what this run tries: run.logParams({ learning_rate: ..., hidden_units: ..., ... }),
  // and the data it learns from: run.setTag('mlpath.data_lock', dataLock(data)).
  void dataLock;
  const yTrain = tf.oneHot(data.yTrain.toInt(), 10);
  const yVal = tf.oneHot(data.yVal!.toInt(), 10);
  await model.fit(data.xTrain, yTrain, {
    epochs: EPOCHS,
    batchSize: 64,
    shuffle: true,
    validationData: [data.xVal!, yVal], // tf.js reports accuracy on it as logs.val_acc
    verbose: 0,
    callbacks: {
      onEpochEnd: async (epoch, logs) => {
        // TODO 3: log this epoch's metrics to the run, with the epoch as the step:
        // run.logMetrics({ loss: logs?.loss, val_loss: logs?.val_loss, val_accuracy: logs?.val_acc }, epoch + 1).
        ctx.log({ epoch: epoch + 1, loss: logs?.loss, valAccuracy: logs?.val_acc });
      },
    },
  });
  yTrain.dispose();
  yVal.dispose();
  // TODO 4: keep the trained model with its run: await run.logModel(model). The grader reloads
  // every run's model and checks that it scores the val_accuracy the run logged.
  void run;
  return model;
}

export default async function train(ctx: TrackingContext): Promise<Predictor> {
  // TODO 5: one run per configuration. ctx.tracker.withRun({ name }, async (run) => ...)
  // starts a run, and ends it when your function returns. Keep each run's model.
  const model = await trainOne(ctx, SWEEP[0]);

  // TODO 6: choose the run with the best validation accuracy (ctx.tracker.runs()
  // lists your runs with their latest metrics), mark it with
  // run.setTag('mlpath.chosen', 'true') and return its model. Never choose on
  // anything but validation data.
  return model;
}
