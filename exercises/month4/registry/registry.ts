// month4/registry: a model registry that promotes a challenger over the champion by a rule.
// Read README.md first. Check your work with:  mlpath check month4/registry
//
// The three exported functions exist but change nothing, so the check runs
// and tells you, case by case, what is still wrong. The store is plain JSON:
// take a registry, return the new one (copy it or change it, either works),
// and keep no state anywhere else.

/** Where a version is in its life: registered, under test, serving, retired. */
export type Stage = 'none' | 'staging' | 'production' | 'archived';

/** Where a model came from: the tracked run, the data it was trained on (month4/data-versioning's lock) and its scores. */
export interface Lineage {
  runId: string;
  /** The data version the run declares (1, 2, ...): higher is newer. */
  dataVersion: number;
  /** The lock hash of that data (fingerprint(dir).hash in month4/data-versioning). */
  dataHash: string;
  /** Each metric by name, on the training rows and on the validation rows. */
  metrics: { train: Record<string, number>; validation: Record<string, number> };
}

/** One registered model: its lineage, its number and its stage. */
export interface ModelVersion extends Lineage {
  version: number;
  stage: Stage;
}

/** One stage change, appended to the history and never edited. */
export interface HistoryEntry {
  action: 'register' | 'promote' | 'rollback';
  version: number;
}

/** The whole store. */
export interface Registry {
  versions: ModelVersion[];
  history: HistoryEntry[];
}

/** When a challenger may replace the champion. */
export interface Rule {
  /** The metric to compare, a key of metrics.validation. */
  metric: string;
  higherIsBetter: boolean;
  /** The smallest gain that counts as better. */
  minDelta: number;
}

export interface PromoteResult {
  registry: Registry;
  promoted: boolean;
  /** Why, in words (for the people reading the log). */
  reason: string;
}

export interface RollbackResult {
  registry: Registry;
  /** The version back in production, or null when there was none to go back to. */
  restored: number | null;
}

/** 1. Add a model as a new version (stage 'none'), and log it. */
export function register(registry: Registry, model: Lineage): Registry {
  // TODO: the new version number is one more than the highest so far (1 in an empty registry);
  // keep every earlier version as it is, copy the lineage as given, append
  // { action: 'register', version } to the history.
  void model;
  return registry;
}

/** 2. Promote `candidate` to production if it beats the champion by `rule`. */
export function promote(registry: Registry, candidate: number, rule: Rule): PromoteResult {
  // TODO: find the candidate and the champion (the version in production, if any). Refuse when
  // the candidate is already in production or archived, trained on older data than the champion,
  // declares the champion's data version with another hash, or does not beat it on
  // metrics.validation[rule.metric] by at least rule.minDelta. Otherwise archive the champion, put the
  // candidate in production and append { action: 'promote', version: candidate }.
  void candidate;
  void rule;
  return { registry, promoted: false, reason: 'TODO: not written yet' };
}

/** 3. Put back the champion the current production version replaced. */
export function rollback(registry: Registry): RollbackResult {
  // TODO: read the history: which versions were promoted, in which order, and which rollbacks
  // already undid some of them. Archive the current champion, put the previous one back in
  // production, append { action: 'rollback', version: restored }.
  return { registry, restored: null };
}
