/**
 * MLflow's file-store layout, the one `mlflow ui --backend-store-uri
 * ./mlruns` reads. Followed to the letter from the FileStore of MLflow 2.x
 * (`mlflow/store/tracking/file_store.py`, `mlflow/utils/file_utils.py` and
 * `mlflow/entities/run_info.py` as of the 2.14 line, the first whose file
 * store also holds traces, which mlpath does not write):
 *
 *   mlruns/
 *     .trash/                               deleted experiments go here
 *     0/meta.yaml                           the "Default" experiment
 *     <experiment_id>/
 *       meta.yaml                           artifact_location, creation_time, experiment_id,
 *                                           last_update_time, lifecycle_stage, name
 *       <run_id>/                           run_id: uuid4 as 32 hex digits
 *         meta.yaml                         artifact_uri, [deleted_time,] end_time, entry_point_name,
 *                                           experiment_id, lifecycle_stage, run_id, run_name, run_uuid,
 *                                           source_name, source_type, source_version, start_time,
 *                                           status, tags, user_id
 *         params/<key>                      the value as text, no newline
 *         metrics/<key>                     one line per logged value: "<timestamp ms> <value> <step>"
 *         tags/<key>                        the value as text, no newline (mlflow.runName, ...)
 *         artifacts/                        created empty; run.logModel() writes
 *           model/model.json, weights.bin   the TensorFlow.js layers format (serving/model-io.ts)
 *
 * meta.yaml is PyYAML's `safe_dump` with sorted keys; `status` is the
 * RunStatus enum as an integer, `source_type` 4 is LOCAL; times are
 * milliseconds since the epoch. One departure: `artifact_location` and
 * `artifact_uri` are relative (`mlruns/<experiment_id>[/<run_id>/artifacts]`),
 * see relativeStoreUri. Keys may contain `/`, which makes
 * subfolders (metrics/val/loss).
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { dumpFlatYaml, type YamlValue } from './yaml';

export const META_FILE = 'meta.yaml';
export const TRASH_FOLDER = '.trash';
export const DEFAULT_EXPERIMENT_ID = '0';
export const DEFAULT_EXPERIMENT_NAME = 'Default';
/** Folders an experiment holds besides its runs. */
export const RESERVED_EXPERIMENT_FOLDERS = ['tags', 'datasets', 'traces'];

/** mlflow.entities.RunStatus, as stored in meta.yaml. */
export const RUN_STATUS = { RUNNING: 1, SCHEDULED: 2, FINISHED: 3, FAILED: 4, KILLED: 5 } as const;
export type RunStatusName = keyof typeof RUN_STATUS;
/** mlflow.entities.SourceType.LOCAL */
export const SOURCE_TYPE_LOCAL = 4;

/** The artifact path run.logModel() saves under, as `mlflow.<flavor>.log_model(model, "model")` does by default. */
export const MODEL_ARTIFACT = 'model';

export const RUN_NAME_TAG = 'mlflow.runName';
export const USER_TAG = 'mlflow.user';
export const SOURCE_NAME_TAG = 'mlflow.source.name';
export const SOURCE_TYPE_TAG = 'mlflow.source.type';

export function statusName(code: unknown): RunStatusName {
  const found = (Object.keys(RUN_STATUS) as RunStatusName[]).find((k) => RUN_STATUS[k] === code);
  return found ?? 'RUNNING';
}

export interface ExperimentInfo {
  experimentId: string;
  name: string;
  artifactLocation: string;
  lifecycleStage: 'active' | 'deleted';
  creationTime: number;
  lastUpdateTime: number;
}

export interface RunInfo {
  runId: string;
  experimentId: string;
  runName: string;
  userId: string;
  status: RunStatusName;
  startTime: number;
  endTime: number | null;
  artifactUri: string;
  lifecycleStage: 'active' | 'deleted';
}

/** `file:///abs/path`, as MLflow's path_to_local_file_uri writes it. */
export function fileUri(absolutePath: string): string {
  return pathToFileURL(absolutePath).href;
}

/**
 * The artifact root mlpath writes into meta.yaml: `mlruns` (the store's
 * folder name), relative. MLflow writes `file:///abs/path`, but a store
 * that moves keeps pointing at the old place: the grader's temporary copy,
 * another machine, a learner's clone. MLflow reads a relative local path
 * against the folder it runs in, which for `mlflow ui` in the exercise
 * folder is the one holding `mlruns/`.
 */
export function relativeStoreUri(root: string): string {
  return path.basename(root);
}

/** MLflow's append_to_uri_path: join with exactly one slash. */
export function appendToUri(uri: string, ...parts: string[]): string {
  return [uri.replace(/\/+$/, ''), ...parts.map((p) => p.replace(/^\/+|\/+$/g, ''))].join('/');
}

export function experimentMetaYaml(e: ExperimentInfo): string {
  return dumpFlatYaml({
    artifact_location: e.artifactLocation,
    creation_time: e.creationTime,
    experiment_id: e.experimentId,
    last_update_time: e.lastUpdateTime,
    lifecycle_stage: e.lifecycleStage,
    name: e.name,
  });
}

/**
 * The run's meta.yaml. `deletedTime` is written only at creation (as null),
 * as MLflow's create_run does; its later rewrites leave the key out.
 */
export function runMetaYaml(r: RunInfo, opts: { withDeletedTime?: boolean } = {}): string {
  const data: Record<string, YamlValue> = {
    artifact_uri: r.artifactUri,
    end_time: r.endTime,
    entry_point_name: '',
    experiment_id: r.experimentId,
    lifecycle_stage: r.lifecycleStage,
    run_id: r.runId,
    run_name: r.runName,
    run_uuid: r.runId,
    source_name: '',
    source_type: SOURCE_TYPE_LOCAL,
    source_version: '',
    start_time: r.startTime,
    status: RUN_STATUS[r.status],
    tags: [],
    user_id: r.userId,
  };
  if (opts.withDeletedTime) data.deleted_time = null;
  return dumpFlatYaml(data);
}

/**
 * A float as Python's repr() writes it, which is what MLflow puts in a
 * metric file: shortest round-trip digits, `1.0` for integral values,
 * scientific notation below 1e-4 and from 1e16 on, `nan` and `inf`.
 */
export function pythonFloat(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const [mantissa, expText] = value.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const sign = exp < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const point = exp + 1;
  let text: string;
  if (point <= 0) text = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) text = `${digits}${'0'.repeat(point - digits.length)}.0`;
  else text = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return negative ? `-${text}` : text;
}

/** One line of a metric file. */
export function metricLine(timestamp: number, value: number, step: number): string {
  return `${timestamp} ${pythonFloat(value)} ${step}\n`;
}

const KEY_CHARS = /^[A-Za-z0-9_\-. :/]+$/;

/**
 * MLflow's rule for param, metric and tag names: alphanumerics, underscores,
 * dashes, periods, spaces, colons and slashes, and no path tricks, because
 * the name becomes a file path. Returns what is wrong, or undefined.
 */
export function keyProblem(key: unknown): string | undefined {
  if (typeof key !== 'string' || key.length === 0) return 'must be a non-empty string';
  if (key.length > 250) return 'must be at most 250 characters';
  if (!KEY_CHARS.test(key))
    return 'may only contain letters, digits, underscores (_), dashes (-), periods (.), spaces, colons (:) and slashes (/)';
  if (
    key.startsWith('/') ||
    key.endsWith('/') ||
    key.split('/').some((part) => part === '' || part === '.' || part === '..')
  ) {
    return 'must be a relative name without empty, "." or ".." parts';
  }
  return undefined;
}
