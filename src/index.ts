/**
 * The types learners import (`import type { TrainContext } from 'mlpath'`)
 * and the programmatic API instructors can script against.
 */
import type * as tfjs from '@tensorflow/tfjs';

export type Tensor = tfjs.Tensor;

export interface TrainData {
  /** Training inputs: `[n, ...featureShape]` float32 (e.g. `[n, 784]` for MNIST, pixels in 0..1). */
  xTrain: tfjs.Tensor;
  /** Training targets: `[n]` int32 class indices for classification, float32 values for regression. */
  yTrain: tfjs.Tensor;
  /** Validation inputs, when the exercise provides a validation split. */
  xVal?: tfjs.Tensor;
  yVal?: tfjs.Tensor;
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

export type TrainFunction = (ctx: TrainContext) => Promise<Predictor> | Predictor;

export type { ExerciseResult, CheckReport, MetricResult } from './grader/result';
