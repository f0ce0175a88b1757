/**
 * `mlpath runs [--exercise <id>] [--sort <metric>]`: the tracked runs in the
 * workspace's `mlruns/` folders, ready to compare: params, the latest value
 * of each metric, the chosen run. Reads MLflow's file-store layout (what
 * `ctx.tracker` writes, or MLflow itself); loads no TensorFlow.js.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LoadedExercise } from '../curriculum';
import { UsageError } from '../errors';
import { CHECK_TAG, CHOSEN_TAG, latest, listExperiments, listRuns, type RunRecord } from '../tracking';
import { requireWorkspace } from '../workspace';
import { availableExercises, loadWorkspaceCurriculum } from '../workspace/curriculum';
import { availableExercise, exerciseAt } from './target';

export const RUNS_DEFAULTS = { limit: 20 };

export interface RunsOptions {
  cwd: string;
  /** Only this exercise's runs; default: the exercise folder the cwd is in, else every exercise. */
  exercise?: string;
  /** Order by this metric's latest value, highest first; `-name` for lowest first. Default: newest run first. */
  sort?: string;
  /** At most this many runs per experiment. */
  limit?: number;
}

export interface RunRow {
  id: string;
  name: string;
  status: string;
  startTime: number;
  endTime: number | null;
  params: Record<string, string>;
  /** Latest value of each metric (largest step), as MLflow shows it. */
  metrics: Record<string, number>;
  /** How many values each metric has (its steps). */
  points: Record<string, number>;
  chosen: boolean;
  /** The `mlpath check` that made the run, when it was one. */
  check?: string;
  /** That check's number in this experiment: 1 for the oldest. */
  checkNumber?: number;
}

export interface ExperimentRuns {
  exercise: string;
  /** The mlruns folder, relative to the workspace root. */
  mlruns: string;
  experimentId: string;
  experimentName: string;
  /** Runs in display order, at most `limit`. */
  runs: RunRow[];
  /** Runs in the experiment, shown or not. */
  total: number;
  /** Params that differ between the shown runs: the columns worth comparing. */
  varying: string[];
  /** Params every shown run has with the same value. */
  constant: Record<string, string>;
  metricKeys: string[];
}

export interface RunsResult {
  root: string;
  experiments: ExperimentRuns[];
  /** Exercises whose folders were looked at. */
  searched: string[];
  sort?: string;
  /** A metric given to --sort that no shown run has. */
  unknownSort?: string;
  /** Exercises of this workspace that track runs (kind `tracking`). */
  trackingExercises: string[];
}

function row(r: RunRecord): RunRow {
  const metrics: Record<string, number> = {};
  const points: Record<string, number> = {};
  for (const [k, pts] of Object.entries(r.metrics)) {
    metrics[k] = latest(pts)!.value;
    points[k] = pts.length;
  }
  return {
    id: r.runId,
    name: r.runName,
    status: r.status,
    startTime: r.startTime,
    endTime: r.endTime,
    params: r.params,
    metrics,
    points,
    chosen: r.tags[CHOSEN_TAG] === 'true',
    check: r.tags[CHECK_TAG],
  };
}

function sortRows(rows: RunRow[], sort: string | undefined): RunRow[] {
  if (!sort) return [...rows].sort((a, b) => b.startTime - a.startTime);
  const ascending = sort.startsWith('-');
  const key = ascending ? sort.slice(1) : sort;
  const value = (r: RunRow): number => {
    const v = r.metrics[key];
    return v === undefined || Number.isNaN(v) ? (ascending ? Infinity : -Infinity) : v;
  };
  return [...rows].sort((a, b) => (ascending ? value(a) - value(b) : value(b) - value(a)) || b.startTime - a.startTime);
}

function describeParams(rows: RunRow[]): { varying: string[]; constant: Record<string, string> } {
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r.params)))].sort();
  const varying: string[] = [];
  const constant: Record<string, string> = {};
  for (const k of keys) {
    const first = rows[0].params[k];
    if (rows.length > 1 && rows.every((r) => r.params[k] === first)) constant[k] = first;
    else varying.push(k);
  }
  return { varying, constant };
}

function experimentsOf(ex: LoadedExercise, root: string, opts: RunsOptions): ExperimentRuns[] {
  const mlruns = path.join(root, ...ex.key.split('/'), 'mlruns');
  if (!fs.existsSync(mlruns)) return [];
  const limit = opts.limit ?? RUNS_DEFAULTS.limit;
  const out: ExperimentRuns[] = [];
  for (const e of listExperiments(mlruns)) {
    if (e.lifecycleStage !== 'active') continue;
    const all = listRuns(mlruns, e.experimentId).map(row);
    if (all.length === 0) continue;
    const checks = [...new Set(all.map((r) => r.check).filter((id): id is string => id !== undefined))];
    for (const r of all) if (r.check !== undefined) r.checkNumber = checks.indexOf(r.check) + 1;
    const runs = sortRows(all, opts.sort).slice(0, limit);
    out.push({
      exercise: ex.key,
      mlruns: path.relative(root, mlruns).split(path.sep).join('/'),
      experimentId: e.experimentId,
      experimentName: e.name,
      runs,
      total: all.length,
      ...describeParams(runs),
      metricKeys: [...new Set(runs.flatMap((r) => Object.keys(r.metrics)))].sort(),
    });
  }
  return out;
}

export async function run(opts: RunsOptions): Promise<RunsResult> {
  if (opts.limit !== undefined && (!Number.isInteger(opts.limit) || opts.limit < 1)) {
    throw new UsageError(`--limit must be a whole number of runs, at least 1 (got ${opts.limit})`);
  }
  const ws = requireWorkspace(opts.cwd);
  const { curriculum } = loadWorkspaceCurriculum(ws);
  const available = availableExercises(curriculum, ws.config.track);
  let exercises: LoadedExercise[];
  if (opts.exercise) exercises = [availableExercise(curriculum, available, opts.exercise, ws.config.track)];
  else {
    const here = exerciseAt(ws, opts.cwd, available);
    exercises = here ? [here] : available;
  }
  const experiments = exercises.flatMap((ex) => experimentsOf(ex, ws.root, opts));
  const sortKey = opts.sort?.replace(/^-/, '');
  const known = experiments.some((e) => e.metricKeys.includes(sortKey ?? ''));
  return {
    root: ws.root,
    experiments,
    searched: exercises.map((e) => e.key),
    sort: opts.sort,
    unknownSort: sortKey && experiments.length && !known ? sortKey : undefined,
    trackingExercises: available.filter((e) => e.kind === 'tracking').map((e) => e.key),
  };
}
