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
 * beside columns that meet it (the reference plus the lookup) is refused by
 * how close it gets: no formula of a tract's 13 numbers comes near.
 */
import { randomInt } from 'node:crypto';
import { fixedModelSchema } from '../curriculum/kinds/train';
import type { LoadedDataset } from '../datasets';
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

/** 0..n-1 in a random order, from the grader's randomness: learner code cannot predict it. */
function shuffled(n: number): number[] {
  const out = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
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
 * The probe of a dataset: prices made up from its rows by a fixed formula
 * that a linear model on the raw columns cannot follow, and the bar on the
 * held-out RMSE of the grader's fit to them, as a fraction of their standard
 * deviation. Measured on the boston split of month3/tabular (deterministic:
 * same rows, same columns, no noise): the raw columns (the starter) 0.138,
 * the raw columns plus the looked-up log price 0.130; the raw columns plus
 * rm^2 alone 0.068 (an honest pass on the real prices, rmse 4.26 mae 2.92),
 * plus log(lstat) alone 0.077, the reference 0.012, 100 engineered columns
 * 0.013. rm^2 carries more of the formula than log(lstat) because rm^2 alone
 * passes on the real prices and log(lstat) alone does not.
 */
export interface Probe {
  /** What the made-up prices are, in the learner's words. */
  formula: string;
  /** What to add when the probe is missed. */
  advice: string;
  price(row: Float32Array, names: readonly string[]): number;
  max: number;
  /**
   * Held-out RMSE (in the data's units) below which the real fit is not a
   * fit of formulas: the reference 4.19; ridge on the reference plus 91
   * pairwise products of log columns 3.82; a kernel model of its own
   * (lesson-tabular-kernel.ts) 3.17; the looked-up log price 0.076.
   */
  floor: number;
}

export const PROBES: Record<string, Probe> = {
  boston: {
    formula: '-0.4 log(lstat) + 0.12 rm^2',
    advice: 'add the transforms the README names (log(lstat), rm^2, rm * log(lstat)) as columns',
    price: (row, names) => -0.4 * Math.log(row[names.indexOf('lstat')]) + 0.12 * row[names.indexOf('rm')] ** 2,
    max: 0.1,
    floor: 2.5,
  },
};

/**
 * The grader's ridge refitted on the columns the real rows got, to the
 * probe's made-up prices, scored on the held-out rows: RMSE as a fraction of
 * the made-up prices' standard deviation there.
 */
export function probeScore(
  probe: Probe,
  parts: { train: LoadedDataset; test: LoadedDataset },
  columns: { train: readonly (readonly number[])[]; test: readonly (readonly number[])[] },
  l2: number,
): number {
  const names = parts.train.featureNames ?? [];
  const width = parts.train.featureShape.reduce((a, b) => a * b, 1);
  const made = (ds: LoadedDataset): number[] =>
    Array.from({ length: ds.n }, (_, r) => probe.price(ds.features.subarray(r * width, (r + 1) * width), names));
  const want = made(parts.test);
  const got = predictRidge(fitRidge(columns.train, made(parts.train), l2), columns.test);
  const mean = want.reduce((a, v) => a + v, 0) / want.length;
  const sd = Math.sqrt(want.reduce((a, v) => a + (v - mean) ** 2, 0) / want.length);
  const rmse = Math.sqrt(want.reduce((a, v, i) => a + (got[i] - v) ** 2, 0) / want.length);
  return rmse / sd;
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
  const trainRows: Row[] = Array.from({ length: train.n }, (_, index) => ({ part: 'train', index }));
  const features = await engineer(trainRows, 'engineer(tf, x, names)');
  const d = features[0].length;
  const known = (r: Row): number[] | undefined => (r.part === 'train' ? features[r.index] : undefined);

  // Half of the training rows in another order: a row's columns may depend on that row alone.
  const half = shuffled(train.n)
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
  const heldColumns = new Array<number[] | undefined>(test.n);
  const seen = (r: Row): number[] | undefined => (r.part === 'train' ? features[r.index] : heldColumns[r.index]);
  const calls: Row[][] = [0, 1].map(() =>
    shuffled(test.n)
      .slice(0, Math.ceil(test.n / 2))
      .map((index): Row => ({ part: 'test', index })),
  );
  const mixed = [
    ...Array.from({ length: test.n }, (_, index): Row => ({ part: 'test', index })),
    ...half.slice(0, Math.ceil(test.n / 4)),
  ];
  calls.push(shuffled(mixed.length).map((i) => mixed[i]));
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
  const raw = d === width && features.every((row, r) => row.every((v, j) => close(v, train.features[r * width + j])));
  const probe = PROBES[train.id];
  // The raw columns fail on the real prices by themselves, and the note says nothing was engineered yet.
  if (probe && !raw) {
    const missed = probeScore(probe, parts, { train: features, test: heldColumns as number[][] }, spec.l2);
    if (missed > probe.max) {
      throw new InvalidOutputError(
        `your columns do not carry the curves this lesson is about: mlpath made up prices for the same tracts from a fixed formula (${probe.formula}, on the columns you already returned, so engineer() ran no more) and its fit on your columns misses them on the held-out tracts by ${fmt(missed)} of their spread, more than ${probe.max} (the raw columns miss by 0.138, one transform such as rm^2 by 0.07). A column that does not come from the row's own numbers, such as a price looked up from a copy of the table, does not help there: ${probe.advice}`,
      );
    }
    const labels = test.labels;
    const rmse = Math.sqrt(prices.reduce((a, p, i) => a + (p - labels[i]) ** 2, 0) / test.n);
    if (rmse < probe.floor) {
      throw new InvalidOutputError(
        `the fit on your columns predicts the held-out prices to within ${fmt(rmse)} (RMSE), closer than any formula of a tract's own numbers gets on these tracts (${probe.floor} or more; the reference 4.19): one of your columns carries the price itself, such as a price looked up from a copy of the table. Remove it: the columns must be computed from the row's 13 numbers only (${LESSON})`,
      );
    }
  }
  const note = `mlpath fitted ridge regression (l2 = ${spec.l2}) on the ${d} columns engineer() returned${raw ? ' (the raw columns as they are: nothing engineered yet)' : ''}, target ${target.formula} (target = '${declared}'); training RMSE ${fmt(model.trainRmse)} on the target's scale`;
  return { tensor: { values: prices, shape: [test.n], dtype: 'float32' }, note };
}
