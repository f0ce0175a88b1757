/**
 * Cross-field rules: what the zod schema cannot express on its own (ids that
 * must be unique or must exist, completeness of `ready` exercises, folders on
 * disk). They run on schema-valid data and know nothing about YAML: each
 * problem carries the data path, and the loader turns it into a line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DatasetError } from '../errors';
import { checkDatasetOptions, DATASET_IDS, datasetOptions, datasetPackages } from '../datasets/registry';
import { SUITE_IDS, suiteMetrics } from '../grader/suites';
import { suiteIdOf } from './kinds/functions';
import { closest, editDistance } from './find';
import { METRIC_TASKS, metricsForTask, RANKED_METRICS, SUITE_METRICS, type MetricName, type Task } from './metrics';
import { baselineValue, type CurriculumData, type Exercise } from './schema';

export type DataPath = (string | number)[];

/** `months[1].exercises[0].metrics[0].min` */
export function formatPath(p: DataPath): string {
  if (p.length === 0) return '(root)';
  return p
    .map((segment, i) => {
      if (typeof segment === 'number') return `[${segment}]`;
      if (!/^[A-Za-z_$][\w$]*$/.test(segment)) return `[${JSON.stringify(segment)}]`;
      return i === 0 ? segment : `.${segment}`;
    })
    .join('');
}

export interface RuleIssue {
  path: DataPath;
  message: string;
}

/** A learner sees at least this many hint levels before the answer. */
export const MIN_HINTS = 3;

interface Located {
  exercise: Exercise;
  key: string;
  path: DataPath;
}

/** Runs every rule and returns all problems found; an empty list means valid. */
export function checkRules(data: CurriculumData, dir: string): RuleIssue[] {
  const exercises = locateExercises(data);
  return [
    ...uniqueIds(data),
    ...tracks(data),
    ...prerequisites(exercises),
    ...metrics(exercises),
    ...baselines(exercises),
    ...seeds(exercises),
    ...completeness(exercises),
    ...folders(exercises, dir),
    ...imports(exercises),
    ...lessons(exercises),
    ...datasets(exercises),
    ...suites(exercises),
    ...tasks(exercises),
  ];
}

function locateExercises(data: CurriculumData): Located[] {
  return data.months.flatMap((month, m) =>
    month.exercises.map((exercise, e) => ({
      exercise,
      key: `${month.id}/${exercise.id}`,
      path: ['months', m, 'exercises', e],
    })),
  );
}

function duplicates<T>(
  items: readonly T[],
  idOf: (item: T) => string,
  pathOf: (index: number) => DataPath,
  what: string,
): RuleIssue[] {
  const firstIndex = new Map<string, number>();
  const issues: RuleIssue[] = [];
  items.forEach((item, index) => {
    const id = idOf(item);
    const first = firstIndex.get(id);
    if (first === undefined) {
      firstIndex.set(id, index);
    } else {
      issues.push({
        path: pathOf(index),
        message: `duplicate ${what} id '${id}', already used by ${formatPath(pathOf(first).slice(0, -1))}`,
      });
    }
  });
  return issues;
}

function uniqueIds(data: CurriculumData): RuleIssue[] {
  return [
    ...duplicates(
      data.tracks,
      (t) => t.id,
      (i) => ['tracks', i, 'id'],
      'track',
    ),
    ...duplicates(
      data.months,
      (m) => m.id,
      (i) => ['months', i, 'id'],
      'month',
    ),
    ...data.months.flatMap((month, m) =>
      duplicates(
        month.exercises,
        (e) => e.id,
        (i) => ['months', m, 'exercises', i, 'id'],
        `exercise (in ${month.id})`,
      ),
    ),
  ];
}

