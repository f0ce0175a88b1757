/**
 * Exercises whose lesson is the features (month3/tabular) fix the model in
 * the curriculum, `options.fixedModel`, and the grader fits it itself, here,
 * in the parent: the learner's file exports `engineer` (rows -> columns) and
 * names a target transform from a fixed menu (`export const target = 'log'`).
 * The child only runs `engineer` on the rows the grader sends it
 * (child/fixed-model.ts); the ridge fit (ridge.ts), the target transform in
 * both directions and the held-out prices are computed here. So no learner
 * code runs between the model's answers and the prices that are scored, and
 * the child never holds a training price before every column is in: a model
 * of the learner's own cannot be smuggled in around the fixed one.
 *
 * The README's rule that features are fixed formulas of each row's own
 * values is checked on rows the grader shuffles with its own randomness:
 * half of the training rows in another order, and the held-out rows in two
 * random subsets and once more all together, mixed with training rows. Each
 * row must get the same columns every time it is sent.
 *
 * Whether the columns carry the lesson is checked on the same rows with
 * prices the grader makes up (PROBES): the public Boston table copied beside
 * train.ts gives every tract's real price, so engineer() could hand the fit
 * the price itself as a column (test/fixtures/submissions/adv22-tabular-census.ts,
 * rmse 0.076). Made-up rows would not help: with the table at hand the learner
 * tells a made-up row from a real one and answers each honestly only where it
 * is not looked at. So the probe sends no rows at all: it refits the grader's
 * ridge on the columns engineer() already gave the real rows, to prices that
 * are a fixed formula of the lesson's transforms, and scores it on the
 * held-out rows. engineer() cannot tell the probe from the real fit (it never
 * sees a price), and a looked-up price barely predicts the made-up ones, so
 * the probe is met by the engineered columns or not at all. A looked-up price
 * beside columns that meet it (the reference plus the lookup,
 * adv22-tabular-census-honest.ts) is refused by what it knows: the part of the
 * real price that the grader's own generous formulas leave unexplained, which
 * no formula of a tract's 13 numbers predicts.
 */
import { fixedModelSchema } from '../curriculum/kinds/train';
import type { LoadedDataset } from '../datasets';
import { secretOrder } from '../datasets/rng';
import { exerciseOption, type WithOptions } from './exercise-options';
import { InvalidOutputError } from './predictions';
import type { FixedModel, FixedModelPayload, WireTensor } from './protocol';
import { fitRidge, predictRidge } from './ridge';
import type { ChildSession } from './runner';

export { fixedModelSchema };

export const LESSON = 'the model is fixed and only the features are yours';

/** Columns one engineer() call may return: the exact fit costs columns cubed, in the grader's own process. */
export const MAX_COLUMNS = 1024;

/** The target transforms a learner chooses from, each implemented here in both directions. */
export const TARGETS = {
  identity: {
    forward: (y: number) => y,
    inverse: (t: number) => t,
    domain: (y: number) => Number.isFinite(y),
    formula: 'the price as it is',
  },
  log: {
    forward: Math.log,
    inverse: Math.exp,
    domain: (y: number) => y > 0,
    formula: 'log(price), turned back with exp',
  },
  log1p: {
    forward: Math.log1p,
    inverse: Math.expm1,
    domain: (y: number) => y > -1,
    formula: 'log(1 + price), turned back with exp(t) - 1',
  },
  // A negative answer has no square root to come from: it is read as 0.
  sqrt: {
    forward: Math.sqrt,
    inverse: (t: number) => Math.max(t, 0) ** 2,
    domain: (y: number) => y >= 0,
    formula: 'sqrt(price), turned back by squaring',
  },
} as const;
export type TargetName = keyof typeof TARGETS;
export const TARGET_NAMES = Object.keys(TARGETS) as TargetName[];

/** The exercise's fixed model, or undefined when train() is the learner's. */
export function fixedModelOf(ex: WithOptions): FixedModel | undefined {
  return exerciseOption(ex, 'fixedModel', fixedModelSchema);
}

/** What the child of a fixed-model exercise gets: the training inputs, never the prices. */
export function fixedModelPayload(train: LoadedDataset, fixedModel: FixedModel): FixedModelPayload {
  return {
    xTrain: { values: train.features, shape: [train.n, ...train.featureShape], dtype: 'float32' },
    featureNames: train.featureNames,
    fixedModel,
  };
}

