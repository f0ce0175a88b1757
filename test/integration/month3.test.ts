/**
 * The month 3 domain tracks through the built CLI, one workspace per track:
 * each starter fails, each reference passes, the text contract of the train
 * kind holds (strings in, labels kept by the grader), raw features cannot
 * reach the tabular threshold, and a recommender without factors cannot
 * reach the ranking ones.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseReport, ROOT, runCli, submit, tempDir, type JsonResult } from '../helpers/cli';
import { loadCurriculum } from '../../src/curriculum';

const curriculum = loadCurriculum();
const workspaces = new Map<string, string>();

function workspace(track: string): string {
  let ws = workspaces.get(track);
  if (!ws) {
    ws = path.join(tempDir(), 'ws');
    const r = runCli(['start', ws, '--yes', '--track', track], ROOT);
    if (r.code !== 0) throw new Error(`mlpath start --track ${track} failed: ${r.stderr}`);
    workspaces.set(track, ws);
  }
  return ws;
}

function check(exercise: string): { result: JsonResult; code: number | null } {
  const ws = workspace(exercise.split('/')[1]);
  const run = runCli(['check', exercise, '--json'], ws);
  return { result: parseReport(run.stdout).results[0], code: run.code };
}

function useReference(exercise: string): void {
  const ws = workspace(exercise.split('/')[1]);
  fs.copyFileSync(path.join(ROOT, 'solutions', exercise, 'train.ts'), path.join(ws, exercise, 'train.ts'));
}

function metric(result: JsonResult, name: string) {
  const found = result.metrics.find((m) => m.name === name);
  if (!found) throw new Error(`no metric ${name} in ${JSON.stringify(result.metrics)}`);
  return found;
}

function exercise(key: string) {
  return curriculum.exercises.find((e) => e.key === key)!;
}

describe('month3/nlp', () => {
  test('each track scaffolds its own exercise only', () => {
    expect(fs.existsSync(path.join(workspace('nlp'), 'month3', 'nlp', 'README.md'))).toBe(true);
    expect(fs.existsSync(path.join(workspace('nlp'), 'month3', 'recsys'))).toBe(false);
  });

  test('the keyword-rule starter runs and fails on F1', () => {
    const { result, code } = check('month3/nlp');
    expect(code).toBe(1);
    expect(result.status).toBe('failed');
    expect(metric(result, 'f1').passed).toBe(false);
    expect(metric(result, 'f1').value).toBeGreaterThan(0);
  });

  test('texts arrive as strings aligned with the labels, and predict() gets the held-out texts', () => {
    submit(workspace('nlp'), 'month3/nlp', 'month3-nlp-contract.ts');
    const { result } = check('month3/nlp');
    expect(result.error).toBeNull();
    expect(result.status).toBe('failed');
    // All ham: no spam predicted, so F1 of the spam class is 0.
    expect(metric(result, 'f1').value).toBe(0);
    const split = exercise('month3/nlp').dataset!.split;
    const total = 6046;
    const test = Math.round(total * split.test);
    const val = Math.round(total * split.val);
    expect(result.output).toContain(
      `textTrain ${total - test - val} strings, textVal ${val} strings, xTrain [${total - test - val}, 0]`,
    );
    expect(result.output).toContain(`predict got ${test} strings`);
  });

  test('the reference bag of words passes', () => {
    useReference('month3/nlp');
    const { result, code } = check('month3/nlp');
    expect(result.error).toBeNull();
    expect(code).toBe(0);
    expect(metric(result, 'f1').passed).toBe(true);
  });
});

describe('month3/tabular', () => {
  test('the starter, a linear model on the raw columns, misses both thresholds', () => {
    const { result, code } = check('month3/tabular');
    expect(code).toBe(1);
    expect(result.status).toBe('failed');
    expect(result.metrics.every((m) => !m.passed)).toBe(true);
  });

  test('raw columns with a log-price target still cannot reach the threshold', () => {
    submit(workspace('tabular'), 'month3/tabular', 'month3-tabular-raw.ts');
    const { result } = check('month3/tabular');
    expect(result.error).toBeNull();
    expect(result.status).toBe('failed');
    expect(metric(result, 'rmse').passed).toBe(false);
  });

  test('a network is forbidden: the model stays linear', () => {
    submit(workspace('tabular'), 'month3/tabular', 'month3-tabular-mlp.ts');
    const { result } = check('month3/tabular');
    expect(result.status).toBe('error');
    expect(result.error?.kind).toBe('forbidden-api');
  });

  test('engineered features on the same linear model pass', () => {
    useReference('month3/tabular');
    const { result, code } = check('month3/tabular');
    expect(result.error).toBeNull();
    expect(code).toBe(0);
    expect(result.metrics.every((m) => m.passed)).toBe(true);
  });
});

describe('month3/recsys', () => {
  test('the mean-rating starter fails every metric', () => {
    const { result, code } = check('month3/recsys');
    expect(code).toBe(1);
    // the scored metrics, then the lesson's: a starter that takes no step shows no trained weights
    expect(result.metrics.map((m) => m.name)).toEqual([
      'rmse',
      'recall_at_k',
      'ndcg_at_k',
      'optimizer_steps',
      'epochs',
    ]);
    expect(result.metrics.every((m) => !m.passed)).toBe(true);
  });

  test('biases without factors improve on the mean but fail: ranking needs taste, not popularity', () => {
    const starter = check('month3/recsys').result;
    submit(workspace('recsys'), 'month3/recsys', 'month3-recsys-biases.ts');
    const { result } = check('month3/recsys');
    expect(result.error).toBeNull();
    expect(result.status).toBe('failed');
    expect(metric(result, 'rmse').value!).toBeLessThan(metric(starter, 'rmse').value!);
    expect(metric(result, 'ndcg_at_k').value!).toBeGreaterThan(metric(starter, 'ndcg_at_k').value!);
    expect(result.metrics.every((m) => !m.passed)).toBe(true);
  });

  test('matrix factorisation passes on held-out ratings and rankings', () => {
    useReference('month3/recsys');
    const { result, code } = check('month3/recsys');
    expect(result.error).toBeNull();
    expect(code).toBe(0);
    expect(result.metrics.every((m) => m.passed)).toBe(true);
  });
});
