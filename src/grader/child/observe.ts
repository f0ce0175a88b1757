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

type Tf = typeof import('@tensorflow/tfjs');

const memoryUsage = process.memoryUsage.bind(process);
const heapSpaces = v8.getHeapSpaceStatistics;

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

const OPTIMIZER_CLASSES = ['Optimizer', 'SGDOptimizer', 'MomentumOptimizer', 'AdagradOptimizer', 'AdadeltaOptimizer', 'AdamOptimizer', 'AdamaxOptimizer', 'RMSPropOptimizer'];

const state = {
  /** Set while train() of an observed exercise runs: only then are losses read. */
  active: false,
  steps: 0,
  depth: 0,
  losses: [] as number[],
  stride: 1,
  seen: 0,
  engineMemory: undefined as (() => { numBytes: number }) | undefined,
};

let collect: (() => void) | undefined;

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
    await new Promise((resolve) => setImmediate(resolve));
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
  if (!Number.isFinite(value)) return;
  if (state.seen++ % state.stride !== 0) return;
  state.losses.push(value);
  if (state.losses.length >= MAX_LOSSES) {
    state.losses = state.losses.filter((_, i) => i % 2 === 0);
    state.stride *= 2;
  }
}

function pinned(target: object, key: string): boolean {
  const d = Object.getOwnPropertyDescriptor(target, key);
  return !d || typeof d.value !== 'function' || !d.configurable;
}

/**
 * Wraps every optimizer's step and captures the engine's memory count. Call
 * once, after the forbidden APIs are closed (a method closed there stays
 * closed) and before learner code loads.
 */
export function prepareObservation(tf: Tf): void {
  const engine = tf.engine();
  const memory = Object.getPrototypeOf(engine).memory as (this: unknown) => { numBytes: number };
  state.engineMemory = () => memory.call(engine);
  const lib = tf as unknown as Record<string, { prototype: Record<string, unknown> } | undefined>;
  for (const name of OPTIMIZER_CLASSES) {
    const proto = lib[name]?.prototype;
    if (!proto || pinned(proto, 'applyGradients')) continue;
    const apply = proto.applyGradients as (...args: unknown[]) => unknown;
    // Subclasses may call their parent's step: only the outermost call is a step.
    const step = function applyGradients(this: unknown, ...args: unknown[]): unknown {
      state.depth++;
      try {
        const out = apply.apply(this, args);
        if (state.depth === 1) state.steps++;
        return out;
      } finally {
        state.depth--;
      }
    };
    Object.defineProperty(proto, 'applyGradients', { value: step, writable: false, configurable: false, enumerable: false });
  }
  const base = lib.Optimizer?.prototype;
  if (base && !pinned(base, 'minimize')) {
    const minimize = base.minimize as (this: unknown, f: () => Tensor, returnCost?: boolean, varList?: unknown) => Tensor | null;
    const observed = function minimize_(this: unknown, f: () => Tensor, returnCost = false, varList?: unknown): Tensor | null {
      if (!state.active) return minimize.call(this, f, returnCost, varList);
      const cost = minimize.call(this, f, true, varList);
      if (cost && !cost.isDisposed && cost.size === 1) recordLoss(cost.dataSync()[0]);
      if (returnCost) return cost;
      cost?.dispose();
      return null;
    };
    Object.defineProperty(observed, 'name', { value: 'minimize' });
    Object.defineProperty(base, 'minimize', { value: observed, writable: false, configurable: false, enumerable: false });
  }
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
  for (const space of heapSpaces()) if (!/code|read_only/.test(space.space_name)) n += space.space_used_size;
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
  return { heap: heapDataBytes(), buffers: m.arrayBuffers, tensors: state.engineMemory?.().numBytes ?? 0 };
}

export interface TrainingWatch {
  /** Notes a pretrained model handed to learner code: its weights are the grader's, not the learner's model. */
  pretrained(model: Promise<LayersModel>): Promise<LayersModel>;
  /** Ends the watch once train() has returned: releases the training data if asked, and measures. */
  finish(): Promise<Observed | undefined>;
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
  const models: LayersModel[] = [];
  let released = false;
  if (!request) {
    return { pretrained: (m) => m, finish: async () => undefined, explain: () => undefined };
  }
  const tensorsInHeap = tf.getBackend() === 'cpu';
  const before = request.measure ? await measure() : undefined;
  state.active = true;
  state.steps = 0;
  state.losses = [];
  state.stride = 1;
  state.seen = 0;
  return {
    async pretrained(model) {
      const m = await model;
      models.push(m);
      return m;
    },
    async finish() {
      state.active = false;
      if (request.release || request.measure) {
        for (const [name, t] of Object.entries(data)) if (t instanceof tf.Tensor) release(t, name, request.lesson);
        const p = payload as Partial<TrainPayload>;
        delete p.xTrain;
        delete p.yTrain;
        delete p.xVal;
        delete p.yVal;
        released = true;
      }
      const observed: Observed = { steps: state.steps, losses: chunkMeans(state.losses) };
      if (before) {
        const after = await measure();
        let pretrained = 0;
        for (const m of models) {
          for (const w of m.weights) {
            try {
              const v = w.read();
              if (!v.isDisposed) pretrained += bytesOf(v);
            } catch {
              // A weight disposed by learner code holds nothing.
            }
          }
        }
        // Once the data is released, every ArrayBuffer still alive is the predictor's; the heap counts what it grew by past the allowance.
        const js = Math.max(0, after.heap - before.heap - HEAP_ALLOWANCE) + after.buffers;
        // On the cpu backend a tensor's values are a JavaScript typed array, already in `buffers`.
        const tensors = tensorsInHeap ? 0 : after.tensors;
        observed.retainedBytes = Math.max(0, js + tensors - pretrained);
        observed.tensorBytes = after.tensors;
        observed.pretrainedBytes = pretrained;
      }
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
  if (!t.isDisposed) t.dispose();
  Object.defineProperty(t, 'dataId', {
    get(): never {
      throw new Error(`predict(x) used ctx.data.${name}, which ${RELEASED}: ${releasedNote(lesson)}`);
    },
    configurable: true,
  });
}

function chunkMeans(values: number[]): number[] {
  if (values.length <= LOSS_CHUNKS) return values.slice();
  const out: number[] = [];
  for (let c = 0; c < LOSS_CHUNKS; c++) {
    const from = Math.floor((c * values.length) / LOSS_CHUNKS);
    const to = Math.floor(((c + 1) * values.length) / LOSS_CHUNKS);
    let sum = 0;
    for (let i = from; i < to; i++) sum += values[i];
    out.push(sum / (to - from));
  }
  return out;
}
