// month1/tensors: tensors, broadcasting, softmax, cross-entropy and autograd.
// Read README.md first. Check your work with:  mlpath check month1/tensors
//
// Each function below exists but returns a placeholder, so the check runs and
// tells you, case by case, what is still wrong. Replace the placeholders one
// at a time. tf.softmax and tf.logSoftmax are off limits here: you write them.
import * as tf from '@tensorflow/tfjs';

/** 1. The dot product of two vectors of the same length: sum of u[i] * v[i]. */
export function dot(u: tf.Tensor1D, v: tf.Tensor1D): number {
  // TODO: multiply elementwise, then sum (tf.mul, tf.sum); .dataSync()[0] reads a scalar.
  void u;
  void v;
  return 0;
}

/** 2. Matrix product of a [m, k] and b [k, n]: entry (i, j) is dot(row i of a, column j of b). */
export function matmul(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  // TODO: one call does all m * n dot products at once.
  return tf.zeros([a.shape[0], b.shape[1]]);
}

/** 3. Add a bias vector b [d] to every row of x [n, d] (broadcasting). */
export function addBias(x: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  // TODO: no loop needed: tf.add lines up the last axis and repeats b over the rows.
  void b;
  return x;
}

/**
 * 4. Standardise every column of x [n, d]: subtract the column mean and divide
 * by the column's population standard deviation (divide by n, not n - 1).
 */
export function standardize(x: tf.Tensor2D): tf.Tensor2D {
  // TODO: tf.moments(x, 0) gives the column means and variances, each of shape [d].
  return x;
}

/** 5. Softmax of each row of logits [n, k]: exp, then divide by the row sum. Must not overflow. */
export function softmax(logits: tf.Tensor2D): tf.Tensor2D {
  // TODO: subtract each row's max first (keepDims: true keeps it [n, 1] so it broadcasts).
  return logits;
}

/**
 * 6. Mean cross-entropy of predicted probabilities probs [n, k] against the
 * true classes labels [n] (int32): the average of -log(probs[i, labels[i]]).
 */
export function crossEntropy(probs: tf.Tensor2D, labels: tf.Tensor1D): number {
  // TODO: tf.oneHot(labels, k) picks out the probability of the true class in each row.
  void probs;
  void labels;
  return 0;
}

/**
 * 7. d/dx of x^2 at x, computed by autograd (tf.grad), not by hand: the check
 * accepts only a value autograd computed during the call, so 2 * x fails.
 */
export function gradOfSquare(x: number): number {
  // TODO: tf.grad(f) returns a function that computes f's gradient at a tensor.
  void x;
  return 0;
}

/**
 * 8. The gradient, with respect to w [d], of the mean squared error
 * mean((x w - y)^2) for x [n, d] and y [n], by autograd. In
 * month1/linear-regression you will derive this by hand.
 */
export function gradOfMse(w: tf.Tensor1D, x: tf.Tensor2D, y: tf.Tensor1D): tf.Tensor1D {
  // TODO: write the loss as a function of w only, and hand it to tf.grad.
  void x;
  void y;
  return tf.zerosLike(w);
}

/**
 * 9. The gradient of any scalar function fn at x, by autograd. The check hands
 * it functions it composes itself, whose formula you never see, so no
 * derivation by hand can answer; and fn counts its calls: autograd needs one,
 * while finite differences need one or two per component of x and are refused.
 */
export function gradient(fn: (x: tf.Tensor) => tf.Scalar, x: tf.Tensor1D): tf.Tensor {
  // TODO: tf.grad(fn) returns a function of x that gives fn's gradient there.
  void fn;
  return tf.zerosLike(x);
}

/** The function both gradient checks look at: f(x) = sum(sin(x) * x^2). Given: keep it as it is. */
export function f(x: tf.Tensor): tf.Scalar {
  return tf.sum(tf.mul(tf.sin(x), tf.square(x)));
}

/**
 * 10. The gradient of any scalar function fn at x by central differences:
 * component i is (fn(x + eps e_i) - fn(x - eps e_i)) / (2 eps), where e_i is
 * 1 at position i and 0 elsewhere. No autograd: just evaluations of fn.
 */
export function numericalGradient(fn: (x: tf.Tensor1D) => tf.Scalar, x: tf.Tensor1D, eps = 1e-3): tf.Tensor1D {
  // TODO: loop over the components. Plain arrays are fine here: read x with
  // x.arraySync(), nudge one entry by +eps and by -eps, and evaluate fn on tf.tensor1d(...).
  void fn;
  void eps;
  return tf.zerosLike(x);
}

/** 11. Check autograd against finite differences on f: both should agree to a few decimals. */
export function gradCheck(x: tf.Tensor1D): { autograd: tf.Tensor; numerical: tf.Tensor } {
  // TODO: autograd is tf.grad(f)(x); numerical is numericalGradient(f, x).
  return { autograd: tf.zerosLike(x), numerical: numericalGradient(f, x) };
}
