/**
 * The coach's rules: each reads a run and returns a diagnosis, with the
 * numbers behind it, or nothing. Thresholds are deliberately wide: a wrong
 * diagnosis costs a learner more than a missed one, so each rule fires only
 * when the evidence would convince a reviewer reading the same numbers.
 */
import type { ExerciseKind } from '../curriculum/schema';
import type { MetricResult } from '../grader/result';
import { margin } from '../grader/verdict';
import type { Diagnosis, DiagnosisId } from './diagnosis';
import { heldOut, num, percent, type LoggedMetric, type Point, type Reading, type Series } from './reading';

/** Kinds whose child runs the learner's train(ctx), and so can log a curve. */
const TRAINING_KINDS = new Set<ExerciseKind>(['train', 'tracking', 'service']);
/** Errors after which a curve would have told the learner something (not compile errors, forbidden APIs, a missing entry). */
const TRAINED_ERRORS = new Set(['timeout', 'invalid-output', 'memory', 'exited']);

/** A loss that ends this many times above its lowest value, and above where it started, has diverged. */
export const DIVERGENCE_FACTOR = 10;
/** A loss whose lowest value is less than this fraction below its first one has not moved. */
export const FLAT_LOSS_DROP = 0.05;
/** Validation loss this far above its lowest value, at least OVERFIT_EPOCHS steps later, while the training loss fell. */
export const OVERFIT_RISE = 0.1;
export const OVERFIT_EPOCHS = 2;
/** A logged score in [0, 1] this far above its held-out counterpart is skew; an error this many times below it, too. */
export const SKEW_GAP = 0.15;
export const SKEW_ERROR_RATIO = 2;
/** A validation score at or above this is perfect. */
export const PERFECT = 0.999;
/** Perfect validation with a held-out score this much lower is not believable; from the first epoch on, a smaller gap is enough. */
export const LEAK_GAP = 0.1;
export const LEAK_FROM_START_GAP = 0.02;
/** One column of the confusion matrix holding this share of the predictions, while that class is at most COLLAPSE_TRUE_SHARE of the labels. */
export const COLLAPSE_SHARE = 0.95;
export const COLLAPSE_TRUE_SHARE = 0.85;
export const COLLAPSE_MIN_ROWS = 20;
/** Inputs reaching this magnitude are not scaled (pixels in [0, 1] and standardised features stay well below). */
export const LARGE_INPUT = 10;
/** With seeds that disagree, one within this fraction of the threshold is a near miss (or a narrow pass). */
export const NEAR_MISS = 0.02;

type Rule = (r: Reading, found: Map<DiagnosisId, Diagnosis>) => Diagnosis | undefined;

function first(s: Series): Point {
  return s.points[0];
}

function last(s: Series): Point {
  return s.points[s.points.length - 1];
}

function lowest(points: Point[]): Point {
  return points.reduce((a, b) => (b.v < a.v ? b : a));
}

const noTrainingCurve: Rule = (r) => {
  const { kind, result, curve, nonFinite } = r.input;
  if (!TRAINING_KINDS.has(kind)) return undefined;
  // On a pass the curve is a nicety; on a miss it is the evidence the coach needs.
  const ran =
    result.status === 'failed' ||
    (result.status === 'error' && !!result.error && TRAINED_ERRORS.has(result.error.kind));
  if (!ran || curve.some((s) => Object.keys(s).length > 0) || nonFinite?.length) return undefined;
  const why = result.status === 'error' ? `the check ended in ${result.error!.kind}` : 'train() finished';
  return {
    id: 'no-training-curve',
    title: 'Training logged nothing',
    evidence: `${why} with ${curve.length} logged steps: there is no loss curve to read, so nothing here tells underfitting from overfitting or a bug in predict().`,
    next: 'call ctx.log({ epoch, loss }) once per epoch of your own loop, or in model.fit: callbacks: { onEpochEnd: (epoch, logs) => ctx.log({ epoch: epoch + 1, loss: logs?.loss, valLoss: logs?.val_loss, valAccuracy: logs?.val_acc }) }, then check again.',
  };
};

