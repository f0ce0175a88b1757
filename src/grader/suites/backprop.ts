/**
 * Suite of month1/backprop: a reverse-mode autograd on plain numbers. The
 * learner exports a `Value` class; the harness's drivers
 * (kinds/functions/drivers.ts) build graphs with it and read back data and
 * gradients, and the learner's `mlpForward`, `crossEntropy`, `batchLoss` and
 * `trainStep` run a two-layer network on real iris rows.
 *
 * Every expected number is computed here in float64: graph gradients by
 * forward-mode derivatives (an independent method: one pass per input, no
 * reverse sweep), the network's by matrix backpropagation written out, and
 * training by replaying plain gradient descent.
 *
 * What it takes to pass, besides right numbers: some graphs contain a node of
 * the grader's own (`new Value(data, [child], op)` with its own `backwardFn`)
 * whose forward function exists nowhere in the graph. backward() must call
 * that backwardFn exactly once, after every use of the node has added to its
 * grad. Gradients by finite differences re-evaluate the graph and cannot
 * (that node cannot be re-evaluated), nor can a sweep that visits a shared
 * node once per path.
 */
import { createRng, deriveSeed, loadDataset, shuffleInPlace, type Rng } from '../../datasets';
import { gaussian } from '../../datasets/rng';
import type { GraphNode, GraphResult, GraphSpec, MlpParams } from '../kinds/functions/drivers';
import type { Suite, SuiteCase } from './types';

const RTOL = 1e-6;
const ATOL = 1e-8;

function close(got: number, want: number, rtol = RTOL, atol = ATOL): boolean {
  return Number.isFinite(got) && Math.abs(got - want) <= atol + rtol * Math.abs(want);
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(4) : String(Number(x.toFixed(6)));
}

const round = (v: number, digits = 3): number => Number(v.toFixed(digits));

// ---- plain-JS references (float64) -----------------------------------------

interface Dual {
  v: number;
  d: number;
}

function applyDual(n: GraphNode, a: Dual, operand: Dual | undefined): Dual {
  switch (n.op) {
    case 'add':
      return operand ? { v: a.v + operand.v, d: a.d + operand.d } : { v: a.v + (n as { c: number }).c, d: a.d };
    case 'mul':
      return operand
        ? { v: a.v * operand.v, d: a.d * operand.v + a.v * operand.d }
        : { v: a.v * (n as { c: number }).c, d: a.d * (n as { c: number }).c };
    case 'pow':
      return { v: a.v ** n.k, d: n.k * a.v ** (n.k - 1) * a.d };
    case 'exp':
      return { v: Math.exp(a.v), d: Math.exp(a.v) * a.d };
    case 'log':
      return { v: Math.log(a.v), d: a.d / a.v };
    case 'tanh': {
      const t = Math.tanh(a.v);
      return { v: t, d: (1 - t * t) * a.d };
    }
    case 'relu':
      return a.v > 0 ? { v: a.v, d: a.d } : { v: 0, d: 0 };
    case 'custom':
      return { v: n.amp * Math.sin(n.freq * a.v), d: n.amp * n.freq * Math.cos(n.freq * a.v) * a.d };
  }
}

/**
 * Every value of the graph, and the derivative of its last node with respect
 * to value `wrt` (a leaf or a node taken as an input), by forward mode.
 */
export function refForward(spec: GraphSpec, wrt: number): { values: number[]; derivative: number } {
  const all: Dual[] = spec.leaves.map((v, i) => ({ v, d: i === wrt ? 1 : 0 }));
  spec.nodes.forEach((n, j) => {
    const operand = 'b' in n ? all[n.b] : undefined;
    const out = applyDual(n, all[n.a], operand);
    all.push(spec.leaves.length + j === wrt ? { v: out.v, d: 1 } : out);
  });
  return { values: all.map((x) => x.v), derivative: all[all.length - 1].d };
}

export function refGraphGrads(spec: GraphSpec): number[] {
  return spec.leaves.map((_, i) => refForward(spec, i).derivative);
}

type Matrix = number[][];

function mlpLayers(p: MlpParams<number>, x: number[]): { h: number[]; z: number[] } {
  const h = p.w1.map((row, j) => Math.tanh(row.reduce((s, w, i) => s + w * x[i], p.b1[j])));
  const z = p.w2.map((row, k) => row.reduce((s, w, j) => s + w * h[j], p.b2[k]));
  return { h, z };
}

