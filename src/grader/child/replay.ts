/**
 * Gradient descent by hand, seen by the grader: the weights train() keeps in
 * tf.variable and updates with assign() are recorded round by round, and
 * once train() has returned the grader sets a sample of those rounds' values
 * back, runs the learner's own predict() on the training inputs and computes
 * the training loss itself. What train() logs through ctx.log is its own
 * word; these numbers are the grader's (curriculum `options.lesson.descent`,
 * judged by grader/lesson.ts).
 *
 * A round ends when a variable already updated in it is updated again, so a
 * step that assigns w then b is one round. Rounds are sampled with a
 * doubling stride (at most MAX_SNAPSHOTS kept), the first values and the
 * last always among them. The sampled rounds are replayed in an order drawn
 * from the operating system's randomness, so a predict() that counts its
 * calls cannot make up a falling curve; the inputs are a fresh copy each
 * time. The final values are set back before predict() answers the grader.
 */
import { randomInt } from 'node:crypto';
import type { Tensor, Variable } from '@tensorflow/tfjs';
import type { Replay, ReplayLoss, WireTensor } from '../protocol';
import { copyFloat32, copyFloat64, intrinsics, tampering } from './intrinsics';

type Tf = typeof import('@tensorflow/tfjs');

const apply = Reflect.apply;
const define = Object.defineProperty;
const finite = Number.isFinite;
const isArray = Array.isArray;
const draw = randomInt;
const F32 = Float32Array;

/** Snapshots kept; past them every other one is dropped and the stride doubles. */
const MAX_SNAPSHOTS = 64;
/** Weights recorded at most: the lesson is a small model trained by hand, not a network. */
const MAX_VALUES = 1_000_000;
/** A probability is clipped into [EPS, 1 - EPS] before its log is taken. */
const EPS = 1e-7;
/** The first rounds, kept whole: their steps are compared with the loss's own gradient. */
const EARLY = 6;
/** Rounds drawn at random from the whole run (before and after), compared with the gradient too. */
const MAX_PAIRS = 16;
/** Past this many weights, rounds are not drawn from the whole run (each would be read whole). */
const PAIR_VALUES = 100_000;
/** Coordinates the gradient is measured on, drawn at random when there are more. */
const GRADIENT_COORDS = 48;
/** Coordinates the Jacobian's rank is measured on. */
const RANK_COORDS = 256;
/** How far a weight's own learning rate may be from the common one, either way, and still agree. */
const AGREE = 1.25;
/** A step at most this share of its weight is within float32 rounding (256 units in the last place): not judged. */
const ROUNDING = 256 * 2 ** -23;
/** Only the weights that carry the round, steps at least this share of its largest, are judged. */
const CARRYING = 0.1;

interface Tracked {
  variable: Variable;
  initial: Float32Array;
}

const state = {
  active: false,
  tracked: [] as Tracked[],
  /** Variables assigned since the round began. */
  touched: [] as Variable[],
  rounds: 0,
  stride: 1,
  values: 0,
  /** Each kept round's values, one array per tracked variable at the time (later ones start from their initial values). */
  snapshots: [] as { round: number; values: Float32Array[] }[],
  /** The values at the end of each of the first EARLY rounds. */
  early: [] as Float32Array[][],
  /** The values at the end of the last round, when rounds are drawn from the whole run. */
  last: undefined as Float32Array[] | undefined,
  /** Rounds drawn uniformly from the whole run (a reservoir): the values before and after each. */
  pairs: [] as { before: Float32Array[]; after: Float32Array[] }[],
  moving: 0,
  problem: undefined as string | undefined,
  /** The training rows of the last replay and predict()'s answers there at the final weights (child/recompute.ts). */
  replayed: undefined as { values: Float32Array; shape: number[]; answers: Float64Array } | undefined,
};

function read(t: Tensor): Float32Array {
  const values: ArrayLike<number> = apply(intrinsics.dataSync!, t, []);
  return copyFloat32(values);
}

function indexOf(v: Variable): number {
  const list = state.tracked;
  for (let i = 0; i < list.length; i++) if (list[i].variable === v) return i;
  return -1;
}

function touched(v: Variable): boolean {
  const list = state.touched;
  for (let i = 0; i < list.length; i++) if (list[i] === v) return true;
  return false;
}

