/**
 * The types learners import (`import type { TrainContext } from 'mlpath'`)
 * and the programmatic API instructors can script against.
 */
export type {
  LogStep,
  Prediction,
  Predictor,
  Tensor,
  TextPredictor,
  TrackingContext,
  TrainContext,
  TrainData,
  TrainFunction,
} from './train-context';
export type { Tracker, TrackedRun, RunSummary, ParamValue } from './tracking/types';
export type { ExerciseResult, CheckReport, MetricResult } from './grader/result';
export type { ServeContext, ServeFunction } from './serving/context';
export {
  saveModel,
  loadModel,
  modelToJSON,
  modelFromJSON,
  type ModelStore,
  type SaveOptions,
} from './serving/model-io';
