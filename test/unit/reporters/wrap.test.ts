import chalk from 'chalk';
import { formatResult, metricTable } from '../../../src/reporters/terminal';
import { fitToWidth, fold, foldLines } from '../../../src/reporters/wrap';
import type { ExerciseResult } from '../../../src/grader/result';

const plain = new chalk.Instance({ level: 0 });
const width = (line: string): number => [...line].length;

test('prose folds at spaces to the width; continuation lines carry their indent', () => {
  const text = 'the loss barely moved over the whole run, so raise the learning rate or train for more epochs';
  const lines = foldLines(text, 30, '  ', '    ');
  expect(lines.length).toBeGreaterThan(2);
  for (const l of lines) expect(width(l)).toBeLessThanOrEqual(30);
  expect(lines[0].startsWith('  the')).toBe(true);
  for (const l of lines.slice(1)) expect(l).toMatch(/^ {4}\S/);
  expect(lines.map((l) => l.trim()).join(' ')).toBe(text);
});

test('a word longer than the width stays whole on its own line', () => {
  const path = 'month1/linear-regression/a/very/long/path/to/train.ts';
  expect(fold(`see ${path} now`, 20)).toBe(`see\n  ${path}\n  now`);
});

function longResult(): ExerciseResult {
  return {
    exercise: 'month1/linear-regression',
    status: 'failed',
    seed: 1,
    seeds: [1, 2, 3],
    seedRule: 'every-seed',
    backend: 'wasm',
    durationMs: 7100,
    error: null,
    output: 'the loss the grader computed, replaying the weights train() assigned through predict(), did not fall',
    metrics: [
      { name: 'descent_alignment', value: 0, values: [0, 0.1, 0.2], min: 0.95, passed: false, baseline: 0.01 },
      { name: 'rmse', value: 25.0058, values: [25.0058, 25.0058, 25.0058], max: 4.5, passed: false, baseline: 8.79 },
    ],
    diagnoses: [
      {
        id: 'underfitting',
        title: 'Underfitting: the loss barely moved',
        evidence: 'loss went from 584 at epoch 1 to 584 at epoch 500 (lowest 584), a drop of 0% over 11 logged steps.',
        next: 'raise the learning rate (try ten times it), train for more epochs, or add capacity (a hidden layer)',
      },
    ],
  };
}

test('on an 80-column terminal every line of a long result fits, and nothing is lost but the per-seed column', () => {
  const r = longResult();
  const text = formatResult(r, { color: false, cwd: '/', columns: 80 });
  for (const l of text.split('\n')) expect(width(l)).toBeLessThanOrEqual(80);
  const flat = text.replace(/\n\s*\|?\s+/g, ' ');
  expect(flat).toContain(r.diagnoses![0].evidence);
  expect(flat).toContain(r.output);
  expect(text).toMatch(/value \(worst seed\)/);
  expect(text).not.toMatch(/per seed/);
});

test('piped (no width), lines are left whole and the per-seed column stays', () => {
  const r = longResult();
  const text = formatResult(r, { color: false, cwd: '/' });
  expect(text).toContain(`    ${r.diagnoses![0].evidence}`);
  expect(metricTable(r.metrics, plain)[0]).toMatch(/per seed/);
});

test('fitToWidth folds only the lines wider than the terminal, indenting their continuations, and counts no colour codes', () => {
  const row = `  ${'\x1b[32m'}✔${'\x1b[39m'} month1/tensors   Tensors, broadcasting, softmax and more   passed, best cases_passed 1.0000`;
  const text = ['short line', row].join('\n');
  const fitted = fitToWidth(text, 60).split('\n');
  expect(fitted[0]).toBe('short line');
  for (const l of fitted) expect(l.replace(/\x1b\[[0-9;]*m/g, '').length).toBeLessThanOrEqual(60);
  for (const l of fitted.slice(2)) expect(l).toMatch(/^ {4}\S/);
  expect(fitToWidth(row, 200)).toBe(row);
});

test('a command in backticks is never split across lines', () => {
  const text = 'to retry, in the folder mlpath is installed in: `npm rebuild @tensorflow/tfjs-node` then check again';
  const lines = foldLines(text, 40);
  expect(lines.some((l) => l.includes('`npm rebuild @tensorflow/tfjs-node`'))).toBe(true);
  expect(lines.join(' ')).toBe(text);
});
