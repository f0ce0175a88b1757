/**
 * Suite of month1/tensors: matmul, broadcasting, a stable softmax,
 * cross-entropy, autograd and a finite-difference gradient check, the last
 * also on functions autograd cannot stand in for. Autograd is also asked of
 * functions the grader builds per seed, whose closed form is in no learner's
 * code, and the calls they take are counted, so neither a derivation by hand
 * nor finite differences can stand in for it. Inputs are
 * seeded, rounded to a few decimals (exact enough in float32), and every
 * expected value is computed here in float64 plain JavaScript.
 */
import { createRng, deriveSeed, gaussian, type Rng } from '../../datasets/rng';
import type { CompositeSpec } from '../kinds/functions/child';
import type { Suite, SuiteCase } from './types';

type Matrix = number[][];

/** A tensor argument as the child revives it. */
interface TensorArg {
  tensor: number[] | number[][];
  shape: number[];
  dtype: 'float32' | 'int32';
}

interface Read {
  shape: number[];
  values: number[];
}

const RTOL = 1e-3;
const ATOL = 1e-4;

export function close(got: number, want: number, rtol = RTOL, atol = ATOL): boolean {
  return Number.isFinite(got) && Math.abs(got - want) <= atol + rtol * Math.abs(want);
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(4) : String(Number(x.toFixed(5)));
}

function shapeOfNested(value: unknown): number[] | undefined {
  if (typeof value === 'number') return [];
  if (!Array.isArray(value)) return undefined;
  if (value.length === 0) return [0];
  const inner = shapeOfNested(value[0]);
  if (!inner) return undefined;
  for (const v of value) {
    const s = shapeOfNested(v);
    if (!s || s.join() !== inner.join()) return undefined;
  }
  return [value.length, ...inner];
}

function flatten(value: unknown): number[] {
  return Array.isArray(value) ? value.flatMap(flatten) : [Number(value)];
}

/** A returned tensor, nested array or number as shape + flat values; a string says what was wrong. */
export function readValue(value: unknown): Read | string {
  if (value && typeof value === 'object' && !Array.isArray(value) && 'tensor' in value) {
    const t = value as { tensor: unknown; shape?: number[] };
    const shape = Array.isArray(t.shape) ? t.shape : shapeOfNested(t.tensor);
    if (!shape) return 'returned a tensor whose values could not be read';
    return { shape, values: flatten(t.tensor) };
  }
  if (value === undefined || value === null)
    return `returned ${String(value)}: return a value (did you forget \`return\`?)`;
  const shape = shapeOfNested(value);
  if (!shape) return `returned ${describe(value)}; expected a number or a tensor`;
  return { shape, values: flatten(value) };
}

function describe(value: unknown): string {
  if (typeof value === 'object') return Array.isArray(value) ? 'a ragged array' : 'an object';
  return `${typeof value} ${JSON.stringify(value)}`.slice(0, 60);
}

/** A single number: a JS number or a scalar (or one-element) tensor. */
export function readNumber(value: unknown): number | string {
  const read = readValue(value);
  if (typeof read === 'string') return read;
  if (read.values.length !== 1) return `returned shape [${read.shape.join(', ')}]; expected a single number (a scalar)`;
  return read.values[0];
}

function indexOf(flat: number, shape: number[]): string {
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(flat % shape[d]);
    flat = Math.floor(flat / shape[d]);
  }
  return `[${idx.join(', ')}]`;
}

/** Compares a returned tensor with the expected values; undefined when they match. */
export function compareTensor(
  value: unknown,
  want: number[],
  shape: number[],
  rtol = RTOL,
  atol = ATOL,
): string | undefined {
  const read = readValue(value);
  if (typeof read === 'string') return read;
  if (read.shape.join() !== shape.join()) return `expected shape [${shape.join(', ')}], got [${read.shape.join(', ')}]`;
  for (let i = 0; i < want.length; i++) {
    const got = read.values[i];
    if (!Number.isFinite(got)) return `element ${indexOf(i, shape)} is ${got}`;
    if (!close(got, want[i], rtol, atol))
      return `element ${indexOf(i, shape)} is ${fmt(got)}, expected ${fmt(want[i])}`;
  }
  return undefined;
}

function compareNumber(value: unknown, want: number): string | undefined {
  const got = readNumber(value);
  if (typeof got === 'string') return got;
  if (!Number.isFinite(got)) return `got ${got}, expected ${fmt(want)}`;
  return close(got, want) ? undefined : `got ${fmt(got)}, expected ${fmt(want)}`;
}

