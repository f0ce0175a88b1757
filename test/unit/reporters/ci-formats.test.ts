import { formatAnnotations, formatStepSummary } from '../../../src/reporters/github';
import { toJsonReport } from '../../../src/reporters/json';
import { formatJunit } from '../../../src/reporters/junit';
import { checkReportSchema, type ExerciseResult } from '../../../src/grader/result';

const results: ExerciseResult[] = [
  {
    exercise: 'month2/mnist',
    status: 'passed',
    seed: 1,
    backend: 'wasm',
    durationMs: 8123,
    error: null,
    points: 20,
    maxPoints: 20,
    metrics: [{ name: 'accuracy', value: 0.972, min: 0.95, passed: true }],
  },
  {
    exercise: 'month1/linear-regression',
    status: 'failed',
    seed: 1,
    backend: 'wasm',
    durationMs: 1500,
    error: null,
    points: 0,
    maxPoints: 10,
    metrics: [{ name: 'rmse', value: 7.5, max: 4.5, passed: false }],
  },
  {
    exercise: 'month1/tensors',
    status: 'error',
    seed: 1,
    backend: 'wasm',
    durationMs: 300,
    points: 0,
    maxPoints: 10,
    metrics: [],
    output: 'a < b & "c"\u0001',
    error: {
      kind: 'runtime',
      message: 'shapes <3> & <4>, 100% wrong\nsecond line',
      file: '/ws/month1/tensors/tensors.ts',
      line: 12,
    },
  },
];

test('the JSON report matches the SPEC schema and counts', () => {
  const report = toJsonReport(results);
  expect(checkReportSchema.parse(report)).toEqual(report);
  expect([report.passed, report.failed, report.errors]).toEqual([1, 1, 1]);
});

test('JUnit: one testcase per exercise, escaped, failure and error elements, output at suite level', () => {
  const xml = formatJunit(results);
  expect(xml.match(/<testcase /g)).toHaveLength(3);
  expect(xml).toMatch(/tests="3" failures="1" errors="1"/);
  expect(xml).toMatch(/<failure message="rmse=7\.5000 \(max 4\.5\) miss; 0\/10 points" type="threshold">/);
  expect(xml).toMatch(
    /<error message="runtime: month1\/tensors\/tensors\.ts:12: shapes &lt;3&gt; &amp; &lt;4&gt;, 100% wrong" type="runtime">/,
  );
  expect(xml).toMatch(/<system-out>--- month1\/tensors ---\na &lt; b &amp; &quot;c&quot;<\/system-out>/);
  expect(xml).not.toMatch(/\u0001/);
});

test('GitHub: a step summary table and escaped ::error annotations for what did not pass', () => {
  const md = formatStepSummary(results);
  expect(md).toMatch(/1\/3 exercises passed, Points 20\/40/);
  expect(md.split('\n').filter((l) => l.startsWith('| month'))).toHaveLength(3);
  const annotations = formatAnnotations(results, '/ws');
  expect(annotations).toHaveLength(2);
  expect(annotations[1]).toBe(
    '::error file=month1/tensors/tensors.ts,line=12,title=month1/tensors error::runtime: shapes <3> & <4>, 100%25 wrong%0Asecond line',
  );
});
