/**
 * Watches training from inside the child, for exercises whose lesson is the
 * training itself (curriculum `options.lesson`, judged by grader/lesson.ts):
 * how many optimizer steps train() took and the losses they returned, and
 * how much memory the predictor keeps once train() has returned and the
 * training data it was handed is gone.
 *
 * The optimizers are wrapped where they are implemented, before learner code
 * loads, so every route to a step counts once: optimizer.minimize,
 * applyGradients after tf.variableGrads, and model.fit (which calls
 * minimize). The functions the measurements rely on are captured here too,
 * before learner code could replace them.
 */
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import type { ObserveRequest, Observed, TrainPayload } from '../protocol';
import { captureIntrinsics, intrinsics, pinIntrinsics } from './intrinsics';
import { append, own } from './own';
import { initialBytes, measureReliance, noteBeforeStep, noteStepped, startReliance } from './reliance';
import { graderDataBytes, noteGraderData, prepareRecompute } from './recompute';
import { finishReplay, prepareReplay, replayData, startReplay } from './replay';

type Tf = typeof import('@tensorflow/tfjs');

const memoryUsage = process.memoryUsage.bind(process);
const heapSpaces = v8.getHeapSpaceStatistics;
const apply = Reflect.apply;
const define = Object.defineProperty;
const ownDescriptor = Object.getOwnPropertyDescriptor;
const protoOf = Object.getPrototypeOf;
const keysOf = Object.keys;
const isArray = Array.isArray;
const finite = Number.isFinite;
const later = setImmediate;
const PromiseCtor = Promise;
const regexpTest = RegExp.prototype.test;
const weakHas = WeakMap.prototype.has;
const weakGet = WeakMap.prototype.get;
const NOT_HEAP_DATA = /code|read_only/;

/**
 * Heap growth during train() that is not counted: TensorFlow.js's own
 * objects (layers, optimizers, kernels' caches) grow the heap by a megabyte
 * or so whatever the model, by an amount that varies from run to run. Left
 * out, the measure is the same on every run of a submission; a copy of a
 * training set kept as JavaScript arrays is still far past it.
 */
const HEAP_ALLOWANCE = 3e6;

/** At most this many step losses are kept; past them, every other one is dropped and the stride doubles. */
const MAX_LOSSES = 4096;
/** The losses cross to the grader as means of this many equal chunks of the steps. */
const LOSS_CHUNKS = 50;

const OPTIMIZER_CLASSES = [
  'Optimizer',
  'SGDOptimizer',
  'MomentumOptimizer',
  'AdagradOptimizer',
  'AdadeltaOptimizer',
  'AdamOptimizer',
  'AdamaxOptimizer',
  'RMSPropOptimizer',
];

const state = {
  /** Set while train() of an observed exercise runs: only then are losses read. */
  active: false,
  steps: 0,
  depth: 0,
  losses: [] as number[],
  stride: 1,
  seen: 0,
  /** The loss of the last gradient computation during train(), taken by the step that follows it. */
  pendingLoss: undefined as number | undefined,
  /** Tensor bytes, counted by the engine's own updates (pinEngineBytes); undefined before prepareObservation. */
  tensorBytes: undefined as (() => number) | undefined,
  /** Optimizers that took a step during train(): their state is training's, freed before the model is weighed. */
  optimizers: [] as object[],
  /** Each optimizer class's prototype and its dispose(), captured before learner code loads. */
  disposers: [] as { proto: object; dispose: (this: object) => void }[],
  /** Why the engine's byte count cannot be trusted, once it cannot. */
  tampered: undefined as string | undefined,
};

/** The engine's variable list, captured before learner code loads (tensor methods: intrinsics.ts). */
const captured = {
  registeredVariables: undefined as (() => Record<string, { trainable: boolean } | undefined>) | undefined,
};

let collect: (() => void) | undefined;