// ---- plain-JS references (float64) -----------------------------------------

export function refDot(u: number[], v: number[]): number {
  return u.reduce((s, x, i) => s + x * v[i], 0);
}

export function refMatmul(a: Matrix, b: Matrix): Matrix {
  return a.map((row) =>
    b[0].map((_, j) =>
      refDot(
        row,
        b.map((r) => r[j]),
      ),
    ),
  );
}

export function refStandardize(x: Matrix, ddof = 0): Matrix {
  const n = x.length;
  const d = x[0].length;
  const mean = Array.from({ length: d }, (_, j) => x.reduce((s, r) => s + r[j], 0) / n);
  const std = mean.map((m, j) => Math.sqrt(x.reduce((s, r) => s + (r[j] - m) ** 2, 0) / (n - ddof)));
  return x.map((r) => r.map((v, j) => (v - mean[j]) / std[j]));
}

export function refSoftmax(logits: Matrix): Matrix {
  return logits.map((row) => {
    const max = Math.max(...row);
    const e = row.map((v) => Math.exp(v - max));
    const sum = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / sum);
  });
}

export function refCrossEntropy(probs: Matrix, labels: number[]): number {
  return -probs.reduce((s, row, i) => s + Math.log(row[labels[i]]), 0) / probs.length;
}

/** The gradient of f(x) = sum(sin(x) * x^2), by hand. */
export function refGradF(x: number[]): number[] {
  return x.map((v) => Math.cos(v) * v * v + 2 * v * Math.sin(v));
}

/** The derivative of wave(x) = sum(sin(2x) + 0.3 x^3), which kinds/functions/child.ts computes on plain numbers. */
export function refGradWave(x: number[]): number[] {
  return x.map((v) => 2 * Math.cos(2 * v) + 0.9 * v * v);
}

/** The central difference of sum(x^3) with step eps: (6 x^2 eps + 2 eps^3) / (2 eps), exactly. */
export function refCentralCube(x: number[], eps: number): number[] {
  return x.map((v) => 3 * v * v + eps * eps);
}

/** d/dw of mean((x w - y)^2) = (2/n) x^T (x w - y). */
export function refGradMse(w: number[], x: Matrix, y: number[]): number[] {
  const residual = x.map((row, i) => refDot(row, w) - y[i]);
  return w.map((_, j) => (2 / x.length) * x.reduce((s, row, i) => s + row[j] * residual[i], 0));
}

/** The composite function kinds/functions/child.ts builds from `spec`, in float64: sum(a sin(b x + c)) + s tanh(q.x) + (u.x)(v.tanh(x)). */
export function refComposite(spec: CompositeSpec, x: number[]): number {
  const waves = x.reduce((sum, v, i) => sum + spec.a[i] * Math.sin(spec.b[i] * v + spec.c[i]), 0);
  return waves + spec.s * Math.tanh(refDot(spec.q, x)) + refDot(spec.u, x) * refDot(spec.v, x.map(Math.tanh));
}

/** Its gradient, by hand: a b cos(b x + c) + s (1 - tanh^2(q.x)) q + u (v.tanh(x)) + (u.x) v (1 - tanh^2(x)). */
export function refGradComposite(spec: CompositeSpec, x: number[]): number[] {
  const squash = spec.s * (1 - Math.tanh(refDot(spec.q, x)) ** 2);
  const ux = refDot(spec.u, x);
  const vt = refDot(spec.v, x.map(Math.tanh));
  return x.map(
    (v, i) =>
      spec.a[i] * spec.b[i] * Math.cos(spec.b[i] * v + spec.c[i]) +
      squash * spec.q[i] +
      spec.u[i] * vt +
      ux * spec.v[i] * (1 - Math.tanh(v) ** 2),
  );
}

// ---- seeded inputs ---------------------------------------------------------

const round = (v: number, digits = 3): number => Number(v.toFixed(digits));

function vector(rng: Rng, n: number, scale = 1): number[] {
  return Array.from({ length: n }, () => round(gaussian(rng) * scale));
}

function matrix(rng: Rng, rows: number, cols: number, scale = 1): Matrix {
  return Array.from({ length: rows }, () => vector(rng, cols, scale));
}

