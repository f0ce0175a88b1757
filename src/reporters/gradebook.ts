/**
 * Gradebook formats: a CSV row per learner workspace (written as each one
 * finishes, so an interrupted batch keeps what it graded) and Gradescope's
 * `results.json`.
 */
import type { ExerciseResult } from '../grader/result';

export interface WorkspaceGrade {
  workspace: string;
  results: ExerciseResult[];
  /**
   * Set when the workspace could not be graded at all: the argument is a
   * file, missing, a folder without mlpath.json, or its check did not run.
   */
  failure?: string;
  durationMs: number;
}

function csvCell(v: string | number | undefined | null): string {
  const s = v === undefined || v === null ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvHeader(exercises: string[]): string {
  const cols = ['workspace', 'points', 'max_points', 'passed', 'failed', 'errors', 'problem'];
  for (const ex of exercises) cols.push(`${ex} status`, `${ex} metric`, `${ex} value`, `${ex} points`);
  return `${cols.map(csvCell).join(',')}\n`;
}

export function csvRow(grade: WorkspaceGrade, exercises: string[], maxPoints: Record<string, number>): string {
  const byId = new Map(grade.results.map((r) => [r.exercise, r]));
  const points = grade.results.reduce((a, r) => a + (r.points ?? 0), 0);
  const max = exercises.reduce((a, e) => a + (maxPoints[e] ?? 0), 0);
  const cells: (string | number | undefined)[] = [
    grade.workspace,
    points,
    max,
    grade.results.filter((r) => r.status === 'passed').length,
    grade.results.filter((r) => r.status === 'failed').length,
    grade.results.filter((r) => r.status === 'error').length,
    grade.failure,
  ];
  for (const ex of exercises) {
    const r = byId.get(ex);
    const m = r?.metrics[0];
    // "missing" would say the learner skipped it; a workspace that could not be graded says error for each.
    const status = r ? (r.error ? `error:${r.error.kind}` : r.status) : grade.failure ? 'error' : 'missing';
    cells.push(status, m?.name, m?.value ?? undefined, r?.points ?? 0);
  }
  return `${cells.map(csvCell).join(',')}\n`;
}

/** `failure` (a workspace that could not be graded) becomes the top-level output Gradescope shows above the tests. */
export function formatGradescope(results: ExerciseResult[], failure?: string): string {
  const tests = results.map((r) => ({
    name: r.exercise,
    score: r.points ?? 0,
    max_score: r.maxPoints ?? 0,
    status: r.status === 'passed' ? 'passed' : 'failed',
    output: r.error
      ? `${r.error.kind}: ${r.error.message}`
      : r.metrics.map((m) => `${m.name} = ${m.value === null ? 'n/a' : m.value.toFixed(4)}${m.min !== undefined ? ` (min ${m.min})` : ''}${m.max !== undefined ? ` (max ${m.max})` : ''}`).join('\n'),
  }));
  const output = failure ? { output: `not graded: ${failure}` } : {};
  return `${JSON.stringify({ score: tests.reduce((a, t) => a + t.score, 0), ...output, tests }, null, 2)}\n`;
}
