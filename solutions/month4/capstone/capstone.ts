// Reference solution for month4/capstone: one model carried from raw rows to
// a monitored service. Each stage is a small function of the one before it;
// the grader calls them in order and feeds each one's output to the next.
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
const INPUTS = Object.keys(SCHEMA).filter((c) => c !== TARGET);

// ---- Stage 1: validate and clean ---------------------------------------------------------------

function checkCell(column: string, value: Value | undefined): string | undefined {
  const spec = SCHEMA[column];
  if (value === null || value === undefined || value === '' || (typeof value === 'number' && Number.isNaN(value)))
    return 'missing';
  if (spec.type === 'number') {
    const ok = typeof value === 'number' && Number.isFinite(value) && value >= spec.min && value <= spec.max;
    return ok ? undefined : `out of range [${spec.min}, ${spec.max}]`;
  }
  return typeof value === 'string' && spec.levels.includes(value) ? undefined : `not one of ${spec.levels.join(', ')}`;
}

function rowKey(row: Row): string {
  return JSON.stringify(
    Object.keys(row)
      .sort()
      .map((k) => [k, row[k]]),
  );
}

function pearson(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

/** Extra numeric columns that follow the wage too closely to be known before it: the target in disguise. */
function leakingColumns(rows: Row[]): string[] {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((c) => !(c in SCHEMA));
  const good = rows.filter((r) => checkCell(TARGET, r[TARGET]) === undefined);
  return columns.filter((c) => {
    const pairs = good.filter((r) => typeof r[c] === 'number' && Number.isFinite(r[c]));
    if (pairs.length < 30) return false;
    return (
      Math.abs(
        pearson(
          pairs.map((r) => r[c] as number),
          pairs.map((r) => r[TARGET] as number),
        ),
      ) > 0.9
    );
  });
}

export function clean(rows: Row[]): Row[] {
  const leaks = leakingColumns(rows);
  const seen = new Set<string>();
  const out: Row[] = [];
  for (const row of rows) {
    if (Object.keys(SCHEMA).some((c) => checkCell(c, row[c]) !== undefined)) continue;
    const key = rowKey(row);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(Object.fromEntries(Object.entries(row).filter(([k]) => !leaks.includes(k))));
  }
  return out;
}

// ---- Stage 2: a content-addressed lock ---------------------------------------------------------

export interface Lock {
  hash: string;
  files: Record<string, string>;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The lock of a one-file dataset, train.json = JSON.stringify(rows): data-versioning's manifest format. */
export function lock(rows: Row[]): Lock {
  const files = { 'train.json': sha256(JSON.stringify(rows)) };
  const manifest = Object.keys(files)
    .sort()
    .map((p) => `${files[p as keyof typeof files]}  ${p}\n`)
    .join('');
  return { hash: sha256(manifest), files };
}

// ---- Stage 3: train and track ------------------------------------------------------------------

export interface LinearModel {
  features: string[];
  mean: number[];
  std: number[];
  weights: number[];
  bias: number;
}

export interface TrackedRun {
  id: string;
  params: Record<string, number | string | boolean>;
  metrics: { train_rmse: number; val_rmse: number };
  dataHash: string;
}

const FEATURES = INPUTS.flatMap((c) => {
  const spec = SCHEMA[c];
  // One level of each category is left out: it is what the bias stands for.
  return spec.type === 'number' ? [c] : spec.levels.slice(1).map((l) => `${c}=${l}`);
});
const L2 = 1;

function featureValue(row: Row, feature: string): number {
  const eq = feature.indexOf('=');
  if (eq < 0) return Number(row[feature]);
  return row[feature.slice(0, eq)] === feature.slice(eq + 1) ? 1 : 0;
}

export function predictLog(model: LinearModel, row: Row): number {
  let s = model.bias;
  model.features.forEach((f, j) => (s += (model.weights[j] * (featureValue(row, f) - model.mean[j])) / model.std[j]));
  return s;
}

function rmse(model: LinearModel, rows: Row[]): number {
  const se = rows.reduce((a, r) => a + (predictLog(model, r) - Math.log(r[TARGET] as number)) ** 2, 0);
  return Math.sqrt(se / rows.length);
}

function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = c + 1; r < n; r++) {
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  const w = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r][n];
    for (let k = r + 1; k < n; k++) s -= m[r][k] * w[k];
    w[r] = s / m[r][r];
  }
  return w;
}

/** Ridge regression of log wage on standardised features, fitted on the training rows only. */
function fitRidge(rows: Row[], l2: number): LinearModel {
  const x = rows.map((r) => FEATURES.map((f) => featureValue(r, f)));
  const y = rows.map((r) => Math.log(r[TARGET] as number));
  const d = FEATURES.length;
  const mean = FEATURES.map((_, j) => x.reduce((a, r) => a + r[j], 0) / x.length);
  const std = mean.map((m, j) => Math.sqrt(x.reduce((a, r) => a + (r[j] - m) ** 2, 0) / x.length) || 1);
  const z = x.map((r) => r.map((v, j) => (v - mean[j]) / std[j]));
  const bias = y.reduce((a, b) => a + b, 0) / y.length;
  const a = Array.from({ length: d }, (_, i) =>
    Array.from({ length: d }, (_, j) => z.reduce((s, r) => s + r[i] * r[j], 0) + (i === j ? l2 : 0)),
  );
  const b = Array.from({ length: d }, (_, i) => z.reduce((s, r, n) => s + r[i] * (y[n] - bias), 0));
  return { features: [...FEATURES], mean, std, weights: solve(a, b), bias };
}

