/**
 * month3/fine-tune through the built CLI: the threshold sits where training
 * from scratch within the budget does not reach and the pretrained base with
 * a new head does. Both sides are graded here, exactly as a learner's work is.
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

test('a CNN trained from scratch on every label, for as long as the budget allows, misses the threshold', () => {
  submit(ws, EXERCISE, 'finetune-scratch-cnn.ts');
  // One seed: three CNNs trained side by side on two cores would crowd the budget, and one seed makes the point.
  // The submission trains a fixed 15 epochs; a generous budget keeps a loaded machine from turning its miss
  // into a timeout (the verdict depends on the epochs, not on the clock).
  const { code, result } = check(['--seed', '1', '--timeout', '600']);
  expect(result.error).toBeNull();
  expect(code).toBe(1);
  expect(result.status).toBe('failed');
  const accuracy = result.metrics[0];
  expect(accuracy.name).toBe('accuracy');
  expect(accuracy.passed).toBe(false);
  expect(accuracy.value).toBeLessThan(accuracy.min!);
  // It learned something: the gap is the pretrained features, not a broken submission.
  expect(accuracy.value).toBeGreaterThan(0.5);
});

test('the frozen pretrained base with a new head passes', () => {
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
