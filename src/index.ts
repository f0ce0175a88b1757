/**
 * The types learners import (`import type { TrainContext } from 'mlpath'`)
 * and the programmatic API instructors can script against.
 */
import type * as tfjs from '@tensorflow/tfjs';

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
}

export interface Predictor {
  /**
   * Classification: `[n, k]` scores or `[n]` class indices; binary: `[n]`
   * probabilities; regression: `[n]` values. The array return type is there
   * only so that a `tf.LayersModel` qualifies; the grader needs one tensor.
   */
  predict(x: tfjs.Tensor): tfjs.Tensor | tfjs.Tensor[] | Promise<tfjs.Tensor>;
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

export type { ExerciseResult, CheckReport, MetricResult } from './grader/result';