function tensor(values: number[] | Matrix, dtype: 'float32' | 'int32' = 'float32'): TensorArg {
  const shape = Array.isArray(values[0]) ? [values.length, values[0].length] : [values.length];
  return { tensor: values, shape, dtype };
}

const flat = (m: Matrix): number[] => m.flat();

// ---- cases -----------------------------------------------------------------

function dotCases(rng: Rng): SuiteCase[] {
  return [5, 17].map((n) => {
    const u = vector(rng, n);
    const v = vector(rng, n);
    return {
      fn: 'dot',
      title: `dot of two length-${n} vectors`,
      args: [tensor(u), tensor(v)],
      verify: (value) => compareNumber(value, refDot(u, v)),
    };
  });
}

function matmulCases(rng: Rng): SuiteCase[] {
  const shapes: [number, number, number, string][] = [
    [3, 4, 2, '[3, 4] x [4, 2]'],
    [1, 7, 5, 'a row vector times a matrix, [1, 7] x [7, 5]'],
    [6, 1, 3, 'an outer product, [6, 1] x [1, 3]'],
  ];
  return shapes.map(([m, k, n, what]) => {
    const a = matrix(rng, m, k);
    const b = matrix(rng, k, n);
    return {
      fn: 'matmul',
      title: what,
      args: [tensor(a), tensor(b)],
      verify: (value) => {
        const problem = compareTensor(value, flat(refMatmul(a, b)), [m, n]);
        return problem?.startsWith('expected shape') ? `${problem}: an [m, k] x [k, n] product is [m, n]` : problem;
      },
    };
  });
}

function addBiasCases(rng: Rng): SuiteCase[] {
  return [
    [4, 3],
    [5, 1],
  ].map(([n, d]) => {
    const x = matrix(rng, n, d);
    const b = vector(rng, d);
    return {
      fn: 'addBias',
      title: `[${n}, ${d}] plus a bias of shape [${d}], broadcast over the rows`,
      args: [tensor(x), tensor(b)],
      verify: (value) => compareTensor(value, flat(x.map((r) => r.map((v, j) => v + b[j]))), [n, d]),
    };
  });
}

function standardizeCases(rng: Rng): SuiteCase[] {
  const scales = [
    [1, 100, 0.01],
    [5, 0.5, 20, 1000],
  ];
  return scales.map((colScales) => {
    const n = 8;
    const x = Array.from({ length: n }, () => colScales.map((s) => round(gaussian(rng) * s + 3 * s, 4)));
    return {
      fn: 'standardize',
      title: `columns of very different scales (${colScales.join(', ')})`,
      args: [tensor(x)],
      verify: (value) => {
        const want = refStandardize(x);
        const problem = compareTensor(value, flat(want), [n, colScales.length]);
        if (!problem) return undefined;
        if (!compareTensor(value, flat(refStandardize(x, 1)), [n, colScales.length])) {
          return 'divided by the sample std (n - 1); use the population std (divide by n, as tf.moments does)';
        }
        const read = readValue(value);
        if (typeof read !== 'string' && read.shape.join() === [n, colScales.length].join()) {
          const colMean = colScales.map(
            (_, j) => read.values.filter((__, i) => i % colScales.length === j).reduce((a, b) => a + b, 0) / n,
          );
          const off = colMean.findIndex((m) => Math.abs(m) > 1e-3);
          if (off >= 0)
            return `column ${off} has mean ${fmt(colMean[off])}; every column should have mean 0 (${problem})`;
        }
        return problem;
      },
    };
  });
}

function softmaxCheck(logits: Matrix): (value: unknown) => string | undefined {
  const k = logits[0].length;
  return (value) => {
    const read = readValue(value);
    if (typeof read === 'string') return read;
    if (read.shape.join() !== [logits.length, k].join())
      return `expected shape [${logits.length}, ${k}], got [${read.shape.join(', ')}]`;
    const bad = read.values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      return (
        `element ${indexOf(bad, read.shape)} is ${read.values[bad]}: in float32, exp(z) is Infinity past z = 88 and 0 below about -103, ` +
        "so Infinity / Infinity or 0 / 0; subtract each row's max before exp (the largest exponent becomes exactly 0)"
      );
    }
    for (let i = 0; i < logits.length; i++) {
      const sum = read.values.slice(i * k, (i + 1) * k).reduce((a, b) => a + b, 0);
      if (Math.abs(sum - 1) > 1e-3) {
        return `row ${i} sums to ${fmt(sum)}; each row is a distribution over the classes and must sum to 1 (normalise over the last axis)`;
      }
    }
    return compareTensor(value, flat(refSoftmax(logits)), [logits.length, k]);
  };
}

