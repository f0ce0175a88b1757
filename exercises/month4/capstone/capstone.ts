// month4/capstone: one model carried from raw rows to a monitored service.
// Read README.md first. Check your work with:  mlpath check month4/capstone
//
// The grader calls the seven functions below in the order of the pipeline and
// feeds each one's output to the next: clean -> lock -> train -> register ->
// promote -> predict -> monitor. Every function exists and returns something
// of the right shape, so the check runs and tells you, stage by stage, what
// is still wrong. Start at stage 1; a failing stage is replaced by the
// grader's own version, so the later stages are still graded.
import { createHash } from 'node:crypto';

export type Value = number | string | null;
export type Row = Record<string, Value>;

export type ColumnSpec = { type: 'number'; min: number; max: number } | { type: 'category'; levels: string[] };

/** Given: what a valid row of the survey holds. `wage` (dollars per hour) is the target. */
export const SCHEMA: Record<string, ColumnSpec> = {
  education: { type: 'number', min: 0, max: 25 },
  south: { type: 'number', min: 0, max: 1 },
  gender: { type: 'category', levels: ['female', 'male'] },
  experience: { type: 'number', min: 0, max: 70 },
  union: { type: 'number', min: 0, max: 1 },
  wage: { type: 'number', min: 1, max: 100 },
  age: { type: 'number', min: 14, max: 100 },
  race: { type: 'category', levels: ['white', 'hispanic', 'other'] },
  occupation: { type: 'category', levels: ['other', 'management', 'sales', 'clerical', 'service', 'professional'] },
  sector: { type: 'category', levels: ['other', 'manufacturing', 'construction'] },
  married: { type: 'number', min: 0, max: 1 },
};
export const TARGET = 'wage';
/** The columns a request to the service carries: every schema column but the wage. */
export const INPUTS = Object.keys(SCHEMA).filter((c) => c !== TARGET);

// ---- Stage 1: validate and clean (month2/data-quality) -----------------------------------------

/** The raw rows, cleaned: every schema cell valid, no duplicate row, no column that leaks the wage. */
export function clean(rows: Row[]): Row[] {
  // TODO: drop rows with a missing, out-of-range or unknown value, drop repeated rows,
  // and drop the extra numeric column that is the wage in disguise.
  return rows;
}

// ---- Stage 2: a content-addressed lock (month4/data-versioning) --------------------------------

export interface Lock {
  hash: string;
  files: Record<string, string>;
}

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The lock of a dataset folder holding one file, train.json, whose text is JSON.stringify(rows). */
export function lock(rows: Row[]): Lock {
  // TODO: files maps 'train.json' to the sha256 of its text; hash is the sha256 of the manifest.
  void rows;
  return { hash: '', files: {} };
}

// ---- Stage 3: train and track (month4/tracking) ------------------------------------------------

/** The model's format, which the grader and your service both evaluate with predictLog. */
export interface LinearModel {
  /** Schema columns ('education') and indicators of a category level ('occupation=sales'). */
  features: string[];
  mean: number[];
  std: number[];
  weights: number[];
  bias: number;
}

/** What the run records: enough to know later what this model is and where it came from. */
export interface TrackedRun {
  id: string;
  params: Record<string, number | string | boolean>;
  /** RMSE of log wage on the training rows and on the validation rows. */
  metrics: { train_rmse: number; val_rmse: number };
  /** The hash of the lock of the rows it trained on. */
  dataHash: string;
}

export function featureValue(row: Row, feature: string): number {
  const eq = feature.indexOf('=');
  if (eq < 0) return Number(row[feature]);
  return row[feature.slice(0, eq)] === feature.slice(eq + 1) ? 1 : 0;
}

/** Given: the model's log wage for one row (the grader computes exactly this). */
export function predictLog(model: LinearModel, row: Row): number {
  let s = model.bias;
  model.features.forEach((f, j) => (s += (model.weights[j] * (featureValue(row, f) - model.mean[j])) / model.std[j]));
  return s;
}

/**
 * Fit a model of log wage on the training rows (row i with i % 5 !== 4) and
 * log a run; rows with i % 5 === 4 are the validation rows, never fitted.
 */
export function train(rows: Row[], dataLock: Lock): { model: LinearModel; run: TrackedRun } {
  // TODO: a real fit (ridge regression on standardised features is plenty), and honest metrics.
  const model: LinearModel = { features: [], mean: [], std: [], weights: [], bias: Math.log(10) };
  void rows;
  void dataLock;
  return { model, run: { id: 'todo', params: {}, metrics: { train_rmse: 0, val_rmse: 0 }, dataHash: '' } };
}

// ---- Stage 4: the registry (month4/registry) ---------------------------------------------------

export type Stage = 'none' | 'staging' | 'production' | 'archived';

export interface Lineage {
  runId: string;
  dataVersion: number;
  dataHash: string;
  metrics: { train: Record<string, number>; validation: Record<string, number> };
}

export interface ModelVersion extends Lineage {
  version: number;
  stage: Stage;
}

export interface Registry {
  versions: ModelVersion[];
  history: { action: 'register' | 'promote' | 'rollback'; version: number }[];
}

export interface Rule {
  metric: string;
  higherIsBetter: boolean;
  minDelta: number;
}

export function register(registry: Registry, lineage: Lineage): Registry {
  // TODO: the next version number, stage 'none', and a 'register' entry in the history.
  void lineage;
  return registry;
}

export function promote(
  registry: Registry,
  candidate: number,
  rule: Rule,
): { registry: Registry; promoted: boolean; reason: string } {
  // TODO: promote only by the rule (month4/registry), archiving the champion.
  void candidate;
  void rule;
  return { registry, promoted: false, reason: 'not written yet' };
}

// ---- Stage 5: serving (month3/deploy) ----------------------------------------------------------

export type Response = { status: 200; body: { wage: number } } | { status: 400; body: { error: string } };

/** The handler of POST /predict: one request body in, one response out. */
export function predict(model: LinearModel, body: unknown): Response {
  // TODO: answer 400 with an error naming the column for a body that is not valid.
  return { status: 200, body: { wage: Math.exp(predictLog(model, body as Row)) } };
}

// ---- Stage 6: monitoring (month4/drift) --------------------------------------------------------

/** Have the served requests in `batch` drifted from the rows the model was trained on? */
export function monitor(reference: Row[], batch: Row[]): { drift: boolean } {
  // TODO: one test per input column, corrected for the number of tests.
  void reference;
  void batch;
  return { drift: false };
}
