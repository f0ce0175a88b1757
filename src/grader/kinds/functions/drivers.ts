/**
 * Drivers of the `functions` kind, child side: harness code that uses the
 * learner's exports rather than calling one of them with JSON arguments.
 * month1/backprop's learner exports a `Value` class; these drivers build
 * graphs with it (its ops, plus nodes of the grader's own whose forward
 * function exists nowhere in the graph), call `backward()` and read back
 * plain numbers: data, gradients, and how often and when backward() called
 * the grader's own nodes' `backwardFn`. The grader compares them with its
 * own references (grader/suites/backprop.ts); nothing here judges.
 */

import { append, hasOwn, mapList, own } from '../../child/own';

type Exports = Record<string, unknown>;
export type Driver = (exports: Exports, args: unknown[]) => unknown;

/** The learner's node, as the contract names its fields. */
interface ValueLike {
  data: number;
  grad: number;
  children: unknown;
  backwardFn: () => void;
  add(other: ValueLike | number): ValueLike;
  mul(other: ValueLike | number): ValueLike;
  pow(k: number): ValueLike;
  exp(): ValueLike;
  log(): ValueLike;
  tanh(): ValueLike;
  relu(): ValueLike;
  backward(): void;
}
type ValueClass = new (data: number, children?: ValueLike[], op?: string) => ValueLike;

/** One node of a graph spec: operands index the leaves, then the nodes before it. */
export type GraphNode =
  | { op: 'add' | 'mul'; a: number; b: number }
  | { op: 'add' | 'mul'; a: number; c: number }
  | { op: 'pow'; a: number; k: number }
  | { op: 'exp' | 'log' | 'tanh' | 'relu'; a: number }
  /** amp * sin(freq * a): a node of the grader's own, made with `new Value(data, [a], op)` and its own backwardFn. */
  | { op: 'custom'; a: number; amp: number; freq: number };

export interface GraphSpec {
  leaves: number[];
  nodes: GraphNode[];
}

export interface GraphResult {
  data: number;
  grads: number[];
  values: number[];
  /** Per custom node, in order: how often backward() called its backwardFn, and its grad at the first call. */
  custom: { calls: number; gradAtCall: number | null }[];
}

export interface MlpParams<T> {
  w1: T[][];
  b1: T[];
  w2: T[][];
  b2: T[];
}

function valueClass(exports: Exports): ValueClass {
  const V = exports.Value;
  if (typeof V !== 'function') throw new Error('Value is not exported as a class (add `export class Value { ... }`)');
  return V as ValueClass;
}

function fn<T extends (...a: never[]) => unknown>(exports: Exports, name: string): T {
  const f = exports[name];
  if (typeof f !== 'function') throw new Error(`${name} is not exported as a function`);
  return f as T;
}

/** A learner Value, checked: an op that returns anything else is named. */
function node(v: unknown, what: string): ValueLike {
  if (!v || typeof v !== 'object' || typeof (v as { data?: unknown }).data !== 'number') {
    const shown = v === null || v === undefined ? String(v) : typeof v;
    throw new Error(`${what} returned ${shown}, not a Value with a numeric data field`);
  }
  return v as ValueLike;
}

function method(v: ValueLike, name: keyof ValueLike): (...a: unknown[]) => unknown {
  const m = (v as unknown as Record<string, unknown>)[name];
  if (typeof m !== 'function') throw new Error(`Value has no method ${name}()`);
  return (m as (...a: unknown[]) => unknown).bind(v);
}

function leaf(V: ValueClass, x: number): ValueLike {
  return node(new V(x), `new Value(${x})`);
}

function gradOf(v: ValueLike): number {
  return Number(v.grad);
}

function build(V: ValueClass, spec: GraphSpec): { all: ValueLike[]; custom: GraphResult['custom'] } {
  // Learner code runs between these lines (every op is a learner method) and may swap an array method
  // for one that puts the original back before the integrity check: grader arrays are built and read
  // with own.ts alone, and a spec node's fields are read as own properties.
  const all: ValueLike[] = mapList(spec.leaves, (x) => leaf(V, x));
  const custom: GraphResult['custom'] = [];
  for (const n of spec.nodes) {
    const a = all[n.a];
    let out: ValueLike;
    if (n.op === 'custom') {
      const record = { calls: 0, gradAtCall: null as number | null };
      append(custom, record);
      out = node(new V(n.amp * Math.sin(n.freq * a.data), [a], 'grader'), 'new Value(data, [child], op)');
      const self = out;
      self.backwardFn = () => {
        record.calls++;
        if (record.calls === 1) record.gradAtCall = gradOf(self);
        a.grad = gradOf(a) + n.amp * n.freq * Math.cos(n.freq * a.data) * gradOf(self);
      };
    } else if (n.op === 'add' || n.op === 'mul') {
      const other = hasOwn(n, 'b') ? all[own(n, 'b') as number] : (own(n, 'c') as number);
      out = node(method(a, n.op)(other), `${n.op}()`);
    } else if (n.op === 'pow') {
      out = node(method(a, 'pow')(n.k), `pow(${n.k})`);
    } else {
      out = node(method(a, n.op)(), `${n.op}()`);
    }
    append(all, out);
  }
  return { all, custom };
}

