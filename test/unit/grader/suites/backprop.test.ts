/**
 * The backprop suite: its references against values worked out here by other
 * means (by hand, by finite differences), and its cases run in this process
 * through the harness's drivers on the reference, the starter and the cheap
 * submissions of test/fixtures/submissions/backprop-*.ts. The cheap ones must
 * not pass, and each must fail for the reason it is cheap.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { suiteFor } from '../../../../src/grader/suites';
import {
  loadSuite,
  randomGraph,
  refBatchLoss,
  refCrossEntropy,
  refGraphGrads,
  refTrain,
} from '../../../../src/grader/suites/backprop';
import type { GraphSpec, MlpParams } from '../../../../src/grader/kinds/functions/drivers';
import { driverFor } from '../../../../src/grader/kinds/functions/drivers';
import { scanSource } from '../../../../src/grader/forbidden';
import { createRng } from '../../../../src/datasets';
import type { Suite, SuiteCase } from '../../../../src/grader/suites/types';
import { loadCurriculum } from '../../../../src/curriculum';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const SUBMISSIONS = path.join(ROOT, 'test', 'fixtures', 'submissions');

let suite: Suite;
beforeAll(async () => {
  suite = await loadSuite();
});

/** Every case of seed 1 on a module's exports, in this process, as the child would run it. */
function run(
  exports: Record<string, unknown>,
  seed = 1,
  only: (c: SuiteCase) => boolean = () => true,
): { passed: number; total: number; failures: string[] } {
  const cases = suite.cases(seed).filter(only);
  const failures: string[] = [];
  for (const c of cases) {
    let problem: string | undefined;
    try {
      const out = c.driver
        ? driverFor(c.driver)(exports, c.args)
        : (exports[c.fn] as (...a: unknown[]) => unknown)(...c.args);
      problem = c.verify(JSON.parse(JSON.stringify(out)) as unknown);
    } catch (err) {
      problem = `threw: ${(err as Error).message}`;
    }
    if (problem) failures.push(`${c.fn}: ${c.title}: ${problem}`);
  }
  return { passed: cases.length - failures.length, total: cases.length, failures };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- learner modules are loaded by path, as the harness does
const load = (file: string): Record<string, unknown> => require(file) as Record<string, unknown>;
const submission = (name: string) => load(path.join(SUBMISSIONS, name));

describe('backprop suite: registry and cases', () => {
  it('is registered under its id and its cases use every export it lists', async () => {
    expect((await suiteFor('backprop'))?.id).toBe('backprop');
    const fns = new Set(suite.cases(1).map((c) => c.fn));
    expect([...fns].sort()).toEqual([...suite.exports].sort());
  });

  it('is deterministic by seed, differs between seeds and passes JSON-safe arguments', () => {
    const args = (seed: number) => JSON.stringify(suite.cases(seed).map((c) => c.args));
    expect(args(4)).toBe(args(4));
    expect(args(4)).not.toBe(args(5));
    for (const c of suite.cases(2)) expect(JSON.parse(JSON.stringify(c.args))).toEqual(c.args);
  });

  it('puts a node of its own into the reuse-free, diamond and random graphs', () => {
    const custom = suite
      .cases(1)
      .filter((c: SuiteCase) => (c.args[0] as GraphSpec).nodes?.some((n) => n.op === 'custom'));
    expect(custom.length).toBeGreaterThanOrEqual(5);
  });

  it("the curriculum's threshold, baseline and forbid list are the ones this suite supports", async () => {
    const curriculum = loadCurriculum(path.join(ROOT, 'curriculum', 'curriculum.yaml'));
    const ex = curriculum.exercises.find((e) => e.key === 'month1/backprop')!;
    expect(ex.metrics).toEqual([expect.objectContaining({ name: 'cases_passed' })]);
    // One failed case must miss the threshold: every case has to pass.
    const total = suite.cases(1).length;
    expect((total - 1) / total).toBeLessThan(ex.metrics[0].min!);
    expect(ex.forbid).toEqual(expect.arrayContaining(['tf.grad', 'tf.valueAndGrads', 'tf.customGrad']));
  });
});

describe('backprop suite: references', () => {
  it('graph gradients match central differences of the forward values', () => {
    const rng = createRng(11);
    for (let t = 0; t < 5; t++) {
      const spec = randomGraph(rng, 3, 15);
      const grads = refGraphGrads(spec);
      const value = (leaves: number[]): number => {
        const v = [...leaves];
        for (const n of spec.nodes) {
          const a = v[n.a];
          if (n.op === 'add') v.push(a + ('b' in n ? v[n.b] : n.c));
          else if (n.op === 'mul') v.push(a * ('b' in n ? v[n.b] : n.c));
          else if (n.op === 'pow') v.push(a ** n.k);
          else if (n.op === 'custom') v.push(n.amp * Math.sin(n.freq * a));
          else if (n.op === 'relu') v.push(Math.max(0, a));
          else v.push(Math[n.op](a));
        }
        return v[v.length - 1];
      };
      spec.leaves.forEach((x, i) => {
        const h = 1e-6;
        const up = spec.leaves.map((y, j) => (j === i ? x + h : y));
        const down = spec.leaves.map((y, j) => (j === i ? x - h : y));
        const fd = (value(up) - value(down)) / (2 * h);
        expect(Math.abs(grads[i] - fd)).toBeLessThan(1e-5 * Math.max(1, Math.abs(fd)));
      });
    }
  });

  it('x * x at 3 has gradient 6, and a diamond tanh(a) * exp(tanh(a)) the hand-derived one', () => {
    expect(refGraphGrads({ leaves: [3], nodes: [{ op: 'mul', a: 0, b: 0 }] })).toEqual([6]);
    const a = 0.4;
    const t = Math.tanh(a);
    const [g] = refGraphGrads({
      leaves: [a],
      nodes: [
        { op: 'tanh', a: 0 },
        { op: 'exp', a: 1 },
        { op: 'mul', a: 1, b: 2 },
      ],
    });
    expect(g).toBeCloseTo((1 - t * t) * (Math.exp(t) + t * Math.exp(t)), 12);
  });

  it('the network loss gradient matches central differences, and training lowers the loss', () => {
    const p: MlpParams<number> = {
      w1: [
        [0.3, -0.2],
        [0.1, 0.5],
        [-0.4, 0.2],
      ],
      b1: [0.1, -0.1, 0],
      w2: [
        [0.2, -0.3, 0.4],
        [-0.1, 0.2, 0.3],
      ],
      b2: [0, 0.1],
    };
    const xs = [
      [1, -1],
      [0.5, 2],
      [-1.5, 0.3],
    ];
    const ys = [0, 1, 1];
    const { loss, grads } = refBatchLoss(p, xs, ys);
    expect(loss).toBeCloseTo(
      xs.reduce((s, x, i) => {
        const h = p.w1.map((r, j) => Math.tanh(r[0] * x[0] + r[1] * x[1] + p.b1[j]));
        const z = p.w2.map((r, k) => r.reduce((u, w, j) => u + w * h[j], p.b2[k]));
        return s + refCrossEntropy(z, ys[i]);
      }, 0) / 3,
      12,
    );
    const h = 1e-6;
    const bumped = (d: number): MlpParams<number> => ({
      ...p,
      w1: p.w1.map((r, j) => r.map((v, i) => (j === 2 && i === 1 ? v + d : v))),
    });
    const fd = (refBatchLoss(bumped(h), xs, ys).loss - refBatchLoss(bumped(-h), xs, ys).loss) / (2 * h);
    expect(grads.w1[2][1]).toBeCloseTo(fd, 8);
    const trained = refTrain(p, xs, ys, 0.5, 10);
    expect(trained.losses[9]).toBeLessThan(trained.losses[0]);
  });
});

describe('backprop suite: submissions run through the drivers', () => {
  it('the reference passes every case', () => {
    const r = run(load(path.join(ROOT, 'solutions', 'month1', 'backprop', 'backprop.ts')));
    expect(r.failures).toEqual([]);
    expect(r.total).toBeGreaterThanOrEqual(25);
  });

  it('the reference passes on other seeds too', () => {
    const ref = load(path.join(ROOT, 'solutions', 'month1', 'backprop', 'backprop.ts'));
    for (const seed of [2, 3, 4, 5, 6]) expect(run(ref, seed).failures).toEqual([]);
  });

  it('the starter fails nearly everything, and says the gradients are 0', () => {
    const r = run(load(path.join(ROOT, 'exercises', 'month1', 'backprop', 'backprop.ts')));
    expect(r.passed / r.total).toBeLessThan(0.1);
    expect(r.failures.join('\n')).toMatch(/every gradient is 0/);
  });

  it('backward() by finite differences fails on the nodes it cannot re-evaluate', () => {
    // The graph cases only: re-evaluating the network for every weight is slow, and they decide it.
    const r = run(submission('backprop-finite-differences.ts'), 1, (c) => c.driver === 'value-graph');
    expect(r.passed).toBeLessThan(r.total);
    const custom = r.failures.filter((f) => /grader's own/.test(f));
    expect(custom.length).toBeGreaterThanOrEqual(5);
    expect(custom.join('\n')).toMatch(/never called backwardFn/);
  });

  it('a recursive backward() that follows every path fails the diamonds and shared nodes', () => {
    const r = run(submission('backprop-tree-only.ts'));
    expect(r.passed).toBeLessThan(r.total);
    expect(r.failures.some((f) => /diamond/.test(f))).toBe(true);
    expect(r.failures.join('\n')).toMatch(
      /called one node's backwardFn \d+ times|before every use of it had added its share/,
    );
  });

  it('gradients overwritten (=) instead of accumulated fail the reuse cases', () => {
    const r = run(submission('backprop-overwrite.ts'));
    expect(r.passed).toBeLessThan(r.total);
    expect(r.failures.find((f) => /x\.mul\(x\)/.test(f))).toMatch(/accumulate with \+=/);
  });

  it('a trainStep that never zeroes the grads fails the training case, and is told so', () => {
    const r = run(submission('backprop-no-zero-grad.ts'), 1, (c) => c.fn === 'trainStep');
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0]).toMatch(/piling up across steps/);
  });

  it('zero gradients fail every gradient case', () => {
    const r = run(submission('backprop-zeros.ts'));
    expect(r.passed / r.total).toBeLessThan(0.1);
  });

  it("tf.grad is refused by the curriculum's forbid list", async () => {
    const curriculum = loadCurriculum(path.join(ROOT, 'curriculum', 'curriculum.yaml'));
    const ex = curriculum.exercises.find((e) => e.key === 'month1/backprop')!;
    const file = path.join(SUBMISSIONS, 'backprop-tf-grad.ts');
    const uses = scanSource(file, fs.readFileSync(file, 'utf8'), ex.forbid);
    expect(uses.map((u) => u.api)).toContain('tf.grad');
  });
});
