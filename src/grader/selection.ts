/**
 * Model selection on validation data, checked (month2/classical-ml): the
 * lesson is to compare a baseline and several models on validation rows they
 * did not train on, and keep the best. The learner's predictor reports that
 * comparison:
 *
 *   { predict, chosen: 'random forest', candidates: [
 *       { name: 'training mean', baseline: true, valRmse: 9.38, predict },
 *       { name: 'random forest', valRmse: 3.21, predict }, ... ] }
 *
 * and the grader re-checks every claim itself, here, where the labels are:
 * - each candidate's reported score must match what its predictions on the
 *   validation rows earn, there must be a baseline and at least `minModels`
 *   models besides it, and the chosen one must be the best on validation;
 * - the validation rows are in the child, so a candidate can look their
 *   answers up, or be trained on them, and win the comparison unseen. So the
 *   candidates are also asked about the held-out rows, whose labels never
 *   reach the child, mixed in with the validation rows in an order of the
 *   grader's: a candidate whose validation error is far below its error on
 *   rows it cannot have seen (`seenRatio`) has seen the validation rows, and
 *   is refused;
 * - the returned `predict`, which the held-out metrics grade, must BE the
 *   chosen candidate: the same answers on the held-out rows. A model
 *   refitted or swapped after the comparison is one the comparison never
 *   measured.
 *
 * Curriculum: `options.selection` of a train exercise.
 */
import type { LoadedExercise } from '../curriculum';
import { selectionSchema, type Selection } from '../curriculum/kinds/train';
import type { MetricName, Task } from '../curriculum/schema';
import type { LoadedDataset } from '../datasets';
import { createRng, oneWaySeed, secretOrder } from '../datasets/rng';
import { GradingError } from '../errors';
import { exerciseOption, type WithOptions } from './exercise-options';
import { features } from './kinds/data';
import { secretSeed } from './kinds/functions/parent';
import { computeMetric } from './metrics';
import { InvalidOutputError, normalizePredictions, type NormalizedPredictions } from './predictions';
import type { ChildMessage, WireTensor } from './protocol';
import type { MetricResult } from './result';
import type { ChildSession } from './runner';

export { selectionSchema, type Selection };

/** Metrics where lower is better; the others are maximised. */
const LOWER_IS_BETTER = new Set<MetricName>(['rmse', 'mse', 'mae', 'log_loss']);

const LESSON = 'the lesson is choosing a model on validation data, among a baseline and other candidates';

export function selectionOf(ex: WithOptions): Selection | undefined {
  return exerciseOption(ex, 'selection', selectionSchema);
}

function fmt(v: number): string {
  return Number.isFinite(v) ? v.toFixed(3) : String(v);
}

export interface SelectionFindings {
  /** Models compared besides the baseline, with predictions the grader could score. */
  models: number;
  /** The chosen candidate is the best on validation, has not seen the validation rows, and is the predictor returned. */
  chosenIsBest: boolean;
  problems: string[];
  /** One line per candidate: its reported and recomputed scores. */
  table: string[];
}

type Entry = Extract<ChildMessage, { type: 'candidates' }>['entries'][number];

/** A candidate's answers, split by the grader: on the validation rows, and on the held-out rows sent mixed in with them. */
export type JudgedEntry = Entry & { unseen?: WireTensor };

/** Rows of the held-out split, which the child never gets the labels of: the candidates' answers there, and the returned predictor's. */
export interface Unseen {
  n: number;
  labels: Float32Array;
  /** What the returned predict(x) answered for these rows, when the train kind asked it. */
  returned?: WireTensor;
}

/** How far apart two answers to the same rows are: the first row that differs, and how many do. */
function disagreement(
  a: NormalizedPredictions,
  b: NormalizedPredictions,
): { first: number; count: number; a: string; b: string } | undefined {
  let first = -1;
  let count = 0;
  const show = (p: NormalizedPredictions, i: number): string =>
    p.values ? fmt(p.values[i]) : p.positiveProb ? fmt(p.positiveProb[i]) : `class ${p.classes?.[i]}`;
  for (let i = 0; i < a.n; i++) {
    const same =
      a.values && b.values
        ? Math.abs(a.values[i] - b.values[i]) <= 1e-4 * (1 + Math.abs(b.values[i]))
        : a.positiveProb && b.positiveProb
          ? Math.abs(a.positiveProb[i] - b.positiveProb[i]) <= 1e-4
          : a.classes?.[i] === b.classes?.[i];
    if (!same) {
      count++;
      if (first < 0) first = i;
    }
  }
  return count ? { first, count, a: show(a, first), b: show(b, first) } : undefined;
}

