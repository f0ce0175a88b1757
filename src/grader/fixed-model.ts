/**
 * Exercises whose lesson is the features (month3/tabular) fix the model in
 * the curriculum, `options.fixedModel`, and the grader fits it itself: the
 * child calls the learner's `engineer`, `toTarget` and `fromTarget` and fits
 * ridge regression on what they return (child/fixed-model.ts, ridge.ts). A
 * learner cannot swap the model, so a better score can only come from better
 * features.
 */
import { z } from 'zod';
import type { LoadedExercise } from '../curriculum';
import { GradingError } from '../errors';
import type { FixedModel, TrainPayload } from './protocol';

export const fixedModelSchema = z.object({
  kind: z.literal('ridge').describe('Ridge regression on standardised columns, solved exactly.'),
  l2: z.number().nonnegative().default(1).describe('Penalty on the squared weights.'),
}).strict();

/** The exercise's fixed model, or undefined when train() is the learner's. */
export function fixedModelOf(ex: Pick<LoadedExercise, 'key' | 'options'>): FixedModel | undefined {
  const raw = (ex.options as { fixedModel?: unknown } | undefined)?.fixedModel;
  if (raw === undefined) return undefined;
  const parsed = fixedModelSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new GradingError(`${ex.key}: options.fixedModel.${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

/** The payload with the fixed model the child must fit, when the exercise has one. */
export function withFixedModel<P extends TrainPayload>(ex: Pick<LoadedExercise, 'key' | 'options'>, payload: P): P {
  const fixedModel = fixedModelOf(ex);
  return fixedModel ? { ...payload, fixedModel } : payload;
}
