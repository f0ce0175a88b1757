/**
 * Cross-field rules: what the zod schema cannot express on its own (ids that
 * must be unique or must exist, completeness of `ready` exercises, folders on
 * disk). They run on schema-valid data and know nothing about YAML: each
 * problem carries the data path, and the loader turns it into a line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { datasetPackages } from '../datasets/registry';
import { lessonSchema } from '../grader/lesson';
import { closest } from './find';
import { baselineValue, type CurriculumData, type Exercise, type MetricName } from './schema';

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

const RANKING_METRICS: ReadonlySet<MetricName> = new Set(['precision_at_k', 'recall_at_k', 'ndcg_at_k']);

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

function duplicates<T>(items: readonly T[], idOf: (item: T) => string, pathOf: (index: number) => DataPath, what: string): RuleIssue[] {
  const firstIndex = new Map<string, number>();
  const issues: RuleIssue[] = [];
  items.forEach((item, index) => {
    const id = idOf(item);
    const first = firstIndex.get(id);
    if (first === undefined) {
      firstIndex.set(id, index);
    } else {
      issues.push({ path: pathOf(index), message: `duplicate ${what} id '${id}', already used by ${formatPath(pathOf(first).slice(0, -1))}` });
    }
  });
  return issues;
}

function uniqueIds(data: CurriculumData): RuleIssue[] {
  return [
    ...duplicates(data.tracks, (t) => t.id, (i) => ['tracks', i, 'id'], 'track'),
    ...duplicates(data.months, (m) => m.id, (i) => ['months', i, 'id'], 'month'),
    ...data.months.flatMap((month, m) =>
      duplicates(month.exercises, (e) => e.id, (i) => ['months', m, 'exercises', i, 'id'], `exercise (in ${month.id})`),
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
        issues.push({ path: [...where, 'max'], message: `max (${metric.max}) is below min (${metric.min}): no result can pass` });
      }
      if (RANKING_METRICS.has(metric.name) && metric.k === undefined) {
        issues.push({ path: [...where, 'k'], message: `ranking metric '${metric.name}' needs k (the cut-off)` });
      }
      if (!RANKING_METRICS.has(metric.name) && metric.k !== undefined) {
        issues.push({ path: [...where, 'k'], message: `k only applies to ranking metrics, not '${metric.name}'` });
      }
    });
    const computed = new Set(exercise.metrics.map((m) => m.name));
    exercise.partialCredit.forEach((tier, t) => {
      if (tier.points > exercise.points) {
        issues.push({ path: [...at, 'partialCredit', t, 'points'], message: `a partial-credit tier (${tier.points}) cannot be worth more than a pass (${exercise.points})` });
      }
      tier.metrics.forEach((metric, i) => {
        if (!computed.has(metric.name)) {
          issues.push({ path: [...at, 'partialCredit', t, 'metrics', i, 'name'], message: `'${metric.name}' is not one of this exercise's metrics (${[...computed].join(', ') || 'none'})` });
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
        issues.push({ path: [...at, 'baseline', 'metrics', key], message: `'${key}' is not one of this exercise's metrics (${labels.join(', ') || 'none'})` });
      }
    }
    const meets = (m: Exercise['metrics'][number]): boolean => {
      const v = baselineValue(baseline, m);
      return v !== undefined && (m.min === undefined || v >= m.min) && (m.max === undefined || v <= m.max);
    };
    if (exercise.metrics.length > 0 && exercise.metrics.every(meets)) {
      issues.push({ path: [...at, 'baseline'], message: `the baseline (${baseline.label}) meets every threshold, so it would pass: set the thresholds between the baseline and the reference solution` });
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
      issues.push({ path: where, message: `a ${exercise.kind} exercise is graded on one seed (only train exercises train once per seed): list one` });
    }
    const repeated = exercise.seeds.find((seed, i) => exercise.seeds.indexOf(seed) !== i);
    if (repeated !== undefined) issues.push({ path: where, message: `seed ${repeated} is listed twice: a repeated seed repeats the same run` });
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
    if (exercise.kind === 'train') {
      if (exercise.dataset === undefined) need('dataset', 'of kind train needs a dataset');
      if (exercise.task === undefined) need('task', 'of kind train needs a task');
      if (exercise.metrics.length === 0) need('metrics', 'of kind train needs at least one metric');
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
        issues.push({ path: [...at, field], message: `${field} folder '${folder}' not found (looked in ${path.resolve(dir, folder)})` });
      }
    }
    const { template, entry } = exercise;
    if (template !== undefined && entry !== undefined) {
      const templateDir = path.resolve(dir, template);
      if (isDirectory(templateDir) && !isFile(path.join(templateDir, entry))) {
        issues.push({ path: [...at, 'entry'], message: `entry file '${entry}' not found in template folder '${template}'` });
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
        issues.push({ path: where, message: `'${name}' is not a package name (write the bare name, e.g. ml-random-forest; subpaths are allowed with it)` });
      } else if (datasets.has(name)) {
        issues.push({ path: where, message: `'${name}' ships a dataset: graded code gets its data from ctx.data, so it cannot be imported` });
      } else if (name === 'mlpath' || name.startsWith('@tensorflow/')) {
        issues.push({ path: where, message: `'${name}' is always available to graded code: remove it from imports` });
      }
    });
  }
  return issues;
}

/** `options.lesson` (grader/lesson.ts) is read by the train kind only, and must be a lesson the grader can judge. */
function lessons(exercises: Located[]): RuleIssue[] {
  const issues: RuleIssue[] = [];
  for (const { exercise, path: at } of exercises) {
    const lesson = (exercise.options as { lesson?: unknown } | undefined)?.lesson;
    if (lesson === undefined) continue;
    const where = [...at, 'options', 'lesson'];
    if (exercise.kind !== 'train') {
      issues.push({ path: where, message: `a lesson is judged on a train exercise's training; this one is '${exercise.kind}'` });
      continue;
    }
    const parsed = lessonSchema.safeParse(lesson);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) issues.push({ path: [...where, ...issue.path], message: issue.message });
      continue;
    }
    for (const name of Object.keys(parsed.data.metricNotes)) {
      if (!exercise.metrics.some((m) => m.name === name)) issues.push({ path: [...where, 'metricNotes', name], message: `'${name}' is not one of this exercise's metrics` });
    }
  }
  return issues;
}
