/**
 * Whether predict() relies on what the optimizer trained: the variables the
 * watched optimizer steps moved are noted and counted, and once train() has
 * returned the grader sets each large one (a weight matrix) to zero in
 * turn, asks predict() again on validation rows and puts the trained values
 * back. A model whose trained weights are zeroed
 * answers something else (every class the same score); a lookup of the
 * training data beside an unrelated variable stepped for show answers the
 * same (grader/lesson.ts judges it, for lessons that ask for optimizer
 * steps).
 */
import type { Tensor, Variable } from '@tensorflow/tfjs';
import type { WireTensor } from '../protocol';
import { copyFloat32, intrinsics, tampering } from './intrinsics';
import { tensorProblem } from './wire';
import { changedShare, LARGE } from './recompute';

type Tf = typeof import('@tensorflow/tfjs');

const apply = Reflect.apply;
/** Validation rows asked about: enough to see a share, few enough to be quick. */
const ROWS = 256;

/** Initial values kept at most: past them a variable's first values are not kept (nothing is judged on them). */
const MAX_INITIAL_VALUES = 16 * 1024 * 1024;

const state = {
  stepped: [] as Variable[],
  /** Each stepped variable's values before its first step, in the order first stepped. */
  initial: [] as { variable: Variable; values: Float32Array }[],
  initialValues: 0,
};

export function startReliance(): void {
  state.stepped = [];
  state.initial = [];
  state.initialValues = 0;
}

/**
 * Called before an optimizer step moves `v`: its values are kept the first time, so the grader can tell the
 * entries training moved from those it never touched (child/recompute.ts).
 */
export function noteBeforeStep(v: unknown): void {
  if (v === null || typeof v !== 'object') return;
  const list = state.initial;
  for (let i = 0; i < list.length; i++) if (list[i].variable === v) return;
  const variable = v as Variable;
  if (variable.dtype !== 'float32' || apply(intrinsics.isDisposed!, variable, [])) return;
  if (state.initialValues + variable.size > MAX_INITIAL_VALUES) return;
  const read: ArrayLike<number> = apply(intrinsics.dataSync!, variable, []);
  state.initialValues += variable.size;
  list[list.length] = { variable, values: copyFloat32(read) };
}

/** A stepped variable's values before its first step, when they were kept. */
export function steppedInitial(v: Variable): Float32Array | undefined {
  const list = state.initial;
  for (let i = 0; i < list.length; i++) if (list[i].variable === v) return list[i].values;
  return undefined;
}

/** Bytes of the kept initial values: the grader's, not the predictor's, when what train() left alive is weighed. */
export function initialBytes(): number {
  return state.initialValues * 4;
}

/** The variables optimizer steps moved so far. */
export function steppedVariables(): Variable[] {
  return [...state.stepped];
}

/** A variable an optimizer step moved. */
export function noteStepped(v: unknown): void {
  if (v === null || typeof v !== 'object') return;
  const list = state.stepped;
  for (let i = 0; i < list.length; i++) if (list[i] === v) return;
  list[list.length] = v as Variable;
}

function answersOf(tf: Tf, out: unknown): { values: Float32Array; cols: number } | undefined {
  // A tensor with its own getters or functions would run learner code inside the reads below.
  if (!(out instanceof tf.Tensor) || tensorProblem(out) !== undefined || apply(intrinsics.isDisposed!, out, []))
    return undefined;
  const t = out as Tensor;
  const read: ArrayLike<number> = apply(intrinsics.dataSync!, t, []);
  const values = copyFloat32(read);
  const cols = t.shape.length >= 2 ? (t.shape[t.shape.length - 1] ?? 1) : 1;
  apply(intrinsics.dispose!, t, []);
  return { values, cols };
}

/**
 * With the stepped variables zeroed, the share of validation rows whose
 * answer changed; undefined when nothing was stepped or predict() cannot be
 * asked (its own failure is reported when the grader asks for real).
 */
export interface Reliance {
  /** Values held by the variables the steps moved. */
  weights: number;
  /**
   * The least share of answers that changed when one of the large stepped
   * variables (a tenth of the stepped values or more: the model's weight
   * matrices, not its biases) was zeroed alone.
   */
  least: number;
  /** predict() gave no tensor the grader could read on the validation rows (it threw, or returned numbers). */
  unanswered?: boolean;
  /**
   * With the weights of the models ctx.pretrained() gave (those still alive) all zeroed together, the share
   * of answers that changed; undefined when no pretrained model was handed out.
   */
  base?: number;
}

