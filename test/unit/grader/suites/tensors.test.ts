/**
 * The tensors suite's autograd cases: the composite functions `gradient` is
 * handed (their reference gradient against finite differences in float64,
 * different per seed), the call count that tells autograd from finite
 * differences, and the match with the gradients TensorFlow.js's engine
 * computed that tells autograd from a derivative written by hand. The cases
 * themselves run through the CLI in test/integration/lessons-a.test.ts.
 */
import type { CompositeSpec } from '../../../../src/grader/kinds/functions/child';
import {
  autogradProblem,
  compositeSpec,
  gradientProblem,
  MAX_AUTOGRAD_CALLS,
  refComposite,
  refGradComposite,
  suite,
} from '../../../../src/grader/suites/tensors';
import { createRng } from '../../../../src/datasets/rng';
import type { SuiteCase } from '../../../../src/grader/suites/types';

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

const casesOf = (seed: number, fn: string): SuiteCase[] => suite.cases(seed).filter((c) => c.fn === fn);

describe('the composite functions gradient(fn, x) is handed', () => {
  test.each([1, 2, 3, 17, 1234])('the reference gradient is the derivative of the function, seed %i', (seed) => {
    for (const c of casesOf(seed, 'gradient')) {
      const spec = (c.args[0] as { composite: CompositeSpec }).composite;
      const x = (c.args[1] as { tensor: number[] }).tensor;
      const want = centralDifference(spec, x);
      refGradComposite(spec, x).forEach((g, i) => expect(g).toBeCloseTo(want[i], 6));
    }
  });

  test('differ from seed to seed, so no closed form can be written ahead', () => {
    const specs = [1, 2].map((seed) => JSON.stringify(casesOf(seed, 'gradient')[0].args[0]));
    expect(specs[0]).not.toBe(specs[1]);
    const rng = createRng(5);
    expect(compositeSpec(rng, 4)).not.toEqual(compositeSpec(rng, 4));
  });

  test('are the cases of 4 and 6 inputs, one composite function and one tensor each', () => {
    const cases = casesOf(1, 'gradient');
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
