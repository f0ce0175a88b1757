/** `--json`: the report of SPEC.md, and nothing else, on stdout or in a file. */
import { countStatuses, type CheckReport, type ExerciseResult } from '../grader/result';

export function toJsonReport(results: ExerciseResult[]): CheckReport {
  return {
    results,
    ...countStatuses(results),
  };
}

export function formatJson(results: ExerciseResult[]): string {
  return `${JSON.stringify(toJsonReport(results), null, 2)}\n`;
}
