/**
 * The `train` kind, grader side: split the data, send the learner's part to a
 * child, ask the trained predictor for predictions on the held-out inputs and
 * score them here, where the held-out labels stay. With several seeds, one
 * child per seed and the metrics are averaged.
 */
import type { LoadedExercise } from '../../curriculum';
import { computeMetric, checkThreshold } from '../metrics';
import { normalizePredictions, InvalidOutputError, type NormalizedPredictions } from '../predictions';
import { ratedPairs, relevantMinOf, scoreRanking } from '../ranking';
import { cleanupCompiled } from '../compile';
import type { GradeOutcome, MetricResult, RunDetails } from '../result';
import { ChildFailure } from '../runner';
import { completedOutcome, errorOutcome, learnerSession, prepareEntry, type GradeOptions } from './common';
import { features, numClasses, prepareTrainData, trainPayload } from './data';

function confusion(preds: NormalizedPredictions, truth: Float32Array, k: number): number[][] | undefined {
  const classes = preds.classes;
  if (!classes) return undefined;
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i];
    const p = classes[i];
    if (t >= 0 && t < k && p >= 0 && p < k) m[t][p]++;
  }
  return m;
}

export async function gradeTrain(ex: LoadedExercise, opts: GradeOptions): Promise<GradeOutcome> {
  const started = Date.now();
  const task = ex.task ?? 'classification';
  opts.onPhase?.('loading data');
  const data = await prepareTrainData(ex, opts.holdout);
  opts.onPhase?.('compiling');
  const prepared = await prepareEntry(ex, opts, started);
  if (!prepared.ok) return prepared.outcome;
  const compiled = prepared.compiled;
  const k = numClasses(data.train, task);
  const ranking = task === 'ranking' ? { pairs: ratedPairs(data.test), relevantMin: relevantMinOf(ex.options) } : undefined;
  const payload = trainPayload(data, task);
  const perSeed: Record<string, number>[] = [];
  const details: RunDetails = { curve: [], datasetFingerprint: data.fingerprint, classNames: data.train.classNames };
  let backend = opts.backend ?? '';
  let output = '';
  try {
    for (const seed of opts.seeds) {
      const curve: Record<string, number>[] = [];
      const session = learnerSession(ex, opts, { kind: 'train', bundle: compiled.bundle, seed, payload, curve });
      try {
        opts.onPhase?.(`training (seed ${seed})`);
        const trained = await session.expect('trained');
        backend = session.backend || backend;
        details.trainSeconds = (details.trainSeconds ?? 0) + trained.seconds;
        opts.onPhase?.('predicting on held-out data');
        session.send({ type: 'predict', x: features(data.test), texts: data.test.texts });
        const answer = await session.expect('predictions');
        if (ranking) {
          perSeed.push(scoreRanking(ex.metrics, answer.tensor, ranking.pairs, ranking.relevantMin));
        } else {
          const preds = normalizePredictions(task, answer.tensor, data.test.n, k);
          const scores: Record<string, number> = {};
          for (const m of ex.metrics) scores[m.name] = computeMetric(m.name, preds, data.test.labels, { k: m.k });
          perSeed.push(scores);
          if (!details.confusion && k) details.confusion = confusion(preds, data.test.labels, k);
        }
        if (details.curve.length === 0) details.curve = curve;
        details.tfjsVersion = session.tfjsVersion;
        details.peakRssMb = Math.max(details.peakRssMb ?? 0, session.peakRssMb);
      } catch (err) {
        backend = session.backend || backend;
        // After close the child's pipes are drained: its last lines are in.
        await session.close();
        output = session.output.text();
        details.curve = curve;
        if (err instanceof ChildFailure) {
          return errorOutcome(ex, { ...opts, backend }, err.error, started, { output }, details);
        }
        if (err instanceof InvalidOutputError) {
          return errorOutcome(ex, { ...opts, backend }, { kind: 'invalid-output', message: err.message }, started, { output }, details);
        }
        throw err;
      } finally {
        await session.close();
        if (!output) output = session.output.text();
      }
    }
  } finally {
    cleanupCompiled(compiled);
  }

  const metrics: MetricResult[] = ex.metrics.map((spec) => {
    const values = perSeed.map((s) => s[spec.name]);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const std = values.length > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1)) : undefined;
    return {
      name: spec.name,
      value: Number.isFinite(mean) ? mean : null,
      min: spec.min,
      max: spec.max,
      k: spec.k,
      passed: checkThreshold(mean, spec),
      ...(std !== undefined ? { std, values } : {}),
    };
  });
  return completedOutcome(ex, opts, { started, backend, metrics, output, details });
}
