/**
 * The shapes every part of the datasets layer shares. Plain typed arrays only:
 * this layer runs in the grader's parent process, which never loads
 * TensorFlow.js.
 */

export type DatasetTask = 'classification' | 'binary' | 'regression' | 'ranking' | 'stream';

export interface LoadedDataset {
  id: string;
  n: number;
  /** Row-major, n * prod(featureShape) values; empty for pure-text datasets. */
  features: Float32Array;
  /**
   * Pixel data only, until `features` is first read or assigned: the features as bytes, `features[i]` being
   * `pixels[i] / 255` (datasets/pixels.ts). Not enumerable: a copy made by spreading has no pixels.
   */
  readonly pixels?: Uint8Array;
  /** Per-example shape: [784] for mnist, [13] for boston, [0] for text-only data. */
  featureShape: number[];
  /** Length n: class index 0..k-1 (classification, binary, stream) or target value (regression, ranking). */
  labels: Float32Array;
  /** Raw text per example, for text datasets (spam). */
  texts?: string[];
  featureNames?: string[];
  classNames?: string[];
  /** Group id per example; splits keep each group on one side. */
  groups?: Int32Array;
  /** sha256 hex over features, labels and texts: equal data, equal fingerprint, on any machine. */
  fingerprint: string;
  /** How a generator made the data (true coefficients, drift point, ...); JSON-safe. */
  meta?: Record<string, unknown>;
  /** Things the user should know about this load, e.g. a download that fell back to the shipped subset. */
  notes?: string[];
}

export interface DatasetInfo {
  id: string;
  title: string;
  source: string;
  license: string;
  task: DatasetTask;
  size: string;
  featureShape: number[];
  classNames?: string[];
  synthetic: boolean;
  /** Whether the default load is in the binary cache (real datasets only). */
  cached?: boolean;
}

export interface SplitSpec {
  seed: number;
  /** Fraction in (0, 1) held out as the test split. */
  test: number;
  /** Fraction in [0, 1) given to the learner as validation data. */
  val?: number;
  /** Use at most this many rows: a seeded subsample (stratified when the split is) taken first. */
  limit?: number;
  /** Keep class proportions in every split; defaults to true when the dataset has classNames. */
  stratify?: boolean;
  /** Keep row order and take the last rows as test (streams, time series); no shuffling. */
  ordered?: boolean;
}

export interface SplitResult {
  train: LoadedDataset;
  val?: LoadedDataset;
  test: LoadedDataset;
  report: {
    /** Test rows whose features (or text) also appear in train; zero by construction. */
    trainTestOverlap: number;
    /** Rows that exactly repeat an earlier row of the (limited) dataset. */
    duplicatesFound: number;
  };
}

export type DatasetOptions = Record<string, unknown>;
