import { initBackend } from '../../../src/backend/init';
import { simdKernels } from '../../../src/backend/simd/module';

type Tf = typeof import('@tensorflow/tfjs');

let tf: Tf;

beforeAll(async () => {
  tf = (await initBackend('wasm')).tf;
});

function backend(): { wasm: object; dataIdMap: { get(id: object): { memoryOffset: number } } } {
  return tf.backend() as never;
}

describe("mlpath's wasm kernels", () => {
  // Without them every fast path falls back to the stock kernels and the kernel tests would compare stock with stock.
  it('load on the single-threaded wasm backend, on its own memory', () => {
    const kernels = simdKernels(backend().wasm);
    expect(kernels).toBeDefined();
    const t = tf.tensor1d([0, 1.5, 0, -2, 0, 0, NaN]);
    expect(kernels!.nonzeros(backend().dataIdMap.get(t.dataId).memoryOffset, 7)).toBe(3);
    t.dispose();
  });

  it('tell finite right operands from ones with an infinity or NaN', () => {
    const kernels = simdKernels(backend().wasm)!;
    const at = (t: { dataId: object }): number => backend().dataIdMap.get(t.dataId).memoryOffset;
    const finite = tf.tensor1d([1, -2, 3e38, 0, 5, 6, 7]);
    const inf = tf.tensor1d([1, 2, 3, 4, 5, 6, -Infinity]);
    const nan = tf.tensor1d([1, NaN, 3, 4, 5]);
    expect(kernels.all_finite(at(finite), 7)).toBe(1);
    expect(kernels.all_finite(at(inf), 7)).toBe(0);
    expect(kernels.all_finite(at(nan), 5)).toBe(0);
    tf.dispose([finite, inf, nan]);
  });

  it('are compiled once per backend module', () => {
    expect(simdKernels(backend().wasm)).toBe(simdKernels(backend().wasm));
    expect(simdKernels({})).toBeUndefined();
  });
});
