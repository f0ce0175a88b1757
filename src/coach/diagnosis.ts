/**
 * What the coach hands back: a named diagnosis of a check, the numbers from
 * the run that support it, and what to try next. The schema sits here, beside
 * the rules that write it; the result schema (grader/result.ts) embeds it.
 */
import { z } from 'zod';

/** Every diagnosis the coach can make, in the order it reports them. */
export const DIAGNOSIS_IDS = [
  'no-training-curve',
  'diverged',
  'unnormalised-inputs',
  'underfitting',
  'overfitting',
  'perfect-validation',
  'train-serve-skew',
  'one-class',
  'seed-near-miss',
] as const;
export type DiagnosisId = (typeof DIAGNOSIS_IDS)[number];

export const diagnosisSchema = z
  .object({
    id: z.enum(DIAGNOSIS_IDS).describe('Stable name of the diagnosis, for tools.'),
    title: z.string().describe('One line a learner reads first.'),
    evidence: z.string().describe('The numbers from this check that support the diagnosis.'),
    next: z.string().describe('What to try next.'),
  })
  .strict();

export type Diagnosis = z.infer<typeof diagnosisSchema>;
