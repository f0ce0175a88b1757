/**
 * The `train` kind when the model is fixed (month3/tabular), child side: the
 * learner's file exports `engineer`, `toTarget` and `fromTarget`, and this
 * module, the grader's code, does the rest: it builds the training columns
 * with `engineer`, fits ridge regression on them (../ridge.ts) and, at
 * predict time, builds the held-out columns the same way and turns the
 * model's answers back into prices with `fromTarget`. Only the features are
 * the learner's, so a better score can only come from better features.
 *
 * An optional `explore(data)` gets the training rows and prices to look at
 * (console.log) once the held-out predictions are made, when nothing it
 * does can change them.
 *
 * The README's rule that features are fixed formulas of each row's own
 * values is checked too: given half of the training rows in another order,
 * `engineer` must give those rows the same columns; it must give them again
 * after `toTarget` has seen the prices; and `fromTarget` must undo `toTarget`.
 */
import type { Tensor } from '@tensorflow/tfjs';
import type { HarnessContext } from '../harness';
import type { FixedModel } from '../protocol';
import { fitRidge, predictRidge } from '../ridge';

type Tf = HarnessContext['tf'];

interface Learner {
  engineer(tf: unknown, x: Tensor, names: string[]): unknown;
  toTarget(tf: unknown, price: Tensor): unknown;
  fromTarget(tf: unknown, target: Tensor): unknown;
  /** Optional: a look at the training data, called once the held-out predictions are made, so it cannot change them. */
  explore?(data: { x: number[][]; price: number[]; names: string[] }): unknown;
}

/** What train() receives (child/train.ts builds it). */
interface TrainCtx {
  tf: Tf;
  data: { xTrain: Tensor; yTrain: Tensor; featureNames?: string[] };
  seed: number;
  log(step: Record<string, unknown>): void;
}

const FUNCTIONS = ['engineer', 'toTarget', 'fromTarget', 'explore'] as const;
const REQUIRED = FUNCTIONS.slice(0, 3);
const LESSON = 'the model is fixed and only the features are yours';

/** Relative tolerance between two float32 computations of the same formula. */
function close(a: number, b: number, tol = 1e-4): boolean {
  return Math.abs(a - b) <= tol * (1 + Math.abs(b));
}

function fmt(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(5))) : String(v);
}