/**
 * The gradients TensorFlow.js's engine computed while a watch of month1/tensors' autograd cases ran
 * (watchGradients), each as its flat values; undefined when no watch runs. Only gradients computed by the
 * engine itself count: `gradients` called on any other `this` could return whatever that object says.
 */
let computedGradients: number[][] | undefined;
let realEngine: unknown;

/**
 * Starts recording the gradients the engine computes (every autograd route: tf.grad, tf.grads,
 * tf.valueAndGrad, variableGrads, optimizer.computeGradients); the function returned stops and hands them back.
 */
export function watchGradients(): () => number[][] {
  const list: number[][] = [];
  computedGradients = list;
  return () => {
    computedGradients = undefined;
    return list;
  };
}

function noteGradients(grads: unknown): void {
  const list = computedGradients;
  if (!list || !isArray(grads)) return;
  for (let i = 0; i < grads.length; i++) {
    const g = grads[i] as Tensor | null;
    if (g === null || typeof g !== 'object') continue;
    try {
      if (apply(intrinsics.isDisposed!, g, [])) continue;
      const values = apply(intrinsics.dataSync!, g, []);
      const flat: number[] = [];
      for (let k = 0; k < values.length; k++) append(flat, values[k]);
      append(list, flat);
    } catch {
      // A gradient that cannot be read is not one the grader can match an answer with.
    }
  }
}

/**
 * Memory in use once garbage is collected. V8 frees the memory of dead
 * ArrayBuffers on a background thread after a collection, so the count of
 * ArrayBuffer bytes is read again, after another collection, until it stops
 * moving.
 */
async function settledMemory(): Promise<NodeJS.MemoryUsage> {
  collectGarbage();
  let m = memoryUsage();
  for (let round = 0; round < 20; round++) {
    await new PromiseCtor((resolve) => later(resolve));
    collectGarbage();
    const again = memoryUsage();
    const settled = again.arrayBuffers === m.arrayBuffers;
    m = again;
    if (settled && round >= 1) break;
  }
  return m;
}

/** A full garbage collection, so that what is measured is what is still reachable. */
function collectGarbage(): void {
  if (!collect) {
    // Exposed to a fresh context only: learner code never gets a `gc` global.
    v8.setFlagsFromString('--expose-gc');
    collect = vm.runInNewContext('gc') as () => void;
    v8.setFlagsFromString('--no-expose-gc');
  }
  collect();
}

function recordLoss(value: number): void {
  if (!finite(value)) return;
  if (state.seen++ % state.stride !== 0) return;
  const losses = state.losses;
  losses[losses.length] = value;
  if (losses.length >= MAX_LOSSES) {
    const kept: number[] = [];
    for (let i = 0; i < losses.length; i += 2) kept[kept.length] = losses[i];
    state.losses = kept;
    state.stride *= 2;
  }
}

/**
 * The gradients a step hands to the optimizer, as the list form every
 * optimizer accepts, read once: the optimizer then applies exactly what was
 * checked here, however the map learner code passed answers a second read.
 */
function gradientList(given: unknown): { name: string; tensor: Tensor }[] | undefined {
  if (given === null || typeof given !== 'object') return undefined;
  const out: { name: string; tensor: Tensor }[] = [];
  if (isArray(given)) {
    for (let i = 0; i < given.length; i++) {
      const entry = given[i] as { name?: unknown; tensor?: unknown } | null;
      if (entry && typeof entry.name === 'string')
        out[out.length] = { name: entry.name, tensor: entry.tensor as Tensor };
    }
    return out;
  }
  const names = keysOf(given);
  for (let i = 0; i < names.length; i++)
    out[out.length] = { name: names[i], tensor: (given as Record<string, Tensor>)[names[i]] };
  return out;
}

