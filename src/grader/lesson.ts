/**
 * A pass means the lesson was learned: for exercises whose lesson is the
 * training itself, the final metric is not enough evidence (a lookup of the
 * training data scores well on MNIST; a formula scores well on linear
 * regression). The curriculum describes what training must show, in the
 * exercise's `options.lesson`; the child watches train() (child/observe.ts)
 * and this module judges what it saw, beside the metrics.
 *
 * What can be required:
 * - `minSteps`: optimizer steps taken during train() (a tf.train optimizer's
 *   minimize or applyGradients, model.fit's included); a step counts when it
 *   gives a trainable variable a non-zero gradient. And predict() must rely
 *   on what the steps trained: with those variables zeroed, at least half of
 *   its answers on validation rows change.
 * - `minEpochs`: the highest `epoch` logged through ctx.log.
 * - `validation`: a number whose key starts with `val` logged through ctx.log.
 * - `lossFalls`: the loss falls by at least a tenth from the first steps to
 *   the last: the losses the grader saw the optimizer steps take (the value
 *   of the gradient computation each step followed), or, for a lesson that
 *   asks for no optimizer steps (gradient descent by hand), the `loss` logged
 *   through ctx.log, at least `minLosses` of them.
 * - `descent` (gradient descent by hand): train() keeps its weights in
 *   tf.variable and updates them with assign(), at least `minRounds` times;
 *   the grader replays a sample of those values through the learner's own
 *   predict() on the training inputs and computes this training loss itself
 *   (child/replay.ts). With `lossFalls`, it is these losses that must fall:
 *   what ctx.log reports is not read for it.
 * - `releaseData`: ctx.data's tensors are disposed once train() returns, so
 *   predict() cannot look the training data up.
 * - `maxModelMb`: at most this many megabytes (10^6 bytes) of tensors and
 *   JavaScript memory still alive once train() has returned and the training
 *   data was released (implies `releaseData`), pretrained weights and the
 *   state of the optimizers train() stepped with (freed first) not counted: tensors, ArrayBuffers, and what the heap grew by past 3 MB
 *   (TensorFlow.js's own bookkeeping, which varies from run to run). A
 *   change to TensorFlow.js's byte count by learner code fails it.
 * - `metricNotes`: what a missed metric says about the lesson (log loss:
 *   probabilities no sigmoid trained on the cross-entropy would give).
 * - `minRelied`: the share of answers that must change with each large
 *   trained variable zeroed, in place of RELIED: an answer counts as changed
 *   when it moves by a tenth of itself, and a rating near 3.5 moves by less
 *   than that for most users when their bias (a tenth of a small model's
 *   values) is zeroed.
 */
import type { LoadedExercise } from '../curriculum';
import { lessonSchema, type Lesson } from '../curriculum/kinds/train';
import { exerciseOption, type WithOptions } from './exercise-options';
import { wireByteLength } from './packing';
import type { ObserveRequest, Observed, TrainPayload } from './protocol';
import type { MetricResult } from './result';

export { lessonSchema, type Lesson };

/** The share of the first loss the last one must be below. */
const FALL = 0.9;
/**
 * The share of validation answers that must change when the variables the
 * optimizer steps moved are zeroed (child/reliance.ts): a trained model's
 * all change but a tenth or so (zeroed, it gives every row the same class).
 */
const RELIED = 0.5;
/**
 * The mean, over the rounds the grader looked at (the first that moved and
 * some drawn at random from the whole run), of the share of weights stepped
 * by their own gradient at one common learning rate (within 1.25x either
 * way): full-batch gradient descent by hand gives 1, even its last, float32-rounded steps.
 */
const ALIGNED = 0.95;

function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}
const MB = 1e6;

/** The exercise's lesson, or undefined when its metrics are the whole check. */
export function lessonOf(ex: WithOptions): Lesson | undefined {
  return exerciseOption(ex, 'lesson', lessonSchema);
}

/** What the child must watch for this lesson. */
export function observeRequest(lesson: Lesson): ObserveRequest {
  const measure = lesson.maxModelMb !== undefined;
  return {
    release: lesson.releaseData || measure,
    measure,
    lesson: lesson.what,
    ...(lesson.descent ? { replay: lesson.descent } : {}),
  };
}