export function refForwardLogits(p: MlpParams<number>, x: number[]): number[] {
  return mlpLayers(p, x).z;
}

function softmax(z: number[]): number[] {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

export function refCrossEntropy(z: number[], y: number): number {
  const m = Math.max(...z);
  return m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0)) - z[y];
}

const zerosLike = (p: MlpParams<number>): MlpParams<number> => ({
  w1: p.w1.map((r) => r.map(() => 0)),
  b1: p.b1.map(() => 0),
  w2: p.w2.map((r) => r.map(() => 0)),
  b2: p.b2.map(() => 0),
});

/** d(sum_k r_k z_k)/d params for one input: backpropagation through the two layers, written out. */
export function refForwardGrads(p: MlpParams<number>, x: number[], readout: number[]): MlpParams<number> {
  const g = zerosLike(p);
  backpropInto(g, p, x, readout, 1);
  return g;
}

/** Adds scale * d(sum_k dz_k z_k)/d params into g. */
function backpropInto(g: MlpParams<number>, p: MlpParams<number>, x: number[], dz: number[], scale: number): void {
  const { h } = mlpLayers(p, x);
  const dh = h.map((_, j) => dz.reduce((s, d, k) => s + d * p.w2[k][j], 0));
  dz.forEach((d, k) => {
    g.b2[k] += scale * d;
    h.forEach((hj, j) => (g.w2[k][j] += scale * d * hj));
  });
  h.forEach((hj, j) => {
    const da = dh[j] * (1 - hj * hj);
    g.b1[j] += scale * da;
    x.forEach((xi, i) => (g.w1[j][i] += scale * da * xi));
  });
}

/** Mean cross-entropy of the batch and its gradient with respect to every parameter. */
export function refBatchLoss(
  p: MlpParams<number>,
  xs: Matrix,
  ys: number[],
): { loss: number; grads: MlpParams<number> } {
  const g = zerosLike(p);
  let loss = 0;
  xs.forEach((x, i) => {
    const z = refForwardLogits(p, x);
    loss += refCrossEntropy(z, ys[i]);
    const dz = softmax(z).map((q, k) => q - (k === ys[i] ? 1 : 0));
    backpropInto(g, p, x, dz, 1 / xs.length);
  });
  return { loss: loss / xs.length, grads: g };
}

/**
 * `steps` of plain gradient descent: the loss before each step, and the
 * parameters after the last. `pileUp`: the gradients are never zeroed, so
 * each step's adds to the last's (the mistake the training case names).
 */
export function refTrain(
  p: MlpParams<number>,
  xs: Matrix,
  ys: number[],
  lr: number,
  steps: number,
  pileUp = false,
): { losses: number[]; params: MlpParams<number> } {
  let cur = p;
  let held = zerosLike(p);
  const losses: number[] = [];
  const plus = (a: MlpParams<number>, b: MlpParams<number>): MlpParams<number> => ({
    w1: a.w1.map((r, j) => r.map((v, i) => v + b.w1[j][i])),
    b1: a.b1.map((v, j) => v + b.b1[j]),
    w2: a.w2.map((r, k) => r.map((v, j) => v + b.w2[k][j])),
    b2: a.b2.map((v, k) => v + b.b2[k]),
  });
  for (let s = 0; s < steps; s++) {
    const { loss, grads: fresh } = refBatchLoss(cur, xs, ys);
    const grads = pileUp ? (held = plus(held, fresh)) : fresh;
    losses.push(loss);
    const step = (w: number[], gw: number[]) => w.map((v, i) => v - lr * gw[i]);
    cur = {
      w1: cur.w1.map((r, j) => step(r, grads.w1[j])),
      b1: step(cur.b1, grads.b1),
      w2: cur.w2.map((r, k) => step(r, grads.w2[k])),
      b2: step(cur.b2, grads.b2),
    };
  }
  return { losses, params: cur };
}

// ---- reading what came back ------------------------------------------------

