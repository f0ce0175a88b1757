/**
 * What the grader reads from the models runs logged, without running them:
 * a weights hash that gives away one model logged under several runs, and the
 * Dense layer widths a run's hidden-units param is held against.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import { initBackend } from '../../../src/backend/init';
import {
  auditAnswers,
  auditLoggedModels,
  CHECK_TAG,
  FileTracker,
  listExperiments,
  listRuns,
  MODEL_ARTIFACT,
  readLoggedModel,
  type LoggedModel,
  type RunRecord,
} from '../../../src/tracking';

let root: string;
let tf: typeof tfjs;
beforeAll(async () => {
  tf = (await initBackend('cpu')).tf;
});
beforeEach(() => {
  root = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mlpath-logged-')), 'mlruns');
});
afterEach(() => fs.rmSync(path.dirname(root), { recursive: true, force: true }));

function model(hidden: number, seed: number): tfjs.LayersModel {
  const m = tf.sequential();
  m.add(
    tf.layers.dense({
      inputShape: [6],
      units: hidden,
      activation: 'relu',
      kernelInitializer: tf.initializers.glorotUniform({ seed }),
    }),
  );
  m.add(
    tf.layers.dense({
      units: 3,
      activation: 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
    }),
  );
  return m;
}

/** Logs one run per entry, each with its params and model; returns the runs and what the grader reads of their models. */
async function logRuns(
  entries: { params: Record<string, number>; model: tfjs.LayersModel }[],
): Promise<{ runs: RunRecord[]; models: Map<string, LoggedModel> }> {
  const t = new FileTracker({
    root,
    experimentName: 'month4/tracking',
    checkId: 'c',
    sourceName: 'train.ts',
    userId: 'u',
  });
  for (const [i, e] of entries.entries()) {
    await t.withRun({ name: `run-${i}` }, async (run) => {
      run.logParams(e.params);
      await run.logModel(e.model);
    });
  }
  const exp = listExperiments(root).find((x) => x.name === 'month4/tracking')!;
  // In logging order: runs started in the same millisecond would list in the order of their random ids.
  const runs = listRuns(root, exp.experimentId)
    .filter((r) => r.tags[CHECK_TAG] === 'c')
    .sort((a, b) => a.runName.localeCompare(b.runName));
  const models = new Map<string, LoggedModel>();
  for (const r of runs) {
    const read = readLoggedModel(path.join(root, r.experimentId, r.runId, 'artifacts', MODEL_ARTIFACT));
    if (read) models.set(r.runId, read);
  }
  return { runs, models };
}

test('a logged model is read as its weights hash and its Dense widths, output layer last', async () => {
  const { runs, models } = await logRuns([{ params: { hidden_units: 8 }, model: model(8, 1) }]);
  const read = models.get(runs[0].runId)!;
  expect(read.denseUnits).toEqual([8, 3]);
  expect(read.weightsHash).toMatch(/^[0-9a-f]{64}$/);
});

test('one model logged under several runs with other params counts once: the later runs are refused', async () => {
  const one = model(8, 1);
  const { runs, models } = await logRuns(
    [0.1, 0.01, 0.001].map((lr) => ({ params: { learning_rate: lr, hidden_units: 8 }, model: one })),
  );
  const refused = auditLoggedModels(runs, models);
  expect([...refused.keys()]).toEqual([runs[1].runId, runs[2].runId]);
  expect(refused.get(runs[1].runId)).toMatch(
    /^logged the very same model weights as run run-0, under other params: one model trained once and logged under several runs' params is one run, not a sweep/,
  );
});

