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
 *
 * A weight that matters is not yet a model that learned: a lookup of the
 * training data written in TensorFlow.js operations, plus a term that is zero
 * at the trained weights, changes with them too. So the recording is also
 * read for what the answers are made of:
 * - the data the call read that is neither its input, nor a trained weight,
 *   nor the grader's pretrained model, is held to a budget that normalisation
 *   statistics and constants fit in and a table of examples does not;
 * - the entries of the trained weights that training never moved are set to
 *   zero together: a model's answers barely change (those entries never
 *   mattered on the training rows), answers kept in them do;
 * - where the grader replayed a descent on the training rows (replay.ts),
 *   the call's operations run on those rows must give what predict() gave
 *   there: a predict() that tells the replay's rows from the scored ones
 *   (by their count, or by recognising them) answers the two differently.
 */
import type { Tensor, Variable } from '@tensorflow/tfjs';
import { copyFloat32, copyInt32, intrinsics, tampering } from './intrinsics';
import { append, mapList } from './own';
import { tensorProblem } from './wire';

const same = <T>(x: T): T => x;

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
  /** The tensor object the call read (a tf.Variable keeps its object when assign() gives it new data). */
  tensor: unknown;
}

/** The copies of a recording stop here: predict() over the held-out rows of any exercise needs far less. */
const MAX_LEAF_VALUES = 64 * 1024 * 1024;

const apply = Reflect.apply;
// The recorder below runs inside predict(), between pieces of learner code: it reads and notes through built-ins
// taken as this module loads, so a method swapped for the length of the call cannot bend what it records.
const keysOf = Object.keys;
const isArray = Array.isArray;

const setAdd = Set.prototype.add as (this: Set<object>, v: object) => Set<object>;
const setHas = Set.prototype.has as (this: Set<object>, v: object) => boolean;
const mapHas = Map.prototype.has as (this: Map<object, unknown>, k: object) => boolean;
const mapSet = Map.prototype.set as (this: Map<object, unknown>, k: object, v: unknown) => Map<object, unknown>;

/** Data the call may read beyond its input and the trained weights: this many values per input column, */
const FOREIGN_PER_COLUMN = 4;
/** plus this many (constants, a scale, a class order). */
const FOREIGN_ALLOWANCE = 1024;
/** An entry moved by less than this share of its size was not moved by training. */
const UNMOVED = 1e-5;
/** At most this share of the answers may change when the entries training never moved are zeroed. */
const UNMOVED_CHANGE = 0.05;

/**
 * The grader's own tensors (a pretrained model's weights, by object: a variable the grader zeroes and puts back
 * gets new data but stays the same object) and their values when noted, before learner code had them.
 */
const graderData = new Map<unknown, Float32Array>();

/** Kernels that contract their inputs (a weighted sum over a dimension): a model's weights meet its input there. */
const CONTRACTING = new Set([
  'MatMul',
  'BatchMatMul',
  '_FusedMatMul',
  'Conv1D',
  'Conv2D',
  'FusedConv2D',
  'Conv3D',
  'DepthwiseConv2dNative',
  'FusedDepthwiseConv2D',
  'Einsum',
]);
/** Kernels that reduce over a dimension. */
const REDUCING = new Set(['Sum', 'Mean', 'Max', 'Min', 'Prod', 'ArgMax', 'ArgMin', 'TopK', 'Softmax', 'LogSoftmax']);

/** Kernels whose output carries only their input's shape, none of its values. */
const SHAPE_ONLY = new Set(['OnesLike', 'ZerosLike', 'Shape']);

/** What a tensor of the recording is made from (bits). */
const FROM_INPUT = 1;
const FROM_TRAINED = 2;
/**
 * Data kept beside the model: a leaf of more than one value that is not the input, a trained weight or the
 * grader's, or the output of a kernel that reads no tensor (Fill, Range: data given as attributes).
 */
const FROM_FOREIGN = 4;
/** The input (or features the pretrained model made of it) combined elementwise with kept data (normalisation). */
const PREPROCESSED = 8;
/** The grader's pretrained weights, as loaded: what they make of the input is still the input's. */
const FROM_GRADER = 16;

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
  if (dataId === null || typeof dataId !== 'object' || !isArray(shape) || typeof dtype !== 'string') return undefined;
  return { dataId, shape: mapList(shape as number[], same), dtype };
}

