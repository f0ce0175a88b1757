/**
 * The `train` kind, grader side: split the data, send the learner's part to a
 * child, ask the trained predictor for predictions on the held-out inputs and
 * score them here, where the held-out labels stay. With several seeds, one
 * child per seed, run side by side on the data loaded once; every seed must
 * pass (grader/verdict.ts).
 */
import * as os from 'node:os';
import type { LoadedExercise } from '../../../curriculum';
import { computeMetric } from '../../metrics';
import { normalizePredictions, type NormalizedPredictions } from '../../predictions';
import { ratedPairs, relevantMinOf, scoreRanking } from '../../ranking';
import { cleanupCompiled } from '../../compile';
import type { GradeOutcome, MetricResult, NonFiniteLog, RunDetails } from '../../result';
import type { WireTensor } from '../../protocol';
import { encodeStart, type ChildSession } from '../../runner';
import { seedVerdict } from '../../verdict';
import { lessonWatch } from '../../lesson';
import { fixedModelOf, fixedModelPayload, runFixedModel } from '../../fixed-model';
import { selectionWatch } from '../../selection';
import {
  bundleDirOf,
  compiledWhile,
  completedOutcome,
  failedOutcome,
  learnerSession,
  runSession,
  type FailedRun,
  type GradeOptions,
  type ParentKind,
  type Prepared,
} from '../common';
import { features, inputScale, numClasses, prepareTrainData, trainPayload } from '../data';

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

/** What one seed's run left behind, or how it failed. */
type SeedRun =
  | {
      ok: true;
      seed: number;
      scores: Record<string, number>;
      curve: Record<string, number>[];
      nonFinite: NonFiniteLog[];
      confusion?: number[][];
      output: string;
      backend: string;
      tfjsVersion: string;
      peakRssMb: number;
      trainSeconds: number;
    }
  | { ok: false; seed: number; run: FailedRun; curve: Record<string, number>[]; nonFinite: NonFiniteLog[] };

/**
 * Seeds trained at once: one child per core, except that one seed more than
 * there are cores (three seeds on two) all run together (MLPATH_SEED_JOBS
 * overrides it; `mlpath grade` sets it when it shares the cores between
 * checks), and no more children than free memory holds at the exercise's
 * heap cap. In rounds of one per core, the last seed would train alone
 * beside idle cores: k seeds on c cores take ceil(k / c) seeds' time in
 * rounds, k / c together. Together each runs at most 1.5 times slower, far
 * inside its time budget; more seeds than that keep to rounds.
 */
export function seedJobs(
  seeds: number,
  memoryMb: number,
  env: NodeJS.ProcessEnv = process.env,
  cores: number = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length,
): number {
  const asked = Number(env.MLPATH_SEED_JOBS);
  if (Number.isInteger(asked) && asked >= 1) return Math.min(seeds, asked);
  const byMemory = Math.floor(os.freemem() / (memoryMb * 1024 * 1024));
  const together = cores >= 2 && seeds === cores + 1 ? seeds : Math.min(seeds, cores);
  return Math.max(1, Math.min(together, byMemory));
}

/** A seed's child with what it logs: started before the data and the bundle are ready, handed both by start(). */
interface SeedChild {
  session: ChildSession;
  curve: Record<string, number>[];
  nonFinite: NonFiniteLog[];
}

function seedChild(ex: LoadedExercise, opts: GradeOptions, seed: number): SeedChild {
  const curve: Record<string, number>[] = [];
  const nonFinite: NonFiniteLog[] = [];
  const session = learnerSession(ex, opts, { kind: 'train', bundleDir: bundleDirOf(opts), seed, curve, nonFinite });
  return { session, curve, nonFinite };
}

