/**
 * The `train` kind, child side: build the TrainContext of SPEC.md, call the
 * learner's default export, then answer one `predict` request with the
 * held-out inputs. The labels of those inputs never come here.
 */
import type { Tensor } from '@tensorflow/tfjs';
import type { HarnessContext } from '../harness';
import type { TrainPayload, WireTensor } from '../protocol';
import { loadPretrained, pretrainedWeightBytes } from '../../serving/pretrained';
import { watchTraining } from './observe';
import { runFixedModel } from './fixed-model';
import { answerGraderRequest } from './requests';

export function toTensor(tf: HarnessContext['tf'], w: WireTensor): Tensor {
  if (w.dtype === 'string') return tf.tensor(w.values, w.shape, 'string');
  return tf.tensor(w.values, w.shape, w.dtype);
}

function describeElement(tf: HarnessContext['tf'], v: unknown): string {
  if (v instanceof tf.Tensor) return 'a tf.Tensor';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return 'an array';
  if (v !== null && typeof v === 'object') return 'an object';
  return String(v);
}

/**
 * Predictions as plain numbers, which is what ml.js models return: `[n]`
 * values (or a typed array), or `[n][k]` rows of scores. Non-finite numbers
 * pass through on purpose: the parent reports them with the same message as
 * for a tensor.
 */
function fromNumbers(ctx: HarnessContext, value: ArrayLike<unknown>, what: string): WireTensor {
  const rows = value.length;
  const nested = rows > 0 && Array.isArray(value[0]);
  const cols = nested ? (value[0] as unknown[]).length : 1;
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const row = nested ? value[i] : [value[i]];
    if (!Array.isArray(row) || row.length !== cols) {
      const got = Array.isArray(row) ? `${row.length} values` : describeElement(ctx.tf, row);
      ctx.fail({
        kind: 'invalid-output',
        message: `${what} returned a ragged array: row 0 has ${cols} values but row ${i} has ${got}; return one number per row, or rows of equal length`,
      });
    }
    for (let j = 0; j < cols; j++) {
      const v: unknown = (row as unknown[])[j];
      if (typeof v !== 'number') {
        const where = nested ? `row ${i}, column ${j}` : `row ${i}`;
        ctx.fail({
          kind: 'invalid-output',
          message: `${what} returned an array holding a non-number (${describeElement(ctx.tf, v)} at ${where}); return numbers (class indices, probabilities or values) or a tf.Tensor`,
        });
      }
      out[i * cols + j] = v;
    }
  }
  return { values: out, shape: nested ? [rows, cols] : [rows], dtype: 'float32' };
}

function isTensorList(tf: HarnessContext['tf'], value: unknown[]): boolean {
  return value.length > 0 && value.every((v) => v instanceof tf.Tensor);
}

/**
 * What `predict` returned, ready to cross to the parent: a tf.Tensor, or
 * plain numbers (an array, nested one level for scores, or a typed array).
 */
export async function fromTensor(ctx: HarnessContext, value: unknown, what: string): Promise<WireTensor> {
  const tf = ctx.tf;
  if (Array.isArray(value) && !isTensorList(tf, value)) return fromNumbers(ctx, value, what);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return fromNumbers(ctx, value as unknown as ArrayLike<unknown>, what);
  if (!(value instanceof tf.Tensor)) {
    // Arrays of numbers were read above, so an array here holds only tensors.
    const got = value === null
      ? 'null'
      : Array.isArray(value)
        ? `an array of ${value.length} tensors (a model with several outputs): return one`
        : typeof value;
    ctx.fail({ kind: 'invalid-output', message: `${what} must return a tf.Tensor, but it returned ${got}` });
  }
  const t = value as Tensor;
  if (t.isDisposed) ctx.fail({ kind: 'invalid-output', message: `${what} returned a tensor that was already disposed` });
  const dtype = t.dtype;
  if (dtype !== 'float32' && dtype !== 'int32' && dtype !== 'bool') {
    ctx.fail({ kind: 'invalid-output', message: `${what} returned a ${dtype} tensor; expected float32 (scores, probabilities, values) or int32 (class indices)` });
  }
  const shape: unknown = t.shape;
  const data: unknown = await t.data();
  // A real tensor always passes; an object dressed up as one may not, and must not reach the grader as a message it cannot read.
  const typed = data instanceof Float32Array || data instanceof Int32Array || data instanceof Uint8Array;
  const dims = Array.isArray(shape) && shape.every((d) => Number.isInteger(d) && d >= 0) ? (shape as number[]) : undefined;
  if (!typed || !dims || dims.reduce((a, b) => a * b, 1) !== data.length) {
    ctx.fail({ kind: 'invalid-output', message: `${what} returned an object that looks like a tf.Tensor but is not one (its shape or data() do not agree); return a tensor made by TensorFlow.js` });
  }
  return { values: data, shape: dims.slice(), dtype: dtype as WireTensor['dtype'] };
}

