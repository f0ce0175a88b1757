// Reference solution for month1/tensors.
import * as tf from '@tensorflow/tfjs';

export function dot(u: tf.Tensor1D, v: tf.Tensor1D): number {
  return tf.tidy(() => tf.sum(tf.mul(u, v)).dataSync()[0]);
}

export function matmul(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return tf.matMul(a, b);
}

export function addBias(x: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  return tf.add(x, b);
}

export function standardize(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, 0);
    return tf.div(tf.sub(x, mean), tf.sqrt(variance));
  });
}

export function softmax(logits: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const shifted = tf.sub(logits, tf.max(logits, -1, true));
    const e = tf.exp(shifted);
    return tf.div(e, tf.sum(e, -1, true));
  });
}

export function crossEntropy(probs: tf.Tensor2D, labels: tf.Tensor1D): number {
  return tf.tidy(() => {
    const picked = tf.sum(tf.mul(probs, tf.oneHot(labels, probs.shape[1])), -1);
    return tf.neg(tf.mean(tf.log(picked))).dataSync()[0];
  });
}

export function gradOfSquare(x: number): number {
  return tf.tidy(
    () =>
      tf
        .grad((t: tf.Tensor) => tf.square(t))(tf.scalar(x))
        .dataSync()[0],
  );
}

export function gradOfMse(w: tf.Tensor1D, x: tf.Tensor2D, y: tf.Tensor1D): tf.Tensor1D {
  const loss = (weights: tf.Tensor): tf.Scalar => {
    const predictions = tf.squeeze(tf.matMul(x, tf.reshape(weights, [-1, 1])), [1]);
    return tf.mean(tf.square(tf.sub(predictions, y)));
  };
  return tf.grad(loss)(w) as tf.Tensor1D;
}

export function gradient(fn: (x: tf.Tensor) => tf.Scalar, x: tf.Tensor1D): tf.Tensor {
  return tf.grad(fn)(x);
}

export function f(x: tf.Tensor): tf.Scalar {
  return tf.sum(tf.mul(tf.sin(x), tf.square(x)));
}

export function numericalGradient(fn: (x: tf.Tensor1D) => tf.Scalar, x: tf.Tensor1D, eps = 1e-3): tf.Tensor1D {
  const base = x.arraySync();
  const at = (values: number[]): number => tf.tidy(() => fn(tf.tensor1d(values)).dataSync()[0]);
  const grad = base.map((_, i) => {
    const plus = base.slice();
    const minus = base.slice();
    plus[i] += eps;
    minus[i] -= eps;
    return (at(plus) - at(minus)) / (2 * eps);
  });
  return tf.tensor1d(grad);
}

export function gradCheck(x: tf.Tensor1D): { autograd: tf.Tensor; numerical: tf.Tensor } {
  return { autograd: tf.grad(f)(x), numerical: numericalGradient(f, x) };
}
