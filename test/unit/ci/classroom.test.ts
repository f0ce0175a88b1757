/**
 * The Classroom runners of a course and the results they carry: ids the
 * reporter accepts, one runner per partial-credit level so the recorded
 * grade (sum of scores) and the log's table (passing tests x max_score)
 * agree, and a result for every runner whatever happened.
 */
import type { LoadedExercise } from '../../../src/curriculum';
import {
  classroomResults,
  classroomRunners,
  githubOutputLines,
  resultsVariable,
  RUNNER_ID,
  runnersArgument,
} from '../../../src/ci/classroom';
import type { ExerciseResult } from '../../../src/grader/result';
import { classroomReporter } from '../../helpers/classroom';

function exercise(key: string, points: number, tiers: [string, number][] = []): LoadedExercise {
  return {
    key,
    points,
    entry: 'train.ts',
    partialCredit: tiers.map(([label, p]) => ({ label, points: p, metrics: [{ name: 'accuracy', min: 0.5 }] })),
  } as unknown as LoadedExercise;
}

function result(exercise: string, status: ExerciseResult['status'], points: number, maxPoints: number): ExerciseResult {
  return {
    exercise,
    status,
    points,
    maxPoints,
    seed: 1,
    backend: 'wasm',
    durationMs: 10,
    metrics: [{ name: 'accuracy', value: 0.7, min: 0.9, passed: status === 'passed' }],
    error: status === 'error' ? { kind: 'runtime', message: 'boom', line: 3 } : null,
  };
}

const course = [
  exercise('week1/iris', 10, [
    ['beats guessing', 4],
    ['close', 8],
    ['same level', 8],
  ]),
  exercise('1-intro/hello-world', 5),
  exercise('week1/iris-2', 0),
  exercise('week1iris/tier1', 3, [['over the top', 30]]),
];

test('runner ids are alphanumeric, unique, never start with a digit, and follow the levels', () => {
  const runners = classroomRunners(course);
  expect(runners.map((r) => [r.id, r.threshold, r.maxScore])).toEqual([
    ['week1iristier1', 4, 4],
    ['week1iristier2', 8, 4],
    ['week1iris', 10, 2],
    ['ex1introhelloworld', 5, 5],
    ['week1iris2', 0, 0],
    // `week1iris/tier1` flattens to an id already taken; a tier worth more than the exercise is no level.
    ['week1iristier1x2', 3, 3],
  ]);
  for (const r of runners) expect(r.id).toMatch(RUNNER_ID);
  expect(runners[1].name).toBe('week1/iris: close or same level (partial credit: 4 of its 10 points)');
  expect(resultsVariable(' week1iris ')).toBe('WEEK1IRIS_RESULTS');
  expect(runnersArgument(runners.slice(0, 3))).toBe('week1iristier1=4,week1iristier2=4,week1iris=2');
});

test('what the reporter records equals what mlpath awarded, and its table agrees', () => {
  const runners = classroomRunners(course.slice(0, 2));
  for (const [status, points, expected] of [
    ['passed', 10, 15],
    ['failed', 8, 13],
    ['failed', 4, 9],
    ['failed', 0, 5],
    ['error', 0, 5],
  ] as const) {
    const results = classroomResults(
      runners,
      [result('week1/iris', status, points, 10), result('1-intro/hello-world', 'passed', 5, 5)],
      { entries: { 'week1/iris': 'train.ts' } },
    );
    const env: Record<string, string> = { INPUT_RUNNERS: runners.map((r) => r.id).join(',') };
    for (const line of githubOutputLines(results).trim().split('\n')) {
      const [id, value] = line.split('=');
      env[resultsVariable(id)] = value;
    }
    const reporter = classroomReporter(env);
    expect({ status, points, got: reporter.points, max: reporter.maxPoints }).toEqual({
      status,
      points,
      got: expected,
      max: 15,
    });
    expect(reporter.rows.reduce((a, r) => a + r.tableScore, 0)).toBe(reporter.points);
  }
});

test('an exercise without a result, and a run without results, still give every runner an error result', () => {
  const runners = classroomRunners(course.slice(0, 1));
  const none = classroomResults(runners, [], { problem: 'mlpath-results.json was not written' });
  expect([...none.values()].map((r) => [r.status, r.tests[0].score, r.tests[0].message])).toEqual(
    runners.map(() => ['error', 0, 'not graded: mlpath-results.json was not written']),
  );
  const crashed = classroomResults(runners, [result('week1/iris', 'error', 0, 10)]);
  expect(crashed.get('week1iris')!.tests[0]).toMatchObject({ status: 'error', line_no: 3, message: 'runtime: boom' });
});