export async function gradeTrain(ex: LoadedExercise, opts: GradeOptions): Promise<GradeOutcome> {
  const started = Date.now();
  const task = ex.task ?? 'classification';
  const seeds = opts.seeds;
  const jobs = seedJobs(seeds.length, ex.budget.memoryMb);
  // Sharing a run's cores, the exercise holds one: its other children wait for theirs (child-slots.ts).
  const slots = opts.childSlots;
  // The first children load TensorFlow.js while the data is split and the code compiled here; none of them
  // reads anything of the learner's before start() (harness.ts).
  const early = new Map<number, SeedChild>();
  for (const seed of seeds.slice(0, slots ? 1 : jobs)) early.set(seed, seedChild(ex, opts, seed));
  const closeEarly = async (): Promise<void> => {
    await Promise.all([...early.values()].map((c) => c.session.close()));
    early.clear();
  };
  let data: Awaited<ReturnType<typeof prepareTrainData>>;
  let prepared: Prepared;
  try {
    // esbuild compiles in a process of its own while the data is loaded and split here.
    ({ loaded: data, prepared } = await compiledWhile(ex, opts, started, () => prepareTrainData(ex, opts.holdout), {
      loading: 'loading data',
    }));
  } catch (err) {
    await closeEarly();
    throw err;
  }
  if (!prepared.ok) {
    await closeEarly();
    return prepared.outcome;
  }
  const compiled = prepared.compiled;
  const k = numClasses(data.train, task);
  const ranking =
    task === 'ranking' ? { pairs: ratedPairs(data.test), relevantMin: relevantMinOf(ex.options) } : undefined;
  // Built once: every seed's child gets the same data.
  const lesson = lessonWatch(ex);
  const selection = selectionWatch(ex, { train: data.train, val: data.val, test: data.test });
  const fixedModel = fixedModelOf(ex);
  // A fixed model is fitted here, on the learner's columns: its child never gets the prices it is fitted on.
  const payload = fixedModel ? fixedModelPayload(data.train, fixedModel) : lesson.request(trainPayload(data, task));
  // Encoded once: every seed's child is sent the same bytes.
  const start = encodeStart(compiled.bundle, payload);
  const testInputs = features(data.test);
  const several = seeds.length > 1;
  const running = new Map<number, ChildSession>();
  let done = 0;
  const phase = (): void => {
    if (!several) return;
    const now = [...running.keys()];
    const what =
      now.length > 1
        ? `training seeds ${now.join(', ')} side by side`
        : now.length
          ? `training seed ${now[0]}`
          : 'scoring';
    opts.onPhase?.(`${what} (${done}/${seeds.length} seeds done)`);
  };

  const runSeed = async (seed: number): Promise<SeedRun> => {
    const child = early.get(seed) ?? seedChild(ex, opts, seed);
    early.delete(seed);
    const { session, curve, nonFinite } = child;
    session.start(start);
    running.set(seed, session);
    phase();
    let scores: Record<string, number> = {};
    let matrix: number[][] | undefined;
    let trainSeconds = 0;
    let note = '';
    const run = await runSession(session, async () => {
      if (!several) opts.onPhase?.(`training (seed ${seed})`);
      const trained = await session.expect('trained');
      trainSeconds = trained.seconds;
      lesson.note(trained.observed, curve);
      await selection.ask(session, seed);
      if (!several) opts.onPhase?.('predicting on held-out data');
      let answer: { tensor: WireTensor };
      if (fixedModel) {
        const fitted = await runFixedModel(
          session,
          fixedModel,
          trained.target,
          { train: data.train, test: data.test },
          (step) => {
            curve.push(step);
            opts.onLog?.(step, seed);
          },
        );
        note = fitted.note;
        answer = fitted;
      } else {
        session.send({ type: 'predict', x: testInputs, texts: data.test.texts });
        const predicted = await session.expect('predictions');
        // The lesson noted `trained.observed` already: what the recomputed scoring call showed joins it there.
        if (predicted.recomputed && trained.observed) trained.observed.recomputed = predicted.recomputed;
        answer = predicted;
        selection.graded(seed, answer.tensor);
        // Once the real run is answered: a second train() on made-up prices, when the exercise asks for one.
        await selection.probe(session, seed, testInputs);
      }
      if (ranking) {
        scores = scoreRanking(ex.metrics, answer.tensor, ranking.pairs, ranking.relevantMin);
      } else {
        const preds = normalizePredictions(task, answer.tensor, data.test.n, k);
        for (const m of ex.metrics) scores[m.name] = computeMetric(m.name, preds, data.test.labels, { k: m.k });
        if (k) matrix = confusion(preds, data.test.labels, k);
      }
    }).finally(() => {
      running.delete(seed);
      done++;
      phase();
    });
    const output = [run.output.trimEnd(), note].filter(Boolean).join('\n');
    if (!run.ok) return { ok: false, seed, run: { ...run, output }, curve, nonFinite };
    return {
      ok: true,
      seed,
      scores,
      curve,
      nonFinite,
      confusion: matrix,
      output,
      backend: run.backend,
      tfjsVersion: session.tfjsVersion,
      peakRssMb: session.peakRssMb,
      trainSeconds,
    };
  };

  // The first seed to fail decides the outcome; the others are stopped, not waited out.
  const runs: SeedRun[] = [];
  let failure: SeedRun | undefined;
  let crash: { error: unknown } | undefined;
  const stopOthers = (): void => {
    for (const s of running.values()) void s.close();
  };
  let next = 0;
  // Once a worker finds no seed left (or a failure), the workers still waiting for a core stop waiting.
  const noSeedLeft = new AbortController();
  // The first worker runs on the core the exercise was admitted on; each other one waits for a core. Each gives
  // its core back as soon as it has no seed left, whichever finishes first.
  const worker = async (index: number): Promise<void> => {
    if (slots && index > 0 && !(await slots.take(noSeedLeft.signal))) return;
    try {
      await seedsInTurn();
    } finally {
      noSeedLeft.abort();
      slots?.give();
    }
  };
  const seedsInTurn = async (): Promise<void> => {
    while (next < seeds.length && !failure && !crash) {
      const seed = seeds[next++];
      try {
        const r = await runSeed(seed);
        if (failure || crash) continue;
        if (r.ok) runs.push(r);
        else {
          failure = r;
          stopOthers();
        }
      } catch (error) {
        crash ??= { error };
        stopOthers();
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: jobs }, (_, index) => worker(index)));
  } finally {
    // Children started early for seeds a failure left unrun.
    await closeEarly();
    cleanupCompiled(compiled);
  }
  if (crash) throw crash.error;

  const details: RunDetails = {
    curve: [],
    datasetFingerprint: data.fingerprint,
    classNames: data.train.classNames,
    // A ranking task's inputs are user and item ids, which no one standardises: the coach's raw-scale advice is not for them.
    inputScale: task === 'ranking' ? undefined : inputScale(data.train),
  };
  if (failure && !failure.ok) {
    const { error } = failure.run;
    const onSeed = `${error.message} (on seed ${failure.seed} of ${seeds.join(', ')})`;
    const run = several ? { ...failure.run, error: { ...error, message: onSeed } } : failure.run;
    details.curve = failure.curve;
    details.nonFinite = failure.nonFinite.length ? failure.nonFinite : undefined;
    return failedOutcome(ex, opts, run, started, details);
  }
  // In the order of the seeds, whichever finished first: the report shows the first seed's curve and output.
  const bySeed = seeds.map((s) => runs.find((r) => r.seed === s)!) as Extract<SeedRun, { ok: true }>[];
  const shown = bySeed.find((r) => r.curve.length > 0) ?? bySeed[0];
  details.curve = shown.curve;
  if (shown.nonFinite.length) details.nonFinite = shown.nonFinite;
  details.confusion = bySeed[0].confusion;
  details.tfjsVersion = bySeed[0].tfjsVersion;
  details.peakRssMb = Math.max(...bySeed.map((r) => r.peakRssMb));
  details.trainSeconds = bySeed.reduce((a, r) => a + r.trainSeconds, 0);
  const metrics: MetricResult[] = ex.metrics.map((spec) =>
    seedVerdict(
      spec,
      bySeed.map((r) => r.scores[spec.name]),
    ),
  );
  const backend = bySeed[0].backend || opts.backend || '';
  return completedOutcome(ex, opts, {
    started,
    backend,
    ...selection.judge(lesson.judge({ metrics, output: bySeed[0].output })),
    details,
  });
}

export const trainKind: ParentKind = { grade: gradeTrain };