export function train(rows: Row[], dataLock: Lock): { model: LinearModel; run: TrackedRun } {
  const trainRows = rows.filter((_, i) => i % 5 !== 4);
  const valRows = rows.filter((_, i) => i % 5 === 4);
  const model = fitRidge(trainRows, L2);
  const run: TrackedRun = {
    id: `ridge-l2-${L2}-${dataLock.hash.slice(0, 8)}`,
    params: { model: 'ridge', l2: L2, features: FEATURES.length },
    metrics: { train_rmse: rmse(model, trainRows), val_rmse: rmse(model, valRows) },
    dataHash: dataLock.hash,
  };
  return { model, run };
}

// ---- Stage 4: the registry (month4/registry's store) -------------------------------------------

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
  const out = structuredClone(registry);
  const version = Math.max(0, ...out.versions.map((v) => v.version)) + 1;
  out.versions.push({ ...structuredClone(lineage), version, stage: 'none' });
  out.history.push({ action: 'register', version });
  return out;
}

function refusal(registry: Registry, candidate: number, rule: Rule): string | undefined {
  const cand = registry.versions.find((v) => v.version === candidate);
  if (!cand) return `there is no version ${candidate}`;
  if (cand.stage === 'production') return `version ${candidate} is already in production`;
  if (cand.stage === 'archived') return `version ${candidate} is archived`;
  const champ = registry.versions.find((v) => v.stage === 'production');
  if (!champ) return undefined;
  if (cand.dataVersion < champ.dataVersion) return 'trained on older data than the champion';
  if (cand.dataVersion === champ.dataVersion && cand.dataHash !== champ.dataHash)
    return 'same data version as the champion, another lock hash';
  const c = cand.metrics.validation[rule.metric];
  const h = champ.metrics.validation[rule.metric];
  if (!Number.isFinite(c) || !Number.isFinite(h)) return `validation ${rule.metric} missing`;
  const gain = rule.higherIsBetter ? c - h : h - c;
  return gain < rule.minDelta ? `validation ${rule.metric} gains ${gain.toFixed(4)} < ${rule.minDelta}` : undefined;
}

export function promote(
  registry: Registry,
  candidate: number,
  rule: Rule,
): { registry: Registry; promoted: boolean; reason: string } {
  const no = refusal(registry, candidate, rule);
  if (no) return { registry, promoted: false, reason: no };
  const out = structuredClone(registry);
  for (const v of out.versions) {
    if (v.stage === 'production') v.stage = 'archived';
    if (v.version === candidate) v.stage = 'production';
  }
  out.history.push({ action: 'promote', version: candidate });
  return { registry: out, promoted: true, reason: `version ${candidate} beats the champion by the rule` };
}

// ---- Stage 5: serving --------------------------------------------------------------------------

export interface Response {
  status: number;
  body: { wage: number } | { error: string };
}

export function predict(model: LinearModel, body: unknown): Response {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    return { status: 400, body: { error: 'the body must be a JSON object of the input columns' } };
  const row = body as Row;
  for (const column of INPUTS) {
    const problem = checkCell(column, row[column]);
    if (problem) return { status: 400, body: { error: `${column}: ${problem}` } };
  }
  return { status: 200, body: { wage: Math.exp(predictLog(model, row)) } };
}

// ---- Stage 6: monitoring -----------------------------------------------------------------------

function ksStatistic(a: number[], b: number[]): number {
  const x = Float64Array.from(a).sort();
  const y = Float64Array.from(b).sort();
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i], y[j]);
    while (i < x.length && x[i] <= v) i++;
    while (j < y.length && y[j] <= v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  return d;
}

function ksPValue(d: number, n: number, m: number): number {
  const en = Math.sqrt((n * m) / (n + m));
  const lambda = (en + 0.12 + 0.11 / en) * d;
  let sum = 0;
  for (let k = 1; k <= 100; k++) {
    const term = 2 * (k % 2 === 1 ? 1 : -1) * Math.exp(-2 * k * k * lambda * lambda);
    sum += term;
    if (Math.abs(term) < 1e-12) break;
  }
  return Math.min(1, Math.max(0, sum));
}

function normalPValue(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return poly * Math.exp(-x * x);
}

/** Two-proportion z-test: is the share of rows with `hit` the same in both? */
function shareP(a: Row[], b: Row[], hit: (r: Row) => boolean): number {
  const k1 = a.filter(hit).length;
  const k2 = b.filter(hit).length;
  const p = (k1 + k2) / (a.length + b.length);
  const se = Math.sqrt(p * (1 - p) * (1 / a.length + 1 / b.length));
  return se === 0 ? 1 : normalPValue((k1 / a.length - k2 / b.length) / se);
}

const ALPHA = 0.01;

/** One test per input (KS on the wide numeric columns, a share test per 0/1 column and per level), Bonferroni. */
export function monitor(reference: Row[], batch: Row[]): { drift: boolean; column?: string; pValue?: number } {
  const tests: { column: string; p: number }[] = [];
  for (const column of INPUTS) {
    const spec = SCHEMA[column];
    if (spec.type === 'category') {
      for (const level of spec.levels) tests.push({ column, p: shareP(reference, batch, (r) => r[column] === level) });
    } else if (spec.max - spec.min <= 1) {
      tests.push({ column, p: shareP(reference, batch, (r) => r[column] === spec.max) });
    } else {
      const a = reference.map((r) => r[column] as number);
      const b = batch.map((r) => r[column] as number);
      tests.push({ column, p: ksPValue(ksStatistic(a, b), a.length, b.length) });
    }
  }
  const worst = tests.reduce((m, t) => (t.p < m.p ? t : m));
  return { drift: worst.p < ALPHA / tests.length, column: worst.column, pValue: worst.p };
}
