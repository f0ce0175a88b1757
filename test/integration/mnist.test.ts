/**
 * The end-to-end slice on real MNIST, through the built CLI: the starter
 * fails with a message that says what to do, the reference MLP and its
 * training loop pass, and a small CNN trains by a loop of its own on the wasm
 * backend (which has no filter-gradient kernel of its own).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeWorkspace, parseReport, ROOT, runCli, submit } from '../helpers/cli';

let ws: string;
beforeAll(() => {
  ws = makeWorkspace();
});

test('the untouched starter fails, and says what to do next', () => {
  const run = runCli(['check', 'month2/mnist'], ws);
  expect(run.code).toBe(1);
  expect(run.stdout).toMatch(/month2\/mnist failed/);
  expect(run.stdout).toMatch(/accuracy(\s+\d\.\d+)+\s+>= 0\.9200/);
  expect(run.stdout).toMatch(/optimizer_steps\b.*>= 100\b.*miss/);
  expect(run.stdout).toMatch(/has not been trained yet/);
  expect(run.stdout).toMatch(/mlpath hint month2\/mnist/);
});

test('the reference MLP passes on held-out digits, and the attempt is recorded', () => {
  fs.copyFileSync(
    path.join(ROOT, 'solutions', 'month2', 'mnist', 'train.ts'),
    path.join(ws, 'month2', 'mnist', 'train.ts'),
  );
  const run = runCli(['check', 'month2/mnist', '--json'], ws);
  expect(run.code).toBe(0);
  const result = parseReport(run.stdout).results[0];
  expect(result.status).toBe('passed');
  expect(result.metrics[0].value).toBeGreaterThanOrEqual(0.92);
  const progress = JSON.parse(fs.readFileSync(path.join(ws, '.mlpath', 'progress.json'), 'utf8'));
  expect(progress.exercises['month2/mnist'].passed).toBe(true);
  expect(progress.exercises['month2/mnist'].attempts).toBe(2);
  const runs = fs.readdirSync(path.join(ws, '.mlpath', 'runs'));
  const record = JSON.parse(fs.readFileSync(path.join(ws, '.mlpath', 'runs', runs.sort().at(-1)!), 'utf8'));
  expect(record.curve.length).toBe(10);
  expect(record.curve[9].loss).toBeLessThan(record.curve[0].loss);
  expect(record.datasetFingerprint).toMatch(/^[0-9a-f]{64}$/);
  const status = runCli(['status'], ws);
  expect(status.stdout).toMatch(/✔ month2\/mnist/);
});

test('a small CNN trains on the wasm backend inside mlpath check', () => {
  submit(ws, 'month2/mnist', 'mnist-cnn.ts');
  const run = runCli(['check', 'month2/mnist', '--json', '--backend', 'wasm'], ws);
  const result = parseReport(run.stdout).results[0];
  expect(result.error).toBeNull();
  expect(result.backend).toBe('wasm');
  expect(result.status).toBe('passed');
});