function moved(before: Float32Array[] | undefined, after: Float32Array[]): boolean {
  for (let v = 0; v < after.length; v++) {
    const a = before?.[v] ?? state.tracked[v].initial;
    for (let i = 0; i < a.length; i++) if (a[i] !== after[v][i]) return true;
  }
  return false;
}

/** The values of every tracked variable now, kept when the round falls on the stride. */
function endRound(): void {
  const round = state.rounds++;
  state.touched = [];
  const drawing = state.values <= PAIR_VALUES;
  if (round % state.stride !== 0 && state.early.length >= EARLY && !drawing) return;
  const values: Float32Array[] = [];
  for (let i = 0; i < state.tracked.length; i++) values[i] = read(state.tracked[i].variable);
  // The first rounds that moved something, whole: a round that changed nothing says nothing about direction.
  if (state.early.length < EARLY && moved(state.early[state.early.length - 1], values))
    state.early[state.early.length] = values;
  if (drawing) {
    const before = state.last;
    state.last = values;
    if (moved(before, values)) {
      // Reservoir sampling with the operating system's randomness: which rounds are looked at is not foreseeable.
      const seen = ++state.moving;
      const pair = { before: before ?? state.tracked.map((t) => t.initial), after: values };
      if (state.pairs.length < MAX_PAIRS) state.pairs[state.pairs.length] = pair;
      else {
        const j = draw(seen);
        if (j < MAX_PAIRS) state.pairs[j] = pair;
      }
    }
  }
  if (round % state.stride !== 0) return;
  const kept = state.snapshots;
  kept[kept.length] = { round, values };
  if (kept.length > MAX_SNAPSHOTS) {
    const thinned: typeof kept = [];
    for (let i = 0; i < kept.length; i += 2) thinned[thinned.length] = kept[i];
    state.snapshots = thinned;
    state.stride *= 2;
  }
}

function noteAssign(v: Variable): void {
  if (state.problem !== undefined) return;
  const why = tampering(v);
  if (why !== undefined) {
    state.problem = `a variable train() assigned carries ${why}: the replay measures the tensors TensorFlow.js made, unaltered`;
    return;
  }
  if (indexOf(v) < 0) {
    state.values += v.size;
    if (state.values > MAX_VALUES) {
      state.problem = `train() assigned more than ${MAX_VALUES.toLocaleString('en-US')} weights: the replay is for a small model trained by hand`;
      return;
    }
    state.tracked[state.tracked.length] = { variable: v, initial: read(v) };
  } else if (touched(v)) {
    endRound();
  }
  state.touched[state.touched.length] = v;
}

/** The variables train() updated with assign(), in the order first seen. */
export function assignedVariables(): Variable[] {
  return state.tracked.map((t) => t.variable);
}

/** The values a variable train() assigned held before its first assign(). */
export function assignedInitial(v: Variable): Float32Array | undefined {
  const i = indexOf(v);
  return i < 0 ? undefined : state.tracked[i].initial;
}

/**
 * The training rows the replay ran predict() on and what it answered there at the final weights, handed over
 * once: the scored call's operations must answer those rows alike (child/recompute.ts).
 */
export function takeReplayedRows(): { values: Float32Array; shape: number[]; answers: Float64Array } | undefined {
  const r = state.replayed;
  state.replayed = undefined;
  return r;
}

/**
 * Wraps Variable.assign where it is implemented, before learner code loads.
 * Call once, after the forbidden APIs are closed and captureIntrinsics.
 */
export function prepareReplay(tf: Tf): void {
  const proto = tf.Variable.prototype as unknown as Record<string, unknown>;
  const d = Object.getOwnPropertyDescriptor(proto, 'assign');
  if (!d || typeof d.value !== 'function' || !d.configurable) return;
  const original = d.value as (this: Variable, value: Tensor) => void;
  const assign = function assign(this: Variable, value: Tensor): void {
    if (state.active && this && this.trainable === true && !apply(intrinsics.isDisposed!, this, [])) noteAssign(this);
    apply(original, this, [value]);
  };
  define(proto, 'assign', { value: assign, writable: false, configurable: false, enumerable: false });
}

/**
 * The training inputs and targets the replay scores on, copied before
 * train() runs: on the cpu backend a tensor made from a typed array shares
 * it, and train() must not be able to rewrite what it is graded on.
 */