function tracks(data: CurriculumData): RuleIssue[] {
  const declared = data.tracks.map((t) => t.id);
  const known = new Set(declared);
  const unknown = (id: string): string =>
    declared.length === 0
      ? `unknown track '${id}': no tracks are declared under \`tracks\``
      : `unknown track '${id}'; declared tracks: ${declared.join(', ')}`;
  const issues: RuleIssue[] = [];
  if (data.defaultTrack !== undefined && !known.has(data.defaultTrack)) {
    issues.push({ path: ['defaultTrack'], message: unknown(data.defaultTrack) });
  }
  data.months.forEach((month, m) =>
    month.exercises.forEach((exercise, e) => {
      if (exercise.track !== undefined && !known.has(exercise.track)) {
        issues.push({ path: ['months', m, 'exercises', e, 'track'], message: unknown(exercise.track) });
      }
    }),
  );
  return issues;
}

function prerequisites(exercises: Located[]): RuleIssue[] {
  const byKey = new Map<string, Located>();
  for (const located of exercises) if (!byKey.has(located.key)) byKey.set(located.key, located);
  const keys = [...byKey.keys()];
  const issues: RuleIssue[] = [];

  for (const { exercise, key, path: at } of exercises) {
    exercise.prerequisites.forEach((prerequisite, p) => {
      if (!byKey.has(prerequisite)) {
        const others = keys.filter((k) => k !== key);
        issues.push({
          path: [...at, 'prerequisites', p],
          message: `unknown exercise '${prerequisite}' (use \`month/exercise\`). Did you mean: ${closest(prerequisite, others).join(', ')}?`,
        });
      }
    });
  }

  // Depth-first search; each edge back into the current chain closes one cycle
  // and is reported once, where it is written.
  const state = new Map<string, 'active' | 'done'>();
  const chain: string[] = [];
  const visit = (key: string): void => {
    state.set(key, 'active');
    chain.push(key);
    const { exercise, path: at } = byKey.get(key)!;
    exercise.prerequisites.forEach((next, p) => {
      if (!byKey.has(next)) return;
      const seen = state.get(next);
      if (seen === 'active') {
        const cycle = [...chain.slice(chain.indexOf(next)), next].join(' -> ');
        issues.push({ path: [...at, 'prerequisites', p], message: `prerequisites form a cycle: ${cycle}` });
      } else if (seen === undefined) {
        visit(next);
      }
    });
    chain.pop();
    state.set(key, 'done');
  };
  for (const key of keys) if (!state.has(key)) visit(key);
  return issues;
}

function metrics(exercises: Located[]): RuleIssue[] {
  const issues: RuleIssue[] = [];
  for (const { exercise, path: at } of exercises) {
    exercise.metrics.forEach((metric, i) => {
      const where = [...at, 'metrics', i];
      if (metric.min === undefined && metric.max === undefined) {
        issues.push({ path: where, message: `metric '${metric.name}' needs a threshold: set min or max` });
      }
      if (metric.min !== undefined && metric.max !== undefined && metric.min > metric.max) {
        issues.push({
          path: [...where, 'max'],
          message: `max (${metric.max}) is below min (${metric.min}): no result can pass`,
        });
      }
      if (RANKED_METRICS.has(metric.name) && metric.k === undefined) {
        issues.push({ path: [...where, 'k'], message: `ranking metric '${metric.name}' needs k (the cut-off)` });
      }
      if (!RANKED_METRICS.has(metric.name) && metric.k !== undefined) {
        issues.push({ path: [...where, 'k'], message: `k only applies to ranking metrics, not '${metric.name}'` });
      }
    });
    const computed = new Set(exercise.metrics.map((m) => m.name));
    exercise.partialCredit.forEach((tier, t) => {
      if (tier.points > exercise.points) {
        issues.push({
          path: [...at, 'partialCredit', t, 'points'],
          message: `a partial-credit tier (${tier.points}) cannot be worth more than a pass (${exercise.points})`,
        });
      }
      tier.metrics.forEach((metric, i) => {
        if (!computed.has(metric.name)) {
          issues.push({
            path: [...at, 'partialCredit', t, 'metrics', i, 'name'],
            message: `'${metric.name}' is not one of this exercise's metrics (${[...computed].join(', ') || 'none'})`,
          });
        }
      });
    });
  }
  return issues;
}