/** Whether every validation row got the same answer: a constant, which is the baseline's part, not a model's. */
function answersAlike(t: { values: ArrayLike<unknown> }, n: number): boolean {
  const v = t.values;
  if (n < 2 || v.length === 0 || v.length % n !== 0 || typeof v[0] !== 'number') return false;
  const cols = v.length / n;
  for (let r = 1; r < n; r++) for (let c = 0; c < cols; c++) if (v[r * cols + c] !== v[c]) return false;
  return true;
}

/** Judges one seed's report; pure, for tests. `unseen` adds the checks that need the held-out rows. */
export function judgeCandidates(
  spec: Selection,
  answer: Extract<ChildMessage, { type: 'candidates' }> & { entries: JudgedEntry[] },
  val: { n: number; labels: Float32Array; task: Task },
  unseen?: Unseen,
): SelectionFindings {
  const problems: string[] = [];
  const table: string[] = [];
  const { metric, claim } = spec;
  const lower = LOWER_IS_BETTER.has(metric);
  const shape = `return { predict, chosen, candidates: [{ name, baseline: true, ${claim}, predict }, { name, ${claim}, predict }, ...] }`;
  if (answer.problem) {
    return {
      models: 0,
      chosenIsBest: false,
      problems: [
        `${answer.problem}: ${LESSON}. Fit each candidate on xTrain, measure it on xVal / yVal, and ${shape} (see README.md)`,
      ],
      table,
    };
  }
  const scores = new Map<string, number>();
  const names = new Set<string>();
  /** Candidates that have seen the validation rows: their score there says nothing. */
  const seen = new Set<string>();
  const unseenAnswers = new Map<string, NormalizedPredictions>();
  /** Candidates not marked baseline that answer every validation row alike: not counted as models (review 21). */
  const constant = new Set<string>();
  for (const c of answer.entries) {
    if (names.has(c.name)) problems.push(`two candidates are named '${c.name}': give each its own name`);
    names.add(c.name);
    if (c.error || !c.tensor) {
      problems.push(`candidate '${c.name}': ${c.error ?? 'no predictions'}`);
      continue;
    }
    if (!c.baseline && answersAlike(c.tensor, val.n)) {
      constant.add(c.name);
      problems.push(
        `candidate '${c.name}' gives every validation row the same answer: a constant is what the baseline is for (mark it baseline: true), not a model; compare models that learn from the features (${LESSON})`,
      );
    }
    let score: number;
    let elsewhere: number | undefined;
    try {
      score = computeMetric(metric, normalizePredictions(val.task, c.tensor, val.n), val.labels);
      if (unseen && c.unseen) {
        const there = normalizePredictions(val.task, c.unseen, unseen.n);
        unseenAnswers.set(c.name, there);
        elsewhere = computeMetric(metric, there, unseen.labels);
      }
    } catch (err) {
      if (!(err instanceof InvalidOutputError)) throw err;
      problems.push(`candidate '${c.name}': its predictions on the validation rows ${err.message}`);
      continue;
    }
    scores.set(c.name, score);
    table.push(
      `  ${c.baseline ? 'baseline ' : ''}'${c.name}': ${claim} reported ${c.claimed === null ? 'none' : fmt(c.claimed)}, validation ${metric} of its predictions ${fmt(score)}`,
    );
    if (c.claimed === null) {
      problems.push(
        `candidate '${c.name}' reports no ${claim}: measure every candidate on ctx.data.xVal / yVal and report the number (${LESSON})`,
      );
    } else if (!(Math.abs(c.claimed - score) <= spec.tolerance)) {
      problems.push(
        `candidate '${c.name}' reports ${claim} ${fmt(c.claimed)}, but its predictions on the validation rows give ${fmt(score)}: report the ${metric} of the very model you hand in, fitted on xTrain only and measured on xVal / yVal`,
      );
    }
    // An error, whatever the metric: a score of 1 is no error for accuracy-like metrics.
    const error = (v: number): number => (lower ? v : 1 - v);
    if (elsewhere !== undefined && Number.isFinite(elsewhere) && error(score) < spec.seenRatio * error(elsewhere)) {
      seen.add(c.name);
      problems.push(
        `candidate '${c.name}' scores ${metric} ${fmt(score)} on the validation rows but ${fmt(elsewhere)} on rows it cannot have seen (the held-out rows, which mlpath sent mixed in with the validation rows): it has seen the validation rows, by looking their answers up or by training on them, so its validation score says nothing about new rows. Fit every candidate on xTrain / yTrain only (${LESSON})`,
      );
    }
  }
  const baselines = answer.entries.filter((c) => c.baseline);
  if (baselines.length === 0)
    problems.push(
      `no candidate is marked baseline: true; compare against the simplest answer (the training mean) so you know what your models add (${LESSON})`,
    );
  else if (baselines.length > 1)
    problems.push(
      `${baselines.length} candidates are marked baseline: true (${baselines.map((c) => `'${c.name}'`).join(', ')}); mark only the simplest one`,
    );
  const models = answer.entries.filter(
    (c) => !c.baseline && scores.has(c.name) && !seen.has(c.name) && !constant.has(c.name),
  ).length;
  if (models < spec.minModels) {
    problems.push(
      `${models === 0 ? 'no model was' : `only ${models} model${models === 1 ? ' was' : 's were'}`} compared besides the baseline; compare at least ${spec.minModels} (${LESSON})`,
    );
  }

  // Best among fewer than the required candidates, or without a baseline, is no choice at all.
  const compared = baselines.length === 1 && models >= spec.minModels;
  let chosenIsBest = false;
  const better = (a: number, b: number): boolean => (lower ? a < b : a > b);
  if (answer.chosen === null) {
    problems.push(`train() returned no chosen: name the candidate you kept (chosen: '<its name>')`);
  } else if (!names.has(answer.chosen)) {
    problems.push(
      `chosen is '${answer.chosen}', but no candidate has that name (${[...names].map((n) => `'${n}'`).join(', ') || 'none'})`,
    );
  } else if (scores.has(answer.chosen) && !seen.has(answer.chosen)) {
    const mine = scores.get(answer.chosen)!;
    let best: [string, number] | undefined;
    for (const [name, score] of scores) if (!seen.has(name) && (!best || better(score, best[1]))) best = [name, score];
    const isBest = !better(best![1], mine - (lower ? 1e-9 : -1e-9));
    chosenIsBest = isBest && compared;
    if (!isBest) {
      problems.push(
        `you chose '${answer.chosen}' (validation ${metric} ${fmt(mine)}), but '${best![0]}' has ${fmt(best![1])}: keep the candidate that is best on the validation rows, ${lower ? 'lowest' : 'highest'} wins`,
      );
    }
  }
  if (answer.chosen !== null) {
    const kept = unseenAnswers.get(answer.chosen);
    if (unseen?.returned && kept) {
      let off: ReturnType<typeof disagreement>;
      try {
        off = disagreement(normalizePredictions(val.task, unseen.returned, unseen.n), kept);
      } catch (err) {
        if (!(err instanceof InvalidOutputError)) throw err;
        off = undefined;
      }
      if (off) {
        chosenIsBest = false;
        problems.push(
          `predict(x) is not the chosen candidate '${answer.chosen}': on held-out row ${off.first} it answers ${off.a} where the candidate answers ${off.b} (${off.count} of ${unseen.n} rows differ). Return the chosen candidate's own predict, as it was compared: a model refitted or swapped after the comparison is one the comparison never measured (${LESSON})`,
        );
      }
    }
  }
  return { models, chosenIsBest, problems, table };
}

