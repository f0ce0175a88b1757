/**
 * What a learner's `train(ctx)` receives and returns: the types of SPEC.md
 * that `import type { TrainContext } from 'mlpath'` resolves to (src/index.ts
 * re-exports them). Kept apart from the index so that modules mlpath itself
 * uses (serving/context.ts) can name them without importing the package entry.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { Tracker } from './tracking/types';

export type Tensor = tfjs.Tensor;

export interface TrainData {
  /**
   * Training inputs: `[n, ...featureShape]` float32 (e.g. `[n, 784]` for MNIST, pixels in 0..1;
   * `[n, 2]` (user, item) ids for ratings). Empty (`[n, 0]`) for text datasets: use `textTrain`.
   */
  xTrain: tfjs.Tensor;
  /** Training targets: `[n]` int32 class indices for classification, float32 values for regression and ratings. */
  yTrain: tfjs.Tensor;
  /** Validation inputs, when the exercise provides a validation split. */
  xVal?: tfjs.Tensor;
  yVal?: tfjs.Tensor;
  /** Text datasets (spam): the raw text of each training row, aligned with `yTrain`. */
  textTrain?: readonly string[];
  /** Text datasets: the raw text of each validation row, aligned with `yVal`. */
  textVal?: readonly string[];
  featureNames?: string[];
  classNames?: string[];
}

export interface LogStep {
  epoch?: number;
  loss?: number;
  [metric: string]: number | undefined;
}

export interface TrainContext {
  /** The grader's own TensorFlow.js (restricted in from-scratch exercises). */
  tf: typeof tfjs;
  data: TrainData;
  /** Use it to seed initialisers and shuffling; grading may use several seeds. */
  seed: number;
  budget: { seconds: number };
  /** Report progress; it shows live in `mlpath check` and in the training chart. */
  log(step: LogStep): void;
  /** A fresh copy of a pretrained model mlpath ships (models/<name>/README.md), e.g. `'fashion-cnn'`. */
  pretrained(name: string): Promise<tfjs.LayersModel>;
}

/** What `predict` may return: one tensor, or plain numbers (`[n]` or `[n][k]`). */
export type Prediction = tfjs.Tensor | number[] | number[][] | Float32Array | Int32Array;

export interface Predictor {
  /**
   * Classification: `[n, k]` scores or `[n]` class indices; binary: `[n]`
   * probabilities; regression: `[n]` values. Plain number arrays are
   * accepted too (classical ML libraries return them). The `Tensor[]` return
   * type is there only so that a `tf.LayersModel` qualifies; the grader needs
   * one tensor.
   */
  predict(x: tfjs.Tensor): Prediction | tfjs.Tensor[] | Promise<Prediction>;
}

/**
 * The predictor of a text exercise (month3/nlp): it receives the held-out
 * texts as plain strings and returns `[n]` probabilities of the positive
 * class.
 */
export interface TextPredictor {
  predict(texts: readonly string[]): tfjs.Tensor | Promise<tfjs.Tensor>;
}

export type TrainFunction = (ctx: TrainContext) => Promise<Predictor> | Predictor;

/** The context of an experiment-tracking exercise (month4/tracking): a TrainContext with a tracker. */
export interface TrackingContext extends TrainContext {
  /** Logs runs, params and metrics into the exercise's `mlruns/` folder, in MLflow's file-store layout. */
  tracker: Tracker;
}