/** The target transform the learner's file named, or the reason it cannot be used. */
export function targetOf(declared: string | undefined): TargetName {
  const menu = TARGET_NAMES.map((t) => `'${t}'`).join(', ');
  if (declared === undefined) {
    throw new InvalidOutputError(
      `train.ts must name the target the model learns: add \`export const target = 'log'\` (one of ${menu}). In this exercise ${LESSON}: mlpath applies the transform to the prices and undoes it on the model's answers itself`,
    );
  }
  if (!(TARGET_NAMES as string[]).includes(declared)) {
    throw new InvalidOutputError(
      `target is ${JSON.stringify(declared.slice(0, 40))}, which mlpath does not know: choose one of ${menu} (mlpath applies it to the prices and undoes it on the model's answers itself, since ${LESSON})`,
    );
  }
  return declared as TargetName;
}

function fmt(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(5))) : String(v);
}

/** Relative tolerance between two float32 computations of the same formula. */
function close(a: number, b: number, tol = 1e-4): boolean {
  return Math.abs(a - b) <= tol * (1 + Math.abs(b));
}

/** A grader-side row: which part it comes from, and its index there. */
interface Row {
  part: 'train' | 'test';
  index: number;
}

/** Rows of two parts stacked in the order given, as the child receives them. */
function inputsOf(rows: readonly Row[], parts: { train: LoadedDataset; test: LoadedDataset }): WireTensor {
  const width = parts.train.featureShape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(rows.length * width);
  rows.forEach((r, i) =>
    values.set(parts[r.part].features.subarray(r.index * width, (r.index + 1) * width), i * width),
  );
  return { values, shape: [rows.length, ...parts.train.featureShape], dtype: 'float32' };
}

/** An engineer() answer as rows of finite numbers, or an InvalidOutputError saying what is wrong. */
function columnsOf(tensor: WireTensor, rows: number, what: string): number[][] {
  const { shape, values } = tensor;
  if (shape.length !== 2 || shape[0] !== rows) {
    throw new InvalidOutputError(
      `${what} returned shape [${shape.join(', ')}] for ${rows} rows; expected [${rows}, d]: one row per input row, one column per feature`,
    );
  }
  const d = shape[1];
  if (d === 0) throw new InvalidOutputError(`${what} returned no columns: return at least the raw ones`);
  if (d > MAX_COLUMNS)
    throw new InvalidOutputError(
      `${what} returned ${d} columns; at most ${MAX_COLUMNS} are fitted (354 rows do not support hundreds of columns anyway: keep a handful you can explain)`,
    );
  if (Array.isArray(values)) throw new InvalidOutputError(`${what} returned strings; return numbers`);
  const out: number[][] = [];
  for (let r = 0; r < rows; r++) {
    const row = Array.from(values.subarray(r * d, (r + 1) * d));
    const j = row.findIndex((v) => !Number.isFinite(v));
    if (j >= 0)
      throw new InvalidOutputError(
        `${what} gave ${fmt(row[j])} in column ${j} of row ${r}: a transform blew up (log of 0 is -Infinity: zn and chas hold zeros, use tf.log1p there)`,
      );
    out.push(row);
  }
  return out;
}

/** The first row whose columns differ from the ones it got before, described, or undefined. */
function firstDifference(
  got: number[][],
  rows: readonly Row[],
  before: (r: Row) => number[] | undefined,
): string | undefined {
  for (let i = 0; i < rows.length; i++) {
    const want = before(rows[i]);
    if (!want) continue;
    const name = `${rows[i].part === 'train' ? 'training' : 'held-out'} row ${rows[i].index}`;
    if (got[i].length !== want.length) return `${name} got ${got[i].length} columns instead of ${want.length}`;
    const j = got[i].findIndex((v, c) => !close(v, want[c]));
    if (j >= 0) return `${name} got ${fmt(got[i][j])} in column ${j} instead of ${fmt(want[j])}`;
  }
  return undefined;
}

function notFixed(how: string, difference: string): InvalidOutputError {
  return new InvalidOutputError(
    `engineer() is not a fixed formula of each row: given ${how}, ${difference}. A statistic of the rows it is handed (a mean, a min or max, a rank), or anything remembered from an earlier call, changes with the rows, and the held-out rows are other rows; compute each column from the row's own values only (${LESSON})`,
  );
}

