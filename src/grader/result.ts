/**
 * The result of grading one exercise: the public JSON shape of SPEC.md, with
 * a zod schema that tests (and instructors' tooling) can validate against.
 */
import { z } from 'zod';
import { diagnosisSchema } from '../coach/diagnosis';
import { ERROR_KINDS } from './protocol';
import { SEED_RULE } from './verdict';

export const metricResultSchema = z.object({
  name: z.string(),
  value: z.number().nullable(),
  min: z.number().optional(),
  max: z.number().optional(),
  k: z.number().optional(),
  passed: z.boolean(),
  /** Several seeds: their values in the order of `seeds`; `value` is the worst of them (see grader/verdict.ts). */
  values: z.array(z.number()).optional(),
  mean: z.number().optional(),
  std: z.number().optional(),
  /** The curriculum's baseline for this metric (a trivial predictor's or the starter's score). */
  baseline: z.number().optional(),
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
  /** With several seeds, how they make one verdict: `every-seed`, each seed must meet each threshold. */
  seedRule: z.literal(SEED_RULE).optional(),
  /** What the metrics' `baseline` values are, e.g. "majority class". */
  baselineLabel: z.string().optional(),
  backend: z.string(),
  durationMs: z.number(),
  error: resultErrorSchema.nullable(),
  points: z.number().optional(),
  maxPoints: z.number().optional(),
  tier: z.string().optional(),
  output: z.string().optional(),
  curriculum: curriculumStampSchema.optional(),
  /** The coach's reading of the run (src/coach); absent when it found nothing to say. */
  diagnoses: z.array(diagnosisSchema).optional(),
  /** What the learner's answers show about the lesson's real data (a suite's `findings`), shown whatever the verdict. */
  findings: z.array(z.string()).optional(),
});

export const checkReportSchema = z.object({
  results: z.array(exerciseResultSchema),
  passed: z.number(),
  failed: z.number(),
  errors: z.number(),
});

/** How many results passed, failed and erred: the one count every summary, report and exit code uses. */
export function countStatuses(
  results: readonly Pick<ExerciseResult, 'status'>[],
): Pick<CheckReport, 'passed' | 'failed' | 'errors'> {
  const counts = { passed: 0, failed: 0, errors: 0 };
  for (const r of results) {
    if (r.status === 'passed') counts.passed++;
    else if (r.status === 'failed') counts.failed++;
    else counts.errors++;
  }
  return counts;
}

export type MetricResult = z.infer<typeof metricResultSchema>;
export type CurriculumStamp = z.infer<typeof curriculumStampSchema>;
export type ResultError = z.infer<typeof resultErrorSchema>;
export type ExerciseResult = z.infer<typeof exerciseResultSchema>;
export type CheckReport = z.infer<typeof checkReportSchema>;

/** Extra facts of a run that go to the attempt record (progress/attempts.ts), not to the public result. */
export interface RunDetails {
  curve: Record<string, number>[];
  datasetFingerprint?: string;
  tfjsVersion?: string;
  peakRssMb?: number;
  trainSeconds?: number;
  confusion?: number[][];
  classNames?: string[];
  frames?: string[];
  /** Logged steps that held NaN or Infinity: the child drops those values from `curve` and names them here. */
  nonFinite?: NonFiniteLog[];
  /** The range of the training inputs (feature datasets only), for the coach. */
  inputScale?: InputScale;
}

/** The step at `curve[index]` logged `keys` as NaN or Infinity. */
export interface NonFiniteLog {
  index: number;
  keys: string[];
}

/** The smallest and largest training input, and the feature that holds the largest magnitude. */
export interface InputScale {
  min: number;
  max: number;
  feature?: string;
}

export interface GradeOutcome {
  result: ExerciseResult;
  details: RunDetails;
}