/** One seed's evidence: what the child saw and what train() logged. */
export interface LessonRun {
  observed?: Observed;
  curve: Record<string, number>[];
}

export interface LessonVerdict {
  /** Rows for the metric table: optimizer_steps, epochs, model_mb, as the lesson asks. */
  metrics: MetricResult[];
  /** What the runs did not show, one sentence each; empty when they showed it all. */
  problems: string[];
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function fmt(x: number): string {
  return Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(3);
}

function highestEpoch(curve: Record<string, number>[]): number {
  let best = 0;
  for (const s of curve) if (Number.isFinite(s.epoch) && s.epoch > best) best = s.epoch;
  return best;
}

function loggedValidation(curve: Record<string, number>[]): boolean {
  return curve.some((s) => Object.entries(s).some(([k, v]) => /^val/i.test(k) && Number.isFinite(v)));
}

function worst<T>(
  runs: LessonRun[],
  pick: (r: LessonRun) => T,
  better: (a: T, b: T) => boolean,
): { value: T; run: LessonRun } {
  let out = { value: pick(runs[0]), run: runs[0] };
  for (const r of runs.slice(1)) {
    const v = pick(r);
    if (better(out.value, v)) out = { value: v, run: r };
  }
  return out;
}

/**
 * The lesson's losses of one run: those of the optimizer steps the grader
 * watched when the lesson asks for steps (what train() logs is its own
 * word), else the optimizer's when it took steps, else the logged ones.
 */
function lossesOf(lesson: Lesson, run: LessonRun): { values: number[]; source: 'steps' | 'log' | 'replay' } {
  if (lesson.descent) return { values: run.observed?.replay?.losses ?? [], source: 'replay' };
  const stepLosses = run.observed?.losses ?? [];
  if (lesson.minSteps !== undefined) return { values: stepLosses, source: 'steps' };
  if ((run.observed?.steps ?? 0) > 0 && stepLosses.length >= 2) return { values: stepLosses, source: 'steps' };
  return { values: run.curve.map((s) => s.loss).filter((v) => Number.isFinite(v)), source: 'log' };
}

/**
 * The finding when the answers the grader scored did not come from the trained weights: the scoring call,
 * recomputed by the grader with one large trained variable zeroed (child/recompute.ts), answered the same; or
 * the recording shows the answers made of something else (data kept beside the model, entries training never
 * moved, other operations for the replay's rows).
 */
function recomputedProblem(runs: LessonRun[], trained: string, relied = RELIED): string | undefined {
  // Every run whose steps trained something had its scoring call recorded; a run without that measurement
  // shows nothing, and nothing shown is not a pass (its trained weights were gone before predict() ran).
  if (runs.some((r) => (r.observed?.steps ?? 0) > 0 && r.observed?.recomputed === undefined))
    return `the grader could not record predict()'s answers on the held-out rows being computed from the weights ${trained}: none of them was alive when predict() ran (disposed, or replaced after training). Keep the trained model alive and predict with it`;
  const measured = runs.filter((r) => r.observed?.recomputed !== undefined);
  if (measured.length === 0) return undefined;
  const { value: least, run } = worst(
    measured,
    (r) => r.observed!.recomputed!.least,
    (a, b) => b < a,
  );
  if (least >= relied) {
    const refused = measured.find((r) => r.observed!.recomputed!.refused !== undefined)?.observed!.recomputed!.refused;
    return refused === undefined
      ? undefined
      : `predict()'s answers on the held-out rows do not come from the weights ${trained}: the grader recorded that very call, and ${refused}. Compute predict() from the trained model, not from something kept beside it`;
  }
  const why = run.observed?.recomputed?.why;
  if (why !== undefined)
    return `the grader could not recompute predict()'s answers on the held-out rows from the weights ${trained}: ${why}. Return the model's output as a tensor, computed from those weights with TensorFlow.js operations`;
  return `predict()'s answers on the held-out rows do not come from the weights ${trained}: the grader ran the operations of that very call again with one of those weight matrices set to zero, and ${Math.round((1 - least) * 100)}% of the answers stayed the same. Compute predict() from the trained model, not from something kept beside it`;
}

/**
 * Judges the runs of every seed against the lesson; each requirement is held
 * to the worst seed, as the metrics are. `trainingBytes` is the size of the
 * training inputs, to name a predictor that kept them.
 */
export function judgeLesson(
  lesson: Lesson,
  runs: LessonRun[],
  opts: { fitAllowed: boolean; trainingBytes: number; scored?: MetricResult[] },
): LessonVerdict {
  const metrics: MetricResult[] = [];
  const problems: string[] = [];
  if (runs.length === 0) return { metrics, problems };

  for (const m of opts.scored ?? []) {
    const note = lesson.metricNotes[m.name];
    if (m.passed || !note) continue;
    const threshold = m.max !== undefined ? `above its maximum ${m.max}` : `below its minimum ${m.min}`;
    problems.push(
      `${m.name} ${m.value === null ? 'could not be computed' : `${fmt(m.value)} is ${threshold}`}: ${note}`,
    );
  }

  let stepsMissed = false;
  if (lesson.minSteps !== undefined) {
    const { value: steps } = worst(
      runs,
      (r) => r.observed?.steps ?? 0,
      (a, b) => b < a,
    );
    const passed = steps >= lesson.minSteps;
    stepsMissed = !passed;
    metrics.push({ name: 'optimizer_steps', value: steps, min: lesson.minSteps, passed });
    if (!passed) {
      const how = `a step is a tf.train optimizer's minimize() or applyGradients() that gives a trainable variable a non-zero gradient${opts.fitAllowed ? ', model.fit() included' : ''}`;
      problems.push(
        steps === 0
          ? `train() took no optimizer steps, so nothing was trained (${how})`
          : `train() took ${plural(steps, 'optimizer step')}, and training here takes at least ${lesson.minSteps} (${how})`,
      );
    } else {
      const { value: weights } = worst(
        runs,
        (r) => r.observed?.reliance?.weights ?? 0,
        (a, b) => b < a,
      );
      if (lesson.minWeights !== undefined) {
        const enough = weights >= lesson.minWeights;
        metrics.push({ name: 'trained_weights', value: weights, min: lesson.minWeights, passed: enough });
        if (!enough) {
          problems.push(
            `the optimizer steps trained ${plural(weights, 'value')}, and a model that can learn this takes at least ${lesson.minWeights} (${lesson.minWeightsWhy ?? 'a weight per input and class'}): train the model's own weights, not a knob beside something else`,
          );
        }
      }
      const { value: relied } = worst(
        runs,
        (r) => r.observed?.reliance?.least ?? 1,
        (a, b) => b < a,
      );
      if (runs.some((r) => r.observed?.reliance?.unanswered)) {
        problems.push(
          'predict() gave no answers the grader could read on validation rows (it threw, or returned something other than a tensor), so nothing shows they come from what the optimizer trained: predict() must answer any rows shaped like the held-out ones, with the trained model',
        );
      } else if (relied < (lesson.minRelied ?? RELIED)) {
        problems.push(
          `predict() does not rely on what the optimizer trained: with one of the weight matrices its steps trained set to zero, ${Math.round((1 - relied) * 100)}% of its answers on validation rows stayed the same. Predict with the model the steps trained, not with something kept beside it`,
        );
      } else {
        const unrelied = recomputedProblem(runs, 'the optimizer steps trained', lesson.minRelied);
        if (unrelied) problems.push(unrelied);
      }
      if (lesson.usesPretrained) {
        const { value: base } = worst(
          runs,
          (r) => r.observed?.reliance?.base ?? -1,
          (a, b) => b < a,
        );
        if (base < 0) {
          problems.push(
            'predict() was not built on a pretrained model: train() never loaded one with ctx.pretrained(), or disposed it',
          );
        } else if (base < RELIED) {
          problems.push(
            `predict() does not use the pretrained model: with the weights ctx.pretrained() gave all set to zero, ${Math.round((1 - base) * 100)}% of its answers on validation rows stayed the same. Build the model you predict with on the pretrained layers, not beside them`,
          );
        }
      }
    }
  }

  if (lesson.minEpochs !== undefined) {
    const { value: epochs } = worst(
      runs,
      (r) => highestEpoch(r.curve),
      (a, b) => b < a,
    );
    const passed = epochs >= lesson.minEpochs;
    metrics.push({ name: 'epochs', value: epochs, min: lesson.minEpochs, passed });
    if (!passed) {
      const logged = epochs === 0 ? 'train() logged no epoch' : `train() logged ${plural(epochs, 'epoch')}`;
      problems.push(
        `${logged}: call ctx.log({ epoch, loss, valAccuracy }) after each pass over the training data, for at least ${lesson.minEpochs} passes`,
      );
    }
  }

  if (lesson.validation && !runs.every((r) => loggedValidation(r.curve))) {
    problems.push(
      `train() logged no validation number: measure the model on ctx.data.xVal / yVal after each epoch and log it (ctx.log({ epoch, loss, valAccuracy }))`,
    );
  }

  // Judged after the fall: a loss that does not fall says more than the direction of steps that led nowhere.
  let alignmentProblem: string | undefined;
  if (lesson.descent) {
    const { value: rounds } = worst(
      runs,
      (r) => r.observed?.replay?.rounds ?? 0,
      (a, b) => b < a,
    );
    const problem = runs.find((r) => r.observed?.replay?.problem !== undefined)?.observed?.replay?.problem;
    metrics.push({
      name: 'weight_updates',
      value: rounds,
      min: lesson.minRounds,
      passed: rounds >= lesson.minRounds && problem === undefined,
    });
    if (problem !== undefined) {
      problems.push(problem);
      stepsMissed = true;
    } else if (rounds >= lesson.minRounds) {
      const { value: aligned } = worst(
        runs,
        (r) => mean(r.observed?.replay?.alignment ?? []),
        (a, b) => b < a,
      );
      const passed = aligned >= ALIGNED;
      metrics.push({ name: 'descent_alignment', value: Number(aligned.toFixed(3)), min: ALIGNED, passed });
      if (!passed) {
        alignmentProblem = `the steps train() took were not gradient descent: the grader measured the gradient of the training loss at the first steps and at steps drawn from the whole run (through predict()), and on average only ${Math.round(aligned * 100)}% of the weights moved by their own gradient times one learning rate common to all (full-batch gradient descent moves every weight that way). Update every weight by minus the learning rate times the gradient you derived for it`;
      }
      const { value: rank, run } = worst(
        runs,
        (r) => r.observed?.replay?.rank ?? 0,
        (a, b) => b < a,
      );
      const inputs = run.observed?.replay?.inputs ?? 0;
      const unrelied = recomputedProblem(runs, 'train() assigned');
      if (rank < inputs) {
        problems.push(
          `${rank === 0 ? 'predict() does not depend on the weights train() updated at all (0 independent directions)' : `predict() depends on the weights train() updated in ${plural(rank, 'independent direction')}`}, and a linear model of the ${inputs} input columns has ${inputs} at least: keep the model's own weights (one per input column, and the bias) in tf.variable and compute predict() from them`,
        );
        stepsMissed = true;
      } else if (unrelied) {
        // predict() moves with the weights on the rows the replay asked about, but not on the rows it was scored on.
        problems.push(unrelied);
        stepsMissed = true;
      }
    } else {
      const how =
        'keep the weights in tf.variable (const w = tf.variable(tf.zeros([d, 1]))) and update them each step with w.assign(...); the grader replays those values through predict() to see the training loss fall';
      problems.push(
        rounds === 0
          ? `train() updated no tf.variable with assign(), so the grader saw no descent: ${how}`
          : `train() updated its variables ${plural(rounds, 'time')}, and gradient descent here takes at least ${lesson.minRounds} steps: ${how}`,
      );
      stepsMissed = true;
    }
  }

  // Without the steps there is no training loss to speak of: the steps' finding says it.
  if (lesson.lossFalls && !stepsMissed) {
    for (const run of runs) {
      const { values, source } = lossesOf(lesson, run);
      const where =
        source === 'steps'
          ? 'the optimizer steps returned'
          : source === 'replay'
            ? 'the grader computed, replaying the weights train() assigned through predict(),'
            : 'train() logged with ctx.log({ loss })';
      const needed = source === 'log' ? lesson.minLosses : 2;
      if (values.length < needed && source !== 'log') {
        problems.push(
          `the grader saw the loss of ${plural(values.length, 'optimizer step')}, too few to see it fall: a step's loss is the value of the gradient computation it follows (optimizer.minimize(f), or tf.variableGrads(f) then applyGradients); what ctx.log reports is not read for it`,
        );
        break;
      }
      if (values.length < needed) {
        problems.push(
          values.length === 0
            ? 'train() logged no training loss, so no descent can be seen: log the loss as training goes, ctx.log({ epoch: step, loss })'
            : `train() logged ${plural(values.length, 'loss', 'losses')}; the check wants the loss of at least ${needed} steps, logged as training goes (ctx.log({ epoch: step, loss }))`,
        );
        break;
      }
      const first = values[0];
      const last = values[values.length - 1];
      if (!(last < first * FALL)) {
        const hint =
          source === 'replay' ? ' (does predict() compute its answer from the variables train() updated?)' : '';
        problems.push(`the loss ${where} did not fall: ${fmt(first)} at first, ${fmt(last)} at the end${hint}`);
        break;
      }
    }
  }

  if (alignmentProblem !== undefined && !stepsMissed && !problems.some((p) => p.startsWith('the loss ')))
    problems.push(alignmentProblem);

  if (lesson.maxModelMb !== undefined) {
    const tampered = runs.find((r) => r.observed?.tampered !== undefined)?.observed?.tampered;
    if (tampered !== undefined) {
      problems.push(
        `TensorFlow.js's memory bookkeeping was changed (${tampered}), so the model cannot be weighed: leave tf.engine() and its state as they are`,
      );
    }
    const { value: bytes } = worst(
      runs,
      (r) => r.observed?.retainedBytes ?? 0,
      (a, b) => b > a,
    );
    const mb = bytes / MB;
    const passed = mb <= lesson.maxModelMb && tampered === undefined;
    metrics.push({ name: 'model_mb', value: Number(mb.toFixed(2)), max: lesson.maxModelMb, passed });
    if (mb > lesson.maxModelMb) {
      const kept =
        opts.trainingBytes > 0 && bytes >= 0.8 * opts.trainingBytes
          ? `predict() kept the training set: ${mb.toFixed(1)} MB of tensors and arrays alive after train() returned (the training inputs are ${(opts.trainingBytes / MB).toFixed(1)} MB)`
          : `train() left ${mb.toFixed(1)} MB of tensors and arrays alive after it returned`;
      problems.push(
        `${kept}, over the ${lesson.maxModelMb} MB a trained model needs here. Keep only the model's weights: dispose what you made from the training data (tf.tidy, tf.dispose)`,
      );
    }
  }
  return { metrics, problems };
}

/**
 * The hook a kind calls: the payload with the watch request, the evidence of
 * each seed as it arrives, and the verdict merged into the outcome's fields.
 */
export function lessonWatch(ex: Pick<LoadedExercise, 'key' | 'options' | 'forbid'>): {
  request<P extends TrainPayload>(payload: P): P;
  note(observed: Observed | undefined, curve: Record<string, number>[]): void;
  judge(run: { metrics: MetricResult[]; output: string }): { metrics: MetricResult[]; output: string; passed: boolean };
} {
  const lesson = lessonOf(ex);
  const runs: LessonRun[] = [];
  let trainingBytes = 0;
  return {
    request(payload) {
      if (!lesson) return payload;
      trainingBytes = wireByteLength(payload.xTrain);
      return { ...payload, observe: observeRequest(lesson) };
    },
    note(observed, curve) {
      runs.push({ observed, curve });
    },
    judge(run) {
      if (!lesson) return { ...run, passed: true };
      const verdict = judgeLesson(lesson, runs, {
        fitAllowed: !ex.forbid.includes('LayersModel.fit'),
        trainingBytes,
        scored: run.metrics,
      });
      // The lesson heads the findings, so that each of them reads as a part of it that was skipped.
      const findings = verdict.problems.length
        ? [`--- the lesson is ${lesson.what} ---`, ...verdict.problems].join('\n')
        : '';
      return {
        metrics: [...run.metrics, ...verdict.metrics],
        output: [run.output.trimEnd(), findings].filter(Boolean).join('\n'),
        passed: verdict.problems.length === 0,
      };
    },
  };
}