function softmaxCases(rng: Rng): SuiteCase[] {
  const random = matrix(rng, 3, 4, 2);
  const large = [
    [1000, 1001, 1002],
    [-1000, 0, 1000],
    [500, 500, 500],
  ];
  const negative = [[-10000, -10001, -9999]];
  return [
    { fn: 'softmax', title: 'random logits [3, 4]', args: [tensor(random)], verify: softmaxCheck(random) },
    {
      fn: 'softmax',
      title: 'large logits (1000, 1001, 1002): must not overflow',
      args: [tensor(large)],
      verify: softmaxCheck(large),
    },
    {
      fn: 'softmax',
      title: 'very negative logits (-10000): must not underflow to 0/0',
      args: [tensor(negative)],
      verify: softmaxCheck(negative),
    },
  ];
}

function crossEntropyCases(rng: Rng): SuiteCase[] {
  const n = 6;
  const k = 4;
  const probs = refSoftmax(matrix(rng, n, k, 1.5));
  const labels = Array.from({ length: n }, () => Math.floor(rng() * k));
  const confident = [
    [0.98, 0.01, 0.01],
    [0.01, 0.01, 0.98],
  ];
  const confidentLabels = [0, 1];
  const check =
    (p: Matrix, y: number[]) =>
    (value: unknown): string | undefined => {
      const want = refCrossEntropy(p, y);
      const got = readNumber(value);
      if (typeof got === 'string') return got;
      if (close(got, want)) return undefined;
      if (close(got, want * p.length)) return `got ${fmt(got)}, the sum over rows; expected the mean, ${fmt(want)}`;
      if (close(got, -want)) return `got ${fmt(got)}; cross-entropy is -log(p), a positive number: mind the sign`;
      return `got ${fmt(got)}, expected ${fmt(want)} (the mean over rows of -log(probability of the true class))`;
    };
  return [
    {
      fn: 'crossEntropy',
      title: `${n} rows of ${k}-class probabilities`,
      args: [tensor(probs), tensor(labels, 'int32')],
      verify: check(probs, labels),
    },
    {
      fn: 'crossEntropy',
      title: 'one confident right and one confident wrong answer',
      args: [tensor(confident), tensor(confidentLabels, 'int32')],
      verify: check(confident, confidentLabels),
    },
  ];
}

/** The learner's answer and the gradients autograd computed during the call, as kinds/functions/child.ts wraps them. */
function unwrapGradients(value: unknown): { returned: unknown; gradients: number[][] } | string {
  if (!value || typeof value !== 'object' || !Array.isArray((value as { gradients?: unknown }).gradients))
    return 'the grader could not read which gradients autograd computed during the call';
  const v = value as { returned: unknown; gradients: number[][] };
  return { returned: v.returned, gradients: v.gradients };
}

/**
 * Undefined when `answer` is one of the gradients TensorFlow.js's autograd computed during the call (its
 * engine's, counted in child/observe.ts); else why a right value still misses the lesson: written down by hand,
 * it never asked autograd.
 */
export function autogradProblem(answer: unknown, gradients: number[][]): string | undefined {
  const read = readValue(answer);
  if (typeof read === 'string') return read;
  const match = gradients.some(
    (g) => Array.isArray(g) && g.length === read.values.length && g.every((v, i) => close(read.values[i], v)),
  );
  if (match) return undefined;
  if (gradients.length === 0)
    return (
      "the value is right, but TensorFlow.js's autograd computed no gradient during the call, and autograd is what " +
      'this case checks: hand the function to tf.grad and return what it gives'
    );
  return (
    `the value is right, but it is none of the ${gradients.length} gradient(s) TensorFlow.js's autograd computed ` +
    'during the call: return what tf.grad gives, not a formula of your own'
  );
}

/**
 * A case's check, for an answer autograd must have computed: the value first, with its own diagnosis, then
 * whether autograd gave it. `answer` picks the autograd part out of what the call returned.
 */
