/**
 * Suite of month4/registry: a model registry kept in a plain JSON store, whose
 * format the exercise fixes (README: versions with a stage and their lineage,
 * and a history of stage changes), so the grader reads the store the learner
 * returns instead of asking the learner's code what it contains.
 *
 * Every case hands one of the learner's functions a store the grader built
 * with its own reference operations below (a seeded scenario: runs, data
 * versions and their lock hashes, train and validation metrics), applies the
 * same operation here in plain JavaScript, and compares the whole store that
 * comes back: the stage of every version, its lineage, the history. The
 * scenarios are drawn so that each rule of a promotion decides one case: a
 * challenger better on validation but trained on older data, one better only
 * within the margin, one better on the training metric alone, one on the same
 * declared data version with another lock hash, a metric where lower is
 * better; two promotions must leave one version in production, a rollback
 * must restore the champion before the current one (history is a stack), and
 * promoting the production version again must change nothing.
 */
import { createHash } from 'node:crypto';
import { createRng, deriveSeed, type Rng } from '../../datasets/rng';
import type { Suite, SuiteCase } from './types';

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

/** Why the reference promoted or did not: each case's message names it. */
export type Decision =
  | 'first-champion'
  | 'beats-champion'
  | 'already-production'
  | 'archived'
  | 'unknown-version'
  | 'stale-data'
  | 'hash-mismatch'
  | 'missing-metric'
  | 'within-margin';

export interface PromoteResult {
  registry: Registry;
  promoted: boolean;
  reason: Decision;
}

export interface RollbackResult {
  registry: Registry;
  restored: number | null;
}

// ---- the reference, in plain JavaScript -------------------------------------

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

export function refRegister(registry: Registry, lineage: Lineage): Registry {
  const out = clone(registry);
  const version = out.versions.reduce((m, v) => Math.max(m, v.version), 0) + 1;
  out.versions.push({ ...clone(lineage), version, stage: 'none' });
  out.history.push({ action: 'register', version });
  return out;
}

/** The promotion decision alone, without changing anything. */
export function refDecide(registry: Registry, candidate: number, rule: Rule): Decision {
  const cand = registry.versions.find((v) => v.version === candidate);
  if (!cand) return 'unknown-version';
  if (cand.stage === 'production') return 'already-production';
  if (cand.stage === 'archived') return 'archived';
  const champ = registry.versions.find((v) => v.stage === 'production');
  if (!champ) return 'first-champion';
  if (cand.dataVersion < champ.dataVersion) return 'stale-data';
  if (cand.dataVersion === champ.dataVersion && cand.dataHash !== champ.dataHash) return 'hash-mismatch';
  const c = cand.metrics.validation[rule.metric];
  const h = champ.metrics.validation[rule.metric];
  if (!Number.isFinite(c) || !Number.isFinite(h)) return 'missing-metric';
  const gain = rule.higherIsBetter ? c - h : h - c;
  return gain >= rule.minDelta ? 'beats-champion' : 'within-margin';
}

export function refPromote(registry: Registry, candidate: number, rule: Rule): PromoteResult {
  const reason = refDecide(registry, candidate, rule);
  const out = clone(registry);
  const promoted = reason === 'first-champion' || reason === 'beats-champion';
  if (promoted) {
    for (const v of out.versions) {
      if (v.stage === 'production') v.stage = 'archived';
      if (v.version === candidate) v.stage = 'production';
    }
    out.history.push({ action: 'promote', version: candidate });
  }
  return { registry: out, promoted, reason };
}

/** The production versions in the order they took over, as the history stacks them: promote pushes, rollback pops. */
export function productionStack(history: HistoryEntry[]): number[] {
  const stack: number[] = [];
  for (const h of history) {
    if (h.action === 'promote') stack.push(h.version);
    if (h.action === 'rollback') stack.pop();
  }
  return stack;
}

export function refRollback(registry: Registry): RollbackResult {
  const out = clone(registry);
  const stack = productionStack(out.history);
  if (stack.length < 2) return { registry: out, restored: null };
  const current = stack[stack.length - 1];
  const previous = stack[stack.length - 2];
  for (const v of out.versions) {
    if (v.version === current) v.stage = 'archived';
    if (v.version === previous) v.stage = 'production';
  }
  out.history.push({ action: 'rollback', version: previous });
  return { registry: out, restored: previous };
}

// ---- comparing a returned store with the reference's ------------------------

