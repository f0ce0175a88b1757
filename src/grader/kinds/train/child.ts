/**
 * The `train` kind, child side: build the TrainContext of SPEC.md, call the
 * learner's default export, then answer `predict` requests with the held-out
 * inputs. The labels of those inputs never come here. A `probe` request
 * (grader/selection.ts) calls the default export again on the same rows with
 * labels the grader made up; the new predictor answers what follows.
 */
import type { Tensor, Variable } from '@tensorflow/tfjs';
import { noDefaultExport, type HarnessContext } from '../../child/context';
import type { TrainPayload, WireTensor } from '../../protocol';
import { loadPretrained, pretrainedWeightBytes } from '../../../serving/pretrained';
import { watchTraining } from '../../child/observe';
import { runFixedModel } from '../../child/fixed-model';
import { answerGraderRequest } from '../../child/requests';
import { recordCall, relianceOfRecording, type OtherRows, type Recomputed } from '../../child/recompute';
import { steppedInitial, steppedVariables } from '../../child/reliance';
import { assignedInitial, assignedVariables, takeReplayedRows } from '../../child/replay';
import { fromTensor, tensorProblem, tensorShape, toTensor } from '../../child/wire';
import { copyFloat32, copyInt32, intrinsics } from '../../child/intrinsics';
import { types } from 'node:util';

/** More scores per row than any task has classes: refused here rather than shipped to the grader by the hundred megabytes. */
const MAX_VALUES_PER_ROW = 1024;