/** Whether a step moves something: a trainable variable given a gradient with a non-zero value. Smallest gradients are read first. */
function movesAVariable(grads: { name: string; tensor: Tensor }[]): boolean {
  const variables = captured.registeredVariables?.();
  if (!variables) return false;
  const candidates: Tensor[] = [];
  for (let i = 0; i < grads.length; i++) {
    const g = grads[i].tensor;
    // The name is learner code's: only TensorFlow.js's own entry counts, never one on Object.prototype.
    const v = own(variables, grads[i].name) as (typeof variables)[string] | undefined;
    if (!v || v.trainable !== true || g === null || typeof g !== 'object') continue;
    candidates[candidates.length] = g;
  }
  // A bias's gradient is a few numbers; a weight matrix's may be a million.
  for (let i = 1; i < candidates.length; i++) {
    const g = candidates[i];
    let j = i - 1;
    while (j >= 0 && candidates[j].size > g.size) {
      candidates[j + 1] = candidates[j];
      j--;
    }
    candidates[j + 1] = g;
  }
  for (let i = 0; i < candidates.length; i++) {
    let values: ArrayLike<number>;
    try {
      if (apply(intrinsics.isDisposed!, candidates[i], [])) continue;
      values = apply(intrinsics.dataSync!, candidates[i], []);
    } catch {
      continue;
    }
    for (let k = 0; k < values.length; k++) if (values[k] !== 0 && finite(values[k])) return true;
  }
  return false;
}

function pinned(target: object, key: string): boolean {
  const d = Object.getOwnPropertyDescriptor(target, key);
  return !d || typeof d.value !== 'function' || !d.configurable;
}

/**
 * Wraps every optimizer's step and the engine's gradient computation, and
 * pins the engine's byte count. Call once, after the forbidden APIs are
 * closed (a method closed there stays closed) and before learner code loads.
 */
export function prepareObservation(tf: Tf): void {
  const engine = tf.engine() as unknown as Record<string, unknown>;
  const engineProto = protoOf(engine) as Record<string, unknown>;
  realEngine = engine;
  captureIntrinsics(tf);
  const variablesGetter = ownDescriptor(engineProto, 'registeredVariables')?.get;
  type Variables = ReturnType<NonNullable<typeof captured.registeredVariables>>;
  captured.registeredVariables = variablesGetter ? () => apply(variablesGetter, engine, []) as Variables : undefined;
  pinEngineBytes(engine, engineProto);
  prepareReplay(tf);

  if (!pinned(engineProto, 'gradients')) {
    const original = engineProto.gradients as (...args: unknown[]) => { value: Tensor; grads: Tensor[] };
    // Every route to a gradient comes here (minimize, variableGrads, valueAndGrads, grad): the value is the loss a step that follows was taken on.
    const observed = function gradients(this: unknown, ...args: unknown[]): { value: Tensor; grads: Tensor[] } {
      const out = apply(original, this, args);
      if (computedGradients && this === realEngine) noteGradients(out.grads);
      if (state.active && state.depth === 0) {
        state.pendingLoss = undefined;
        const value = out.value;
        if (value && value.size === 1 && !apply(intrinsics.isDisposed!, value, []))
          state.pendingLoss = apply(intrinsics.dataSync!, value, [])[0];
      }
      return out;
    };
    define(engineProto, 'gradients', { value: observed, writable: false, configurable: false, enumerable: false });
  }

  const lib = tf as unknown as Record<string, { prototype: Record<string, unknown> } | undefined>;
  for (let c = 0; c < OPTIMIZER_CLASSES.length; c++) {
    const proto = lib[OPTIMIZER_CLASSES[c]]?.prototype;
    if (!proto || pinned(proto, 'applyGradients')) continue;
    if (typeof proto.dispose === 'function')
      state.disposers[state.disposers.length] = { proto, dispose: proto.dispose as (this: object) => void };
    const original = proto.applyGradients as (...args: unknown[]) => unknown;
    // Subclasses may call their parent's step: only the outermost call is a step.
    const step = function applyGradients(this: unknown, given: unknown): unknown {
      if (!state.active || state.depth > 0) return apply(original, this, [given]);
      const grads = gradientList(given);
      const moves = grads !== undefined && movesAVariable(grads);
      const loss = state.pendingLoss;
      state.pendingLoss = undefined;
      state.depth++;
      try {
        const variables = moves ? captured.registeredVariables?.() : undefined;
        // The values before the step: which entries training moved is judged against them (child/recompute.ts).
        if (variables) for (let i = 0; i < grads!.length; i++) noteBeforeStep(own(variables, grads![i].name));
        const out = apply(original, this, [grads ?? given]);
        if (moves) {
          state.steps++;
          noteOptimizer(this);
          if (variables) for (let i = 0; i < grads.length; i++) noteStepped(own(variables, grads[i].name));
          if (loss !== undefined) recordLoss(loss);
        }
        return out;
      } finally {
        state.depth--;
      }
    };
    define(proto, 'applyGradients', { value: step, writable: false, configurable: false, enumerable: false });
  }
  prepareRecompute(tf);
  // Last: what the captured methods call through `this` and the engine stays TensorFlow.js's own.
  pinIntrinsics(tf);
}

