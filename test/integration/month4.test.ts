/**
 * Month 4 through the built CLI: the tracking kind (a sweep written into the
 * exercise's mlruns/, the only folder the learner process may write), the
 * data-versioning suite's fixture folders (readable by the learner process,
 * nothing else is), and the drift suite's rate metrics.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listExperiments, listRuns } from '../../src/tracking';
import { makeWorkspace, parseReport, ROOT, runCli, type JsonResult } from '../helpers/cli';

let ws: string;
beforeAll(() => {
  ws = makeWorkspace();
});

function check(id: string, ...extra: string[]): JsonResult {
  const run = runCli(['check', id, '--json', ...extra], ws);
  return parseReport(run.stdout).results[0];
}

function write(id: string, file: string, source: string): void {
  fs.writeFileSync(path.join(ws, ...id.split('/'), file), source);
}

function useSolution(id: string, file: string): void {
  fs.copyFileSync(path.join(ROOT, 'solutions', ...id.split('/'), file), path.join(ws, ...id.split('/'), file));
}

const metric = (r: JsonResult, name: string): number | null | undefined =>
  r.metrics.find((m) => m.name === name)?.value;

const RECORD_LOCK = "run.setTag('mlpath.data_lock', dataLock([data.xTrain, data.yTrain, data.xVal!, data.yVal!]));";

/**
 * A quick sweep (two epochs, 16 units) whose last line decides which model comes back; each run
 * records its data lock with `lockLine` (`dataLock(tensors, paths?)` hashes tensors as the lock's files).
 */
function quickSweep(returnLine: string, extra = '', lockLine = RECORD_LOCK): string {
  return `
import { createHash } from 'node:crypto';
import type { TrackingContext, Predictor, TrackedRun } from 'mlpath';
function dataLock(tensors: any[], paths = ['train/x', 'train/y', 'val/x', 'val/y']): string {
  const sha = (b: string | Uint8Array) => createHash('sha256').update(b).digest('hex');
  let manifest = '';
  tensors.forEach((t, i) => {
    const v = t.dataSync();
    manifest += sha(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) + '  ' + paths[i] + '\\n';
  });
  return sha(manifest);
}
export default async function train(ctx: TrackingContext): Promise<Predictor> {
  const { tf, data } = ctx;
  const kept: { run: TrackedRun; model: any }[] = [];
  for (const lr of [0.0003, 0.001, 0.003, 0.01]) {
    const run = ctx.tracker.startRun({ name: 'lr=' + lr });
    run.logParam('learning_rate', lr);
    ${lockLine}
    const model = tf.sequential();
    model.add(tf.layers.dense({ inputShape: [784], units: 16, activation: 'relu' }));
    model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
    model.compile({ optimizer: tf.train.adam(lr), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    await model.fit(data.xTrain, tf.oneHot(data.yTrain.toInt(), 10), {
      epochs: 2, batchSize: 128, verbose: 0,
      validationData: [data.xVal!, tf.oneHot(data.yVal!.toInt(), 10)],
      callbacks: { onEpochEnd: async (epoch, logs) => run.logMetrics({ val_accuracy: logs?.val_acc }, epoch + 1) },
    });
    await run.logModel(model);
    run.end();
    kept.push({ run, model });
  }
  ${extra}
  const byVal = ctx.tracker.runs().map((r) => r.metrics.val_accuracy);
  const best = byVal.indexOf(Math.max(...byVal));
  ${returnLine}
}
`;
}