function describeValue(value: unknown): string {
  if (value === undefined || value === null) return `returned ${String(value)}`;
  if (Array.isArray(value)) return 'returned an array';
  return `returned a ${typeof value}`;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function sortedKeys(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.keys(o ?? {})
      .sort()
      .map((k) => [k, o[k]]),
  );
}

function lineageOf(v: Partial<ModelVersion> | null | undefined): unknown {
  if (!v || typeof v !== 'object') return undefined;
  const m = (v.metrics ?? {}) as Partial<Lineage['metrics']>;
  return {
    runId: v.runId,
    dataVersion: v.dataVersion,
    dataHash: v.dataHash,
    metrics: { train: sortedKeys(m.train ?? {}), validation: sortedKeys(m.validation ?? {}) },
  };
}

const STAGES: readonly string[] = ['none', 'staging', 'production', 'archived'];

/** What is wrong with a returned registry against the reference's; undefined when they agree. */
export function registryProblem(value: unknown, want: Registry, before: Registry): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return `the registry: ${describeValue(value)}; expected { versions, history }`;
  const got = value as Partial<Registry>;
  if (!Array.isArray(got.versions)) return 'registry.versions must be an array of model versions';
  if (!Array.isArray(got.history)) return 'registry.history must be an array of { action, version }';
  const versions = got.versions as Partial<ModelVersion>[];
  if (versions.some((v) => v === null || typeof v !== 'object'))
    return 'registry.versions must hold one object per version';
  const numbers = versions.map((v) => v?.version);
  if (new Set(numbers).size !== numbers.length)
    return `version numbers [${numbers.join(', ')}] repeat: each version keeps its own number for good`;
  const wantNumbers = want.versions.map((v) => v.version);
  const added = wantNumbers.filter((n) => !numbers.includes(n) && !before.versions.some((v) => v.version === n));
  if (added.length)
    return `version ${added.join(', ')} was not added (the registry has [${numbers.join(', ')}]): a new version is numbered one more than the highest so far`;
  const missing = wantNumbers.filter((n) => !numbers.includes(n));
  if (missing.length)
    return `${missing.length > 1 ? 'versions' : 'version'} ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} gone from the registry (it has [${numbers.join(', ')}]): a registry never deletes or overwrites a version, it archives it`;
  const extra = numbers.filter((n) => !wantNumbers.includes(n as number));
  if (extra.length) return `unexpected version ${extra.join(', ')} (expected [${wantNumbers.join(', ')}])`;
  const inProduction = versions.filter((v) => v.stage === 'production').map((v) => v.version);
  if (inProduction.length > 1)
    return `versions ${inProduction.join(' and ')} are both in production: exactly one version serves; archive the old champion`;
  for (const w of want.versions) {
    const v = versions.find((x) => x.version === w.version)!;
    if (!STAGES.includes(v.stage as string))
      return `version ${w.version} has stage ${JSON.stringify(v.stage)}; a stage is one of ${STAGES.join(', ')}`;
    if (!same(lineageOf(v), lineageOf(w)))
      return `the lineage of version ${w.version} changed (runId, dataVersion, dataHash and metrics are kept as registered)`;
  }
  for (const w of want.versions) {
    const v = versions.find((x) => x.version === w.version)!;
    if (v.stage !== w.stage) return `version ${w.version} is in stage '${v.stage}', expected '${w.stage}'`;
  }
  const history = got.history as Partial<HistoryEntry>[];
  const plainHistory = history.map((h) => ({ action: h?.action, version: h?.version }));
  if (!same(plainHistory.slice(0, before.history.length), before.history))
    return 'the history lost or changed an earlier entry: history is append-only, every stage change stays in it';
  if (!same(plainHistory, want.history)) {
    const show = (h: { action?: unknown; version?: unknown }[]): string =>
      `[${h
        .slice(before.history.length)
        .map((e) => `${String(e.action)} ${String(e.version)}`)
        .join(', ')}]`;
    return `the history gained ${show(plainHistory)}, expected ${show(want.history)}: one entry per stage change, none for a call that changed nothing`;
  }
  return undefined;
}

const WHY: Record<Decision, string> = {
  'first-champion': 'there is no champion yet, so the first candidate becomes production',
  'beats-champion':
    'the challenger beats the champion on the validation metric by at least minDelta, on the same or newer data',
  'already-production': 'the candidate is already in production: promoting it again changes nothing (idempotent)',
  archived: 'the candidate is archived; rollback, not promote, brings an old champion back',
  'unknown-version': 'there is no such version',
  'stale-data': 'the challenger was trained on an older data version than the champion',
  'hash-mismatch': "the challenger declares the champion's data version but its data lock hash differs",
  'missing-metric': 'the rule names a metric one of the two versions did not record',
  'within-margin': 'the challenger does not beat the champion on the validation metric by minDelta',
};