function noteOptimizer(optimizer: unknown): void {
  if (optimizer === null || typeof optimizer !== 'object') return;
  const list = state.optimizers;
  for (let i = 0; i < list.length; i++) if (list[i] === optimizer) return;
  list[list.length] = optimizer;
}

/**
 * Frees the state of the optimizers train() stepped with (Adam's moment
 * estimates are twice the model's size): it serves training only, so the
 * model is weighed without it, and nothing can be kept in it for predict().
 */
function disposeOptimizers(): void {
  const list = state.optimizers;
  state.optimizers = [];
  for (let i = 0; i < list.length; i++) {
    for (let p: object | null = protoOf(list[i]) as object | null; p; p = protoOf(p) as object | null) {
      let dispose: ((this: object) => void) | undefined;
      for (let k = 0; k < state.disposers.length; k++)
        if (state.disposers[k].proto === p) dispose = state.disposers[k].dispose;
      if (!dispose) continue;
      try {
        apply(dispose, list[i], []);
      } catch {
        // Already disposed, or broken by learner code: what stays alive is measured.
      }
      break;
    }
  }
}

/**
 * TensorFlow.js counts tensor bytes in `engine.state.numBytes`, a plain field
 * learner code can write (`tf.engine().state.numBytes = 0`). The count is
 * kept a second time here, by wrappers of the only engine methods that move
 * it (trackTensor, disposeTensor, makeTensor for strings, reset), pinned on
 * the engine so that no own property can shadow them. A disposal whose size
 * disagrees with what the engine recorded for that buffer is refused as a
 * change of the bookkeeping. When the two counts differ after train(), the
 * engine's was changed: the lesson fails, and the measure uses this one.
 */
