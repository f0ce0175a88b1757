/**
 * Whether the answers the grader scores come from the weights train()
 * trained, measured without predict() ever knowing it is measured.
 *
 * Every probe that runs predict() again with changed weights can be told
 * apart from the scoring call: predict() can read its weights, or see what
 * state the grader is in, and answer from a lookup when nothing is being
 * probed. So the scoring call itself is recorded instead: every kernel it
 * runs through the engine (its name, inputs, attributes and outputs), with
 * the values of the tensors that were not made by an earlier kernel of the
 * call (the inputs, the weights, anything built in JavaScript) copied as
 * they were used. Once predict() has returned, the grader runs the same
 * kernels again itself, with one trained weight matrix at a time replaced
 * by zeros, and counts the answers that change. JavaScript that ran inside
 * predict() (a branch on a weight's value, a lookup table turned into a
 * tensor) is not run again: what it produced is a constant of the
 * recording, and answers made that way do not move with the weights.
 *
 * The recording first has to reproduce predict()'s own answers; one that
 * does not (a kernel that answers differently the second time) shows no
 * reliance. Kernels of graded code cannot be registered (harness.ts).
 */
import type { Tensor, Variable } from '@tensorflow/tfjs';
import { intrinsics } from './intrinsics';

type Tf = typeof import('@tensorflow/tfjs');

interface Info {
  dataId: object;
  shape: number[];
  dtype: string;
}

interface Step {
  kernel: string;
  /** Input name -> the tensor it was (a variadic kernel's inputs are named '0', '1', ...). */
  inputs: [string, Info][];
  /** Variadic kernels (Concat, Pack, AddN) take their inputs as an array. */
  list: boolean;
  attrs: Record<string, unknown>;
  outputs: Info[];
}

interface Leaf {
  info: Info;
  values: ArrayLike<number> | undefined;
}

/** The copies of a recording stop here: predict() over the held-out rows of any exercise needs far less. */
const MAX_LEAF_VALUES = 64 * 1024 * 1024;

const apply = Reflect.apply;

const state = {
  runKernel: undefined as ((this: unknown, name: string, inputs: object, attrs: object) => unknown) | undefined,
  recording: false,
  depth: 0,
  steps: [] as Step[],
  leaves: new Map<object, Leaf>(),
  produced: new Set<object>(),
  leafValues: 0,
  /** Why the recording cannot be recomputed, once that is known. */
  broken: undefined as string | undefined,
  /** The held-out inputs the call was given, when they are a tensor. */
  input: undefined as Info | undefined,
  /** The trained variables and the data each held when the call began. */
  trained: [] as { variable: Variable; dataId: object }[],
};

function infoOf(t: unknown): Info | undefined {
  if (t === null || typeof t !== 'object') return undefined;
  const { dataId, shape, dtype } = t as { dataId?: unknown; shape?: unknown; dtype?: unknown };
  if (dataId === null || typeof dataId !== 'object' || !Array.isArray(shape) || typeof dtype !== 'string')
    return undefined;
  return { dataId, shape: [...(shape as number[])], dtype };
}

function copyAttrs(attrs: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (attrs === null || typeof attrs !== 'object') return out;
  for (const key of Object.keys(attrs)) {
    const v = (attrs as Record<string, unknown>)[key];
    out[key] = Array.isArray(v) ? [...(v as unknown[])] : v;
  }
  return out;
}

function noteLeaf(tf: Tf, tensor: unknown, info: Info): void {
  if (state.produced.has(info.dataId) || state.leaves.has(info.dataId)) return;
  let values: ArrayLike<number> | undefined;
  if (info.dtype === 'string' || info.dtype === 'complex64') {
    state.broken = `a ${info.dtype} tensor`;
  } else if (tensor instanceof tf.Tensor && !apply(intrinsics.isDisposed!, tensor, [])) {
    const read = apply(intrinsics.dataSync!, tensor, []) as ArrayLike<number>;
    state.leafValues += read.length;
    if (state.leafValues > MAX_LEAF_VALUES) state.broken = 'more tensor data than the recording keeps';
    else values = info.dtype === 'int32' || info.dtype === 'bool' ? Int32Array.from(read) : Float32Array.from(read);
  } else {
    state.broken = 'a tensor it could not read';
  }
  state.leaves.set(info.dataId, { info, values });
}

/**
 * Wraps the engine's runKernel, which every TensorFlow.js op goes through. Call once, before the engine's methods
 * are pinned and learner code loads; outside a recording the wrapper only counts its depth.
 */
