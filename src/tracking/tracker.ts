/**
 * The tracker learner code gets as `ctx.tracker`: an experiment in a file
 * store, runs that log params, metrics and tags. Every run it starts carries
 * a `mlpath.check` tag naming the check, so the grader (and `runs()`) can
 * tell this check's runs from the ones earlier checks left in `mlruns/`.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs';
import { UsageError } from '../errors';
import { saveModel } from '../serving/model-io';
import {
  MODEL_ARTIFACT,
  SOURCE_NAME_TAG,
  SOURCE_TYPE_TAG,
  USER_TAG,
  type ExperimentInfo,
  type RunInfo,
} from './layout';
import { latest, listRuns } from './reader';
import { FileStore } from './store';
import type { ParamValue, RunEndStatus, RunSummary, TrackedRun, Tracker } from './types';

/** Tag naming the check a run belongs to. */
export const CHECK_TAG = 'mlpath.check';
/** Tag (value `true`) marking the run whose model the learner returns. */
export const CHOSEN_TAG = 'mlpath.chosen';

export interface TrackerOptions {
  /** The `mlruns/` folder. */
  root: string;
  experimentName: string;
  /** Id of the check, written as the `mlpath.check` tag of every run. */
  checkId: string;
  /** Shown by MLflow as the run's source (the learner's entry file). */
  sourceName?: string;
  userId?: string;
  clock?: () => number;
}

function userName(): string {
  try {
    return os.userInfo().username || 'mlpath';
  } catch {
    return 'mlpath';
  }
}

function paramText(key: string, value: ParamValue): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new UsageError(
    `param ${key} must be a string, number or boolean, got ${value === null ? 'null' : typeof value}`,
  );
}

class Run implements TrackedRun {
  constructor(
    private readonly store: FileStore,
    private info: RunInfo,
  ) {}

  get id(): string {
    return this.info.runId;
  }

  get name(): string {
    return this.info.runName;
  }

  get ended(): boolean {
    return this.info.status !== 'RUNNING';
  }

  logParam(key: string, value: ParamValue): void {
    this.store.logParam(this.info, key, paramText(key, value));
  }

  logParams(params: Record<string, ParamValue>): void {
    for (const [k, v] of Object.entries(params)) this.logParam(k, v);
  }

  logMetric(key: string, value: number, step = 0): void {
    this.store.logMetric(this.info, key, value, step);
  }

  logMetrics(metrics: Record<string, number | undefined>, step = 0): void {
    for (const [k, v] of Object.entries(metrics)) if (v !== undefined) this.logMetric(k, v, step);
  }

  setTag(key: string, value: string): void {
    this.store.setTag(this.info, key, String(value));
  }

  async logModel(model: LayersModel): Promise<void> {
    if (typeof (model as { save?: unknown } | null)?.save !== 'function') {
      throw new UsageError(
        'run.logModel(model) takes a tf.LayersModel (a model built with tf.sequential() or tf.model()), which it saves with model.save()',
      );
    }
    await saveModel(model, path.join(this.store.artifactsDir(this.info), MODEL_ARTIFACT));
  }

  end(status: RunEndStatus = 'FINISHED'): void {
    if (!['FINISHED', 'FAILED', 'KILLED'].includes(status))
      throw new UsageError(`a run ends FINISHED, FAILED or KILLED, not ${String(status)}`);
    this.info = this.store.endRun(this.info, status);
  }
}

export class FileTracker implements Tracker {
  readonly root: string;
  readonly experimentId: string;
  readonly experimentName: string;
  private readonly store: FileStore;
  private readonly experiment: ExperimentInfo;
  private readonly userId: string;

  constructor(private readonly opts: TrackerOptions) {
    this.store = new FileStore(opts.root, opts.clock);
    this.root = this.store.root;
    this.experiment = this.store.experiment(opts.experimentName);
    this.experimentId = this.experiment.experimentId;
    this.experimentName = this.experiment.name;
    this.userId = opts.userId ?? userName();
  }

  startRun(options: { name?: string; tags?: Record<string, string> } = {}): TrackedRun {
    const tags: Record<string, string> = {
      [USER_TAG]: this.userId,
      [SOURCE_TYPE_TAG]: 'LOCAL',
      ...(this.opts.sourceName ? { [SOURCE_NAME_TAG]: this.opts.sourceName } : {}),
      ...options.tags,
      [CHECK_TAG]: this.opts.checkId,
    };
    const info = this.store.createRun(this.experiment, { runName: options.name, userId: this.userId, tags });
    return new Run(this.store, info);
  }

  async withRun<T>(
    options: { name?: string; tags?: Record<string, string> } | undefined,
    fn: (run: TrackedRun) => T | Promise<T>,
  ): Promise<T> {
    const run = this.startRun(options) as Run;
    // A run the function ended itself (say KILLED) keeps that status, as with mlflow.end_run() inside `with`.
    try {
      const out = await fn(run);
      if (!run.ended) run.end('FINISHED');
      return out;
    } catch (err) {
      if (!run.ended) run.end('FAILED');
      throw err;
    }
  }

  runs(): RunSummary[] {
    return listRuns(this.root, this.experimentId)
      .filter((r) => r.tags[CHECK_TAG] === this.opts.checkId)
      .map((r) => ({
        id: r.runId,
        name: r.runName,
        status: r.status,
        params: r.params,
        metrics: Object.fromEntries(Object.entries(r.metrics).map(([k, pts]) => [k, latest(pts)!.value])),
        tags: r.tags,
      }));
  }
}