/** A baseline names the exercise's metrics, and stays below the bar: a trivial predictor must not pass. */
function baselines(exercises: Located[]): RuleIssue[] {
  const issues: RuleIssue[] = [];
  for (const { exercise, path: at } of exercises) {
    const baseline = exercise.baseline;
    if (!baseline) continue;
    const labels = exercise.metrics.map((m) => (m.k !== undefined ? `${m.name}@${m.k}` : m.name));
    for (const key of Object.keys(baseline.metrics)) {
      if (!exercise.metrics.some((m) => key === m.name || (m.k !== undefined && key === `${m.name}@${m.k}`))) {
        issues.push({
          path: [...at, 'baseline', 'metrics', key],
          message: `'${key}' is not one of this exercise's metrics (${labels.join(', ') || 'none'})`,
        });
      }
    }
    const meets = (m: Exercise['metrics'][number]): boolean => {
      const v = baselineValue(baseline, m);
      return v !== undefined && (m.min === undefined || v >= m.min) && (m.max === undefined || v <= m.max);
    };
    if (exercise.metrics.length > 0 && exercise.metrics.every(meets)) {
      issues.push({
        path: [...at, 'baseline'],
        message: `the baseline (${baseline.label}) meets every threshold, so it would pass: set the thresholds between the baseline and the reference solution`,
      });
    }
  }
  return issues;
}

/** Only `train` trains once per seed; the other kinds grade their first seed, so more would be silently ignored. */
function seeds(exercises: Located[]): RuleIssue[] {
  const issues: RuleIssue[] = [];
  for (const { exercise, path: at } of exercises) {
    const where = [...at, 'seeds'];
    if (exercise.kind !== 'train' && exercise.seeds.length > 1) {
      issues.push({
        path: where,
        message: `a ${exercise.kind} exercise is graded on one seed (only train exercises train once per seed): list one`,
      });
    }
    const repeated = exercise.seeds.find((seed, i) => exercise.seeds.indexOf(seed) !== i);
    if (repeated !== undefined)
      issues.push({ path: where, message: `seed ${repeated} is listed twice: a repeated seed repeats the same run` });
  }
  return issues;
}

/** `ready` means a learner can be scaffolded and graded today. */
function completeness(exercises: Located[]): RuleIssue[] {
  const issues: RuleIssue[] = [];
  for (const { exercise, path: at } of exercises) {
    if (exercise.status !== 'ready') continue;
    const need = (field: keyof Exercise, why: string): void => {
      issues.push({ path: [...at, field], message: `a ready exercise ${why} (or mark it \`status: planned\`)` });
    };
    if (exercise.template === undefined) need('template', 'needs a starter template folder');
    if (exercise.entry === undefined) need('entry', 'needs an entry file');
    if (exercise.hints.length < MIN_HINTS) {
      need('hints', `needs at least ${MIN_HINTS} tiered hints (has ${exercise.hints.length})`);
    }
    if (exercise.kind === 'train' || exercise.kind === 'tracking') {
      if (exercise.dataset === undefined) need('dataset', `of kind ${exercise.kind} needs a dataset`);
      if (exercise.task === undefined) need('task', `of kind ${exercise.kind} needs a task`);
      if (exercise.metrics.length === 0) need('metrics', `of kind ${exercise.kind} needs at least one metric`);
    }
    if (exercise.kind === 'service' && exercise.dataset === undefined) {
      need('dataset', 'of kind service needs a dataset to serve a model of');
    }
  }
  return issues;
}

