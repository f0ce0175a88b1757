/**
 * Experiment tracking in MLflow's file-store layout: a tracker learner code
 * writes runs with, a reader for the grader and `mlpath runs`, and the audit
 * of a hyperparameter sweep.
 */
export * from './layout';
export { FileStore, experimentId, randomRunName, MAX_PARAM_LENGTH } from './store';
export {
  listExperiments,
  listRuns,
  readRun,
  latest,
  parseMetricFile,
  type MetricPoint,
  type RunRecord,
} from './reader';
export { FileTracker, CHECK_TAG, CHOSEN_TAG, type TrackerOptions } from './tracker';
export { auditAnswers, auditLoggedModels, auditSweep, type SweepAudit, type SweepRules } from './audit';
export { readLoggedModel, type LoggedModel } from './logged-model';
export { auditDataLocks, dataLockHash, DATA_LOCK_TAG, type LockedData } from './data-lock';
export type { Tracker, TrackedRun, RunSummary, ParamValue, RunEndStatus } from './types';
