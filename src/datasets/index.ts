/**
 * The datasets layer: a registry of real and generated datasets, a binary
 * cache, seeded leak-free splits and instructor holdout files. It knows
 * nothing about grading and never loads TensorFlow.js: everything is plain
 * typed arrays, so the grader's parent process can use it.
 */
export type { DatasetInfo, DatasetOptions, DatasetTask, LoadedDataset, SplitResult, SplitSpec } from './types';
export {
  DATASET_IDS,
  checkDatasetOptions,
  datasetCacheFile,
  datasetInfo,
  datasetOptions,
  listDatasets,
  loadDataset,
  type OptionDoc,
} from './registry';
export { overlapReport, replaceTest, splitDataset } from './split';
export { splitDatasetCached } from './split-cache';
export { loadHoldout } from './holdout';
export { selectRows } from './dataset';
export { cacheDir } from './cache';
export { createRng, deriveSeed, shuffleInPlace, type Rng } from './rng';
export { linkedUnits } from './units';