function isDirectory(p: string): boolean {
  return fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

function isFile(p: string): boolean {
  return fs.statSync(p, { throwIfNoEntry: false })?.isFile() ?? false;
}

function folders(exercises: Located[], dir: string): RuleIssue[] {
  const issues: RuleIssue[] = [];
  for (const { exercise, path: at } of exercises) {
    for (const field of ['template', 'solution'] as const) {
      const folder = exercise[field];
      if (folder !== undefined && !isDirectory(path.resolve(dir, folder))) {
        issues.push({
          path: [...at, field],
          message: `${field} folder '${folder}' not found (looked in ${path.resolve(dir, folder)})`,
        });
      }
    }
    const { template, entry } = exercise;
    if (template !== undefined && entry !== undefined) {
      const templateDir = path.resolve(dir, template);
      if (isDirectory(templateDir) && !isFile(path.join(templateDir, entry))) {
        issues.push({
          path: [...at, 'entry'],
          message: `entry file '${entry}' not found in template folder '${template}'`,
        });
      }
    }
  }
  return issues;
}

/** An allowed import names a package; never a dataset's (the data arrives in ctx.data), TensorFlow.js or mlpath (always there). */
function imports(exercises: Located[]): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const datasets = new Set(datasetPackages());
  for (const { exercise, path: at } of exercises) {
    exercise.imports.forEach((name, i) => {
      const where = [...at, 'imports', i];
      if (!/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i.test(name)) {
        issues.push({
          path: where,
          message: `'${name}' is not a package name (write the bare name, e.g. ml-random-forest; subpaths are allowed with it)`,
        });
      } else if (datasets.has(name)) {
        issues.push({
          path: where,
          message: `'${name}' ships a dataset: graded code gets its data from ctx.data, so it cannot be imported`,
        });
      } else if (name === 'mlpath' || name.startsWith('@tensorflow/')) {
        issues.push({ path: where, message: `'${name}' is always available to graded code: remove it from imports` });
      }
    });
  }
  return issues;
}

/** A lesson's notes speak of metrics the exercise computes (the lesson's shape is the schema's, kinds/train.ts). */
function lessons(exercises: Located[]): RuleIssue[] {
  const issues: RuleIssue[] = [];
  for (const { exercise, path: at } of exercises) {
    if (exercise.kind !== 'train' || !exercise.options?.lesson) continue;
    for (const name of Object.keys(exercise.options.lesson.metricNotes)) {
      if (!exercise.metrics.some((m) => m.name === name)) {
        const where = [...at, 'options', 'lesson', 'metricNotes', name];
        issues.push({ path: where, message: `'${name}' is not one of this exercise's metrics` });
      }
    }
  }
  return issues;
}

/** A "did you mean" for a typo: the nearest name, when it is near enough to be the one meant. */
export function didYouMean(typed: string, known: readonly string[]): string {
  const near = closest(typed, known, 1)[0];
  if (near === undefined) return '';
  const close = editDistance(typed.toLowerCase(), near.toLowerCase()) <= Math.max(2, Math.floor(typed.length / 3));
  return close ? `; did you mean '${near}'?` : '';
}

/** A dataset is one the registry has, and its options are ones it takes, with values it accepts. */
function datasets(exercises: Located[]): RuleIssue[] {
  const issues: RuleIssue[] = [];
  for (const { exercise, path: at } of exercises) {
    const ref = exercise.dataset;
    if (!ref) continue;
    const where = [...at, 'dataset'];
    if (!DATASET_IDS.includes(ref.id)) {
      issues.push({
        path: [...where, 'id'],
        message:
          `unknown dataset '${ref.id}'${didYouMean(ref.id, DATASET_IDS)} ` +
          `(datasets: ${DATASET_IDS.join(', ')}; \`mlpath data list\` describes them)`,
      });
      continue;
    }
    const specs = datasetOptions(ref.id);
    const names = specs.map((o) => o.name);
    for (const [name, value] of Object.entries(ref.options ?? {})) {
      const spec = specs.find((o) => o.name === name);
      if (!spec) {
        const valid = names.length ? `options: ${names.join(', ')}` : 'it takes no options';
        const message = `dataset '${ref.id}' has no option '${name}'${didYouMean(name, names)} (${valid})`;
        issues.push({ path: [...where, 'options', name], message });
        continue;
      }
      try {
        checkDatasetOptions(ref.id, { [name]: value as never });
      } catch (err) {
        if (!(err instanceof DatasetError)) throw err;
        const guess = typeof value === 'string' && spec.values ? didYouMean(value, spec.values) : '';
        issues.push({ path: [...where, 'options', name], message: `${err.message}${guess}` });
      }
    }
  }
  return issues;
}