/** More scores per row than any task has classes: refused here rather than shipped to the grader by the hundred megabytes. */
const MAX_VALUES_PER_ROW = 1024;

function checkSize(ctx: HarnessContext, out: unknown, rows: number): void {
  const limit = Math.max(rows, 1) * MAX_VALUES_PER_ROW;
  let size: number | undefined;
  let shape = '';
  if (out instanceof ctx.tf.Tensor) {
    size = out.size;
    shape = `shape [${(out.shape as number[]).join(', ')}]`;
  } else if (Array.isArray(out) || (ArrayBuffer.isView(out) && !(out instanceof DataView))) {
    const first = (out as ArrayLike<unknown>)[0];
    size = (out as ArrayLike<unknown>).length * (Array.isArray(first) ? first.length : 1);
    shape = `${(out as ArrayLike<unknown>).length} rows${Array.isArray(first) ? ` of ${first.length} values` : ''}`;
  }
  if (size !== undefined && size > limit) {
    ctx.fail({
      kind: 'invalid-output',
      message: `predict(x) returned ${shape} (${size} values) for ${rows} held-out rows; expected one value, or one score per class, for each row`,
    });
  }
}

/** Why the default export cannot be called as train(ctx), or undefined when it can. */
function entryProblem(train: unknown): string | undefined {
  if (typeof train === 'function') {
    if (/^class[\s{]/.test(Function.prototype.toString.call(train))) {
      return `the default export is a class (${train.name || 'anonymous'}), but mlpath calls it as a function: export \`async function train(ctx: TrainContext)\` and create your class inside it`;
    }
    return undefined;
  }
  if (train !== null && typeof train === 'object') {
    const keys = Object.keys(train);
    const nested = typeof (train as { default?: unknown }).default === 'function'
      ? ': it holds a function named default, as when a CommonJS file sets exports.default and is imported with `export { default } from`; export the function itself'
      : keys.length ? ` with keys ${keys.slice(0, 5).join(', ')}` : '';
    return `the default export must be a function train(ctx), but it is an object${nested}`;
  }
  return `the default export must be a function train(ctx), but it is ${train === null ? 'null' : typeof train}`;
}

export async function runTrainKind(ctx: HarnessContext): Promise<void> {
  // A fixed model is fitted by the grader; this side only builds the learner's columns.
  if ((ctx.payload as { fixedModel?: unknown }).fixedModel) return runFixedModel(ctx);
  const train = ctx.exports.default ?? (typeof ctx.exports === 'function' ? ctx.exports : undefined);
  if (train === undefined) {
    ctx.fail({ kind: 'missing-entry', message: 'the entry file has no default export: add `export default async function train(ctx: TrainContext) { ... }`' });
  }
  const problem = entryProblem(train);
  if (problem) ctx.fail({ kind: 'missing-entry', message: problem });
  const tf = ctx.tf;
  const p = ctx.payload as TrainPayload;
  const data = {
    xTrain: toTensor(tf, p.xTrain),
    yTrain: toTensor(tf, p.yTrain),
    xVal: p.xVal ? toTensor(tf, p.xVal) : undefined,
    yVal: p.yVal ? toTensor(tf, p.yVal) : undefined,
    textTrain: p.textTrain ? Object.freeze(p.textTrain) : undefined,
    textVal: p.textVal ? Object.freeze(p.textVal) : undefined,
    featureNames: p.featureNames,
    classNames: p.classNames,
  };
  const watch = await watchTraining(tf, p, data);
  const started = Date.now();
  // The grader keeps the first 10,000 steps; past them, a step every 100 ms keeps the live view moving without a flood.
  let logged = 0;
  let lastLog = 0;
  const trainCtx = Object.freeze({
    tf: ctx.learnerTf,
    data: Object.freeze(data),
    seed: ctx.seed,
    budget: Object.freeze({ seconds: ctx.budgetSeconds }),
    pretrained: (name: string) => watch.pretrained(name, loadPretrained(ctx.tf, name), () => pretrainedWeightBytes(name)),
    log(step: Record<string, unknown>) {
      if (step === null || typeof step !== 'object') return;
      if (logged >= 10000 && Date.now() - lastLog < 100) return;
      logged++;
      lastLog = Date.now();
      // NaN and Infinity cannot cross the channel's schema; null keeps the key so the grader can tell the coach training blew up.
      const clean: Record<string, number | null> = {};
      for (const [k, v] of Object.entries(step).slice(0, 20)) {
        if (typeof v === 'number') clean[k.slice(0, 40)] = Number.isFinite(v) ? v : null;
      }
      ctx.send({ type: 'log', step: clean });
    },
  });
  let predictor: unknown;
  try {
    predictor = await (train as (c: unknown) => unknown)(trainCtx);
  } catch (err) {
    ctx.fail(ctx.describe(err));
  }
  ctx.assertClean();
  const predict = (predictor as { predict?: unknown } | null | undefined)?.predict;
  if (typeof predict !== 'function') {
    const got = predictor === undefined
      ? 'nothing'
      : predictor === null
        ? 'null'
        : typeof predictor === 'function'
          ? 'a function: return { predict: yourFunction } instead'
          : 'an object without a predict method';
    ctx.fail({
      kind: 'invalid-output',
      message: `train(ctx) must return a predictor with predict(x) (a tf.LayersModel qualifies), but it returned ${got}`,
    });
  }
  const seconds = (Date.now() - started) / 1000;
  const observed = await watch.finish();
  ctx.send({ type: 'trained', seconds, ...(observed ? { observed } : {}) });

  for (;;) {
    const m = await ctx.next();
    if (m.type === 'done') return;
    if (await answerGraderRequest(ctx, predictor, m)) continue;
    if (m.type !== 'predict') continue;
    // Text datasets have no features: their predictor gets the held-out texts as plain strings.
    let x: Tensor | readonly string[];
    try {
      x = m.texts ? Object.freeze(m.texts) : toTensor(tf, m.x);
    } catch (err) {
      const e = ctx.describe(err);
      ctx.fail({
        ...e,
        message: `mlpath could not turn the held-out inputs into a tensor for predict(x) (${e.message}); did train() reset TensorFlow.js (tf.engine().reset(), tf.setBackend) or replace built-in objects it relies on?`,
      });
    }
    let out: unknown;
    try {
      out = await (predict as (x: Tensor | readonly string[]) => unknown).call(predictor, x);
    } catch (err) {
      const e = ctx.describe(err);
      const what = watch.explain(e.message) ?? (e.message.startsWith('threw ') ? `predict(x) ${e.message}` : `predict(x) threw: ${e.message}`);
      ctx.fail({ ...e, kind: e.kind === 'runtime' ? 'invalid-output' : e.kind, message: what });
    }
    ctx.assertClean();
    checkSize(ctx, out, m.texts ? m.texts.length : m.x.shape[0] ?? 0);
    const tensor = await fromTensor(ctx, out, 'predict(x)');
    ctx.send({ type: 'predictions', tensor });
    return;
  }
}