export function replayData(
  x: WireTensor,
  y: WireTensor,
): { x: { values: Float32Array; shape: number[] }; y: Float32Array } | undefined {
  if (isArray(x.values) || isArray(y.values)) return undefined;
  // By index, not x.shape.slice(): this runs as watchTraining's first measurement resumes, after a turn of the
  // event loop where timers of learner code (set as its module loaded) run, and Array.prototype stays writable.
  const shape: number[] = [];
  for (let i = 0; i < x.shape.length; i++) shape[i] = x.shape[i];
  return { x: { values: copyFloat32(x.values), shape }, y: copyFloat32(y.values) };
}

/** Starts recording, just before train() runs. */
export function startReplay(): void {
  state.active = true;
  state.tracked = [];
  state.touched = [];
  state.rounds = 0;
  state.stride = 1;
  state.values = 0;
  state.snapshots = [];
  state.early = [];
  state.last = undefined;
  state.pairs = [];
  state.moving = 0;
  state.problem = undefined;
  state.replayed = undefined;
}

/** The loss's derivative in each answer. */
function lossSlope(out: ArrayLike<number>, y: ArrayLike<number>, loss: ReplayLoss): Float64Array {
  const n = y.length;
  const slope = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = out[i];
    if (loss === 'mse') slope[i] = (2 * (p - y[i])) / n;
    else {
      const q = p < EPS ? EPS : p > 1 - EPS ? 1 - EPS : p;
      slope[i] = (y[i] > 0.5 ? -1 / q : 1 / (1 - q)) / n;
    }
  }
  return slope;
}

function lossOf(out: ArrayLike<number>, y: ArrayLike<number>, loss: ReplayLoss): number {
  let sum = 0;
  for (let i = 0; i < y.length; i++) {
    const p = out[i];
    if (loss === 'mse') {
      const r = p - y[i];
      sum += r * r;
    } else {
      const q = p < EPS ? EPS : p > 1 - EPS ? 1 - EPS : p;
      sum -= y[i] > 0.5 ? Math.log(q) : Math.log(1 - q);
    }
  }
  return sum / y.length;
}

function setAll(tf: Tf, values: Float32Array[]): void {
  const list = state.tracked;
  for (let i = 0; i < list.length; i++) {
    const v = list[i].variable;
    const t = intrinsics.tensor!(values[i] ?? list[i].initial, v.shape, v.dtype);
    try {
      apply(intrinsics.assign!, v, [t]);
    } finally {
      apply(intrinsics.dispose!, t, []);
    }
  }
  void tf;
}

/**
 * Ends recording once train() has returned and replays the kept rounds
 * through predict(), while the training data is still alive. `predict`
 * answers with a tensor or numbers; anything else is the replay's problem.
 */
