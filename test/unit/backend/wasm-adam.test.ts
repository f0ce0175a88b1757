import type * as T from '@tensorflow/tfjs';
import { initBackend } from '../../../src/backend/init';
import { ADAM_KERNEL, registerFusedAdam, unregisterFusedAdam } from '../../../src/backend/wasm-adam';
import { values } from '../../helpers/values';

type Tf = typeof import('@tensorflow/tfjs');

let tf: Tf;

beforeAll(async () => {
  tf = (await initBackend('wasm')).tf;
});

afterEach(() => {
  registerFusedAdam(tf);
  jest.restoreAllMocks();
});

/** Trains a small regression with Adam; returns every number the optimizer and the model hold afterwards. */
async function train(steps: number, lr: (step: number) => number = () => 0.01): Promise<number[]> {
  const w = tf.variable(tf.tensor2d(values(300 * 7, 31), [300, 7]));
  const b = tf.variable(tf.tensor1d(values(7, 32)));
  const x = tf.tensor2d(values(20 * 300, 33), [20, 300]);
  const optimizer = tf.train.adam(0.01);
  for (let s = 0; s < steps; s++) {
    (optimizer as unknown as { learningRate: number }).learningRate = lr(s);
    optimizer.minimize(() => tf.matMul(x, w).add(b).square().mean<T.Scalar>());
  }
  const state = await optimizer.getWeights();
  const numbers = [...w.dataSync(), ...b.dataSync(), ...state.flatMap((s) => Array.from(s.tensor.dataSync()))];
  optimizer.dispose();
  tf.dispose([w, b, x]);
  return numbers;
}

async function stock<R>(fn: () => Promise<R>): Promise<R> {
  unregisterFusedAdam(tf);
  try {
    return await fn();
  } finally {
    registerFusedAdam(tf);
  }
}

describe('Adam as one kernel per variable', () => {
  it('gives tf.train.adam the same bits: weights, moments and step count', async () => {
    const spy = jest.spyOn(tf.engine(), 'runKernel');
    const ours = await train(25);
    expect(spy.mock.calls.filter((c) => c[0] === ADAM_KERNEL).length).toBe(25 * 2);
    spy.mockRestore();
    const theirs = await stock(() => train(25));
    expect(ours).toEqual(theirs);
  });

  it('reads the learning rate at every step, as the stock step does', async () => {
    const schedule = (s: number): number => 0.05 / (1 + s);
    expect(await train(10, schedule)).toEqual(await stock(() => train(10, schedule)));
  });

  it('leaves a gradient that is not the variable shape to the stock step', async () => {
    const run = async (): Promise<number[]> => {
      const v = tf.variable(tf.tensor1d([1, 2, 3]));
      const optimizer = tf.train.adam(0.1);
      // A scalar gradient for a vector: the stock step broadcasts it.
      optimizer.applyGradients({ [v.name]: tf.scalar(0.5) } as never);
      const out = Array.from(v.dataSync());
      optimizer.dispose();
      v.dispose();
      return out;
    };
    const spy = jest.spyOn(tf.engine(), 'runKernel');
    const ours = await run();
    expect(spy.mock.calls.some((c) => c[0] === ADAM_KERNEL)).toBe(false);
    expect(ours).toEqual(await stock(run));
  });

  it('registers once', () => {
    expect(registerFusedAdam(tf)).toBe(false);
  });
});

describe('the Adam kernel called directly', () => {
  it('refuses inputs that are not four float32 tensors of one shape', () => {
    const v = tf.ones([100]);
    const small = tf.ones([3]);
    const attrs = {
      beta1: 0.9,
      beta2: 0.999,
      oneMinusAccBeta1: 0.1,
      oneMinusAccBeta2: 0.001,
      epsilon: 1e-7,
      learningRate: 0.1,
    };
    expect(() =>
      tf.engine().runKernel(ADAM_KERNEL, { value: v, gradient: small, firstMoment: v, secondMoment: v }, attrs),
    ).toThrow(/four float32 tensors of one shape/);
    tf.dispose([v, small]);
  });
});
