/**
 * Checks that a set of runs is an honest hyperparameter sweep: enough
 * finished runs with distinct params, a validation metric logged at every
 * epoch, and exactly one run marked as chosen, which must be the best on
 * that validation metric. Runs whose numbers the grader could not reproduce
 * from their logged models come in as `refused` and do not count, and so do
 * runs whose logged models give them away (auditLoggedModels): the weights
 * of another run, or a layer width other than the one their params claim.
 * Pure: the grader and tests feed it RunRecords.
 */
import type { LoggedModel } from './logged-model';
import { latest, type RunRecord } from './reader';
import { CHOSEN_TAG } from './tracker';

export interface SweepRules {
  /** Metric runs are compared by, e.g. `val_accuracy`. */
  metric: string;
  goal: 'max' | 'min';
  minRuns: number;
  /** A run must log the metric at this many distinct steps (epochs) at least. */
  minSteps: number;
  /**
   * Runs the grader could not vouch for, by run id, with the reason (no
   * logged model, or a model that does not score what the run logged): they
   * fail the sweep and do not count.
   */
  refused?: ReadonlyMap<string, string>;
}

export interface SweepAudit {
  /** Finished runs with params and a per-epoch history of the metric. */
  counted: RunRecord[];
  /** How many different param sets the counted runs cover. */
  distinctParams: number;
  chosen?: RunRecord;
  /** The chosen run's latest value of the metric. */
  chosenValue?: number;
  best?: { run: RunRecord; value: number };
  chosenIsBest: boolean;
  /** What makes the sweep fail. */
  problems: string[];
  /** Worth knowing, but allowed: runs that ended FAILED or KILLED, repeated params. */
  notes: string[];
}

function paramKey(params: Record<string, string>): string {
  return JSON.stringify(
    Object.keys(params)
      .sort()
      .map((k) => [k, params[k]]),
  );
}

function better(a: number, b: number, goal: 'max' | 'min'): boolean {
  if (Number.isNaN(b)) return !Number.isNaN(a);
  return goal === 'max' ? a > b : a < b;
}

export function auditSweep(runs: readonly RunRecord[], rules: SweepRules): SweepAudit {
  const problems: string[] = [];
  const notes: string[] = [];
  const counted: RunRecord[] = [];
  for (const run of runs) {
    const who = `run ${run.runName || run.runId}`;
    if (run.status === 'RUNNING' || run.status === 'SCHEDULED') {
      problems.push(`${who} is still ${run.status}: end every run with run.end() (or use tracker.withRun)`);
      continue;
    }
    if (run.status !== 'FINISHED') {
      notes.push(`${who} ended ${run.status}, so it does not count`);
      continue;
    }
    if (Object.keys(run.params).length === 0) {
      problems.push(`${who} logged no params: log the hyperparameters it was trained with (run.logParams({...}))`);
      continue;
    }
    const history = run.metrics[rules.metric];
    if (!history) {
      problems.push(`${who} never logged ${rules.metric}`);
      continue;
    }
    const steps = new Set(history.map((p) => p.step)).size;
    if (steps < rules.minSteps) {
      problems.push(
        `${who} logged ${rules.metric} at ${steps} step${steps === 1 ? '' : 's'}: log it after every epoch, with the epoch as the step`,
      );
      continue;
    }
    const refused = rules.refused?.get(run.runId);
    if (refused !== undefined) {
      problems.push(`${who} ${refused}`);
      continue;
    }
    counted.push(run);
  }

  const distinctParams = new Set(counted.map((r) => paramKey(r.params))).size;
  if (distinctParams < counted.length)
    notes.push(
      `${counted.length - distinctParams} run(s) repeat the params of another run and count once: each run of a sweep tries different hyperparameters`,
    );
  if (distinctParams < rules.minRuns) {
    problems.push(
      `the sweep has ${distinctParams} counted run${distinctParams === 1 ? '' : 's'} with distinct params; it needs at least ${rules.minRuns}`,
    );
  }

  let best: SweepAudit['best'];
  for (const run of counted) {
    const value = latest(run.metrics[rules.metric])!.value;
    if (!best || better(value, best.value, rules.goal)) best = { run, value };
  }

  const marked = runs.filter((r) => r.tags[CHOSEN_TAG] === 'true');
  let chosen: RunRecord | undefined;
  let chosenValue: number | undefined;
  if (marked.length === 0) {
    problems.push(
      `no run is marked as chosen: tag the run whose model you return with run.setTag('${CHOSEN_TAG}', 'true')`,
    );
  } else if (marked.length > 1) {
    problems.push(
      `${marked.length} runs are tagged ${CHOSEN_TAG}=true (${marked.map((r) => r.runName).join(', ')}); tag only the one whose model you return`,
    );
  } else {
    chosen = marked[0];
    if (!counted.includes(chosen)) {
      problems.push(`the chosen run ${chosen.runName} is not a counted run of the sweep (see above)`);
    } else {
      chosenValue = latest(chosen.metrics[rules.metric])!.value;
    }
  }

  const chosenIsBest = chosenValue !== undefined && best !== undefined && !better(best.value, chosenValue, rules.goal);
  if (chosenValue !== undefined && best && !chosenIsBest) {
    problems.push(
      `the chosen run ${chosen!.runName} has ${rules.metric} ${chosenValue}, but ${best.run.runName} has ${best.value}: choose by the validation metric, ${rules.goal === 'max' ? 'highest' : 'lowest'} wins`,
    );
  }
  return { counted, distinctParams, chosen, chosenValue, best, chosenIsBest, problems, notes };
}

