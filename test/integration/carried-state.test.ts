/**
 * What the grader hands back to learner code from one call to the next (a
 * monitor's state) has a size cap, through the built CLI: a 20 MB state per
 * tick (test/fixtures/submissions/adv-monitoring-huge-state.ts) ran to the
 * time budget with gigabytes held; now the check stops at the first such
 * state and says its size, the cap and what to keep. The reference still
 * passes (`npm run verify:curriculum -- --only month4/monitoring`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeWorkspace, parseReport, runCli, SUBMISSIONS } from '../helpers/cli';

let ws: string;
beforeAll(() => {
  ws = makeWorkspace();
});

test('month4/monitoring: a 20 MB state stops the check at the first tick, naming its size, the cap and what to keep', () => {
  fs.copyFileSync(
    path.join(SUBMISSIONS, 'adv-monitoring-huge-state.ts'),
    path.join(ws, 'month4', 'monitoring', 'monitoring.ts'),
  );
  const run = runCli(['check', 'month4/monitoring', '--json', '--no-record'], ws);
  const result = parseReport(run.stdout).results[0];
  expect(result.status).toBe('error');
  expect(result.error?.kind).toBe('invalid-output');
  expect(result.error?.message).toMatch(
    /^the state update returned at stream 1, tick 1 takes 20\.0 MB, more than the 1\.0 MB the grader carries from one call to the next: keep summaries in it \(counts per bin/,
  );
}, 120_000);
