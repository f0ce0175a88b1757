/**
 * The `tracking` kind, grader side: a train exercise run as a hyperparameter
 * sweep. The child gets `ctx.tracker` writing runs into the exercise's
 * `mlruns/`; afterwards the grader reads this check's runs back and audits
 * the sweep (enough finished runs with distinct params, the selection metric
 * logged every epoch, exactly one run marked chosen, the best on validation).
 * Every counted run must have logged its model (run.logModel): the child
 * reloads each one and the grader re-scores it on the validation split, and a
 * run whose logged metric its model does not earn is refused, so a sweep of
 * made-up numbers does not count. The grader reads the logged models' files
 * itself too: a run whose model has the very weights of another run's model
 * (one model trained once, logged under several made-up params) is refused,
 * and so is one whose hidden-layer width param its model does not have, and
 * one that does not record, as its `mlpath.data_lock` tag, the lock hash of
 * the data this check handed to train() (tracking/data-lock.ts: the grader
 * hashes the arrays it sent; the tag is compared, never trusted). Then
 * the grader asks the returned predictor for the validation and the held-out
 * inputs in one batch: its validation score must match what the chosen run
 * logged, so the model returned is the model chosen, and its held-out
 * metrics must meet the thresholds. Test labels never reach the child.
 *
 * The runs graded, and kept in the submission, are a copy staged in the
 * check's run folder when train() returned (grader/snapshot.ts), read-only to
 * the child: what it writes to `mlruns/` afterwards, while predicting on the
 * held-out inputs, is neither graded nor kept, so it cannot carry them out.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LoadedExercise } from '../../../curriculum';
import { trackingOptionsSchema, type TrackingOptions } from '../../../curriculum/kinds/tracking';
import { GradingError } from '../../../errors';
import {
  auditDataLocks,
  auditAnswers,
  auditLoggedModels,
  auditSweep,
  CHECK_TAG,
  dataLockHash,
  latest,
  listExperiments,
  listRuns,
  MODEL_ARTIFACT,
  readLoggedModel,
  type LoggedModel,
  type RunRecord,
  type SweepAudit,
} from '../../../tracking';
import type { Task } from '../../../curriculum/schema';
import type { WireTensor } from '../../protocol';
import type { TrackingPayload } from './child';
import { cleanupCompiled } from '../../compile';
import { checkThreshold, computeMetric } from '../../metrics';
import { InvalidOutputError, normalizePredictions, type NormalizedPredictions } from '../../predictions';
import type { GradeOutcome, MetricResult, RunDetails } from '../../result';
import type { ChildSession } from '../../runner';
import { SnapshotError, stagedOutput, stageOutput } from '../../snapshot';
import {
  compiledWhile,
  completedOutcome,
  failedOutcome,
  learnerSession,
  runSession,
  type GradeOptions,
  type ParentKind,
} from '../common';
import { features, numClasses, prepareTrainData, trainPayload } from '../data';

export { trackingOptionsSchema, type TrackingOptions };

export function trackingOptions(ex: LoadedExercise): TrackingOptions {
  const parsed = trackingOptionsSchema.safeParse(ex.options ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new GradingError(`${ex.key}: options.${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

/** Rows [start, end) of normalized predictions. */
function rowsOf(p: NormalizedPredictions, start: number, end: number): NormalizedPredictions {
  return {
    task: p.task,
    n: end - start,
    k: p.k,
    classes: p.classes?.slice(start, end),
    scores: p.scores && p.k ? p.scores.slice(start * p.k, end * p.k) : undefined,
    positiveProb: p.positiveProb?.slice(start, end),
    values: p.values?.slice(start, end),
  };
}

/** This check's runs: the tracker tags each with the check's id. */
function readRuns(root: string, experimentName: string, checkId: string): RunRecord[] {
  const experiment = listExperiments(root).find((e) => e.name === experimentName && e.lifecycleStage === 'active');
  return experiment ? listRuns(root, experiment.experimentId).filter((r) => r.tags[CHECK_TAG] === checkId) : [];
}

/** The logged model of each run that has one, as the grader reads it from disk. */
function loggedModels(root: string, runs: RunRecord[]): Map<string, LoggedModel> {
  const models = new Map<string, LoggedModel>();
  for (const run of runs) {
    const model = readLoggedModel(path.join(root, run.experimentId, run.runId, 'artifacts', MODEL_ARTIFACT));
    if (model) models.set(run.runId, model);
  }
  return models;
}

function auditRuns(runs: RunRecord[], opts: TrackingOptions, refused?: ReadonlyMap<string, string>): SweepAudit {
  const audit = auditSweep(runs, {
    metric: opts.metric,
    goal: opts.goal,
    minRuns: opts.minRuns,
    minSteps: opts.minSteps,
    refused,
  });
  if (runs.length === 0)
    audit.problems.unshift(
      'no runs were logged: start one run per configuration with ctx.tracker.startRun() (see README.md)',
    );
  return audit;
}

