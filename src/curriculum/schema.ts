/**
 * The curriculum format (formatVersion 1), as a zod schema. Every field is
 * described: the descriptions feed the JSON Schema that editors use to
 * autocomplete curriculum files (schema/curriculum.schema.json).
 *
 * An exercise is a union keyed on `kind`: each kind is one object with the
 * shared fields and that kind's `options` (./kinds), and only the kinds the
 * grader grades exist. What the schema cannot say alone (datasets, suites,
 * metrics that fit the task) is checked by ./rules.
 */
import { z } from 'zod';
import { functionsOptionsSchema } from './kinds/functions';
import { serviceOptionsSchema } from './kinds/service';
import { trackingOptionsSchema } from './kinds/tracking';
import { trainOptionsSchema } from './kinds/train';
import { METRIC_NAMES, TASKS } from './metrics';

export { METRIC_NAMES, TASKS, type MetricName, type Task } from './metrics';

export const EXERCISE_KINDS = ['train', 'functions', 'service', 'tracking'] as const;
export type ExerciseKind = (typeof EXERCISE_KINDS)[number];

const id = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'use lowercase letters, digits and dashes');

export const readingSchema = z
  .object({
    title: z.string().min(1).describe('Title of the reading, as a learner would search for it.'),
    url: z.string().url().describe('Where to read it.'),
  })
  .strict();

export const metricSchema = z
  .object({
    name: z.enum(METRIC_NAMES).describe('Metric computed by the grader on the held-out predictions.'),
    min: z.number().optional().describe('The metric must be at least this value to pass.'),
    max: z.number().optional().describe('The metric must be at most this value to pass.'),
    k: z.number().int().positive().optional().describe('Cut-off for ranking metrics (precision@k, recall@k, NDCG@k).'),
  })
  .strict();

export const splitSchema = z
  .object({
    seed: z
      .number()
      .int()
      .nonnegative()
      .describe('Seed of the split; fixed by the curriculum so every learner is graded on the same held-out set.'),
    test: z
      .number()
      .gt(0)
      .lt(1)
      .describe('Fraction of the dataset held out for grading; it never enters the learner process.'),
    val: z
      .number()
      .gte(0)
      .lt(1)
      .default(0)
      .describe('Fraction given to the learner as a validation set (xVal / yVal).'),
    limit: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Use at most this many examples (a seeded stratified subsample), to fit the time budget.'),
  })
  .strict();

export const baselineSchema = z
  .object({
    label: z
      .string()
      .min(1)
      .describe(
        'What the baseline is, e.g. "majority class" or "the starter (training mean)"; shown beside its numbers.',
      ),
    metrics: z
      .record(z.number())
      .describe(
        "The baseline's measured score, by metric name (`accuracy`), or `name@k` for a ranking metric; shown next to the learner's value and the threshold. A metric the baseline has no number for (a delay it never reaches) is left out.",
      ),
  })
  .strict();

/** A metric's number in a baseline: under `name@k` first, then under the bare name. */
export function baselineValue(
  baseline: Baseline | undefined,
  metric: { name: string; k?: number },
): number | undefined {
  if (!baseline) return undefined;
  return (
    (metric.k !== undefined ? baseline.metrics[`${metric.name}@${metric.k}`] : undefined) ??
    baseline.metrics[metric.name]
  );
}

export const datasetRefSchema = z
  .object({
    id: z.string().min(1).describe('Dataset id from the registry (`mlpath data list`).'),
    split: splitSchema.describe('How the dataset is split into the learner part and the held-out part.'),
    options: z
      .record(z.unknown())
      .optional()
      .describe('Dataset-specific options (for synthetic generators: sizes, coefficients, ...).'),
  })
  .strict();

/** The longest budget of one run, from the curriculum or `--timeout`: a day is beyond any exercise, and timers cannot hold much longer. */
export const MAX_BUDGET_SECONDS = 24 * 60 * 60;

/**
 * The largest heap of a learner process: 16 GiB is past any exercise's needs
 * and what a grading machine can give each seed's child side by side.
 */
export const MAX_MEMORY_MB = 16 * 1024;

export const budgetSchema = z
  .object({
    seconds: z
      .number()
      .positive()
      .max(
        MAX_BUDGET_SECONDS,
        `must be at most ${MAX_BUDGET_SECONDS} seconds (24 hours); a check that needs longer should train on a subset`,
      )
      .describe('Wall-clock budget of one check on 2 cores; the child is killed past it.'),
    memoryMb: z
      .number()
      .int()
      .positive()
      .max(MAX_MEMORY_MB, `must be at most ${MAX_MEMORY_MB} MiB (16 GiB); a check that needs more should use less data`)
      .default(1536)
      .describe('Heap cap of the learner process, in MiB.'),
  })
  .strict();

