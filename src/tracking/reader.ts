/**
 * The read side of MLflow's file store: experiments, runs, and each run's
 * params, tags and metric histories, from folders mlpath's tracker or MLflow
 * itself wrote. Malformed entries are skipped, as MLflow's FileStore skips
 * them, so one broken run never hides the others. Loads no TensorFlow.js.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  META_FILE,
  RESERVED_EXPERIMENT_FOLDERS,
  statusName,
  TRASH_FOLDER,
  type ExperimentInfo,
  type RunInfo,
} from './layout';
import { parseMetaYaml } from './yaml';

export interface MetricPoint {
  timestamp: number;
  value: number;
  step: number;
}

export interface RunRecord extends RunInfo {
  params: Record<string, string>;
  tags: Record<string, string>;
  /** Every logged value of each metric, in the order they were logged. */
  metrics: Record<string, MetricPoint[]>;
}

/**
 * The files under mlruns/ may be written by graded code, and are read in the
 * grader: each is measured before it is read, and one larger than any real
 * run writes is skipped rather than parsed (a 250 MB metric file would take
 * the grader's memory with it).
 */
const MAX_FILE_BYTES = 8 * 1024 * 1024;
const MAX_FILES_PER_FOLDER = 10000;

function readSmall(file: string): string {
  const size = fs.statSync(file).size;
  if (size > MAX_FILE_BYTES) throw new Error(`${file} is ${size} bytes, over the ${MAX_FILE_BYTES} read`);
  return fs.readFileSync(file, 'utf8');
}

function readMeta(dir: string): Record<string, unknown> | undefined {
  try {
    return parseMetaYaml(readSmall(path.join(dir, META_FILE)));
  } catch {
    return undefined;
  }
}

function num(v: unknown, fallback = 0): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

function str(v: unknown): string {
  // The keys read are scalars in meta.yaml; a stray mapping reads '[object Object]' rather than failing the listing.
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- see above
  return v === null || v === undefined ? '' : String(v);
}

function subdirs(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
  } catch {
    return [];
  }
}

/** Active experiments under an mlruns folder (MLflow's search_experiments without filters). */
export function listExperiments(root: string): ExperimentInfo[] {
  const out: ExperimentInfo[] = [];
  for (const name of subdirs(root)) {
    if (name === TRASH_FOLDER || name === 'models') continue;
    const meta = readMeta(path.join(root, name));
    if (!meta || str(meta.experiment_id) !== name) continue;
    out.push({
      experimentId: name,
      name: str(meta.name),
      artifactLocation: str(meta.artifact_location),
      lifecycleStage: meta.lifecycle_stage === 'deleted' ? 'deleted' : 'active',
      creationTime: num(meta.creation_time),
      lastUpdateTime: num(meta.last_update_time),
    });
  }
  return out.sort((a, b) => a.creationTime - b.creationTime || a.experimentId.localeCompare(b.experimentId));
}

/** Files under a folder, by their path relative to it with `/` separators (a key may contain `/`). */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(dir, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (out.length >= MAX_FILES_PER_FOLDER) return;
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(child);
      else if (e.isFile() && !e.name.endsWith('.tmp')) out.push(child);
    }
  };
  walk('');
  return out.sort();
}

function readValues(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of filesUnder(dir)) {
    try {
      out[key] = readSmall(path.join(dir, ...key.split('/')));
    } catch {
      /* vanished while reading, or too large to be a real value */
    }
  }
  return out;
}

/** Parses a metric file: lines of "timestamp value [step]", as MLflow reads them. */
export function parseMetricFile(text: string): MetricPoint[] {
  const points: MetricPoint[] = [];
  for (const line of text.split('\n')) {
    const parts = line.trim().split(' ');
    if (parts.length !== 2 && parts.length !== 3) continue;
    const timestamp = Number(parts[0]);
    const value = parsePythonFloat(parts[1]);
    const step = parts.length === 3 ? Number(parts[2]) : 0;
    if (!Number.isFinite(timestamp) || !Number.isFinite(step) || value === undefined) continue;
    points.push({ timestamp, value, step });
  }
  return points;
}

function parsePythonFloat(text: string): number | undefined {
  const t = text.toLowerCase();
  if (t === 'nan') return NaN;
  if (t === 'inf' || t === 'infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  const v = Number(text);
  return text !== '' && Number.isFinite(v) ? v : undefined;
}

/** The value MLflow shows for a metric: the one with the largest (step, timestamp, value). */
export function latest(points: readonly MetricPoint[]): MetricPoint | undefined {
  let best: MetricPoint | undefined;
  for (const p of points) {
    if (
      !best ||
      p.step > best.step ||
      (p.step === best.step &&
        (p.timestamp > best.timestamp || (p.timestamp === best.timestamp && p.value > best.value)))
    )
      best = p;
  }
  return best;
}

export function readRun(root: string, experimentId: string, runId: string): RunRecord | undefined {
  const dir = path.join(root, experimentId, runId);
  const meta = readMeta(dir);
  if (!meta || str(meta.experiment_id) !== experimentId) return undefined;
  const id = str(meta.run_id || meta.run_uuid);
  if (id !== runId) return undefined;
  const tags = readValues(path.join(dir, 'tags'));
  const metrics: Record<string, MetricPoint[]> = {};
  const metricsDir = path.join(dir, 'metrics');
  for (const key of filesUnder(metricsDir)) {
    try {
      const points = parseMetricFile(readSmall(path.join(metricsDir, ...key.split('/'))));
      if (points.length) metrics[key] = points;
    } catch {
      /* vanished while reading, or too large to be a real metric */
    }
  }
  return {
    runId: id,
    experimentId,
    runName: str(meta.run_name) || tags['mlflow.runName'] || '',
    userId: str(meta.user_id),
    status: statusName(meta.status ?? 1),
    startTime: num(meta.start_time),
    endTime: typeof meta.end_time === 'number' ? meta.end_time : null,
    artifactUri: str(meta.artifact_uri),
    lifecycleStage: meta.lifecycle_stage === 'deleted' ? 'deleted' : 'active',
    params: readValues(path.join(dir, 'params')),
    tags,
    metrics,
  };
}

/** Active runs of an experiment, oldest first. */
export function listRuns(root: string, experimentId: string): RunRecord[] {
  const dir = path.join(root, experimentId);
  const runs: RunRecord[] = [];
  for (const name of subdirs(dir)) {
    if (RESERVED_EXPERIMENT_FOLDERS.includes(name)) continue;
    const run = readRun(root, experimentId, name);
    if (run && run.lifecycleStage === 'active') runs.push(run);
  }
  return runs.sort((a, b) => a.startTime - b.startTime || a.runId.localeCompare(b.runId));
}
