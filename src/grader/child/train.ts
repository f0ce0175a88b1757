/**
 * The `train` kind, child side: build the TrainContext of SPEC.md, call the
 * learner's default export, then answer one `predict` request with the
 * held-out inputs. The labels of those inputs never come here.
 */
import type { Tensor } from '@tensorflow/tfjs';
import type { HarnessContext } from '../harness';
import type { TrainPayload, WireTensor } from '../protocol';

export function toTensor(tf: HarnessContext['tf'], w: WireTensor): Tensor {
  if (w.dtype === 'string') return tf.tensor(w.values as string[], w.shape, 'string');
  return tf.tensor(w.values as Float32Array, w.shape, w.dtype);
}

export async function fromTensor(ctx: HarnessContext, value: unknown, what: string): Promise<WireTensor> {
  const tf = ctx.tf;
  if (!(value instanceof tf.Tensor)) {
    const got = value === null
      ? 'null'
      : Array.isArray(value)
        ? value.length > 0 && value.every((v) => v instanceof tf.Tensor) ? `an array of ${value.length} tensors (a model with several outputs): return one` : 'an array (wrap it: tf.tensor(values))'
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
    featureNames: p.featureNames,
    classNames: p.classNames,
  };
  const started = Date.now();
  const trainCtx = Object.freeze({
    tf: ctx.learnerTf,
    data: Object.freeze(data),
    seed: ctx.seed,
    budget: Object.freeze({ seconds: ctx.budgetSeconds }),
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
    const x = toTensor(tf, m.x);
    let out: unknown;
    try {
      out = await (predict as (x: Tensor) => unknown).call(predictor, x);
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