export function promoteCheck(
  registry: Registry,
  candidate: number,
  rule: Rule,
): (value: unknown) => string | undefined {
  const want = refPromote(registry, candidate, rule);
  return (value) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      return `${describeValue(value)}; expected { registry, promoted, reason }`;
    const got = value as Partial<PromoteResult>;
    if (typeof got.promoted !== 'boolean') return 'promoted must be true or false';
    if (typeof got.reason !== 'string' || got.reason.trim() === '')
      return 'reason must say in words why the candidate was or was not promoted';
    if (got.promoted !== want.promoted)
      return `promoted is ${String(got.promoted)}, expected ${String(want.promoted)}: ${WHY[want.reason]}`;
    const problem = registryProblem(got.registry, want.registry, registry);
    return problem ? `${problem} (${WHY[want.reason]})` : undefined;
  };
}

function rollbackCheck(registry: Registry): (value: unknown) => string | undefined {
  const want = refRollback(registry);
  return (value) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      return `${describeValue(value)}; expected { registry, restored }`;
    const got = value as Partial<RollbackResult>;
    if (got.restored !== want.restored) {
      const stack = productionStack(registry.history);
      const why =
        want.restored === null
          ? 'only one version was ever promoted, so there is nothing to go back to'
          : `the stack of champions in the history is [${stack.join(', ')}] (each promote pushes, each rollback pops), so version ${want.restored} comes back`;
      return `restored is ${JSON.stringify(got.restored)}, expected ${String(want.restored)}: ${why}`;
    }
    return registryProblem(got.registry, want.registry, registry);
  };
}

// ---- seeded scenarios -------------------------------------------------------

const round = (v: number, digits = 4): number => Number(v.toFixed(digits));

interface Metric {
  name: string;
  higherIsBetter: boolean;
  /** Typical value and spread, and the rule's minimum gain. */
  base: number;
  spread: number;
  minDelta: number;
}

const ACCURACY: Metric = { name: 'accuracy', higherIsBetter: true, base: 0.82, spread: 0.05, minDelta: 0.01 };
const RMSE: Metric = { name: 'rmse', higherIsBetter: false, base: 4.2, spread: 0.5, minDelta: 0.1 };

class Scenario {
  registry: Registry = { versions: [], history: [] };
  private runs = 0;
  constructor(
    private readonly rng: Rng,
    private readonly tag: string,
    readonly metric: Metric,
  ) {}

  get rule(): Rule {
    return { metric: this.metric.name, higherIsBetter: this.metric.higherIsBetter, minDelta: this.metric.minDelta };
  }

  dataHash(dataVersion: number): string {
    return createHash('sha256').update(`${this.tag}:data:${dataVersion}`).digest('hex');
  }

  /** `gain` in units of minDelta over `from`, in the direction that is better for this metric. */
  better(from: number, gain: number): number {
    const step = this.metric.minDelta * gain;
    return round(this.metric.higherIsBetter ? from + step : from - step);
  }

  lineage(dataVersion: number, validation: number, train?: number): Lineage {
    this.runs++;
    const id = createHash('sha256').update(`${this.tag}:run:${this.runs}`).digest('hex').slice(0, 12);
    const trainValue = train ?? this.better(validation, 1 + 3 * this.rng());
    const other = this.metric === ACCURACY ? 'f1' : 'mae';
    return {
      runId: `run-${id}`,
      dataVersion,
      dataHash: this.dataHash(dataVersion),
      metrics: {
        train: { [this.metric.name]: trainValue, [other]: round(this.rng()) },
        validation: { [this.metric.name]: validation, [other]: round(this.rng()) },
      },
    };
  }

  register(lineage: Lineage): number {
    this.registry = refRegister(this.registry, lineage);
    return this.registry.versions[this.registry.versions.length - 1].version;
  }

  promote(version: number): void {
    const r = refPromote(this.registry, version, this.rule);
    if (!r.promoted) throw new Error(`scenario ${this.tag}: version ${version} was not promoted (${r.reason})`);
    this.registry = r.registry;
  }

  rollback(): void {
    this.registry = refRollback(this.registry).registry;
  }