function byAutograd(
  verify: (returned: unknown) => string | undefined,
  answer: (returned: unknown) => unknown = (returned) => returned,
  prefix = '',
): (value: unknown) => string | undefined {
  return (value) => {
    const got = unwrapGradients(value);
    if (typeof got === 'string') return got;
    const problem = verify(got.returned);
    if (problem) return problem;
    const missed = autogradProblem(answer(got.returned), got.gradients);
    return missed && `${prefix}${missed}`;
  };
}

function gradOfSquareCases(rng: Rng): SuiteCase[] {
  const xs = [3, round(gaussian(rng) * 4, 2), -2.5];
  return xs.map((x) => ({
    fn: 'gradOfSquare',
    title: `d/dx x^2 at x = ${x}`,
    args: [x],
    gradients: true,
    verify: byAutograd((value) => compareNumber(value, 2 * x)),
  }));
}

function gradOfMseCases(rng: Rng): SuiteCase[] {
  const n = 7;
  const d = 3;
  const x = matrix(rng, n, d);
  const w = vector(rng, d);
  const y = vector(rng, n, 2);
  return [
    {
      fn: 'gradOfMse',
      title: `gradient of mean((x w - y)^2) w.r.t. w, x [${n}, ${d}]`,
      args: [tensor(w), tensor(x), tensor(y)],
      gradients: true,
      verify: byAutograd((value: unknown) => {
        const want = refGradMse(w, x, y);
        const problem = compareTensor(value, want, [d]);
        if (!problem) return undefined;
        if (
          !compareTensor(
            value,
            want.map((g) => g / 2),
            [d],
          )
        )
          return 'off by a factor of 2: the derivative of r^2 is 2r';
        if (
          !compareTensor(
            value,
            want.map((g) => g * n),
            [d],
          )
        )
          return 'off by a factor of n: the loss is the mean, not the sum';
        return problem;
      }),
    },
  ];
}

/** Calls of `fn` the autograd cases accept: tf.grad(fn)(x) makes one, and a learner may evaluate fn once more for its value. */
export const MAX_AUTOGRAD_CALLS = 2;

/** A composite function of d inputs with seeded coefficients: frequencies stay in [0.5, 2.5], so no term is flat or wild. */
export function compositeSpec(rng: Rng, d: number): CompositeSpec {
  const frequency = (): number => round((rng() < 0.5 ? -1 : 1) * (0.5 + 2 * rng()), 2);
  return {
    a: vector(rng, d),
    b: Array.from({ length: d }, frequency),
    c: vector(rng, d),
    s: round(gaussian(rng) * 1.5),
    q: vector(rng, d, 0.7),
    u: vector(rng, d, 0.7),
    v: vector(rng, d, 0.7),
  };
}

/** What was wrong with `gradient`'s answer on `spec` at `x`, given how often it called fn; undefined when it is autograd's. */
export function gradientProblem(spec: CompositeSpec, x: number[], value: unknown): string | undefined {
  if (!value || typeof value !== 'object' || !Array.isArray((value as { calls?: unknown }).calls))
    return 'the grader could not read how often fn was called';
  const { returned, calls } = value as { returned: unknown; calls: unknown[] };
  const n = calls.reduce((sum: number, c) => sum + (typeof c === 'number' ? c : 0), 0);
  if (n === 0)
    return "never called fn: this fn's formula is not in your code, so its gradient can only come from fn itself; return tf.grad(fn)(x)";
  if (n > MAX_AUTOGRAD_CALLS)
    return (
      `called fn ${n} times: evaluating fn around x is finite differences (numericalGradient's job), not autograd, ` +
      'which gets every component from one evaluation; return tf.grad(fn)(x)'
    );
  return compareTensor(returned, refGradComposite(spec, x), [x.length]);
}

/**
 * gradient(fn, x) on functions the grader composes per seed: their formula is in no learner's code, so no
 * derivation by hand can answer, and fn counts its calls, so finite differences (d + 1 calls at the least)
 * are told apart from autograd (one) whatever their accuracy.
 */
function gradientCases(rng: Rng): SuiteCase[] {
  return [4, 6].map((d) => {
    const spec = compositeSpec(rng, d);
    const x = vector(rng, d);
    return {
      fn: 'gradient',
      title: `a function of ${d} inputs the grader composed, at x = [${x.join(', ')}]`,
      args: [{ composite: spec }, tensor(x)],
      verify: (value: unknown) => gradientProblem(spec, x, value),
    };
  });
}

