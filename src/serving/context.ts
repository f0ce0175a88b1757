/**
 * What the entry of a `service` exercise (month3/deploy) receives: training
 * data to build a model from, the port to listen on, and the model
 * save/load helpers.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { LogStep, TrainData } from '../train-context';
import type { ModelStore } from './model-io';

export interface ServeContext {
  /** The grader's own TensorFlow.js. */
  tf: typeof tfjs;
  /** Labelled training data; the grader keeps the held-out labels and asks your server about the inputs. */
  data: TrainData;
  seed: number;
  budget: { seconds: number };
  /** Listen here, on 127.0.0.1; the same number as `process.env.PORT`. */
  port: number;
  /** Save and load models on any backend: a folder (model.json + weights.bin) or one JSON string. */
  models: ModelStore;
  /** A fresh copy of a pretrained model mlpath ships (models/<name>/README.md). */
  pretrained(name: string): Promise<tfjs.LayersModel>;
  log(step: LogStep): void;
}

/**
 * Starts the server. Resolve once it is listening (returning the
 * `http.Server` is good practice); the grader then waits for `GET /health`.
 */
// eslint-disable-next-line @typescript-eslint/no-redundant-type-constituents -- tells the reader serve may be async
export type ServeFunction = (ctx: ServeContext) => Promise<unknown> | unknown;