const diverged: Rule = (r) => {
  const blown = r.input.nonFinite?.[0];
  if (blown) {
    const loss = r.loss ? [...r.loss.points].reverse().find((p) => p.i < blown.index) : undefined;
    const before = loss ? ` (the last finite ${r.loss!.key} was ${num(loss.v)}, at ${r.at(loss.i)})` : '';
    return {
      id: 'diverged',
      title: 'Training diverged: a logged value became NaN or Infinity',
      evidence: `${blown.keys.join(', ')} was NaN or Infinity at ${r.at(blown.index)}${before}; ${r.input.nonFinite!.length} logged step${r.input.nonFinite!.length === 1 ? '' : 's'} held a non-finite value.`,
      next: 'lower the learning rate (try a tenth of it) and scale the inputs; in a loss you wrote yourself, clip probabilities before the log (tf.clipByValue(p, 1e-7, 1 - 1e-7)) and look for a division by zero.',
    };
  }
  const loss = r.loss;
  if (!loss || loss.points.length < 3) return undefined;
  const start = first(loss);
  const end = last(loss);
  const low = lowest(loss.points);
  if (!(low.v > 0) || end.v < DIVERGENCE_FACTOR * low.v || end.v <= start.v) return undefined;
  const via = low.i === start.i ? '' : ` (lowest ${num(low.v)}, at ${r.at(low.i)})`;
  return {
    id: 'diverged',
    title: 'Training diverged: the loss grew by an order of magnitude or more',
    evidence: `${loss.key} went from ${num(start.v)} at ${r.at(start.i)}${via} to ${num(end.v)} at ${r.at(end.i)}, ${num(end.v / low.v)} times its lowest value.`,
    next: 'lower the learning rate (try a tenth of it) and scale the inputs; a loss that climbs like this means each step overshoots the minimum.',
  };
};

function flatLoss(r: Reading): { start: Point; low: Point; end: Point } | undefined {
  const loss = r.loss;
  if (!loss || loss.points.length < 3) return undefined;
  const start = first(loss);
  const low = lowest(loss.points);
  if (!(Math.abs(start.v) > 1e-12) || (start.v - low.v) / Math.abs(start.v) >= FLAT_LOSS_DROP) return undefined;
  return { start, low, end: last(loss) };
}

const underfitting: Rule = (r, found) => {
  if (r.input.result.status !== 'failed' || found.has('diverged')) return undefined;
  const flat = flatLoss(r);
  if (!flat) return undefined;
  const drop = (flat.start.v - flat.low.v) / Math.abs(flat.start.v);
  return {
    id: 'underfitting',
    title: 'Underfitting: the loss barely moved',
    evidence: `${r.loss!.key} went from ${num(flat.start.v)} at ${r.at(flat.start.i)} to ${num(flat.end.v)} at ${r.at(flat.end.i)} (lowest ${num(flat.low.v)}), a drop of ${percent(Math.max(0, drop))} over ${r.loss!.points.length} logged steps.`,
    next: 'the model is not learning yet: raise the learning rate (try ten times it), train for more epochs, or add capacity (a hidden layer with a relu); check that yTrain lines up with xTrain row for row and that the loss suits the task.',
  };
};

/** In a few words, the loss trouble that raw inputs would explain: divergence, or a loss that never moved. */
function lossTrouble(r: Reading, found: Map<DiagnosisId, Diagnosis>): string | undefined {
  if (found.has('diverged')) {
    const blown = r.input.nonFinite?.[0];
    if (blown) return `${blown.keys.join(', ')} became NaN or Infinity at ${r.at(blown.index)}`;
    const loss = r.loss!;
    return `${loss.key} grew from ${num(first(loss).v)} to ${num(last(loss).v)}`;
  }
  const flat = r.input.result.status === 'failed' ? flatLoss(r) : undefined;
  return flat ? `${r.loss!.key} barely moved, from ${num(flat.start.v)} to ${num(flat.end.v)}` : undefined;
}

const unnormalisedInputs: Rule = (r, found) => {
  const scale = r.input.inputScale;
  if (!scale || r.input.result.status === 'passed') return undefined;
  const magnitude = Math.max(Math.abs(scale.min), Math.abs(scale.max));
  if (magnitude < LARGE_INPUT) return undefined;
  const trouble = lossTrouble(r, found);
  if (!trouble) return undefined;
  const largest = scale.feature ? ` (the largest in ${scale.feature})` : '';
  return {
    id: 'unnormalised-inputs',
    title: 'Inputs on a raw scale',
    evidence: `the training inputs range from ${num(scale.min)} to ${num(scale.max)}${largest}, and ${trouble}: on raw scales one learning rate is too large for the wide features and too small for the narrow ones.`,
    next: 'standardise each feature with the mean and standard deviation of xTrain (tf.moments(xTrain, 0)): use (x - mean) / std in train() and the very same mean and std in predict(). If you already do, lower the learning rate instead.',
  };
};