function copyAttrs(attrs: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (attrs === null || typeof attrs !== 'object') return out;
  const keys = keysOf(attrs);
  for (let i = 0; i < keys.length; i++) {
    const v = (attrs as Record<string, unknown>)[keys[i]];
    out[keys[i]] = isArray(v) ? mapList(v as unknown[], same) : v;
  }
  return out;
}

function noteLeaf(tf: Tf, tensor: unknown, info: Info): void {
  if (apply(setHas, state.produced, [info.dataId]) || apply(mapHas, state.leaves, [info.dataId])) return;
  let values: ArrayLike<number> | undefined;
  if (info.dtype === 'string' || info.dtype === 'complex64') {
    state.broken = `a ${info.dtype} tensor`;
  } else if (tensor instanceof tf.Tensor && !apply(intrinsics.isDisposed!, tensor, [])) {
    const read = apply(intrinsics.dataSync!, tensor, []) as ArrayLike<number>;
    state.leafValues += read.length;
    if (state.leafValues > MAX_LEAF_VALUES) state.broken = 'more tensor data than the recording keeps';
    else values = info.dtype === 'int32' || info.dtype === 'bool' ? copyInt32(read) : copyFloat32(read);
  } else {
    state.broken = 'a tensor it could not read';
  }
  apply(mapSet, state.leaves, [info.dataId, { info, values, tensor }]);
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
      const keys = keysOf(inputs ?? {});
      for (let i = 0; i < keys.length; i++) {
        const t = (inputs as Record<string, unknown>)[keys[i]];
        // A fused kernel's optional inputs (bias, prelu weights) are left out when unused.
        if (t === undefined || t === null) continue;
        const info = infoOf(t);
        if (!info) {
          state.broken = `an input of ${name} that is not a tensor`;
          break;
        }
        noteLeaf(tf, t, info);
        append(named, [keys[i], info]);
      }
      const attrsCopy = copyAttrs(attrs);
      const out = apply(original, this, [name, inputs, attrs]);
      const given: unknown[] = isArray(out) ? (out as unknown[]) : [out];
      const outputs: Info[] = [];
      for (let i = 0; i < given.length && state.broken === undefined; i++) {
        const o = infoOf(given[i]);
        if (o === undefined) state.broken = `an output of ${name} that is not a tensor`;
        else append(outputs, o);
      }
      if (state.broken === undefined) {
        for (let i = 0; i < outputs.length; i++) apply(setAdd, state.produced, [outputs[i].dataId]);
        append(state.steps, { kernel: name, inputs: named, list: isArray(inputs), attrs: attrsCopy, outputs });
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

/** Notes a tensor of the grader's (a pretrained weight): reading it is not reading data kept beside the model. */
export function noteGraderData(t: unknown): void {
  const info = infoOf(t);
  if (!info || info.dtype !== 'float32' || !(t instanceof Object)) return;
  try {
    const read = apply(intrinsics.dataSync!, t, []) as ArrayLike<number>;
    graderData.set(t, copyFloat32(read));
  } catch {
    // A tensor that cannot be read is not counted as the grader's.
  }
}

/** Bytes of the kept copies of the grader's tensors: the grader's, not the predictor's, when what train() left alive is weighed. */
export function graderDataBytes(): number {
  let n = 0;
  for (const values of graderData.values()) n += values.byteLength;
  return n;
}

/** A leaf holding the grader's data as it was noted: the same tensor with other values written into it is not. */
function isGraderLeaf(leaf: Leaf): boolean {
  const kept = graderData.get(leaf.tensor);
  const values = leaf.values;
  if (!kept || !values || values.length !== kept.length) return false;
  for (let i = 0; i < kept.length; i++)
    if (values[i] !== kept[i] && !(values[i] !== values[i] && kept[i] !== kept[i])) return false;
  return true;
}

function sizeOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * The steps of the recording that read nothing the trained variables feed: every recomputation that gives only
 * trained variables other values runs them on the same inputs, so the first one keeps what the others read of
 * their outputs (`kept`) and the others skip them. A pretrained model's convolutions under a trained head are
 * run once instead of once per zeroed weight. Steps and kernels are deterministic: the skipped steps' outputs
 * are the values they would compute again.
 */
interface Frontier {
  trained: Set<object>;
  skip: Set<number>;
  /** Outputs of skipped steps that other steps or the answer read. */
  needed: Set<object>;
  kept: Map<object, Tensor>;
}

function planFrontier(trained: Set<object>, output: Info): Frontier | undefined {
  const fed = new Set<object>(trained);
  const skip = new Set<number>();
  const producer = new Map<object, number>();
  const steps = state.steps;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    const reads = step.inputs.some(([, info]) => fed.has(info.dataId));
    for (const o of step.outputs) {
      // A reshape's output shares its input's data, which is kept or not with that input; data shared otherwise
      // would make what is kept ambiguous.
      if (step.inputs.some(([, info]) => info.dataId === o.dataId)) continue;
      if (producer.has(o.dataId) || trained.has(o.dataId)) return undefined;
      producer.set(o.dataId, i);
      if (reads) fed.add(o.dataId);
    }
    if (!reads) skip.add(i);
  }
  if (skip.size === 0) return undefined;
  const needed = new Set<object>();
  const keep = (id: object): void => {
    const at = producer.get(id);
    if (at !== undefined && skip.has(at)) needed.add(id);
  };
  for (let i = 0; i < steps.length; i++) if (!skip.has(i)) for (const [, info] of steps[i].inputs) keep(info.dataId);
  keep(output.dataId);
  return { trained, skip, needed, kept: new Map() };
}

function releaseFrontier(frontier: Frontier | undefined): void {
  if (!frontier) return;
  for (const t of frontier.kept.values()) if (!apply(intrinsics.isDisposed!, t, [])) apply(intrinsics.dispose!, t, []);
  frontier.kept.clear();
}

/** For each recorded data id, the last step that reads it (of the steps `run` keeps). */
function lastReads(steps: Step[], run: (s: number) => boolean): Map<object, number> {
  const last = new Map<object, number>();
  for (let s = 0; s < steps.length; s++) if (run(s)) for (const [, info] of steps[s].inputs) last.set(info.dataId, s);
  return last;
}

/**
 * The recorded call's output recomputed, with the leaves in `replaced` given other values (undefined: zeros) and
 * the input swapped for `swapped`; undefined when it cannot be. With `frontier`, the run with nothing replaced
 * keeps the frontier's outputs, and a run that replaces trained variables only reuses them.
 */
function recompute(
  tf: Tf,
  output: Info,
  replaced?: Map<object, Float32Array | undefined>,
  swapped?: Tensor,
  frontier?: Frontier,
): Float32Array | undefined {
  const values = new Map<object, Tensor>();
  const engine = tf.engine();
  const collect = frontier !== undefined && !replaced && !swapped && frontier.kept.size === 0;
  let reuse = frontier !== undefined && !collect && !swapped && frontier.kept.size === frontier.needed.size;
  if (reuse && replaced) for (const id of replaced.keys()) if (!frontier!.trained.has(id)) reuse = false;
  if (reuse) for (const [id, t] of frontier!.kept) values.set(id, t);
  const steps = state.steps;
  const run = (s: number): boolean => !(reuse && frontier!.skip.has(s));
  // Each tensor made here is freed after the last step that reads the data it stands for, not at the end: a
  // predict() that ran in batches is recorded batch after batch, and holding every batch's activations at once
  // (hundreds of MB for a CNN over a few thousand rows) cost more in fresh memory than the kernels themselves.
  const lastRead = lastReads(steps, run);
  lastRead.set(output.dataId, Infinity);
  if (collect) for (const id of frontier.needed) lastRead.set(id, Infinity);
  // The tensors made here, by the recorded data they stand for; those freed early are taken out.
  const madeFor = new Map<object, Tensor[]>();
  const note = (id: object, t: Tensor): void => {
    const list = madeFor.get(id);
    if (list) list.push(t);
    else madeFor.set(id, [t]);
  };
  const tensorFor = (info: Info): Tensor | undefined => {
    let t = values.get(info.dataId);
    if (!t) {
      const leaf = state.leaves.get(info.dataId);
      if (!leaf) return undefined;
      const replacement = replaced?.has(info.dataId) ? replaced.get(info.dataId) : null;
      t =
        replacement === undefined
          ? intrinsics.zeros!(leaf.info.shape, leaf.info.dtype as 'float32')
          : replacement !== null
            ? intrinsics.tensor!(replacement, leaf.info.shape, 'float32')
            : swapped && info.dataId === state.input?.dataId
              ? swapped
              : leaf.values
                ? intrinsics.tensor!(leaf.values as Float32Array, leaf.info.shape, leaf.info.dtype as 'float32')
                : undefined;
      if (!t) return undefined;
      if (t !== swapped) note(info.dataId, t);
      values.set(info.dataId, t);
    }
    // Reshape shares its input's data: the same data may be read in another shape.
    if (t.shape.length !== info.shape.length || t.shape.some((d, i) => d !== info.shape[i])) {
      if (t.size !== sizeOf(info.shape)) return undefined;
      const r = intrinsics.reshape!(t, info.shape);
      note(info.dataId, r);
      return r;
    }
    return t;
  };
  try {
    for (let s = 0; s < steps.length; s++) {
      const step = steps[s];
      if (!run(s)) continue;
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
        note(step.outputs[i].dataId, outs[i]);
        values.set(step.outputs[i].dataId, outs[i]);
      }
      // Tensors sharing data (a reshape, an identity) share the recorded data's id, so a read of any of them
      // counts; disposing one only drops its own reference to data another still holds.
      for (const [, info] of step.inputs) {
        if (lastRead.get(info.dataId) !== s) continue;
        for (const t of madeFor.get(info.dataId) ?? [])
          if (!apply(intrinsics.isDisposed!, t, [])) apply(intrinsics.dispose!, t, []);
        madeFor.delete(info.dataId);
        values.delete(info.dataId);
      }
    }
    const result = tensorFor(output);
    if (!result) return undefined;
    const read: ArrayLike<number> = apply(intrinsics.dataSync!, result, []);
    if (collect) for (const id of frontier.needed) if (values.has(id)) frontier.kept.set(id, values.get(id)!);
    return copyFloat32(read);
  } catch {
    return undefined;
  } finally {
    const kept = collect ? new Set<Tensor>(frontier.kept.values()) : undefined;
    for (const made of madeFor.values())
      for (const t of made)
        if (!kept?.has(t) && !apply(intrinsics.isDisposed!, t, [])) apply(intrinsics.dispose!, t, []);
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
  /** What the recording shows the answers are made of, when that is not the trained weights. */
  refused?: string;
}

/** A trained variable this large a share of all trained values is one of the model's weight matrices, not a bias. */
export const LARGE = 0.1;

/** Other rows for the scoring call's operations, and what the grader knows about the training. */
export interface OtherRows {
  /** Validation rows shaped like the scored ones, as many, or undefined when there are none (text inputs). */
  x: Tensor | undefined;
  predict: (x: Tensor) => unknown;
  /** A trained variable's values before training moved it, when they were kept. */
  initialOf?: (v: Variable) => Float32Array | undefined;
  /** The training rows a descent was replayed on, and what predict() answered there at the final weights. */
  train?: { values: Float32Array; shape: number[]; answers: Float64Array };
}

type LeafKind = 'input' | 'trained' | 'grader' | 'kept';

/** What each leaf the call read is, by data id: decided once (a grader leaf's values are compared whole). */
function leafKinds(trained: Set<object>): Map<object, LeafKind> {
  const kinds = new Map<object, LeafKind>();
  for (const [dataId, leaf] of state.leaves)
    kinds.set(
      dataId,
      dataId === state.input?.dataId
        ? 'input'
        : trained.has(dataId)
          ? 'trained'
          : isGraderLeaf(leaf)
            ? 'grader'
            : 'kept',
    );
  return kinds;
}

/** The values of the leaves the call read that are neither its input, nor trained weights, nor the grader's. */
function foreignValues(kinds: Map<object, LeafKind>): number {
  let n = 0;
  for (const [dataId, leaf] of state.leaves) if (kinds.get(dataId) === 'kept') n += sizeOf(leaf.info.shape);
  // Made from attributes alone (tf.fill, tf.range): data written into the call as numbers.
  for (const step of state.steps) if (step.inputs.length === 0) for (const o of step.outputs) n += sizeOf(o.shape);
  return n;
}

/**
 * Follows what each tensor of the recording is made from, kernel by kernel, and names the first place where
 * data kept beside the model does a model's job: contracted with the input (a matrix, prototypes, weights
 * solved in closed form), or, where `strict` (a model trained by hand, whose every weight is a trained one),
 * combined with the trained weights or reduced with the input it scaled. Data combined elementwise with the
 * input before any trained weight (a mean and a scale per column) is preprocessing, and allowed.
 */
function foreignRole(kinds: Map<object, LeafKind>, strict: boolean): string | undefined {
  const marks = new Map<object, number>();
  const markOf = { input: FROM_INPUT, trained: FROM_TRAINED, grader: FROM_GRADER, kept: FROM_FOREIGN };
  for (const [dataId, leaf] of state.leaves) {
    const kind = kinds.get(dataId) ?? 'kept';
    // One kept number is a constant (a scale, an epsilon), not a table.
    marks.set(dataId, kind === 'kept' && sizeOf(leaf.info.shape) <= 1 ? 0 : markOf[kind]);
  }
  for (const step of state.steps) {
    if (SHAPE_ONLY.has(step.kernel)) {
      for (const o of step.outputs) marks.set(o.dataId, 0);
      continue;
    }
    const ins = step.inputs.map(([, info]) => marks.get(info.dataId) ?? 0);
    const any = ins.reduce((a, m) => a | m, 0);
    if (any === 0) {
      // Made of constants alone (tf.fill, tf.range, scalars stacked together): kept data once it holds more than one value.
      for (const o of step.outputs) marks.set(o.dataId, sizeOf(o.shape) > 1 ? FROM_FOREIGN : 0);
      continue;
    }
    const input = (any & (FROM_INPUT | FROM_GRADER)) !== 0;
    const foreign = (any & FROM_FOREIGN) !== 0;
    const trainedIn = (any & FROM_TRAINED) !== 0;
    if (CONTRACTING.has(step.kernel)) {
      // One side the input, the other made of kept data alone: the data is the model. A fused bias is added, not contracted.
      const sides = step.inputs
        .filter(([key]) => key !== 'bias' && key !== 'preluActivationWeights')
        .map(([, info]) => marks.get(info.dataId) ?? 0);
      const inputSide = sides.some((m) => (m & (FROM_INPUT | FROM_GRADER)) !== 0);
      const keptSide = sides.some(
        (m) => (m & FROM_FOREIGN) !== 0 && (m & (FROM_INPUT | FROM_TRAINED | FROM_GRADER)) === 0,
      );
      if (inputSide && keptSide) return `${step.kernel} multiplies the input by values kept beside the model`;
    }
    if (strict && foreign && trainedIn)
      return `${step.kernel} combines the trained weights with values kept beside the model`;
    // A product with kept data summed up is a contraction too: a weighted sum no trained weight takes part in.
    if (REDUCING.has(step.kernel) && (any & PREPROCESSED) !== 0 && !trainedIn)
      return `${step.kernel} sums the input scaled by values kept beside the model, a weighted sum no trained weight takes part in`;
    // Kept data met elementwise by the input is preprocessing: the result is the input's.
    let out = any & (FROM_INPUT | FROM_TRAINED | PREPROCESSED | FROM_GRADER);
    if (foreign && input) out |= PREPROCESSED;
    else if (foreign) out |= FROM_FOREIGN;
    for (const o of step.outputs) marks.set(o.dataId, out);
  }
  return undefined;
}

/**
 * The trained weights as the call read them, with every entry training never moved set to zero, by leaf;
 * undefined when training moved every entry the call read (or no first values were kept).
 */
function unmovedZeroed(
  vars: { variable: Variable; dataId: object }[],
  initialOf: (v: Variable) => Float32Array | undefined,
): { replaced: Map<object, Float32Array>; count: number } | undefined {
  const replaced = new Map<object, Float32Array>();
  let count = 0;
  for (const { variable, dataId } of vars) {
    const leaf = state.leaves.get(dataId);
    const first = initialOf(variable);
    if (!leaf?.values || !first || first.length !== leaf.values.length) continue;
    const values = copyFloat32(leaf.values);
    let here = 0;
    for (let i = 0; i < values.length; i++) {
      const a = first[i];
      const b = values[i];
      const scale = Math.max(Math.abs(a), Math.abs(b));
      if (!(Math.abs(b - a) > UNMOVED * scale) && b !== 0) {
        values[i] = 0;
        here++;
      }
    }
    if (here > 0) {
      replaced.set(dataId, values);
      count += here;
    }
  }
  return count > 0 ? { replaced, count } : undefined;
}

/** The call's operations run on `rows` (row-major, `shape`), in chunks of the scored row count. */
function recomputeRows(
  tf: Tf,
  output: Info,
  input: Info,
  rows: { values: Float32Array; shape: number[] },
): Float32Array | undefined {
  const chunk = input.shape[0] ?? 0;
  const n = rows.shape[0] ?? 0;
  const width = sizeOf(input.shape.slice(1));
  if (chunk === 0 || n === 0 || input.dtype !== 'float32' || width !== sizeOf(rows.shape.slice(1))) return undefined;
  const parts: Float32Array[] = [];
  for (let start = 0; start < n; start += chunk) {
    const block = new Float32Array(chunk * width);
    for (let r = 0; r < chunk; r++) {
      const from = ((start + r) % n) * width;
      block.set(rows.values.subarray(from, from + width), r * width);
    }
    const x = intrinsics.tensor!(block, input.shape, 'float32');
    try {
      const out = recompute(tf, output, undefined, x);
      if (!out || out.length % chunk !== 0) return undefined;
      parts.push(out.subarray(0, (out.length / chunk) * Math.min(chunk, n - start)));
    } finally {
      apply(intrinsics.dispose!, x, []);
    }
  }
  const all = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return all;
}

const pct = (share: number): string => `${Math.round(share * 100)}%`;

/**
 * With the scoring call recorded (recordCall) and its answers `answers` (what predict() returned, a tensor),
 * zeroes each large trained variable in turn in a recomputation of that call. Then, where the inputs were a
 * tensor: weighs the other data the call read, zeroes the entries training never moved, runs the call's
 * operations on `other.x` and asks predict() about the same rows (a model answers both alike; answers that
 * JavaScript chose for the held-out rows stay as they were), and runs them on the replay's training rows.
 */
export async function relianceOfRecording(
  tf: Tf,
  answers: unknown,
  other: OtherRows,
  scored?: ArrayLike<number>,
): Promise<Recomputed | undefined> {
  // First, before anything of them is read: a trained weight with a getter of its own (`size`, or what the
  // isDisposed getter reads) runs learner code here, after the check that followed predict(), where it could
  // swap a built-in V8 keeps writable for this function's own loops (adv23-nlp-size-getter.ts ended the loop that
  // zeroes each weight before it began, and least stayed 1).
  for (let i = 0; i < state.trained.length; i++) {
    const why = tampering(state.trained[i].variable);
    if (why !== undefined) return { least: 0, why: `a trained weight with ${why}, which the grader cannot measure` };
  }
  const vars = state.trained.filter((t) => !apply(intrinsics.isDisposed!, t.variable, []));
  // A weight that was alive as the call began and is gone now was disposed by predict() itself.
  if (vars.length < state.trained.length)
    return { least: 0, why: 'a weight the optimizer trained was disposed while predict() ran' };
  if (vars.length === 0) return undefined;
  let frontier: Frontier | undefined;
  try {
    if (!(answers instanceof tf.Tensor))
      return { least: 0, why: 'predict() returned plain numbers, not the tensor the model computed' };
    const output = infoOf(answers);
    if (!output) return { least: 0, why: 'predict() returned something other than a tensor' };
    if (state.broken !== undefined) return { least: 0, why: `predict() used ${state.broken}` };
    // Made outside any kernel of the call (from JavaScript numbers, or before predict() ran): a constant.
    if (!state.produced.has(output.dataId) && !state.leaves.has(output.dataId)) return { least: 0 };
    const cols = output.shape.length >= 2 ? (output.shape[output.shape.length - 1] ?? 1) : 1;
    const given = copyFloat32(scored ?? (apply(intrinsics.dataSync!, answers, []) as ArrayLike<number>));
    frontier = planFrontier(new Set(vars.map((v) => v.dataId)), output);
    const again = recompute(tf, output, undefined, undefined, frontier);
    if (!again || changedShare(given, again, cols) > 0.01)
      return { least: 0, why: 'the operations predict() ran do not reproduce its answers' };
    const total = vars.reduce((n, t) => n + t.variable.size, 0);
    let least = 1;
    for (const { variable, dataId } of vars) {
      if (variable.size < LARGE * total) continue;
      // A weight the call never read leaves every answer as it was.
      const after = state.leaves.has(dataId)
        ? recompute(tf, output, new Map([[dataId, undefined]]), undefined, frontier)
        : given;
      const share = after ? changedShare(given, after, cols) : 0;
      if (share < least) least = share;
    }
    // Text inputs are strings no kernel reads; a tensor input must reach the model through the call's kernels.
    if (!state.input) return { least };
    const input = state.leaves.has(state.input.dataId) ? state.input : undefined;
    if (!input)
      return {
        least,
        refused:
          'predict() never passed its input x to a TensorFlow.js operation: its answers were built from other tensors (x read in JavaScript with dataSync, arraySync or data), so they are not what the trained model computes from x. Compute the answers from x with tensor operations (preprocessing included)',
      };
    const rows = input.shape[0] ?? 1;
    const budget = FOREIGN_PER_COLUMN * (sizeOf(input.shape) / Math.max(rows, 1)) + FOREIGN_ALLOWANCE;
    const kinds = leafKinds(new Set(vars.map((v) => v.dataId)));
    const foreign = foreignValues(kinds);
    if (foreign > budget)
      return {
        least,
        refused: `the call read ${foreign.toLocaleString('en-US')} values that are neither its input nor the trained weights (at most ${budget.toLocaleString('en-US')}: room for normalisation statistics and constants, not for a table of examples)`,
      };
    const role = foreignRole(kinds, other.train !== undefined);
    if (role !== undefined)
      return {
        least,
        refused: `${role} (data that is neither the input nor a trained weight may only be combined with the input, column by column, before the model: normalisation)`,
      };
    const unmoved = other.initialOf ? unmovedZeroed(vars, other.initialOf) : undefined;
    if (unmoved) {
      const after = recompute(tf, output, unmoved.replaced, undefined, frontier);
      const share = after ? changedShare(given, after, cols) : 1;
      if (share > UNMOVED_CHANGE)
        return {
          least,
          refused: `${pct(share)} of the answers changed when the grader set to zero the ${unmoved.count.toLocaleString('en-US')} entries of the trained weights that training never moved, so the answers come from values put there, not learned`,
        };
    }
    if (other.x) {
      const recomputed = recompute(tf, output, undefined, other.x);
      let asked: Float32Array | undefined;
      try {
        const out = await other.predict(other.x);
        // A tensor with its own getters or functions would run learner code inside the reads below.
        if (out instanceof tf.Tensor && tensorProblem(out) === undefined && !apply(intrinsics.isDisposed!, out, [])) {
          const values = apply(intrinsics.dataSync!, out, []) as ArrayLike<number>;
          asked = copyFloat32(values);
        }
      } catch {
        asked = undefined;
      }
      if (!recomputed || !asked || changedShare(asked, recomputed, cols) > 0.01)
        return {
          least,
          refused:
            'on other rows, the operations of the scored call and predict() itself answer differently, so the held-out answers were chosen by JavaScript inside predict(), not computed by TensorFlow.js operations',
        };
    }
    if (other.train) {
      const recomputed = recomputeRows(tf, output, input, other.train);
      if (!recomputed || changedShare(other.train.answers, recomputed, cols) > 0.01)
        return {
          least,
          refused:
            "on the training rows the grader replayed the descent on, predict() answered otherwise than the scored call's operations do, so it tells those rows from the held-out ones",
        };
    }
    return { least };
  } finally {
    releaseFrontier(frontier);
    state.steps = [];
    state.leaves = new Map();
    state.produced = new Set();
    state.trained = [];
    state.input = undefined;
  }
}
