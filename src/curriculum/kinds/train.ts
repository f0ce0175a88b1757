/**
 * Options of a `train` exercise (`options:` in the curriculum), each block
 * read by the grader module named beside it: `lesson` (grader/lesson.ts),
 * `selection` (grader/selection.ts), `fixedModel` (grader/fixed-model.ts),
 * `relevantMin` (grader/ranking.ts). The grader imports these schemas; this
 * is their one home.
 */
import { z } from 'zod';
import { METRIC_NAMES } from '../metrics';

export const lessonSchema = z
  .object({
    what: z
      .string()
      .min(1)
      .describe('The lesson in a few words, quoted by every finding: "a training loop you write: ...".'),
    minSteps: z.number().int().positive().optional().describe('Optimizer steps train() must take.'),
    minEpochs: z.number().int().positive().optional().describe('The highest `epoch` train() must log through ctx.log.'),
    validation: z
      .boolean()
      .default(false)
      .describe('train() must log a validation number (a key starting with `val`).'),
    lossFalls: z
      .boolean()
      .default(false)
      .describe('The loss must fall by at least a tenth from the first steps to the last.'),
    minLosses: z
      .number()
      .int()
      .min(2)
      .default(2)
      .describe('With `lossFalls` and no optimizer steps: logged losses needed.'),
    descent: z
      .enum(['mse', 'logloss'])
      .optional()
      .describe(
        'Gradient descent by hand: the grader replays the tf.variable values train() assigns through predict() and computes this training loss itself.',
      ),
    minRounds: z
      .number()
      .int()
      .min(2)
      .default(10)
      .describe('With `descent`: rounds of assign() updates train() must make.'),
    minWeights: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('With `minSteps`: values the optimizer steps must train (the smallest model that can learn the task).'),
    minWeightsWhy: z.string().min(1).optional().describe('What `minWeights` counts, quoted when it is missed.'),
    minRelied: z
      .number()
      .gt(0)
      .max(1)
      .optional()
      .describe(
        'With `minSteps`: the share of answers that must change when each large trained variable is set to zero (default 0.5); lower for answers with a large offset (ratings near 3.5 change by less than a tenth when a bias is zeroed).',
      ),
    usesPretrained: z
      .boolean()
      .default(false)
      .describe(
        'With `minSteps`: predict() must rely on the model ctx.pretrained() gave: with all its weights set to zero, most validation answers must change.',
      ),
    releaseData: z.boolean().default(false).describe("Dispose ctx.data's tensors once train() returns."),
    maxModelMb: z
      .number()
      .positive()
      .optional()
      .describe('Megabytes still alive once train() has returned, pretrained weights not counted.'),
    metricNotes: z
      .record(z.string().min(1))
      .default({})
      .describe("By metric name: what missing that metric's threshold says about the lesson, shown with the miss."),
  })
  .strict();
export type Lesson = z.infer<typeof lessonSchema>;

export const selectionSchema = z
  .object({
    metric: z.enum(METRIC_NAMES).default('rmse').describe('What candidates are compared by, on the validation split.'),
    claim: z
      .string()
      .min(1)
      .default('valRmse')
      .describe('The property in which each candidate reports its own validation score.'),
    minModels: z.number().int().min(1).default(2).describe('Candidates needed besides the baseline.'),
    tolerance: z
      .number()
      .nonnegative()
      .default(0.01)
      .describe('How far a reported score may be from the one the grader computes.'),
    seenRatio: z
      .number()
      .min(0)
      .max(1)
      .default(0.5)
      .describe(
        'A candidate whose validation error is below this fraction of its error on the held-out rows (which it ' +
          'cannot have seen) has seen the validation rows, and is refused.',
      ),
    probeRatio: z
      .number()
      .positive()
      .max(1)
      .optional()
      .describe(
        'With it, train() runs a second time per seed on the same rows with labels the grader makes up from them ' +
          "(grader/selection.ts); the returned predict must score at most this fraction of the training mean's " +
          'error on the made-up held-out labels. A model fitted to its rows passes; a table of the real labels does not.',
      ),
    probeSkip: z
      .array(z.string())
      .default([])
      .describe(
        'Columns the made-up labels of the probe run never use: ones a learner may rightly leave out of every model.',
      ),
  })
  .strict();
export type Selection = z.infer<typeof selectionSchema>;

export const fixedModelSchema = z
  .object({
    kind: z.literal('ridge').describe('Ridge regression on standardised columns, solved exactly.'),
    l2: z.number().nonnegative().default(1).describe('Penalty on the squared weights.'),
  })
  .strict();

/** Ratings at or above this count as items the user liked. */
export const DEFAULT_RELEVANT_MIN = 4;

export const relevantMinSchema = z
  .number()
  .finite()
  .describe(
    `Ranking task: the lowest held-out rating that counts as an item the user liked (default ${DEFAULT_RELEVANT_MIN}).`,
  );

export const trainOptionsSchema = z
  .object({
    lesson: lessonSchema.optional().describe('What training must show besides the metrics (grader/lesson.ts).'),
    selection: selectionSchema
      .optional()
      .describe('Model selection on validation data, re-checked by the grader (grader/selection.ts).'),
    fixedModel: fixedModelSchema
      .optional()
      .describe(
        'The model is fixed and fitted by the grader; the learner writes the features (grader/fixed-model.ts).',
      ),
    relevantMin: relevantMinSchema.optional(),
  })
  .strict();
export type TrainOptions = z.infer<typeof trainOptionsSchema>;