const overfitting: Rule = (r) => {
  const { loss, valLoss } = r;
  if (!loss || !valLoss) return undefined;
  const trainAt = new Map(loss.points.map((p) => [p.i, p.v]));
  const both = valLoss.points.filter((p) => trainAt.has(p.i));
  if (both.length < 4) return undefined;
  const best = lowest(both);
  const end = both[both.length - 1];
  const after = both.length - 1 - both.indexOf(best);
  if (after < OVERFIT_EPOCHS || !(best.v > 0) || end.v < best.v * (1 + OVERFIT_RISE)) return undefined;
  const trainBest = trainAt.get(best.i)!;
  const trainEnd = trainAt.get(end.i)!;
  if (!(trainEnd < trainBest)) return undefined;
  return {
    id: 'overfitting',
    title: 'Overfitting: validation loss rose while training loss fell',
    evidence: `${valLoss.key} rose from ${num(best.v)} at ${r.at(best.i)} to ${num(end.v)} at ${r.at(end.i)} (+${percent(end.v / best.v - 1)}), while ${loss.key} fell from ${num(trainBest)} to ${num(trainEnd)}.`,
    next: `stop near ${r.at(best.i)} (fewer epochs, or keep the weights of the epoch with the lowest validation loss), or regularise: dropout, an L2 kernel regularizer, or a smaller model.`,
  };
};

/** Logged validation scores in [0, 1] (accuracy, F1, ...), whose perfect value is 1. */
function scores(r: Reading): LoggedMetric[] {
  return r.logged.filter((s) => s.higherIsBetter);
}

const perfectValidation: Rule = (r) => {
  for (const s of scores(r)) {
    const held = heldOut(r.input, s.metric);
    const start = first(s);
    const end = last(s);
    const fromStart =
      s.points.length >= 2 &&
      s.points.every((p) => p.v >= PERFECT) &&
      (held === undefined || held <= end.v - LEAK_FROM_START_GAP);
    const unbelievable = end.v >= PERFECT && held !== undefined && held <= end.v - LEAK_GAP;
    if (!fromStart && !unbelievable) continue;
    const against = held !== undefined ? `, yet held-out ${s.metric} is ${num(held)}` : '';
    const when = fromStart ? `from ${r.at(start.i)} on (${s.points.length} logged steps)` : `at ${r.at(end.i)}`;
    return {
      id: 'perfect-validation',
      title: 'Suspiciously perfect validation: something may leak',
      evidence: `${s.key} was ${num(end.v)} ${when}${against}.`,
      next: "make sure no validation row is also a training row: fit on xTrain and yTrain only, compute the validation score from the model's predictions on xVal (never from yVal itself), and check that predict() prepares inputs exactly as train() does.",
    };
  }
  return undefined;
};

/** The graded metric a learner is judged on, when it is not the one compared. */
function graded(metrics: MetricResult[], compared: string): string {
  const other = metrics.find((m) => m.name !== compared && m.value !== null);
  return other ? ` (graded ${other.k ? `${other.name}@${other.k}` : other.name}: ${num(other.value!)})` : '';
}

const trainServeSkew: Rule = (r, found) => {
  if (found.has('perfect-validation')) return undefined;
  const skewed = r.logged.flatMap((s) => {
    const held = heldOut(r.input, s.metric);
    const end = last(s).v;
    if (held === undefined) return [];
    if (s.higherIsBetter) return end - held >= SKEW_GAP ? [{ s, held, gap: end - held }] : [];
    return end > 0 && held / end >= SKEW_ERROR_RATIO ? [{ s, held, gap: held / end }] : [];
  });
  // A score gap and an error ratio do not compare; scores come first, as the more common log.
  const byGap = (a: { gap: number }, b: { gap: number }): number => b.gap - a.gap;
  const worst = skewed.filter((c) => c.s.higherIsBetter).sort(byGap)[0] ?? skewed.sort(byGap)[0];
  if (!worst) return undefined;
  const { s, held } = worst;
  const end = last(s);
  const how = s.higherIsBetter
    ? `${num(held)}, ${num(end.v - held)} lower`
    : `${num(held)}, ${num(held / end.v)} times higher`;
  return {
    id: 'train-serve-skew',
    title: 'Train/serve skew: predict() does not see inputs the way training did',
    evidence: `${s.key} logged during training ended at ${num(end.v)} (${r.at(end.i)}), but held-out ${s.metric} is ${how}${graded(r.input.result.metrics, s.metric)}. Validation and held-out data come from the same source, so a gap this wide points at how predict() prepares its inputs.`,
    next: 'build the vocabulary, scaler or encoder once in train() from the training data, keep it in the closure of the object you return, and reuse it in predict(); never refit it on the inputs predict() receives.',
  };
};

