// Reference solution for month4/registry: a model registry kept in a plain
// JSON store. Versions are never overwritten, exactly one version serves, a
// challenger takes over only by the rule (validation metric, margin, data
// lineage), and the history is an append-only log that rollback reads as a
// stack of champions.

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

export interface HistoryEntry {
  action: 'register' | 'promote' | 'rollback';
  version: number;
}

export interface Registry {
  versions: ModelVersion[];
  history: HistoryEntry[];
}

export interface Rule {
  metric: string;
  higherIsBetter: boolean;
  minDelta: number;
}

export interface PromoteResult {
  registry: Registry;
  promoted: boolean;
  reason: string;
}

export interface RollbackResult {
  registry: Registry;
  restored: number | null;
}

const copy = (r: Registry): Registry => structuredClone(r);

export function register(registry: Registry, model: Lineage): Registry {
  const out = copy(registry);
  const version = Math.max(0, ...out.versions.map((v) => v.version)) + 1;
  out.versions.push({ ...structuredClone(model), version, stage: 'none' });
  out.history.push({ action: 'register', version });
  return out;
}

/** Why the candidate may not take over; undefined when it may. */
function refusal(registry: Registry, candidate: number, rule: Rule): string | undefined {
  const cand = registry.versions.find((v) => v.version === candidate);
  if (!cand) return `there is no version ${candidate}`;
  if (cand.stage === 'production') return `version ${candidate} is already in production`;
  if (cand.stage === 'archived') return `version ${candidate} is archived: use rollback to bring it back`;
  const champ = registry.versions.find((v) => v.stage === 'production');
  if (!champ) return undefined;
  if (cand.dataVersion < champ.dataVersion)
    return `trained on data version ${cand.dataVersion}, older than the champion's ${champ.dataVersion}`;
  if (cand.dataVersion === champ.dataVersion && cand.dataHash !== champ.dataHash)
    return `declares data version ${cand.dataVersion} but its data lock hash differs from the champion's`;
  const c = cand.metrics.validation[rule.metric];
  const h = champ.metrics.validation[rule.metric];
  if (!Number.isFinite(c) || !Number.isFinite(h)) return `validation ${rule.metric} missing`;
  const gain = rule.higherIsBetter ? c - h : h - c;
  if (gain < rule.minDelta)
    return `validation ${rule.metric} ${c} vs ${h}: a gain of ${gain.toFixed(4)}, less than ${rule.minDelta}`;
  return undefined;
}

export function promote(registry: Registry, candidate: number, rule: Rule): PromoteResult {
  const no = refusal(registry, candidate, rule);
  if (no) return { registry, promoted: false, reason: no };
  const out = copy(registry);
  for (const v of out.versions) {
    if (v.stage === 'production') v.stage = 'archived';
    if (v.version === candidate) v.stage = 'production';
  }
  out.history.push({ action: 'promote', version: candidate });
  return { registry: out, promoted: true, reason: `version ${candidate} beats the champion by the rule` };
}

export function rollback(registry: Registry): RollbackResult {
  // The champions in the order they took over: each promote pushes one, each rollback pops one.
  const stack: number[] = [];
  for (const h of registry.history) {
    if (h.action === 'promote') stack.push(h.version);
    if (h.action === 'rollback') stack.pop();
  }
  if (stack.length < 2) return { registry, restored: null };
  const [previous, current] = stack.slice(-2);
  const out = copy(registry);
  for (const v of out.versions) {
    if (v.version === current) v.stage = 'archived';
    if (v.version === previous) v.stage = 'production';
  }
  out.history.push({ action: 'rollback', version: previous });
  return { registry: out, restored: previous };
}
