/**
 * The result of grading one exercise: the public JSON shape of SPEC.md, with
 * a zod schema that tests (and instructors' tooling) can validate against.
 */
import { z } from 'zod';
import { ERROR_KINDS } from './protocol';

export const metricResultSchema = z.object({
  name: z.string(),
  value: z.number().nullable(),
  min: z.number().optional(),
  max: z.number().optional(),
  k: z.number().optional(),
  passed: z.boolean(),
  std: z.number().optional(),
  values: z.array(z.number()).optional(),
});

/**
 * The child's error kinds, plus `curriculum`: the workspace pins another
 * curriculum than the one grading it, so nothing was graded.
 */
export const RESULT_ERROR_KINDS = [...ERROR_KINDS, 'curriculum'] as const;
export type ResultErrorKind = (typeof RESULT_ERROR_KINDS)[number];

export const resultErrorSchema = z.object({
  kind: z.enum(RESULT_ERROR_KINDS),
  message: z.string(),
  file: z.string().optional(),
  line: z.number().optional(),
});

/**
 * Which curriculum graded a result: the one installed with mlpath, a file
 * given with `--curriculum` / MLPATH_CURRICULUM, or the file the workspace's
 * own mlpath.json names (a learner can edit that one, so CI never uses it).
 */
export const curriculumStampSchema = z.object({
  id: z.string(),
  version: z.string(),
  sha256: z.string(),
  source: z.enum(['built-in', 'override', 'workspace']),
});

export const exerciseResultSchema = z.object({
  exercise: z.string(),
  status: z.enum(['passed', 'failed', 'error']),
  metrics: z.array(metricResultSchema),
  seed: z.number(),
  seeds: z.array(z.number()).optional(),
  backend: z.string(),
  durationMs: z.number(),
  error: resultErrorSchema.nullable(),
  points: z.number().optional(),
  maxPoints: z.number().optional(),
  tier: z.string().optional(),
  output: z.string().optional(),
  curriculum: curriculumStampSchema.optional(),
});

export const checkReportSchema = z.object({
  results: z.array(exerciseResultSchema),
  passed: z.number(),
  failed: z.number(),
  errors: z.number(),
});

export type MetricResult = z.infer<typeof metricResultSchema>;
export type CurriculumStamp = z.infer<typeof curriculumStampSchema>;
export type ResultError = z.infer<typeof resultErrorSchema>;
export type ExerciseResult = z.infer<typeof exerciseResultSchema>;
export type CheckReport = z.infer<typeof checkReportSchema>;

/** Extra facts of a run that go to the run record, not to the public result. */
export interface RunDetails {
  curve: Record<string, number>[];
  datasetFingerprint?: string;
  tfjsVersion?: string;
  peakRssMb?: number;
  trainSeconds?: number;
  confusion?: number[][];
  classNames?: string[];
  frames?: string[];
}

export interface GradeOutcome {
  result: ExerciseResult;
  details: RunDetails;
}
