/**
 * The gradebook CSV as an instructor imports it, Gradescope's results.json,
 * and the names `mlpath grade` gives its per-workspace files.
 */
import { gradescopeNames, studentId } from '../../../src/commands/grade';
import type { ExerciseResult } from '../../../src/grader/result';
import { csvHeader, csvRow, formatGradescope, type GradebookExercise } from '../../../src/reporters/gradebook';

const exercises: GradebookExercise[] = [
  { key: 'month1/linear', points: 10, metrics: ['rmse', 'r2'] },
  { key: 'month3/nlp', points: 20, track: 'nlp', metrics: ['accuracy'] },
  { key: 'month3/recsys', points: 50, track: 'recsys', metrics: ['precision_at_k@10', 'ndcg_at_k@10'] },
];

const results: ExerciseResult[] = [
  {
    exercise: 'month1/linear',
    status: 'failed',
    seed: 1,
    backend: 'wasm',
    durationMs: 5,
    error: null,
    points: 5,
    maxPoints: 10,
    tier: 'close',
    metrics: [
      { name: 'rmse', value: 5.1, max: 4.5, passed: false },
      { name: 'r2', value: 0.7, min: 0.73, passed: false },
    ],
  },
  {
    exercise: 'month3/recsys',
    status: 'passed',
    seed: 1,
    backend: 'wasm',
    durationMs: 5,
    error: null,
    points: 50,
    maxPoints: 50,
    metrics: [
      { name: 'precision_at_k', k: 10, value: 0.3, min: 0.2, passed: true },
      { name: 'ndcg_at_k', k: 10, value: 0.41, min: 0.3, passed: true },
    ],
  },
];

function row(line: string): Record<string, string> {
  const header = csvHeader(exercises).trim().split(',');
  const cells = line.trim().split(',');
  return Object.fromEntries(header.map((h, i) => [h, cells[i]]));
}

test("a row: student first, commit and times, every metric, and only what the learner's track can earn", () => {
  const r = row(
    csvRow(
      {
        workspace: '/class/ml-alice',
        student: 'alice',
        track: 'recsys',
        commit: 'abc123',
        committedAt: '2026-12-01T10:00:00Z',
        gradedAt: '2026-12-05T10:00:00Z',
        results,
        durationMs: 1,
      },
      exercises,
      'nlp',
    ),
  );
  expect(r).toMatchObject({
    student: 'alice',
    workspace: '/class/ml-alice',
    commit: 'abc123',
    points: '55',
    max_points: '60',
    'month1/linear status': 'failed',
    'month1/linear points': '5',
    'month1/linear rmse': '5.1',
    'month1/linear r2': '0.7',
    'month3/nlp status': 'other-track',
    'month3/nlp max_points': '0',
    'month3/recsys precision_at_k@10': '0.3',
    'month3/recsys ndcg_at_k@10': '0.41',
  });
  // A workspace that names no track gets the curriculum's default one.
  expect(row(csvRow({ workspace: '/class/bob', results: [], durationMs: 1 }, exercises, 'nlp'))).toMatchObject({
    max_points: '30',
    'month3/nlp status': 'missing',
    'month3/recsys status': 'other-track',
  });
  expect(
    row(csvRow({ workspace: '/class/x', results: [], failure: 'a, "quoted" problem', durationMs: 0 }, exercises, 'nlp'))
      .problem,
  ).toBe('"a');
  expect(
    csvRow({ workspace: '/class/x', results: [], failure: 'a, "quoted" problem', durationMs: 0 }, exercises, 'nlp'),
  ).toContain('"a, ""quoted"" problem"');
});

test('Gradescope: score, output, visibility, execution time; exercises without a result are 0-point tests that say why', () => {
  const doc = JSON.parse(
    formatGradescope(results, {
      visibility: 'after_due_date',
      executionTime: 12.6,
      output: 'Read your upload as: train.ts',
      expected: [{ key: 'month3/nlp', points: 20, why: 'nothing was uploaded for it' }],
    }),
  );
  expect(doc).toMatchObject({
    score: 55,
    visibility: 'after_due_date',
    execution_time: 13,
    stdout_visibility: 'hidden',
  });
  expect(doc.output).toBe('Read your upload as: train.ts\n\n1/3 exercises passed, 55/80 points.');
  expect(
    doc.tests.map((t: { name: string; number: string; score: number; max_score: number; status: string }) => [
      t.name,
      t.number,
      t.score,
      t.max_score,
      t.status,
    ]),
  ).toEqual([
    ['month1/linear', '1', 5, 10, 'failed'],
    ['month3/recsys', '2', 50, 50, 'passed'],
    ['month3/nlp', '3', 0, 20, 'failed'],
  ]);
  expect(doc.tests[0].output).toMatch(/partial credit: close/);
  expect(doc.tests[2].output).toBe('not graded: nothing was uploaded for it');
  expect(JSON.parse(formatGradescope([], { failure: '/x is a file' }))).toMatchObject({
    score: 0,
    output: 'not graded: /x is a file',
    tests: [],
  });
});

test('file names per workspace never collide, and student ids drop the Classroom prefix', () => {
  expect(gradescopeNames(['/c/s1/alice', '/c/s2/alice', '/c/s1/bob'])).toEqual([
    's1__alice.json',
    's2__alice.json',
    's1__bob.json',
  ]);
  expect(gradescopeNames(['/c/alice'])).toEqual(['alice.json']);
  expect(gradescopeNames(['/c/a__b', '/c/a/b'])).toEqual(['a__b.json', 'a__b-2.json']);
  expect(studentId('/c/ml-course-alice', 'ml-course-')).toBe('alice');
  expect(studentId('/c/ml-course-', 'ml-course-')).toBe('ml-course-');
  expect(studentId('/c/bob')).toBe('bob');
});