function pinEngineBytes(engine: Record<string, unknown>, proto: Record<string, unknown>): void {
  type Info = { bytes: number };
  type Engine = { state: { numBytes: number; tensorInfo: WeakMap<object, Info> } };
  type T = { dtype: string; size: number; dataId: object };
  const names = ['trackTensor', 'disposeTensor', 'makeTensor', 'reset'];
  for (let i = 0; i < names.length; i++) if (pinned(proto, names[i])) return;
  let bytes = (engine as unknown as Engine).state.numBytes;
  const elementBytes = (dtype: string): number =>
    dtype === 'complex64' || dtype === 'string' ? 0 : dtype === 'bool' ? 1 : 4;
  const info = (self: Engine, dataId: object): Info | undefined => {
    const map = self.state.tensorInfo;
    return apply(weakHas, map, [dataId]) ? (apply(weakGet, map, [dataId]) as Info) : undefined;
  };
  const trackTensor = proto.trackTensor as (this: Engine, a: T, backend: unknown) => void;
  const disposeTensor = proto.disposeTensor as (this: Engine, a: T) => void;
  const makeTensor = proto.makeTensor as (this: Engine, ...args: unknown[]) => T;
  const reset = proto.reset as (this: Engine) => void;
  const wrapped: Record<string, (this: Engine, ...args: never[]) => unknown> = {
    trackTensor(this: Engine, a: T, backend: unknown) {
      apply(trackTensor, this, [a, backend]);
      const n = a.size * elementBytes(a.dtype);
      if (finite(n) && n >= 0) bytes += n;
      else state.tampered ??= 'a tensor of negative or non-finite size was registered';
    },
    disposeTensor(this: Engine, a: T) {
      const before = info(this, a.dataId);
      if (before) {
        const n = a.dtype === 'string' ? before.bytes : a.size * elementBytes(a.dtype);
        if (a.dtype !== 'string' && a.dtype !== 'complex64' && n !== before.bytes) {
          state.tampered ??= "a tensor was disposed with a size other than its data's";
          return;
        }
        bytes -= n;
      }
      apply(disposeTensor, this, [a]);
    },
    makeTensor(this: Engine, ...args: unknown[]) {
      const t = apply(makeTensor, this, args);
      // A string tensor's bytes are counted when its values are written, after trackTensor.
      if (t.dtype === 'string') bytes += info(this, t.dataId)?.bytes ?? 0;
      return t;
    },
    reset(this: Engine) {
      apply(reset, this, []);
      bytes = this.state.numBytes;
    },
  };
  for (let i = 0; i < names.length; i++) {
    const fn = wrapped[names[i]];
    define(fn, 'name', { value: names[i] });
    define(proto, names[i], { value: fn, writable: false, configurable: false, enumerable: false });
    define(engine, names[i], { value: fn, writable: false, configurable: false, enumerable: false });
  }
  state.tensorBytes = () => {
    const counted = (engine as unknown as Engine).state.numBytes;
    if (counted !== bytes)
      state.tampered ??= `tf.engine().state.numBytes reads ${counted} bytes, the engine's own updates add up to ${bytes}`;
    return bytes;
  };
}

function bytesOf(t: { size: number; dtype: string }): number {
  return t.size * (t.dtype === 'bool' ? 1 : 4);
}

/**
 * Bytes of JavaScript objects on the heap: compiled code is left out, since
 * running more of TensorFlow.js compiles more of it whatever the model.
 */
function heapDataBytes(): number {
  let n = 0;
  const spaces = heapSpaces();
  for (let i = 0; i < spaces.length; i++)
    if (!apply(regexpTest, NOT_HEAP_DATA, [spaces[i].space_name])) n += spaces[i].space_used_size;
  return n;
}

interface Memory {
  heap: number;
  /** ArrayBuffers (typed arrays, Buffers): on the cpu backend, tensors' values too. */
  buffers: number;
  tensors: number;
}

async function measure(): Promise<Memory> {
  const m = await settledMemory();
  return { heap: heapDataBytes(), buffers: m.arrayBuffers, tensors: state.tensorBytes?.() ?? 0 };
}

export interface TrainingWatch {
  /**
   * Notes a pretrained model before learner code gets it: its weights are
   * the grader's, not the learner's model. `bytes` reads the grader's own
   * files (serving/pretrained.ts), never the model object.
   */
  pretrained(name: string, model: Promise<LayersModel>, bytes: () => number): Promise<LayersModel>;
  /**
   * Ends the watch once train() has returned: replays the assigned weights
   * through `predict` if asked (before anything is released), releases the
   * training data if asked, and measures; `heldByGrader` bytes of ArrayBuffers alive then are the grader's own
   * (a copy it keeps), not the predictor's.
   */
  /**
   * `check` runs as the measurement resumes after waiting on the event loop (where learner timers run): the
   * harness's assertClean, so nothing they changed bends the code that builds the report.
   */
  finish(
    predict: (x: Tensor | readonly string[]) => unknown,
    heldByGrader?: number,
    check?: () => void,
  ): Promise<Observed | undefined>;
  /** A clearer message for predict() failing on the released training data, or undefined. */
  explain(message: string): string | undefined;
}

