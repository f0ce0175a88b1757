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
  let spent = 0;
  return (index, units) => {
    const row = Number.isInteger(index) ? spec.table[index] : undefined;
    if (!row) throw new RangeError(`evaluate: no configuration ${String(index)} (0 to ${spec.table.length - 1})`);
    if (!Number.isInteger(units) || units < 1 || units > row.length)
      throw new RangeError(`evaluate: units must be a whole number from 1 to ${row.length}, got ${String(units)}`);
    if (spent + units > spec.budget)
      throw new RangeError(
        `evaluate: budget exhausted: ${spent} of ${spec.budget} units spent, this call needs ${units} more`,
      );
    spent += units;
    log.push({ index, units });
    const [train, validation] = row[units - 1];
    return { train, validation };
  };
}

function revive(ctx: HarnessContext, arg: unknown, log: Evaluation[][]): unknown {
  if (arg && typeof arg === 'object' && 'tensor' in (arg as Record<string, unknown>)) {
    const a = arg as { tensor: number[]; shape: number[]; dtype?: 'float32' | 'int32' };
    return ctx.tf.tensor(a.tensor, a.shape, a.dtype ?? 'float32');
  }
  if (arg && typeof arg === 'object' && typeof (arg as { scalarFunction?: unknown }).scalarFunction === 'string') {
    const make = SCALAR_FUNCTIONS[(arg as { scalarFunction: string }).scalarFunction];
    if (make) return make(ctx.tf);
  }
  const objective = arg && typeof arg === 'object' ? (arg as { searchObjective?: unknown }).searchObjective : undefined;
  if (objective && typeof objective === 'object') {
    const calls: Evaluation[] = [];
    log.push(calls);
    return searchObjective(objective as { table: [number, number][][]; budget: number }, calls);
  }
  return arg;
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
      const args = m.args.map((a) => revive(ctx, a, evaluations));
      const drive = m.driver === undefined ? undefined : driverFor(m.driver);
      const out = await withListingOrder(m.listing?.order, m.listing?.salt ?? 0, () =>
        drive ? drive(ctx.exports, args) : (fn as (...a: unknown[]) => unknown)(...args),
      );
      ctx.assertClean();
      // With an objective among the arguments, the grader gets what was spent beside what was returned.
      const value = evaluations.length
        ? { returned: plain(ctx, out), evaluations: evaluations.flat() }
        : plain(ctx, out);
      ctx.send({ type: 'result', id: m.id, ok: true, value });
    } catch (err) {
      ctx.assertClean();
      const e = ctx.describe(err);
      const where = e.line ? ` (${e.frames?.[0] ?? `line ${e.line}`})` : '';
      ctx.send({ type: 'result', id: m.id, ok: false, value: null, error: `${e.message}${where}` });
    }
  }
}
