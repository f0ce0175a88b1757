/**
 * The `train` kind, child side: build the TrainContext of SPEC.md, call the
 * learner's default export, then answer one `predict` request with the
 * held-out inputs. The labels of those inputs never come here.
 */
import type { Tensor } from '@tensorflow/tfjs';
import type { HarnessContext } from '../harness';
import type { TrainPayload, WireTensor } from '../protocol';
import { loadPretrained } from '../../serving/pretrained';

export function toTensor(tf: HarnessContext['tf'], w: WireTensor): Tensor {
  if (w.dtype === 'string') return tf.tensor(w.values as string[], w.shape, 'string');
  return tf.tensor(w.values as Float32Array, w.shape, w.dtype);
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
      out[i * cols + j] = v as number;
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
  const data = await t.data();
  return { values: data as Float32Array | Int32Array | Uint8Array, shape: t.shape.slice(), dtype: dtype as WireTensor['dtype'] };
}

export async function runTrainKind(ctx: HarnessContext): Promise<void> {
  const train = ctx.exports.default ?? (typeof ctx.exports === 'function' ? ctx.exports : undefined);
  if (train === undefined) {
    ctx.fail({ kind: 'missing-entry', message: 'the entry file has no default export: add `export default async function train(ctx: TrainContext) { ... }`' });
  }
  if (typeof train !== 'function') {
    ctx.fail({ kind: 'missing-entry', message: `the default export must be a function train(ctx), but it is ${typeof train}` });
  }
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
  const started = Date.now();
  const trainCtx = Object.freeze({
    tf: ctx.learnerTf,
    data: Object.freeze(data),
    seed: ctx.seed,
    budget: Object.freeze({ seconds: ctx.budgetSeconds }),
    pretrained: (name: string) => loadPretrained(ctx.tf, name),
    log(step: Record<string, unknown>) {
      if (step === null || typeof step !== 'object') return;
      const clean: Record<string, number> = {};
      for (const [k, v] of Object.entries(step).slice(0, 20)) {
        if (typeof v === 'number' && Number.isFinite(v)) clean[k.slice(0, 40)] = v;
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
    const got = predictor === undefined ? 'nothing' : predictor === null ? 'null' : `an object without a predict method`;
    ctx.fail({
      kind: 'invalid-output',
      message: `train(ctx) must return a predictor with predict(x) (a tf.LayersModel qualifies), but it returned ${got}`,
    });
  }
  ctx.send({ type: 'trained', seconds: (Date.now() - started) / 1000 });

  for (;;) {
    const m = await ctx.next();
    if (m.type === 'done') return;
    if (m.type !== 'predict') continue;
    // Text datasets have no features: their predictor gets the held-out texts as plain strings.
    const x = m.texts ? Object.freeze(m.texts) : toTensor(tf, m.x);
    let out: unknown;
    try {
      out = await (predict as (x: Tensor | readonly string[]) => unknown).call(predictor, x);
    } catch (err) {
      const e = ctx.describe(err);
      ctx.fail({ ...e, kind: e.kind === 'runtime' ? 'invalid-output' : e.kind, message: `predict(x) threw: ${e.message}` });
    }
    ctx.assertClean();
    const tensor = await fromTensor(ctx, out, 'predict(x)');
    ctx.send({ type: 'predictions', tensor });
    return;
  }
}
