/**
 * The tensors suite's verify() against right and wrong answers. Right answers
 * are computed here independently of the suite's references (direct loops, or
 * by hand where noted); wrong answers are the mistakes learners make. The
 * autograd cases also get the gradients TensorFlow.js's engine computed
 * during the call (`{ returned, gradients }`), and `gradient` the composite
 * functions the grader builds and how often they were called: an answer
 * derived by hand or by finite differences must fail them. The cases run
 * through the CLI in test/integration/lessons-a.test.ts.
 */
import type { CompositeSpec } from '../../../../src/grader/kinds/functions/child';
import {
  suite,
  readNumber,
  compareTensor,
  autogradProblem,
  compositeSpec,
  gradientProblem,
  MAX_AUTOGRAD_CALLS,
  refComposite,
  refGradComposite,
} from '../../../../src/grader/suites/tensors';
import { createRng } from '../../../../src/datasets/rng';
import { suiteFor } from '../../../../src/grader/suites';
import type { SuiteCase } from '../../../../src/grader/suites/types';

type Matrix = number[][];

interface TensorArg {
  tensor: number[] | Matrix;
  shape: number[];
  dtype: string;
}

const asTensor = (values: number[] | Matrix, shape: number[]) => ({ tensor: values, shape, dtype: 'float32' });
const arg = (c: SuiteCase, i: number): TensorArg => c.args[i] as TensorArg;
const matrixArg = (c: SuiteCase, i: number): Matrix => arg(c, i).tensor as Matrix;
const vectorArg = (c: SuiteCase, i: number): number[] => arg(c, i).tensor as number[];
const casesOf = (fn: string, seed = 1): SuiteCase[] => suite.cases(seed).filter((c) => c.fn === fn);

/** An autograd case's value as the child sends it: what was returned, and each gradient the engine computed (by default, the returned values: autograd's own answer). */
function viaAutograd(returned: unknown, gradients?: number[][]): unknown {
  if (gradients) return { returned, gradients };
  const read = readNumber(returned);
  if (typeof read === 'number') return { returned, gradients: [[read]] };
  const picked = returned && typeof returned === 'object' && 'autograd' in returned ? returned.autograd : returned;
  const values = (picked as { tensor?: unknown } | undefined)?.tensor;
  return { returned, gradients: Array.isArray(values) ? [values.flat(2) as number[]] : [] };
}

function matmulLoops(a: Matrix, b: Matrix): Matrix {
  const out: Matrix = [];
  for (let i = 0; i < a.length; i++) {
    out.push([]);
    for (let j = 0; j < b[0].length; j++) {
      let s = 0;
      for (let t = 0; t < b.length; t++) s += a[i][t] * b[t][j];
      out[i].push(s);
    }
  }
  return out;
}

function softmaxRows(m: Matrix): Matrix {
  return m.map((row) => {
    const max = Math.max(...row);
    const e = row.map((v) => Math.exp(v - max));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  });
}

function columnStandardized(x: Matrix, ddof: number): Matrix {
  const n = x.length;
  return x.map((row) =>
    row.map((v, j) => {
      const col = x.map((r) => r[j]);
      const mean = col.reduce((a, b) => a + b, 0) / n;
      const sd = Math.sqrt(col.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - ddof));
      return (v - mean) / sd;
    }),
  );
}

describe('tensors suite: registry and cases', () => {
  it('is registered under its id and lists the exports its cases call', async () => {
    expect(await suiteFor('tensors')).toBe(suite);
    const fns = new Set(suite.cases(1).map((c) => c.fn));
    expect([...fns].sort()).toEqual([...suite.exports].sort());
  });

  it('is deterministic by seed and differs between seeds', () => {
    const args = (seed: number) => JSON.stringify(suite.cases(seed).map((c) => c.args));
    expect(args(7)).toBe(args(7));
    expect(args(7)).not.toBe(args(8));
  });

  it('passes only JSON-safe arguments (they cross a process boundary)', () => {
    for (const c of suite.cases(3)) expect(JSON.parse(JSON.stringify(c.args))).toEqual(c.args);
  });
});