function checkSize(ctx: HarnessContext, out: unknown, rows: number): void {
  const limit = Math.max(rows, 1) * MAX_VALUES_PER_ROW;
  let size: number | undefined;
  let shape = '';
  if (out instanceof ctx.tf.Tensor) {
    // Nothing of the tensor's is called: its shape is read as a plain array first, or the tensor is refused.
    const problem = tensorProblem(out);
    if (problem)
      ctx.fail({
        kind: 'invalid-output',
        message: `predict(x) returned ${problem}; return the tensor TensorFlow.js made, as it made it`,
      });
    const dims = tensorShape(out);
    let text = '';
    size = 1;
    for (let i = 0; i < dims.length; i++) {
      size *= dims[i];
      text += `${i > 0 ? ', ' : ''}${dims[i]}`;
    }
    shape = `shape [${text}]`;
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

/**
 * A copy of the validation inputs (the training inputs when there are none), taken before train() runs: the
 * payload is cut off once it returns, and on the cpu backend a tensor made from a typed array shares it.
 */
function spareRows(p: TrainPayload): WireTensor | undefined {
  const from = p.xVal ?? p.xTrain;
  if (!from || (from.dtype !== 'float32' && from.dtype !== 'int32') || !ArrayBuffer.isView(from.values))
    return undefined;
  const values = from.dtype === 'int32' ? copyInt32(from.values) : copyFloat32(from.values);
  return { values, shape: [...from.shape], dtype: from.dtype };
}

/**
 * As many rows as were scored, drawn in turn from `spare`, for the recomputation of the scoring call on other
 * rows (child/recompute.ts); none for text inputs.
 */
function otherRows(
  ctx: HarnessContext,
  spare: WireTensor | undefined,
  scored: WireTensor | undefined,
  ask: (x: Tensor) => unknown,
): OtherRows {
  const known = {
    predict: ask,
    initialOf: (v: Variable) => steppedInitial(v) ?? assignedInitial(v),
    train: takeReplayedRows(),
  };
  const rows = scored?.shape[0] ?? 0;
  if (!scored || !spare || spare.dtype !== scored.dtype || rows === 0) return { x: undefined, ...known };
  const source = spare.values as Float32Array | Int32Array;
  const width = scored.shape.slice(1).reduce((a, b) => a * b, 1);
  const available = Math.floor(source.length / Math.max(width, 1));
  if (available === 0 || source.length !== available * width) return { x: undefined, ...known };
  const values = scored.dtype === 'int32' ? new Int32Array(rows * width) : new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) {
    const at = (r % available) * width;
    values.set(source.subarray(at, at + width), r * width);
  }
  return { x: ctx.tf.tensor(values, scored.shape, scored.dtype), ...known };
}

// Taken as this module loads, before learner code.
const isProxy = types.isProxy.bind(types);
const isArrayValue = Array.isArray;
// ArrayBuffer and its isView are pinned (child/integrity.ts).
const isView = (v: unknown): boolean => ArrayBuffer.isView(v);
const protoOf = Reflect.getPrototypeOf;

/** A value of an answer's row, as the grader may read it later: primitives only. */
const primitive = (v: unknown): unknown =>
  v !== null && (typeof v === 'object' || typeof v === 'function') ? undefined : v;

/**
 * What the grader's measurements (the replay, reliance, the other rows of the recomputation) may read of an
 * answer predict() gave them, taken before the check that follows the call: a tensor as TensorFlow.js made it,
 * or a copy of plain numbers (rows one level deep). Reading an answer later runs whatever learner code it
 * carries (a Proxy's traps, an index getter, a getter `data` that `instanceof tf.Tensor` asks for), after the
 * check, where it could swap a built-in V8 keeps writable for the grader's next lines and put it back at the
 * next call (adv23-proxy-race-walk.ts); anything else is no answer.
 */
function measurable(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return primitive(value);
  if (isProxy(value)) return undefined;
  const proto = protoOf(value);
  if (proto === intrinsics.tensorProto || proto === intrinsics.variableProto)
    return tensorProblem(value) === undefined ? value : undefined;
  if (isView(value)) return value instanceof DataView ? undefined : copyFloat32(value as unknown as ArrayLike<number>);
  if (!isArrayValue(value)) return undefined;
  const rows: unknown[] = [];
  const n = value.length;
  for (let i = 0; i < n; i++) {
    const v: unknown = value[i];
    if (!isArrayValue(v) || isProxy(v)) {
      rows[i] = primitive(v);
      continue;
    }
    const row: unknown[] = [];
    const k = v.length;
    for (let j = 0; j < k; j++) row[j] = primitive(v[j]);
    rows[i] = row;
  }
  return rows;
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
    const nested =
      typeof (train as { default?: unknown }).default === 'function'
        ? ': it holds a function named default, as when a CommonJS file sets exports.default and is imported with `export { default } from`; export the function itself'
        : keys.length
          ? ` with keys ${keys.slice(0, 5).join(', ')}`
          : '';
    return `the default export must be a function train(ctx), but it is an object${nested}`;
  }
  return `the default export must be a function train(ctx), but it is ${train === null ? 'null' : typeof train}`;
}

