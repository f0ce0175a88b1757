/**
 * Suite of month4/capstone: one model carried from raw rows to a monitored
 * service, graded as one chain.
 *
 * The raw rows are month2/data-quality's: the CPS 1985 wages survey with
 * defects injected by a seeded RNG the learner never sees, and a quarter of
 * the workers held out here, clean, for the final score (they never reach the
 * learner's process). The cases run in order and each stage gets the previous
 * stage's output (a case's `args` is read when it is sent, after the earlier
 * cases were verified): clean -> lock -> train -> register -> promote ->
 * predict -> monitor. When a stage fails, the next one gets the grader's own
 * version of what it should have received (the rows before any defect, the
 * grader's lock, a mean model), so each failure names its own stage and only it.
 *
 * Each stage is judged by the grader's own computation, reusing the earlier
 * suites' checks: clean by data-quality's (schema, duplicates, the leaking
 * column, rows kept) and its least squares, fitted on the cleaned rows, close
 * to the same fit on the rows before any defect; the lock by data-versioning's (a one-file dataset `train.json`); the
 * registry by registry's reference promotion. The model is a linear model of
 * log wage in a JSON format the grader evaluates itself: its logged metrics
 * are recomputed, its R² of log wage on the held-out workers is the `r2` metric, and two probes call
 * `train` again on rows whose wages the grader made up, to see that it fits
 * the rows it is given (not coefficients fitted elsewhere, e.g. on every
 * worker of the survey) and never the validation rows.
 */
import { createRng, deriveSeed, gaussian, randomInt, shuffleInPlace, type Rng } from '../../datasets/rng';
import { MAX_VS_ORACLE, SCHEMA, TARGET, cleanCases, heldOutRmse, makeDirtyTable, type Row } from './data-quality';
import { lockOf, type Lock } from '../../datasets/lock';
import { lockProblem } from './data-versioning';
import { readAlarm } from './drift';
import {
  promoteCheck,
  refPromote,
  refRegister,
  registryProblem,
  type Lineage,
  type Registry,
  type Rule,
} from './registry';
import { capCarried } from './carried';
import type { CaseOutcome, Suite, SuiteCase } from './types';

/** The model format of the contract: log wage = bias + sum_j weights[j] * (x_j - mean[j]) / std[j]. */
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

export const STAGES = ['clean', 'lock', 'train', 'registry', 'serve', 'monitor'] as const;
export type StageName = (typeof STAGES)[number];

/** Row i of the rows train() gets is a validation row when i % VAL_EVERY === VAL_EVERY - 1. */
export const VAL_EVERY = 5;
/** The logged metrics must be the model's own, within this (RMSE of log wage). */
export const METRIC_TOLERANCE = 1e-3;
/** On the made-up wages, the learner's model must fit the training rows nearly as well as the grader's ridge. */
export const PROBE_FIT_RATIO = 1.25;
export const PROBE_FIT_SLACK = 0.02;
/** Shifting only the validation rows' log wages by VAL_SHIFT may move no prediction by more than this. */
export const VAL_SHIFT = 1.2;
export const MAX_VAL_MOVE = 0.05;
export const RULE: Rule = { metric: 'rmse', higherIsBetter: false, minDelta: 0.01 };
export const BATCH_ROWS = 100;
export const QUIET_BATCHES = 8;
/** False alarms tolerated over the quiet batches. */
export const MAX_FALSE_ALARMS = 1;

const SCHEMA_WAGE = SCHEMA[TARGET] as { min: number; max: number };
const NUMERIC = Object.keys(SCHEMA).filter((k) => k !== TARGET && SCHEMA[k].type === 'number');
const CATEGORIES = Object.keys(SCHEMA).filter((k) => SCHEMA[k].type === 'category');
/** The features a model may use: every numeric column, and `column=level` indicators of the categories. */
export const FEATURES: readonly string[] = [
  ...NUMERIC,
  ...CATEGORIES.flatMap((c) => (SCHEMA[c] as { levels: string[] }).levels.map((l) => `${c}=${l}`)),
];
const REQUEST_COLUMNS = Object.keys(SCHEMA).filter((k) => k !== TARGET);

