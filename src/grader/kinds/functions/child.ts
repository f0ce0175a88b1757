/**
 * The `functions` kind, child side: report which named exports exist, then
 * answer `call` requests. Inputs and outputs cross the boundary as plain
 * numbers and nested arrays; a Tensor result is converted with arraySync.
 * A call may ask for folders to be listed in another file system's order,
 * or for a driver that uses the exports (drivers.ts) instead of a plain call.
 */
import type { Tensor } from '@tensorflow/tfjs';
import type { HarnessContext } from '../../child/context';
import { withListingOrder } from '../../child/listing';
import type { ListingOrder } from '../../listing-order';
import { append, hasOwn, isIndex, mapList, own } from '../../child/own';
import { watchGradients } from '../../child/observe';
import { driverFor } from './drivers';

function plain(ctx: HarnessContext, value: unknown): unknown {
  const tf = ctx.tf;
  if (value instanceof tf.Tensor) {
    return { tensor: value.arraySync() as unknown, shape: value.shape as number[], dtype: value.dtype };
  }
  if (
    typeof value === 'number' ||
    typeof value === 'boolean' ||
    typeof value === 'string' ||
    value === null ||
    value === undefined
  )
    return value;
  if (Array.isArray(value)) return value.map((v) => plain(ctx, v));
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = plain(ctx, v);
    return out;
  }
  // What is left is a function, a symbol or a bigint: its own string, never '[object Object]'.
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- see above
  return String(value);
}

/**
 * Scalar functions of a tensor that a suite can hand to learner code (a
 * function cannot cross the channel, its name can). `wave` computes on plain
 * numbers read with dataSync(), out of autograd's sight: only evaluations
 * differentiate it.
 */
const SCALAR_FUNCTIONS: Record<string, (tf: HarnessContext['tf']) => (x: Tensor) => Tensor> = {
  cubeSum: (tf) => (x) => tf.sum(tf.pow(x, 3)),
  wave: (tf) => (x) => tf.scalar(Array.from(x.dataSync()).reduce((s, v) => s + Math.sin(2 * v) + 0.3 * v ** 3, 0)),
};

/**
 * A scalar function of a [d] tensor that a suite builds from seeded coefficients (month1/tensors' `gradient`):
 * f(x) = sum(a * sin(b * x + c)) + s * tanh(q . x) + (u . x) * (v . tanh(x)). Its closed form is nowhere in
 * learner code, so only autograd, or evaluating it around x, can differentiate it; the grader's copy
 * (suites/tensors.ts) differentiates it by hand in float64.
 */
export interface CompositeSpec {
  a: number[];
  b: number[];
  c: number[];
  s: number;
  q: number[];
  u: number[];
  v: number[];
}

/**
 * The composite function made live, counting its calls where learner code cannot reach the count: autograd
 * evaluates it once, while a difference quotient needs at least one call per component of x.
 */
function compositeFunction(
  tf: HarnessContext['tf'],
  spec: CompositeSpec,
  counts: (() => number)[],
): (x: Tensor) => Tensor {
  const a = own(spec, 'a') as number[];
  const b = own(spec, 'b') as number[];
  const c = own(spec, 'c') as number[];
  const s = own(spec, 's') as number;
  const q = own(spec, 'q') as number[];
  const u = own(spec, 'u') as number[];
  const v = own(spec, 'v') as number[];
  let calls = 0;
  append(counts, () => calls);
  return (x) => {
    calls++;
    const waves = tf.sum(tf.mul(tf.tensor1d(a), tf.sin(tf.add(tf.mul(tf.tensor1d(b), x), tf.tensor1d(c)))));
    const squash = tf.mul(s, tf.tanh(tf.sum(tf.mul(tf.tensor1d(q), x))));
    const coupled = tf.mul(tf.sum(tf.mul(tf.tensor1d(u), x)), tf.sum(tf.mul(tf.tensor1d(v), tf.tanh(x))));
    return tf.add(tf.add(waves, squash), coupled);
  };
}

/** One call of a search objective, as the grader reads it back: which configuration, at how many units. */
export interface Evaluation {
  index: number;
  units: number;
}

/**
 * A budgeted objective a suite hands to learner code (month4/search): the
 * grader sends every score it may return, by configuration and budget
 * (`table[index][units - 1]` is `[train, validation]`); the function hands
 * out only what is paid for, refuses a call past the budget, and logs each
 * call where learner code cannot reach it, so the grader counts the spend.
 */
