/**
 * The coach: reads the run of a check (training curve, per-seed metrics,
 * confusion matrix, thresholds) and names what went wrong, with the numbers
 * that show it and what to try next. Pure: it computes, reporters format.
 */
import type { ExerciseKind } from '../curriculum/schema';
import type { GradeOutcome } from '../grader/result';
import type { Diagnosis, DiagnosisId } from './diagnosis';
import { read, type CoachInput } from './reading';
import { RULES } from './rules';

export { DIAGNOSIS_IDS, diagnosisSchema, type Diagnosis, type DiagnosisId } from './diagnosis';
export type { CoachInput } from './reading';

export function diagnose(input: CoachInput): Diagnosis[] {
  const reading = read(input);
  const found = new Map<DiagnosisId, Diagnosis>();
  for (const rule of RULES) {
    const d = rule(reading, found);
    if (d) found.set(d.id, d);
  }
  return [...found.values()];
}

/** The diagnoses of a graded outcome, or undefined when there are none (the result's field is then left out). */
export function diagnoseOutcome(outcome: GradeOutcome, kind: ExerciseKind): Diagnosis[] | undefined {
  const { details, result } = outcome;
  const diagnoses = diagnose({
    kind,
    result,
    curve: details.curve,
    nonFinite: details.nonFinite,
    confusion: details.confusion,
    classNames: details.classNames,
    inputScale: details.inputScale,
  });
  return diagnoses.length ? diagnoses : undefined;
}
