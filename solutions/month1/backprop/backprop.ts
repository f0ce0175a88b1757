// month1/backprop: reference solution. A reverse-mode autograd on plain
// numbers (micrograd-style), and a two-layer network trained with it.

export class Value {
  data: number;
  grad = 0;
  children: Value[];
  op: string;
  /** Adds this node's share of the gradient into its children's grad, given this.grad. */
  backwardFn: () => void = () => {};

  constructor(data: number, children: Value[] = [], op = '') {
    this.data = data;
    this.children = children;
    this.op = op;
  }

  add(other: Value | number): Value {
    const o = other instanceof Value ? other : new Value(other);
    const out = new Value(this.data + o.data, [this, o], '+');
    out.backwardFn = () => {
      this.grad += out.grad;
      o.grad += out.grad;
    };
    return out;
  }

  mul(other: Value | number): Value {
    const o = other instanceof Value ? other : new Value(other);
    const out = new Value(this.data * o.data, [this, o], '*');
    out.backwardFn = () => {
      this.grad += o.data * out.grad;
      o.grad += this.data * out.grad;
    };
    return out;
  }

  pow(k: number): Value {
    const out = new Value(this.data ** k, [this], `**${k}`);
    out.backwardFn = () => {
      this.grad += k * this.data ** (k - 1) * out.grad;
    };
    return out;
  }

  exp(): Value {
    const out = new Value(Math.exp(this.data), [this], 'exp');
    out.backwardFn = () => {
      this.grad += out.data * out.grad;
    };
    return out;
  }

  log(): Value {
    const out = new Value(Math.log(this.data), [this], 'log');
    out.backwardFn = () => {
      this.grad += out.grad / this.data;
    };
    return out;
  }

  tanh(): Value {
    const t = Math.tanh(this.data);
    const out = new Value(t, [this], 'tanh');
    out.backwardFn = () => {
      this.grad += (1 - t * t) * out.grad;
    };
    return out;
  }

  relu(): Value {
    const out = new Value(this.data > 0 ? this.data : 0, [this], 'relu');
    out.backwardFn = () => {
      this.grad += (this.data > 0 ? 1 : 0) * out.grad;
    };
    return out;
  }

  backward(): void {
    const order: Value[] = [];
    const seen = new Set<Value>();
    // Iterative depth-first post-order: deep graphs would overflow a recursive one.
    const stack: [Value, boolean][] = [[this, false]];
    while (stack.length > 0) {
      const [v, expanded] = stack.pop()!;
      if (expanded) {
        order.push(v);
        continue;
      }
      if (seen.has(v)) continue;
      seen.add(v);
      stack.push([v, true]);
      for (const c of v.children) if (!seen.has(c)) stack.push([c, false]);
    }
    this.grad = 1;
    for (let i = order.length - 1; i >= 0; i--) order[i].backwardFn();
  }
}

export interface Params {
  w1: Value[][]; // [hidden][inputs]
  b1: Value[]; // [hidden]
  w2: Value[][]; // [classes][hidden]
  b2: Value[]; // [classes]
}

function sum(values: Value[], start: Value | number = 0): Value {
  let total = start instanceof Value ? start : new Value(start);
  for (const v of values) total = total.add(v);
  return total;
}

/** h = tanh(w1 x + b1), logits = w2 h + b2. */
export function mlpForward(params: Params, x: number[]): Value[] {
  const h = params.w1.map((row, j) =>
    sum(
      row.map((w, i) => w.mul(x[i])),
      params.b1[j],
    ).tanh(),
  );
  return params.w2.map((row, k) =>
    sum(
      row.map((w, j) => w.mul(h[j])),
      params.b2[k],
    ),
  );
}

/** -log softmax(logits)[label] = log(sum_k exp(z_k)) - z_label, shifted by the largest logit. */
export function crossEntropy(logits: Value[], label: number): Value {
  const max = Math.max(...logits.map((z) => z.data));
  const shifted = logits.map((z) => z.add(-max));
  return sum(shifted.map((z) => z.exp()))
    .log()
    .add(shifted[label].mul(-1));
}

export function batchLoss(params: Params, xs: number[][], ys: number[]): Value {
  const losses = xs.map((x, i) => crossEntropy(mlpForward(params, x), ys[i]));
  return sum(losses).mul(1 / xs.length);
}

function allParams(params: Params): Value[] {
  return [...params.w1.flat(), ...params.b1, ...params.w2.flat(), ...params.b2];
}

/** One step of gradient descent; returns the loss before the update. */
export function trainStep(params: Params, xs: number[][], ys: number[], lr: number): number {
  const ps = allParams(params);
  for (const p of ps) p.grad = 0;
  const loss = batchLoss(params, xs, ys);
  loss.backward();
  for (const p of ps) p.data -= lr * p.grad;
  return loss.data;
}
