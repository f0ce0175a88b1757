/**
 * Identity, and Cast to the dtype a tensor already has, on wasm: the new
 * tensor shares its input's data, as the cpu backend's kernels make it,
 * where TensorFlow.js 4.22's wasm kernels copy every byte (registered by
 * wasm-fast-kernels.ts, which keeps the stock kernels for strings and for a
 * cast to another dtype).
 *
 * Under a gradient tape the engine clones every tensor a gradient will read
 * (saveTensorsForBackwardMode runs Identity on each), so each training step
 * of a dense network copied its batch and its weight matrices, and the
 * gradient of a clone is a Cast of dy to float32.
 *
 * Sharing cannot change a value: no kernel writes into a tensor's data once
 * it is made (a variable's assign() gives the variable new data and leaves
 * the old where it is), so the copy and the original could never differ. The
 * backend counts the tensors that hold the data, as it does for Reshape, and
 * frees it with the last of them.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { WasmBackend } from './wasm-fast-kernels';

type TensorInfo = tfjs.TensorInfo;
type KernelFunc = tfjs.KernelFunc;

function shared(backend: WasmBackend, x: TensorInfo): TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

export function identitySharing(stock: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    if (x.dtype === 'string') return stock(args);
    return shared(args.backend as unknown as WasmBackend, x);
  };
}

export function castSharing(stock: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { dtype } = args.attrs as unknown as { dtype: tfjs.DataType };
    if (dtype !== x.dtype || x.dtype === 'string') return stock(args);
    return shared(args.backend as unknown as WasmBackend, x);
  };
}