/** A seeded permutation of 0..n-1 (mulberry32): the grader's own, not Math.random. */
function permutation(n: number, seed: number): number[] {
  let a = (seed ^ 0x5bd1e995) >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * The learner's functions, checked before anything runs: all three exported,
 * and no train() of their own (the model here is mlpath's).
 */
function learnerFunctions(ctx: HarnessContext): Learner {
  const exports = ctx.exports as Record<string, unknown>;
  if (typeof exports.default === 'function') {
    ctx.fail({
      kind: 'invalid-output',
      message: `train.ts exports a default train(), but in this exercise ${LESSON}: mlpath fits ridge regression itself on the columns engineer() returns. Remove train() (and any model of your own) and put your work into engineer, toTarget and fromTarget`,
    });
  }
  const missing = REQUIRED.filter((name) => typeof exports[name] !== 'function');
  if (missing.length) {
    ctx.fail({
      kind: 'missing-entry',
      message: `train.ts must export ${missing.map((n) => `${n}()`).join(', ')}: mlpath calls engineer(tf, x, names), toTarget(tf, price) and fromTarget(tf, target) and fits the model itself (restore the starter with \`mlpath reset\` to see their shapes)`,
    });
  }
  return exports as unknown as Learner;
}

export function fixedModelTrain(ctx: HarnessContext, spec: FixedModel): (trainCtx: TrainCtx) => Promise<{ predict(x: Tensor): Tensor }> {
  const learner = learnerFunctions(ctx);
  const tf = ctx.tf;

  /** Calls a learner function; a throw is the learner's error, with the function named. */
  const call = (name: (typeof FUNCTIONS)[number], ...args: unknown[]): unknown => {
    try {
      return (learner[name] as (...a: unknown[]) => unknown)(...args);
    } catch (err) {
      const e = ctx.describe(err);
      return ctx.fail({ ...e, message: `${name}() threw: ${e.message}` });
    }
  };

  /** A [rows, d] result of engineer() as rows of finite numbers. */
  const matrix = (value: unknown, rows: number, what: string): number[][] => {
    if (!(value instanceof tf.Tensor)) ctx.fail({ kind: 'invalid-output', message: `${what} must return a tf.Tensor of shape [n, d], but it returned ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}` });
    const t = value as Tensor;
    if (t.rank !== 2 || t.shape[0] !== rows) ctx.fail({ kind: 'invalid-output', message: `${what} returned shape [${t.shape.join(', ')}] for ${rows} rows; expected [${rows}, d]: one row per input row, one column per feature` });
    const out = t.arraySync() as number[][];
    out.forEach((row, r) => row.forEach((v, j) => {
      if (!Number.isFinite(v)) ctx.fail({ kind: 'invalid-output', message: `${what} gave ${fmt(v)} in column ${j} of row ${r}: a transform blew up (log of 0 is -Infinity: zn and chas hold zeros, use tf.log1p there)` });
    }));
    return out;
  };

  /** An [n] result of toTarget() or fromTarget() as finite numbers. */
  const vector = (value: unknown, rows: number, what: string): number[] => {
    if (!(value instanceof tf.Tensor)) ctx.fail({ kind: 'invalid-output', message: `${what} must return a tf.Tensor of shape [n], but it returned ${value === null ? 'null' : typeof value}` });
    const t = value as Tensor;
    if (t.size !== rows || t.shape[0] !== rows) ctx.fail({ kind: 'invalid-output', message: `${what} returned shape [${t.shape.join(', ')}] for ${rows} values; expected [${rows}], one value per row` });
    const out = Array.from(t.dataSync());
    const bad = out.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) ctx.fail({ kind: 'invalid-output', message: `${what} gave ${fmt(out[bad])} for value ${bad}: a transform blew up (log of a price of 0 or below?)` });
    return out;
  };

  return async (trainCtx) => {
    const { data } = trainCtx;
    const learnerTf = trainCtx.tf;
    const names = [...(data.featureNames ?? [])];
    const n = data.xTrain.shape[0];
    const features = matrix(call('engineer', learnerTf, data.xTrain, [...names]), n, 'engineer(tf, x, names)');
    const d = features[0]?.length ?? 0;

    // Half of the rows in another order: a row's columns may depend on that row alone.
    const rows = permutation(n, trainCtx.seed).slice(0, Math.ceil(n / 2));
    const half = tf.gather(data.xTrain, rows);
    const again = matrix(call('engineer', learnerTf, half, [...names]), rows.length, 'engineer(tf, x, names)');
    const differs = (got: number[][]): string | undefined => {
      for (let i = 0; i < rows.length; i++) {
        if (got[i].length !== d) return `row ${rows[i]} got ${got[i].length} columns instead of ${d}`;
        const j = got[i].findIndex((v, c) => !close(v, features[rows[i]][c]));
        if (j >= 0) return `row ${rows[i]} got ${fmt(got[i][j])} in column ${j} instead of ${fmt(features[rows[i]][j])}`;
      }
      return undefined;
    };
    const shifted = differs(again);
    if (shifted) {
      ctx.fail({
        kind: 'invalid-output',
        message: `engineer() is not a fixed formula of each row: given half of the training rows in another order, ${shifted}. A statistic of the rows it is handed (a mean, a min or max, a rank) changes with the rows, and the held-out rows are other rows; compute each column from the row's own values only`,
      });
    }

    const price = Array.from(data.yTrain.dataSync());
    const target = vector(call('toTarget', learnerTf, data.yTrain), n, 'toTarget(tf, price)');
    const back = vector(call('fromTarget', learnerTf, tf.tensor1d(target)), n, 'fromTarget(tf, target)');
    const off = back.findIndex((v, i) => !close(v, price[i], 1e-3));
    if (off >= 0) {
      ctx.fail({
        kind: 'invalid-output',
        message: `fromTarget(toTarget(price)) gives ${fmt(back[off])} for a price of ${fmt(price[off])}: fromTarget must undo toTarget (tf.exp undoes tf.log), since the model's answers are turned back into prices with it`,
      });
    }
    // Features are fixed formulas: the prices toTarget has now seen must not change them.
    const late = differs(matrix(call('engineer', learnerTf, half, [...names]), rows.length, 'engineer(tf, x, names)'));
    if (late) {
      ctx.fail({
        kind: 'invalid-output',
        message: `engineer() gave other columns for the same rows once toTarget() had seen the prices (${late}): features must be fixed formulas of each row, with nothing learned from the targets`,
      });
    }
    half.dispose();

    const model = fitRidge(features, target, spec.l2);
    trainCtx.log({ columns: d, rows: n, trainRmse: model.trainRmse });
    const xRows = data.xTrain.arraySync() as number[][];
    const raw = d === names.length && features.every((row, r) => row.every((v, j) => close(v, xRows[r][j])));
    const targetAsIs = target.every((v, i) => close(v, price[i]));
    process.stdout.write(`mlpath fitted ridge regression (l2 = ${spec.l2}) on the ${d} columns engineer() returned${raw ? ' (the raw columns as they are: nothing engineered yet)' : ''}, target ${targetAsIs ? 'the price as it is' : 'toTarget(price)'}; training RMSE ${fmt(model.trainRmse)} on the target's scale\n`);

    return {
      predict(x: Tensor): Tensor {
        const rowsX = x.shape[0];
        const columns = matrix(call('engineer', learnerTf, x, [...names]), rowsX, 'engineer(tf, x, names) on the held-out rows');
        if (columns.some((row) => row.length !== d)) {
          ctx.fail({ kind: 'invalid-output', message: `engineer() gave the held-out rows ${columns[0].length} columns but the training rows ${d}: the same function must build both` });
        }
        const predicted = predictRidge(model, columns);
        const prices = vector(call('fromTarget', learnerTf, tf.tensor1d(Float32Array.from(predicted))), rowsX, 'fromTarget(tf, target) on the held-out predictions');
        if (typeof learner.explore === 'function') call('explore', Object.freeze({ x: xRows.map((row) => [...row]), price: [...price], names: [...names] }));
        return tf.tensor1d(prices);
      },
    };
  };
}
