/**
 * The gradients of Mean and Sum without a tensor of ones.
 *
 * TensorFlow.js 4.22 spreads dy back over the reduced axes by multiplying it
 * with `tf.ones(x.shape)`: a JavaScript loop writes every 1, the array is
 * copied into the backend, and a Mul reads both. Mean is what
 * globalAveragePooling1d runs, so a text model averaging its embeddings
 * (month3/nlp-embeddings: x is [128, 120, 16] per step) spent more of its
 * training making ones than doing arithmetic.
 *
 * Here dy is reshaped as before and multiplied by ones that span only the
 * reduced axes (1 on the others): the Mul broadcasts both operands to x's
 * shape, and Mean divides the result by the number of entries averaged, as
 * the stock gradient does. Each entry is the same product and quotient of the
 * same float32 values, so the gradient is the stock one bit for bit (a NaN
 * stays NaN). Anything else (a dy that is not float32, an empty x, a scalar)
 * takes the stock gradient.
 */
import type * as tfjs from '@tensorflow/tfjs';

type Tf = typeof tfjs;
type Tensor = tfjs.Tensor;
type GradConfig = ReturnType<Tf['getGradient']>;

export const REDUCE_GRADIENTS = ['Mean', 'Sum'] as const;

type ReduceConfig = GradConfig & { mlpathStock?: GradConfig };

/** Replaces the registered gradients of Mean and Sum. Idempotent; returns the names replaced. */
export function registerReduceGradients(tf: Tf): string[] {
  // Taken now: the gradient runs inside graded code's training, which cannot reach these.
  const { div, mul, ones, reshape } = tf;
  const { parseAxisParam } = tf.util;
  const replaced: string[] = [];
  for (const name of REDUCE_GRADIENTS) {
    const stock = tf.getGradient(name) as ReduceConfig | undefined;
    if (stock == null || stock.mlpathStock) continue;
    // The function itself, not the field: the stock config stays reachable through tf's registry.
    const stockGrad = stock.gradFunc;
    const gradFunc: GradConfig['gradFunc'] = (dy, saved, attrs) => {
      const [x] = saved;
      const d = dy as Tensor;
      if (Array.isArray(dy) || d.dtype !== 'float32' || x.rank === 0 || x.size === 0)
        return stockGrad(dy, saved, attrs);
      const axes = parseAxisParam(attrs.axis as number | number[], x.shape);
      const expanded = x.shape.slice();
      const spanned = x.shape.map(() => 1);
      let count = 1;
      for (const axis of axes) {
        expanded[axis] = 1;
        spanned[axis] = x.shape[axis];
        count *= x.shape[axis];
      }
      const spread = (): Tensor => {
        const back = mul(reshape(d, expanded), ones(spanned, 'float32'));
        return name === 'Mean' ? div(back, count) : back;
      };
      return { x: spread };
    };
    tf.registerGradient({ ...stock, gradFunc, mlpathStock: stock } as ReduceConfig);
    replaced.push(name);
  }
  return replaced;
}

/** Puts the stock gradients back (tests compare both). Returns the names restored. */
export function unregisterReduceGradients(tf: Tf): string[] {
  const restored: string[] = [];
  for (const name of REDUCE_GRADIENTS) {
    const config = tf.getGradient(name) as ReduceConfig | undefined;
    if (config?.mlpathStock == null) continue;
    tf.registerGradient(config.mlpathStock);
    restored.push(name);
  }
  return restored;
}
