/**
 * month2/trees through the built CLI: boost must be boosted stumps, not any
 * model that scores as well. A logistic regression in boost's place
 * (test/fixtures/submissions/lesson-trees-logistic.ts) passed seed 1 on its
 * scores alone; the grader now probes the shape of boost's answers (flat
 * between training values, few steps, additive over columns) and refuses it
 * on every seed, naming what a sum of stumps is. The reference still passes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeWorkspace, parseReport, ROOT, runCli, SUBMISSIONS, type JsonResult } from '../helpers/cli';

const id = 'month2/trees';
let ws: string;
beforeAll(() => {
  ws = makeWorkspace();
});

function check(source: string, seed: number): JsonResult {
  fs.copyFileSync(source, path.join(ws, 'month2', 'trees', 'trees.ts'));
  const run = runCli(['check', id, '--json', '--seed', String(seed), '--no-record'], ws);
  return parseReport(run.stdout).results[0];
}

describe('month2/trees: boost is a sum of stumps, whatever else scores as well', () => {
  test.each([1, 3])(
    "a logistic regression in boost's place fails on seed %i, as not a sum of stumps",
    (seed) => {
      const r = check(path.join(SUBMISSIONS, 'lesson-trees-logistic.ts'), seed);
      expect(r.status).toBe('failed');
      const shape = (r.output ?? '')
        .split('\n')
        .filter((l) =>
          /^boost: trained on every training row with .*: the held-out rows, and a sum of stumps' shape: /.test(l),
        );
      expect(shape).toHaveLength(3);
      for (const line of shape)
        expect(line).toMatch(
          /: not a sum of stumps: along column \d+ your answer changes 3 times between \S+ and \S+ \(\S+ to \S+\), with no training value between them; .*fit a stump to the residuals and add it/,
        );
    },
    120_000,
  );

  test('the reference passes', () => {
    const r = check(path.join(ROOT, 'solutions', 'month2', 'trees', 'trees.ts'), 3);
    expect(r.metrics.find((m) => m.name === 'cases_passed')?.value).toBe(1);
    expect(r.status).toBe('passed');
  }, 120_000);
});