/** Params that name a hidden layer's width (`hidden_units`, `hidden`, `units`, `hidden_size`, `n_hidden`...), not a count of layers. */
const WIDTH_PARAM = /(^|_)(hidden|units)(_|$)/i;
const NOT_WIDTH = /layers|depth|dropout/i;

/** The widths a param value claims: one integer, or several for several layers (`128,64`, `[128, 64]`). */
function claimedWidths(value: string): number[] | undefined {
  const parts = value
    .replace(/^\[|\]$/g, '')
    .split(/[\s,x]+/)
    .filter(Boolean);
  const widths = parts.map(Number);
  return widths.length > 0 && widths.every((w) => Number.isInteger(w) && w > 0) ? widths : undefined;
}

/**
 * What the logged models say about the runs that logged them, by run id:
 * a run whose model has the very weights of an earlier run's model with
 * other params (one model trained once and logged under made-up params is
 * one run, not a sweep), and a run whose params claim a hidden layer width
 * its model does not have. Params that do not map to the architecture (the
 * learning rate, the epochs) cannot be checked against a model's weights.
 */
/** How close two runs' weights may be, relative to their size, before they are one model logged twice. */
const NEAR = 0.01;

function nearlySame(a: Float32Array, b: Float32Array, near = NEAR): boolean {
  if (a.length !== b.length || a.length === 0) return false;
  let diff = 0;
  let size = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    diff += d * d;
    size += a[i] * a[i];
  }
  return Number.isFinite(diff) && size > 0 && Math.sqrt(diff) <= near * Math.sqrt(size);
}

/**
 * How close two runs' models' answers on the validation rows may be, relative to their size, before they are
 * one model. A model reparametrised (its hidden units reordered, or scaled by c with the next layer by 1/c under
 * ReLU) computes the same function from weights that are far apart entry by entry; models trained apart from
 * different settings answer a percent or more apart.
 */
const NEAR_ANSWERS = 1e-3;

/**
 * Runs whose logged model answers the validation rows as an earlier run's does, under other params: one model
 * logged under several runs' params however its weights were rewritten (review 20), by run id.
 */
export function auditAnswers(
  runs: readonly RunRecord[],
  answers: ReadonlyMap<string, Float32Array>,
  refused: ReadonlySet<string>,
): Map<string, string> {
  const found = new Map<string, string>();
  for (let i = 0; i < runs.length; i++) {
    const run = runs[i];
    const mine = answers.get(run.runId);
    if (!mine || refused.has(run.runId)) continue;
    const twin = runs.slice(0, i).find((other) => {
      const theirs = answers.get(other.runId);
      return (
        theirs !== undefined &&
        !refused.has(other.runId) &&
        !found.has(other.runId) &&
        paramKey(other.params) !== paramKey(run.params) &&
        nearlySame(theirs, mine, NEAR_ANSWERS)
      );
    });
    if (twin)
      found.set(
        run.runId,
        `logged a model that answers the validation rows as run ${twin.runName || twin.runId}'s does (within ${NEAR_ANSWERS * 100}%), under other params: the same model with its weights rewritten (hidden units reordered or rescaled) is one model, not a sweep. Train each configuration's own model and log that one`,
      );
  }
  return found;
}

export function auditLoggedModels(
  runs: readonly RunRecord[],
  models: ReadonlyMap<string, LoggedModel>,
): Map<string, string> {
  const refused = new Map<string, string>();
  const byHash = new Map<string, RunRecord>();
  for (const run of runs) {
    const model = models.get(run.runId);
    if (!model) continue;
    const first = byHash.get(model.weightsHash);
    if (first && paramKey(first.params) !== paramKey(run.params)) {
      refused.set(
        run.runId,
        `logged the very same model weights as run ${first.runName || first.runId}, under other params: one model trained once and logged under several runs' params is one run, not a sweep. Train each configuration's own model and log that one`,
      );
      continue;
    }
    if (!first) byHash.set(model.weightsHash, run);
    const twin = runs.find((other) => {
      if (other === run || refused.has(other.runId) || paramKey(other.params) === paramKey(run.params)) return false;
      const theirs = models.get(other.runId);
      return (
        theirs !== undefined && theirs.weightsHash !== model.weightsHash && nearlySame(theirs.values, model.values)
      );
    });
    if (twin && runs.indexOf(twin) < runs.indexOf(run)) {
      refused.set(
        run.runId,
        `logged weights within ${NEAR * 100}% of run ${twin.runName || twin.runId}'s, under other params: models trained on their own from different settings differ far more than that, so this is one model logged again with small changes. Train each configuration's own model and log that one`,
      );
      continue;
    }
    const hidden = model.denseUnits.slice(0, -1);
    for (const [key, value] of Object.entries(run.params)) {
      if (!WIDTH_PARAM.test(key) || NOT_WIDTH.test(key)) continue;
      const widths = claimedWidths(value);
      if (!widths) continue;
      const missing = widths.filter((w) => !hidden.includes(w));
      if (missing.length) {
        const has = hidden.length ? `hidden Dense layers of ${hidden.join(', ')} units` : 'no hidden Dense layer';
        refused.set(
          run.runId,
          `logged ${key} ${value}, but the model it logged has ${has}: a run's params must be the ones its model was built and trained with`,
        );
        break;
      }
    }
  }
  return refused;
}