function gradCheckCases(rng: Rng): SuiteCase[] {
  const inputs = [vector(rng, 5, 1.5), [0, 0.5, -1, 2]];
  return inputs.map((x) => ({
    fn: 'gradCheck',
    title: `autograd and central differences of f at x = [${x.join(', ')}]`,
    args: [tensor(x)],
    gradients: true,
    verify: byAutograd(
      (value: unknown) => {
        if (!value || typeof value !== 'object' || Array.isArray(value))
          return 'return an object { autograd, numerical }';
        const { autograd, numerical } = value as Record<string, unknown>;
        const want = refGradF(x);
        const a = compareTensor(autograd, want, [x.length]);
        if (a) return `autograd: ${a}`;
        // Central differences in float32 lose digits to rounding, hence a looser tolerance.
        const nProblem = compareTensor(numerical, want, [x.length], 2e-2, 2e-2);
        if (nProblem)
          return `numerical: ${nProblem} (central difference (f(x + eps e_i) - f(x - eps e_i)) / (2 eps), with eps around 1e-3 to 1e-2: smaller eps drowns in float32 rounding)`;
        return undefined;
      },
      (value) => (value as Record<string, unknown>).autograd,
      'autograd: ',
    ),
  }));
}

/**
 * numericalGradient called on its own, on functions where finite differences
 * and autograd part ways: one autograd cannot follow at all (it is computed
 * on numbers read out of the tensor), and a cubic at a step so large that the
 * central difference is measurably not the exact derivative.
 */
function numericalGradientCases(rng: Rng): SuiteCase[] {
  const x = vector(rng, 4, 1.2);
  const eps = 0.5;
  const cube = [round(gaussian(rng), 2), 1, -1.5];
  return [
    {
      fn: 'numericalGradient',
      title: `a function computed on plain numbers (through dataSync(), out of autograd's sight) at x = [${x.join(', ')}]: only evaluating it at x +- eps can differentiate it`,
      args: [{ scalarFunction: 'wave' }, tensor(x), 1e-3],
      verify: (value: unknown) => {
        const problem = compareTensor(value, refGradWave(x), [x.length], 2e-2, 2e-2);
        return problem
          ? `${problem} (for each i, (fn(x + eps e_i) - fn(x - eps e_i)) / (2 eps), evaluating fn only)`
          : undefined;
      },
    },
    {
      fn: 'numericalGradient',
      title: `sum(x^3) at x = [${cube.join(', ')}] with eps = ${eps}, where the central difference is measurably not the exact derivative`,
      args: [{ scalarFunction: 'cubeSum' }, tensor(cube), eps],
      verify: (value: unknown) => {
        const problem = compareTensor(value, refCentralCube(cube, eps), [cube.length], 1e-3, 1e-3);
        if (!problem) return undefined;
        if (
          !compareTensor(
            value,
            cube.map((v) => 3 * v * v),
            [cube.length],
            1e-3,
            1e-3,
          )
        ) {
          return `${problem}: that is the exact derivative 3x^2, as autograd gives it; a central difference with the eps it is given is 3x^2 + eps^2 here`;
        }
        if (
          !compareTensor(
            value,
            cube.map((v) => 3 * v * v + 3 * v * eps + eps * eps),
            [cube.length],
            1e-3,
            1e-3,
          )
        ) {
          return `${problem}: that is the forward difference (fn(x + eps) - fn(x)) / eps; use the central one, (fn(x + eps) - fn(x - eps)) / (2 eps)`;
        }
        return problem;
      },
    },
  ];
}

export const suite: Suite = {
  id: 'tensors',
  exports: [
    'dot',
    'matmul',
    'addBias',
    'standardize',
    'softmax',
    'crossEntropy',
    'gradOfSquare',
    'gradOfMse',
    'gradient',
    'numericalGradient',
    'gradCheck',
  ],
  cases(seed: number): SuiteCase[] {
    const rng = createRng(deriveSeed(seed, 'suite:tensors'));
    return [
      ...dotCases(rng),
      ...matmulCases(rng),
      ...addBiasCases(rng),
      ...standardizeCases(rng),
      ...softmaxCases(rng),
      ...crossEntropyCases(rng),
      ...gradOfSquareCases(rng),
      ...gradOfMseCases(rng),
      // From a stream of their own: the other cases' inputs stay what they were before these were added.
      ...gradientCases(createRng(deriveSeed(seed, 'suite:tensors:gradient'))),
      ...gradCheckCases(rng),
      ...numericalGradientCases(rng),
    ];
  },
};