export interface WatchedData {
  xTrain: Tensor;
  yTrain: Tensor;
  xVal?: Tensor;
  yVal?: Tensor;
}

/**
 * Starts watching train(); call it just before train() runs, with the
 * tensors made from `payload`. Without a request from the grader it watches
 * nothing and changes nothing.
 */
export async function watchTraining(tf: Tf, payload: TrainPayload, data: WatchedData): Promise<TrainingWatch> {
  const request: ObserveRequest | undefined = payload.observe;
  let released = false;
  if (!request) {
    return { pretrained: (_name, m) => m, finish: async () => undefined, explain: () => undefined };
  }
  // Listed now, before train() runs: finish() walks this list, not ctx.data.
  const names = ['xTrain', 'yTrain', 'xVal', 'yVal'] as const;
  const tensors: { name: string; tensor: Tensor }[] = [];
  for (let i = 0; i < names.length; i++) {
    const t = data[names[i]];
    if (t) tensors[tensors.length] = { name: names[i], tensor: t };
  }
  const models: { name: string; bytes: number; weights: { tensor: Tensor; bytes: number }[] }[] = [];
  const tensorsInHeap = tf.getBackend() === 'cpu';
  const before = request.measure ? await measure() : undefined;
  state.active = true;
  state.steps = 0;
  state.losses = [];
  state.stride = 1;
  state.seen = 0;
  state.pendingLoss = undefined;
  state.tampered = undefined;
  state.optimizers = [];
  const replayed = request.replay ? replayData(payload.xTrain, payload.yTrain) : undefined;
  if (request.replay) startReplay();
  startReliance();
  return {
    async pretrained(name, model, bytes) {
      const m = await model;
      // The model is the harness's until this returns: its weights are read now, not when train() has returned.
      const weights: { tensor: Tensor; bytes: number }[] = [];
      try {
        const list = m.weights;
        for (let i = 0; i < list.length; i++) {
          const v = (list[i] as unknown as { val?: Tensor }).val;
          if (v) {
            weights[weights.length] = { tensor: v, bytes: bytesOf(v) };
            noteGraderData(v);
          }
        }
      } catch {
        // A model whose weights cannot be listed is not counted as the grader's.
      }
      models[models.length] = { name, bytes: bytes(), weights };
      return m;
    },
    async finish(predict, heldByGrader = 0, check = () => undefined) {
      state.active = false;
      const replay = request.replay ? await finishReplay(tf, request.replay, replayed, predict) : undefined;
      // Asked before the data is released: validation rows, or training rows where there are none.
      const texts = payload.textVal ?? payload.textTrain;
      const base: Tensor[] = [];
      for (let i = 0; i < models.length; i++)
        for (let j = 0; j < models[i].weights.length; j++) base[base.length] = models[i].weights[j].tensor;
      const reliance =
        state.steps > 0 ? await measureReliance(tf, payload.xVal ?? payload.xTrain, predict, texts, base) : undefined;
      if (request.release || request.measure) {
        for (let i = 0; i < tensors.length; i++) release(tensors[i].tensor, tensors[i].name, request.lesson);
        const p = payload as Partial<TrainPayload>;
        delete p.xTrain;
        delete p.yTrain;
        delete p.xVal;
        delete p.yVal;
        released = true;
      }
      if (request.measure) disposeOptimizers();
      // Built as one literal, with define semantics: assigning each field to an object that lacks it would call
      // a setter learner code put on Object.prototype, which could write any value there (review 19).
      let memory: Pick<Observed, 'retainedBytes' | 'tensorBytes' | 'pretrainedBytes' | 'tampered'> | undefined;
      if (before) {
        const after = await measure();
        check();
        const pretrained = pretrainedBytes(models);
        // Once the data is released, every ArrayBuffer still alive is the predictor's; the heap counts what it grew by past the allowance.
        const heapGrowth = after.heap - before.heap - HEAP_ALLOWANCE;
        // The grader's own copies (the rows the scoring call is recomputed on, kinds/train/child.ts) are not the predictor's.
        const buffers = after.buffers - heldByGrader - initialBytes() - graderDataBytes();
        const js = (heapGrowth > 0 ? heapGrowth : 0) + (buffers > 0 ? buffers : 0);
        // On the cpu backend a tensor's values are a JavaScript typed array, already in `buffers`.
        const retained = js + (tensorsInHeap ? 0 : after.tensors) - pretrained;
        memory = {
          retainedBytes: retained > 0 ? retained : 0,
          tensorBytes: after.tensors,
          pretrainedBytes: pretrained,
          ...(state.tampered !== undefined ? { tampered: state.tampered } : {}),
        };
      }
      const observed: Observed = {
        steps: state.steps,
        losses: chunkMeans(state.losses),
        ...(replay ? { replay } : {}),
        ...(reliance !== undefined ? { reliance } : {}),
        ...memory,
      };
      return observed;
    },
    explain(message) {
      if (!released) return undefined;
      if (message.includes(RELEASED)) return message.slice(message.indexOf('predict(x)'));
      if (!/Tensor is disposed/.test(message)) return undefined;
      return `predict(x) used a disposed tensor (${message.replace(/\s+$/, '')}): ${releasedNote(request.lesson)}`;
    },
  };
}