/** Builds `spec` with the learner's Value, calls backward() on the last node, reads everything back. */
function valueGraph(exports: Exports, args: unknown[]): GraphResult {
  const V = valueClass(exports);
  const spec = args[0] as GraphSpec;
  const { all, custom } = build(V, spec);
  const out = all[all.length - 1];
  method(out, 'backward')();
  return {
    data: out.data,
    grads: mapList(all, gradOf, 0, spec.leaves.length),
    values: mapList(all, (v) => v.data),
    custom,
  };
}

function paramValues(V: ValueClass, p: MlpParams<number>): MlpParams<ValueLike> {
  const row = (r: number[]) => mapList(r, (x) => leaf(V, x));
  return { w1: mapList(p.w1, row), b1: row(p.b1), w2: mapList(p.w2, row), b2: row(p.b2) };
}

function paramNumbers(p: MlpParams<ValueLike>, read: (v: ValueLike) => number): MlpParams<number> {
  const row = (r: ValueLike[]) => mapList(r, read);
  return { w1: mapList(p.w1, row), b1: row(p.b1), w2: mapList(p.w2, row), b2: row(p.b2) };
}

function valueArray(v: unknown, length: number, what: string): ValueLike[] {
  if (!Array.isArray(v)) throw new Error(`${what} returned ${typeof v}, not an array of ${length} Values`);
  if (v.length !== length) throw new Error(`${what} returned ${v.length} Values, expected ${length}`);
  return mapList(v as unknown[], (x, i) => node(x, `${what}[${i}]`));
}

/**
 * mlpForward(params, x) on Value parameters; the driver reads out r . logits
 * with the learner's own add and mul and calls backward() on it.
 */
function valueMlpForward(exports: Exports, args: unknown[]): unknown {
  const V = valueClass(exports);
  const [params, x, readout] = args as [MlpParams<number>, number[], number[]];
  const P = paramValues(V, params);
  const logits = valueArray(
    fn<(p: unknown, x: number[]) => unknown>(exports, 'mlpForward')(P, x),
    readout.length,
    'mlpForward',
  );
  let out = node(method(logits[0], 'mul')(readout[0]), 'mul()');
  for (let k = 1; k < logits.length; k++)
    out = node(method(out, 'add')(node(method(logits[k], 'mul')(readout[k]), 'mul()')), 'add()');
  method(out, 'backward')();
  return { logits: mapList(logits, (v) => v.data), grads: paramNumbers(P, gradOf) };
}

/** crossEntropy(logits, label) on leaf Values the driver makes. */
function valueCrossEntropy(exports: Exports, args: unknown[]): unknown {
  const V = valueClass(exports);
  const [logits, label] = args as [number[], number];
  const leaves = mapList(logits, (z) => leaf(V, z));
  const loss = node(fn<(l: unknown, y: number) => unknown>(exports, 'crossEntropy')(leaves, label), 'crossEntropy');
  method(loss, 'backward')();
  return { loss: loss.data, grads: mapList(leaves, gradOf) };
}

/** batchLoss(params, xs, ys) on Value parameters, then backward(). */
function valueBatchLoss(exports: Exports, args: unknown[]): unknown {
  const V = valueClass(exports);
  const [params, xs, ys] = args as [MlpParams<number>, number[][], number[]];
  const P = paramValues(V, params);
  const loss = node(
    fn<(p: unknown, x: number[][], y: number[]) => unknown>(exports, 'batchLoss')(P, xs, ys),
    'batchLoss',
  );
  method(loss, 'backward')();
  return { loss: loss.data, grads: paramNumbers(P, gradOf) };
}

/** trainStep(params, xs, ys, lr) `steps` times on the same Value parameters. */
function valueTrain(exports: Exports, args: unknown[]): unknown {
  const V = valueClass(exports);
  const [params, xs, ys, lr, steps] = args as [MlpParams<number>, number[][], number[], number, number];
  const P = paramValues(V, params);
  const step = fn<(p: unknown, x: number[][], y: number[], lr: number) => unknown>(exports, 'trainStep');
  const losses: unknown[] = [];
  for (let s = 0; s < steps; s++) append(losses, step(P, xs, ys, lr));
  return { losses, params: paramNumbers(P, (v) => Number(v.data)) };
}

const DRIVERS: Record<string, Driver> = {
  'value-graph': valueGraph,
  'value-mlp-forward': valueMlpForward,
  'value-cross-entropy': valueCrossEntropy,
  'value-batch-loss': valueBatchLoss,
  'value-train': valueTrain,
};

export function driverFor(name: string): Driver {
  const d = typeof name === 'string' ? (own(DRIVERS, name) as Driver | undefined) : undefined;
  if (!d) throw new Error(`unknown driver '${name.slice(0, 40)}': this harness has ${Object.keys(DRIVERS).join(', ')}`);
  return d;
}