function featureValue(row: Row, feature: string): number {
  const eq = feature.indexOf('=');
  if (eq < 0) return Number(row[feature]);
  return row[feature.slice(0, eq)] === feature.slice(eq + 1) ? 1 : 0;
}

/** The model's log wage for one row, computed here. */
export function predictLog(model: LinearModel, row: Row): number {
  let s = model.bias;
  model.features.forEach((f, j) => (s += (model.weights[j] * (featureValue(row, f) - model.mean[j])) / model.std[j]));
  return s;
}

export function rmseOf(model: LinearModel, rows: Row[], label = (r: Row): number => Math.log(r[TARGET] as number)) {
  if (!rows.length) return NaN;
  const se = rows.reduce((a, r) => a + (predictLog(model, r) - label(r)) ** 2, 0);
  return Math.sqrt(se / rows.length);
}

export function splitRows(rows: Row[]): { train: Row[]; val: Row[] } {
  return {
    train: rows.filter((_, i) => i % VAL_EVERY !== VAL_EVERY - 1),
    val: rows.filter((_, i) => i % VAL_EVERY === VAL_EVERY - 1),
  };
}

/** The one-file dataset a lock covers: train.json, the rows as JSON.stringify writes them. */
export function lockOfRows(rows: Row[]): Lock {
  return lockOf({ 'train.json': JSON.stringify(rows) });
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The model in a train() answer, or what is wrong with it. */
export function readModel(value: unknown): LinearModel | string {
  if (!value || typeof value !== 'object') return 'model is missing: return { model, run }';
  const m = value as Partial<LinearModel>;
  if (!Array.isArray(m.features)) return 'model.features must be an array of feature names';
  const n = m.features.length;
  for (const key of ['mean', 'std', 'weights'] as const) {
    const a = m[key];
    if (!Array.isArray(a) || a.length !== n || !a.every(finite))
      return `model.${key} must hold ${n} finite numbers, one per feature`;
  }
  const unknown = m.features.find((f) => !FEATURES.includes(f));
  if (unknown !== undefined)
    return `model.features has ${JSON.stringify(unknown)}, not a schema column or a column=level indicator`;
  if (!m.std!.every((s) => s > 0)) return 'model.std must be positive';
  if (!finite(m.bias)) return 'model.bias must be a finite number';
  return m as LinearModel;
}

interface TrainAnswer {
  model: LinearModel;
  run: TrackedRun;
}

/** A train() answer checked for shape and honesty: its logged metrics and data hash must be the model's own. */
function readTrain(value: unknown, rows: Row[], lock: Lock, label?: (r: Row) => number): TrainAnswer | string {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'returned no { model, run } object';
  const v = value as { model?: unknown; run?: Partial<TrackedRun> };
  const model = readModel(v.model);
  if (typeof model === 'string') return model;
  const run = v.run;
  if (!run || typeof run !== 'object') return 'run is missing: return { model, run }';
  if (typeof run.id !== 'string' || !run.id) return 'run.id must be a non-empty string';
  const params = run.params;
  if (!params || typeof params !== 'object' || Array.isArray(params) || Object.keys(params).length === 0)
    return 'run.params must log the parameters the model was trained with (e.g. { l2: 1 })';
  if (run.dataHash !== lock.hash)
    return `run.dataHash is ${JSON.stringify(run.dataHash)?.slice(0, 20)}, not the hash of the lock of the rows it trained on`;
  const { train, val } = splitRows(rows);
  for (const [name, part] of [
    ['train_rmse', train],
    ['val_rmse', val],
  ] as const) {
    const logged = run.metrics?.[name];
    const actual = rmseOf(model, part, label);
    if (!finite(logged)) return `run.metrics.${name} must be a number`;
    if (Math.abs(logged - actual) > METRIC_TOLERANCE)
      return `run.metrics.${name} is ${logged.toFixed(4)}, but the model's RMSE of log wage on those rows is ${actual.toFixed(4)}`;
  }
  return { model, run: run as TrackedRun };
}

/**
 * The rows with made-up log wages: a relation the survey does not have (school lowers pay here). The wages stay
 * valid by the schema (1 to 100 dollars, validation rows shifted included), so a train() that checks its rows
 * keeps every one of them.
 */
function probeLabels(rows: Row[], rng: Rng, valShift: number): Row[] {
  const a = -0.06 - 0.04 * rng();
  const b = 0.01 + 0.01 * rng();
  return rows.map((r, i) => {
    let y = 2.2 + a * (r.education as number) + b * (r.experience as number) + 0.1 * gaussian(rng);
    if (i % VAL_EVERY === VAL_EVERY - 1) y += valShift;
    const wage = Math.round(Math.min(SCHEMA_WAGE.max, Math.max(SCHEMA_WAGE.min, Math.exp(y))) * 100) / 100;
    return { ...r, [TARGET]: wage };
  });
}

const stripped = (r: Row): Row => Object.fromEntries(REQUEST_COLUMNS.map((k) => [k, r[k]]));
const clamp = (v: number, column: string): number => {
  const spec = SCHEMA[column] as { min: number; max: number };
  return Math.min(spec.max, Math.max(spec.min, v));
};

/** Request bodies with one thing wrong, each with the column the error should name (null: the body itself). */
function badRequests(good: Row): { what: string; body: unknown; column: string | null }[] {
  const without = { ...good };
  delete without.education;
  return [
    { what: 'a body without education', body: without, column: 'education' },
    { what: 'an age of 300', body: { ...good, age: 300 }, column: 'age' },
    { what: "gender 'F'", body: { ...good, gender: 'F' }, column: 'gender' },
    { what: 'education sent as the string "12"', body: { ...good, education: '12' }, column: 'education' },
    { what: 'experience null', body: { ...good, experience: null }, column: 'experience' },
    { what: 'a null body', body: null, column: null },
    { what: 'an array body', body: [good], column: null },
  ];
}

type Shift = (rows: Row[], rng: Rng) => Row[];
const DRIFTS: { what: string; shift: Shift }[] = [
  {
    what: 'older workers (age and experience +12)',
    shift: (rows) =>
      rows.map((r) => ({
        ...r,
        age: clamp((r.age as number) + 12, 'age'),
        experience: clamp((r.experience as number) + 12, 'experience'),
      })),
  },
  {
    what: 'less schooling (education -3)',
    shift: (rows) => rows.map((r) => ({ ...r, education: clamp((r.education as number) - 3, 'education') })),
  },
  {
    what: 'half the requests from service jobs',
    shift: (rows, rng) => rows.map((r) => (rng() < 0.5 ? { ...r, occupation: 'service' } : r)),
  },
  {
    what: 'mostly women (85 %)',
    shift: (rows, rng) => rows.map((r) => ({ ...r, gender: rng() < 0.85 ? 'female' : 'male' })),
  },
  // union is 1 for about 82 % of the survey's workers: a 0 in half the requests triples the usual share of 0.
  {
    what: 'union 0 in half the requests',
    shift: (rows, rng) => rows.map((r) => (rng() < 0.5 ? { ...r, union: 0 } : r)),
  },
  { what: 'mostly the South (75 %)', shift: (rows, rng) => rows.map((r) => ({ ...r, south: rng() < 0.75 ? 1 : 0 })) },
];

function sample(rows: Row[], n: number, rng: Rng): Row[] {
  return Array.from({ length: n }, () => rows[randomInt(rng, rows.length)]);
}

/**
 * Served requests like the training rows but not copies of them: each
 * column is drawn from its own random row, so every column keeps its
 * distribution while a monitor that merely spots rows it has not seen
 * (instead of comparing distributions) alarms on every batch.
 */
function servedRequests(rows: Row[], n: number, rng: Rng): Row[] {
  return Array.from({ length: n }, () =>
    Object.fromEntries(Object.keys(rows[0]).map((k) => [k, rows[randomInt(rng, rows.length)][k]])),
  );
}

interface StageTag {
  stage: StageName;
  heldOut?: Row[];
}

/** What flows from one stage to the next: the learner's output when its stage passed, else the grader's. */
interface Chain {
  cleaned: Row[];
  lock: Lock;
  train?: TrainAnswer;
  lineage?: Lineage;
  registered?: Registry;
  model: LinearModel;
  falseAlarms: number;
}

function meanModel(rows: Row[]): LinearModel {
  const ys = rows.map((r) => Math.log(r[TARGET] as number));
  return { features: [], mean: [], std: [], weights: [], bias: ys.reduce((a, b) => a + b, 0) / ys.length };
}

/** Names the stage in the case's title and tag. It changes `c` in place: a spread would read the `args` getter now. */
/**
 * The most bytes the model and the registry a learner returns may take, since the grader hands them back to
 * later stages (suites/carried.ts): the reference's take 743 and 552 bytes on seed 1, so this is a margin of
 * over 300 times.
 */
export const MAX_CARRIED_BYTES = 256 * 1024;

function stageCase(stage: StageName, c: SuiteCase, heldOut?: Row[]): SuiteCase {
  c.title = `stage ${STAGES.indexOf(stage) + 1} (${stage}): ${c.title}`;
  c.tag = { stage, heldOut } satisfies StageTag;
  return c;
}

export function capstoneCases(seed: number): SuiteCase[] {
  const t = makeDirtyTable(deriveSeed(seed, 'capstone:data') % 1_000_000_007);
  const rng = createRng(deriveSeed(seed, 'capstone:cases'));
  // The rows before any defect, without the leaking column: the grader's own cleaning, for the stages after a failed clean.
  const oracle = t.original.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => k !== t.leak)));
  const chain: Chain = { cleaned: oracle, lock: lockOfRows(oracle), model: meanModel(oracle), falseAlarms: 0 };
  // data-quality's checks of the rows (schema, duplicates, the leaking column, rows kept). Its third check, a
  // gain over the dirty rows, rests on three tables there; on the one table here the garbage labels of some draws
  // cost the dirty fit too little for any cleaning to clear its margin (1 draw in 40), so the model check here
  // is its other half: the grader's fit on the cleaned rows within MAX_VS_ORACLE of its fit on the rows before
  // any defect.
  const cleanChecks = cleanCases(t, 'the raw rows').slice(0, 2);
  const oracleRmse = heldOutRmse(oracle, t.heldOut, t.leak);
  const cases: SuiteCase[] = [];

  cases.push(
    stageCase('clean', {
      fn: 'clean',
      title: `clean ${t.rows.length} raw rows (schema, duplicates, the leaking column, rows kept, a better model)`,
      args: [t.rows],
      verify(value) {
        for (const c of cleanChecks) {
          const problem = c.verify(value);
          if (problem) return problem;
        }
        const rmse = heldOutRmse(value as Row[], t.heldOut, t.leak);
        if (!(rmse <= oracleRmse * MAX_VS_ORACLE))
          return (
            `the grader's least squares fitted on your cleaned rows has a held-out RMSE of log wage of ${rmse.toFixed(3)}; ` +
            `fitted on the rows before any defect, ${oracleRmse.toFixed(3)} (at most ${(oracleRmse * MAX_VS_ORACLE).toFixed(3)} needed)`
          );
        chain.cleaned = value as Row[];
        return undefined;
      },
    }),
  );

  cases.push(
    stageCase('lock', {
      fn: 'lock',
      title: 'lock the cleaned rows: a data-versioning lock of one file, train.json',
      get args() {
        return [chain.cleaned];
      },
      verify(value) {
        chain.lock = lockOfRows(chain.cleaned);
        return lockProblem(value, chain.lock);
      },
    }),
  );

  cases.push(
    stageCase(
      'train',
      {
        fn: 'train',
        title: 'train on the cleaned rows and log the run (params, train and validation RMSE, the data hash)',
        get args() {
          return [chain.cleaned, chain.lock];
        },
        verify(value) {
          capCarried(
            (value as { model?: unknown } | null)?.model,
            MAX_CARRIED_BYTES,
            'the model train returned',
            'a linear model is its features with their means, standard deviations and weights, and a bias; the ' +
              'grader hands it back to predict at every request, so keep nothing else in it (no rows, no history)',
          );
          const answer = readTrain(value, chain.cleaned, chain.lock);
          if (typeof answer === 'string') return answer;
          chain.train = answer;
          chain.model = answer.model;
          return undefined;
        },
      },
      t.heldOut,
    ),
  );

  // The probes: the grader's own rows (the survey before any defect) with made-up wages.
  const probeSeed = deriveSeed(seed, 'capstone:probe');
  const probe = probeLabels(oracle, createRng(probeSeed), 0);
  const shifted = probeLabels(oracle, createRng(probeSeed), VAL_SHIFT);
  const probeTrain = splitRows(probe).train;
  const graderFit = heldOutRmse(probeTrain, probeTrain, '');
  let probeModel: LinearModel | undefined;
  cases.push(
    stageCase('train', {
      fn: 'train',
      title: 'train fits the rows it is given (wages made up by the grader, with another relation to schooling)',
      args: [probe, lockOfRows(probe)],
      verify(value) {
        const answer = readTrain(value, probe, lockOfRows(probe));
        if (typeof answer === 'string') return answer;
        probeModel = answer.model;
        const fit = rmseOf(answer.model, probeTrain);
        const need = Math.max(PROBE_FIT_RATIO * graderFit, graderFit + PROBE_FIT_SLACK);
        return fit <= need
          ? undefined
          : `on these rows the model's training RMSE is ${fit.toFixed(3)}, the grader's own ridge gets ${graderFit.toFixed(3)} ` +
              `(at most ${need.toFixed(3)} needed): the model was not fitted to the rows train() was given ` +
              `(coefficients fitted elsewhere, e.g. on rows the grader holds out?)`;
      },
    }),
  );
  cases.push(
    stageCase('train', {
      fn: 'train',
      title: `train never learns from the validation rows (the same rows, validation wages moved by ${VAL_SHIFT} in log)`,
      args: [shifted, lockOfRows(shifted)],
      verify(value) {
        const answer = readTrain(value, shifted, lockOfRows(shifted));
        if (typeof answer === 'string') return answer;
        if (!probeModel) return 'the previous probe failed, so there is nothing to compare with';
        const move = Math.max(
          ...probeTrain.map((r) => Math.abs(predictLog(answer.model, r) - predictLog(probeModel!, r))),
        );
        return move <= MAX_VAL_MOVE
          ? undefined
          : `changing only the validation rows' wages moved the model's predictions by up to ${move.toFixed(3)} in log wage: ` +
              `it was fitted on validation rows (fit on rows with i % ${VAL_EVERY} !== ${VAL_EVERY - 1} only)`;
      },
    }),
  );

  // The registry: the champion in production is a mean model trained on the previous data version.
  const champion = (val: number, dataVersion: number, dataHash: string): Lineage => ({
    runId: `champion-${dataVersion}`,
    dataVersion,
    dataHash,
    metrics: { train: { rmse: val }, validation: { rmse: val } },
  });
  const withChampion = (lineage: Lineage): Registry =>
    refPromote(refRegister({ versions: [], history: [] }, lineage), 1, RULE).registry;
  const lineageOf = (): Lineage => {
    const run = chain.train?.run;
    const val = run ? run.metrics.val_rmse : rmseOf(chain.model, splitRows(chain.cleaned).val);
    return {
      runId: run?.id ?? 'grader-mean-model',
      dataVersion: 2,
      dataHash: chain.lock.hash,
      metrics: { train: { rmse: run?.metrics.train_rmse ?? val }, validation: { rmse: val } },
    };
  };
  const weakChampion = (): Registry =>
    withChampion(champion(rmseOf(meanModel(chain.cleaned), splitRows(chain.cleaned).val), 1, 'f'.repeat(64)));
  cases.push(
    stageCase('registry', {
      fn: 'register',
      title: 'register the trained run as a new version beside the champion (a mean model on data version 1)',
      get args() {
        chain.lineage = lineageOf();
        return [weakChampion(), chain.lineage];
      },
      verify(value) {
        capCarried(
          value,
          MAX_CARRIED_BYTES,
          'the registry register returned',
          'a registry is its versions (each with its lineage) and the champion; the grader hands it back to ' +
            'promote, so keep nothing else in it',
        );
        const before = weakChampion();
        const want = refRegister(before, chain.lineage!);
        const problem = registryProblem(value, want, before);
        chain.registered = problem ? want : (value as Registry);
        return problem;
      },
    }),
  );
  let promoteA: ((v: unknown) => string | undefined) | undefined;
  cases.push(
    stageCase('registry', {
      fn: 'promote',
      title: `promote version 2 over the mean-model champion by the rule ${JSON.stringify(RULE)}`,
      get args() {
        const registry = chain.registered ?? refRegister(weakChampion(), lineageOf());
        promoteA = promoteCheck(registry, 2, RULE);
        return [registry, 2, RULE];
      },
      verify: (value) => promoteA!(value),
    }),
  );
  let promoteB: ((v: unknown) => string | undefined) | undefined;
  cases.push(
    stageCase('registry', {
      fn: 'promote',
      title: 'promote version 2 over a stronger champion on the same data (validation RMSE 0.02 lower)',
      get args() {
        const lineage = lineageOf();
        const strong = champion(lineage.metrics.validation.rmse - 0.02, 2, lineage.dataHash);
        const registry = refRegister(withChampion(strong), lineage);
        promoteB = promoteCheck(registry, 2, RULE);
        return [registry, 2, RULE];
      },
      verify: (value) => promoteB!(value),
    }),
  );

  // Serving: requests built from rows the learner already has (never the held-out workers).
  const requests = sample(oracle, 12, rng).map(stripped);
  for (const [i, body] of requests.entries()) {
    cases.push(
      stageCase('serve', {
        fn: 'predict',
        title: `request ${i + 1}: a valid body gets status 200 and the model's wage`,
        get args() {
          return [chain.model, body];
        },
        verify(value) {
          const want = Math.exp(predictLog(chain.model, body));
          const v = value as { status?: unknown; body?: { wage?: unknown } } | null;
          if (!v || v.status !== 200) return `status ${JSON.stringify(v?.status)}, expected 200 for a valid body`;
          const got = v.body?.wage;
          if (!finite(got) || Math.abs(got - want) > 1e-6 * Math.max(1, want))
            return `body.wage is ${JSON.stringify(got)}, the model gives ${want.toFixed(4)} (exp of its log wage)`;
          return undefined;
        },
      }),
    );
  }
  for (const bad of badRequests(requests[0])) {
    cases.push(
      stageCase('serve', {
        fn: 'predict',
        title: `${bad.what} gets status 400 and an error${bad.column ? ` naming ${bad.column}` : ''}`,
        get args() {
          return [chain.model, bad.body];
        },
        verify(value) {
          const v = value as { status?: unknown; body?: { error?: unknown } } | null;
          if (!v || v.status !== 400)
            return `status ${JSON.stringify(v?.status)}, expected 400: validate the body first`;
          const error = v.body?.error;
          if (typeof error !== 'string' || !error.trim()) return 'body.error must say what is wrong';
          if (bad.column && !error.includes(bad.column))
            return `body.error ${JSON.stringify(error)} does not name ${bad.column}`;
          return undefined;
        },
      }),
    );
  }

  // Monitoring: the reference is what the model was trained on; batches of served requests, quiet or drifted.
  const batches: { what: string; rows: Row[]; drift: boolean }[] = [];
  for (let k = 0; k < QUIET_BATCHES; k++)
    batches.push({
      what: `quiet batch ${k + 1}`,
      rows: servedRequests(oracle, BATCH_ROWS, rng).map(stripped),
      drift: false,
    });
  for (const d of DRIFTS)
    batches.push({
      what: d.what,
      rows: d.shift(servedRequests(oracle, BATCH_ROWS, rng), rng).map(stripped),
      drift: true,
    });
  // A monitor sees one batch at a time, in an order of the grader's: it cannot count its way to the drifted ones.
  shuffleInPlace(batches, rng);
  for (const b of batches) {
    cases.push(
      stageCase('monitor', {
        fn: 'monitor',
        title: `${BATCH_ROWS} served requests: ${b.what}`,
        get args() {
          return [chain.cleaned.map(stripped), b.rows];
        },
        verify(value) {
          const alarm = readAlarm(value);
          if (alarm === undefined)
            return `returned ${JSON.stringify(value)?.slice(0, 60) ?? 'undefined'}; return { drift: true } or { drift: false }`;
          if (b.drift && !alarm) return 'no alarm: these requests have drifted from the training rows';
          if (!b.drift && alarm && ++chain.falseAlarms > MAX_FALSE_ALARMS)
            return `a false alarm on requests like the training rows (${chain.falseAlarms} so far, at most ${MAX_FALSE_ALARMS} allowed)`;
          return undefined;
        },
      }),
    );
  }
  return cases;
}