/**
 * The probes of a dataset, both run in the grader's process on the columns
 * engineer() already gave the real rows (so engineer() runs no more and
 * cannot tell them from the real fit), both scored on the held-out rows.
 * Every number below is measured on the boston split of month3/tabular:
 * same rows, same columns, no noise, so a submission scores the same on
 * every run.
 *
 * `price`: made-up prices, a fixed formula a linear model on the raw columns
 * cannot follow; `max` bounds the held-out RMSE of the grader's ridge fit to
 * them, as a fraction of their standard deviation. The raw columns (the
 * starter) miss by 0.120, the raw columns plus the looked-up log price by
 * 0.112; plus rm^2 alone 0.042 (an honest pass on the real prices, rmse 4.26
 * mae 2.92), plus rm^3 0.033, plus log(lstat) alone 0.083 (4.66 and 3.15 on
 * the real prices: a fail), the reference 0.014, all 91 pairwise products
 * 0.029. rm^2 carries more of the formula than log(lstat) because rm^2 alone
 * passes on the real prices and log(lstat) alone does not: a lookup beside
 * columns that meet the made-up prices adds nothing a pass needs. The one
 * honest near-pass it refuses: the reference without rm^2 (0.064; on the
 * real prices rmse 4.35, mae 3.045 against 3.05), told to add rm^2.
 *
 * `library`: the grader's own generous formulas of a row (the reference's
 * columns and the 91 products of pairs of log(1 + |column|)), fitted to the
 * real log prices of the training rows (held-out rmse 3.82, below the
 * reference's 4.19). What it leaves, on each row, is the part of the price
 * that formulas of the row's numbers do not reach; `residualMax` bounds the
 * share of it, on the held-out rows, that the learner's columns predict
 * (R^2 of the grader's ridge fit to it). Formulas reach little of it: the raw
 * columns 0.000, the reference 0.004, the library itself 0.040; flexible
 * bases more: the 91 products of pairs of standardised columns 0.25, 200
 * random cosine features 0.18 (both pass on the real prices, rmse 3.50 and
 * 3.21), hence the bar at 0.5. A looked-up price: exact 0.70 (raw columns
 * beside it) and 0.84 (the reference), with noise of sd 0.1 on the log
 * price 0.62, sd 0.2 0.37. A noisier lookup passes this check and not the
 * made-up prices unless an rm power is among the columns, which pass on the
 * real prices by themselves.
 */
export interface Probe {
  /** The made-up prices' formula, in the learner's words. */
  formula: string;
  /** What to add when the made-up prices are missed. */
  advice: string;
  price(row: Float32Array, names: readonly string[]): number;
  max: number;
  library(row: Float32Array, names: readonly string[]): number[];
  /** The library, in the learner's words. */
  libraryWhat: string;
  residualMax: number;
}

export const PROBES: Record<string, Probe> = {
  boston: {
    formula: '-0.2 log(lstat) + 0.12 rm^2',
    advice: 'add rm^2 as a column, with the other transforms the README names (log(lstat), rm * log(lstat))',
    price: (row, names) => -0.2 * Math.log(row[names.indexOf('lstat')]) + 0.12 * row[names.indexOf('rm')] ** 2,
    max: 0.055,
    library: (row, names) => {
      const at = (name: string): number => row[names.indexOf(name)];
      const logLstat = Math.log(at('lstat'));
      const z = Array.from(row, (v) => Math.log1p(Math.abs(v)));
      const out = [...row, logLstat, Math.log(at('crim')), Math.log(at('dis')), at('rm') ** 2, at('rm') * logLstat];
      for (let i = 0; i < z.length; i++) for (let j = 0; j <= i; j++) out.push(z[i] * z[j]);
      return out;
    },
    libraryWhat: "109 columns (the reference's and products of pairs of logs)",
    residualMax: 0.5,
  },
};

/** The rows of one part, each as the dataset stores it. */
function rowsOf(ds: LoadedDataset): Float32Array[] {
  const width = ds.featureShape.reduce((a, b) => a * b, 1);
  return Array.from({ length: ds.n }, (_, r) => ds.features.subarray(r * width, (r + 1) * width));
}

/** Fits ridge on the training columns to `target.train`, scores it on the held-out columns against `target.test`. */
function heldOutFit(
  columns: { train: readonly (readonly number[])[]; test: readonly (readonly number[])[] },
  target: { train: number[]; test: number[] },
  l2: number,
): { rmse: number; sd: number } {
  const got = predictRidge(fitRidge(columns.train, target.train, l2), columns.test);
  const want = target.test;
  const mean = want.reduce((a, v) => a + v, 0) / want.length;
  const sd = Math.sqrt(want.reduce((a, v) => a + (v - mean) ** 2, 0) / want.length);
  const rmse = Math.sqrt(want.reduce((a, v, i) => a + (got[i] - v) ** 2, 0) / want.length);
  return { rmse, sd };
}