export async function finishReplay(
  tf: Tf,
  loss: ReplayLoss,
  data: { x: { values: Float32Array; shape: number[] }; y: Float32Array } | undefined,
  predict: (x: Tensor) => unknown,
): Promise<Replay> {
  state.active = false;
  if (!data) return { rounds: 0, losses: [], problem: 'the replay needs numeric training inputs' };
  if (state.touched.length > 0) endRound();
  const rounds = state.rounds;
  if (state.problem !== undefined) return { rounds, losses: [], problem: state.problem };
  if (state.tracked.length === 0 || rounds === 0) return { rounds: 0, losses: [] };
  const initial: Float32Array[] = [];
  for (let i = 0; i < state.tracked.length; i++) initial[i] = state.tracked[i].initial;
  const finalValues: Float32Array[] = [];
  for (let i = 0; i < state.tracked.length; i++) finalValues[i] = read(state.tracked[i].variable);
  const points: Float32Array[][] = [initial];
  for (let i = 0; i < state.snapshots.length; i++) points[points.length] = state.snapshots[i].values;
  if (state.snapshots[state.snapshots.length - 1]?.round !== rounds - 1) points[points.length] = finalValues;
  // A Fisher-Yates order from the operating system: the learner's seeded Math.random cannot foresee it.
  const order: number[] = [];
  for (let i = 0; i < points.length; i++) order[i] = i;
  for (let i = order.length - 1; i > 0; i--) {
    const j = draw(i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  const outputs = async (values: Float32Array[]): Promise<Float64Array> => {
    setAll(tf, values);
    const x = intrinsics.tensor!(data.x.values.slice(), data.x.shape, 'float32');
    let out: unknown;
    try {
      out = await predict(x);
    } catch (err) {
      throw new ReplayProblem(
        `predict(x) threw while the grader replayed the weights train() assigned: ${(err as Error)?.message ?? String(err)}`,
      );
    } finally {
      if (!apply(intrinsics.isDisposed!, x, [])) apply(intrinsics.dispose!, x, []);
    }
    const answers = numbersOf(tf, out);
    if (!answers || answers.length !== data.y.length) {
      throw new ReplayProblem(
        'predict(x) did not answer one number per training row while the grader replayed the weights train() assigned',
      );
    }
    return copyFloat64(answers);
  };
  const lossAt = (answers: Float64Array): number => {
    const value = lossOf(answers, data.y, loss);
    // A loss that blew up still has to cross the channel as a number.
    return finite(value) ? value : 1e300;
  };
  const losses: number[] = [];
  try {
    for (let k = 0; k < order.length; k++) {
      const answers = await outputs(points[order[k]]);
      losses[order[k]] = lossAt(answers);
      // The last point holds the final values: what predict() answers the training rows with once trained.
      if (order[k] === points.length - 1) state.replayed = { values: data.x.values, shape: data.x.shape, answers };
    }
    const probe = prober(outputs);
    const slope = (answers: Float64Array): Float64Array => lossSlope(answers, data.y, loss);
    const steps: [Float32Array[], Float32Array[]][] = [];
    const early = [initial, ...state.early];
    for (let k = 0; k + 1 < early.length; k++) steps[steps.length] = [early[k], early[k + 1]];
    for (const pair of state.pairs) steps[steps.length] = [pair.before, pair.after];
    const alignment = await agreement(probe, outputs, slope, steps);
    const rank = await jacobianRank(probe, finalValues);
    return { rounds, losses, alignment, rank, inputs: data.x.shape[1] ?? 1 };
  } catch (err) {
    if (!(err instanceof ReplayProblem)) throw err;
    return { rounds, losses: [], problem: err.message };
  } finally {
    setAll(tf, finalValues);
  }
}

class ReplayProblem extends Error {}

type Probe = (
  values: Float32Array[],
  v: number,
  i: number,
) => Promise<{ up: Float64Array; down: Float64Array; h: number } | undefined>;

/**
 * predict()'s answers with one weight moved either way, by a step that grows
 * until the answers change beyond float32's noise: a weight predict() hardly
 * depends on is still measured, and one it does not depend on at all gives
 * undefined.
 */
function prober(outputs: (values: Float32Array[]) => Promise<Float64Array>): Probe {
  return async (values, v, i) => {
    const saved = values[v][i];
    let h = 1e-2 * (1 + Math.abs(saved));
    try {
      for (let tries = 0; tries < 3; tries++, h *= 100) {
        values[v][i] = saved + h;
        const up = await outputs(values);
        values[v][i] = saved - h;
        const down = await outputs(values);
        let change = 0;
        let scale = 1;
        for (let r = 0; r < up.length; r++) {
          const d = Math.abs(up[r] - down[r]);
          if (d > change) change = d;
          if (Math.abs(up[r]) + 1 > scale) scale = Math.abs(up[r]) + 1;
        }
        if (change > 1e-3 * scale) return { up, down, h: Math.fround(saved + h) - Math.fround(saved - h) };
      }
      return undefined;
    } finally {
      values[v][i] = saved;
    }
  };
}

/** Every weight's coordinates, in an order from the operating system's randomness, at most `limit` of them. */
function sampledCoords(limit: number): [number, number][] {
  const coords: [number, number][] = [];
  for (let v = 0; v < state.tracked.length; v++)
    for (let i = 0; i < state.tracked[v].initial.length; i++) coords[coords.length] = [v, i];
  for (let i = coords.length - 1; i > 0; i--) {
    const j = draw(i + 1);
    const t = coords[i];
    coords[i] = coords[j];
    coords[j] = t;
  }
  return coords.slice(0, limit);
}

function full(values: Float32Array[]): Float32Array[] {
  return state.tracked.map((t, i) => copyFloat32(values[i] ?? t.initial));
}

/**
 * For each round looked at (the first rounds that moved, and rounds drawn at
 * random from the whole run), the share of the weights whose step was their
 * own gradient times one learning rate common to all: the gradient of the
 * grader's training loss at the values the round started from, as the
 * Jacobian of predict()'s answers in the weights (central differences)
 * times the loss's slope in the answers. Plain full-batch gradient descent
 * scores 1 on every round; a precomputed answer walked to along a line, a
 * single knob turned while the real weights sit elsewhere, or a few true
 * steps before a jump to the answer do not. Weights predict() does not
 * depend on, whose gradient vanishes, or whose step is within float32's
 * rounding of the weight (a converged descent's last steps), are left out.
 */
async function agreement(
  probe: Probe,
  outputs: (values: Float32Array[]) => Promise<Float64Array>,
  slope: (answers: Float64Array) => Float64Array,
  steps: [Float32Array[], Float32Array[]][],
): Promise<number[]> {
  const coords = sampledCoords(GRADIENT_COORDS);
  const out: number[] = [];
  for (const [start, end] of steps) {
    const from = full(start);
    const to = full(end);
    const dLdp = slope(await outputs(from));
    const grads: { g: number; step: number; weight: number }[] = [];
    let largest = 0;
    for (const [v, i] of coords) {
      const p = await probe(from, v, i);
      if (!p) continue;
      let g = 0;
      for (let r = 0; r < dLdp.length; r++) g += ((p.up[r] - p.down[r]) / p.h) * dLdp[r];
      grads[grads.length] = {
        g,
        step: to[v][i] - from[v][i],
        weight: Math.max(Math.abs(from[v][i]), Math.abs(to[v][i])),
      };
      if (Math.abs(g) > largest) largest = Math.abs(g);
    }
    let widest = 0;
    for (const { step } of grads) if (Math.abs(step) > widest) widest = Math.abs(step);
    const ratios: number[] = [];
    for (const { g, step, weight } of grads) {
      if (!(Math.abs(g) > 1e-6 * largest) || !finite(g)) continue;
      if (Math.abs(step) <= ROUNDING * weight || Math.abs(step) < CARRYING * widest) continue;
      ratios[ratios.length] = -step / g;
    }
    if (ratios.length < 2) continue;
    const sorted = [...ratios].sort((a, b) => a - b);
    const rate = sorted[sorted.length >> 1];
    let agree = 0;
    if (rate > 0) for (const r of ratios) if (r >= rate / AGREE && r <= rate * AGREE) agree++;
    out[out.length] = agree / ratios.length;
  }
  return out;
}

/**
 * The number of independent directions in which predict()'s answers on the
 * training rows move with the weights, at the final values: a linear model
 * of d inputs has at least d. Columns of the Jacobian (central differences)
 * are orthogonalised in turn; one that keeps less than a thousandth of its
 * length adds nothing new.
 */
async function jacobianRank(probe: Probe, finalValues: Float32Array[]): Promise<number> {
  const values = full(finalValues);
  const basis: Float64Array[] = [];
  for (const [v, i] of sampledCoords(RANK_COORDS)) {
    const p = await probe(values, v, i);
    if (!p) continue;
    const col = new Float64Array(p.up.length);
    for (let r = 0; r < col.length; r++) col[r] = (p.up[r] - p.down[r]) / p.h;
    const norm = Math.hypot(...col);
    if (!(norm > 0) || !finite(norm)) continue;
    for (const b of basis) {
      let dot = 0;
      for (let r = 0; r < col.length; r++) dot += col[r] * b[r];
      for (let r = 0; r < col.length; r++) col[r] -= dot * b[r];
    }
    const rest = Math.hypot(...col);
    if (rest > 1e-3 * norm) {
      for (let r = 0; r < col.length; r++) col[r] /= rest;
      basis[basis.length] = col;
    }
  }
  return basis.length;
}

function numbersOf(tf: Tf, out: unknown): ArrayLike<number> | undefined {
  if (out instanceof tf.Tensor) {
    if (apply(intrinsics.isDisposed!, out, [])) return undefined;
    const values = read(out as Tensor);
    apply(intrinsics.dispose!, out, []);
    return values;
  }
  if (Array.isArray(out)) {
    const values = new F32(out.length);
    for (let i = 0; i < out.length; i++) {
      const v: unknown = Array.isArray(out[i]) ? (out[i] as unknown[])[0] : out[i];
      if (typeof v !== 'number' || !finite(v)) return undefined;
      values[i] = v;
    }
    return values;
  }
  if (ArrayBuffer.isView(out) && !(out instanceof DataView)) return copyFloat32(out as unknown as ArrayLike<number>);
  return undefined;
}
