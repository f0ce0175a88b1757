/**
 * The tracker learner code uses (ctx.tracker), the models its runs log, and
 * the audit of the sweep it records, on real files in a temporary mlruns folder.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Tensor } from '@tensorflow/tfjs';
import { initBackend } from '../../../src/backend/init';
import { loadModel } from '../../../src/serving/model-io';
import {
  auditSweep,
  CHECK_TAG,
  CHOSEN_TAG,
  FileTracker,
  listExperiments,
  listRuns,
  MODEL_ARTIFACT,
  type RunRecord,
  type SweepRules,
} from '../../../src/tracking';

const RULES: SweepRules = { metric: 'val_accuracy', goal: 'max', minRuns: 4, minSteps: 2 };

let root: string;
beforeEach(() => {
  root = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mlpath-tracker-')), 'mlruns');
});
afterEach(() => fs.rmSync(path.dirname(root), { recursive: true, force: true }));

function tracker(checkId = 'check-1'): FileTracker {
  return new FileTracker({ root, experimentName: 'month4/tracking', checkId, sourceName: 'train.ts', userId: 'alice' });
}

/** A sweep of finished runs, one per learning rate, with the given final validation accuracies. */
async function sweep(t: FileTracker, finals: number[], opts: { chosen?: number; steps?: number } = {}): Promise<void> {
  for (let i = 0; i < finals.length; i++) {
    await t.withRun({ name: `run-${i}` }, (run) => {
      run.logParams({ learning_rate: 10 ** -(i + 1), hidden_units: 32 });
      const steps = opts.steps ?? 3;
      for (let epoch = 1; epoch <= steps; epoch++)
        run.logMetrics({ loss: 1 / epoch, val_accuracy: finals[i] - (steps - epoch) * 0.01 }, epoch);
      if (opts.chosen === i) run.setTag(CHOSEN_TAG, 'true');
    });
  }
}

function checkRuns(checkId = 'check-1'): RunRecord[] {
  const exp = listExperiments(root).find((e) => e.name === 'month4/tracking')!;
  return listRuns(root, exp.experimentId).filter((r) => r.tags[CHECK_TAG] === checkId);
}