describe('tensors suite: verify()', () => {
  it('dot: accepts a number or a scalar tensor, rejects a wrong value and a vector', () => {
    for (const c of casesOf('dot')) {
      const u = vectorArg(c, 0);
      const v = vectorArg(c, 1);
      let want = 0;
      for (let i = 0; i < u.length; i++) want += u[i] * v[i];
      expect(c.verify(want)).toBeUndefined();
      expect(c.verify({ tensor: Math.fround(want), shape: [], dtype: 'float32' })).toBeUndefined();
      expect(c.verify(want + 1)).toMatch(/expected/);
      expect(c.verify(u)).toMatch(/single number/);
    }
  });

  it('matmul: accepts the product, names a wrong shape and a wrong element', () => {
    for (const c of casesOf('matmul')) {
      const a = matrixArg(c, 0);
      const b = matrixArg(c, 1);
      const want = matmulLoops(a, b);
      const shape = [a.length, b[0].length];
      expect(c.verify(asTensor(want, shape))).toBeUndefined();
      expect(c.verify(want)).toBeUndefined();
      expect(c.verify(asTensor(a, [a.length, a[0].length]))).toMatch(/shape/);
      const wrong = want.map((r) => r.slice());
      wrong[0][0] += 0.5;
      expect(c.verify(asTensor(wrong, shape))).toMatch(/element \[0, 0\]/);
    }
  });

  it('matmul: the outer-product case is [6, 1] x [1, 3]', () => {
    const outer = casesOf('matmul').find((c) => c.title.includes('outer'))!;
    expect(arg(outer, 0).shape).toEqual([6, 1]);
    expect(arg(outer, 1).shape).toEqual([1, 3]);
  });

  it('addBias: accepts the broadcast sum, rejects x unchanged', () => {
    for (const c of casesOf('addBias')) {
      const x = matrixArg(c, 0);
      const b = vectorArg(c, 1);
      const shape = [x.length, x[0].length];
      expect(
        c.verify(
          asTensor(
            x.map((r) => r.map((v, j) => v + b[j])),
            shape,
          ),
        ),
      ).toBeUndefined();
      expect(c.verify(asTensor(x, shape))).toBeDefined();
    }
  });

  it('standardize: accepts population std, explains the sample-std mistake and an uncentred column', () => {
    for (const c of casesOf('standardize')) {
      const x = matrixArg(c, 0);
      const shape = [x.length, x[0].length];
      expect(c.verify(asTensor(columnStandardized(x, 0), shape))).toBeUndefined();
      expect(c.verify(asTensor(columnStandardized(x, 1), shape))).toMatch(/population std/);
      expect(c.verify(asTensor(x, shape))).toMatch(/mean 0/);
    }
  });

  it('softmax: accepts a stable softmax, explains overflow and the wrong axis', () => {
    const cases = casesOf('softmax');
    for (const c of cases) {
      const logits = matrixArg(c, 0);
      const shape = [logits.length, logits[0].length];
      expect(c.verify(asTensor(softmaxRows(logits), shape))).toBeUndefined();
    }
    const large = cases.find((c) => c.title.includes('large'))!;
    const logits = matrixArg(large, 0);
    // What a naive exp(z) / sum(exp(z)) gives in float32: Infinity / Infinity.
    const naive = logits.map((row) => row.map(() => NaN));
    expect(large.verify(asTensor(naive, [logits.length, logits[0].length]))).toMatch(/subtract each row's max/);
    const random = cases.find((c) => c.title.includes('random'))!;
    const z = matrixArg(random, 0);
    // Normalised over columns instead of rows.
    const byColumn = z.map((row, i) =>
      row.map((_, j) => {
        const col = z.map((r) => Math.exp(r[j]));
        return col[i] / col.reduce((a, b) => a + b, 0);
      }),
    );
    expect(random.verify(asTensor(byColumn, [z.length, z[0].length]))).toMatch(/must sum to 1/);
  });

  it('crossEntropy: accepts the mean of -log p(true class), explains sum and sign mistakes', () => {
    for (const c of casesOf('crossEntropy')) {
      const probs = matrixArg(c, 0);
      const labels = vectorArg(c, 1);
      expect(arg(c, 1).dtype).toBe('int32');
      let sum = 0;
      probs.forEach((row, i) => {
        sum -= Math.log(row[labels[i]]);
      });
      const mean = sum / probs.length;
      expect(c.verify(mean)).toBeUndefined();
      expect(c.verify(sum)).toMatch(/sum over rows/);
      expect(c.verify(-mean)).toMatch(/sign/);
      expect(c.verify(0)).toMatch(/expected/);
    }
  });

  it('crossEntropy: the confident case is (-log 0.98 - log 0.01) / 2 = 2.3127', () => {
    const c = casesOf('crossEntropy').find((k) => k.title.includes('confident'))!;
    expect(c.verify(2.3127)).toBeUndefined();
    expect(c.verify(2.2)).toBeDefined();
  });

  it('gradOfSquare: 6 at x = 3, by hand', () => {
    const at3 = casesOf('gradOfSquare').find((c) => c.args[0] === 3)!;
    expect(at3.verify(viaAutograd(6))).toBeUndefined();
    expect(at3.verify(viaAutograd({ tensor: 6, shape: [], dtype: 'float32' }, [[6]]))).toBeUndefined();
    expect(at3.verify(viaAutograd(9))).toMatch(/expected 6/);
    expect(at3.verify(viaAutograd(undefined, []))).toMatch(/return/);
  });

  it('gradOfMse: accepts (2/n) X^T (Xw - y), explains factor-of-2 and factor-of-n mistakes', () => {
    const [c] = casesOf('gradOfMse');
    const w = vectorArg(c, 0);
    const x = matrixArg(c, 1);
    const y = vectorArg(c, 2);
    const n = x.length;
    const r = x.map((row, i) => row.reduce((s, v, j) => s + v * w[j], 0) - y[i]);
    const grad = w.map((_, j) => (2 / n) * x.reduce((s, row, i) => s + row[j] * r[i], 0));
    expect(c.verify(viaAutograd(asTensor(grad, [w.length])))).toBeUndefined();
    expect(
      c.verify(
        viaAutograd(
          asTensor(
            grad.map((g) => g / 2),
            [w.length],
          ),
        ),
      ),
    ).toMatch(/factor of 2/);
    expect(
      c.verify(
        viaAutograd(
          asTensor(
            grad.map((g) => g * n),
            [w.length],
          ),
        ),
      ),
    ).toMatch(/factor of n/);
    // The closed form above, returned with no gradient computed: the value is right, the lesson skipped.
    expect(c.verify(viaAutograd(asTensor(grad, [w.length]), []))).toMatch(
      /^the value is right, but TensorFlow\.js's autograd computed no gradient during the call/,
    );
  });

  it('gradCheck: accepts matching gradients, blames the part that is wrong', () => {
    for (const c of casesOf('gradCheck')) {
      const x = vectorArg(c, 0);
      const grad = x.map((v) => Math.cos(v) * v * v + 2 * v * Math.sin(v));
      const shape = [x.length];
      const noisy = grad.map((g) => g + 1e-3);
      expect(
        c.verify(viaAutograd({ autograd: asTensor(grad, shape), numerical: asTensor(noisy, shape) })),
      ).toBeUndefined();
      expect(
        c.verify(
          viaAutograd({
            autograd: asTensor(
              x.map(() => 0),
              shape,
            ),
            numerical: asTensor(grad, shape),
          }),
        ),
      ).toMatch(/^autograd/);
      expect(
        c.verify(
          viaAutograd({
            autograd: asTensor(grad, shape),
            numerical: asTensor(
              x.map(() => 0),
              shape,
            ),
          }),
        ),
      ).toMatch(/^numerical/);
      expect(c.verify(viaAutograd(asTensor(grad, shape)))).toBeDefined();
      // f' written out by hand: right values, no gradient computed.
      expect(c.verify(viaAutograd({ autograd: asTensor(grad, shape), numerical: asTensor(noisy, shape) }, []))).toMatch(
        /^autograd: the value is right, but /,
      );
    }
  });

  it('gradCheck: the fixed case has the hand-computed gradient at x = 0 (0) and x = 2', () => {
    const c = casesOf('gradCheck').find((k) => vectorArg(k, 0).join() === '0,0.5,-1,2')!;
    // f'(x) = x^2 cos x + 2x sin x: 0 at 0; at 2: 4 cos 2 + 4 sin 2 = 1.9726
    const grad = [0, 0.25 * Math.cos(0.5) + Math.sin(0.5), Math.cos(-1) + 2 * Math.sin(1), 1.9726];
    expect(c.verify(viaAutograd({ autograd: asTensor(grad, [4]), numerical: asTensor(grad, [4]) }))).toBeUndefined();
  });

  it('numericalGradient: a function computed on plain numbers, by central differences of its own', () => {
    const c = casesOf('numericalGradient').find(
      (k) => (k.args[0] as { scalarFunction: string }).scalarFunction === 'wave',
    )!;
    expect(c.title).toMatch(/autograd/);
    const x = vectorArg(c, 1);
    const eps = c.args[2] as number;
    // Central differences of sum(sin(2x) + 0.3 x^3), evaluated here, as the learner's function would.
    const g = (v: number): number => Math.sin(2 * v) + 0.3 * v ** 3;
    const numerical = x.map((v) => (g(v + eps) - g(v - eps)) / (2 * eps));
    expect(c.verify(asTensor(numerical, [x.length]))).toBeUndefined();
    expect(
      c.verify(
        asTensor(
          x.map(() => 0),
          [x.length],
        ),
      ),
    ).toMatch(/evaluating fn only/);
  });

  it("numericalGradient: at a large eps, names autograd's exact answer and the forward difference", () => {
    const c = casesOf('numericalGradient').find(
      (k) => (k.args[0] as { scalarFunction: string }).scalarFunction === 'cubeSum',
    )!;
    const x = vectorArg(c, 1);
    const eps = c.args[2] as number;
    expect(eps).toBeGreaterThanOrEqual(0.1);
    const cube = (v: number): number => v ** 3;
    const central = x.map((v) => (cube(v + eps) - cube(v - eps)) / (2 * eps));
    const forward = x.map((v) => (cube(v + eps) - cube(v)) / eps);
    expect(c.verify(asTensor(central, [x.length]))).toBeUndefined();
    expect(
      c.verify(
        asTensor(
          x.map((v) => 3 * v * v),
          [x.length],
        ),
      ),
    ).toMatch(/exact derivative 3x\^2, as autograd gives it/);
    expect(c.verify(asTensor(forward, [x.length]))).toMatch(/forward difference/);
  });
});

describe('tensors suite: value readers', () => {
  it('readNumber takes numbers and one-element tensors, explains anything else', () => {
    expect(readNumber(2)).toBe(2);
    expect(readNumber({ tensor: [2], shape: [1], dtype: 'float32' })).toBe(2);
    expect(readNumber(null)).toMatch(/null/);
    expect(readNumber('2')).toMatch(/string/);
  });

  it('compareTensor flags NaN and ragged arrays', () => {
    expect(compareTensor(asTensor([NaN, 1], [2]), [0, 1], [2])).toMatch(/NaN/);
    expect(compareTensor([[1], [1, 2]], [1, 1], [2, 1])).toMatch(/ragged/);
  });
});

const tensorValue = (values: number[]): unknown => ({ tensor: values, shape: [values.length], dtype: 'float32' });

/** Central differences of the float64 reference, fine enough to check the hand-written gradient. */
function centralDifference(spec: CompositeSpec, x: number[], eps = 1e-6): number[] {
  return x.map((_, i) => {
    const plus = x.slice();
    const minus = x.slice();
    plus[i] += eps;
    minus[i] -= eps;
    return (refComposite(spec, plus) - refComposite(spec, minus)) / (2 * eps);
  });
}

describe('the composite functions gradient(fn, x) is handed', () => {
  test.each([1, 2, 3, 17, 1234])('the reference gradient is the derivative of the function, seed %i', (seed) => {
    for (const c of casesOf('gradient', seed)) {
      const spec = (c.args[0] as { composite: CompositeSpec }).composite;
      const x = (c.args[1] as { tensor: number[] }).tensor;
      const want = centralDifference(spec, x);
      refGradComposite(spec, x).forEach((g, i) => expect(g).toBeCloseTo(want[i], 6));
    }
  });

  test('differ from seed to seed, so no closed form can be written ahead', () => {
    const specs = [1, 2].map((seed) => JSON.stringify(casesOf('gradient', seed)[0].args[0]));
    expect(specs[0]).not.toBe(specs[1]);
    const rng = createRng(5);
    expect(compositeSpec(rng, 4)).not.toEqual(compositeSpec(rng, 4));
  });

  test('are the cases of 4 and 6 inputs, one composite function and one tensor each', () => {
    const cases = casesOf('gradient', 1);
    expect(cases.map((c) => (c.args[1] as { shape: number[] }).shape)).toEqual([[4], [6]]);
    for (const c of cases) expect(Object.keys(c.args[0] as object)).toEqual(['composite']);
  });
});

describe('gradientProblem: autograd, not a formula or finite differences', () => {
  const spec = compositeSpec(createRng(9), 4);
  const x = [0.3, -1.2, 0.8, 2.1];
  const right = refGradComposite(spec, x);

  test('autograd calling fn once or twice, with the right values, passes', () => {
    expect(gradientProblem(spec, x, { returned: tensorValue(right), calls: [1] })).toBeUndefined();
    expect(gradientProblem(spec, x, { returned: tensorValue(right), calls: [MAX_AUTOGRAD_CALLS] })).toBeUndefined();
  });

  test('right values from more calls than autograd takes are finite differences, however accurate', () => {
    expect(gradientProblem(spec, x, { returned: tensorValue(right), calls: [2 * x.length] })).toMatch(
      /^called fn 8 times: evaluating fn around x is finite differences \(numericalGradient's job\), not autograd.*tf\.grad\(fn\)\(x\)/,
    );
    expect(gradientProblem(spec, x, { returned: tensorValue(right), calls: [MAX_AUTOGRAD_CALLS + 1] })).toMatch(
      /^called fn 3 times/,
    );
  });

  test('an answer that never called fn is refused for that, whatever it returned', () => {
    expect(gradientProblem(spec, x, { returned: tensorValue(right), calls: [0] })).toMatch(
      /^never called fn: .*return tf\.grad\(fn\)\(x\)/,
    );
  });

  test('one call with wrong values names the element', () => {
    const wrong = right.map((g, i) => (i === 2 ? g + 0.5 : g));
    expect(gradientProblem(spec, x, { returned: tensorValue(wrong), calls: [1] })).toMatch(/^element \[2\] is /);
    expect(gradientProblem(spec, x, { returned: tensorValue(right.slice(0, 3)), calls: [1] })).toMatch(
      /^expected shape \[4\], got \[3\]/,
    );
  });

  test('an answer without the call count is not passed', () => {
    expect(gradientProblem(spec, x, tensorValue(right))).toMatch(/could not read how often fn was called/);
  });
});

describe('autogradProblem: the answer must be one of the gradients the engine computed', () => {
  test('an answer equal to a computed gradient passes, in any of its shapes', () => {
    expect(autogradProblem(6, [[6]])).toBeUndefined();
    expect(autogradProblem(tensorValue([1, 2, 3]), [[9], [1, 2, 3]])).toBeUndefined();
    expect(autogradProblem({ tensor: [[1], [2]], shape: [2, 1] }, [[1, 2]])).toBeUndefined();
  });

  test('no gradient computed during the call: autograd was never asked', () => {
    expect(autogradProblem(6, [])).toMatch(
      /^the value is right, but TensorFlow\.js's autograd computed no gradient during the call.*hand the function to tf\.grad/,
    );
  });

  test('gradients of something else do not vouch for a value written down by hand', () => {
    expect(autogradProblem(tensorValue([1, 2, 3]), [[1], [1, 2, 4]])).toMatch(
      /^the value is right, but it is none of the 2 gradient\(s\) TensorFlow\.js's autograd computed during the call/,
    );
  });
});

describe('the cases of gradOfSquare, gradOfMse and gradCheck ask for the gradients autograd computed', () => {
  const known = suite.cases(1).filter((c) => ['gradOfSquare', 'gradOfMse', 'gradCheck'].includes(c.fn));

  test('every one of them, and no other case', () => {
    expect(known).toHaveLength(6);
    for (const c of known) expect(c.gradients).toBe(true);
    const others = suite.cases(1).filter((c) => !['gradOfSquare', 'gradOfMse', 'gradCheck'].includes(c.fn));
    expect(others).toHaveLength(18);
    for (const c of others) expect(c.gradients).toBeUndefined();
  });

  test('gradOfSquare: 2x passes when autograd computed it, fails when it was written down', () => {
    const c = known.find((k) => k.fn === 'gradOfSquare')!;
    const x = c.args[0] as number;
    expect(c.verify({ returned: 2 * x, gradients: [[2 * x]] })).toBeUndefined();
    expect(c.verify({ returned: 2 * x, gradients: [] })).toMatch(/autograd computed no gradient during the call/);
    // A wrong value keeps its own diagnosis, ahead of how it was computed.
    expect(c.verify({ returned: x, gradients: [[x]] })).toMatch(/^got .*, expected /);
    expect(c.verify(2 * x)).toMatch(/could not read which gradients autograd computed/);
  });

  test('gradCheck: the autograd half is matched, the numerical half is not', () => {
    const c = known.find((k) => k.fn === 'gradCheck')!;
    const x = (c.args[0] as { tensor: number[] }).tensor;
    const g = x.map((v) => Math.cos(v) * v * v + 2 * v * Math.sin(v));
    const returned = { autograd: tensorValue(g), numerical: tensorValue(g) };
    expect(c.verify({ returned, gradients: [g] })).toBeUndefined();
    expect(c.verify({ returned, gradients: [] })).toMatch(/^autograd: the value is right, but /);
  });
});