describe('month4/tracking', () => {
  const id = 'month4/tracking';

  test('the starter fails on the sweep and says what is missing', () => {
    const r = check(id);
    expect(r.status).toBe('failed');
    expect(metric(r, 'sweep_runs')).toBe(0);
    expect(r.output).toMatch(/no runs were logged/);
    expect(r.output).toMatch(/no run is marked as chosen/);
  });

  test("the reference sweep passes, leaves MLflow's layout in mlruns/, and `mlpath runs` compares it", () => {
    useSolution(id, 'train.ts');
    const r = check(id);
    expect(r.status).toBe('passed');
    expect(metric(r, 'accuracy')).toBeGreaterThanOrEqual(0.89);
    expect(metric(r, 'sweep_runs')).toBeGreaterThanOrEqual(4);
    expect(metric(r, 'chosen_best_on_val')).toBe(1);

    const root = path.join(ws, 'month4', 'tracking', 'mlruns');
    const exp = listExperiments(root).find((e) => e.name === id)!;
    expect(fs.existsSync(path.join(root, '0', 'meta.yaml'))).toBe(true);
    const runs = listRuns(root, exp.experimentId);
    expect(runs.length).toBeGreaterThanOrEqual(4);
    for (const run of runs) {
      expect(run.status).toBe('FINISHED');
      expect(fs.readFileSync(path.join(root, exp.experimentId, run.runId, 'meta.yaml'), 'utf8')).toMatch(
        new RegExp(`^artifact_uri: mlruns/${exp.experimentId}/${run.runId}/artifacts\nend_time: \\d+\n`),
      );
      expect(run.metrics.val_accuracy.length).toBeGreaterThanOrEqual(2);
    }
    expect(runs.filter((run) => run.tags['mlpath.chosen'] === 'true')).toHaveLength(1);
    // Every run records the lock of the data it trained on, the same for all: one check hands over one split.
    expect(new Set(runs.map((run) => run.tags['mlpath.data_lock'])).size).toBe(1);
    expect(runs[0].tags['mlpath.data_lock']).toMatch(/^[0-9a-f]{64}$/);

    const listing = runCli(['runs', '--exercise', id, '--sort', 'val_accuracy'], ws);
    expect(listing.code).toBe(0);
    expect(listing.stdout).toMatch(/experiment month4\/tracking \(\d+ runs/);
    const firstRow = listing.stdout.split('\n').find((l) => /FINISHED/.test(l))!;
    expect(firstRow.trim().startsWith('*')).toBe(true);
    const json = JSON.parse(runCli(['runs', '--json'], ws).stdout);
    expect(json.experiments[0].runs.length).toBe(runs.length);
  });

  test("returning another run's model than the one marked chosen fails", () => {
    write(
      id,
      'train.ts',
      quickSweep(`
  kept[best].run.setTag('mlpath.chosen', 'true');
  return kept[(best + 1) % kept.length].model;`),
    );
    const r = check(id);
    expect(r.status).toBe('failed');
    expect(metric(r, 'chosen_best_on_val')).toBe(0);
    expect(r.output).toMatch(
      /the model you returned scores accuracy .* on the validation set, but the chosen run lr=[\d.]+ logged val_accuracy/,
    );
  });

  test('marking a run that is not the best on validation fails', () => {
    write(
      id,
      'train.ts',
      quickSweep(`
  const worst = byVal.indexOf(Math.min(...byVal));
  kept[worst].run.setTag('mlpath.chosen', 'true');
  return kept[worst].model;`),
    );
    const r = check(id);
    expect(r.status).toBe('failed');
    expect(r.output).toMatch(/choose by the validation metric, highest wins/);
  });

  test('a run without the data lock, or with the lock of other data, is refused and named', () => {
    write(
      id,
      'train.ts',
      quickSweep(
        `
  kept[best].run.setTag('mlpath.chosen', 'true');
  return kept[best].model;`,
        '',
        `if (lr === 0.001) run.setTag('mlpath.data_lock', dataLock([data.xTrain, data.yTrain], ['train/x', 'train/y']));
    else if (lr === 0.003) run.setTag('mlpath.data_lock', dataLock([data.yTrain, data.xTrain, data.yVal!, data.xVal!]));
    else if (lr !== 0.0003) ${RECORD_LOCK}`,
      ),
    );
    const r = check(id);
    expect(r.status).toBe('failed');
    expect(metric(r, 'sweep_runs')).toBe(1);
    expect(r.output).toContain(
      "run lr=0.0003 recorded no data lock: tag each run with the lock hash of the data it trained on, run.setTag('mlpath.data_lock', hash)",
    );
    // The grader's own lock of what it handed over: the training part alone, or the files under swapped names, differ.
    // The expected hash is never shown: a refusal that printed it could be pasted into the next check.
    const wrong = [
      ...(r.output ?? '').matchAll(
        /run lr=(0\.00[13]) recorded data lock "([0-9a-f]{64})", which is not the lock of the data this check handed to train\(\) \(the expected hash is not shown/g,
      ),
    ];
    expect(wrong.map((m) => m[1]).sort()).toEqual(['0.001', '0.003']);
    const root = path.join(ws, 'month4', 'tracking', 'mlruns');
    const exp = listExperiments(root).find((e) => e.name === id)!;
    const locks = listRuns(root, exp.experimentId).map((run) => run.tags['mlpath.data_lock']);
    // The runs that recorded the right lock share it, and the refused ones recorded something else.
    const right = locks.filter((l) => l && !wrong.some((m) => m[2] === l));
    expect(new Set(right).size).toBe(1);
    expect(r.output).not.toContain(right[0]);
  });

  test('the learner process may write in mlruns/ and nowhere else', () => {
    write(
      id,
      'train.ts',
      quickSweep(
        `
  return kept[best].model;`,
        `require('node:fs').writeFileSync(require('node:path').join(ctx.tracker.root, '..', 'escaped.txt'), 'x');`,
      ),
    );
    const r = check(id);
    expect(r.status).toBe('error');
    expect(r.error?.message).toMatch(/tried to reach something graded code may not use/);
    expect(fs.existsSync(path.join(ws, 'month4', 'tracking', 'escaped.txt'))).toBe(false);
  });
});

describe('month4/data-versioning', () => {
  const id = 'month4/data-versioning';

  test('the starter fails case by case; the reference reads the fixture folders and passes', () => {
    const starter = check(id);
    expect(starter.status).toBe('failed');
    expect(starter.output).toMatch(/^2\/18 cases passed/);
    useSolution(id, 'data.ts');
    const r = check(id);
    expect(r.status).toBe('passed');
    expect(metric(r, 'cases_passed')).toBe(1);
  });

  test('files outside the exercise folder and the fixtures stay unreadable', () => {
    write(
      id,
      'data.ts',
      fs
        .readFileSync(path.join(ws, 'month4', 'data-versioning', 'data.ts'), 'utf8')
        .replace(
          'export function fingerprint(dir: string): Lock {',
          `export function fingerprint(dir: string): Lock {\n  require('node:fs').readFileSync(${JSON.stringify(path.join(ws, 'mlpath.json'))});`,
        ),
    );
    const r = check(id);
    expect(r.status).toBe('failed');
    expect(r.output).toMatch(
      /fingerprint: the dataset folder: threw: tried to reach something graded code may not use/,
    );
  });
});

describe('month4/drift', () => {
  const id = 'month4/drift';

  test('the starter never alarms; the reference detects and says so in rates', () => {
    const starter = check(id);
    expect(starter.status).toBe('failed');
    expect(metric(starter, 'detection_rate')).toBe(0);
    expect(metric(starter, 'detection_delay')).toBeNull();
    expect(starter.output).toMatch(/detected: sudden 0\/8/);
    useSolution(id, 'drift.ts');
    const r = check(id);
    expect(r.status).toBe('passed');
    expect(metric(r, 'detection_rate')).toBeGreaterThanOrEqual(0.9);
    expect(metric(r, 'false_alarm_rate')).toBeLessThanOrEqual(0.05);
  });

  test('an answer that is not a report fails the check even if the rates would pass', () => {
    write(
      id,
      'drift.ts',
      fs
        .readFileSync(path.join(ROOT, 'solutions', 'month4', 'drift', 'drift.ts'), 'utf8')
        .replace(
          'return { drift: worst.p < ALPHA / tests.length, feature: worst.feature, pValue: worst.p };',
          "return (current.x.length === 200 && current.y[0] === 0 && current.y[1] === 1 && current.y[2] === 1 ? 'maybe' : { drift: worst.p < ALPHA / tests.length }) as unknown as DriftReport;",
        ),
    );
    const r = check(id);
    expect(r.status).toBe('failed');
    expect(r.output).toMatch(
      /detectDrift: stream \d+, rows \d+-\d+: returned "maybe"; return \{ drift: true \} or \{ drift: false \}/,
    );
  });
});
