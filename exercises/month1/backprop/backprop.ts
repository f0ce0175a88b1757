// month1/backprop: backpropagation by hand. Read README.md first.
// Check your work with:  mlpath check month1/backprop
//
// Plain TypeScript on plain numbers: no TensorFlow.js here (tf.grad and the
// other gradient functions are off limits). Everything below runs, but
// backward() does nothing yet, so every gradient is still 0.

/** One number in a computation, and the gradient of the final output with respect to it. */
export class Value {
  data: number;
  /** d(output)/d(this), filled in by backward(). Starts at 0. */
  grad = 0;
  /** The Values this one was computed from (the same Value twice for x.mul(x)). */
  children: Value[];
  /** What made it ('+', '*', 'tanh', ...): for your own debugging. */
  op: string;
  /**
   * This node's local chain rule: given this.grad, ADD this node's share into
   * each child's grad. Each op sets it on the Value it returns; a leaf keeps
   * this no-op. The grader makes nodes of its own with
   * `new Value(data, [child], op)` and sets their backwardFn: backward() must
   * call it like any other.
   */
  backwardFn: () => void = () => {};

  constructor(data: number, children: Value[] = [], op = '') {
    this.data = data;
    this.children = children;
    this.op = op;
  }

  /** Worked example: out = this + other, so d(out)/d(this) = 1 and d(out)/d(other) = 1. */
  add(other: Value | number): Value {
    const o = other instanceof Value ? other : new Value(other);
    const out = new Value(this.data + o.data, [this, o], '+');
    out.backwardFn = () => {
      // += and never =: a Value used twice (x.add(x), or by two ops) collects both shares.
      this.grad += out.grad;
      o.grad += out.grad;
    };
    return out;
  }

  mul(other: Value | number): Value {
    const o = other instanceof Value ? other : new Value(other);
    const out = new Value(this.data * o.data, [this, o], '*');
    // TODO: out.backwardFn = () => { ... }  d(a*b)/da = b, d(a*b)/db = a
    return out;
  }

  /** this ** k for a plain number k (k = -1 is 1 / this, k = 0.5 the square root). */
  pow(k: number): Value {
    const out = new Value(this.data ** k, [this], `**${k}`);
    // TODO: d(a^k)/da = k * a^(k - 1)
    return out;
  }

  exp(): Value {
    const out = new Value(Math.exp(this.data), [this], 'exp');
    // TODO: d(e^a)/da = e^a
    return out;
  }

  log(): Value {
    const out = new Value(Math.log(this.data), [this], 'log');
    // TODO: d(ln a)/da = 1 / a
    return out;
  }

  tanh(): Value {
    const out = new Value(Math.tanh(this.data), [this], 'tanh');
    // TODO: d(tanh a)/da = 1 - tanh(a)^2
    return out;
  }

  relu(): Value {
    const out = new Value(this.data > 0 ? this.data : 0, [this], 'relu');
    // TODO: 1 where a > 0, else 0
    return out;
  }

  /**
   * Fill in .grad for every Value this one depends on: d(this)/d(that).
   * TODO:
   * 1. List every node reachable through `children` in topological order
   *    (each node after all of its children), visiting each node once.
   * 2. Set this.grad = 1 (d(this)/d(this)).
   * 3. Walk that list backwards, calling each node's backwardFn once.
   */
  backward(): void {
    this.grad = 1;
  }
}

/** The parameters of a two-layer network, each one a Value. */
export interface Params {
  w1: Value[][]; // [hidden][inputs]
  b1: Value[]; // [hidden]
  w2: Value[][]; // [classes][hidden]
  b2: Value[]; // [classes]
}

/**
 * The network's logits for one input x (plain numbers):
 * h[j] = tanh(b1[j] + sum_i w1[j][i] * x[i]); logits[k] = b2[k] + sum_j w2[k][j] * h[j].
 */
export function mlpForward(params: Params, x: number[]): Value[] {
  // TODO: build the logits from params with add, mul and tanh.
  void x;
  return params.b2;
}

/** -log(softmax(logits)[label]) = log(sum_k exp(logits[k])) - logits[label], as a Value. */
export function crossEntropy(logits: Value[], label: number): Value {
  // TODO: with exp, add, log and mul(-1).
  void label;
  return new Value(0, logits, 'TODO');
}

/** The mean of crossEntropy(mlpForward(params, xs[i]), ys[i]) over the batch, as a Value. */
export function batchLoss(params: Params, xs: number[][], ys: number[]): Value {
  // TODO: one crossEntropy per row, summed, times 1 / xs.length.
  void params;
  void ys;
  return new Value(0);
}

/**
 * One step of gradient descent on the batch: set every parameter's grad to 0,
 * compute batchLoss, call backward() on it, then p.data -= lr * p.grad for
 * every parameter. Returns the loss before the update (loss.data).
 */
export function trainStep(params: Params, xs: number[][], ys: number[], lr: number): number {
  // TODO
  void lr;
  return batchLoss(params, xs, ys).data;
}
