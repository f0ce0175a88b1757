/**
 * The learner-loop messages through the built CLI: each names the file (and
 * the line where there is one), the likely cause, and a next step that keeps
 * the learner's work (no `mlpath reset` for something fixed in the file).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, runCli } from '../helpers/cli';
import { HANGS, makeUxWorkspace, PASSING, save, STARTER, writeCourse } from '../helpers/ux-course';

let ws: string;
beforeAll(() => {
  ws = makeUxWorkspace();
});

function check(extra: string[] = []): string {
  const r = runCli(['check', 'm1/iris', ...extra], ws);
  expect(r.code).not.toBe(0);
  return r.stdout;
}

test('a named export train without default is named as such, with the file, and no reset', () => {
  save(ws, STARTER.replace('export default async function train', 'export async function train'));
  const out = check();
  expect(out).toMatch(
    /m1\/iris\/train\.ts: has no default export, but it has a named export `train`: .*it must be `export default async function train\(ctx: TrainContext\)`/,
  );
  expect(out).not.toMatch(/mlpath reset/);
  expect(out).toMatch(/next: fix the export in the file named above, then `mlpath check m1\/iris`/);
});

test('an import the exercise does not allow says what it may import, at file:line:col, not a syntax error', () => {
  save(ws, `import _ from 'lodash';\nconsole.log(_.chunk([1, 2], 1));\n${STARTER}`);
  const out = check();
  expect(out).toMatch(
    /m1\/iris\/train\.ts:1:15: graded code cannot import the package 'lodash': it is not available to this exercise, which may import TensorFlow\.js .* and 'mlpath' .*the exercise's `imports` list in the curriculum/,
  );
  expect(out).not.toMatch(/syntax error|from scratch/);
  expect(out).toMatch(/next: remove or replace that import/);
});

test("running out of memory says so with the budget and the likely cause, and shows none of Node's crash dump", () => {
  save(
    ws,
    `import type { TrainContext, Predictor } from 'mlpath';
export default async function train(ctx: TrainContext): Promise<Predictor> {
  console.log('starting');
  const keep: number[][] = [];
  for (;;) keep.push(new Array(100000).fill(Math.random()));
  return { predict: (x) => ctx.tf.zeros([x.shape[0]]) };
}
`,
  );
  const out = check();
  expect(out).toMatch(/error \(memory\)/);
  expect(out).toMatch(/m1\/iris\/train\.ts: ran out of memory: the 512 MB heap budget .*tf\.tidy.*an array that grows/);
  expect(out).not.toMatch(/Last few GCs|FATAL ERROR|heap out of memory|Native stack trace|0x[0-9a-f]{6,}/);
  expect(out).not.toMatch(/mlpath reset/);
});

test('a loop that never logs and never ends: the timeout says it never logged, what to look for, and the budget', () => {
  save(ws, HANGS);
  const out = check(['--timeout', '2']);
  expect(out).toMatch(/error \(timeout\)/);
  expect(out).toMatch(
    /m1\/iris\/train\.ts: did not finish within the 2 s budget .*never called ctx\.log, so it may be stuck in a loop that never ends\. Look at each loop's condition/,
  );
  expect(out).not.toMatch(/Train for fewer epochs/);
  expect(out).toMatch(/next: find the loop that never ends/);
});

test('a near miss prints its margin in the metric decimals, never in exponent form (the built reporter)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the built reporter the CLI runs, found by path
  const { margin } = require(path.join(ROOT, 'dist', 'reporters', 'terminal.js')) as { margin: (g: number) => string };
  expect(margin(-0.0005)).toBe('-0.0005');
  expect(margin(-0.00002)).toBe('-0.00002');
  expect(margin(0.1234)).toBe('0.1234');
});

test('mlpath doctor, without the native backend, says the download failed, wasm is fine, and how to retry', () => {
  const r = runCli(['doctor'], ws);
  if (/@tensorflow\/tfjs-node works/.test(r.stdout)) return;
  expect(r.stdout + r.stderr).toMatch(/install script ran \(or was skipped\) and has to download libtensorflow/);
  expect(r.stdout + r.stderr).toMatch(/wasm backend grades every exercise/);
  expect(r.stdout + r.stderr).toMatch(/npm rebuild @tensorflow\/tfjs-node/);
  expect(r.stdout + r.stderr).not.toMatch(/--allow-scripts/);
});

test('an epoch counter that runs backwards is not drawn as a curve axis, and the chart says why', () => {
  save(ws, PASSING.replace('ctx.log({ epoch: epoch + 1,', 'ctx.log({ epoch: 30 - epoch,'));
  const r = runCli(['check', 'm1/iris'], ws);
  expect(r.stdout).toMatch(
    /the logged epoch went backwards or was not a sensible number in 29 of 30 steps: drawn in the order logged/,
  );
  expect(r.stdout).not.toMatch(/epoch 30\.\.1/);
});

test('a runtime error and its frames are written one way: workspace-relative, forward slashes, :line:column', () => {
  save(
    ws,
    `import type { TrainContext, Predictor } from 'mlpath';
export default async function train(ctx: TrainContext): Promise<Predictor> {
  const a = ctx.tf.zeros([2, 3]);
  const b = ctx.tf.zeros([4, 5]);
  ctx.tf.matMul(a, b);
  return { predict: (x) => ctx.tf.zeros([x.shape[0]]) };
}
`,
  );
  const out = check();
  expect(out).toMatch(/\n {2}m1\/iris\/train\.ts:5:\d+: Error in matMul/);
  expect(out).toMatch(/at train \(m1\/iris\/train\.ts:5:\d+\)/);
  expect(out).not.toMatch(/[( ]train\.ts:\d/);
});

test('a package the curriculum allows but that is not installed is not available, with file:line:col, no syntax error', () => {
  const course = writeCourse();
  fs.writeFileSync(
    course,
    fs
      .readFileSync(course, 'utf8')
      .replace('        task: classification', '        imports: [left-pad-nowhere]\n        task: classification'),
  );
  const other = path.join(path.dirname(course), 'ws');
  expect(runCli(['start', other, '--yes', '--curriculum', course], ROOT).code).toBe(0);
  fs.writeFileSync(
    path.join(other, 'm1', 'iris', 'train.ts'),
    `import pad from 'left-pad-nowhere';\nconsole.log(pad);\n${STARTER}`,
  );
  const r = runCli(['check', 'm1/iris'], other);
  expect(r.stdout).toMatch(
    /m1\/iris\/train\.ts:1:17: .*the package 'left-pad-nowhere' is not available to this exercise: it is not installed next to mlpath.*may import TensorFlow\.js/,
  );
  expect(r.stdout).not.toMatch(/syntax error/);
  expect(r.stdout).toMatch(/next: remove or replace that import/);
});