export function prepareRecompute(tf: Tf): void {
  const engine = tf.engine() as unknown as Record<string, unknown>;
  const original = engine.runKernel as typeof state.runKernel;
  if (typeof original !== 'function') return;
  state.runKernel = original;
  const runKernel = function runKernel(this: unknown, name: string, inputs: object, attrs: object): unknown {
    if (!state.recording || state.depth > 0 || state.broken !== undefined)
      return apply(original, this, [name, inputs, attrs]);
    state.depth++;
    try {
      const named: [string, Info][] = [];
      for (const key of Object.keys(inputs ?? {})) {
        const t = (inputs as Record<string, unknown>)[key];
        // A fused kernel's optional inputs (bias, prelu weights) are left out when unused.
        if (t === undefined || t === null) continue;
        const info = infoOf(t);
        if (!info) {
          state.broken = `an input of ${name} that is not a tensor`;
          break;
        }
        noteLeaf(tf, t, info);
        named.push([key, info]);
      }
      const attrsCopy = copyAttrs(attrs);
      const out = apply(original, this, [name, inputs, attrs]);
      const outputs = (Array.isArray(out) ? out : [out]).map(infoOf);
      if (outputs.some((o) => o === undefined)) state.broken = `an output of ${name} that is not a tensor`;
      else {
        for (const o of outputs as Info[]) state.produced.add(o.dataId);
        state.steps.push({
          kernel: name,
          inputs: named,
          list: Array.isArray(inputs),
          attrs: attrsCopy,
          outputs: outputs as Info[],
        });
      }
      return out;
    } finally {
      state.depth--;
    }
  };
  Object.defineProperty(engine, 'runKernel', {
    value: runKernel,
    writable: true,
    configurable: true,
    enumerable: false,
  });
}

/**
 * Runs `call` (the scoring predict() on `input`) with every kernel it runs recorded. The data of each of
 * `trained` is noted first: a call that gives one of them new data (an assign or a layer's write) is refused,
 * since what the recomputation would zero is then whatever predict() put there.
 */
export async function recordCall<T>(call: () => T | Promise<T>, input: unknown, trained: Variable[]): Promise<T> {
  state.steps = [];
  state.leaves = new Map();
  state.produced = new Set();
  state.leafValues = 0;
  state.broken = state.runKernel ? undefined : 'no kernel recorder';
  state.input = infoOf(input);
  const dataOf = (v: Variable): object => (v as unknown as { dataId: object }).dataId;
  state.trained = trained
    .filter((v) => !apply(intrinsics.isDisposed!, v, []))
    .map((variable) => ({ variable, dataId: dataOf(variable) }));
  state.recording = true;
  try {
    return await call();
  } finally {
    state.recording = false;
    for (const { variable, dataId } of state.trained)
      if (dataOf(variable) !== dataId) state.broken ??= 'new values for a trained weight, given inside predict()';
  }
}

function sizeOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The recorded call's output recomputed, with the leaves in `zeroed` replaced by zeros; undefined when it cannot be. */
function recompute(tf: Tf, output: Info, zeroed: object | undefined, swapped?: Tensor): Float32Array | undefined {
  const made: Tensor[] = [];
  const values = new Map<object, Tensor>();
  const engine = tf.engine();
  const tensorFor = (info: Info): Tensor | undefined => {
    let t = values.get(info.dataId);
    if (!t) {
      const leaf = state.leaves.get(info.dataId);
      if (!leaf) return undefined;
      t =
        info.dataId === zeroed
          ? intrinsics.zeros!(leaf.info.shape, leaf.info.dtype as 'float32')
          : swapped && info.dataId === state.input?.dataId
            ? swapped
            : leaf.values
              ? intrinsics.tensor!(leaf.values as Float32Array, leaf.info.shape, leaf.info.dtype as 'float32')
              : undefined;
      if (!t) return undefined;
      if (t !== swapped) made.push(t);
      values.set(info.dataId, t);
    }
    // Reshape shares its input's data: the same data may be read in another shape.
    if (t.shape.length !== info.shape.length || t.shape.some((d, i) => d !== info.shape[i])) {
      if (t.size !== sizeOf(info.shape)) return undefined;
      const r = intrinsics.reshape!(t, info.shape);
      made.push(r);
      return r;
    }
    return t;
  };
  try {
    for (const step of state.steps) {
      const inputs: Record<string, Tensor> | Tensor[] = step.list ? [] : {};
      for (const [key, info] of step.inputs) {
        const t = tensorFor(info);
        if (!t) return undefined;
        (inputs as Record<string, Tensor>)[key] = t;
      }
      const out = apply(state.runKernel!, engine, [step.kernel, inputs, copyAttrs(step.attrs)]) as Tensor | Tensor[];
      const outs = Array.isArray(out) ? out : [out];
      if (outs.length !== step.outputs.length) return undefined;
      for (let i = 0; i < outs.length; i++) {
        made.push(outs[i]);
        values.set(step.outputs[i].dataId, outs[i]);
      }
    }
    const result = tensorFor(output);
    if (!result) return undefined;
    const read: ArrayLike<number> = apply(intrinsics.dataSync!, result, []);
    return Float32Array.from(read);
  } catch {
    return undefined;
  } finally {
    for (const t of made) if (!apply(intrinsics.isDisposed!, t, [])) apply(intrinsics.dispose!, t, []);
  }
}

