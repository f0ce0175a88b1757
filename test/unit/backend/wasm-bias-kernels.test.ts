import type * as T from '@tensorflow/tfjs';
import { initBackend } from '../../../src/backend/init';
import { awkward, values } from '../../helpers/values';
import { registerWasmFastKernels, unregisterWasmFastKernels } from '../../../src/backend/wasm-fast-kernels';

type Tf = typeof import('@tensorflow/tfjs');

let tf: Tf;

beforeAll(async () => {
  tf = (await initBackend('wasm')).tf;
});

afterEach(() => {
  registerWasmFastKernels(tf);
});

/** fn's result as strings (NaN and -0 compare as themselves) with mlpath's kernels, then with the stock ones. */
function bothWays(fn: () => T.Tensor): [string[], string[]] {
  const read = (): string[] => {
    const t = fn();
    const out = Array.from(t.dataSync()).map((v) => (Object.is(v, -0) ? '-0' : String(v)));
    t.dispose();
    return out;
  };
  const ours = read();
  unregisterWasmFastKernels(tf);
  try {
    return [ours, read()];
  } finally {
    registerWasmFastKernels(tf);
  }
}

function kernelsRun(fn: () => T.Tensor): Promise<string[]> {
  return tf.profile(() => fn()).then((p) => p.kernelNames);
}

describe('Add of a bias to every row', () => {
  const shapes: number[][] = [
    [64, 26, 26, 8],
    [64, 128],
    [3, 7, 13],
    [1000, 10],
    [50, 33],
  ];
  it.each(shapes.map((s) => [s]))('gives the stock sum bit for bit: %j', (shape) => {
    const n = shape[shape.length - 1];
    const size = shape.reduce((p, q) => p * q, 1);
    const [ours, theirs] = bothWays(() =>
      tf.tidy(() => tf.add(tf.tensor(awkward(size, 1), shape), tf.tensor1d(awkward(n, 2)))),
    );
    expect(ours).toEqual(theirs);
    const [flipped] = bothWays(() =>
      tf.tidy(() => tf.add(tf.tensor1d(awkward(n, 2)), tf.tensor(awkward(size, 1), shape))),
    );
    expect(flipped).toEqual(theirs);
  });

  it("adds in the stock kernel's operand order: of two NaNs, the sum keeps the first one's payload, as stock does", () => {
    const nan = (bits: number) => new Float32Array(new Uint32Array([bits]).buffer)[0];
    const bits = (t: T.Tensor) => Array.from(new Uint32Array(new Float32Array(t.dataSync()).buffer));
    const x = tf.tensor(new Float32Array(64 * 32).fill(nan(0x7fc0aaaa)), [64, 32]);
    const v = tf.tensor1d(new Float32Array(32).fill(nan(0x7fc05555)));
    for (const [a, b] of [
      [x, v],
      [v, x],
    ]) {
      const ours = tf.add(a, b);
      unregisterWasmFastKernels(tf);
      const theirs = tf.add(a, b);
      registerWasmFastKernels(tf);
      expect(bits(ours)).toEqual(bits(theirs));
      tf.dispose([ours, theirs]);
    }
    tf.dispose([x, v]);
  });

  it('runs for a bias add and leaves other broadcasts, ints and small tensors to the stock kernel', async () => {
    const big = tf.tensor(values(64 * 128, 3), [64, 128]);
    const bias = tf.tensor1d(values(128, 4));
    const column = tf.tensor(values(64, 5), [64, 1]);
    const ours = tf.add(big, bias);
    const [expected] = bothWays(() => tf.add(big, bias));
    expect(Array.from(ours.dataSync()).map(String)).toEqual(expected);
    const [colOurs, colStock] = bothWays(() => tf.add(big, column));
    expect(colOurs).toEqual(colStock);
    const [intOurs, intStock] = bothWays(() => tf.add(tf.ones([64, 128], 'int32'), tf.ones([128], 'int32')));
    expect(intOurs).toEqual(intStock);
    expect(await kernelsRun(() => tf.add(big, bias))).toEqual(['Add']);
    tf.dispose([big, bias, column, ours]);
  });
});

describe('Sum over leading axes', () => {
  const cases: Array<[number[], number[], boolean]> = [
    [[64, 26, 26, 8], [0, 1, 2], false],
    [[64, 11, 11, 16], [0, 1, 2], true],
    [[64, 11, 11, 16], [2, 0, 1], true],
    [[64, 128], [0], false],
    [[300, 10], [0], true],
    [[5, 7, 9, 3], [0, 1], false],
    [[40, 37], [-2], false],
    [[2, 3, 400], [0, 0, 1], false],
  ];
  it.each(cases)('gives the stock sum bit for bit: %j over %j (keepDims %s)', (shape, axes, keepDims) => {
    const size = shape.reduce((p, q) => p * q, 1);
    const x = tf.tensor(awkward(size, 6), shape);
    const finite = tf.tensor(values(size, 7), shape);
    for (const t of [x, finite]) {
      const [ours, theirs] = bothWays(() => tf.sum(t, axes, keepDims));
      expect(ours).toEqual(theirs);
    }
    const out = tf.sum(x, axes, keepDims);
    const stockShape = (() => {
      unregisterWasmFastKernels(tf);
      const s = tf.sum(x, axes, keepDims);
      registerWasmFastKernels(tf);
      const shape = s.shape;
      s.dispose();
      return shape;
    })();
    expect(out.shape).toEqual(stockShape);
    tf.dispose([x, finite, out]);
  });

  it('takes no transpose for a bias gradient, and leaves inner axes to the stock kernel', async () => {
    const x = tf.tensor(values(64 * 26 * 26 * 8, 8), [64, 26, 26, 8]);
    expect(await kernelsRun(() => tf.sum(x, [0, 1, 2]))).toEqual(['Sum']);
    const [inner, innerStock] = bothWays(() => tf.sum(x, [1, 2]));
    expect(inner).toEqual(innerStock);
    x.dispose();
  });
});
