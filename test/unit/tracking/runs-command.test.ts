/**
 * `mlpath runs`: the command's data (which runs, in which order, which
 * params are worth a column) and the reporter's table, on a workspace whose
 * mlruns folder was written by the tracker.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run } from '../../../src/commands/runs';
import { loadCurriculum } from '../../../src/curriculum';
import { UsageError } from '../../../src/errors';
import { formatRuns } from '../../../src/reporters/runs';
import { CHOSEN_TAG, FileTracker } from '../../../src/tracking';

let ws: string;
beforeEach(() => {
  ws = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpath-runs-'));
  const c = loadCurriculum();
  fs.writeFileSync(path.join(ws, 'mlpath.json'), JSON.stringify({ curriculum: c.id, curriculumVersion: c.version }));
});
afterEach(() => fs.rmSync(ws, { recursive: true, force: true }));

async function record(
  checkId: string,
  runs: { lr: number; acc: number; chosen?: boolean }[],
  start: number,
): Promise<void> {
  let now = start;
  const t = new FileTracker({
    root: path.join(ws, 'month4', 'tracking', 'mlruns'),
    experimentName: 'month4/tracking',
    checkId,
    userId: 'alice',
    clock: () => now,
  });
  for (const r of runs) {
    now += 1000;
    await t.withRun({ name: `lr=${r.lr}` }, (tracked) => {
      tracked.logParams({ learning_rate: r.lr, epochs: 3 });
      tracked.logMetric('val_accuracy', r.acc - 0.1, 1);
      tracked.logMetric('val_accuracy', r.acc, 2);
      if (r.chosen) tracked.setTag(CHOSEN_TAG, 'true');
    });
  }
}

describe('mlpath runs', () => {
  it('says where runs will come from when there are none', async () => {
    const result = await run({ cwd: ws });
    expect(result.experiments).toEqual([]);
    expect(result.trackingExercises).toContain('month4/tracking');
    expect(formatRuns(result, false)).toMatch(/No tracked runs .*\nnext: `mlpath check month4\/tracking`/);
  });

  it('lists runs newest first, numbers the checks and keeps only varying params as columns', async () => {
    await record(
      'a',
      [
        { lr: 0.1, acc: 0.8, chosen: true },
        { lr: 0.01, acc: 0.7 },
      ],
      1_700_000_000_000,
    );
    await record('b', [{ lr: 0.001, acc: 0.9, chosen: true }], 1_700_000_100_000);
    const result = await run({ cwd: ws });
    expect(result.experiments).toHaveLength(1);
    const e = result.experiments[0];
    expect(e).toMatchObject({
      exercise: 'month4/tracking',
      experimentName: 'month4/tracking',
      total: 3,
      varying: ['learning_rate'],
      constant: { epochs: '3' },
      metricKeys: ['val_accuracy'],
    });
    expect(e.mlruns).toBe('month4/tracking/mlruns');
    expect(e.runs.map((r) => [r.name, r.checkNumber, r.chosen])).toEqual([
      ['lr=0.001', 2, true],
      ['lr=0.01', 1, false],
      ['lr=0.1', 1, true],
    ]);
    expect(e.runs[0].metrics.val_accuracy).toBeCloseTo(0.9);
    expect(e.runs[0].points.val_accuracy).toBe(2);

    const text = formatRuns(result, false);
    const lines = text.split('\n');
    const header = lines.find((l) => l.includes('status'))!;
    expect(header).toMatch(/run\s+status\s+check\s+started\s+learning_rate\s+val_accuracy/);
    expect(lines.find((l) => l.includes('lr=0.001'))).toMatch(
      /^\s+\*\s+lr=0\.001\s+FINISHED\s+#2 .* 0\.001\s+0\.9000$/,
    );
    expect(text).toMatch(/same in every run: epochs=3/);
    expect(text).toMatch(/mlflow ui --backend-store-uri \.\/mlruns/);
  });

  it('sorts by a metric, highest or lowest first, and limits the rows', async () => {
    await record(
      'a',
      [
        { lr: 0.1, acc: 0.8 },
        { lr: 0.01, acc: 0.95 },
        { lr: 0.001, acc: 0.6 },
      ],
      1_700_000_000_000,
    );
    const high = await run({ cwd: ws, sort: 'val_accuracy', limit: 2 });
    expect(high.experiments[0].runs.map((r) => r.name)).toEqual(['lr=0.01', 'lr=0.1']);
    expect(high.experiments[0].total).toBe(3);
    expect(formatRuns(high, false)).toMatch(/2 of 3 runs/);
    const low = await run({ cwd: ws, sort: '-val_accuracy' });
    expect(low.experiments[0].runs.map((r) => r.name)).toEqual(['lr=0.001', 'lr=0.1', 'lr=0.01']);
    const unknown = await run({ cwd: ws, sort: 'f1' });
    expect(unknown.unknownSort).toBe('f1');
    expect(formatRuns(unknown, false)).toMatch(/no run logged a metric named f1/);
  });

  it('narrows to one exercise, from --exercise or from the folder it runs in', async () => {
    await record('a', [{ lr: 0.1, acc: 0.8 }], 1_700_000_000_000);
    expect((await run({ cwd: ws, exercise: 'month4/tracking' })).searched).toEqual(['month4/tracking']);
    fs.mkdirSync(path.join(ws, 'month4', 'drift'), { recursive: true });
    const inDrift = await run({ cwd: path.join(ws, 'month4', 'drift') });
    expect(inDrift.searched).toEqual(['month4/drift']);
    expect(inDrift.experiments).toEqual([]);
    await expect(run({ cwd: ws, exercise: 'month9/nope' })).rejects.toThrow(/unknown exercise/);
    await expect(run({ cwd: ws, limit: 0 })).rejects.toBeInstanceOf(UsageError);
  });
});