/**
 * Re-scores the model each run logged on the validation split, in the child
 * (which loads them; the grader never runs TensorFlow.js), and refuses the
 * runs whose logged metric their model does not earn, or that logged no
 * model: a number in a run is evidence only when it can be reproduced.
 */
async function rescoreRuns(
  session: ChildSession,
  root: string,
  runs: RunRecord[],
  opts: TrackingOptions,
  val: { x: WireTensor; n: number; labels: Float32Array; task: Task; k?: number },
): Promise<{ refused: Map<string, string>; notes: string[]; alike: Map<string, string> }> {
  const refused = new Map<string, string>();
  const notes: string[] = [];
  const saved: { id: string; dir: string }[] = [];
  for (const run of runs) {
    const dir = path.join(root, run.experimentId, run.runId, 'artifacts', MODEL_ARTIFACT);
    if (fs.existsSync(path.join(dir, 'model.json'))) saved.push({ id: run.runId, dir });
    else
      refused.set(
        run.runId,
        `logged no model: a run is evidence only when its numbers can be reproduced, so save each run's trained model with \`await run.logModel(model)\` once training is over; the grader re-scores it and compares with the ${opts.metric} the run logged`,
      );
  }
  if (saved.length === 0) return { refused, notes, alike: new Map() };
  session.send({ type: 'scoreSaved', models: saved, x: val.x });
  const answer = await session.expect('savedScores');
  const answers = new Map<string, Float32Array>();
  for (const r of answer.results) {
    const run = runs.find((x) => x.runId === r.id);
    if (!run) continue;
    if (!r.tensor) {
      refused.set(r.id, `logged a model that could not be loaded or run (${r.error ?? 'no predictions'})`);
      continue;
    }
    if (r.tensor.dtype !== 'string') answers.set(r.id, Float32Array.from(r.tensor.values as ArrayLike<number>));
    let score: number;
    try {
      score = computeMetric(opts.valMetric, normalizePredictions(val.task, r.tensor, val.n, val.k), val.labels);
    } catch (err) {
      if (!(err instanceof InvalidOutputError)) throw err;
      refused.set(r.id, `logged a model whose predictions cannot be scored: ${err.message}`);
      continue;
    }
    const logged = latest(run.metrics[opts.metric])?.value;
    if (logged === undefined) continue;
    if (Math.abs(score - logged) > opts.tolerance) {
      refused.set(
        r.id,
        `logged ${opts.metric} ${logged}, but the model it logged scores ${opts.valMetric} ${score.toFixed(4)} on the validation set: a run's metrics must be its model's, measured on ctx.data.xVal / yVal (log them from the training callbacks, then log the model they describe)`,
      );
    } else {
      notes.push(
        `run ${run.runName}: its logged model scores ${opts.valMetric} ${score.toFixed(4)} on validation, as it logged`,
      );
    }
  }
  // Compared by what they compute, not only by their weights (auditLoggedModels): a model rewritten into another
  // parametrisation of itself answers alike.
  return { refused, notes, alike: auditAnswers(runs, answers, new Set(refused.keys())) };
}