  /** Registers and promotes `n` champions on data version 1, each better than the last; returns the last's validation value. */
  champions(n: number, dataVersion = 1): number {
    let value = round(this.metric.base + (this.rng() - 0.5) * this.metric.spread);
    for (let i = 0; i < n; i++) {
      if (i > 0) value = this.better(value, 1.5 + 2 * this.rng());
      this.promote(this.register(this.lineage(dataVersion, value)));
    }
    return value;
  }

  get champion(): ModelVersion {
    return this.registry.versions.find((v) => v.stage === 'production')!;
  }
}

function registerCases(rng: Rng, seed: number): SuiteCase[] {
  const empty = new Scenario(rng, `${seed}:register-empty`, ACCURACY);
  const first = empty.lineage(1, 0.8);
  const busy = new Scenario(rng, `${seed}:register-busy`, RMSE);
  busy.champions(2);
  busy.register(busy.lineage(2, busy.better(busy.champion.metrics.validation.rmse, 0.3)));
  const next = busy.lineage(2, busy.better(busy.champion.metrics.validation.rmse, 2));
  const make = (s: Scenario, lineage: Lineage, title: string): SuiteCase => {
    const registry = clone(s.registry);
    const want = refRegister(registry, lineage);
    return {
      fn: 'register',
      title,
      args: [registry, lineage],
      verify: (value) => registryProblem(value, want, registry),
    };
  };
  return [
    make(empty, first, 'the first model into an empty registry: version 1, stage none'),
    make(
      busy,
      next,
      'a new model into a registry with an archived version, a champion and a candidate: the next version number, nothing else changed',
    ),
  ];
}

interface PromoteSpec {
  title: string;
  metric: Metric;
  /** Builds the state and returns the candidate's version. */
  build(s: Scenario, rng: Rng): number;
}

const PROMOTE_SPECS: PromoteSpec[] = [
  {
    title: 'a challenger better on validation by more than minDelta, on the same data',
    metric: ACCURACY,
    build: (s, rng) => {
      const v = s.champions(1);
      return s.register(s.lineage(1, s.better(v, 1.5 + rng())));
    },
  },
  {
    title: "a challenger clearly better on validation but trained on an older data version than the champion's",
    metric: ACCURACY,
    build: (s, rng) => {
      s.register(s.lineage(1, round(s.metric.base - 0.05)));
      const v = s.champions(1, 2);
      return s.register(s.lineage(1, s.better(v, 3 + rng())));
    },
  },
  {
    title: 'a challenger better on validation, but by less than minDelta (a tie within the margin)',
    metric: ACCURACY,
    build: (s, rng) => {
      const v = s.champions(2);
      return s.register(s.lineage(1, s.better(v, 0.2 + 0.5 * rng())));
    },
  },
  {
    title: 'a challenger much better on the training metric, worse on validation (it overfits)',
    metric: ACCURACY,
    build: (s, rng) => {
      const v = s.champions(1);
      const val = s.better(v, -(0.5 + rng()));
      return s.register(s.lineage(1, val, s.better(v, 8 + 2 * rng())));
    },
  },
  {
    title: 'a challenger better on validation by more than minDelta, worse than the champion on the training metric',
    metric: ACCURACY,
    build: (s, rng) => {
      const v = s.champions(1);
      const champTrain = s.champion.metrics.train.accuracy;
      return s.register(s.lineage(1, s.better(v, 2 + rng()), s.better(champTrain, -(2 + rng()))));
    },
  },
  {
    title: 'a challenger better on validation, trained on a newer data version',
    metric: ACCURACY,
    build: (s, rng) => {
      const v = s.champions(2);
      return s.register(s.lineage(2, s.better(v, 2 + rng())));
    },
  },
  {
    title: "a challenger better on validation that declares the champion's data version with another data lock hash",
    metric: ACCURACY,
    build: (s, rng) => {
      const v = s.champions(1, 2);
      const l = s.lineage(2, s.better(v, 2 + rng()));
      l.dataHash = createHash('sha256').update(`${l.runId}:edited data`).digest('hex');
      return s.register(l);
    },
  },
  {
    title: 'rmse, where lower is better: a challenger with an rmse lower by more than minDelta',
    metric: RMSE,
    build: (s, rng) => {
      const v = s.champions(1);
      return s.register(s.lineage(1, s.better(v, 2 + rng())));
    },
  },
  {
    title: 'rmse, where lower is better: a challenger with a higher (worse) rmse',
    metric: RMSE,
    build: (s, rng) => {
      const v = s.champions(2);
      return s.register(s.lineage(1, s.better(v, -(2 + rng()))));
    },
  },
  {
    title: 'no champion yet: the first candidate is promoted',
    metric: RMSE,
    build: (s) => {
      s.register(s.lineage(1, 4.5));
      return s.register(s.lineage(1, 4.4));
    },
  },
  {
    title: 'promoting the version already in production again (idempotent: nothing changes)',
    metric: ACCURACY,
    build: (s) => {
      s.champions(2);
      s.register(s.lineage(1, 0.5));
      return s.champion.version;
    },
  },
  {
    title: 'a second promotion: the registry already has an archived version; one production version after it',
    metric: RMSE,
    build: (s, rng) => {
      const v = s.champions(2);
      s.register(s.lineage(1, s.better(v, -1)));
      return s.register(s.lineage(2, s.better(v, 1.5 + rng())));
    },
  },
  {
    title: 'a challenger trained on a newer data version, but worse on validation (newer data is no reason on its own)',
    metric: ACCURACY,
    build: (s, rng) => {
      const v = s.champions(1);
      return s.register(s.lineage(2, s.better(v, -(1.5 + rng()))));
    },
  },
  {
    title: 'an archived version (rolled back) that beats the champion: archived versions are not promoted again',
    metric: RMSE,
    build: (s, rng) => {
      const v = s.champions(2);
      const next = s.register(s.lineage(1, s.better(v, 2 + rng())));
      s.promote(next);
      s.rollback();
      return next;
    },
  },
  {
    title: 'a version number the registry does not have',
    metric: ACCURACY,
    build: (s) => {
      s.champions(1);
      s.register(s.lineage(1, 0.9));
      return s.registry.versions.length + 3;
    },
  },
  {
    title: "a challenger whose validation metrics lack the rule's metric",
    metric: RMSE,
    build: (s, rng) => {
      const v = s.champions(1);
      const l = s.lineage(1, s.better(v, 2 + rng()));
      delete l.metrics.validation[s.metric.name];
      return s.register(l);
    },
  },
  {
    title: "a challenger in stage 'staging' that beats the champion",
    metric: ACCURACY,
    build: (s, rng) => {
      const v = s.champions(1);
      const c = s.register(s.lineage(1, s.better(v, 2 + rng())));
      s.registry.versions.find((x) => x.version === c)!.stage = 'staging';
      return c;
    },
  },
];