test('one model logged again with one weight nudged under other params is refused too (review of issue 12)', async () => {
  const copies = [0, 1, 2].map((i) => {
    const m = model(8, 1);
    const bias = m.layers[1].getWeights()[1];
    const nudged = tf.add(bias, tf.oneHot(0, 3).mul(1e-3 * i));
    m.layers[1].setWeights([m.layers[1].getWeights()[0], nudged]);
    return m;
  });
  const { runs, models } = await logRuns(
    [0.1, 0.01, 0.001].map((lr, i) => ({ params: { learning_rate: lr, hidden_units: 8 }, model: copies[i] })),
  );
  const refused = auditLoggedModels(runs, models);
  expect([...refused.keys()]).toEqual([runs[1].runId, runs[2].runId]);
  expect(refused.get(runs[1].runId)).toMatch(/^logged weights within 1% of run run-0's, under other params/);
});

test('models trained apart, and a repeat of the same params, are not refused for their weights', async () => {
  const { runs, models } = await logRuns([
    { params: { learning_rate: 0.1, hidden_units: 8 }, model: model(8, 1) },
    { params: { learning_rate: 0.01, hidden_units: 8 }, model: model(8, 2) },
    { params: { learning_rate: 0.01, hidden_units: 8 }, model: model(8, 2) },
  ]);
  expect(auditLoggedModels(runs, models).size).toBe(0);
});

test('a width param must match a hidden Dense layer of the model; counts of layers and other params are not widths', async () => {
  const { runs, models } = await logRuns([
    { params: { learning_rate: 0.1, hidden_units: 32 }, model: model(8, 1) },
    { params: { hidden: 8, hidden_layers: 1, dropout: 0 }, model: model(8, 2) },
    { params: { units: 3 }, model: model(8, 3) },
  ]);
  const refused = auditLoggedModels(runs, models);
  expect(refused.get(runs[0].runId)).toBe(
    "logged hidden_units 32, but the model it logged has hidden Dense layers of 8 units: a run's params must be the ones its model was built and trained with",
  );
  expect(refused.has(runs[1].runId)).toBe(false);
  // 3 is the output layer's width, not a hidden layer's.
  expect(refused.get(runs[2].runId)).toMatch(
    /^logged units 3, but the model it logged has hidden Dense layers of 8 units/,
  );
});

test('a model folder whose weight paths leave it, or that is not a model, is not read', async () => {
  const dir = path.join(path.dirname(root), 'm');
  fs.mkdirSync(dir);
  fs.writeFileSync(
    path.join(dir, 'model.json'),
    JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['../secret.bin'], weights: [] }] }),
  );
  expect(readLoggedModel(dir)).toBeUndefined();
  fs.writeFileSync(path.join(dir, 'model.json'), 'not json');
  expect(readLoggedModel(dir)).toBeUndefined();
  expect(readLoggedModel(path.join(dir, 'missing'))).toBeUndefined();
});

test('runs whose models answer the validation rows alike under other params are one model; 1% apart they are not (review 20)', () => {
  const run = (id: string, lr: number): RunRecord =>
    ({ runId: id, runName: `lr=${lr}`, params: { learning_rate: String(lr) } }) as unknown as RunRecord;
  const runs = [run('a', 0.1), run('b', 0.01), run('c', 0.001), run('d', 0.1)];
  const base = Float32Array.from({ length: 300 }, (_, i) => Math.abs(Math.sin(i)));
  // b: a reparametrised copy (float rounding apart); c: another model (1% apart); d: a's params again.
  const answers = new Map([
    ['a', base],
    ['b', base.map((v, i) => v * (1 + (i % 2 ? 1e-6 : -1e-6)))],
    ['c', base.map((v, i) => v * (1 + (i % 2 ? 0.01 : -0.01)))],
    ['d', base.slice()],
  ]);
  const found = auditAnswers(runs, answers, new Set());
  expect([...found.keys()]).toEqual(['b']);
  expect(found.get('b')).toMatch(
    /^logged a model that answers the validation rows as run lr=0\.1's does \(within 0\.1%\)/,
  );
  // A run already refused is no one's twin: with a out, b is the first of its kind and d (a's params) is b's twin.
  expect([...auditAnswers(runs, answers, new Set(['a'])).keys()]).toEqual(['d']);
});