describe('FileTracker', () => {
  it('records runs with their params, per-step metrics and the tags MLflow shows', async () => {
    const t = tracker();
    await sweep(t, [0.8, 0.9], { chosen: 1 });
    const runs = t.runs();
    expect(runs.map((r) => [r.name, r.status])).toEqual([
      ['run-0', 'FINISHED'],
      ['run-1', 'FINISHED'],
    ]);
    expect(runs[1].params).toEqual({ learning_rate: '0.01', hidden_units: '32' });
    expect(runs[1].metrics.val_accuracy).toBeCloseTo(0.9);
    expect(runs[1].tags).toMatchObject({
      'mlflow.runName': 'run-1',
      'mlflow.user': 'alice',
      'mlflow.source.name': 'train.ts',
      'mlflow.source.type': 'LOCAL',
      [CHECK_TAG]: 'check-1',
      [CHOSEN_TAG]: 'true',
    });
    expect(checkRuns()[0].metrics.val_accuracy.map((p) => p.step)).toEqual([1, 2, 3]);
  });

  it('ends a run FAILED when its function throws, and rethrows', async () => {
    const t = tracker();
    await expect(
      t.withRun({ name: 'boom' }, () => {
        throw new Error('diverged');
      }),
    ).rejects.toThrow('diverged');
    expect(t.runs()[0].status).toBe('FAILED');
  });

  it("keeps each check's runs apart in one experiment", async () => {
    await sweep(tracker('old'), [0.7]);
    const t = tracker('new');
    t.startRun({ name: 'open' });
    expect(t.runs().map((r) => [r.name, r.status])).toEqual([['open', 'RUNNING']]);
    expect(listExperiments(root).filter((e) => e.name === 'month4/tracking')).toHaveLength(1);
  });

  it("logs a run's model into its artifacts in the TensorFlow.js layers format, and refuses what is not a model", async () => {
    const { tf } = await initBackend('cpu');
    const model = tf.sequential();
    model.add(
      tf.layers.dense({ inputShape: [3], units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
    );
    const t = tracker();
    await t.withRun({ name: 'with-model' }, async (run) => {
      await run.logModel(model);
      await expect(run.logModel({ predict: () => 0 } as never)).rejects.toThrow(/takes a tf\.LayersModel/);
    });
    const run = checkRuns()[0];
    const dir = path.join(root, run.experimentId, run.runId, 'artifacts', MODEL_ARTIFACT);
    expect(fs.readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']);
    const back = await loadModel(tf, dir);
    const x = tf.tensor2d([[1, 2, 3]]);
    expect(Array.from((back.predict(x) as Tensor).dataSync())).toEqual(
      Array.from((model.predict(x) as Tensor).dataSync()),
    );
  });

  it('refuses values MLflow would refuse', () => {
    const run = tracker().startRun();
    expect(() => run.logParam('lr', { a: 1 } as unknown as string)).toThrow(/string, number or boolean/);
    expect(() => run.logMetric('acc', '0.9' as unknown as number)).toThrow(/must be a number/);
    expect(() => run.end('DONE' as unknown as 'FINISHED')).toThrow(/FINISHED, FAILED or KILLED/);
  });
});

describe('auditSweep', () => {
  it('passes an honest sweep whose chosen run is the best on validation', async () => {
    await sweep(tracker(), [0.8, 0.93, 0.9, 0.85], { chosen: 1 });
    const audit = auditSweep(checkRuns(), RULES);
    expect(audit.problems).toEqual([]);
    expect(audit.distinctParams).toBe(4);
    expect(audit.chosenIsBest).toBe(true);
    expect(audit.chosen?.runName).toBe('run-1');
    expect(audit.chosenValue).toBeCloseTo(0.93);
  });

  it('fails a sweep that chose a run that is not the best on validation', async () => {
    await sweep(tracker(), [0.8, 0.93, 0.9, 0.85], { chosen: 2 });
    const audit = auditSweep(checkRuns(), RULES);
    expect(audit.chosenIsBest).toBe(false);
    expect(audit.problems.join('\n')).toMatch(/run-2 has val_accuracy 0\.9.*run-1 has 0\.93/);
  });

  it('counts only finished runs with params and a per-epoch history', async () => {
    const t = tracker();
    await sweep(t, [0.8, 0.9], { chosen: 1 });
    await sweep(t, [0.95], { steps: 1 });
    t.startRun({ name: 'forgotten' }).logParam('lr', 1);
    await t.withRun({ name: 'no-params' }, (run) => run.logMetrics({ val_accuracy: 0.5 }, 1));
    await t.withRun({ name: 'killed' }, (run) => run.end('KILLED'));
    const audit = auditSweep(checkRuns(), RULES);
    expect(audit.counted.map((r) => r.runName).sort()).toEqual(['run-0', 'run-1']);
    const text = audit.problems.join('\n');
    expect(text).toMatch(/logged val_accuracy at 1 step/);
    expect(text).toMatch(/forgotten is still RUNNING/);
    expect(text).toMatch(/no-params logged no params/);
    expect(text).toMatch(/2 counted runs with distinct params; it needs at least 4/);
    expect(audit.notes.join('\n')).toMatch(/ended KILLED/);
  });

  it('does not count a run the grader refused, and says why', async () => {
    await sweep(tracker(), [0.8, 0.93, 0.9, 0.85], { chosen: 1 });
    const runs = checkRuns();
    // By name: runs started in the same millisecond list in the order of their random ids.
    const refused = new Map([[runs.find((r) => r.runName === 'run-1')!.runId, 'logged no model']]);
    const audit = auditSweep(runs, { ...RULES, refused });
    expect(audit.counted.map((r) => r.runName).sort()).toEqual(['run-0', 'run-2', 'run-3']);
    const text = audit.problems.join('\n');
    expect(text).toMatch(/run run-1 logged no model/);
    expect(text).toMatch(/3 counted runs with distinct params; it needs at least 4/);
    expect(text).toMatch(/the chosen run run-1 is not a counted run/);
    expect(audit.chosenIsBest).toBe(false);
  });

  it('wants exactly one chosen run', async () => {
    const t = tracker();
    await sweep(t, [0.8, 0.9, 0.85, 0.7]);
    expect(auditSweep(checkRuns(), RULES).problems.join('\n')).toMatch(/no run is marked as chosen/);
    for (const r of checkRuns().slice(0, 2))
      fs.writeFileSync(path.join(root, r.experimentId, r.runId, 'tags', CHOSEN_TAG), 'true');
    expect(auditSweep(checkRuns(), RULES).problems.join('\n')).toMatch(/2 runs are tagged mlpath\.chosen=true/);
  });

  it('counts repeated params once and lowest wins for a metric to minimise', async () => {
    const t = tracker();
    for (const [lr, loss] of [
      [0.1, 0.5],
      [0.1, 0.4],
      [0.01, 0.3],
    ] as const) {
      await t.withRun({}, (run) => {
        run.logParam('lr', lr);
        run.logMetric('val_loss', loss + 0.1, 1);
        run.logMetric('val_loss', loss, 2);
        if (loss === 0.3) run.setTag(CHOSEN_TAG, 'true');
      });
    }
    const audit = auditSweep(checkRuns(), { metric: 'val_loss', goal: 'min', minRuns: 2, minSteps: 2 });
    expect(audit.distinctParams).toBe(2);
    expect(audit.notes.join('\n')).toMatch(/repeat the params/);
    expect(audit.chosenIsBest).toBe(true);
    expect(audit.problems).toEqual([]);
  });
});