/** Columns the made-up target is built from: more would make it a blur no model fits in 329 rows, fewer a lookup of one column. */
const PROBE_TERMS = 5;
/** The made-up target's noise, as a fraction of its signal's spread: what no model can learn, for it is drawn per row. */
const PROBE_NOISE = 0.35;
/** The made-up target may share at most this much with the real one (|correlation|), so that answering real prices earns nothing. */
const PROBE_MAX_CORRELATION = 0.2;

/**
 * Labels the grader makes up for `n` rows of `width` columns (`x`, row-major): a fixed shape (a weighted sum of
 * `PROBE_TERMS` of the columns, each squashed by log(1 + v - min), plus noise), with which columns, their weights
 * and the noise drawn from `random`, the grader's own randomness. Scaled to the real labels' mean and spread, so
 * a probe run looks like a run, and drawn again until it is nearly uncorrelated with the real labels `real`: a
 * model fits it from the rows it is given; a table of the real labels answers nothing. Columns in `skip` are never
 * used: a learner may rightly leave them out (Boston's `b`), and a target built on them would fail that learner.
 * Pure, for tests.
 */
export function madeUpLabels(
  x: Float32Array,
  n: number,
  width: number,
  real: Float32Array,
  random: () => number,
  skip: ReadonlySet<number> = new Set(),
): Float32Array {
  const mean = (v: ArrayLike<number>): number => {
    let s = 0;
    for (let i = 0; i < v.length; i++) s += v[i];
    return s / v.length;
  };
  const sd = (v: ArrayLike<number>, m: number): number => {
    let s = 0;
    for (let i = 0; i < v.length; i++) s += (v[i] - m) ** 2;
    return Math.sqrt(s / v.length) || 1;
  };
  const standard = (v: Float64Array): Float64Array => {
    const m = mean(v);
    const d = sd(v, m);
    return v.map((e) => (e - m) / d);
  };
  // Each column squashed (skewed columns such as crime rates would otherwise be a few rows' affair) and standardised.
  const columns: Float64Array[] = [];
  for (let j = 0; j < width; j++) {
    if (skip.has(j)) continue;
    let min = Infinity;
    for (let i = 0; i < n; i++) min = Math.min(min, x[i * width + j]);
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = Math.log1p(x[i * width + j] - min);
    // A column with (almost) one value, or two, as a flag, carries too little to build on.
    if (new Set(v).size > 2) columns.push(standard(v));
  }
  if (columns.length < 2) throw new GradingError('made-up labels need at least two columns with more than two values');
  const gauss = (): number => {
    let s = 0;
    for (let i = 0; i < 12; i++) s += random();
    return s - 6;
  };
  const realMean = mean(real);
  const realSd = sd(real, realMean);
  let best: { labels: Float32Array; r: number } | undefined;
  for (let attempt = 0; attempt < 200; attempt++) {
    const picked = [...columns.keys()];
    for (let i = picked.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [picked[i], picked[j]] = [picked[j], picked[i]];
    }
    const terms = picked.slice(0, Math.min(PROBE_TERMS, columns.length));
    // Weights of 0.4 to 1 in size, either sign: every term counts.
    const weights = terms.map(() => (0.4 + 0.6 * random()) * (random() < 0.5 ? -1 : 1));
    const signal = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      terms.forEach((t, k) => (s += weights[k] * columns[t][i]));
      signal[i] = s;
    }
    const clean = standard(signal);
    const noisy = clean.map((v) => v + PROBE_NOISE * gauss());
    const z = standard(noisy);
    const labels = Float32Array.from(z, (v) => realMean + realSd * v);
    let cov = 0;
    for (let i = 0; i < n; i++) cov += z[i] * ((real[i] - realMean) / realSd);
    const r = Math.abs(cov / n);
    if (!best || r < best.r) best = { labels, r };
    if (r <= PROBE_MAX_CORRELATION) break;
  }
  return best!.labels;
}