/**
 * A functions exercise is graded by a suite the grader has, on metrics that
 * suite scores. Without `options.suite` the suite is named like the exercise;
 * a planned exercise may wait for its suite, unless it names one.
 */
function suites(exercises: Located[]): RuleIssue[] {
  const issues: RuleIssue[] = [];
  for (const { exercise, path: at } of exercises) {
    if (exercise.kind !== 'functions') continue;
    const id = suiteIdOf(exercise);
    const named = exercise.options?.suite !== undefined;
    const scores = suiteMetrics(id);
    if (!scores) {
      if (!named && exercise.status !== 'ready') continue;
      const where = named ? [...at, 'options', 'suite'] : [...at, 'id'];
      const how = named ? '' : 'without options.suite, the suite named like the exercise grades it; ';
      const message = `no grading suite '${id}'${didYouMean(id, SUITE_IDS)} (${how}suites: ${SUITE_IDS.join(', ')})`;
      issues.push({ path: where, message });
      continue;
    }
    const shareOfCases = scores.length === 1 && scores[0] === 'cases_passed';
    exercise.metrics.forEach((metric, i) => {
      // `accuracy` was the share of cases' name before `cases_passed`: courses written then still validate.
      if (!scores.includes(metric.name) && !(shareOfCases && metric.name === 'accuracy')) {
        const what = shareOfCases ? 'cases_passed (the share of its cases passed)' : scores.join(', ');
        const message = `suite '${id}' scores ${what}, not '${metric.name}'`;
        issues.push({ path: [...at, 'metrics', i, 'name'], message });
      }
    });
  }
  return issues;
}

function misfit(name: MetricName, task: Task): string {
  if (SUITE_METRICS.has(name)) {
    return `'${name}' is computed by a grading suite (a functions exercise), not from a ${task} task's predictions`;
  }
  return `'${name}' does not score a ${task} task; a ${task} task is scored with ${metricsForTask(task).join(', ')}`;
}

/**
 * Every metric the grader computes from predictions fits the task (one table,
 * ./metrics, which the grader reads too), and so do the kind options that
 * name a metric or assume a task.
 */
function tasks(exercises: Located[]): RuleIssue[] {
  const issues: RuleIssue[] = [];
  for (const { exercise, path: at } of exercises) {
    if (exercise.kind === 'functions') continue;
    if (exercise.kind === 'service' && exercise.task !== undefined && exercise.task !== 'classification') {
      const message =
        `a service exercise is graded on the class its server answers: task must be classification, ` +
        `not ${exercise.task}`;
      issues.push({ path: [...at, 'task'], message });
      continue;
    }
    const task = exercise.task;
    if (task === undefined) continue;
    exercise.metrics.forEach((metric, i) => {
      if (!METRIC_TASKS[metric.name].includes(task)) {
        issues.push({ path: [...at, 'metrics', i, 'name'], message: misfit(metric.name, task) });
      }
    });
    const fits = (name: MetricName, where: (string | number)[]): void => {
      if (!METRIC_TASKS[name].includes(task)) {
        issues.push({ path: [...at, 'options', ...where], message: misfit(name, task) });
      }
    };
    if (exercise.kind === 'tracking' && exercise.options) fits(exercise.options.valMetric, ['valMetric']);
    if (exercise.kind !== 'train' || !exercise.options) continue;
    const { selection, fixedModel, relevantMin } = exercise.options;
    if (selection) fits(selection.metric, ['selection', 'metric']);
    if (fixedModel && task !== 'regression') {
      const message = `a fixed ${fixedModel.kind} model predicts numbers: the task must be regression, not ${task}`;
      issues.push({ path: [...at, 'options', 'fixedModel'], message });
    }
    if (relevantMin !== undefined && task !== 'ranking') {
      const message = `relevantMin only applies to a ranking task, not ${task}`;
      issues.push({ path: [...at, 'options', 'relevantMin'], message });
    }
  }
  return issues;
}