export async function runTrainKind(ctx: HarnessContext): Promise<void> {
  // A fixed model is fitted by the grader; this side only builds the learner's columns.
  if ((ctx.payload as { fixedModel?: unknown }).fixedModel) return runFixedModel(ctx);
  const train = ctx.exports.default ?? (typeof ctx.exports === 'function' ? ctx.exports : undefined);
  if (train === undefined) {
    ctx.fail({ kind: 'missing-entry', message: noDefaultExport(ctx.exports, 'train', 'TrainContext') });
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
  // Only a lesson's scoring call is recomputed (child/recompute.ts).
  const spare = p.observe ? spareRows(p) : undefined;
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
    pretrained: (name: string) =>
      watch.pretrained(name, loadPretrained(ctx.tf, name), () => pretrainedWeightBytes(name)),
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
  /** One call of the learner's train(), with its predictor checked; a probe run (grader/selection.ts) calls it again on made-up labels. */
  const fit = async (context: unknown): Promise<{ predictor: unknown; predict: unknown }> => {
    let got: unknown;
    try {
      got = await (train as (c: unknown) => unknown)(context);
    } catch (err) {
      ctx.fail(ctx.describe(err));
    }
    await ctx.settle();
    const method = (got as { predict?: unknown } | null | undefined)?.predict;
    if (typeof method !== 'function') {
      const what =
        got === undefined
          ? 'nothing'
          : got === null
            ? 'null'
            : typeof got === 'function'
              ? 'a function: return { predict: yourFunction } instead'
              : 'an object without a predict method';
      ctx.fail({
        kind: 'invalid-output',
        message: `train(ctx) must return a predictor with predict(x) (a tf.LayersModel qualifies), but it returned ${what}`,
      });
    }
    return { predictor: got, predict: method };
  };
  let { predictor, predict } = await fit(trainCtx);
  const seconds = (Date.now() - started) / 1000;
  // Every predict() the grader asks is read (measurable) and followed by the built-in check, before the grader's
  // measurements go on with the answer.
  const ask = async (x: unknown): Promise<unknown> => {
    const answer = measurable(await (predict as (x: unknown) => unknown).call(predictor, x));
    await ctx.settle();
    return answer;
  };
  let observed = await watch.finish(ask, spare ? (spare.values as Float32Array).byteLength : 0, () =>
    ctx.assertClean(),
  );
  ctx.send({ type: 'trained', seconds, ...(observed ? { observed } : {}) });

  for (;;) {
    const m = await ctx.next();
    if (m.type === 'done') return;
    if (await answerGraderRequest(ctx, predictor, m)) continue;
    if (m.type === 'probe') {
      // The same rows, labels the grader made up: a model fitted to what it is given follows them, a table of the
      // real prices does not. Fresh tensors, so nothing the first call did to its data reaches this one.
      const probeData = Object.freeze({
        ...data,
        xTrain: toTensor(tf, p.xTrain),
        yTrain: toTensor(tf, m.yTrain),
        xVal: p.xVal ? toTensor(tf, p.xVal) : undefined,
        yVal: m.yVal ? toTensor(tf, m.yVal) : undefined,
      });
      const again = Date.now();
      ({ predictor, predict } = await fit(Object.freeze({ ...trainCtx, data: probeData })));
      // The scoring call of a lesson is watched in the first run only.
      observed = undefined;
      ctx.send({ type: 'trained', seconds: (Date.now() - again) / 1000 });
      continue;
    }
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
      // Recorded: the grader recomputes this very call with the trained weights zeroed (child/recompute.ts).
      const call = () => (predict as (x: Tensor | readonly string[]) => unknown).call(predictor, x);
      out = observed ? await recordCall(call, x, [...steppedVariables(), ...assignedVariables()]) : await call();
    } catch (err) {
      const e = ctx.describe(err);
      const what =
        watch.explain(e.message) ??
        (e.message.startsWith('threw ') ? `predict(x) ${e.message}` : `predict(x) threw: ${e.message}`);
      ctx.fail({ ...e, kind: e.kind === 'runtime' ? 'invalid-output' : e.kind, message: what });
    }
    await ctx.settle();
    checkSize(ctx, out, m.texts ? m.texts.length : (m.x.shape[0] ?? 0));
    // The answers read once, before any more learner code runs: the recomputation checks these very values, and
    // they are what the grader scores (a tensor's own data() could have answered otherwise).
    const tensor = await fromTensor(ctx, out, 'predict(x)');
    let recomputed: Recomputed | undefined;
    if (observed) {
      const other = otherRows(ctx, spare, m.texts ? undefined : m.x, ask);
      // Right before the measurement that decides the verdict: nothing learner code left swapped reaches it.
      ctx.assertClean();
      recomputed = await relianceOfRecording(tf, out, other, tensor.values as ArrayLike<number>);
      if (other.x && !other.x.isDisposed) other.x.dispose();
    }
    ctx.assertClean();
    ctx.send({ type: 'predictions', tensor, ...(recomputed ? { recomputed } : {}) });
    // A probe run may follow (grader/selection.ts); the grader ends the session with 'done'.
  }
}
