/**
 * The coach's diagnoses as the reporters show them: in the terminal result
 * (which `check` and `watch` print), in the HTML report, and in the JSON
 * result, whose schema admits them and nothing malformed.
 */
import { exerciseResultSchema, type ExerciseResult } from '../../../src/grader/result';
import type { Diagnosis } from '../../../src/coach';
import { renderReport, type Attempt } from '../../../src/reporters/html';
import { formatResult } from '../../../src/reporters/terminal';

const skew: Diagnosis = {
  id: 'train-serve-skew',
  title: 'Train/serve skew: predict() does not see inputs the way training did',
  evidence:
    'valAccuracy logged during training ended at 0.985 (epoch 8), but held-out accuracy is 0.31, 0.675 lower (graded f1: 0.27).',
  next: 'build the vocabulary <once> in train()',
};

const result: ExerciseResult = {
  exercise: 'month3/nlp',
  status: 'failed',
  metrics: [{ name: 'f1', value: 0.27, min: 0.95, passed: false }],
  seed: 1,
  backend: 'wasm',
  durationMs: 3000,
  error: null,
  diagnoses: [skew],
};

test('the terminal result lists each diagnosis with its evidence and what to try, before the closing next line', () => {
  const text = formatResult(result, { color: false, cwd: '/' });
  const lines = text.split('\n');
  const at = lines.indexOf('  coach:');
  expect(at).toBeGreaterThan(0);
  expect(lines[at + 1]).toBe(`  ! ${skew.title} [train-serve-skew]`);
  expect(lines[at + 2]).toBe(`    ${skew.evidence}`);
  expect(lines[at + 3]).toBe(`    try: ${skew.next}`);
  expect(lines[lines.length - 1]).toMatch(/^ {2}next: /);
});

test('no coach block without diagnoses', () => {
  expect(formatResult({ ...result, diagnoses: undefined }, { color: false, cwd: '/' })).not.toContain('coach:');
});

test("the HTML report shows the latest attempt's diagnoses, escaped", () => {
  const attempt = (diagnoses?: Diagnosis[]): Attempt => ({
    createdAt: '2026-01-01T10:00:00.000Z',
    status: 'failed',
    metrics: result.metrics,
    seed: 1,
    backend: 'wasm',
    durationMs: 1,
    error: null,
    curve: [],
    diagnoses,
  });
  const html = renderReport({
    exercise: { key: 'month3/nlp', title: 'Spam' },
    attempts: [attempt(), attempt([skew])],
    generatedAt: '2026-01-01T10:00:00.000Z',
  });
  expect(html).toContain('<section id="coach"><h2>Coach <span class="muted">(attempt 2)</span></h2>');
  expect(html).toContain('<li class="diagnosis" data-id="train-serve-skew">');
  expect(html).toContain('build the vocabulary &lt;once&gt; in train()');
  const older = renderReport({
    exercise: { key: 'month3/nlp', title: 'Spam' },
    attempts: [attempt([skew]), attempt()],
    generatedAt: '2026-01-01T10:00:00.000Z',
  });
  expect(older).not.toContain('id="coach"');
});

test('the result schema keeps diagnoses and refuses malformed ones', () => {
  expect(exerciseResultSchema.parse(result)).toEqual(result);
  expect(exerciseResultSchema.safeParse({ ...result, diagnoses: [{ ...skew, id: 'made-up' }] }).success).toBe(false);
  expect(exerciseResultSchema.safeParse({ ...result, diagnoses: [{ ...skew, extra: true }] }).success).toBe(false);
  expect(exerciseResultSchema.safeParse({ ...result, diagnoses: [{ id: skew.id, title: skew.title }] }).success).toBe(
    false,
  );
});
