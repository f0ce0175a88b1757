/**
 * Checks that a set of runs is an honest hyperparameter sweep: enough
 * finished runs with distinct params, a validation metric logged at every
 * epoch, and exactly one run marked as chosen, which must be the best on
 * that validation metric. Runs whose numbers the grader could not reproduce
 * from their logged models come in as `refused` and do not count. Pure: the
 * grader and tests feed it RunRecords.
 */
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
  return JSON.stringify(Object.keys(params).sort().map((k) => [k, params[k]]));
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
      problems.push(`${who} logged ${rules.metric} at ${steps} step${steps === 1 ? '' : 's'}: log it after every epoch, with the epoch as the step`);
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
  if (distinctParams < counted.length) notes.push(`${counted.length - distinctParams} run(s) repeat the params of another run and count once: each run of a sweep tries different hyperparameters`);
  if (distinctParams < rules.minRuns) {
    problems.push(`the sweep has ${distinctParams} counted run${distinctParams === 1 ? '' : 's'} with distinct params; it needs at least ${rules.minRuns}`);
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
    problems.push(`no run is marked as chosen: tag the run whose model you return with run.setTag('${CHOSEN_TAG}', 'true')`);
  } else if (marked.length > 1) {
    problems.push(`${marked.length} runs are tagged ${CHOSEN_TAG}=true (${marked.map((r) => r.runName).join(', ')}); tag only the one whose model you return`);
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
    problems.push(`the chosen run ${chosen!.runName} has ${rules.metric} ${chosenValue}, but ${best.run.runName} has ${best.value}: choose by the validation metric, ${rules.goal === 'max' ? 'highest' : 'lowest'} wins`);
  }
  return { counted, distinctParams, chosen, chosenValue, best, chosenIsBest, problems, notes };
}
