/**
 * GitHub Classroom's contract, as read from the source of its actions
 * (classroom-resources/autograding-command-grader and
 * autograding-grading-reporter, v1):
 *
 * - The reporter takes a `runners` input: step ids joined by commas, each
 *   matching /^[a-zA-Z0-9]+$/ (no dashes, no underscores).
 * - For each id it reads the environment variable `<ID IN UPPER CASE>_RESULTS`,
 *   base64 of a JSON result `{ version: 1, status, max_score, tests: [...] }`
 *   where `status` is `pass`, `fail` or `error` and each test has `name`,
 *   `status`, `score`, `message`, `test_code`, `filename`, `line_no` and
 *   `duration`.
 * - The grade Classroom records is the sum of every test's `score` over the
 *   sum of every runner's `max_score`. The table in the log shows, per
 *   runner, (tests with status `pass` / tests) x max_score instead.
 *
 * The command grader is all-or-nothing (score = max_score on exit code 0),
 * so mlpath grades once and writes one result per *level* of an exercise:
 * a partial-credit tier worth 5 of 10 points becomes a runner worth 5 that
 * passes when the learner earned at least 5, and a runner worth the other 5
 * that passes on a full pass. Each runner holds one test, so the log's table
 * and the recorded grade always agree.
 */
import type { LoadedExercise } from '../curriculum';
import type { ExerciseResult } from '../grader/result';

/** What the reporter accepts as a runner id. */
export const RUNNER_ID = /^[a-zA-Z0-9]+$/;

export interface ClassroomRunner {
  /** Step output name and reporter runner id. */
  id: string;
  exercise: string;
  /** The test name the learner sees. */
  name: string;
  /** The runner passes when the exercise earned at least this many points. */
  threshold: number;
  /** This runner's share of the exercise's points. */
  maxScore: number;
}

export interface ClassroomTest {
  name: string;
  status: 'pass' | 'fail' | 'error';
  score: number;
  message: string;
  test_code: string;
  filename: string;
  line_no: number;
  duration: number;
}

export interface ClassroomResult {
  version: 1;
  status: 'pass' | 'fail' | 'error';
  max_score: number;
  tests: ClassroomTest[];
}

/** The environment variable the reporter reads for a runner. */
export function resultsVariable(id: string): string {
  return `${id.trim().toUpperCase()}_RESULTS`;
}

function baseId(key: string): string {
  const bare = key.replace(/[^a-zA-Z0-9]/g, '').toLowerCase() || 'exercise';
  // An environment variable cannot start with a digit.
  return /^[0-9]/.test(bare) ? `ex${bare}` : bare;
}

/**
 * The runners of a course, in exercise order: per exercise one runner per
 * distinct partial-credit level below its points, then one for the rest.
 * Derived from the curriculum alone, so `ci init` (which writes the ids into
 * the workflow) and `ci classroom` (which fills them) agree.
 */
export function classroomRunners(exercises: LoadedExercise[]): ClassroomRunner[] {
  const runners: ClassroomRunner[] = [];
  const taken = new Set<string>();
  const unique = (wanted: string): string => {
    let id = wanted;
    for (let n = 2; taken.has(id); n++) id = `${wanted}x${n}`;
    taken.add(id);
    return id;
  };
  for (const ex of exercises) {
    const base = baseId(ex.key);
    const levels = [...new Set(ex.partialCredit.map((t) => t.points).filter((p) => p > 0 && p < ex.points))].sort(
      (a, b) => a - b,
    );
    let previous = 0;
    levels.forEach((level, i) => {
      const labels = ex.partialCredit
        .filter((t) => t.points === level)
        .map((t) => t.label)
        .join(' or ');
      runners.push({
        id: unique(`${base}tier${i + 1}`),
        exercise: ex.key,
        name: `${ex.key}: ${labels} (partial credit: ${level - previous} of its ${ex.points} points)`,
        threshold: level,
        maxScore: level - previous,
      });
      previous = level;
    });
    const name = levels.length
      ? `${ex.key}: passes every threshold (the other ${ex.points - previous} of its ${ex.points} points)`
      : ex.key;
    runners.push({ id: unique(base), exercise: ex.key, name, threshold: ex.points, maxScore: ex.points - previous });
  }
  return runners;
}

function describe(r: ExerciseResult): string {
  if (r.error) return `${r.error.kind}: ${r.error.message}`;
  const metrics = r.metrics
    .map(
      (m) =>
        `${m.name} ${m.value === null ? 'n/a' : m.value.toFixed(4)}${m.min !== undefined ? ` (min ${m.min})` : ''}${m.max !== undefined ? ` (max ${m.max})` : ''} ${m.passed ? 'met' : 'missed'}`,
    )
    .join('; ');
  const earned = `${r.points ?? 0}/${r.maxPoints ?? 0} points${r.tier ? ` (${r.tier})` : ''}`;
  return `${r.status}: ${metrics || 'no metrics'}; ${earned}`;
}

export interface ClassroomResultsOptions {
  /** Entry file of each exercise, for the test's `filename`. */
  entries?: Record<string, string | undefined>;
  /** Why there are no results at all (a configuration error in the grading step). */
  problem?: string;
}

/** One reporter result per runner, from the results of `mlpath check --all`. */
export function classroomResults(
  runners: ClassroomRunner[],
  results: ExerciseResult[],
  opts: ClassroomResultsOptions = {},
): Map<string, ClassroomResult> {
  const byExercise = new Map(results.map((r) => [r.exercise, r]));
  const out = new Map<string, ClassroomResult>();
  for (const runner of runners) {
    const r = byExercise.get(runner.exercise);
    const entry = opts.entries?.[runner.exercise];
    const test: ClassroomTest = {
      name: runner.name,
      status: 'error',
      score: 0,
      message: `not graded: ${opts.problem ?? 'mlpath check reported no result for this exercise'}`,
      test_code: `mlpath check ${runner.exercise}`,
      filename: entry ? `${runner.exercise}/${entry}` : '',
      line_no: 0,
      duration: 0,
    };
    if (r) {
      const earned = r.points ?? 0;
      test.status = r.status === 'error' ? 'error' : earned >= runner.threshold ? 'pass' : 'fail';
      test.score = test.status === 'pass' ? runner.maxScore : 0;
      test.message = describe(r);
      test.line_no = r.error?.line ?? 0;
      test.duration = r.durationMs;
    }
    out.set(runner.id, { version: 1, status: test.status, max_score: runner.maxScore, tests: [test] });
  }
  return out;
}

/** The `--runners` argument of `mlpath ci classroom`: `id=points`, comma-separated. */
export function runnersArgument(runners: ClassroomRunner[]): string {
  return runners.map((r) => `${r.id}=${r.maxScore}`).join(',');
}

/** `name=value` lines for `$GITHUB_OUTPUT`: base64 never holds a newline, so the one-line form is safe. */
export function githubOutputLines(results: Map<string, ClassroomResult>): string {
  let text = '';
  for (const [id, result] of results) text += `${id}=${Buffer.from(JSON.stringify(result)).toString('base64')}\n`;
  return text;
}
