/**
 * month4/capstone through the built CLI: the chain runs over the real channel
 * (each stage's arguments made from the answer before it, in the grader's
 * process), the starter fails in every stage, the reference passes with the
 * R² the grader computes on its held-out workers, and a model fitted on the
 * validation rows too fails in the train stage only.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeWorkspace, parseReport, ROOT, runCli, type JsonResult } from '../helpers/cli';

const id = 'month4/capstone';
let ws: string;
beforeAll(() => {
  ws = makeWorkspace();
});

function check(): JsonResult {
  return parseReport(runCli(['check', id, '--json'], ws).stdout).results[0];
}

const entry = (): string => path.join(ws, 'month4', 'capstone', 'capstone.ts');
const reference = (): string =>
  fs.readFileSync(path.join(ROOT, 'solutions', 'month4', 'capstone', 'capstone.ts'), 'utf8');
const metric = (r: JsonResult, name: string): number | null | undefined =>
  r.metrics.find((m) => m.name === name)?.value;

test('the starter fails in every stage and gets no held-out score', () => {
  const r = check();
  expect(r.status).toBe('failed');
  expect(metric(r, 'r2')).toBeNull();
  expect(r.output).toMatch(/stages: clean 0\/1, lock 0\/1, train 0\/3, registry \d\/3, serve \d+\/19, monitor \d+\/14/);
});

test('the reference passes, scored on the held-out workers', () => {
  fs.writeFileSync(entry(), reference());
  const r = check();
  expect(r.status).toBe('passed');
  expect(metric(r, 'cases_passed')).toBe(1);
  expect(metric(r, 'r2')).toBeGreaterThan(0.15);
});

test('a fit on the validation rows too fails in the train stage, naming it', () => {
  fs.writeFileSync(
    entry(),
    reference().replace('const model = fitRidge(trainRows, L2);', 'const model = fitRidge(rows, L2);'),
  );
  const r = check();
  expect(r.status).toBe('failed');
  expect(r.output).toMatch(/stages: clean 1\/1, lock 1\/1, train 2\/3, registry 3\/3, serve 19\/19, monitor 14\/14/);
  expect(r.output).toMatch(
    /stage 3 \(train\): train never learns from the validation rows .*: it was fitted on validation rows/,
  );
});