/** R² of log wage on the grader's held-out workers, for the model the train stage returned (NaN when it failed). */
export function heldOutR2(model: LinearModel, heldOut: Row[]): number {
  const ys = heldOut.map((r) => Math.log(r[TARGET] as number));
  const mean = ys.reduce((a, b) => a + b, 0) / ys.length;
  const total = ys.reduce((a, y) => a + (y - mean) ** 2, 0);
  return 1 - (rmseOf(model, heldOut) ** 2 * ys.length) / total;
}

function heldOutOf(outcomes: CaseOutcome[]): number {
  const o = outcomes.find((x) => (x.case.tag as StageTag | undefined)?.heldOut);
  if (!o || o.problem) return NaN;
  const model = readModel((o.value as { model?: unknown } | undefined)?.model);
  return typeof model === 'string' ? NaN : heldOutR2(model, (o.case.tag as StageTag).heldOut!);
}

export const suite: Suite = {
  id: 'capstone',
  exports: ['clean', 'lock', 'train', 'register', 'promote', 'predict', 'monitor'],
  cases: capstoneCases,
  score(outcomes) {
    const passed = outcomes.filter((o) => !o.problem).length;
    return { cases_passed: outcomes.length ? passed / outcomes.length : 0, r2: heldOutOf(outcomes) };
  },
  describe(outcomes) {
    const line = STAGES.map((s) => {
      const of = outcomes.filter((o) => (o.case.tag as StageTag | undefined)?.stage === s);
      const ok = of.filter((o) => !o.problem).length;
      return `${s} ${ok}/${of.length}`;
    });
    const r2 = heldOutOf(outcomes);
    const shown = Number.isFinite(r2) ? r2.toFixed(3) : 'n/a (the train stage failed)';
    return `stages: ${line.join(', ')}\nheld-out R² of log wage (the grader's workers, never sent to your code): ${shown}`;
  },
};
