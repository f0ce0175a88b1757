/**
 * The `train` kind when the model is fixed (month3/tabular), child side: the
 * learner's file exports `engineer` and names a target transform (`export
 * const target = 'log'`), and the grader fits the model in its own process
 * (../fixed-model.ts). This side only answers `features` requests, calling
 * `engineer` on the rows the grader sends, in the grader's order; the
 * training prices never come here until every column is in, when the
 * optional `explore(data)` gets them to look at (console.log), too late to
 * change anything.
 */
import type { Tensor } from '@tensorflow/tfjs';
import type { HarnessContext } from './context';
import type { FixedModelPayload } from '../protocol';
import { fromTensor, toTensor } from './wire';

interface Learner {
  engineer(tf: unknown, x: Tensor, names: string[]): unknown;
  target?: unknown;
  /** Optional: a look at the training data, once the grader has every column, so it cannot change them. */
  explore?(data: { x: number[][]; price: number[]; names: string[] }): unknown;
}

const LESSON = 'the model is fixed and only the features are yours';

/**
 * The learner's exports, checked before anything runs: `engineer`, and none
 * of the functions that would put a model of the learner's own, or learner
 * code between the grader's model and the prices, back in the loop.
 */
function learnerExports(ctx: HarnessContext): Learner {
  const exports = ctx.exports;
  if (typeof exports.default === 'function') {
    ctx.fail({
      kind: 'invalid-output',
      message: `train.ts exports a default train(), but in this exercise ${LESSON}: mlpath fits ridge regression itself on the columns engineer() returns. Remove train() (and any model of your own) and put your work into engineer and target`,
    });
  }
  const old = ['toTarget', 'fromTarget'].filter((name) => typeof exports[name] === 'function');
  if (old.length) {
    ctx.fail({
      kind: 'invalid-output',
      message: `train.ts exports ${old.map((n) => `${n}()`).join(' and ')}, but in this exercise ${LESSON}: mlpath transforms the prices and turns the model's answers back itself, so no code of yours runs between its model and the prices it scores. Remove ${old.length > 1 ? 'them' : 'it'} and name the transform instead: \`export const target = 'log'\` (or 'identity', 'log1p', 'sqrt')`,
    });
  }
  if (typeof exports.engineer !== 'function') {
    ctx.fail({
      kind: 'missing-entry',
      message:
        'train.ts must export engineer(tf, x, names): mlpath calls it on the rows and fits the model itself on the columns it returns (restore the starter with `mlpath reset` to see its shape)',
    });
  }
  return exports as unknown as Learner;
}

export async function runFixedModel(ctx: HarnessContext): Promise<void> {
  const learner = learnerExports(ctx);
  const p = ctx.payload as FixedModelPayload;
  const tf = ctx.tf;
  const names = p.featureNames ?? [];
  const target = typeof learner.target === 'string' ? learner.target.slice(0, 100) : undefined;
  ctx.send({ type: 'trained', seconds: 0, ...(target === undefined ? {} : { target }) });

  /** Calls a learner function; a throw is the learner's error, with the function named. */
  const call = async (name: 'engineer' | 'explore', ...args: unknown[]): Promise<unknown> => {
    try {
      return await (learner[name] as (...a: unknown[]) => unknown)(...args);
    } catch (err) {
      const e = ctx.describe(err);
      return ctx.fail({ ...e, message: `${name}() threw: ${e.message}` });
    }
  };

  for (;;) {
    const m = await ctx.next();
    if (m.type === 'done') return;
    if (m.type === 'features') {
      const x = toTensor(tf, m.x);
      const out = await call('engineer', ctx.learnerTf, x, [...names]);
      await ctx.settle();
      if (!(out instanceof tf.Tensor)) {
        const got = out === null ? 'null' : Array.isArray(out) ? 'an array' : typeof out;
        ctx.fail({
          kind: 'invalid-output',
          message: `engineer(tf, x, names) must return a tf.Tensor of shape [n, d], but it returned ${got}`,
        });
      }
      const tensor = await fromTensor(ctx, out, 'engineer(tf, x, names)');
      ctx.send({ type: 'features', tensor });
      tf.dispose([x, out as Tensor]);
      continue;
    }
    if (m.type === 'explore') {
      if (typeof learner.explore === 'function') {
        const [n, width] = p.xTrain.shape;
        const values = p.xTrain.values as Float32Array;
        const rows = Array.from({ length: n }, (_, r) => Array.from(values.subarray(r * width, (r + 1) * width)));
        await call('explore', Object.freeze({ x: rows, price: Array.from(m.price), names: [...names] }));
        await ctx.settle();
      }
      ctx.send({ type: 'explored' });
    }
  }
}
