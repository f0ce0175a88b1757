/**
 * month3/nlp-embeddings through the built CLI, in a workspace started with
 * the nlp track: the track gets all its exercises, the starter fails, the
 * reference passes, and the cheap submissions fail for the right reason (a
 * bag of words trains too few values, a frozen embedding trains none, an
 * embedding trained beside a bag of words that answers is not relied on).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseReport, ROOT, runCli, submit, tempDir, type JsonResult } from '../helpers/cli';

jest.setTimeout(600_000);

const ID = 'month3/nlp-embeddings';
let ws = '';

beforeAll(() => {
  ws = path.join(tempDir(), 'ws');
  const r = runCli(['start', ws, '--yes', '--track', 'nlp'], ROOT);
  if (r.code !== 0) throw new Error(`mlpath start --track nlp failed: ${r.stderr}`);
});

function check(): { result: JsonResult; code: number | null } {
  const run = runCli(['check', ID, '--json'], ws);
  return { result: parseReport(run.stdout).results[0], code: run.code };
}

function metric(result: JsonResult, name: string) {
  const found = result.metrics.find((m) => m.name === name);
  if (!found) throw new Error(`no metric ${name} in ${JSON.stringify(result.metrics)}`);
  return found;
}

test('the nlp track gets the nlp exercises and no other track', () => {
  for (const id of ['nlp', 'nlp-embeddings', 'nlp-errors']) {
    expect(fs.existsSync(path.join(ws, 'month3', id, 'README.md'))).toBe(true);
  }
  expect(fs.existsSync(path.join(ws, 'month3', 'tabular'))).toBe(false);
});

test('the starter runs and fails on F1', () => {
  const { result, code } = check();
  expect(result.error).toBeNull();
  expect(code).toBe(1);
  expect(metric(result, 'f1').passed).toBe(false);
});

test('a bag of words passes F1 but trains too few values', () => {
  submit(ws, ID, 'nlp-embeddings-bag-of-words.ts');
  const { result } = check();
  expect(result.status).toBe('failed');
  expect(metric(result, 'f1').passed).toBe(true);
  expect(metric(result, 'trained_weights').passed).toBe(false);
});

test('a frozen random embedding under a trained unit trains too few values', () => {
  submit(ws, ID, 'nlp-embeddings-frozen.ts');
  const { result } = check();
  expect(result.status).toBe('failed');
  expect(metric(result, 'trained_weights').passed).toBe(false);
});

test('an embedding trained for show beside a bag of words fails reliance', () => {
  submit(ws, ID, 'nlp-embeddings-beside.ts');
  const { result } = check();
  expect(result.status).toBe('failed');
  expect(metric(result, 'f1').passed).toBe(true);
  expect(metric(result, 'trained_weights').passed).toBe(true);
  expect(JSON.stringify(result)).toContain('does not rely on what the optimizer trained');
});

test('the reference passes', () => {
  fs.copyFileSync(path.join(ROOT, 'solutions', ID, 'train.ts'), path.join(ws, ID, 'train.ts'));
  const { result, code } = check();
  expect(result.error).toBeNull();
  expect(code).toBe(0);
});