/** The share of rows whose answer differs: the class (argmax) with several columns, else a relative change past 10%. */
export function changedShare(a: ArrayLike<number>, b: ArrayLike<number>, cols: number): number {
  if (a.length !== b.length || a.length === 0) return 1;
  const rows = a.length / cols;
  let moved = 0;
  for (let r = 0; r < rows; r++) {
    if (cols > 1) {
      let ia = 0;
      let ib = 0;
      for (let c = 1; c < cols; c++) {
        if (a[r * cols + c] > a[r * cols + ia]) ia = c;
        if (b[r * cols + c] > b[r * cols + ib]) ib = c;
      }
      if (ia !== ib) moved++;
    } else {
      const x = a[r];
      const y = b[r];
      if (!(Math.abs(x - y) <= 0.1 * Math.max(Math.abs(x), 1e-6))) moved++;
    }
  }
  return moved / rows;
}

/** What recomputing the scoring call showed. */
export interface Recomputed {
  /** The least share of scored answers that changed with one large trained variable zeroed alone. */
  least: number;
  /** Why no reliance could be shown, when it could not be measured at all. */
  why?: string;
}

/** A trained variable this large a share of all trained values is one of the model's weight matrices, not a bias. */
export const LARGE = 0.1;

/** Other rows for the scoring call's operations (validation rows, as many as were scored), and predict() itself. */
export interface OtherRows {
  /** Rows shaped like the scored ones, or undefined when there are none (text inputs). */
  x: Tensor | undefined;
  predict: (x: Tensor) => unknown;
}

/**
 * With the scoring call recorded (recordCall) and its answers `answers` (what predict() returned, a tensor),
 * zeroes each large trained variable in turn in a recomputation of that call. Then, where the inputs were a
 * tensor, runs the call's operations on `other.x` instead and asks predict() about the same rows: a model
 * answers both alike; answers that JavaScript chose for the held-out rows stay as they were.
 */
export async function relianceOfRecording(tf: Tf, answers: unknown, other: OtherRows): Promise<Recomputed | undefined> {
  const vars = state.trained.filter((t) => !apply(intrinsics.isDisposed!, t.variable, []));
  if (vars.length === 0) return undefined;
  try {
    if (!(answers instanceof tf.Tensor))
      return { least: 0, why: 'predict() returned plain numbers, not the tensor the model computed' };
    const output = infoOf(answers);
    if (!output) return { least: 0, why: 'predict() returned something other than a tensor' };
    if (state.broken !== undefined) return { least: 0, why: `predict() used ${state.broken}` };
    // Made outside any kernel of the call (from JavaScript numbers, or before predict() ran): a constant.
    if (!state.produced.has(output.dataId) && !state.leaves.has(output.dataId)) return { least: 0 };
    const cols = output.shape.length >= 2 ? (output.shape[output.shape.length - 1] ?? 1) : 1;
    const read = apply(intrinsics.dataSync!, answers, []) as ArrayLike<number>;
    const given = Float32Array.from(read);
    const again = recompute(tf, output, undefined);
    if (!again || changedShare(given, again, cols) > 0.01)
      return { least: 0, why: 'the operations predict() ran do not reproduce its answers' };
    const total = vars.reduce((n, t) => n + t.variable.size, 0);
    let least = 1;
    for (const { variable, dataId } of vars) {
      if (variable.size < LARGE * total) continue;
      // A weight the call never read leaves every answer as it was.
      const after = state.leaves.has(dataId) ? recompute(tf, output, dataId) : given;
      const share = after ? changedShare(given, after, cols) : 0;
      if (share < least) least = share;
    }
    if (other.x && state.input && state.leaves.has(state.input.dataId)) {
      const recomputed = recompute(tf, output, undefined, other.x);
      let asked: Float32Array | undefined;
      try {
        const out = await other.predict(other.x);
        if (out instanceof tf.Tensor && !apply(intrinsics.isDisposed!, out, [])) {
          const values = apply(intrinsics.dataSync!, out, []) as ArrayLike<number>;
          asked = Float32Array.from(values);
        }
      } catch {
        asked = undefined;
      }
      if (!recomputed || !asked || changedShare(asked, recomputed, cols) > 0.01)
        return {
          least: 0,
          why: 'on other rows, the operations of the scored call and predict() itself answer differently, so the held-out answers were chosen by JavaScript inside predict(), not computed by TensorFlow.js operations',
        };
    }
    return { least };
  } finally {
    state.steps = [];
    state.leaves = new Map();
    state.produced = new Set();
    state.trained = [];
    state.input = undefined;
  }
}