export async function gradeTracking(ex: LoadedExercise, opts: GradeOptions): Promise<GradeOutcome> {
  const started = Date.now();
  const task = ex.task ?? 'classification';
  const options = trackingOptions(ex);
  const experimentName = options.experiment ?? ex.key;
  const {
    loaded: { data, val },
    prepared,
  } = await compiledWhile(
    ex,
    opts,
    started,
    async () => {
      const loaded = await prepareTrainData(ex, opts.holdout);
      if (!loaded.val)
        throw new GradingError(`${ex.key}: a tracking exercise needs a validation split (dataset.split.val > 0)`);
      return { data: loaded, val: loaded.val };
    },
    { loading: 'loading data' },
  );
  if (!prepared.ok) return prepared.outcome;

  const root = path.join(opts.exerciseDir, 'mlruns');
  fs.mkdirSync(root, { recursive: true });
  // The runs as train() left them are staged here, where the child may read but not write.
  const ownRunDir = opts.runDir === undefined ? fs.mkdtempSync(path.join(os.tmpdir(), 'mlpath-tracking-')) : undefined;
  const staged = stagedOutput(opts.runDir ?? ownRunDir!, 'mlruns');
  fs.mkdirSync(path.dirname(staged), { recursive: true });
  let isStaged = false;
  const stage = (): void => {
    stageOutput(root, staged);
    isStaged = true;
  };
  const checkId = randomBytes(8).toString('hex');
  const k = numClasses(data.train, task);
  const train = trainPayload(data, task);
  // The lock of the very arrays sent to the child: each run must record this one.
  const lock = dataLockHash(train);
  const payload: TrackingPayload = { train, tracking: { root, experimentName, checkId, sourceName: ex.entry } };
  const seed = opts.seeds[0];
  const curve: Record<string, number>[] = [];
  const details: RunDetails = { curve, datasetFingerprint: data.fingerprint, classNames: data.train.classNames };
  const scores: Record<string, number> = {};
  let valScore = NaN;
  let audit: SweepAudit | undefined;
  let verifiedNotes: string[] = [];
  const session = learnerSession(ex, opts, {
    kind: 'tracking',
    bundle: prepared.compiled.bundle,
    seed,
    payload,
    curve,
    readRoots: [path.dirname(staged)],
    writeRoots: [root],
  });
  const run = await runSession(
    session,
    async () => {
      opts.onPhase?.(`training (seed ${seed})`);
      const trained = await session.expect('trained');
      // train() has returned: every run is on disk, and every model it logged. No held-out input has reached the child yet.
      stage();
      details.trainSeconds = trained.seconds;
      const runs = readRuns(staged, experimentName, checkId);
      opts.onPhase?.('re-scoring the models the runs logged');
      const candidates = auditRuns(runs, options).counted;
      const rescored = await rescoreRuns(session, staged, candidates, options, {
        x: features(val),
        n: val.n,
        labels: val.labels,
        task,
        k,
      });
      const byModel = auditLoggedModels(candidates, loggedModels(staged, candidates));
      const byLock = auditDataLocks(candidates, lock);
      // A number its model does not reproduce says the most; it is the reason given when a run has several. Weights
      // alike say more than answers alike (the same model logged again, rather than rewritten).
      audit = auditRuns(runs, options, new Map([...byLock, ...rescored.alike, ...byModel, ...rescored.refused]));
      verifiedNotes = rescored.notes;
      opts.onPhase?.('predicting on validation and held-out data');
      // One batch, validation rows first: the predictor cannot tell which rows are which.
      session.send({ type: 'predict', x: features(val, data.test) });
      const answer = await session.expect('predictions');
      const all = normalizePredictions(task, answer.tensor, val.n + data.test.n, k);
      valScore = computeMetric(options.valMetric, rowsOf(all, 0, val.n), val.labels);
      const test = rowsOf(all, val.n, val.n + data.test.n);
      for (const m of ex.metrics) scores[m.name] = computeMetric(m.name, test, data.test.labels, { k: m.k });
      details.tfjsVersion = session.tfjsVersion;
      details.peakRssMb = session.peakRssMb;
    },
    (err) => {
      if (!(err instanceof SnapshotError)) return undefined;
      const message = `train() wrote too much to mlruns/: ${err.message}; log metrics and models, not data`;
      return { kind: 'invalid-output', message };
    },
  ).finally(() => cleanupCompiled(prepared.compiled));
  try {
    // A run that failed before train() returned never saw a held-out input: the runs it left are kept as they are.
    if (!run.ok && !isStaged) {
      try {
        stage();
      } catch (stageErr) {
        if (!(stageErr instanceof SnapshotError)) throw stageErr;
      }
    }
  } finally {
    if (ownRunDir) fs.rmSync(ownRunDir, { recursive: true, force: true });
  }
  if (!run.ok) return failedOutcome(ex, opts, run, started, details);

  if (!audit) throw new GradingError(`${ex.key}: the sweep was not read`);
  let matches = false;
  if (audit.chosenIsBest && audit.chosenValue !== undefined) {
    matches = Math.abs(valScore - audit.chosenValue) <= options.tolerance;
    if (!matches) {
      audit.problems.push(
        `the model you returned scores ${options.valMetric} ${valScore.toFixed(4)} on the validation set, but the chosen run ${audit.chosen!.runName} logged ${options.metric} ${audit.chosenValue}: return the chosen run's model, and log ${options.metric} for the weights you keep`,
      );
    }
  }
  const metrics: MetricResult[] = ex.metrics.map((spec) => ({
    name: spec.name,
    value: Number.isFinite(scores[spec.name]) ? scores[spec.name] : null,
    min: spec.min,
    max: spec.max,
    k: spec.k,
    passed: checkThreshold(scores[spec.name], spec),
  }));
  metrics.push(
    {
      name: 'sweep_runs',
      value: audit.distinctParams,
      min: options.minRuns,
      passed: audit.distinctParams >= options.minRuns,
    },
    { name: 'chosen_best_on_val', value: matches ? 1 : 0, min: 1, passed: matches },
  );
  const findings = [...audit.problems, ...audit.notes, ...(audit.problems.length ? [] : verifiedNotes)];
  const sweep = findings.length ? `--- the sweep in mlruns/ ---\n${findings.join('\n')}` : '';
  return completedOutcome(ex, opts, {
    started,
    backend: run.backend || opts.backend || '',
    metrics,
    passed: audit.problems.length === 0,
    output: [run.output.trimEnd(), sweep].filter(Boolean).join('\n'),
    details,
  });
}

/** The sweep's runs are the learner's: they go back to the submission's `mlruns/`. */
export const trackingKind: ParentKind = { grade: gradeTracking, keptOutput: 'mlruns' };
