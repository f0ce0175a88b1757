/**
 * What learner code sees of the tracker (`ctx.tracker` in month4/tracking):
 * MLflow's tracking API in TypeScript dress. Type-only, so `import type
 * { Tracker } from 'mlpath'` costs nothing at run time.
 */

export type ParamValue = string | number | boolean;
export type RunEndStatus = 'FINISHED' | 'FAILED' | 'KILLED';

/** One run of an experiment: one training with one set of hyperparameters. */
export interface TrackedRun {
  /** MLflow's run_id: 32 hex digits, also the run's folder name. */
  readonly id: string;
  readonly name: string;
  /** Records a hyperparameter. Params are immutable: logging the same key with another value throws. */
  logParam(key: string, value: ParamValue): void;
  logParams(params: Record<string, ParamValue>): void;
  /** Appends one value to the metric's history; `step` is usually the epoch (default 0). */
  logMetric(key: string, value: number, step?: number): void;
  logMetrics(metrics: Record<string, number | undefined>, step?: number): void;
  /** Sets (or overwrites) a tag: free-form metadata such as `mlpath.chosen`. */
  setTag(key: string, value: string): void;
  /**
   * Saves the run's trained model into its artifacts (`artifacts/model/`,
   * model.json and weights.bin), replacing one logged before. Log it once
   * training is over, so the model on disk is the one the run's last
   * metrics describe: graders and colleagues reload it from there.
   */
  logModel(model: import('@tensorflow/tfjs').LayersModel): Promise<void>;
  /** Ends the run (FINISHED unless told otherwise). A run never ended stays RUNNING. */
  end(status?: RunEndStatus): void;
}

/** A run as the store holds it, for comparing runs. */
export interface RunSummary {
  id: string;
  name: string;
  status: 'RUNNING' | 'SCHEDULED' | RunEndStatus;
  params: Record<string, string>;
  /** The latest value of every metric (the one with the largest step). */
  metrics: Record<string, number>;
  tags: Record<string, string>;
}

export interface Tracker {
  /** Where runs are written: the exercise's `mlruns/` folder, MLflow's file-store layout. */
  readonly root: string;
  readonly experimentId: string;
  readonly experimentName: string;
  /** Starts a run; `name` defaults to a random one like MLflow's (`clever-owl-123`). */
  startRun(options?: { name?: string; tags?: Record<string, string> }): TrackedRun;
  /**
   * Starts a run, calls `fn` with it and ends it: FINISHED when `fn`
   * returns, FAILED (and the error rethrown) when it throws, unless `fn`
   * ended the run itself. The `with mlflow.start_run():` of Python.
   */
  withRun<T>(
    options: { name?: string; tags?: Record<string, string> } | undefined,
    fn: (run: TrackedRun) => T | Promise<T>,
  ): Promise<T>;
  /** The runs this check started so far, oldest first (MLflow's search_runs). */
  runs(): RunSummary[];
}
