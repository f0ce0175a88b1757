/**
 * month3/fine-tune through the built CLI: transfer from clothes (fashion-cnn's
 * pretraining) to digits. The threshold sits where training from scratch and
 * a head on the base's clothes-specific last layer do not reach, and a head on
 * its convolutional features (`flatten`) does. Both sides are graded here,
 * exactly as a learner's work is.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeWorkspace, parseReport, ROOT, runCli, submit } from '../helpers/cli';

const EXERCISE = 'month3/fine-tune';
let ws: string;

beforeAll(() => {
  ws = makeWorkspace();
});

function check(extra: string[] = []): {
  code: number | null;
  result: ReturnType<typeof parseReport>['results'][number] & { metrics: { min?: number }[] };
} {
  const run = runCli(['check', EXERCISE, '--json', ...extra], ws);
  return { code: run.code, result: parseReport(run.stdout).results[0] };
}

function missesTheBar(result: ReturnType<typeof check>['result']): number {
  expect(result.error).toBeNull();
  expect(result.status).toBe('failed');
  const accuracy = result.metrics[0];
  expect(accuracy.name).toBe('accuracy');
  expect(accuracy.passed).toBe(false);
  expect(accuracy.value).toBeLessThan(accuracy.min!);
  return accuracy.value ?? NaN;
}

test('the starter runs and fails: a dense network from scratch on 100 digits', () => {
  fs.copyFileSync(path.join(ROOT, 'exercises', EXERCISE, 'train.ts'), path.join(ws, EXERCISE, 'train.ts'));
  const { code, result } = check(['--seed', '1']);
  expect(code).toBe(1);
  expect(missesTheBar(result)).toBeGreaterThan(0.5);
  expect(result.output).toMatch(/starter: this network was trained from scratch/);
});

test("a head on the base's last layer (64 features trained on clothes) misses the threshold by far", () => {
  submit(ws, EXERCISE, 'finetune-probe64.ts');
  const { code, result } = check(['--seed', '1']);
  expect(code).toBe(1);
  expect(missesTheBar(result)).toBeLessThan(0.75);
  // and it trains a head too small for the features that transfer
  expect(result.metrics.find((m) => m.name === 'trained_weights')).toMatchObject({ value: 650, passed: false });
});

test('that last layer unfrozen and fine-tuned with the head misses the threshold', () => {
  submit(ws, EXERCISE, 'finetune-top-block.ts');
  const { code, result } = check(['--seed', '1']);
  expect(code).toBe(1);
  expect(missesTheBar(result)).toBeGreaterThan(0.5);
  // it trained plenty: the miss is the layer, not the lesson checks
  expect(result.metrics.filter((m) => m.name !== 'accuracy').every((m) => m.passed)).toBe(true);
});

test('a CNN trained from scratch on every label, for as long as the budget allows, misses the threshold', () => {
  submit(ws, EXERCISE, 'finetune-scratch-cnn.ts');
  // One seed: three CNNs trained side by side on two cores would crowd the budget, and one seed makes the point.
  // The submission trains a fixed 40 epochs; a generous budget keeps a loaded machine from turning its miss
  // into a timeout (the verdict depends on the epochs, not on the clock).
  const { code, result } = check(['--seed', '1', '--timeout', '600']);
  expect(code).toBe(1);
  // It learned something: the gap is the pretrained features, not a broken submission.
  expect(missesTheBar(result)).toBeGreaterThan(0.8);
  expect(result.metrics.filter((m) => m.name !== 'accuracy').every((m) => m.passed)).toBe(true);
});

test('a CNN from scratch with augmented digits reaches the bar without the base, and fails: predict() must be built on it', () => {
  submit(ws, EXERCISE, 'finetune-scratch-augmented.ts');
  const { code, result } = check(['--seed', '1', '--timeout', '600']);
  expect(result.error).toBeNull();
  expect(code).toBe(1);
  expect(result.status).toBe('failed');
  expect(result.metrics[0]).toMatchObject({ name: 'accuracy', passed: true });
  expect(result.output).toMatch(
    /predict\(\) does not use the pretrained model: with the weights ctx\.pretrained\(\) gave all set to zero, 100% of its answers/,
  );
});

test('the reference passes: a head on the frozen convolutional features, compared with conv2 unfrozen on validation', () => {
  fs.copyFileSync(path.join(ROOT, 'solutions', EXERCISE, 'train.ts'), path.join(ws, EXERCISE, 'train.ts'));
  const { code, result } = check();
  expect(result.error).toBeNull();
  expect(code).toBe(0);
  expect(result.status).toBe('passed');
  expect(result.metrics[0].value).toBeGreaterThanOrEqual(result.metrics[0].min!);
});

test('asking for a model mlpath does not ship is a runtime error that names the shipped ones', () => {
  submit(ws, EXERCISE, 'finetune-unknown-model.ts');
  const { code, result } = check();
  expect(code).toBe(1);
  expect(result.status).toBe('error');
  expect(result.error?.kind).toBe('runtime');
  expect(result.error?.message).toMatch(/no pretrained model 'imagenet-resnet50'.*'fashion-cnn'/);
});