const oneClass: Rule = (r) => {
  const m = r.input.confusion;
  if (!m || m.length < 2) return undefined;
  const k = m.length;
  const predicted = Array.from({ length: k }, (_, j) => m.reduce((a, row) => a + (row[j] ?? 0), 0));
  const total = predicted.reduce((a, b) => a + b, 0);
  if (total < COLLAPSE_MIN_ROWS) return undefined;
  const top = predicted.indexOf(Math.max(...predicted));
  const share = predicted[top] / total;
  const trueShare = m[top].reduce((a, b) => a + b, 0) / total;
  if (share < COLLAPSE_SHARE || trueShare > COLLAPSE_TRUE_SHARE) return undefined;
  const name = (i: number): string =>
    r.input.classNames?.[i] !== undefined ? `'${r.input.classNames[i]}'` : `class ${i}`;
  const never = predicted.map((n, j) => (n === 0 ? j : -1)).filter((j) => j >= 0);
  const missing = never.length
    ? `; ${never.slice(0, 3).map(name).join(', ')}${never.length > 3 ? ` and ${never.length - 3} more` : ''} never predicted`
    : '';
  return {
    id: 'one-class',
    title: `Collapse onto one class: almost every prediction is ${name(top)}`,
    evidence: `${predicted[top]} of ${total} held-out predictions (${percent(share)}) are ${name(top)}, which is only ${percent(trueShare)} of the true labels${missing}.`,
    next: 'check that predict() returns one row of scores per input, that the labels reach the loss in the form it expects (one-hot for categoricalCrossentropy, 0/1 floats for binaryCrossentropy), and try a lower learning rate; if one class dominates the training data, weight the rarer ones.',
  };
};

const seedNearMiss: Rule = (r) => {
  const seeds = r.input.result.seeds;
  for (const m of r.input.result.metrics) {
    const values = m.values;
    const bound = m.min ?? m.max;
    if (!values || values.length < 2 || bound === undefined) continue;
    const room = bound === 0 ? NEAR_MISS / 2 : NEAR_MISS * Math.abs(bound);
    const margins = values.map((v) => margin(m, v) ?? 0);
    // Only seeds that disagree make the verdict a matter of the draw.
    if (margins.every((g) => g >= 0) || margins.every((g) => g < 0)) continue;
    const near = margins.map((g, i) => (Math.abs(g) <= room ? i : -1)).filter((i) => i >= 0);
    if (near.length === 0) continue;
    const seed = (i: number): string => (seeds?.[i] !== undefined ? `seed ${seeds[i]}` : `run ${i + 1}`);
    const edge = near.reduce((a, i) => (Math.abs(margins[i]) < Math.abs(margins[a]) ? i : a));
    const listed = values.map((v, i) => `${num(v)} (${seed(i)}, ${margins[i] >= 0 ? 'pass' : 'miss'})`).join(', ');
    const need = m.min !== undefined ? `>= ${num(m.min)}` : `<= ${num(m.max!)}`;
    const name = m.k ? `${m.name}@${m.k}` : m.name;
    const side = margins[edge] >= 0 ? 'passes by' : 'misses by';
    return {
      id: 'seed-near-miss',
      title: `Seed-dependent: ${name} sits on the threshold on ${seed(edge)}`,
      evidence: `${name} per seed: ${listed}, against ${need}: ${seed(edge)} ${side} ${num(Math.abs(margins[edge]))}, so another draw of the same code could turn the verdict.`,
      next: 'make training steadier so every seed clears the threshold with room: a lower learning rate with more epochs, a larger batch, or a little more capacity; a verdict that rides on one seed is luck, not a lesson learned.',
    };
  }
  return undefined;
};

/** In the order of DIAGNOSIS_IDS; a rule may read what the rules before it found. */
export const RULES: Rule[] = [
  noTrainingCurve,
  diverged,
  unnormalisedInputs,
  underfitting,
  overfitting,
  perfectValidation,
  trainServeSkew,
  oneClass,
  seedNearMiss,
];