/** Rows `rows` of a tensor, in that order. */
function pickRows(t: WireTensor, rows: readonly number[]): WireTensor {
  const width = t.shape.slice(1).reduce((a, b) => a * b, 1);
  const shape = [rows.length, ...t.shape.slice(1)];
  if (Array.isArray(t.values))
    return { ...t, shape, values: rows.flatMap((r) => (t.values as string[]).slice(r * width, (r + 1) * width)) };
  const values = t.values as Float32Array;
  const out = new (values.constructor as Float32ArrayConstructor)(rows.length * width);
  rows.forEach((r, i) => out.set(values.subarray(r * width, (r + 1) * width), i * width));
  return { ...t, shape, values: out };
}

/** A candidate's answer to the mixed batch, split back into its validation and held-out rows; a malformed one is left whole for judgeCandidates to report. */
function splitEntry(e: Entry, order: readonly number[], valN: number): JudgedEntry {
  const t = e.tensor;
  if (
    !t ||
    t.shape.length === 0 ||
    t.shape[0] !== order.length ||
    t.values.length !== t.shape.reduce((a, b) => a * b, 1)
  )
    return e;
  const valRows = new Array<number>(valN);
  const heldRows = new Array<number>(order.length - valN);
  order.forEach((row, position) => {
    if (row < valN) valRows[row] = position;
    else heldRows[row - valN] = position;
  });
  return { ...e, tensor: pickRows(t, valRows), unseen: pickRows(t, heldRows) };
}