function isRecord(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function numbers(v: unknown, n: number, what: string): number[] | string {
  if (!Array.isArray(v) || v.length !== n) return `${what}: expected ${n} numbers`;
  return v.map(Number);
}

function paramEntries(p: MlpParams<number>): [string, number][] {
  return [
    ...p.w1.flatMap((r, j) => r.map((v, i): [string, number] => [`w1[${j}][${i}]`, v])),
    ...p.b1.map((v, j): [string, number] => [`b1[${j}]`, v]),
    ...p.w2.flatMap((r, k) => r.map((v, j): [string, number] => [`w2[${k}][${j}]`, v])),
    ...p.b2.map((v, k): [string, number] => [`b2[${k}]`, v]),
  ];
}

/** Compares returned parameters (or their gradients) with `want`; the first that differs is named. */
function compareParams(got: unknown, want: MlpParams<number>, what: string, rtol = RTOL): string | undefined {
  if (!isRecord(got)) return `${what}: nothing came back`;
  const g = got as unknown as MlpParams<number>;
  let flat: [string, number][];
  try {
    flat = paramEntries({
      w1: g.w1.map((r) => r.map(Number)),
      b1: g.b1.map(Number),
      w2: g.w2.map((r) => r.map(Number)),
      b2: g.b2.map(Number),
    });
  } catch {
    return `${what}: not the parameters' shape`;
  }
  const wantFlat = paramEntries(want);
  if (wantFlat.every(([, v]) => v !== 0) && flat.every(([, v]) => v === 0))
    return `${what}: every one is 0 (did backward() run? it starts with the output's grad = 1)`;
  for (let i = 0; i < wantFlat.length; i++) {
    const [name, w] = wantFlat[i];
    const v = flat[i]?.[1];
    if (v === undefined || !close(v, w, rtol)) return `${what}: ${name} is ${fmt(v ?? NaN)}, expected ${fmt(w)}`;
  }
  return undefined;
}

// ---- graph cases -------------------------------------------------------------

const ALL_ZERO =
  'every gradient is 0: backward() must set the output grad to 1 and call backwardFn on every node, from the output back';

function graphVerifier(spec: GraphSpec, hint?: string): (value: unknown) => string | undefined {
  return (value) => {
    if (!isRecord(value)) return 'nothing came back';
    const r = value as unknown as GraphResult;
    const n = spec.leaves.length + spec.nodes.length;
    const { values } = refForward(spec, -1);
    const got = numbers(r.values, n, 'values');
    if (typeof got === 'string') return got;
    for (let i = spec.leaves.length; i < n; i++) {
      if (!close(got[i], values[i])) {
        const op = spec.nodes[i - spec.leaves.length].op;
        return `the forward value of node ${i} (${op === 'custom' ? "the grader's own node" : op}) is ${fmt(got[i])}, expected ${fmt(values[i])}`;
      }
    }
    const want = refGraphGrads(spec);
    const grads = numbers(r.grads, spec.leaves.length, 'grads');
    if (typeof grads === 'string') return grads;
    for (const [j, c] of (r.custom ?? []).entries()) {
      if (c.calls === 0) {
        return (
          "backward() never called backwardFn on a node the grader made with new Value(data, [child], op): call each node's " +
          'backwardFn (its local chain rule) in reverse topological order; re-evaluating the graph (finite differences) ' +
          "cannot work, that node's forward function is not in the graph"
        );
      }
      if (c.calls > 1) {
        return (
          `backward() called one node's backwardFn ${c.calls} times: visit each node once, in reverse topological order ` +
          '(a recursive sweep that follows every path visits a shared node once per path)'
        );
      }
      const index = spec.leaves.length + nthCustom(spec, j);
      const adjoint = refForward(spec, index).derivative;
      if (!close(Number(c.gradAtCall), adjoint)) {
        return (
          `backward() called a node's backwardFn when its grad was ${fmt(Number(c.gradAtCall))}, before every use of it had added its share ` +
          `(${fmt(adjoint)}): order the nodes topologically (each after everything it depends on) and sweep that order backwards`
        );
      }
    }
    if (want.some((w) => w !== 0) && grads.every((g) => g === 0)) return ALL_ZERO;
    for (let i = 0; i < want.length; i++) {
      if (!close(grads[i], want[i])) {
        const half = close(grads[i] * 2, want[i]) || want.some((w, k) => close(grads[k], w / 2) && w !== 0);
        const why = half ? (hint ?? ACCUMULATE) : shared(spec) ? ONCE_EACH : '';
        return `leaf ${i}'s gradient is ${fmt(grads[i])}, expected ${fmt(want[i])}${why ? `: ${why}` : ''}`;
      }
    }
    return undefined;
  };
}

const ACCUMULATE =
  'a value used twice gets the sum of both uses: accumulate with += (never overwrite with =), and run ' +
  "a node's backwardFn only after every node that uses it has run (reverse topological order)";
const ONCE_EACH =
  "a node used more than once must collect every use's share before its own backwardFn runs, and that runs once: " +
  'sweep the nodes once, in reverse topological order';

/** Whether some value feeds more than one operand slot (the graph is not a tree). */
function shared(spec: GraphSpec): boolean {
  const uses = new Map<number, number>();
  for (const n of spec.nodes) for (const i of 'b' in n ? [n.a, n.b] : [n.a]) uses.set(i, (uses.get(i) ?? 0) + 1);
  return [...uses.values()].some((u) => u > 1);
}

function nthCustom(spec: GraphSpec, j: number): number {
  let seen = -1;
  for (let i = 0; i < spec.nodes.length; i++) {
    if (spec.nodes[i].op === 'custom' && ++seen === j) return i;
  }
  return -1;
}

function graphCase(title: string, spec: GraphSpec, hint?: string): SuiteCase {
  return { fn: 'Value', driver: 'value-graph', title, args: [spec], verify: graphVerifier(spec, hint) };
}

/** A number drawn away from 0 and from the kinks, rounded so it crosses JSON exactly. */
function away(rng: Rng, scale = 1, min = 0.3): number {
  const v = gaussian(rng) * scale;
  const s = v < 0 ? -1 : 1;
  return round(s * Math.max(min, Math.abs(v)));
}

function opCases(rng: Rng): SuiteCase[] {
  const a = away(rng);
  const b = away(rng);
  const c = round(away(rng, 2));
  const pos = round(0.5 + rng() * 2);
  const neg = -round(0.5 + rng() * 2);
  return [
    graphCase(`a.add(b) at a = ${a}, b = ${b}`, { leaves: [a, b], nodes: [{ op: 'add', a: 0, b: 1 }] }),
    graphCase(`a.add(${c}), a number operand`, { leaves: [a], nodes: [{ op: 'add', a: 0, c }] }),
    graphCase(`a.mul(b) at a = ${a}, b = ${b}`, { leaves: [a, b], nodes: [{ op: 'mul', a: 0, b: 1 }] }),
    graphCase(`a.mul(${c}), a number operand`, { leaves: [a], nodes: [{ op: 'mul', a: 0, c }] }),
    graphCase(`a.pow(3) at a = ${a}`, { leaves: [a], nodes: [{ op: 'pow', a: 0, k: 3 }] }),
    graphCase(`a.pow(-1) at a = ${a}`, { leaves: [a], nodes: [{ op: 'pow', a: 0, k: -1 }] }),
    graphCase(`a.pow(0.5) at a = ${pos}`, { leaves: [pos], nodes: [{ op: 'pow', a: 0, k: 0.5 }] }),
    graphCase(`a.exp() at a = ${a}`, { leaves: [a], nodes: [{ op: 'exp', a: 0 }] }),
    graphCase(`a.log() at a = ${pos}`, { leaves: [pos], nodes: [{ op: 'log', a: 0 }] }),
    graphCase(`a.tanh() at a = ${a}`, { leaves: [a], nodes: [{ op: 'tanh', a: 0 }] }),
    graphCase(`a.relu() at a = ${pos}`, { leaves: [pos], nodes: [{ op: 'relu', a: 0 }] }),
    graphCase(`a.relu() at a = ${neg}: no gradient flows through a negative input`, {
      leaves: [neg],
      nodes: [{ op: 'relu', a: 0 }],
    }),
  ];
}

function reuseCases(rng: Rng): SuiteCase[] {
  const x = away(rng);
  const a = away(rng);
  const b = away(rng);
  const c = away(rng);
  const accumulate = ACCUMULATE;
  return [
    graphCase(
      `x.mul(x) at x = ${x}: x used twice by one op`,
      { leaves: [x], nodes: [{ op: 'mul', a: 0, b: 0 }] },
      accumulate,
    ),
    graphCase(
      `x.add(x).mul(x) at x = ${x}`,
      {
        leaves: [x],
        nodes: [
          { op: 'add', a: 0, b: 0 },
          { op: 'mul', a: 1, b: 0 },
        ],
      },
      accumulate,
    ),
    graphCase(
      `s = a.mul(b); s.add(s.mul(c)) at a = ${a}, b = ${b}, c = ${c}: a shared subexpression`,
      {
        leaves: [a, b, c],
        nodes: [
          { op: 'mul', a: 0, b: 1 },
          { op: 'mul', a: 3, b: 2 },
          { op: 'add', a: 3, b: 4 },
        ],
      },
      accumulate,
    ),
  ];
}

function diamondCases(rng: Rng): SuiteCase[] {
  const a = away(rng, 0.8);
  const b = away(rng, 0.8);
  return [
    graphCase(`a diamond: t = a.tanh(); t.exp().mul(t.pow(2)) at a = ${a}`, {
      leaves: [a],
      nodes: [
        { op: 'tanh', a: 0 },
        { op: 'exp', a: 1 },
        { op: 'pow', a: 1, k: 2 },
        { op: 'mul', a: 2, b: 3 },
      ],
    }),
    graphCase(`two diamonds in a row: u = a.mul(b); v = u.tanh().add(u.mul(2)); v.mul(v.exp()) at a = ${a}, b = ${b}`, {
      leaves: [a, b],
      nodes: [
        { op: 'mul', a: 0, b: 1 },
        { op: 'tanh', a: 2 },
        { op: 'mul', a: 2, c: 2 },
        { op: 'add', a: 3, b: 4 },
        { op: 'exp', a: 5 },
        { op: 'mul', a: 5, b: 6 },
      ],
    }),
  ];
}

function customCases(rng: Rng): SuiteCase[] {
  const a = away(rng);
  const b = away(rng);
  const c = away(rng);
  const amp = round(1 + rng(), 2);
  const freq = round(0.5 + rng(), 2);
  return [
    graphCase(`g(a.mul(b)).add(c), g a node of the grader's own (new Value(data, [child], op), its own backwardFn)`, {
      leaves: [a, b, c],
      nodes: [
        { op: 'mul', a: 0, b: 1 },
        { op: 'custom', a: 3, amp, freq },
        { op: 'add', a: 4, b: 2 },
      ],
    }),
    graphCase(`d = g(a.add(b)) used three times: d.mul(d).add(d.mul(a)), g the grader's own node`, {
      leaves: [a, b],
      nodes: [
        { op: 'add', a: 0, b: 1 },
        { op: 'custom', a: 2, amp, freq },
        { op: 'mul', a: 3, b: 3 },
        { op: 'mul', a: 3, b: 0 },
        { op: 'add', a: 4, b: 5 },
      ],
    }),
  ];
}

/**
 * A random graph with shared nodes: each node takes operands among the ones
 * before it, ops chosen so every value stays finite and in range, and the
 * last nodes summed so every node counts. One node is the grader's own.
 */
export function randomGraph(rng: Rng, leafCount: number, nodeCount: number): GraphSpec {
  const spec: GraphSpec = { leaves: Array.from({ length: leafCount }, () => away(rng)), nodes: [] };
  const values = [...spec.leaves];
  const used = values.map(() => false);
  const customAt = 2 + Math.floor(rng() * (nodeCount - 3));
  const pick = (): number => {
    const n = values.length;
    // Favour recent nodes so the graph is deep, but reach back often enough to share.
    const i = rng() < 0.6 ? n - 1 - Math.floor(rng() * Math.min(3, n)) : Math.floor(rng() * n);
    return i;
  };
  while (spec.nodes.length < nodeCount) {
    const a = pick();
    const va = values[a];
    let n: GraphNode;
    const r = rng();
    if (spec.nodes.length === customAt)
      n = { op: 'custom', a, amp: round(0.5 + rng(), 2), freq: round(0.5 + rng(), 2) };
    else if (r < 0.25) n = { op: 'add', a, b: pick() };
    else if (r < 0.5) n = { op: 'mul', a, b: pick() };
    else if (r < 0.6) n = { op: 'mul', a, c: round(gaussian(rng), 2) || 0.5 };
    else if (r < 0.7) n = { op: 'tanh', a };
    else if (r < 0.78) n = { op: 'pow', a, k: 2 };
    else if (r < 0.84 && Math.abs(va) < 3) n = { op: 'exp', a };
    else if (r < 0.9 && va > 0.2) n = { op: 'log', a };
    else if (r < 0.96 && Math.abs(va) > 0.05) n = { op: 'relu', a };
    else n = { op: 'add', a, c: round(gaussian(rng), 2) };
    const out = applyDual(n, { v: va, d: 0 }, 'b' in n ? { v: values[n.b], d: 0 } : undefined).v;
    if (!Number.isFinite(out) || Math.abs(out) > 50) continue;
    spec.nodes.push(n);
    used[a] = true;
    if ('b' in n) used[n.b] = true;
    values.push(out);
    used.push(false);
  }
  // Sum everything nobody used, so that every node reaches the output.
  let total = values.length - 1;
  for (let i = 0; i < values.length - 1; i++) {
    if (used[i]) continue;
    spec.nodes.push({ op: 'add', a: total, b: i });
    total = spec.leaves.length + spec.nodes.length - 1;
  }
  return spec;
}

function randomGraphCases(rng: Rng): SuiteCase[] {
  return [
    [3, 12],
    [4, 18],
    [2, 25],
  ].map(([leaves, nodes]) => {
    const spec = randomGraph(rng, leaves, nodes);
    return graphCase(
      `a random graph of ${spec.leaves.length} inputs and ${spec.nodes.length} ops with shared nodes and one node of the grader's own`,
      spec,
    );
  });
}

// ---- the network ---------------------------------------------------------------

export interface IrisRows {
  xs: Matrix;
  ys: number[];
}

/** Iris, each column standardised over the 150 flowers and rounded to 3 decimals. */
export async function loadIrisRows(): Promise<IrisRows> {
  const iris = await loadDataset('iris');
  const d = iris.featureShape[0];
  const rows = Array.from({ length: iris.n }, (_, i) => Array.from(iris.features.subarray(i * d, (i + 1) * d)));
  const mean = Array.from({ length: d }, (_, j) => rows.reduce((s, r) => s + r[j], 0) / iris.n);
  const sd = mean.map((m, j) => Math.sqrt(rows.reduce((s, r) => s + (r[j] - m) ** 2, 0) / iris.n));
  return { xs: rows.map((r) => r.map((v, j) => round((v - mean[j]) / sd[j]))), ys: Array.from(iris.labels) };
}

function initParams(rng: Rng, d: number, h: number, k: number): MlpParams<number> {
  const m = (rows: number, cols: number, scale: number) =>
    Array.from({ length: rows }, () => Array.from({ length: cols }, () => round(gaussian(rng) * scale)));
  return {
    w1: m(h, d, 0.6),
    b1: Array.from({ length: h }, () => round(gaussian(rng) * 0.1)),
    w2: m(k, h, 0.6),
    b2: Array.from({ length: k }, () => round(gaussian(rng) * 0.1)),
  };
}

function sample(rng: Rng, data: IrisRows, n: number): IrisRows {
  const idx = Array.from({ length: data.xs.length }, (_, i) => i);
  shuffleInPlace(idx, rng);
  const pick = idx.slice(0, n);
  return { xs: pick.map((i) => data.xs[i]), ys: pick.map((i) => data.ys[i]) };
}

const shapeOf = (p: MlpParams<number>): string => `${p.w1[0].length}-${p.w1.length}-${p.w2.length}`;

function networkCases(rng: Rng, data: IrisRows): SuiteCase[] {
  const cases: SuiteCase[] = [];
  for (const hidden of [5, 8]) {
    const p = initParams(rng, 4, hidden, 3);
    const [x] = sample(rng, data, 1).xs;
    const readout = [round(gaussian(rng)), round(gaussian(rng)), round(gaussian(rng))];
    cases.push({
      fn: 'mlpForward',
      driver: 'value-mlp-forward',
      title: `a ${shapeOf(p)} network on one iris flower: logits, and the gradient of r . logits for every parameter`,
      args: [p, x, readout],
      verify: (value) => {
        if (!isRecord(value)) return 'nothing came back';
        const want = refForwardLogits(p, x);
        const logits = numbers(value.logits, 3, 'logits');
        if (typeof logits === 'string') return logits;
        const bad = logits.findIndex((z, k) => !close(z, want[k]));
        if (bad >= 0)
          return `logit ${bad} is ${fmt(logits[bad])}, expected ${fmt(want[bad])} (h = tanh(w1 x + b1), logits = w2 h + b2)`;
        return compareParams(value.grads, refForwardGrads(p, x, readout), 'gradient');
      },
    });
  }
  const logitSets: [number[], number][] = [
    [[round(gaussian(rng)), round(gaussian(rng)), round(gaussian(rng))], Math.floor(rng() * 3)],
    [[12.5, -3, 9], 2],
  ];
  for (const [z, y] of logitSets) {
    cases.push({
      fn: 'crossEntropy',
      driver: 'value-cross-entropy',
      title: `crossEntropy of logits [${z.join(', ')}] for class ${y}`,
      args: [z, y],
      verify: (value) => {
        if (!isRecord(value)) return 'nothing came back';
        const want = refCrossEntropy(z, y);
        const got = Number(value.loss);
        if (!close(got, want))
          return `loss is ${fmt(got)}, expected ${fmt(want)}: log(sum_k exp(z_k)) - z_y, the -log of the softmax probability of class y`;
        const grads = numbers(value.grads, 3, 'logit gradients');
        if (typeof grads === 'string') return grads;
        const g = softmax(z).map((q, k) => q - (k === y ? 1 : 0));
        const bad = grads.findIndex((v, k) => !close(v, g[k]));
        return bad >= 0
          ? `the gradient of logit ${bad} is ${fmt(grads[bad])}, expected ${fmt(g[bad])} (softmax(z) minus the one-hot label)`
          : undefined;
      },
    });
  }
  for (const [hidden, n] of [
    [6, 8],
    [8, 16],
  ]) {
    const p = initParams(rng, 4, hidden, 3);
    const batch = sample(rng, data, n);
    cases.push({
      fn: 'batchLoss',
      driver: 'value-batch-loss',
      title: `the mean cross-entropy of a ${shapeOf(p)} network over ${n} iris flowers, and every parameter's gradient`,
      args: [p, batch.xs, batch.ys],
      verify: (value) => {
        if (!isRecord(value)) return 'nothing came back';
        const want = refBatchLoss(p, batch.xs, batch.ys);
        const got = Number(value.loss);
        if (!close(got, want.loss)) {
          const sum = close(got, want.loss * n) ? ': that is the sum; the loss is the mean over the batch' : '';
          return `loss is ${fmt(got)}, expected ${fmt(want.loss)}${sum}`;
        }
        return compareParams(value.grads, want.grads, 'gradient');
      },
    });
  }
  const p = initParams(rng, 4, 8, 3);
  const batch = sample(rng, data, 30);
  const lr = 0.5;
  const steps = 15;
  cases.push({
    fn: 'trainStep',
    driver: 'value-train',
    title: `${steps} calls of trainStep(params, xs, ys, ${lr}) on a ${shapeOf(p)} network and 30 iris flowers`,
    args: [p, batch.xs, batch.ys, lr, steps],
    verify: (value) => {
      if (!isRecord(value)) return 'nothing came back';
      const want = refTrain(p, batch.xs, batch.ys, lr, steps);
      const losses = numbers(value.losses, steps, 'losses (trainStep returns the loss before its update)');
      if (typeof losses === 'string') return losses;
      for (let s = 0; s < steps; s++) {
        if (close(losses[s], want.losses[s], 1e-5)) continue;
        if (s === 0) return `the first step's loss is ${fmt(losses[0])}, expected ${fmt(want.losses[0])}`;
        const piled = refTrain(p, batch.xs, batch.ys, lr, steps, true).losses;
        const why = losses.every((l, t) => close(l, piled[t], 1e-5))
          ? "these are the losses of gradients piling up across steps: set every parameter's grad to 0 before backward()"
          : 'each step is: zero the grads, loss = batchLoss, loss.backward(), p.data -= lr * p.grad for every parameter';
        return `step ${s + 1}'s loss is ${fmt(losses[s])}, expected ${fmt(want.losses[s])}: ${why}`;
      }
      if (!(losses[steps - 1] < losses[0]))
        return `the loss did not fall: ${fmt(losses[0])} to ${fmt(losses[steps - 1])}`;
      return compareParams(value.params, want.params, 'after training, parameter', 1e-5);
    },
  });
  return cases;
}

export function makeSuite(data: IrisRows): Suite {
  return {
    id: 'backprop',
    exports: ['Value', 'mlpForward', 'crossEntropy', 'batchLoss', 'trainStep'],
    cases(seed: number): SuiteCase[] {
      const rng = createRng(deriveSeed(seed, 'suite:backprop'));
      return [
        ...opCases(rng),
        ...reuseCases(rng),
        ...diamondCases(rng),
        ...customCases(rng),
        ...randomGraphCases(rng),
        ...networkCases(rng, data),
      ];
    },
  };
}

export async function loadSuite(): Promise<Suite> {
  return makeSuite(await loadIrisRows());
}
