/** Options of a `service` exercise: how grader/kinds/service.ts probes the learner's server. */
import { z } from 'zod';

export const serviceOptionsSchema = z
  .object({
    p95Ms: z
      .number()
      .positive()
      .default(100)
      .describe('Highest 95th-percentile latency of single-instance requests, in milliseconds.'),
    maxBodyBytes: z
      .number()
      .int()
      .positive()
      .default(1024 * 1024)
      .describe('Largest request body the server must accept; a larger one must be refused with 413.'),
    concurrency: z.number().int().min(1).max(32).default(8).describe('Requests sent at once.'),
    concurrentBatch: z.number().int().min(1).max(100).default(4).describe('Instances in each concurrent request.'),
    batchSize: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(100)
      .describe('Held-out instances per request when collecting the predictions that are scored.'),
    latencyRequests: z
      .number()
      .int()
      .min(1)
      .max(500)
      .default(40)
      .describe('Single-instance requests the latency percentiles are measured on.'),
    holdMs: z
      .number()
      .int()
      .min(50)
      .max(5000)
      .default(250)
      .describe(
        'The shortest time requests are held in flight; the grader picks one up to 1.5 times longer for each probe, ' +
          'and holds others twice and three times as long.',
      ),
    requestTimeoutMs: z
      .number()
      .int()
      .positive()
      .max(60000)
      .default(5000)
      .describe('How long one request may take before it counts as unanswered.'),
  })
  .strict();
export type ServiceOptions = z.infer<typeof serviceOptionsSchema>;