/** The fields every kind of exercise has. */
const exerciseFields = {
  id: id.describe('Exercise id, unique within its month: the check id is `<month>/<exercise>`.'),
  title: z.string().min(1).describe('One-line title.'),
  status: z
    .enum(['ready', 'planned'])
    .default('ready')
    .describe('`planned` exercises are listed but not scaffolded, and `check` says they are not built yet.'),
  track: z
    .string()
    .optional()
    .describe("Domain track this exercise belongs to (month 3); only the learner's track is scaffolded."),
  summary: z.string().optional().describe('What the learner builds and why, in a sentence or two.'),
  entry: z.string().optional().describe('Entry file in the exercise folder, e.g. `train.ts`.'),
  template: z.string().optional().describe('Starter template folder, relative to the curriculum file.'),
  solution: z
    .string()
    .optional()
    .describe('Reference solution folder, relative to the curriculum file; never scaffolded.'),
  dataset: datasetRefSchema.optional().describe('Data the exercise trains and is graded on.'),
  task: z.enum(TASKS).optional().describe('Prediction task, which decides how predictions are read and scored.'),
  metrics: z.array(metricSchema).default([]).describe('Metrics and thresholds; all must pass.'),
  budget: budgetSchema.default({ seconds: 120, memoryMb: 1536 }).describe('Time and memory budget.'),
  seeds: z
    .array(z.number().int().nonnegative())
    .min(1)
    .default([1])
    .describe(
      "Training seeds of a `train` exercise, each trained in its own process (side by side, up to one per core). Every seed must meet every threshold, so one lucky seed cannot pass; set thresholds below the reference solution's worst seed. Other kinds grade one seed: list one.",
    ),
  baseline: baselineSchema
    .optional()
    .describe(
      "A naive predictor's or the untouched starter's measured scores, shown beside every result so a learner sees how far above trivial the threshold is. It must not pass the exercise.",
    ),
  forbid: z
    .array(z.string())
    .default([])
    .describe('TensorFlow.js APIs the learner may not use, e.g. `tf.layers`, `tf.train`, `tf.grad`.'),
  imports: z
    .array(z.string().min(1))
    .default([])
    .describe(
      'npm packages graded code may import besides TensorFlow.js and `mlpath`, e.g. `ml-random-forest` (with any subpath); every other package is refused at compile time, and dataset packages can never be listed. From-scratch exercises list none.',
    ),
  hints: z.array(z.string().min(1)).default([]).describe('Tiered hints, from a nudge to nearly the answer.'),
  prerequisites: z.array(z.string()).default([]).describe('Exercise ids (`month/exercise`) to do first.'),
  points: z.number().nonnegative().default(10).describe('Points awarded when the exercise passes.'),
  partialCredit: z
    .array(
      z
        .object({
          label: z.string().min(1).describe('What this tier means, e.g. "beats the baseline".'),
          points: z
            .number()
            .nonnegative()
            .describe('Points when every metric of this tier is met but the exercise did not pass.'),
          metrics: z
            .array(metricSchema)
            .min(1)
            .describe('Thresholds of this tier, on the same metrics the exercise computes.'),
        })
        .strict(),
    )
    .default([])
    .describe('Partial-credit tiers below a pass; the best tier met counts.'),
};

/** One kind of exercise: the shared fields, the kind and its options. */
function exerciseOf<K extends ExerciseKind, O extends z.ZodTypeAny>(kind: K, how: string, options: O) {
  return z
    .object({
      ...exerciseFields,
      kind: z.literal(kind).describe(`How the exercise is graded: ${how}`),
      options: options.optional().describe(`Options of a \`${kind}\` exercise.`),
    })
    .strict()
    .describe(`A \`${kind}\` exercise: ${how}`);
}

export const exerciseSchema = z
  .discriminatedUnion('kind', [
    exerciseOf(
      'train',
      'train(ctx) trains on the learner part, its predictor is scored on the held-out inputs.',
      trainOptionsSchema,
    ),
    exerciseOf(
      'functions',
      'named exports are called by a grading suite and compared with its references.',
      functionsOptionsSchema,
    ),
    exerciseOf(
      'service',
      'a model server is probed over HTTP: held-out predictions, latency, bad input, its own metrics.',
      serviceOptionsSchema,
    ),
    exerciseOf(
      'tracking',
      'a hyperparameter sweep logged as MLflow runs is audited, and the chosen model scored.',
      trackingOptionsSchema,
    ),
  ])
  .describe('An exercise; `kind` decides how it is graded and which `options` it takes.');

export const monthSchema = z
  .object({
    id: id.describe('Month id, e.g. `month1`.'),
    title: z.string().min(1).describe('Month title.'),
    goals: z.array(z.string()).default([]).describe('What the learner can do at the end of the month.'),
    readings: z.array(readingSchema).default([]).describe('Readings for the month, shown by `mlpath status`.'),
    exercises: z.array(exerciseSchema).min(1).describe('Exercises, in the order a learner should do them.'),
  })
  .strict();

export const trackSchema = z
  .object({
    id: id.describe('Track id, e.g. `nlp`.'),
    title: z.string().min(1).describe('Track title.'),
    description: z.string().default('').describe('One line shown when the learner picks a track.'),
  })
  .strict();

export const curriculumSchema = z
  .object({
    formatVersion: z.literal(1).describe('Version of this file format; 1.'),
    id: id.describe("Curriculum id, pinned in each workspace's mlpath.json."),
    version: z.string().min(1).describe("Curriculum version, pinned in each workspace's mlpath.json."),
    title: z.string().min(1).describe('Curriculum title.'),
    tracks: z.array(trackSchema).default([]).describe('Domain tracks a learner can choose between.'),
    defaultTrack: z.string().optional().describe('Track scaffolded when the learner does not choose one.'),
    months: z.array(monthSchema).min(1).describe('The months of the path, in order.'),
  })
  .strict();

export type Reading = z.infer<typeof readingSchema>;
export type MetricSpec = z.infer<typeof metricSchema>;
export type DatasetRef = z.infer<typeof datasetRefSchema>;
export type Baseline = z.infer<typeof baselineSchema>;
export type Exercise = z.infer<typeof exerciseSchema>;
export type Month = z.infer<typeof monthSchema>;
export type Track = z.infer<typeof trackSchema>;
export type CurriculumData = z.infer<typeof curriculumSchema>;