export interface ProbeScores {
  /** Held-out RMSE of the fit to the made-up prices, as a fraction of their standard deviation. */
  missed: number;
  /** Share of what the grader's library leaves of the real log prices that the columns predict on held-out rows. */
  beyond: number;
}

/** Both probes of `probe` on the columns the training and held-out rows got. */
export function probeScores(
  probe: Probe,
  parts: { train: LoadedDataset; test: LoadedDataset },
  columns: { train: readonly (readonly number[])[]; test: readonly (readonly number[])[] },
  l2: number,
): ProbeScores {
  const names = parts.train.featureNames ?? [];
  const rows = { train: rowsOf(parts.train), test: rowsOf(parts.test) };
  const made = {
    train: rows.train.map((r) => probe.price(r, names)),
    test: rows.test.map((r) => probe.price(r, names)),
  };
  const fit = heldOutFit(columns, made, l2);

  const logPrice = { train: Array.from(parts.train.labels, Math.log), test: Array.from(parts.test.labels, Math.log) };
  const library = {
    train: rows.train.map((r) => probe.library(r, names)),
    test: rows.test.map((r) => probe.library(r, names)),
  };
  const formulas = fitRidge(library.train, logPrice.train, l2);
  const left = (part: 'train' | 'test'): number[] => {
    const fitted = predictRidge(formulas, library[part]);
    return logPrice[part].map((y, i) => y - fitted[i]);
  };
  const residual = { train: left('train'), test: left('test') };
  const reach = heldOutFit(columns, residual, l2);
  // R^2 against 0, the library's own answer: the residual's mean is not the columns' doing either.
  const spread = residual.test.reduce((a, v) => a + v * v, 0) / residual.test.length;
  return { missed: fit.rmse / fit.sd, beyond: 1 - reach.rmse ** 2 / spread };
}

export interface FixedModelRun {
  /** The held-out prices, as the train kind scores predictions. */
  tensor: WireTensor;
  /** What the grader fitted, for the learner's output. */
  note: string;
}

/**
 * Fits the fixed model on a trained child's `engineer` and returns the
 * held-out prices; `declared` is the target the child reported with
 * `trained`. Problems with what the learner's code returned are thrown as
 * InvalidOutputError, failures of the child as ChildFailure.
 */