export async function measureReliance(
  tf: Tf,
  x: WireTensor | undefined,
  predict: (x: Tensor | readonly string[]) => unknown,
  texts?: readonly string[],
  pretrained: readonly Tensor[] = [],
): Promise<Reliance | undefined> {
  const vars = state.stepped.filter((v) => !apply(intrinsics.isDisposed!, v, []));
  if (vars.length === 0) return undefined;
  let input: () => Tensor | readonly string[];
  if (texts) {
    // A text predictor (month3/nlp) is asked about validation texts, as plain strings.
    const asked = Object.freeze(texts.slice(0, ROWS));
    if (asked.length === 0) return undefined;
    input = () => asked;
  } else {
    if (!x || Array.isArray(x.values)) return undefined;
    const cols = x.shape.slice(1).reduce((a, b) => a * b, 1);
    const rows = Math.min(ROWS, x.shape[0] ?? 0);
    if (rows === 0) return undefined;
    const values = x.values;
    input = () =>
      intrinsics.tensor!(copyFloat32(values.subarray(0, rows * cols)), [rows, ...x.shape.slice(1)], 'float32');
  }
  const ask = async (): Promise<{ values: Float32Array; cols: number } | undefined> => {
    const t = input();
    try {
      return answersOf(tf, await predict(t));
    } catch {
      return undefined;
    } finally {
      if (t instanceof tf.Tensor && !apply(intrinsics.isDisposed!, t, [])) apply(intrinsics.dispose!, t, []);
    }
  };
  const weights = vars.reduce((n, v) => n + v.size, 0);
  const before = await ask();
  // Asked what it answers on validation rows, predict() threw or answered with no tensor: nothing shows that
  // its answers come from what the steps trained, whatever it does on the held-out rows.
  if (!before) return { weights, least: 0, unanswered: true };
  // A variable that is not TensorFlow.js's own cannot be measured: no reliance is shown.
  for (const v of vars) if (tampering(v) !== undefined) return { weights, least: 0 };
  let least = 1;
  // Each large variable alone: a lookup scaled by one trained knob beside a weight matrix that decides nothing fails.
  for (const v of vars) {
    if (v.size < LARGE * weights) continue;
    const share = await zeroedShare([v], before, ask);
    if (share < least) least = share;
  }
  const base = await baseReliance(pretrained, before, ask);
  return base === undefined ? { weights, least } : { weights, least, base };
}

/**
 * The pretrained weights (tf.Variables of the models ctx.pretrained() gave, still alive) zeroed all at once,
 * predict() asked again, the weights put back: the share of answers that changed. A model built on the
 * pretrained layers answers every row alike then; one trained from scratch beside them does not notice.
 */
async function baseReliance(
  pretrained: readonly Tensor[],
  before: { values: Float32Array; cols: number },
  ask: () => Promise<{ values: Float32Array; cols: number } | undefined>,
): Promise<number | undefined> {
  const vars = pretrained.filter((v) => !apply(intrinsics.isDisposed!, v, []));
  if (vars.length === 0) return undefined;
  for (const v of vars) if (tampering(v) !== undefined) return 0;
  return zeroedShare(vars, before, ask);
}

/**
 * `vars` set to zero together, predict() asked again, their values put back: the share of answers that changed
 * (every one, when predict() could not answer or answered in another shape).
 */
async function zeroedShare(
  vars: readonly Tensor[],
  before: { values: Float32Array; cols: number },
  ask: () => Promise<{ values: Float32Array; cols: number } | undefined>,
): Promise<number> {
  const kept: Float32Array[] = [];
  let after: { values: Float32Array; cols: number } | undefined;
  try {
    for (const v of vars) {
      const read: ArrayLike<number> = apply(intrinsics.dataSync!, v, []);
      kept[kept.length] = copyFloat32(read);
      const z = intrinsics.zeros!(v.shape, v.dtype);
      apply(intrinsics.assign!, v, [z]);
      apply(intrinsics.dispose!, z, []);
    }
    after = await ask();
  } finally {
    for (let i = 0; i < kept.length; i++) {
      const t = intrinsics.tensor!(kept[i], vars[i].shape, vars[i].dtype);
      apply(intrinsics.assign!, vars[i], [t]);
      apply(intrinsics.dispose!, t, []);
    }
  }
  return after && after.cols === before.cols ? changedShare(before.values, after.values, before.cols) : 1;
}