function promoteCases(rng: Rng, seed: number): SuiteCase[] {
  return PROMOTE_SPECS.map((spec, i) => {
    const s = new Scenario(rng, `${seed}:promote:${i}`, spec.metric);
    const candidate = spec.build(s, rng);
    const registry = clone(s.registry);
    const rule = s.rule;
    return {
      fn: 'promote',
      title: `${spec.title} (rule: ${rule.metric}, ${rule.higherIsBetter ? 'higher' : 'lower'} is better, minDelta ${rule.minDelta})`,
      args: [registry, candidate, rule],
      verify: promoteCheck(registry, candidate, rule),
      tag: refDecide(registry, candidate, rule),
    };
  });
}

function rollbackCases(rng: Rng, seed: number): SuiteCase[] {
  const two = new Scenario(rng, `${seed}:rollback:two`, ACCURACY);
  two.champions(2);
  two.register(two.lineage(1, 0.6));
  const again = new Scenario(rng, `${seed}:rollback:again`, RMSE);
  again.champions(3);
  again.rollback();
  const one = new Scenario(rng, `${seed}:rollback:one`, ACCURACY);
  one.champions(1);
  one.register(one.lineage(1, 0.7));
  const make = (s: Scenario, title: string): SuiteCase => {
    const registry = clone(s.registry);
    return { fn: 'rollback', title, args: [registry], verify: rollbackCheck(registry) };
  };
  return [
    make(two, 'after two promotions: the first champion comes back, the second is archived'),
    make(
      again,
      'after three promotions and one rollback: a second rollback goes back one more promotion, not forward again',
    ),
    make(one, 'after a single promotion: nothing to roll back to, nothing changes'),
  ];
}

export const suite: Suite = {
  id: 'registry',
  exports: ['register', 'promote', 'rollback'],
  cases(seed: number): SuiteCase[] {
    const rng = createRng(deriveSeed(seed, 'suite:registry'));
    return [...registerCases(rng, seed), ...promoteCases(rng, seed), ...rollbackCases(rng, seed)];
  },
};
