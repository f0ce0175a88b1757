/**
 * month3/deploy through the built CLI: the grader starts the learner's server
 * in the sandboxed child on a loopback port and probes it over HTTP. The
 * starter fails on accuracy and bad input, the reference passes every check,
 * a server that crashes on bad input fails (and says why), one that never
 * listens is a timeout, and a model saved on another backend into the
 * exercise folder loads and serves inside the sandbox.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initBackend } from '../../src/backend/init';
import { loadCurriculum } from '../../src/curriculum';
import { loadDataset, splitDataset } from '../../src/datasets';
import { saveModel } from '../../src/serving/model-io';
import { makeWorkspace, parseReport, ROOT, runCli, submit, type JsonResult } from '../helpers/cli';

const EXERCISE = 'month3/deploy';
let ws: string;

beforeAll(() => {
  ws = makeWorkspace();
});

function check(...extra: string[]): { code: number | null; result: JsonResult } {
  const run = runCli(['check', EXERCISE, '--json', ...extra], ws);
  return { code: run.code, result: parseReport(run.stdout).results[0] };
}

function metric(result: JsonResult, name: string): JsonResult['metrics'][number] & { min?: number; max?: number } {
  const found = result.metrics.find((m) => m.name === name);
  if (!found) throw new Error(`no metric ${name} in ${JSON.stringify(result.metrics)}`);
  return found;
}

test('the starter serves, but fails on accuracy and bad input, and lists every bad-input case', () => {
  const { code, result } = check();
  expect(code).toBe(1);
  expect(result.error).toBeNull();
  expect(result.status).toBe('failed');
  expect(metric(result, 'accuracy').passed).toBe(false);
  expect(metric(result, 'bad_input_handled').passed).toBe(false);
  expect(metric(result, 'concurrent_ok').passed).toBe(true);
  for (const id of ['malformed-json', 'wrong-length', 'not-numbers', 'oversized', 'still-serving'])
    expect(result.output).toContain(id);
  expect(result.output).toMatch(/expected 400, got HTTP 500/);
  expect(result.output).toMatch(/starter: the model is untrained/);
});

test('the reference passes every check', () => {
  fs.copyFileSync(path.join(ROOT, 'solutions', EXERCISE, 'server.ts'), path.join(ws, EXERCISE, 'server.ts'));
  const { code, result } = check();
  expect(result.error).toBeNull();
  expect(result.status).toBe('passed');
  expect(code).toBe(0);
  expect(result.metrics.map((m) => m.name)).toEqual([
    'accuracy',
    'p95_latency_ms',
    'concurrent_ok',
    'bad_input_handled',
    'monitoring_ok',
  ]);
  for (const m of result.metrics) expect(m.passed).toBe(true);
  const p95 = metric(result, 'p95_latency_ms');
  expect(p95.value).toBeLessThanOrEqual(p95.max!);
});

test('a server that dies on malformed JSON fails the bad-input check and says what happened', () => {
  submit(ws, EXERCISE, 'deploy-crash.ts', 'server.ts');
  const { code, result } = check();
  expect(code).toBe(1);
  expect(result.status).toBe('failed');
  const bad = metric(result, 'bad_input_handled');
  expect(bad.passed).toBe(false);
  expect(bad.value).toBe(0);
  expect(result.output).toMatch(/✘ malformed-json: .*\/health did not answer 200 afterwards/);
  expect(result.output).toMatch(/the server process failed: SyntaxError/);
});

test('a server that never listens is a timeout that says what the grader waited for', () => {
  submit(ws, EXERCISE, 'deploy-no-listen.ts', 'server.ts');
  const { code, result } = check('--timeout', '4');
  expect(code).toBe(1);
  expect(result.status).toBe('error');
  expect(result.error?.kind).toBe('timeout');
  expect(result.error?.message).toMatch(/GET \/health on port \d+ never answered 200/);
});

test('a model saved on the cpu backend into the exercise folder serves inside the sandbox', async () => {
  const { tf } = await initBackend('cpu');
  const ex = loadCurriculum().exercises.find((e) => e.key === EXERCISE)!;
  const split = splitDataset(await loadDataset(ex.dataset!.id), { ...ex.dataset!.split, stratify: true });
  const model = tf.sequential();
  model.add(
    tf.layers.dense({
      inputShape: [784],
      units: 32,
      activation: 'relu',
      kernelInitializer: tf.initializers.heNormal({ seed: 1 }),
    }),
  );
  model.add(
    tf.layers.dense({
      units: 10,
      activation: 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
    }),
  );
  model.compile({ optimizer: tf.train.adam(0.003), loss: 'sparseCategoricalCrossentropy' });
  await model.fit(tf.tensor2d(split.train.features, [split.train.n, 784]), tf.tensor1d(split.train.labels), {
    epochs: 3,
    batchSize: 32,
    verbose: 0,
  });
  await saveModel(model, path.join(ws, EXERCISE, 'model'));

  submit(ws, EXERCISE, 'deploy-load-saved.ts', 'server.ts');
  const { result } = check();
  expect(result.error).toBeNull();
  const accuracy = metric(result, 'accuracy');
  expect(accuracy.passed).toBe(true);
  expect(metric(result, 'concurrent_ok').passed).toBe(true);
});