export function searchObjective(
  spec: { table: [number, number][][]; budget: number },
  log: Evaluation[],
): (index: number, units: number) => { train: number; validation: number } {
  const table = spec.table;
  const budget = spec.budget;
  let spent = 0;
  return (index, units) => {
    // index and units are learner values: checked with plain comparisons (no replaceable global),
    // then read as own elements only, so -1, 0.5 or '1e0' never reach Array.prototype.
    const row = isIndex(index, table.length) ? (own(table, index) as [number, number][] | undefined) : undefined;
    if (!row) throw new RangeError(`evaluate: no configuration ${String(index)} (0 to ${table.length - 1})`);
    if (!isIndex(typeof units === 'number' ? units - 1 : undefined, row.length))
      throw new RangeError(`evaluate: units must be a whole number from 1 to ${row.length}, got ${String(units)}`);
    const cell = own(row, units - 1) as [number, number] | undefined;
    if (!cell) throw new RangeError(`evaluate: no score for configuration ${index} at ${units} units`);
    if (spent + units > budget)
      throw new RangeError(
        `evaluate: budget exhausted: ${spent} of ${budget} units spent, this call needs ${units} more`,
      );
    spent += units;
    append(log, { index, units });
    return { train: own(cell, 0) as number, validation: own(cell, 1) as number };
  };
}

/**
 * An argument from the grader, made live. Its fields are read as own properties only: a field the
 * grader did not send must not be answered by a getter learner code put on Object.prototype, which
 * would both see the argument (a search objective's whole table) and change what it becomes.
 */
function revive(ctx: HarnessContext, arg: unknown, log: Evaluation[][], counts: (() => number)[]): unknown {
  if (arg === null || typeof arg !== 'object') return arg;
  if (hasOwn(arg, 'tensor')) {
    const dtype = own(arg, 'dtype') as 'float32' | 'int32' | undefined;
    return ctx.tf.tensor(own(arg, 'tensor') as number[], own(arg, 'shape') as number[], dtype ?? 'float32');
  }
  const name = own(arg, 'scalarFunction');
  if (typeof name === 'string' && hasOwn(SCALAR_FUNCTIONS, name)) return SCALAR_FUNCTIONS[name](ctx.tf);
  const composite = own(arg, 'composite');
  if (composite && typeof composite === 'object') return compositeFunction(ctx.tf, composite as CompositeSpec, counts);
  const objective = own(arg, 'searchObjective');
  if (objective && typeof objective === 'object') {
    const calls: Evaluation[] = [];
    append(log, calls);
    return searchObjective(objective as { table: [number, number][][]; budget: number }, calls);
  }
  return arg;
}

/** The objectives' logs as one list, by index and append alone (no Array.prototype method). */
function flatten(logs: Evaluation[][]): Evaluation[] {
  const out: Evaluation[] = [];
  for (let i = 0; i < logs.length; i++) for (let j = 0; j < logs[i].length; j++) append(out, logs[i][j]);
  return out;
}

export async function runFunctionsKind(ctx: HarnessContext): Promise<void> {
  const names = Object.keys(ctx.exports).filter((k) => typeof ctx.exports[k] === 'function');
  ctx.send({ type: 'exports', names });
  for (;;) {
    const m = await ctx.next();
    if (m.type === 'done') return;
    if (m.type !== 'call') continue;
    const fn = ctx.exports[m.name];
    if (typeof fn !== 'function') {
      ctx.send({ type: 'result', id: m.id, ok: false, value: null, error: `${m.name} is not exported as a function` });
      continue;
    }
    try {
      const evaluations: Evaluation[][] = [];
      const counts: (() => number)[] = [];
      const args = mapList(m.args, (a) => revive(ctx, a, evaluations, counts));
      // Optional fields the grader may leave out: own properties only, as in revive.
      const driver = own(m, 'driver') as string | undefined;
      const listing = own(m, 'listing') as { order: ListingOrder; salt: number } | undefined;
      const drive = driver === undefined ? undefined : driverFor(driver);
      const stopWatch = own(m, 'gradients') === true ? watchGradients() : undefined;
      let out: unknown;
      let gradients: number[][] | undefined;
      try {
        out = await withListingOrder(
          own(listing, 'order') as ListingOrder | undefined,
          (own(listing, 'salt') as number | undefined) ?? 0,
          () => (drive ? drive(ctx.exports, args) : (fn as (...a: unknown[]) => unknown)(...args)),
        );
      } finally {
        // Stopped before the answer is read: only what the learner's call computed counts.
        gradients = stopWatch?.();
      }
      await ctx.settle();
      // With an objective among the arguments, the grader gets what was spent beside what was returned; with a
      // composite function, how often it was called; when asked, the gradients autograd computed.
      const value = evaluations.length
        ? { returned: plain(ctx, out), evaluations: flatten(evaluations) }
        : counts.length
          ? { returned: plain(ctx, out), calls: mapList(counts, (count) => count()) }
          : gradients
            ? { returned: plain(ctx, out), gradients }
            : plain(ctx, out);
      ctx.send({ type: 'result', id: m.id, ok: true, value });
    } catch (err) {
      await ctx.settle();
      const e = ctx.describe(err);
      const where = e.line ? ` (${e.frames?.[0] ?? `line ${e.line}`})` : '';
      ctx.send({ type: 'result', id: m.id, ok: false, value: null, error: `${e.message}${where}` });
    }
  }
}
