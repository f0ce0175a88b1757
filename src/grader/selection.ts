/**
 * Model selection on validation data, checked (month2/classical-ml): the
 * lesson is to compare a baseline and several models on validation rows they
 * did not train on, and keep the best. The learner's predictor reports that
 * comparison:
 *
 *   { predict, chosen: 'random forest', candidates: [
 *       { name: 'training mean', baseline: true, valRmse: 9.38, predict },
 *       { name: 'random forest', valRmse: 3.21, predict }, ... ] }
 *
 * and the grader re-checks every claim itself: the child asks each
 * candidate's predict for the validation inputs (child/requests.ts), and
 * here, where the validation labels are scored, each candidate's reported
 * score must match what its predictions earn, there must be a baseline and
 * at least `minModels` models besides it, and the chosen one must be the
 * best on validation. The returned `predict` (often the winner refitted on
 * train + val) is what the held-out metrics grade.
 *
 * Curriculum: `options.selection` of a train exercise.
 */
import { z } from 'zod';
import type { LoadedExercise } from '../curriculum';
import { METRIC_NAMES, type MetricName, type Task } from '../curriculum/schema';
import type { LoadedDataset } from '../datasets';
import { GradingError } from '../errors';
import { features } from './kinds/data';
import { computeMetric } from './metrics';
import { InvalidOutputError, normalizePredictions } from './predictions';
import type { ChildMessage } from './protocol';
import type { MetricResult } from './result';
import type { ChildSession } from './runner';

export const selectionSchema = z.object({
  metric: z.enum(METRIC_NAMES).default('rmse').describe('What candidates are compared by, on the validation split.'),
  claim: z.string().min(1).default('valRmse').describe('The property in which each candidate reports its own validation score.'),
  minModels: z.number().int().min(1).default(2).describe('Candidates needed besides the baseline.'),
  tolerance: z.number().nonnegative().default(0.01).describe('How far a reported score may be from the one the grader computes.'),
}).strict();
export type Selection = z.infer<typeof selectionSchema>;

/** Metrics where lower is better; the others are maximised. */
const LOWER_IS_BETTER = new Set<MetricName>(['rmse', 'mse', 'mae', 'log_loss']);

const LESSON = 'the lesson is choosing a model on validation data, among a baseline and other candidates';

