/** Options of a `tracking` exercise: how grader/kinds/tracking.ts audits the sweep. */
import { z } from 'zod';
import { METRIC_NAMES } from '../metrics';

export const trackingOptionsSchema = z
  .object({
    experiment: z.string().min(1).optional().describe('Experiment name the runs go to; defaults to the exercise key.'),
    metric: z.string().min(1).default('val_accuracy').describe('Run metric the sweep is compared by.'),
    goal: z
      .enum(['max', 'min'])
      .default('max')
      .describe('Whether the best run has the highest or the lowest `metric`.'),
    valMetric: z
      .enum(METRIC_NAMES)
      .default('accuracy')
      .describe('What `metric` measures on the validation split; the grader recomputes it for the returned predictor.'),
    minRuns: z.number().int().positive().default(4).describe('Finished runs with distinct params the sweep needs.'),
    minSteps: z
      .number()
      .int()
      .positive()
      .default(2)
      .describe('Steps at which each counted run must have logged `metric`.'),
    tolerance: z
      .number()
      .nonnegative()
      .default(0.005)
      .describe("How far the returned predictor's validation score may be from the chosen run's logged value."),
  })
  .strict();
export type TrackingOptions = z.infer<typeof trackingOptionsSchema>;
