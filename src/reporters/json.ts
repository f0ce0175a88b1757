/** `--json`: the report of SPEC.md, and nothing else, on stdout or in a file. */
import type { CheckReport, ExerciseResult } from '../grader/result';

export function toJsonReport(results: ExerciseResult[]): CheckReport {
  return {
    results,
    passed: results.filter((r) => r.status === 'passed').length,
    failed: results.filter((r) => r.status === 'failed').length,
    errors: results.filter((r) => r.status === 'error').length,
  };
}

export function formatJson(results: ExerciseResult[]): string {
  return `${JSON.stringify(toJsonReport(results), null, 2)}\n`;
}
