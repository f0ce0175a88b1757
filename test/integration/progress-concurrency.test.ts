/**
 * Progress that survives concurrency: ten `mlpath check` processes of the
 * built CLI record into one workspace at once (`watch` beside `check`, a
 * script in a loop) and every attempt is counted; a pass recorded among
 * failures that finish later is kept.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { harnessProcesses, makeWorkspace, ROOT, runCliAsync } from '../helpers/cli';

const EXERCISE = 'month1/tensors';

interface Entry {
  attempts: number;
  passed: boolean;
  firstPassedAt?: string;
  lastStatus?: string;
}

function entry(ws: string): Entry {
  return JSON.parse(fs.readFileSync(path.join(ws, '.mlpath', 'progress.json'), 'utf8')).exercises[EXERCISE];
}

describe('concurrent checks in one workspace', () => {
  let ws: string;

  beforeAll(() => {
    ws = makeWorkspace();
  });

  test('ten checks of the starter at once: ten attempts recorded', async () => {
    const runs = await Promise.all(Array.from({ length: 10 }, () => runCliAsync(['check', EXERCISE], ws)));
    // The starter fails; what matters is that each check ran to its verdict.
    for (const r of runs) expect(r.stderr).not.toMatch(/internal error|is held by/);
    expect(runs.map((r) => r.code)).toEqual(Array(10).fill(1));
    expect(entry(ws)).toMatchObject({ attempts: 10, passed: false });
    expect(fs.readdirSync(path.join(ws, '.mlpath')).filter((f) => f.startsWith('progress.json'))).toEqual([
      'progress.json',
    ]);
  }, 300000);

  test('a pass among nine failing checks at once survives them', async () => {
    // The passing check grades a twin folder whose .mlpath is this workspace's,
    // so one reference solution races nine starters in one progress store.
    const twin = path.join(path.dirname(ws), 'twin');
    fs.mkdirSync(path.join(twin, ...EXERCISE.split('/')), { recursive: true });
    fs.copyFileSync(path.join(ws, 'mlpath.json'), path.join(twin, 'mlpath.json'));
    fs.copyFileSync(
      path.join(ROOT, 'solutions', ...EXERCISE.split('/'), 'tensors.ts'),
      path.join(twin, ...EXERCISE.split('/'), 'tensors.ts'),
    );
    fs.symlinkSync(path.join(ws, '.mlpath'), path.join(twin, '.mlpath'));

    const runs = await Promise.all([
      runCliAsync(['check', EXERCISE], twin),
      ...Array.from({ length: 9 }, () => runCliAsync(['check', EXERCISE], ws)),
    ]);
    expect(runs.map((r) => r.code)).toEqual([0, ...Array(9).fill(1)]);
    const after = entry(ws);
    expect(after).toMatchObject({ attempts: 20, passed: true });
    expect(after.firstPassedAt).toBeDefined();

    // Later failures add attempts and move lastStatus, never the pass.
    await Promise.all(Array.from({ length: 2 }, () => runCliAsync(['check', EXERCISE], ws)));
    expect(entry(ws)).toMatchObject({
      attempts: 22,
      passed: true,
      firstPassedAt: after.firstPassedAt,
      lastStatus: 'failed',
    });
    expect(harnessProcesses()).toEqual([]);
  }, 300000);
});
