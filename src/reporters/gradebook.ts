/**
 * Gradebook formats: a CSV row per learner workspace, as an instructor
 * imports it into a gradebook (student id first, commit and times, points
 * over what that learner can earn, every metric of every exercise), and
 * Gradescope's `results.json`.
 */
import { countStatuses, type ExerciseResult } from '../grader/result';

export interface WorkspaceGrade {
  workspace: string;
  results: ExerciseResult[];
  /**
   * Set when the workspace could not be graded at all: the argument is a
   * file, missing, a folder without mlpath.json, or its check did not run.
   */
  failure?: string;
  durationMs: number;
  /** The learner's id: the folder name, less any prefix the instructor strips. */
  student?: string;
  /** The workspace's domain track (from its mlpath.json), which decides what it can earn. */
  track?: string;
  /** The commit graded, when the workspace is a git repository. */
  commit?: string;
  /** Its commit time (ISO 8601). */
  committedAt?: string;
  /** When grading finished (ISO 8601). */
  gradedAt?: string;
}

/** An exercise as the gradebook lays it out. */
export interface GradebookExercise {
  key: string;
  points: number;
  /** Set for a track's own exercise: only learners on that track can earn it. */
  track?: string;
  /** Metric column names, `name` or `name@k`, in curriculum order. */
  metrics: string[];
}

function csvCell(v: string | number | undefined | null): string {
  const s = v === undefined || v === null ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const FIXED = [
  'student',
  'workspace',
  'commit',
  'committed_at',
  'graded_at',
  'points',
  'max_points',
  'passed',
  'failed',
  'errors',
  'problem',
];

export function csvHeader(exercises: GradebookExercise[]): string {
  const cols = [...FIXED];
  for (const ex of exercises) {
    cols.push(`${ex.key} status`, `${ex.key} points`, `${ex.key} max_points`);
    for (const m of ex.metrics) cols.push(`${ex.key} ${m}`);
  }
  return `${cols.map(csvCell).join(',')}\n`;
}

/** Whether a learner on `track` can earn an exercise. */
export function earnable(ex: GradebookExercise, track: string | undefined): boolean {
  return !ex.track || ex.track === track;
}

export function csvRow(grade: WorkspaceGrade, exercises: GradebookExercise[], defaultTrack?: string): string {
  const byId = new Map(grade.results.map((r) => [r.exercise, r]));
  const track = grade.track ?? defaultTrack;
  const points = grade.results.reduce((a, r) => a + (r.points ?? 0), 0);
  const max = exercises.filter((e) => earnable(e, track)).reduce((a, e) => a + e.points, 0);
  const { passed, failed, errors } = countStatuses(grade.results);
  const cells: (string | number | undefined)[] = [
    grade.student,
    grade.workspace,
    grade.commit,
    grade.committedAt,
    grade.gradedAt,
    points,
    max,
    passed,
    failed,
    errors,
    grade.failure,
  ];
  for (const ex of exercises) {
    const r = byId.get(ex.key);
    const own = earnable(ex, track);
    // "missing" would say the learner skipped it; a workspace that could not be graded says error for each.
    const status = r
      ? r.error
        ? `error:${r.error.kind}`
        : r.status
      : !own
        ? 'other-track'
        : grade.failure
          ? 'error'
          : 'missing';
    cells.push(status, r?.points ?? 0, own ? ex.points : 0);
    for (const name of ex.metrics) {
      const m = r?.metrics.find((x) => (x.k !== undefined ? `${x.name}@${x.k}` : x.name) === name);
      cells.push(m?.value ?? undefined);
    }
  }
  return `${cells.map(csvCell).join(',')}\n`;
}

export type GradescopeVisibility = 'hidden' | 'after_due_date' | 'after_published' | 'visible';
export const GRADESCOPE_VISIBILITY: readonly GradescopeVisibility[] = [
  'hidden',
  'after_due_date',
  'after_published',
  'visible',
];

export interface GradescopeOptions {
  /** The workspace could not be graded: shown as the top-level output, score 0. */
  failure?: string;
  /** Visibility of the result and its tests; Gradescope's default is `visible`. */
  visibility?: GradescopeVisibility;
  /** Seconds the whole run took. */
  executionTime?: number;
  /** Text shown above the tests (how the upload was read, ...); a summary is added. */
  output?: string;
  /** Exercises this result should have: one without a result becomes a 0-point test saying why. */
  expected?: { key: string; points: number; why?: string }[];
}

function testOutput(r: ExerciseResult): string {
  if (r.error) return `${r.error.kind}: ${r.error.message}`;
  const lines = r.metrics.map(
    (m) =>
      `${m.name} = ${m.value === null ? 'n/a' : m.value.toFixed(4)}${m.min !== undefined ? ` (min ${m.min})` : ''}${m.max !== undefined ? ` (max ${m.max})` : ''}`,
  );
  if (r.status === 'failed' && r.tier) lines.push(`partial credit: ${r.tier}`);
  return lines.join('\n');
}

export function formatGradescope(results: ExerciseResult[], opts: GradescopeOptions = {}): string {
  const visibility = opts.visibility ?? 'visible';
  const tests: Record<string, unknown>[] = results.map((r) => ({
    name: r.exercise,
    score: r.points ?? 0,
    max_score: r.maxPoints ?? 0,
    status: r.status === 'passed' ? 'passed' : 'failed',
    output: testOutput(r),
    visibility,
  }));
  const got = new Set(results.map((r) => r.exercise));
  for (const e of opts.expected ?? []) {
    if (!got.has(e.key))
      tests.push({
        name: e.key,
        score: 0,
        max_score: e.points,
        status: 'failed',
        output: `not graded: ${e.why ?? opts.failure ?? 'no result for this exercise'}`,
        visibility,
      });
  }
  tests.forEach((t, i) => (t.number = String(i + 1)));
  const score = tests.reduce((a, t) => a + (t.score as number), 0);
  const max = tests.reduce((a, t) => a + (t.max_score as number), 0);
  const { passed } = countStatuses(results);
  const summary = opts.failure
    ? `not graded: ${opts.failure}`
    : `${passed}/${tests.length} exercises passed, ${score}/${max} points.`;
  const output = [opts.output, summary].filter(Boolean).join('\n\n');
  const doc: Record<string, unknown> = { score, output, visibility, stdout_visibility: 'hidden' };
  if (opts.executionTime !== undefined) doc.execution_time = Math.round(opts.executionTime);
  doc.tests = tests;
  return `${JSON.stringify(doc, null, 2)}\n`;
}