/**
 * The pretrained weights still alive, each named model counted once (a
 * second copy is the learner's to weigh) and never past the bytes its files
 * hold.
 */
function pretrainedBytes(
  models: { name: string; bytes: number; weights: { tensor: Tensor; bytes: number }[] }[],
): number {
  let total = 0;
  const counted: string[] = [];
  for (let i = 0; i < models.length; i++) {
    let seen = false;
    for (let j = 0; j < counted.length; j++) if (counted[j] === models[i].name) seen = true;
    if (seen) continue;
    counted[counted.length] = models[i].name;
    let alive = 0;
    const weights = models[i].weights;
    for (let k = 0; k < weights.length; k++) {
      try {
        if (!apply(intrinsics.isDisposed!, weights[k].tensor, [])) alive += weights[k].bytes;
      } catch {
        // A weight that cannot be read holds nothing.
      }
    }
    total += alive < models[i].bytes ? alive : models[i].bytes;
  }
  return total;
}

const RELEASED = 'was released when train() returned';

function releasedNote(lesson: string | undefined): string {
  return `ctx.data's tensors are disposed once train() returns, so predict() may use what training produced (the model's weights), not the training data${lesson ? `: the lesson is ${lesson}` : ''}`;
}

/**
 * Disposes one of ctx.data's tensors, and makes any later use of it say so:
 * every op reads a tensor's `dataId`, and a disposed tensor's otherwise
 * fails deep inside TensorFlow.js with a message that names nothing.
 */
function release(t: Tensor, name: string, lesson: string | undefined): void {
  try {
    if (!apply(intrinsics.isDisposed!, t, [])) apply(intrinsics.dispose!, t, []);
  } catch {
    // Disposed or not, the data is cut off below; what stays alive is measured.
  }
  define(t, 'dataId', {
    get(): never {
      throw new Error(`predict(x) used ctx.data.${name}, which ${RELEASED}: ${releasedNote(lesson)}`);
    },
    configurable: true,
  });
}

function chunkMeans(values: number[]): number[] {
  const out: number[] = [];
  if (values.length <= LOSS_CHUNKS) {
    for (let i = 0; i < values.length; i++) out[i] = values[i];
    return out;
  }
  for (let c = 0; c < LOSS_CHUNKS; c++) {
    const from = Math.floor((c * values.length) / LOSS_CHUNKS);
    const to = Math.floor(((c + 1) * values.length) / LOSS_CHUNKS);
    let sum = 0;
    for (let i = from; i < to; i++) sum += values[i];
    out[c] = sum / (to - from);
  }
  return out;
}
