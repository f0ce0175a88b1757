/**
 * Every JUnit file mlpath writes validates against the common JUnit schema:
 * `check --junit` (passed, failed with partial credit, every error kind,
 * output with markup and control characters), `grade --junit` (several
 * workspaces, one not graded, one missing an exercise) and a configuration
 * error.
 */
import { formatJunit, formatJunitProblem, formatJunitSuites } from '../../../src/reporters/junit';
import type { ExerciseResult } from '../../../src/grader/result';
import { validateJunit } from '../../helpers/junit-schema';

const results: ExerciseResult[] = [
  {
    exercise: 'week1/iris',
    status: 'passed',
    seed: 1,
    backend: 'wasm',
    durationMs: 812,
    error: null,
    points: 10,
    maxPoints: 10,
    metrics: [{ name: 'accuracy', value: 0.91, min: 0.85, passed: true }],
    curriculum: { id: 'intro-ml', version: '2026.1', sha256: 'ab'.repeat(32), source: 'override' },
  },
  {
    exercise: 'week1/houses',
    status: 'failed',
    seed: 1,
    backend: 'wasm',
    durationMs: 1500,
    error: null,
    points: 5,
    maxPoints: 10,
    tier: 'better than the mean',
    metrics: [
      { name: 'rmse', value: 6.47, max: 5.8, passed: false },
      { name: 'ndcg_at_k', k: 10, value: null, passed: false },
    ],
  },
  {
    exercise: 'week2/tensors',
    status: 'error',
    seed: 1,
    backend: 'wasm',
    durationMs: 30,
    points: 0,
    maxPoints: 10,
    metrics: [],
    output: '<script>alert("x")</script> & \u0001\u0007 \uD800 ]]>',
    error: {
      kind: 'runtime',
      message: 'shapes <3> & <4>\nsecond line',
      file: '/ws/week2/tensors/tensors.ts',
      line: 12,
    },
  },
];

test('check --junit: passed, failed, error, escaped output: valid, and says what happened', async () => {
  const xml = formatJunit(results, 'mlpath', { when: new Date(2026, 11, 5, 10, 0, 0), hostname: 'runner' });
  expect(await validateJunit(xml)).toEqual([]);
  expect(xml).toMatch(
    /<testsuites>\n {2}<testsuite name="mlpath" package="mlpath" id="0" timestamp="2026-12-05T10:00:00" hostname="runner" tests="3" failures="1" errors="1" skipped="0" time="2\.342">/,
  );
  expect(xml).toMatch(
    /<failure message="rmse=6\.4700 \(max 5\.8\) miss; ndcg_at_k=n\/a miss; 5\/10 points \(better than the mean\)" type="threshold">/,
  );
  expect(xml).toMatch(
    /<error message="runtime: week2\/tensors\/tensors\.ts:12: shapes &lt;3&gt; &amp; &lt;4&gt;" type="runtime">week2\/tensors\/tensors\.ts:12: shapes/,
  );
  expect(xml).toMatch(/<property name="week1\/houses ndcg_at_k@10" value=""\/>/);
  expect(xml).toMatch(/<property name="curriculum" value="intro-ml 2026\.1 sha256:abab/);
  expect(xml).not.toMatch(/[\u0001\u0007\uD800]/);
});

test('grade --junit: a testsuite per workspace; one not graded and one missing an exercise are errors; valid', async () => {
  const xml = formatJunitSuites(
    [
      { name: 'alice', results, expected: ['week1/iris', 'week1/houses', 'week2/tensors'] },
      { name: 'bob', results: [], failure: '/class/bob does not exist', expected: ['week1/iris'] },
      { name: 'carol', results: [results[0]], expected: ['week1/iris', 'week1/houses'] },
    ],
    { packageName: 'mlpath.grade' },
  );
  expect(await validateJunit(xml)).toEqual([]);
  expect(xml.match(/<testsuite /g)).toHaveLength(3);
  expect(xml).toMatch(/id="2"/);
  expect(xml).toMatch(/<testsuite name="carol"[^>]* tests="2" failures="0" errors="1"/);
  expect(xml).toMatch(/type="missing">week1\/houses: no result/);
  expect(xml).toMatch(/<testsuite name="bob"[^>]* tests="1" failures="0" errors="1"/);
});

test('a configuration error is one errored testcase: valid', async () => {
  const xml = formatJunitProblem('mlpath.json names its own curriculum file (x.yaml) & more');
  expect(await validateJunit(xml)).toEqual([]);
  expect(xml).toMatch(
    /<error message="not graded: mlpath\.json names its own curriculum file \(x\.yaml\) &amp; more" type="not-graded">/,
  );
});

test('the validator rejects what the old format wrote: properties inside a testcase', async () => {
  const old =
    '<?xml version="1.0"?>\n<testsuites name="mlpath"><testsuite name="mlpath" tests="1" failures="0" errors="0" time="1"><testcase classname="a" name="b" time="1"><properties><property name="x" value="1"/></properties></testcase></testsuite></testsuites>\n';
  expect((await validateJunit(old)).length).toBeGreaterThan(0);
});