export async function runFixedModel(
  session: ChildSession,
  spec: FixedModel,
  declared: string | undefined,
  parts: { train: LoadedDataset; test: LoadedDataset },
  log: (step: Record<string, number>) => void,
): Promise<FixedModelRun> {
  const target = TARGETS[targetOf(declared)];
  const engineer = async (rows: Row[], what: string): Promise<number[][]> => {
    session.send({ type: 'features', x: inputsOf(rows, parts) });
    return columnsOf((await session.expect('features')).tensor, rows.length, what);
  };
  const { train, test } = parts;
  // The first call holds the held-out rows too, shuffled in: a call of exactly the training rows told engineer()
  // which rows are scored, and a column moved on those alone (to a looked-up price) met both probes, which fit on
  // the training rows' columns (adv24-tabular-heldout-shift.ts).
  const everyRow: Row[] = [
    ...Array.from({ length: train.n }, (_, index): Row => ({ part: 'train', index })),
    ...Array.from({ length: test.n }, (_, index): Row => ({ part: 'test', index })),
  ];
  const firstRows = secretOrder(everyRow.length).map((i) => everyRow[i]);
  const first = await engineer(firstRows, 'engineer(tf, x, names)');
  const features = new Array<number[]>(train.n);
  const heldColumns = new Array<number[] | undefined>(test.n);
  firstRows.forEach((r, i) =>
    r.part === 'train' ? (features[r.index] = first[i]) : (heldColumns[r.index] = first[i]),
  );
  const d = features[0].length;
  const known = (r: Row): number[] | undefined => (r.part === 'train' ? features[r.index] : undefined);

  // Half of the training rows in another order: a row's columns may depend on that row alone.
  const half = secretOrder(train.n)
    .slice(0, Math.ceil(train.n / 2))
    .map((index): Row => ({ part: 'train', index }));
  const shifted = firstDifference(await engineer(half, 'engineer(tf, x, names)'), half, known);
  if (shifted) throw notFixed('half of the training rows in another order', shifted);

  const price = Array.from(train.labels);
  const outside = price.findIndex((y) => !target.domain(y));
  if (outside >= 0)
    throw new InvalidOutputError(
      `target '${declared}' cannot take a price of ${fmt(price[outside])} (row ${outside}): choose another target`,
    );
  const model = fitRidge(features, price.map(target.forward), spec.l2);
  log({ columns: d, rows: train.n, trainRmse: model.trainRmse });

  // The held-out rows, twice in random halves and once all together mixed
  // with training rows, each time in an order of the grader's: which call is
  // the one that counts, and which row is which, cannot be told apart.
  const seen = (r: Row): number[] | undefined => (r.part === 'train' ? features[r.index] : heldColumns[r.index]);
  const calls: Row[][] = [0, 1].map(() =>
    secretOrder(test.n)
      .slice(0, Math.ceil(test.n / 2))
      .map((index): Row => ({ part: 'test', index })),
  );
  const mixed = [
    ...Array.from({ length: test.n }, (_, index): Row => ({ part: 'test', index })),
    ...half.slice(0, Math.ceil(test.n / 4)),
  ];
  calls.push(secretOrder(mixed.length).map((i) => mixed[i]));
  for (const rows of calls) {
    const got = await engineer(rows, 'engineer(tf, x, names) on the held-out rows');
    if (got[0].length !== d) {
      throw new InvalidOutputError(
        `engineer() gave the held-out rows ${got[0].length} columns but the training rows ${d}: the same function must build both`,
      );
    }
    const differs = firstDifference(got, rows, seen);
    if (differs) throw notFixed('the held-out rows in random subsets and orders, mixed with training rows', differs);
    rows.forEach((r, i) => {
      if (r.part === 'test') heldColumns[r.index] = got[i];
    });
  }

  const answers = predictRidge(model, heldColumns as number[][]);
  const prices = new Float32Array(test.n);
  for (let i = 0; i < test.n; i++) {
    const p = target.inverse(answers[i]);
    if (!Number.isFinite(p))
      throw new InvalidOutputError(
        `the model's answer for held-out row ${i} is ${fmt(answers[i])} on the target's scale, which turns back into a price of ${fmt(p)}: a column with huge values there (a power of a large column?) threw the fit off`,
      );
    prices[i] = p;
  }

  // Every column is in and every price computed: the learner may look at the data now.
  session.send({ type: 'explore', price: Float32Array.from(price) });
  await session.expect('explored');

  const width = train.featureShape.reduce((a, b) => a * b, 1);
  const asGiven = (rows: readonly (readonly number[])[], part: LoadedDataset): boolean =>
    rows.every((row, r) => row.every((v, j) => close(v, part.features[r * width + j])));
  // Raw only if the held-out rows got their raw columns too: raw training columns beside held-out columns moved to
  // a looked-up price skipped the probes and scored rmse 0.000 (adv24-tabular-raw-shift.ts).
  const raw = d === width && asGiven(features, train) && asGiven(heldColumns as number[][], test);
  const probe = PROBES[train.id];
  // The raw columns fail on the real prices by themselves, and the note says nothing was engineered yet.
  if (probe && !raw) {
    const { missed, beyond } = probeScores(probe, parts, { train: features, test: heldColumns as number[][] }, spec.l2);
    if (beyond > probe.residualMax) {
      throw new InvalidOutputError(
        `your columns know more about the held-out prices than formulas of a tract's own numbers do: of the part of the log price that mlpath's own ${probe.libraryWhat} leave unexplained, a fit on your columns predicts ${fmt(beyond * 100)}% on the held-out tracts, more than ${probe.residualMax * 100}% (the reference 0.4%). One of your columns carries the price itself, such as a price looked up from a copy of the table: remove it and compute every column from the row's 13 numbers (${LESSON})`,
      );
    }
    if (missed > probe.max) {
      throw new InvalidOutputError(
        `your columns do not carry the curves this lesson is about: mlpath made up prices for the same tracts from a fixed formula (${probe.formula}) and its fit on your columns misses them on the held-out tracts by ${fmt(missed)} of their spread, more than ${probe.max} (the raw columns miss by 0.12, the raw columns plus rm^2 by 0.042). engineer() ran no more for this: the fit used the columns you already returned, so a column that is not a formula of the row's own numbers, such as a price looked up from a copy of the table, does not help; ${probe.advice}`,
      );
    }
  }
  const note = `mlpath fitted ridge regression (l2 = ${spec.l2}) on the ${d} columns engineer() returned${raw ? ' (the raw columns as they are: nothing engineered yet)' : ''}, target ${target.formula} (target = '${declared}'); training RMSE ${fmt(model.trainRmse)} on the target's scale`;
  return { tensor: { values: prices, shape: [test.n], dtype: 'float32' }, note };
}