export function selectionOf(ex: Pick<LoadedExercise, 'key' | 'options'>): Selection | undefined {
  const raw = (ex.options as { selection?: unknown } | undefined)?.selection;
  if (raw === undefined) return undefined;
  const parsed = selectionSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new GradingError(`${ex.key}: options.selection.${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

function fmt(v: number): string {
  return Number.isFinite(v) ? v.toFixed(3) : String(v);
}

export interface SelectionFindings {
  /** Models compared besides the baseline, with predictions the grader could score. */
  models: number;
  chosenIsBest: boolean;
  problems: string[];
  /** One line per candidate: its reported and recomputed scores. */
  table: string[];
}

/** Judges one seed's report; pure, for tests. */
export function judgeCandidates(
  spec: Selection,
  answer: Extract<ChildMessage, { type: 'candidates' }>,
  val: { n: number; labels: Float32Array; task: Task },
): SelectionFindings {
  const problems: string[] = [];
  const table: string[] = [];
  const { metric, claim } = spec;
  const shape = `return { predict, chosen, candidates: [{ name, baseline: true, ${claim}, predict }, { name, ${claim}, predict }, ...] }`;
  if (answer.problem) {
    return { models: 0, chosenIsBest: false, problems: [`${answer.problem}: ${LESSON}. Fit each candidate on xTrain, measure it on xVal / yVal, and ${shape} (see README.md)`], table };
  }
  const scores = new Map<string, number>();
  const names = new Set<string>();
  for (const c of answer.entries) {
    if (names.has(c.name)) problems.push(`two candidates are named '${c.name}': give each its own name`);
    names.add(c.name);
    if (c.error || !c.tensor) {
      problems.push(`candidate '${c.name}': ${c.error ?? 'no predictions'}`);
      continue;
    }
    let score: number;
    try {
      score = computeMetric(metric, normalizePredictions(val.task, c.tensor, val.n), val.labels);
    } catch (err) {
      if (!(err instanceof InvalidOutputError)) throw err;
      problems.push(`candidate '${c.name}': its predictions on the validation rows ${err.message}`);
      continue;
    }
    scores.set(c.name, score);
    table.push(`  ${c.baseline ? 'baseline ' : ''}'${c.name}': ${claim} reported ${c.claimed === null ? 'none' : fmt(c.claimed)}, validation ${metric} of its predictions ${fmt(score)}`);
    if (c.claimed === null) {
      problems.push(`candidate '${c.name}' reports no ${claim}: measure every candidate on ctx.data.xVal / yVal and report the number (${LESSON})`);
    } else if (!(Math.abs(c.claimed - score) <= spec.tolerance)) {
      problems.push(`candidate '${c.name}' reports ${claim} ${fmt(c.claimed)}, but its predictions on the validation rows give ${fmt(score)}: report the ${metric} of the very model you hand in, fitted on xTrain only and measured on xVal / yVal`);
    }
  }
  const baselines = answer.entries.filter((c) => c.baseline);
  if (baselines.length === 0) problems.push(`no candidate is marked baseline: true; compare against the simplest answer (the training mean) so you know what your models add (${LESSON})`);
  else if (baselines.length > 1) problems.push(`${baselines.length} candidates are marked baseline: true (${baselines.map((c) => `'${c.name}'`).join(', ')}); mark only the simplest one`);
  const models = answer.entries.filter((c) => !c.baseline && scores.has(c.name)).length;
  if (models < spec.minModels) {
    problems.push(`${models === 0 ? 'no model was' : `only ${models} model${models === 1 ? ' was' : 's were'}`} compared besides the baseline; compare at least ${spec.minModels} (${LESSON})`);
  }

  // Best among fewer than the required candidates, or without a baseline, is no choice at all.
  const compared = baselines.length === 1 && models >= spec.minModels;
  let chosenIsBest = false;
  const better = (a: number, b: number): boolean => (LOWER_IS_BETTER.has(metric) ? a < b : a > b);
  if (answer.chosen === null) {
    problems.push(`train() returned no chosen: name the candidate you kept (chosen: '<its name>')`);
  } else if (!names.has(answer.chosen)) {
    problems.push(`chosen is '${answer.chosen}', but no candidate has that name (${[...names].map((n) => `'${n}'`).join(', ') || 'none'})`);
  } else if (scores.has(answer.chosen)) {
    const mine = scores.get(answer.chosen)!;
    let best: [string, number] | undefined;
    for (const [name, score] of scores) if (!best || better(score, best[1])) best = [name, score];
    const isBest = !better(best![1], mine - (LOWER_IS_BETTER.has(metric) ? 1e-9 : -1e-9));
    chosenIsBest = isBest && compared;
    if (!isBest) {
      problems.push(`you chose '${answer.chosen}' (validation ${metric} ${fmt(mine)}), but '${best![0]}' has ${fmt(best![1])}: keep the candidate that is best on the validation rows, ${LOWER_IS_BETTER.has(metric) ? 'lowest' : 'highest'} wins`);
    }
  }
  return { models, chosenIsBest, problems, table };
}

/**
 * The hook the train kind calls: ask each seed's child about its candidates
 * once train() has returned, and merge the verdict into the outcome.
 */
export function selectionWatch(ex: Pick<LoadedExercise, 'key' | 'options' | 'task'>, val: LoadedDataset | undefined): {
  ask(session: ChildSession, seed: number): Promise<void>;
  judge<R extends { metrics: MetricResult[]; output: string; passed?: boolean }>(run: R): R & { passed: boolean };
} {
  const spec = selectionOf(ex);
  if (spec && !val) throw new GradingError(`${ex.key}: options.selection needs a validation split (dataset.split.val > 0)`);
  const bySeed: { seed: number; findings: SelectionFindings }[] = [];
  return {
    async ask(session, seed) {
      if (!spec || !val) return;
      session.send({ type: 'candidates', x: features(val), claim: spec.claim });
      const answer = await session.expect('candidates');
      bySeed.push({ seed, findings: judgeCandidates(spec, answer, { n: val.n, labels: val.labels, task: ex.task ?? 'regression' }) });
    },
    judge(run) {
      const passed = run.passed ?? true;
      if (!spec || bySeed.length === 0) return { ...run, passed };
      bySeed.sort((a, b) => a.seed - b.seed);
      const worst = bySeed.find((s) => s.findings.problems.length > 0) ?? bySeed[0];
      const f = worst.findings;
      const minModels = Math.min(...bySeed.map((s) => s.findings.models));
      const allBest = bySeed.every((s) => s.findings.chosenIsBest);
      const metrics: MetricResult[] = [
        ...run.metrics,
        { name: 'models_compared', value: minModels, min: spec.minModels, passed: minModels >= spec.minModels },
        { name: 'chosen_best_on_val', value: allBest ? 1 : 0, min: 1, passed: allBest },
      ];
      const where = bySeed.length > 1 ? ` (seed ${worst.seed})` : '';
      const lines = [`--- the choice on validation${where} ---`, ...f.problems, ...(f.table.length ? ['candidates:', ...f.table] : [])];
      return { ...run, metrics, output: [run.output.trimEnd(), lines.join('\n')].filter(Boolean).join('\n'), passed: passed && f.problems.length === 0 };
    },
  };
}