/**
 * The hook the train kind calls: ask each seed's child about its candidates
 * once train() has returned, on the validation and held-out rows mixed, note
 * what the returned predictor answered on the held-out rows, and merge the
 * verdict into the outcome.
 */
export function selectionWatch(
  ex: Pick<LoadedExercise, 'key' | 'options' | 'task'>,
  parts: { train: LoadedDataset; val?: LoadedDataset; test: LoadedDataset },
): {
  ask(session: ChildSession, seed: number): Promise<void>;
  graded(seed: number, returned: WireTensor): void;
  probe(session: ChildSession, seed: number, testInputs: WireTensor): Promise<void>;
  judge<R extends { metrics: MetricResult[]; output: string; passed?: boolean }>(run: R): R & { passed: boolean };
} {
  const spec = selectionOf(ex);
  const { val, test } = parts;
  if (spec && !val)
    throw new GradingError(`${ex.key}: options.selection needs a validation split (dataset.split.val > 0)`);
  const asked = new Map<
    number,
    { answer: Extract<ChildMessage, { type: 'candidates' }>; order: number[]; returned?: WireTensor }
  >();
  /** Per seed, the probe run's score: the returned predict's and the training mean's, on the made-up held-out labels. */
  const probed = new Map<number, { rmse: number; mean: number }>();
  return {
    async ask(session, seed) {
      if (!spec || !val) return;
      // Row `order[i]` of the batch: below val.n a validation row, above it a held-out one.
      const order = secretOrder(val.n + test.n);
      const both = features(val, test);
      const width = val.featureShape.reduce((a, b) => a * b, 1);
      const x = new Float32Array(order.length * width);
      const values = both.values as Float32Array;
      order.forEach((row, i) => x.set(values.subarray(row * width, (row + 1) * width), i * width));
      session.send({ type: 'candidates', x: { ...both, values: x }, claim: spec.claim });
      asked.set(seed, { answer: await session.expect('candidates'), order });
    },
    graded(seed, returned) {
      const a = asked.get(seed);
      if (a) a.returned = returned;
    },
    async probe(session, seed, testInputs) {
      if (!spec?.probeRatio || !val || ex.task !== 'regression') return;
      const all = features(parts.train, val, test);
      const real = new Float32Array(all.shape[0]);
      real.set(parts.train.labels, 0);
      real.set(val.labels, parts.train.n);
      real.set(test.labels, parts.train.n + val.n);
      // Drawn from the seed one way, and from the instructor's secret when one is set (CI): the same code gets the
      // same made-up prices, so the same verdict, every time; without the secret a learner could compute them, but
      // answering them needs the probe told from the real run, which fitting honestly needs anyway.
      const random = createRng(oneWaySeed(secretSeed(seed), `selection-probe:${ex.key}`));
      const names = parts.train.featureNames ?? [];
      const skip = new Set(spec.probeSkip.map((name) => names.indexOf(name)).filter((k) => k >= 0));
      const made = madeUpLabels(all.values as Float32Array, all.shape[0], all.shape[1] ?? 1, real, random, skip);
      const a = parts.train.n;
      const b = a + val.n;
      const yTrain = made.slice(0, a);
      session.send({
        type: 'probe',
        yTrain: { values: yTrain, shape: [a], dtype: 'float32' },
        yVal: { values: made.slice(a, b), shape: [val.n], dtype: 'float32' },
      });
      await session.expect('trained');
      session.send({ type: 'predict', x: testInputs });
      const answer = await session.expect('predictions');
      const held = made.slice(b);
      let mean = 0;
      for (const v of yTrain) mean += v / a;
      let rmse: number;
      try {
        rmse = computeMetric('rmse', normalizePredictions('regression', answer.tensor, test.n), held);
      } catch (err) {
        if (!(err instanceof InvalidOutputError)) throw err;
        rmse = Infinity;
      }
      const meanRmse = computeMetric(
        'rmse',
        normalizePredictions(
          'regression',
          {
            values: new Float32Array(test.n).fill(mean),
            shape: [test.n],
            dtype: 'float32',
          },
          test.n,
        ),
        held,
      );
      probed.set(seed, { rmse, mean: meanRmse });
    },
    judge(run) {
      const passed = run.passed ?? true;
      if (!spec || !val || asked.size === 0) return { ...run, passed };
      const bySeed = [...asked]
        .sort((a, b) => a[0] - b[0])
        .map(([seed, a]) => ({
          seed,
          findings: judgeCandidates(
            spec,
            { ...a.answer, entries: a.answer.entries.map((e) => splitEntry(e, a.order, val.n)) },
            { n: val.n, labels: val.labels, task: ex.task ?? 'regression' },
            { n: test.n, labels: test.labels, returned: a.returned },
          ),
        }));
      const worst = bySeed.find((s) => s.findings.problems.length > 0) ?? bySeed[0];
      const f = worst.findings;
      const minModels = Math.min(...bySeed.map((s) => s.findings.models));
      const allBest = bySeed.every((s) => s.findings.chosenIsBest);
      const metrics: MetricResult[] = [
        ...run.metrics,
        { name: 'models_compared', value: minModels, min: spec.minModels, passed: minModels >= spec.minModels },
        { name: 'chosen_best_on_val', value: allBest ? 1 : 0, min: 1, passed: allBest },
      ];
      // The probe run: the worst seed's ratio to the training mean on the made-up labels.
      const probes = [...probed].sort((x, y) => x[0] - y[0]);
      const probeWorst = probes.reduce<[number, { rmse: number; mean: number }] | undefined>(
        (w, p) => (!w || !(p[1].rmse / p[1].mean <= w[1].rmse / w[1].mean) ? p : w),
        undefined,
      );
      const probeProblems: string[] = [];
      if (spec.probeRatio && probeWorst) {
        const [seed, p] = probeWorst;
        const ratio = p.rmse / p.mean;
        const ok = ratio <= spec.probeRatio;
        metrics.push({
          name: 'probe_vs_mean',
          value: ratio,
          max: spec.probeRatio,
          passed: ok,
          ...(probes.length > 1 ? { values: probes.map(([, q]) => q.rmse / q.mean) } : {}),
        });
        if (!ok)
          probeProblems.push(
            `--- the run on made-up prices${probes.length > 1 ? ` (seed ${seed})` : ''} ---`,
            `mlpath called train() a second time on the same rows with prices it made up from them (yTrain and yVal replaced, a relation the real prices do not have): predict(x) scored rmse ${fmt(p.rmse)} on the held-out rows there, where predicting the training mean scores ${fmt(p.mean)} (${fmt(ratio)} of it; a model fitted to the rows it is given scores at most ${spec.probeRatio} of it). Your model answers what it knew before training, not what the rows it was given say: a table of prices (the public Boston table copied beside train.ts, say) is not a model. Fit every candidate on ctx.data.xTrain / yTrain, and nothing else (${LESSON})`,
          );
      }
      const where = bySeed.length > 1 ? ` (seed ${worst.seed})` : '';
      const lines = [
        `--- the choice on validation${where} ---`,
        ...f.problems,
        ...(f.table.length ? ['candidates:', ...f.table] : []),
      ];
      return {
        ...run,
        metrics,
        output: [run.output.trimEnd(), lines.join('\n'), probeProblems.join('\n')].filter(Boolean).join('\n'),
        passed: passed && f.problems.length === 0 && probeProblems.length === 0,
      };
    },
  };
}
