/**
 * Datasets as they cross to the child: the learner's part of a split as wire
 * tensors. Shared by every kind that trains (train, tracking, service).
 */
import type { LoadedExercise } from '../../curriculum';
import type { Task } from '../../curriculum/schema';
import { loadDataset, loadHoldout, splitDatasetCached, type LoadedDataset } from '../../datasets';
import { PIXEL } from '../../datasets/pixels';
import { pixelTensor } from '../packing';
import type { TrainPayload, WireTensor } from '../protocol';
import type { InputScale } from '../result';

/** The exercise's dataset as the grader holds it: the learner's parts and the held-out part. */
export interface SplitData {
  train: LoadedDataset;
  val?: LoadedDataset;
  test: LoadedDataset;
  fingerprint: string;
}

/** The exercise's split; an instructor's holdout file replaces its test part. */
export async function prepareTrainData(ex: LoadedExercise, holdout?: string): Promise<SplitData> {
  const ref = ex.dataset!;
  const ds = await loadDataset(ref.id, ref.options);
  // The plan is cached by the data's fingerprint and the spec: the same rows on every side, without hashing every row again.
  const split = splitDatasetCached(ds, {
    seed: ref.split.seed,
    test: ref.split.test,
    val: ref.split.val,
    limit: ref.split.limit,
    stratify: ex.task !== 'regression',
  });
  const test = holdout ? loadHoldout(holdout, ds) : split.test;
  return { train: split.train, val: split.val, test, fingerprint: ds.fingerprint };
}

/** Inputs of one or more parts, stacked in order, as `[n, ...featureShape]` float32. */
export function features(...parts: LoadedDataset[]): WireTensor {
  if (parts.length === 1) {
    const ds = parts[0];
    // Pixel data travels as its bytes: its floats are not made here unless grader code reads them.
    if (ds.pixels) return pixelTensor(ds, [ds.n, ...ds.featureShape]);
    return { values: ds.features, shape: [ds.n, ...ds.featureShape], dtype: 'float32' };
  }
  const n = parts.reduce((a, p) => a + p.n, 0);
  const values = new Float32Array(parts.reduce((a, p) => a + p.features.length, 0));
  let at = 0;
  for (const p of parts) {
    values.set(p.features, at);
    at += p.features.length;
  }
  return { values, shape: [n, ...parts[0].featureShape], dtype: 'float32' };
}

/** The range of a part's inputs, for the coach; undefined for text-only data. */
export function inputScale(ds: LoadedDataset): InputScale | undefined {
  const width = ds.featureShape.reduce((a, b) => a * b, 1);
  // Pixel data's bytes order as its floats do: the same extremes, without making the floats.
  const values = ds.pixels ?? ds.features;
  if (values.length === 0 || width === 0) return undefined;
  let lo = 0;
  let hi = 0;
  for (let i = 1; i < values.length; i++) {
    const v = values[i];
    if (v < values[lo]) lo = i;
    else if (v > values[hi]) hi = i;
  }
  const min = ds.pixels ? PIXEL[values[lo]] : values[lo];
  const max = ds.pixels ? PIXEL[values[hi]] : values[hi];
  const widest = Math.abs(min) > Math.abs(max) ? lo : hi;
  // Feature names exist for flat tabular rows only; an image's pixel has none.
  const feature = ds.featureShape.length === 1 ? ds.featureNames?.[widest % width] : undefined;
  return { min, max, ...(feature ? { feature } : {}) };
}

/** Targets: int32 class indices, or float32 values for regression and ratings. */
export function labels(ds: LoadedDataset, task: Task): WireTensor {
  if (task === 'regression' || task === 'ranking') return { values: ds.labels, shape: [ds.n], dtype: 'float32' };
  return { values: Int32Array.from(ds.labels), shape: [ds.n], dtype: 'int32' };
}

export function numClasses(ds: LoadedDataset, task: Task): number | undefined {
  if (task === 'binary') return 2;
  if (task !== 'classification') return undefined;
  if (ds.classNames) return ds.classNames.length;
  let max = 0;
  for (const v of ds.labels) max = Math.max(max, v);
  return max + 1;
}

/** Everything the learner may see: the training part, the validation part, never the test labels. */
export function trainPayload(data: SplitData, task: Task): TrainPayload {
  return {
    xTrain: features(data.train),
    yTrain: labels(data.train, task),
    xVal: data.val ? features(data.val) : undefined,
    yVal: data.val ? labels(data.val, task) : undefined,
    textTrain: data.train.texts,
    textVal: data.val?.texts,
    featureNames: data.train.featureNames,
    classNames: data.train.classNames,
  };
}
